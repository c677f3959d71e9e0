"""A resident sees their profile in plain words, switches personalisation off, deletes it."""

from __future__ import annotations

from sqlmodel import select

from services.matching.demand.models import DemandSignal
from services.matching.interests import service as interests
from services.matching.interests.models import CoOccurrence, Interaction, Interest, ItemStat
from tests.matching import world
from tests.matching.feed import Matching
from tests.matching.test_recommendations import recommend, resident
from tests.matching.world import C


async def profile(m: Matching, user_id: str, lang: str = "en") -> list[tuple[str, str, str]]:
    async with m.db.session() as session:
        found = await interests.profile_of(
            session, principal=resident(user_id), community_id=C, half_life_days=30, lang=lang
        )
    return [(p.topic, p.label, p.because) for p in found]


async def test_the_profile_in_plain_words(matching: Matching) -> None:
    await matching.apply([world.paid("u1", "d1", ["infant"])])
    assert ("parenting", "parenting", "because you bought 有机婴儿米粉") in await profile(matching, "u1")
    assert ("parenting", "育儿", "因为你买过有机婴儿米粉") in await profile(matching, "u1", lang="zh")


async def test_switched_off_nothing_is_learnt_nor_used(matching: Matching) -> None:
    await matching.apply(
        [
            world.event("e-sports"),
            world.event("e-tasting", kind="tasting", title="品鉴"),
            world.paid("u1", "d1", ["infant"]),
        ]
    )
    assert (await recommend(matching, "u1"))[0].reason.type == "bought_related"
    async with matching.db.session() as session:
        off = await interests.set_personalisation(session, principal=resident("u1"), enabled=False)
        await session.commit()
    assert off.enabled is False
    assert all(r.reason.type != "bought_related" for r in await recommend(matching, "u1"))
    await matching.apply([world.paid("u1", "d2", ["local_speciality"], name="腊肉")])
    assert "because you bought 腊肉" not in {b for _, _, b in await profile(matching, "u1")}


async def test_deleting_forgets_and_nothing_is_rebuilt(matching: Matching) -> None:
    await matching.apply(
        [
            world.event("e1"),
            world.registered("n1", "e1"),
            world.paid("n1", "d1", ["infant"]),
            world.paid("u1", "d1", ["infant"]),
            world.registered("u1", "e1"),
        ]
    )
    async with matching.db.session() as session:
        await interests.forget(session, principal=resident("u1"))
        await session.commit()
    await matching.apply([world.paid("u1", "d2", ["senior"], name="米糊")])  # after deleting: ignored
    assert await profile(matching, "u1") == []
    async with matching.db.session() as session:
        assert (await session.exec(select(Interest).where(Interest.user_id == "u1"))).all() == []
        assert (await session.exec(select(Interaction).where(Interaction.user_id == "u1"))).all() == []
        stats = {s.item: s.takers for s in (await session.exec(select(ItemStat))).all()}
        pairs = {(c.item, c.other): c.together for c in (await session.exec(select(CoOccurrence))).all()}
        assert (await interests.personalisation(session, principal=resident("u1"))).enabled is False
    assert stats == {"deal:d1": 1, "event:e1": 1}, "the neighbour's choices still count, the resident's no more"
    assert pairs[("deal:d1", "event:e1")] == pairs[("event:e1", "deal:d1")] == 1


async def test_a_forgotten_resident_asks_for_nothing_any_more(matching: Matching) -> None:
    await matching.apply([world.lead("u1", "tutoring"), world.lead("u2", "tutoring")])
    async with matching.db.session() as session:
        await interests.forget(session, principal=resident("u1"))
        await session.commit()
    await matching.apply([world.lead("u1", "tutoring")])  # ignored: switched off for good
    async with matching.db.session() as session:
        signals = (await session.exec(select(DemandSignal.user_id))).all()
    assert signals == ["u2"]
