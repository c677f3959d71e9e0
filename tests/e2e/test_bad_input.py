"""Bad input and foreign users get clear 4xx problem documents and change nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import jwt
import pytest

from deploy.client import read_sms_code
from deploy.processes import LocalSystem
from shared.auth import Principal, issue_access_token
from shared.settings import LOCAL_JWT_PRIVATE_KEY, LOCAL_JWT_PUBLIC_KEY
from tests import factories
from tests.factories import Neighbourhood
from tests.keys import new_private_key

UNKNOWN_ID = "0" * 32


@pytest.fixture
async def hood(gateway: httpx.AsyncClient, system: LocalSystem) -> Neighbourhood:
    return await Neighbourhood.build(gateway, system)


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    doc = response.json()
    assert doc["status"] == status and doc["title"] and doc["detail"] and doc["type"].startswith("https://")
    assert "Traceback" not in response.text
    return dict(doc)


async def assert_unchanged(hood: Neighbourhood) -> None:
    deal = (await hood.leader.request("GET", f"/api/v1/deals/{hood.deal['id']}")).json()
    assert deal["sold"] == 0 and deal["available"] == deal["stock"]
    assert (await hood.resident.request("GET", "/api/v1/orders")).json() == []


async def test_malformed_json(hood: Neighbourhood) -> None:
    r = await hood.resident.request(
        "POST", "/api/v1/orders", content=b'{"deal_id": ', headers={"content-type": "application/json"}
    )
    assert assert_problem(r, 400)["type"] == "https://linli.dev/problems/malformed-json"
    await assert_unchanged(hood)


@pytest.mark.parametrize(
    "body",
    [
        {"deal_id": "x", "quantity": 1},
        {"quantity": 1},
        {"deal_id": UNKNOWN_ID, "quantity": "two"},
        {"deal_id": UNKNOWN_ID, "quantity": -1},
        [],
    ],
)
async def test_wrong_types_and_missing_fields(hood: Neighbourhood, body: object) -> None:
    r = await hood.resident.request("POST", "/api/v1/orders", json=body)
    doc = assert_problem(r, 422)
    assert doc["errors"], "each invalid field is named"
    await assert_unchanged(hood)


async def test_deal_with_a_past_closing_time_or_naive_time(hood: Neighbourhood) -> None:
    for closes_at in ("2020-01-01T00:00:00+00:00", "2099-01-01T00:00:00"):
        body = factories.deal_body(hood.community_id, hood.product["id"], closes_at=closes_at)
        assert_problem(await hood.leader.request("POST", "/api/v1/deals", json=body), 422)


async def test_unknown_ids(hood: Neighbourhood) -> None:
    assert_problem(await hood.resident.request("GET", f"/api/v1/deals/{UNKNOWN_ID}"), 404)
    assert_problem(await hood.resident.request("GET", f"/api/v1/orders/{UNKNOWN_ID}"), 404)
    assert_problem(
        await hood.resident.request("POST", "/api/v1/orders", json={"deal_id": UNKNOWN_ID, "quantity": 1}), 404
    )
    assert_problem(await hood.resident.request("GET", "/api/v1/nonsense"), 404)
    body = factories.deal_body(hood.community_id, UNKNOWN_ID)
    assert_problem(await hood.leader.request("POST", "/api/v1/deals", json=body), 422)
    assert_problem(
        await hood.resident.request("POST", "/api/v1/communities/join", json={"invite_code": "NOSUCHCODE"}), 404
    )
    await assert_unchanged(hood)


def forged(private_key: str = new_private_key(), **ttl: float) -> str:
    return issue_access_token(private_key, Principal(user_id="someone"), ttl=timedelta(**ttl or {"minutes": 5}))


@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        (None, "Send an access token"),
        ("Bearer garbage", "not valid"),
        (f"Bearer {forged()}", "signature"),
        (f"Bearer {forged(LOCAL_JWT_PRIVATE_KEY, seconds=-1)}", "expired"),
        ("Bearer " + jwt.encode({"sub": "x", "typ": "access"}, LOCAL_JWT_PUBLIC_KEY, algorithm="HS256"), "not valid"),
        ("Basic dXNlcjpwYXNz", "Send an access token"),
    ],
)
async def test_missing_forged_and_expired_tokens(
    hood: Neighbourhood, gateway: httpx.AsyncClient, system: LocalSystem, authorization: str | None, detail: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for method, path, kwargs in [
        ("POST", "/api/v1/orders", {"json": {"deal_id": hood.deal["id"], "quantity": 1}}),
        ("GET", f"/api/v1/deals/{hood.deal['id']}", {}),
        ("GET", "/api/v1/feed", {"params": {"community_id": hood.community_id}}),
    ]:
        doc = assert_problem(await gateway.request(method, path, headers=headers, **kwargs), 401)
        assert detail in str(doc["detail"])
    # Defence in depth: the service itself refuses too when reached directly.
    async with httpx.AsyncClient(base_url=system.url("orders")) as orders:
        assert_problem(
            await orders.post("/orders", json={"deal_id": hood.deal["id"], "quantity": 1}, headers=headers), 401
        )
    await assert_unchanged(hood)


async def test_a_resource_no_service_owns_is_a_404_problem(hood: Neighbourhood, gateway: httpx.AsyncClient) -> None:
    for path in ("/api/v1/spaceships", "/api/v1/spaceships/1/crew"):
        doc = assert_problem(await hood.resident.request("GET", path), 404)
        assert doc["detail"] == "no resource /api/v1/spaceships"


async def test_refresh_token_reuse_logs_the_family_out(gateway: httpx.AsyncClient, system: LocalSystem) -> None:
    someone = await factories.person(gateway, system)
    spent = someone.tokens["refresh_token"]
    await someone.refresh()
    assert_problem(await gateway.post("/api/v1/auth/refresh", json={"refresh_token": spent}), 401)
    fresh = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": someone.tokens["refresh_token"]})
    assert_problem(fresh, 401)  # the reuse revoked the rotated token as well


async def test_wrong_otp_codes_are_limited(gateway: httpx.AsyncClient) -> None:
    phone = factories.new_phone()
    assert (await gateway.post("/api/v1/auth/otp", json={"phone": phone})).status_code == 202
    for _ in range(5):
        assert_problem(await gateway.post("/api/v1/auth/token", json={"phone": phone, "code": "000000"}), 401)
    assert_problem(await gateway.post("/api/v1/auth/token", json={"phone": phone, "code": "000000"}), 429)
    assert_problem(await gateway.post("/api/v1/auth/otp", json={"phone": "12"}), 422)


async def test_a_foreign_user_reaches_nothing_of_another_community(
    hood: Neighbourhood, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    stranger = await factories.person(gateway, system)
    await factories.community(stranger, name="别的小区")  # a leader elsewhere
    await factories.paid_order(hood.resident, hood.deal["id"])
    order = (await hood.resident.request("GET", "/api/v1/orders")).json()[0]
    cid = hood.community_id
    for method, path, kwargs in [
        ("GET", f"/api/v1/communities/{cid}", {}),
        ("GET", f"/api/v1/communities/{cid}/members", {}),
        ("GET", "/api/v1/products", {"params": {"community_id": cid}}),
        ("GET", f"/api/v1/products/{hood.product['id']}", {}),
        ("POST", "/api/v1/products", {"json": {"community_id": cid, "name": "x", "unit": "个", "tags": []}}),
        ("GET", "/api/v1/deals", {"params": {"community_id": cid}}),
        ("GET", f"/api/v1/deals/{hood.deal['id']}", {}),
        ("POST", "/api/v1/deals", {"json": factories.deal_body(cid, hood.product["id"])}),
        ("POST", "/api/v1/orders", {"json": {"deal_id": hood.deal["id"], "quantity": 1}}),
        ("GET", f"/api/v1/orders/{order['id']}", {}),
        ("GET", "/api/v1/sessions", {"params": {"community_id": cid}}),
        ("GET", f"/api/v1/sessions/{hood.session['id']}", {}),
        (
            "POST",
            "/api/v1/sessions",
            {"json": {"community_id": cid, "title": "t", "kind": "sale", "planned_start": "2099-01-01T00:00:00Z"}},
        ),
        ("GET", "/api/v1/recommendations", {"params": {"community_id": cid}}),
        ("GET", "/api/v1/profiles/me", {"params": {"community_id": cid}}),
        ("GET", "/api/v1/feed", {"params": {"community_id": cid}}),
        ("GET", f"/api/v1/communities/{cid}", {}),
    ]:
        assert_problem(await stranger.request(method, path, **kwargs), 403)
    # A resident of the community is not its leader either.
    assert_problem(await hood.resident.request("GET", f"/api/v1/communities/{cid}/members"), 403)
    assert_problem(
        await hood.resident.request("POST", "/api/v1/deals", json=factories.deal_body(cid, hood.product["id"])), 403
    )
    # …and sees no invite code, nor another resident's order.
    assert (await hood.resident.request("GET", f"/api/v1/communities/{cid}")).json()["invite_code"] is None
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, hood.community["invite_code"])
    assert_problem(await neighbour.request("GET", f"/api/v1/orders/{order['id']}"), 403)


async def test_only_services_read_roles(hood: Neighbourhood, system: LocalSystem) -> None:
    async with httpx.AsyncClient(base_url=system.url("community")) as community:
        assert_problem(await community.get(f"/memberships/{hood.leader.user_id}", headers=hood.resident.headers), 403)


async def test_unsigned_payment_callbacks_are_refused(hood: Neighbourhood, gateway: httpx.AsyncClient) -> None:
    order = (
        await hood.resident.request("POST", "/api/v1/orders", json={"deal_id": hood.deal["id"], "quantity": 1})
    ).json()
    body = {"type": "payment.succeeded", "data": {"order_id": order["id"], "payment_id": "x", "amount_fen": 1}}
    forged_headers = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000", "webhook-signature": "v1,AAAA"}
    assert_problem(await gateway.post("/webhooks/payments", json=body, headers=forged_headers), 401)
    assert_problem(await gateway.post("/webhooks/payments", json=body), 401)


async def test_dead_letter_admin_is_for_operators(hood: Neighbourhood, system: LocalSystem) -> None:
    operator = Principal(user_id="op", operator=True)
    async with httpx.AsyncClient(base_url=system.url("matching")) as matching:
        assert_problem(await matching.get("/admin/dead-letters", headers=hood.leader.headers), 403)
        token = issue_access_token(LOCAL_JWT_PRIVATE_KEY, operator)
        listed = await matching.get("/admin/dead-letters", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200 and listed.json() == []
        missing = await matching.post("/admin/dead-letters/999/replay", headers={"Authorization": f"Bearer {token}"})
        assert_problem(missing, 404)


async def test_a_code_and_a_refresh_token_are_spent_once_under_concurrent_use(
    gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    phone = factories.new_phone()
    offset = system.log_path("gateway").stat().st_size
    assert (await gateway.post("/api/v1/auth/otp", json={"phone": phone})).status_code == 202
    code = await read_sms_code(system.log_path("gateway"), phone, after=offset)
    logins = await asyncio.gather(
        *(gateway.post("/api/v1/auth/token", json={"phone": phone, "code": code}) for _ in range(4))
    )
    assert sorted(r.status_code for r in logins) == [200, 401, 401, 401]
    token = next(r for r in logins if r.status_code == 200).json()["refresh_token"]
    refreshes = await asyncio.gather(
        *(gateway.post("/api/v1/auth/refresh", json={"refresh_token": token}) for _ in range(3))
    )
    assert sorted(r.status_code for r in refreshes) == [200, 401, 401]
    winner = next(r for r in refreshes if r.status_code == 200).json()["refresh_token"]
    # The losers' reuse revoked the family, including the winner's new token.
    assert_problem(await gateway.post("/api/v1/auth/refresh", json={"refresh_token": winner}), 401)


async def test_orders_need_an_idempotency_key(hood: Neighbourhood, gateway: httpx.AsyncClient) -> None:
    body = {"deal_id": hood.deal["id"], "quantity": 1}
    doc = assert_problem(await gateway.post("/api/v1/orders", json=body, headers=hood.resident.headers), 400)
    assert "Idempotency-Key" in str(doc["detail"])
    for bad in ('""', "x" * 256):
        headers = {**hood.resident.headers, "Idempotency-Key": bad}
        assert_problem(await gateway.post("/api/v1/orders", json=body, headers=headers), 400)
    await assert_unchanged(hood)


async def test_the_same_key_returns_the_first_result(
    hood: Neighbourhood, gateway: httpx.AsyncClient, system: LocalSystem
) -> None:
    key = {"Idempotency-Key": '"order-1"'}
    body = {"deal_id": hood.deal["id"], "quantity": 2}
    first = await hood.resident.request("POST", "/api/v1/orders", json=body, headers=key)
    again = await hood.resident.request("POST", "/api/v1/orders", json=body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    # Another body under the same key: 422, nothing placed.
    other = await hood.resident.request("POST", "/api/v1/orders", json={**body, "quantity": 1}, headers=key)
    assert_problem(other, 422)
    # An error is replayed too: over the per-person limit (5), then the same request again.
    too_many = {"Idempotency-Key": "order-2"}
    refused = await hood.resident.request("POST", "/api/v1/orders", json={**body, "quantity": 4}, headers=too_many)
    assert_problem(refused, 409)
    replayed = await hood.resident.request("POST", "/api/v1/orders", json={**body, "quantity": 4}, headers=too_many)
    assert replayed.json() == refused.json() and replayed.headers["idempotent-replayed"] == "true"
    # Keys are the caller's own: a neighbour may use the same one.
    neighbour = await factories.person(gateway, system)
    await factories.join(neighbour, hood.community["invite_code"])
    theirs = await neighbour.request("POST", "/api/v1/orders", json=body, headers=key)
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    mine = (await hood.resident.request("GET", "/api/v1/orders")).json()
    assert [o["id"] for o in mine] == [first.json()["id"]]


async def test_concurrent_duplicates_create_one_order(hood: Neighbourhood) -> None:
    key = {"Idempotency-Key": '"tap-tap-tap"'}
    body = {"deal_id": hood.deal["id"], "quantity": 1}
    responses = await asyncio.gather(
        *(hood.resident.request("POST", "/api/v1/orders", json=body, headers=key) for _ in range(8))
    )
    assert {r.status_code for r in responses} <= {201, 409} and 201 in {r.status_code for r in responses}
    assert len({r.json()["id"] for r in responses if r.status_code == 201}) == 1
    assert len((await hood.resident.request("GET", "/api/v1/orders")).json()) == 1
    deal = (await hood.leader.request("GET", f"/api/v1/deals/{hood.deal['id']}")).json()
    assert deal["available"] == deal["stock"] - 1


async def test_a_repeated_payment_callback_pays_once(hood: Neighbourhood, gateway: httpx.AsyncClient) -> None:
    order = await factories.paid_order(hood.resident, hood.deal["id"], quantity=2)  # the provider's own callback
    for attempt in range(2):  # the provider retries, the same message twice
        callback = factories.payment_callback(order, message_id="msg_repeat", payment_id="sim_again")
        assert (await gateway.post("/webhooks/payments", **callback)).status_code == 204, attempt
    deal = (await hood.leader.request("GET", f"/api/v1/deals/{hood.deal['id']}")).json()
    assert deal["sold"] == 2
    assert (await hood.resident.request("GET", f"/api/v1/orders/{order['id']}")).json()["status"] == "paid"


async def test_concurrent_confirmations_of_one_payment_pay_it_once(
    hood: Neighbourhood, gateway: httpx.AsyncClient
) -> None:
    """Ten callbacks for one payment at once (distinct messages, so distinct events) pay it once."""
    deal = await factories.deal(hood.leader, hood.community_id, hood.product["id"], stock=1)
    order = (await hood.resident.request("POST", "/api/v1/orders", json={"deal_id": deal["id"], "quantity": 1})).json()
    answers = await asyncio.gather(
        *(
            gateway.post(
                "/webhooks/payments", **factories.payment_callback(order, message_id=f"msg_{i}", payment_id="p_race")
            )
            for i in range(10)
        )
    )
    assert {a.status_code for a in answers} == {204}
    await factories.until_status(hood.resident, order["id"], "paid")
    await asyncio.sleep(0.5)  # the other nine are applied as duplicates of the payment
    after = (await hood.leader.request("GET", f"/api/v1/deals/{deal['id']}")).json()
    assert (after["sold"], after["available"]) == (1, 0)
