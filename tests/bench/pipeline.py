"""Event pipeline: Linli (outbox → JetStream → pull consumer → inbox + effect) vs bare nats-py JetStream.

Linli side, in one process with two `Bus` instances on two temporary databases:
  producer "catalog": one transaction per event inserts a catalog `Product` row and stages
      `catalog.product.created` with `record_event` (what `create_product` does, minus auth);
      the outbox relay publishes it after commit.
  consumer "orders": its real `ProductCreated` handler (`remember_product`, a merge into
      `known_products`) run by `EventHandlers.apply` (inbox rows + effects, one transaction per batch).
  Latency = consumer's effect commit − producer's commit, both stamped by a `Session`
  `after_commit` listener (monotonic clock, keyed by event id), i.e. at the moment each commit
  returned from the database, before any connection clean-up.
  Because one process runs both sides here (one core's worth of Python), each side is also
  measured alone (`run_linli_sides`), as two services in two processes would run.

Bare side, same process, same nats-server, a stream with the same configuration
(`shared.bus.streams.stream_config`: file storage, same duplicate window) and a consumer with the
same configuration (explicit ack, same max_ack_pending): the same event JSON bytes published with
`Nats-Msg-Id`, consumed and acked. Several publish/consume strategies run; the best figure of
each metric is reported, so the baseline is never a weak one:
  publish: `js.publish_async` (acks awaited with `publish_async_completed`) or
           `asyncio.gather(js.publish(...))`;
  consume: a pipelined raw pull (callback subscription, next pull request sent when half of the
           previous one is consumed — what nats.go's `Consume` does) or `PullSubscription.fetch`.
  Latency = consumer's ack sent − just before the publish call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
import nats.errors
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.bus import Bus, EventHandlers, record_event
from shared.bus.streams import stream_config
from shared.db import Database
from shared.events import Event, new_event
from shared.events.schemas.catalog import ProductCreated
from shared.migrations import upgrade
from tests.bench import quiet
from tests.bench.stats import percentile

COMMUNITY_ID = "bench-community"
USER_ID = "bench-user"

# Session.info keys the stamping listener looks for.
_COMMITTED = "bench_committed_event_ids"
_EFFECT = "bench_effect_event_ids"  # a consumer transaction applies a batch of events


@dataclass
class Params:
    burst: int = 2000  # events committed as fast as possible (throughput)
    concurrency: int = 8  # producer transactions in flight during the burst
    # Paced streams for latency: (events, events/s). The first is the headline figure; the slower
    # one shows latency without queueing (at 200/s one process running both sides is well loaded).
    paced: tuple[tuple[int, float], ...] = ((300, 200.0), (150, 50.0))
    timeout: float = 90.0  # give up on a run after this long


@dataclass
class Result:
    throughput: float  # events/s, first commit (or publish) → last effect (or ack)
    latency: dict[float, tuple[float, float]] = field(default_factory=dict)  # rate → (p50, p99) in ms
    notes: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Stamps


class Stamps:
    """Monotonic times keyed by event id, and a way to wait until `expected` effects are in."""

    def __init__(self) -> None:
        self.start: dict[str, float] = {}
        self.end: dict[str, float] = {}
        self.expected = 0
        self.done = asyncio.Event()

    def expect(self, n: int) -> None:
        self.start.clear()
        self.end.clear()
        self.expected = n
        self.done.clear()

    def finished(self, event_id: str, at: float) -> None:
        if event_id not in self.end:
            self.end[event_id] = at
            if len(self.end) >= self.expected:
                self.done.set()

    async def wait(self, timeout: float, what: str) -> None:
        try:
            await asyncio.wait_for(self.done.wait(), timeout)
        except TimeoutError:
            raise RuntimeError(
                f"{what}: only {len(self.end)} of {self.expected} events arrived in {timeout} s"
            ) from None

    def latencies_ms(self) -> list[float]:
        return [(self.end[i] - self.start[i]) * 1000 for i in self.end if i in self.start]


STAMPS = Stamps()


def _stamp_commit(session: Session) -> None:
    now = time.monotonic()
    for event_id in session.info.pop(_COMMITTED, ()):
        STAMPS.start[event_id] = now
    for event_id in session.info.pop(_EFFECT, ()):
        STAMPS.finished(event_id, now)


def _forget(session: Session) -> None:
    session.info.pop(_COMMITTED, None)
    session.info.pop(_EFFECT, None)


@contextlib.contextmanager
def stamping() -> Any:
    sa_event.listen(Session, "after_commit", _stamp_commit)
    sa_event.listen(Session, "after_rollback", _forget)
    try:
        yield
    finally:
        sa_event.remove(Session, "after_commit", _stamp_commit)
        sa_event.remove(Session, "after_rollback", _forget)


# --------------------------------------------------------------------------------------------
# Shared helpers


async def _paced(n: int, rate: float, fire: Callable[[int], Coroutine[Any, Any, None]]) -> None:
    """Start `fire(i)` at i/rate seconds from now (without waiting for one to finish first)."""
    start = time.monotonic()
    tasks: list[asyncio.Task[None]] = []
    for i in range(n):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fire(i)))
    await asyncio.gather(*tasks)


async def _delete_streams(nats_url: str, *names: str) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for name in names:
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(name)
    finally:
        await nc.close()


def _p50_p99(latencies: list[float]) -> tuple[float, float]:
    return percentile(latencies, 50), percentile(latencies, 99)


def sample_payload() -> bytes:
    """The JSON of a real `catalog.product.created` event, as the relay publishes it."""
    event = new_event(
        ProductCreated(product_id=uuid.uuid4().hex, name="bench product 0", unit="box", tags=["bench", "organic"]),
        subject="p",
        community_id=COMMUNITY_ID,
        actor_id=USER_ID,
    )
    return event.model_dump_json().encode()


# --------------------------------------------------------------------------------------------
# Linli


class TimedHandlers(EventHandlers):
    """The orders service's real ProductCreated handler, marking its session so the commit is stamped."""

    def __init__(self) -> None:
        super().__init__()
        from services.orders.handlers import handlers as orders_handlers

        real = orders_handlers.by_type[ProductCreated.event_type]

        async def timed(session: AsyncSession, event: Event[Any]) -> None:
            await real(session, event)
            session.sync_session.info.setdefault(_EFFECT, []).append(event.id)

        self.by_type[ProductCreated.event_type] = timed


async def _produce_one(db: Database, i: int) -> None:
    from services.catalog.products.models import Product

    async with db.session() as session:
        product = Product(
            community_id=COMMUNITY_ID,
            name=f"bench product {i}",
            unit="box",
            tags=["bench", "organic"],
            created_by=USER_ID,
        )
        session.add(product)
        event = new_event(
            ProductCreated(product_id=product.id, name=product.name, unit=product.unit, tags=product.tags),
            subject=product.id,
            community_id=COMMUNITY_ID,
            actor_id=USER_ID,
        )
        await record_event(session, event)
        session.sync_session.info[_COMMITTED] = [event.id]
        await session.commit()


class Databases:
    """Fresh producer and consumer databases for one Linli run: SQLite files, or PostgreSQL databases."""

    def __init__(self, workdir: Path, postgres_url: str | None, tag: str) -> None:
        self.workdir, self.postgres_url, self.tag = workdir, postgres_url, tag
        self.created: list[str] = []

    async def create(self, role: str) -> Database:
        if self.postgres_url is None:
            return Database(f"sqlite+aiosqlite:///{self.workdir / f'{self.tag}-{role}.db'}")
        name = f"linli_bench_{self.tag}_{role}".replace("-", "_")
        await self._admin(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
        self.created.append(name)
        url = make_url(self.postgres_url).set(drivername="postgresql+asyncpg", database=name)
        return Database(url.render_as_string(hide_password=False))

    async def drop_all(self) -> None:
        if self.created:
            await self._admin(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in self.created))
            self.created.clear()

    async def _admin(self, *statements: str) -> None:
        assert self.postgres_url is not None
        admin = Database(make_url(self.postgres_url).set(drivername="postgresql+asyncpg").render_as_string(False))
        try:
            async with admin.engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                for statement in statements:
                    await conn.execute(text(statement))
        finally:
            await admin.dispose()


async def run_linli(nats_url: str, workdir: Path, params: Params, *, tag: str, postgres_url: str | None) -> Result:
    from services.catalog.models import metadata as catalog_metadata
    from services.orders.models import metadata as orders_metadata

    await _delete_streams(nats_url, "CATALOG", "ORDERS")
    databases = Databases(workdir, postgres_url, tag)
    producer_db = await databases.create("catalog")
    consumer_db = await databases.create("orders")
    producer = Bus(service="catalog", nats_url=nats_url, db=producer_db, handlers=EventHandlers())
    consumer = Bus(service="orders", nats_url=nats_url, db=consumer_db, handlers=TimedHandlers())
    try:
        await upgrade(producer_db, "catalog", catalog_metadata)
        await upgrade(consumer_db, "orders", orders_metadata)
        await consumer.start()
        await producer.start()

        # Warm-up: one event end to end (connections, caches, consumer's first pull).
        STAMPS.expect(1)
        await _produce_one(producer_db, -1)
        await STAMPS.wait(params.timeout, "Linli warm-up")

        # Throughput: a burst of one-event transactions from `concurrency` writers.
        STAMPS.expect(params.burst)
        numbers = iter(range(params.burst))

        async def writer() -> None:
            for i in numbers:
                await _produce_one(producer_db, i)

        started = time.monotonic()
        await asyncio.gather(*(writer() for _ in range(params.concurrency)))
        committed = time.monotonic()
        await STAMPS.wait(params.timeout, "Linli burst")
        finished = max(STAMPS.end.values())
        throughput = params.burst / (finished - started)
        commit_rate = params.burst / (committed - started)
        burst_latencies = STAMPS.latencies_ms()

        result = Result(
            throughput=throughput,
            notes={
                "commit_rate": commit_rate,
                "burst_p50": percentile(burst_latencies, 50),
                "burst_p99": percentile(burst_latencies, 99),
            },
        )

        # Latency: paced streams.
        for n, rate in params.paced:
            await asyncio.sleep(0.2)  # let the relay and consumer settle
            STAMPS.expect(n)
            await _paced(n, rate, lambda i: _produce_one(producer_db, i))
            await STAMPS.wait(params.timeout, "Linli paced stream")
            result.latency[rate] = _p50_p99(STAMPS.latencies_ms())
        return result
    finally:
        with quiet.stopping():
            await producer.stop()
            await consumer.stop()
            await producer_db.dispose()
            await consumer_db.dispose()
        await databases.drop_all()


async def _wait_stream(js: JetStreamContext, stream: str, messages: int, timeout: float) -> None:
    """Until `stream` holds `messages` messages (polling the JetStream API, not the database)."""
    deadline = time.monotonic() + timeout
    while (await js.stream_info(stream)).state.messages < messages:  # noqa: ASYNC110  nothing to wait on
        if time.monotonic() > deadline:
            raise RuntimeError(f"{stream} did not reach {messages} messages in {timeout} s")
        await asyncio.sleep(0.01)


async def run_linli_sides(
    nats_url: str, workdir: Path, params: Params, *, tag: str, postgres_url: str | None
) -> Result:
    """Each side alone, as when producer and consumer are separate services (processes): the
    producer's burst until JetStream holds every event (commit + relay), then a consumer started on
    the full stream until every effect is committed. Throughput is the consumer side's; the
    producer side's is in notes."""
    from services.catalog.models import metadata as catalog_metadata
    from services.orders.models import metadata as orders_metadata

    await _delete_streams(nats_url, "CATALOG", "ORDERS")
    databases = Databases(workdir, postgres_url, f"{tag}s")
    producer_db = await databases.create("catalog")
    consumer_db = await databases.create("orders")
    producer = Bus(service="catalog", nats_url=nats_url, db=producer_db, handlers=EventHandlers())
    consumer = Bus(service="orders", nats_url=nats_url, db=consumer_db, handlers=TimedHandlers())
    try:
        await upgrade(producer_db, "catalog", catalog_metadata)
        await upgrade(consumer_db, "orders", orders_metadata)
        await producer.start()
        assert producer.js is not None
        await _produce_one(producer_db, -1)  # warm-up
        await _wait_stream(producer.js, "CATALOG", 1, params.timeout)

        numbers = iter(range(params.burst))

        async def writer() -> None:
            for i in numbers:
                await _produce_one(producer_db, i)

        started = time.monotonic()
        await asyncio.gather(*(writer() for _ in range(params.concurrency)))
        await _wait_stream(producer.js, "CATALOG", params.burst + 1, params.timeout)
        producer_rate = params.burst / (time.monotonic() - started)

        STAMPS.expect(params.burst + 1)
        started = time.monotonic()
        await consumer.start()
        await STAMPS.wait(params.timeout, "Linli consumer side")
        consumer_rate = (params.burst + 1) / (max(STAMPS.end.values()) - started)
        return Result(throughput=consumer_rate, notes={"producer_rate": producer_rate})
    finally:
        with quiet.stopping():
            await producer.stop()
            await consumer.stop()
            await producer_db.dispose()
            await consumer_db.dispose()
        await databases.drop_all()


# --------------------------------------------------------------------------------------------
# Bare JetStream

BARE_STREAM = "BARE"
BARE_SUBJECT = "bare.product.created"
BARE_DURABLE = "bare"


def bare_consumer_config() -> ConsumerConfig:
    # As Linli's PullConsumer.ensure(): explicit ack, deliver all, ack_wait 30 s, max_ack_pending 1024.
    return ConsumerConfig(
        durable_name=BARE_DURABLE,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=30.0,
        max_deliver=4,
        max_ack_pending=1024,
        filter_subjects=[BARE_SUBJECT],
    )


class PipelinedPull:
    """The raw pull protocol at its best in nats-py: a callback subscription (no per-message
    `next_msg` timer), explicit acks, and the next pull request sent when half of the previous one
    is consumed, so the server never waits for the client to ask."""

    def __init__(self, nc: NATS, on_msg: Callable[[Msg], None], batch: int = 256) -> None:
        self.nc, self.on_msg, self.batch = nc, on_msg, batch
        self.outstanding = 0
        self.inbox = nc.new_inbox()
        self.request = json.dumps({"batch": batch, "expires": int(60e9)}).encode()
        self.subject = f"$JS.API.CONSUMER.MSG.NEXT.{BARE_STREAM}.{BARE_DURABLE}"

    async def start(self) -> None:
        self.sub = await self.nc.subscribe(self.inbox, cb=self._cb, pending_msgs_limit=self.batch * 8)
        await self._pull()

    async def _pull(self) -> None:
        self.outstanding += self.batch
        await self.nc.publish(self.subject, self.request, reply=self.inbox)

    async def _cb(self, msg: Msg) -> None:
        status = msg.headers.get("Status") if msg.headers else None
        if status is None:
            await msg.ack()
            self.on_msg(msg)
            self.outstanding -= 1
        elif status in ("404", "408", "409"):
            self.outstanding = 0
        if self.outstanding <= self.batch // 2:
            await self._pull()

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self.sub.unsubscribe()


class FetchLoop:
    """`PullSubscription.fetch(batch)` in a loop, acking each message (nats-py's documented API)."""

    def __init__(self, js: JetStreamContext, on_msg: Callable[[Msg], None], batch: int = 256) -> None:
        self.js, self.on_msg, self.batch = js, on_msg, batch

    async def start(self) -> None:
        self.psub = await self.js.pull_subscribe_bind(durable=BARE_DURABLE, stream=BARE_STREAM)
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            try:
                msgs = await self.psub.fetch(self.batch, timeout=1)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            for msg in msgs:
                await msg.ack()
                self.on_msg(msg)

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task
        with contextlib.suppress(Exception):
            await self.psub.unsubscribe()


async def _publish_async(js: JetStreamContext, items: list[tuple[str, bytes]], stamp: bool) -> None:
    futures = []
    for event_id, payload in items:
        if stamp:
            STAMPS.start[event_id] = time.monotonic()
        futures.append(await js.publish_async(BARE_SUBJECT, payload, headers={"Nats-Msg-Id": event_id}))
    await js.publish_async_completed()
    for future in futures:
        future.result()  # raises if JetStream refused one


async def _publish_gather(js: JetStreamContext, items: list[tuple[str, bytes]], stamp: bool) -> None:
    async def one(event_id: str, payload: bytes) -> None:
        if stamp:
            STAMPS.start[event_id] = time.monotonic()
        await js.publish(BARE_SUBJECT, payload, headers={"Nats-Msg-Id": event_id}, timeout=5)

    await asyncio.gather(*(one(event_id, payload) for event_id, payload in items))


PUBLISHERS = {"publish_async": _publish_async, "gather(publish)": _publish_gather}
CONSUMERS = ("pipelined pull", "fetch")


async def run_bare(nats_url: str, params: Params, payload: bytes, *, publisher: str, consumer: str) -> Result:
    """One bare run: burst throughput with `publisher`/`consumer`; paced latency only with the
    pipelined pull consumer (fetch(batch) holds early messages while it waits for the batch to fill)."""
    await _delete_streams(nats_url, BARE_STREAM)
    nc = await nats.connect(nats_url, name="bench-bare")
    try:
        js = nc.jetstream(timeout=10)
        await js.add_stream(stream_config(BARE_STREAM, replicas=1))
        await js.add_consumer(BARE_STREAM, bare_consumer_config())

        def on_msg(msg: Msg) -> None:
            STAMPS.finished(msg.headers["Nats-Msg-Id"] if msg.headers else "", time.monotonic())

        sink: PipelinedPull | FetchLoop = (
            PipelinedPull(nc, on_msg) if consumer == "pipelined pull" else FetchLoop(js, on_msg)
        )
        await sink.start()
        publish = PUBLISHERS[publisher]
        try:
            STAMPS.expect(1)
            await publish(js, [(uuid.uuid4().hex, payload)], False)
            await STAMPS.wait(params.timeout, "bare warm-up")

            items = [(uuid.uuid4().hex, payload) for _ in range(params.burst)]
            STAMPS.expect(params.burst)
            started = time.monotonic()
            await publish(js, items, False)
            published = time.monotonic()
            await STAMPS.wait(params.timeout, "bare burst")
            throughput = params.burst / (max(STAMPS.end.values()) - started)
            result = Result(throughput=throughput)
            result.notes["commit_rate"] = params.burst / (published - started)

            if consumer == "pipelined pull":
                for n, rate in params.paced:
                    await asyncio.sleep(0.2)
                    STAMPS.expect(n)
                    paced = [(uuid.uuid4().hex, payload) for _ in range(n)]
                    await _paced(n, rate, lambda i, paced=paced: publish(js, [paced[i]], True))  # type: ignore[misc]
                    await STAMPS.wait(params.timeout, "bare paced stream")
                    result.latency[rate] = _p50_p99(STAMPS.latencies_ms())
            return result
        finally:
            await sink.stop()
    finally:
        await nc.close()
