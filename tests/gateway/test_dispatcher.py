"""The webhook sender against real HTTP endpoints and a real database (no NATS: events are applied
through the gateway's handlers as the bus would): isolation of slow and dead endpoints, the
retry schedule, `retry-after`, 410, endpoints that stay down, replays, and SSRF at delivery time."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, text, update

from deploy.client import until
from services.gateway.models import metadata
from services.gateway.partners import service as keys
from services.gateway.partners.models import ApiKeyCreate, Partner
from services.gateway.settings import Settings
from services.gateway.webhooks import deliveries, subscriptions
from services.gateway.webhooks.dispatcher import Dispatcher
from services.gateway.webhooks.guard import Guard
from services.gateway.webhooks.handlers import webhook_handlers
from services.gateway.webhooks.models import SubscriptionCreate, WebhookAttempt, WebhookDelivery, WebhookSubscription
from shared import migrations
from shared.auth import Principal
from shared.bus.tables import outbox
from shared.db import Database
from shared.events import Event, new_event
from shared.events.schemas.catalog import ListingApplied
from shared.models import new_id, utcnow
from tests.databases import Databases
from tests.gateway.receiver import Receiver

FAST = {
    "webhook_retry_schedule": [0, 0.2, 0.2, 0.2],
    "webhook_retry_jitter": 0.0,
    "webhook_poll_seconds": 0.05,
    "webhook_timeout_seconds": 1.0,
    "webhook_endpoint_concurrency": 2,
    "webhook_allowed_hosts": ["127.0.0.1"],
}


@pytest.fixture
async def db(databases: Databases) -> AsyncIterator[Database]:
    database = Database(await databases.new("gateway"))
    await migrations.upgrade(database, "gateway", metadata)
    yield database
    await database.dispose()


@contextlib.asynccontextmanager
async def sending(db: Database, **settings: Any) -> AsyncIterator[Dispatcher]:
    dispatcher = Dispatcher(Settings(**{**FAST, **settings}))
    app = FastAPI()
    app.state.db = db
    async with dispatcher.running(app):
        yield dispatcher


class Endpoint:
    """A provider's key and subscription for a receiver."""

    def __init__(self, partner: Partner, subscription_id: str, receiver: Receiver) -> None:
        self.partner, self.subscription_id, self.receiver = partner, subscription_id, receiver


async def endpoint(db: Database, receiver: Receiver, url: str | None = None) -> Endpoint:
    provider_id = new_id()
    async with db.session() as session:
        key = await keys.create_key(
            session, principal=Principal(user_id="owner"), data=ApiKeyCreate(provider_id=provider_id)
        )
        partner = Partner(key_id=key.id, provider_id=provider_id, signing_secret=key.signing_secret)
        data = SubscriptionCreate(url=url or receiver.url, event_types=["catalog.listing.applied"])
        guard = Guard(allow_private=True, allowed_hosts=["127.0.0.1"])
        subscription = await subscriptions.create(session, partner=partner, data=data, guard=guard)
        await session.commit()
    receiver.secret = key.signing_secret
    return Endpoint(partner, subscription.id, receiver)


def events_for(provider_id: str, n: int) -> list[Event[Any]]:
    return [
        new_event(
            ListingApplied(
                listing_id=new_id(), provider_id=provider_id, community_id=new_id(), from_state=None, reason=""
            ),
            subject=provider_id,
        )
        for _ in range(n)
    ]


async def publish(db: Database, dispatcher: Dispatcher, events: list[Event[Any]]) -> None:
    """What the consumer does with a batch of events: the gateway's handlers, exactly once."""
    outcomes = await webhook_handlers(dispatcher.wake).apply(db, events)
    assert {o.status for o in outcomes} == {"applied"}


async def rows(db: Database, model: Any, **where: Any) -> list[Any]:
    async with db.reader() as session:
        query = select(model).filter_by(**where)
        return list((await session.execute(query)).scalars())


async def test_a_dead_or_slow_endpoint_holds_up_no_one(db: Database) -> None:
    healthy = [await endpoint(db, Receiver()) for _ in range(3)]
    dead = await endpoint(db, Receiver())  # never started: connection refused
    slow = await endpoint(db, Receiver(delay=0.8))
    for e in [*healthy, slow]:
        await e.receiver.start()
    try:
        async with sending(db) as dispatcher:
            # The dead and the slow endpoint's backlogs go in first.
            await publish(db, dispatcher, events_for(dead.partner.provider_id, 50))
            await publish(db, dispatcher, events_for(slow.partner.provider_id, 50))
            started = time.monotonic()
            for e in healthy:
                await publish(db, dispatcher, events_for(e.partner.provider_id, 20))
            await until(lambda: _all_received(healthy, 20), timeout=10)
            took = time.monotonic() - started
            assert took < 3, f"healthy endpoints waited {took:.1f} s behind the dead and the slow one"
            assert len(slow.receiver.received) <= 2 * 2 * (took / 0.8 + 1), "the slow one had only its own slots"
            for e in healthy:
                assert set(e.receiver.counts().values()) == {1}
                assert not e.receiver.refused
    finally:
        for e in [*healthy, slow]:
            await e.receiver.stop()
    failed = await rows(db, WebhookAttempt)
    assert any("could not connect" in (a.error or "") for a in failed), "the dead endpoint's attempts are logged"


async def test_a_dead_endpoint_is_probed_not_hammered_and_gets_everything_when_back(db: Database) -> None:
    receiver = Receiver()
    dead = await endpoint(db, receiver)
    async with sending(db, webhook_probe_max_seconds=0.4) as dispatcher:
        await publish(db, dispatcher, events_for(dead.partner.provider_id, 50))
        await asyncio.sleep(1.5)
        tried = await rows(db, WebhookAttempt)
        # The first round's four, then one probe per pause (0.2, 0.4, 0.4, … s): not 50 attempts each.
        assert 4 < len(tried) <= 12, len(tried)
        waiting = await rows(db, WebhookDelivery, attempts=0)
        assert len(waiting) >= 38, "the backlog keeps its attempts for when the endpoint is back"
        await receiver.start()
        try:
            await until(lambda: _all_received([dead], 50), timeout=10)
        finally:
            await receiver.stop()
    assert set(receiver.counts().values()) == {1}


async def _all_received(endpoints: list[Endpoint], n: int) -> bool:
    return all(len(e.receiver.counts()) == n for e in endpoints)


async def test_a_failing_delivery_follows_the_schedule_then_fails_and_can_be_replayed(db: Database) -> None:
    receiver = Receiver(status=500)
    e = await endpoint(db, receiver)
    await receiver.start()
    try:
        async with sending(db) as dispatcher:
            await publish(db, dispatcher, events_for(e.partner.provider_id, 1))
            [delivery] = await until(lambda: _settled(db))
            assert delivery.status == "failed" and delivery.attempts == 4 and delivery.last_status_code == 500
            attempts = await rows(db, WebhookAttempt, delivery_id=delivery.id)
            assert [a.status_code for a in attempts] == [500] * 4
            gaps = [
                (b.attempted_at - a.attempted_at).total_seconds() for a, b in zip(attempts, attempts[1:], strict=False)
            ]
            assert all(gap >= 0.2 for gap in gaps), gaps
            assert len(receiver.counts()) == 1, "every attempt carries the same webhook-id"

            receiver.status = 200
            async with db.session() as session:
                replayed = await deliveries.replay(session, partner=e.partner, delivery_id=delivery.id)
                assert replayed.status == "pending" and replayed.attempts == 0
                await session.commit()
            await dispatcher.wake()
            [delivered] = await until(lambda: _settled(db))
            assert delivered.status == "delivered" and delivered.attempts == 1
    finally:
        await receiver.stop()
    assert len(await rows(db, WebhookAttempt, delivery_id=delivery.id)) == 5


async def _settled(db: Database, n: int = 1) -> list[WebhookDelivery] | None:
    found = await rows(db, WebhookDelivery)
    return found if len(found) >= n and all(d.status != "pending" for d in found) else None


async def test_retry_after_is_honoured(db: Database) -> None:
    receiver = Receiver(status=503, headers={"retry-after": "2"})
    e = await endpoint(db, receiver)
    await receiver.start()
    try:
        async with sending(db, webhook_retry_schedule=[0, 0.2, 60]) as dispatcher:
            await publish(db, dispatcher, events_for(e.partner.provider_id, 1))
            await until(lambda: _received(receiver, 2), timeout=10)
    finally:
        await receiver.stop()
    first, second = receiver.received[:2]
    assert second.at - first.at >= 1.9, "the schedule says 0.2 s; the endpoint asked for 2 s"


async def _received(receiver: Receiver, n: int) -> bool:
    return len(receiver.received) >= n


async def test_410_gone_disables_the_endpoint_with_a_notice(db: Database) -> None:
    receiver = Receiver(status=410)
    e = await endpoint(db, receiver)
    await receiver.start()
    try:
        async with sending(db, webhook_endpoint_concurrency=1) as dispatcher:
            await publish(db, dispatcher, events_for(e.partner.provider_id, 3))
            await until(lambda: _status(db, e.subscription_id, "disabled"))
            await publish(db, dispatcher, events_for(e.partner.provider_id, 1))  # not recorded: disabled
    finally:
        await receiver.stop()
    assert len(receiver.received) == 1, "no further attempt after 410"
    statuses = sorted(d.status for d in await rows(db, WebhookDelivery))
    assert statuses == ["failed", "pending", "pending"], "the others wait for the partner to re-enable it"
    async with db.reader() as session:
        [notice] = await subscriptions.notices(session, partner=e.partner, limit=10, offset=0)
        assert "410 Gone" in notice.detail and notice.subscription_id == e.subscription_id
        published = (await session.execute(select(outbox.c.type))).scalars().all()
    assert list(published) == ["gateway.subscription.disabled"]


async def _status(db: Database, subscription_id: str, status: str) -> bool:
    async with db.reader() as session:
        subscription = await session.get(WebhookSubscription, subscription_id)
        return subscription is not None and subscription.status == status


async def test_an_endpoint_down_for_too_long_is_disabled_and_a_success_resets_the_clock(db: Database) -> None:
    receiver = Receiver(status=500)
    e = await endpoint(db, receiver)
    await receiver.start()
    try:
        # "Days" of 1.5 s: a success ends the run of failures, so it only counts from then.
        async with sending(db, webhook_disable_after_days=1.5 / 86400, webhook_retry_schedule=[0] + [0.3] * 20) as d:
            await publish(db, d, events_for(e.partner.provider_id, 1))
            await until(lambda: _received(receiver, 2))
            async with db.reader() as session:
                assert (await session.get(WebhookSubscription, e.subscription_id)).failing_since is not None  # type: ignore[union-attr]
            receiver.status = 200
            await publish(db, d, events_for(e.partner.provider_id, 1))
            await until(lambda: _failing_since_cleared(db, e.subscription_id))
            receiver.status = 500
            began = time.monotonic()
            await publish(db, d, events_for(e.partner.provider_id, 1))
            await until(lambda: _status(db, e.subscription_id, "disabled"), timeout=10)
            assert time.monotonic() - began >= 1.4
    finally:
        await receiver.stop()
    async with db.reader() as session:
        subscription = await session.get(WebhookSubscription, e.subscription_id)
        assert subscription is not None and "failed for" in (subscription.disabled_reason or "")


async def _failing_since_cleared(db: Database, subscription_id: str) -> bool:
    async with db.reader() as session:
        subscription = await session.get(WebhookSubscription, subscription_id)
        return subscription is not None and subscription.failing_since is None


async def test_no_answer_within_the_timeout_is_a_failure(db: Database) -> None:
    receiver = Receiver(delay=3)
    e = await endpoint(db, receiver)
    await receiver.start()
    try:
        async with sending(db, webhook_timeout_seconds=0.5, webhook_retry_schedule=[0]) as dispatcher:
            await publish(db, dispatcher, events_for(e.partner.provider_id, 1))
            [delivery] = await until(lambda: _settled(db))
    finally:
        await receiver.stop()
    [attempt] = await rows(db, WebhookAttempt)
    assert delivery.status == "failed" and attempt.error == "no answer within 0.5 s"
    assert 450 <= attempt.duration_ms < 1500


async def test_addresses_are_checked_again_when_sending(db: Database) -> None:
    """Subscribed while private addresses were allowed (or while the name resolved to a public
    address); now they are not: the sender refuses to connect, and plain http is refused too."""
    receiver = Receiver()
    https = await endpoint(db, receiver, url=f"https://127.0.0.1:{receiver.port}/hooks")
    http = await endpoint(db, receiver)
    await receiver.start()
    try:
        async with sending(db, webhook_allowed_hosts=[], webhook_retry_schedule=[0]) as dispatcher:
            for e in (https, http):
                await publish(db, dispatcher, events_for(e.partner.provider_id, 1))
            settled = await until(lambda: _settled(db, 2))
    finally:
        await receiver.stop()
    assert receiver.received == [] and {d.status for d in settled} == {"failed"}
    errors = {d.subscription_id: d.last_error for d in settled}
    assert "127.0.0.1 resolves to 127.0.0.1, which is not a public address" in errors[https.subscription_id]
    assert "must be https" in errors[http.subscription_id]


async def test_a_claimed_delivery_is_not_sent_twice(db: Database) -> None:
    """A second gateway instance sees the lease: while one sends, the other claims nothing."""
    receiver = Receiver()
    e = await endpoint(db, receiver)
    async with db.session() as session:
        await deliveries.record_for_event(session, events_for(e.partner.provider_id, 1)[0], now=utcnow())
        await session.commit()
    endpoints = {e.subscription_id: deliveries.Endpoint(e.subscription_id, receiver.url, "whsec_eA==")}
    claims = []
    for _ in range(2):
        async with db.session() as session:
            claims.append(
                await deliveries.claim_due(
                    session,
                    endpoints=endpoints,
                    wanted={e.subscription_id: 5},
                    now=utcnow(),
                    lease=timedelta(seconds=30),
                )
            )
            await session.commit()
    assert [len(c) for c in claims] == [1, 0]
    async with db.session() as session:  # the lease ends (the instance died): it is due again
        await session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        await session.commit()
        again = await deliveries.claim_due(
            session, endpoints=endpoints, wanted={e.subscription_id: 5}, now=utcnow(), lease=timedelta(seconds=30)
        )
    assert [d.message_id for d in again] == [d.message_id for d in claims[0]]
    async with db.reader() as session:
        assert (await session.execute(text("SELECT count(*) FROM webhookattempt"))).scalar() == 0
