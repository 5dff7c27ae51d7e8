"""Soft-wrapping text into display rows by terminal cells.

Pure (no Textual): the document view asks this module which code points go on
which screen row. Widths come from rich's cell tables so that what we measure
is what the terminal draws: CJK characters are two cells, a grapheme (emoji
with ZWJ or a variation selector, a letter with a combining mark) is measured
and placed as one unit and never split across rows.

Layout model:
- Paragraphs are split at ``\\n``; the ``\\n`` itself belongs to no row. An
  empty paragraph is one empty row ``(p, p)``.
- Every code point carries a width; a grapheme's width sits on its *last*
  code point, so a row may only start where the previous code point has a
  positive width (or at a paragraph start).
- ``tags[o]`` extra cells (an inline label tag) are drawn right before offset
  ``o`` and glued to the character before it, so a tag stays on the row of the
  span it closes, even at a row or paragraph end. A tag at a paragraph start
  has no character to glue to and is not counted; one inside a grapheme is
  drawn after that grapheme.
- ``cum[o]`` is the number of cells from the start of ``o``'s paragraph up to
  ``o``; it is per paragraph so one paragraph can be re-wrapped alone.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate, chain
from typing import NamedTuple

from rich.cells import get_character_cell_size, split_graphemes

Row = tuple[int, int]

_EMPTY_TAGS: Mapping[int, int] = {}


class _Widths(dict[str, int]):
    """Cell width per character, filled on first use (C-speed lookups after)."""

    def __missing__(self, char: str) -> int:
        width = get_character_cell_size(char)
        self[char] = width
        return width


# Tabs are drawn as one space; a newline never sits inside a row, its width
# only has to be positive so that the next paragraph may start after it.
_WIDTHS = _Widths({"\t": 1, "\n": 1})
_width_of = _WIDTHS.__getitem__


def display_text(text: str) -> str:
    """What to hand to the terminal for `text`: tabs become spaces (same length)."""
    return text.replace("\t", " ")


def _paragraph_widths(text: str, start: int, end: int) -> list[int]:
    """Widths of text[start:end] with each grapheme's width on its last code point."""
    widths = list(map(_width_of, text[start:end]))
    if 0 not in widths:
        return widths
    spans, _total = split_graphemes(display_text(text[start:end]))
    widths = [0] * (end - start)
    # split_graphemes glues zero-width code points to the previous grapheme;
    # a zero-width grapheme can only open a paragraph, where it is harmless.
    for _g_start, g_end, cells in spans:
        widths[g_end - 1] = cells
    return widths


def _text_widths(text: str, paragraphs: list[Row]) -> list[int]:
    """`_paragraph_widths` for the whole text (newlines count 1, never inside a row)."""
    widths = list(map(_width_of, text))
    if 0 in widths:
        for p_start, p_end in paragraphs:
            if 0 in widths[p_start:p_end]:
                widths[p_start:p_end] = _paragraph_widths(text, p_start, p_end)
    return widths


class Rewrap(NamedTuple):
    """What re-wrapping one paragraph did to the rows."""

    first: int  # the paragraph's first row
    old_count: int
    new_count: int
    changed: range  # rows (new numbering) whose extent differs; to the end if the count changed


class Layout:
    """Display rows of a text wrapped at `width` cells; see the module docstring."""

    __slots__ = (
        "_base",
        "_bounds",
        "_para_starts",
        "_tag_offsets",
        "_tags",
        "cum",
        "paragraphs",
        "row_starts",
        "rows",
        "text",
        "width",
    )

    def __init__(
        self,
        text: str,
        width: int,
        tokens: Sequence[tuple[int, int]],
        tags: Mapping[int, int] = _EMPTY_TAGS,
    ) -> None:
        self.text = text
        self.width = max(1, width)
        self._bounds: list[int] = _token_bounds(tokens)
        self._tags: dict[int, int] = {o: c for o, c in tags.items() if c > 0}
        self._tag_offsets: list[int] = sorted(self._tags)
        self.cum: list[int] = [0] * (len(text) + 1)
        self.paragraphs: list[Row] = _paragraphs(text)
        self._para_starts: list[int] = [start for start, _end in self.paragraphs]
        self._base: list[int] = _text_widths(text, self.paragraphs)
        self.rows: list[Row] = []
        for p_start, p_end in self.paragraphs:
            self._measure(p_start, p_end)
            self.rows.extend(self._wrap(p_start, p_end))
        self.row_starts: list[int] = [start for start, _end in self.rows]

    def set_width(self, width: int) -> None:
        """Re-wrap at a new width (a resize), reusing the measured cells."""
        self.width = max(1, width)
        self.rows = []
        for p_start, p_end in self.paragraphs:
            self.rows.extend(self._wrap(p_start, p_end))
        self.row_starts = [start for start, _end in self.rows]

    # ------------------------------------------------------------ building

    def _measure(self, p_start: int, p_end: int) -> None:
        base = self._base
        widths = base[p_start:p_end]
        tags = self._tags
        if tags:
            offsets = self._tag_offsets
            first = bisect_right(offsets, p_start)
            last = bisect_right(offsets, p_end, first)
            for offset in offsets[first:last]:
                # A tag inside a grapheme is drawn after the whole grapheme.
                glue = offset - 1
                while glue < p_end - 1 and base[glue] == 0:
                    glue += 1
                widths[glue - p_start] += tags[offset]
        self.cum[p_start : p_end + 1] = accumulate(widths, initial=0)

    def _can_break(self, offset: int) -> bool:
        """A row may start at `offset` (not inside a grapheme)."""
        cum = self.cum
        return cum[offset] > cum[offset - 1]

    def _wrap(self, p_start: int, p_end: int) -> list[Row]:
        cum = self.cum
        bounds = self._bounds
        width = self.width
        rows: list[Row] = []
        start = p_start
        while True:
            base = cum[start]
            if cum[p_end] - base <= width:
                rows.append((start, p_end))
                return rows
            # Furthest offset whose cells still fit, snapped to a grapheme start.
            fit = bisect_right(cum, base + width, start, p_end + 1) - 1
            fit = bisect_left(cum, cum[fit], start, fit + 1)
            if fit <= start:
                # A single grapheme wider than the row: it goes alone.
                end = bisect_right(cum, base, start, p_end + 1)
                if end >= p_end:
                    rows.append((start, p_end))
                    return rows
            else:
                end = fit
                i = bisect_right(bounds, fit) - 1
                while i >= 0 and bounds[i] > start:
                    if self._can_break(bounds[i]):
                        end = bounds[i]
                        break
                    i -= 1
            rows.append((start, end))
            start = end

    # ------------------------------------------------------------- updates

    def set_tags(self, tags: Mapping[int, int]) -> list[Rewrap]:
        """Replace all tags, re-wrapping only paragraphs whose tags changed.

        Returns `rewrap_paragraph`'s answer for each re-wrapped paragraph, top
        to bottom.
        """
        old = self._tags
        changes = {o: c for o, c in tags.items() if old.get(o) != c}
        changes.update({o: 0 for o in old if o not in tags})
        return self.update_tags(changes)

    def update_tags(self, changes: Mapping[int, int]) -> list[Rewrap]:
        """Set the tag cells at a few offsets (0 removes); re-wrap their paragraphs.

        What an edit needs: a new span changes one or two tags, so this costs
        one paragraph's re-wrap, not the document's.
        """
        tags = self._tags
        offsets = self._tag_offsets
        touched: set[int] = set()
        for offset, cells in changes.items():
            had = tags.get(offset, 0)
            if had == max(cells, 0):
                continue
            if cells > 0:
                tags[offset] = cells
                if not had:
                    insort(offsets, offset)
            else:
                del tags[offset]
                del offsets[bisect_left(offsets, offset)]
            touched.add(self.paragraph_of(max(0, offset - 1)))
        return [self.rewrap_paragraph(index) for index in sorted(touched)]

    def set_tokens(self, tokens: Sequence[tuple[int, int]]) -> None:
        """New word boundaries (jieba arrived): re-wrap everything."""
        self._bounds = _token_bounds(tokens)
        self.rows = []
        for p_start, p_end in self.paragraphs:
            self.rows.extend(self._wrap(p_start, p_end))
        self.row_starts = [start for start, _end in self.rows]

    def rewrap_paragraph(self, index: int) -> Rewrap:
        """Re-measure and re-wrap one paragraph in place.

        Returns its first row, old and new row counts (whether the rows below
        moved) and the rows whose extent changed (what a view must repaint:
        a tag can move a break without changing the row count).
        """
        p_start, p_end = self.paragraphs[index]
        self._measure(p_start, p_end)
        new_rows = self._wrap(p_start, p_end)
        first = bisect_left(self.row_starts, p_start)
        # Rows of this paragraph: starts in [p_start, p_end]; an empty
        # paragraph's row starts at p_start == p_end.
        last = bisect_right(self.row_starts, p_end, first) if p_end > p_start else first + 1
        old_count = last - first
        old_rows = self.rows[first:last]
        self.rows[first:last] = new_rows
        self.row_starts[first:last] = [start for start, _end in new_rows]
        same = 0
        while same < min(old_count, len(new_rows)) and old_rows[same] == new_rows[same]:
            same += 1
        if old_count != len(new_rows):
            changed = range(first + same, first + len(new_rows))
        else:
            end = len(new_rows)
            while end > same and old_rows[end - 1] == new_rows[end - 1]:
                end -= 1
            changed = range(first + same, first + end)
        return Rewrap(first, old_count, len(new_rows), changed)

    # ------------------------------------------------------------- queries

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def paragraph_of(self, offset: int) -> int:
        """Index of the paragraph holding `offset` (a `\\n` belongs to the one it ends)."""
        return max(0, bisect_right(self._para_starts, offset) - 1)

    def row_of(self, offset: int) -> int:
        """The row showing `offset`; a `\\n` or the text end maps to the row it ends."""
        return max(0, bisect_right(self.row_starts, offset) - 1)

    def rows_of(self, start: int, end: int) -> range:
        """Rows that show any of the offsets [start, end) (at least the row of `start`)."""
        first = self.row_of(start)
        last = self.row_of(max(start, end - 1))
        return range(first, last + 1)

    def cell_x(self, offset: int) -> int:
        """Cells from the start of `offset`'s row to where `offset` is drawn."""
        row_start = self.rows[self.row_of(offset)][0]
        return self.cum[offset] - self.cum[row_start]

    def row_cells(self, row: int) -> int:
        """Cells the row takes (tags included)."""
        start, end = self.rows[row]
        return self.cum[end] - self.cum[start]

    def offset_at(self, row: int, x: int) -> int:
        """The offset drawn at cell `x` of `row`; past the row's end, the row's end.

        Both cells of a wide character map to it; cells of a tag map to the
        character the tag is glued to.
        """
        row = min(max(row, 0), len(self.rows) - 1)
        start, end = self.rows[row]
        if x <= 0 or start == end:
            return start
        cum = self.cum
        target = cum[start] + x
        if target >= cum[end]:
            return end
        # The grapheme whose cells cover `target`: its last code point is the
        # first with cum[o + 1] > target; its start is where cum first equals cum[o].
        last = bisect_right(cum, target, start, end + 1) - 1
        return bisect_left(cum, cum[last], start, last + 1)


def wrap(
    text: str,
    width: int,
    tokens: Sequence[tuple[int, int]],
    tags: Mapping[int, int] = _EMPTY_TAGS,
) -> Layout:
    """Soft-wrap `text` to rows of at most `width` cells, preferring token boundaries."""
    return Layout(text, width, tokens, tags)


def _paragraphs(text: str) -> list[Row]:
    paragraphs: list[Row] = []
    start = 0
    find = text.find
    while True:
        newline = find("\n", start)
        if newline < 0:
            paragraphs.append((start, len(text)))
            return paragraphs
        paragraphs.append((start, newline))
        start = newline + 1


def _token_bounds(tokens: Iterable[tuple[int, int]]) -> list[int]:
    return sorted(set(chain.from_iterable(tokens)))  # C speed: ~0.6 ms for 7k tokens


def inside_graphemes(text: str) -> set[int]:
    """Offsets that fall inside a grapheme (never a cursor stop or a row start).

    Cheap for ordinary text: only paragraphs holding a zero-width code point
    (ZWJ, variation selector, combining mark) are split into graphemes.
    """
    widths = list(map(_width_of, text))
    if 0 not in widths:
        return set()
    inside: set[int] = set()
    for p_start, p_end in _paragraphs(text):
        if 0 not in widths[p_start:p_end]:
            continue
        spans, _total = split_graphemes(display_text(text[p_start:p_end]))
        for g_start, g_end, _cells in spans:
            inside.update(range(p_start + g_start + 1, p_start + g_end))
    return inside
