"""The document view: the text being annotated, soft-wrapped by display cells,
with spans, pending suggestions, the cursor and the selection.

Built on Textual's Line API so a 13,000-character article costs what a short
one does: rows come from `annotator.text.layout`, each rendered row is kept in
an LRU cache keyed on everything that can change it, and every change
refreshes only the rows it touches (a cursor move repaints two rows).

Load `DOCUMENT_VIEW_CSS` (the `.tcss` beside this module) from the app or the
screen (`CSS_PATH`) for the full look; DEFAULT_CSS holds only what the widget
needs to work at all.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import itemgetter
from pathlib import Path
from typing import ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.model import LabelFile, LabelSchema, Span
from annotator.text.layout import Layout, Rewrap, display_text, inside_graphemes, wrap
from annotator.tui.widgets.scrolling import follow_virtual_size

DOCUMENT_VIEW_CSS = Path(__file__).with_suffix(".tcss")
"""Stylesheet for the view; add it to the app's or screen's CSS_PATH."""

Token = tuple[int, int]
Selection = tuple[int, int]

# Fallback tokens until jieba's arrive: a run of Latin letters / digits
# (ASCII, accented, full-width) is one token, anything else (each Han
# character included) is one token per character.
_LATIN_RUN_RE = re.compile(r"[0-9A-Za-z\u00c0-\u024f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]{2,}")
_SPACE_RE = re.compile(r"\s")
_UNKNOWN_LABEL_COLOR = "#8a8a8a"
_BLACK = Color(0, 0, 0)
_WHITE = Color(255, 255, 255)


def fallback_tokens(text: str) -> list[Token]:
    """Tokens good enough to move and select with before jieba has loaded."""
    cuts = set(range(len(text) + 1))
    for match in _LATIN_RUN_RE.finditer(text):
        cuts.difference_update(range(match.start() + 1, match.end()))
    points = sorted(cuts)
    return list(pairwise(points)) if text else [(0, 0)]


class _Tokens:
    """Cursor stops: word tokens, also cut at every shown span/suggestion edge.

    Cutting at mark edges lets the cursor reach a suggestion that starts
    inside a jieba word, and keeps "the token under the cursor" inside a
    span. The cuts are kept incrementally (one list insert per edge), so an
    edit never rebuilds the 13,000-character token list.
    """

    __slots__ = ("base", "cuts", "ends", "inside", "items", "starts", "text", "word_ends", "words")

    def __init__(self, text: str, tokens: Sequence[Token], inside: set[int]) -> None:
        self.text = text
        self.inside = inside
        self.cuts: dict[int, int] = {}
        self.reset(tokens)

    def reset(self, tokens: Sequence[Token]) -> None:
        text = self.text
        items = _cover(tokens, len(text), self.inside)
        self.base: list[Token] = items
        self.items: list[Token] = list(items)
        self.starts: list[int] = list(map(itemgetter(0), items))
        # A token is a word unless it is all whitespace; only tokens that
        # start with whitespace (few) need the full check.
        spaces = {match.start() for match in _SPACE_RE.finditer(text)}
        words = [t for t in items if t[0] not in spaces or not text[t[0] : t[1]].isspace()]
        self.words: list[int] = list(map(itemgetter(0), words))
        self.word_ends: list[int] = list(map(itemgetter(1), words))
        for offset in self.cuts:
            self._split(offset)

    def at(self, offset: int) -> Token:
        return self.items[max(0, bisect_right(self.starts, offset) - 1)]

    def add_cut(self, offset: int) -> None:
        self.cuts[offset] = self.cuts.get(offset, 0) + 1
        self._split(offset)

    def remove_cut(self, offset: int) -> None:
        left = self.cuts.get(offset, 0) - 1
        if left > 0:
            self.cuts[offset] = left
            return
        self.cuts.pop(offset, None)
        self._merge(offset)

    def _split(self, offset: int) -> None:
        if offset <= 0 or offset >= len(self.text) or offset in self.inside:
            return
        index = bisect_right(self.starts, offset) - 1
        start, end = self.items[index]
        if start == offset:
            return
        self.items[index : index + 1] = [(start, offset), (offset, end)]
        self.starts.insert(index + 1, offset)
        self._drop_word(start)
        self._add_word(start, offset)
        self._add_word(offset, end)

    def _merge(self, offset: int) -> None:
        index = bisect_left(self.starts, offset)
        if index == 0 or index >= len(self.starts) or self.starts[index] != offset:
            return
        if _is_base_boundary(self.base, offset):
            return
        start, end = self.items[index - 1][0], self.items[index][1]
        self.items[index - 1 : index + 1] = [(start, end)]
        del self.starts[index]
        self._drop_word(start)
        self._drop_word(offset)
        self._add_word(start, end)

    def _add_word(self, start: int, end: int) -> None:
        if self.text[start:end].isspace():
            return
        index = bisect_left(self.words, start)
        self.words.insert(index, start)
        self.word_ends.insert(index, end)

    def _drop_word(self, start: int) -> None:
        index = bisect_left(self.words, start)
        if index < len(self.words) and self.words[index] == start:
            del self.words[index]
            del self.word_ends[index]


def _is_base_boundary(base: list[Token], offset: int) -> bool:
    index = bisect_right(base, (offset, -1))
    return index < len(base) and base[index][0] == offset


class Mark(NamedTuple):
    """What the view draws for a span or a suggestion (hashable: part of cache keys)."""

    start: int
    end: int
    label: str
    uncertain: bool = False


class _Marks:
    """Marks sorted by start, with a fast "which overlap [a, b)" query."""

    __slots__ = ("items", "longest", "starts")

    def __init__(self, items: Iterable[Mark]) -> None:
        self.items: list[Mark] = sorted(items)
        self.starts: list[int] = [m.start for m in self.items]
        self.longest = max((m.end - m.start for m in self.items), default=0)

    def update(self, removed: Iterable[Mark], added: Iterable[Mark]) -> None:
        items, starts = self.items, self.starts
        for mark in removed:
            index = bisect_left(items, mark)
            if index < len(items) and items[index] == mark:
                del items[index]
                del starts[index]
        for mark in added:
            index = bisect_left(items, mark)
            items.insert(index, mark)
            starts.insert(index, mark.start)
            self.longest = max(self.longest, mark.end - mark.start)

    def overlapping(self, start: int, end: int) -> tuple[Mark, ...]:
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, max(end, start + 1))
        return tuple(m for m in self.items[lo:hi] if m.end > start)

    def at(self, offset: int) -> Mark | None:
        found = self.overlapping(offset, offset + 1)
        return found[0] if found else None


class _Shown:
    """The objects of one LabelFile tuple now on screen, by identity."""

    __slots__ = ("by_id", "objects")

    def __init__(self) -> None:
        self.by_id: dict[int, Mark] = {}
        self.objects: tuple[Span, ...] = ()  # keeps the ids alive and unique

    def diff(
        self, objects: tuple[Span, ...], make: Callable[[Span], Mark]
    ) -> tuple[list[Mark], list[Mark]]:
        """(marks that went, marks that came) going from the shown objects to these."""
        by_id = self.by_id
        new_ids = set(map(id, objects))
        removed = [by_id.pop(gone) for gone in by_id.keys() - new_ids]
        added: list[Mark] = []
        if len(by_id) != len(new_ids):
            for obj in objects:
                if id(obj) not in by_id:
                    mark = by_id[id(obj)] = make(obj)
                    added.append(mark)
        self.objects = objects
        return removed, added


def _span_mark(span: Span) -> Mark:
    return Mark(span.start, span.end, span.label, span.uncertain)


def _suggestion_mark(suggestion: Span) -> Mark:
    return Mark(suggestion.start, suggestion.end, suggestion.label)


@dataclass(frozen=True)
class _Look:
    """Every style a row needs, computed once per theme / CSS change."""

    base: Style
    cursor: Style
    selection: Style
    span: dict[str, Style]
    uncertain: dict[str, Style]
    suggestion: dict[str, Style]
    tag: dict[str, Style]


def _label_styles(color_hex: str) -> tuple[Style, Style, Style, Style]:
    """(span, uncertain span, suggestion, tag) styles for one label colour.

    Spans get a dark tint of the label colour behind a light tint of it, so
    they read the same on dark and light themes.
    """
    color = Color.parse(color_hex)
    background = _BLACK.blend(color, 0.38).rich_color
    foreground = _WHITE.blend(color, 0.35).rich_color
    span = Style(color=foreground, bgcolor=background)
    uncertain = Style(color=foreground, bgcolor=background, italic=True)
    suggestion = Style(color=color.rich_color, underline=True)
    tag = Style(color=color.rich_color, bold=True)
    return span, uncertain, suggestion, tag


class DocumentView(ScrollView, can_focus=True):
    """Soft-wrapped, annotated text with a token cursor and a selection."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "document-view--cursor",
        "document-view--selection",
    }

    DEFAULT_CSS = """
    DocumentView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
    }
    DocumentView > .document-view--cursor {
        text-style: reverse;
    }
    DocumentView > .document-view--selection {
        background: $warning;
        color: black;
        text-style: bold;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right", "cursor_next_token", "Next token", show=False, id="cursor.next_token"),
        Binding("left", "cursor_prev_token", "Previous token", show=False, id="cursor.prev_token"),
        Binding("down", "cursor_down", "Line down", show=False, id="cursor.down"),
        Binding("up", "cursor_up", "Line up", show=False, id="cursor.up"),
        Binding("home", "cursor_line_start", "Line start", show=False, id="cursor.line_start"),
        Binding("end", "cursor_line_end", "Line end", show=False, id="cursor.line_end"),
        Binding("pageup", "cursor_page_up", "Page up", show=False, id="cursor.page_up"),
        Binding("pagedown", "cursor_page_down", "Page down", show=False, id="cursor.page_down"),
        Binding("ctrl+home", "cursor_doc_start", "Top", show=False, id="cursor.doc_start"),
        Binding("ctrl+end", "cursor_doc_end", "Bottom", show=False, id="cursor.doc_end"),
        Binding(
            "shift+right", "select_next_token", "Select +token", show=False, id="select.next_token"
        ),
        Binding(
            "shift+left", "select_prev_token", "Select -token", show=False, id="select.prev_token"
        ),
        Binding("alt+right", "select_end_grow", "End +char", show=False, id="select.end_grow"),
        Binding("alt+left", "select_end_shrink", "End -char", show=False, id="select.end_shrink"),
        Binding(
            "ctrl+left", "select_start_grow", "Start +char", show=False, id="select.start_grow"
        ),
        Binding(
            "ctrl+right", "select_start_shrink", "Start -char", show=False, id="select.start_shrink"
        ),
        Binding("escape", "select_clear", "Clear selection", show=False, id="select.clear"),
    ]

    SCROLL_JUMP: ClassVar[float] = 1 / 3
    """How much of a page the view scrolls when the cursor leaves it (0: by line)."""

    show_tags: reactive[bool] = reactive(True, init=False)
    """Draw each span's label as a small tag right after it."""

    class CursorMoved(Message):
        """The cursor now sits at `offset` (a token start)."""

        def __init__(self, view: DocumentView, offset: int) -> None:
            super().__init__()
            self.view = view
            self.offset = offset

        @property
        def control(self) -> DocumentView:
            return self.view

    class SelectionChanged(Message):
        """The selection is now `selection` ((start, end) or None)."""

        def __init__(self, view: DocumentView, selection: Selection | None) -> None:
            super().__init__()
            self.view = view
            self.selection = selection

        @property
        def control(self) -> DocumentView:
            return self.view

    def __init__(
        self,
        text: str,
        schema: LabelSchema,
        *,
        id: str | None = None,
        name: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, name=name, classes=classes)
        self.text = text
        self.schema = schema
        self._inside = inside_graphemes(text)
        self._tok = _Tokens(text, fallback_tokens(text), self._inside)
        self._label_file: LabelFile | None = None
        self._spans = _Marks(())
        self._suggestions = _Marks(())
        self._span_ids = _Shown()
        self._suggestion_ids = _Shown()
        self._tag_map: dict[int, int] = {}
        self._cursor = self._tok.words[0] if self._tok.words else 0
        self._selection: Selection | None = None
        self._anchor = 0
        self._head = 0
        self._goal_x: int | None = None
        self._drag_anchor: int | None = None
        self._layout: Layout | None = None
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        self._look: _Look | None = None
        self._last_look: _Look | None = None
        self._look_generation = 0
        self._short_names = self._make_short_names(schema)
        self.rows_rendered = 0
        """Rows built for a frame since mount (cache misses): tests and benchmarks read it."""
        self.rows_prefetched = 0
        """Rows built ahead of a page key, after a scroll (not counted in rows_rendered)."""
        self._prefetch_pending = False

    # ------------------------------------------------------------ state out

    @property
    def cursor(self) -> int:
        """Code-point offset of the cursor, always a token start."""
        return self._cursor

    @property
    def selection(self) -> Selection | None:
        """(start, end) of the selection, end exclusive, or None."""
        return self._selection

    @property
    def label_file(self) -> LabelFile | None:
        return self._label_file

    @property
    def text_layout(self) -> Layout | None:
        """The current wrap (None until the view has a size)."""
        return self._layout

    @property
    def tokens(self) -> Sequence[Token]:
        """Cursor stops: word tokens, cut at every shown span and suggestion edge."""
        return self._tok.items

    def token_at(self, offset: int) -> Token:
        """The token holding `offset` (the last token at the text end)."""
        return self._tok.at(offset)

    def target_range(self) -> Selection:
        """What a label key acts on: the selection, else the token under the cursor."""
        if self._selection is not None:
            return self._selection
        return self.token_at(self._cursor)

    def span_range_at(self, offset: int) -> Selection | None:
        """(start, end) of the span under `offset`, if any."""
        mark = self._spans.at(offset)
        return None if mark is None else (mark.start, mark.end)

    # -------------------------------------------------------------- data in

    def set_tokens(self, tokens: Sequence[Token]) -> None:
        """Word boundaries (jieba) arrived: re-snap the cursor and re-wrap.

        Call on the app's thread (e.g. from a worker via `call_from_thread`).
        """
        self._tok.reset(tokens)
        self._cursor = self.token_at(self._cursor)[0]
        if self._layout is not None:
            self._layout.set_tokens(self._tok.base)
            self._after_full_rewrap()

    def set_label_file(self, label_file: LabelFile) -> None:
        """Show these spans and suggestions; repaints only the rows that changed.

        Edits copy a LabelFile but keep its untouched Span objects, so the
        difference is found by identity: a 300-span update costs set
        operations, one paragraph re-wrap at most, and the changed rows.
        """
        removed, added = self._span_ids.diff(label_file.spans, _span_mark)
        s_removed, s_added = self._suggestion_ids.diff(label_file.suggestions, _suggestion_mark)
        self._label_file = label_file
        self._spans.update(removed, added)
        self._suggestions.update(s_removed, s_added)
        old_cursor_token = self.token_at(self._cursor)
        # Cut counts follow every mark that came or went, even when an equal
        # mark replaced it (the counts must match the marks shown).
        tokens = self._tok
        for mark in (*added, *s_added):
            tokens.add_cut(mark.start)
            tokens.add_cut(mark.end)
        for mark in (*removed, *s_removed):
            tokens.remove_cut(mark.start)
            tokens.remove_cut(mark.end)
        changed = {*removed, *added, *s_removed, *s_added}
        changed.difference_update(set(removed) & set(added))
        changed.difference_update(set(s_removed) & set(s_added))
        if not changed:
            return
        cursor = self.token_at(self._cursor)[0]
        if cursor != self._cursor:
            self._cursor = cursor
            self.post_message(self.CursorMoved(self, cursor))
        tag_changes = self._update_tag_map(removed, added)
        layout = self._layout
        if layout is None:
            return
        rewrapped_rows, moved_from = self._apply_tag_changes(layout.update_tags(tag_changes))
        rows: set[int] = set(rewrapped_rows)
        rows.update(layout.rows_of(*old_cursor_token))
        rows.update(layout.rows_of(*self.token_at(self._cursor)))
        shown_from, shown_to = self._shown_offsets()
        for mark in changed:
            if mark.end >= shown_from and mark.start <= shown_to:  # off-screen marks cost nothing
                rows.update(layout.rows_of(mark.start, mark.end))
        if moved_from is not None:
            self._refresh_from(min(moved_from, *rows))
        else:
            self._refresh_rows(rows)

    # -------------------------------------------------------------- cursor

    def move_cursor(self, offset: int, *, select: bool = False, center: bool = False) -> None:
        """Put the cursor on the token holding `offset` and scroll it into view.

        With `select`, the selection grows from its anchor (or from the old
        cursor token) to cover that token.
        """
        offset = min(max(0, offset), len(self.text))
        self._goal_x = None
        if select:
            if self._selection is None:
                self._anchor = self.token_at(self._cursor)[0]
            start, end = self.token_at(offset)
            if start >= self._anchor:
                self._set_selection(self._anchor, max(end, self._anchor + 1))
            else:
                anchor_end = self.token_at(self._anchor)[1]
                self._set_selection(anchor_end, start)
            self._set_cursor(start, center=center)
            return
        self._set_selection_none()
        self._set_cursor(offset, center=center)

    def clear_selection(self) -> None:
        self._set_selection_none()

    # ------------------------------------------------------------- actions

    def action_cursor_next_token(self) -> None:
        starts = self._tok.words
        index = bisect_right(starts, self._cursor)
        self._plain_move(starts[index] if index < len(starts) else self._cursor)

    def action_cursor_prev_token(self) -> None:
        starts = self._tok.words
        index = bisect_left(starts, self._cursor) - 1
        self._plain_move(starts[index] if index >= 0 else self._cursor)

    def action_cursor_down(self) -> None:
        self._move_rows(1)

    def action_cursor_up(self) -> None:
        self._move_rows(-1)

    def action_cursor_page_down(self) -> None:
        self._move_rows(max(1, self.scrollable_content_region.height - 1), page=True)

    def action_cursor_page_up(self) -> None:
        self._move_rows(-max(1, self.scrollable_content_region.height - 1), page=True)

    def action_cursor_line_start(self) -> None:
        layout = self._layout
        if layout is None:
            return
        start, end = layout.rows[layout.row_of(self._cursor)]
        index = bisect_left(self._tok.words, start)
        if index < len(self._tok.words) and self._tok.words[index] < max(end, start + 1):
            self._plain_move(self._tok.words[index])

    def action_cursor_line_end(self) -> None:
        layout = self._layout
        if layout is None:
            return
        start, end = layout.rows[layout.row_of(self._cursor)]
        index = bisect_left(self._tok.words, end) - 1
        if index >= 0 and self._tok.words[index] >= start:
            self._plain_move(self._tok.words[index])

    def action_cursor_doc_start(self) -> None:
        if self._tok.words:
            self._plain_move(self._tok.words[0])

    def action_cursor_doc_end(self) -> None:
        if self._tok.words:
            self._plain_move(self._tok.words[-1])

    def action_select_next_token(self) -> None:
        self._select_by_token(1)

    def action_select_prev_token(self) -> None:
        self._select_by_token(-1)

    def action_select_end_grow(self) -> None:
        start, end = self._tuning_range()
        self._set_selection(start, self._next_stop(end))

    def action_select_end_shrink(self) -> None:
        start, end = self._tuning_range()
        new_end = self._prev_stop(end)
        self._set_selection(start, new_end if new_end > start else end)

    def action_select_start_grow(self) -> None:
        start, end = self._tuning_range()
        self._set_selection(self._prev_stop(start), end)

    def action_select_start_shrink(self) -> None:
        start, end = self._tuning_range()
        new_start = self._next_stop(start)
        self._set_selection(new_start if new_start < end else start, end)

    def action_select_clear(self) -> None:
        self._set_selection_none()

    # --------------------------------------------------------------- mouse

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self._offset_at_event(event)
        if offset is None:
            return
        self._drag_anchor = offset
        self.capture_mouse()
        self._set_selection_none()
        self._goal_x = None
        self._set_cursor(offset)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_anchor is None:
            return
        offset = self._offset_at_event(event)
        if offset is None:
            return
        anchor = self._drag_anchor
        if offset == anchor:
            return
        if offset > anchor:
            self._set_selection(anchor, self._next_stop(offset))
        else:
            self._set_selection(self._next_stop(anchor), offset)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_anchor is not None:
            self._drag_anchor = None
            self.release_mouse()

    # ------------------------------------------------------------ internals

    def _plain_move(self, offset: int) -> None:
        self._goal_x = None
        self._set_selection_none()
        self._set_cursor(offset)

    def _set_cursor(self, offset: int, *, center: bool = False) -> None:
        new = self.token_at(offset)[0]
        old = self._cursor
        if new != old:
            self._cursor = new
            layout = self._layout
            if layout is not None and self._selection is None:
                rows = set(layout.rows_of(*self.token_at(old)))
                rows.update(layout.rows_of(*self.token_at(new)))
                self._refresh_rows(rows)
            self.post_message(self.CursorMoved(self, new))
        self._scroll_to_offset(self._cursor if self._selection is None else self._head, center)

    def _set_selection(self, anchor: int, head: int) -> None:
        """Select between `anchor` and `head` (either order); the head is the moving end."""
        anchor = min(max(0, anchor), len(self.text))
        head = min(max(0, head), len(self.text))
        if anchor == head:
            return
        new: Selection = (min(anchor, head), max(anchor, head))
        self._anchor, self._head = anchor, head
        old = self._selection
        if new == old:
            return
        self._selection = new
        self._refresh_ranges(old if old is not None else self.token_at(self._cursor), new)
        self.post_message(self.SelectionChanged(self, new))
        self._scroll_to_offset(head if head < anchor else max(anchor, head - 1), False)

    def _set_selection_none(self) -> None:
        old = self._selection
        if old is None:
            return
        self._selection = None
        self._refresh_ranges(old, self.token_at(self._cursor))
        self.post_message(self.SelectionChanged(self, None))

    def _refresh_ranges(self, *ranges: Selection) -> None:
        layout = self._layout
        if layout is None:
            return
        rows: set[int] = set()
        for start, end in ranges:
            rows.update(layout.rows_of(start, end))
        self._refresh_rows(rows)

    def _initial_range(self) -> Selection:
        """What a selection starts from: the span under the cursor, else its token."""
        return self.span_range_at(self._cursor) or self.token_at(self._cursor)

    def _tuning_range(self) -> Selection:
        return self._selection or self._initial_range()

    def _select_by_token(self, direction: int) -> None:
        if self._selection is None:
            start, end = self._initial_range()
            if direction > 0:
                self._set_selection(start, end)
            else:
                self._set_selection(end, start)
            return
        anchor, head = self._anchor, self._head
        for _ in range(2):
            if direction > 0:
                index = bisect_right(self._tok.word_ends, head)
                if index >= len(self._tok.word_ends):
                    return
                head = self._tok.word_ends[index]
            else:
                index = bisect_left(self._tok.words, head) - 1
                if index < 0:
                    return
                head = self._tok.words[index]
            if head != anchor:
                break
        if head != anchor:
            self._set_selection(anchor, head)

    def _next_stop(self, offset: int) -> int:
        """The next grapheme boundary after `offset` (a character step)."""
        offset = min(offset + 1, len(self.text))
        while offset in self._inside:
            offset += 1
        return offset

    def _prev_stop(self, offset: int) -> int:
        offset = max(offset - 1, 0)
        while offset in self._inside:
            offset -= 1
        return offset

    def _move_rows(self, delta: int, *, page: bool = False) -> None:
        layout = self._layout
        if layout is None:
            return
        row = layout.row_of(self._cursor)
        x = self._goal_x if self._goal_x is not None else layout.cell_x(self._cursor)
        target = min(max(row + delta, 0), layout.row_count - 1)
        if target == row:
            return
        row_start, row_end = layout.rows[target]
        offset = self.token_at(layout.offset_at(target, x))[0]
        starts = self._tok.starts
        if offset < row_start:
            # The token under x began on an earlier row: take the first token
            # that starts on the target row (or the next one below when going down).
            index = bisect_left(starts, row_start)
            if index < len(starts) and (starts[index] < row_end or delta > 0):
                offset = starts[index]
        words = self._tok.words
        if self.text[offset : self.token_at(offset)[1]].isspace():
            # Whitespace (a row's trailing newline, spaces): prefer a word on the row.
            index = bisect_left(words, offset)
            if index < len(words) and words[index] < row_end:
                offset = words[index]
            elif index > 0 and words[index - 1] >= row_start:
                offset = words[index - 1]
        if page:
            top = int(self.scroll_offset.y) + delta
            self.scroll_to(y=max(0, top), animate=False)
        self._set_selection_none()
        self._set_cursor(offset)
        self._goal_x = x

    def _scroll_to_offset(self, offset: int, center: bool) -> None:
        layout = self._layout
        if layout is None:
            return
        row = layout.row_of(offset)
        top = int(self.scroll_offset.y)
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        # Jump scrolling: a cursor leaving the view brings a third of a page
        # with it. A scroll repaints the whole view (Textual's full compositor
        # pass, ~10x a cursor move), so line-by-line scrolling would make every
        # key at the edge slow; this makes one key in ~12 pay for it.
        jump = int(height * self.SCROLL_JUMP) if height > 3 else 0
        if center:
            y = row - height // 2
        elif row < top:
            y = row - jump
        elif row >= top + height:
            y = row - height + 1 + jump
        else:
            return
        self.scroll_to(y=max(0, y), animate=False)

    def _offset_at_event(self, event: events.MouseEvent) -> int | None:
        layout = self._layout
        if layout is None:
            return None
        point = event.get_content_offset_capture(self)
        scroll_x, scroll_y = self.scroll_offset
        row = min(max(point.y + scroll_y, 0), layout.row_count - 1)
        return layout.offset_at(row, max(0, point.x + scroll_x))

    # ---------------------------------------------------------- tags, look

    @staticmethod
    def _make_short_names(schema: LabelSchema) -> dict[str, str]:
        """Three-letter tags (ORG, PER, NUM, LEG, DAT); full names if they collide."""
        short = {label.name: label.name[:3] for label in schema.labels}
        if len(set(short.values())) < len(short):
            return {label.name: label.name for label in schema.labels}
        return short

    def _tag_text(self, mark: Mark) -> str:
        if self.show_tags:
            name = self._short_names.get(mark.label, mark.label)
            return f"{name}?" if mark.uncertain else name
        return "?" if mark.uncertain else ""

    def _tag_width(self, mark: Mark) -> int:
        if self.show_tags:
            return len(self._short_names.get(mark.label, mark.label)) + mark.uncertain
        return int(mark.uncertain)

    def _tag_cells(self) -> dict[int, int]:
        """Offset -> cells of the tags drawn there (what the wrap must count)."""
        cells: dict[int, int] = {}
        for mark in self._spans.items:
            width = self._tag_width(mark)
            if width:
                cells[mark.end] = cells.get(mark.end, 0) + width
        return cells

    def _update_tag_map(self, removed: list[Mark], added: list[Mark]) -> dict[int, int]:
        """Apply span changes to the tag map; the offsets whose cells changed."""
        tag_map = self._tag_map
        changes: dict[int, int] = {}
        for sign, marks in ((-1, removed), (1, added)):
            for mark in marks:
                width = self._tag_width(mark)
                if width:
                    cells = tag_map.get(mark.end, 0) + sign * width
                    if cells > 0:
                        tag_map[mark.end] = cells
                    else:
                        tag_map.pop(mark.end, None)
                    changes[mark.end] = max(cells, 0)
        return changes

    def _apply_tag_changes(self, rewrapped: list[Rewrap]) -> tuple[set[int], int | None]:
        """After paragraphs were re-wrapped: (rows whose extent changed, first row that moved).

        A tag can move a line break without changing the paragraph's row
        count; those rows must repaint even though no span is on them.
        """
        layout = self._layout
        assert layout is not None
        changed: set[int] = set()
        moved: int | None = None
        for rewrap in rewrapped:
            if rewrap.old_count != rewrap.new_count:
                moved = rewrap.changed.start if moved is None else moved
            else:
                changed.update(rewrap.changed)
        if moved is not None:
            follow_virtual_size(self, Size(layout.width, layout.row_count))
        return changed, moved

    def watch_show_tags(self, show: bool) -> None:
        self._tag_map = self._tag_cells()
        if self._layout is None:
            return
        self._layout.set_tags(self._tag_map)
        self._after_full_rewrap()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._look = None

    def _get_look(self) -> _Look:
        look = self._look
        if look is not None:
            return look
        span: dict[str, Style] = {}
        uncertain: dict[str, Style] = {}
        suggestion: dict[str, Style] = {}
        tag: dict[str, Style] = {}
        for label in self.schema.labels:
            styles = _label_styles(label.color)
            span[label.name], uncertain[label.name], suggestion[label.name], tag[label.name] = (
                styles
            )
        base = self.rich_style
        look = _Look(
            base=base,
            cursor=self.get_component_rich_style("document-view--cursor", partial=True),
            selection=self.get_component_rich_style("document-view--selection", partial=True),
            span=span,
            uncertain=uncertain,
            suggestion=suggestion,
            tag=tag,
        )
        if self._last_look != look:
            self._look_generation += 1
            self._cache.clear()
        self._last_look = look
        self._look = look
        return look

    # ------------------------------------------------------------ geometry

    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        if width <= 0:
            return
        if self._layout is None:
            self._layout = wrap(self.text, width, self._tok.base, self._tag_map)
            self._after_full_rewrap()
        elif self._layout.width != width:
            self._layout.set_width(width)
            self._after_full_rewrap()

    def _after_full_rewrap(self) -> None:
        layout = self._layout
        assert layout is not None
        self._cache.clear()
        self.virtual_size = Size(layout.width, layout.row_count)
        self.refresh()
        self._scroll_to_offset(self._cursor, False)
        self._schedule_prefetch()

    def _visible_rows(self) -> range:
        """The layout rows the view shows now (the range may run past the last row)."""
        top = int(self.scroll_offset.y)
        return range(top, top + max(0, self.scrollable_content_region.height))

    def _shown_offsets(self) -> tuple[int, int]:
        """The text offsets the visible rows cover (after any re-wrap)."""
        layout = self._layout
        assert layout is not None
        if not layout.row_count:
            return 0, 0
        shown = self._visible_rows()
        top = min(shown.start, layout.row_count - 1)
        bottom = min(max(shown.stop, top + 1), layout.row_count) - 1
        return layout.rows[top][0], layout.rows[bottom][1]

    def _refresh_rows(self, rows: Iterable[int]) -> None:
        """Repaint only these rows, and only those on screen."""
        shown = self._visible_rows()
        visible = sorted(r for r in set(rows) if r in shown)
        if not visible:
            return
        first = previous = visible[0]
        for row in visible[1:]:
            if row != previous + 1:
                self.refresh_lines(first, previous - first + 1)
                first = row
            previous = row
        self.refresh_lines(first, previous - first + 1)

    def _refresh_from(self, row: int) -> None:
        shown = self._visible_rows()
        first = max(row, shown.start)
        if first < shown.stop:
            self.refresh_lines(first, shown.stop - first)

    # ----------------------------------------------------------- rendering

    def render_line(self, y: int) -> Strip:
        look = self._get_look()
        layout = self._layout
        row = y + int(self.scroll_offset.y)
        if layout is None or row >= layout.row_count:
            width = layout.width if layout is not None else self.size.width
            return Strip.blank(width, look.base)
        strip, built = self._row_strip(layout, look, row)
        if built:
            self.rows_rendered += 1
        return strip

    def _row_strip(self, layout: Layout, look: _Look, row: int) -> tuple[Strip, bool]:
        """(the row's strip, whether it had to be built) — from the cache when it can."""
        start, end = layout.rows[row]
        selection = self._selection
        if selection is not None:
            sel = _clip(selection, start, end)
            cursor = None
        else:
            sel = None
            cursor = _clip(self.token_at(self._cursor), start, end)
        spans = self._spans.overlapping(start, end)
        suggestions = self._suggestions.overlapping(start, end)
        key = (
            start,
            end,
            layout.width,
            self._look_generation,
            self.show_tags,
            spans,
            suggestions,
            sel,
            cursor,
        )
        strip = self._cache.get(key)
        if strip is not None:
            return strip, False
        strip = self._render_row(layout, row, look, spans, suggestions, sel, cursor)
        self._cache[key] = strip
        return strip, True

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._schedule_prefetch()

    def _schedule_prefetch(self) -> None:
        if not self._prefetch_pending:
            self._prefetch_pending = True
            self.call_after_refresh(self._prefetch_neighbours)

    def _prefetch_neighbours(self) -> None:
        """Build the pages below and above while the user reads this one.

        A page key repaints every row of the view; with its rows already in
        the strip cache, that frame only pays Textual's share. Runs after the
        frame that scrolled, so it never delays one.
        """
        self._prefetch_pending = False
        layout = self._layout
        if layout is None or not self.is_mounted:
            return
        look = self._get_look()
        shown = self._visible_rows()
        below = range(shown.stop, min(shown.stop + len(shown), layout.row_count))
        above = range(max(0, shown.start - len(shown)), shown.start)
        for row in (*below, *above):
            if self._row_strip(layout, look, row)[1]:
                self.rows_prefetched += 1

    def _render_row(
        self,
        layout: Layout,
        row: int,
        look: _Look,
        spans: tuple[Mark, ...],
        suggestions: tuple[Mark, ...],
        sel: Selection | None,
        cursor: Selection | None,
    ) -> Strip:
        start, end = layout.rows[row]
        text = self.text
        base = look.base
        points = {start, end}
        tags: dict[int, list[Mark]] = {}
        for mark in spans:
            points.add(max(mark.start, start))
            points.add(min(mark.end, end))
            if start < mark.end <= end and self._tag_text(mark):
                tags.setdefault(_snap_right(mark.end, self._inside), []).append(mark)
        for mark in suggestions:
            points.add(max(mark.start, start))
            points.add(min(mark.end, end))
        for extra in (sel, cursor):
            if extra is not None:
                points.update(extra)
        ordered = sorted(points)
        if self._inside:
            # Never cut a grapheme into two segments: rich measures segments apart.
            ordered = sorted({_snap(p, self._inside) for p in ordered})
        segments: list[Segment] = []
        for a, b in pairwise(ordered):
            if a >= b:
                continue
            style = base
            covering = next((m for m in spans if m.start <= a < m.end), None)
            if covering is not None:
                table = look.uncertain if covering.uncertain else look.span
                style = style + table.get(covering.label, _fallback_span(covering.uncertain))
            else:
                suggestion = next((m for m in suggestions if m.start <= a < m.end), None)
                if suggestion is not None:
                    style = style + look.suggestion.get(
                        suggestion.label, Style(color=_UNKNOWN_LABEL_COLOR, underline=True)
                    )
            if sel is not None and sel[0] <= a < sel[1]:
                style = style + look.selection
            elif cursor is not None and cursor[0] <= a < cursor[1]:
                style = style + look.cursor
            segments.append(Segment(display_text(text[a:b]), style))
            for mark in tags.get(b, ()):
                tag_style = look.tag.get(mark.label, Style(color=_UNKNOWN_LABEL_COLOR))
                segments.append(Segment(self._tag_text(mark), base + tag_style))
        if start == end and cursor is not None:
            # The cursor on a blank line: show it as one reversed cell.
            segments.append(Segment(" ", base + look.cursor))
        strip = Strip(segments, layout.row_cells(row) + (start == end and cursor is not None))
        return strip.adjust_cell_length(layout.width, base)


def _fallback_span(uncertain: bool) -> Style:
    return Style(color="white", bgcolor="grey30", italic=uncertain)


def _clip(span: Selection, start: int, end: int) -> Selection | None:
    """`span` cut to the row [start, end), or None if they do not meet."""
    if span[0] < max(end, start + 1) and start < span[1]:
        return (max(span[0], start), min(span[1], end))
    return None


def _snap(offset: int, inside: set[int]) -> int:
    while offset in inside:
        offset -= 1
    return offset


def _snap_right(offset: int, inside: set[int]) -> int:
    while offset in inside:
        offset += 1
    return offset


def _cover(tokens: Sequence[Token], length: int, inside: set[int]) -> list[Token]:
    """Tokens made contiguous over [0, length), with no boundary inside a grapheme."""
    if (
        not inside
        and tokens
        and tokens[0][0] == 0
        and tokens[-1][1] == length
        and list(map(itemgetter(0), tokens[1:])) == list(map(itemgetter(1), tokens[:-1]))
        and all(map(int.__lt__, map(itemgetter(0), tokens), map(itemgetter(1), tokens)))
    ):
        return list(tokens)  # jieba's and the fallback's usual shape: nothing to fix
    out: list[Token] = []
    position = 0
    for start, end in tokens:
        if end <= position:
            continue
        start = max(start, position)
        if start > position:
            out.append((position, start))  # a gap: fill it
        if out and start in inside:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
        position = end
    if position < length:
        out.append((position, length))
    if not out:
        out.append((0, length))
    return out
