"""catalog: products, and the directory of vetted service providers."""

from fastapi import FastAPI

from services.catalog.directory import clock
from services.catalog.directory.handlers import handlers, review_handlers
from services.catalog.directory.routes import routers as directory
from services.catalog.directory.vetting import ReviewRules
from services.catalog.models import metadata
from services.catalog.products.routes import router as products
from services.catalog.settings import Settings
from shared.bus import EventHandlers
from shared.models import utcnow
from shared.periodic import every
from shared.service import ServiceSpec, create_service_app


def spec() -> ServiceSpec:
    settings = Settings()
    return ServiceSpec(
        settings=settings,
        metadata=metadata,
        routers=[products, *directory],
        handlers=EventHandlers.combine(handlers, review_handlers(ReviewRules.from_settings(settings))),
        extensions=[every(settings.directory_clock_seconds, run_clock, name="directory-clock")],
        housekeeping=[clock.prune_past_slots],
        description="Products with the tags interest matching uses, and the directory of vetted service providers: "
        "offerings, papers, vetting per community, complaints, endorsements, reviews from bookings, search and the "
        "community's service guide.",
    )


async def run_clock(app: FastAPI) -> None:
    await clock.tick(app.state.db, now=utcnow())


def create_app() -> FastAPI:
    return create_service_app(spec())
