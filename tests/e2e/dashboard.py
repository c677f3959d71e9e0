"""A lively community for the dashboard's tests, made through the real system: six residents, five of
whom buy (so orders show), two who sign up for an upcoming event (so its attendance is withheld), a
property manager, a live session held, and another community's leader."""

from __future__ import annotations

from typing import Any

import httpx

from deploy.client import Session, until
from deploy.processes import LocalSystem
from tests import factories

BUYERS, PRICE_FEN = 5, 1990


class Lively:
    leader: Session
    manager: Session
    residents: list[Session]
    outsider: Session
    community: dict[str, Any]
    event: dict[str, Any]

    @classmethod
    async def build(cls, gateway: httpx.AsyncClient, system: LocalSystem) -> Lively:
        w = cls()
        w.leader, w.manager, w.outsider = [await factories.person(gateway, system) for _ in range(3)]
        w.residents = [await factories.person(gateway, system) for _ in range(BUYERS + 1)]
        w.community = await factories.community(w.leader)
        await factories.community(w.outsider, name="明月小区")
        for member in [w.manager, *w.residents]:
            await factories.join(member, w.community["invite_code"])
        await factories.grant_role(w.leader, w.community_id, w.manager, "property_manager")
        product = await factories.product(w.leader, w.community_id, name="有机菠菜")
        deal = await factories.deal(w.leader, w.community_id, product["id"], price_fen=PRICE_FEN)
        for buyer in w.residents[:BUYERS]:
            await factories.paid_order(buyer, deal["id"])
        w.event = await factories.offline_event(w.leader, w.community_id, title="周六跳蚤市场")
        for goer in w.residents[:2]:
            await factories.register(goer, w.event["id"])
        held = await factories.on_air(w.leader, w.community_id, title="周五蔬菜专场")
        assert (await w.leader.request("POST", f"/api/v1/sessions/{held['id']}/end")).status_code == 200

        async def learnt() -> bool:
            found = (await w.insights(w.leader)).json()
            return (
                sum(p["orders"] or 0 for p in found["series"]["orders"]) == BUYERS
                and sum(p["sessions"] for p in found["series"]["sessions"]) == 1
                and any(e["event_id"] == w.event["id"] for e in found["upcoming_events"])
                and any(p["suppressed"] for p in found["series"]["attendance"])
            )

        await until(learnt, timeout=20)
        return w

    @property
    def community_id(self) -> str:
        return str(self.community["id"])

    async def insights(self, who: Session, **params: str) -> httpx.Response:
        return await who.request("GET", "/api/v1/insights", params={"community_id": self.community_id, **params})
