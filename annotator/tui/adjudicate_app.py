"""The adjudication app: walks the documents two or more annotators finished.

It holds at most one open gold document (an `AdjudicateScreen` with its
`AdjudicationSession`, which holds the gold file's lock); `d` marks it done and
opens the next document whose gold version is not done yet, `n` / `p` step
through the queue. The screen calls `open_next_todo` / `open_neighbour` like
the annotate screen does on the annotator app, so its keys work unchanged.
When the workspace has an assignment, the queue follows it (see
`adjudication_queue`). The app counts key presses so the screen can tell a `d`
pressed right after its warning from a later one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePath
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from annotator.errors import AnnotatorError
from annotator.tui.adjudication import (
    AdjudicationSession,
    Queue,
    adjudication_queue,
    nothing_message,
)
from annotator.tui.app import css_paths
from annotator.tui.base_app import SessionApp
from annotator.tui.keymap import load_keymap
from annotator.tui.screens.adjudicate import AdjudicateScreen, adjudicate_screen
from annotator.workspace import Workspace

_CSS: list[str | PurePath] = [*css_paths()]


class AdjudicateApp(SessionApp):
    TITLE = "annotator · adjudicate"
    CSS_PATH = _CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    def __init__(
        self, workspace: Path, into: str = "gold", annotators: Sequence[str] | None = None
    ) -> None:
        super().__init__()
        self.workspace = Workspace(Path(workspace))
        self.into = into
        self.annotators = list(annotators) if annotators else None
        self.queue = Queue(into, {})
        self.key_presses = 0
        """Keys pressed so far: `d` twice in a row is told from `d`, other keys, `d`."""
        self._last_key: events.Key | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="adjudicate-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        keymap, problems = load_keymap()
        if keymap:
            self.set_keymap(keymap)
        for problem in problems:
            self.notify(problem, severity="warning")
        try:
            self.queue = adjudication_queue(self.workspace, self.into, self.annotators)
        except AnnotatorError as exc:
            self.query_one("#adjudicate-message", Static).update(f"error: {exc.render()}")
            return
        if not self.queue.sources:
            message = nothing_message(self.annotators, self.queue)
            self.query_one("#adjudicate-message", Static).update(message)
            return
        if outside := len(self.queue.outside):
            documents = "1 document" if outside == 1 else f"{outside} documents"
            self.notify(
                f"left out: {documents} that two or more annotators finished but the assignment"
                " does not give to two of them (--annotators a,b adjudicates those)",
                title="Following the assignment",
                timeout=10,
            )
        first = self._next_undone(after=None)
        if first is None:
            first = self.queue.doc_ids[0]
            self.notify(f"every document is already adjudicated into {self.into!r}", title="Done")
        self.open_document(first)

    # ---------------------------------------------------------- documents

    @property
    def annotate(self) -> AdjudicateScreen | None:
        """The open document's screen, wherever it is in the stack."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, AdjudicateScreen):
                return screen
        return None

    def close_document(self) -> None:
        screen = self.annotate
        if screen is not None:
            screen.session.close()

    def open_document(self, doc_id: str) -> bool:
        """Open `doc_id`'s gold file, closing (flushing, unlocking) the open one first."""
        current = self.annotate
        session_open = current is not None and not current.session.closed
        if session_open and current is not None and current.session.document.id == doc_id:
            return True
        self.close_document()
        try:
            sources = self.queue.sources[doc_id]
            session = AdjudicationSession(self.workspace, self.into, doc_id, sources)
        except AnnotatorError as exc:
            self.notify(exc.render(), title="cannot open document", severity="error", timeout=10)
            return False
        screen = adjudicate_screen(session.schema)(session)
        if current is not None:
            while self.screen is not current and len(self.screen_stack) > 1:
                self.pop_screen()
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        return True

    def _gold_done(self) -> set[str]:
        from annotator.index import label_summaries

        summaries = label_summaries(self.workspace, self.into)
        return {doc_id for doc_id, s in summaries.items() if s.status == "done"}

    def _next_undone(self, after: str | None) -> str | None:
        """The first queued document after `after` (wrapping) whose gold file is not done."""
        ids = self.queue.doc_ids
        done = self._gold_done()
        if after is not None and after in ids:
            at = ids.index(after)
            ids = ids[at + 1 :] + ids[:at]
        return next((d for d in ids if d not in done), None)

    def open_next_todo(self, after: str | None) -> None:
        """After `d`: the next document still to adjudicate, or say that none is left."""
        screen = self.annotate
        if screen is not None and screen.session.saver is not None:
            screen.session.saver.flush()  # the index must see this document done
        doc_id = self._next_undone(after)
        if doc_id is None:
            message = self._all_done()
            self.notify(message, title="All done")
            if screen is not None:
                screen.set_note(message)
            return
        self.open_document(doc_id)

    def _all_done(self) -> str:
        """Nothing left to open: say so, and what the assignment still has to come."""
        waiting = len(self.queue.waiting)
        if not waiting:
            return f"every document is adjudicated into {self.into!r} (q quits)"
        rest = "waits for its annotators" if waiting == 1 else "wait for their annotators"
        done = f"every ready document is adjudicated into {self.into!r}"
        return f"{done}; {waiting} more {rest} (q quits)"

    async def on_event(self, event: events.Event) -> None:
        # a key the focused widget leaves unhandled bubbles back here: count it once
        if isinstance(event, events.Key) and event is not self._last_key:
            self._last_key = event
            self.key_presses += 1
        await super().on_event(event)

    def open_neighbour(self, doc_id: str, step: int) -> None:
        ids = self.queue.doc_ids
        at = ids.index(doc_id) + step if doc_id in ids else -1
        if not 0 <= at < len(ids):
            self.notify("no next document" if step > 0 else "no previous document")
            return
        self.open_document(ids[at])


def create_adjudicate_app(
    workspace: Path, into: str = "gold", annotators: Sequence[str] | None = None
) -> AdjudicateApp:
    """The Textual app for `annotator adjudicate` on `workspace` (tests use this)."""
    return AdjudicateApp(workspace, into, annotators)


__all__ = ["AdjudicateApp", "create_adjudicate_app"]
