"""Regulated categories need papers an operator verified: without them nothing is listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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


async def test_a_regulated_listing_needs_papers_an_operator_verified(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    clinic_owner = await factories.person(gateway, system)
    clinic = await factories.provider(clinic_owner, name="仁心社区诊所")
    consult = await factories.offering(
        clinic_owner,
        clinic["id"],
        name="健康轻问诊",
        category="health_consultation",
        price_model="free",
        price_fen=None,
    )
    listing = await factories.application(clinic_owner, clinic["id"], directory.community_id)
    await factories.move(directory.leader, listing["id"], "under_review")
    await factories.move(directory.leader, listing["id"], "trial")
    note = await directory.leader.request(
        "POST", f"/api/v1/listings/{listing['id']}/trial-note", json={"note": "医生耐心"}
    )
    assert note.status_code == 200
    path = f"/api/v1/listings/{listing['id']}/transitions"
    refused = assert_problem(await directory.leader.request("POST", path, json={"to": "listed", "reason": "好"}), 422)
    assert refused["missing_domains"] == ["health"]

    papers = await factories.qualification(clinic_owner, clinic["id"])
    assert papers["status"] == "pending"
    assert_problem(await directory.leader.request("POST", path, json={"to": "listed", "reason": "好"}), 422)
    decision = f"/api/v1/qualifications/{papers['id']}/decision"
    for who in (directory.resident, clinic_owner, directory.leader):
        assert_problem(await who.request("POST", decision, json={"verified": True}), 403)
    listed = (await directory.leader.request("GET", f"/api/v1/listings/{listing['id']}")).json()
    assert listed["state"] == "trial"

    operator = await factories.operator(gateway, system)
    verified = await operator.request("POST", decision, json={"verified": True})
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    assert verified.json()["decided_by"] == operator.user_id
    assert_problem(await operator.request("POST", decision, json={"verified": False}), 409)
    assert (await factories.move(directory.leader, listing["id"], "listed", "资质齐全"))["state"] == "listed"
    found = await directory.resident.request(
        "GET",
        "/api/v1/directory/search",
        params={"community_id": directory.community_id, "category": "health_consultation"},
    )
    assert [i["offering_id"] for i in found.json()["items"]] == [consult["id"]]
    events = await events_about(system.nats_url, papers["id"], at_least=2)
    assert [e["type"] for e in events] == ["catalog.qualification.submitted", "catalog.qualification.verified"]
    assert events[1]["data"]["domain"] == "health" and events[1]["actor_id"] == operator.user_id
    papers_list = (await directory.leader.request("GET", f"/api/v1/providers/{clinic['id']}/qualifications")).json()
    assert [p["id"] for p in papers_list] == [papers["id"]]


async def test_papers_that_have_expired_are_refused(directory: Directory) -> None:
    path = f"/api/v1/providers/{directory.provider['id']}/qualifications"
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    body = {"domain": "education", "kind": "教师资格证", "number": "2019-31-0001", "issuer": "上海市教委"}
    assert_problem(await directory.owner.request("POST", path, json=body | {"valid_until": yesterday}), 422)
    assert_problem(await directory.owner.request("POST", path, json=body | {"valid_until": "someday"}), 422)
    assert_problem(await directory.owner.request("POST", path, json=body | {"domain": "astrology"}), 422)
    assert_problem(await directory.resident.request("POST", path, json=body | {"valid_until": "2099-01-01"}), 403)
    assert (await directory.owner.request("GET", path)).json() == []


async def test_a_listed_provider_adds_regulated_offerings_only_with_papers(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    provider_id = directory.provider["id"]
    tutoring = factories.offering_body(provider_id, name="钢琴陪练", category="interest_class")
    refused = assert_problem(await directory.owner.request("POST", "/api/v1/offerings", json=tutoring), 422)
    assert refused["missing_domains"] == ["education"]
    path = f"/api/v1/offerings/{directory.offering['id']}"
    assert_problem(await directory.owner.request("PATCH", path, json={"category": "tutoring"}), 422)
    unchanged = (await directory.owner.request("GET", path)).json()
    assert unchanged["category"] == "housekeeping"
    assert (await directory.owner.request("GET", f"{path}/changes")).json() == []
    operator = await factories.operator(gateway, system)
    await factories.qualification(directory.owner, provider_id, domain="education", verified_by=operator)
    assert (await directory.owner.request("POST", "/api/v1/offerings", json=tutoring)).status_code == 201
