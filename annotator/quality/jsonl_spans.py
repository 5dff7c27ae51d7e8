"""Span sets read from either a JSONL file or an annotator's label files.

`eval` compares two sides that may come from anywhere: the span JSONL shape
that `annotator suggest --jsonl` and the JSONL export write
(`{"id", "text", "spans": [{"start", "end", "label", ...}]}`), or the label
files of one annotator in a workspace. Both become `DocSpans` here, so the
metrics never know where their spans came from.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from annotator.errors import AnnotatorError
from annotator.model import Span, Status, annotator_problem
from annotator.workspace import Workspace

DONE_ONLY: tuple[Status, ...] = ("done",)


class SpanRef(NamedTuple):
    """A span reduced to what matching compares: offsets and label."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class DocSpans:
    """One document's spans on one side; `text` is None when the source did not give it."""

    doc_id: str
    text: str | None
    spans: tuple[SpanRef, ...]


class SpanSourceError(AnnotatorError):
    """A JSONL line or a side specification that cannot be read."""


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _parse_span(raw: Any, path: Path, lineno: int, index: int) -> SpanRef:
    where = f"line {lineno}, spans[{index}]"
    if not isinstance(raw, dict):
        raise SpanSourceError(f"{where}: a span must be an object", path=path)
    start, end, label = _as_int(raw.get("start")), _as_int(raw.get("end")), raw.get("label")
    if start is None or end is None or not isinstance(label, str) or not label:
        raise SpanSourceError(
            f"{where}: needs integer 'start' and 'end' and a string 'label'",
            path=path,
            fix='write spans as {"start": 0, "end": 2, "label": "ORG"}',
        )
    if not 0 <= start < end:
        raise SpanSourceError(f"{where}: offsets {start}:{end} are not 0 <= start < end", path=path)
    return SpanRef(start, end, label)


def parse_span_line(line: bytes, path: Path, lineno: int) -> DocSpans | None:
    """One JSONL line as DocSpans; None for a blank line."""
    if not line.strip():
        return None
    try:
        raw = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise SpanSourceError(f"line {lineno}: broken JSON ({exc.msg})", path=path) from None
    if not isinstance(raw, dict):
        raise SpanSourceError(f"line {lineno}: each line must be one JSON object", path=path)
    doc_id = raw.get("id")
    if not isinstance(doc_id, str | int) or isinstance(doc_id, bool) or doc_id == "":
        raise SpanSourceError(f"line {lineno}: missing 'id'", path=path)
    text = raw.get("text")
    if text is not None and not isinstance(text, str):
        raise SpanSourceError(f"line {lineno}: 'text' must be a string", path=path)
    spans_raw = raw.get("spans", [])
    if not isinstance(spans_raw, list):
        raise SpanSourceError(f"line {lineno}: 'spans' must be a list", path=path)
    spans = tuple(_parse_span(s, path, lineno, i) for i, s in enumerate(spans_raw))
    if text is not None:
        for span in spans:
            if span.end > len(text):
                raise SpanSourceError(
                    f"line {lineno}: span {span.start}:{span.end} runs past the text "
                    f"({len(text)} characters)",
                    path=path,
                )
    return DocSpans(str(doc_id), text, spans)


def read_span_jsonl(path: Path) -> dict[str, DocSpans]:
    """Every document of a span JSONL file, by id; a repeated id is an error."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SpanSourceError("file not found", path=path) from None
    except OSError as exc:
        raise SpanSourceError(f"cannot read: {exc.strerror}", path=path) from None
    docs: dict[str, DocSpans] = {}
    for lineno, line in enumerate(data.splitlines(), start=1):
        doc = parse_span_line(line, path, lineno)
        if doc is None:
            continue
        if doc.doc_id in docs:
            raise SpanSourceError(
                f"line {lineno}: document id {doc.doc_id!r} appears twice", path=path
            )
        docs[doc.doc_id] = doc
    return docs


def refs(spans: Iterable[Span]) -> tuple[SpanRef, ...]:
    return tuple(SpanRef(s.start, s.end, s.label) for s in spans)


def annotator_doc_spans(
    workspace: Workspace,
    annotator: str,
    *,
    statuses: Collection[Status] | None = DONE_ONLY,
) -> dict[str, DocSpans]:
    """An annotator's accepted spans per document (label files whose status is in `statuses`;
    None means every label file). Stale files (made on another text) are skipped."""
    docs: dict[str, DocSpans] = {}
    for doc_id in workspace.label_ids(annotator):
        label_file = workspace.load_labels(annotator, doc_id)
        if label_file is None or (statuses is not None and label_file.status not in statuses):
            continue
        if not workspace.has_document(doc_id):
            continue
        document = workspace.load_document(doc_id)
        if document.sha256 != label_file.text_sha256:
            continue
        docs[doc_id] = DocSpans(doc_id, document.text, refs(label_file.spans))
    return docs


def load_side(
    spec: str,
    workspace: Workspace | None,
    *,
    statuses: Collection[Status] | None = DONE_ONLY,
) -> dict[str, DocSpans]:
    """`spec` is a JSONL path when such a file exists, else an annotator name in `workspace`."""
    path = Path(spec).expanduser()
    if path.is_file():
        return read_span_jsonl(path)
    if annotator_problem(spec) is None and workspace is not None and spec in workspace.annotators():
        return annotator_doc_spans(workspace, spec, statuses=statuses)
    known = ", ".join(workspace.annotators()) if workspace is not None else ""
    hint = f" (annotators here: {known})" if known else ""
    raise SpanSourceError(
        f"{spec!r} is neither a JSONL file nor an annotator in the workspace{hint}",
        fix="pass a path to a span JSONL file or the name of an annotator folder under labels/",
    )


def span_jsonl_line(doc_id: str, text: str, spans: Sequence[Span]) -> bytes:
    """One JSONL line in the shared span shape (suggestions keep `source` and `score`)."""
    out: list[dict[str, Any]] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.label)):
        item: dict[str, Any] = {
            "start": span.start,
            "end": span.end,
            "label": span.label,
            "text": span.text,
            "source": span.source,
        }
        score = getattr(span, "score", None)
        if score is not None:
            item["score"] = round(float(score), 4)
        out.append(item)
    return orjson.dumps({"id": doc_id, "text": text, "spans": out}) + b"\n"
