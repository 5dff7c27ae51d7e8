"""`annotator import`: read files, store documents, import spans, re-anchor corrections.

The rules (issue 2):
- A document is identified by its text hash. Re-importing a stored text is a
  no-op; a text already stored under another id is reused under that id, and
  the report says so.
- An id already stored with a different text is an error, unless
  `replace_text`: then the text is corrected and every label file made on the
  old text is re-anchored by aligning old and new text. A label file with a
  span that cannot be placed exactly is left untouched and each such span is
  reported (the old text is kept under `documents/.replaced/` so nothing is
  lost).
- Spans in a JSONL row become the annotator's label file (status `done`,
  source `import`), checked with the same span rules as every save. Identical
  labels are a no-op; different labels are an error unless `replace`.
- Every write goes through the store (atomic) under the label file's lock.

Problems never stop the whole import: each is collected as one line and the
next document or file is tried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from annotator import store
from annotator.errors import AnnotatorError
from annotator.ingest.align import Alignment, align
from annotator.ingest.errors import IngestError
from annotator.ingest.reader import Limits, RawDocument, iter_files, read_file
from annotator.model import (
    Document,
    DocumentMeta,
    LabelFile,
    RejectedSpan,
    Span,
    annotator_problem,
    utc_now,
)
from annotator.problems import Problem
from annotator.spans import check_label_file, describe
from annotator.text.normalize import text_sha256
from annotator.workspace import Workspace

# (bytes read so far, bytes in all files) after each document.
Progress = Callable[[int, int], None]
REPLACED_DIR = ".replaced"
LOCK_TIMEOUT = 5.0


@dataclass
class ImportReport:
    """What an import did, document by document, and every problem it met."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    reused: list[tuple[str, str]] = field(default_factory=list)  # (origin, stored id)
    replaced: list[str] = field(default_factory=list)
    labels_written: list[str] = field(default_factory=list)  # "annotator/doc_id"
    labels_unchanged: list[str] = field(default_factory=list)
    reanchored: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    annotator: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} new document{'s' if len(self.added) != 1 else ''}",
            f"{len(self.unchanged)} already stored",
        ]
        if self.reused:
            parts.append(f"{len(self.reused)} reused under an existing id")
        if self.replaced:
            parts.append(f"{len(self.replaced)} text(s) replaced")
        touched = self.labels_written or self.labels_unchanged
        by = f" by {self.annotator}" if self.annotator and touched else ""
        labels = (
            f"labels{by}: {len(self.labels_written)} written, "
            f"{len(self.labels_unchanged)} unchanged"
        )
        if self.reanchored:
            labels += f", {len(self.reanchored)} re-anchored"
        tail = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        if self.skipped_files:
            tail += f"; {len(self.skipped_files)} non-text file(s) skipped"
        return "; ".join([", ".join(parts), labels, tail])


def import_paths(
    ws: Workspace,
    paths: Iterable[Path],
    *,
    annotator: str | None = None,
    replace: bool = False,
    replace_text: bool = False,
    progress: Progress | None = None,
    limits: Limits | None = None,
    lock_timeout: float = LOCK_TIMEOUT,
) -> ImportReport:
    """Import files and folders into the workspace; problems are collected, not raised.

    `lock_timeout` is how long to wait for a label file another session
    (usually an open TUI) holds before reporting it.
    """
    importer = _Importer(ws, annotator, replace, replace_text, limits or Limits())
    importer.lock_timeout = lock_timeout
    return importer.run(list(paths), progress)


class _Importer:
    def __init__(
        self,
        ws: Workspace,
        annotator: str | None,
        replace: bool,
        replace_text: bool,
        limits: Limits,
    ) -> None:
        self.ws = ws
        self.annotator = annotator
        self.replace = replace
        self.replace_text = replace_text
        self.limits = limits
        self.report = ImportReport(annotator=annotator)
        self._by_sha: dict[str, str] | None = None
        self.lock_timeout = LOCK_TIMEOUT

    # ------------------------------------------------------------ driving

    def run(self, paths: list[Path], progress: Progress | None) -> ImportReport:
        if self.annotator is not None:
            problem = annotator_problem(self.annotator)
            if problem:
                self._problem("--annotator", problem, "pass a plain name, e.g. --annotator alice")
                return self.report
        files = list(self._files(paths))
        total = sum(_size(file) for file in files)
        done = 0
        for file in files:
            size = _size(file)

            def tell(position: int, base: int = done, size: int = size) -> None:
                if progress is not None:
                    progress(base + min(position, size), total)

            try:
                for raw in read_file(file, self.limits, tell):
                    self._guarded(raw)
            except IngestError as exc:
                self.report.problems.append(
                    Problem(exc.file, exc.message, exc.fix or "", line=exc.line)
                )
            done += size
            if progress is not None:
                progress(done, total)
        return self.report

    def _files(self, paths: list[Path]) -> Iterator[Path]:
        for path in paths:
            try:
                yield from iter_files(path, lambda p: self.report.skipped_files.append(str(p)))
            except IngestError as exc:
                self.report.problems.append(Problem(exc.file, exc.message, exc.fix or ""))

    def _guarded(self, raw: RawDocument) -> None:
        try:
            self._import(raw)
        except AnnotatorError as exc:
            self._problem(raw.origin, exc.message + (f" ({exc.path})" if exc.path else ""), exc.fix)
        except OSError as exc:
            self._problem(
                raw.origin, f"cannot write: {exc.strerror}", "check disk space and permissions"
            )

    def _problem(self, where: str, message: str, fix: str | None = None, span: str = "") -> None:
        self.report.problems.append(Problem(where, message, fix or "", span))

    # ---------------------------------------------------------- documents

    @property
    def by_sha(self) -> dict[str, str]:
        """Stored text hash -> document id, from the workspace's document index."""
        if self._by_sha is None:
            from annotator.index import document_summaries

            self._by_sha = {}
            for doc_id, summary in sorted(document_summaries(self.ws).items()):
                if summary.sha256:
                    self._by_sha.setdefault(summary.sha256, doc_id)
        return self._by_sha

    def _import(self, raw: RawDocument) -> None:
        sha = text_sha256(raw.text)
        try:
            meta = DocumentMeta(**raw.meta)
        except ValidationError as exc:
            self._problem(
                raw.origin, "invalid metadata: " + "; ".join(store.validation_messages(exc))
            )
            return
        stored = self.by_sha.get(sha)
        correcting = (
            self.replace_text
            and raw.id is not None
            and raw.id != stored
            and self.ws.has_document(raw.id)
        )
        if stored is not None and not correcting:
            target = stored
            wanted = raw.id or f"doc-{sha[:12]}"
            if wanted == stored:
                self.report.unchanged.append(stored)
            else:
                self.report.reused.append((raw.origin, stored))
                self.report.notes.append(
                    f"{raw.origin}: same text as stored document {stored!r}; "
                    f"reusing it (not stored again as {wanted!r})"
                )
        else:
            target = raw.id or f"doc-{sha[:12]}"
            if self.ws.has_document(target):
                old = self.ws.load_document(target)
                if old.sha256 == sha:
                    self.report.unchanged.append(target)
                elif self.replace_text:
                    if not self._replace_text(old, raw, meta, sha):
                        return
                else:
                    self._problem(
                        raw.origin,
                        f"id collision: document {target!r} is already stored "
                        "with a different text",
                        "give this document another id (rename the file or change the row's id), "
                        "or correct the stored text with --replace-text",
                    )
                    return
            else:
                document = Document(id=target, text=raw.text, sha256=sha, meta=meta)
                self.ws.save_document(document)
                self.by_sha[sha] = target
                self.report.added.append(target)
        if raw.spans is not None:
            self._import_spans(target, raw)

    # -------------------------------------------------------------- spans

    def _import_spans(self, doc_id: str, raw: RawDocument) -> None:
        spans = raw.spans or []
        if self.annotator is None:
            self._problem(
                raw.origin,
                f"the row has {len(spans)} span(s) but no annotator was named; "
                "they were not imported",
                "import again with --annotator NAME",
            )
            return
        document = self.ws.load_document(doc_id)
        built = self._build_spans(document, spans, raw.origin)
        if built is None:
            return
        incoming = LabelFile.new(document, self.annotator).model_copy(
            update={"status": "done", "spans": built}
        )
        label_path = self.ws.label_path(self.annotator, doc_id)
        rel = self.ws.relative(label_path)
        problems = check_label_file(incoming, document, self.ws.schema(), rel)
        if problems:
            for problem in problems:
                self._problem(raw.origin, problem.message, problem.fix, problem.span)
            return
        lock = self.ws.lock_labels(self.annotator, doc_id)
        store.acquire(lock, label_path, self.lock_timeout)
        try:
            existing = self.ws.load_labels(self.annotator, doc_id)
            name = f"{self.annotator}/{doc_id}"
            if existing is None:
                self.ws.save_labels(incoming, lock_held=True)
                self.report.labels_written.append(name)
                return
            fresh = existing.text_sha256 == document.sha256
            if fresh and _keys(existing.spans) == _keys(built):
                self.report.labels_unchanged.append(name)
                return
            untouched = fresh and not existing.spans and existing.status in ("todo", "in_progress")
            if not (untouched or self.replace):
                self._problem(
                    raw.origin,
                    f"{rel} already holds different labels by {self.annotator} "
                    f"({len(existing.spans)} span(s), status {existing.status}); "
                    "nothing was changed",
                    "pass --replace to overwrite them with the imported spans",
                )
                return
            merged = existing.model_copy(
                update={
                    "text_sha256": document.sha256,
                    "status": "done",
                    "spans": built,
                    "suggestions": tuple(
                        s for s in existing.suggestions if fresh and not _covers(built, s)
                    ),
                    "rejected": existing.rejected if fresh else (),
                }
            )
            self.ws.save_labels(merged, lock_held=True)
            self.report.labels_written.append(name)
        finally:
            lock.release()

    def _build_spans(
        self, document: Document, spans: list[dict[str, Any]], origin: str
    ) -> tuple[Span, ...] | None:
        text = document.text
        built: list[Span] = []
        for index, span in enumerate(spans):
            start, end = span["start"], span["end"]
            surface = span.get("text")
            if surface is None:
                surface = text[start:end] if 0 <= start < end <= len(text) else ""
            try:
                built.append(
                    Span(start=start, end=end, label=span["label"], text=surface, source="import")
                )
            except ValidationError as exc:
                self._problem(
                    origin,
                    f"spans[{index}] is invalid: " + "; ".join(store.validation_messages(exc)),
                    "fix the row's spans: 0 <= start < end <= len(text), code points",
                )
                return None
        return tuple(built)

    # ------------------------------------------------------- replace text

    def _replace_text(self, old: Document, raw: RawDocument, meta: DocumentMeta, sha: str) -> bool:
        """Correct a stored text and re-anchor its label files; False when nothing changed."""
        merged_meta = old.meta.model_dump(exclude_none=True) | meta.model_dump(exclude_none=True)
        new = Document(id=old.id, text=raw.text, sha256=sha, meta=DocumentMeta(**merged_meta))
        alignment = align(old.text, new.text)
        schema = self.ws.schema()
        writes: list[tuple[Path, LabelFile]] = []
        left_stale = False
        with ExitStack() as locks:
            for annotator in self.ws.annotators():
                path = self.ws.label_path(annotator, old.id)
                if not path.exists():
                    continue
                lock = self.ws.lock_labels(annotator, old.id)
                try:
                    store.acquire(lock, path, self.lock_timeout)
                except AnnotatorError as exc:
                    self._problem(
                        raw.origin,
                        f"cannot correct the text of {old.id!r}: {exc.message} "
                        f"({self.ws.relative(path)})",
                        exc.fix,
                    )
                    return False
                locks.callback(lock.release)
                rel = self.ws.relative(path)
                current = store.load_label_file(path)
                if current.text_sha256 == sha:
                    continue  # re-anchored by an earlier, interrupted run
                if current.text_sha256 != old.sha256:
                    self._problem(
                        rel,
                        "made on neither the stored nor the new text; left unchanged",
                        "fix it by hand, then run `annotator validate`",
                    )
                    left_stale = True
                    continue
                moved = self._reanchor(current, alignment, new, rel, raw.origin)
                if moved is None:
                    left_stale = True
                    continue
                problems = check_label_file(moved, new, schema, rel)
                if problems:
                    for problem in problems:
                        self._problem(rel, problem.message, problem.fix, problem.span)
                    left_stale = True
                    continue
                writes.append((path, moved))
            # Label files first, the document last: a crash in between leaves
            # label files on the new text and a rerun finishes the job.
            for path, label_file in writes:
                store.write_label_file(path, label_file)
                self.report.reanchored.append(self.ws.relative(path))
            if left_stale:
                keep = self.ws.documents_dir / REPLACED_DIR / f"{old.id}.{old.sha256[:12]}.json"
                store.write_document(keep, old)
                self.report.notes.append(
                    f"{old.id}: the previous text is kept in {self.ws.relative(keep)} "
                    "for the label files that could not be re-anchored"
                )
            self.ws.save_document(new)
        if self.by_sha.get(old.sha256) == old.id:
            del self.by_sha[old.sha256]
        self.by_sha[sha] = old.id
        self.report.replaced.append(old.id)
        self.report.notes.append(
            f"{raw.origin}: replaced the text of {old.id!r}; "
            f"re-anchored {len(writes)} label file(s)"
        )
        return True

    def _reanchor(
        self, label_file: LabelFile, alignment: Alignment, new: Document, rel: str, origin: str
    ) -> LabelFile | None:
        """The label file on the new text, or None (each unplaceable span reported)."""
        spans: list[Span] = []
        failed = False
        for index, span in enumerate(label_file.spans):
            placed = alignment.relocate(span.start, span.end)
            if placed is None:
                self._problem(
                    rel,
                    "cannot be placed exactly in the corrected text; label file left unchanged",
                    "re-label it by hand after fixing the others, or correct the text differently",
                    describe("spans", index, span),
                )
                failed = True
            else:
                spans.append(span.model_copy(update={"start": placed[0], "end": placed[1]}))
        if failed:
            return None
        dropped = 0
        suggestions = []
        for suggestion in label_file.suggestions:
            placed = alignment.relocate(suggestion.start, suggestion.end)
            if placed is None:
                dropped += 1
            else:
                suggestions.append(
                    suggestion.model_copy(update={"start": placed[0], "end": placed[1]})
                )
        rejected: list[RejectedSpan] = []
        for item in label_file.rejected:
            placed = alignment.relocate(item.start, item.end)
            if placed is None:
                dropped += 1
            else:
                rejected.append(item.model_copy(update={"start": placed[0], "end": placed[1]}))
        if dropped:
            self.report.notes.append(
                f"{rel}: dropped {dropped} pending suggestion(s)/rejection(s) on changed text"
            )
        cursor = alignment.position(label_file.cursor)
        return label_file.model_copy(
            update={
                "text_sha256": new.sha256,
                "spans": tuple(spans),
                "suggestions": tuple(suggestions),
                "rejected": tuple(rejected),
                "cursor": cursor if cursor is not None else min(label_file.cursor, len(new.text)),
                "updated_at": utc_now(),
            }
        )


def _keys(spans: Sequence[Span]) -> list[tuple[int, int, str]]:
    return sorted(span.key for span in spans)


def _covers(spans: Sequence[Span], suggestion: Span) -> bool:
    return any(span.overlaps(suggestion.start, suggestion.end) for span in spans)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
