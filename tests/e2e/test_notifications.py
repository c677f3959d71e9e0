"""The notification inbox through the real system: what happens in community and matching reaches the
people it concerns, in their inbox (unread counts, read, read all) and live over server-sent events
(resumed with Last-Event-ID); preferences stop a kind; no one reads another person's notifications."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from deploy.client import Session, until
from deploy.processes import LocalSystem
from services.gateway.notifications.models import Kind
from tests import factories
from tests.e2e.stream import published
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Events

N = "/api/v1/notifications"
Frames = asyncio.Queue[dict[str, Any]]


@contextlib.asynccontextmanager
async def listening(member: Session, last_event_id: int | None = None) -> AsyncIterator[Frames]:
    """The member's stream, open (the gateway listens for them) until the block ends; its events as
    {"id", "event", "data"}."""
    headers = member.headers | ({"Last-Event-ID": str(last_event_id)} if last_event_id else {})
    frames: Frames = asyncio.Queue()
    timeout = httpx.Timeout(15.0, read=60.0)
    async with member.http.stream("GET", f"{N}/stream", headers=headers, timeout=timeout) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        assert await anext(lines) == "retry: 3000"

        async def read() -> None:
            frame: dict[str, Any] = {}
            async for line in lines:
                if line.startswith(("id: ", "event: ")):
                    key, _, value = line.partition(": ")
                    frame[key] = int(value) if key == "id" else value
                elif line.startswith("data: "):
                    frame["data"] = json.loads(line.removeprefix("data: "))
                elif not line and frame:
                    await frames.put(frame)
                    frame = {}

        reader = asyncio.create_task(read())
        try:
            yield frames
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def next_frame(frames: Frames) -> dict[str, Any]:
    return await asyncio.wait_for(frames.get(), timeout=10)


async def inbox(member: Session, **params: Any) -> dict[str, Any]:
    response = await member.request("GET", N, params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def unread(member: Session) -> dict[str, Any]:
    return dict((await member.request("GET", f"{N}/unread-count")).json())


async def items_of(member: Session, kind: str, at_least: int = 1) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]] | None:
        found = [n for n in (await inbox(member, limit=100))["items"] if n["kind"] == kind]
        return found if len(found) >= at_least else None

    return list(await until(read))


async def test_an_offer_reaches_the_owner_live_and_in_the_inbox(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    hood = await Events.build(gateway, system)
    item = await factories.swap(hood.resident, hood.community_id)
    async with listening(hood.resident) as frames:
        offer = await factories.offer(hood.neighbour, item["id"])
        frame = await next_frame(frames)
    notification = frame["data"]
    assert (frame["event"], frame["id"]) == ("notification", notification["id"])
    assert notification["kind"] == "swap_offer" and notification["read_at"] is None
    assert notification["link"] == f"/api/v1/swaps/{item['id']}/offers"
    assert notification["data"] == {"swap_id": item["id"], "offer_id": offer["id"], "community_id": hood.community_id}
    assert notification["title"] and notification["title_en"]

    assert (await inbox(hood.resident))["items"] == [notification]
    assert await unread(hood.resident) == {"total": 1, "by_kind": {"swap_offer": 1}}
    assert (await inbox(hood.neighbour))["items"] == []  # the one who offered is not told

    # Someone else's notification is as unknown as one that does not exist.
    read = f"{N}/{notification['id']}/read"
    for stranger in (hood.outsider, hood.neighbour):
        assert_problem(await stranger.request("POST", read), 404)
    assert_problem(await hood.resident.request("POST", f"{N}/999999999/read"), 404)
    assert (await unread(hood.resident))["total"] == 1

    marked = await hood.resident.request("POST", read)
    assert marked.status_code == 200 and marked.json()["read_at"]
    assert await unread(hood.resident) == {"total": 0, "by_kind": {}}
    assert (await inbox(hood.resident, unread="true"))["items"] == []

    announced = await until(lambda: published(system, "gateway.notification.created", subject=str(notification["id"])))
    assert announced[0].data.user_id == hood.resident.user_id and announced[0].data.kind == "swap_offer"


async def test_a_reconnect_with_last_event_id_misses_nothing(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    hood = await Events.build(gateway, system)
    items = [await factories.swap(hood.resident, hood.community_id) for _ in range(4)]
    async with listening(hood.resident) as frames:
        await factories.offer(hood.neighbour, items[0]["id"])
        seen = (await next_frame(frames))["id"]
    for item in items[1:3]:  # while the app is away
        await factories.offer(hood.neighbour, item["id"])
    await items_of(hood.resident, "swap_offer", at_least=3)
    async with listening(hood.resident, last_event_id=seen) as frames:
        missed = [await next_frame(frames) for _ in range(2)]
        await factories.offer(hood.neighbour, items[3]["id"])
        live = await next_frame(frames)
    assert [f["data"]["data"]["swap_id"] for f in [*missed, live]] == [item["id"] for item in items[1:]]
    assert seen < missed[0]["id"] < missed[1]["id"] < live["id"]

    # The inbox pages newest first with an opaque cursor; read-all clears the count.
    first = await inbox(hood.resident, limit=3)
    assert [n["id"] for n in first["items"]] == [live["id"], missed[1]["id"], missed[0]["id"]]
    rest = await inbox(hood.resident, limit=3, cursor=first["next_cursor"])
    assert [n["id"] for n in rest["items"]] == [seen] and rest["next_cursor"] is None
    cleared = await hood.resident.request("POST", f"{N}/read-all")
    assert cleared.json() == {"marked": 4} and (await unread(hood.resident))["total"] == 0


async def test_a_kind_switched_off_is_not_stored(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    hood = await Events.build(gateway, system)
    defaults = (await hood.resident.request("GET", f"{N}/preferences")).json()
    assert defaults["swap_offer"] == {"inbox": True, "push": True} and len(defaults) == len(Kind)
    changed = await hood.resident.request("PUT", f"{N}/preferences", json={"swap_offer": {"inbox": False}})
    assert changed.status_code == 200 and changed.json()["swap_offer"] == {"inbox": False, "push": True}
    assert changed.json()["demand_alert"] == {"inbox": True, "push": True}
    for bad in ({"weather": {"inbox": False}}, {"swap_offer": {"inbox": "maybe"}}, []):
        assert_problem(await hood.resident.request("PUT", f"{N}/preferences", json=bad), 422)
    assert (await hood.resident.request("GET", f"{N}/preferences")).json() == changed.json()

    mine = await factories.swap(hood.resident, hood.community_id)
    theirs = await factories.swap(hood.neighbour, hood.community_id)
    await factories.offer(hood.neighbour, mine["id"])  # switched off
    await factories.offer(hood.resident, theirs["id"])  # after it in the same stream
    await items_of(hood.neighbour, "swap_offer")
    assert (await inbox(hood.resident))["items"] == []

    for bad in ({"cursor": "abc"}, {"cursor": "-1"}, {"limit": 0}, {"unread": "perhaps"}):
        assert_problem(await hood.resident.request("GET", N, params=bad), 422)
    assert_problem(await hood.resident.request("POST", f"{N}/not-a-number/read"), 422)
    bad_resume = await hood.resident.http.get(f"{N}/stream", headers=hood.resident.headers | {"Last-Event-ID": "x"})
    assert_problem(bad_resume, 422)
    assert_problem(await gateway.get(N), 401)
    assert_problem(await gateway.get(f"{N}/stream"), 401)


async def test_waitlist_promotion_and_the_organiser_s_notices(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    hood = await Events.build(gateway, system)
    event = await factories.offline_event(hood.leader, hood.community_id, capacity=1, title="周末烘焙课")
    at = f"/api/v1/community-events/{event['id']}"
    await factories.register(hood.resident, event["id"])
    assert (await factories.register(hood.neighbour, event["id"]))["status"] == "waitlisted"
    cancelled = await hood.resident.request("POST", f"{at}/registrations/me/cancel")
    assert cancelled.status_code == 200, cancelled.text

    [promoted] = await items_of(hood.neighbour, "waitlist_promoted")
    assert promoted["data"]["event_id"] == event["id"] and promoted["data"]["awaiting_payment"] is False
    assert promoted["link"] == f"{at}/registrations/me" and "周末烘焙课" in promoted["body"]
    notices = await items_of(hood.leader, "registration_notice", at_least=3)
    assert [n["data"]["user_id"] for n in notices] == [
        hood.resident.user_id,
        hood.neighbour.user_id,
        hood.resident.user_id,
    ]
    assert (await inbox(hood.resident))["items"] == []  # they did it all themselves


async def test_demand_reaching_its_threshold_alerts_the_leaders(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    leader = await factories.person(gateway, system)
    community = await factories.community(leader, name="需求小区")
    residents = await factories.member_tokens(gateway, community["invite_code"], 10)  # matching's default threshold
    for token in residents:
        response = await gateway.post(
            f"/api/v1/communities/{community['id']}/needs",
            json=factories.need_body(category="tutoring"),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text
    [alert] = await items_of(leader, "demand_alert")
    assert alert["data"]["category"] == "tutoring" and alert["data"]["residents"] >= 10
    assert alert["link"] == f"/api/v1/demand?community_id={community['id']}"


async def test_the_resident_hears_of_their_booking(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = await factories.Directory.build(gateway, system)
    booked = await factories.booking(d.resident, d.community_id, d.offering["id"])
    async with factories.partner(system, d.provider["id"]) as orders:
        confirmed = await orders.post(f"/bookings/{booked['id']}/confirm")
        assert confirmed.status_code == 200, confirmed.text
    [update] = await items_of(d.resident, "booking_update")
    assert (update["title"], update["link"]) == ("预约已确认", f"/api/v1/bookings/{booked['id']}")
    assert update["data"]["booking_id"] == booked["id"]
    cancelled = await d.resident.request("POST", f"/api/v1/bookings/{booked['id']}/cancel", json={"reason": "有事"})
    assert cancelled.status_code == 200, cancelled.text
    later = await factories.booking(d.resident, d.community_id, d.offering["id"])  # its confirmation follows the cancel
    async with factories.partner(system, d.provider["id"]) as orders:
        assert (await orders.post(f"/bookings/{later['id']}/confirm")).status_code == 200
    updates = await items_of(d.resident, "booking_update", at_least=2)
    assert [u["data"]["booking_id"] for u in updates] == [later["id"], booked["id"]]  # not told of their own cancel
