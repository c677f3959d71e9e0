"""gateway: identity and tokens, the client API under /api/v1 (the live room's WebSocket relayed to
livestream), each person's notification inbox (fed by events, streamed live), the partner API under
/partner/v1 with its webhooks, inbound partner callbacks, the web pages (live room, community dashboard)."""

import contextlib
import functools
from collections.abc import AsyncIterator
from datetime import timedelta

from fastapi import FastAPI

from services.gateway.dashboard.page import router as dashboard_page
from services.gateway.feed.routes import router as feed
from services.gateway.identity.routes import router as auth
from services.gateway.identity.sms import LogSmsSender
from services.gateway.models import metadata
from services.gateway.notifications import service as notifications
from services.gateway.notifications.handlers import notification_handlers
from services.gateway.notifications.live import Hub
from services.gateway.notifications.push import push_sender
from services.gateway.notifications.routes import router as notification_routes
from services.gateway.partners import service as partners
from services.gateway.partners.api import router as partner_api
from services.gateway.partners.routes import router as api_keys
from services.gateway.payments.routes import router as payment_webhooks
from services.gateway.room.page import router as room_page
from services.gateway.room.routes import router as room
from services.gateway.settings import Settings
from services.gateway.upstream.clients import upstreams_extension
from services.gateway.upstream.matching import router as matching_paths
from services.gateway.upstream.openapi import router as api_docs
from services.gateway.upstream.proxy import router as proxy
from services.gateway.webhooks import deliveries
from services.gateway.webhooks.dispatcher import Dispatcher
from services.gateway.webhooks.handlers import webhook_handlers
from services.gateway.webhooks.routes import router as partner_webhooks
from shared.bus import EventHandlers
from shared.service import ServiceSpec, create_service_app


@contextlib.asynccontextmanager
async def sms_port(app: FastAPI) -> AsyncIterator[None]:
    app.state.sms = LogSmsSender()
    yield


def spec() -> ServiceSpec:
    settings = Settings()
    dispatcher = Dispatcher(settings)
    hub = Hub(queue_size=settings.notification_stream_queue)
    return ServiceSpec(
        settings=settings,
        metadata=metadata,
        # The proxy's catch-all goes last.
        routers=[
            api_docs,
            auth,
            feed,
            notification_routes,
            payment_webhooks,
            api_keys,
            partner_api,
            partner_webhooks,
            room,
            room_page,
            dashboard_page,
            matching_paths,
            proxy,
        ],
        handlers=EventHandlers.combine(
            webhook_handlers(dispatcher.wake),
            notification_handlers(
                hub=hub,
                push=push_sender(settings.push_provider),
                stale_after=timedelta(hours=settings.notification_stale_hours),
            ),
        ),
        extensions=[upstreams_extension(settings), sms_port, dispatcher.running, hub.running],
        housekeeping=[
            partners.prune_signed_calls,
            functools.partial(deliveries.prune, keep=timedelta(days=settings.webhook_keep_days)),
            functools.partial(notifications.prune, keep=timedelta(days=settings.notification_keep_days)),
        ],
        own_docs=False,
        description=(
            "The client API of Linli. Log in with POST /api/v1/auth/otp then /api/v1/auth/token; send "
            "`Authorization: Bearer <access_token>`. Partners call /partner/v1 with an API key "
            "(docs/partners.md). Errors are RFC 9457 problem documents."
        ),
    )


def create_app() -> FastAPI:
    return create_service_app(spec())
