"""What residents take, counted as it arrives: once per resident and item, pairs both ways."""

from __future__ import annotations

from sqlmodel import select

from services.matching.interests.models import CoOccurrence, Interaction, ItemStat
from tests.matching import world
from tests.matching.feed import Matching


async def test_an_item_taken_again_counts_once_and_pairs_count_both_ways(matching: Matching) -> None:
    await matching.apply(
        [
            world.offering("o1", "p1", "housekeeping"),
            world.offering("o2", "p2", "repair"),
            world.offering("o3", "p3", "haircut"),
            world.booked("u1", "o1", "p1"),
            world.booked("u1", "o1", "p1"),  # booked again: still one resident who took it
            world.booked("u1", "o2", "p2"),
            world.booked("u2", "o2", "p2"),
            world.booked("u2", "o1", "p1"),
            world.booked("u2", "o3", "p3"),
        ]
    )
    async with matching.db.session() as session:
        taken = (await session.exec(select(Interaction.user_id, Interaction.item))).all()
        stats = {s.item: s.takers for s in (await session.exec(select(ItemStat))).all()}
        pairs = {(c.item, c.other): c.together for c in (await session.exec(select(CoOccurrence))).all()}
    assert len(taken) == 5
    assert stats == {"service:o1": 2, "service:o2": 2, "service:o3": 1}
    assert pairs == {
        ("service:o1", "service:o2"): 2,
        ("service:o2", "service:o1"): 2,
        ("service:o1", "service:o3"): 1,
        ("service:o3", "service:o1"): 1,
        ("service:o2", "service:o3"): 1,
        ("service:o3", "service:o2"): 1,
    }
