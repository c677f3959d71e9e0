"""community: communities (小区), membership and roles, offline events (线下活动), posted needs (居民需求),
item swaps (闲置交换), the community board (线上邻里中心)."""

from datetime import timedelta

from fastapi import FastAPI

from services.community.board.routes import router as board
from services.community.communities.routes import router as communities
from services.community.events import clock
from services.community.events.desk import registration_desk
from services.community.events.handlers import fee_handlers
from services.community.events.routes import router as events
from services.community.models import metadata
from services.community.needs.routes import router as needs
from services.community.settings import Settings
from services.community.swaps.routes import router as swaps
from shared.models import utcnow
from shared.periodic import every
from shared.service import ServiceSpec, create_service_app


def spec() -> ServiceSpec:
    settings = Settings()
    return ServiceSpec(
        settings=settings,
        metadata=metadata,
        routers=[communities, events, needs, swaps, board],
        handlers=fee_handlers(settings.fee_hold),
        extensions=[registration_desk, every(settings.events_clock_seconds, run_clock, name="events-clock")],
        description="Communities, their members and roles (invites, requests to join, moderators), offline events "
        "(sign-up, waitlist, check-in, feedback, iCalendar), posted needs, item swaps and the community board.",
    )


async def run_clock(app: FastAPI) -> None:
    lead = timedelta(minutes=app.state.settings.event_reminder_minutes)
    await clock.tick(app.state.db, now=utcnow(), lead=lead, hold=app.state.settings.fee_hold)


def create_app() -> FastAPI:
    return create_service_app(spec())
