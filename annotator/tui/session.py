"""One open document: its label file, undo history, lock, saver and active time.

No Textual here. The annotate screen turns keys into calls on this object and
redraws from `label_file`; everything that decides what an edit means lives
in `annotator.edits`, and every accepted edit is handed to the background
saver at once.
"""

from __future__ import annotations

import functools
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from annotator import edits, store
from annotator.errors import AnnotatorError
from annotator.model import Document, LabelFile, LabelSchema, Span, Status, Suggestion
from annotator.spans import check_label_file
from annotator.tui.activity import ActiveTimer
from annotator.tui.saver import LabelSaver
from annotator.workspace import Workspace

if TYPE_CHECKING:
    from filelock import FileLock

RECOVERY_DIR = "recovery"
"""Under the workspace's `.annotator/`: label states that could not be saved on close."""

LOCKED_MESSAGE = (
    "read-only: this document is open in another annotator session for {annotator} "
    "(lock {lock}); close it there first — nothing here will be saved"
)


class ReadOnlyError(Exception):
    """An edit was attempted on a document opened read-only."""


P = ParamSpec("P")
R = TypeVar("R")


def _teaching_first(
    method: Callable[Concatenate[DocumentSession, P], R],
) -> Callable[Concatenate[DocumentSession, P], R]:
    """Apply any teaching still pending before this edit, undo or redo.

    The screen teaches one frame after a label; whatever comes next must see
    that state, so the order of effects never depends on timing.
    """

    def settled(self: DocumentSession, /, *args: P.args, **kwargs: P.kwargs) -> R:
        self.teach()
        return method(self, *args, **kwargs)

    functools.update_wrapper(settled, method)  # name and docstring of the edit
    return settled


class DocumentSession:
    """Editing state of one document for one annotator."""

    def __init__(
        self,
        workspace: Workspace,
        annotator: str,
        doc_id: str,
        *,
        on_saved: Callable[[LabelFile], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        take_lock: bool = True,
    ) -> None:
        self.workspace = workspace
        self.annotator = annotator
        self.document: Document = workspace.load_document(doc_id)
        self.schema: LabelSchema = workspace.schema()
        self.path = workspace.label_path(annotator, doc_id)
        self.problems: list[str] = []
        self.timer = ActiveTimer()
        self._lock: FileLock | None = None
        if take_lock:
            self._take_lock()
        loaded = self._load()
        self._on_disk: LabelFile | None = loaded
        start = loaded or LabelFile.new(self.document, annotator)
        if loaded is not None and self.problems:
            # Show what is there if it parses, but never write it back.
            start = loaded
        self.history = edits.History(start)
        self._base_active = start.active_seconds
        self.cursor = min(max(0, start.cursor), len(self.document.text))
        self._last_submitted: LabelFile | None = None
        self._untaught: list[Span] = []
        self.saver: LabelSaver | None = None
        if self.problems:
            self._release_lock()
        else:
            self.saver = LabelSaver(workspace, on_saved=on_saved, on_error=on_error)
        self.closed = False
        self.close_problem: str | None = None
        self.recovery_path: Path | None = None

    # --------------------------------------------------------------- opening

    def _take_lock(self) -> None:
        from filelock import Timeout

        lock = self.workspace.lock_labels(self.annotator, self.document.id)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            self.problems.append(
                LOCKED_MESSAGE.format(
                    annotator=self.annotator,
                    lock=self.workspace.relative(
                        self.workspace.lock_path(self.annotator, self.document.id)
                    ),
                )
            )
            return
        self._lock = lock

    def _load(self) -> LabelFile | None:
        rel = self.workspace.relative(self.path)
        try:
            loaded = self.workspace.load_labels(self.annotator, self.document.id)
        except AnnotatorError as exc:
            self.problems.append(f"read-only: cannot use the label file: {exc.render()}")
            return None
        if loaded is None:
            return None
        for problem in check_label_file(loaded, self.document, self.schema, rel):
            where = f"{problem.span}: " if problem.span else ""
            fix = f" ({problem.fix})" if problem.fix else ""
            self.problems.append(f"read-only: {rel}: {where}{problem.message}{fix}")
        return loaded

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    # ----------------------------------------------------------------- state

    @property
    def read_only(self) -> bool:
        return bool(self.problems)

    @property
    def label_file(self) -> LabelFile:
        return self.history.current

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def active_seconds(self) -> float:
        return self._base_active + self.timer.seconds

    def snapshot(self) -> LabelFile:
        """What goes to disk: the current state plus cursor and active time."""
        return self.history.current.model_copy(
            update={"active_seconds": round(self.active_seconds, 1), "cursor": self.cursor}
        )

    def save(self) -> None:
        if self.closed:
            raise ReadOnlyError("this document was closed: open it again to edit")
        if self.saver is None:
            raise ReadOnlyError(self.problems[0] if self.problems else "read-only")
        state = self.snapshot()
        self._last_submitted = state
        self.saver.submit(state)

    def _apply(self, new_state: LabelFile) -> bool:
        if self.read_only:
            raise ReadOnlyError(self.problems[0])
        if self.closed:
            raise ReadOnlyError("this document was closed: open it again to edit")
        if not self.history.push(new_state):
            return False
        self.save()
        return True

    # ----------------------------------------------------------------- edits

    @_teaching_first
    def label(self, start: int, end: int, label: str, *, selection: bool) -> bool:
        """A label key: relabel the span under the cursor, else label [start, end)."""
        current = self.label_file
        if not selection:
            under = [s for s in current.spans if s.overlaps(start, end)]
            if len(under) == 1:
                return self._apply_teaching(edits.relabel(current, under[0], label))
        return self._apply_teaching(
            edits.add_span(
                current, self.text, start, end, label, allow_overlap=self.schema.allow_overlap
            )
        )

    def _apply_teaching(self, new_state: LabelFile) -> bool:
        """Apply an edit that labelled something; what it teaches follows in `teach`.

        Proposing the string at its other occurrences scans the whole
        document and can touch a hundred suggestions. The screen shows the
        label in the key's own frame and calls `teach` right after; every
        other edit, undo or redo teaches first (`_teaching_first`).
        """
        before = self.label_file
        if not self._apply(new_state):
            return False
        self._untaught = edits.new_spans(before, new_state)
        return True

    @property
    def has_untaught(self) -> bool:
        return bool(self._untaught)

    def teach(self) -> bool:
        """Suggest the last labelled strings at their other occurrences, in the same undo step."""
        spans, self._untaught = self._untaught, []
        if not spans or self.read_only or self.closed:
            return False
        taught = self.label_file
        for span in spans:
            taught = edits.propagate(taught, self.text, span)
        if not self.history.amend(taught):
            return False
        self.save()
        return True

    def teach_workspace(self) -> list[str]:
        """Add this document's labelled names to the workspace lexicon (on `done`).

        Numbers are left out: a quantity says nothing about other documents.
        Returns the entries that were new.
        """
        from annotator.suggest.taught import add_entries

        by_label: dict[str, set[str]] = {}
        for span in self.label_file.spans:
            if span.label != "NUMBER" and len(span.text) >= 2 and "\n" not in span.text:
                by_label.setdefault(span.label, set()).add(span.text)
        added: list[str] = []
        for label, surfaces in sorted(by_label.items()):
            added.extend(add_entries(self.workspace.lexicon_dir, label, surfaces))
        return added

    @_teaching_first
    def remove_at(self, offset: int) -> bool:
        span = edits.span_at(self.label_file, offset)
        return span is not None and self._apply(edits.remove_span(self.label_file, span))

    @_teaching_first
    def toggle_uncertain_at(self, offset: int) -> bool:
        span = edits.span_at(self.label_file, offset)
        return span is not None and self._apply(edits.toggle_uncertain(self.label_file, span))

    @_teaching_first
    def accept_at(self, offset: int) -> bool:
        suggestion = edits.suggestion_at(self.label_file, offset)
        return suggestion is not None and self._apply_teaching(
            edits.accept_suggestion(
                self.label_file, suggestion, allow_overlap=self.schema.allow_overlap
            )
        )

    @_teaching_first
    def reject_at(self, offset: int) -> bool:
        suggestion = edits.suggestion_at(self.label_file, offset)
        return suggestion is not None and self._apply(
            edits.reject_suggestion(self.label_file, suggestion)
        )

    @_teaching_first
    def accept_all(self) -> bool:
        return self._apply(
            edits.accept_all(self.label_file, allow_overlap=self.schema.allow_overlap)
        )

    @_teaching_first
    def set_status(self, status: Status, note: str | None = None) -> bool:
        return self._apply(edits.set_status(self.label_file, status, note))

    @_teaching_first
    def undo(self) -> bool:
        if self.read_only or self.closed or self.history.undo() is None:
            return False
        self.save()
        return True

    @_teaching_first
    def redo(self) -> bool:
        if self.read_only or self.closed or self.history.redo() is None:
            return False
        self.save()
        return True

    @_teaching_first
    def add_suggestions(self, suggestions: Sequence[Suggestion]) -> bool:
        """Store freshly computed suggestions.

        They arrive moments after opening: before any edit they become the
        starting state (undo never removes them); after an edit they are one
        undoable step like any other.
        """
        if self.read_only or self.closed:
            return False
        new_state = edits.set_suggestions(self.label_file, suggestions)
        if new_state == self.label_file:
            return False
        if self.history.can_undo or self.history.can_redo:
            return self._apply(new_state)
        self.history = edits.History(new_state)
        self.save()
        return True

    @property
    def wants_suggestions(self) -> bool:
        lf = self.label_file
        return not self.read_only and not lf.suggestions and lf.status in ("todo", "in_progress")

    # ------------------------------------------------------------- queries

    def span_at(self, offset: int) -> Span | None:
        return edits.span_at(self.label_file, offset)

    def suggestion_after(self, offset: int, direction: int) -> Suggestion | None:
        """The next (direction 1) or previous (-1) pending suggestion from `offset`, wrapping."""
        ordered = sorted(self.label_file.suggestions, key=lambda s: (s.start, s.end))
        if not ordered:
            return None
        if direction > 0:
            after = [s for s in ordered if s.start > offset]
            return after[0] if after else ordered[0]
        before = [s for s in ordered if s.start < offset and not s.start <= offset < s.end]
        return before[-1] if before else ordered[-1]

    # -------------------------------------------------------------- closing

    @property
    def save_error(self) -> str | None:
        """Why the last finished save failed (None when the disk holds the last state written)."""
        return self.saver.last_error if self.saver is not None else None

    def flush_saves(self) -> str | None:
        """Wait for queued saves and retry one that failed; the error still standing, if any.

        A failed state is not retried on its own (the next edit carries it),
        so a quit or close must try once more: the disk may be back.
        """
        if self.saver is None or self.closed:
            return None
        self.saver.flush()
        if self.saver.last_error is not None:
            self.save()
            self.saver.flush()
        return self.saver.last_error

    def close(self) -> None:
        """Write the final cursor and active time if the file exists, flush, unlock.

        A save that failed is retried; if the last state still cannot be
        written it goes to a recovery copy and `close_problem` says where, so
        closing never drops edits silently.
        """
        if self.closed:
            return
        if self.saver is not None:
            self.teach()
            reference = self._last_submitted or self._on_disk
            failed = self.saver.last_error is not None
            if failed or (reference is not None and self.snapshot() != reference):
                self.save()
            done = self.saver.close()
            error = self.saver.last_error
            if not done and error is None:
                error = "the disk did not finish writing within 30 s"
            if error is not None:
                self.close_problem = self._recover(self.snapshot(), error)
        self.closed = True
        self._release_lock()

    def _recover(self, state: LabelFile, error: str) -> str:
        """Write `state` to a recovery copy; the sentence that tells the annotator where."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        name = f"{self.document.id}.{stamp}.json"
        folders = [
            self.workspace.cache_dir / RECOVERY_DIR / self.annotator,
            Path(tempfile.gettempdir()) / "annotator-recovery" / self.annotator,
        ]
        data = store.dumps_label_file(state)
        failures: list[str] = []
        for folder in folders:
            try:
                store.atomic_write_bytes(folder / name, data)
            except OSError as exc:
                failures.append(f"{folder}: {exc}")
                continue
            self.recovery_path = folder / name
            return (
                f"{self.document.id}: last change NOT SAVED ({error}); the labels are in "
                f"{self.workspace.relative(self.recovery_path)} — copy it to "
                f"{self.workspace.relative(self.path)} once the disk is fixed"
            )
        return (
            f"{self.document.id}: last change NOT SAVED ({error}) and no recovery copy could "
            f"be written ({'; '.join(failures)})"
        )
