"""community: communities (小区), membership and roles, offline events (线下活动); later swaps and needs."""

from datetime import timedelta

from fastapi import FastAPI

from services.community.communities.routes import router as communities
from services.community.events import clock
from services.community.events.desk import registration_desk
from services.community.events.routes import router as events
from services.community.models import metadata
from services.community.settings import Settings
from shared.models import utcnow
from shared.periodic import every
from shared.service import ServiceSpec, create_service_app


def spec() -> ServiceSpec:
    settings = Settings()
    return ServiceSpec(
        settings=settings,
        metadata=metadata,
        routers=[communities, events],
        extensions=[registration_desk, every(settings.events_clock_seconds, run_clock, name="events-clock")],
        description="Communities and their members' roles, offline events (sign-up, waitlist, check-in, "
        "feedback, iCalendar); later item swaps and posted needs.",
    )


async def run_clock(app: FastAPI) -> None:
    lead = timedelta(minutes=app.state.settings.event_reminder_minutes)
    await clock.tick(app.state.db, now=utcnow(), lead=lead)


def create_app() -> FastAPI:
    return create_service_app(spec())
