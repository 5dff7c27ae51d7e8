"""Lazily yield the (document, label file) pairs an export takes, and report the rest.

Nothing here holds the corpus: the iterators walk the annotator's label
folder in id order and read one document at a time. Label files with another
status are skipped quietly; invalid or stale ones are reported through the
core span checks (`annotator.spans.check_label_file`) and left out, never
exported wrong.

Each file is opened once per export: what passes the checks is what gets
written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from annotator import store
from annotator.errors import AnnotatorError, StoreError
from annotator.model import Document, LabelFile, LabelSchema
from annotator.problems import Problem
from annotator.spans import check_label_file
from annotator.workspace import Workspace

Report = Callable[[Problem], None]

SpanTuple = tuple[int, int, str, str]  # start, end, label, surface text


@dataclass(frozen=True, slots=True)
class ExportItem:
    """One document and its spans, in (start, end, label) order, as every format writes them."""

    doc_id: str
    text: str
    spans: tuple[SpanTuple, ...]
    meta: dict[str, Any]
    agreed_by: tuple[tuple[str, ...], ...] = ()  # provenance of adjudicated spans, where recorded


def _read(path: str, limit: int) -> bytes:
    """The file's bytes, refusing oversized files, with one open (no separate stat)."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise StoreError(
                f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit", path=path
            )
        return handle.read()


def _parse(data: bytes, path: str) -> Any:
    """orjson on the fast path; the store's parser (conflict markers, line, column) on failure."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return store.parse_json(data, Path(path))  # raises StoreError with the reason


def _item(label_file: LabelFile, document: Document) -> ExportItem:
    spans = sorted((s.start, s.end, s.label, s.text) for s in label_file.spans)
    return ExportItem(
        document.id,
        document.text,
        tuple(spans),
        document.meta.model_dump(exclude_none=True),
        tuple(s.agreed_by for s in label_file.spans if s.agreed_by),
    )


class Source:
    """The label files of one annotator with one status."""

    def __init__(
        self, workspace: Workspace, annotator: str, status: str, schema: LabelSchema | None = None
    ):
        self.workspace = workspace
        self.annotator = annotator
        self.status = status
        self.schema = schema or workspace.schema()
        self._label_dir = str(workspace.annotator_dir(annotator))
        self._doc_dir = str(workspace.documents_dir)
        self._rel_dir = workspace.relative(workspace.annotator_dir(annotator))

    def _paths(self, doc_id: str) -> tuple[str, str]:
        return (
            os.path.join(self._label_dir, doc_id + ".json"),
            os.path.join(self._doc_dir, doc_id + ".json"),
        )

    def relative_label(self, doc_id: str) -> str:
        """The label file's path as problems name it (relative to the workspace)."""
        return f"{self._rel_dir}/{doc_id}.json"

    def check(self, doc_id: str, report: Report) -> ExportItem | None:
        """Validate one pair; None when it has another status or is reported as broken."""
        label_path, doc_path = self._paths(doc_id)
        rel = self.relative_label(doc_id)
        try:
            raw = _parse(_read(label_path, store.MAX_LABEL_FILE_BYTES), label_path)
        except OSError as exc:
            report(Problem(rel, f"cannot read: {exc.strerror}"))
            return None
        except AnnotatorError as exc:
            report(Problem(rel, exc.message, exc.fix or ""))
            return None
        if isinstance(raw, dict) and raw.get("status") != self.status:
            return None  # another status: not part of this export, nothing wrong
        try:
            label_file = LabelFile.model_validate(raw)
        except ValidationError as exc:
            report(Problem(rel, "invalid label file: " + "; ".join(store.validation_messages(exc))))
            return None
        unusable = "no usable document for these labels: "
        try:
            document = Document.model_validate(
                _parse(_read(doc_path, store.MAX_DOCUMENT_FILE_BYTES), doc_path)
            )
        except OSError as exc:
            report(Problem(rel, unusable + str(exc.strerror), "import the document"))
            return None
        except AnnotatorError as exc:
            report(Problem(rel, unusable + exc.render(), exc.fix or ""))
            return None
        except ValidationError as exc:
            report(
                Problem(
                    rel,
                    unusable + "; ".join(store.validation_messages(exc)),
                    "re-import the document",
                )
            )
            return None
        if document.id != doc_id:
            report(
                Problem(
                    rel, f"document file {doc_id}.json holds id {document.id!r}", "rename the file"
                )
            )
            return None
        problems = check_label_file(label_file, document, self.schema, rel)
        if problems:
            for problem in problems:
                report(problem)
            return None
        return _item(label_file, document)

    def items(self, report: Report) -> Iterator[ExportItem]:
        """Every valid pair with the chosen status, in document id order."""
        for doc_id in self.workspace.label_ids(self.annotator):
            item = self.check(doc_id, report)
            if item is not None:
                yield item


def iter_items(
    workspace: Workspace,
    annotator: str,
    status: str,
    report: Report,
    schema: LabelSchema | None = None,
) -> Iterator[ExportItem]:
    """Validated pairs with the chosen status, in document id order (for the text formats)."""
    yield from Source(workspace, annotator, status, schema).items(report)
