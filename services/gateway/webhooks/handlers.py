"""Events partners may receive become deliveries in the event's inbox transaction: a gateway that
stops after the commit still has them, and one that stops before gets the event again."""

from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.webhooks import deliveries
from services.gateway.webhooks.events import partner_event_types
from shared.bus import EventHandlers
from shared.db import after_commit
from shared.events import Event
from shared.models import utcnow


def webhook_handlers(wake_sender: Callable[[], Awaitable[None]]) -> EventHandlers:
    handlers = EventHandlers()

    async def record(session: AsyncSession, event: Event[Any]) -> None:
        if await deliveries.record_for_event(session, event, now=utcnow()):
            after_commit(session, wake_sender)

    for schema in partner_event_types().values():
        handlers.on(schema)(record)
    return handlers
