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

Writes are batched: new documents, then the label files on them, are written
`batch_size` input documents at a time with `store.atomic_write_many` (one
round of concurrent fsyncs instead of two fsyncs per file), while the label
files' locks are held. A document's report lines are added only once its files
are durable, so whatever the report names is on disk; a crash mid-batch leaves
complete files only, and re-running the import converges (dedup by text). A
decision that needs a stored document's bytes (an id collision, a text
correction, a second label file for the same document) writes the batch first,
so every rule sees exactly what the one-by-one import saw.

Problems never stop the whole import: each is collected as one line and the
next document or file is tried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from filelock import FileLock

# (bytes read so far, bytes in all files) after each document.
Progress = Callable[[int, int], None]
REPLACED_DIR = ".replaced"
LOCK_TIMEOUT = 5.0
# Input documents per batch of writes; 1 writes each document as it is read.
BATCH_SIZE = 128
# A batch is also written once its new texts reach this many characters (memory bound).
BATCH_CHARS = 8_000_000


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
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import files and folders into the workspace; problems are collected, not raised.

    `lock_timeout` is how long to wait for a label file another session
    (usually an open TUI) holds before reporting it. `batch_size` input
    documents are written together (1: one by one, the benchmark's baseline).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    importer = _Importer(ws, annotator, replace, replace_text, limits or Limits())
    importer.lock_timeout = lock_timeout
    importer.batch_size = batch_size
    return importer.run(list(paths), progress)


@dataclass
class _LabelWrite:
    """A label file decided under its lock, waiting for its batch to be written."""

    path: Path
    label_file: LabelFile
    lock: FileLock
    name: str  # "annotator/doc_id"
    problem: Problem | None = None  # set when the write failed


@dataclass
class _Staged:
    """One input document's report lines and pending writes, reported once durable."""

    origin: str
    lines: list[tuple[str, Any]] = field(default_factory=list)  # (report field, item)
    needs: set[str] = field(default_factory=set)  # ids of unwritten documents it relies on
    label: _LabelWrite | None = None


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
        self.batch_size = BATCH_SIZE
        self._staged: list[_Staged] = []
        self._current: _Staged | None = None
        self._pending_docs: dict[str, tuple[Path, Document]] = {}
        self._pending_chars = 0
        self._pending_labels: set[Path] = set()

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
        try:
            for file in files:
                size = _size(file)

                def tell(position: int, base: int = done, size: int = size) -> None:
                    if progress is not None:
                        progress(base + min(position, size), total)

                try:
                    for raw in read_file(file, self.limits, tell):
                        self._guarded(raw)
                except IngestError as exc:
                    failure = Problem(exc.file, exc.message, exc.fix or "", line=exc.line)
                    self._staged.append(_Staged(str(exc.file), [("problems", failure)]))
                done += size
                if progress is not None:
                    progress(done, total)
            self._flush()
        finally:
            for record in self._staged:  # only when an unexpected error stopped the run
                if record.label is not None:
                    record.label.lock.release()
        return self.report

    def _files(self, paths: list[Path]) -> Iterator[Path]:
        for path in paths:
            try:
                yield from iter_files(path, lambda p: self.report.skipped_files.append(str(p)))
            except IngestError as exc:
                self.report.problems.append(Problem(exc.file, exc.message, exc.fix or ""))

    def _guarded(self, raw: RawDocument) -> None:
        record = _Staged(raw.origin)
        self._staged.append(record)
        self._current = record
        try:
            self._import(raw)
        except AnnotatorError as exc:
            self._add("problems", _error_problem(raw.origin, exc))
        except OSError as exc:
            self._add("problems", _write_problem(raw.origin, exc))
        finally:
            self._current = None
        if len(self._staged) >= self.batch_size or self._pending_chars >= BATCH_CHARS:
            self._flush()

    def _add(self, name: str, item: Any) -> None:
        """A report line of the document being imported, reported with its batch."""
        if self._current is None:
            getattr(self.report, name).append(item)
        else:
            self._current.lines.append((name, item))

    def _problem(self, where: str, message: str, fix: str | None = None, span: str = "") -> None:
        self._add("problems", Problem(where, message, fix or "", span))

    # ------------------------------------------------------------ batches

    def _has(self, doc_id: str) -> bool:
        return doc_id in self._pending_docs or self.ws.has_document(doc_id)

    def _document(self, doc_id: str) -> Document:
        pending = self._pending_docs.get(doc_id)
        return pending[1] if pending is not None else self.ws.load_document(doc_id)

    def _need(self, doc_id: str) -> None:
        """The current document's report relies on this document being written."""
        if self._current is not None and doc_id in self._pending_docs:
            self._current.needs.add(doc_id)

    def _flush(self) -> None:
        """Write the batch (documents, then their label files), then report it.

        Called in the middle of a document (`self._current`), that document's
        lines wait for the next batch; if a document it relies on could not be
        written, the write error is raised for it, as the one-by-one path would.
        """
        current = self._current
        staged = [record for record in self._staged if record is not current]
        self._staged = [current] if current is not None else []
        docs, self._pending_docs = self._pending_docs, {}
        self._pending_chars = 0
        self._pending_labels = set()
        try:
            failed = _write_each(
                [(path, store.dumps_document(document)) for path, document in docs.values()]
            )
            lost = {doc_id for doc_id, (path, _) in docs.items() if path in failed}
            for doc_id in lost:
                sha = docs[doc_id][1].sha256
                if self.by_sha.get(sha) == doc_id:
                    del self.by_sha[sha]
            self._write_labels(
                [record for record in staged if record.label and not record.needs & lost]
            )
        finally:
            for record in staged:
                if record.label is not None:
                    record.label.lock.release()
        for record in staged:
            missing = sorted(record.needs & lost)
            if missing:
                error = failed[docs[missing[0]][0]]
                self.report.problems.append(_write_problem(record.origin, error))
                continue
            for name, item in record.lines:
                getattr(self.report, name).append(item)
            if record.label is not None:
                if record.label.problem is None:
                    self.report.labels_written.append(record.label.name)
                else:
                    self.report.problems.append(record.label.problem)
        if current is not None:
            missing = sorted(current.needs & lost)
            current.needs.clear()
            if missing:
                current.lines.clear()
                raise failed[docs[missing[0]][0]]

    def _write_labels(self, records: list[_Staged]) -> None:
        """Check, stamp and write the batch's label files (their documents are on disk)."""
        ready: list[tuple[str, _LabelWrite, bytes]] = []
        for record in records:
            write = record.label
            assert write is not None
            try:  # what `Workspace.save_labels` does, split around the batched write
                self.ws.check_labels(write.label_file)
            except AnnotatorError as exc:
                write.problem = _error_problem(record.origin, exc)
                continue
            stamped = write.label_file.model_copy(update={"updated_at": utc_now()})
            ready.append((record.origin, write, store.dumps_label_file(stamped)))
        failed = _write_each([(write.path, data) for _, write, data in ready])
        for origin, write, _ in ready:
            if write.path in failed:
                write.problem = _write_problem(origin, failed[write.path])

    def _stage_label(self, path: Path, label_file: LabelFile, lock: FileLock, name: str) -> None:
        assert self._current is not None
        self._current.label = _LabelWrite(path, label_file, lock, name)
        self._pending_labels.add(path)

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
            self.replace_text and raw.id is not None and raw.id != stored and self._has(raw.id)
        )
        if stored is not None and not correcting:
            target = stored
            self._need(target)
            wanted = raw.id or f"doc-{sha[:12]}"
            if wanted == stored:
                self._add("unchanged", stored)
            else:
                self._add("reused", (raw.origin, stored))
                self._add(
                    "notes",
                    f"{raw.origin}: same text as stored document {stored!r}; "
                    f"reusing it (not stored again as {wanted!r})",
                )
        else:
            target = raw.id or f"doc-{sha[:12]}"
            if target in self._pending_docs:
                self._flush()  # the rules below compare with the stored bytes
            if self.ws.has_document(target):
                old = self.ws.load_document(target)
                if old.sha256 == sha:
                    self._add("unchanged", target)
                elif self.replace_text:
                    self._flush()  # its label files may wait in the batch, under their locks
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
                self._pending_docs[target] = (self.ws.document_path(target), document)
                self._pending_chars += len(document.text)
                self._need(target)
                self.by_sha[sha] = target
                self._add("added", target)
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
        document = self._document(doc_id)
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
        if label_path in self._pending_labels:
            self._flush()  # its lock is held and the rules below compare with its bytes
        lock = self.ws.lock_labels(self.annotator, doc_id)
        store.acquire(lock, label_path, self.lock_timeout)
        staged = False
        try:
            existing = self.ws.load_labels(self.annotator, doc_id)
            name = f"{self.annotator}/{doc_id}"
            if existing is None:
                self._stage_label(label_path, incoming, lock, name)
                staged = True
                return
            fresh = existing.text_sha256 == document.sha256
            if fresh and _keys(existing.spans) == _keys(built):
                self._add("labels_unchanged", name)
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
            self._stage_label(label_path, merged, lock, name)
            staged = True
        finally:
            if not staged:  # a staged label file keeps its lock until its batch is written
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
                self._add("reanchored", self.ws.relative(path))
            if left_stale:
                keep = self.ws.documents_dir / REPLACED_DIR / f"{old.id}.{old.sha256[:12]}.json"
                store.write_document(keep, old)
                self._add(
                    "notes",
                    f"{old.id}: the previous text is kept in {self.ws.relative(keep)} "
                    "for the label files that could not be re-anchored",
                )
            self.ws.save_document(new)
        if self.by_sha.get(old.sha256) == old.id:
            del self.by_sha[old.sha256]
        self.by_sha[sha] = old.id
        self._add("replaced", old.id)
        self._add(
            "notes",
            f"{raw.origin}: replaced the text of {old.id!r}; "
            f"re-anchored {len(writes)} label file(s)",
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
            self._add(
                "notes",
                f"{rel}: dropped {dropped} pending suggestion(s)/rejection(s) on changed text",
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


def _write_each(items: list[tuple[Path, bytes]]) -> dict[Path, OSError]:
    """Write a batch durably; the files that could not be written, with their errors.

    When the batch fails, each file is written again on its own (files the
    batch already renamed are rewritten with the same bytes), so one bad file
    is reported alone and the others are still written.
    """
    try:
        store.atomic_write_many(items)
    except OSError:
        failed: dict[Path, OSError] = {}
        for path, data in items:
            try:
                store.atomic_write_bytes(path, data)
            except OSError as exc:
                failed[path] = exc
        return failed
    return {}


def _error_problem(origin: str, exc: AnnotatorError) -> Problem:
    return Problem(origin, exc.message + (f" ({exc.path})" if exc.path else ""), exc.fix or "")


def _write_problem(origin: str, exc: OSError) -> Problem:
    return Problem(origin, f"cannot write: {exc.strerror}", "check disk space and permissions")


def _keys(spans: Sequence[Span]) -> list[tuple[int, int, str]]:
    return sorted(span.key for span in spans)


def _covers(spans: Sequence[Span], suggestion: Span) -> bool:
    return any(span.overlaps(suggestion.start, suggestion.end) for span in spans)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
