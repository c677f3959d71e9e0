"""Providers and their offerings (HSDS shape), the change log, assurance, and bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.processes import LocalSystem
from tests import factories
from tests.catalog.streams import events_about
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory


@pytest.fixture
async def directory(gateway: httpx.AsyncClient, system: LocalSystem) -> Directory:
    return await Directory.build(gateway, system)


async def test_an_offering_in_the_shape_of_hsds(directory: Directory) -> None:
    o = directory.offering
    assert o["provider_id"] == directory.provider["id"]
    assert (o["category"], o["category_label"]) == ("housekeeping", "家政保洁")
    assert (o["price_model"], o["price_fen"], o["capacity"], o["slot_minutes"]) == ("fixed", 29900, 2, 180)
    assert o["status"] == "active" and o["schedule"].startswith("DTSTART;TZID=Asia/Shanghai:")
    assert (o["free_cancellation_hours"], o["late_cancellation_fee_fen"]) == (24, None)
    assert (o["rating_avg"], o["rating_count"], o["assured_at"]) == (0.0, 0, None)
    talent = await factories.provider(
        directory.resident, kind="talent", name="王老师", home_community_id=directory.community_id
    )
    tutoring = await factories.offering(
        directory.resident,
        talent["id"],
        name="小学数学辅导",
        category="tutoring",
        price_model="hourly",
        price_fen=8000,
        min_age=6,
        max_age=12,
        late_cancellation_fee_percent=50,
        free_cancellation_hours=12,
    )
    assert (tutoring["min_age"], tutoring["max_age"], tutoring["late_cancellation_fee_percent"]) == (6, 12, 50)
    categories = (await directory.resident.request("GET", "/api/v1/directory/categories")).json()
    regulated = {c["category"]: c["regulated"] for c in categories}
    assert regulated["tutoring"] == "education" and regulated["health_consultation"] == "health"
    assert regulated["housekeeping"] is None


async def test_every_update_logs_who_changed_which_field_when(directory: Directory, system: LocalSystem) -> None:
    offering_id = directory.offering["id"]
    r = await directory.owner.request(
        "PATCH", f"/api/v1/offerings/{offering_id}", json={"price_fen": 32900, "capacity": 3, "name": "上门深度保洁"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["price_fen"], r.json()["capacity"]) == (32900, 3)
    r = await directory.owner.request(
        "PATCH", f"/api/v1/providers/{directory.provider['id']}", json={"name": "阳光家政", "description": "十年老店"}
    )
    assert r.status_code == 200 and r.json()["name"] == "阳光家政"
    assured = await directory.leader.request("POST", f"/api/v1/offerings/{offering_id}/assure")
    assert assured.status_code == 200 and assured.json()["assured_by"] == directory.leader.user_id

    changes = (await directory.leader.request("GET", f"/api/v1/offerings/{offering_id}/changes")).json()
    rows = [(c["field"], c["old_value"], c["new_value"], c["changed_by"]) for c in changes]
    assert rows[:2] == [
        ("price_fen", 29900, 32900, directory.owner.user_id),
        ("capacity", 2, 3, directory.owner.user_id),
    ]
    assert [(f, who) for f, _, _, who in rows[2:]] == [
        ("assured_at", directory.leader.user_id),
        ("assured_by", directory.leader.user_id),
    ]
    assert all(c["changed_at"] for c in changes)
    provider_changes = (
        await directory.owner.request("GET", f"/api/v1/providers/{directory.provider['id']}/changes")
    ).json()
    assert [(c["field"], c["old_value"], c["new_value"]) for c in provider_changes] == [
        ("name", "阳光家政服务社", "阳光家政"),
        ("description", "十年老店，持证保洁员", "十年老店"),
    ]
    # Residents read the offering, not its change log; the rename is searchable at once.
    assert_problem(await directory.resident.request("GET", f"/api/v1/offerings/{offering_id}/changes"), 403)
    found = await directory.resident.request(
        "GET", "/api/v1/directory/search", params={"community_id": directory.community_id, "q": "阳光家政"}
    )
    assert [i["offering_id"] for i in found.json()["items"]] == [offering_id]
    events = await events_about(system.nats_url, offering_id, at_least=3)
    assert [e["type"] for e in events] == ["catalog.offering.created", *["catalog.offering.updated"] * 2]
    assert events[1]["data"]["changed"] == ["price_fen", "capacity"] and events[1]["data"]["capacity"] == 3


async def test_residents_never_see_a_providers_phone(directory: Directory) -> None:
    path = f"/api/v1/providers/{directory.provider['id']}"
    as_resident = (await directory.resident.request("GET", path)).json()
    assert "contact_phone" not in as_resident and "owner_id" not in as_resident
    assert (await directory.leader.request("GET", path)).json()["contact_phone"] == "+8613912345678"
    assert (await directory.owner.request("GET", path)).json()["contact_phone"] == "+8613912345678"
    params = {"community_id": directory.community_id}
    for browse in ("search", "guide"):
        r = await directory.resident.request("GET", f"/api/v1/directory/{browse}", params=params)
        assert r.status_code == 200 and "13912345678" not in r.text


BAD_OFFERINGS: list[dict[str, Any]] = [
    {"price_fen": -100},
    {"price_model": "fixed", "price_fen": None},
    {"price_model": "free", "price_fen": 100},
    {"price_model": "barter"},
    {"category": "astrology"},
    {"capacity": 0},
    {"min_age": 60, "max_age": 18},
    {"late_cancellation_fee_fen": 500, "late_cancellation_fee_percent": 10},
    {"schedule": "RRULE:FREQ=WEEKLY;BYDAY=SA"},  # no DTSTART
    {"schedule": "DTSTART:20300101T090000\nRRULE:FREQ=WEEKLY"},  # no time zone
    {"schedule": "DTSTART:20300101T090000Z\nRRULE:FREQ=WEEKLY;BYDAY=XX"},
    {"schedule": "DTSTART:20300101T090000Z\nRRULE:FREQ=MINUTELY"},
    {"schedule": "DTSTART:20300101T090000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"},  # never: refused, not spun
    {"schedule": "DTSTART:20200101T090000Z\nRRULE:FREQ=WEEKLY;UNTIL=20200301T000000Z"},  # over
    {"schedule": factories.weekly_schedule("FREQ=DAILY;BYHOUR=8,9,10,11,12,13,14,15")},  # too many slots
]


@pytest.mark.parametrize("bad", BAD_OFFERINGS)
async def test_bad_offerings_are_refused_and_change_nothing(directory: Directory, bad: dict[str, Any]) -> None:
    provider_id = directory.provider["id"]
    r = await directory.owner.request("POST", "/api/v1/offerings", json=factories.offering_body(provider_id, **bad))
    assert_problem(r, 422)
    updated = await directory.owner.request("PATCH", f"/api/v1/offerings/{directory.offering['id']}", json=bad)
    assert_problem(updated, 422)
    offerings = (await directory.owner.request("GET", f"/api/v1/providers/{provider_id}/offerings")).json()
    assert offerings == [directory.offering | {"updated_at": offerings[0]["updated_at"]}]
    assert offerings[0]["updated_at"] == directory.offering["updated_at"]
    changes = await directory.owner.request("GET", f"/api/v1/offerings/{directory.offering['id']}/changes")
    assert changes.json() == []


async def test_required_fields_cannot_be_cleared_and_defunct_is_final(directory: Directory) -> None:
    path = f"/api/v1/offerings/{directory.offering['id']}"
    assert_problem(await directory.owner.request("PATCH", path, json={"name": None}), 422)
    assert_problem(
        await directory.owner.request("PATCH", f"/api/v1/providers/{directory.provider['id']}", json={"name": None}),
        422,
    )
    assert_problem(await directory.owner.request("POST", "/api/v1/providers", json={"kind": "organisation"}), 422)
    bad_phone = {"kind": "talent", "name": "李师傅", "contact_phone": "call me"}
    assert_problem(await directory.owner.request("POST", "/api/v1/providers", json=bad_phone), 422)
    closed = await directory.owner.request("PATCH", path, json={"status": "defunct"})
    assert closed.status_code == 200 and closed.json()["status"] == "defunct"
    assert_problem(await directory.owner.request("PATCH", path, json={"status": "active"}), 409)
    # A quote offering without a price, or a free one, is fine.
    quote = await directory.owner.request(
        "POST",
        "/api/v1/offerings",
        json=factories.offering_body(directory.provider["id"], price_model="quote", price_fen=None, schedule=None),
    )
    assert quote.status_code == 201, quote.text


async def test_only_the_provider_changes_it(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    offering_path = f"/api/v1/offerings/{directory.offering['id']}"
    provider_path = f"/api/v1/providers/{directory.provider['id']}"
    for who in (directory.leader, directory.resident):
        assert_problem(await who.request("PATCH", offering_path, json={"price_fen": 1}), 403)
        assert_problem(await who.request("PATCH", provider_path, json={"name": "x"}), 403)
        body = factories.offering_body(directory.provider["id"])
        assert_problem(await who.request("POST", "/api/v1/offerings", json=body), 403)
    assert_problem(await directory.resident.request("POST", f"{offering_path}/assure"), 403)
    assert_problem(await directory.owner.request("POST", f"{offering_path}/assure"), 403)  # a third party assures
    operator = await factories.operator(gateway, system)
    assert (await operator.request("POST", f"{offering_path}/assure")).status_code == 200
    assert (await directory.owner.request("GET", "/api/v1/providers")).json()[0]["id"] == directory.provider["id"]
