"""Live notifications (issue 6): a notification reaches a connected app within 100 ms p99 of the event
that caused it.

The whole system runs as `make run` runs it (`LocalSystem`: nats-server and the six services on
SQLite, free ports, a fresh temp var dir). `residents` members of one community (tokens minted with
the local key, joined by invite code) each post an item to swap and keep the app's notification
stream open through the gateway (`GET /api/v1/notifications/stream`: server-sent events, one httpx
streaming connection each, read by the e2e tests' `listening`). The workload: swap offers made by
other residents, paced at each rate of `paced` (an open loop: offer i leaves at i/rate s, answered or
not: a quiet rate, where the path's own latency shows, and a busy one; real HTTP through
the gateway to community, a connection each, flash's load generator), each a
`community.swap.offer_made` that notifies the item's owner: community commits the offer and its event
(outbox → JetStream), the gateway's consumer stores the notification in its inbox and, after commit,
publishes it on core NATS to the gateway replica holding the owner's stream, which writes the frame.

Per notification: from the offer's answer (community has committed the event by then) and from its
send, to the frame's arrival on the owner's stream, all in this process (one clock). Each offer
answered 201 must arrive exactly once, on its owner's stream only: lost, duplicated and misrouted
frames are counted. CPU seconds of the gateway, community, nats-server and this load generator
(psutil) over each run, per notification, and over a few idle seconds with every stream open. Where
the time goes: this process also subscribes to the event's subject and to `notify.*`, stamping each
offer's event as JetStream takes it and its notification as the gateway publishes it (send → event →
notification → frame).

Bare baseline in the same run (`tests/bench/bare_notify.py`, which says what it includes and leaves
out): a publisher that puts the event into JetStream and answers, and a Starlette pusher reading a
JetStream consumer and writing the same frames to the same residents' streams, on the same
nats-server, driven by the same load generator with requests of the same shape. Linli and bare runs
alternate round by round; medians of the rounds are reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import math
import os
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nats
import uvloop
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from deploy.client import Session
from deploy.processes import SERVICES, LocalSystem, free_port
from services.gateway.notifications.live import subject_of
from shared.models import new_id
from tests import factories
from tests.bench import bare_notify
from tests.bench.flash import _Connection, _row, cpu_seconds, cpu_since, post
from tests.bench.pipeline import _paced
from tests.bench.servers import BareProcess
from tests.bench.stats import fmt, median, percentile
from tests.e2e.test_notifications import Frames, listening

TARGET_P99_MS = 100.0
MESSAGE = "我拿两本绘本换"
IDLE_SECONDS = 3.0
# Processes whose CPU is read, Linli's and the bare counterpart side by side.
SERVERS = (("gateway", "pusher"), ("community", "publisher"), ("nats", "nats"))
CPU_ROWS = (*SERVERS, ("load generator", "load generator"))


@dataclass
class Params:
    residents: int = 200
    paced: tuple[tuple[int, float], ...] = ((100, 10.0), (200, 50.0))  # (offers, offers a second) per run
    rounds: int = 3
    warmup: int = 50  # offers per side before the rounds, not counted
    drain: float = 10.0  # after the last answer, the longest to wait for the frames still owed
    setup_concurrency: int = 8  # joins and posts at once while setting up (a loaded machine times out more)


@dataclass
class Run:
    side: str  # linli | bare
    rate: float
    offers: int
    answers: Counter[int]
    from_answer_ms: list[float]  # answer → frame, per notification delivered
    from_send_ms: list[float]  # send → frame
    answer_ms: list[float]  # send → answer, per offer answered 201
    lost: int  # answered 201, never on the owner's stream
    duplicates: int  # frames beyond the first for one offer
    misrouted: int  # frames on someone else's stream
    strays: int  # frames of no offer of this run
    cpu: dict[str, float]
    stages: dict[str, list[float]] = field(default_factory=dict)  # send → … → frame, between NATS taps (ms)
    made_unanswered: int = 0  # frames of offers answered other than 201 but made all the same

    @property
    def delivered(self) -> int:
        return len(self.from_answer_ms)

    @property
    def triggered(self) -> int:
        return self.answers[201]

    def p(self, latencies: str, q: float) -> float:
        """Percentile `q` of one of the lists of latencies, by name (or of a stage's)."""
        values: list[float] = self.stages[latencies] if latencies in self.stages else getattr(self, latencies)
        return percentile(values, q) if values else math.nan

    def cpu_ms(self, name: str) -> float:
        return 1000 * self.cpu.get(name, math.nan) / self.delivered if self.delivered else math.nan


@dataclass
class Report:
    params: Params
    runs: list[Run] = field(default_factory=list)
    load: tuple[float, float] = (math.nan, math.nan)  # 1-minute load average at the start and the end
    idle: dict[str, float] = field(default_factory=dict)  # CPU % of a core per process, streams open, no offers
    between: dict[str, int] = field(default_factory=dict)  # side → frames that came between runs

    def of(self, side: str, rate: float) -> list[Run]:
        return [run for run in self.runs if (run.side, run.rate) == (side, rate)]


# --------------------------------------------------------------------------------------------
# The load generator


class Round:
    """What one run's offers and frames left: send, answer and arrival times (one clock)."""

    def __init__(self, owners: list[int], taps: tuple[tuple[str, str], ...]) -> None:
        n = len(owners)
        self.owners, self.taps = owners, taps
        self.seen: dict[str, dict[str, float]] = {subject: {} for subject, _ in taps}  # offer id → first seen
        self.sent, self.answered = [math.nan] * n, [math.nan] * n
        self.statuses, self.offer_ids = [0] * n, [""] * n
        self.arrivals: dict[str, list[tuple[int, float]]] = {}  # offer id → (stream, arrival)
        self.frames = self.ok = 0
        self.sending = True
        self.complete = asyncio.Event()  # every offer answered, and as many frames as 201s came

    def answer(self, i: int, status: int, body: bytes) -> None:
        self.answered[i], self.statuses[i] = time.perf_counter(), status
        if status == 201:
            self.offer_ids[i] = json.loads(body)["id"]
            self.ok += 1

    def arrived(self, stream: int, offer_id: str, at: float) -> None:
        self.arrivals.setdefault(offer_id, []).append((stream, at))
        self.frames += 1
        self.check()

    def check(self) -> None:
        if not self.sending and self.frames >= self.ok:
            self.complete.set()

    def tapped(self, subject: str, offer_id: str, at: float) -> None:
        self.seen[subject].setdefault(offer_id, at)

    def result(self, side: str, rate: float, cpu: dict[str, float]) -> Run:
        run = Run(side, rate, len(self.owners), Counter(self.statuses), [], [], [], 0, 0, 0, 0, cpu)
        offers = {offer_id: i for i, offer_id in enumerate(self.offer_ids) if self.statuses[i] == 201}
        # An offer answered otherwise (a 503: the gateway's upstream timeout fired while community went on)
        # may have been made all the same: a frame of no known offer, on the stream of an owner with such an
        # offer, is counted as that one's, not as a stray.
        unanswered = Counter(self.owners[i] for i, status in enumerate(self.statuses) if status != 201)
        for offer_id, frames in self.arrivals.items():
            if offer_id in offers:
                continue
            if unanswered[frames[0][0]] > 0:
                unanswered[frames[0][0]] -= 1
                run.made_unanswered += 1
                run.duplicates += len(frames) - 1
            else:
                run.strays += len(frames)
        for offer_id, i in offers.items():
            run.answer_ms.append(1000 * (self.answered[i] - self.sent[i]))
            frames = self.arrivals.get(offer_id, [])
            mine = [at for stream, at in frames if stream == self.owners[i]]
            run.misrouted += len(frames) - len(mine)
            if not mine:
                run.lost += 1
                continue
            run.duplicates += len(mine) - 1
            run.from_answer_ms.append(1000 * (mine[0] - self.answered[i]))
            run.from_send_ms.append(1000 * (mine[0] - self.sent[i]))
            checkpoints = [self.sent[i], *(self.seen[subject].get(offer_id, math.nan) for subject, _ in self.taps)]
            labels = ["send", *(label for _, label in self.taps), "frame"]
            for k, (start, end) in enumerate(zip(checkpoints, [*checkpoints[1:], mine[0]], strict=True)):
                if not math.isnan(end - start):  # a tap may miss a message (core NATS, a slow subscriber)
                    run.stages.setdefault(f"{labels[k]} → {labels[k + 1]}", []).append(1000 * (end - start))
        return run


@dataclass
class Side:
    """Linli or the bare baseline, as the load generator sees it."""

    name: str
    port: int  # where offers are sent
    items: list[str]  # per resident, the path key of the item they offer to swap
    tokens: list[str]  # per resident, the bearer
    pids: dict[str, int]  # process label → pid, for CPU
    taps: tuple[tuple[str, str], ...]  # (NATS subject, label): where the load generator sees an offer pass by
    round: Round | None = None
    offers: int = 0  # offers made so far: each picks an (owner, offerer) pair not used before
    between: int = 0  # frames that came between runs (a late duplicate would)

    def requests(self, n: int) -> tuple[list[int], list[bytes]]:
        """`n` offers, spread over the owners; an offerer never offers twice on one item, nor on their own."""
        residents = len(self.items)
        if self.offers + n > residents * (residents - 1):
            raise ValueError("more offers than (owner, offerer) pairs: raise residents or send fewer")
        owners, requests = [], []
        for m in range(self.offers, self.offers + n):
            owner = m % residents
            offerer = (owner + 1 + m // residents) % residents
            owners.append(owner)
            path = f"/api/v1/swaps/{self.items[owner]}/offers"
            requests.append(
                post(self.port, path, {"message": MESSAGE}, {"Authorization": f"Bearer {self.tokens[offerer]}"})
            )
        self.offers += n
        return owners, requests

    async def read(self, stream: int, frames: Frames) -> None:
        """One stream's frames, stamped on arrival, into the round under way."""
        while True:
            frame = await frames.get()
            at = time.perf_counter()
            if frame.get("event") != "notification":
                continue
            if self.round is None:
                self.between += 1
            else:
                self.round.arrived(stream, frame["data"]["data"]["offer_id"], at)

    async def tap(self, nc: NATS) -> None:
        """Subscribe to the subjects an offer passes through (the event and the notification both carry
        `data.offer_id`), to see where the time goes."""
        for subject, _ in self.taps:

            async def seen(msg: Msg, subject: str = subject) -> None:
                if self.round is not None:
                    self.round.tapped(subject, json.loads(msg.data)["data"]["offer_id"], time.perf_counter())

            await nc.subscribe(subject, cb=seen, pending_msgs_limit=100_000)


@contextlib.asynccontextmanager
async def streams_open(side: Side, base_url: str) -> AsyncIterator[None]:
    """Every resident's notification stream on `side`, open, each read by a task, until the block ends."""
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=base_url, limits=limits) as client, contextlib.AsyncExitStack() as stack:
        readers = []
        for i, token in enumerate(side.tokens):
            frames = await stack.enter_async_context(listening(Session(client, "", {"access_token": token})))
            readers.append(asyncio.create_task(side.read(i, frames)))
        try:
            yield
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)


async def offer_round(side: Side, n: int, rate: float, params: Params) -> Run:
    """`n` offers at `rate` a second, then until every answered offer's frame has come (or `drain` passed)."""
    loop = asyncio.get_running_loop()
    owners, requests = side.requests(n)
    rnd = side.round = Round(owners, side.taps)
    before = cpu_seconds(side.pids)

    async def fire(i: int) -> None:
        # Each offer from its resident's phone: a connection of its own (an idle keep-alive connection
        # would meet the server's idle timeout on a slow machine), timed from the request's send.
        conn: _Connection | None = None
        try:
            conn = (await loop.create_connection(_Connection, "127.0.0.1", side.port))[1]
            rnd.sent[i] = time.perf_counter()
            rnd.answer(i, *await conn.request(requests[i]))
        except ConnectionError:
            rnd.statuses[i] = 0
        finally:
            if conn is not None and conn.transport is not None:
                conn.transport.close()

    try:
        await _paced(n, rate, fire)
        rnd.sending = False
        rnd.check()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(rnd.complete.wait(), params.drain)
        await asyncio.sleep(0.3)  # a duplicate would come right behind
        cpu = cpu_since(before, side.pids)
    finally:
        side.round = None
    return rnd.result(side.name, rate, cpu)


# --------------------------------------------------------------------------------------------
# The two sides


async def linli_side(http: httpx.AsyncClient, system: LocalSystem, params: Params) -> Side:
    """A community whose residents each post an item to swap."""
    leader = await factories.person(http, system)
    community = await factories.community(leader, name="交换小区")
    k = params.setup_concurrency
    shares = [len(range(i, params.residents, k)) for i in range(k)]  # k joiners at a time
    joined = await asyncio.gather(*(factories.member_tokens(http, community["invite_code"], n) for n in shares))
    tokens = [token for share in joined for token in share]
    gate = asyncio.Semaphore(k)

    async def item(token: str) -> str:
        async with gate:
            return str((await factories.swap(Session(http, "", {"access_token": token}), community["id"]))["id"])

    items = list(await asyncio.gather(*(item(token) for token in tokens)))
    pids = {name: system.processes[name].pid for name in ("gateway", "community", "nats")}
    taps = (("community.swap.offer_made", "event on JetStream"), (subject_of("*"), "notification on core NATS"))
    return Side("linli", system.ports["gateway"], items, tokens, pids | {"load generator": os.getpid()}, taps)


async def _rounds(report: Report, linli: Side, bare: Side, progress: Callable[[str], None]) -> None:
    """Warm-up, the idle CPU, then the rounds, each side every round, the first side alternating."""
    params = report.params
    busiest = max(rate for _, rate in params.paced)
    for side in (linli, bare):
        warm = await offer_round(side, params.warmup, busiest, params)
        progress(f"  warm-up {side.name}: {warm.delivered} of {warm.offers} notifications (not counted)")
    everyone = linli.pids | bare.pids
    before = cpu_seconds(everyone)
    await asyncio.sleep(IDLE_SECONDS)
    report.idle = {name: 100 * s / IDLE_SECONDS for name, s in cpu_since(before, everyone).items()}
    for i in range(params.rounds):
        for side in (linli, bare) if i % 2 == 0 else (bare, linli):
            for n, rate in params.paced:
                run = await offer_round(side, n, rate, params)
                report.runs.append(run)
                progress(
                    f"   round {i + 1}/{params.rounds} {side.name:<5} at {rate:.0f}/s: "
                    f"{run.delivered}/{run.triggered} delivered, answer → frame "
                    f"p50 {fmt(run.p('from_answer_ms', 50))} p99 {fmt(run.p('from_answer_ms', 99))} ms"
                )


async def _run(report: Report, system: LocalSystem, var: Path, progress: Callable[[str], None]) -> None:
    params = report.params
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=30) as http:
        started = time.monotonic()
        linli = await linli_side(http, system, params)
        progress(f"  {params.residents} residents joined and posted an item in {time.monotonic() - started:.1f} s")
    people = [new_id() for _ in range(params.residents)]  # bare: a person's id names their item and is their bearer
    with (
        BareProcess("tests.bench.bare_notify", "publisher", system.nats_url, log=var / "bare-publisher.log") as pub,
        BareProcess("tests.bench.bare_notify", "pusher", system.nats_url, log=var / "bare-pusher.log") as push,
    ):
        assert pub.proc is not None and push.proc is not None
        pids = {"publisher": pub.proc.pid, "pusher": push.proc.pid, "nats": system.processes["nats"].pid}
        taps = ((bare_notify.SUBJECT, "event on JetStream"),)
        bare = Side("bare", pub.port, people, people, pids | {"load generator": os.getpid()}, taps)
        started = time.monotonic()
        nc = await nats.connect(system.nats_url, name="bench-notify-taps")
        try:
            async with (
                streams_open(linli, system.url("gateway")),
                streams_open(bare, f"http://127.0.0.1:{push.port}"),
            ):
                progress(
                    f"  {2 * params.residents} streams open (Linli's and bare) in {time.monotonic() - started:.1f} s"
                )
                await linli.tap(nc)
                await bare.tap(nc)
                await _rounds(report, linli, bare, progress)
                report.between = {side.name: side.between for side in (linli, bare)}
        finally:
            await nc.close()


def run(params: Params, progress: Callable[[str], None] = print) -> Report:
    report = Report(params)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="linli-bench-notify-") as tmp:
        system = LocalSystem(var_dir=Path(tmp), nats_port=free_port(), ports={s: free_port() for s in SERVICES})
        try:
            started = time.monotonic()
            system.start(timeout=300)  # not what is measured: a machine shared with other work starts slowly
            progress(f"  system up in {time.monotonic() - started:.1f} s")
            uvloop.run(_run(report, system, Path(tmp), progress))
        finally:
            system.stop()
    report.load = (load, os.getloadavg()[0])
    return report


# --------------------------------------------------------------------------------------------
# Report


def _medians(linli: list[Run], bare: list[Run], value: Callable[[Run], float]) -> tuple[float, float]:
    return median(value(r) for r in linli), median(value(r) for r in bare)


LATENCIES = (("answer → frame", "from_answer_ms"), ("send → frame", "from_send_ms"), ("send → answer", "answer_ms"))


def print_report(report: Report, say: Callable[[str], None]) -> None:
    params = report.params
    for n, rate in params.paced:
        linli, bare = report.of("linli", rate), report.of("bare", rate)
        if not linli or not bare:
            continue
        say("")
        title = f"notifications at {rate:.0f}/s ({n} a run)"
        say(f"{title:<40}{'Linli':>10}{'bare':>15}{'Linli/bare':>13}")
        for label, name in LATENCIES:
            for q in (50, 99):
                say(_row(f"{label} p{q} (ms)", *_medians(linli, bare, functools.partial(Run.p, latencies=name, q=q))))
        say("CPU ms per notification (Linli | bare)")
        for mine, theirs in CPU_ROWS:
            label = f"  {mine}" + (f" | {theirs}" if theirs != mine else "")
            say(_row(label, median(r.cpu_ms(mine) for r in linli), median(r.cpu_ms(theirs) for r in bare)))
        linli_ms = sum(median(r.cpu_ms(mine) for r in linli) for mine, _ in SERVERS)
        bare_ms = sum(median(r.cpu_ms(theirs) for r in bare) for _, theirs in SERVERS)
        say(
            f"  servers together: Linli {fmt(linli_ms)} ms, bare {fmt(bare_ms)} ms → at most "
            f"{2000 / linli_ms:,.0f} and {2000 / bare_ms:,.0f} notifications/s on 2 cores"
        )
        for name, runs in (("Linli", linli), ("bare", bare)):
            answers = sum((r.answers for r in runs), Counter())
            say(
                f"  {name}: {sum(r.delivered for r in runs)} notifications delivered for "
                f"{sum(r.triggered for r in runs)} offers answered 201 (answers {dict(answers)}); lost "
                f"{sum(r.lost for r in runs)}, duplicated {sum(r.duplicates for r in runs)}, on another's stream "
                f"{sum(r.misrouted for r in runs)}, of no offer of the run {sum(r.strays for r in runs)}; offers "
                f"answered otherwise but made and notified {sum(r.made_unanswered for r in runs)}"
            )
        for name, runs in (("Linli", linli), ("bare", bare)):
            stages = ", ".join(
                f"{stage} {fmt(median(r.p(stage, 50) for r in runs))} / {fmt(median(r.p(stage, 99) for r in runs))}"
                for stage in runs[0].stages
            )
            say(f"  where the time goes, {name} (p50 / p99 ms, seen by this process on NATS): {stages}")
        exact = report.between.get("linli") == 0 and all(
            r.lost == r.duplicates == r.misrouted == r.strays == 0 for r in linli
        )
        p99_answer = median(r.p("from_answer_ms", 99) for r in linli)
        p99_send = median(r.p("from_send_ms", 99) for r in linli)
        say(
            f"  target (issue 6), p99 < {TARGET_P99_MS:.0f} ms from the event to the app: answer → frame "
            f"{'meets' if p99_answer < TARGET_P99_MS else 'MISSES'} ({fmt(p99_answer)} ms), send → frame "
            f"{'meets' if p99_send < TARGET_P99_MS else 'MISSES'} ({fmt(p99_send)} ms); each exactly once: "
            + ("held" if exact else "BROKEN")
        )
    say(
        f"  {params.residents} residents, each with an item and a notification stream open (Linli's through the "
        f"gateway, bare's to its pusher); medians of {params.rounds} rounds, Linli and bare alternating; offers "
        "paced (open loop), a connection each, Linli's through the gateway, bare's "
        "to its publisher."
    )
    say(
        "  answer: the offer's HTTP answer, when the event is committed (Linli: community's transaction with its "
        "outbox row; bare: JetStream's PubAck); a frame may overtake its answer (negative times count as they are)."
    )
    say(
        "  bare = tests/bench/bare_notify.py: publisher → JetStream → pipelined pull consumer → the same bounded "
        "queues and SSE frames; no auth, no databases, no outbox/inbox, no proxy hop, no core-NATS hop between "
        "replicas. Load generator in this process (uvloop; httpx streams; its CPU shown)."
    )
    between = ", ".join(f"{side} {n}" for side, n in report.between.items())
    say(f"  frames that came between runs (each would be a duplicate or a stray): {between}")
    idle = ", ".join(f"{name} {share:.1f}" for name, share in report.idle.items() if name != "load generator")
    say(f"  idle, streams open, no offers ({IDLE_SECONDS:.0f} s): CPU % of a core: {idle}")
    say(f"  load average {report.load[0]:.2f} at the section's start, {report.load[1]:.2f} at its end (2 cores shared)")
