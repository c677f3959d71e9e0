"""`make eval`: the recommender against a community-popularity baseline on a synthetic community.

Every resident's last interactions are held out; the rest are applied through matching's own event
handlers to a temporary SQLite database; then each resident gets ten recommendations from the
service's ranking (`recommend_for`) and ten from the baseline (the community's most taken items they
have not taken), and both are scored against the held-out items."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from sqlmodel import select

from services.matching.interests.models import Interaction
from services.matching.recommendations.service import candidates_in, recommend_for, takers_in
from tests.eval.community import COMMUNITY, Community, generate, taking
from tests.eval.metrics import ndcg_at, precision_at, recall_at
from tests.matching.feed import Matching

K = 10
HELD_OUT = 2
TARGET = 1.5  # NDCG@10 of the recommender over the baseline's


async def evaluate(community: Community, url: str) -> dict[str, dict[str, float]]:
    matching = await Matching.open(url)
    try:
        await matching.apply(community.catalogue())
        train, truth = [], {}
        for resident in community.residents:
            if len(resident.taken) <= HELD_OUT:
                continue
            for n, (item, at) in enumerate(resident.taken[:-HELD_OUT]):
                train.append((at, taking(resident, item, at, n)))
            truth[resident.id] = {item.key for item, _ in resident.taken[-HELD_OUT:]}
        await matching.apply(fact for _, fact in sorted(train, key=lambda t: t[0]))

        scores = {
            name: {"precision@10": 0.0, "recall@10": 0.0, "ndcg@10": 0.0} for name in ("recommender", "popularity")
        }
        half_life = matching.settings.interest_half_life_days
        async with matching.db.session() as session:
            takers = await takers_in(session, community_id=COMMUNITY)
            everything = await candidates_in(session, community_id=COMMUNITY, takers=takers)
            popular = sorted(everything, key=lambda c: c.takers, reverse=True)
            for user_id, relevant in truth.items():
                ranked = await recommend_for(
                    session, user_id=user_id, community_id=COMMUNITY, limit=K, half_life_days=half_life
                )
                mine = set((await session.exec(select(Interaction.item).where(Interaction.user_id == user_id))).all())
                lists = {
                    "recommender": [f"{r.kind}:{r.id}" for r in ranked],
                    "popularity": [c.item for c in popular if c.item not in mine][:K],
                }
                for name, items in lists.items():
                    scores[name]["precision@10"] += precision_at(items, relevant, K)
                    scores[name]["recall@10"] += recall_at(items, relevant, K)
                    scores[name]["ndcg@10"] += ndcg_at(items, relevant, K)
        for metrics in scores.values():
            for metric in metrics:
                metrics[metric] /= max(len(truth), 1)
        return scores
    finally:
        await matching.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    community = generate(residents=args.residents, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        scores = asyncio.run(evaluate(community, f"sqlite+aiosqlite:///{Path(tmp) / 'matching.db'}"))
    taken = sum(len(r.taken) for r in community.residents)
    print(
        f"synthetic community: {len(community.residents)} residents, {len(community.items)} items, "
        f"{taken} interactions (seed {args.seed}); last {HELD_OUT} per resident held out"
    )
    print(f"{'':14}{'recommender':>14}{'popularity':>14}{'ratio':>9}")
    for metric in ("precision@10", "recall@10", "ndcg@10"):
        ours, base = scores["recommender"][metric], scores["popularity"][metric]
        print(f"{metric:14}{ours:14.4f}{base:14.4f}{ours / base if base else float('inf'):9.2f}")
    ratio = scores["recommender"]["ndcg@10"] / max(scores["popularity"]["ndcg@10"], 1e-9)
    verdict = "meets" if ratio >= TARGET else "misses"
    print(
        f"NDCG@10 is {ratio:.2f}× the baseline: {verdict} the target of {TARGET}× "
        f"({time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
