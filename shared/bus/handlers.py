"""A service's event handlers, and how one event is applied exactly once.

A handler is `async def handler(session, event)`: it stages its effect (and any events it
publishes) in `session` and never commits; `apply_once` commits the effect together with the
event's inbox row, so a redelivered event finds its id there and is skipped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.bus.tables import inbox
from shared.correlation import Trace, bind_trace
from shared.db import Database
from shared.events import Event, EventData
from shared.events.registry import stream_of

D = TypeVar("D", bound=EventData)
Handler = Callable[[AsyncSession, Event[Any]], Awaitable[None]]


class EventHandlers:
    def __init__(self) -> None:
        self.by_type: dict[str, Handler] = {}

    def on(self, schema: type[D]) -> Callable[[Callable[[AsyncSession, Event[D]], Awaitable[None]]], Handler]:
        def register(fn: Callable[[AsyncSession, Event[D]], Awaitable[None]]) -> Handler:
            if schema.event_type in self.by_type:
                raise ValueError(f"two handlers for {schema.event_type}")
            self.by_type[schema.event_type] = fn
            return fn

        return register

    def streams(self) -> dict[str, list[str]]:
        """Stream → the event types of it this service consumes (its consumer's filter subjects)."""
        streams: dict[str, list[str]] = {}
        for type_ in sorted(self.by_type):
            streams.setdefault(stream_of(type_), []).append(type_)
        return streams

    async def apply_once(self, db: Database, event: Event[Any]) -> Literal["applied", "duplicate", "ignored"]:
        handler = self.by_type.get(event.type)
        if handler is None:
            return "ignored"
        bind_trace(Trace(correlation_id=event.correlation_id, causation_id=event.id))
        async with db.session() as session:
            seen = await session.execute(select(inbox.c.event_id).where(inbox.c.event_id == event.id))
            if seen.first() is not None:
                return "duplicate"
            await handler(session, event)
            await session.execute(
                insert(inbox).values(event_id=event.id, type=event.type, processed_at=datetime.now(UTC))
            )
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                # Another instance may have applied the same event first (its inbox row won the race);
                # any other integrity error is the handler's and is raised for redelivery.
                seen = await session.execute(select(inbox.c.event_id).where(inbox.c.event_id == event.id))
                if seen.first() is None:
                    raise
                return "duplicate"
        return "applied"
