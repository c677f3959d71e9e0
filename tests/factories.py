"""One place that builds valid test data through the public API (no copied literals in tests)."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from deploy.client import Session, login, until
from deploy.processes import DEMO_OPERATOR_PHONE, LocalSystem
from shared.auth import MODERATOR, RESIDENT, Principal, issue_access_token
from shared.models import new_id
from shared.settings import LOCAL_JWT_PRIVATE_KEY, LOCAL_PAYMENT_WEBHOOK_SECRET


def new_phone() -> str:
    return f"+86139{random.randrange(10**8):08d}"


async def person(gateway: httpx.AsyncClient, system: LocalSystem) -> Session:
    return await login(gateway, new_phone(), sms_log=system.log_path("gateway"))


async def community(leader: Session, **overrides: Any) -> dict[str, Any]:
    body = {"name": "阳光花园", "address": "阳光路 88 号", **overrides}
    response = await leader.request("POST", "/api/v1/communities", json=body)
    assert response.status_code == 201, response.text
    await leader.refresh()  # the new token carries the leader role
    return dict(response.json())


async def join(resident: Session, invite_code: str, display_name: str | None = None) -> dict[str, Any]:
    body = {"invite_code": invite_code} | ({"display_name": display_name} if display_name else {})
    response = await resident.request("POST", "/api/v1/communities/join", json=body)
    assert response.status_code == 200, response.text
    await resident.refresh()
    return dict(response.json())


async def rename(member: Session, community_id: str, display_name: str) -> dict[str, Any]:
    response = await member.request(
        "PATCH", f"/api/v1/communities/{community_id}/members/me", json={"display_name": display_name}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def product(leader: Session, community_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "community_id": community_id,
        "name": "有机婴儿米粉",
        "unit": "盒",
        "tags": ["infant", "organic"],
        **overrides,
    }
    response = await leader.request("POST", "/api/v1/products", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def deal_body(community_id: str, product_id: str, **overrides: Any) -> dict[str, Any]:
    closes = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    return {
        "community_id": community_id,
        "product_id": product_id,
        "price_fen": 3990,
        "stock": 50,
        "per_person_limit": 5,
        "closes_at": closes,
        **overrides,
    }


async def deal(leader: Session, community_id: str, product_id: str, **overrides: Any) -> dict[str, Any]:
    async def publish() -> httpx.Response | None:
        # orders learns the product from catalog's event, so the first tries may find it unknown (422).
        r = await leader.request("POST", "/api/v1/deals", json=deal_body(community_id, product_id, **overrides))
        assert r.status_code in (201, 422), r.text
        return r if r.status_code == 201 else None

    response = await until(publish)
    return dict(response.json())


async def draft(leader: Session, community_id: str, product_id: str, **overrides: Any) -> dict[str, Any]:
    """A deal kept as a draft (only its leaders see it until it is published)."""
    return await deal(leader, community_id, product_id, draft=True, **overrides)


async def live_session(leader: Session, community_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "community_id": community_id,
        "title": "儿科医生聊辅食添加",
        "kind": "expert_talk",
        "planned_start": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        "topics": ["parenting"],
        **overrides,
    }
    response = await leader.request("POST", "/api/v1/sessions", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def pickup_point(leader: Session, community_id: str, **overrides: Any) -> dict[str, Any]:
    body = {"community_id": community_id, "name": "南门", "address": "阳光路 88 号南门", **overrides}
    response = await leader.request("POST", "/api/v1/pickup-points", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def paid_order(buyer: Session, deal_id: str, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    response = await buyer.request("POST", "/api/v1/orders", json={"deal_id": deal_id, "quantity": quantity, **extra})
    assert response.status_code == 201, response.text
    return await until_status(buyer, response.json()["id"], "paid")


async def until_status(buyer: Session, order_id: str, status: str) -> dict[str, Any]:
    """The order once it has `status` (payments and refunds are applied from events, a moment later)."""

    async def reached() -> dict[str, Any] | None:
        order = (await buyer.request("GET", f"/api/v1/orders/{order_id}")).json()
        return order if order["status"] == status else None

    return dict(await until(reached))


def payment_callback(
    order: dict[str, Any], *, message_id: str, payment_id: str, amount_fen: int | None = None
) -> dict[str, Any]:
    """A payment provider's signed `payment.succeeded` callback for `order`, as httpx request arguments."""
    data = {"order_id": order["id"], "payment_id": payment_id, "amount_fen": amount_fen or order["amount_fen"]}
    body = json.dumps({"type": "payment.succeeded", "data": data})
    now = datetime.now(UTC)
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(LOCAL_PAYMENT_WEBHOOK_SECRET).sign(message_id, now, body),
        "content-type": "application/json",
    }
    return {"content": body, "headers": headers}


class Neighbourhood:
    """A community with a leader, a resident, an infant product on an open deal and a parenting session."""

    leader: Session
    resident: Session
    community: dict[str, Any]
    product: dict[str, Any]
    deal: dict[str, Any]
    session: dict[str, Any]

    @classmethod
    async def build(cls, gateway: httpx.AsyncClient, system: LocalSystem) -> Neighbourhood:
        n = cls()
        n.leader = await person(gateway, system)
        n.community = await community(n.leader)
        n.product = await product(n.leader, n.community["id"])
        n.deal = await deal(n.leader, n.community["id"], n.product["id"])
        n.session = await live_session(n.leader, n.community["id"])
        n.resident = await person(gateway, system)
        await join(n.resident, n.community["invite_code"])
        return n

    @property
    def community_id(self) -> str:
        return str(self.community["id"])


# --------------------------------------------------------------------------------------------
# The service directory


async def operator(gateway: httpx.AsyncClient, system: LocalSystem) -> Session:
    """Linli's operator (the launcher grants DEMO_OPERATOR_PHONE operator rights)."""
    return await login(gateway, DEMO_OPERATOR_PHONE, sms_log=system.log_path("gateway"))


def weekly_schedule(rule: str = "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=9,14", days_ahead: int = 1) -> str:
    """An RFC 5545 schedule starting tomorrow, Shanghai time."""
    start = (datetime.now(UTC) + timedelta(days=days_ahead)).strftime("%Y%m%d")
    return f"DTSTART;TZID=Asia/Shanghai:{start}T090000\nRRULE:{rule}"


async def provider(owner: Session, **overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "organisation",
        "name": "阳光家政服务社",
        "description": "十年老店，持证保洁员",
        "contact_phone": "+8613912345678",
        **overrides,
    }
    response = await owner.request("POST", "/api/v1/providers", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def offering_body(provider_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "name": "上门深度保洁",
        "category": "housekeeping",
        "description": "三室两厅深度清洁，厨房油污、卫生间除垢，自带工具",
        "price_model": "fixed",
        "price_fen": 29900,
        "schedule": weekly_schedule(),
        "slot_minutes": 180,
        "capacity": 2,
        "service_area": "阳光花园及周边 3 公里",
        "accessibility": "上门服务",
        **overrides,
    }


async def offering(owner: Session, provider_id: str, **overrides: Any) -> dict[str, Any]:
    response = await owner.request("POST", "/api/v1/offerings", json=offering_body(provider_id, **overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def qualification(
    owner: Session, provider_id: str, *, verified_by: Session | None = None, **overrides: Any
) -> dict[str, Any]:
    """Papers for a regulated domain (health by default), verified when an operator is given."""
    body = {
        "domain": "health",
        "kind": "医疗机构执业许可证",
        "number": "PDX-2026-0815",
        "issuer": "浦东新区卫生健康委员会",
        "valid_until": (datetime.now(UTC) + timedelta(days=365)).date().isoformat(),
        **overrides,
    }
    response = await owner.request("POST", f"/api/v1/providers/{provider_id}/qualifications", json=body)
    assert response.status_code == 201, response.text
    if verified_by is None:
        return dict(response.json())
    decided = await verified_by.request(
        "POST", f"/api/v1/qualifications/{response.json()['id']}/decision", json={"verified": True}
    )
    assert decided.status_code == 200, decided.text
    return dict(decided.json())


async def application(owner: Session, provider_id: str, community_id: str) -> dict[str, Any]:
    """The provider applies to a community (catalog learns of communities from events: retried)."""
    body = {"provider_id": provider_id, "community_id": community_id, "message": "想为小区邻居服务"}

    async def apply() -> httpx.Response | None:
        r = await owner.request("POST", "/api/v1/listings", json=body)
        assert r.status_code in (201, 404), r.text
        return r if r.status_code == 201 else None

    return dict((await until(apply)).json())


async def move(leader: Session, listing_id: str, to: str, reason: str = "审核通过") -> dict[str, Any]:
    response = await leader.request(
        "POST", f"/api/v1/listings/{listing_id}/transitions", json={"to": to, "reason": reason}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def listed(owner: Session, leader: Session, provider_id: str, community_id: str) -> dict[str, Any]:
    """A listing taken through the whole vetting: applied, reviewed, tried (with a note), listed."""
    listing = await application(owner, provider_id, community_id)
    await move(leader, listing["id"], "under_review", "资料齐全，开始审核")
    await move(leader, listing["id"], "trial", "先请来家里试一次")
    note = await leader.request(
        "POST", f"/api/v1/listings/{listing['id']}/trial-note", json={"note": "准时到，做得仔细，价格公道"}
    )
    assert note.status_code == 200, note.text
    return await move(leader, listing["id"], "listed", "试用满意")


class Directory:
    """A community (leader, resident) with a provider listed in it: its owner and one offering."""

    leader: Session
    resident: Session
    community: dict[str, Any]
    owner: Session
    provider: dict[str, Any]
    offering: dict[str, Any]
    listing: dict[str, Any]

    @classmethod
    async def build(cls, gateway: httpx.AsyncClient, system: LocalSystem, **offering_fields: Any) -> Directory:
        d = cls()
        d.leader = await person(gateway, system)
        d.community = await community(d.leader)
        d.resident = await person(gateway, system)
        await join(d.resident, d.community["invite_code"])
        d.owner = await person(gateway, system)
        d.provider = await provider(d.owner)
        d.offering = await offering(d.owner, d.provider["id"], **offering_fields)
        d.listing = await listed(d.owner, d.leader, d.provider["id"], d.community_id)
        return d

    @property
    def community_id(self) -> str:
        return str(self.community["id"])


# --------------------------------------------------------------------------------------------
# Bookings (orders learns offerings and listings from catalog's events: the helpers wait for it)


def partner(system: LocalSystem, provider_id: str) -> httpx.AsyncClient:
    """A client of orders with a partner token of `provider_id`, as the gateway's partner API calls it."""
    principal = Principal(user_id=f"partner:{provider_id}", kind="partner", provider_id=provider_id)
    token = issue_access_token(LOCAL_JWT_PRIVATE_KEY, principal)
    return httpx.AsyncClient(base_url=system.url("orders"), headers={"Authorization": f"Bearer {token}"}, timeout=15)


def resident_token(community_id: str, user_id: str | None = None) -> str:
    """An access token of a new resident of `community_id` (or of `user_id`), for tests that need many
    residents at once."""
    principal = Principal(user_id=user_id or new_id(), roles={community_id: [RESIDENT]})
    return issue_access_token(LOCAL_JWT_PRIVATE_KEY, principal)


async def slots(member: Session, offering_id: str, **params: Any) -> list[dict[str, Any]]:
    """The offering's slots with places left, once orders knows it is listed in the member's community."""

    async def open_slots() -> list[dict[str, Any]] | None:
        r = await member.request("GET", "/api/v1/slots", params={"offering_id": offering_id, **params})
        assert r.status_code in (200, 404), r.text
        found = [slot for slot in r.json() if slot["remaining"]] if r.status_code == 200 else []
        return found or None

    return list(await until(open_slots))


async def booking(
    resident: Session, community_id: str, offering_id: str, starts_at: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """A booking of a slot: the first with places left unless `starts_at` is given."""
    if starts_at is None:
        starts_at = (await slots(resident, offering_id))[0]["starts_at"]
    body = {"offering_id": offering_id, "community_id": community_id, "starts_at": starts_at, "note": "三楼，带鞋套"}
    return await _once_listed(resident, "/api/v1/bookings", body | overrides)


async def inquiry(resident: Session, community_id: str, offering_id: str, **overrides: Any) -> dict[str, Any]:
    body = {"offering_id": offering_id, "community_id": community_id, "note": "空调不制冷，想请师傅看看", **overrides}
    return await _once_listed(resident, "/api/v1/inquiries", body)


async def _once_listed(resident: Session, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST a booking or inquiry once orders has learnt the offering and that it is listed (until then:
    404, or 409 naming the listing's state on its way through vetting)."""

    async def send() -> httpx.Response | None:
        r = await resident.request("POST", path, json=body)
        on_its_way = r.status_code == 404 or (r.status_code == 409 and "listing_state" in r.json())
        assert r.status_code == 201 or on_its_way, r.text
        return r if r.status_code == 201 else None

    return dict((await until(send)).json())


async def published_slot(
    system: LocalSystem, provider_id: str, offering_id: str, *, starts_in: timedelta, capacity: int = 1
) -> dict[str, Any]:
    """A slot the provider publishes through the partner API, starting `starts_in` from now."""
    body = {"starts_at": (datetime.now(UTC) + starts_in).isoformat(), "capacity": capacity}
    async with partner(system, provider_id) as orders:

        async def publish() -> httpx.Response | None:
            r = await orders.post(f"/offerings/{offering_id}/slots", json=body)
            assert r.status_code in (201, 404), r.text
            return r if r.status_code == 201 else None

        return dict((await until(publish)).json())


async def completed(system: LocalSystem, booking_: dict[str, Any]) -> dict[str, Any]:
    """The provider (partner token) confirms the booking and completes it once its slot has started."""
    async with partner(system, booking_["provider_id"]) as orders:
        confirmed = await orders.post(f"/bookings/{booking_['id']}/confirm")
        assert confirmed.status_code == 200, confirmed.text
        if booking_["starts_at"] is not None:
            starts = datetime.fromisoformat(booking_["starts_at"])
            await asyncio.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds()) + 0.1)
        done = await orders.post(f"/bookings/{booking_['id']}/complete")
        assert done.status_code == 200, done.text
        return dict(done.json())


async def review(resident: Session, booking_id: str, rating: int, text: str = "准时、干净，推荐") -> dict[str, Any]:
    """The resident's review of their completed booking."""
    body = {"rating": rating, "text": text}
    response = await resident.request("POST", f"/api/v1/bookings/{booking_id}/review", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def clinic(gateway: httpx.AsyncClient, system: LocalSystem, d: Directory) -> dict[str, Any]:
    """A clinic listed in d's community with verified health papers and a free online consultation
    without a schedule (it publishes slots): its owner, provider and offering."""
    owner = await person(gateway, system)
    provider_ = await provider(owner, name="康宁社区诊所", description="全科门诊，线上轻问诊")
    await qualification(owner, provider_["id"], verified_by=await operator(gateway, system))
    consultation = await offering(
        owner,
        provider_["id"],
        name="线上健康轻问诊",
        category="health_consultation",
        description="全科医生视频问诊 15 分钟，慢病用药、化验单解读",
        price_model="free",
        price_fen=None,
        schedule=None,
        slot_minutes=15,
        capacity=1,
        accessibility="线上视频",
    )
    await listed(owner, d.leader, provider_["id"], d.community_id)
    return {"owner": owner, "provider": provider_, "offering": consultation}


# --------------------------------------------------------------------------------------------
# Partners: API keys, the partner API (signed calls), webhook subscriptions


def signed_headers(
    secret: str, body: str = "", *, at: datetime | None = None, message_id: str | None = None
) -> dict[str, str]:
    """Standard Webhooks headers of a partner's call (a fresh webhook-id unless one is given)."""
    at = at or datetime.now(UTC)
    message_id = message_id or f"msg_{new_id()}"
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
        "content-type": "application/json",
    }


async def api_key(owner: Session, provider_id: str, **overrides: Any) -> dict[str, Any]:
    """A new API key of the provider, as its owner gets it (key and signing secret shown once)."""
    body = {"provider_id": provider_id, "name": "前台系统", **overrides}
    response = await owner.request("POST", "/api/v1/api-keys", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


class PartnerKey:
    """A partner's system calling the gateway's partner API with one API key."""

    def __init__(self, http: httpx.AsyncClient, key: dict[str, Any]) -> None:
        self.http, self.key = http, key

    @property
    def provider_id(self) -> str:
        return str(self.key["provider_id"])

    @property
    def secret(self) -> str:
        return str(self.key["signing_secret"])

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.key['key']}", **kwargs.pop("headers", {})}
        return await self.http.request(method, path, headers=headers, **kwargs)

    async def signed(self, method: str, path: str, body: Any = None, **signing: Any) -> httpx.Response:
        """A state-changing call, signed with the key's secret (`secret`, `at`, `message_id` override)."""
        content = "" if body is None else json.dumps(body)
        secret = signing.pop("secret", self.secret)
        return await self.request(method, path, content=content, headers=signed_headers(secret, content, **signing))


async def partner_key(gateway: httpx.AsyncClient, owner: Session, provider_id: str) -> PartnerKey:
    return PartnerKey(gateway, await api_key(owner, provider_id))


async def subscription(partner_: PartnerKey, url: str, *event_types: str, **overrides: Any) -> dict[str, Any]:
    """The partner's endpoint subscribed to `event_types` (default: a booking requested or cancelled)."""
    types = list(event_types or ("orders.booking.requested", "orders.booking.cancelled"))
    body = {"url": url, "event_types": types, "description": "前台系统", **overrides}
    response = await partner_.request("POST", "/partner/v1/subscriptions", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


# --------------------------------------------------------------------------------------------
# Offline events (community)


def event_body(**overrides: Any) -> dict[str, Any]:
    """A flea market in three days, two hours long, 30 seats."""
    starts = datetime.now(UTC) + timedelta(days=3)
    return {
        "title": "周六跳蚤市场",
        "kind": "flea_market",
        "description": "带上家里的闲置，和邻居换一换",
        "place": "南门广场",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "capacity": 30,
        **overrides,
    }


def weekly_class(**overrides: Any) -> dict[str, Any]:
    """An event body for a weekly class: Wednesdays 19:00–20:30 Shanghai time from next week, 8 times."""
    shanghai = timezone(timedelta(hours=8))
    today = datetime.now(shanghai).date()
    wednesday = today + timedelta(days=7 + (2 - today.weekday()) % 7)
    starts = datetime.combine(wednesday, time(19, 0), shanghai)
    schedule = {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=90)).isoformat(),
        "rrule": "FREQ=WEEKLY;BYDAY=WE;COUNT=8",
    }
    return event_body(**{"kind": "culture", "title": "周三书法课", **schedule, **overrides})


async def offline_event(organiser: Session, community_id: str, **overrides: Any) -> dict[str, Any]:
    """An event the organiser creates (published unless `draft=True`)."""
    response = await organiser.request(
        "POST", f"/api/v1/communities/{community_id}/events", json=event_body(**overrides)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def register(member: Session, event_id: str, **body: Any) -> dict[str, Any]:
    """The member signs up (a seat or a place on the waitlist)."""
    response = await member.request("POST", f"/api/v1/community-events/{event_id}/registrations", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def organiser(leader: Session, community_id: str, member: Session) -> None:
    """The leader allows the member to organise events in the community."""
    response = await leader.request(
        "POST", f"/api/v1/communities/{community_id}/organisers", json={"user_id": member.user_id}
    )
    assert response.status_code == 200, response.text


class Events:
    """A community with its leader, two residents and an outsider (leader of another community)."""

    leader: Session
    resident: Session
    neighbour: Session
    outsider: Session
    community: dict[str, Any]
    other: dict[str, Any]

    @classmethod
    async def build(cls, gateway: httpx.AsyncClient, system: LocalSystem) -> Events:
        e = cls()
        e.leader, e.resident, e.neighbour, e.outsider = [await person(gateway, system) for _ in range(4)]
        e.community = await community(e.leader)
        e.other = await community(e.outsider, name="明月小区")
        await join(e.resident, e.community["invite_code"], "3栋 王阿姨")
        await join(e.neighbour, e.community["invite_code"], "5栋 李叔")
        return e

    @property
    def community_id(self) -> str:
        return str(self.community["id"])


# --------------------------------------------------------------------------------------------
# Live sessions and their room


async def on_air(leader: Session, community_id: str, **overrides: Any) -> dict[str, Any]:
    """A session scheduled and started: live."""
    scheduled = await live_session(
        leader,
        community_id,
        ingest_url="rtmp://live.example.com/app/stream-key",
        playback_url="https://live.example.com/hls/stream.m3u8",
        **overrides,
    )
    response = await leader.request("POST", f"/api/v1/sessions/{scheduled['id']}/start")
    assert response.status_code == 200, response.text
    return dict(response.json())


async def card(staff: Session, session_id: str, kind: str, ref_id: str, **overrides: Any) -> dict[str, Any]:
    """A card on the session's list (livestream learns deals and offerings from events: retried while unknown)."""
    body = {"kind": kind, "ref_id": ref_id, **overrides}

    async def add() -> httpx.Response | None:
        r = await staff.request("POST", f"/api/v1/sessions/{session_id}/cards", json=body)
        assert r.status_code in (201, 404, 409), r.text
        return r if r.status_code == 201 else None

    return dict((await until(add)).json())


def poll_body(**overrides: Any) -> dict[str, Any]:
    return {
        "question": "下个月想上什么课？",
        "options": [
            {"label": "少儿编程", "category": "tutoring"},
            {"label": "老年智能手机", "category": "culture"},
            {"label": "烘焙", "category": None},
        ],
        **overrides,
    }


async def poll(staff: Session, session_id: str, **overrides: Any) -> dict[str, Any]:
    response = await staff.request("POST", f"/api/v1/sessions/{session_id}/polls", json=poll_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


def moderator(member: Session, community_id: str) -> Session:
    """The member with the moderator role in the community, as a token carries it (community has no API
    to name moderators yet; the token is what the services read)."""
    principal = Principal(user_id=member.user_id, roles={community_id: ["resident", MODERATOR]})
    token = issue_access_token(LOCAL_JWT_PRIVATE_KEY, principal)
    return Session(http=member.http, phone=member.phone, tokens={**member.tokens, "access_token": token})


async def endorse(
    leader: Session, provider_id: str, community_id: str, note: str = "我家用了三年，靠谱"
) -> dict[str, Any]:
    body = {"provider_id": provider_id, "community_id": community_id, "note": note}
    response = await leader.request("POST", "/api/v1/endorsements", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


class LiveRoom:
    """A community whose leader hosts a live session, with residents, and an outsider (another community's leader)."""

    leader: Session
    residents: list[Session]
    outsider: Session
    community: dict[str, Any]
    elsewhere: dict[str, Any]  # the outsider's community
    session: dict[str, Any]

    @classmethod
    async def build(
        cls, gateway: httpx.AsyncClient, system: LocalSystem, *, residents: int = 2, **session_fields: Any
    ) -> LiveRoom:
        r = cls()
        r.leader = await person(gateway, system)
        r.community = await community(r.leader)
        r.residents = [await person(gateway, system) for _ in range(residents)]
        for resident in r.residents:
            await join(resident, r.community["invite_code"])
        r.outsider = await person(gateway, system)
        r.elsewhere = await community(r.outsider, name="翠湖天地")
        r.session = await on_air(r.leader, r.community_id, **session_fields)
        return r

    @property
    def community_id(self) -> str:
        return str(self.community["id"])

    @property
    def session_id(self) -> str:
        return str(self.session["id"])

    @property
    def resident(self) -> Session:
        return self.residents[0]


# --------------------------------------------------------------------------------------------
# Community life: members and roles, posted needs, item swaps (community)


async def grant_role(leader: Session, community_id: str, member: Session, role: str) -> list[dict[str, Any]]:
    """The leader gives the member a role (moderator, property_manager; leader if an operator asks)."""
    response = await leader.request(
        "POST", f"/api/v1/communities/{community_id}/members/{member.user_id}/roles", json={"role": role}
    )
    assert response.status_code == 200, response.text
    await member.refresh()  # the new token carries the role
    return list(response.json())


async def ask_to_join(person_: Session, community_id: str, **body: Any) -> dict[str, Any]:
    response = await person_.request("POST", f"/api/v1/communities/{community_id}/membership-requests", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def need_body(**overrides: Any) -> dict[str, Any]:
    return {"category": "tutoring", "text": "想找周末上门辅导初二数学的老师", "when": "周末上午", **overrides}


async def need(member: Session, community_id: str, **overrides: Any) -> dict[str, Any]:
    response = await member.request("POST", f"/api/v1/communities/{community_id}/needs", json=need_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


def swap_body(**overrides: Any) -> dict[str, Any]:
    """A pram offered for two picture books."""
    return {
        "title": "九成新婴儿推车",
        "category": "baby_gear",
        "condition": "like_new",
        "photos": ["https://img.example.com/pram.jpg"],
        "terms": "swap",
        "swap_for": "儿童绘本",
        **overrides,
    }


async def swap(owner: Session, community_id: str, **overrides: Any) -> dict[str, Any]:
    response = await owner.request("POST", f"/api/v1/communities/{community_id}/swaps", json=swap_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def offer(member: Session, swap_id: str, message: str = "我拿两本绘本换") -> dict[str, Any]:
    response = await member.request("POST", f"/api/v1/swaps/{swap_id}/offers", json={"message": message})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def member_tokens(gateway: httpx.AsyncClient, invite_code: str, n: int) -> list[str]:
    """Access tokens of `n` new residents who joined by invite code, for tests that need many at once.
    community checks its own memberships, so there a minted token (`resident_token`) is no member."""

    async def one() -> str:
        user_id = new_id()
        joining = issue_access_token(LOCAL_JWT_PRIVATE_KEY, Principal(user_id=user_id))
        response = await gateway.post(
            "/api/v1/communities/join",
            json={"invite_code": invite_code},
            headers={"Authorization": f"Bearer {joining}"},
        )
        assert response.status_code == 200, response.text
        return resident_token(response.json()["community_id"], user_id)

    return [await one() for _ in range(n)]


async def board_post(member: Session, community_id: str, **overrides: Any) -> dict[str, Any]:
    body = {"text": "谁家有多余的纸箱？搬家用", **overrides}
    response = await member.request("POST", f"/api/v1/communities/{community_id}/board", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())
