"""DocumentView driven in a real (headless) Textual app.

Most behaviour is exercised by calling the view's actions directly (a Pilot
key press costs ~80 ms); a few presses check that the bindings are wired.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.message import Message

from annotator import edits
from annotator.model import LabelFile, Span, Suggestion
from annotator.text.normalize import text_sha256
from annotator.tui.widgets.document_view import DocumentView, fallback_tokens
from annotator.workspace import default_schema

# 22 content cells per row (24 columns minus the 2-cell scrollbar gutter): 11 CJK
# characters. Rows: 星河数据科技有限公司的 | 员工王某导出了12万条 | 手机号码。 |
# David 在 GitHub 发现 | 臺灣資料外洩。
TEXT = "星河数据科技有限公司的员工王某导出了12万条手机号码。\nDavid 在 GitHub 发现臺灣資料外洩。"
TOKENS = [
    (0, 2), (2, 4), (4, 10), (10, 11), (11, 13), (13, 15), (15, 17), (17, 18),
    (18, 20), (20, 22), (22, 24), (24, 26), (26, 27), (27, 28),
    (28, 33), (33, 34), (34, 35), (35, 36), (36, 42), (42, 43), (43, 45),
    (45, 47), (47, 49), (49, 51), (51, 52),
]  # fmt: skip
WIDTH, HEIGHT = 24, 8


def label_file(spans: tuple[Span, ...] = (), suggestions: tuple[Suggestion, ...] = ()) -> LabelFile:
    return LabelFile(
        doc_id="doc",
        text_sha256=text_sha256(TEXT),
        annotator="tester",
        spans=spans,
        suggestions=suggestions,
    )


def span(start: int, end: int, label: str, **kw: Any) -> Span:
    return Span(start=start, end=end, label=label, text=TEXT[start:end], **kw)


class ViewApp(App[None]):
    def __init__(self, text: str = TEXT) -> None:
        super().__init__()
        self.text = text
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield DocumentView(self.text, default_schema(), id="doc")

    def on_document_view_cursor_moved(self, message: DocumentView.CursorMoved) -> None:
        self.messages.append(message)

    def on_document_view_selection_changed(self, message: DocumentView.SelectionChanged) -> None:
        self.messages.append(message)


def row_text(view: DocumentView, row: int) -> str:
    """The characters of a display row as rendered (tags included, padding stripped)."""
    top = int(view.scroll_offset.y)
    return view.render_line(row - top).text.rstrip()


def styles_at(view: DocumentView, row: int) -> list[tuple[str, Any]]:
    top = int(view.scroll_offset.y)
    return [(seg.text, seg.style) for seg in view.render_line(row - top) if seg.text.strip()]


def run(
    scenario: Callable[[ViewApp, DocumentView, Any], Awaitable[None]], text: str = TEXT
) -> None:
    """Run `scenario(app, view, pilot)` in a headless app showing `text`."""

    async def main() -> None:
        app = ViewApp(text)
        async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
            view = app.query_one(DocumentView)
            if text == TEXT:
                view.set_tokens(TOKENS)
            await pilot.pause()
            await scenario(app, view, pilot)

    asyncio.run(main())


def test_fallback_tokens_split_han_per_character_and_keep_latin_runs() -> None:
    tokens = fallback_tokens("王某用GitHub下载12万条")
    words = ["王某用GitHub下载12万条"[s:e] for s, e in tokens]
    assert words == ["王", "某", "用", "GitHub", "下", "载", "12", "万", "条"]


def test_layout_wraps_at_cells_and_rows_render_full_width() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, _pilot: Any) -> None:
        layout = view.text_layout
        assert layout is not None and layout.width == WIDTH - 2
        assert layout.rows == [(0, 11), (11, 22), (22, 27), (28, 45), (45, 52)]
        for row in range(min(HEIGHT, layout.row_count)):
            strip = view.render_line(row)
            assert strip.cell_length == layout.width
            assert sum(cell_len(seg.text) for seg in strip) == layout.width

    run(scenario)


def test_token_movement_skips_whitespace() -> None:
    async def scenario(app: ViewApp, view: DocumentView, pilot: Any) -> None:
        assert view.cursor == 0
        await pilot.press("right", "right")  # the bindings are wired
        assert view.cursor == 4
        view.move_cursor(26)  # 。 before the newline
        view.action_cursor_next_token()
        assert view.cursor == 28  # "David": the \n token is skipped
        view.action_cursor_next_token()
        assert view.cursor == 34  # 在: the space at 33 is skipped
        view.action_cursor_prev_token()
        view.action_cursor_prev_token()
        assert view.cursor == 26
        await pilot.pause()
        moved = [m.offset for m in app.messages if isinstance(m, DocumentView.CursorMoved)]
        assert moved == [2, 4, 26, 28, 34, 28, 26]

    run(scenario)


def test_cursor_snaps_to_token_start_and_target_is_the_token() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, _pilot: Any) -> None:
        view.move_cursor(7)
        assert view.cursor == 4
        assert view.target_range() == (4, 10)
        assert view.token_at(10) == (10, 11)

    run(scenario)


def test_row_movement_keeps_the_cell_column_across_wide_characters() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, _pilot: Any) -> None:
        layout = view.text_layout
        assert layout is not None
        view.move_cursor(2)  # 数据: cell 4 of row 0
        view.action_cursor_down()
        row1 = layout.rows[1]
        assert layout.row_of(view.cursor) == 1
        assert view.cursor == view.token_at(layout.offset_at(1, 4))[0]
        assert row1[0] <= view.cursor < row1[1]
        view.action_cursor_down()
        view.action_cursor_down()
        assert layout.row_of(view.cursor) == 3
        # Back up: the remembered column (4) still decides, not the last landing x.
        view.action_cursor_up()
        view.action_cursor_up()
        view.action_cursor_up()
        assert view.cursor == 2

    run(scenario)


def test_line_start_end_and_document_ends() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, _pilot: Any) -> None:
        layout = view.text_layout
        assert layout is not None
        view.move_cursor(4)
        view.action_cursor_line_end()
        assert view.cursor == 10  # 的 ends row 0
        view.action_cursor_line_start()
        assert view.cursor == 0
        view.action_cursor_doc_end()
        assert view.cursor == 51
        view.action_cursor_doc_start()
        assert view.cursor == 0

    run(scenario)


def test_selection_by_token_extends_shrinks_and_crosses_the_anchor() -> None:
    async def scenario(app: ViewApp, view: DocumentView, pilot: Any) -> None:
        view.move_cursor(2)
        await pilot.press("shift+right")
        assert view.selection == (2, 4)
        view.action_select_next_token()
        assert view.selection == (2, 10)
        view.action_select_prev_token()
        assert view.selection == (2, 4)
        view.action_select_prev_token()  # would be empty: grows left of the anchor instead
        assert view.selection == (0, 2)
        assert view.target_range() == (0, 2)
        await pilot.press("escape")
        assert view.selection is None
        assert view.target_range() == view.token_at(view.cursor)
        await pilot.pause()
        changes = [
            m.selection for m in app.messages if isinstance(m, DocumentView.SelectionChanged)
        ]
        assert changes == [(2, 4), (2, 10), (2, 4), (0, 2), None]

    run(scenario)


def test_selection_starts_from_the_span_under_the_cursor() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, _pilot: Any) -> None:
        view.set_label_file(label_file((span(0, 10, "ORG"),)))
        view.move_cursor(4)
        view.action_select_next_token()
        assert view.selection == (0, 10)
        view.clear_selection()
        view.action_select_end_shrink()  # character tuning also starts from the span
        assert view.selection == (0, 9)

    run(scenario)


def test_character_fine_tuning_at_both_ends() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, pilot: Any) -> None:
        view.move_cursor(4)  # token 科技有限公司 (4, 10)
        await pilot.press("alt+right")
        assert view.selection == (4, 11)
        view.action_select_end_shrink()
        view.action_select_end_shrink()
        assert view.selection == (4, 9)
        view.action_select_start_grow()
        assert view.selection == (3, 9)
        view.action_select_start_shrink()
        view.action_select_start_shrink()
        assert view.selection == (5, 9)
        for _ in range(6):
            view.action_select_start_shrink()  # never empty
        assert view.selection == (8, 9)
        for _ in range(3):
            view.action_select_end_shrink()
        assert view.selection == (8, 9)

    run(scenario)


def test_spans_suggestions_and_tags_render_in_label_colours() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, pilot: Any) -> None:
        org = span(0, 2, "ORG")
        number = Suggestion(start=18, end=22, label="NUMBER", text=TEXT[18:22])
        view.set_label_file(label_file((org,), (number,)))
        await pilot.pause()
        assert row_text(view, 0).startswith("星河ORG数据")
        first = styles_at(view, 0)
        assert first[0][0] == "星河"
        assert first[0][1].bgcolor is not None  # tinted background
        assert first[1][0] == "ORG" and first[1][1].color.triplet.hex == "#4f9dde"
        layout = view.text_layout
        assert layout is not None
        suggestion_row = layout.row_of(18)
        underlined = [t for t, st in styles_at(view, suggestion_row) if st.underline]
        assert "".join(underlined) == "12万条"

        view.show_tags = False
        await pilot.pause()
        assert row_text(view, 0).startswith("星河数据")
        view.set_label_file(label_file((span(0, 2, "ORG", uncertain=True),), (number,)))
        await pilot.pause()
        assert row_text(view, 0).startswith("星河?数据")
        italic = [t for t, st in styles_at(view, 0) if st.italic]
        assert italic == ["星河"]

    run(scenario)


def test_a_span_edit_rerenders_only_the_affected_rows() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, pilot: Any) -> None:
        # Make every visible row cached first.
        view.set_label_file(label_file())
        view.refresh()
        await pilot.pause()
        before = view.rows_rendered
        view.refresh()
        await pilot.pause()
        assert view.rows_rendered == before  # a full repaint hits the cache

        state = label_file()
        new = edits.add_span(state, TEXT, 22, 24, "DATA_TYPE")  # 手机 on row 2; its tag fits
        view.set_label_file(new)
        await pilot.pause()
        layout = view.text_layout
        assert layout is not None
        assert row_text(view, 2) == "手机DAT号码。"
        affected = set(layout.rows_of(22, 24))
        assert view.rows_rendered - before == len(affected) == 1

        before = view.rows_rendered
        view.move_cursor(4)
        await pilot.pause()
        assert view.rows_rendered - before == 1  # old and new cursor tokens share row 0
        before = view.rows_rendered
        view.move_cursor(13)
        await pilot.pause()
        assert view.rows_rendered - before == 2  # row 0 loses it, row 1 gains it

    run(scenario)


def test_tags_rewrap_only_their_paragraph() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, pilot: Any) -> None:
        layout = view.text_layout
        assert layout is not None
        second_paragraph = [r for r in layout.rows if r[0] >= 29]
        view.set_label_file(label_file((span(4, 10, "ORG"),)))
        await pilot.pause()
        assert [r for r in layout.rows if r[0] >= 29] == second_paragraph
        # 星河数据 (8 cells) + 科技有限公司 (12) + its tag (3) no longer fit in 22.
        assert layout.rows[:2] == [(0, 4), (4, 13)]
        assert row_text(view, 1).startswith("科技有限公司ORG的")

    run(scenario)


def test_a_tag_that_moves_a_break_repaints_the_rows_it_moved() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, pilot: Any) -> None:
        layout = view.text_layout
        assert layout is not None
        view.move_cursor(28)  # the cursor's rows stay out of it
        view.set_label_file(label_file())
        await pilot.pause()
        assert layout.rows[1:3] == [(11, 22), (22, 27)]
        before = view.rows_rendered
        view.set_label_file(label_file((span(11, 13, "PERSON"),)))  # 员工 + PER
        await pilot.pause()
        # Same row count, but 万条 moved down: row 2 changed though no span is on it.
        assert layout.rows[1:3] == [(11, 20), (20, 27)]
        assert view.rows_rendered - before == 2
        assert row_text(view, 2) == "万条手机号码。"

    run(scenario)


def test_mouse_click_places_cursor_and_drag_selects_characters() -> None:
    async def scenario(app: ViewApp, view: DocumentView, pilot: Any) -> None:
        await pilot.click(DocumentView, offset=(9, 0))  # right half of 科 (offset 4)
        assert view.cursor == 4 and view.selection is None
        await pilot.mouse_down(DocumentView, offset=(4, 0))  # 数 (2)
        await pilot.hover(DocumentView, offset=(7, 0))  # 科 (5)
        await pilot.mouse_up(DocumentView, offset=(7, 0))
        assert view.selection == (2, 4)

    run(scenario)


def test_scrolls_to_keep_the_cursor_visible() -> None:
    run(_check_scrolling, (TEXT + "\n") * 6)


async def _check_scrolling(_app: ViewApp, view: DocumentView, pilot: Any) -> None:
    assert view.text_layout is not None and view.text_layout.row_count > 3 * HEIGHT
    view.action_cursor_doc_end()
    await pilot.pause()
    layout = view.text_layout
    assert layout is not None
    row = layout.row_of(view.cursor)
    top = int(view.scroll_offset.y)
    assert top <= row < top + view.scrollable_content_region.height
    view.move_cursor(0)
    await pilot.pause()
    assert int(view.scroll_offset.y) == 0
    height = view.scrollable_content_region.height
    await pilot.press("pagedown")
    assert layout.row_of(view.cursor) == height - 1
    assert int(view.scroll_offset.y) == height - 1  # the cursor keeps its screen row
    view.action_cursor_page_up()
    await pilot.pause()
    assert layout.row_of(view.cursor) == 0 and int(view.scroll_offset.y) == 0
    # Leaving the view by one row scrolls a third of a page (jump scrolling).
    for _ in range(height):
        view.action_cursor_down()
    await pilot.pause()
    assert layout.row_of(view.cursor) == height
    assert int(view.scroll_offset.y) == 1 + int(height * DocumentView.SCROLL_JUMP)


def test_the_next_page_is_built_before_the_page_key() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, pilot: Any) -> None:
        await pilot.pause()
        height = view.scrollable_content_region.height
        assert view.rows_prefetched >= height  # the page below, once the first frame is up
        for _ in range(2):
            before = view.rows_rendered
            view.action_cursor_page_down()
            await pilot.pause()
            await pilot.pause()
            # A whole new page is on screen, yet only the cursor's row was built for it.
            assert view.rows_rendered - before <= 2

    run(scenario, (TEXT + "\n") * 12)


def test_bindings_have_the_contract_ids() -> None:
    ids = {b.id for b in DocumentView.BINDINGS if not isinstance(b, tuple)}  # type: ignore[union-attr]
    assert ids == {
        "cursor.next_token",
        "cursor.prev_token",
        "cursor.up",
        "cursor.down",
        "cursor.line_start",
        "cursor.line_end",
        "cursor.page_up",
        "cursor.page_down",
        "cursor.doc_start",
        "cursor.doc_end",
        "select.next_token",
        "select.prev_token",
        "select.end_grow",
        "select.end_shrink",
        "select.start_grow",
        "select.start_shrink",
        "select.clear",
    }


def test_emoji_graphemes_stay_whole() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, pilot: Any) -> None:
        stops = []
        view.move_cursor(0)
        for _ in range(12):
            stops.append(view.cursor)
            view.action_cursor_next_token()
        assert 3 not in stops and 4 not in stops  # inside the family emoji
        assert 2 in stops and 7 in stops
        view.move_cursor(2)
        view.action_select_end_grow()
        assert view.selection == (2, 8)
        view.action_select_end_shrink()
        assert view.selection == (2, 7)
        view.action_select_end_shrink()  # would cut the emoji: stays whole
        assert view.selection == (2, 7)
        strip = view.render_line(0)
        assert strip.cell_length == WIDTH - 2
        assert sum(cell_len(seg.text) for seg in strip) == WIDTH - 2

    run(scenario, "黑客👨\u200d👩\u200d👧窃取❤\ufe0f数据")


def test_span_and_suggestion_edges_become_cursor_stops() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, _pilot: Any) -> None:
        # 有限公司 starts inside the word 科技有限公司 (4, 10).
        inner = Suggestion(start=6, end=10, label="ORG", text=TEXT[6:10])
        view.set_label_file(label_file((), (inner,)))
        view.move_cursor(4)
        view.action_cursor_next_token()
        assert view.cursor == 6
        assert view.target_range() == (6, 10)
        # Accepting keeps the stop (the span has the same edges) ...
        accepted = edits.accept_suggestion(label_file((), (inner,)), inner)
        view.set_label_file(accepted)
        assert view.token_at(7) == (6, 10)
        # ... removing the span gives the word back, and the cursor snaps to it.
        view.set_label_file(label_file())
        assert view.token_at(7) == (4, 10)
        assert view.cursor == 4

    run(scenario)


marks = st.lists(
    st.tuples(st.integers(0, len(TEXT) - 1), st.integers(1, 6), st.booleans()), max_size=6
)


@settings(max_examples=50, deadline=None)
@given(st.lists(marks, min_size=1, max_size=5))
def test_cursor_stops_follow_label_file_edits(states: list[list[tuple[int, int, bool]]]) -> None:
    """After any sequence of label files, the stops are the words cut at the shown edges."""
    view = DocumentView(TEXT, default_schema())  # not mounted: no layout needed
    view.set_tokens(TOKENS)
    for state in states:
        spans: list[Span] = []
        suggestions: list[Suggestion] = []
        for start, length, is_span in state:
            end = min(len(TEXT), start + length)
            if is_span:
                spans.append(Span(start=start, end=end, label="ORG", text=TEXT[start:end]))
            else:
                suggestions.append(
                    Suggestion(start=start, end=end, label="ORG", text=TEXT[start:end])
                )
        view.set_label_file(label_file(tuple(spans), tuple(suggestions)))
        edges = {e for s in (*spans, *suggestions) for e in (s.start, s.end)}
        bounds = sorted({b for t in TOKENS for b in t} | (edges - {len(TEXT)}) | {len(TEXT)})
        assert list(view.tokens) == list(pairwise(bounds))
        assert view.cursor == view.token_at(view.cursor)[0]


def test_move_cursor_with_select_grows_from_the_anchor() -> None:
    async def scenario(_app: ViewApp, view: DocumentView, _pilot: Any) -> None:
        view.move_cursor(2)
        view.move_cursor(11, select=True)
        assert view.selection == (2, 13)
        assert view.cursor == 11
        view.move_cursor(0, select=True)  # past the anchor: the other side
        assert view.selection == (0, 4)
        view.move_cursor(20)
        assert view.selection is None and view.cursor == 20

    run(scenario)


def test_a_tag_that_adds_a_row_extends_the_scroll_range_without_a_screen_layout() -> None:
    """`virtual_size` is a layout reactive: set plainly, every edit that adds a
    row would reflow and repaint the whole screen (~25 ms in the app)."""

    async def scenario(_app: ViewApp, view: DocumentView, pilot: Any) -> None:
        layout = view.text_layout
        assert layout is not None
        rows_before = layout.row_count
        assert view.virtual_size.height == rows_before and view.show_vertical_scrollbar
        layout_requests: list[bool] = []
        refresh = view.refresh

        def spy(*regions: Any, **kwargs: Any) -> DocumentView:
            layout_requests.append(bool(kwargs.get("layout")))
            return refresh(*regions, **kwargs)

        view.refresh = spy  # type: ignore[method-assign]
        text = view.text
        state = label_file().model_copy(update={"text_sha256": text_sha256(text)})
        spans = tuple(
            Span(start=a, end=a + 2, label="ORG", text=text[a : a + 2]) for a in range(0, 10, 2)
        )
        view.set_label_file(state.model_copy(update={"spans": spans}))
        await pilot.pause()
        assert layout.row_count > rows_before  # fifteen cells of tags need another row
        assert view.virtual_size.height == layout.row_count
        assert view.max_scroll_y == layout.row_count - view.scrollable_content_region.height
        view.set_label_file(state)
        await pilot.pause()
        assert view.virtual_size.height == rows_before
        assert layout_requests and not any(layout_requests)

    run(scenario, (TEXT + "\n") * 6)


def test_cursor_stops_survive_duplicate_marks_replaced_by_equal_ones() -> None:
    """Two equal suggestions, then one, then none: the cut they made goes with the last."""
    view = DocumentView(TEXT, default_schema())
    view.set_tokens(TOKENS)

    def first_char() -> Suggestion:  # a new, equal object each time
        return Suggestion(start=0, end=1, label="ORG", text=TEXT[0:1])

    view.set_label_file(label_file((), (first_char(), first_char())))
    view.set_label_file(label_file((), (first_char(),)))
    view.set_label_file(label_file())
    assert view.token_at(0) == (0, 2)
