"""The annotate screen: the text, its spans, the label bar, and every labelling key.

Keys become calls on a `DocumentSession` (which edits, records undo and
hands each state to the background saver); the screen then redraws from the
session's label file. Slow work — jieba tokens and suggestions — runs in
thread workers that post messages back; no widget is touched from a thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from annotator.model import LabelFile, LabelSchema, Status, Suggestion
from annotator.tui import heap
from annotator.tui.session import DocumentSession, ReadOnlyError
from annotator.tui.widgets.document_view import DocumentView
from annotator.tui.widgets.label_bar import LabelBar
from annotator.tui.widgets.span_list import SpanList

if TYPE_CHECKING:
    from annotator.tui.app import AnnotatorApp

SUGGESTIONS_UNAVAILABLE = "suggestions unavailable (no suggestion engine installed)"
QUIT_UNSAVED_HINT = "q again quits and keeps the labels in a recovery copy"


class TokensReady(Message):
    def __init__(self, tokens: Sequence[tuple[int, int]] | None, error: str | None = None) -> None:
        super().__init__()
        self.tokens = tokens
        self.error = error


class SuggestionsReady(Message):
    def __init__(self, suggestions: list[Suggestion] | None, error: str | None = None) -> None:
        super().__init__()
        self.suggestions = suggestions
        self.error = error


class Saved(Message):
    def __init__(self, label_file: LabelFile) -> None:
        super().__init__()
        self.label_file = label_file


class SaveFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


def compute_suggestions(
    text: str, label_file: LabelFile, schema: LabelSchema, lexicon_dir: Path
) -> list[Suggestion]:
    """Run the suggestion engine with the workspace's taught lexicon (slow: a worker's job)."""
    from annotator.suggest.engine import suggest_document
    from annotator.suggest.taught import load_lexicon

    result = suggest_document(
        text,
        labelled=label_file.spans,
        rejected=label_file.rejected,
        lexicon=load_lexicon(lexicon_dir),
        labels=schema.label_names,
    )
    return list(result)


class AnnotateScreen(Screen[None]):
    """One document open for labelling. Use `annotate_screen(schema)` for the label keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "backspace,delete",
            "remove_span",
            "Remove span under cursor",
            show=False,
            id="span.remove",
        ),
        Binding("u", "toggle_uncertain", "Mark span uncertain", show=False, id="span.uncertain"),
        Binding("tab", "next_suggestion", "Next suggestion", id="suggestion.next"),
        Binding(
            "shift+tab",
            "previous_suggestion",
            "Previous suggestion",
            show=False,
            id="suggestion.previous",
        ),
        Binding("enter", "accept", "Accept", id="suggestion.accept"),
        Binding("x", "reject", "Reject suggestion", id="suggestion.reject"),
        Binding(
            "A", "accept_all", "Accept all suggestions", show=False, id="suggestion.accept_all"
        ),
        Binding("ctrl+z", "undo", "Undo", id="edit.undo"),
        Binding("ctrl+y", "redo", "Redo", show=False, id="edit.redo"),
        Binding("d", "done", "Done", id="doc.done"),
        Binding("n", "next_document", "Next document", show=False, id="doc.next"),
        Binding("p", "previous_document", "Previous document", show=False, id="doc.previous"),
        Binding("s", "skip", "Skip, open next todo", show=False, id="doc.skip"),
        Binding("f", "flag", "Flag with a note, open next todo", show=False, id="doc.flag"),
        Binding("slash", "search", "Search", id="doc.search"),
        Binding("t", "toggle_tags", "Show/hide span tags", show=False, id="view.tags"),
    ]

    def __init__(self, session: DocumentSession) -> None:
        super().__init__()
        self.session = session
        if session.saver is not None:
            session.saver.on_saved = self.session_saved
            session.saver.on_error = self.session_failed
        self.status_text = ""
        self.suggestion_state = ""
        self.tokens_state = "loading word boundaries…"
        self.status_error = False
        self._span_list_timer: Timer | None = None
        self._status_shown: tuple[str, bool] | None = None
        self._last_query = ""
        self._quit_warned_for: LabelFile | None = None
        self._saved_wanted = True

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        session = self.session
        yield Static(self._header_text(), id="doc-header")
        problems = Static("\n".join(session.problems), id="problems", markup=False)
        problems.display = session.read_only
        yield problems
        with Horizontal(id="body"):
            yield DocumentView(session.text, session.schema, id="view")
            yield SpanList(session.schema, id="spans")
        yield LabelBar(session.schema, id="label-bar")
        yield Static("", id="status-line", markup=False)
        yield Footer()

    @property
    def view(self) -> DocumentView:
        return self.query_one("#view", DocumentView)

    def on_mount(self) -> None:
        view = self.view
        view.set_label_file(self.session.label_file)
        self.query_one(SpanList).show_spans(self.session.label_file.spans)
        view.move_cursor(self.session.cursor, center=True)
        view.focus()
        self._show_label_keys()
        if self.session.read_only:
            self.set_status(self.session.problems[0], error=True)
        self._load_tokens()
        if self.session.wants_suggestions:
            self.suggestion_state = "computing suggestions…"
            self._load_suggestions()
        self._refresh_status_line()

    def _show_label_keys(self) -> None:
        """Show remapped label keys in the bar (a user keymap may move them)."""
        keys: dict[str, str] = {}
        for active in self.active_bindings.values():
            binding = active.binding
            if binding.id and binding.id.startswith("label."):
                keys.setdefault(binding.id[6:], self.app.get_key_display(binding))
        self.query_one(LabelBar).show_keys(keys)

    # --------------------------------------------------------------- workers

    @work(thread=True, group="tokens", exit_on_error=False)
    def _load_tokens(self) -> None:
        from annotator.text.tokens import tokenize

        try:
            tokens = tokenize(self.session.text)
        except Exception as exc:  # keys keep working on the fallback tokens
            self.post_message(
                TokensReady(None, f"word boundaries unavailable: {type(exc).__name__}: {exc}")
            )
            return
        self.post_message(TokensReady(tokens))

    @work(thread=True, group="suggest", exit_on_error=False)
    def _load_suggestions(self) -> None:
        session = self.session
        try:
            found = compute_suggestions(
                session.text, session.label_file, session.schema, session.workspace.lexicon_dir
            )
        except ImportError:
            self.post_message(SuggestionsReady(None, SUGGESTIONS_UNAVAILABLE))
            return
        except Exception as exc:
            self.post_message(
                SuggestionsReady(None, f"suggestions failed: {type(exc).__name__}: {exc}")
            )
            return
        self.post_message(SuggestionsReady(found))

    def on_tokens_ready(self, message: TokensReady) -> None:
        self.tokens_state = ""
        if message.tokens is None:
            self.set_status(message.error or "word boundaries unavailable", error=True)
        else:
            self.view.set_tokens(message.tokens)
            self._refresh_status_line()
        self.call_after_refresh(heap.settle)  # the document is open and drawn: a quiet moment

    def on_suggestions_ready(self, message: SuggestionsReady) -> None:
        if message.suggestions is None:
            self.suggestion_state = message.error or ""
        else:
            added = self.session.add_suggestions(message.suggestions)
            count = len(self.session.label_file.suggestions)
            self.suggestion_state = f"{count} suggestions" if count else "no suggestions"
            if added:
                self._redraw()
        self._refresh_status_line()

    # ----------------------------------------------------------------- saving

    def session_saved(self, label_file: LabelFile) -> None:
        """Saver-thread callback: hand over to the event loop as a message.

        Only when the status line has something to change: while it already
        says "saved", a message per save would only cost the next key's frame.
        """
        if self._saved_wanted:
            self.post_message(Saved(label_file))

    def session_failed(self, error: str) -> None:
        self.post_message(SaveFailed(error))

    def on_saved(self, message: Saved) -> None:
        saver = self.session.saver
        if saver is not None and saver.idle and saver.last_error is None:
            self.set_status("saved")

    def on_save_failed(self, message: SaveFailed) -> None:
        if self.session.save_error is None:
            # The disk holds the labels (a later save went through, or only
            # the saved-callback failed): an error to show, but not "NOT SAVED".
            self.set_status(message.error, error=True)
            return
        hint = f" — {QUIT_UNSAVED_HINT}" if self._quit_warned_for is self.session.label_file else ""
        self.set_status(f"NOT SAVED: {message.error}{hint}", error=True)

    def may_quit(self) -> bool:
        """False, with a warning, the first time quitting would leave a change unsaved.

        The failed save is retried first (the disk may be back). A second
        `q` on the same state quits; closing then writes a recovery copy.
        """
        error = self.session.flush_saves()
        if error is None or self._quit_warned_for is self.session.label_file:
            return True
        self._quit_warned_for = self.session.label_file
        warning = f"NOT SAVED: {error} — {QUIT_UNSAVED_HINT}"
        self.set_status(warning, error=True)
        # the status line may be under another screen (documents, help): a toast too
        self.app.notify(warning, title="last change NOT SAVED", severity="error", timeout=20)
        self.app.bell()
        return False

    # ---------------------------------------------------------------- status

    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status_text = text
        self.status_error = error
        self._refresh_status_line()

    def _refresh_status_line(self) -> None:
        """Repaint the status line only when its text changes (one row, no layout)."""
        parts = [p for p in (self.status_text, self.tokens_state, self.suggestion_state) if p]
        shown = (" · ".join(parts), self.status_error)
        if shown == self._status_shown:
            return
        self._status_shown = shown
        line = self.query_one("#status-line", Static)
        line.set_class(self.status_error, "error")
        line.update(shown[0], layout=False)

    def _show_spans(self) -> None:
        """The side list and the header's counts, once a burst of edits is over."""
        self._span_list_timer = None
        self.query_one(SpanList).show_spans(self.session.label_file.spans)
        self.query_one("#doc-header", Static).update(self._header_text(), layout=False)

    def _header_text(self) -> Text:
        session = self.session
        lf = session.label_file
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {session.document.title} ", style="bold")
        text.append(f" {session.document.id} ", style="dim")
        text.append(f" {lf.status} ", style="reverse")
        text.append(f"  {len(lf.spans)} spans · {len(lf.suggestions)} pending")
        if session.read_only:
            text.append("  READ-ONLY", style="bold red")
        return text

    SPAN_LIST_DELAY = 0.08
    """Seconds of quiet before the side list and the header's counts follow an
    edit: the text shows the edit in the key's own frame, and a burst of keys
    repaints them once."""

    def _redraw(self) -> None:
        self.view.set_label_file(self.session.label_file)
        if self._span_list_timer is not None:
            self._span_list_timer.reset()  # a burst of keys: wait for its end
        else:
            self._span_list_timer = self.set_timer(self.SPAN_LIST_DELAY, self._show_spans)

    def _edited(self, changed: bool, nothing: str) -> bool:
        if changed:
            self._redraw()
            if self.session.has_untaught:
                self.call_after_refresh(self._teach)
            if self.status_text not in ("saved", "saving…"):
                self.set_status("saving…")  # "saved" stays up between quick edits
        else:
            self.set_status(nothing)
        return changed

    def _teach(self) -> None:
        """After the frame that shows a label: its string suggested elsewhere."""
        if self.session.teach():
            self._redraw()

    def _edit(self, method: str, *args: Any, nothing: str = "", **kwargs: Any) -> bool:
        """Run one session edit; a read-only document says why instead."""
        # Decided before the edit reaches the saver thread, so its answer cannot be missed.
        self._saved_wanted = self.status_error or self.status_text != "saved"
        try:
            changed = bool(getattr(self.session, method)(*args, **kwargs))
        except ReadOnlyError as exc:
            self.set_status(str(exc), error=True)
            self.app.bell()
            return False
        return self._edited(changed, nothing)

    # ---------------------------------------------------- edits (call directly)

    def label_target(self, label: str) -> bool:
        """Label the selection, or the token under the cursor (relabel a span there)."""
        view = self.view
        selection = view.selection
        start, end = view.target_range()
        changed = self._edit("label", start, end, label, selection=selection is not None)
        if changed:
            view.clear_selection()
        return changed

    def remove_at_cursor(self) -> bool:
        return self._edit("remove_at", self.view.cursor, nothing="no span under the cursor")

    def toggle_uncertain_at_cursor(self) -> bool:
        return self._edit(
            "toggle_uncertain_at", self.view.cursor, nothing="no span under the cursor"
        )

    def accept_at_cursor(self) -> bool:
        return self._edit("accept_at", self.view.cursor, nothing="no suggestion under the cursor")

    def reject_at_cursor(self) -> bool:
        return self._edit("reject_at", self.view.cursor, nothing="no suggestion under the cursor")

    def accept_all(self) -> bool:
        return self._edit("accept_all", nothing="no pending suggestions")

    def undo(self) -> bool:
        return self._edit("undo", nothing="nothing to undo")

    def redo(self) -> bool:
        return self._edit("redo", nothing="nothing to redo")

    def set_document_status(self, status: Status, note: str | None = None) -> bool:
        if self.session.read_only:
            self.set_status(self.session.problems[0], error=True)
            return False
        self._edit("set_status", status, note)
        return True

    def jump_to_suggestion(self, direction: int) -> bool:
        suggestion = self.session.suggestion_after(self.view.cursor, direction)
        if suggestion is None:
            self.set_status("no pending suggestions")
            return False
        self.view.move_cursor(suggestion.start, center=True)
        return True

    def find_next(self, query: str) -> str:
        """Jump to the next match of `query` after the cursor (wrapping); returns 'k/N'."""
        text = self.session.text
        if not query:
            return ""
        matches: list[int] = []
        at = text.find(query)
        while at >= 0:
            matches.append(at)
            at = text.find(query, at + 1)
        if not matches:
            return "no match"
        cursor = self.view.cursor
        after = [i for i, m in enumerate(matches) if m > cursor]
        index = after[0] if after else 0
        if query != self._last_query and cursor in matches:
            index = matches.index(cursor)
        self._last_query = query
        self.view.move_cursor(matches[index], center=True)
        return f"{index + 1}/{len(matches)}"

    # ------------------------------------------------------------- actions

    def action_label(self, label: str) -> None:
        self.label_target(label)

    def action_remove_span(self) -> None:
        self.remove_at_cursor()

    def action_toggle_uncertain(self) -> None:
        self.toggle_uncertain_at_cursor()

    def action_next_suggestion(self) -> None:
        self.jump_to_suggestion(1)

    def action_previous_suggestion(self) -> None:
        self.jump_to_suggestion(-1)

    def action_accept(self) -> None:
        self.accept_at_cursor()

    def action_reject(self) -> None:
        self.reject_at_cursor()

    def action_accept_all(self) -> None:
        self.accept_all()

    def action_undo(self) -> None:
        self.undo()

    def action_redo(self) -> None:
        self.redo()

    def action_toggle_tags(self) -> None:
        self.view.show_tags = not self.view.show_tags

    def _app(self) -> AnnotatorApp:
        return cast("AnnotatorApp", self.app)

    def action_done(self) -> None:
        if self.set_document_status("done"):
            try:
                self.session.teach_workspace()
            except OSError as exc:  # the labels are saved; only the lexicon update failed
                self.set_status(f"lexicon not updated: {exc}", error=True)
            self._app().open_next_todo(after=self.session.document.id)

    def action_skip(self) -> None:
        if self.set_document_status("skipped"):
            self._app().open_next_todo(after=self.session.document.id)

    def action_next_document(self) -> None:
        self._app().open_neighbour(self.session.document.id, 1)

    def action_previous_document(self) -> None:
        self._app().open_neighbour(self.session.document.id, -1)

    def action_flag(self) -> None:
        from annotator.tui.screens.dialogs import FlagScreen

        if self.session.read_only:
            self.set_status(self.session.problems[0], error=True)
            return

        def flagged(note: str | None) -> None:
            if note is not None and self.set_document_status("flagged", note):
                self._app().open_next_todo(after=self.session.document.id)

        self.app.push_screen(FlagScreen(self.session.label_file.note), flagged)

    def action_search(self) -> None:
        from annotator.tui.screens.dialogs import SearchScreen

        self.app.push_screen(SearchScreen(self.find_next, self._last_query))

    # --------------------------------------------------------------- events

    def on_document_view_cursor_moved(self, message: DocumentView.CursorMoved) -> None:
        self.session.cursor = message.offset

    def on_row_list_selected(self, message: SpanList.Selected) -> None:
        if isinstance(message.row_list, SpanList):
            span = message.row_list.rows[message.index]
            self.view.move_cursor(span.start, center=True)
            self.view.focus()

    def on_unmount(self) -> None:
        self.session.close()
        problem = self.session.close_problem
        if problem is not None and self.app.is_running:  # another document replaced this one
            self.app.notify(problem, title="NOT SAVED", severity="error", timeout=60)


@cache
def annotate_screen(schema: LabelSchema) -> type[AnnotateScreen]:
    """An AnnotateScreen subclass with one binding per schema label (ids `label.NAME`)."""
    bindings: list[BindingType] = [
        Binding(
            label.hotkey, f"label('{label.name}')", label.name, show=False, id=f"label.{label.name}"
        )
        for label in schema.labels
    ]
    return type("AnnotateScreen", (AnnotateScreen,), {"BINDINGS": bindings, "__module__": __name__})
