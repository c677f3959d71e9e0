"""matching: interest profiles and recommendations, learnt from everyone's events."""

from fastapi import FastAPI

from services.matching.handlers import handlers
from services.matching.models import metadata
from services.matching.routes import router
from services.matching.settings import Settings
from shared.service import ServiceSpec, create_service_app


def spec() -> ServiceSpec:
    return ServiceSpec(
        settings=Settings(),
        metadata=metadata,
        routers=[router],
        handlers=handlers,
        description="Interest profiles and recommendations with reasons; later demand aggregation and insights.",
    )


def create_app() -> FastAPI:
    return create_service_app(spec())
