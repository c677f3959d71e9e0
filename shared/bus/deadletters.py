"""Dead letters: events a service could not apply, parked where an operator can list and replay them.

Replaying runs the same handler through the same exactly-once path as the consumer, so replaying
an event that was meanwhile applied (or replaying twice) changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import insert, select, update

from shared.bus.handlers import EventHandlers
from shared.bus.tables import dead_letters
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.events import RejectedEvent, parse_event


class DeadLetter(BaseModel):
    id: int
    event_id: str | None
    type: str | None
    stream: str
    stream_seq: int | None
    error: str
    attempts: int
    status: str
    created_at: datetime
    replayed_at: datetime | None
    payload: str


async def park(
    db: Database,
    *,
    stream: str,
    stream_seq: int | None,
    payload: bytes,
    error: str,
    attempts: int,
    status: Literal["dead", "rejected"],
    event_id: str | None = None,
    type_: str | None = None,
) -> None:
    async with db.session() as session:
        await session.execute(
            insert(dead_letters).values(
                event_id=event_id,
                type=type_,
                stream=stream,
                stream_seq=stream_seq,
                payload=payload.decode("utf-8", errors="replace"),
                error=error[:2000],
                attempts=attempts,
                status=status,
                created_at=datetime.now(UTC),
            )
        )
        await session.commit()


async def list_dead_letters(db: Database, *, status: str | None = "dead", limit: int = 100) -> list[DeadLetter]:
    query = select(dead_letters).order_by(dead_letters.c.id.desc()).limit(limit)
    if status:
        query = query.where(dead_letters.c.status == status)
    async with db.reader() as session:
        rows = (await session.execute(query)).mappings().all()
    return [DeadLetter.model_validate(dict(row)) for row in rows]


async def replay(db: Database, handlers: EventHandlers, dead_letter_id: int) -> dict[str, Any]:
    async with db.session() as session:
        row = (
            (await session.execute(select(dead_letters).where(dead_letters.c.id == dead_letter_id))).mappings().first()
        )
    if row is None:
        raise NotFound(f"dead letter {dead_letter_id} does not exist")
    if row["status"] != "dead":
        raise Conflict(f"dead letter {dead_letter_id} is {row['status']}, not dead; only dead letters replay")
    try:
        event = parse_event(row["payload"])
    except RejectedEvent as exc:
        raise Conflict(f"dead letter {dead_letter_id} is not a valid event: {exc}") from None
    try:
        outcome = await handlers.apply_once(db, event)
    except Exception as exc:
        async with db.session() as session:
            await session.execute(
                update(dead_letters).where(dead_letters.c.id == dead_letter_id).values(error=repr(exc)[:2000])
            )
            await session.commit()
        raise Conflict(f"replay of dead letter {dead_letter_id} failed again: {exc!r}") from None
    async with db.session() as session:
        await session.execute(
            update(dead_letters)
            .where(dead_letters.c.id == dead_letter_id)
            .values(status="replayed", replayed_at=datetime.now(UTC))
        )
        await session.commit()
    return {"id": dead_letter_id, "event_id": event.id, "outcome": outcome}
