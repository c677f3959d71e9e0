"""The host's hint: the session's cards ranked by what the people in the room are into."""

from __future__ import annotations

import pytest

from services.matching.hints import service as hints
from services.matching.hints.models import Card, LiveAudience, LiveHint
from services.matching.interests import service as interests
from shared.auth import Principal
from shared.errors import Forbidden
from tests.matching import world
from tests.matching.feed import Matching
from tests.matching.test_recommendations import resident
from tests.matching.world import C

GATEWAY = Principal(user_id="gateway", kind="service")
CARDS = [
    Card(kind="service", ref_id="o-math"),
    Card(kind="service", ref_id="o-clean"),
    Card(kind="event", ref_id="e-sports"),
    Card(kind="event", ref_id="e-elsewhere", title="外部活动"),
]


def in_room(viewers: list[str]) -> LiveAudience:
    return LiveAudience.model_construct(community_id=C, viewer_ids=viewers, candidates=CARDS)  # C: not an id


async def hint(m: Matching, audience: LiveAudience, who: Principal = GATEWAY, lang: str = "en") -> list[LiveHint]:
    async with m.db.session() as session:
        return await hints.live_hint(session, principal=who, audience=audience, half_life_days=30, lang=lang)


@pytest.fixture
async def room(matching: Matching) -> Matching:
    carers = [world.paid(f"carer{i}", "d1", ["senior"], name="适老软饭") for i in range(6)]
    facts = [
        world.offering("o-clean", "p-clean", "housekeeping", name="日常保洁"),
        world.offering("o-math", "p-math", "tutoring", name="初中数学辅导"),
        world.event("e-sports"),
        *carers,
        world.paid("parent", "d2", ["infant"]),
    ]
    await matching.apply(facts)
    return matching


async def test_the_card_the_room_is_into_comes_first_with_a_reason_in_figures(room: Matching) -> None:
    viewers = [f"carer{i}" for i in range(6)] + ["parent", "newcomer"]
    ranked = await hint(room, in_room(viewers))
    assert [h.ref_id for h in ranked][:2] == ["o-clean", "e-sports"]
    clean = ranked[0]
    assert (clean.title, clean.interested, clean.viewers) == ("日常保洁", 6, 8)
    assert clean.reason == "6 of 8 viewers are into housekeeping (6 bought 适老软饭)"
    assert (await hint(room, in_room(viewers), lang="zh"))[0].reason == "8位观众中6位关注家政保洁（6位买过适老软饭）"
    sports = ranked[1]
    assert sports.interested is None and sports.reason == "a few viewers are into parenting"  # one is too few to count
    unknown = next(h for h in ranked if h.ref_id == "e-elsewhere")
    assert (unknown.title, unknown.score) == ("外部活动", 0.0)


async def test_viewers_who_switched_off_are_not_in_the_figures(room: Matching) -> None:
    async with room.db.session() as session:
        for i in range(2):
            await interests.set_personalisation(session, principal=resident(f"carer{i}"), enabled=False)
        await session.commit()
    clean = (await hint(room, in_room([f"carer{i}" for i in range(6)])))[0]
    assert (clean.ref_id, clean.interested) == ("o-clean", None)  # four left: too few to give figures


async def test_only_the_gateway_asks(room: Matching) -> None:
    with pytest.raises(Forbidden):
        await hint(room, in_room(["carer0"]), who=Principal(user_id="host", roles={C: ["leader"]}))
