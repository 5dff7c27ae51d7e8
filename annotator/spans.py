"""The span rules, written once: save, validate and import all call these.

A span is valid when `0 <= start < end <= len(text)`, its surface text equals
`text[start:end]`, it neither starts nor ends with whitespace, its label is in
the schema, and it overlaps no other span unless the schema allows overlaps.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from annotator.model import Document, LabelFile, LabelSchema, RejectedSpan, Span
from annotator.problems import Problem

AnySpan = Span | RejectedSpan


def describe(kind: str, index: int, span: AnySpan) -> str:
    surface = span.text if len(span.text) <= 20 else span.text[:19] + "…"
    return f"{kind}[{index}] {span.start}:{span.end} {span.label} {surface!r}"


def span_problems(text: str, span: AnySpan, label_names: Collection[str]) -> list[tuple[str, str]]:
    """(message, fix) pairs for everything wrong with one span on its own."""
    problems: list[tuple[str, str]] = []
    if span.label not in label_names:
        problems.append(
            (
                f"unknown label {span.label!r}",
                "add it to labels/schema.json, or rename it with `annotator schema rename`",
            )
        )
    if not 0 <= span.start < span.end <= len(text):
        problems.append(
            (
                f"offsets out of range (text has {len(text)} characters)",
                "fix start/end: 0 <= start < end <= len(text), code points, end exclusive",
            )
        )
        return problems
    actual = text[span.start : span.end]
    if actual != span.text:
        problems.append(
            (
                f"surface text {span.text!r} does not match "
                f"text[{span.start}:{span.end}]={actual!r}",
                "the offsets or the text are wrong; re-anchor the span (never edit one alone)",
            )
        )
    elif actual != actual.strip():
        problems.append(
            (
                "span starts or ends with whitespace",
                "move the boundary onto the first/last character",
            )
        )
    return problems


def overlap_problems(spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Index pairs of overlapping spans (sorted sweep: O(n log n))."""
    if len(spans) < 2:
        return []
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start, spans[i].end))
    reach = -1
    for i in order:  # fast path: no span starts before an earlier one ends
        if spans[i].start < reach:
            break
        reach = spans[i].end
    else:
        return []
    pairs: list[tuple[int, int]] = []
    active: list[int] = []
    for i in order:
        active = [j for j in active if spans[j].end > spans[i].start]
        pairs.extend((j, i) for j in active)
        active.append(i)
    return pairs


def check_label_file(
    label_file: LabelFile,
    document: Document,
    schema: LabelSchema,
    path: str,
) -> list[Problem]:
    """Every problem of a parsed label file against its document and schema."""
    problems: list[Problem] = []
    if label_file.doc_id != document.id:
        problems.append(
            Problem(
                path,
                f"doc_id {label_file.doc_id!r} does not match the file name",
                "rename the file or fix doc_id",
            )
        )
    if label_file.text_sha256 != document.sha256:
        problems.append(
            Problem(
                path,
                "stale text hash: the labels were made on another text than the stored document",
                "re-anchor with `annotator import --replace-text`, or restore the document's text",
            )
        )
        return problems  # offsets into another text mean nothing here
    text = document.text
    names = set(schema.label_names)
    groups: Iterable[tuple[str, Sequence[AnySpan]]] = (
        ("spans", label_file.spans),
        ("suggestions", label_file.suggestions),
        ("rejected", label_file.rejected),
    )
    size = len(text)
    for kind, spans in groups:
        for index, span in enumerate(spans):
            start, end, surface = span.start, span.end, span.text
            if (  # the common case, inlined for `validate` speed; the rules are span_problems'
                span.label in names
                and 0 <= start < end <= size
                and text[start:end] == surface
                and not surface[0].isspace()
                and not surface[-1].isspace()
            ):
                continue
            for message, fix in span_problems(text, span, names):
                problems.append(Problem(path, message, fix, describe(kind, index, span)))
    keys = [(s.start, s.end, s.label) for s in label_file.spans]
    has_duplicates = len(set(keys)) != len(keys)
    seen: dict[tuple[int, int, str], int] = {}
    for index, span in enumerate(label_file.spans if has_duplicates else ()):
        if span.key in seen:
            problems.append(
                Problem(
                    path,
                    f"duplicate of spans[{seen[span.key]}]",
                    "delete one",
                    describe("spans", index, span),
                )
            )
        seen.setdefault(span.key, index)
    if not schema.allow_overlap:
        for a, b in overlap_problems(label_file.spans):
            first, second = label_file.spans[a], label_file.spans[b]
            if first.key == second.key:
                continue
            problems.append(
                Problem(
                    path,
                    f"overlaps {describe('spans', a, first)}",
                    "the schema does not allow overlapping spans: keep one or set allow_overlap",
                    describe("spans", b, second),
                )
            )
    return problems
