"""matching: interest profiles, recommendations and demand, learnt from everyone's events."""

from fastapi import FastAPI

from services.matching.demand.routes import router as demand
from services.matching.handlers import build_handlers
from services.matching.interests.routes import router as profiles
from services.matching.models import metadata
from services.matching.recommendations.routes import router as recommendations
from services.matching.settings import Settings
from shared.service import ServiceSpec, create_service_app


def spec() -> ServiceSpec:
    settings = Settings()
    return ServiceSpec(
        settings=settings,
        metadata=metadata,
        routers=[recommendations, profiles, demand],
        handlers=build_handlers(settings),
        description="Interest profiles, recommendations with reasons, demand aggregation.",
    )


def create_app() -> FastAPI:
    return create_service_app(spec())
