"""Transactional outbox: an event is written in the same transaction as the state change that
caused it, and a relay publishes committed rows to JetStream with `Nats-Msg-Id` = event id.

A crash between commit and publish loses nothing: the row stays unpublished and the relay sends
it on restart. A crash between publish and marking the row sends it again; JetStream drops the
duplicate inside its de-duplication window and the consumer's inbox drops it after that.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy import event as sa_event
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.bus.tables import outbox
from shared.db import Database, upsert
from shared.events import Event, EventData, new_event
from shared.logging import get_logger

log = get_logger(__name__)

CORRELATION_HEADER = "Linli-Correlation-Id"
_STAGED, _WRITTEN = "linli_outbox_staged", "linli_outbox_written"
_relays: set[OutboxRelay] = set()


async def record_event(session: AsyncSession, event: Event[Any]) -> None:
    """Stage `event` in the caller's transaction; it is published once that transaction commits.
    The rows are written just before the commit, all in one statement (a batch of orders writes
    hundreds of events)."""
    session.sync_session.info.setdefault(_STAGED, []).append(_row(event))


def _row(event: Event[Any]) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "type": event.type,
        "correlation_id": event.correlation_id,
        "payload": event.model_dump_json(),
        "created_at": datetime.now(UTC),
    }


async def emit(
    session: AsyncSession,
    data: EventData,
    *,
    subject: str,
    community_id: str | None = None,
    actor_id: str | None = None,
) -> Event[Any]:
    """Build the envelope for `data` (current correlation, causation) and stage it in the transaction."""
    event = new_event(data, subject=subject, community_id=community_id, actor_id=actor_id)
    await record_event(session, event)
    return event


async def emit_once(
    session: AsyncSession,
    data: EventData,
    *,
    id_: str,
    subject: str,
    community_id: str | None = None,
    actor_id: str | None = None,
) -> bool:
    """Write the event with id `id_` to the outbox now, unless that id is already there (its row is kept
    until pruned): one insert and no lookup for a signal to announce at most once per id, e.g. once a
    day. True if it was written."""
    event = new_event(data, subject=subject, community_id=community_id, actor_id=actor_id, id_=id_)
    result = await session.execute(
        upsert(session, outbox).values(_row(event)).on_conflict_do_nothing(index_elements=["event_id"])
    )
    session.sync_session.info[_WRITTEN] = True
    return bool(getattr(result, "rowcount", 0))


@sa_event.listens_for(Session, "before_commit")
def _write_staged(session: Session) -> None:
    if rows := session.info.pop(_STAGED, None):
        session.execute(insert(outbox), rows)
        session.info[_WRITTEN] = True


@sa_event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    # Publishing right after commit keeps latency low; polling is only the crash-recovery path.
    if session.info.pop(_WRITTEN, False):
        for relay in _relays:
            relay.wake()


@sa_event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_STAGED, None)
    session.info.pop(_WRITTEN, None)


class OutboxRelay:
    def __init__(self, db: Database, js: JetStreamContext, *, interval: float, batch: int = 256) -> None:
        self.db, self.js, self.interval, self.batch = db, js, interval, batch
        self._wake = asyncio.Event()
        self._stopping = False
        self.idle = True  # waiting, not inside a database transaction: safe to cancel

    def stop(self) -> None:
        self._stopping = True

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        _relays.add(self)
        try:
            while not self._stopping:
                self._wake.clear()
                self.idle = False
                try:
                    sent = await self.publish_pending()
                except Exception as exc:  # NATS down or database busy: retry on the next tick
                    log.warning("outbox relay failed; will retry", error=repr(exc))
                    sent = 0
                self.idle = True
                if sent < self.batch:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.interval)
        finally:
            _relays.discard(self)

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows in commit order; returns how many were acknowledged."""
        async with self.db.reader() as session:
            rows = (
                await session.execute(
                    select(
                        outbox.c.seq,
                        outbox.c.event_id,
                        outbox.c.type,
                        outbox.c.correlation_id,
                        outbox.c.payload,
                    )
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(self.batch)
                )
            ).all()
        if not rows:
            return 0
        results = await asyncio.gather(
            *(
                self.js.publish(
                    row.type,
                    row.payload.encode(),
                    headers={"Nats-Msg-Id": row.event_id, CORRELATION_HEADER: row.correlation_id},
                    timeout=5,
                )
                for row in rows
            ),
            return_exceptions=True,
        )
        done = [row.seq for row, result in zip(rows, results, strict=True) if not isinstance(result, BaseException)]
        failed = len(rows) - len(done)
        if done:
            async with self.db.session() as session:
                await session.execute(
                    update(outbox).where(outbox.c.seq.in_(done)).values(published_at=datetime.now(UTC))
                )
                await session.commit()
        if failed:
            log.warning("some events were not acknowledged by JetStream; will retry", failed=failed)
        return len(done)
