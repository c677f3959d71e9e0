"""Ranking metrics at a cut-off, with binary relevance (a held-out item is relevant)."""

import math


def precision_at(ranked: list[str], relevant: set[str], k: int) -> float:
    return sum(1 for item in ranked[:k] if item in relevant) / k


def recall_at(ranked: list[str], relevant: set[str], k: int) -> float:
    return sum(1 for item in ranked[:k] if item in relevant) / len(relevant) if relevant else 0.0


def ndcg_at(ranked: list[str], relevant: set[str], k: int) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal if ideal else 0.0
