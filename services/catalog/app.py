"""catalog: products (and, later, the service directory)."""

from fastapi import FastAPI

from services.catalog.models import metadata
from services.catalog.products.routes import router as products
from services.catalog.settings import Settings
from shared.service import ServiceSpec, create_service_app


def spec() -> ServiceSpec:
    return ServiceSpec(
        settings=Settings(),
        metadata=metadata,
        routers=[products],
        description="Products with the tags interest matching uses; later the directory of vetted providers.",
    )


def create_app() -> FastAPI:
    return create_service_app(spec())
