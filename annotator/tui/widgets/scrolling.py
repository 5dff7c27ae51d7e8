"""Changing what a Line-API view scrolls over without re-laying out the screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView


def follow_virtual_size(view: ScrollView, size: Size) -> None:
    """Set `view.virtual_size`, skipping Textual's screen-wide layout pass when it can.

    `virtual_size` is a layout reactive: assigning it reflows and repaints
    every widget on the screen (~20–30 ms on the annotate screen), while one
    more or one fewer row only changes what this view scrolls over. Unless
    the vertical scrollbar has to appear or go, or the width changes, the
    value is set quietly and the scrollbar told; the caller repaints the rows
    that moved.
    """
    if size == view.virtual_size:
        return
    needs_bar = size.height > view.scrollable_content_region.height
    if (
        not view.is_mounted
        or needs_bar != view.show_vertical_scrollbar
        or size.width != view.virtual_size.width
    ):
        view.virtual_size = size
        return
    view.set_reactive(ScrollView.virtual_size, size)
    if needs_bar:
        view.vertical_scrollbar.window_virtual_size = size.height
    if view.scroll_offset.y > view.max_scroll_y:
        view.scroll_to(y=view.max_scroll_y, animate=False)
