"""A matching database fed through matching's own event handlers, without a bus: what the unit
tests, `make eval` and the matching bench use to drive the service's functions directly."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.handlers import build_handlers
from services.matching.models import metadata
from services.matching.settings import Settings
from shared.db import Database
from shared.events import EventData
from shared.events.envelope import new_event
from shared.migrations import upgrade


@dataclass(frozen=True)
class Fact:
    """One event as another service would publish it."""

    data: EventData
    subject: str
    community_id: str | None = None
    actor_id: str | None = None
    at: datetime | None = None


class Matching:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db, self.settings = db, settings
        self.handlers = build_handlers(settings)

    @classmethod
    async def open(cls, url: str, settings: Settings | None = None) -> Matching:
        db = Database(url)
        await upgrade(db, "matching", metadata)
        return cls(db, settings or Settings())

    async def apply_in(self, session: AsyncSession, fact: Fact) -> None:
        event = new_event(fact.data, subject=fact.subject, community_id=fact.community_id, actor_id=fact.actor_id)
        if fact.at is not None:
            event = event.model_copy(update={"time": fact.at})
        await self.handlers.by_type[fact.data.event_type](session, event)

    async def apply(self, facts: Iterable[Fact], *, batch: int = 500) -> None:
        """Apply facts in order, committing every `batch` (as the consumer commits a batch)."""
        pending = 0
        session = self.db.session()
        try:
            for fact in facts:
                await self.apply_in(session, fact)
                pending += 1
                if pending >= batch:
                    await session.commit()
                    pending = 0
            await session.commit()
        finally:
            await session.close()

    async def close(self) -> None:
        await self.db.dispose()
