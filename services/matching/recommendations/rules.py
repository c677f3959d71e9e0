"""Pure ranking rules. A candidate's score mixes what the resident's profile says (content), what
neighbours who took the same things took too (item co-occurrence), how popular it is in the
community, whether it is new and whether the leader endorsed it; a greedy pass then keeps the list
varied. The biggest part of the score is the reason given."""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from services.matching.interests.rules import ASKED, because
from services.matching.recommendations.models import ItemKind, Reason, ReasonType, Recommendation

CONTENT_WEIGHT = 1.0
COLLABORATIVE_WEIGHT = 2.0
POPULARITY_WEIGHT = 0.3
NEW_WEIGHT = 0.15
ENDORSED_WEIGHT = 0.25
NEED_WEIGHT = 1.5  # a service whose words answer a need the resident posted (relative to their best match)
NEW_FOR = timedelta(days=3)
PER_KIND = 6  # no kind takes more places than this
SAME_TOPIC_DAMPING = 0.8  # each earlier pick of the same topic lowers the next one's score so much


@dataclass(frozen=True)
class Candidate:
    kind: ItemKind
    id: str
    title: str
    topics: frozenset[str]
    published_at: datetime
    takers: int = 0  # distinct neighbours who took it
    endorsed: bool = False
    topic: str = ""  # the topic it is mainly about (diversity)

    @property
    def item(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Profile:
    weights: dict[str, float]  # topic → decayed weight
    seeds: dict[str, str]  # topic → what seeded it
    sources: dict[str, str] = field(default_factory=dict)  # topic → purchase | booking | event | lead


@dataclass(frozen=True)
class Neighbours:
    """Item co-occurrence around the resident's own items: candidate item → (similarity, the item of
    theirs that contributed most, and its title)."""

    similar: dict[str, tuple[float, str]] = field(default_factory=dict)
    max_takers: int = 0


# Services answering the resident's open needs: item → (match relative to the best one, the need's text).
NeedMatches = dict[str, tuple[float, str]]


def similarity(together: int, takers_a: int, takers_b: int) -> float:
    """Cosine similarity of two items over the residents who took them."""
    return together / math.sqrt(takers_a * takers_b) if takers_a and takers_b else 0.0


def rank(
    candidates: list[Candidate],
    profile: Profile,
    *,
    now: datetime,
    limit: int,
    neighbours: Neighbours | None = None,
    needs: NeedMatches | None = None,
    lang: str = "en",
) -> list[Recommendation]:
    neighbours, needs = neighbours or Neighbours(), needs or {}
    top_weight = max(profile.weights.values(), default=0.0)
    max_takers = max(neighbours.max_takers, max((c.takers for c in candidates), default=0))
    scored: list[_Scored] = []
    for c in candidates:
        content, topic = _content(c, profile, top_weight)
        similar, seed_title = neighbours.similar.get(c.item, (0.0, ""))
        answers, need = needs.get(c.item, (0.0, ""))
        parts: dict[ReasonType, float] = {
            "matches_your_need": NEED_WEIGHT * answers,
            "bought_related": CONTENT_WEIGHT * content,
            "neighbours_joined": COLLABORATIVE_WEIGHT * similar,
            "popular_in_community": POPULARITY_WEIGHT * _popularity(c.takers, max_takers),
            "new": NEW_WEIGHT if now - c.published_at < NEW_FOR else 0.0,
            "leader_endorsed": ENDORSED_WEIGHT if c.endorsed else 0.0,
        }
        score = sum(parts.values())
        if score <= 0:
            continue
        why = max(parts, key=lambda k: parts[k])
        scored.append(_Scored(score, c, why, topic, need if why == "matches_your_need" else seed_title))
    scored.sort(key=lambda s: s.score, reverse=True)
    return [  # the reason in words only for what is shown
        Recommendation(
            kind=s.candidate.kind,
            id=s.candidate.id,
            title=s.candidate.title,
            score=round(s.score, 3),
            reason=_reason(s.why, s.candidate, profile, s.topic, s.seed, lang),
        )
        for s in _varied(scored, limit)
    ]


class _Scored(NamedTuple):
    score: float
    candidate: Candidate
    why: ReasonType  # the biggest part of the score
    topic: str | None  # the profile's topic it matched best
    seed: str  # the resident's item neighbours chose it with, or the need it answers


def _varied(scored: list[_Scored], limit: int) -> list[_Scored]:
    """Greedy re-rank of `scored` (best first): each pick damps the rest of its topic, and no kind takes
    more than PER_KIND. Damping only lowers a score, so the search for the next pick stops at the first
    candidate whose own score cannot beat the best damped one found."""
    picked: list[_Scored] = []
    per_topic: dict[str, int] = {}
    per_kind: dict[str, int] = {}
    pool = list(scored)
    while pool and len(picked) < limit:
        best, best_score = -1, 0.0
        for i, s in enumerate(pool):
            if best >= 0 and s.score <= best_score:
                break
            c = s.candidate
            if per_kind.get(c.kind, 0) >= PER_KIND:
                continue
            damped = s.score * SAME_TOPIC_DAMPING ** per_topic.get(c.topic, 0)
            if best < 0 or damped > best_score:
                best, best_score = i, damped
        if best < 0:
            break
        s = pool.pop(best)
        per_topic[s.candidate.topic] = per_topic.get(s.candidate.topic, 0) + 1
        per_kind[s.candidate.kind] = per_kind.get(s.candidate.kind, 0) + 1
        picked.append(s)
    return picked


def _content(c: Candidate, profile: Profile, top_weight: float) -> tuple[float, str | None]:
    matched = [(profile.weights[t], t) for t in c.topics if t in profile.weights]
    if not matched or top_weight <= 0:
        return 0.0, None
    best_weight, best_topic = max(matched)
    return sum(w for w, _ in matched) / top_weight, best_topic


def _popularity(takers: int, max_takers: int) -> float:
    return math.log1p(takers) / math.log1p(max_takers) if max_takers else 0.0


# How neighbours took an item, by kind (English, Chinese).
_TAKEN = {
    "deal": ("bought this", "买了"),
    "service": ("booked this", "预约了"),
    "event": ("are going", "报名了"),
    "swap": ("asked for this", "想要"),
}


def _reason(why: ReasonType, c: Candidate, profile: Profile, topic: str | None, seed_title: str, lang: str) -> Reason:
    """`seed_title`: the resident's item neighbours chose this with, or the need it answers."""
    zh = lang == "zh"
    if why == "matches_your_need":
        return Reason(type=why, seed=seed_title, text=because("need", seed_title, lang))
    if why == "bought_related" and topic is not None:
        seed, source = profile.seeds.get(topic, ""), profile.sources.get(topic, "purchase")
        kind: ReasonType = "matches_your_need" if source in ASKED else "bought_related"
        return Reason(type=kind, seed=seed, text=because(source, seed, lang))
    if why == "neighbours_joined":
        text = (
            f"和你一样选了{seed_title}的邻居也选了这个" if zh else f"neighbours who chose {seed_title} also chose this"
        )
        return Reason(type="neighbours_joined", seed=seed_title, text=text)
    if why == "leader_endorsed":
        return Reason(type="leader_endorsed", text="团长推荐" if zh else "endorsed by your leader")
    if why == "popular_in_community" and c.takers > 0:
        en, zh_taken = _TAKEN.get(c.kind, ("took this", "选了"))
        noun = "neighbour" if c.takers == 1 else "neighbours"
        en = en.replace("are going", "is going") if c.takers == 1 else en
        return Reason(
            type="popular_in_community", text=f"{c.takers}位邻居{zh_taken}" if zh else f"{c.takers} {noun} {en}"
        )
    return Reason(type="new", text="小区新上线" if zh else "new in your community")
