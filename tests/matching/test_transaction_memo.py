"""Read models the handlers read on every event are read once per transaction, and anew once changed."""

from __future__ import annotations

from sqlalchemy import text

from services.matching import transaction_memo
from tests.matching import world
from tests.matching.feed import Matching
from tests.matching.test_privacy import profile


async def test_kept_until_the_transaction_ends_or_it_is_forgotten(matching: Matching) -> None:
    async with matching.db.session() as session:
        reads: list[int] = []

        async def read() -> int:
            reads.append((await session.execute(text("SELECT 1"))).scalar_one())
            return len(reads)

        assert [await transaction_memo.remembered(session, "k", read) for _ in range(3)] == [1, 1, 1]
        transaction_memo.forget(session, "k")
        assert await transaction_memo.remembered(session, "k", read) == 2
        await session.commit()
        assert await transaction_memo.remembered(session, "k", read) == 3
        await session.rollback()
        assert await transaction_memo.remembered(session, "k", read) == 4


async def test_an_offering_renamed_in_the_batch_is_read_anew(matching: Matching) -> None:
    await matching.apply(
        [
            world.offering("o1", "p1", "housekeeping", name="保洁"),
            world.booked("u1", "o1", "p1"),
            world.offering("o1", "p1", "housekeeping", name="深度保洁"),  # the same transaction
            world.booked("u2", "o1", "p1"),
        ]
    )
    assert {b for _, _, b in await profile(matching, "u1")} == {"because you booked 保洁"}
    assert {b for _, _, b in await profile(matching, "u2")} == {"because you booked 深度保洁"}
