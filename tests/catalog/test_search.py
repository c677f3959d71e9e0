"""Search and browse for residents: listed, active offerings of their community only, by category,
Chinese words, rating and availability, a stable order a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from deploy.client import Session
from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory

SHANGHAI = timezone(timedelta(hours=8))


@dataclass
class Street:
    """A community with a cleaner (weekends), a piano teacher (Mon and Wed evenings, papers verified)
    and a handyman (by inquiry) listed, a barber who only applied, and a retired offering."""

    d: Directory
    cleaning: dict[str, Any]
    piano: dict[str, Any]
    repair: dict[str, Any]


@pytest.fixture
async def street(gateway: httpx.AsyncClient, system: LocalSystem) -> Street:
    d = await Directory.build(gateway, system)
    operator = await factories.operator(gateway, system)
    teacher = await factories.person(gateway, system)
    school = await factories.provider(teacher, kind="talent", name="周老师琴房")
    await factories.qualification(teacher, school["id"], domain="education", kind="教师资格证", verified_by=operator)
    piano = await factories.offering(
        teacher,
        school["id"],
        name="少儿钢琴课",
        category="interest_class",
        description="一对一钢琴启蒙，考级辅导",
        price_model="hourly",
        price_fen=15000,
        schedule=factories.weekly_schedule("FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=19"),
        min_age=5,
    )
    await factories.listed(teacher, d.leader, school["id"], d.community_id)
    handyman = await factories.person(gateway, system)
    shop = await factories.provider(handyman, kind="talent", name="李师傅")
    repair = await factories.offering(
        handyman,
        shop["id"],
        name="家电维修",
        category="repair",
        description="空调清洗、洗衣机维修",
        price_model="quote",
        price_fen=None,
        schedule=None,
    )
    retired = await factories.offering(handyman, shop["id"], name="修自行车", category="repair")
    await handyman.request("PATCH", f"/api/v1/offerings/{retired['id']}", json={"status": "inactive"})
    await factories.listed(handyman, d.leader, shop["id"], d.community_id)
    barber = await factories.person(gateway, system)
    salon = await factories.provider(barber, name="街角理发店")
    await factories.offering(barber, salon["id"], name="上门理发", category="haircut", description="保洁")
    await factories.application(barber, salon["id"], d.community_id)
    return Street(d, d.offering, piano, repair)


async def find(who: Session, community_id: str, **params: Any) -> list[str]:
    r = await who.request("GET", "/api/v1/directory/search", params={"community_id": community_id, **params})
    assert r.status_code == 200, r.text
    return [item["offering_id"] for item in r.json()["items"]]


def next_weekday(weekday: int, hour: int) -> datetime:
    """The first such weekday (0 = Monday) at least two days ahead, at `hour` Shanghai time."""
    day = datetime.now(SHANGHAI).replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(days=2)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


async def test_by_category_and_words(street: Street) -> None:
    d, c = street.d, street.d.community_id
    everything = await find(d.resident, c)
    assert sorted(everything) == sorted([street.cleaning["id"], street.piano["id"], street.repair["id"]])
    assert await find(d.resident, c, category="repair") == [street.repair["id"]]
    assert await find(d.resident, c, category="haircut") == []  # the barber only applied
    assert await find(d.resident, c, q="保洁") == [street.cleaning["id"]]
    assert await find(d.resident, c, q="上门保洁") == [street.cleaning["id"]]
    assert await find(d.resident, c, q="钢琴") == [street.piano["id"]]
    assert await find(d.resident, c, q="考级") == [street.piano["id"]]
    assert await find(d.resident, c, q="李师傅") == [street.repair["id"]]  # the provider's name
    assert await find(d.resident, c, q="兴趣课堂") == [street.piano["id"]]  # the category's label
    assert await find(d.resident, c, q="空调", category="repair") == [street.repair["id"]]
    assert await find(d.resident, c, q="钢琴 保洁") == []  # every word must match
    assert await find(d.resident, c, q="自行车") == []  # inactive
    assert_problem(
        await d.resident.request("GET", "/api/v1/directory/search", params={"community_id": c, "q": "！？"}), 422
    )


async def test_by_availability(street: Street) -> None:
    d, c = street.d, street.d.community_id
    saturday = next_weekday(5, 0)
    weekend = {"available_from": saturday.isoformat(), "available_to": (saturday + timedelta(days=2)).isoformat()}
    assert await find(d.resident, c, **weekend) == [street.cleaning["id"]]
    monday = next_weekday(0, 18)
    evening = {"available_from": monday.isoformat(), "available_to": (monday + timedelta(hours=2)).isoformat()}
    assert await find(d.resident, c, **evening) == [street.piano["id"]]
    r = await d.resident.request("GET", "/api/v1/directory/search", params={"community_id": c, **evening})
    [card] = r.json()["items"]
    assert datetime.fromisoformat(card["next_slot_at"]) == monday + timedelta(hours=1)
    assert card["reach"] == {"action": "book", "href": f"/api/v1/bookings?offering_id={street.piano['id']}"}
    # The cleaner moves to weekdays: the weekend no longer finds it.
    weekdays = factories.weekly_schedule("FREQ=WEEKLY;BYDAY=MO,TU;BYHOUR=9")
    r = await d.owner.request("PATCH", f"/api/v1/offerings/{street.cleaning['id']}", json={"schedule": weekdays})
    assert r.status_code == 200, r.text
    assert await find(d.resident, c, **weekend) == []


async def test_by_rating_in_a_stable_order_a_page_at_a_time(street: Street) -> None:
    d, c = street.d, street.d.community_id
    everything = await find(d.resident, c)
    assert everything == sorted(everything)  # all unrated (0 until reviews): by id
    assert await find(d.resident, c, min_rating=0) == everything
    assert await find(d.resident, c, min_rating=0.5) == []
    pages, offset = [], 0
    while offset is not None:
        r = await d.resident.request(
            "GET", "/api/v1/directory/search", params={"community_id": c, "limit": 2, "offset": offset}
        )
        pages.append([i["offering_id"] for i in r.json()["items"]])
        offset = r.json()["next_offset"]
    assert pages == [everything[:2], everything[2:]]


@pytest.mark.parametrize(
    "params",
    [
        {"available_from": "2030-01-01T09:00:00"},
        {"available_from": "2030-01-01T09:00:00", "available_to": "2030-01-01T10:00:00"},
        {"available_from": "2030-01-01T09:00:00+08:00", "available_to": "2030-01-01T10:00:00+08:00"},
        {"min_rating": 6},
        {"limit": 0},
        {"limit": 101},
        {"category": "astrology"},
        {"q": "x" * 51},
        {"community_id": "not-an-id"},
    ],
)
async def test_bad_searches(street: Street, params: dict[str, Any]) -> None:
    r = await street.d.resident.request(
        "GET", "/api/v1/directory/search", params={"community_id": street.d.community_id, **params}
    )
    assert_problem(r, 422)


async def test_windows_are_bounded(street: Street) -> None:
    start = next_weekday(0, 9)
    for end in (start - timedelta(hours=1), start + timedelta(days=32)):
        params = {"community_id": street.d.community_id, "available_from": start.isoformat()}
        r = await street.d.resident.request(
            "GET", "/api/v1/directory/search", params={**params, "available_to": end.isoformat()}
        )
        assert_problem(r, 422)


async def test_residents_of_other_communities_see_nothing(
    street: Street, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    stranger = await factories.person(gateway, system)
    neighbour = await factories.person(gateway, system)
    other = await factories.community(neighbour, name="幸福里")
    for who in (stranger, neighbour):
        for browse in ("search", "guide"):
            r = await who.request("GET", f"/api/v1/directory/{browse}", params={"community_id": street.d.community_id})
            assert_problem(r, 403)
    assert await find(neighbour, other["id"]) == []  # the street's providers are not listed there
    assert_problem(await neighbour.request("GET", f"/api/v1/offerings/{street.piano['id']}"), 404)
