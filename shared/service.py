"""The service defaults: every Linli service is `create_service_app(ServiceSpec(...))`.

The lifespan opens the database (already migrated by the prestart step in `shared.serve`), connects the bus,
starts the outbox relay and the consumers; the app gets problem-details errors, request and
correlation ids, `/healthz`, `/readyz` and the dead-letter admin endpoints.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from sqlalchemy import MetaData
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.auth import CurrentPrincipal
from shared.bus import Bus, EventHandlers
from shared.bus import deadletters as dl
from shared.bus.retention import PruneJob
from shared.correlation import CorrelationMiddleware
from shared.db import Database
from shared.errors import ServiceUnavailable, install_problem_handlers
from shared.logging import configure_logging, get_logger
from shared.settings import ServiceSettings

log = get_logger(__name__)

Extension = Callable[[FastAPI], contextlib.AbstractAsyncContextManager[Any]]


@dataclass
class ServiceSpec:
    settings: ServiceSettings
    metadata: MetaData
    routers: Sequence[APIRouter]
    description: str
    handlers: EventHandlers = field(default_factory=EventHandlers)
    # Extra resources a service holds for its lifetime (HTTP clients, ports to providers…).
    extensions: Sequence[Extension] = ()
    # The service's own pruning jobs, run hourly with the bus's (e.g. expired idempotency keys).
    housekeeping: Sequence[PruneJob] = ()
    # The gateway serves documentation merged from every service instead of its own.
    own_docs: bool = True

    @property
    def name(self) -> str:
        return self.settings.service_name


def create_service_app(spec: ServiceSpec) -> FastAPI:
    settings = spec.settings
    configure_logging(service=spec.name, log_format=settings.log_format, level=settings.log_level)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        bus = Bus(
            service=spec.name,
            nats_url=settings.nats_url,
            db=db,
            handlers=spec.handlers,
            replicas=settings.stream_replicas,
            backoff=settings.redelivery_backoff,
            relay_interval=settings.relay_interval,
            housekeeping=spec.housekeeping,
        )
        app.state.settings, app.state.db, app.state.bus, app.state.handlers = settings, db, bus, spec.handlers
        await bus.start()
        try:
            async with contextlib.AsyncExitStack() as stack:
                for extension in spec.extensions:
                    await stack.enter_async_context(extension(app))
                log.info("service started", port=settings.port)
                yield
        finally:
            await bus.stop()
            await db.dispose()
            log.info("service stopped")

    app = FastAPI(
        title=f"Linli {spec.name}",
        description=spec.description,
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json" if spec.own_docs else None,
        docs_url="/docs" if spec.own_docs else None,
        redoc_url="/redoc" if spec.own_docs else None,
        # No OpenTelemetry provider is configured (the correlation id is how a request is followed), so
        # FastAPI's native telemetry is off rather than looking for providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.add_middleware(CorrelationMiddleware)
    install_problem_handlers(app)
    app.include_router(health_router)
    app.include_router(admin_router)
    for router in spec.routers:
        app.include_router(router)
    return app


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.db.session() as session:
        yield session


async def get_reader(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.db.reader() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
ReaderDep = Annotated[AsyncSession, Depends(get_reader)]  # reads only; on SQLite it takes no write lock

health_router = APIRouter(tags=["health"])


@health_router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health_router.get("/readyz", summary="The database and NATS are reachable")
async def readyz(request: Request) -> dict[str, Any]:
    try:
        await request.app.state.db.ping()
    except Exception as exc:
        raise ServiceUnavailable(f"database unreachable: {exc.__class__.__name__}") from None
    if not request.app.state.bus.connected:
        raise ServiceUnavailable("NATS unreachable")
    return {"status": "ready", "bus": request.app.state.bus.status()}


admin_router = APIRouter(prefix="/admin", tags=["admin"])


@admin_router.get("/dead-letters", summary="Events this service could not apply")
async def list_dead_letters(
    request: Request, principal: CurrentPrincipal, status: str | None = "dead", limit: int = 100
) -> list[dl.DeadLetter]:
    principal.require_operator()
    return await dl.list_dead_letters(request.app.state.db, status=status, limit=min(limit, 1000))


@admin_router.post("/dead-letters/{dead_letter_id}/replay", summary="Apply a dead-lettered event again")
async def replay_dead_letter(request: Request, principal: CurrentPrincipal, dead_letter_id: int) -> dict[str, Any]:
    principal.require_operator()
    return await dl.replay(request.app.state.db, request.app.state.handlers, dead_letter_id)
