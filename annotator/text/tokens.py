"""jieba word boundaries as code-point offsets.

Span boundaries snap to these tokens. jieba is imported lazily: its import and
dictionary load cost about 0.7 s, which `annotator --help` and `validate`
must never pay.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from annotator.text.script import to_simplified_shadow

Token = tuple[int, int]

_init_lock = threading.Lock()
_jieba: Any = None
_cache: OrderedDict[str, tuple[Token, ...]] = OrderedDict()
_CACHE_SIZE = 64


def jieba_module() -> Any:
    """The initialized jieba module (dictionary loaded once, quietly, thread-safe)."""
    global _jieba
    if _jieba is None:
        with _init_lock:
            if _jieba is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def needs_shadow(text: str) -> bool:
    """True when segmenting a simplified shadow would give better boundaries."""
    return to_simplified_shadow(text) != text


def segmentation_text(text: str) -> str:
    """The same-length text jieba actually segments (simplified shadow)."""
    return to_simplified_shadow(text)


def tokenize(text: str) -> tuple[Token, ...]:
    """Contiguous (start, end) tokens covering the whole text, in order."""
    cached = _cache.get(text)
    if cached is not None:
        _cache.move_to_end(text)
        return cached
    jieba = jieba_module()
    shadow = segmentation_text(text)
    tokens = tuple((start, end) for _word, start, end in jieba.tokenize(shadow, HMM=True))
    _cache[text] = tokens
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return tokens


def token_at(tokens: tuple[Token, ...], offset: int) -> int:
    """Index of the token containing `offset` (the last token for offset == len)."""
    lo, hi = 0, len(tokens) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if tokens[mid][0] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo
