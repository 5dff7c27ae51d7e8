"""Pure edits of a label file: every result is a valid label file, undo restores states."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator import edits
from annotator.model import LabelFile, Suggestion
from annotator.spans import check_label_file
from annotator.workspace import default_schema, make_document

TEXT = "红杉银行 泄露了 12万条客户资料，\n嫌疑人吴某被捕。"
DOC = make_document(TEXT, "d1")
SCHEMA = default_schema()


def _new() -> LabelFile:
    return LabelFile.new(DOC, "ann")


def _sugg(surface: str, label: str, score: float = 0.5) -> Suggestion:
    start = TEXT.index(surface)
    return Suggestion(
        start=start, end=start + len(surface), label=label, text=surface, source="rule", score=score
    )


def test_add_span_trims_whitespace_and_starts_the_document() -> None:
    result = edits.add_span(_new(), TEXT, 0, 5, "ORG")  # "红杉银行 " with a trailing space
    (span,) = result.spans
    assert (span.start, span.end, span.text) == (0, 4, "红杉银行")
    assert result.status == "in_progress"
    assert edits.add_span(_new(), TEXT, 4, 5, "ORG") == _new()  # only whitespace: nothing


def test_add_span_replaces_overlaps_and_drops_covered_suggestions() -> None:
    start = TEXT.index("12万条")
    label_file = edits.set_suggestions(_new(), [_sugg("12万条", "NUMBER")])
    label_file = edits.add_span(label_file, TEXT, start, start + 2, "NUMBER")
    assert label_file.suggestions == ()
    label_file = edits.add_span(label_file, TEXT, start, start + 4, "NUMBER")
    assert [s.text for s in label_file.spans] == ["12万条"]


def test_relabel_remove_resize_uncertain() -> None:
    label_file = edits.add_span(_new(), TEXT, 0, 4, "PERSON")
    span = label_file.spans[0]
    label_file = edits.relabel(label_file, span, "ORG")
    assert label_file.spans[0].label == "ORG"
    label_file = edits.resize_span(label_file, TEXT, label_file.spans[0], 0, 2)
    assert label_file.spans[0].text == "红杉"
    label_file = edits.toggle_uncertain(label_file, label_file.spans[0])
    assert label_file.spans[0].uncertain
    assert edits.remove_span(label_file, label_file.spans[0]).spans == ()


def test_accept_reject_and_accept_all_by_score() -> None:
    low, high = _sugg("12万条", "NUMBER", 0.3), _sugg("12万条客户资料", "DATA_TYPE", 0.9)
    other = _sugg("吴某", "PERSON")
    label_file = edits.set_suggestions(_new(), [low, high, other])
    rejected = edits.reject_suggestion(label_file, other)
    assert other not in rejected.suggestions and rejected.rejected[0].key == other.key
    # a rejected suggestion is never proposed again
    assert other not in edits.set_suggestions(rejected, [other]).suggestions
    accepted = edits.accept_all(label_file)
    assert sorted(s.text for s in accepted.spans) == ["12万条客户资料", "吴某"]
    assert accepted.suggestions == ()


def test_history_undo_redo() -> None:
    history = edits.History(_new())
    first = edits.add_span(history.current, TEXT, 0, 4, "ORG")
    assert history.push(first) and not history.push(first)
    assert history.undo() == _new() and history.can_redo
    assert history.redo() == first and not history.can_redo


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(TEXT)),
            st.integers(0, len(TEXT)),
            st.sampled_from(SCHEMA.label_names),
        ),
        max_size=12,
    )
)
def test_any_sequence_of_adds_gives_a_valid_label_file(ops: list[tuple[int, int, str]]) -> None:
    label_file = _new()
    for a, b, label in ops:
        label_file = edits.add_span(label_file, TEXT, min(a, b), max(a, b), label)
    assert check_label_file(label_file, DOC, SCHEMA, "x.json") == []
