"""Foreign users against every endpoint of the service directory: a stranger (no community) and a
leader of another community get 403 or 404 everywhere, and nothing changes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory


@pytest.fixture
async def directory(gateway: httpx.AsyncClient, system: LocalSystem) -> Directory:
    return await Directory.build(gateway, system)


def endpoints(d: Directory, ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any], int]]:
    """(method, path, body or params, the status a foreign user gets) for every directory endpoint."""
    provider, offering, listing = d.provider["id"], d.offering["id"], d.listing["id"]
    community = {"community_id": d.community_id}
    return [
        ("GET", f"/api/v1/providers/{provider}", {}, 404),
        ("PATCH", f"/api/v1/providers/{provider}", {"name": "抢来的"}, 404),
        ("GET", f"/api/v1/providers/{provider}/changes", {}, 404),
        ("GET", f"/api/v1/providers/{provider}/offerings", {}, 404),
        ("GET", f"/api/v1/providers/{provider}/listings", {}, 404),
        ("GET", f"/api/v1/providers/{provider}/qualifications", {}, 404),
        (
            "POST",
            f"/api/v1/providers/{provider}/qualifications",
            {"domain": "health", "kind": "假证", "number": "1", "issuer": "无", "valid_until": "2099-01-01"},
            404,
        ),
        ("POST", "/api/v1/offerings", factories.offering_body(provider), 404),
        ("GET", f"/api/v1/offerings/{offering}", {}, 404),
        ("PATCH", f"/api/v1/offerings/{offering}", {"price_fen": 1}, 404),
        ("POST", f"/api/v1/offerings/{offering}/assure", {}, 404),
        ("GET", f"/api/v1/offerings/{offering}/changes", {}, 404),
        ("POST", f"/api/v1/qualifications/{ids['qualification']}/decision", {"verified": True}, 403),
        ("POST", "/api/v1/listings", {"provider_id": provider, **community}, 404),
        ("GET", "/api/v1/listings", community, 403),
        ("GET", f"/api/v1/listings/{listing}", {}, 404),
        ("POST", f"/api/v1/listings/{listing}/transitions", {"to": "suspended", "reason": "捣乱"}, 404),
        ("POST", f"/api/v1/listings/{listing}/trial-note", {"note": "捣乱"}, 404),
        ("GET", f"/api/v1/listings/{listing}/history", {}, 404),
        ("POST", f"/api/v1/listings/{listing}/complaints", {"reason": "捣乱"}, 404),
        ("GET", f"/api/v1/listings/{listing}/complaints", {}, 404),
        ("POST", f"/api/v1/complaints/{ids['complaint']}/resolve", {"note": "捣乱"}, 404),
        ("POST", "/api/v1/endorsements", {"provider_id": provider, **community, "note": "好"}, 403),
        ("GET", "/api/v1/endorsements", community, 403),
        ("POST", f"/api/v1/endorsements/{ids['endorsement']}/withdraw", {}, 404),
        ("GET", "/api/v1/directory/search", community, 403),
        ("GET", "/api/v1/directory/guide", community, 403),
    ]


async def snapshot(d: Directory) -> list[Any]:
    """Everything the foreign users aim at, as its owners see it."""
    reads = [
        (d.owner, f"/api/v1/providers/{d.provider['id']}", {}),
        (d.owner, f"/api/v1/providers/{d.provider['id']}/offerings", {}),
        (d.owner, f"/api/v1/providers/{d.provider['id']}/qualifications", {}),
        (d.owner, f"/api/v1/providers/{d.provider['id']}/changes", {}),
        (d.leader, f"/api/v1/listings/{d.listing['id']}", {}),
        (d.leader, f"/api/v1/listings/{d.listing['id']}/history", {}),
        (d.leader, f"/api/v1/listings/{d.listing['id']}/complaints", {}),
        (d.leader, "/api/v1/endorsements", {"community_id": d.community_id}),
    ]
    return [(await who.request("GET", path, params=params)).json() for who, path, params in reads]


async def test_foreign_users_get_nothing_anywhere(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    d = directory
    papers = await factories.qualification(d.owner, d.provider["id"], domain="education")
    complaint = await d.resident.request(
        "POST", f"/api/v1/listings/{d.listing['id']}/complaints", json={"reason": "迟到"}
    )
    endorsement = await d.leader.request(
        "POST",
        "/api/v1/endorsements",
        json={"provider_id": d.provider["id"], "community_id": d.community_id, "note": "靠谱"},
    )
    ids = {"qualification": papers["id"], "complaint": complaint.json()["id"], "endorsement": endorsement.json()["id"]}
    stranger = await factories.person(gateway, system)
    other_leader = await factories.person(gateway, system)
    await factories.community(other_leader, name="幸福里")
    before = await snapshot(d)

    def sent(method: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {"params": payload} if method == "GET" else {"json": payload}

    for who in (stranger, other_leader):
        for method, path, payload, status in endpoints(d, ids):
            assert_problem(await who.request(method, path, **sent(method, payload)), status)
    for method, path, payload, _ in endpoints(d, ids):
        assert_problem(await gateway.request(method, path, **sent(method, payload)), 401)
    assert await snapshot(d) == before
