"""IOB2 columns: names in schema order, and every span rebuilt exactly from tags + char_start."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, Entities

from annotator.export.bio import non_overlapping, tag_array, tag_names, tags_to_spans
from annotator.export.chunk import chunk_bounds
from annotator.export.columns import (
    StagedRows,
    TokenRows,
    char_strings,
    spans_features,
    split_staged,
    staged_schema,
    tokens_features,
)

LABELS = ["ORG", "PERSON", "NUMBER", "LEGAL_CHARGE", "DATA_TYPE"]
NAMES = tag_names(LABELS)


def test_tag_names_follow_the_schema() -> None:
    assert NAMES == [
        "O",
        "B-ORG",
        "I-ORG",
        "B-PERSON",
        "I-PERSON",
        "B-NUMBER",
        "I-NUMBER",
        "B-LEGAL_CHARGE",
        "I-LEGAL_CHARGE",
        "B-DATA_TYPE",
        "I-DATA_TYPE",
    ]


def test_tag_array_adjacent_spans() -> None:
    tags = tag_array(7, np.array([0, 2, 3]), np.array([2, 3, 6]), np.array([0, 1, 0]))
    assert [NAMES[t] for t in tags] == [
        "B-ORG",
        "I-ORG",
        "B-PERSON",
        "B-ORG",
        "I-ORG",
        "I-ORG",
        "O",
    ]
    assert tags_to_spans(tags.tolist(), NAMES, 10) == [
        (10, 12, "ORG"),
        (12, 13, "PERSON"),
        (13, 16, "ORG"),
    ]


def test_lenient_reading_is_refused() -> None:
    with pytest.raises(ValueError):
        tags_to_spans([0, 2, 2], NAMES)  # I- without its B-


def test_overlaps_keep_the_earliest_longest() -> None:
    kept, dropped = non_overlapping([(5, 9, "A"), (0, 4, "B"), (0, 6, "C"), (8, 10, "D")])
    assert kept == [(0, 6, "C"), (8, 10, "D")] and dropped == 2


def test_char_strings_are_code_points() -> None:
    text = "a數据🙂𠮷 ＡＢ\n"
    assert char_strings(text).to_pylist() == list(text)


ALPHABET = [*"數據外洩个人信息ＡＢＣ１２３abc 🙂👩‍💻𠮷\t", "。", "！", "？", "；", "\n"]


@st.composite
def labelled(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, int]]]:
    """Emoji, full-width, traditional characters and long runs without punctuation, with spans."""
    parts = draw(
        st.lists(
            st.one_of(
                st.text(st.sampled_from(ALPHABET), max_size=60), st.just("無標點長句子" * 120)
            ),
            max_size=10,
        )
    )
    text = "".join(parts)
    spans: list[tuple[int, int, int]] = []
    pos = 0
    while True:
        start = pos + draw(st.integers(0, 120))
        end = start + draw(st.integers(1, 30))
        if end > len(text):
            break
        spans.append((start, end, draw(st.integers(0, len(LABELS) - 1))))
        pos = end + draw(st.integers(0, 2))
    return text, spans


@settings(max_examples=50, deadline=None)
@given(st.lists(labelled(), min_size=1, max_size=3))
def test_generated_documents_rebuild_exactly(
    docs: list[tuple[str, list[tuple[int, int, int]]]],
) -> None:
    spans_schema = spans_features(LABELS).arrow_schema
    tokens_schema = tokens_features(LABELS).arrow_schema
    simple, staged = TokenRows(), StagedRows()
    for i, (text, spans) in enumerate(docs):
        bounds = chunk_bounds(text, [(s, e) for s, e, _l in spans])
        simple.add(f"d{i}", text, spans, bounds)
        surfaces = [(s, e, label, text[s:e]) for s, e, label in spans]
        staged.add_staged(f"d{i}", text, surfaces, {}, bounds, [True] * len(spans))
    # The export's path (staged rows, then whole-column numpy) equals the plain builder.
    staged_table = staged.table(staged_schema(spans_schema))
    _spans, tokens = split_staged(staged_table, spans_schema, tokens_schema)
    assert tokens.equals(simple.table(tokens_schema))
    table = tokens.to_pylist()
    rebuilt: dict[str, list[tuple[int, int, str]]] = {}
    covered: dict[str, str] = {}
    for row in table:
        assert len(row["tokens"]) <= 510 and len(row["tokens"]) == len(row["ner_tags"])
        tags = [NAMES[t] for t in row["ner_tags"]]
        ours = tags_to_spans(row["ner_tags"], NAMES, row["char_start"])
        # Strict IOB2 (no entity without its B-) finds exactly what the lenient reading finds.
        strict = [(e.start, e.end, e.tag) for e in Entities([tags], IOB2).entities[0]]
        lenient = [(s, e + 1, t) for t, s, e in get_entities(tags)]
        start = row["char_start"]
        assert sorted(strict) == sorted(lenient) == [(s - start, e - start, t) for s, e, t in ours]
        rebuilt.setdefault(row["doc_id"], []).extend(ours)
        covered[row["doc_id"]] = covered.get(row["doc_id"], "") + "".join(row["tokens"])
    for i, (text, spans) in enumerate(docs):
        assert covered.get(f"d{i}", "") == text
        assert rebuilt.get(f"d{i}", []) == [(s, e, LABELS[label]) for s, e, label in spans]
