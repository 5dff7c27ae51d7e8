"""Chunking: sentence ends first, at most 510 characters, never inside a span, tiling the text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.export.chunk import MAX_CHUNK_CHARS, ChunkError, chunk_bounds


def check(
    text: str, spans: list[tuple[int, int]], max_chars: int = MAX_CHUNK_CHARS
) -> list[tuple[int, int]]:
    bounds = chunk_bounds(text, spans, max_chars)
    assert "".join(text[a:b] for a, b in bounds) == text  # tiles the text exactly
    assert all(0 < b - a <= max_chars for a, b in bounds)
    for a, b in bounds:
        for s, e in spans:
            assert e <= a or s >= b or (a <= s and e <= b), f"span {s}:{e} cut by chunk {a}:{b}"
    return bounds


def test_short_text_is_one_chunk() -> None:
    assert check("淘宝用户信息泄露。", [(0, 2)]) == [(0, 9)]


def test_empty_text_has_no_chunks() -> None:
    assert chunk_bounds("", []) == []


def test_cuts_at_the_last_sentence_end_that_fits() -> None:
    text = "甲" * 300 + "。" + "乙" * 100 + "！" + "丙" * 300
    assert check(text, []) == [(0, 402), (402, 702)]


def test_closing_quote_stays_with_its_sentence() -> None:
    text = "他说：“数据已删除。”" + "乙" * 505
    bounds = check(text, [])
    assert text[bounds[0][1] - 2 : bounds[0][1]] == "。”"


def test_sentence_end_inside_a_span_is_not_used() -> None:
    # The only sentence end sits inside a span: the cut falls at a free boundary instead.
    text = "甲" * 400 + "星河。公司" + "乙" * 300
    span = (400, 405)
    bounds = check(text, [span])
    assert bounds[0] == (0, MAX_CHUNK_CHARS)  # not 403, right after the 。 inside the span


def test_long_sentence_without_punctuation_is_cut_outside_spans() -> None:
    text = "数" * 1200
    spans = [(505, 515), (1015, 1020)]
    bounds = check(text, spans)
    assert bounds[0] == (0, 505)  # the latest boundary before the span, not inside it
    assert len(bounds) == 3


def test_span_longer_than_a_chunk_is_refused() -> None:
    with pytest.raises(ChunkError):
        chunk_bounds("字" * 700, [(10, 600)])


def test_newline_is_a_sentence_end() -> None:
    text = "第一行" * 100 + "\n" + "第二行" * 100
    assert check(text, [])[0] == (0, 301)


ALPHABET = st.sampled_from(
    [
        *"数据泄露淘宝用户個資外洩詐騙罪黑客ＡＢＣ１２３abc 🙂👩‍💻𠮷\t",
        "。",
        "！",
        "？",
        "；",
        "\n",
        "”",
    ]
)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """Texts mixing emoji, full-width and traditional characters, long runs with no punctuation."""
    pieces = draw(
        st.lists(
            st.one_of(st.text(ALPHABET, max_size=80), st.just("無標點長句" * 130)), max_size=12
        )
    )
    text = "".join(pieces)
    spans: list[tuple[int, int]] = []
    pos = 0
    while pos < len(text):
        start = pos + draw(st.integers(0, 200))
        length = draw(st.integers(1, 40))
        if start + length > len(text):
            break
        spans.append((start, start + length))
        pos = start + length + draw(st.integers(0, 3))
    return text, spans


@settings(max_examples=60, deadline=None)
@given(documents(), st.sampled_from([MAX_CHUNK_CHARS, 64]))
def test_generated_documents_survive_chunking(
    doc: tuple[str, list[tuple[int, int]]], limit: int
) -> None:
    text, spans = doc
    check(text, spans, limit)
