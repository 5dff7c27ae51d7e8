"""Mask personal data (phones, ID-card numbers, bank cards, emails) with same-length placeholders.

Every masked character becomes `*` (`＊` for a full-width one), so the text
keeps its length and every offset stays valid; spans whose surface text
changes get the new text. Matching runs on a shadow where full-width digits
and Latin letters read as ASCII, so `１３８…` is caught too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

# Full-width ASCII (U+FF01-U+FF5E) -> ASCII, one character for one: same offsets.
_SHADOW = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "email",
        re.compile(
            r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
            re.ASCII,
        ),
    ),
    # 18-digit resident ID (birth date checked loosely), then the old 15-digit form.
    (
        "id_card",
        re.compile(
            r"(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])",
            re.ASCII,
        ),
    ),
    (
        "id_card",
        re.compile(
            r"(?<!\d)[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?!\d)", re.ASCII
        ),
    ),
    ("bank_card", re.compile(r"(?<!\d)(?:\d[ -]?){15,18}\d(?!\d)", re.ASCII)),
    # Mainland mobile (optionally +86 / 86 / spaced 3-4-4), then landlines 0xx(x)-xxxxxxx(x).
    ("phone", re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)", re.ASCII)),
    ("phone", re.compile(r"(?<![\d-])0\d{2,3}-\d{7,8}(?!\d)", re.ASCII)),
)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@dataclass
class RedactionStats:
    documents: int = 0
    masked: Counter[str] = field(default_factory=Counter)
    spans_changed: int = 0


def find_personal_data(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every match, earliest first, never overlapping."""
    shadow = text.translate(_SHADOW)
    found: list[tuple[int, int, str]] = []
    taken = bytearray(len(text))
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(shadow):
            start, end = match.span()
            if any(taken[start:end]):
                continue
            if kind == "bank_card" and not _luhn(re.sub(r"\D", "", match.group())):
                continue
            found.append((start, end, kind))
            taken[start:end] = b"\x01" * (end - start)
    return sorted(found)


def mask(text: str, hits: Sequence[tuple[int, int, str]]) -> str:
    """Each character of each hit becomes `*` (`＊` if full-width); spaces and dashes stay."""
    if not hits:
        return text
    chars = list(text)
    for start, end, _kind in hits:
        for i in range(start, end):
            ch = chars[i]
            if ch in " -":
                continue
            chars[i] = "＊" if 0xFF01 <= ord(ch) <= 0xFF5E else "*"
    return "".join(chars)


def redact(
    text: str, spans: Sequence[tuple[int, int, str, str]], stats: RedactionStats | None = None
) -> tuple[str, list[tuple[int, int, str, str]]]:
    """The masked text and spans (start, end, label, surface) with surfaces re-read from it."""
    hits = find_personal_data(text)
    if not hits:
        return text, list(spans)
    masked = mask(text, hits)
    out = [(s, e, label, masked[s:e]) for s, e, label, _surface in spans]
    if stats is not None:
        stats.documents += 1
        stats.masked.update(kind for _s, _e, kind in hits)
        stats.spans_changed += sum(1 for a, b in zip(spans, out, strict=True) if a[3] != b[3])
    return masked, out
