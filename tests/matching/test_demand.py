"""Demand aggregation: distinct residents per community × category; a threshold announced once."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from services.matching.demand import service as demand
from services.matching.demand.rules import DemandRules, residents
from shared.auth import LEADER, Principal
from shared.bus.tables import outbox
from shared.errors import Forbidden
from shared.models import utcnow
from tests.matching import world
from tests.matching.feed import Matching
from tests.matching.test_recommendations import resident
from tests.matching.world import C


async def announced(m: Matching) -> list[dict[str, object]]:
    async with m.db.session() as session:
        rows = (
            await session.execute(select(outbox.c.payload).where(outbox.c.type == "matching.demand.threshold_reached"))
        ).all()
    return [json.loads(r[0])["data"] for r in rows]


def test_polls_never_add_up_and_known_residents_count_once() -> None:
    assert residents({"a", "b"}, [5, 3]) == 5
    assert residents({"a", "b", "c"}, [2]) == 3
    rules = DemandRules(window_days=30)
    now = utcnow()
    assert rules.window_start(now) <= now < rules.window_start(now) + timedelta(days=30)


async def test_a_threshold_is_announced_once_with_the_best_rated_providers(matching: Matching) -> None:
    await matching.apply(
        [
            world.offering("o-good", "p-good", "clinic_escort", name="好陪诊"),
            world.offering("o-ok", "p-ok", "clinic_escort", name="陪诊"),
            world.offering("o-away", "p-away", "clinic_escort", name="别处陪诊"),
            world.listed("p-good"),
            world.listed("p-ok"),
            world.listed("p-away", community_id="c-2"),
            world.reviewed("o-good", "p-good", 5),
            world.reviewed("o-ok", "p-ok", 3),
            world.lead("u1", "clinic_escort"),
            world.lead("u1", "clinic_escort"),  # the same resident twice counts once
            world.lead("u2", "clinic_escort"),
        ]
    )
    assert await announced(matching) == []
    await matching.apply([world.lead("u3", "clinic_escort"), world.lead("u4", "clinic_escort")])
    [alert] = await announced(matching)
    assert (alert["category"], alert["residents"], alert["threshold"]) == ("clinic_escort", 3, 3)
    assert [p["offering_id"] for p in alert["suggested_providers"]] == ["o-good", "o-ok"]  # type: ignore[union-attr]


async def test_no_provider_covers_it_yet(matching: Matching) -> None:
    await matching.apply([world.poll({"repair": 4, "haircut": 1})])  # repair's threshold is 2 here
    [alert] = await announced(matching)
    assert (alert["category"], alert["residents"], alert["suggested_providers"]) == ("repair", 4, [])
    await matching.apply([world.poll({"repair": 6})])
    assert len(await announced(matching)) == 1


async def test_leaders_see_the_demand_residents_do_not(matching: Matching) -> None:
    await matching.apply([world.poll({"repair": 1}), world.lead("u1", "tutoring")])
    rules = DemandRules(window_days=30, default_threshold=3, thresholds=(("repair", 2),))
    async with matching.db.session() as session:
        found = await demand.demand_of(
            session, principal=Principal(user_id="l", roles={C: [LEADER]}), community_id=C, rules=rules, now=utcnow()
        )
        try:
            await demand.demand_of(session, principal=resident("u1"), community_id=C, rules=rules, now=utcnow())
            raise AssertionError("a resident may not read the demand")
        except Forbidden:
            pass
    assert {(d.category, d.residents, d.threshold) for d in found} == {("repair", 1, 2), ("tutoring", 1, 3)}
