"""Recommendation rules on a real database, fed through matching's handlers."""

from __future__ import annotations

from services.matching.recommendations import service as recommendations
from services.matching.recommendations.models import Recommendation
from shared.auth import RESIDENT, Principal
from tests.matching import world
from tests.matching.feed import Matching
from tests.matching.world import C


def resident(user_id: str) -> Principal:
    return Principal(user_id=user_id, roles={C: [RESIDENT]})


async def recommend(m: Matching, user_id: str, lang: str = "en") -> list[Recommendation]:
    async with m.db.session() as session:
        return await recommendations.recommend(
            session, principal=resident(user_id), community_id=C, limit=20, half_life_days=30, lang=lang
        )


def ids(items: list[Recommendation]) -> list[str]:
    return [i.id for i in items]


async def test_only_services_of_providers_listed_in_the_community(matching: Matching) -> None:
    await matching.apply(
        [
            world.offering("o-listed", "p-listed", "housekeeping"),
            world.offering("o-suspended", "p-suspended", "housekeeping"),
            world.offering("o-elsewhere", "p-elsewhere", "housekeeping"),
            world.listed("p-listed"),
            world.listed("p-suspended"),
            world.suspended("p-suspended"),
            world.listed("p-elsewhere", community_id="c-2"),
            world.paid("u1", "d0", ["senior"], name="软烂米糊"),
        ]
    )
    found = await recommend(matching, "u1")
    assert ids(found) == ["o-listed"]
    assert found[0].reason.type == "bought_related" and found[0].reason.seed == "软烂米糊"
    assert found[0].reason.text == "because you bought 软烂米糊"
    assert (await recommend(matching, "u1", lang="zh"))[0].reason.text == "因为你买过软烂米糊"


async def test_no_full_event_and_nothing_already_joined(matching: Matching) -> None:
    await matching.apply(
        [
            world.event("e-full", capacity=2),
            world.event("e-open", capacity=5),
            world.event("e-mine", capacity=5),
            world.registered("u2", "e-full", seats=2),
            world.registered("u1", "e-mine"),
        ]
    )
    assert sorted(ids(await recommend(matching, "u1"))) == ["e-open"]
    # A waitlisted sign-up takes no seat, but the resident has joined: not recommended back to them.
    await matching.apply([world.registered("u3", "e-open", status="waitlisted")])
    assert "e-open" in ids(await recommend(matching, "u1"))
    assert "e-open" not in ids(await recommend(matching, "u3"))


async def test_every_item_has_a_reason_and_neighbours_count(matching: Matching) -> None:
    await matching.apply(
        [
            world.offering("o-clean", "p-clean", "housekeeping", name="保洁"),
            world.offering("o-escort", "p-escort", "clinic_escort", name="陪诊"),
            world.offering("o-repair", "p-repair", "repair", name="修家电"),
            *(world.listed(p) for p in ("p-clean", "p-escort", "p-repair")),
            world.endorsed("p-repair"),
            # Neighbours who booked the cleaner also booked the clinic escort.
            *(
                f
                for u in ("n1", "n2", "n3")
                for f in (world.booked(u, "o-clean", "p-clean"), world.booked(u, "o-escort", "p-escort"))
            ),
            world.booked("me", "o-clean", "p-clean"),
        ]
    )
    found = await recommend(matching, "me")
    assert "o-clean" not in ids(found), "never recommend what the resident already booked"
    by_id = {r.id: r.reason for r in found}
    assert by_id["o-escort"].type == "neighbours_joined" and by_id["o-escort"].seed == "保洁"
    assert by_id["o-repair"].type == "leader_endorsed"
    assert all(r.reason.text for r in found)
    # A newcomer with no history gets what neighbours take (cold start), not nothing.
    newcomer = await recommend(matching, "newcomer")
    assert newcomer[0].id in {"o-clean", "o-escort"} and newcomer[0].reason.type == "popular_in_community"
    assert (
        newcomer[0].reason.text == "4 neighbours booked this" or newcomer[0].reason.text == "3 neighbours booked this"
    )


async def test_a_first_order_already_personalises(matching: Matching) -> None:
    await matching.apply(
        [
            world.event("e-sports", kind="sports_day", title="亲子运动会"),
            world.event("e-tasting", kind="tasting", title="家乡菜品鉴"),
            *(world.registered(f"n{i}", "e-tasting") for i in range(3)),
            world.paid("mum", "d1", ["infant"]),
        ]
    )
    first = (await recommend(matching, "mum"))[0]
    assert (first.id, first.reason.type, first.reason.seed) == ("e-sports", "bought_related", "有机婴儿米粉")
    assert (await recommend(matching, "stranger"))[0].id == "e-tasting"


async def test_a_leader_retunes_a_tag_for_the_community(matching: Matching) -> None:
    from services.matching.interests import service as interests
    from services.matching.interests.models import TopicMap
    from shared.auth import LEADER
    from shared.errors import Forbidden

    leader = Principal(user_id="leader", roles={C: [LEADER]})
    async with matching.db.session() as session:
        try:
            await interests.tune_topic_map(
                session, principal=resident("u1"), community_id=C, data=TopicMap(tags={"seafood": ["culture"]})
            )
            raise AssertionError("a resident may not tune the map")
        except Forbidden:
            pass
        tuned = await interests.tune_topic_map(
            session, principal=leader, community_id=C, data=TopicMap(tags={"seafood": ["culture"]})
        )
        await session.commit()
    assert tuned.tags["seafood"] == ["culture"] and "infant" in tuned.tags
    await matching.apply(
        [world.event("e-culture", kind="culture", title="书法"), world.paid("u1", "d1", ["seafood"], name="带鱼")]
    )
    first = (await recommend(matching, "u1"))[0]
    assert (first.id, first.reason.seed) == ("e-culture", "带鱼")
