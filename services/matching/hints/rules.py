"""Pure rules of the live room's hint: which card the viewers would respond to, from their profiles."""

from collections import Counter
from dataclasses import dataclass

from services.matching.interests.rules import label

INTERESTED = 0.3  # a viewer is into a card when its topics reach this share of their strongest interest
FEWEST_SHOWN = 5  # figures about fewer people than this are not shown


@dataclass(frozen=True)
class Viewer:
    weights: dict[str, float]  # topic → decayed weight
    seeds: dict[str, tuple[str, str]]  # topic → (source, seed)


@dataclass(frozen=True)
class Appeal:
    score: float
    interested: int
    topic: str | None  # what most of the interested are into
    seed: tuple[tuple[str, str], int] | None  # the most common (source, seed) among them, and how many


def appeal(topics: frozenset[str], viewers: list[Viewer]) -> Appeal:
    """How much the room is into a card about `topics`: each viewer's interest in its closest topic,
    relative to their strongest interest (0–1), averaged over everyone in the room."""
    total, interested = 0.0, 0
    by_topic: Counter[str] = Counter()
    by_seed: Counter[tuple[str, str]] = Counter()
    for v in viewers:
        top = max(v.weights.values(), default=0.0)
        matched = [(v.weights[t], t) for t in topics if t in v.weights]
        if not matched or top <= 0:
            continue
        weight, topic = max(matched)
        share = weight / top
        total += share
        if share >= INTERESTED:
            interested += 1
            by_topic[topic] += 1
            by_seed[v.seeds[topic]] += 1
    return Appeal(
        round(total / len(viewers), 3) if viewers else 0.0,
        interested,
        by_topic.most_common(1)[0][0] if by_topic else None,
        by_seed.most_common(1)[0] if by_seed else None,
    )


# What viewers did that says an interest (English, Chinese), as a hint counts them.
_DID = {
    "purchase": ("bought", "买过"),
    "booking": ("booked", "预约过"),
    "event": ("joined", "参加过"),
    "lead": ("asked about", "咨询过"),
    "need": ("need", "需要"),
    "search": ("looked for", "找过"),
    "swap": ("swapped", "交换过"),
}


def reason(a: Appeal, viewers: int, lang: str = "en") -> str:
    """E.g. "14 of 40 viewers are into housekeeping (9 bought 适老软饭)"; no figures about fewer than
    `FEWEST_SHOWN` people."""
    zh = lang == "zh"
    if a.topic is None or a.seed is None:
        return "观众里还没有人表现出兴趣" if zh else "no viewer has shown an interest in this yet"
    what = label(a.topic, lang)
    if a.interested < FEWEST_SHOWN:
        return f"有几位观众关注{what}" if zh else f"a few viewers are into {what}"
    (source, seed), some = a.seed
    en_did, zh_did = _DID.get(source, _DID["purchase"])
    if zh:
        return f"{viewers}位观众中{a.interested}位关注{what}（{some}位{zh_did}{seed}）"
    return f"{a.interested} of {viewers} viewers are into {what} ({some} {en_did} {seed})"
