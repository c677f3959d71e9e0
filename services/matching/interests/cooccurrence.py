"""Counts of what neighbours take (item popularity) and take together (co-occurrence), kept as each
activity arrives so a recommendation reads a few rows instead of joining everyone's history."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.matching.interests.models import CoOccurrence, Interaction, ItemStat
from shared.db import upsert


async def _add(session: AsyncSession, *, community_id: str, item: str, others: list[str], delta: int) -> None:
    stat = upsert(session, ItemStat).values(community_id=community_id, item=item, takers=delta)
    await session.execute(
        stat.on_conflict_do_update(
            index_elements=["community_id", "item"], set_={"takers": col(ItemStat.takers) + delta}
        )
    )
    if not others:
        return
    rows = [
        {"community_id": community_id, "item": a, "other": b, "together": delta}
        for o in others
        for a, b in ((item, o), (o, item))
    ]
    # One statement executed for many rows: its SQL is compiled once and cached, where a VALUES list
    # as long as the resident's items would be compiled anew for each length.
    pairs = upsert(session, CoOccurrence)
    await session.execute(
        pairs.on_conflict_do_update(
            index_elements=["community_id", "item", "other"],
            set_={"together": col(CoOccurrence.together) + pairs.excluded.together},
        ),
        rows,
    )


async def took(session: AsyncSession, *, community_id: str, item: str, others: list[str]) -> None:
    """Count a resident's new item against the `others` they took before in the community."""
    await _add(session, community_id=community_id, item=item, others=others, delta=1)


async def forget(session: AsyncSession, *, user_id: str) -> None:
    """Take a resident's items out of the counts (before their interactions are deleted)."""
    taken: dict[str, list[str]] = {}
    for community_id, item in (
        await session.exec(select(Interaction.community_id, Interaction.item).where(Interaction.user_id == user_id))
    ).all():
        taken.setdefault(community_id, []).append(item)
    for community_id, items in taken.items():
        for i, item in enumerate(items):
            await _add(session, community_id=community_id, item=item, others=items[i + 1 :], delta=-1)
