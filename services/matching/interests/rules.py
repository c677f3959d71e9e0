"""Pure rules of interest profiles: which topics a purchase says, and how interest fades."""

import json
import math
from datetime import datetime
from functools import cache
from pathlib import Path

HALF_LIFE_DAYS = 30.0
TAG_WEIGHT = 1.0  # the product's own tag
TOPIC_WEIGHT = 0.6  # a life-service topic the tag suggests


@cache
def topic_map() -> dict[str, list[str]]:
    raw = json.loads((Path(__file__).parent / "topics.json").read_text(encoding="utf-8"))
    return {tag: topics for tag, topics in raw.items() if not tag.startswith("_")}


def topics_of_purchase(tags: list[str]) -> dict[str, float]:
    """Topic → weight a purchase with these product tags adds to the buyer's profile."""
    weights: dict[str, float] = {}
    for tag in tags:
        weights[tag] = max(weights.get(tag, 0.0), TAG_WEIGHT)
        for topic in topic_map().get(tag, []):
            weights[topic] = max(weights.get(topic, 0.0), TOPIC_WEIGHT)
    return weights


def topics_of_tags(tags: list[str]) -> set[str]:
    return set(topics_of_purchase(tags))


def decayed(weight: float, since: datetime, now: datetime) -> float:
    age_days = max((now - since).total_seconds() / 86400, 0.0)
    return weight * math.pow(0.5, age_days / HALF_LIFE_DAYS)
