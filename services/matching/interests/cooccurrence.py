"""What residents took (never recommended back to them), counted as each activity arrives: how many
neighbours took an item (its popularity) and took two together (co-occurrence), so a recommendation
reads a few rows instead of joining everyone's history.

A new item is counted against the resident's earlier ones inside the database (one INSERT … SELECT
both ways), so the work per event does not grow with the history: no rows come back to Python."""

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, bindparam, delete, select, union_all
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.interests.models import CoOccurrence, Interaction, ItemStat
from services.matching.prepared import per_dialect, table_of
from shared.db import upsert

_interactions, _item_stats, _pairs = table_of(Interaction), table_of(ItemStat), table_of(CoOccurrence)


@per_dialect
def _take(session: AsyncSession) -> Any:
    return upsert(session, _interactions).on_conflict_do_nothing(index_elements=["user_id", "item"])


@per_dialect
def _count_item(session: AsyncSession) -> Any:
    stat = upsert(session, _item_stats)
    return stat.on_conflict_do_update(
        index_elements=["community_id", "item"], set_={"takers": _item_stats.c.takers + stat.excluded.takers}
    )


@per_dialect
def _count_pairs(session: AsyncSession) -> Any:
    """`delta` to the pairs of `item` with each other item the resident took in the community, both ways."""
    community, item = bindparam("community_id", type_=String), bindparam("item", type_=String)
    delta = bindparam("delta", type_=Integer)
    taken = _interactions.c
    theirs = (taken.user_id == bindparam("user_id"), taken.community_id == community, taken.item != item)
    pairs = union_all(
        select(community, item, taken.item, delta).where(*theirs),
        select(community, taken.item, item, delta).where(*theirs),
    )
    counted = upsert(session, _pairs).from_select(["community_id", "item", "other", "together"], pairs)
    return counted.on_conflict_do_update(
        index_elements=["community_id", "item", "other"],
        set_={"together": _pairs.c.together + counted.excluded.together},
    )


async def _count(session: AsyncSession, *, user_id: str, community_id: str, item: str, delta: int) -> None:
    await session.execute(_count_item(session), {"community_id": community_id, "item": item, "takers": delta})
    await session.execute(
        _count_pairs(session), {"user_id": user_id, "community_id": community_id, "item": item, "delta": delta}
    )


async def took(session: AsyncSession, *, user_id: str, community_id: str, item: str, at: datetime) -> None:
    """Remember that a resident took an item; the first time, count it with the items they took before."""
    taken = await session.execute(
        _take(session), {"user_id": user_id, "community_id": community_id, "item": item, "at": at}
    )
    if taken.rowcount:  # type: ignore[attr-defined]
        await _count(session, user_id=user_id, community_id=community_id, item=item, delta=1)


async def forget(session: AsyncSession, *, user_id: str) -> None:
    """Take a resident's items out of the counts one by one (each against those still left), and forget them."""
    taken = _interactions.c
    for community_id, item in (
        await session.execute(select(taken.community_id, taken.item).where(taken.user_id == user_id))
    ).all():
        await session.execute(delete(_interactions).where(taken.user_id == user_id, taken.item == item))
        await _count(session, user_id=user_id, community_id=community_id, item=item, delta=-1)
