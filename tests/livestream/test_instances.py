"""Several instances serve one room: frames cross instances in one order with one numbering, viewers
are counted once across them, reconnecting viewers recover what they missed (or get a snapshot), a
slow viewer is cut off without holding anyone up, bursts are shed by priority, and the room moves to
another instance when the one sequencing it stops."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from deploy.processes import LocalSystem, free_port
from tests import factories
from tests.factories import LiveRoom
from tests.livestream.room import Room, room_url


async def test_frames_cross_instances_in_one_order(
    gateway: httpx.AsyncClient, system: LocalSystem, second_livestream: str
) -> None:
    r = await LiveRoom.build(gateway, system)
    a = await Room.join(system, r.session_id, r.resident)
    b = await Room.join(system, r.session_id, r.residents[1], instance=second_livestream)
    host = await Room.join(system, r.session_id, r.leader, instance=second_livestream)
    for room in (a, b, host):
        await room.next("snapshot")
    await b.ask("chat", {"text": "B 说"})
    await a.ask("chat", {"text": "A 说"})
    for i in range(5):
        await host.send("chat", {"text": f"主持 {i}"})
    expected = ["B 说", "A 说"] + [f"主持 {i}" for i in range(5)]
    seen = []
    for room in (a, b, host):
        chats = [await room.next("chat") for _ in expected]
        assert sorted(c["data"]["text"] for c in chats) == sorted(expected)
        seen.append([(c["seq"], c["data"]["text"]) for c in chats])
    assert seen[0] == seen[1] == seen[2]  # the same frames, in the same order, with the same numbers
    assert [s for s, _ in seen[0]] == sorted(s for s, _ in seen[0])

    # one person on both instances is one viewer
    twin = await Room.join(system, r.session_id, r.resident, instance=second_livestream)
    await twin.next("snapshot")
    await host.quiet(1.0)
    assert host.seen("viewers")[-1]["data"]["count"] == 3


async def test_reconnecting_viewers_recover_what_they_missed(
    gateway: httpx.AsyncClient, system: LocalSystem, second_livestream: str
) -> None:
    r = await LiveRoom.build(gateway, system)
    steady = await Room.join(system, r.session_id, r.residents[1])
    viewer = await Room.join(system, r.session_id, r.resident)
    await steady.next("snapshot"), await viewer.next("snapshot")
    await viewer.ask("chat", {"text": "先说一句"})
    await viewer.next("chat")
    since = viewer.last_seq
    await viewer.close()

    for i in range(3):
        await r.leader.request("PUT", f"/api/v1/sessions/{r.session_id}/pinned-message", json={"text": f"公告 {i}"})
    await factories.poll(r.leader, r.session_id, open=True)
    await steady.next(lambda f: f["type"] == "poll")
    await steady.quiet(0.5)
    missed = [f for f in steady.log if f["seq"] is not None and f["seq"] > since]

    back = await Room.join(system, r.session_id, r.resident, since=since)
    recovered = await back.next()
    assert recovered["type"] == "recovered" and recovered["data"]["replayed"] == len(missed)
    replayed = [await back.next() for _ in missed]
    assert [(f["seq"], f["type"], f["data"]) for f in replayed] == [(f["seq"], f["type"], f["data"]) for f in missed]
    # and then live, nothing twice
    await r.leader.request("PUT", f"/api/v1/sessions/{r.session_id}/pinned-message", json={"text": "新公告"})
    live = await back.next("pinned_message")
    assert live["data"]["message"]["text"] == "新公告" and live["seq"] > replayed[-1]["seq"]
    assert len({f["seq"] for f in back.log if f["seq"]}) == len([f for f in back.log if f["seq"]])

    # the instance that never served this viewer has no history for them: a snapshot; so does a seq from the future
    elsewhere = await Room.join(system, r.session_id, r.resident, instance=second_livestream, since=since)
    assert (await elsewhere.next())["type"] == "snapshot"
    future = await Room.join(system, r.session_id, r.resident, since=10**9)
    assert (await future.next())["type"] == "snapshot"


async def test_a_gap_older_than_the_history_gets_a_snapshot(
    gateway: httpx.AsyncClient, system: LocalSystem, tight_livestream: str
) -> None:
    r = await LiveRoom.build(gateway, system)
    viewer = await Room.join(system, r.session_id, r.resident, instance=tight_livestream)
    await viewer.next("snapshot")
    since = viewer.last_seq
    await viewer.close()
    host = await Room.join(system, r.session_id, r.leader)
    await host.next("snapshot")
    for i in range(8):  # more than the tight instance keeps (5)
        await host.ask("chat", {"text": f"第{i}条"})
    back = await Room.join(system, r.session_id, r.resident, instance=tight_livestream, since=since)
    snapshot = await back.next()
    assert snapshot["type"] == "snapshot"
    assert [m["text"] for m in snapshot["data"]["messages"]][-8:] == [f"第{i}条" for i in range(8)]


COUNT = 4000  # frames of about 1 KB: more than the kernel buffers to a reader that stopped (about 3 MB here)


def _slow_socket(system: LocalSystem, instance: str) -> socket.socket:
    """A client socket with a tiny receive buffer: a phone on a bad network."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", system.ports[instance]))
    return sock


async def test_a_slow_viewer_is_cut_off_and_holds_nobody_up(
    gateway: httpx.AsyncClient, system: LocalSystem, tight_livestream: str
) -> None:
    r = await LiveRoom.build(gateway, system)
    url = room_url(system, r.session_id, instance=tight_livestream, token=r.residents[1].tokens["access_token"])
    slow = await connect(url, sock=_slow_socket(system, tight_livestream), max_queue=1, compression=None, proxy=None)
    await asyncio.sleep(0.3)  # joined; from here on it reads nothing
    fast = await Room.join(system, r.session_id, r.resident, instance=tight_livestream)
    await fast.next("snapshot")
    host = await Room.join(system, r.session_id, r.leader)
    await host.next("snapshot")
    text = "新鲜到货的阳光玫瑰葡萄，" * 25  # about 900 bytes a frame
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def read(count: int) -> list[dict[str, object]]:
        return [await fast.next("chat", timeout=10) for _ in range(count)]

    reading = asyncio.create_task(read(COUNT))
    for i in range(COUNT):
        await host.send("chat", {"text": f"{i} {text}"[:300]})
    assert len(await reading) == COUNT
    assert loop.time() - started < 10  # the fast viewer got everything while the slow one read nothing

    frames = 0
    with contextlib.suppress(ConnectionClosed):
        async with asyncio.timeout(10):
            async for _ in slow:  # now it reads: what was buffered, then the close
                frames += 1
    assert (slow.close_code, slow.close_reason) == (4408, "slow")
    assert frames < COUNT
    # it may come back and carry on
    back = await Room.join(system, r.session_id, r.residents[1], instance=tight_livestream)
    assert (await back.next("snapshot"))["data"]["messages"][-1]["text"].startswith(f"{COUNT - 1} ")


async def test_bursts_are_shed_reactions_first_then_chat_never_host_actions(
    gateway: httpx.AsyncClient, system: LocalSystem, tight_livestream: str
) -> None:
    leader = await factories.person(gateway, system)
    community = await factories.community(leader)
    residents = [await factories.person(gateway, system) for _ in range(3)]
    for resident in residents:
        await factories.join(resident, community["invite_code"])
    scheduled = await factories.live_session(leader, community["id"])
    # the first to need the room sequences it: the tight instance (a room rate of 10 frames, then one per 10 s)
    rooms = [await Room.join(system, scheduled["id"], who, instance=tight_livestream) for who in residents]
    for room in rooms:
        await room.next("snapshot")
    assert (await leader.request("POST", f"/api/v1/sessions/{scheduled['id']}/start")).status_code == 200

    reactions = [await rooms[0].ask("react", {"kind": "like"}) for _ in range(10)]
    assert reactions[0]["type"] == "ack" and reactions[-1]["data"]["code"] == "busy"  # shed at half the budget
    chats = [await room.ask("chat", {"text": f"抢{i}"}) for room in rooms for i in range(3)]
    assert chats[0]["type"] == "ack"  # chat still passes where reactions no longer do
    assert chats[-1]["data"]["code"] == "busy"  # until the budget is gone
    # host actions always pass
    await leader.request("PUT", f"/api/v1/sessions/{scheduled['id']}/pinned-message", json={"text": "3号链接开抢"})
    created = await factories.poll(leader, scheduled["id"], open=True)
    for room in rooms:
        assert (await room.next("pinned_message"))["data"]["message"]["text"] == "3号链接开抢"
        assert (await room.next("poll"))["data"]["id"] == created["id"]


async def test_the_room_moves_on_when_its_sequencer_stops(
    gateway: httpx.AsyncClient, system: LocalSystem, second_livestream: str
) -> None:
    leader = await factories.person(gateway, system)
    community = await factories.community(leader)
    resident = await factories.person(gateway, system)
    await factories.join(resident, community["invite_code"])
    scheduled = await factories.live_session(leader, community["id"])
    doomed = "livestream-doomed"
    system.start_instance("livestream", doomed, free_port())
    await asyncio.to_thread(system.wait_ready, [doomed])
    try:
        first = await Room.join(system, scheduled["id"], resident, instance=doomed)  # it sequences the room
        await first.next("snapshot")
        host = await Room.join(system, scheduled["id"], leader, instance=second_livestream)
        await host.next("snapshot")
        await host.ask("chat", {"text": "换台之前"})
        before = await host.next("chat")
    finally:
        await asyncio.to_thread(system.stop_process, doomed)
    assert (await first.closed())[0] == 1012  # service restart: reconnect (elsewhere)

    said = await host.ask("chat", {"text": "换台之后"})
    assert said["type"] == "ack"
    after = await host.next("chat")
    assert after["seq"] > before["seq"]  # numbers only grow (a jump: the new sequencer's block)
    back = await Room.join(system, scheduled["id"], resident, instance=second_livestream, since=first.last_seq)
    snapshot = await back.next("snapshot")
    assert [m["text"] for m in snapshot["data"]["messages"]] == ["换台之前", "换台之后"]
