"""The room's WebSocket through the gateway: authenticated there, carried to a livestream instance
chosen per person (the next one when it does not answer) over one link per room and instance, close
codes and reasons passed on unchanged, a slow client cut off without holding anyone up, moderation
reaching linked viewers, and viewers told to reconnect when their instance goes."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from websockets.asyncio.client import connect

from deploy.processes import LocalSystem, free_port
from services.gateway.room.instances import preference
from shared.models import new_id
from tests import factories
from tests.conftest import running_system
from tests.databases import Databases
from tests.factories import LiveRoom
from tests.livestream.room import Room

SECOND = "livestream-2"
GATEWAY_QUEUE = 8
LINK_GRACE = 0.5


@pytest.fixture(scope="module")
async def relayed(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> AsyncIterator[LocalSystem]:
    """A system of its own: the gateway relays rooms to two livestream instances and to an address where
    nothing answers (first in some people's order), queues at most 8 frames for a client and closes an
    idle link after half a second."""
    main, second, nothing = free_port(), free_port(), free_port()
    urls = [f"http://127.0.0.1:{port}" for port in (main, second, nothing)]
    async with running_system(
        tmp_path_factory.mktemp("relayed"),
        databases,
        ports={"livestream": main},
        LINLI_GATEWAY_LIVESTREAM_ROOM_URLS=json.dumps(urls),
        LINLI_GATEWAY_ROOM_SEND_QUEUE=str(GATEWAY_QUEUE),
        LINLI_GATEWAY_ROOM_AUTH_SECONDS="1",
        LINLI_GATEWAY_ROOM_LINK_GRACE_SECONDS=str(LINK_GRACE),
    ) as system:
        system.start_instance("livestream", SECOND, second)
        await asyncio.to_thread(system.wait_ready, [SECOND])
        yield system


@pytest.fixture
async def api(relayed: LocalSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=relayed.url("gateway"), timeout=15) as client:
        yield client


def gateway_url(system: LocalSystem, session_id: str, **query: Any) -> str:
    params = urlencode({k: v for k, v in query.items() if v is not None})
    base = system.url("gateway").replace("http://", "ws://")
    return f"{base}/api/v1/sessions/{session_id}/room" + (f"?{params}" if params else "")


async def via_gateway(system: LocalSystem, session_id: str, token: str | None, **query: Any) -> Room:
    return Room(await connect(gateway_url(system, session_id, token=token, **query), proxy=None))


def instances(system: LocalSystem) -> dict[str, str]:
    """What the gateway was told (its order of instances per person) → the name of what runs there."""
    urls = json.loads(system.extra_env["LINLI_GATEWAY_LIVESTREAM_ROOM_URLS"])
    running = {system.url(name): name for name in ("livestream", SECOND)}
    return {url: running.get(url, "nothing") for url in urls}


def person_routed(system: LocalSystem, community_id: str, *order: str) -> tuple[str, str]:
    """(user id, token) of a resident whose order of instances starts with `order` (names, or "nothing")."""
    named = instances(system)
    while True:
        user_id = new_id()
        if tuple(named[url] for url in preference(list(named), user_id)[: len(order)]) == order:
            return user_id, factories.resident_token(community_id, user_id)


async def test_the_room_through_the_gateway(api: httpx.AsyncClient, relayed: LocalSystem) -> None:
    r = await LiveRoom.build(api, relayed)
    viewer = await via_gateway(relayed, r.session_id, r.resident.tokens["access_token"])
    snapshot = await viewer.next("snapshot")
    assert snapshot["data"]["you"]["user_id"] == r.resident.user_id and snapshot["data"]["session"]["status"] == "live"
    host = await Room.join(relayed, r.session_id, r.leader, instance=SECOND)  # straight at an instance
    await host.next("snapshot")

    said = await viewer.ask("chat", {"text": "网关这边能看到吗"})
    assert said["type"] == "ack"
    assert (await host.next("chat"))["data"]["text"] == "网关这边能看到吗"
    await host.ask("chat", {"text": "看得到"})
    assert [(await viewer.next("chat"))["data"]["text"] for _ in range(2)] == ["网关这边能看到吗", "看得到"]

    # the token in a first frame instead of the URL
    other = await via_gateway(relayed, r.session_id, None)
    await other.send("auth", {"token": r.residents[1].tokens["access_token"]})
    assert (await other.next("snapshot"))["data"]["you"]["user_id"] == r.residents[1].user_id

    # a person comes back to the same instance, whose history has what they missed
    since = viewer.last_seq
    await viewer.close()
    for i in range(3):
        await r.leader.request("PUT", f"/api/v1/sessions/{r.session_id}/pinned-message", json={"text": f"公告 {i}"})
    await host.next(lambda f: f["type"] == "pinned_message" and f["data"]["message"]["text"] == "公告 2")
    await host.quiet(0.5)
    missed = [f for f in host.log if f["seq"] is not None and f["seq"] > since]
    back = await via_gateway(relayed, r.session_id, r.resident.tokens["access_token"], since=since)
    recovered = await back.next()
    assert recovered["type"] == "recovered" and recovered["data"]["replayed"] == len(missed)
    replayed = [await back.next() for _ in missed]
    assert [(f["seq"], f["type"], f["data"]) for f in replayed] == [(f["seq"], f["type"], f["data"]) for f in missed]


async def _closed(room: Room, frame: str | bytes | None) -> tuple[int | None, str]:
    if frame is not None:
        await room.ws.send(frame)
    return await room.closed()


async def test_close_codes_and_reasons_pass_through_unchanged(api: httpx.AsyncClient, relayed: LocalSystem) -> None:
    r = await LiveRoom.build(api, relayed)
    token = r.resident.tokens["access_token"]
    auth = json.dumps({"type": "auth", "data": {"token": token}})
    cases: list[tuple[str, dict[str, Any], str | bytes | None, int]] = [
        (r.session_id, {"token": token}, "{not json", 4400),
        (r.session_id, {"token": token}, json.dumps({"type": "pin", "data": {}}), 4400),
        (r.session_id, {"token": token}, json.dumps({"type": "chat", "data": {"text": ""}}), 4400),
        (r.session_id, {"token": token}, b"\x00\x01", 4400),
        (r.session_id, {"token": token}, auth, 4400),  # a second auth
        (r.session_id, {"token": token}, json.dumps({"type": "chat", "data": {"text": "x" * 5000}}), 1009),
        (r.session_id, {"token": token, "since": "yesterday"}, None, 4400),
        (r.session_id, {"token": "not-a-token"}, None, 4401),
        (r.session_id, {}, json.dumps({"type": "chat", "data": {"text": "hi"}}), 4401),  # the first frame is not auth
        (r.session_id, {"token": r.outsider.tokens["access_token"]}, None, 4403),
        (new_id(), {"token": token}, None, 4404),
    ]
    for session_id, query, frame, code in cases:
        direct = Room(await connect(_direct_url(relayed, session_id, **query), proxy=None))
        relayed_room = await via_gateway(relayed, session_id, **({"token": None} | query))
        expected = await _closed(direct, frame)
        assert expected[0] == code, (frame, expected)
        assert await _closed(relayed_room, frame) == expected, frame

    # what the gateway refuses itself, before any instance hears of it
    nobody = await via_gateway(relayed, r.session_id, None)
    code, reason = await nobody.closed()  # no token and no auth frame within a second
    assert code == 4401 and reason.startswith("unauthorised: send the token")
    not_an_id = await via_gateway(relayed, "x" * 32, token)
    assert await not_an_id.closed() == (4404, f"not found: session {'x' * 32}")
    garbage = await via_gateway(relayed, r.session_id, None)
    assert await _closed(garbage, "{not json") == (4400, "malformed: not JSON")


def _direct_url(system: LocalSystem, session_id: str, **query: Any) -> str:
    params = urlencode(query)
    return f"{system.url('livestream').replace('http://', 'ws://')}/sessions/{session_id}/room" + (
        f"?{params}" if params else ""
    )


def _slow_socket(system: LocalSystem) -> socket.socket:
    """A client socket with a tiny receive buffer: a phone on a bad network."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", system.ports["gateway"]))
    return sock


async def test_a_slow_client_is_cut_off_and_holds_nobody_up(api: httpx.AsyncClient, relayed: LocalSystem) -> None:
    r = await LiveRoom.build(api, relayed)
    url = gateway_url(relayed, r.session_id, token=r.residents[1].tokens["access_token"])
    # no compression: the frames are as big on the wire as they are (deflate would shrink repeats to nothing)
    slow = await connect(url, sock=_slow_socket(relayed), max_queue=1, compression=None, proxy=None)
    await asyncio.sleep(0.3)  # joined; from here on it reads nothing
    fast = await via_gateway(relayed, r.session_id, r.resident.tokens["access_token"])
    await fast.next("snapshot")
    host = await Room.join(relayed, r.session_id, r.leader)
    await host.next("snapshot")
    text = "新鲜到货的阳光玫瑰葡萄，" * 25  # about 900 bytes a frame
    # more than the network holds for a client that reads nothing (the gateway's socket buffer grows
    # to a few MB on loopback) before the gateway's own queue fills
    count = 5000
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def read() -> list[dict[str, Any]]:
        return [await fast.next("chat", timeout=10) for _ in range(count)]

    reading = asyncio.create_task(read())
    for i in range(count):
        await host.send("chat", {"text": f"{i} {text}"[:300]})
    assert len(await reading) == count
    assert loop.time() - started < 30  # the fast client got everything while the slow one read nothing

    reader = Room(slow)  # now it reads: what the network held, then the close
    assert await reader.closed() == (4408, "slow")
    assert len(reader.seen("chat")) < count
    # it may come back and carry on
    back = await via_gateway(relayed, r.session_id, r.residents[1].tokens["access_token"])
    assert (await back.next("snapshot"))["data"]["messages"][-1]["text"].startswith(f"{count - 1} ")


async def figures(system: LocalSystem, instance: str, r: LiveRoom) -> dict[str, int]:
    """What one livestream instance serves of the room (asked directly, as the host)."""
    async with httpx.AsyncClient(base_url=system.url(instance), timeout=15) as client:
        response = await client.get(
            f"/sessions/{r.session_id}/room/figures",
            headers={"authorization": f"Bearer {r.leader.tokens['access_token']}"},
        )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def settled(system: LocalSystem, instance: str, r: LiveRoom, **expected: int) -> dict[str, int]:
    for _ in range(50):
        now = await figures(system, instance, r)
        if all(now[k] == v for k, v in expected.items()):
            return now
        await asyncio.sleep(0.1)
    raise AssertionError(f"{instance}: {now} is not {expected}")


async def test_the_gateway_carries_a_room_over_one_link_per_instance(
    api: httpx.AsyncClient, relayed: LocalSystem
) -> None:
    r = await LiveRoom.build(api, relayed)
    people = {
        where: [person_routed(relayed, r.community_id, where) for _ in range(3)] for where in ("livestream", SECOND)
    }
    rooms = [await via_gateway(relayed, r.session_id, token) for where in people for _, token in people[where]]
    twin = await via_gateway(relayed, r.session_id, people["livestream"][0][1])  # a second tab
    for room in [*rooms, twin]:
        await room.next("snapshot")
    assert await settled(relayed, "livestream", r, connections=4) == {
        "connections": 4,
        "people": 3,
        "links": 1,
        "linked": 4,
    }
    assert await settled(relayed, SECOND, r, connections=3) == {"connections": 3, "people": 3, "links": 1, "linked": 3}
    # presence counts linked viewers by person, as direct ones
    await rooms[0].next(lambda f: f["type"] == "viewers" and f["data"]["count"] == 6, timeout=10)

    # a room-wide frame crosses each link once and reaches every client, a refusal only its own
    await rooms[3].ask("chat", {"text": "一条链路"})
    for room in [*rooms, twin]:
        assert (await room.next("chat"))["data"]["text"] == "一条链路"
    assert (await rooms[1].ask("vote", {"poll_id": "nope", "option_ids": ["x"]}))["type"] == "error"
    await twin.quiet(0.3)
    assert not twin.seen("error") and not rooms[0].seen("error")

    # a malformed frame closes only its client; the link and the others carry on
    assert await _closed(rooms[0], "{not json") == (4400, "malformed: not JSON")
    await rooms[4].ask("chat", {"text": "还在"})
    for room in [*rooms[1:], twin]:
        assert (await room.next("chat"))["data"]["text"] == "还在"
    await settled(relayed, "livestream", r, connections=3, linked=3)

    # the last client gone, the link closes after its grace; the next client opens another
    for room in [*rooms[1:], twin]:
        await room.close()
    await settled(relayed, "livestream", r, links=0)
    await settled(relayed, SECOND, r, links=0)
    back = await via_gateway(relayed, r.session_id, people[SECOND][0][1])
    assert (await back.next("snapshot"))["data"]["you"]["user_id"] == people[SECOND][0][0]
    assert await settled(relayed, SECOND, r, links=1) == {"connections": 1, "people": 1, "links": 1, "linked": 1}


async def test_moderation_reaches_linked_viewers(api: httpx.AsyncClient, relayed: LocalSystem) -> None:
    r = await LiveRoom.build(api, relayed, residents=3)
    viewer = await via_gateway(relayed, r.session_id, r.resident.tokens["access_token"])
    other = await via_gateway(relayed, r.session_id, r.residents[1].tokens["access_token"])
    await viewer.next("snapshot"), await other.next("snapshot")
    base = f"/api/v1/sessions/{r.session_id}"

    muted = await r.leader.request("POST", f"{base}/mutes", json={"user_id": r.resident.user_id, "minutes": 5})
    assert muted.status_code == 201, muted.text
    assert (await viewer.next("notice"))["data"]["kind"] == "muted"
    assert (await viewer.ask("chat", {"text": "我被禁言了吗"}))["data"]["code"] == "muted"
    await other.quiet(0.3)
    assert not other.seen("notice")

    removed = await r.leader.request("POST", f"{base}/removals", json={"user_id": r.resident.user_id, "reason": "广告"})
    assert removed.status_code == 204, removed.text
    assert await viewer.closed() == (4410, "removed")
    again = await via_gateway(relayed, r.session_id, r.resident.tokens["access_token"])
    assert await again.closed() == (4410, "removed: a moderator removed you from this session")
    assert (await other.ask("chat", {"text": "我还在"}))["type"] == "ack"

    # the session ends: every client is closed after the frame saying so
    ended = await r.leader.request("POST", f"{base}/end")
    assert ended.status_code == 200, ended.text
    assert await other.closed() == (1000, "ended")
    assert other.seen("session")[-1]["data"]["status"] == "ended"


async def test_viewers_spread_over_instances_skip_silent_ones_and_hear_when_theirs_goes(
    api: httpx.AsyncClient, relayed: LocalSystem
) -> None:
    """Last in this module: it stops the second instance."""
    r = await LiveRoom.build(api, relayed)
    orders = {"livestream": ("livestream",), SECOND: (SECOND,), "nothing": ("nothing", "livestream")}
    people = {where: person_routed(relayed, r.community_id, *order) for where, order in orders.items()}
    rooms = {where: await via_gateway(relayed, r.session_id, token) for where, (_, token) in people.items()}
    for where, room in rooms.items():  # whoever came first to nothing was served by the next instance
        assert (await room.next("snapshot"))["data"]["you"]["user_id"] == people[where][0]
    host = await Room.join(relayed, r.session_id, r.leader)
    await host.next("snapshot")
    await host.ask("chat", {"text": "大家好"})
    for room in rooms.values():
        assert (await room.next("chat"))["data"]["text"] == "大家好"

    await asyncio.to_thread(relayed.stop_process, SECOND)
    assert await rooms[SECOND].closed() == (1012, "service restart")  # the instance's restart, passed on
    await host.ask("chat", {"text": "还在吗"})
    staying = [room for where, room in rooms.items() if where != SECOND]
    for room in staying:
        assert (await room.next("chat"))["data"]["text"] == "还在吗"
    # the one told to go comes back through the gateway, to the next instance in its order
    back = await via_gateway(relayed, r.session_id, people[SECOND][1], since=rooms[SECOND].last_seq)
    first = await back.next()
    assert first["type"] in ("snapshot", "recovered")
    await host.ask("chat", {"text": "欢迎回来"})
    assert (await back.next("chat"))["data"]["text"] in ("还在吗", "欢迎回来")
