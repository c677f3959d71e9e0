"""Pure rules of matching a need's words to offerings: BM25 over the terms of the offerings of a
community, plus the category, and a category for words that came without one."""

import math
from collections import Counter
from collections.abc import Iterable

from services.matching.interests.rules import category_words

K1, B = 1.2, 0.75  # BM25's usual term-frequency saturation and length normalisation
SAME_CATEGORY = 1.0  # what being in the need's category adds to the words' score


def bm25(query: Iterable[str], docs: dict[str, list[str]]) -> dict[str, tuple[float, list[str]]]:
    """Each document's BM25 score for the query's terms and the terms it contains (documents with
    none left out)."""
    wanted = set(query)
    if not docs or not wanted:
        return {}
    n = len(docs)
    average = sum(len(terms) for terms in docs.values()) / n or 1.0
    df = Counter(t for terms in docs.values() for t in set(terms) & wanted)
    scores: dict[str, tuple[float, list[str]]] = {}
    for doc, terms in docs.items():
        tf = Counter(t for t in terms if t in wanted)
        if not tf:
            continue
        norm = K1 * (1 - B + B * len(terms) / average)
        score = sum(math.log1p((n - df[t] + 0.5) / (df[t] + 0.5)) * f * (K1 + 1) / (f + norm) for t, f in tf.items())
        scores[doc] = (score, sorted(tf))
    return scores


def rank(
    query: Iterable[str], category: str, docs: dict[str, list[str]], categories: dict[str, str]
) -> list[tuple[str, float, list[str]]]:
    """Offerings for a need, best first: the words' score plus `SAME_CATEGORY` for its category."""
    words = bm25(query, docs)
    found = []
    for doc in docs:
        score, matched = words.get(doc, (0.0, []))
        same = categories.get(doc) == category
        if matched or same:
            found.append((doc, round(score + (SAME_CATEGORY if same else 0.0), 3), matched))
    return sorted(found, key=lambda f: (-f[1], f[0]))


def category_of(terms: Iterable[str], docs: dict[str, list[str]], categories: dict[str, str]) -> str | None:
    """The category the words name: the one whose everyday words they use most, else the category of
    the offering they match best; None if they say nothing known."""
    wanted = set(terms)
    named = Counter({c: len(wanted & set(words)) for c, words in category_words().items()})
    best, hits = max(named.items(), key=lambda kv: kv[1], default=("", 0))
    if hits:
        return best
    words = bm25(wanted, docs)
    if not words:
        return None
    return categories.get(max(words, key=lambda d: words[d][0]))
