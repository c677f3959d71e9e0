"""The bus against a real nats-server and a real database: outbox → JetStream → inbox, exactly once,
through redelivery, dead letters, malformed messages and server restarts."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta

import nats
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.catalog.models import metadata as catalog_metadata
from services.matching.models import metadata as matching_metadata
from shared import migrations
from shared.bus import Bus, EventHandlers, record_event
from shared.bus import deadletters as dl
from shared.bus.tables import inbox, outbox
from shared.db import Database
from shared.errors import Conflict
from shared.events import Event, new_event
from shared.events.schemas.catalog import ProductCreated
from tests.conftest import NatsServer
from tests.databases import Databases

# A table of the test's own, where the handler's effect is counted (one row per application).
effects_metadata = MetaData()
effects = Table(
    "test_effects",
    effects_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("name", String(80), nullable=False),
)


@dataclass
class Consumer:
    """A consuming service's handler whose failures the test scripts."""

    fail_times: dict[str, int] = field(default_factory=dict)  # product name → failures before success
    attempts: Counter[str] = field(default_factory=Counter)

    async def handle(self, session: AsyncSession, event: Event[ProductCreated]) -> None:
        name = event.data.name
        self.attempts[name] += 1
        await session.execute(insert(effects).values(event_id=event.id, name=name))
        if self.attempts[name] <= self.fail_times.get(name, 0):
            raise RuntimeError(f"scripted failure {self.attempts[name]} of {name}")


@dataclass
class Pipeline:
    producer: Bus
    consumer: Bus
    producer_db: Database
    consumer_db: Database
    behaviour: Consumer

    async def produce(self, name: str) -> Event[ProductCreated]:
        event = new_event(ProductCreated(product_id=name, name=name, unit="box", tags=["infant"]), subject=name)
        async with self.producer_db.session() as session:
            await record_event(session, event)
            await session.commit()
        return event

    async def applied(self, name: str) -> int:
        async with self.consumer_db.session() as session:
            result = await session.execute(select(func.count()).select_from(effects).where(effects.c.name == name))
            return int(result.scalar_one())

    async def wait_applied(self, names: list[str], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while True:
            async with self.consumer_db.session() as session:
                rows = await session.execute(select(effects.c.name).where(effects.c.name.in_(names)).distinct())
                done = {r[0] for r in rows}
            if done >= set(names):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"not applied within {timeout} s: {sorted(set(names) - done)[:5]}")
            await asyncio.sleep(0.02)


async def migrated(databases: Databases, service: str, metadata: MetaData) -> Database:
    db = Database(await databases.new(service))
    await migrations.upgrade(db, service, metadata)
    return db


@pytest.fixture
async def pipeline_factory(
    nats_server: NatsServer, databases: Databases
) -> AsyncIterator[Callable[[Consumer], asyncio.Future[Pipeline]]]:
    started: list[Pipeline] = []

    async def build(behaviour: Consumer) -> Pipeline:
        producer_db = await migrated(databases, "catalog", catalog_metadata)
        consumer_db = await migrated(databases, "matching", matching_metadata)
        async with consumer_db.engine.begin() as conn:
            await conn.run_sync(effects_metadata.create_all)
        handlers = EventHandlers()
        handlers.on(ProductCreated)(behaviour.handle)
        backoff = [0.05, 0.05, 0.05]
        producer = Bus(
            service="catalog", nats_url=nats_server.url, db=producer_db, handlers=EventHandlers(), backoff=backoff
        )
        consumer = Bus(service="matching", nats_url=nats_server.url, db=consumer_db, handlers=handlers, backoff=backoff)
        await producer.start()
        await consumer.start()
        pipeline = Pipeline(producer, consumer, producer_db, consumer_db, behaviour)
        started.append(pipeline)
        return pipeline

    yield build  # type: ignore[misc]
    for p in started:
        await p.producer.stop()
        await p.consumer.stop()
        await p.producer_db.dispose()
        await p.consumer_db.dispose()


async def test_committed_events_are_applied_exactly_once(pipeline_factory) -> None:  # type: ignore[no-untyped-def]
    p: Pipeline = await pipeline_factory(Consumer())
    names = [f"p{i}" for i in range(60)]
    await asyncio.gather(*(p.produce(n) for n in names))
    await p.wait_applied(names)
    for n in names:
        assert await p.applied(n) == 1
    async with p.producer_db.session() as session:
        unpublished = await session.execute(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
        assert unpublished.scalar_one() == 0
    async with p.consumer_db.session() as session:
        assert (await session.execute(select(func.count()).select_from(inbox))).scalar_one() == 60


async def test_a_late_redelivery_is_a_no_op(pipeline_factory, nats_server: NatsServer) -> None:  # type: ignore[no-untyped-def]
    """Past JetStream's de-duplication window a re-sent event gets through; the inbox drops it."""
    p: Pipeline = await pipeline_factory(Consumer())
    event = await p.produce("once")
    await p.wait_applied(["once"])
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    # A new Nats-Msg-Id is what a publish after the window looks like to the server.
    await js.publish(event.type, event.model_dump_json().encode(), headers={"Nats-Msg-Id": "late-" + event.id})
    await nc.close()
    await p.produce("marker")  # the stream is consumed in order: once the marker is applied, so was the copy
    await p.wait_applied(["marker"])
    assert await p.applied("once") == 1


async def test_a_handler_that_fails_twice_applies_its_effect_once(pipeline_factory) -> None:  # type: ignore[no-untyped-def]
    behaviour = Consumer(fail_times={"flaky": 2})
    p: Pipeline = await pipeline_factory(behaviour)
    await p.produce("flaky")
    await p.wait_applied(["flaky"])
    await asyncio.sleep(0.3)  # room for any wrong extra delivery to show
    assert behaviour.attempts["flaky"] == 3
    assert await p.applied("flaky") == 1  # the two failed attempts rolled back their effects
    assert await dl.list_dead_letters(p.consumer_db) == []


async def test_an_always_failing_event_is_dead_lettered_then_replayed(pipeline_factory) -> None:  # type: ignore[no-untyped-def]
    behaviour = Consumer(fail_times={"poison": 10**6})
    p: Pipeline = await pipeline_factory(behaviour)
    poison = await p.produce("poison")
    await p.produce("healthy")
    await p.wait_applied(["healthy"])  # a poison event does not block the stream

    async def dead() -> list[dl.DeadLetter]:
        for _ in range(200):
            letters = await dl.list_dead_letters(p.consumer_db)
            if letters:
                return letters
            await asyncio.sleep(0.05)
        raise AssertionError("never dead-lettered")

    [letter] = await dead()
    assert (letter.event_id, letter.type, letter.status, letter.attempts) == (
        poison.id,
        "catalog.product.created",
        "dead",
        4,
    )
    assert "scripted failure 4" in letter.error
    assert behaviour.attempts["poison"] == p.consumer.max_deliver
    assert await p.applied("poison") == 0

    behaviour.fail_times["poison"] = 0  # the operator fixed the cause
    result = await dl.replay(p.consumer_db, p.consumer.handlers, letter.id)
    assert result["outcome"] == "applied"
    assert await p.applied("poison") == 1
    with pytest.raises(Conflict):
        await dl.replay(p.consumer_db, p.consumer.handlers, letter.id)
    assert await p.applied("poison") == 1
    assert [d.status for d in await dl.list_dead_letters(p.consumer_db, status=None)] == ["replayed"]


async def test_malformed_and_unknown_messages_are_rejected_without_stopping_the_consumer(  # type: ignore[no-untyped-def]
    pipeline_factory, nats_server: NatsServer
) -> None:
    p: Pipeline = await pipeline_factory(Consumer())
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    good = (await p.produce("good")).model_dump_json()
    await p.wait_applied(["good"])
    bad_payload = good.replace('"unit":"box"', '"unit":7').replace(good[7:43], "a" * 36)
    for body in (b"not json", b'{"id": 1}', bad_payload.encode()):
        await js.publish("catalog.product.created", body)
    await nc.close()
    await p.produce("after")
    await p.wait_applied(["after"])
    rejected = await dl.list_dead_letters(p.consumer_db, status="rejected")
    assert len(rejected) == 3
    assert {r.error.split(":")[0] for r in rejected} == {
        "malformed envelope",
        "invalid catalog.product.created payload",
    }


async def test_consumers_and_relays_keep_flowing_through_nats_restarts(  # type: ignore[no-untyped-def]
    pipeline_factory, nats_server: NatsServer
) -> None:
    """Nothing lost, nothing applied twice, and both sides reconnect by themselves (nats.py #504)."""
    p: Pipeline = await pipeline_factory(Consumer())
    names = [f"r{i}" for i in range(150)]

    async def traffic() -> None:
        for n in names:
            await p.produce(n)
            await asyncio.sleep(0.01)

    producing = asyncio.create_task(traffic())
    for _ in range(2):
        await asyncio.sleep(0.4)
        await asyncio.to_thread(nats_server.stop)
        await asyncio.sleep(0.5)
        await asyncio.to_thread(nats_server.start)
    await producing
    await p.wait_applied(names, timeout=60)
    async with p.consumer_db.session() as session:
        counts = dict((await session.execute(select(effects.c.name, func.count()).group_by(effects.c.name))).all())
    assert counts == dict.fromkeys(names, 1)
    assert p.producer.connected and p.consumer.connected


async def test_every_event_arrives_promptly_across_idle_gaps(pipeline_factory) -> None:  # type: ignore[no-untyped-def]
    """nats.py #986: fetch() could stall a whole timeout on an orphaned pull request. Linli's own
    pull loop must deliver each event right away whatever the idle gap before it. The bound is a
    stall detector (a stall is a whole pull expiry, 30 s), not a speed target."""
    p: Pipeline = await pipeline_factory(Consumer())
    for i, gap in enumerate([0.0, 0.9, 1.1, 2.0, 3.1, 0.05, 0.5, 4.2, 0.0, 1.0]):
        await asyncio.sleep(gap)
        started = time.monotonic()
        await p.produce(f"gap{i}")
        await p.wait_applied([f"gap{i}"], timeout=5)
        assert time.monotonic() - started < 2.0, f"event {i} after a {gap} s gap took too long"


async def test_one_failing_event_in_a_batch_rolls_back_alone(pipeline_factory) -> None:  # type: ignore[no-untyped-def]
    """Waiting messages are applied in one transaction; a failing one is split off and retried alone."""
    behaviour = Consumer(fail_times={"b25": 1})
    p: Pipeline = await pipeline_factory(behaviour)
    p.consumer.consumers[0].stop()  # hold the consumer back so a backlog builds up…
    await asyncio.sleep(3.5)
    names = [f"b{i}" for i in range(50)]
    for n in names:
        await p.produce(n)
    await p.consumer.stop()
    consumer = Bus(
        service="matching",
        nats_url=p.consumer.nats_url,
        db=p.consumer_db,
        handlers=p.consumer.handlers,
        backoff=[0.05] * 3,
    )
    await consumer.start()  # …and is then delivered in batches
    try:
        await p.wait_applied(names)
        await asyncio.sleep(0.3)
        async with p.consumer_db.session() as session:
            counts = dict((await session.execute(select(effects.c.name, func.count()).group_by(effects.c.name))).all())
        assert counts == dict.fromkeys(names, 1)
        assert behaviour.attempts["b25"] == 2
        async with p.consumer_db.session() as session:
            transactions = (await session.execute(select(func.count(func.distinct(inbox.c.processed_at))))).scalar_one()
        assert transactions < 10, "the backlog was applied in batches (one inbox timestamp per transaction)"
    finally:
        await consumer.stop()


async def test_old_outbox_and_inbox_rows_are_pruned(pipeline_factory) -> None:  # type: ignore[no-untyped-def]
    from shared.bus.retention import INBOX_KEEP, OUTBOX_KEEP, prune
    from shared.models import utcnow

    p: Pipeline = await pipeline_factory(Consumer())
    await p.produce("kept")
    await p.wait_applied(["kept"])
    assert await prune(p.producer_db, now=utcnow()) == (0, 0)
    assert await prune(p.producer_db, now=utcnow() + OUTBOX_KEEP + timedelta(minutes=1)) == (1, 0)
    assert await prune(p.consumer_db, now=utcnow() + OUTBOX_KEEP + timedelta(minutes=1)) == (0, 0)
    assert await prune(p.consumer_db, now=utcnow() + INBOX_KEEP + timedelta(minutes=1)) == (0, 1)
