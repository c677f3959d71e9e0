"""Fan-out of a live room: 1,000 WebSocket viewers, the host chatting and pinning.

Setups, in one run (`setups`):
  gateway  Linli: nats-server + six services + a second livestream instance; viewers join through
           the gateway's room relay, which spreads them over the two instances by person; the host
           chats through the gateway too.
  direct   Linli, the same system: viewers join the two instances directly, half each; the host on
           the first instance.
  bare     `tests/bench/bare_broadcast.py`: one Starlette process numbering the host's frames and
           sending them to the same viewers through the same bounded queues — nothing else.
Each setup runs two phases with its viewers:
  paced    the host sends `rate` chat messages a second for `seconds` (over two connections, as two
           tabs: livestream reads at most 20 frames a second from one connection) and pins a deal
           card once a second (Linli: `POST …/cards/{id}/pin` through the gateway; bare: a `cards`
           frame): latency from the host's send to each viewer's receipt (host and viewers are this
           process, one clock), messages lost by viewers that stayed connected, viewers cut off.
  burst    `burst` chat messages as fast as they are delivered: the host keeps `window` messages in
           flight (a message is done when every connected viewer has it; the window is below the
           rooms' 256-frame queues, so a viewer that keeps up is never cut off): delivered messages/s.
The load generator is this one process, on uvloop, the same for all three setups. Each viewer is a
lean WebSocket connection (`wsclient.py`: an asyncio.Protocol, no task or queue of its own; no
compression unless `deflate`, then it offers permessage-deflate as browsers do), and its frames are
handled as they are read, in place: every frame counted, its type read from its first bytes, a chat
frame's message number from the start of its text (no JSON parse), a cards frame (one a second) parsed
whole; a viewer's receipt is the time of the read that brought the frame. Loss is checked message by
message for every viewer still connected, duplicates counted, close codes and reasons kept. The host's
few connections use the `websockets` client. The load generator's CPU and each server process's are
measured per phase (the load generator's also per frame its viewers received), since on a small
machine they all share the cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import math
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from deploy.client import Session
from deploy.processes import SERVICES, LocalSystem, free_port
from services.gateway.room.instances import preference
from shared.models import new_id
from tests import factories
from tests.bench import wsclient
from tests.bench.pipeline import _paced
from tests.bench.servers import BareProcess
from tests.bench.stats import fmt, percentile

SECOND = "livestream-2"
P99_TARGET_MS = 200.0
CHAT_TAIL = " 今天的草莓很甜，大家快来抢"  # a chat message of a usual length


@dataclass
class Params:
    viewers: int = 1000
    rate: float = 20.0  # chat messages a second in the paced phase
    seconds: float = 10.0
    burst: int = 1000
    window: int = 64
    burst_hosts: int = 8  # host connections in the burst phase (20 frames a second each, at most)
    join_concurrency: int = 50
    setups: tuple[str, ...] = ("gateway", "direct", "bare")
    deflate: bool = False  # viewers offer permessage-deflate, as browsers do (the host never)


@dataclass
class Phase:
    sent: int
    refused: int  # chat the room refused the host (its error frames): never owed to anyone
    delivered: int  # chat frames received, all viewers together
    frames: int  # every frame the viewers received, whatever its type
    seconds: float  # first send → last delivery
    latencies_ms: array[float]
    pin_latencies_ms: array[float]
    pins: int
    pins_failed: int  # pin requests that got no answer (a machine too loaded): later pins' latencies are off
    lost: int  # owed chat messages that viewers still connected never got
    duplicates: int
    cut_off: Counter[str]  # viewers closed during the phase, by close reason
    cpu: dict[str, float]  # CPU seconds per process over the phase

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds if self.seconds > 0 else math.nan

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q) if self.latencies_ms else math.nan

    def pin_p(self, q: float) -> float:
        return percentile(self.pin_latencies_ms, q) if self.pin_latencies_ms else math.nan

    def cpu_share(self, name: str) -> float:
        return 100 * self.cpu.get(name, math.nan) / self.seconds

    def cpu_per_frame_us(self, name: str) -> float:
        return 1e6 * self.cpu.get(name, math.nan) / self.frames if self.frames else math.nan


@dataclass
class Result:
    setup: str
    joined: int
    join_seconds: float
    spread: dict[str, int]  # viewers per server process
    phases: dict[str, Phase] = field(default_factory=dict)


@dataclass
class Report:
    params: Params
    results: dict[str, Result] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Bookkeeping of one phase, fed by every viewer's reading task


class Tracker:
    def __init__(self, tag: str, viewers: int, messages: int, pins: int) -> None:
        self.tag = tag
        self.chat_marker = f'"#{tag}'.encode()  # how chat_text(tag, k) begins in a frame's bytes
        self.sent_at = array("d", [math.nan]) * messages
        self.refused: set[int] = set()
        self.counts = [0] * messages
        self.got = [bytearray(messages) for _ in range(viewers)]
        self.delivered = self.duplicates = self.frames = 0
        self.latencies = array("d")
        self.pin_sent_at = array("d", [math.nan]) * pins
        self.pins_seen = [0] * viewers
        self.pin_latencies = array("d")
        self.pin_failures = 0
        self.first_send = self.last_delivery = 0.0
        self.open = viewers  # connected viewers: a message is done when this many have it
        self.cut_off: Counter[str] = Counter()
        self._waiting: tuple[int, asyncio.Future[None]] | None = None

    def sending(self, k: int) -> None:
        now = time.perf_counter()
        self.first_send = self.first_send or now
        self.sent_at[k] = now

    def chat(self, viewer: int, k: int, now: float) -> None:
        if self.got[viewer][k]:
            self.duplicates += 1
            return
        self.got[viewer][k] = 1
        self.counts[k] += 1
        self.delivered += 1
        self.latencies.append((now - self.sent_at[k]) * 1000)
        self.last_delivery = now
        self._check()

    def pinned(self, viewer: int, now: float) -> None:
        j = self.pins_seen[viewer]
        self.pins_seen[viewer] += 1
        if j < len(self.pin_sent_at) and not math.isnan(self.pin_sent_at[j]):
            self.pin_latencies.append((now - self.pin_sent_at[j]) * 1000)

    def refuse(self, k: int) -> None:
        self.refused.add(k)
        self._check()

    def closed(self, reason: str) -> None:
        self.open -= 1
        self.cut_off[reason] += 1
        self._check()

    async def done(self, k: int, timeout: float) -> None:
        """Until every connected viewer has message `k` (or the room refused it)."""
        self._waiting = (k, asyncio.get_running_loop().create_future())
        self._check()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._waiting[1], timeout)
        self._waiting = None

    def _check(self) -> None:
        if self._waiting is None or self._waiting[1].done():
            return
        k, future = self._waiting
        if k in self.refused or self.counts[k] >= self.open:
            future.set_result(None)

    def owed(self) -> list[int]:
        return [k for k in range(len(self.sent_at)) if not math.isnan(self.sent_at[k]) and k not in self.refused]

    def lost(self, connected: list[int]) -> int:
        owed = self.owed()
        return sum(1 for v in connected for k in owed if not self.got[v][k])


# --------------------------------------------------------------------------------------------
# The load generator: viewers and the host


def chat_text(tag: str, k: int) -> str:
    return f"#{tag}{k}{CHAT_TAIL}"


# Viewers read frames in place, as bytes. Both servers write `{"seq":…,"type":"…","data":{…},"at":…}`, so
# a frame's first "type" key is its own, and a chat frame's first "text" key is its message's (the data
# is {id, user_id, name, role, text}); a space after the colon would be skipped.
TYPE_KEY, TEXT_KEY = b'"type":', b'"text":'


def frame_type(frame: bytes, start: int, stop: int) -> bytes:
    at = frame.index(b'"', frame.index(TYPE_KEY, start, stop) + len(TYPE_KEY), stop) + 1
    return frame[at : frame.index(b'"', at, stop)]


def chat_index(frame: bytes, start: int, stop: int, marker: bytes) -> int | None:
    """k of a chat frame whose text is `chat_text(tag, k)` (`marker`: how that text begins, quote
    included), None for any other chat."""
    at = frame.find(TEXT_KEY, start, stop)
    if at < 0:
        return None
    at = frame.index(b'"', at + len(TEXT_KEY), stop)
    if not frame.startswith(marker, at):
        return None
    at += len(marker)
    return int(frame[at : frame.index(b" ", at, stop)])


class Crowd:
    """The viewers: one lean connection each (`wsclient`), whose frames are counted and classified as
    they are read, with no task, queue or JSON parse per frame."""

    def __init__(self, urls: list[str], *, deflate: bool = False) -> None:
        self.urls, self.deflate = urls, deflate
        self.connections: list[wsclient.Connection | None] = [None] * len(urls)
        self.pinned: list[str | None] = [None] * len(urls)  # the card each viewer last saw pinned
        self.tracker: Tracker | None = None
        self.cards: dict[str, Any] | None = None  # a snapshot's card list (the bare host reuses its shape)

    async def join(self, concurrency: int, first_frame: bool) -> int:
        gate = asyncio.Semaphore(concurrency)

        async def one(i: int) -> None:
            snapshot: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

            def first(frame: bytes, start: int, stop: int, _: float) -> None:
                if not snapshot.done():
                    snapshot.set_result(frame[start:stop])

            async with gate:
                with contextlib.suppress(OSError, TimeoutError):
                    received = functools.partial(self._received, i)
                    ws = await wsclient.connect(self.urls[i], first if first_frame else received, deflate=self.deflate)
                    if first_frame:  # the snapshot: this viewer is in the room
                        await asyncio.wait((snapshot, ws.closed), timeout=60, return_when=asyncio.FIRST_COMPLETED)
                        if not snapshot.done():
                            await ws.close()
                            return
                        self._snapshot(json.loads(snapshot.result()))
                        ws.on_message = received
                    self.pinned[i] = None if self.cards is None else self.cards["pinned_id"]
                    self.connections[i] = ws
                    ws.closed.add_done_callback(functools.partial(self._closed, i))

        await asyncio.gather(*(one(i) for i in range(len(self.urls))))
        return sum(ws is not None for ws in self.connections)

    def _snapshot(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "snapshot" and self.cards is None:
            self.cards = frame["data"]["cards"]

    def begin(self, tag: str, messages: int, pins: int) -> Tracker:
        tracker = Tracker(tag, len(self.urls), messages, pins)
        tracker.open = len(self.connected())
        self.tracker = tracker
        return tracker

    def connected(self) -> list[int]:
        return [i for i, ws in enumerate(self.connections) if ws is not None]

    def _received(self, i: int, frame: bytes, start: int, stop: int, now: float) -> None:
        tracker = self.tracker
        if tracker is None:
            return
        tracker.frames += 1
        kind = frame_type(frame, start, stop)
        if kind == b"chat":
            k = chat_index(frame, start, stop, tracker.chat_marker)
            if k is not None:
                tracker.chat(i, k, now)
        elif kind == b"cards":  # one a second: parsed whole
            pinned = json.loads(frame[start:stop])["data"]["pinned_id"]
            if pinned != self.pinned[i]:
                self.pinned[i] = pinned
                tracker.pinned(i, now)

    def _closed(self, i: int, closed: asyncio.Future[tuple[int, str]]) -> None:
        code, reason = closed.result()
        self.connections[i] = None
        if self.tracker is not None:
            self.tracker.closed(reason or str(code))

    async def leave(self) -> None:
        self.tracker = None  # the phases are over: a viewer closed now is not cut off
        await asyncio.gather(*(ws.close() for ws in self.connections if ws is not None))


class Host:
    """The host's chat connections (round robin) and its pins; refusals are read from its error frames."""

    def __init__(
        self, url: str, chat_data: Callable[[str], dict[str, Any]], pin: Callable[[int], Awaitable[None]]
    ) -> None:
        self.url, self.chat_data, self.pin = url, chat_data, pin
        self.connections: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        self.crowd: Crowd | None = None

    async def open(self, count: int) -> None:
        while len(self.connections) < count:
            ws = await connect(self.url, proxy=None, compression=None, ping_interval=None, open_timeout=60)
            self.connections.append(ws)
            self.readers.append(asyncio.create_task(self._read(ws)))

    async def chat(self, tracker: Tracker, k: int, connections: int) -> None:
        tracker.sending(k)
        frame = {"type": "chat", "data": self.chat_data(chat_text(tracker.tag, k)), "id": f"{tracker.tag}{k}"}
        await self.connections[k % connections].send(json.dumps(frame, ensure_ascii=False))

    async def _read(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                frame = json.loads(raw)
                tracker = self.crowd.tracker if self.crowd else None
                frame_id = frame["data"].get("id") if isinstance(frame.get("data"), dict) else None
                if frame["type"] == "error" and tracker and frame_id and frame_id[0] == tracker.tag:
                    tracker.refuse(int(frame_id[1:]))

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(ws.close() for ws in self.connections), return_exceptions=True)


# --------------------------------------------------------------------------------------------
# Phases


def cpu_seconds(processes: dict[str, int]) -> dict[str, float]:
    seconds = {}
    for name, pid in {**processes, "load generator": psutil.Process().pid}.items():
        with contextlib.suppress(psutil.Error):
            times = psutil.Process(pid).cpu_times()
            seconds[name] = times.user + times.system
    return seconds


def _phase(tracker: Tracker, crowd: Crowd, cpu_before: dict[str, float], processes: dict[str, int]) -> Phase:
    after = cpu_seconds(processes)
    return Phase(
        sent=len([k for k in range(len(tracker.sent_at)) if not math.isnan(tracker.sent_at[k])]),
        refused=len(tracker.refused),
        delivered=tracker.delivered,
        frames=tracker.frames,
        seconds=tracker.last_delivery - tracker.first_send,
        latencies_ms=tracker.latencies,
        pin_latencies_ms=tracker.pin_latencies,
        pins=len(tracker.pin_sent_at),
        pins_failed=tracker.pin_failures,
        lost=tracker.lost(crowd.connected()),
        duplicates=tracker.duplicates,
        cut_off=tracker.cut_off,
        cpu={name: after[name] - cpu_before[name] for name in after if name in cpu_before},
    )


async def _drain(tracker: Tracker, timeout: float) -> None:
    """Until every connected viewer has every owed message, or `timeout`."""
    deadline = time.monotonic() + timeout
    for k in tracker.owed():
        await tracker.done(k, timeout=max(0.0, deadline - time.monotonic()))


async def paced(crowd: Crowd, host: Host, params: Params, processes: dict[str, int]) -> Phase:
    messages, pins = int(params.rate * params.seconds), int(params.seconds)
    tracker = crowd.begin("p", messages, pins)
    before = cpu_seconds(processes)

    async def chat(k: int) -> None:
        await host.chat(tracker, k, connections=2)

    async def pin(j: int) -> None:
        tracker.pin_sent_at[j] = time.perf_counter()
        try:
            await host.pin(j)
        except httpx.HTTPError:  # on a machine too loaded to answer; the pins that passed are measured
            tracker.pin_failures += 1

    await asyncio.gather(_paced(messages, params.rate, chat), _paced(pins, 1.0, pin))
    await _drain(tracker, timeout=10)
    return _phase(tracker, crowd, before, processes)


async def burst(crowd: Crowd, host: Host, params: Params, processes: dict[str, int]) -> Phase:
    tracker = crowd.begin("b", params.burst, 0)
    before = cpu_seconds(processes)
    for k in range(params.burst):
        if k >= params.window:
            await tracker.done(k - params.window, timeout=10)
        await host.chat(tracker, k, connections=params.burst_hosts)
    await _drain(tracker, timeout=10)
    return _phase(tracker, crowd, before, processes)


async def run_setup(
    setup: str,
    viewer_urls: list[str],
    host: Host,
    params: Params,
    processes: dict[str, int],
    spread: dict[str, int],
    progress: Callable[[str], None],
    *,
    snapshot: bool,
) -> tuple[Result, Crowd]:
    crowd = Crowd(viewer_urls, deflate=params.deflate)
    host.crowd = crowd
    started = time.monotonic()
    joined = await crowd.join(params.join_concurrency, first_frame=snapshot)
    result = Result(setup=setup, joined=joined, join_seconds=time.monotonic() - started, spread=spread)
    progress(f"  {setup}: {joined} of {len(viewer_urls)} viewers joined in {result.join_seconds:.1f} s")
    await host.open(params.burst_hosts)
    await asyncio.sleep(1.0)  # viewer counts and presence settle
    try:
        result.phases["paced"] = await paced(crowd, host, params, processes)
        progress(f"  {setup}: paced phase done")
        result.phases["burst"] = await burst(crowd, host, params, processes)
        progress(f"  {setup}: burst phase done")
    finally:
        await host.close()
        await crowd.leave()
    return result, crowd


# --------------------------------------------------------------------------------------------
# Linli: the system, a room per setup


@contextlib.contextmanager
def linli_system(var_dir: Path) -> Iterator[LocalSystem]:
    """The whole system and a second livestream instance, the gateway relaying rooms to both."""
    ports = {s: free_port() for s in SERVICES}
    second = free_port()
    room_urls = [f"http://127.0.0.1:{ports['livestream']}", f"http://127.0.0.1:{second}"]
    system = LocalSystem(
        var_dir=var_dir,
        nats_port=free_port(),
        ports=ports,
        extra_env={
            "LINLI_GATEWAY_OTP_RESEND_SECONDS": "0",
            "LINLI_GATEWAY_LIVESTREAM_ROOM_URLS": json.dumps(room_urls),
        },
    )
    try:
        system.start()
        system.start_instance("livestream", SECOND, second)
        system.wait_ready([SECOND])
        yield system
    finally:
        system.stop()


@dataclass
class LinliRoom:
    leader: Session
    community_id: str
    session_id: str
    card_ids: list[str]


async def linli_room(gateway: httpx.AsyncClient, system: LocalSystem) -> LinliRoom:
    """A leader on air with two deal cards, the first pinned."""
    leader = await factories.person(gateway, system)
    community = await factories.community(leader)
    on_air = await factories.on_air(leader, community["id"], title="草莓专场")
    cards = []
    for name in ("丹东草莓", "阳光玫瑰葡萄"):
        product = await factories.product(leader, community["id"], name=name)
        deal = await factories.deal(leader, community["id"], product["id"])
        cards.append(await factories.card(leader, on_air["id"], "deal", deal["id"]))
    pinned = await leader.request("POST", f"/api/v1/sessions/{on_air['id']}/cards/{cards[0]['id']}/pin")
    assert pinned.status_code == 200, pinned.text
    return LinliRoom(leader, community["id"], on_air["id"], [c["id"] for c in cards])


def linli_host(room: LinliRoom, url: str) -> Host:
    async def pin(j: int) -> None:
        card = room.card_ids[(j + 1) % 2]  # the first is pinned at the start: each pin changes it
        response = await room.leader.request("POST", f"/api/v1/sessions/{room.session_id}/cards/{card}/pin")
        response.raise_for_status()

    return Host(f"{url}?token={room.leader.tokens['access_token']}", lambda text: {"text": text}, pin)


async def run_linli(system: LocalSystem, report: Report, progress: Callable[[str], None]) -> dict[str, Any] | None:
    params = report.params
    instances = ("livestream", SECOND)
    processes = {name: system.processes[name].pid for name in ("gateway", "nats", *instances)}
    ws = {name: system.url(name).replace("http://", "ws://") for name in ("gateway", "livestream", SECOND)}
    cards = None
    async with httpx.AsyncClient(base_url=system.url("gateway"), timeout=30) as gateway:
        for setup in [s for s in params.setups if s in ("gateway", "direct")]:
            room = await linli_room(gateway, system)
            people = [new_id() for _ in range(params.viewers)]
            tokens = [factories.resident_token(room.community_id, person) for person in people]
            path = f"/sessions/{room.session_id}/room"
            if setup == "gateway":
                urls = [f"{ws['gateway']}/api/v1{path}?token={token}" for token in tokens]
                relayed = json.loads(system.extra_env["LINLI_GATEWAY_LIVESTREAM_ROOM_URLS"])
                names = {system.url(name): name for name in instances}
                spread = dict(Counter(names[preference(relayed, person)[0]] for person in people))
                host = linli_host(room, f"{ws['gateway']}/api/v1{path}")
            else:
                urls = [f"{ws[instances[i % 2]]}{path}?token={token}" for i, token in enumerate(tokens)]
                spread = dict(Counter(instances[i % 2] for i in range(params.viewers)))
                host = linli_host(room, f"{ws['livestream']}{path}")
            result, crowd = await run_setup(setup, urls, host, params, processes, spread, progress, snapshot=True)
            report.results[setup] = result
            cards = cards or crowd.cards
    return cards


# --------------------------------------------------------------------------------------------
# The bare broadcast


async def run_bare(report: Report, cards: dict[str, Any] | None, var: Path, progress: Callable[[str], None]) -> None:
    params = report.params
    # the same card list as the Linli room's, so a pin is a frame of the same size
    cards = cards or {"items": [{"id": new_id(), "kind": "deal"}, {"id": new_id(), "kind": "deal"}], "pinned_id": None}
    card_ids = [item["id"] for item in cards["items"]][:2]
    leader = new_id()
    with BareProcess("tests.bench.bare_broadcast", log=var / "bare-broadcast.log") as bare:
        assert bare.proc is not None
        host: Host

        async def pin(j: int) -> None:
            frame = {"type": "cards", "data": {**cards, "pinned_id": card_ids[(j + 1) % 2]}}
            await host.connections[0].send(json.dumps(frame, ensure_ascii=False))

        def chat_data(text: str) -> dict[str, Any]:  # what the room's chat frames carry (its ids are 16 hex)
            return {"id": new_id()[:16], "user_id": leader, "name": "邻居6312", "role": "host", "text": text}

        host = Host(f"ws://127.0.0.1:{bare.port}/host", chat_data, pin)
        urls = [f"ws://127.0.0.1:{bare.port}/viewers"] * params.viewers
        processes = {"bare": bare.proc.pid}
        result, _ = await run_setup(
            "bare", urls, host, params, processes, {"bare": params.viewers}, progress, snapshot=False
        )
        report.results["bare"] = result


def run(params: Params, progress: Callable[[str], None] = print) -> Report:
    report = Report(params)
    cards = None
    if {"gateway", "direct"} & set(params.setups):
        with tempfile.TemporaryDirectory(prefix="linli-bench-fanout-") as tmp, linli_system(Path(tmp)) as system:
            progress("  system up (nats-server, six services, a second livestream instance)")
            cards = uvloop.run(run_linli(system, report, progress))
    if "bare" in params.setups:
        with tempfile.TemporaryDirectory(prefix="linli-bench-fanout-bare-") as tmp:
            uvloop.run(run_bare(report, cards, Path(tmp), progress))
    return report


# --------------------------------------------------------------------------------------------
# Report


def print_report(report: Report, say: Callable[[str], None]) -> None:
    params, results = report.params, report.results
    order = [s for s in ("gateway", "direct", "bare") if s in results]
    heads = {"gateway": "Linli gateway", "direct": "Linli direct", "bare": "bare"}
    ratios = [s for s in ("gateway", "direct") if s in results and "bare" in results]
    say("")
    say(
        f"{f'room fan-out, {params.viewers:,} viewers':<44}"
        + "".join(f"{heads[s]:>15}" for s in order)
        + "".join(f"{s + '/bare':>14}" for s in ratios)
    )

    # Callable[..., float]: mypy cannot type a lambda whose defaults bind the loop's variables
    def row(label: str, value: Callable[..., float], digits: int = 1, ratio: bool = False) -> None:
        cells = "".join(f"{fmt(value(results[s]), digits):>15}" for s in order)
        if ratio:
            cells += "".join(f"{value(results[s]) / value(results['bare']):>14.2f}" for s in ratios)
        say(f"{label:<44}{cells}")

    row("viewers joined", lambda r: r.joined, 0)
    row("  seconds to join them all", lambda r: r.join_seconds)
    for name, title in (
        ("paced", f"paced: {params.rate:.0f} chat/s + 1 pin/s for {params.seconds:.0f} s"),
        ("burst", f"burst: {params.burst} chat, {params.window} in flight"),
    ):
        say(title)
        row("  delivered messages/s", lambda r, n=name: r.phases[n].rate, 0, ratio=True)
        row("  chat p50 send → viewer (ms)", lambda r, n=name: r.phases[n].p(50))
        row("  chat p99 send → viewer (ms)", lambda r, n=name: r.phases[n].p(99))
        if name == "paced":
            row("  pin p50 press → viewer (ms)", lambda r: r.phases["paced"].pin_p(50))
            row("  pin p99 press → viewer (ms)", lambda r: r.phases["paced"].pin_p(99))
            row("  pin requests failed", lambda r: r.phases["paced"].pins_failed, 0)
        row("  messages lost (connected viewers)", lambda r, n=name: r.phases[n].lost, 0)
        row("  viewers cut off", lambda r, n=name: sum(r.phases[n].cut_off.values()), 0)
        row("  refused to the host", lambda r, n=name: r.phases[n].refused, 0)
        processes = sorted({p for s in order for p in results[s].phases[name].cpu})
        for process in processes:
            row(f"  CPU % of a core: {process}", lambda r, n=name, p=process: r.phases[n].cpu_share(p), 0)
        row("  frames to viewers", lambda r, n=name: r.phases[n].frames, 0)
        row("  load generator CPU µs a frame", lambda r, n=name: r.phases[n].cpu_per_frame_us("load generator"))
    for s in order:
        spread = ", ".join(f"{name} {n}" for name, n in sorted(results[s].spread.items()))
        cut = sum((r.cut_off for r in results[s].phases.values()), Counter())
        say(f"  {heads[s]}: viewers per server: {spread}" + (f"; cut off: {dict(cut)}" if cut else ""))

    say("targets (issue 5), at the paced rate unless said:")
    for s in [s for s in ("gateway", "direct") if s in results]:
        paced_, burst_ = results[s].phases["paced"], results[s].phases["burst"]
        fast = paced_.p(99) < P99_TARGET_MS
        verdicts = [
            f"p99 {fmt(paced_.p(99))} ms < {P99_TARGET_MS:.0f} ms: {'meets' if fast else 'MISSES'}",
            f"lost {paced_.lost + burst_.lost}: {'meets' if paced_.lost + burst_.lost == 0 else 'MISSES'}",
        ]
        if "bare" in results:
            share = burst_.rate / results["bare"].phases["burst"].rate
            verdicts.append(f"burst throughput {share:.2f} of bare (≥ 0.5): {'meets' if share >= 0.5 else 'MISSES'}")
        say(f"  {heads[s]}: " + "; ".join(verdicts))
    say(
        "  latency: the host's send → the viewer's receipt, both in the load generator (one clock), so it "
        "includes the load generator's own queueing; lost: owed chat a still-connected viewer never got."
    )
