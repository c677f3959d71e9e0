"""livestream: live sessions; later the real-time room, cards, polls and leads."""

from fastapi import FastAPI

from services.livestream.models import metadata
from services.livestream.sessions.routes import router as sessions
from services.livestream.settings import Settings
from shared.service import ServiceSpec, create_service_app


def spec() -> ServiceSpec:
    return ServiceSpec(
        settings=Settings(),
        metadata=metadata,
        routers=[sessions],
        description="Live sessions of a community; later the real-time room, pinned cards, polls and leads.",
    )


def create_app() -> FastAPI:
    return create_service_app(spec())
