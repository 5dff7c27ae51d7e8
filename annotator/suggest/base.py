"""The suggester protocol, the shared per-document context, and overlap resolution.

Suggesters are pure: they read the text and a `SuggestContext` (whose costly
parts are computed once, lazily, and shared) and return `Suggestion`s. The
engine merges them; spans never overlap, so `resolve_overlaps` keeps the most
confident, then the longest, candidate.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from annotator.model import Span, Suggestion

if TYPE_CHECKING:
    from annotator.suggest.taught import TaughtLexicon
    from annotator.text.tokens import Token

# Characters a span may never start or end with (whitespace is handled apart).
EDGE_PUNCT = frozenset(
    "，。、；：？！“”‘’「」『』（）()[]【】《》〈〉<>,.;:?!\"'…—－-·•～~|/\\｜·＊*#＃"
)


CLAUSE_BREAKS = frozenset("，。；：！？、,;:!?“”「」『』《》\n\t 　")


@dataclass
class SuggestContext:
    """One document's shared data: the simplified shadow and jieba tokens, on demand."""

    text: str
    labelled: Sequence[Span] = ()
    lexicon: TaughtLexicon | None = None
    _local: dict[tuple[int, int], list[tuple[int, int]]] = field(default_factory=dict, repr=False)

    @cached_property
    def shadow(self) -> str:
        """Same-length simplified text: one lexicon serves both scripts."""
        from annotator.text.script import to_simplified_shadow

        return to_simplified_shadow(self.text)

    @cached_property
    def tokens(self) -> tuple[Token, ...]:
        """jieba tokens of the whole document (cached by annotator.text.tokens)."""
        from annotator.text.tokens import tokenize

        return tokenize(self.text)

    def window_tokens(self, start: int, end: int) -> list[tuple[int, int]]:
        """jieba tokens of shadow[start:end] as document offsets.

        Suggesters that only need word boundaries near a candidate segment a
        small window instead of the whole document: far cheaper on long texts.
        """
        key = (start, end)
        cached = self._local.get(key)
        if cached is not None:
            return cached
        from annotator.text.tokens import jieba_module

        jieba = jieba_module()
        tokens = [(start + s, start + e) for _w, s, e in jieba.tokenize(self.shadow[start:end])]
        self._local[key] = tokens
        return tokens

    def clause_tokens(self, start: int, end: int) -> list[tuple[int, int]]:
        """jieba tokens of the clause around [start, end) (at most 24 before, 12 after).

        Clauses end at punctuation, so neighbouring candidates share one
        segmentation (cached), and no text is segmented twice.
        """
        shadow = self.shadow
        lo, floor = start, max(0, start - 24)
        while lo > floor and shadow[lo - 1] not in CLAUSE_BREAKS:
            lo -= 1
        hi, ceiling = end, min(len(shadow), end + 12)
        while hi < ceiling and shadow[hi] not in CLAUSE_BREAKS:
            hi += 1
        return self.window_tokens(lo, hi)


class Suggester(Protocol):
    """A source of suggestions for one label family."""

    name: str
    labels: frozenset[str]

    def suggest(self, text: str, ctx: SuggestContext) -> list[Suggestion]: ...


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it neither starts nor ends with whitespace or punctuation."""
    while start < end and (text[start].isspace() or text[start] in EDGE_PUNCT):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in EDGE_PUNCT):
        end -= 1
    return start, end


def make(
    text: str, start: int, end: int, label: str, source: str, score: float
) -> Suggestion | None:
    """A trimmed suggestion over text[start:end], or None when nothing is left."""
    start, end = trim(text, start, end)
    if start >= end:
        return None
    return Suggestion(
        start=start, end=end, label=label, text=text[start:end], source=source, score=score
    )


def overlaps_any(starts: list[int], ends: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the disjoint sorted intervals."""
    i = bisect.bisect_right(starts, start)
    if i > 0 and ends[i - 1] > start:
        return True
    return i < len(starts) and starts[i] < end


def resolve_overlaps(candidates: Iterable[Suggestion]) -> list[Suggestion]:
    """Non-overlapping suggestions: higher score first, then longer, then earlier."""
    ordered = sorted(candidates, key=lambda s: (-s.score, s.start - s.end, s.start, s.label))
    if not ordered:
        return []
    # One byte per character: checking and marking a span costs its length, in C.
    taken = bytearray(max(s.end for s in ordered))
    kept: list[Suggestion] = []
    for cand in ordered:
        if cand.end <= cand.start or taken.find(1, cand.start, cand.end) >= 0:
            continue
        taken[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
        kept.append(cand)
    kept.sort(key=lambda s: (s.start, s.end))
    return kept


def glued_latin(shadow: str, start: int, end: int) -> bool:
    """A Latin match inside a longer Latin word (Dan in Daniel, Meta in Metaverse)."""

    def latin(ch: str) -> bool:
        return ch.isascii() and (ch.isalnum() or ch == "_")

    return (start > 0 and latin(shadow[start]) and latin(shadow[start - 1])) or (
        end < len(shadow) and latin(shadow[end - 1]) and latin(shadow[end])
    )


def inside_title(shadow: str, start: int, reach: int = 80) -> bool:
    """Whether `start` lies inside a 《…》 title (a law or a document name)."""
    lo = max(0, start - reach)
    opened = shadow.rfind("《", lo, start)
    if opened < 0 or shadow.rfind("》", opened, start) >= 0:
        return False
    return shadow.find("》", start, start + reach) >= 0
