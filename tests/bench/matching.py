"""Matching: a recommendation's time and the time to apply one event to the profiles, for a
community of 5,000 residents with a year of activity (the synthetic community of `make eval`).

The year is applied through matching's own event handlers to a temp SQLite database (WAL, as the
service runs it), in batches as the consumer commits them; the last `sample` events are timed apart:
their mean is the time to apply one event (inbox bookkeeping and the bus are not included: the
pipeline bench measures those). Then `requests` residents, drawn at random, each get ten
recommendations from the service function the endpoint calls (`recommend`, the HTTP hop excluded):
p50/p99."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvloop

from services.matching.recommendations.service import recommend
from shared.auth import RESIDENT, Principal
from tests.bench.stats import fmt, percentile
from tests.eval.community import COMMUNITY, generate, taking
from tests.matching.feed import Matching

TARGET_P99_MS = 50.0
TARGET_APPLY_MS = 5.0


@dataclass(frozen=True)
class Params:
    residents: int = 5000
    sample: int = 2000  # events timed at the end of the year
    requests: int = 500


@dataclass(frozen=True)
class Report:
    events: int
    apply_ms: float
    p50_ms: float
    p99_ms: float


async def _run(params: Params, workdir: Path, progress: Callable[[str], None]) -> Report:
    community = generate(residents=params.residents, seed=11)
    facts = sorted(
        ((at, taking(r, item, at, n)) for r in community.residents for n, (item, at) in enumerate(r.taken)),
        key=lambda t: t[0],
    )
    matching = await Matching.open(f"sqlite+aiosqlite:///{workdir / 'matching.db'}")
    try:
        await matching.apply(community.catalogue())
        head, tail = facts[: -params.sample], facts[-params.sample :]
        progress(f"  applying a year: {len(facts)} events of {params.residents} residents")
        await matching.apply(fact for _, fact in head)
        started = time.perf_counter()
        await matching.apply(fact for _, fact in tail)
        apply_ms = (time.perf_counter() - started) * 1000 / len(tail)
        rng = random.Random(3)
        half_life = matching.settings.interest_half_life_days
        took: list[float] = []
        async with matching.db.session() as session:
            for resident in rng.sample(community.residents, params.requests):
                principal = Principal(user_id=resident.id, roles={COMMUNITY: [RESIDENT]})
                started = time.perf_counter()
                await recommend(
                    session, principal=principal, community_id=COMMUNITY, limit=10, half_life_days=half_life
                )
                took.append((time.perf_counter() - started) * 1000)
        return Report(len(facts), apply_ms, percentile(took, 50), percentile(took, 99))
    finally:
        await matching.close()


def run(params: Params, progress: Callable[[str], None]) -> Report:
    with tempfile.TemporaryDirectory(prefix="linli-bench-matching-") as tmp:
        return uvloop.run(_run(params, Path(tmp), progress))


def print_report(report: Report, params: Params, say: Callable[[str], None]) -> None:
    say("")
    say(f"matching ({params.residents} residents, a year: {report.events} events, SQLite):")
    verdict = "meets" if report.p99_ms < TARGET_P99_MS else "MISSES"
    say(
        f"  recommendation: p50 {fmt(report.p50_ms, 2)} ms, p99 {fmt(report.p99_ms, 2)} ms over {params.requests} "
        f"residents (target p99 < {TARGET_P99_MS:.0f} ms: {verdict}; the service function, without the HTTP hop)"
    )
    verdict = "meets" if report.apply_ms < TARGET_APPLY_MS else "MISSES"
    say(
        f"  one event applied to the profiles: mean {fmt(report.apply_ms, 2)} ms over the year's last {params.sample} "
        f"(target < {TARGET_APPLY_MS:.0f} ms: {verdict})"
    )
