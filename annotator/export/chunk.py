"""Cut a document into model-sized chunks at sentence ends, never inside a span.

Chunks tile the text exactly (every character, whitespace included, lands in
one chunk), so `char_start + i` is the document offset of token i.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

MAX_CHUNK_CHARS = 510  # 512 model positions minus [CLS] and [SEP]

# A sentence ends after 。！？； or a newline, plus any closing quotes or brackets
# that follow it (。」 stays together).
_TERMINATORS = "。！？；\n"
_CLOSERS = "”’」』）)】〕\"'"
_RUN = frozenset(_TERMINATORS + _CLOSERS)
_SENTENCE_END_RE = re.compile(f"[{_TERMINATORS}]+[{re.escape(_CLOSERS)}]*")


class ChunkError(ValueError):
    """A span is longer than a chunk may be, so no cut can keep it whole."""


def _blocked(spans: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Merged (start, end) intervals inside which no cut may fall."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(spans):
        if starts and start < ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def _inside(position: int, starts: Sequence[int], ends: Sequence[int]) -> int | None:
    """The end of the interval strictly containing `position`, or None."""
    i = bisect_right(starts, position - 1) - 1  # last interval with start < position
    if i >= 0 and position < ends[i]:
        return ends[i]
    return None


def sentence_ends(text: str) -> list[int]:
    """Offsets just after each sentence end (cut candidates, ascending)."""
    return [match.end() for match in _SENTENCE_END_RE.finditer(text)]


def _last_sentence_end(
    text: str, pos: int, limit: int, starts: Sequence[int], ends: Sequence[int]
) -> int | None:
    """The latest sentence end in (pos, limit] outside every span, found with rfind (no scan)."""
    n = len(text)
    hi = limit
    while hi > pos:
        q = max(text.rfind(ch, pos, hi) for ch in _TERMINATORS)
        if q < 0:
            return None
        p = q + 1
        while p < n and text[p] in _RUN:  # the whole run: 。」 and ！！ stay together
            p += 1
        if p <= limit and _inside(p, starts, ends) is None:
            return p
        while q > pos and text[q - 1] in _RUN:
            q -= 1
        hi = q
    return None


def chunk_bounds(
    text: str, spans: Iterable[tuple[int, int]], max_chars: int = MAX_CHUNK_CHARS
) -> list[tuple[int, int]]:
    """(start, end) of each chunk: greedy, the last sentence end that fits, else any free boundary.

    Raises ChunkError when a single span is longer than `max_chars`.
    """
    n = len(text)
    if n == 0:
        return []
    if n <= max_chars:
        return [(0, n)]
    starts, ends = _blocked(spans)
    bounds: list[tuple[int, int]] = []
    pos = 0
    while n - pos > max_chars:
        limit = pos + max_chars
        cut = _last_sentence_end(text, pos, limit, starts, ends)
        if cut is None:
            # A long sentence without punctuation: the latest free character boundary.
            p = limit
            while p > pos:
                if _inside(p, starts, ends) is None:
                    cut = p
                    break
                # Jump to the start of the span that contains p (a free boundary, or pos).
                p = starts[bisect_right(starts, p - 1) - 1]
            if cut is None:
                raise ChunkError(f"a span near offset {pos} is longer than {max_chars} characters")
        bounds.append((pos, cut))
        pos = cut
    bounds.append((pos, n))
    return bounds
