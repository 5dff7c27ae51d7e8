"""Carry offsets from one version of a text to another, exactly or not at all.

Used when a text is corrected (`import --replace-text`) and when normalizing a
JSONL row moves its characters (CRLF -> LF). Matching blocks come from
difflib.SequenceMatcher on code points; a span moves only when both its ends
land in matching blocks and the new surface text equals the old one. Anything
else is reported by the caller, never guessed.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

# Character-level matching is quadratic in the worst case (45k CJK characters
# take seconds); past this many characters of changed middle, align
# sentences first, then characters within the changed sentence blocks.
_CHAR_LEVEL_LIMIT = 4_000
# A sentence ends at a newline or at Chinese/Western full stops.
_SENTENCE_RE = re.compile(r"[^\n。！？!?]*(?:[\n。！？!?]+|$)")


@dataclass(frozen=True, slots=True)
class Alignment:
    old: str
    new: str
    # (old_start, new_start, size), sorted by old_start, non-overlapping.
    blocks: tuple[tuple[int, int, int], ...]
    starts: tuple[int, ...]

    def position(self, offset: int) -> int | None:
        """Where the character at `offset` of the old text sits in the new one."""
        index = bisect.bisect_right(self.starts, offset) - 1
        if index < 0:
            return None
        old_start, new_start, size = self.blocks[index]
        if offset >= old_start + size:
            return None
        return new_start + offset - old_start

    def relocate(self, start: int, end: int) -> tuple[int, int] | None:
        """The span's offsets in the new text, or None when it cannot be placed exactly."""
        if not 0 <= start < end <= len(self.old):
            return None
        first = self.position(start)
        last = self.position(end - 1)
        if first is None or last is None or last < first:
            return None
        new_end = last + 1
        if self.new[first:new_end] != self.old[start:end]:
            return None
        return first, new_end


def align(old: str, new: str) -> Alignment:
    """Matching blocks between two texts (common prefix and suffix taken first)."""
    if old == new:
        return _alignment(old, new, [(0, 0, len(old))])
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    blocks: list[tuple[int, int, int]] = []
    if prefix:
        blocks.append((0, 0, prefix))
    old_mid = old[prefix : len(old) - suffix]
    new_mid = new[prefix : len(new) - suffix]
    blocks.extend((a + prefix, b + prefix, size) for a, b, size in _middle_blocks(old_mid, new_mid))
    if suffix:
        blocks.append((len(old) - suffix, len(new) - suffix, suffix))
    return _alignment(old, new, blocks)


def _alignment(old: str, new: str, blocks: list[tuple[int, int, int]]) -> Alignment:
    kept = tuple(block for block in blocks if block[2])
    return Alignment(old, new, kept, tuple(block[0] for block in kept))


def _middle_blocks(old: str, new: str) -> list[tuple[int, int, int]]:
    if not old or not new:
        return []
    if max(len(old), len(new)) <= _CHAR_LEVEL_LIMIT:
        return _char_blocks(old, new)
    old_lines = _sentences(old)
    new_lines = _sentences(new)
    old_at = _line_offsets(old_lines)
    new_at = _line_offsets(new_lines)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    blocks: list[tuple[int, int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = old_at[i1], new_at[j1]
        if tag == "equal":
            blocks.append((a, b, old_at[i2] - a))
        elif tag == "replace":
            old_part, new_part = old[a : old_at[i2]], new[b : new_at[j2]]
            if max(len(old_part), len(new_part)) <= _CHAR_LEVEL_LIMIT:
                blocks.extend((a + x, b + y, n) for x, y, n in _char_blocks(old_part, new_part))
    return blocks


def _char_blocks(old: str, new: str) -> list[tuple[int, int, int]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(a, b, size) for a, b, size in matcher.get_matching_blocks() if size]


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_RE.findall(text) if part]


def _line_offsets(lines: list[str]) -> list[int]:
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    return offsets
