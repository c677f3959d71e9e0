"""Calendar feed: a community with 1,000 upcoming events, fetched the way a phone's calendar fetches a
subscribed feed — a GET of the member's secret URL, no bearer token.

The whole system runs as `make run` runs it (`LocalSystem`, SQLite, free ports, a fresh temp var
dir). Seed, through the API: a leader creates the community and 1,000 published events over the next
six weeks (every kind in turn, one in five a weekly class with an RRULE), a resident joins and takes
a feed URL. Community renders each event's VEVENT with icalendar when it is created or changed and
keeps it, so a feed request is the token's lookup, a membership check, one indexed query and a join.

Targets, each fetched sequentially (latency), alternating round by round, after a warm-up:
  gateway        Linli through the gateway: GET /api/v1/calendar-feeds/{token}.ics (what phones call)
  community      the same request to community directly (no gateway hop)
  bare render    a bare FastAPI app on community's database file, same engine set-up and query, that
                 renders the same rows with the same icalendar code on every request
                 (`tests/bench/bare_calendar.py`): what the feed would cost without stored VEVENTs
  bare stored    the same bare app joining the stored VEVENTs (no token, membership or gateway)
Checked: the feed holds the 1,000 events and is byte for byte what the bare app renders afresh.
Also timed in this process: rendering the 1,000 VEVENTs with icalendar (what the writes pay instead).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import uvloop
from icalendar import Calendar
from sqlmodel import select

from deploy.processes import SERVICES, LocalSystem, free_port
from services.community.events import calendar
from services.community.events.models import KINDS, OfflineEvent
from shared.db import Database
from tests import factories
from tests.bench.flash import load
from tests.bench.servers import BareProcess
from tests.bench.stats import fmt, median, percentile

TARGET_P99_MS = 100.0
TARGETS = ("gateway", "community", "bare render", "bare stored")
SHANGHAI = ZoneInfo("Asia/Shanghai")  # events' default zone: a weekly rule's BYDAY is the local weekday
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass
class Params:
    events: int = 1000
    requests: int = 150  # per target, split over the rounds
    rounds: int = 3
    seed_concurrency: int = 8
    timeout: float = 120.0


@dataclass
class Report:
    latency: dict[str, list[float]] = field(default_factory=dict)  # target → seconds
    errors: dict[str, int] = field(default_factory=dict)
    seed_seconds: float = 0.0
    vevents: int = 0
    size: int = 0
    identical: bool = False
    render_ms: list[float] = field(default_factory=list)  # the 1,000 VEVENTs rendered in this process


def get(port: int, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()


async def seed(http: httpx.AsyncClient, system: LocalSystem, params: Params) -> tuple[str, str]:
    """The community with its events; (community id, the resident's feed path)."""
    leader = await factories.person(http, system)
    community = await factories.community(leader, name="日历小区")
    kinds = list(KINDS)
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)

    def body(i: int) -> dict[str, object]:
        starts = first + timedelta(hours=i)
        weekday = DAYS[starts.astimezone(SHANGHAI).weekday()]
        return {
            "kind": kinds[i % len(kinds)],
            "title": f"{KINDS[kinds[i % len(kinds)]]} 第{i + 1}期",
            "description": "欢迎邻居们带上家人朋友一起来参加，现场有志愿者引导，请提前十分钟到场签到。",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "capacity": 30,
            "rrule": f"FREQ=WEEKLY;BYDAY={weekday};COUNT=8" if i % 5 == 0 else None,  # a weekly class
        }

    queue = list(range(params.events))

    async def worker() -> None:
        while queue:
            await factories.offline_event(leader, community["id"], **body(queue.pop()))

    await asyncio.gather(*(worker() for _ in range(params.seed_concurrency)))
    resident = await factories.person(http, system)
    await factories.join(resident, community["invite_code"])
    feed = await resident.request("POST", f"/api/v1/communities/{community['id']}/calendar-feed")
    feed.raise_for_status()
    return str(community["id"]), httpx.URL(feed.json()["url"]).path


async def measure(targets: dict[str, tuple[int, str]], params: Params, report: Report) -> None:
    for port, path in targets.values():  # warm-up, not counted: connections, caches, VTIMEZONE
        await load(port, [get(port, path)] * 5, 1, params.timeout)
    per_round = max(1, params.requests // params.rounds)
    names = list(targets)
    for r in range(params.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            port, path = targets[name]
            outcome = await load(port, [get(port, path)] * per_round, 1, params.timeout)
            report.latency.setdefault(name, []).extend(outcome.latencies)
            if bad := len(outcome.statuses) - outcome.count(200):
                report.errors[name] = report.errors.get(name, 0) + bad


async def _run(system: LocalSystem, var: Path, params: Params, report: Report, say: Callable[[str], None]) -> None:
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=30) as http:
        started = time.monotonic()
        community_id, feed_path = await seed(http, system, params)
        report.seed_seconds = time.monotonic() - started
        say(f"  seeded {params.events:,} events through the API in {report.seed_seconds:.0f} s")
        with BareProcess(
            "tests.bench.bare_calendar", f"sqlite+aiosqlite:///{var / 'community.db'}", log=var / "log" / "bare.log"
        ) as bare:
            targets = {
                "gateway": (system.ports["gateway"], feed_path),
                "community": (system.ports["community"], feed_path.removeprefix("/api/v1")),
                "bare render": (bare.port, f"/render/{community_id}"),
                "bare stored": (bare.port, f"/stored/{community_id}"),
            }
            linli = (await http.get(feed_path)).content
            fresh = (await http.get(f"http://127.0.0.1:{bare.port}/render/{community_id}")).content
            report.size, report.identical = len(linli), linli == fresh
            report.vevents = len(Calendar.from_ical(linli).walk("VEVENT"))
            await measure(targets, params, report)
    report.render_ms = await render_in_process(var / "community.db", community_id)


async def render_in_process(database: Path, community_id: str) -> list[float]:
    """icalendar rendering the community's VEVENTs in this process, five times (ms each)."""
    db = Database(f"sqlite+aiosqlite:///{database}")
    try:
        async with db.reader() as session:
            query = select(OfflineEvent).where(OfflineEvent.community_id == community_id)
            events = list((await session.exec(query)).all())
    finally:
        await db.dispose()
    times = []
    for _ in range(5):
        began = time.perf_counter()
        for event in events:
            calendar.vevent(event)
        times.append((time.perf_counter() - began) * 1000)
    return times


def run(params: Params, progress: Callable[[str], None] = print) -> Report:
    report = Report()
    with tempfile.TemporaryDirectory(prefix="linli-bench-calendar-") as tmp:
        var = Path(tmp)
        system = LocalSystem(
            var_dir=var,
            nats_port=free_port(),
            ports={s: free_port() for s in SERVICES},
            extra_env={"LINLI_GATEWAY_OTP_RESEND_SECONDS": "0"},
        )
        try:
            system.start()
            uvloop.run(_run(system, var, params, report, progress))
        finally:
            system.stop()
    return report


def print_report(report: Report, params: Params, say: Callable[[str], None]) -> None:
    say("")
    say(f"{f'calendar feed ({params.events:,} events, SQLite)':<44}{'p50 ms':>10}{'p99 ms':>10}")
    for name in TARGETS:
        values = report.latency.get(name, [])
        if values:
            p50, p99 = percentile(values, 50) * 1000, percentile(values, 99) * 1000
            say(f"{name:<44}{fmt(p50):>10}{fmt(p99):>10}")
    say(
        f"  the feed: {report.vevents:,} VEVENTs, {report.size / 1024:.0f} KB; byte for byte what the bare app renders "
        f"afresh: {'yes' if report.identical else 'NO'}; errors: {report.errors or 'none'}"
    )
    say(
        f"  rendering the {params.events:,} VEVENTs with icalendar in this process: {fmt(median(report.render_ms))} ms "
        "(median of 5) — paid once per change of an event instead of on every fetch"
    )
    p99 = percentile(report.latency["gateway"], 99) * 1000 if report.latency.get("gateway") else float("nan")
    say(
        f"  target: a feed of {params.events:,} events in < {TARGET_P99_MS:.0f} ms (p99 through the gateway): "
        f"{'meets' if p99 < TARGET_P99_MS else 'MISSES'} ({fmt(p99)} ms); {params.requests} sequential requests per "
        f"target in {params.rounds} rounds, targets alternating; latency = request sent → last byte received"
    )
