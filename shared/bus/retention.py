"""Housekeeping: the outbox and inbox would otherwise grow forever.

Published outbox rows are kept a week (for inspection). Inbox rows are kept longer than the
stream keeps events, so any event JetStream could still redeliver is still recognised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete

from shared.bus.streams import RETENTION
from shared.bus.tables import inbox, outbox
from shared.db import Database
from shared.logging import get_logger
from shared.models import utcnow

log = get_logger(__name__)

OUTBOX_KEEP = timedelta(days=7)
INBOX_KEEP = timedelta(seconds=RETENTION) + timedelta(days=1)
EVERY = 3600.0

# A service's own housekeeping, run on the same schedule: `prune(db, now=…)` → rows removed.
PruneJob = Callable[..., Awaitable[int]]


async def prune(db: Database, *, now: datetime) -> tuple[int, int]:
    async with db.session() as session:
        published = await session.execute(delete(outbox).where(outbox.c.published_at < now - OUTBOX_KEEP))
        processed = await session.execute(delete(inbox).where(inbox.c.processed_at < now - INBOX_KEEP))
        await session.commit()
    return published.rowcount, processed.rowcount  # type: ignore[attr-defined]


class Housekeeper:
    def __init__(self, db: Database, jobs: Sequence[PruneJob] = ()) -> None:
        self.db, self.jobs = db, jobs
        self.idle = True
        self._stopping = False

    def stop(self) -> None:
        self._stopping = True

    async def run(self) -> None:
        while not self._stopping:
            self.idle = False
            try:
                now = utcnow()
                outbox_rows, inbox_rows = await prune(self.db, now=now)
                others = [await job(self.db, now=now) for job in self.jobs]
                if outbox_rows or inbox_rows or any(others):
                    log.info("old rows pruned", outbox=outbox_rows, inbox=inbox_rows, others=others)
            except Exception as exc:
                log.warning("pruning failed; will retry", error=repr(exc))
            self.idle = True
            await asyncio.sleep(EVERY)
