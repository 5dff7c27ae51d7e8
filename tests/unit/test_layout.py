"""Properties of the soft-wrap layout: every character placed once, in order,
within the width, never splitting a grapheme, preferring token boundaries."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes

from annotator.text.layout import Layout, display_text, wrap

# Pieces mixing what real articles hold: simplified and traditional Chinese,
# full-width punctuation and digits, Latin words, numbers, emoji (with ZWJ and
# variation selectors), a combining accent, tabs and blank lines.
PIECES = [
    "数据",
    "泄露",
    "某科技有限公司",
    "黑客",
    "個人資料",
    "臺灣",
    "外洩",
    "，",
    "。",
    "（",
    "）",
    "１２３",
    "Ｗｅｂ",
    "David",
    "user_id",
    " ",
    "  ",
    "3000",
    "万条",
    "👍",
    "👨\u200d👩\u200d👧",
    "❤\ufe0f",
    "e\u0301",
    "\t",
    "\n",
    "\n\n",
    "a",
    "的",
]

Case = tuple[str, int, list[tuple[int, int]], dict[int, int]]

texts = st.lists(st.sampled_from(PIECES), min_size=0, max_size=40).map("".join)


def pieces_tokens(text: str, cuts: list[int]) -> list[tuple[int, int]]:
    """Contiguous tokens over the text, cut at the given (sorted, unique) offsets."""
    points = sorted({0, len(text), *(c for c in cuts if 0 < c < len(text))})
    return list(pairwise(points))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    text = draw(texts)
    width = draw(st.integers(min_value=1, max_value=24))
    n = len(text)
    cuts = draw(st.lists(st.integers(min_value=0, max_value=max(n, 0)), max_size=20))
    tags = draw(
        st.dictionaries(
            st.integers(min_value=0, max_value=n), st.integers(min_value=1, max_value=4), max_size=4
        )
    )
    return text, width, pieces_tokens(text, cuts), tags


def grapheme_starts(text: str) -> set[int]:
    """Offsets where rich starts a grapheme, per paragraph, plus paragraph ends."""
    starts: set[int] = set()
    offset = 0
    for para in text.split("\n"):
        spans, _ = split_graphemes(display_text(para))
        starts.update(offset + s for s, _e, _c in spans)
        starts.add(offset + len(para))
        offset += len(para) + 1
    return starts


def drawn_cells(layout: Layout, start: int, end: int, tags: dict[int, int]) -> int:
    """Cells of a row as a terminal would draw it: text plus the tags glued into it."""
    text = layout.text
    para_start = text.rfind("\n", 0, start) + 1
    extra = sum(c for o, c in tags.items() if start < o <= end and o > para_start)
    return cell_len(display_text(text[start:end])) + extra


@settings(max_examples=60, deadline=None)
@given(cases())
def test_every_offset_in_exactly_one_row_in_order(case: Case) -> None:
    text, width, tokens, tags = case
    layout = wrap(text, width, tokens, tags)
    covered: list[int] = []
    for start, end in layout.rows:
        assert start <= end
        covered.extend(range(start, end))
    expected = [i for i, ch in enumerate(text) if ch != "\n"]
    assert covered == expected
    # Within a paragraph rows are contiguous; between paragraphs only the \n is skipped.
    for (_s1, e1), (s2, _e2) in zip(layout.rows, layout.rows[1:], strict=False):
        assert s2 == e1 or (s2 == e1 + 1 and text[e1] == "\n")
    assert len(layout.rows) == len(layout.row_starts)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_rows_fit_width_and_never_split_graphemes(case: Case) -> None:
    text, width, tokens, tags = case
    layout = wrap(text, width, tokens, tags)
    starts = grapheme_starts(text)
    for row, (start, end) in enumerate(layout.rows):
        assert start in starts and end in starts, (row, start, end)
        cells = drawn_cells(layout, start, end, tags)
        assert cells == layout.row_cells(row)
        if cells > width:
            # Only one grapheme (with its glued tag) may overflow, alone on its row.
            inner = [o for o in starts if start < o < end]
            assert not inner, (text[start:end], width)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_wrap_prefers_token_boundaries_and_is_greedy(case: Case) -> None:
    text, width, tokens, tags = case
    layout = wrap(text, width, tokens, tags)
    bounds = {b for tok in tokens for b in tok}
    starts = grapheme_starts(text)
    rows = layout.rows
    for index, (start, end) in enumerate(rows[:-1]):
        next_start = rows[index + 1][0]
        if next_start != end:
            continue  # paragraph end
        if end not in bounds:
            # A mid-token break only when no token boundary fits in the row.
            assert not any(start < b < end and b in starts for b in bounds), (start, end)
        # Greedy: the next grapheme would not have fitted.
        nxt = min(o for o in starts if o > end) if any(o > end for o in starts) else end
        paragraph_end = text.find("\n", end)
        nxt = min(nxt, paragraph_end if paragraph_end >= 0 else len(text))
        if end not in bounds or nxt in bounds:
            assert drawn_cells(layout, start, nxt, tags) > width or start == end


@settings(max_examples=60, deadline=None)
@given(cases(), st.data())
def test_offset_and_cell_position_round_trip(case: Case, data: st.DataObject) -> None:
    text, width, tokens, tags = case
    layout = wrap(text, width, tokens, tags)
    starts = grapheme_starts(text)
    for offset in range(len(text)):
        if text[offset] == "\n" or offset not in starts:
            continue
        row = layout.row_of(offset)
        start, end = layout.rows[row]
        assert start <= offset < end
        x = layout.cell_x(offset)
        assert x == drawn_cells(layout, start, offset, tags)
        assert layout.offset_at(row, x) == offset
        # Every cell a wide character covers maps back to it.
        assert layout.offset_at(row, x + cell_len(display_text(text[offset])) - 1) == offset
    if layout.rows:
        row = data.draw(st.integers(0, len(layout.rows) - 1))
        assert layout.offset_at(row, 10_000) == layout.rows[row][1]
        assert layout.offset_at(row, 0) == layout.rows[row][0]


@settings(max_examples=40, deadline=None)
@given(cases(), st.dictionaries(st.integers(0, 60), st.integers(1, 4), max_size=5))
def test_changing_tags_rewraps_like_a_fresh_wrap(case: Case, new_tags: dict[int, int]) -> None:
    text, width, tokens, tags = case
    new_tags = {o: c for o, c in new_tags.items() if o <= len(text)}
    layout = wrap(text, width, tokens, tags)
    layout.set_tags(new_tags)
    fresh = wrap(text, width, tokens, new_tags)
    assert layout.rows == fresh.rows
    assert layout.row_starts == fresh.row_starts
    assert layout.cum == fresh.cum


def test_wide_characters_fill_rows_without_splitting() -> None:
    text = "個人資料外洩案件"
    layout = wrap(text, 5, [(i, i + 1) for i in range(len(text))])
    assert layout.rows == [(0, 2), (2, 4), (4, 6), (6, 8)]
    assert [layout.row_cells(r) for r in range(4)] == [4, 4, 4, 4]


def test_token_boundary_preferred_over_filling_the_row() -> None:
    text = "黑客窃取用户信息"
    tokens = [(0, 2), (2, 4), (4, 8)]
    layout = wrap(text, 10, tokens)
    assert layout.rows == [(0, 4), (4, 8)]


def test_token_longer_than_width_is_split_by_characters() -> None:
    text = "中华人民共和国"
    layout = wrap(text, 6, [(0, 7)])
    assert layout.rows == [(0, 3), (3, 6), (6, 7)]


def test_mixed_latin_and_cjk_cells() -> None:
    text = "David窃取3000万条"
    tokens = [(0, 5), (5, 7), (7, 11), (11, 13)]
    layout = wrap(text, 12, tokens)
    assert layout.rows == [(0, 7), (7, 13)]
    assert layout.cell_x(5) == 5 and layout.cell_x(6) == 7
    assert layout.offset_at(0, 6) == 5  # right half of 窃


def test_tag_stays_with_the_span_at_a_row_end() -> None:
    text = "公司黑客"
    tokens = [(0, 2), (2, 4)]
    layout = wrap(text, 6, tokens, {2: 2})
    assert layout.rows == [(0, 2), (2, 4)]
    assert layout.row_cells(0) == 6
    assert layout.cell_x(3) == 2


def test_blank_lines_and_trailing_newline_are_empty_rows() -> None:
    text = "数据\n\n泄露\n"
    layout = wrap(text, 10, [(0, 2), (2, 3), (3, 4), (4, 6), (6, 7)])
    assert layout.rows == [(0, 2), (3, 3), (4, 6), (7, 7)]
    assert layout.row_of(2) == 0 and layout.row_of(3) == 1 and layout.row_of(7) == 3


def test_empty_text_has_one_empty_row() -> None:
    layout = wrap("", 10, [])
    assert layout.rows == [(0, 0)]
    assert layout.offset_at(0, 3) == 0


@settings(max_examples=40, deadline=None)
@given(cases(), st.integers(min_value=1, max_value=24))
def test_set_width_rewraps_like_a_fresh_wrap(case: Case, width: int) -> None:
    text, old_width, tokens, tags = case
    layout = wrap(text, old_width, tokens, tags)
    layout.set_width(width)
    fresh = wrap(text, width, tokens, tags)
    assert (layout.rows, layout.row_starts, layout.cum) == (fresh.rows, fresh.row_starts, fresh.cum)
