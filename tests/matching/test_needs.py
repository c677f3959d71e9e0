"""Free-text needs matched to providers and talents (jieba-cut words plus category), and their rights."""

from __future__ import annotations

import pytest

from services.matching.needs import service as needs
from services.matching.needs.models import NeedMatch
from services.matching.needs.text import bm25, category_of
from shared.auth import LEADER, RESIDENT, Principal
from shared.errors import Forbidden, NotFound
from tests.matching import world
from tests.matching.feed import Matching
from tests.matching.test_recommendations import recommend, resident
from tests.matching.world import C

DIRECTORY = [
    world.provider("p-fix", "老王师傅", kind="talent"),
    world.offering(
        "o-plumb", "p-fix", "repair", name="水管维修", description="水管漏水、马桶堵塞、下水道疏通，上门服务"
    ),
    world.offering("o-aircon", "p-fix", "repair", name="空调清洗", description="挂机柜机深度清洗"),
    world.provider("p-clean", "洁净家政"),
    world.offering("o-clean", "p-clean", "housekeeping", name="日常保洁", description="擦玻璃、厨房油污清洁"),
    world.provider("p-math", "李老师", kind="talent"),
    world.offering("o-math", "p-math", "tutoring", name="初中数学辅导", description="周末上门辅导初二数学，耐心细致"),
    world.provider("p-far", "别处师傅"),
    world.offering("o-far", "p-far", "repair", name="水管维修", description="水管漏水"),
    world.listed("p-fix"),
    world.listed("p-clean"),
    world.listed("p-math"),
    world.listed("p-far", community_id="c-2"),
]


async def matched(m: Matching, need_id: str, who: Principal | None = None) -> list[NeedMatch]:
    async with m.db.session() as session:
        return await needs.matches_of(session, principal=who or resident("poster"), need_id=need_id)


@pytest.mark.parametrize(
    ("text", "category", "first"),
    [
        ("找人修水管", "repair", "o-plumb"),
        ("家里厨房好多油污，想找人清洁一下", "housekeeping", "o-clean"),
        ("想找周末上门辅导初二数学的老师", "tutoring", "o-math"),
        ("卫生间马桶堵了", "repair", "o-plumb"),
    ],
)
async def test_a_need_in_words_reaches_the_provider_who_does_it(
    matching: Matching, text: str, category: str, first: str
) -> None:
    await matching.apply([*DIRECTORY, world.need("poster", "n1", category, text)])
    found = await matched(matching, "n1")
    assert found[0].offering_id == first
    assert "o-far" not in {f.offering_id for f in found}  # listed in another community only
    assert found[0].words and found[0].same_category


async def test_words_outweigh_a_category_alone_and_talents_are_named(matching: Matching) -> None:
    await matching.apply([*DIRECTORY, world.need("poster", "n1", "repair", "找人修水管")])
    plumb, aircon = await matched(matching, "n1")
    assert (plumb.offering_id, plumb.provider_name, plumb.provider_kind) == ("o-plumb", "老王师傅", "talent")
    assert "水管" in plumb.words
    assert aircon.offering_id == "o-aircon" and aircon.words == [] and aircon.same_category
    assert plumb.score > aircon.score


def test_bm25_prefers_the_rarer_word_and_a_category_is_named_by_everyday_words() -> None:
    docs = {"a": ["水管", "维修"], "b": ["空调", "维修"], "c": ["保洁"]}
    scores = bm25(["水管", "维修"], docs)
    assert scores["a"][0] > scores["b"][0] and "c" not in scores
    assert category_of(["马桶", "堵"], {}, {}) == "repair"
    assert category_of(["宝宝", "托管"], {}, {}) == "parenting"
    # Words no list knows: the category of the offering they match best.
    assert category_of(["油污"], {"o": ["厨房", "油污"]}, {"o": "housekeeping"}) == "housekeeping"
    assert category_of(["火星"], {"o": ["厨房"]}, {"o": "housekeeping"}) is None


async def test_only_the_poster_and_the_leaders_see_a_needs_matches(matching: Matching) -> None:
    await matching.apply(
        [
            *DIRECTORY,
            world.need("poster", "n1", "repair", "找人修水管"),
            world.need("poster", "n2", "repair", "找人修水管", visibility="leaders"),
        ]
    )
    leader = Principal(user_id="leader", roles={C: [LEADER]})
    assert (await matched(matching, "n1", leader))[0].offering_id == "o-plumb"
    assert (await matched(matching, "n2", leader))[0].offering_id == "o-plumb"
    with pytest.raises(Forbidden):
        await matched(matching, "n1", Principal(user_id="neighbour", roles={C: [RESIDENT]}))
    with pytest.raises(NotFound):  # a need for the leaders only does not exist for other members
        await matched(matching, "n2", Principal(user_id="neighbour", roles={C: [RESIDENT]}))
    with pytest.raises(NotFound):  # nor does any need for someone of another community
        await matched(matching, "n1", Principal(user_id="stranger", roles={"c-2": [LEADER]}))
    with pytest.raises(NotFound):
        await matched(matching, "no-such-need")


async def test_a_service_answering_an_open_need_is_recommended_for_it(matching: Matching) -> None:
    await matching.apply([*DIRECTORY, world.need("poster", "n1", "repair", "找人修水管")])
    found = await recommend(matching, "poster")
    assert found[0].id == "o-plumb"
    assert found[0].reason.type == "matches_your_need" and found[0].reason.seed == "找人修水管"
    assert found[0].reason.text == "you need 找人修水管"
    assert (await recommend(matching, "poster", lang="zh"))[0].reason.text == "你需要找人修水管"
    # Met: the need no longer leads (the interest it said stays, as any other signal).
    await matching.apply([world.need_met("poster", "n1", "repair")])
    plumb = {r.id: r for r in await recommend(matching, "poster")}["o-plumb"]
    assert plumb.reason.seed == "找人修水管" and plumb.score < found[0].score
