"""community: communities (小区), membership and roles; later events, swaps and needs."""

from fastapi import FastAPI

from services.community.communities.routes import router as communities
from services.community.models import metadata
from services.community.settings import Settings
from shared.service import ServiceSpec, create_service_app


def spec() -> ServiceSpec:
    return ServiceSpec(
        settings=Settings(),
        metadata=metadata,
        routers=[communities],
        description="Communities and their members' roles; later offline events, item swaps and posted needs.",
    )


def create_app() -> FastAPI:
    return create_service_app(spec())
