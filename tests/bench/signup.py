"""Sign-up rush: a leader announces an event with 50 places on air and 500 residents tap "sign up"
within a second, through the gateway.

The whole system runs as `make run` runs it (`LocalSystem`: nats-server and the six services on
SQLite, free ports, a fresh temp var dir). Every tap is real HTTP to the gateway, which forwards it to
community; community serves the taps that arrive together in one transaction under the event's row
lock (`services/community/events/desk.py`), with their `community.event.registered` events.

Who signs up: the leader and one resident log in for real (the resident joins by invite code); the
other 499 residents' tokens are minted with the local signing key (role resident), as the flash bench
does, and they join by invite code first (community checks its own memberships, not only the token's
roles) — community verifies each token exactly as a real one.

Each run is a fresh event with `places` places and `residents` taps, one per resident, each on its
own keep-alive connection (connected before the clock starts; load generator `tests/bench/flash.py`'s,
requests pre-built):
  paced      the taps are sent evenly over one second (an open loop: tap i leaves at i/500 s, whether
             or not earlier ones were answered): "500 residents sign up within a second". Through the
             gateway (what the app and the live-room card call), and to community directly (the same
             taps without the gateway's hop), to show where the time goes.
  burst      all 500 taps sent at once, through the gateway.
CPU time of every process (psutil) is read around each run, until its events are published, and
printed per sign-up for the gateway (its forwarding and its notification consumer), community,
matching (its read models) and nats-server.
Then, checked from the organiser's participant list and the COMMUNITY stream: every tap answered 201;
exactly `places` registered and the rest waitlisted; arrival numbers 1…500 without gaps, seats to
the first `places`, waitlist positions 1…450 in arrival order; one `community.event.registered` per
tap. Latency = tap sent → answer complete; p50/p99 over every tap of a run, medians over rounds. How
far the service's arrival order strays from the order the taps were sent is shown too (taps racing
through the gateway may swap places by a few milliseconds: arrival is when community serves them).
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
import uvloop
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from deploy.client import Session
from deploy.processes import SERVICES, LocalSystem, free_port
from tests import factories
from tests.bench.flash import Outcome, _Connection, cpu_seconds, cpu_since, post
from tests.bench.stats import fmt, median

TARGET_P99_MS = 200.0


@dataclass
class Params:
    residents: int = 500
    places: int = 50
    seconds: float = 1.0  # paced: the taps are spread over this long
    rounds: int = 3
    timeout: float = 60.0


MODES = (("paced", "gateway"), ("paced", "community"), ("burst", "gateway"))


@dataclass
class Run:
    mode: str  # paced | burst
    target: str  # gateway | community
    outcome: Outcome
    problems: list[str]
    displacement: int  # the furthest a tap's arrival number strays from its send order
    inversions: float  # share of pairs of taps served in the other order than sent


@dataclass
class Report:
    runs: list[Run] = field(default_factory=list)
    events: int = 0  # community.event.registered for the bench's events
    expected_events: int = 0

    def of(self, mode: str, target: str) -> list[Run]:
        return [run for run in self.runs if (run.mode, run.target) == (mode, target)]


async def send(port: int, requests: list[bytes], *, spread: float, timeout: float) -> Outcome:
    """One connection per request, all connected first; request i sent at i/n × `spread` seconds."""
    loop = asyncio.get_running_loop()
    connections = [(await loop.create_connection(_Connection, "127.0.0.1", port))[1] for _ in requests]
    n = len(requests)
    statuses, bodies = [0] * n, [b""] * n
    latencies, finished = [0.0] * n, [0.0] * n

    async def one(i: int) -> None:
        await asyncio.sleep(max(0.0, started + spread * i / n - time.perf_counter()))
        sent = time.perf_counter()
        try:
            statuses[i], bodies[i] = await connections[i].request(requests[i])
        except ConnectionError as exc:
            statuses[i], bodies[i] = 0, repr(exc).encode()
            return
        done = time.perf_counter()
        latencies[i], finished[i] = done - sent, done - started

    try:
        cpu = time.process_time()
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), timeout)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        for conn in connections:
            if conn.transport is not None:
                conn.transport.close()
    return Outcome(statuses, bodies, latencies, finished, elapsed, cpu)


def order_drift(seqs: list[int]) -> tuple[int, float]:
    """(largest |arrival number − send position|, share of pairs served out of send order)."""
    displacement = max(abs(seq - (i + 1)) for i, seq in enumerate(seqs))
    n = len(seqs)
    swapped = sum(1 for i in range(n) for j in range(i + 1, n) if seqs[i] > seqs[j])
    return displacement, swapped / (n * (n - 1) / 2)


def check(answers: list[dict[str, Any]], lines: list[dict[str, Any]], params: Params) -> list[str]:
    """What the rush must leave: the seats to the first arrivals, the rest waiting in arrival order."""
    problems = []
    by_seq = sorted(answers, key=lambda a: a["seq"])
    if [a["seq"] for a in by_seq] != list(range(1, params.residents + 1)):
        problems.append("arrival numbers are not 1…n without gaps")
    waiting = params.residents - params.places
    if [a["status"] for a in by_seq] != ["registered"] * params.places + ["waitlisted"] * waiting:
        problems.append(f"not exactly the first {params.places} registered and the rest waitlisted")
    if [a["waitlist_position"] for a in by_seq[params.places :]] != list(range(1, waiting + 1)):
        problems.append("waitlist positions are not 1…n in arrival order")
    told = {a["user_id"]: (a["status"], a["seq"]) for a in answers}
    listed = {line["user_id"]: (line["status"], line["seq"]) for line in lines}
    if told != listed:
        problems.append("the participant list differs from what the residents were told")
    return problems


@dataclass
class Rush:
    http: httpx.AsyncClient
    system: LocalSystem
    leader: Session
    community_id: str
    tokens: list[str]

    @classmethod
    async def open(cls, http: httpx.AsyncClient, system: LocalSystem, residents: int) -> Rush:
        leader = await factories.person(http, system)
        community = await factories.community(leader, name="活动小区")
        resident = await factories.person(http, system)
        await factories.join(resident, community["invite_code"])
        minted = await factories.member_tokens(http, community["invite_code"], residents - 1)
        return cls(http, system, leader, community["id"], [resident.tokens["access_token"], *minted])

    async def round(self, mode: str, target: str, params: Params) -> tuple[Run, str]:
        event = await factories.offline_event(
            self.leader, self.community_id, capacity=params.places, title="端午包粽子"
        )
        path = f"/api/v1/community-events/{event['id']}/registrations"
        port = self.system.ports[target]
        tapped = path if target == "gateway" else path.removeprefix("/api/v1")
        requests = [post(port, tapped, {}, {"Authorization": f"Bearer {token}"}) for token in self.tokens]
        spread = params.seconds if mode == "paced" else 0.0
        pids = {name: process.pid for name, process in self.system.processes.items()}
        before = cpu_seconds(pids)
        outcome = await send(port, requests, spread=spread, timeout=params.timeout)
        answers = [
            json.loads(body) for status, body in zip(outcome.statuses, outcome.bodies, strict=True) if status == 201
        ]
        lines = (await self.leader.request("GET", path)).json()
        problems = check(answers, lines, params) if len(answers) == params.residents else []
        others = Counter(s for s in outcome.statuses if s != 201)
        if others:
            problems.append(f"answers other than 201: {dict(others)}")
        displacement, inversions = order_drift([a["seq"] for a in answers]) if answers else (0, 0.0)
        await asyncio.sleep(1.0)  # the outbox relay publishes the run's events
        outcome.cpu = cpu_since(before, pids)
        return Run(mode, target, outcome, problems, displacement, inversions), str(event["id"])


async def registered_events(nats_url: str, event_ids: set[str], expected: int, timeout: float) -> int:
    """`community.event.registered` events about the bench's events in the COMMUNITY stream, once the
    relay has published at least `expected` (or the timeout passed)."""
    nc = await nats.connect(nats_url, name="bench-signup")
    try:
        js = nc.jetstream(timeout=10)
        deadline = time.monotonic() + timeout
        while True:
            info = await js.stream_info("COMMUNITY", subjects_filter="community.event.registered")
            total = sum((info.state.subjects or {}).values())
            if total >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        psub = await js.pull_subscribe(
            "community.event.registered",
            stream="COMMUNITY",
            config=ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
        )
        found = seen = 0
        while seen < total:
            for msg in await psub.fetch(1000, timeout=5):
                seen += 1
                found += json.loads(msg.data)["subject"] in event_ids
        await psub.unsubscribe()
        return found
    finally:
        await nc.close()


async def _run(report: Report, system: LocalSystem, params: Params, progress: Callable[[str], None]) -> None:
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=30) as http:
        rush = await Rush.open(http, system, params.residents)
        warm, _ = await rush.round("burst", "gateway", params)  # not counted: connections, caches, first batches
        progress(f"  warm-up: {warm.outcome.count(201)} sign-ups in {warm.outcome.elapsed:.2f} s (not counted)")
        event_ids: set[str] = set()
        for i in range(params.rounds):
            progress(f"   round {i + 1}/{params.rounds}")
            for mode, target in MODES if i % 2 == 0 else MODES[::-1]:
                run, event_id = await rush.round(mode, target, params)
                report.runs.append(run)
                event_ids.add(event_id)
                o = run.outcome
                progress(
                    f"    {mode:<5} to {target:<9} answered in {o.elapsed:.2f} s: p50 {fmt(o.p(50))} p99 "
                    f"{fmt(o.p(99))} ms, {'as specified' if not run.problems else '; '.join(run.problems)}"
                )
        report.expected_events = params.residents * len(event_ids)
        report.events = await registered_events(system.nats_url, event_ids, report.expected_events, params.timeout)


def run(params: Params, progress: Callable[[str], None] = print) -> Report:
    report = Report()
    with tempfile.TemporaryDirectory(prefix="linli-bench-signup-") as tmp:
        system = LocalSystem(
            var_dir=Path(tmp),
            nats_port=free_port(),
            ports={s: free_port() for s in SERVICES},
            extra_env={"LINLI_GATEWAY_OTP_RESEND_SECONDS": "0"},
        )
        try:
            system.start()
            uvloop.run(_run(report, system, params, progress))
        finally:
            system.stop()
    return report


def print_report(report: Report, params: Params, say: Callable[[str], None]) -> None:
    say("")
    header = f"sign-up rush (SQLite): {params.residents} residents, {params.places} places"
    say(f"{header:<52}{'p50 ms':>8}{'p99 ms':>8}{'answered':>10}  CPU ms per sign-up")
    labels = {
        ("paced", "gateway"): f"spread over {params.seconds:.0f} s, through the gateway",
        ("paced", "community"): f"spread over {params.seconds:.0f} s, community directly",
        ("burst", "gateway"): "all at once, through the gateway",
    }
    for (mode, target), label in labels.items():
        runs = report.of(mode, target)
        p50, p99 = median(r.outcome.p(50) for r in runs), median(r.outcome.p(99) for r in runs)
        elapsed = median(r.outcome.elapsed for r in runs)
        cpu = ", ".join(
            f"{name} {median(1000 * r.outcome.cpu.get(name, 0.0) / params.residents for r in runs):.2f}"
            for name in ("gateway", "community", "matching", "nats")
            if any(r.outcome.cpu.get(name, 0.0) > 0.05 for r in runs)
        )
        say(f"{label:<52}{fmt(p50):>8}{fmt(p99):>8}{fmt(elapsed, 2):>9}s  {cpu}")
    problems = [f"{r.mode} {r.target}: {p}" for r in report.runs for p in r.problems]
    say(
        f"  correctness ({len(report.runs)} runs): exactly {params.places} registered, the rest waitlisted, arrival "
        "numbers 1…n and waitlist positions in order, what each was told = the organiser's list: "
        + ("held" if not problems else "BROKEN: " + "; ".join(problems))
    )
    say(
        f"  COMMUNITY stream: {report.events} community.event.registered for {report.expected_events} taps"
        + ("" if report.events == report.expected_events else " (MISMATCH)")
    )
    for target in ("gateway", "community"):
        paced = report.of("paced", target)
        say(
            f"  arrival order vs send order, spread taps to {target}: at most "
            f"{max(r.displacement for r in paced)} places apart, at most "
            f"{100 * max(r.inversions for r in paced):.1f}% of pairs swapped (taps overtake each other on the way; "
            "the waitlist follows the order community serves them)"
        )
    p99 = median(r.outcome.p(99) for r in report.of("paced", "gateway"))
    say(
        f"  target: p99 < {TARGET_P99_MS:.0f} ms through the gateway for {params.residents} sign-ups within a second: "
        f"{'meets' if p99 < TARGET_P99_MS else 'MISSES'} ({fmt(p99)} ms)"
    )
    say(
        f"  medians of {params.rounds} rounds, the kinds of run alternating, a fresh event each; load generator in "
        "this process (uvloop), one keep-alive connection per resident; CPU until the run's events are published"
    )
