"""Sessions: scheduled → live → ended → replay, the host's rights, stream URLs (the ingest for the host
only), community-only and public sessions, reminders (the host sees the count; residents are reminded
before the start), highlights and the replay's figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.stream import published
from tests.e2e.test_bad_input import assert_problem
from tests.factories import LiveRoom
from tests.livestream.room import Room


async def test_a_sessions_life_and_who_may_steer_it(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    scheduled = await factories.live_session(
        r.leader,
        r.community_id,
        kind="sale",
        cover_url="https://cdn.example.com/cover.jpg",
        ingest_url="rtmp://live.example.com/app/secret-key",
        playback_url="https://live.example.com/hls/a.m3u8",
    )
    base = f"/api/v1/sessions/{scheduled['id']}"
    assert scheduled["ingest_url"] == "rtmp://live.example.com/app/secret-key"
    seen = (await r.resident.request("GET", base)).json()
    assert seen["ingest_url"] is None and seen["playback_url"] == "https://live.example.com/hls/a.m3u8"
    assert_problem(await r.outsider.request("GET", base), 403)
    assert_problem(await r.outsider.request("GET", "/api/v1/sessions", params={"community_id": r.community_id}), 403)

    for body in (
        {"planned_start": (datetime.now(UTC) - timedelta(hours=1)).isoformat()},
        {"ingest_url": "http://not-rtmp"},
        {"playback_url": "ftp://x"},
        {"title": ""},
    ):
        assert_problem(await r.leader.request("PATCH", base, json=body), 422)
    assert_problem(await r.resident.request("PATCH", base, json={"title": "我来改"}), 403)
    patched = await r.leader.request("PATCH", base, json={"title": "今晚八点：东北大米专场"})
    assert patched.json()["title"] == "今晚八点：东北大米专场"

    for who in (r.resident, r.outsider):
        assert_problem(await who.request("POST", f"{base}/start"), 403)
    assert_problem(await r.leader.request("POST", f"{base}/end"), 409)
    assert_problem(
        await r.leader.request("POST", f"{base}/replay", json={"replay_url": "https://x.example.com/r.m3u8"}), 409
    )
    started = await r.leader.request("POST", f"{base}/start")
    assert started.json()["status"] == "live" and started.json()["started_at"]
    assert_problem(await r.leader.request("POST", f"{base}/start"), 409)
    assert_problem(await r.leader.request("PATCH", base, json={"title": "改不了了"}), 409)
    upcoming = (await r.resident.request("GET", "/api/v1/sessions", params={"community_id": r.community_id})).json()
    assert scheduled["id"] in [s["id"] for s in upcoming]

    async def started_event() -> list[object]:
        return await published(system, "livestream.session.started", subject=scheduled["id"])

    assert len(await factories.until(started_event)) == 1

    public = await factories.live_session(r.leader, r.community_id, community_only=False)
    assert (await r.outsider.request("GET", f"/api/v1/sessions/{public['id']}")).status_code == 200


async def test_reminders(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    r = await LiveRoom.build(gateway, system)
    live = await factories.live_session(r.leader, r.community_id)  # tomorrow: no reminder due yet
    url = f"/api/v1/sessions/{live['id']}/reminder"
    assert (await r.resident.request("PUT", url)).json() == {"count": 1, "subscribed": True}
    assert (await r.resident.request("PUT", url)).json() == {"count": 1, "subscribed": True}  # once each
    assert (await r.residents[1].request("PUT", url)).json() == {"count": 2, "subscribed": True}
    assert_problem(await r.outsider.request("PUT", url), 403)
    assert (await r.leader.request("GET", url)).json() == {"count": 2, "subscribed": False}
    assert (await r.leader.request("GET", f"/api/v1/sessions/{live['id']}")).json()["reminders"] == 2
    assert (await r.residents[1].request("DELETE", url)).json() == {"count": 1, "subscribed": False}

    # Within 15 minutes of the start the session clock tells the subscribers, once. (The clock may
    # tick at any moment: the start moves near only once the subscribers are settled.)
    moved = await r.leader.request(
        "PATCH",
        f"/api/v1/sessions/{live['id']}",
        json={"planned_start": (datetime.now(UTC) + timedelta(minutes=5)).isoformat()},
    )
    assert moved.status_code == 200, moved.text

    async def reminded() -> list[object]:
        return await published(system, "livestream.session.reminder_due", subject=live["id"])

    (event,) = await factories.until(reminded, timeout=20)
    assert event.data.subscriber_ids == [r.resident.user_id] and event.data.title == live["title"]
    assert_problem(await r.resident.request("PUT", f"/api/v1/sessions/{r.session_id}/reminder"), 409)  # already live


async def test_ending_closes_the_room_and_the_replay_has_the_figures(
    gateway: httpx.AsyncClient, system: LocalSystem, second_livestream: str
) -> None:
    r = await LiveRoom.build(gateway, system)
    base = f"/api/v1/sessions/{r.session_id}"
    product = await factories.product(r.leader, r.community_id)
    deal = await factories.deal(r.leader, r.community_id, product["id"])
    event = await factories.offline_event(r.leader, r.community_id)
    await factories.card(r.leader, r.session_id, "deal", deal["id"], pin=True)
    await factories.card(r.leader, r.session_id, "event", event["id"])
    rooms = [
        await Room.join(system, r.session_id, r.resident),
        await Room.join(system, r.session_id, r.residents[1], instance=second_livestream),
    ]
    for room in rooms:
        await room.next("snapshot")

    assert_problem(await r.resident.request("POST", f"{base}/highlights", json={"title": "开箱"}), 403)
    assert_problem(await r.leader.request("POST", f"{base}/highlights", json={"title": ""}), 422)
    marked = await r.leader.request("POST", f"{base}/highlights", json={"title": "开箱试吃"})  # now: at 0 s
    assert marked.status_code == 201
    assert (await rooms[0].next("highlight"))["data"]["title"] == "开箱试吃"
    await r.leader.request("POST", f"{base}/highlights", json={"title": "开场", "offset_seconds": 1})
    await factories.paid_order(r.resident, deal["id"])
    await factories.register(r.residents[1], event["id"])
    poll = await factories.poll(r.leader, r.session_id, open=True)
    await rooms[0].ask("vote", {"poll_id": poll["id"], "option_ids": [poll["options"][0]["id"]]})
    await r.leader.request("POST", f"{base}/polls/{poll['id']}/close")
    await r.leader.request("PATCH", f"{base}/room", json={"lead_keywords": ["家教"]})
    await rooms[1].ask("chat", {"text": "求推荐家教", "consent": True})
    await rooms[1].next("notice")
    assert_problem(await r.resident.request("GET", f"{base}/replay"), 409)  # not over yet

    async def counted() -> bool:  # orders and sign-ups reach livestream as events
        figures = (await r.leader.request("GET", f"{base}/cards")).json()["items"]
        return figures[0]["left"] == 49 and figures[1]["capacity_left"] == 29

    await factories.until(counted)
    assert_problem(await r.resident.request("POST", f"{base}/end"), 403)
    ended = await r.leader.request("POST", f"{base}/end")
    assert ended.json()["status"] == "ended"
    for room in rooms:
        assert (await room.next("session"))["data"]["status"] == "ended"
        assert await room.closed() == (1000, "ended")
    late = await Room.join(system, r.session_id, r.resident)
    assert (await late.closed())[0] == 4409

    replay = (await r.resident.request("GET", f"{base}/replay")).json()
    assert [h["title"] for h in replay["highlights"]] == ["开箱试吃", "开场"]  # by offset, then as marked
    summary = replay["summary"]
    assert (summary["peak_viewers"], summary["orders"], summary["sign_ups"], summary["leads"]) == (2, 1, 1, 1)
    assert [o["votes"] for o in summary["polls"][0]["options"]] == [1, 0, 0]
    assert replay["replay_url"] is None
    made = await r.leader.request("POST", f"{base}/replay", json={"replay_url": "https://vod.example.com/r.m3u8"})
    assert made.json()["status"] == "replay"
    assert (await r.resident.request("GET", f"{base}/replay")).json()["replay_url"] == "https://vod.example.com/r.m3u8"
    assert_problem(await r.outsider.request("GET", f"{base}/replay"), 403)

    async def ended_event() -> list[object]:
        return await published(system, "livestream.session.ended", subject=r.session_id)

    (announced,) = await factories.until(ended_event)
    assert (announced.data.peak_viewers, announced.data.orders, announced.data.sign_ups, announced.data.leads) == (
        2,
        1,
        1,
        1,
    )
