"""Pure ranking rules: content (the resident's profile), popularity among neighbours, novelty."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.matching.recommendations.models import Reason, Recommendation

POPULARITY_WEIGHT = 0.3
NEW_WEIGHT = 0.2
NEW_FOR = timedelta(days=3)
PER_KIND = 5


@dataclass(frozen=True)
class Candidate:
    kind: str  # deal | session
    id: str
    title: str
    topics: frozenset[str]
    published_at: datetime
    buyers: int = 0  # distinct neighbours who bought it (deals)


@dataclass(frozen=True)
class Profile:
    weights: dict[str, float]  # topic → decayed weight
    seeds: dict[str, str]  # topic → what seeded it


def rank(candidates: list[Candidate], profile: Profile, *, now: datetime, limit: int) -> list[Recommendation]:
    scored: list[Recommendation] = []
    for c in candidates:
        content, seed = _content(c, profile)
        popular = POPULARITY_WEIGHT * c.buyers
        fresh = NEW_WEIGHT if now - c.published_at < NEW_FOR else 0.0
        score = content + popular + fresh
        if score <= 0:
            continue
        if content >= popular and seed is not None:
            reason = Reason(type="bought_related", seed=seed, text=f"because you bought {seed}")
        elif c.buyers > 0:
            noun = "neighbour" if c.buyers == 1 else "neighbours"
            reason = Reason(type="popular_in_community", text=f"{c.buyers} {noun} bought this")
        else:
            reason = Reason(type="new", text="new in your community")
        scored.append(Recommendation(kind=c.kind, id=c.id, title=c.title, score=round(score, 3), reason=reason))  # type: ignore[arg-type]
    scored.sort(key=lambda r: r.score, reverse=True)
    # Keep the list mixed: no kind takes more than PER_KIND places.
    taken: dict[str, int] = {}
    mixed = []
    for r in scored:
        if taken.get(r.kind, 0) < PER_KIND:
            taken[r.kind] = taken.get(r.kind, 0) + 1
            mixed.append(r)
    return mixed[:limit]


def _content(c: Candidate, profile: Profile) -> tuple[float, str | None]:
    matched = [(profile.weights[t], t) for t in c.topics if t in profile.weights]
    if not matched:
        return 0.0, None
    best_weight, best_topic = max(matched)
    return sum(w for w, _ in matched), profile.seeds.get(best_topic)
