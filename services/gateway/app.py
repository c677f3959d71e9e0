"""gateway: identity and tokens, the client API under /api/v1, inbound partner callbacks."""

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from services.gateway.feed.routes import router as feed
from services.gateway.identity.routes import router as auth
from services.gateway.identity.sms import LogSmsSender
from services.gateway.models import metadata
from services.gateway.payments.routes import router as payment_webhooks
from services.gateway.settings import Settings
from services.gateway.upstream.clients import upstreams_extension
from services.gateway.upstream.openapi import router as api_docs
from services.gateway.upstream.proxy import router as proxy
from shared.service import ServiceSpec, create_service_app


@contextlib.asynccontextmanager
async def sms_port(app: FastAPI) -> AsyncIterator[None]:
    app.state.sms = LogSmsSender()
    yield


def spec() -> ServiceSpec:
    settings = Settings()
    return ServiceSpec(
        settings=settings,
        metadata=metadata,
        routers=[api_docs, auth, feed, payment_webhooks, proxy],  # the proxy's catch-all goes last
        extensions=[upstreams_extension(settings), sms_port],
        own_docs=False,
        description=(
            "The client API of Linli. Log in with POST /api/v1/auth/otp then /api/v1/auth/token; send "
            "`Authorization: Bearer <access_token>`. Errors are RFC 9457 problem documents."
        ),
    )


def create_app() -> FastAPI:
    return create_service_app(spec())
