"""livestream: live sessions and their real-time room — chat, cards, polls, questions, giveaways,
guests, leads, moderation, highlights (docs/live-room.md)."""

from datetime import timedelta

from fastapi import FastAPI

from services.livestream.audience.routes import router as audience
from services.livestream.cards.routes import router as cards
from services.livestream.giveaways.routes import router as giveaways
from services.livestream.guests.routes import router as guests
from services.livestream.handlers import live_handlers
from services.livestream.highlights.routes import router as highlights
from services.livestream.leads.routes import router as leads
from services.livestream.models import metadata
from services.livestream.moderation.routes import router as moderation
from services.livestream.polls.routes import router as polls
from services.livestream.questions.routes import router as questions
from services.livestream.room.hub import RoomHub
from services.livestream.room.routes import router as room
from services.livestream.sessions import service as sessions
from services.livestream.sessions.routes import router as sessions_router
from services.livestream.settings import Settings
from shared.models import utcnow
from shared.periodic import every
from shared.service import ServiceSpec, create_service_app


def spec() -> ServiceSpec:
    settings = Settings()
    rooms = RoomHub(settings)
    return ServiceSpec(
        settings=settings,
        metadata=metadata,
        # the product Q&A (/sessions/qa/…) before the routes that take a session id there
        routers=[
            questions,
            sessions_router,
            guests,
            cards,
            moderation,
            polls,
            leads,
            giveaways,
            highlights,
            room,
            audience,
        ],
        handlers=live_handlers(rooms),
        extensions=[rooms.extension, every(settings.clock_seconds, run_clock, name="session-clock")],
        description="Live sessions of a community and their real-time room: chat, reactions, pinned cards "
        "(deals with live stock, services, event sign-ups, testimonials), polls, questions, giveaways, "
        "guests, leads, moderation, highlights. The room protocol is docs/live-room.md.",
    )


async def run_clock(app: FastAPI) -> None:
    await sessions.remind(app.state.db, now=utcnow(), ahead=timedelta(minutes=app.state.settings.reminder_minutes))


def create_app() -> FastAPI:
    return create_service_app(spec())
