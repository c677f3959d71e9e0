"""A live sale end to end, as the apps do it: the leader runs the session through the gateway's API, the
room is served by two livestream instances, residents buy through the gateway while watching, answer
the host's poll and ask to be connected with a provider; the replay has the figures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from deploy.processes import LocalSystem, free_port
from tests import factories
from tests.e2e.stream import published
from tests.factories import LiveRoom
from tests.livestream.room import Room

OTHER = "livestream-e2e"


@pytest.fixture(scope="module")
async def two_instances(system: LocalSystem) -> AsyncIterator[str]:
    system.start_instance("livestream", OTHER, free_port())
    await asyncio.to_thread(system.wait_ready, [OTHER])
    yield OTHER
    await asyncio.to_thread(system.stop_process, OTHER)


async def test_a_live_sale(gateway: httpx.AsyncClient, system: LocalSystem, two_instances: str) -> None:
    r = await LiveRoom.build(gateway, system, residents=3)
    base = f"/api/v1/sessions/{r.session_id}"
    product = await factories.product(r.leader, r.community_id, name="阳光玫瑰葡萄")
    deal = await factories.deal(r.leader, r.community_id, product["id"], stock=5)
    rooms = [
        await Room.join(system, r.session_id, who, instance=instance)
        for who, instance in zip(r.residents, ("livestream", two_instances, two_instances), strict=True)
    ]
    for room in rooms:
        await room.next("snapshot")
    stranger = await Room.join(system, r.session_id, r.outsider, instance=two_instances)
    assert (await stranger.closed())[0] == 4403

    # the host pins the deal and opens a poll; every viewer on either instance sees both, in one order
    card = await factories.card(r.leader, r.session_id, "deal", deal["id"], pin=True)
    poll = await factories.poll(r.leader, r.session_id, open=True)
    for room in rooms:
        pinned = await room.next("cards")
        opened = await room.next("poll")
        assert pinned["data"]["pinned_id"] == card["id"] and opened["data"]["id"] == poll["id"]
        assert pinned["seq"] < opened["seq"]
    assert len({(room.seen("cards")[0]["seq"], room.seen("poll")[0]["seq"]) for room in rooms}) == 1

    # they buy through the gateway (the card says how) and vote in the room
    buy = rooms[1].seen("cards")[0]["data"]["items"][0]["buy"]
    for who, room in zip(r.residents, rooms, strict=True):
        key = {"Idempotency-Key": f'"{who.user_id}-live"'}
        order = await who.request(buy["method"], buy["path"], json={**buy["body"], "quantity": 1}, headers=key)
        assert order.status_code == 201, order.text
        again = await who.request(buy["method"], buy["path"], json={**buy["body"], "quantity": 1}, headers=key)
        assert again.json()["id"] == order.json()["id"]  # a retried press is the same order
        await factories.until_status(who, order.json()["id"], "paid")
        vote = await room.ask("vote", {"poll_id": poll["id"], "option_ids": [poll["options"][0]["id"]]})
        assert vote["type"] == "ack"
    for room in rooms:
        await room.next(lambda f: f["type"] == "card" and f["data"]["card"]["left"] == 2)
        await room.next(lambda f: f["type"] == "poll" and f["data"]["voters"] == 3)

    closed = await r.leader.request("POST", f"{base}/polls/{poll['id']}/close")
    assert [o["votes"] for o in closed.json()["options"]] == [3, 0, 0]
    assert (await r.leader.request("POST", f"{base}/end")).status_code == 200
    for room in rooms:
        assert await room.closed() == (1000, "ended")
    summary = (await r.resident.request("GET", f"{base}/replay")).json()["summary"]
    assert (summary["peak_viewers"], summary["orders"]) == (3, 3)

    async def poll_closed() -> list[object]:
        return await published(system, "livestream.poll.closed", subject=poll["id"])

    assert len(await factories.until(poll_closed)) == 1
