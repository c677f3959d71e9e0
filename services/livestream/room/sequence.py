"""One sequence authority per room: a lease in the database says which instance numbers the room's
frames. It is taken only when free or expired, renewed while held and released on the way out.
Numbers are reserved in blocks in the same row, so a new sequencer starts above every number its
predecessor could have used (a jump, never a reuse)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from services.livestream.room.models import RoomLease
from shared.db import Database
from shared.models import utcnow

BLOCK = 100_000


async def claim(db: Database, *, session_id: str, owner: str, ttl: float) -> tuple[int, int] | None:
    """Take the room's lease if it is free, expired or already ours: (first number to use - 1, the
    last reserved), or None if another instance holds it."""
    now = utcnow()
    async with db.session() as session:
        if await session.get(RoomLease, session_id) is None:
            try:
                session.add(RoomLease(session_id=session_id, lease_until=now))
                await session.commit()
            except IntegrityError:  # another instance created it at the same moment
                await session.rollback()
        result = await session.execute(
            update(RoomLease)
            .where(
                col(RoomLease.session_id) == session_id,
                or_(col(RoomLease.owner).is_(None), col(RoomLease.lease_until) < now, col(RoomLease.owner) == owner),
            )
            .values(
                owner=owner, lease_until=now + timedelta(seconds=ttl), seq_reserved=col(RoomLease.seq_reserved) + BLOCK
            )
            .returning(col(RoomLease.seq_reserved))
        )
        reserved = result.scalar_one_or_none()
        await session.commit()
    return None if reserved is None else (reserved - BLOCK, reserved)


async def renew(db: Database, *, session_id: str, owner: str, ttl: float, reserve: bool) -> int | None:
    """Extend the lease (and reserve another block of numbers); the last reserved, or None if it was lost."""
    values: dict[str, object] = {"lease_until": utcnow() + timedelta(seconds=ttl)}
    if reserve:
        values["seq_reserved"] = col(RoomLease.seq_reserved) + BLOCK
    async with db.session() as session:
        result = await session.execute(
            update(RoomLease)
            .where(col(RoomLease.session_id) == session_id, col(RoomLease.owner) == owner)
            .values(**values)
            .returning(col(RoomLease.seq_reserved))
        )
        reserved = result.scalar_one_or_none()
        await session.commit()
    return reserved


async def release(db: Database, *, session_id: str, owner: str) -> None:
    async with db.session() as session:
        await session.execute(
            update(RoomLease)
            .where(col(RoomLease.session_id) == session_id, col(RoomLease.owner) == owner)
            .values(owner=None, lease_until=utcnow())
        )
        await session.commit()
