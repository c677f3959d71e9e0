"""The signals learnt from needs, "me too", swaps and unanswered searches: profiles, demand, the rules."""

from __future__ import annotations

from sqlmodel import select

from services.matching.demand.models import DemandSignal
from services.matching.interests import service as interests
from services.matching.interests.models import Interest
from shared.events.schemas.community import SwapModerated, SwapReported
from tests.matching import world
from tests.matching.feed import Fact, Matching
from tests.matching.test_demand import announced
from tests.matching.test_privacy import profile
from tests.matching.test_recommendations import ids, recommend, resident


async def test_own_swaps_are_never_recommended_nor_one_already_asked_for(matching: Matching) -> None:
    await matching.apply(
        [
            world.swap("u1", "s-mine", "baby_gear", title="婴儿推车"),
            world.swap("u2", "s-theirs", "toys", title="积木"),
            world.swap("u3", "s-asked", "toys", title="拼图"),
            world.swap_offer("u1", "s-asked", owner_id="u3"),
        ]
    )
    found = ids(await recommend(matching, "u1"))
    assert "s-theirs" in found
    assert "s-mine" not in found and "s-asked" not in found
    assert "s-mine" in ids(await recommend(matching, "u2"))
    # Giving away baby gear and asking for a puzzle say what u1 is into, through the topic map.
    assert {"parenting", "baby_gear", "toys"} <= {t for t, _, _ in await profile(matching, "u1")}
    assert ("parenting", "parenting", "you swapped 拼图") in await profile(matching, "u1")  # the latest says why


async def test_a_promised_or_reported_swap_is_no_longer_recommended(matching: Matching) -> None:
    await matching.apply([world.swap("u2", "s1", "books", title="绘本")])
    assert "s1" in ids(await recommend(matching, "u1"))
    reported = SwapReported(swap_id="s1", community_id=world.C, reason="广告", recipient_ids=["leader"])
    await matching.apply([Fact(reported, subject="s1", community_id=world.C)])
    assert "s1" not in ids(await recommend(matching, "u1"))
    restored = SwapModerated(swap_id="s1", community_id=world.C, owner_id="u2", decision="restored", note="")
    await matching.apply([Fact(restored, subject="s1", community_id=world.C)])
    assert "s1" in ids(await recommend(matching, "u1"))


async def test_demand_counts_distinct_residents_across_needs_polls_leads_and_searches(matching: Matching) -> None:
    # clinic_escort's threshold is 3 (the fixture's default).
    await matching.apply(
        [
            world.need("u1", "n1", "clinic_escort", "想找人陪我妈去医院复查"),
            world.lead("u1", "clinic_escort"),  # the same resident asking again counts once
            world.poll({"clinic_escort": 2}),  # anonymous ballots: never added to known residents
            world.me_too("u2", "n1", "clinic_escort"),
        ]
    )
    assert await announced(matching) == []
    await matching.apply([world.searched("u3", q="陪诊")])  # no category: its words name one
    [alert] = await announced(matching)
    assert (alert["category"], alert["residents"]) == ("clinic_escort", 3)
    async with matching.db.session() as session:
        sources = set((await session.exec(select(DemandSignal.source))).all())
    assert sources == {"need", "lead", "poll", "search"}


async def test_a_search_whose_words_name_nothing_counts_nowhere(matching: Matching) -> None:
    await matching.apply([world.searched("u1", q="火星旅行"), world.searched("u2", category="pet_care")])
    async with matching.db.session() as session:
        signals = (await session.exec(select(DemandSignal.user_id, DemandSignal.category))).all()
    assert signals == [("u2", "pet_care")]
    assert ("pet_care", "pet care", "you looked for 宠物照看") in await profile(matching, "u2")


async def test_switched_off_no_new_signal_is_learnt_nor_counted(matching: Matching) -> None:
    async with matching.db.session() as session:
        await interests.set_personalisation(session, principal=resident("u1"), enabled=False)
        await session.commit()
    await matching.apply(
        [
            world.need("u2", "n1", "tutoring", "找数学家教"),
            world.need("u1", "n2", "tutoring", "找英语家教"),
            world.me_too("u1", "n1", "tutoring"),
            world.searched("u1", category="tutoring"),
            world.swap("u1", "s1", "toys"),
            world.swap("u2", "s2", "books"),
            world.swap_offer("u1", "s2", owner_id="u2"),
        ]
    )
    async with matching.db.session() as session:
        assert (await session.exec(select(Interest).where(Interest.user_id == "u1"))).all() == []
        counted = (await session.exec(select(DemandSignal.user_id))).all()
    assert counted == ["u2"]
    # Their own swap is still never recommended to them, and no reason comes from their need.
    found = await recommend(matching, "u1")
    assert "s1" not in ids(found) and all(r.reason.type != "matches_your_need" for r in found)
