"""The annotator app: which screen is up, which document is open, the user keymap.

`create_app` is the one entry point (the CLI, the tests and the benchmarks use
it). The app holds at most one open document (an `AnnotateScreen` with its
`DocumentSession`); opening another closes the first — its saves flushed and
its lock released — before the next lock is taken.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.types import CSSPathType

from annotator import navigation
from annotator.errors import AnnotatorError
from annotator.tui.base_app import SessionApp
from annotator.tui.commands import AnnotatorCommands
from annotator.tui.keymap import keymap_path, load_keymap
from annotator.tui.screens.annotate import AnnotateScreen, annotate_screen
from annotator.tui.screens.documents import DocumentsScreen
from annotator.tui.session import DocumentSession
from annotator.workspace import Workspace

TUI_DIR = Path(__file__).parent


def css_paths() -> list[Path]:
    """Every stylesheet of the app: ours, then any widget's own .tcss file."""
    paths = [TUI_DIR / "app.tcss", *sorted((TUI_DIR / "screens").glob("*.tcss"))]
    paths += sorted((TUI_DIR / "widgets").glob("*.tcss"))
    return paths


class StartAt(Message):
    """Where a session without --doc starts, found off the event loop."""

    def __init__(self, doc_id: str | None, cursor: int | None) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.cursor = cursor


class AnnotatorApp(SessionApp):
    TITLE = "annotator"
    CSS_PATH: ClassVar[CSSPathType | None] = list[str | PurePath](css_paths())
    COMMANDS = App.COMMANDS | {AnnotatorCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("D,ctrl+o", "documents", "Documents", id="app.documents"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="app.command_palette"),
    ]

    def __init__(self, workspace: Path, annotator: str, doc: str | None = None) -> None:
        super().__init__()
        self.workspace = Workspace(Path(workspace))
        self.annotator = annotator
        self.start_doc = doc
        self.keymap_problems: list[str] = []

    # ------------------------------------------------------------- start-up

    def on_mount(self) -> None:
        keymap, self.keymap_problems = load_keymap()
        if keymap:
            self.set_keymap(keymap)
        for problem in self.keymap_problems:
            self.notify(problem, severity="warning")
        if self.start_doc is not None:
            self.open_document(self.start_doc)
            return
        last = navigation.last_document(self.workspace, self.annotator)
        if last is not None:
            self.open_document(last[0], cursor=last[1])
            return
        try:
            answered, doc_id = navigation.next_todo_now(self.workspace, self.annotator)
        except AnnotatorError:
            answered, doc_id = False, None  # the worker below reports it
        if answered and doc_id is not None:
            self.open_document(doc_id)
            return
        # The documents screen is up at once; it loads its list only if there is
        # nothing to open, so the two never compete for the same index reads.
        self.push_screen(DocumentsScreen(load=False))
        self._find_start()

    @work(thread=True, group="start", exit_on_error=False)
    def _find_start(self) -> None:
        try:
            doc_id = navigation.next_todo(self.workspace, self.annotator)
        except AnnotatorError as exc:
            self.call_from_thread(self.notify, exc.render(), severity="error")
            doc_id = None
        self.post_message(StartAt(doc_id, None))

    def on_start_at(self, message: StartAt) -> None:
        screen = self.screen
        if not isinstance(screen, DocumentsScreen):
            return
        if message.doc_id is not None:
            self.open_document(message.doc_id, cursor=message.cursor)
        else:
            screen.reload()

    # ---------------------------------------------------------- documents

    @property
    def annotate(self) -> AnnotateScreen | None:
        """The open document's screen, wherever it is in the stack."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, AnnotateScreen):
                return screen
        return None

    def close_document(self) -> None:
        """Flush and unlock the open document (its screen stays until replaced)."""
        screen = self.annotate
        if screen is not None and not screen.session.closed:
            session = screen.session
            session.close()
            navigation.remember_document(
                self.workspace, self.annotator, session.document.id, session.cursor
            )

    def open_document(self, doc_id: str, cursor: int | None = None) -> bool:
        """Open `doc_id` for annotation, replacing the open document; False if it cannot be read."""
        current = self.annotate
        if (
            current is not None
            and current.session.document.id == doc_id
            and not current.session.closed
        ):
            while self.screen is not current and len(self.screen_stack) > 1:
                self.pop_screen()
            return True
        self.close_document()
        try:
            session = DocumentSession(self.workspace, self.annotator, doc_id)
        except AnnotatorError as exc:
            self.notify(exc.render(), title="cannot open document", severity="error", timeout=10)
            if not isinstance(self.screen, AnnotateScreen | DocumentsScreen):
                self.push_screen(DocumentsScreen())
            return False
        if cursor is not None and session.label_file.cursor == 0:
            session.cursor = min(cursor, len(session.text))
        screen = annotate_screen(session.schema)(session)
        navigation.remember_document(self.workspace, self.annotator, doc_id, session.cursor)
        if isinstance(self.screen, DocumentsScreen) and current is not None:
            self.pop_screen()
            self.switch_screen(screen)
        elif isinstance(self.screen, AnnotateScreen | DocumentsScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        return True

    def open_next_todo(self, after: str | None) -> None:
        try:
            doc_id = navigation.next_todo(self.workspace, self.annotator, after=after)
        except AnnotatorError as exc:
            self.notify(exc.render(), severity="error")
            return
        if doc_id is None:
            self.close_document()
            screen = self.annotate
            problem = screen.session.close_problem if screen is not None else None
            if problem is not None:  # the screen stays up, so its unmount will not say it
                self.notify(problem, title="NOT SAVED", severity="error", timeout=60)
            self.notify(
                "Nothing left to do: every document is done, skipped or flagged.", title="All done"
            )
            self.show_documents("all")
            return
        self.open_document(doc_id)

    def open_neighbour(self, doc_id: str, step: int) -> None:
        target = navigation.neighbour(self.workspace, self.annotator, doc_id, step)
        if target is None:
            self.notify("no next document" if step > 0 else "no previous document")
            return
        self.open_document(target)

    def show_documents(self, status_filter: str | None = None) -> None:
        top = self.screen
        if isinstance(top, DocumentsScreen):
            screen = top
        else:
            current = self.annotate
            screen = DocumentsScreen(current.session.document.id if current else None)
            if current is not None:
                current.session.timer.tick()
            self.push_screen(screen)
        if status_filter is not None:
            screen.status_filter = status_filter
            if screen.is_mounted:
                screen.set_filter(status_filter)

    def leave_documents(self) -> None:
        current = self.annotate
        if current is not None and isinstance(self.screen, DocumentsScreen):
            if current.session.closed:  # closed when nothing was left to do: reopen it
                self.open_document(current.session.document.id)
            else:
                self.pop_screen()
        else:
            self.notify("no document is open: pick one and press Enter")

    def palette_documents(self) -> list[tuple[str, str]]:
        """(id, title) of the annotator's documents for the palette (runs in a thread)."""
        from annotator.index import document_summaries

        summaries = document_summaries(self.workspace)
        order = navigation.document_order(self.workspace, self.annotator)
        return [
            (doc_id, summaries[doc_id].title if doc_id in summaries else "") for doc_id in order
        ]

    def accept_all_suggestions(self) -> None:
        if self.annotate is not None:
            self.annotate.accept_all()

    def toggle_tags(self) -> None:
        if self.annotate is not None:
            self.annotate.action_toggle_tags()

    # ------------------------------------------------------------- actions

    def action_documents(self) -> None:
        self.show_documents()


def create_app(workspace: Path, annotator: str, doc: str | None = None) -> AnnotatorApp:
    """The Textual app for `annotator` on `workspace` (tests and benchmarks use this)."""
    return AnnotatorApp(workspace, annotator, doc)


__all__ = ["AnnotatorApp", "create_app", "keymap_path"]
