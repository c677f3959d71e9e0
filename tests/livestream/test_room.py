"""Joining the room and talking in it: who may join (close codes otherwise), the snapshot, frames a
connection gets wrong (closed, nobody else affected), chat rules and the viewer count."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

from deploy.processes import LocalSystem
from tests import factories
from tests.factories import LiveRoom
from tests.livestream.room import Room, room_url


async def test_join_gets_a_snapshot_then_live_frames(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    await factories.rename(r.resident, r.community_id, "3栋 王阿姨")

    async def named() -> bool:  # livestream learns names from community's events
        other = await Room.join(system, r.session_id, r.resident)
        name = (await other.next("snapshot"))["data"]["you"]["name"]
        await other.close()
        return name == "3栋 王阿姨"

    await factories.until(named)
    viewer = await Room.join(system, r.session_id, r.resident)
    snapshot = await viewer.next("snapshot")
    assert snapshot["seq"] >= 1 and snapshot["at"].endswith("Z")
    state = snapshot["data"]
    assert state["session"]["status"] == "live"
    assert state["session"]["playback_url"] == "https://live.example.com/hls/stream.m3u8"
    assert "ingest_url" not in state["session"]
    assert state["cards"] == {"items": [], "pinned_id": None} and state["polls"] == [] and state["messages"] == []
    assert state["you"]["role"] == "viewer" and state["you"]["user_id"] == r.resident.user_id
    said = await viewer.ask("chat", {"text": "今天有什么好东西？"})
    assert said["type"] == "ack" and said["data"]["seq"] > snapshot["seq"]
    chat = await viewer.next("chat")
    assert chat["seq"] == said["data"]["seq"]
    assert chat["data"] == {
        "id": said["data"]["message_id"],
        "user_id": r.resident.user_id,
        "name": "3栋 王阿姨",
        "role": "viewer",
        "text": "今天有什么好东西？",
    }
    host = await Room.join(system, r.session_id, r.leader)
    host_snapshot = await host.next("snapshot")
    assert host_snapshot["data"]["you"]["role"] == "host"
    assert [m["text"] for m in host_snapshot["data"]["messages"]] == ["今天有什么好东西？"]


async def test_token_in_the_first_frame(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    viewer = await Room.join(system, r.session_id, None)
    await viewer.send("auth", {"token": r.resident.tokens["access_token"]})
    assert (await viewer.next("snapshot"))["data"]["you"]["user_id"] == r.resident.user_id
    await viewer.send("auth", {"token": r.resident.tokens["access_token"]})
    code, reason = await viewer.closed()
    assert code == 4400 and "already authenticated" in reason


async def test_who_may_not_join(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    cases = [
        (None, {}, 4401, "unauthorised"),  # no token, and a first frame that is not auth
        (None, {"token": "not-a-token"}, 4401, "unauthorised"),
        (r.outsider, {}, 4403, "forbidden"),  # a community-only session, another community's leader
    ]
    for who, query, code, reason in cases:
        room = await Room.join(system, r.session_id, who, **query)
        if who is None and not query:
            await room.send("chat", {"text": "hi"})
        assert await room.closed() == (code, room.ws.close_reason) and room.ws.close_reason.startswith(reason)
    missing = await Room.join(system, "0" * 32, r.resident)
    assert (await missing.closed())[0] == 4404
    bad_since = await Room.join(system, r.session_id, r.resident, since="yesterday")
    assert (await bad_since.closed())[0] == 4400

    public = await factories.on_air(r.leader, r.community_id, community_only=False, title="社区公开课")
    visitor = await Room.join(system, public["id"], r.outsider)
    assert (await visitor.next("snapshot"))["data"]["you"]["role"] == "viewer"


async def test_a_bad_frame_closes_only_its_connection(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    bystander = await Room.join(system, r.session_id, r.residents[1])
    await bystander.next("snapshot")
    bad_frames = [
        ("{not json", 4400, "not JSON"),
        (json.dumps([1, 2]), 4400, "an object"),
        (json.dumps({"type": "pin", "data": {}}), 4400, "unknown type"),
        (json.dumps({"type": "chat", "data": {"text": ""}}), 4400, "chat: text"),
        (json.dumps({"type": "vote", "data": {"poll_id": "p", "option_ids": "all"}}), 4400, "vote: option_ids"),
        (json.dumps({"type": "chat", "data": {"text": "x" * 5000}}), 1009, "too big"),
    ]
    for raw, code, reason in bad_frames:
        viewer = await Room.join(system, r.session_id, r.resident)
        await viewer.next("snapshot")
        await viewer.ws.send(raw)
        closed_code, closed_reason = await viewer.closed()
        assert closed_code == code and reason in closed_reason, (raw[:40], closed_code, closed_reason)
    binary = await Room.join(system, r.session_id, r.resident)
    await binary.next("snapshot")
    await binary.ws.send(b"\x00\x01")
    assert (await binary.closed())[0] == 4400
    # the bystander never noticed
    said = await bystander.ask("chat", {"text": "还在吗"})
    assert said["type"] == "ack"
    assert (await bystander.next("chat"))["data"]["text"] == "还在吗"


async def test_chat_rules(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    viewer = await Room.join(system, r.session_id, r.resident)
    host = await Room.join(system, r.session_id, r.leader)
    await viewer.next("snapshot"), await host.next("snapshot")
    # per person: 3 at once, then 1 a second
    replies = [await viewer.ask("chat", {"text": f"第{i}条"}) for i in range(4)]
    assert [f["type"] for f in replies] == ["ack", "ack", "ack", "error"]
    assert replies[-1]["data"]["code"] == "rate_limited" and replies[-1]["data"]["retry_after"] > 0
    # the keyword filter
    settings = await r.leader.request(
        "PATCH", f"/api/v1/sessions/{r.session_id}/room", json={"blocked_words": ["加微信"], "slow_mode_seconds": 30}
    )
    assert settings.status_code == 200, settings.text
    room = await viewer.next("room")
    assert room["data"]["slow_mode_seconds"] == 30 and "blocked_words" not in room["data"]
    second = await Room.join(system, r.session_id, r.residents[1])
    await second.next("snapshot")
    refused = await second.ask("chat", {"text": "便宜卖，加微信聊"})
    assert refused["data"]["code"] == "filtered"
    # slow mode: one message per 30 s for viewers; the host and moderators are exempt
    assert (await second.ask("chat", {"text": "第一条"}))["type"] == "ack"
    slowed = await second.ask("chat", {"text": "第二条"})
    assert slowed["data"]["code"] == "slow_mode" and slowed["data"]["retry_after"] > 25
    assert [(await host.ask("chat", {"text": f"主持{i}"}))["type"] for i in range(5)] == ["ack"] * 5
    mod = await Room.join(system, r.session_id, factories.moderator(r.residents[1], r.community_id))
    assert (await mod.next("snapshot"))["data"]["you"]["role"] == "moderator"
    assert [(await mod.ask("chat", {"text": f"管理{i}"}))["type"] for i in range(2)] == ["ack", "ack"]
    # only staff change the room's rules
    for who in (r.resident, r.outsider):
        forbidden = await who.request("PATCH", f"/api/v1/sessions/{r.session_id}/room", json={"slow_mode_seconds": 0})
        assert forbidden.status_code == 403
    invalid = await r.leader.request("PATCH", f"/api/v1/sessions/{r.session_id}/room", json={"slow_mode_seconds": -1})
    assert invalid.status_code == 422


async def test_viewers_are_people_not_tabs(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    host = await Room.join(system, r.session_id, r.leader)
    await host.next("snapshot")
    tabs = [await Room.join(system, r.session_id, r.resident) for _ in range(3)]
    other = await Room.join(system, r.session_id, r.residents[1])
    await host.next(lambda f: f["type"] == "viewers" and f["data"]["count"] == 3)
    await host.quiet(0.6)
    assert all(f["data"]["count"] <= 3 for f in host.seen("viewers"))
    for tab in tabs:
        await tab.close()
    await other.close()
    assert (await host.next(lambda f: f["type"] == "viewers" and f["data"]["count"] == 1))["data"]["peak"] == 3
    peak = (await r.leader.request("GET", f"/api/v1/sessions/{r.session_id}")).json()["peak_viewers"]
    assert peak == 3


async def test_reactions_are_coalesced(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    viewer = await Room.join(system, r.session_id, r.resident)
    await viewer.next("snapshot")
    for kind in ["like"] * 6 + ["heart"] * 2:
        await viewer.send("react", {"kind": kind})
    frame = await viewer.next(lambda f: f["type"] == "reactions" and sum(f["data"]["totals"].values()) == 8)
    assert frame["data"]["totals"] == {"like": 6, "heart": 2}
    assert len(viewer.seen("reactions")) <= 3  # a handful of frames for eight taps
    unknown = await Room.join(system, r.session_id, r.resident)
    await unknown.next("snapshot")
    await unknown.send("react", {"kind": "poop"})
    assert (await unknown.closed())[0] == 4400


async def test_pinned_message(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    viewer = await Room.join(system, r.session_id, r.resident)
    await viewer.next("snapshot")
    said = await viewer.ask("chat", {"text": "请问几点开始抢？"})
    url = f"/api/v1/sessions/{r.session_id}/pinned-message"
    pinned = await r.leader.request("PUT", url, json={"message_id": said["data"]["message_id"]})
    assert pinned.status_code == 200, pinned.text
    frame = await viewer.next("pinned_message")
    assert frame["data"]["message"]["text"] == "请问几点开始抢？"
    assert (await r.leader.request("PUT", url, json={"text": "八点准时开抢"})).status_code == 200
    assert (await viewer.next("pinned_message"))["data"]["message"]["text"] == "八点准时开抢"
    late = await Room.join(system, r.session_id, r.residents[1])
    assert (await late.next("snapshot"))["data"]["pinned_message"]["text"] == "八点准时开抢"
    assert (await r.resident.request("PUT", url, json={"text": "我来置顶"})).status_code == 403
    assert (await r.leader.request("PUT", url, json={"message_id": "nope"})).status_code == 404
    assert (await r.leader.request("PUT", url, json={})).status_code == 422
    assert (await r.leader.request("DELETE", url)).status_code == 204
    assert (await viewer.next("pinned_message"))["data"]["message"] is None


async def test_room_url_has_the_session(system: LocalSystem) -> None:
    assert room_url(system, "abc", token="t").endswith("/sessions/abc/room?token=t")
    async with connect(room_url(system, "abc"), proxy=None) as ws:
        await ws.send(json.dumps({"type": "ping", "data": {}}))
        await ws.wait_closed()
        assert ws.close_code == 4401


async def test_a_gateway_link_carries_viewers_by_number(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    """The link protocol as the gateway speaks it (docs/live-room.md, "The gateway's link")."""
    r = await LiveRoom.build(gateway, system)
    url = system.url("livestream").replace("http://", "ws://") + f"/sessions/{r.session_id}/room/link"
    async with connect(url, proxy=None, max_size=None, compression=None) as link:

        async def join(vid: int, token: str, since: str | None = None) -> None:
            await link.send(f"+{vid} " + json.dumps({"token": token, "since": since}))

        held: list[str] = []

        async def until(prefix: str, type_: str | None = None) -> str:
            """The first message (not taken yet) starting so, of that frame type if given."""
            while True:
                for message in held:
                    if message.startswith(prefix) and (type_ is None or json.loads(message)["type"] == type_):
                        held.remove(message)
                        return message
                held.append(str(await asyncio.wait_for(link.recv(), 10)))

        await join(1, r.resident.tokens["access_token"])
        first = (await until("=1\n")).split("\n")
        assert json.loads(first[1])["type"] == "snapshot"
        await join(2, r.outsider.tokens["access_token"])  # another community's: refused, as directly
        assert (await until("!2 ")).startswith("!2 4403 forbidden: ")
        await join(3, r.residents[1].tokens["access_token"], since="yesterday")
        assert await until("!3 ") == "!3 4400 malformed: since is the seq of the last frame seen"

        # a frame from viewer 1: the room-wide chat once on the link, the ack addressed to it
        await link.send("@1 " + json.dumps({"type": "chat", "data": {"text": "链路"}, "id": "c1"}))
        chat = json.loads(await until("{", "chat"))
        assert chat["data"]["text"] == "链路"
        ack = await until("@1 ")
        assert json.loads(ack.removeprefix("@1 "))["data"] == {
            "id": "c1",
            "seq": chat["seq"],
            "message_id": chat["data"]["id"],
        }
        await link.send("@1 {not json")
        assert await until("!1 ") == "!1 4400 malformed: not JSON"

        # a viewer joining with `since` gets what it missed in its first message
        await join(4, r.resident.tokens["access_token"], since=str(chat["seq"] - 1))
        recovered = [json.loads(f) for f in (await until("=4\n")).split("\n")[1:]]
        assert [f["type"] for f in recovered[:2]] == ["recovered", "chat"] and recovered[1]["seq"] == chat["seq"]
        await link.send("-4")
