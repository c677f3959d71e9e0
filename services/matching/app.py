"""matching: interest profiles, recommendations, demand and the community dashboard's figures, learnt from
everyone's events."""

from fastapi import FastAPI

from services.matching.demand.routes import router as demand
from services.matching.handlers import build_handlers
from services.matching.hints.routes import router as hints
from services.matching.insights.handlers import insight_handlers
from services.matching.insights.routes import router as insights
from services.matching.interests.routes import router as profiles
from services.matching.models import metadata
from services.matching.needs.routes import router as needs
from services.matching.recommendations.routes import router as recommendations
from services.matching.settings import Settings
from shared.bus import EventHandlers
from shared.service import ServiceSpec, create_service_app


def handlers(settings: Settings) -> EventHandlers:
    """Everything matching learns from events: profiles, demand and read models, and the dashboard's figures."""
    return EventHandlers.combine(build_handlers(settings), insight_handlers(settings))


def spec() -> ServiceSpec:
    settings = Settings()
    return ServiceSpec(
        settings=settings,
        metadata=metadata,
        routers=[recommendations, profiles, demand, insights, needs, hints],
        handlers=handlers(settings),
        description="Interest profiles, recommendations with reasons, demand aggregation, the dashboard's figures.",
    )


def create_app() -> FastAPI:
    return create_service_app(spec())
