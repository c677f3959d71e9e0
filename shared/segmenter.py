"""Search terms of a text: Chinese segmented into words by jieba (search mode: words and the
shorter words inside them), Latin letters and digits lower-cased, punctuation dropped. Catalog's
directory search and matching's need matching cut texts with it.

Memory (VmRSS of the catalog process): jieba's full dictionary (350,000 words) costs about 75 MB
and its import (the HMM model for unknown words) about 9 MB more, while the whole system must idle
under 600 MB. So the tokenizer is built once, on first use, in a worker thread, from the words of
jieba's own dictionary used at least `MIN_WORD_FREQ` times: 67,000 words, import included 19 MB
(105,000 words at 10 uses: 25 MB; the everyday words of service listings cut the same either
way). Words it does not know are still cut by the HMM, and texts and queries are cut by the same
tokenizer, so a query matches the text it was written from.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

MIN_WORD_FREQ = 30
MAX_QUERY_TERMS = 8
_WORD = re.compile(r"[0-9a-z\u3400-\u9fff]")  # a term has a letter, a digit or a Han character

_tokenizer: Any = None
_loading = asyncio.Lock()


def loaded() -> bool:
    """Whether the tokenizer is built (so cutting a text now costs no load)."""
    return _tokenizer is not None


async def terms(text: str) -> set[str]:
    tokenizer = _tokenizer or await _load()
    return {word.strip() for word in tokenizer.cut_for_search(text.lower()) if _WORD.search(word)}


async def _load() -> Any:
    global _tokenizer
    async with _loading:
        if _tokenizer is None:
            _tokenizer = await asyncio.to_thread(_build, MIN_WORD_FREQ)
    return _tokenizer


def _build(min_freq: int) -> Any:
    import jieba  # here, not at the top: the import alone costs 9 MB

    tokenizer = jieba.Tokenizer()

    def common_words() -> Iterator[bytes]:
        with jieba.get_module_res(jieba.DEFAULT_DICT_NAME) as lines:
            for line in lines:
                parts = line.split()
                if len(parts) >= 2 and int(parts[1]) >= min_freq:
                    yield line

    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(common_words())
    tokenizer.initialized = True  # built here: jieba would otherwise load (and cache) the full dictionary
    return tokenizer
