"""Offline events through the gateway: an event's life from draft to archive, sign-up with companions
and answers, the waitlist moving up in order, check-in at the door, no-shows, feedback, highlights on
the community's page, announcements, the participant list as CSV, and iCalendar (one event, and a
member's secret feed URL a phone subscribes to)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from deploy.client import until
from deploy.processes import LocalSystem
from shared.events import Event
from tests import factories
from tests.e2e.stream import published
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Events


@pytest.fixture
async def hood(gateway: httpx.AsyncClient, system: LocalSystem) -> Events:
    return await Events.build(gateway, system)


def at(event_id: str, path: str = "") -> str:
    return f"/api/v1/community-events/{event_id}{path}"


SOON = timedelta(seconds=6)


def soon() -> dict[str, str]:
    """An event starting in a few seconds (sign-up closes then), so a test can see it held."""
    starts = datetime.now(UTC) + SOON
    return {"starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat()}


async def started(event: dict[str, Any]) -> None:
    await asyncio.sleep(max(0.0, (datetime.fromisoformat(event["starts_at"]) - datetime.now(UTC)).total_seconds()))


async def about(system: LocalSystem, event_id: str, at_least: int) -> list[Event[Any]]:
    """Every community event about `event_id`, in the order they were published, once there are `at_least`."""

    async def read() -> list[Event[Any]] | None:
        found = await published(system, "community.>", subject=event_id)
        return found if len(found) >= at_least else None

    return list(await until(read))


async def test_an_event_from_draft_to_archive(hood: Events, system: LocalSystem) -> None:
    draft = await factories.offline_event(hood.leader, hood.community_id, draft=True, **soon())
    assert draft["status"] == "draft" and draft["kind_label"] == "跳蚤市场"
    # Only organisers see a draft; nobody can sign up for it.
    assert_problem(await hood.resident.request("GET", at(draft["id"])), 404)
    assert_problem(await hood.resident.request("POST", at(draft["id"], "/registrations"), json={}), 404)
    drafts = await hood.leader.request("GET", f"/api/v1/communities/{hood.community_id}/events?scope=drafts")
    assert [e["id"] for e in drafts.json()] == [draft["id"]]

    edited = await hood.leader.request("PATCH", at(draft["id"]), json={"capacity": 2, "title": "周六亲子跳蚤市场"})
    assert edited.status_code == 200 and edited.json()["capacity"] == 2
    published_ = await hood.leader.request("POST", at(draft["id"], "/publish"))
    assert published_.status_code == 200 and published_.json()["status"] == "published"
    upcoming = await hood.resident.request("GET", f"/api/v1/communities/{hood.community_id}/events")
    assert [e["title"] for e in upcoming.json()] == ["周六亲子跳蚤市场"]

    event_id = draft["id"]
    seat = await factories.register(hood.resident, event_id)
    assert seat["status"] == "registered" and len(seat["code"]) == 6 and seat["qr"].endswith(seat["code"])
    await factories.register(hood.neighbour, event_id)
    closed = await hood.leader.request("POST", at(event_id, "/close"))
    assert closed.json()["status"] == "closed" and closed.json()["seats_left"] == 0
    assert_problem(await hood.outsider.request("POST", at(event_id, "/registrations"), json={}), 403)

    # At the door: the resident is checked in; the neighbour does not come.
    checked = await hood.leader.request("POST", at(event_id, "/check-ins"), json={"code": seat["qr"]})
    assert checked.status_code == 200 and checked.json()["status"] == "checked_in"
    assert checked.json()["code"] is None  # the code is the participant's own
    assert_problem(await hood.leader.request("POST", at(event_id, "/held")), 409)  # it has not started
    await hood.leader.request("PATCH", at(event_id), json={"place": "南门广场东侧"})
    await started(closed.json())
    held = await hood.leader.request("POST", at(event_id, "/held"))
    assert held.status_code == 200 and held.json()["status"] == "held"
    neighbour = (await hood.neighbour.request("GET", at(event_id, "/registrations/me"))).json()
    assert neighbour["status"] == "no_show"
    archived = await hood.leader.request("POST", at(event_id, "/archive"))
    assert archived.json()["status"] == "archived"
    assert_problem(await hood.leader.request("POST", at(event_id, "/cancel"), json={"reason": "下雨"}), 409)

    # (The events clock may also have sent a reminder meanwhile: the event starts within its lead.)
    events = [e.type for e in await about(system, event_id, 8) if e.type != "community.event.reminder"]
    assert events == [
        "community.event.published",
        "community.event.registered",
        "community.event.registered",
        "community.event.closed",
        "community.event.checked_in",
        "community.event.updated",
        "community.event.held",
        "community.event.archived",
    ]
    [held_event] = await published(system, "community.event.held", subject=event_id)
    assert held_event.data.attended == 1 and held_event.data.no_show_ids == [hood.neighbour.user_id]


async def test_waitlist_moves_up_in_order_when_seats_free(
    hood: Events, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    event = await factories.offline_event(hood.leader, hood.community_id, capacity=3, max_companions=2)
    event_id = event["id"]
    first = await factories.register(hood.resident, event_id, companions=2)  # 3 seats: full
    assert first["status"] == "registered" and first["seats"] == 3
    others = [await factories.person(gateway, system) for _ in range(3)]
    for other in others:
        await factories.join(other, hood.community["invite_code"])
    waiting = [await factories.register(other, event_id) for other in others]
    assert [w["status"] for w in waiting] == ["waitlisted"] * 3
    assert [w["waitlist_position"] for w in waiting] == [1, 2, 3]
    assert all(w["code"] is None for w in waiting)  # no seat, no check-in code
    again = await hood.resident.request("POST", at(event_id, "/registrations"), json={})
    assert assert_problem(again, 409)["registration_id"] == first["id"]

    # The second in line gives up; then the resident cancels: 3 seats go to the others in order.
    gave_up = await others[1].request("POST", at(event_id, "/registrations/me/cancel"))
    assert gave_up.json()["status"] == "cancelled"
    me = (await others[2].request("GET", at(event_id, "/registrations/me"))).json()
    assert me["waitlist_position"] == 2
    cancelled = await hood.resident.request("POST", at(event_id, "/registrations/me/cancel"))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    statuses = [(await o.request("GET", at(event_id, "/registrations/me"))).json() for o in others]
    assert [s["status"] for s in statuses] == ["registered", "cancelled", "registered"]
    assert statuses[0]["code"] and statuses[0]["promoted_at"]
    promoted = await until(lambda: _promoted(system, event_id, 2))
    assert [p.data.user_id for p in promoted] == [others[0].user_id, others[2].user_id]
    assert all(p.data.organiser_id == hood.leader.user_id for p in promoted)
    view = (await hood.resident.request("GET", at(event_id))).json()
    assert (view["seats_taken"], view["waitlisted"], view["seats_left"]) == (2, 0, 1)

    # Signing up again after cancelling is a new arrival: a seat now, at the end of the order.
    back = await factories.register(hood.resident, event_id)
    assert back["status"] == "registered" and back["seq"] == 5 and back["id"] == first["id"]
    cancels = await published(system, "community.registration.cancelled", subject=event_id)
    assert [(c.data.user_id, c.data.was) for c in cancels] == [
        (others[1].user_id, "waitlisted"),
        (hood.resident.user_id, "registered"),
    ]


async def _promoted(system: LocalSystem, event_id: str, n: int) -> list[object] | None:
    found = await published(system, "community.registration.promoted", subject=event_id)
    return found if len(found) >= n else None


async def test_sign_up_questions_fee_and_the_participant_list(hood: Events) -> None:
    event = await factories.offline_event(
        hood.leader, hood.community_id, questions=["孩子几岁？", "有无过敏？"], fee_fen=2000, capacity=10
    )
    event_id = event["id"]
    missing = await hood.resident.request("POST", at(event_id, "/registrations"), json={"answers": ["5岁"]})
    assert assert_problem(missing, 422)["questions"] == ["孩子几岁？", "有无过敏？"]
    seat = await factories.register(hood.resident, event_id, companions=1, answers=["5岁", "花生过敏"])
    assert seat["status"] == "awaiting_payment" and seat["seats"] == 2
    assert seat["code"] is None  # shown once paid
    await factories.register(hood.neighbour, event_id, answers=["7岁", "无"])
    lines = (await hood.leader.request("GET", at(event_id, "/registrations"))).json()
    assert [(p["name"], p["status"], p["answers"]) for p in lines] == [
        ("3栋 王阿姨", "awaiting_payment", ["5岁", "花生过敏"]),
        ("5栋 李叔", "awaiting_payment", ["7岁", "无"]),
    ]
    assert all(p["code"] is None for p in lines)
    r = await hood.leader.request("GET", at(event_id, "/registrations"), params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["seq", "name"] and rows[0][-2:] == ["孩子几岁？", "有无过敏？"]
    assert [row[1] for row in rows[1:]] == ["3栋 王阿姨", "5栋 李叔"]
    assert rows[1][rows[0].index("registered_at")].endswith("+08:00")  # the event's local time
    # Questions and the fee are fixed once someone signed up.
    assert_problem(await hood.leader.request("PATCH", at(event_id), json={"fee_fen": 0}), 409)
    assert_problem(await hood.resident.request("GET", at(event_id, "/registrations")), 403)


async def test_check_in_feedback_and_highlights(hood: Events, system: LocalSystem) -> None:
    event = await factories.offline_event(
        hood.leader, hood.community_id, kind="workshop", title="手作香皂工坊", **soon()
    )
    event_id = event["id"]
    seat = await factories.register(hood.resident, event_id)
    await factories.register(hood.neighbour, event_id)
    # The neighbour is named a helper and checks the resident in by the typed code (any case).
    assert_problem(await hood.neighbour.request("POST", at(event_id, "/check-ins"), json={"code": seat["code"]}), 403)
    helpers = await hood.leader.request("POST", at(event_id, "/helpers"), json={"user_id": hood.neighbour.user_id})
    assert helpers.json() == [hood.neighbour.user_id]
    typed = seat["code"].lower()[:3] + " " + seat["code"].lower()[3:]
    r = await hood.neighbour.request("POST", at(event_id, "/check-ins"), json={"code": typed})
    assert r.status_code == 200 and r.json()["checked_in_at"]
    twice = await hood.leader.request("POST", at(event_id, "/check-ins"), json={"code": seat["code"]})
    assert "already checked in" in assert_problem(twice, 409)["detail"]
    assert_problem(await hood.leader.request("POST", at(event_id, "/check-ins"), json={"code": "ZZZZZZ"}), 404)

    # Feedback: from the attendee only, once; the neighbour (not checked in) may not.
    body = {"rating": 5, "comment": "老师很耐心", "photos": ["https://img.example.com/soap.jpg"]}
    posted = await hood.resident.request("POST", at(event_id, "/feedback"), json=body)
    assert posted.status_code == 201 and posted.json()["name"] == "3栋 王阿姨"
    assert_problem(await hood.resident.request("POST", at(event_id, "/feedback"), json=body), 409)
    assert_problem(await hood.neighbour.request("POST", at(event_id, "/feedback"), json=body), 403)
    summary = (await hood.neighbour.request("GET", at(event_id, "/feedback"))).json()
    assert (summary["count"], summary["average_rating"]) == (1, 5.0)

    # Highlights once it took place; they stay on the community's page.
    highlight = {
        "text": "做了二十块香皂！",
        "photos": ["https://img.example.com/1.jpg"],
        "replay_url": "https://live.example.com/r/1",
    }
    assert_problem(await hood.leader.request("POST", at(event_id, "/highlights"), json=highlight), 409)
    await started(event)
    assert (await hood.leader.request("POST", at(event_id, "/held"))).status_code == 200
    assert_problem(await hood.resident.request("POST", at(event_id, "/highlights"), json=highlight), 403)
    r = await hood.leader.request("POST", at(event_id, "/highlights"), json=highlight)
    assert r.status_code == 201, r.text
    page = (await hood.neighbour.request("GET", f"/api/v1/communities/{hood.community_id}/highlights")).json()
    assert [(h["event_title"], h["text"], h["replay_url"]) for h in page] == [
        ("手作香皂工坊", "做了二十块香皂！", "https://live.example.com/r/1")
    ]
    [feedback_event] = await until(lambda: published(system, "community.event.feedback_posted", subject=event_id))
    assert feedback_event.data.rating == 5


async def test_announcements_and_cancellation_tell_everyone_signed_up(hood: Events, system: LocalSystem) -> None:
    event = await factories.offline_event(hood.leader, hood.community_id, capacity=1)
    event_id = event["id"]
    await factories.register(hood.resident, event_id)
    await factories.register(hood.neighbour, event_id)  # waitlisted
    r = await hood.leader.request("POST", at(event_id, "/announcements"), json={"message": "记得带购物袋"})
    assert r.status_code == 202 and r.json()["recipients"] == 1
    r = await hood.leader.request("POST", at(event_id, "/cancel"), json={"reason": "台风预警，改期再办"})
    assert r.status_code == 200 and r.json()["cancel_reason"] == "台风预警，改期再办"
    [announced] = await until(lambda: published(system, "community.event.announced", subject=event_id))
    assert announced.data.recipient_ids == [hood.resident.user_id] and announced.data.message == "记得带购物袋"
    [cancelled] = await until(lambda: published(system, "community.event.cancelled", subject=event_id))
    assert cancelled.data.recipient_ids == [hood.resident.user_id, hood.neighbour.user_id]
    assert_problem(await hood.neighbour.request("POST", at(event_id, "/registrations/me/cancel")), 409)
    past = (await hood.resident.request("GET", f"/api/v1/communities/{hood.community_id}/events?scope=past")).json()
    assert [e["id"] for e in past] == [event_id]


async def test_a_resident_talent_organises_once_the_leader_allows(hood: Events) -> None:
    assert_problem(
        await hood.resident.request(
            "POST", f"/api/v1/communities/{hood.community_id}/events", json=factories.event_body()
        ),
        403,
    )
    await factories.organiser(hood.leader, hood.community_id, hood.resident)
    listed = (await hood.neighbour.request("GET", f"/api/v1/communities/{hood.community_id}/organisers")).json()
    assert [(o["user_id"], o["name"]) for o in listed] == [(hood.resident.user_id, "3栋 王阿姨")]
    class_ = await factories.offline_event(hood.resident, hood.community_id, kind="culture", title="书法课")
    assert class_["organiser_id"] == hood.resident.user_id
    # The talent edits their own event, not the neighbours'; the leader edits any.
    leaders = await factories.offline_event(hood.leader, hood.community_id)
    assert_problem(await hood.resident.request("PATCH", at(leaders["id"]), json={"capacity": 5}), 403)
    assert (await hood.leader.request("PATCH", at(class_["id"]), json={"capacity": 12})).json()["capacity"] == 12
    # Revoked: no more events, and no longer in charge of their own.
    r = await hood.leader.request(
        "DELETE", f"/api/v1/communities/{hood.community_id}/organisers/{hood.resident.user_id}"
    )
    assert r.status_code == 204
    assert_problem(await hood.resident.request("PATCH", at(class_["id"]), json={"capacity": 5}), 403)
    assert_problem(
        await hood.resident.request(
            "POST", f"/api/v1/communities/{hood.community_id}/events", json=factories.event_body()
        ),
        403,
    )


async def test_icalendar_for_one_event_and_a_secret_feed(hood: Events, gateway: httpx.AsyncClient) -> None:
    class_ = factories.weekly_class()
    weekly = await factories.offline_event(hood.leader, hood.community_id, **class_)
    once = await factories.offline_event(hood.leader, hood.community_id)
    draft = await factories.offline_event(hood.leader, hood.community_id, draft=True, **soon())
    r = await hood.resident.request("GET", at(weekly["id"], "/calendar.ics"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    [vevent] = Calendar.from_ical(r.content).walk("VEVENT")
    assert str(vevent["summary"]) == "周三书法课" and str(vevent["location"]) == "南门广场"
    assert vevent.decoded("dtstart") == datetime.fromisoformat(class_["starts_at"])
    assert str(vevent["dtstart"].params["TZID"]) == "Asia/Shanghai"
    assert vevent["rrule"].to_ical() == b"FREQ=WEEKLY;COUNT=8;BYDAY=WE"
    assert_problem(await hood.outsider.request("GET", at(weekly["id"], "/calendar.ics")), 403)

    feed = await hood.resident.request("POST", f"/api/v1/communities/{hood.community_id}/calendar-feed")
    assert feed.status_code == 201
    url = httpx.URL(feed.json()["url"])
    r = await gateway.get(url.path)  # no bearer: the URL is the credential
    assert r.status_code == 200, r.text
    calendar = Calendar.from_ical(r.content)
    assert str(calendar["x-wr-calname"]) == "阳光花园"
    uids = {str(v["uid"]) for v in calendar.walk("VEVENT")}
    assert uids == {f"{weekly['id']}@linli", f"{once['id']}@linli"}  # not the draft
    assert f"{draft['id']}@linli" not in uids

    # An edit shows in the feed with a new SEQUENCE; a cancelled event leaves it.
    await hood.leader.request("PATCH", at(once["id"]), json={"place": "3号楼活动室"})
    await hood.leader.request("POST", at(weekly["id"], "/cancel"), json={"reason": "老师生病"})
    vevents = Calendar.from_ical((await gateway.get(url.path)).content).walk("VEVENT")
    assert [(str(v["location"]), int(v["sequence"])) for v in vevents] == [("3号楼活动室", 2)]

    # Rotating the URL stops the old one; so does revoking it.
    rotated = await hood.resident.request("POST", f"/api/v1/communities/{hood.community_id}/calendar-feed")
    assert_problem(await gateway.get(url.path), 404)
    new = httpx.URL(rotated.json()["url"])
    assert (await gateway.get(new.path)).status_code == 200
    assert (
        await hood.resident.request("DELETE", f"/api/v1/communities/{hood.community_id}/calendar-feed")
    ).status_code == 204
    assert_problem(await gateway.get(new.path), 404)
    assert_problem(await gateway.get("/api/v1/calendar-feeds/not-a-token.ics"), 422)
    assert_problem(await hood.outsider.request("POST", f"/api/v1/communities/{hood.community_id}/calendar-feed"), 403)
