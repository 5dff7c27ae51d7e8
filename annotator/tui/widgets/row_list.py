"""A virtual list: one Line API row per item, so 100k rows cost what the screen shows.

Subclasses say how one row looks (`row_segments`); this class keeps the
highlight, scrolling, a strip cache and the keys. A DataTable with 100k rows
would build every row up front; this renders only the visible ones.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.tui.widgets.scrolling import follow_virtual_size

RowT = TypeVar("RowT")


class RowList(ScrollView, Generic[RowT], can_focus=True):
    """Rows with a highlighted one; Enter (or a click on the highlight) selects it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"row-list--highlight", "row-list--dim"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False, id="list.up"),
        Binding("down", "move(1)", "Down", show=False, id="list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("home", "jump(0)", "First", show=False, id="list.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="list.last"),
        Binding("enter", "select", "Open", id="list.select"),
    ]

    class Selected(Message):
        def __init__(self, row_list: RowList[Any], index: int) -> None:
            super().__init__()
            self.row_list = row_list
            self.index = index

        @property
        def control(self) -> RowList[Any]:
            return self.row_list

    class Highlighted(Selected):
        pass

    def __init__(
        self, *, id: str | None = None, classes: str | None = None, empty_text: str = ""
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: Sequence[RowT] = ()
        self.highlighted = 0
        self.empty_text = empty_text
        self._generation = 0
        self.rows_rendered = 0
        """Rows built since mount (cache misses): tests read it to prove the list is virtual."""
        self._cache: OrderedDict[tuple[Hashable, int, bool, bool], Strip] = OrderedDict()

    # ----------------------------------------------------------------- data

    def set_rows(self, rows: Sequence[RowT], highlighted: int | None = None) -> None:
        """Replace the rows; only visible rows whose content changed are repainted."""
        old_rows, old_highlight = self.rows, self.highlighted
        self.rows = rows
        if not self.content_keyed:
            self._generation += 1
            self._cache.clear()
        target = self.highlighted if highlighted is None else highlighted
        self.highlighted = max(0, min(target, len(rows) - 1))
        self._size_for(len(rows))
        if not self.content_keyed or not self.is_mounted:
            self.refresh()
        else:
            top = self.scroll_offset.y
            height = max(1, self.scrollable_content_region.height)
            for index in range(top, top + height):
                old = old_rows[index] if index < len(old_rows) else None
                new = rows[index] if index < len(rows) else None
                lit_changed = (index == old_highlight) != (index == self.highlighted)
                if old != new or lit_changed or index == 0:
                    self.refresh_line(index)
        self._keep_visible()

    def _size_for(self, count: int) -> None:
        """One virtual row per item; adding or removing one repaints rows, not the screen."""
        follow_virtual_size(self, Size(0, count))

    def refresh_rows(self) -> None:
        """Re-render after the row contents changed in place."""
        self._generation += 1
        self._cache.clear()
        self.refresh()

    content_keyed: ClassVar[bool] = False
    """True when a row's look depends only on the row value (then the cache survives set_rows)."""

    def row_key(self, index: int, row: RowT) -> Hashable:
        return row if self.content_keyed else (self._generation, index)

    def row_segments(self, index: int, row: RowT, width: int) -> list[Segment]:
        """The segments of one row (cropped/padded by the caller)."""
        return [Segment(str(row))]

    # ------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self.rows):
            if index == 0 and self.empty_text:
                dim = self.get_component_rich_style("row-list--dim")
                return Strip([Segment(self.empty_text, dim)]).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        lit = index == self.highlighted
        key = (self.row_key(index, self.rows[index]), width, lit, lit and self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            self.rows_rendered += 1
            segments = self.row_segments(index, self.rows[index], width)
            strip = Strip(segments).adjust_cell_length(width, base)
            if lit:
                strip = strip.apply_style(self._highlight_style())
            self._cache[key] = strip
            if len(self._cache) > 512:
                self._cache.popitem(last=False)
        return strip

    def _highlight_style(self) -> Style:
        style = self.get_component_rich_style("row-list--highlight", partial=True)
        return style if self.has_focus else style + Style(dim=True)

    # --------------------------------------------------------------- moving

    def move_to(self, index: int) -> None:
        if not self.rows:
            return
        index = max(0, min(index, len(self.rows) - 1))
        if index == self.highlighted:
            return
        old, self.highlighted = self.highlighted, index
        self.refresh_line(old)
        self.refresh_line(index)
        self._keep_visible()
        self.post_message(self.Highlighted(self, index))

    def _keep_visible(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = self.scroll_offset.y
        if self.highlighted < top:
            self.scroll_to(y=self.highlighted, animate=False)
        elif self.highlighted >= top + height:
            self.scroll_to(y=self.highlighted - height + 1, animate=False)

    def action_move(self, step: int) -> None:
        self.move_to(self.highlighted + step)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        self.move_to(self.highlighted + direction * height)

    def action_jump(self, index: int) -> None:
        self.move_to(index if index >= 0 else len(self.rows) - 1)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self, self.highlighted))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < len(self.rows):
            if index == self.highlighted:
                self.action_select()
            else:
                self.move_to(index)

    def on_focus(self) -> None:
        self.refresh_line(self.highlighted)

    def on_blur(self) -> None:
        self.refresh_line(self.highlighted)

    def on_resize(self) -> None:
        self._cache.clear()
        self._size_for(len(self.rows))
