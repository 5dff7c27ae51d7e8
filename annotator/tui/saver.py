"""An ordered background writer, so keys never wait on fsync.

Every edit hands the new LabelFile to `submit`; one thread writes them in
order. When several states queue up behind a slow disk only the newest is
written (each state contains every earlier edit), so nothing is lost and
nothing is written twice. `flush` waits until the disk holds the last state.
No Textual here: results are reported through plain callbacks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from annotator.errors import AnnotatorError
from annotator.model import LabelFile
from annotator.workspace import Workspace

SavedCallback = Callable[[LabelFile], None]
ErrorCallback = Callable[[str], None]

logger = logging.getLogger(__name__)


class LabelSaver:
    """Writes one document's label file, newest state last, on its own thread."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        on_saved: SavedCallback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> None:
        self._workspace = workspace
        self.on_saved = on_saved
        self.on_error = on_error
        self._cond = threading.Condition()
        self._pending: LabelFile | None = None
        self._busy = False
        self._closed = False
        self.last_saved: LabelFile | None = None
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name="label-saver", daemon=True)
        self._thread.start()

    def submit(self, label_file: LabelFile) -> None:
        """Queue a state for writing (replacing any state not yet started)."""
        with self._cond:
            if self._closed:
                raise RuntimeError("saver is closed")
            self._pending = label_file
            self._cond.notify_all()

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Block until every submitted state is on disk; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._busy, timeout)

    def close(self, timeout: float | None = 30.0) -> bool:
        """Flush, then stop the thread."""
        done = self.flush(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)
        return done

    @property
    def idle(self) -> bool:
        with self._cond:
            return self._pending is None and not self._busy

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._closed)
                if self._pending is None:
                    return
                label_file, self._pending = self._pending, None
                self._busy = True
            message: str | None = None
            saved: LabelFile | None = None
            try:
                saved = self._workspace.save_labels(label_file, lock_held=True)
            except AnnotatorError as exc:
                message = exc.render()
            except OSError as exc:
                message = f"cannot save: {exc}"
            except Exception as exc:  # a bug, not the disk: say so, and keep the writer alive
                logger.exception("label saver: unexpected error while saving")
                message = f"cannot save: {type(exc).__name__}: {exc}"
            with self._cond:
                self._busy = False
                if saved is not None:
                    self.last_saved = saved
                    self.last_error = None
                else:
                    self.last_error = message
                self._cond.notify_all()
            # Callbacks run outside the lock so they may call `idle` or `submit`.
            if saved is not None:
                self._report_saved(saved)
            elif message is not None:
                self._report_error(message)

    def _report_saved(self, saved: LabelFile) -> None:
        """Tell the app a state is on disk; a failing callback is reported, never fatal.

        The writer thread must outlive a broken callback (later edits still
        need writing), but the failure must not vanish: it goes to the error
        callback (`last_error` stays None, so the app can tell the labels are
        safe) and to the log.
        """
        if self.on_saved is None:
            return
        try:
            self.on_saved(saved)
        except Exception as exc:
            logger.exception("label saver: the saved-callback failed")
            self._report_error(f"saved, but the app was not told: {type(exc).__name__}: {exc}")

    def _report_error(self, message: str) -> None:
        """Hand a failure to the error callback; if that fails too, log both."""
        if self.on_error is None:
            logger.error("label saver: %s", message)
            return
        try:
            self.on_error(message)
        except Exception:
            logger.exception("label saver: the error callback failed on: %s", message)
