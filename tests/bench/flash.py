"""Flash sale: a leader's 100-unit deal, 1,000 viewers pressing buy at once, through the gateway.

The whole system runs as `make run` runs it (`deploy.processes.LocalSystem`: nats-server and the
six services, free ports, a fresh temp var dir; on PostgreSQL six fresh databases, dropped
afterwards). Every request is real HTTP to the gateway, which forwards it to orders; orders
commits the order, its `orders.order.placed` event (outbox → JetStream) and the Idempotency-Key
record in one transaction, then asks the simulated payment provider, which confirms through the
gateway's signed webhook (another write in orders, `orders.order.paid`), which matching consumes.
All of that runs during the measurement: it is what a sale costs.

Who buys: the leader and one resident log in for real (OTP read from the gateway's log; the
resident joins by invite code and refreshes the token). The other viewers' access tokens are
minted with the local signing key (`shared.auth.issue_access_token`, role resident in the
community), because logging 1,000 people in is not what is measured; orders verifies every token
exactly as it verifies a real one.

Scenarios (load generator: this process, uvloop, one keep-alive HTTP/1.1 connection per concurrent
buyer, connected before the clock starts; requests are pre-built bytes parsed with httptools, so
the client costs a few tens of µs per request — its CPU time is measured and printed):
  flash      `viewers` presses (one each, every press its own Idempotency-Key) on a fresh deal of
             `stock` units, `concurrency` in flight, released as fast as the responses come back.
             Then, once payments settle: the deal's `sold` == stock, exactly `stock` 201s, every
             other answer a 409 problem document, every 201 order paid, and in the ORDERS stream
             exactly `stock` `orders.order.placed` and `orders.order.paid` events for the deal and
             no `orders.order.refunded`.
  sustained  presses on a deal with a large stock by `concurrency` buyers, `concurrency` in flight,
             as many as the warm-up rate says fill `seconds`: orders/s (201s over first send → last
             response), p50/p99 latency (send → response complete, every request). A 100-unit sale
             is over in a blink; this is the throughput figure. Then, once payments settle: every
             placed order paid (deal `sold` == `orders.order.placed` events == `orders.order.paid`).
  Answers other than 201/409 (a 503 when the gateway's upstream timeout fires) are counted and
  shown, never dropped; an order placed behind such an answer shows up in the events and `sold`.
Baseline, same load generator, same concurrency, same request bytes: a bare FastAPI endpoint doing
one INSERT (`tests/bench/bare_app.py`; SQLite: raw aiosqlite and SQLAlchemy through `shared.db`;
PostgreSQL: raw asyncpg and SQLAlchemy through `shared.db`); the best variant is the baseline.
Baseline and Linli alternate round by round; medians of the rounds are reported.
CPU seconds of every process (psutil) are read around each sustained run, until its payments
settle, and printed per order. With `--flash-profile DIR`, one extra sustained run (not counted)
is sampled with py-spy (if installed; samples holding the GIL) in the gateway and orders, and the
top costs are printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httptools
import httpx
import nats
import psutil
import uvloop
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy.engine import make_url

from deploy.client import Session
from deploy.processes import BIN, SERVICES, LocalSystem, _die_with_parent, free_port
from shared.auth import RESIDENT, Principal, issue_access_token
from shared.errors import PROBLEM_BASE
from shared.models import new_id
from shared.settings import LOCAL_JWT_PRIVATE_KEY
from tests import factories
from tests.bench import bare_app
from tests.bench.servers import BareProcess
from tests.bench.stats import fmt, median, percentile

ORDER_PATH = "/api/v1/orders"
TARGET_RATIO = 0.5
TARGET_P99_MS = 250.0


@dataclass
class Params:
    viewers: int = 1000  # flash: presses, one per viewer
    stock: int = 100  # flash: units of the deal
    concurrency: int = 200  # requests in flight (connections), flash, sustained and baseline alike
    seconds: float = 3.0  # sustained and baseline runs: presses sized from the warm-up rate to last this long
    warmup: int = 300  # presses per system / baseline server, not counted
    rounds: int = 3
    timeout: float = 60.0  # give up on one load run, or on waiting for payments/events


# --------------------------------------------------------------------------------------------
# Load generator


class _Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection: send pre-built request bytes, await the whole response."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's TCPTransport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((self.parser.get_status_code(), b"".join(self.body)))
        self.body = []

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._fail(exc or ConnectionResetError("connection closed by the server"))

    def _fail(self, exc: BaseException) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        if self.transport is None:
            raise ConnectionResetError("not connected")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


@dataclass
class Outcome:
    """One load run: per request (in request order) status, body, latency and finish time."""

    statuses: list[int]
    bodies: list[bytes]
    latencies: list[float]  # seconds, request sent → response complete
    finished: list[float]  # seconds since the first send
    elapsed: float  # first send → last response
    client_cpu: float  # this process's CPU seconds during the run
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per server process (until settled)

    def count(self, status: int) -> int:
        return sum(1 for s in self.statuses if s == status)

    def rate(self, status: int = 201) -> float:
        return self.count(status) / self.elapsed

    def p(self, q: float, status: int | None = None) -> float:
        values = [lat for lat, s in zip(self.latencies, self.statuses, strict=True) if s and status in (None, s)]
        return percentile(values, q) * 1000


async def load(port: int, requests: list[bytes], concurrency: int, timeout: float) -> Outcome:
    """Send `requests` over `concurrency` connections, each sending its next request as soon as
    the previous response is complete (a closed loop: `concurrency` requests always in flight)."""
    loop = asyncio.get_running_loop()
    connections = [
        (await loop.create_connection(_Connection, "127.0.0.1", port))[1]
        for _ in range(min(concurrency, len(requests)))
    ]
    n = len(requests)
    statuses, bodies = [0] * n, [b""] * n
    latencies, finished = [0.0] * n, [0.0] * n
    numbers = iter(range(n))

    async def worker(conn: _Connection) -> None:
        for i in numbers:
            sent = time.perf_counter()
            try:
                statuses[i], bodies[i] = await conn.request(requests[i])
            except (ConnectionError, httptools.HttpParserError) as exc:
                statuses[i], bodies[i] = 0, repr(exc).encode()  # counted as "other" and shown
                return
            done = time.perf_counter()
            latencies[i], finished[i] = done - sent, done - started

    try:
        cpu = time.process_time()
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(worker(c) for c in connections)), timeout)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        for conn in connections:
            if conn.transport is not None:
                conn.transport.close()
    return Outcome(statuses, bodies, latencies, finished, elapsed, cpu)


def post(port: int, path: str, body: dict[str, Any], headers: dict[str, str]) -> bytes:
    content = json.dumps(body, separators=(",", ":")).encode()
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(content)}",
        *(f"{k}: {v}" for k, v in headers.items()),
        "",
        "",
    ]
    return "\r\n".join(lines).encode() + content


def presses(port: int, path: str, deal_id: str, tokens: list[str], n: int) -> list[bytes]:
    """`n` buy presses (quantity 1), round-robin over the buyers' tokens, each with its own key."""
    return [
        post(
            port,
            path,
            {"deal_id": deal_id, "quantity": 1},
            {"Authorization": f"Bearer {tokens[i % len(tokens)]}", "Idempotency-Key": f'"{uuid.uuid4()}"'},
        )
        for i in range(n)
    ]


# --------------------------------------------------------------------------------------------
# CPU accounting and profiling


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    times = {}
    for name, pid in pids.items():
        with contextlib.suppress(psutil.Error):
            t = psutil.Process(pid).cpu_times()
            times[name] = t.user + t.system
    return times


def cpu_since(before: dict[str, float], pids: dict[str, int]) -> dict[str, float]:
    after = cpu_seconds(pids)
    return {name: after[name] - before[name] for name in before if name in after}


class Profiler:
    """py-spy (if installed) sampling processes until stopped; raw (collapsed) stacks per process."""

    def __init__(self, out: Path, pids: dict[str, int]) -> None:
        self.out, self.pids = out, pids
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    @staticmethod
    def available() -> str | None:
        return shutil.which("py-spy") or (str(BIN / "py-spy") if (BIN / "py-spy").exists() else None)

    def start(self, tag: str) -> None:
        exe = self.available()
        if exe is None:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        for name, pid in self.pids.items():
            path = self.out / f"{tag}-{name}.txt"
            argv = [exe, "record", "-p", str(pid), "-r", "250", "--gil", "--nonblocking", "-f", "raw", "-o", str(path)]
            self.procs[name] = subprocess.Popen(
                argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent
            )
        time.sleep(1.0)  # py-spy attaches

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.send_signal(signal.SIGINT)
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()


def _frame(frame: str) -> str:
    """`place_order (services/orders/orders/service.py:31)` → `place_order (services/orders/orders/service.py)`."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name


def _package(frame: str) -> str:
    """`is_idle (httpcore/_async/http11.py)` → `httpcore`; Linli's own code by service or module."""
    where = frame.partition(" (")[2].rstrip(")")
    parts = where.split("/")
    if parts[0] in ("shared", "services") and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0] if len(parts) > 1 else where


def summarize(path: Path, top: int = 10) -> list[str]:
    """A py-spy collapsed-stacks file (samples holding the GIL): where the Python time goes, by
    package of the innermost frame, as inclusive time of Linli's own functions, and as self time."""
    by_package: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame(f) for f in stack.split(";")]
        total += n
        self_time[frames[-1]] += n
        by_package[_package(frames[-1])] += n
        for f in set(frames):
            if "(shared/" in f or "(services/" in f:
                inclusive[f] += n
    if not total:
        return ["    (no samples)"]

    def pct(counter: Counter[str], k: int) -> list[str]:
        return [f"      {100 * n / total:5.1f}%  {f}" for f, n in counter.most_common(k)]

    return [
        f"    {total} samples holding the GIL; by package of the innermost frame:",
        *pct(by_package, top),
        "    inclusive, Linli's own functions:",
        *pct(inclusive, top + 4),
        "    self time:",
        *pct(self_time, top),
    ]


# --------------------------------------------------------------------------------------------
# Databases (PostgreSQL)


class PostgresDatabases:
    """Fresh PostgreSQL databases from an admin URL; all dropped by `drop_all`."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url).set(drivername="postgresql+asyncpg")
        self.created: list[str] = []

    def new(self, name: str) -> str:
        database = f"linli_bench_flash_{name}_{uuid.uuid4().hex[:8]}"
        self._admin(f'CREATE DATABASE "{database}"')
        self.created.append(database)
        return self.url.set(database=database).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        while self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{self.created.pop()}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import asyncpg

        async def run() -> None:
            u = self.url
            conn = await asyncpg.connect(
                host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=u.database
            )
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(run())


# --------------------------------------------------------------------------------------------
# Baseline servers


class BareServer(BareProcess):
    """One variant of `tests/bench/bare_app.py` on its own database."""

    def __init__(self, variant: str, url: str, log: Path) -> None:
        super().__init__("tests.bench.bare_app", variant, url, log=log)
        self.variant = variant


# --------------------------------------------------------------------------------------------
# The shop: a community, its leader, a product, deals and buyers


@dataclass
class Shop:
    http: httpx.AsyncClient
    system: LocalSystem
    leader: Session
    resident: Session  # a real login that joined by invite code
    community_id: str
    product_id: str

    @classmethod
    async def open(cls, http: httpx.AsyncClient, system: LocalSystem) -> Shop:
        leader = await factories.person(http, system)
        community = await factories.community(leader, name="闪购小区")
        product = await factories.product(leader, community["id"], name="阳澄湖大闸蟹", tags=["seafood"])
        resident = await factories.person(http, system)
        await factories.join(resident, community["invite_code"])
        return cls(http, system, leader, resident, community["id"], product["id"])

    async def deal(self, stock: int, per_person_limit: int) -> str:
        deal = await factories.deal(
            self.leader, self.community_id, self.product_id, stock=stock, per_person_limit=per_person_limit
        )
        return str(deal["id"])

    def buyers(self, n: int) -> list[str]:
        """Access tokens of `n` residents: the real one first, the others minted (see the docstring)."""
        minted = [
            issue_access_token(
                LOCAL_JWT_PRIVATE_KEY, Principal(user_id=new_id(), roles={self.community_id: [RESIDENT]})
            )
            for _ in range(n - 1)
        ]
        return [self.resident.tokens["access_token"], *minted]

    async def get_deal(self, deal_id: str) -> dict[str, Any] | None:
        """The deal as its leader sees it; None while the system answers 5xx (busy)."""
        response = await self.leader.request("GET", f"/api/v1/deals/{deal_id}")
        if response.status_code >= 500:
            return None
        response.raise_for_status()
        return dict(response.json())

    async def settle(self, deal_id: str, timeout: float) -> dict[str, Any]:
        """Until no unit of the deal is held by an unpaid order (available == stock − sold) twice
        in a row, half a second apart, with the same `sold`: every placed order is paid."""
        deadline = time.monotonic() + timeout
        last: dict[str, Any] | None = None
        while True:
            deal = await self.get_deal(deal_id)
            if deal is not None and deal["available"] == deal["stock"] - deal["sold"]:
                if last is not None and last["sold"] == deal["sold"]:
                    return deal
                last = deal
            else:
                last = None
            if time.monotonic() > deadline:
                raise RuntimeError(f"deal {deal_id} did not settle in {timeout} s: {deal}")
            await asyncio.sleep(0.5 if last is not None else 0.1)


# --------------------------------------------------------------------------------------------
# Events


async def tally_events(nats_url: str, expected: Counter[str], timeout: float) -> Counter[tuple[str, str]]:
    """(event type, deal id) → count of `orders.order.*` events in the ORDERS stream, once the stream
    holds at least `expected[type]` of each type and no more arrive for a second (the relay
    publishes after commit)."""
    nc = await nats.connect(nats_url, name="bench-flash")
    try:
        js = nc.jetstream(timeout=10)
        deadline = time.monotonic() + timeout
        last: dict[str, int] = {}
        while True:
            info = await js.stream_info("ORDERS", subjects_filter="orders.order.>")
            have = dict(info.state.subjects or {})
            if have == last and all(have.get(t, 0) >= n for t, n in expected.items()):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"ORDERS stream holds {have}, expected at least {dict(expected)}")
            last = have
            await asyncio.sleep(1.0)
        total = sum(have.values())
        tally: Counter[tuple[str, str]] = Counter()
        psub = await js.pull_subscribe(
            "orders.order.>",
            stream="ORDERS",
            config=ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
        )
        seen = 0
        while seen < total:
            for msg in await psub.fetch(1000, timeout=5):
                event = json.loads(msg.data)
                tally[(event["type"], event["data"]["deal_id"])] += 1
                seen += 1
        await psub.unsubscribe()
        return tally
    finally:
        await nc.close()


# --------------------------------------------------------------------------------------------
# Rounds


@dataclass
class Run:
    """One run against one deal: the load's outcome and the deal once every payment settled."""

    deal_id: str
    outcome: Outcome
    deal: dict[str, Any]
    unpaid: int = 0  # 201 orders read back not paid (flash only; must be 0)

    @property
    def created(self) -> int:
        return self.outcome.count(201)

    @property
    def sold_out_after(self) -> float:
        return max(
            (t for t, s in zip(self.outcome.finished, self.outcome.statuses, strict=True) if s == 201), default=0
        )

    @property
    def answers(self) -> Counter[str]:
        """Answers by status and, for problem documents, their type."""
        kinds: Counter[str] = Counter()
        for status, body in zip(self.outcome.statuses, self.outcome.bodies, strict=True):
            if status == 201:
                kinds["201"] += 1
                continue
            try:
                kind = str(json.loads(body).get("type", "?")).removeprefix(PROBLEM_BASE)
            except ValueError:
                kind = body[:80].decode(errors="replace")
            kinds[f"{status} {kind}"] += 1
        return kinds


@dataclass
class Report:
    label: str
    flash: list[Run] = field(default_factory=list)
    sustained: list[Run] = field(default_factory=list)
    bare: dict[str, list[Outcome]] = field(default_factory=dict)
    presses: dict[str, int] = field(default_factory=dict)  # per sustained / baseline run
    events: Counter[tuple[str, str]] = field(default_factory=Counter)
    profile: dict[str, list[str]] = field(default_factory=dict)

    def bare_best(self) -> tuple[str, float, float, float]:
        """Variant with the best median throughput: (variant, orders/s, p50 ms, p99 ms), medians."""
        medians = {
            v: (median(o.rate() for o in runs), median(o.p(50) for o in runs), median(o.p(99) for o in runs))
            for v, runs in self.bare.items()
        }
        best = max(medians, key=lambda v: medians[v][0])
        return (best, *medians[best])

    def event_count(self, kind: str, deal_id: str) -> int:
        return self.events[(f"orders.order.{kind}", deal_id)]

    def broken_invariants(self, params: Params) -> list[str]:
        """Never oversold; nobody charged for a unit they did not get (every charge is a paid order
        that holds its units; every placed order paid, none refunded)."""
        problems = []
        for name, runs in (("flash", self.flash), ("sustained", self.sustained)):
            for i, run in enumerate(runs, 1):
                placed, paid = self.event_count("placed", run.deal_id), self.event_count("paid", run.deal_id)
                checks = {
                    "sold ≤ stock": run.deal["sold"] <= run.deal["stock"],
                    "sold == placed events == paid events": run.deal["sold"] == placed == paid,
                    "no refunds": self.event_count("refunded", run.deal_id) == 0,
                    "every 201 order paid": run.unpaid == 0,
                    "201s ≤ placed events": run.created <= placed,
                }
                if name == "flash":
                    checks["sold == stock"] = run.deal["sold"] == params.stock
                problems += [f"{name} {i}: {check}" for check, ok in checks.items() if not ok]
        return problems

    def wrong_answers(self, params: Params) -> list[str]:
        """What the buyers were told: exactly `stock` 201s and a 409 for everyone else (flash), 201s
        (sustained); and orders placed behind another answer (placed events > 201s)."""
        problems = []
        for name, runs in (("flash", self.flash), ("sustained", self.sustained)):
            for i, run in enumerate(runs, 1):
                told = ("201",) if name == "sustained" else ("201", "409 conflict")
                others = {k: n for k, n in run.answers.items() if k not in told}
                behind = self.event_count("placed", run.deal_id) - run.created
                if name == "flash" and run.created != params.stock:
                    problems.append(f"{name} {i}: {run.created} × 201 for {params.stock} units")
                if others or behind > 0:
                    problems.append(f"{name} {i}: {others}" + (f", {behind} of them placed and paid" if behind else ""))
        return problems


async def flash_round(shop: Shop, gateway_port: int, params: Params, tokens: list[str]) -> Run:
    deal_id = await shop.deal(stock=params.stock, per_person_limit=1)
    requests = presses(gateway_port, ORDER_PATH, deal_id, tokens, params.viewers)
    outcome = await load(gateway_port, requests, params.concurrency, params.timeout)
    run = Run(deal_id, outcome, await shop.settle(deal_id, params.timeout))

    # Every 201 is a unit the buyer got and paid for: each order read back as its buyer.
    async def unpaid(i: int) -> bool:
        order_id = json.loads(outcome.bodies[i])["id"]
        headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
        r = await shop.http.get(f"/api/v1/orders/{order_id}", headers=headers)
        return r.status_code != 200 or r.json()["status"] not in ("paid", "picked_up")

    created = [i for i, s in enumerate(outcome.statuses) if s == 201]
    run.unpaid = sum(await asyncio.gather(*(unpaid(i) for i in created)))
    return run


async def sustained_round(
    shop: Shop, gateway_port: int, params: Params, tokens: list[str], n: int, pids: dict[str, int]
) -> Run:
    deal_id = await shop.deal(stock=1_000_000, per_person_limit=1000)
    requests = presses(gateway_port, ORDER_PATH, deal_id, tokens, n)
    before = cpu_seconds(pids)
    outcome = await load(gateway_port, requests, params.concurrency, params.timeout)
    run = Run(deal_id, outcome, await shop.settle(deal_id, params.timeout))
    outcome.cpu = cpu_since(before, pids)
    return run


async def bare_round(server: BareServer, params: Params, n: int) -> Outcome:
    # A token shaped like the buyers' (the same request size); the bare app does not read it.
    tokens = [issue_access_token(LOCAL_JWT_PRIVATE_KEY, Principal(user_id=new_id(), roles={new_id(): [RESIDENT]}))]
    requests = presses(server.port, "/orders", new_id(), tokens, n)
    assert server.proc is not None
    pids = {"bare": server.proc.pid}
    before = cpu_seconds(pids)
    outcome = await load(server.port, requests, params.concurrency, params.timeout)
    outcome.cpu = cpu_since(before, pids)
    return outcome


def sized(rate: float, params: Params) -> int:
    """Presses for a run of about `params.seconds` at `rate`, at least two per connection."""
    return max(2 * params.concurrency, min(50_000, round(rate * params.seconds)))


# --------------------------------------------------------------------------------------------
# One backend


@contextlib.contextmanager
def backend(var_dir: Path, postgres_url: str | None) -> Iterator[tuple[LocalSystem, list[BareServer]]]:
    databases = PostgresDatabases(postgres_url) if postgres_url else None
    servers: list[BareServer] = []
    system: LocalSystem | None = None
    try:
        system = LocalSystem(
            var_dir=var_dir,
            nats_port=free_port(),
            ports={s: free_port() for s in SERVICES},
            database_urls={s: databases.new(s) for s in SERVICES} if databases else {},
            extra_env={"LINLI_GATEWAY_OTP_RESEND_SECONDS": "0"},
        )
        for variant in bare_app.VARIANTS["postgresql" if databases else "sqlite"]:
            url = databases.new(f"bare_{variant}") if databases else f"sqlite+aiosqlite:///{var_dir / 'bare.db'}"
            servers.append(BareServer(variant, url, var_dir / "log" / f"bare-{variant}.log"))
        system.start()
        with contextlib.ExitStack() as running:
            for server in servers:
                running.enter_context(server)
            yield system, servers
    finally:
        if system is not None:
            system.stop()
        if databases:
            databases.drop_all()


async def _run_backend(
    report: Report,
    system: LocalSystem,
    servers: list[BareServer],
    params: Params,
    progress: Callable[[str], None],
    profile_dir: Path | None,
) -> None:
    gateway_port = system.ports["gateway"]
    pids = {name: proc.pid for name, proc in system.processes.items()}
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=30) as http:
        shop = await Shop.open(http, system)
        viewers = shop.buyers(params.viewers)
        buyers = viewers[: params.concurrency]
        created = 0  # 201s over all runs: each is an order placed and (once settled) paid

        # Warm-up, not counted: connections, caches, the first pulls of every consumer; its rate
        # sizes the measured runs.
        warm = await sustained_round(shop, gateway_port, params, buyers, params.warmup, pids)
        created += warm.created
        report.presses["linli"] = sized(warm.outcome.rate(), params)
        for server in servers:
            report.presses[server.variant] = sized((await bare_round(server, params, params.warmup)).rate(), params)
        progress(
            f"  {report.label}: system up; warm-up {warm.outcome.rate():.0f} orders/s; presses per run: "
            + ", ".join(f"{k} {n:,}" for k, n in report.presses.items())
        )

        async def bare() -> None:
            for server in servers:
                outcome = await bare_round(server, params, report.presses[server.variant])
                report.bare.setdefault(server.variant, []).append(outcome)
                progress(
                    f"    bare {server.variant:<10} {fmt(outcome.rate()):>6} inserts/s  "
                    f"p50 {fmt(outcome.p(50))} p99 {fmt(outcome.p(99))} ms"
                )

        async def linli() -> None:
            nonlocal created
            flash = await flash_round(shop, gateway_port, params, viewers)
            report.flash.append(flash)
            o = flash.outcome
            progress(
                f"    flash  {params.viewers} presses answered in {o.elapsed:.2f} s, sold out after "
                f"{flash.sold_out_after:.2f} s: sold {flash.deal['sold']}/{params.stock}"
                f"{' OVERSOLD' if flash.deal['sold'] > params.stock else ''}, {dict(flash.answers)}, "
                f"p50 {fmt(o.p(50))} p99 {fmt(o.p(99))} ms"
            )
            run = await sustained_round(shop, gateway_port, params, buyers, report.presses["linli"], pids)
            report.sustained.append(run)
            created += run.created + flash.created
            o = run.outcome
            progress(
                f"    linli  {fmt(o.rate()):>6} orders/s   p50 {fmt(o.p(50))} p99 {fmt(o.p(99))} ms  "
                f"{dict(run.answers)}"
            )

        for i in range(params.rounds):
            progress(f"   round {i + 1}/{params.rounds}")
            for step in (bare, linli) if i % 2 == 0 else (linli, bare):
                await step()

        if profile_dir is not None and Profiler.available():
            profiler = Profiler(profile_dir, {s: pids[s] for s in ("gateway", "orders")})
            tag = report.label.lower()
            profiler.start(tag)
            try:
                run = await sustained_round(shop, gateway_port, params, buyers, report.presses["linli"], pids)
                created += run.created
            finally:
                profiler.stop()
            progress(f"    profiled run (py-spy, not counted): {fmt(run.outcome.rate())} orders/s")
            for name in profiler.pids:
                report.profile[name] = summarize(profile_dir / f"{tag}-{name}.txt")

        expected = Counter({"orders.order.placed": created, "orders.order.paid": created})
        report.events = await tally_events(system.nats_url, expected, params.timeout)
        for run in [*report.flash, *report.sustained]:  # the final word: a late duplicate would show now
            run.deal = await shop.settle(run.deal_id, params.timeout)


def run(
    params: Params, postgres_url: str | None, progress: Callable[[str], None] = print, profile_dir: Path | None = None
) -> list[Report]:
    reports = []
    for label, url in (("SQLite", None), ("PostgreSQL", postgres_url)):
        if label == "PostgreSQL" and not url:
            continue
        report = Report(label)
        with (
            tempfile.TemporaryDirectory(prefix="linli-bench-flash-") as tmp,
            backend(Path(tmp), url) as (
                system,
                servers,
            ),
        ):
            uvloop.run(_run_backend(report, system, servers, params, progress, profile_dir))
        reports.append(report)
    return reports


# --------------------------------------------------------------------------------------------
# Report


def _row(label: str, linli: float, bare: float) -> str:
    return f"{label:<40}{fmt(linli):>10}{fmt(bare):>15}{linli / bare:>13.2f}"


def print_report(reports: list[Report], params: Params, say: Callable[[str], None]) -> None:
    for r in reports:
        variant, bare_rate, bare_p50, bare_p99 = r.bare_best()
        sustained = [run.outcome for run in r.sustained]
        rate = median(o.rate() for o in sustained)
        p50, p99 = median(o.p(50) for o in sustained), median(o.p(99) for o in sustained)
        say("")
        say(f"{f'flash sale ({r.label})':<40}{'Linli':>10}{'bare FastAPI':>15}{'Linli/bare':>13}")
        say(_row(f"throughput (orders/s) at {params.concurrency} in flight", rate, bare_rate))
        say(_row("latency p50 (ms)", p50, bare_p50))
        say(_row("latency p99 (ms)", p99, bare_p99))

        flash = r.flash
        answers: Counter[str] = sum((f.answers for f in flash), Counter())
        sold = "/".join(str(f.deal["sold"]) for f in flash)
        placed = "/".join(str(r.event_count("placed", f.deal_id)) for f in flash)
        paid = "/".join(str(r.event_count("paid", f.deal_id)) for f in flash)
        refunded = sum(r.event_count("refunded", f.deal_id) for f in flash)
        say(
            f"  flash: {params.viewers:,} viewers press buy once each, {params.concurrency} in flight, on a "
            f"{params.stock}-unit deal; {len(flash)} rounds: units sold {sold} of {params.stock}"
        )
        say(
            f"    ORDERS stream per deal: placed {placed}, paid {paid}, refunded {refunded}; 201 orders read back "
            f"unpaid: {sum(f.unpaid for f in flash)}; answers over all rounds: {dict(answers)}"
        )
        answered, sold_out = median(f.outcome.elapsed for f in flash), median(f.sold_out_after for f in flash)
        say(
            f"    all presses answered in {fmt(answered, 2)} s, sold out after {fmt(sold_out, 2)} s; latency "
            f"p50 {fmt(median(f.outcome.p(50) for f in flash))} ms, p99 {fmt(median(f.outcome.p(99) for f in flash))} "
            f"ms (201s only: p99 {fmt(median(f.outcome.p(99, 201) for f in flash))} ms)"
        )
        broken, wrong = r.broken_invariants(params), r.wrong_answers(params)
        say(
            "  correctness (never oversold; every charge a paid order holding its unit; placed = paid = sold): "
            + ("held" if not broken else "BROKEN: " + "; ".join(broken))
        )
        say(
            "  answers (flash: exactly stock × 201, 409 for the rest; sustained: 201): "
            + ("as specified" if not wrong else "; ".join(wrong))
        )
        if any("placed and paid" in w for w in wrong):
            say(
                "    (placed and paid behind a 503: the gateway's upstream timeout answered while orders went on; "
                "the buyer is charged without being told — a retry with the same Idempotency-Key returns the order)"
            )

        cpu = {name: median(run.outcome.cpu.get(name, 0.0) for run in r.sustained) for name in sustained[0].cpu}
        orders = median(run.deal["sold"] for run in r.sustained)
        client = median(o.client_cpu for o in sustained)
        parts = ", ".join(f"{name} {1000 * s / orders:.2f}" for name, s in sorted(cpu.items(), key=lambda kv: -kv[1]))
        total = (sum(cpu.values()) + client) / orders * 1000
        say(
            f"  CPU ms per order (sustained, placing + paying + events, until settled): {parts}, load generator "
            f"{1000 * client / orders:.2f}; total {total:.2f} → at most {2000 / total:,.0f} orders/s on 2 cores"
        )
        bare_runs = r.bare[variant]
        bare_cpu = median(o.cpu["bare"] / o.count(201) * 1000 for o in bare_runs)
        bare_client = median(o.client_cpu / o.count(201) * 1000 for o in bare_runs)
        each = ", ".join(f"{v} {fmt(median(o.rate() for o in runs))}/s" for v, runs in r.bare.items())
        say(
            f"  bare = best variant by median throughput: {variant} ({each}); CPU ms per insert: server "
            f"{bare_cpu:.2f}, load generator {bare_client:.2f}"
        )
        ratio_ok, p99_ok = rate >= TARGET_RATIO * bare_rate, p99 < TARGET_P99_MS
        say(
            f"  targets: orders/s ≥ {TARGET_RATIO} × bare: {'meets' if ratio_ok else 'MISSES'} "
            f"({rate / bare_rate:.2f}); p99 < {TARGET_P99_MS:.0f} ms at {params.concurrency} in flight: "
            f"{'meets' if p99_ok else 'MISSES'}"
        )
        for name, lines in r.profile.items():
            say(f"  py-spy profile of {name} during an extra sustained run ({r.label}):")
            for line in lines:
                say(line)
    say("")
    runs = ", ".join(f"{r.label}: " + ", ".join(f"{k} {n:,}" for k, n in r.presses.items()) for r in reports)
    say(
        f"  medians of {params.rounds} rounds, baseline and Linli alternating; sustained: presses (quantity 1) by "
        f"{params.concurrency} buyers on a large-stock deal, {params.concurrency} in flight, sized from the warm-up "
        f"to last ~{params.seconds:.0f} s ({runs}); latency = request sent → response complete."
    )
    say(
        "  real HTTP through the gateway to orders, real NATS; the leader and one resident log in by OTP, the other "
        "buyers' tokens are minted with the local key (role resident); the simulated payment provider confirms "
        "each order through the gateway's webhook during the run."
    )
    say(
        "  bare = tests/bench/bare_app.py (one INSERT per request, no auth, no idempotency, no events, one hop), "
        "served like a Linli service, same load generator and request bytes; load generator in this process (uvloop)."
    )
