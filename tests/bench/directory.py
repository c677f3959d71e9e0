"""Directory search: residents searching 10,000 offerings across 200 communities.

Seed (before the system starts, into catalog's own migrated SQLite database, through catalog's own
service functions, so terms, slots, papers, listings and their events are what the API would have
written): 200 communities (catalog's read model of them), 2,000 providers with 5 offerings each
(categories round-robin over the taxonomy, regulated ones with verified papers; four in five with
a weekly RFC 5545 schedule), each provider listed in 2 communities through the whole vetting (so a
community lists about 100 offerings), one listing in four endorsed, ratings drawn at random (the
columns reviews will fill). Then the whole system starts on that var dir (`LocalSystem`, free
ports) and the outbox relay publishes the seed's events; measuring starts once it has.

Searches, each against a random community with that community's resident token (minted with the
local key, role resident, as the flash bench does): browse (first page), a category, one word, two
words, a slot this weekend, all filters at once, and the third page. Targets: Linli through the
gateway (what the app calls), catalog directly (the service without the gateway hop), and a bare
FastAPI endpoint running the same indexed queries with the same driver (aiosqlite) on the same
database file (`tests/bench/bare_search.py`). Sequential requests per kind (latency), targets
alternating round by round; then all kinds mixed at each of `concurrency` in flight. The
first answers of every kind are compared between Linli and bare: the same offerings, in order.
Catalog's VmRSS (/proc/<pid>/status) is read before the first search and after the last: the
difference is jieba's dictionary, loaded on the first search with words.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import uvloop

from deploy.processes import SERVICES, LocalSystem, free_port
from services.catalog.directory import endorsements, offerings, providers, qualifications, vetting
from services.catalog.directory.models import (
    Decision,
    EndorsementCreate,
    KnownCommunity,
    ListingCreate,
    OfferingCreate,
    ProviderCreate,
    QualificationCreate,
    TransitionRequest,
)
from services.catalog.directory.taxonomy import CATEGORIES, domain_of
from services.catalog.models import metadata
from shared import segmenter
from shared.auth import LEADER, RESIDENT, Principal, issue_access_token
from shared.db import Database
from shared.migrations import upgrade
from shared.models import new_id, utcnow
from shared.settings import LOCAL_JWT_PRIVATE_KEY
from tests.bench.flash import load
from tests.bench.servers import BareProcess
from tests.bench.stats import fmt, percentile

TARGET_P99_MS = 100.0
SHANGHAI = timezone(timedelta(hours=8))
WORDS = ["保洁", "维修", "上门", "辅导", "理发", "老人", "钢琴", "陪诊", "收纳", "家电"]
PAIRS = ["上门 保洁", "家电 维修", "老人 陪护", "数学 辅导", "上门 理发"]
PHRASES = {  # per category: names and description words the seed draws from
    "housekeeping": (["日常保洁", "深度保洁", "收纳整理", "开荒保洁"], "上门 保洁 擦窗 厨房 卫生间 除螨"),
    "repair": (["家电维修", "水电维修", "空调清洗", "管道疏通"], "上门 维修 空调 洗衣机 热水器 更换"),
    "haircut": (["上门理发", "老人理发", "儿童理发"], "理发 剪发 老人 儿童 上门"),
    "errands": (["跑腿代办", "代买代送", "排队挂号"], "跑腿 代买 快递 代办"),
    "clinic_escort": (["陪诊服务", "就医陪护"], "陪诊 挂号 取药 老人 医院"),
    "elderly_care": (["助老陪护", "助浴服务", "老人陪伴"], "老人 陪护 助浴 聊天 散步"),
    "elderly_home_adaptation": (["适老化改造", "扶手安装", "防滑改造"], "老人 扶手 防滑 卫生间 改造"),
    "health_consultation": (["健康轻问诊", "慢病咨询"], "医生 咨询 血压 血糖 慢病"),
    "home_nursing": (["上门护理", "伤口换药"], "护士 上门 换药 护理 老人"),
    "tutoring": (["小学数学辅导", "英语口语", "作业辅导"], "辅导 数学 英语 作业 小学"),
    "interest_class": (["少儿钢琴", "书法课", "围棋课"], "钢琴 书法 围棋 兴趣 儿童"),
    "parenting": (["育儿咨询", "早教陪玩"], "育儿 早教 宝宝 辅食"),
    "culture": (["社区合唱", "剪纸手工"], "合唱 剪纸 手工 活动"),
    "pet_care": (["上门喂猫", "遛狗服务"], "宠物 喂猫 遛狗 上门"),
    "finance_advice": (["家庭理财咨询", "养老规划"], "理财 养老 保险 规划"),
}
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass
class Params:
    communities: int = 200
    providers: int = 2000
    offerings_per_provider: int = 5
    communities_per_provider: int = 2
    requests: int = 300  # per kind and target, sequential (latency)
    rounds: int = 3  # the requests split into rounds, targets alternating
    mixed: int = 1500  # per target, all kinds shuffled
    concurrency: tuple[int, ...] = (2, 8)  # in flight during the mixed runs
    timeout: float = 180.0
    seed: int = 4


@dataclass
class Report:
    offerings: int = 0
    listed: int = 0
    seed_seconds: float = 0.0
    drain_seconds: float = 0.0
    events: int = 0
    latency: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # (kind, target) → seconds
    mixed: dict[tuple[int, str], tuple[float, float, float]] = field(default_factory=dict)  # → (req/s, p50, p99)
    mismatches: list[str] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    rss_before: float = 0.0
    rss_after: float = 0.0
    per_community: tuple[int, int] = (0, 0)


# --------------------------------------------------------------------------------------------
# Seed


def schedule_for(rng: random.Random) -> str | None:
    if rng.random() < 0.2:
        return None
    days = ",".join(sorted(rng.sample(DAYS, rng.randint(1, 3)), key=DAYS.index))
    hours = ",".join(str(h) for h in sorted(rng.sample(range(8, 20), rng.randint(1, 2))))
    start = (datetime.now(SHANGHAI) + timedelta(days=1)).strftime("%Y%m%d")
    return f"DTSTART;TZID=Asia/Shanghai:{start}T080000\nRRULE:FREQ=WEEKLY;BYDAY={days};BYHOUR={hours}"


async def seed(path: Path, params: Params, report: Report) -> list[str]:
    """Seed the catalog database at `path`; the community ids."""
    rng = random.Random(params.seed)
    db = Database(f"sqlite+aiosqlite:///{path}")
    await upgrade(db, "catalog", metadata)
    communities = [new_id() for _ in range(params.communities)]
    leaders = {c: Principal(user_id=new_id(), roles={c: [LEADER]}) for c in communities}
    operator = Principal(user_id=new_id(), operator=True)
    categories = list(CATEGORIES)
    started = time.monotonic()
    async with db.session() as s:
        s.add_all(KnownCommunity(id=c, name=f"小区{i:03d}") for i, c in enumerate(communities))
        await s.commit()
    batch = 50
    for first in range(0, params.providers, batch):
        async with db.session() as s:
            for i in range(first, min(first + batch, params.providers)):
                owner = Principal(user_id=new_id())
                kind = "talent" if i % 3 == 0 else "organisation"
                provider = await providers.register(
                    s,
                    principal=owner,
                    data=ProviderCreate(kind=kind, name=f"邻里服务{i:04d}号", contact_phone=f"+86139{i:08d}"),
                )
                needed = set()
                for j in range(params.offerings_per_provider):
                    category = categories[(i * params.offerings_per_provider + j) % len(categories)]
                    names, words = PHRASES[category]
                    model = rng.choice(["fixed", "hourly", "quote", "free"])
                    data = OfferingCreate(
                        provider_id=provider.id,
                        name=rng.choice(names),
                        category=category,  # type: ignore[arg-type]
                        description=" ".join(rng.sample(words.split(), 3)) + f"，{rng.randint(1, 20)}年经验",
                        price_model=model,  # type: ignore[arg-type]
                        price_fen=rng.randint(20, 500) * 100 if model in ("fixed", "hourly") else None,
                        schedule=schedule_for(rng),
                        capacity=rng.randint(1, 5),
                    )
                    offering = await offerings.create(s, principal=owner, data=data)
                    offering.rating_count = rng.randint(0, 60)
                    offering.rating_avg = round(rng.uniform(2.5, 5.0), 1) if offering.rating_count else 0.0
                    needed |= {domain_of(category)} - {""}
                    report.offerings += 1
                for domain in sorted(needed):
                    papers = QualificationCreate(
                        domain=domain,  # type: ignore[arg-type]
                        kind="执业许可",
                        number=f"{i:06d}",
                        issuer="卫健委",
                        valid_until=(utcnow() + timedelta(days=365)).date(),
                    )
                    q = await qualifications.submit(s, principal=owner, provider_id=provider.id, data=papers)
                    verified = Decision(verified=True)
                    await qualifications.decide(s, principal=operator, qualification_id=q.id, decision=verified)
                for k in range(params.communities_per_provider):
                    community = communities[(i + k * 37) % len(communities)]
                    leader = leaders[community]
                    listing = await vetting.apply(
                        s, principal=owner, data=ListingCreate(provider_id=provider.id, community_id=community)
                    )
                    for to in ("under_review", "trial"):
                        request = TransitionRequest(to=to, reason="审核")  # type: ignore[arg-type]
                        await vetting.transition(s, principal=leader, listing_id=listing.id, request=request)
                    await vetting.write_trial_note(s, principal=leader, listing_id=listing.id, note="试用满意")
                    request = TransitionRequest(to="listed", reason="好")
                    await vetting.transition(s, principal=leader, listing_id=listing.id, request=request)
                    report.listed += 1
                    if rng.random() < 0.25:
                        note = EndorsementCreate(provider_id=provider.id, community_id=community, note="靠谱")
                        await endorsements.endorse(s, principal=leader, data=note)
            await s.commit()
    report.seed_seconds = time.monotonic() - started
    await db.dispose()
    return communities


def pending_events(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM bus_outbox WHERE published_at IS NULL").fetchone()[0])


def listed_per_community(path: Path) -> tuple[int, int]:
    sql = (
        "SELECT count(*) FROM listing l JOIN offering o ON o.provider_id = l.provider_id "
        "WHERE l.state = 'listed' AND o.status = 'active' GROUP BY l.community_id"
    )
    with sqlite3.connect(path) as conn:
        counts = [n for (n,) in conn.execute(sql)]
    return min(counts), max(counts)


def vm_rss(pid: int) -> float:
    """MB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


# --------------------------------------------------------------------------------------------
# Searches


@dataclass
class Search:
    kind: str
    community_id: str
    params: dict[str, Any]  # Linli's query
    bare: dict[str, Any]  # the bare endpoint's: words already cut


async def searches(rng: random.Random, communities: list[str], n: int) -> dict[str, list[Search]]:
    """`n` searches of each kind, each in a random community."""
    saturday = datetime.now(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=2)
    saturday += timedelta(days=(5 - saturday.weekday()) % 7)
    weekend = {"available_from": saturday.isoformat(), "available_to": (saturday + timedelta(days=2)).isoformat()}
    tomorrow = datetime.now(SHANGHAI) + timedelta(days=1)
    week = {"available_from": tomorrow.isoformat(), "available_to": (tomorrow + timedelta(days=7)).isoformat()}
    cut = {
        q: sorted(await segmenter.terms(q))
        for q in {*WORDS, *PAIRS, *(w for _, ws in PHRASES.values() for w in ws.split())}
    }

    def words(q: str) -> dict[str, Any]:
        return {"terms": ",".join(cut[q])}

    def make(kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
        if kind == "browse":
            return {}, {}
        if kind == "category":
            category = rng.choice(list(CATEGORIES))
            return {"category": category}, {"category": category}
        if kind == "one word":
            q = rng.choice(WORDS)
            return {"q": q}, words(q)
        if kind == "two words":
            q = rng.choice(PAIRS)
            return {"q": q}, words(q)
        if kind == "weekend slot":
            return weekend, weekend
        if kind == "all filters":
            category = rng.choice(list(CATEGORIES))
            q = rng.choice(PHRASES[category][1].split())
            same = {"category": category, "min_rating": 3.5, **week}
            return {**same, "q": q}, {**same, **words(q)}
        return {"offset": 40}, {"offset": 40}  # third page

    kinds = ["browse", "category", "one word", "two words", "weekend slot", "all filters", "page 3"]
    out: dict[str, list[Search]] = {}
    for kind in kinds:
        out[kind] = []
        for _ in range(n):
            community = rng.choice(communities)
            linli, bare = make(kind)
            out[kind].append(
                Search(kind, community, {"community_id": community, **linli}, {"community_id": community, **bare})
            )
    return out


def get(port: int, path: str, query: dict[str, Any], token: str | None) -> bytes:
    lines = [f"GET {path}?{urllib.parse.urlencode(query)} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join([*lines, "", ""])).encode()


@dataclass
class Target:
    name: str
    port: int
    path: str
    tokens: dict[str, str]  # community → a resident's token; empty for the bare app

    def request(self, search: Search) -> bytes:
        query = search.bare if self.name == "bare" else search.params
        return get(self.port, self.path, query, self.tokens.get(search.community_id))


async def measure(
    targets: list[Target], catalog_pid: int, params: Params, communities: list[str], report: Report
) -> None:
    rng = random.Random(params.seed + 1)
    by_kind = await searches(rng, communities, params.requests)
    report.rss_before = vm_rss(catalog_pid)
    for target in targets:  # warm-up, not counted: connections, caches, jieba's dictionary
        warm = [target.request(s) for kind in by_kind.values() for s in kind[:20]]
        await load(target.port, warm, 1, params.timeout)
    for r in range(params.rounds):
        order = targets[r % len(targets) :] + targets[: r % len(targets)]
        for kind, specs in by_kind.items():
            for target in order:
                outcome = await load(
                    target.port, [target.request(s) for s in specs[r :: params.rounds]], 1, params.timeout
                )
                report.latency.setdefault((kind, target.name), []).extend(outcome.latencies)
                bad = len(outcome.statuses) - outcome.count(200)
                if bad:
                    report.errors[target.name] = report.errors.get(target.name, 0) + bad
    # The baseline answers the same: the same offerings in the same order.
    async with httpx.AsyncClient(timeout=30) as http:
        gateway, bare = targets[0], targets[-1]
        for kind, specs in by_kind.items():
            for s in specs[:10]:
                linli = await http.get(
                    f"http://127.0.0.1:{gateway.port}{gateway.path}",
                    params=s.params,
                    headers={"Authorization": f"Bearer {gateway.tokens[s.community_id]}"},
                )
                base = await http.get(f"http://127.0.0.1:{bare.port}{bare.path}", params=s.bare)
                ids = [[i["offering_id"] for i in r.json()["items"]] for r in (linli, base)]
                if ids[0] != ids[1]:
                    report.mismatches.append(f"{kind} {s.params}: Linli {len(ids[0])}, bare {len(ids[1])}")
    everything = [s for specs in by_kind.values() for s in specs]
    mixed = [rng.choice(everything) for _ in range(params.mixed)]
    for in_flight in params.concurrency:
        for target in targets:
            outcome = await load(target.port, [target.request(s) for s in mixed], in_flight, params.timeout)
            report.mixed[(in_flight, target.name)] = (outcome.rate(200), outcome.p(50), outcome.p(99))
    report.rss_after = vm_rss(catalog_pid)


def run(params: Params, progress: Callable[[str], None] = print) -> Report:
    report = Report()
    with tempfile.TemporaryDirectory(prefix="linli-bench-directory-") as tmp:
        var = Path(tmp)
        database = var / "catalog.db"
        communities = uvloop.run(seed(database, params, report))
        report.events = pending_events(database)
        report.per_community = listed_per_community(database)
        progress(
            f"  seeded {report.offerings:,} offerings, {report.listed:,} listings in {len(communities)} communities "
            f"in {report.seed_seconds:.0f} s ({report.events:,} events to publish)"
        )
        system = LocalSystem(var_dir=var, nats_port=free_port(), ports={s: free_port() for s in SERVICES})
        try:
            started = time.monotonic()
            system.start()
            while pending_events(database):
                if time.monotonic() - started > params.timeout:
                    raise RuntimeError(f"catalog's outbox still holds {pending_events(database)} events")
                time.sleep(0.5)
            report.drain_seconds = time.monotonic() - started
            progress(f"  system started and the seed's events published in {report.drain_seconds:.0f} s")
            with BareProcess("tests.bench.bare_search", str(database), log=var / "log" / "bare-search.log") as bare:
                tokens = {
                    c: issue_access_token(
                        LOCAL_JWT_PRIVATE_KEY,
                        Principal(user_id=new_id(), roles={c: [RESIDENT]}),
                        ttl=timedelta(hours=2),
                    )
                    for c in communities
                }
                targets = [
                    Target("gateway", system.ports["gateway"], "/api/v1/directory/search", tokens),
                    Target("catalog", system.ports["catalog"], "/directory/search", tokens),
                    Target("bare", bare.port, "/search", {}),
                ]
                uvloop.run(measure(targets, system.processes["catalog"].pid, params, communities, report))
        finally:
            system.stop()
    return report


def print_report(report: Report, params: Params, say: Callable[[str], None]) -> None:
    say("")
    say(f"{'directory search (SQLite)':<28}{'via gateway':>22}{'catalog direct':>22}{'bare FastAPI':>22}")
    say(f"{'p50 / p99 ms, sequential':<28}" + "".join(f"{'p50':>11}{'p99':>11}" for _ in range(3)))
    worst = 0.0
    kinds = list(dict.fromkeys(kind for kind, _ in report.latency))
    for kind in kinds:
        cells = ""
        for target in ("gateway", "catalog", "bare"):
            values = report.latency[(kind, target)]
            p50, p99 = percentile(values, 50) * 1000, percentile(values, 99) * 1000
            cells += f"{fmt(p50, 2):>11}{fmt(p99, 2):>11}"
            if target == "gateway":
                worst = max(worst, p99)
        say(f"  {kind:<26}{cells}")
    say(f"{'mixed kinds, in flight':<28}" + "".join(f"{'req/s':>11}{'p99':>11}" for _ in range(3)))
    for in_flight in params.concurrency:
        cells = "".join(
            f"{fmt(report.mixed[(in_flight, t)][0]):>11}{fmt(report.mixed[(in_flight, t)][2], 2):>11}"
            for t in ("gateway", "catalog", "bare")
        )
        say(f"  {in_flight:<26}{cells}")
    verdict = "meets" if worst < TARGET_P99_MS else "MISSES"
    say(f"  target p99 < {TARGET_P99_MS:.0f} ms through the gateway, every kind: {verdict} (worst {fmt(worst, 2)} ms)")
    low, high = report.per_community
    say(
        f"  data: {report.offerings:,} offerings of {params.providers:,} providers, {report.listed:,} listings in "
        f"{params.communities} communities ({low}–{high} active offerings listed per community); seeded through "
        f"catalog's service functions in {report.seed_seconds:.0f} s; the system started and published the seed's "
        f"{report.events:,} events in {report.drain_seconds:.0f} s, before measuring"
    )
    say(
        f"  {params.requests} searches per kind and target, each in a random community, sequential, in {params.rounds} "
        f"rounds with the targets alternating; mixed: {params.mixed:,} per target; latency = request sent → response "
        "complete"
    )
    same = "the same offerings in the same order" if not report.mismatches else "; ".join(report.mismatches[:5])
    say(f"  Linli vs bare, first 10 answers of every kind: {same}")
    if report.errors:
        say(f"  answers other than 200: {report.errors}")
    say(
        f"  catalog VmRSS {report.rss_before:.0f} MB before the first search, {report.rss_after:.0f} MB after "
        f"(+{report.rss_after - report.rss_before:.0f} MB: jieba and its dictionary, loaded on the first search "
        "with words, and the caches of a warm database)"
    )
    say(
        "  bare = tests/bench/bare_search.py: the same SQL with aiosqlite on the same file, words cut by the load "
        "generator, no auth, no ORM, one hop"
    )
