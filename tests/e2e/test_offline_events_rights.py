"""Offline events: who may do what (members see, organisers edit and check in, a leader of one
community has no power in another, an outsider is refused by every endpoint), and bad input — each
a clear 4xx problem document that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.client import Session
from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import UNKNOWN_ID, assert_problem
from tests.factories import Events


@pytest.fixture
async def hood(gateway: httpx.AsyncClient, system: LocalSystem) -> Events:
    return await Events.build(gateway, system)


def endpoints(community_id: str, event_id: str, user_id: str) -> list[tuple[str, str, Any, bool]]:
    """Every endpoint of offline events with a valid body: (method, path, json, for organisers only)."""
    c, e = f"/api/v1/communities/{community_id}", f"/api/v1/community-events/{event_id}"
    return [
        ("GET", f"{c}/events", None, False),
        ("POST", f"{c}/events", factories.event_body(), True),
        ("GET", f"{c}/highlights", None, False),
        ("GET", f"{c}/organisers", None, False),
        ("POST", f"{c}/organisers", {"user_id": user_id}, True),
        ("DELETE", f"{c}/organisers/{user_id}", None, True),
        ("POST", f"{c}/calendar-feed", None, False),
        ("DELETE", f"{c}/calendar-feed", None, False),
        ("GET", e, None, False),
        ("PATCH", e, {"capacity": 3}, True),
        ("POST", f"{e}/publish", None, True),
        ("POST", f"{e}/close", None, True),
        ("POST", f"{e}/held", None, True),
        ("POST", f"{e}/archive", None, True),
        ("POST", f"{e}/cancel", {"reason": "改期"}, True),
        ("GET", f"{e}/calendar.ics", None, False),
        ("POST", f"{e}/announcements", {"message": "明天见"}, True),
        ("POST", f"{e}/registrations", {}, False),
        ("GET", f"{e}/registrations", None, True),
        ("GET", f"{e}/registrations/me", None, False),
        ("POST", f"{e}/registrations/me/cancel", None, False),
        ("POST", f"{e}/check-ins", {"code": "ABCDEF"}, True),
        ("GET", f"{e}/helpers", None, True),
        ("POST", f"{e}/helpers", {"user_id": user_id}, True),
        ("DELETE", f"{e}/helpers/{user_id}", None, True),
        ("POST", f"{e}/feedback", {"rating": 5}, False),
        ("GET", f"{e}/feedback", None, False),
        ("POST", f"{e}/highlights", {"text": "真热闹"}, True),
    ]


async def snapshot(hood: Events, event_id: str) -> tuple[Any, ...]:
    """What a refused request must not change: the event, its sign-ups, helpers, organisers, highlights."""
    c = f"/api/v1/communities/{hood.community_id}"
    e = f"/api/v1/community-events/{event_id}"
    event = (await hood.leader.request("GET", e)).json()
    return (
        event,
        (await hood.leader.request("GET", f"{e}/registrations")).json(),
        (await hood.leader.request("GET", f"{e}/helpers")).json(),
        (await hood.leader.request("GET", f"{c}/organisers")).json(),
        (await hood.leader.request("GET", f"{c}/highlights")).json(),
        (await hood.leader.request("GET", f"{c}/events?scope=drafts")).json(),
        [e["id"] for e in (await hood.leader.request("GET", f"{c}/events")).json()],
    )


async def test_an_outsider_is_refused_everywhere_and_nothing_changes(hood: Events) -> None:
    """The outsider leads another community: in this one, every endpoint answers 403."""
    event = await factories.offline_event(hood.leader, hood.community_id, capacity=2)
    await factories.register(hood.resident, event["id"])
    before = await snapshot(hood, event["id"])
    for method, path, body, _ in endpoints(hood.community_id, event["id"], hood.resident.user_id):
        assert_problem(await hood.outsider.request(method, path, json=body), 403)
    assert await snapshot(hood, event["id"]) == before


async def test_members_see_but_only_organisers_manage(hood: Events) -> None:
    event = await factories.offline_event(hood.leader, hood.community_id, capacity=2)
    seat = await factories.register(hood.resident, event["id"])
    before = await snapshot(hood, event["id"])
    for method, path, body, organisers_only in endpoints(hood.community_id, event["id"], hood.resident.user_id):
        if not organisers_only:
            continue
        body = {"code": seat["code"]} if path.endswith("check-ins") else body
        assert_problem(await hood.neighbour.request(method, path, json=body), 403)
    assert await snapshot(hood, event["id"]) == before
    for path in ("", "/calendar.ics", "/feedback"):
        assert (await hood.neighbour.request("GET", f"/api/v1/community-events/{event['id']}{path}")).status_code == 200


async def test_a_leader_has_no_power_in_another_community(hood: Events) -> None:
    theirs = await factories.offline_event(hood.outsider, hood.other["id"], capacity=5)
    before = (await hood.outsider.request("GET", f"/api/v1/community-events/{theirs['id']}")).json()
    for method, path, body, _ in endpoints(hood.other["id"], theirs["id"], hood.outsider.user_id):
        assert_problem(await hood.leader.request(method, path, json=body), 403)
    assert (await hood.outsider.request("GET", f"/api/v1/community-events/{theirs['id']}")).json() == before
    # A draft of another community is not even there for a member of this one.
    draft = await factories.offline_event(hood.leader, hood.community_id, draft=True)
    assert_problem(await hood.resident.request("GET", f"/api/v1/community-events/{draft['id']}"), 404)
    assert_problem(await hood.leader.request("GET", f"/api/v1/community-events/{UNKNOWN_ID}"), 404)


def shifted(**changes: Any) -> dict[str, Any]:
    return factories.event_body(**changes)


NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(shifted(ends_at=(NOW + timedelta(days=2)).isoformat()), id="ends-before-it-starts"),
        pytest.param(shifted(capacity=-5), id="negative-capacity"),
        pytest.param(shifted(capacity=0), id="no-seats"),
        pytest.param(shifted(capacity=100_000), id="too-many-seats"),
        pytest.param(shifted(starts_at="2030-01-01T10:00:00"), id="no-time-zone"),
        pytest.param(
            shifted(starts_at=(NOW - timedelta(days=1)).isoformat(), ends_at=(NOW - timedelta(hours=20)).isoformat()),
            id="in-the-past",
        ),
        pytest.param(shifted(kind="party"), id="unknown-kind"),
        pytest.param(shifted(title=""), id="no-title"),
        pytest.param(shifted(place=""), id="no-place"),
        pytest.param(shifted(timezone="Mars/Olympus"), id="unknown-zone"),
        pytest.param(shifted(rrule="FREQ=YEARLY"), id="yearly-rule"),
        pytest.param(shifted(rrule="FREQ=WEEKLY;BYHOUR=3"), id="rule-part-not-taken"),
        pytest.param(shifted(rrule="EVERY SATURDAY"), id="not-a-rule"),
        pytest.param(shifted(rrule="FREQ=WEEKLY;COUNT=600"), id="rule-too-long"),
        pytest.param(shifted(rrule="FREQ=WEEKLY;UNTIL=20300101"), id="until-not-utc"),
        pytest.param(
            shifted(
                starts_at="2030-01-02T19:00:00+08:00", ends_at="2030-01-02T20:00:00+08:00", rrule="FREQ=WEEKLY;BYDAY=SA"
            ),
            id="rule-starts-on-another-day",
        ),
        pytest.param(
            shifted(registration_closes_at=(NOW + timedelta(days=10)).isoformat()), id="sign-up-closes-after-the-end"
        ),
        pytest.param(shifted(questions=["问题"] * 6), id="too-many-questions"),
        pytest.param(shifted(fee_fen=-1), id="negative-fee"),
        pytest.param(shifted(max_companions=11), id="too-many-companions"),
    ],
)
async def test_a_bad_event_is_refused(hood: Events, body: dict[str, Any]) -> None:
    r = await hood.leader.request("POST", f"/api/v1/communities/{hood.community_id}/events", json=body)
    assert_problem(r, 422)
    for scope in ("upcoming", "drafts"):
        listed = await hood.leader.request("GET", f"/api/v1/communities/{hood.community_id}/events?scope={scope}")
        assert listed.json() == []


async def test_bad_edits_change_nothing(hood: Events) -> None:
    event = await factories.offline_event(hood.leader, hood.community_id, capacity=2)
    await factories.register(hood.resident, event["id"], companions=1)  # both seats
    path = f"/api/v1/community-events/{event['id']}"
    before = (await hood.leader.request("GET", path)).json()
    starts = datetime.fromisoformat(event["starts_at"])
    for body, status in [
        ({"ends_at": (starts - timedelta(hours=1)).isoformat()}, 422),
        ({"capacity": -1}, 422),
        ({"capacity": 1}, 409),  # two seats are taken
        ({"starts_at": (NOW - timedelta(days=1)).isoformat()}, 422),
        ({"rrule": "FREQ=HOURLY"}, 422),
        ({"community_id": hood.other["id"]}, 422),  # an event stays in its community
        ({"questions": ["孩子几岁？"]}, 409),  # fixed once someone signed up
    ]:
        assert_problem(await hood.leader.request("PATCH", path, json=body), status)
    assert (await hood.leader.request("GET", path)).json() == before


async def test_bad_sign_ups_change_nothing(hood: Events, gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    event = await factories.offline_event(
        hood.leader, hood.community_id, capacity=3, max_companions=1, questions=["孩子几岁？"]
    )
    path = f"/api/v1/community-events/{event['id']}"
    for body in ({"companions": 2, "answers": ["5岁"]}, {"answers": []}, {"answers": ["5岁", "6岁"]}):
        assert_problem(await hood.resident.request("POST", f"{path}/registrations", json=body), 422)
    for body in ({"companions": -1, "answers": ["5岁"]}, {"answers": [""]}, {"answers": "5岁"}):
        assert_problem(await hood.resident.request("POST", f"{path}/registrations", json=body), 422)
    malformed = await hood.resident.request(
        "POST", f"{path}/registrations", content=b'{"answers": ', headers={"content-type": "application/json"}
    )
    assert_problem(malformed, 400)
    await factories.register(hood.resident, event["id"], answers=["5岁"])
    assert_problem(await hood.resident.request("POST", f"{path}/registrations", json={"answers": ["5岁"]}), 409)
    assert (await hood.leader.request("POST", f"{path}/close")).status_code == 200
    late = await hood.neighbour.request("POST", f"{path}/registrations", json={"answers": ["7岁"]})
    assert "closed" in assert_problem(late, 409)["detail"]
    assert_problem(await hood.neighbour.request("POST", f"{path}/registrations/me/cancel"), 404)
    lines = (await hood.leader.request("GET", f"{path}/registrations")).json()
    assert [(p["user_id"], p["status"]) for p in lines] == [(hood.resident.user_id, "registered")]
    view = (await hood.leader.request("GET", path)).json()
    assert (view["seats_taken"], view["waitlisted"]) == (1, 0)
    assert_problem(await hood.leader.request("POST", f"{path}/registrations", json={"answers": ["1岁"]}), 409)
    await _bad_door_and_feedback(hood, event, gateway, system)


async def _bad_door_and_feedback(
    hood: Events, event: dict[str, Any], gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    path = f"/api/v1/community-events/{event['id']}"
    for body, status in [({"code": ""}, 422), ({"code": "ZZZZZZ"}, 404), ({}, 422)]:
        assert_problem(await hood.leader.request("POST", f"{path}/check-ins", json=body), status)
    # Feedback from a member who did not take part, and malformed feedback from one who did not either.
    for body, status in [({"rating": 5}, 403), ({"rating": 6}, 422), ({"rating": 0}, 422)]:
        assert_problem(await hood.resident.request("POST", f"{path}/feedback", json=body), status)
    photos = {"rating": 4, "photos": ["http://insecure.example.com/a.jpg"]}
    assert_problem(await hood.resident.request("POST", f"{path}/feedback", json=photos), 422)
    assert (await hood.resident.request("GET", f"{path}/feedback")).json()["count"] == 0
    # Organisers and helpers are members of the community.
    stranger: Session = await factories.person(gateway, system)
    assert_problem(await hood.leader.request("POST", f"{path}/helpers", json={"user_id": stranger.user_id}), 422)
    c = f"/api/v1/communities/{hood.community_id}"
    assert_problem(await hood.leader.request("POST", f"{c}/organisers", json={"user_id": stranger.user_id}), 422)
    assert_problem(await hood.leader.request("POST", f"{c}/organisers", json={"user_id": "me"}), 422)
    assert (await hood.leader.request("GET", f"{path}/helpers")).json() == []
    assert (await hood.leader.request("GET", f"{c}/organisers")).json() == []
