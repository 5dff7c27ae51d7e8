"""Simplified / traditional detection and a same-length simplified shadow.

jieba's dictionary is simplified, so traditional text is segmented through a
shadow that has exactly one character per original character: offsets into
the shadow are offsets into the original.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import opencc as _opencc

Script = Literal["simplified", "traditional", "mixed", "unknown"]


@lru_cache(maxsize=2)
def _converter(config: str) -> _opencc.OpenCC:
    import opencc  # lazy: only documents that need it pay for it

    return opencc.OpenCC(config)


def _per_char(text: str, config: str) -> str:
    convert = _converter(config).convert
    out = []
    for ch in text:
        converted = str(convert(ch))
        out.append(converted if len(converted) == 1 else ch)
    return "".join(out)


def to_simplified_shadow(text: str) -> str:
    """The text in simplified characters, guaranteed the same length as `text`."""
    converted = str(_converter("t2s").convert(text))
    if len(converted) == len(text):
        return converted
    return _per_char(text, "t2s")


def to_traditional_shadow(text: str) -> str:
    """The text in traditional characters, guaranteed the same length as `text`."""
    converted = str(_converter("s2t").convert(text))
    if len(converted) == len(text):
        return converted
    return _per_char(text, "s2t")


def detect_script(text: str) -> Script:
    """Which Chinese script a text is written in, judged by characters that differ."""
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return "unknown"
    sample = "".join(han[:4000])
    as_simplified = to_simplified_shadow(sample)
    as_traditional = to_traditional_shadow(sample)
    traditional_only = sum(1 for a, b in zip(sample, as_simplified, strict=True) if a != b)
    simplified_only = sum(1 for a, b in zip(sample, as_traditional, strict=True) if a != b)
    if traditional_only == simplified_only == 0:
        return "unknown"
    if traditional_only > 3 * simplified_only:
        return "traditional"
    if simplified_only > 3 * traditional_only:
        return "simplified"
    return "mixed"
