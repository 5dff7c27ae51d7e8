"""The span rules, written once and shared by save, validate and import."""

from __future__ import annotations

from annotator.model import LabelFile, RejectedSpan, Span, Suggestion
from annotator.spans import check_label_file, describe, overlap_problems, span_problems
from annotator.workspace import default_schema, make_document

TEXT = "月影科技泄露了 30万条 用户数据。"
NAMES = set(default_schema().label_names)


def _at(surface: str, label: str = "ORG") -> Span:
    start = TEXT.index(surface)
    return Span(start=start, end=start + len(surface), label=label, text=surface)


def test_a_good_span_has_no_problems() -> None:
    assert span_problems(TEXT, _at("月影科技"), NAMES) == []


def test_each_span_rule() -> None:
    unknown = span_problems(TEXT, _at("月影科技", "COMPANY"), NAMES)
    assert [m for m, _ in unknown] == ["unknown label 'COMPANY'"]
    outside = span_problems(TEXT, Span(start=5, end=99, label="ORG", text="x"), NAMES)
    assert outside[0][0] == f"offsets out of range (text has {len(TEXT)} characters)"
    empty = span_problems(TEXT, Span(start=3, end=3, label="ORG", text=""), NAMES)
    assert empty[0][0].startswith("offsets out of range")
    wrong = span_problems(TEXT, Span(start=0, end=4, label="ORG", text="月影集团"), NAMES)
    assert wrong[0][0] == "surface text '月影集团' does not match text[0:4]='月影科技'"
    start = TEXT.index(" 30万条")
    spaced = span_problems(
        TEXT, Span(start=start, end=start + 5, label="NUMBER", text=" 30万条"), NAMES
    )
    assert spaced == [
        ("span starts or ends with whitespace", "move the boundary onto the first/last character")
    ]


def test_overlap_pairs() -> None:
    a, b = Span(start=0, end=4, label="ORG", text="x"), Span(start=2, end=6, label="ORG", text="y")
    c, d = Span(start=6, end=8, label="ORG", text="z"), Span(start=1, end=2, label="ORG", text="w")
    assert overlap_problems([a, c]) == []  # touching is not overlapping
    assert overlap_problems([c, a, b]) == [(1, 2)]
    assert sorted(overlap_problems([a, b, c, d])) == [(0, 1), (0, 3)]


def test_check_label_file_stops_at_a_stale_hash() -> None:
    document = make_document(TEXT, "d1")
    label_file = LabelFile.new(document, "ann").model_copy(
        update={"text_sha256": "0" * 64, "spans": (_at("月影科技", "COMPANY"),)}
    )
    problems = check_label_file(label_file, document, default_schema(), "p.json")
    assert [p.message for p in problems] == [
        "stale text hash: the labels were made on another text than the stored document"
    ]


def test_check_label_file_covers_suggestions_and_rejections() -> None:
    document = make_document(TEXT, "d1")
    bad = Suggestion(start=0, end=4, label="ORG", text="月影集团", score=0.5)
    rejected = RejectedSpan(start=0, end=4, label="NOPE", text="月影科技")
    label_file = LabelFile.new(document, "ann").model_copy(
        update={"suggestions": (bad,), "rejected": (rejected,)}
    )
    problems = check_label_file(label_file, document, default_schema(), "p.json")
    assert [p.span for p in problems] == [
        describe("suggestions", 0, bad),
        describe("rejected", 0, rejected),
    ]
    assert problems[1].message == "unknown label 'NOPE'"


def test_describe_shortens_long_surfaces() -> None:
    long = Span(start=0, end=30, label="ORG", text="长" * 30)
    assert describe("spans", 3, long) == f"spans[3] 0:30 ORG '{'长' * 19}…'"
