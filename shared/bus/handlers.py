"""A service's event handlers, and how events are applied exactly once.

A handler is `async def handler(session, event)`: it stages its effect (and any events it
publishes) in `session` and never commits. `apply` commits a batch of events' effects together
with their inbox rows in one transaction, so a redelivered event finds its id and is skipped. If
a handler fails, the batch is rolled back and applied again in three parts — the events before
it, the failing event alone, the events after it — so a failure costs only its own event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
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


class _HandlerFailed(Exception):
    def __init__(self, index: int, error: Exception) -> None:
        self.index, self.error = index, error


@dataclass(frozen=True)
class Outcome:
    status: Literal["applied", "duplicate", "ignored", "failed"]
    error: BaseException | None = None


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

    @classmethod
    def combine(cls, *registries: EventHandlers) -> EventHandlers:
        """One registry of several (a service's read models, and handlers that need its resources).
        Where two registries handle the same type, both run, in the order given, in the same
        transaction: each keeps its own read model of the one event."""
        combined = cls()
        for registry in registries:
            for type_, handler in registry.by_type.items():
                first = combined.by_type.get(type_)
                combined.by_type[type_] = handler if first is None else _in_turn(first, handler)
        return combined

    def streams(self) -> dict[str, list[str]]:
        """Stream → the event types of it this service consumes (its consumer's filter subjects)."""
        streams: dict[str, list[str]] = {}
        for type_ in sorted(self.by_type):
            streams.setdefault(stream_of(type_), []).append(type_)
        return streams

    async def apply(self, db: Database, events: Sequence[Event[Any]]) -> list[Outcome]:
        """Apply a batch; an outcome per event, in order."""
        if not events:
            return []
        try:
            return await self._apply_together(db, events)
        except _HandlerFailed as failed:
            if len(events) == 1:
                return [Outcome("failed", failed.error)]
            i = failed.index
            before = await self.apply(db, events[:i]) if i else []
            return [*before, *await self.apply(db, events[i : i + 1]), *await self.apply(db, events[i + 1 :])]
        except IntegrityError:  # the inbox insert: another instance applied one of them first
            if len(events) == 1:
                return [Outcome("duplicate")]
            return [(await self.apply(db, [event]))[0] for event in events]

    async def _apply_together(self, db: Database, events: Sequence[Event[Any]]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        applied: list[Event[Any]] = []
        async with db.session() as session:
            ids = [e.id for e in events]
            seen = set((await session.execute(select(inbox.c.event_id).where(inbox.c.event_id.in_(ids)))).scalars())
            for index, event in enumerate(events):
                handler = self.by_type.get(event.type)
                if handler is None or event.id in seen:
                    outcomes.append(Outcome("ignored" if handler is None else "duplicate"))
                    continue
                seen.add(event.id)
                bind_trace(Trace(correlation_id=event.correlation_id, causation_id=event.id))
                try:
                    await handler(session, event)
                    await session.flush()  # the handler's constraint errors are its own failure
                except Exception as exc:
                    raise _HandlerFailed(index, exc) from exc
                applied.append(event)
                outcomes.append(Outcome("applied"))
            if applied:
                now = datetime.now(UTC)
                await session.execute(
                    insert(inbox), [{"event_id": e.id, "type": e.type, "processed_at": now} for e in applied]
                )
                await session.commit()
        return outcomes

    async def apply_once(self, db: Database, event: Event[Any]) -> Literal["applied", "duplicate", "ignored"]:
        """Apply one event, raising its handler's error (used by dead-letter replay)."""
        outcome = (await self.apply(db, [event]))[0]
        if outcome.status == "failed":
            assert outcome.error is not None
            raise outcome.error
        return outcome.status


def _in_turn(first: Handler, then: Handler) -> Handler:
    async def both(session: AsyncSession, event: Event[Any]) -> None:
        await first(session, event)
        await then(session, event)

    return both
