"""Deliveries: written from events (one per matching subscription, in the event's inbox
transaction), claimed by the sender an endpoint at a time, and updated with each attempt's outcome.

Claiming leases a row (its `next_attempt_at` moves past the send timeout) with a conditional
UPDATE, so several gateway instances never send one delivery at once, and a crash mid-send only
delays it until the lease ends. Due rows are picked per endpoint, each up to its free slots, so an
endpoint's backlog is never in another's way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, union_all, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.gateway.partners.models import ApiKey, Partner
from services.gateway.webhooks import subscriptions
from services.gateway.webhooks.events import message_id, webhook_body
from services.gateway.webhooks.models import (
    ACTIVE,
    DELIVERED,
    FAILED,
    PENDING,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from services.gateway.webhooks.schedule import next_delay
from shared.db import Database
from shared.errors import Conflict, NotFound
from shared.events import Event, EventData
from shared.models import new_id, utcnow

_deliveries: Table = WebhookDelivery.__table__  # type: ignore[attr-defined]
_attempts: Table = WebhookAttempt.__table__  # type: ignore[attr-defined]
_subscriptions: Table = WebhookSubscription.__table__  # type: ignore[attr-defined]
# SQLite allows 500 terms in a compound SELECT; endpoints beyond are claimed in further statements.
_ENDPOINTS_PER_STATEMENT = 200


async def record_for_event(session: AsyncSession, event: Event[EventData], *, now: datetime) -> int:
    """One delivery per active subscription of the event's provider that asked for its type (and
    existed when it happened); the number written."""
    provider_id = getattr(event.data, "provider_id", None)
    if provider_id is None:
        return 0
    wanted = [
        s.id
        for s in await _subscribers(session, provider_id)
        if event.type in s.event_types and s.created_at <= event.time
    ]
    if wanted:
        body, webhook_id = webhook_body(event), message_id(event.id)
        row = {
            "provider_id": provider_id,
            "message_id": webhook_id,
            "event_id": event.id,
            "event_type": event.type,
            "event_time": event.time,
            "payload": body,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        await session.execute(insert(_deliveries), [{**row, "id": new_id(), "subscription_id": s} for s in wanted])
    return len(wanted)


_SUBSCRIBERS = "linli_webhook_subscribers"


async def _subscribers(session: AsyncSession, provider_id: str) -> list[Any]:
    """A provider's active subscriptions, read once per transaction (the consumer applies events in
    batches, a transaction each, and a batch names few providers)."""
    known: dict[str, list[Any]] = session.sync_session.info.setdefault(_SUBSCRIBERS, {})
    if provider_id not in known:
        table = _subscriptions
        query = select(table.c.id, table.c.event_types, table.c.created_at).where(
            table.c.provider_id == provider_id, table.c.status == ACTIVE
        )
        known[provider_id] = list((await session.execute(query)).all())
    return known[provider_id]


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_rollback")
def _forget_subscribers(session: Session) -> None:
    session.info.pop(_SUBSCRIBERS, None)


# --------------------------------------------------------------------------------------------
# The partner's view


async def list_deliveries(
    session: AsyncSession,
    *,
    partner: Partner,
    subscription_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).where(col(WebhookDelivery.provider_id) == partner.provider_id)
    if subscription_id is not None:
        query = query.where(col(WebhookDelivery.subscription_id) == subscription_id)
    if status is not None:
        query = query.where(col(WebhookDelivery.status) == status)
    query = query.order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id)).offset(offset).limit(limit)
    return list((await session.exec(query)).all())


async def get(session: AsyncSession, *, partner: Partner, delivery_id: str) -> WebhookDelivery:
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.provider_id != partner.provider_id:
        raise NotFound(f"delivery {delivery_id} does not exist")
    return delivery


def detail(delivery: WebhookDelivery) -> dict[str, Any]:
    return {**delivery.model_dump(), "payload": json.loads(delivery.payload)}


async def attempts(session: AsyncSession, *, partner: Partner, delivery_id: str) -> list[WebhookAttempt]:
    await get(session, partner=partner, delivery_id=delivery_id)
    query = (
        select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id) == delivery_id)
        .order_by(col(WebhookAttempt.attempted_at), col(WebhookAttempt.id))
    )
    return list((await session.exec(query)).all())


async def replay(session: AsyncSession, *, partner: Partner, delivery_id: str) -> WebhookDelivery:
    """Send a delivered or failed delivery again, now, with the same `webhook-id` (receivers that
    de-duplicate by it will see a replay as what it is) and a fresh retry schedule."""
    delivery = await get(session, partner=partner, delivery_id=delivery_id)
    subscription = await session.get(WebhookSubscription, delivery.subscription_id)
    assert subscription is not None
    if subscription.status != ACTIVE:
        raise Conflict(f"its subscription is {subscription.status}; re-enable it first")
    if delivery.status not in (DELIVERED, FAILED):
        raise Conflict(f"the delivery is {delivery.status}; only delivered or failed ones are replayed")
    delivery.status, delivery.attempts, delivery.next_attempt_at = PENDING, 0, utcnow()
    session.add(delivery)
    return delivery


# --------------------------------------------------------------------------------------------
# The sender's side


@dataclass(frozen=True)
class Endpoint:
    subscription_id: str
    url: str
    signing_secret: str


@dataclass(frozen=True)
class Due:
    """A claimed delivery, with what the sender needs to send it."""

    delivery_id: str
    endpoint: Endpoint
    message_id: str
    payload: str
    attempts: int


@dataclass(frozen=True)
class Outcome:
    due: Due
    attempted_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str | None = None
    response: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410

    @property
    def endpoint_down(self) -> bool:
        """The endpoint failed as a whole, not this delivery: no connection or answer, 429, 5xx."""
        return not self.ok and (self.status_code is None or self.status_code == 429 or self.status_code >= 500)


async def active_endpoints(session: AsyncSession) -> dict[str, Endpoint]:
    query = (
        select(col(WebhookSubscription.id), col(WebhookSubscription.url), col(ApiKey.signing_secret))
        .join(ApiKey, col(ApiKey.id) == col(WebhookSubscription.key_id))
        .where(col(WebhookSubscription.status) == ACTIVE)
    )
    return {row.id: Endpoint(row.id, row.url, row.signing_secret) for row in (await session.execute(query)).all()}


async def claim_due(
    session: AsyncSession,
    *,
    endpoints: Mapping[str, Endpoint],
    wanted: Mapping[str, int],
    now: datetime,
    lease: timedelta,
) -> list[Due]:
    """Lease up to `wanted[endpoint]` due deliveries of each endpoint, oldest due first."""
    ids: list[str] = []
    items = [(subscription_id, n) for subscription_id, n in wanted.items() if n > 0]
    for start in range(0, len(items), _ENDPOINTS_PER_STATEMENT):
        per_endpoint = [
            select(_deliveries.c.id)
            .where(
                _deliveries.c.subscription_id == subscription_id,
                _deliveries.c.status == PENDING,
                _deliveries.c.next_attempt_at <= now,
            )
            .order_by(_deliveries.c.next_attempt_at)
            .limit(n)
            .subquery()
            for subscription_id, n in items[start : start + _ENDPOINTS_PER_STATEMENT]
        ]
        query = union_all(*(select(q.c.id) for q in per_endpoint))
        ids.extend((await session.execute(query)).scalars())
    if not ids:
        return []
    claimed = await session.execute(
        update(_deliveries)
        .where(_deliveries.c.id.in_(ids), _deliveries.c.status == PENDING, _deliveries.c.next_attempt_at <= now)
        .values(next_attempt_at=now + lease)
        .returning(
            _deliveries.c.id,
            _deliveries.c.subscription_id,
            _deliveries.c.message_id,
            _deliveries.c.payload,
            _deliveries.c.attempts,
        )
    )
    return [
        Due(row.id, endpoints[row.subscription_id], row.message_id, row.payload, row.attempts) for row in claimed.all()
    ]


@dataclass(frozen=True)
class Policy:
    schedule: Sequence[float]
    jitter: float
    disable_after: timedelta


async def record_outcomes(session: AsyncSession, outcomes: Sequence[Outcome], *, policy: Policy, now: datetime) -> None:
    """Log every attempt, move each delivery on (delivered, retry at its next step, or failed) and
    keep each endpoint's run of failures: a success ends it; 410 Gone, or failing for
    `disable_after`, disables the endpoint."""
    if not outcomes:
        return
    await session.execute(
        insert(_attempts),
        [
            {
                "delivery_id": o.due.delivery_id,
                "attempted_at": o.attempted_at,
                "status_code": o.status_code,
                "duration_ms": o.duration_ms,
                "error": o.error,
                "response": o.response,
            }
            for o in outcomes
        ],
    )
    await session.execute(
        update(_deliveries)
        .where(_deliveries.c.id == bindparam("b_id"), _deliveries.c.status == PENDING)
        .values(
            status=bindparam("b_status"),
            attempts=bindparam("b_attempts"),
            next_attempt_at=bindparam("b_next"),
            delivered_at=bindparam("b_delivered"),
            last_status_code=bindparam("b_code"),
            last_error=bindparam("b_error"),
        ),
        [_delivery_update(o, policy=policy, now=now) for o in outcomes],
    )
    await _track_endpoints(session, outcomes, policy=policy, now=now)


def _delivery_update(outcome: Outcome, *, policy: Policy, now: datetime) -> dict[str, Any]:
    attempts = outcome.due.attempts + 1
    status, next_at, delivered = DELIVERED, None, None
    if outcome.ok:
        delivered = outcome.attempted_at
    else:
        delay = None
        if not outcome.gone:
            delay = next_delay(policy.schedule, attempts, jitter=policy.jitter, retry_after=outcome.retry_after)
        status = FAILED if delay is None else PENDING
        next_at = None if delay is None else now + timedelta(seconds=delay)
    error = outcome.error or (None if outcome.ok else f"HTTP {outcome.status_code}")
    return {
        "b_id": outcome.due.delivery_id,
        "b_status": status,
        "b_attempts": attempts,
        "b_next": next_at,
        "b_delivered": delivered,
        "b_code": outcome.status_code,
        "b_error": error,
    }


async def _track_endpoints(
    session: AsyncSession, outcomes: Sequence[Outcome], *, policy: Policy, now: datetime
) -> None:
    failing: dict[str, datetime | None] = {}  # endpoint → start of its run of failures in this batch
    recovered: set[str] = set()
    for o in sorted(outcomes, key=lambda o: o.attempted_at):
        endpoint = o.due.endpoint.subscription_id
        if o.ok:
            failing[endpoint] = None
            recovered.add(endpoint)
        elif failing.get(endpoint) is None:
            failing[endpoint] = o.attempted_at
    table = _subscriptions
    for endpoint, since in sorted(failing.items()):  # in one order, so two instances never deadlock
        value: Any = since
        if since is not None and endpoint not in recovered:  # a run that began before this batch goes on
            value = func.coalesce(table.c.failing_since, since)
        await session.execute(update(table).where(table.c.id == endpoint).values(failing_since=value))

    gone = {o.due.endpoint.subscription_id for o in outcomes if o.gone}
    down = [e for e, since in failing.items() if since is not None and e not in gone]
    overdue = select(WebhookSubscription).where(
        col(WebhookSubscription.id).in_(down),
        col(WebhookSubscription.status) == ACTIVE,
        col(WebhookSubscription.failing_since) <= now - policy.disable_after,
    )
    days = policy.disable_after.total_seconds() / 86400
    for subscription in (await session.exec(overdue)).all():
        await subscriptions.disable(session, subscription, reason=f"every attempt failed for {days:g} days", now=now)
    for endpoint in sorted(gone):
        if (answered_gone := await session.get(WebhookSubscription, endpoint)) is not None:
            await subscriptions.disable(session, answered_gone, reason="the endpoint answered 410 Gone", now=now)


async def prune(db: Database, *, now: datetime, keep: timedelta) -> int:
    """Settled deliveries (and their attempts) older than `keep`; pending ones stay, however old."""
    old = select(_deliveries.c.id).where(_deliveries.c.status != PENDING, _deliveries.c.created_at < now - keep)
    async with db.session() as session:
        await session.execute(delete(_attempts).where(_attempts.c.delivery_id.in_(old)))
        result = await session.execute(delete(_deliveries).where(_deliveries.c.id.in_(old)))
        await session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
