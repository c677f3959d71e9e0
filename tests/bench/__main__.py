"""`make bench`: prints Linli's figures next to their baselines and targets.

1. Event pipeline (SQLite; PostgreSQL too when LINLI_BENCH_POSTGRES_URL is set), on one fresh
   nats-server: Linli outbox → JetStream → inbox + effect vs bare nats-py JetStream, alternating
   rounds, medians reported (details in `tests/bench/pipeline.py`).
2. Whole-system idle memory (nats-server + six services, RSS with children).
3. Time to ready: LocalSystem.start() + demo seed with a fresh var dir (what `make run` does once
   the venv exists), median of several cold starts.
4. Flash sale through the gateway (SQLite; PostgreSQL too when LINLI_BENCH_POSTGRES_URL is set):
   1,000 buy presses on a 100-unit deal, correctness checked, and sustained orders/s and p50/p99
   against a bare FastAPI endpoint doing one INSERT (details in `tests/bench/flash.py`).
5. Directory search (SQLite): 10,000 offerings across 200 communities, typical resident searches
   through the gateway, p50/p99 against a bare FastAPI endpoint running the same indexed queries
   with the same driver (details in `tests/bench/directory.py`).
6. Webhook delivery (SQLite): 10,000 events to 20 partner endpoints, one dead and one slow:
   deliveries/s and p99 event → delivery for the healthy ones, next to a control round with all
   healthy and a bare httpx sender (details in `tests/bench/webhooks.py`).
7. Offline events (SQLite): 500 residents sign up within a second for 50 places through the gateway
   (exactly 50 registered, the rest waitlisted in arrival order; p50/p99, `tests/bench/signup.py`),
   and a community calendar feed of 1,000 events fetched as a phone does, p50/p99 next to a bare
   FastAPI endpoint rendering the same rows with the same icalendar code (`tests/bench/calendar.py`).
8. Matching (SQLite, in process): a year of a 5,000-resident community applied through matching's
   handlers, the mean time to apply one event, and recommendation p50/p99 (`tests/bench/matching.py`).
9. Live-room fan-out: 1,000 WebSocket viewers over two livestream instances (through the gateway,
   and directly), the host chatting and pinning: delivered messages/s, p50/p99 delivery latency and
   messages lost, next to a bare single-process Starlette broadcast (`tests/bench/fanout.py`).
10. Live notifications: 200 residents' apps on server-sent-event streams through the gateway, swap offers
   at 10/s and 50/s notifying the items' owners: event → frame p50/p99, exactly once, CPU per
   notification, next to a bare JetStream → Starlette SSE pusher (`tests/bench/notify.py`).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

import uvloop

from deploy.processes import BIN, LocalSystem, free_port
from tests.bench import calendar, directory, fanout, flash, notify, pipeline, quiet, signup, system, webhooks
from tests.bench import matching as matching_bench
from tests.bench.stats import fmt, median

MEMORY_TARGET_MB = 600
READY_TARGET_S = 20


def say(line: str = "") -> None:
    print(line, flush=True)


def nats_version() -> str:
    out = subprocess.run([str(BIN / "nats-server"), "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).strip()


async def pipeline_rounds(
    nats_url: str, workdir: Path, params: pipeline.Params, rounds: int, postgres_url: str | None
) -> dict[str, list[pipeline.Result]]:
    payload = pipeline.sample_payload()
    results: dict[str, list[pipeline.Result]] = {k: [] for k in ("linli", "bare", "linli-pg", "sides", "sides-pg")}
    bare_variants = [
        ("publish_async", "pipelined pull"),
        ("gather(publish)", "pipelined pull"),
        ("publish_async", "fetch"),
    ]

    def lat(r: pipeline.Result) -> str:
        return "  ".join(
            f"@{rate:.0f}/s p50 {fmt(p50, 2)} p99 {fmt(p99, 2)} ms" for rate, (p50, p99) in r.latency.items()
        )

    async def bare() -> None:
        for publisher, consumer in bare_variants:
            r = await pipeline.run_bare(nats_url, params, payload, publisher=publisher, consumer=consumer)
            r.notes["variant"] = f"{publisher} + {consumer}"
            results["bare"].append(r)
            say(f"  bare  {publisher:>15} + {consumer:<14} {fmt(r.throughput):>7} ev/s  {lat(r)}")

    async def linli(tag: str, kind: str, url: str | None) -> None:
        r = await pipeline.run_linli(nats_url, workdir, params, tag=tag, postgres_url=url)
        results[kind].append(r)
        say(f"  {kind:<8} {'one process':>28} {fmt(r.throughput):>7} ev/s  {lat(r)}")
        sides = "sides" + kind.removeprefix("linli")
        r = await pipeline.run_linli_sides(nats_url, workdir, params, tag=tag, postgres_url=url)
        results[sides].append(r)
        say(
            f"  {kind:<8} {'each side alone':>28} producer {fmt(r.notes['producer_rate'])} ev/s,"
            f" consumer {fmt(r.throughput)} ev/s"
        )

    for i in range(rounds):
        say(f" round {i + 1}/{rounds}")
        order = [bare, None] if i % 2 == 0 else [None, bare]
        for step in order:
            if step is bare:
                await bare()
            else:
                await linli(f"r{i}", "linli", None)
                if postgres_url:
                    await linli(f"r{i}", "linli-pg", postgres_url)
    return results


def best_bare(results: list[pipeline.Result]) -> tuple[float, str, dict[float, tuple[float, float]]]:
    """Median over rounds of each variant, then the best variant for each metric."""
    by_variant: dict[str, list[pipeline.Result]] = {}
    for r in results:
        by_variant.setdefault(r.notes["variant"], []).append(r)
    throughput = {v: median(r.throughput for r in rs) for v, rs in by_variant.items()}
    winner = max(throughput, key=throughput.__getitem__)
    latency: dict[float, tuple[float, float]] = {}
    for rs in by_variant.values():
        for rate in rs[0].latency:
            p50, p99 = median(r.latency[rate][0] for r in rs), median(r.latency[rate][1] for r in rs)
            best = latency.get(rate, (p50, p99))
            latency[rate] = (min(best[0], p50), min(best[1], p99))
    return throughput[winner], winner, latency


def ratio(linli: float, bare: float) -> str:
    r = linli / bare
    return f"{r:.3f} (1/{1 / r:.0f})" if r < 0.5 else f"{r:.1f}×"


def row(label: str, linli: float, bare: float, digits: int = 1) -> str:
    return f"{label:<32}{fmt(linli, digits):>10}{fmt(bare, digits):>17}{ratio(linli, bare):>16}"


def print_pipeline(results: dict[str, list[pipeline.Result]], params: pipeline.Params, rounds: int) -> None:
    bare_tp, bare_variant, bare_latency = best_bare(results["bare"])
    for kind, label in (("linli", "SQLite"), ("linli-pg", "PostgreSQL")):
        runs = results[kind]
        if not runs:
            continue
        say()
        say(f"{f'event pipeline ({label})':<32}{'Linli':>10}{'bare JetStream':>17}{'Linli/bare':>16}")
        say(row("throughput (events/s)", median(r.throughput for r in runs), bare_tp, 2))
        for rate, (bare_p50, bare_p99) in bare_latency.items():
            say(row(f"latency p50 (ms) at {rate:.0f}/s", median(r.latency[rate][0] for r in runs), bare_p50, 2))
            say(row(f"latency p99 (ms) at {rate:.0f}/s", median(r.latency[rate][1] for r in runs), bare_p99, 2))
        commits = median(r.notes["commit_rate"] for r in runs)
        bp50, bp99 = median(r.notes["burst_p50"] for r in runs), median(r.notes["burst_p99"] for r in runs)
        say(
            f"  Linli: producer committed {fmt(commits)} events/s during the burst; commit→effect during the burst "
            f"p50 {fmt(bp50)} ms, p99 {fmt(bp99)} ms (queueing behind the consumer)"
        )
        sides = results["sides" + kind.removeprefix("linli")]
        if sides:
            producer = median(r.notes["producer_rate"] for r in sides)
            consumer = median(r.throughput for r in sides)
            say(
                f"  Linli, each side alone (as two services in two processes would run): producer commit+relay "
                f"{fmt(producer)} events/s, consumer inbox+effect {fmt(consumer)} events/s"
            )
    say()
    say(f"  medians of {rounds} rounds, bare and Linli alternating, on one fresh nats-server (file storage, same")
    say("  stream configuration, same consumer configuration); producer and consumer in this process, uvloop.")
    say(
        f"  throughput: {params.burst} events, one per transaction, {params.concurrency} concurrent writers, "
        "first commit → last effect committed (bare: first publish → last ack sent)."
    )
    streams = ", ".join(f"{n} events at {rate:.0f}/s" for n, rate in params.paced)
    say(
        f"  latency: {streams}; producer's commit → consumer's effect committed "
        "(bare: before the publish call → ack sent)."
    )
    say(
        f"  bare = best of its variants per metric: throughput by {bare_variant}; "
        "latency by publish_async or gather(publish) + pipelined pull."
    )


def paced_runs(text: str) -> tuple[tuple[int, float], ...]:
    """ "300@200,150@50" → ((300, 200.0), (150, 50.0))."""
    return tuple((int(n), float(rate)) for n, rate in (item.split("@") for item in text.split(",")))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument(
        "--paced",
        default="300@200,150@50",
        help="latency streams as events@rate, comma-separated (default %(default)s)",
    )
    parser.add_argument("--concurrency", type=int, default=pipeline.Params.concurrency)
    parser.add_argument("--starts", type=int, default=3, help="cold starts of the whole system")
    parser.add_argument("--skip-pipeline", action="store_true")
    parser.add_argument("--skip-system", action="store_true")
    parser.add_argument("--skip-flash", action="store_true")
    parser.add_argument("--flash-rounds", type=int, default=flash.Params.rounds)
    parser.add_argument(
        "--flash-seconds", type=float, default=flash.Params.seconds, help="length of a sustained or baseline run"
    )
    parser.add_argument(
        "--flash-profile", type=Path, metavar="DIR", help="py-spy (if installed) the gateway and orders into DIR"
    )
    parser.add_argument("--skip-directory", action="store_true")
    parser.add_argument(
        "--directory-requests", type=int, default=directory.Params.requests, help="searches per kind and target"
    )
    parser.add_argument("--skip-webhooks", action="store_true")
    parser.add_argument("--webhook-events", type=int, default=webhooks.Params.events, help="events per burst")
    parser.add_argument("--skip-events", action="store_true", help="skip the offline events' sign-up rush and feed")
    parser.add_argument("--skip-matching", action="store_true", help="skip recommendation and profile timings")
    parser.add_argument("--skip-fanout", action="store_true", help="skip the live room's fan-out")
    parser.add_argument("--fanout-viewers", type=int, default=fanout.Params.viewers)
    parser.add_argument("--skip-notify", action="store_true", help="skip the live notifications")
    parser.add_argument("--notify-residents", type=int, default=notify.Params.residents)
    parser.add_argument(
        "--notify-paced",
        default=",".join(f"{n}@{rate:.0f}" for n, rate in notify.Params.paced),
        help="runs of swap offers as offers@rate, comma-separated (default %(default)s)",
    )
    args = parser.parse_args()
    quiet.configure()
    began = time.monotonic()
    say(
        f"Linli bench: {platform.python_implementation()} {platform.python_version()}, {nats_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}, load average {os.getloadavg()[0]:.2f} at start"
    )

    params = pipeline.Params(burst=args.burst, concurrency=args.concurrency, paced=paced_runs(args.paced))
    postgres_url = os.environ.get("LINLI_BENCH_POSTGRES_URL") or None
    results: dict[str, list[pipeline.Result]] | None = None
    if not args.skip_pipeline:
        say()
        say("1. event pipeline (one fresh nats-server, uvloop, producer and consumer in this process)")
        with tempfile.TemporaryDirectory(prefix="linli-bench-pipeline-") as tmp:
            nats_server = LocalSystem(var_dir=Path(tmp), nats_port=free_port())
            try:
                nats_server.start_nats()
                with pipeline.stamping():
                    results = uvloop.run(
                        pipeline_rounds(nats_server.nats_url, Path(tmp), params, args.rounds, postgres_url)
                    )
            finally:
                nats_server.stop()

    times: list[float] = []
    memory = None
    imports = 0.0
    if not args.skip_system:
        say()
        say(
            f"2./3. whole system: {args.starts} cold starts"
            " (nats-server + six services, fresh temp var dir each, free ports)"
        )
        times, memory, imports = system.run(args.starts, idle=5.0, progress=say)

    flash_params = flash.Params(rounds=args.flash_rounds, seconds=args.flash_seconds)
    flash_reports: list[flash.Report] = []
    if not args.skip_flash:
        say()
        say(
            "4. flash sale (nats-server + six services per database, fresh temp var dir, free ports; "
            "bare baseline alongside)"
        )
        flash_reports = flash.run(flash_params, postgres_url, progress=say, profile_dir=args.flash_profile)

    directory_params = directory.Params(requests=args.directory_requests)
    directory_report: directory.Report | None = None
    if not args.skip_directory:
        say()
        say("5. directory search (seeded catalog database, nats-server + six services, bare baseline alongside)")
        directory_report = directory.run(directory_params, progress=say)

    webhook_params = webhooks.Params(events=args.webhook_events)
    webhook_report: webhooks.Report | None = None
    if not args.skip_webhooks:
        say()
        say("6. webhook delivery (nats-server + six services, receivers in this process, bare sender alongside)")
        webhook_report = webhooks.run(webhook_params, progress=say)

    signup_params, calendar_params = signup.Params(), calendar.Params()
    signup_report: signup.Report | None = None
    calendar_report: calendar.Report | None = None
    if not args.skip_events:
        say()
        say(
            "7. offline events: sign-up rush, then calendar feed (nats-server + six services each, bare feed alongside)"
        )
        signup_report = signup.run(signup_params, progress=say)
        calendar_report = calendar.run(calendar_params, progress=say)

    matching_params = matching_bench.Params()
    matching_report: matching_bench.Report | None = None
    if not args.skip_matching:
        say()
        say("8. matching: a year of a 5,000-resident community applied, then recommendations (SQLite, in process)")
        matching_report = matching_bench.run(matching_params, progress=say)

    fanout_report: fanout.Report | None = None
    if not args.skip_fanout:
        say()
        say("9. live-room fan-out (nats-server + six services + a second livestream; bare broadcast alongside)")
        fanout_report = fanout.run(fanout.Params(viewers=args.fanout_viewers), progress=say)

    notify_report: notify.Report | None = None
    if not args.skip_notify:
        say()
        say("10. live notifications (nats-server + six services; bare JetStream → SSE pusher alongside)")
        notify_params = notify.Params(residents=args.notify_residents, paced=paced_runs(args.notify_paced))
        notify_report = notify.run(notify_params, progress=say)

    say()
    say("=" * 100)
    if results is not None:
        print_pipeline(results, params, args.rounds)
        if not postgres_url:
            say("  (PostgreSQL variant: set LINLI_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test)")
    if memory is not None:
        say()
        parts = ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.rss.items())
        verdict = "meets" if memory.total_rss < MEMORY_TARGET_MB else "MISSES"
        say(f"idle memory (RSS): {parts}; total {memory.total_rss:.0f} MB (target < {MEMORY_TARGET_MB} MB: {verdict})")
        if memory.pss:
            say(f"  proportional (PSS, shared libraries counted once): total {memory.total_pss:.0f} MB")
        say("  read after start + demo seed + 5 s idle, each process with its children")
    if times:
        say()
        ready = median(times)
        verdict = "meets" if ready + imports < READY_TARGET_S else "MISSES"
        say(
            f"ready time: median {ready:.1f} s of {len(times)} (runs {', '.join(f'{t:.1f}' for t in times)} s) "
            f"(target < {READY_TARGET_S} s: {verdict})"
        )
        say(
            "  timed: LocalSystem(...).start() (nats-server + six services until every /readyz answers 200) "
            "+ deploy.demo.seed() via the gateway, in-process, fresh temp var dir, free ports;"
        )
        say(f"  not included: interpreter start + `import deploy.local` in a fresh process, {imports:.1f} s more")
    if flash_reports:
        flash.print_report(flash_reports, flash_params, say)
        if not postgres_url:
            say("  (PostgreSQL variant: set LINLI_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test)")
    if directory_report is not None:
        directory.print_report(directory_report, directory_params, say)
    if webhook_report is not None:
        webhooks.print_report(webhook_report, webhook_params, say)
    if signup_report is not None and calendar_report is not None:
        signup.print_report(signup_report, signup_params, say)
        calendar.print_report(calendar_report, calendar_params, say)
    if matching_report is not None:
        matching_bench.print_report(matching_report, matching_params, say)
    if fanout_report is not None:
        fanout.print_report(fanout_report, say)
    if notify_report is not None:
        notify.print_report(notify_report, say)
    if quiet.NOISE.dropped:
        noise = ", ".join(f"{n}× {message!r}" for message, n in quiet.NOISE.dropped.items())
        say(f"\nlogged while stopping Bus instances (expected, not shown): {noise}")
    say(f"\nbench took {time.monotonic() - began:.0f} s (load average {os.getloadavg()[0]:.2f} at the end)")


if __name__ == "__main__":
    main()
