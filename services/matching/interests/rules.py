"""Pure rules of interest profiles: which topics an activity says, how interest fades, plain words."""

import json
import math
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

TAG_WEIGHT = 1.0  # the product's own tag, the booked category, the event's kind
TOPIC_WEIGHT = 0.6  # a topic the tag or kind suggests
# How much one activity of each source says (a check-in, a lead or a posted need says more than a
# purchase; an item given away or asked for in a swap, less).
SOURCE_WEIGHT = {"purchase": 1.0, "booking": 1.5, "event": 1.2, "lead": 1.5, "need": 1.5, "search": 1.0, "swap": 0.8}
# Sources that say the resident is looking for something: a recommendation they lead to "matches your need".
ASKED = frozenset({"lead", "need", "search"})


@cache
def _data() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((Path(__file__).parent / "topics.json").read_text(encoding="utf-8"))
    return raw


def topic_map() -> dict[str, list[str]]:
    """The shipped map of food tags to topics."""
    tags: dict[str, list[str]] = _data()["tags"]
    return tags


def kind_topics(kind: str) -> list[str]:
    """An offline event's kind and the topics it stands for."""
    return [kind, *_data()["event_kinds"].get(kind, [])]


def category_words() -> dict[str, list[str]]:
    """The everyday words that name each of the directory's categories."""
    words: dict[str, list[str]] = _data()["category_words"]
    return words


def label(topic: str, lang: str = "en") -> str:
    zh, en = _data()["labels"].get(topic, [topic, topic.replace("_", " ")])
    return str(zh if lang == "zh" else en)


def topics_of_tags(tags: list[str], overrides: dict[str, list[str]] | None = None) -> dict[str, float]:
    """Topic → weight these tags say; a community's `overrides` replace the shipped reading of a tag."""
    mapping = {**topic_map(), **(overrides or {})}
    weights: dict[str, float] = {}
    for tag in tags:
        weights[tag] = max(weights.get(tag, 0.0), TAG_WEIGHT)
        for topic in mapping.get(tag, []):
            weights[topic] = max(weights.get(topic, 0.0), TOPIC_WEIGHT)
    return weights


def decayed(weight: float, since: datetime, now: datetime, half_life_days: float = 30.0) -> float:
    age_days = max((now - since).total_seconds() / 86400, 0.0)
    return weight * math.pow(0.5, age_days / half_life_days)


# What the resident did, by source (English, Chinese), as a profile or a reason says it.
_VERBS = {
    "purchase": ("because you bought {}", "因为你买过{}"),
    "booking": ("because you booked {}", "因为你预约过{}"),
    "event": ("because you joined {}", "因为你参加过{}"),
    "lead": ("you asked about {}", "你咨询过{}"),
    "need": ("you need {}", "你需要{}"),
    "search": ("you looked for {}", "你找过{}"),
    "swap": ("you swapped {}", "你交换过{}"),
}


def because(source: str, seed: str, lang: str = "en") -> str:
    en, zh = _VERBS.get(source, _VERBS["purchase"])
    return (zh if lang == "zh" else en).format(seed)
