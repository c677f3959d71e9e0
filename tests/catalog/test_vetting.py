"""Vetting: the workflow's allowed transitions, who may make them and why (a provider withdraws its
own listing), complaints that put a listing back under review (each announced without who filed
it), endorsements, and the community's service guide."""

from __future__ import annotations

import httpx
import pytest

from deploy.client import Session
from deploy.processes import LocalSystem
from tests import factories
from tests.catalog.streams import events_about
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory


@pytest.fixture
async def directory(gateway: httpx.AsyncClient, system: LocalSystem) -> Directory:
    return await Directory.build(gateway, system)


async def history(who: Session, listing_id: str) -> list[tuple[str | None, str, str | None, str, str]]:
    r = await who.request("GET", f"/api/v1/listings/{listing_id}/history")
    assert r.status_code == 200, r.text
    return [(h["from_state"], h["to_state"], h["actor_id"], h["actor_role"], h["reason"]) for h in r.json()]


async def test_every_transition_records_who_and_why(directory: Directory, system: LocalSystem) -> None:
    listing = directory.listing
    assert listing["state"] == "listed" and listing["trial_note"] == "准时到，做得仔细，价格公道"
    assert listing["trial_note_by"] == directory.leader.user_id
    owner, leader = directory.owner.user_id, directory.leader.user_id
    expected = [
        (None, "applied", owner, "provider", "想为小区邻居服务"),
        ("applied", "under_review", leader, "leader", "资料齐全，开始审核"),
        ("under_review", "trial", leader, "leader", "先请来家里试一次"),
        ("trial", "listed", leader, "leader", "试用满意"),
    ]
    assert await history(directory.leader, listing["id"]) == expected
    assert await history(directory.owner, listing["id"]) == expected
    assert_problem(await directory.resident.request("GET", f"/api/v1/listings/{listing['id']}/history"), 403)
    events = await events_about(system.nats_url, listing["id"], at_least=4)
    assert [e["type"] for e in events] == [
        "catalog.listing.applied",
        "catalog.listing.under_review",
        "catalog.listing.trial",
        "catalog.listing.listed",
    ]
    assert events[-1]["data"] | {"listing_id": None} == {
        "listing_id": None,
        "provider_id": directory.provider["id"],
        "community_id": directory.community_id,
        "from_state": "trial",
        "reason": "试用满意",
    }
    assert events[-1]["actor_id"] == leader and events[-1]["community_id"] == directory.community_id
    mine = (await directory.owner.request("GET", f"/api/v1/providers/{directory.provider['id']}/listings")).json()
    assert [m["id"] for m in mine] == [listing["id"]]
    listings = await directory.leader.request(
        "GET", "/api/v1/listings", params={"community_id": directory.community_id}
    )
    assert [m["id"] for m in listings.json()] == [listing["id"]]


async def test_only_allowed_transitions(directory: Directory) -> None:
    other = await factories.provider(directory.owner, name="好邻居维修")
    listing = await factories.application(directory.owner, other["id"], directory.community_id)
    path = f"/api/v1/listings/{listing['id']}/transitions"

    async def refused(to: str, status: int = 409) -> None:
        r = await directory.leader.request("POST", path, json={"to": to, "reason": "试试"})
        doc = assert_problem(r, status)
        if status == 409 and "allowed" in doc:
            assert isinstance(doc["allowed"], list)

    for to in ("listed", "trial", "suspended", "applied"):
        await refused(to)
    assert_problem(await directory.owner.request("POST", path, json={"to": "listed", "reason": "自荐"}), 403)
    await factories.move(directory.leader, listing["id"], "under_review")
    await factories.move(directory.leader, listing["id"], "trial")
    await refused("listed")  # no trial note yet
    note = f"/api/v1/listings/{listing['id']}/trial-note"
    assert_problem(await directory.owner.request("POST", note, json={"note": "很好"}), 403)
    assert_problem(await directory.leader.request("POST", note, json={"note": ""}), 422)
    assert (await directory.leader.request("POST", note, json={"note": "修得好"})).status_code == 200
    await factories.move(directory.leader, listing["id"], "terminated", "不合适")
    for to in ("applied", "under_review", "listed"):
        await refused(to)
    assert_problem(await directory.leader.request("POST", note, json={"note": "再写"}), 409)
    assert_problem(await directory.leader.request("POST", path, json={"to": "listed", "reason": ""}), 422)
    assert_problem(await directory.leader.request("POST", path, json={"to": "closed", "reason": "x"}), 422)
    assert [h[1] for h in await history(directory.leader, listing["id"])] == [
        "applied",
        "under_review",
        "trial",
        "terminated",
    ]
    again = await directory.owner.request(
        "POST", "/api/v1/listings", json={"provider_id": other["id"], "community_id": directory.community_id}
    )
    assert_problem(again, 409)


async def test_leaders_and_operators_suspend_residents_and_providers_do_not(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    path = f"/api/v1/listings/{directory.listing['id']}/transitions"
    for who in (directory.resident, directory.owner):
        assert_problem(await who.request("POST", path, json={"to": "suspended", "reason": "不好"}), 403)
    operator = await factories.operator(gateway, system)
    suspended = await factories.move(operator, directory.listing["id"], "suspended", "平台核查中")
    assert suspended["state"] == "suspended"
    # Relisting is the leader's call, not the operator's.
    assert_problem(await operator.request("POST", path, json={"to": "listed", "reason": "核查完毕"}), 403)
    assert_problem(await directory.resident.request("GET", f"/api/v1/listings/{directory.listing['id']}"), 404)
    search = {"community_id": directory.community_id}
    found = await directory.resident.request("GET", "/api/v1/directory/search", params=search)
    assert found.json()["items"] == []
    relisted = await factories.move(directory.leader, directory.listing["id"], "listed", "核查完毕，恢复")
    assert relisted["state"] == "listed"
    found = await directory.resident.request("GET", "/api/v1/directory/search", params=search)
    assert [i["offering_id"] for i in found.json()["items"]] == [directory.offering["id"]]
    roles = [(h[1], h[3]) for h in await history(directory.owner, directory.listing["id"])][-2:]
    assert roles == [("suspended", "operator"), ("listed", "leader")]


async def test_complaints_past_the_threshold_put_a_listing_under_review(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    path = f"/api/v1/listings/{directory.listing['id']}/complaints"
    neighbours = [directory.resident]
    for _ in range(2):
        neighbour = await factories.person(gateway, system)
        await factories.join(neighbour, directory.community["invite_code"])
        neighbours.append(neighbour)
    first = await neighbours[0].request("POST", path, json={"reason": "迟到一小时"})
    assert first.status_code == 201 and first.json()["status"] == "open"
    assert_problem(await neighbours[0].request("POST", path, json={"reason": "又迟到"}), 409)  # one each
    assert_problem(await neighbours[1].request("POST", path, json={"reason": " "}), 422)
    assert_problem(await directory.owner.request("POST", path, json={"reason": "我自己"}), 403)
    assert (await neighbours[1].request("POST", path, json={"reason": "没打扫干净"})).status_code == 201
    listing = await directory.leader.request("GET", f"/api/v1/listings/{directory.listing['id']}")
    assert listing.json()["state"] == "listed"  # two of three
    third = await neighbours[2].request("POST", path, json={"reason": "态度差"})
    assert third.status_code == 201
    listing = await directory.leader.request("GET", f"/api/v1/listings/{directory.listing['id']}")
    assert listing.json()["state"] == "under_review"
    assert (await history(directory.leader, directory.listing["id"]))[-1] == (
        "listed",
        "under_review",
        None,
        "system",
        "3 open complaints",
    )
    filed = await events_about(system.nats_url, third.json()["id"])
    assert [(e["type"], e["actor_id"], e["community_id"]) for e in filed] == [
        ("catalog.complaint.filed", None, directory.community_id)
    ]
    assert filed[0]["data"] == {
        "complaint_id": third.json()["id"],
        "listing_id": directory.listing["id"],
        "provider_id": directory.provider["id"],
        "community_id": directory.community_id,
        "open_complaints": 3,
    }
    first_filed = await events_about(system.nats_url, first.json()["id"])
    assert first_filed[0]["data"]["open_complaints"] == 1
    assert not any(n.user_id in str(e) for n in neighbours for e in (*filed, *first_filed)), "who complained"
    # The resident no longer finds it (nor complains about it); the leader reads every complaint.
    assert_problem(await neighbours[0].request("POST", path, json={"reason": "再投诉"}), 404)
    all_complaints = (await directory.leader.request("GET", path)).json()
    assert [c["resident_id"] for c in all_complaints] == [n.user_id for n in neighbours]
    resolved = await directory.leader.request(
        "POST", f"/api/v1/complaints/{all_complaints[0]['id']}/resolve", json={"note": "已沟通，服务商道歉"}
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert_problem(
        await directory.leader.request(
            "POST", f"/api/v1/complaints/{all_complaints[0]['id']}/resolve", json={"note": "again"}
        ),
        409,
    )
    relisted = await factories.move(directory.leader, directory.listing["id"], "listed", "整改完成")
    assert relisted["state"] == "listed"  # back from review without a second trial: it had one
    own = (await neighbours[1].request("GET", path)).json()
    assert [c["resident_id"] for c in own] == [neighbours[1].user_id]
    assert_problem(
        await neighbours[1].request(
            "POST", f"/api/v1/complaints/{all_complaints[1]['id']}/resolve", json={"note": "算了"}
        ),
        403,
    )


async def test_a_provider_withdraws_its_own_listing(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    path = f"/api/v1/listings/{directory.listing['id']}/transitions"
    rival_owner = await factories.person(gateway, system)
    await factories.provider(rival_owner, name="隔壁家政")
    assert_problem(await rival_owner.request("POST", path, json={"to": "terminated", "reason": "抢走"}), 404)
    assert_problem(await directory.resident.request("POST", path, json={"to": "terminated", "reason": "走吧"}), 403)
    for to in ("suspended", "under_review"):  # only to leave, nothing else
        assert_problem(await directory.owner.request("POST", path, json={"to": to, "reason": "我自己来"}), 403)
    assert_problem(await directory.owner.request("POST", path, json={"to": "terminated", "reason": ""}), 422)

    withdrawn = await factories.move(directory.owner, directory.listing["id"], "terminated", "人手不够，暂不服务本小区")
    assert withdrawn["state"] == "terminated"
    assert (await history(directory.leader, directory.listing["id"]))[-1] == (
        "listed",
        "terminated",
        directory.owner.user_id,
        "provider",
        "人手不够，暂不服务本小区",
    )
    assert_problem(await directory.owner.request("POST", path, json={"to": "terminated", "reason": "再来"}), 409)
    found = await directory.resident.request(
        "GET", "/api/v1/directory/search", params={"community_id": directory.community_id}
    )
    assert found.json()["items"] == []
    [event] = (await events_about(system.nats_url, directory.listing["id"], at_least=5))[4:]
    assert (event["type"], event["actor_id"]) == ("catalog.listing.terminated", directory.owner.user_id)

    # An application is withdrawn the same way, before any leader looked at it.
    other = await factories.provider(directory.owner, name="好邻居维修")
    applied = await factories.application(directory.owner, other["id"], directory.community_id)
    assert (await factories.move(directory.owner, applied["id"], "terminated", "填错小区"))["state"] == "terminated"


async def test_endorsements_by_the_communitys_leader(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    body = {"provider_id": directory.provider["id"], "community_id": directory.community_id, "note": "我家用了三年"}
    assert_problem(await directory.resident.request("POST", "/api/v1/endorsements", json=body), 403)
    elsewhere = await factories.person(gateway, system)
    await factories.community(elsewhere, name="幸福里")
    assert_problem(await elsewhere.request("POST", "/api/v1/endorsements", json=body), 403)
    operator = await factories.operator(gateway, system)
    assert_problem(await operator.request("POST", "/api/v1/endorsements", json=body), 403)
    assert_problem(await directory.leader.request("POST", "/api/v1/endorsements", json=body | {"note": ""}), 422)

    endorsed = await directory.leader.request("POST", "/api/v1/endorsements", json=body)
    assert endorsed.status_code == 201, endorsed.text
    endorsement = endorsed.json()
    assert endorsement["leader_id"] == directory.leader.user_id and endorsement["note"] == "我家用了三年"
    assert_problem(await directory.leader.request("POST", "/api/v1/endorsements", json=body), 409)

    unlisted = await factories.provider(directory.owner, name="新来的家政")
    await factories.application(directory.owner, unlisted["id"], directory.community_id)
    not_yet = body | {"provider_id": unlisted["id"]}
    assert_problem(await directory.leader.request("POST", "/api/v1/endorsements", json=not_yet), 409)

    params = {"community_id": directory.community_id}
    [card] = (await directory.resident.request("GET", "/api/v1/directory/search", params=params)).json()["items"]
    assert [(e["leader_id"], e["note"]) for e in card["endorsements"]] == [(directory.leader.user_id, "我家用了三年")]
    shown = (await directory.resident.request("GET", "/api/v1/endorsements", params=params)).json()
    assert [e["id"] for e in shown] == [endorsement["id"]]

    withdraw = f"/api/v1/endorsements/{endorsement['id']}/withdraw"
    assert_problem(await directory.resident.request("POST", withdraw), 403)
    assert_problem(await elsewhere.request("POST", withdraw), 404)
    withdrawn = await directory.leader.request("POST", withdraw)
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    assert_problem(await directory.leader.request("POST", withdraw), 409)
    [card] = (await directory.resident.request("GET", "/api/v1/directory/search", params=params)).json()["items"]
    assert card["endorsements"] == []
    events = await events_about(system.nats_url, endorsement["id"], at_least=2)
    assert [e["type"] for e in events] == ["catalog.endorsement.added", "catalog.endorsement.withdrawn"]


async def test_the_community_guide_lists_endorsed_providers_by_category(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    handyman = await factories.person(gateway, system)
    talent = await factories.provider(handyman, kind="talent", name="李师傅", contact_phone="+8613700001111")
    repair = await factories.offering(
        handyman,
        talent["id"],
        name="家电维修",
        category="repair",
        description="空调、洗衣机、热水器",
        price_model="quote",
        price_fen=None,
        schedule=None,
    )
    await factories.listed(handyman, directory.leader, talent["id"], directory.community_id)
    unendorsed = await factories.person(gateway, system)
    salon = await factories.provider(unendorsed, name="街角理发店")
    await factories.offering(unendorsed, salon["id"], name="剪发", category="haircut", price_fen=3000)
    await factories.listed(unendorsed, directory.leader, salon["id"], directory.community_id)
    for provider_id, note in ((directory.provider["id"], "做得仔细"), (talent["id"], "楼里的老师傅")):
        body = {"provider_id": provider_id, "community_id": directory.community_id, "note": note}
        assert (await directory.leader.request("POST", "/api/v1/endorsements", json=body)).status_code == 201

    r = await directory.resident.request(
        "GET", "/api/v1/directory/guide", params={"community_id": directory.community_id}
    )
    assert r.status_code == 200, r.text
    guide = r.json()
    assert guide["title"] == "阳光花园 社区生活服务指南" and guide["community_name"] == "阳光花园"
    sections = {s["category"]: s for s in guide["sections"]}
    assert list(sections) == ["housekeeping", "repair"]  # the salon is listed but not endorsed
    assert sections["repair"]["label"] == "家电维修"
    [fix] = sections["repair"]["entries"]
    assert fix["offering_id"] == repair["id"] and fix["provider"]["name"] == "李师傅"
    assert fix["reach"] == {"action": "inquire", "href": f"/api/v1/inquiries?offering_id={repair['id']}"}
    assert [e["note"] for e in fix["endorsements"]] == ["楼里的老师傅"]
    [clean] = sections["housekeeping"]["entries"]
    assert clean["reach"]["action"] == "book" and clean["next_slot_at"]
    assert "13700001111" not in r.text and "13912345678" not in r.text
