"""Partner API keys: only a provider's owner creates them, they are shown once and listed without
their secrets, and a revoked key (by its owner or an operator) opens nothing any more."""

from __future__ import annotations

import httpx
import pytest

from deploy.processes import LocalSystem
from tests import factories
from tests.e2e.test_bad_input import assert_problem
from tests.factories import Directory, PartnerKey


@pytest.fixture
async def directory(gateway: httpx.AsyncClient, system: LocalSystem) -> Directory:
    return await Directory.build(gateway, system)


async def keys_of(d: Directory) -> list[dict[str, object]]:
    response = await d.owner.request("GET", "/api/v1/api-keys", params={"provider_id": d.provider["id"]})
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_only_the_owner_creates_keys(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    d = directory
    body = {"provider_id": d.provider["id"], "name": "前台系统"}
    stranger = await factories.person(gateway, system)
    operator = await factories.operator(gateway, system)
    assert_problem(await stranger.request("POST", "/api/v1/api-keys", json=body), 404)
    # The leader vetting the provider sees who owns it, and is not its owner.
    assert_problem(await d.leader.request("POST", "/api/v1/api-keys", json=body), 403)
    assert_problem(await operator.request("POST", "/api/v1/api-keys", json=body), 403)
    assert_problem(await gateway.post("/api/v1/api-keys", json=body), 401)
    assert await keys_of(d) == []

    created = await factories.api_key(d.owner, d.provider["id"])
    assert created["key"].startswith(f"lk_{created['id']}_") and len(created["key"]) > 60
    assert created["signing_secret"].startswith("whsec_")
    assert created["provider_id"] == d.provider["id"] and created["created_by"] == d.owner.user_id


async def test_bad_key_requests_change_nothing(directory: Directory) -> None:
    d = directory
    for body in (
        {"provider_id": "not-an-id"},
        {"provider_id": d.provider["id"], "name": "长" * 81},
        {"name": "无主"},
    ):
        assert_problem(await d.owner.request("POST", "/api/v1/api-keys", json=body), 422)
    assert_problem(
        await d.owner.request("POST", "/api/v1/api-keys", content=b"{", headers={"content-type": "application/json"}),
        400,
    )
    assert await keys_of(d) == []


async def test_keys_are_listed_without_their_secrets(
    directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    d = directory
    created = await factories.api_key(d.owner, d.provider["id"])
    [listed] = await keys_of(d)
    assert listed["prefix"] == f"lk_{created['id']}_{created['key'].split('_', 2)[2][:4]}…"
    assert listed["last_used_at"] is None and listed["revoked_at"] is None
    assert not {"key", "signing_secret", "secret_digest"} & listed.keys()
    assert created["key"] not in str(listed) and created["signing_secret"] not in str(listed)

    me = await PartnerKey(gateway, created).request("GET", "/partner/v1/me")
    assert me.json() == {"key_id": created["id"], "provider_id": d.provider["id"]}
    [used] = await keys_of(d)
    assert used["last_used_at"] is not None

    params = {"provider_id": d.provider["id"]}
    stranger = await factories.person(gateway, system)
    assert_problem(await stranger.request("GET", "/api/v1/api-keys", params=params), 404)
    assert_problem(await d.leader.request("GET", "/api/v1/api-keys", params=params), 403)
    operator = await factories.operator(gateway, system)
    assert [k["id"] for k in (await operator.request("GET", "/api/v1/api-keys", params=params)).json()] == [
        created["id"]
    ]


async def test_a_revoked_key_is_refused(directory: Directory, gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    d = directory
    first = await factories.partner_key(gateway, d.owner, d.provider["id"])
    second = await factories.partner_key(gateway, d.owner, d.provider["id"])
    hooks = await factories.subscription(first, "http://127.0.0.1:9/hooks")

    stranger = await factories.person(gateway, system)
    assert_problem(await stranger.request("DELETE", f"/api/v1/api-keys/{first.key['id']}"), 404)
    assert_problem(await d.leader.request("DELETE", f"/api/v1/api-keys/{first.key['id']}"), 403)
    assert (await first.request("GET", "/partner/v1/me")).status_code == 200

    revoked = await d.owner.request("DELETE", f"/api/v1/api-keys/{first.key['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert_problem(await first.request("GET", "/partner/v1/me"), 401)
    assert_problem(await gateway.get("/partner/v1/me", headers={"X-Api-Key": first.key["key"]}), 401)
    assert_problem(await first.request("GET", "/partner/v1/subscriptions"), 401)

    # Its subscription can no longer be signed for: disabled, with a notice the provider's other keys see.
    [subscription] = (await second.request("GET", "/partner/v1/subscriptions")).json()
    assert subscription["id"] == hooks["id"] and subscription["status"] == "disabled"
    [notice] = (await second.request("GET", "/partner/v1/notices")).json()
    assert notice["subscription_id"] == hooks["id"] and notice["kind"] == "subscription_disabled"
    enable = await second.request("PATCH", f"/partner/v1/subscriptions/{hooks['id']}", json={"enabled": True})
    assert_problem(enable, 409)

    # Operators revoke any key.
    operator = await factories.operator(gateway, system)
    assert (await operator.request("DELETE", f"/api/v1/api-keys/{second.key['id']}")).status_code == 200
    assert_problem(await second.request("GET", "/partner/v1/me"), 401)


async def test_a_key_must_be_whole(directory: Directory, gateway: httpx.AsyncClient) -> None:
    d = directory
    key = (await factories.api_key(d.owner, d.provider["id"]))["key"]
    for wrong in ("", "lk_", key[:-1], key + "x", key.replace("lk_", "sk_"), f"lk_{'0' * 32}_{key[-20:]}"):
        headers = {"X-Api-Key": wrong} if wrong else {}
        assert_problem(await gateway.get("/partner/v1/me", headers=headers), 401)
    assert (await gateway.get("/partner/v1/me", headers={"X-Api-Key": key})).status_code == 200
