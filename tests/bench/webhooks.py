"""Webhook delivery: 10,000 events to 20 partner endpoints, one of them dead and one slow.

The whole system runs (nats-server + six services, fresh temp var dir, free ports). One owner
registers 20 providers through the gateway, each with an API key and a subscription to
`orders.booking.requested` at a receiver of its own: a real HTTP server in this process
(`tests/gateway/receiver.py`, uvicorn) that verifies every delivery's signature with the public
standardwebhooks library. The events are published into the ORDERS stream as orders publishes
them (a `BookingRequested` envelope, `Nats-Msg-Id` = event id), round-robin over the providers,
so each endpoint is owed 1/20 of them; the gateway consumes them, writes the deliveries and sends.

Rounds:
  all healthy      a burst of `events`, every endpoint answering at once (the control);
  dead + slow      a burst of `events`; endpoint 0 is down (connection refused: the gateway
                   probes it), endpoint 1 answers after `slow_seconds`;
  paced            `paced` events at `rate`/s, dead and slow still so: latency at rest.
Each round's figures are for the healthy endpoints: deliveries/s (first event published → last
healthy delivery received) and event → delivery latency (the event's `time` → arrival at the
receiver). The proof that a dead or slow endpoint holds up no one: the healthy figures with them
next to the control's, and how far the slow and dead endpoints had got when the healthy ones were
done. Each round first runs bare: an httpx sender posting the same signed payloads, created at
the same moments, to the same receivers with the same concurrency per endpoint (no database, no
NATS, no retries) — what delivery costs at the least.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import uvloop
from nats.js import JetStreamContext
from standardwebhooks.webhooks import Webhook

from deploy.client import login
from deploy.processes import SERVICES, LocalSystem, free_port
from services.gateway.webhooks.events import message_id, webhook_body
from shared.events import new_event
from shared.events.schemas.orders import BookingRequested
from shared.models import new_id
from tests import factories
from tests.bench.pipeline import _paced
from tests.bench.stats import fmt, percentile
from tests.gateway.receiver import Receiver

EVENT_TYPE = "orders.booking.requested"
DEAD, SLOW = 0, 1  # endpoints' indexes in the dead + slow rounds


@dataclass
class Params:
    events: int = 10_000
    endpoints: int = 20
    slow_seconds: float = 5.0
    paced: int = 1_000
    rate: float = 100.0
    per_endpoint: int = 4  # the gateway's default webhook_endpoint_concurrency; bare uses the same
    timeout: float = 300.0  # for the healthy endpoints to get everything


@dataclass
class Round:
    """One round's deliveries to the healthy endpoints."""

    owed: int  # deliveries owed to the healthy endpoints
    seconds: float  # first event → last healthy delivery
    latencies_ms: list[float]
    duplicates: int  # webhook-ids a healthy endpoint received more than once
    refused: int  # deliveries whose signature did not verify
    slow_done: int | None = None  # how far the slow endpoint had got when the healthy ones were done
    dead_done: int | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.owed / self.seconds

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


@dataclass
class Report:
    linli: dict[str, Round] = field(default_factory=dict)
    bare: dict[str, Round] = field(default_factory=dict)
    dead_attempts: int = 0  # attempts to the dead endpoint the gateway logged
    dead_pending: int = 0


class Owed:
    """Which webhook-ids each receiver is owed in a round, and when they were published."""

    def __init__(self, receivers: list[Receiver]) -> None:
        self.receivers = receivers
        self.ids: list[set[str]] = [set() for _ in receivers]
        self.marks = [len(r.received) for r in receivers]  # arrivals before the round are not its
        self.started = 0.0

    def add(self, endpoint: int, webhook_id: str) -> None:
        if not self.started:
            self.started = time.time()
        self.ids[endpoint].add(webhook_id)

    def arrived(self, endpoint: int) -> list[Any]:
        receiver = self.receivers[endpoint]
        return [r for r in receiver.received[self.marks[endpoint] :] if r.webhook_id in self.ids[endpoint]]

    def done(self, endpoint: int) -> int:
        return len({r.webhook_id for r in self.arrived(endpoint)})

    async def wait(self, healthy: list[int], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while any(self.done(i) < len(self.ids[i]) for i in healthy):
            if time.monotonic() > deadline:
                missing = sum(len(self.ids[i]) - self.done(i) for i in healthy)
                raise TimeoutError(f"{missing} deliveries to healthy endpoints missing after {timeout:.0f} s")
            await asyncio.sleep(0.02)

    def summary(self, healthy: list[int]) -> Round:
        arrivals = [r for i in healthy for r in self.arrived(i)]
        counts = collections.Counter(r.webhook_id for r in arrivals)
        return Round(
            owed=sum(len(self.ids[i]) for i in healthy),
            seconds=max(r.at for r in arrivals) - self.started,
            latencies_ms=[(r.at - r.occurred) * 1000 for r in arrivals],
            duplicates=sum(n - 1 for n in counts.values()),
            refused=sum(len(self.receivers[i].refused) for i in healthy),
            slow_done=self.done(SLOW) if SLOW not in healthy else None,
            dead_done=self.done(DEAD) if DEAD not in healthy else None,
        )


# --------------------------------------------------------------------------------------------
# Producing events: into JetStream as orders does (Linli), or straight into the bare sender


def booking_requested(provider_id: str) -> Any:
    return new_event(
        BookingRequested(
            booking_id=new_id(),
            provider_id=provider_id,
            offering_id=new_id(),
            community_id=new_id(),
            kind="slot",
            starts_at=datetime.now(UTC),
            ends_at=datetime.now(UTC),
            note="三楼，带鞋套",
            price_fen=29900,
        ),
        subject=new_id(),
        community_id=new_id(),
        actor_id=new_id(),
    )


async def produce(n: int, rate: float | None, emit: Callable[[int], Awaitable[None]]) -> None:
    """`emit(i)` for i < n: all at once (a burst, 256 in flight) or paced at `rate`/s."""
    if rate is not None:
        await _paced(n, rate, emit)
        return
    for start in range(0, n, 256):
        await asyncio.gather(*(emit(i) for i in range(start, min(n, start + 256))))


def to_jetstream(js: JetStreamContext, providers: list[str], owed: Owed) -> Callable[[int], Awaitable[None]]:
    async def emit(i: int) -> None:
        endpoint = i % len(providers)
        event = booking_requested(providers[endpoint])
        owed.add(endpoint, message_id(event.id))
        await js.publish(EVENT_TYPE, event.model_dump_json().encode(), headers={"Nats-Msg-Id": event.id}, timeout=10)

    return emit


class BareSender:
    """Per endpoint: a queue and `per_endpoint` workers posting signed payloads with one httpx
    client (as many connections). No database, no retries: a refused or slow call is just that."""

    def __init__(self, receivers: list[Receiver], providers: list[str], per_endpoint: int) -> None:
        self.receivers, self.providers, self.per_endpoint = receivers, providers, per_endpoint
        self.queues: list[asyncio.Queue[tuple[str, str]]] = [asyncio.Queue() for _ in receivers]
        self._clients: list[httpx.AsyncClient] = []
        self._workers: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> BareSender:
        for receiver, queue in zip(self.receivers, self.queues, strict=True):
            limits = httpx.Limits(max_connections=self.per_endpoint, max_keepalive_connections=self.per_endpoint)
            client = httpx.AsyncClient(timeout=15, limits=limits)
            self._clients.append(client)
            for _ in range(self.per_endpoint):
                self._workers.append(asyncio.create_task(self._work(client, receiver, queue)))
        return self

    async def __aexit__(self, *exc: object) -> None:
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        for client in self._clients:
            await client.aclose()

    def emitter(self, owed: Owed) -> Callable[[int], Awaitable[None]]:
        async def emit(i: int) -> None:
            endpoint = i % len(self.providers)
            event = booking_requested(self.providers[endpoint])
            body = webhook_body(event)  # the bytes the gateway would send
            webhook_id = f"bare_{event.id}"
            owed.add(endpoint, webhook_id)
            self.queues[endpoint].put_nowait((webhook_id, body))

        return emit

    @staticmethod
    async def _work(client: httpx.AsyncClient, receiver: Receiver, queue: asyncio.Queue[tuple[str, str]]) -> None:
        while True:
            webhook_id, body = await queue.get()
            now = datetime.now(UTC)
            headers = {
                "content-type": "application/json",
                "webhook-id": webhook_id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": Webhook(receiver.secret).sign(webhook_id, now, body),
            }
            with contextlib.suppress(httpx.HTTPError):
                await client.post(receiver.url, content=body, headers=headers)


# --------------------------------------------------------------------------------------------
# The run


@contextlib.contextmanager
def system_on(var_dir: Path) -> Iterator[LocalSystem]:
    system = LocalSystem(
        var_dir=var_dir,
        nats_port=free_port(),
        ports={s: free_port() for s in SERVICES},
        extra_env={"LINLI_GATEWAY_OTP_RESEND_SECONDS": "0"},
    )
    try:
        system.start()
        yield system
    finally:
        system.stop()


async def partners(
    gateway: httpx.AsyncClient, system: LocalSystem, receivers: list[Receiver]
) -> tuple[list[str], list[factories.PartnerKey]]:
    """One owner's providers, each with a key and a subscription at its receiver."""
    owner = await login(gateway, factories.new_phone(), sms_log=system.log_path("gateway"))
    providers, keys = [], []
    for i, receiver in enumerate(receivers):
        provider = await factories.provider(owner, name=f"压测服务商 {i:02d}")
        key = await factories.partner_key(gateway, owner, provider["id"])
        receiver.secret = key.secret
        await factories.subscription(key, receiver.url, EVENT_TYPE)
        providers.append(provider["id"])
        keys.append(key)
    return providers, keys


async def _run(system: LocalSystem, params: Params, report: Report, progress: Callable[[str], None]) -> None:
    receivers = [Receiver() for _ in range(params.endpoints)]
    for receiver in receivers:
        await receiver.start()
    everyone = list(range(params.endpoints))
    healthy = [i for i in everyone if i not in (DEAD, SLOW)]
    nc = await nats.connect(system.nats_url)
    try:
        async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=30) as gateway:
            providers, keys = await partners(gateway, system, receivers)
            js = nc.jetstream()

            async def bare(label: str, n: int, rate: float | None, wait_for: list[int]) -> None:
                owed = Owed(receivers)
                async with BareSender(receivers, providers, params.per_endpoint) as sender:
                    await produce(n, rate, sender.emitter(owed))
                    await owed.wait(wait_for, params.timeout)
                    report.bare[label] = owed.summary(wait_for)
                say("bare ", label, report.bare[label])

            async def linli(label: str, n: int, rate: float | None, wait_for: list[int]) -> None:
                owed = Owed(receivers)
                await produce(n, rate, to_jetstream(js, providers, owed))
                await owed.wait(wait_for, params.timeout)
                report.linli[label] = owed.summary(wait_for)
                say("linli", label, report.linli[label])

            def say(who: str, label: str, r: Round) -> None:
                behind = "" if r.slow_done is None else f"; slow {r.slow_done}, dead {r.dead_done} done by then"
                progress(
                    f"    {who} {label:<12} {fmt(r.rate):>6} deliveries/s  p50 {fmt(r.p(50))} "
                    f"p99 {fmt(r.p(99))} ms  duplicates {r.duplicates}, bad signatures {r.refused}{behind}"
                )

            await bare("all healthy", params.events, None, everyone)
            await linli("all healthy", params.events, None, everyone)
            await receivers[DEAD].stop()
            receivers[SLOW].delay = params.slow_seconds
            await bare("dead + slow", params.events, None, healthy)
            await linli("dead + slow", params.events, None, healthy)
            await bare("paced", params.paced, params.rate, healthy)
            await linli("paced", params.paced, params.rate, healthy)
            report.dead_attempts, report.dead_pending = await dead_endpoint_log(keys[DEAD])
    finally:
        await nc.close()
        for receiver in receivers:
            await receiver.stop()


async def dead_endpoint_log(key: factories.PartnerKey) -> tuple[int, int]:
    """The dead endpoint's deliveries still pending (owed since it went down), and the attempts the
    gateway made at them."""
    attempts = pending = 0
    offset = 0
    while True:
        params = {"status": "pending", "limit": 100, "offset": offset}
        page = (await key.request("GET", "/partner/v1/deliveries", params=params)).json()
        attempts += sum(d["attempts"] for d in page)
        pending += len(page)
        if len(page) < 100:
            return attempts, pending
        offset += 100


def run(params: Params, progress: Callable[[str], None] = print) -> Report:
    report = Report()
    with tempfile.TemporaryDirectory(prefix="linli-bench-webhooks-") as tmp, system_on(Path(tmp)) as system:
        progress("  system up; 20 providers, keys and subscriptions through the gateway")
        uvloop.run(_run(system, params, report, progress))
    return report


# --------------------------------------------------------------------------------------------
# Report


def _row(label: str, linli: float, bare: float) -> str:
    return f"{label:<46}{fmt(linli):>10}{fmt(bare):>13}{linli / bare:>13.2f}"


def print_report(report: Report, params: Params, say: Callable[[str], None]) -> None:
    say("")
    say(f"{'webhook delivery (SQLite)':<46}{'Linli':>10}{'bare httpx':>13}{'Linli/bare':>13}")
    for label, what in (("all healthy", "20 healthy endpoints"), ("dead + slow", "18 healthy (1 dead, 1 slow)")):
        linli, bare = report.linli[label], report.bare[label]
        say(_row(f"{what}: deliveries/s", linli.rate, bare.rate))
        say(_row("  p50 event → delivery (ms)", linli.p(50), bare.p(50)))
        say(_row("  p99 event → delivery (ms)", linli.p(99), bare.p(99)))
    paced_linli, paced_bare = report.linli["paced"], report.bare["paced"]
    say(_row(f"paced {params.rate:.0f}/s, 18 healthy: p50 (ms)", paced_linli.p(50), paced_bare.p(50)))
    say(_row("  p99 event → delivery (ms)", paced_linli.p(99), paced_bare.p(99)))

    control, faulty = report.linli["all healthy"], report.linli["dead + slow"]
    owed_each = params.events // params.endpoints
    say(
        f"  bursts of {params.events:,} events, round-robin over {params.endpoints} providers ({owed_each} per "
        f"endpoint), {params.per_endpoint} in flight per endpoint; deliveries/s = healthy deliveries / (first event "
        "published → last healthy delivery received)"
    )
    say(
        f"  dead and slow hold up no one: with them, the healthy endpoints got theirs at {fmt(faulty.rate)}/s, "
        f"p99 {fmt(faulty.p(99))} ms (all healthy: {fmt(control.rate)}/s, p99 {fmt(control.p(99))} ms); "
        f"when they were done the slow endpoint ({params.slow_seconds:g} s per answer) had {faulty.slow_done}/"
        f"{owed_each} and the dead one {faulty.dead_done}/{owed_each}"
    )
    say(
        f"  the dead endpoint: {report.dead_attempts:,} attempts logged for its {report.dead_pending:,} pending "
        "deliveries (probed one at a time, pauses doubling from 5 s); every healthy delivery arrived once "
        f"(duplicates: {sum(r.duplicates for r in report.linli.values())}) and verified with the standardwebhooks "
        f"library (bad signatures: {sum(r.refused for r in report.linli.values())})"
    )
    say(
        "  event → delivery: the event's time (set as it is published to JetStream; bare: as it is queued) → its "
        "arrival at the receiver; Linli: JetStream → gateway inbox + delivery rows (one transaction) → claim → "
        "signed POST; bare: queue → signed POST. Receivers and load in this process (uvloop)."
    )
