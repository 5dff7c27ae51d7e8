"""What an annotator labels is suggested at once at the string's other occurrences."""

from __future__ import annotations

from annotator import edits
from annotator.model import LabelFile, RejectedSpan, Span, Suggestion

TEXT = "蓝鲸科技称，蓝鲸科技的用户数据未受影响；王某曾在蓝鲸科技任职。"


def _file(**update: object) -> LabelFile:
    base = LabelFile(doc_id="d", text_sha256="0" * 64, annotator="a")
    return base.model_copy(update=update)


def _span(start: int, label: str = "ORG") -> Span:
    return Span(start=start, end=start + 4, label=label, text=TEXT[start : start + 4])


def test_other_occurrences_become_taught_suggestions() -> None:
    labelled = edits.add_span(_file(), TEXT, 0, 4, "ORG")
    result = edits.propagate(labelled, TEXT, labelled.spans[0])
    starts = [s.start for s in result.suggestions]
    assert starts == [6, 24]
    assert all(s.source == "taught" and s.text == "蓝鲸科技" for s in result.suggestions)


def test_skips_labelled_and_rejected_places_and_replaces_competing_suggestions() -> None:
    competing = Suggestion(start=24, end=26, label="PERSON", text=TEXT[24:26], source="person")
    current = _file(
        spans=(_span(0), _span(6, "PERSON")),
        suggestions=(competing,),
        rejected=(RejectedSpan(start=24, end=28, label="ORG", text="蓝鲸科技"),),
    )
    assert edits.propagate(current, TEXT, current.spans[0]) == current  # nothing new to say
    unrejected = current.model_copy(update={"rejected": ()})
    result = edits.propagate(unrejected, TEXT, unrejected.spans[0])
    assert [(s.start, s.label, s.source) for s in result.suggestions] == [(24, "ORG", "taught")]


def test_new_spans_names_what_an_edit_labelled() -> None:
    before = _file(spans=(_span(0),))
    after = edits.add_span(before, TEXT, 6, 10, "ORG")
    assert edits.new_spans(before, after) == [_span(6)]


def test_single_characters_and_punctuation_are_not_propagated() -> None:
    text = "王某、王某和“王”、“王”"
    for start, end in ((7, 8), (2, 3), (6, 7)):  # 王, 、, “
        labelled = edits.add_span(_file(), text, start, end, "PERSON")
        assert edits.propagate(labelled, text, labelled.spans[0]).suggestions == ()
    labelled = edits.add_span(_file(), text, 0, 2, "PERSON")
    assert [s.start for s in edits.propagate(labelled, text, labelled.spans[0]).suggestions] == [3]
