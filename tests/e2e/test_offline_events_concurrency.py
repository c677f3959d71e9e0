"""A leader announces an event on air and fifty neighbours tap "sign up" at once, through the gateway:
exactly the seats are given, the rest wait in arrival order; then ten give up their seats while ten
more sign up, and the seats go to the first ten waiting, in order."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from deploy.client import until
from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.stream import published
from tests.factories import Events

SEATS, RUSH, LATE = 20, 50, 10


async def tap(gateway: httpx.AsyncClient, token: str, path: str) -> httpx.Response:
    return await gateway.post(path, json={}, headers={"Authorization": f"Bearer {token}"})


async def test_fifty_at_once(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    hood = await Events.build(gateway, system)
    event = await factories.offline_event(hood.leader, hood.community_id, capacity=SEATS)
    path = f"/api/v1/community-events/{event['id']}"
    tokens = await factories.member_tokens(gateway, hood.community["invite_code"], RUSH)
    answers = await asyncio.gather(*(tap(gateway, t, f"{path}/registrations") for t in tokens))
    assert [a.status_code for a in answers] == [201] * RUSH
    signed = sorted((a.json() for a in answers), key=lambda r: r["seq"])
    assert [r["seq"] for r in signed] == list(range(1, RUSH + 1))
    assert [r["status"] for r in signed] == ["registered"] * SEATS + ["waitlisted"] * (RUSH - SEATS)
    assert [r["waitlist_position"] for r in signed[SEATS:]] == list(range(1, RUSH - SEATS + 1))
    token_of = {a.json()["user_id"]: t for a, t in zip(answers, tokens, strict=True)}

    # Ten seated give up while ten more sign up: the seats go to the first ten waiting.
    leaving = [token_of[r["user_id"]] for r in signed[:LATE]]
    late = await factories.member_tokens(gateway, hood.community["invite_code"], LATE)
    await asyncio.gather(
        *(tap(gateway, t, f"{path}/registrations/me/cancel") for t in leaving),
        *(tap(gateway, t, f"{path}/registrations") for t in late),
    )
    lines: list[dict[str, Any]] = (await hood.leader.request("GET", f"{path}/registrations")).json()
    seated = [line for line in lines if line["status"] == "registered"]
    waiting = [line for line in lines if line["status"] == "waitlisted"]
    promoted = [line["user_id"] for line in lines if line["promoted_at"]]
    assert len(seated) == SEATS and len(waiting) == RUSH - SEATS
    assert promoted == [r["user_id"] for r in signed[SEATS : SEATS + LATE]]
    assert [line["waitlist_position"] for line in waiting] == list(range(1, len(waiting) + 1))
    assert [line["seq"] for line in waiting] == sorted(line["seq"] for line in waiting)
    view = (await hood.leader.request("GET", path)).json()
    assert (view["seats_taken"], view["waitlisted"]) == (SEATS, RUSH - SEATS)

    async def announced() -> list[Any] | None:
        found = await published(system, "community.registration.promoted", subject=event["id"])
        return found if len(found) >= LATE else None

    assert [p.data.user_id for p in await until(announced)] == promoted
