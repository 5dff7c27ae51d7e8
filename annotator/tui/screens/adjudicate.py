"""The adjudication screen: the annotate screen over the gold file, with the candidates.

Everything an annotator can do on the annotate screen works here (label keys,
selection fine-tuning, undo, search, done/next/previous); this subclass adds
the candidate panel (every distinct span, who proposed it, ✓ when all agreed)
and the adjudication keys: `a` takes every agreed span, `enter` takes the
candidate under the cursor, `x` drops it, `tab`/`shift+tab` walk the pending
candidates, including several that start at the same character. `d` with
candidates still pending warns instead (they would stay undecided suggestions
in the gold file); `d` again right after marks the document done anyway.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, ClassVar, cast

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from annotator.model import LabelFile, LabelSchema, Suggestion
from annotator.quality.merge import Candidate
from annotator.tui.adjudication import AdjudicationSession, CandidateState, candidate_state
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.document_view import DocumentView
from annotator.tui.widgets.label_bar import LabelBar
from annotator.tui.widgets.row_list import RowList
from annotator.tui.widgets.span_list import SpanList

if TYPE_CHECKING:
    from annotator.tui.adjudicate_app import AdjudicateApp

AGREED_MARK = "✓"
DISPUTED_MARK = "≠"
STATE_MARKS: dict[CandidateState, tuple[str, str]] = {
    "pending": ("·", "bold"),
    "taken": ("●", "bold green"),
    "dropped": ("✗", "bold red"),
    "replaced": ("~", "bold yellow"),
}

CandidateRow = tuple[Candidate, CandidateState]


class CandidateList(RowList[CandidateRow]):
    """One row per candidate: agreed/disputed, its state in gold, label, text, who proposed it."""

    def __init__(self, schema: LabelSchema, *, id: str | None = None) -> None:
        super().__init__(id=id, empty_text="no candidates: nobody labelled a span")
        self._styles = {label.name: Style(color=label.color, bold=True) for label in schema.labels}
        self._label_width = max(len(name) for name in schema.label_names)

    def show(self, candidates: list[Candidate], label_file: LabelFile) -> None:
        self.set_rows([(c, candidate_state(label_file, c)) for c in candidates])

    def index_of(self, key: tuple[int, int, str]) -> int | None:
        for index, (candidate, _state) in enumerate(self.rows):
            if candidate.key == key:
                return index
        return None

    def row_segments(self, index: int, row: CandidateRow, width: int) -> list[Segment]:
        candidate, state = row
        agreed = Segment(AGREED_MARK, Style(color="green", bold=True))
        disputed = Segment(DISPUTED_MARK, Style(color="yellow", bold=True))
        mark, mark_style = STATE_MARKS[state]
        who = "+".join(candidate.annotators)
        return [
            agreed if candidate.agreed else disputed,
            Segment(mark, Style.parse(mark_style)),
            Segment(" "),
            Segment(f"{candidate.label:<{self._label_width}} ", self._styles.get(candidate.label)),
            Segment(candidate.text.replace("\n", " ")),
            Segment(f" {who}", Style(dim=True)),
        ]


def summary_text(candidates: list[Candidate], label_file: LabelFile) -> Text:
    agreed = sum(1 for c in candidates if c.agreed)
    states = [candidate_state(label_file, c) for c in candidates]
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{AGREED_MARK} {agreed} agreed ", style="bold green")
    text.append(f"{DISPUTED_MARK} {len(candidates) - agreed} disputed ", style="bold yellow")
    text.append(f"· {states.count('pending')} pending")
    return text


class AdjudicateScreen(AnnotateScreen):
    """A document's gold file with its candidates. Use `adjudicate_screen(schema)`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept_agreed", "Take agreed", id="adjudicate.accept_agreed"),
        Binding("enter", "take", "Take", id="adjudicate.take"),
        Binding("x", "drop", "Drop", id="adjudicate.drop"),
        Binding("tab", "next_candidate", "Next cand.", id="adjudicate.next"),
        Binding(
            "shift+tab", "previous_candidate", "Prev cand.", show=False, id="adjudicate.previous"
        ),
        # the annotate screen's keys, kept but out of the footer to leave room for the above
        Binding("A", "accept_all", "Accept all", show=False, id="suggestion.accept_all"),
        Binding("backspace,delete", "remove_span", "Remove", show=False, id="span.remove"),
        Binding("u", "toggle_uncertain", "Uncertain", show=False, id="span.uncertain"),
    ]

    session: AdjudicationSession

    def __init__(self, session: AdjudicationSession) -> None:
        super().__init__(session)
        self.current_candidate: Suggestion | None = None
        """The candidate tab landed on: enter / x act on it while the cursor stays there."""
        self.done_warned_at: int | None = None
        """The app's key count when `d` last warned of pending candidates."""

    def compose(self) -> ComposeResult:
        session = self.session
        yield Static(self._header_text(), id="doc-header")
        problems = Static("\n".join(session.problems), id="problems", markup=False)
        problems.display = session.read_only
        yield problems
        with Horizontal(id="body"):
            yield DocumentView(session.text, session.schema, id="view")
            with Vertical(id="adjudicate-side"):
                yield Static(
                    summary_text(session.candidates, session.label_file), id="candidates-summary"
                )
                yield CandidateList(session.schema, id="candidates")
                yield Static(f"{session.annotator} spans", id="gold-title")
                yield SpanList(session.schema, id="spans")
        yield LabelBar(session.schema, id="label-bar")
        yield Static("", id="status-line", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_candidates()

    def _header_text(self) -> Text:
        text = super()._header_text()
        sources = ", ".join(self.session.sources)
        text.append(f"  adjudicating into {self.session.annotator} from {sources}", style="dim")
        return text

    def _redraw(self) -> None:
        super()._redraw()
        self._show_candidates()

    def _show_candidates(self) -> None:
        session = self.session
        candidates = self.query_one(CandidateList)
        candidates.show(session.candidates, session.label_file)
        self.query_one("#candidates-summary", Static).update(
            summary_text(session.candidates, session.label_file)
        )
        if self.current_candidate is not None:
            index = candidates.index_of(self.current_candidate.key)
            if index is not None:
                candidates.move_to(index)

    def set_note(self, text: str) -> None:
        """A lasting part of the status line (the transient part says "saved" etc.)."""
        self.suggestion_state = text
        self._refresh_status_line()

    # ----------------------------------------------------------- candidates

    def _current_here(self) -> Suggestion | None:
        """The focused candidate if it is still pending and the cursor is still on it."""
        focused = self.current_candidate
        if focused is None or focused not in self.session.label_file.suggestions:
            return None
        cursor = self.view.cursor
        if focused.start <= cursor < focused.end or self.view.token_at(focused.start)[0] == cursor:
            return focused
        return None

    def target(self) -> Suggestion | None:
        """What enter / x act on: the focused candidate, else one under the cursor."""
        focused = self._current_here()
        if focused is not None:
            return focused
        view = self.view
        cursor = view.cursor
        under = [
            s
            for s in self.session.pending()
            if s.start <= cursor < s.end or view.token_at(s.start)[0] == cursor
        ]
        return under[0] if under else None

    def walk(self, direction: int) -> Suggestion | None:
        """Focus the next (1) or previous (-1) pending candidate, wrapping, and move there."""
        pending = self.session.pending()
        if not pending:
            self.set_status("no pending candidates")
            return None
        current = self._current_here()
        cursor = self.view.cursor
        if direction > 0:
            if current is not None:
                after = [s for s in pending if s.key > current.key]
            else:
                after = [s for s in pending if s.start >= cursor]
            chosen = after[0] if after else pending[0]
        else:
            if current is not None:
                before = [s for s in pending if s.key < current.key]
            else:
                before = [s for s in pending if s.start < cursor]
            chosen = before[-1] if before else pending[-1]
        self.current_candidate = chosen
        self.view.move_cursor(chosen.start, center=True)
        index = self.query_one(CandidateList).index_of(chosen.key)
        if index is not None:
            self.query_one(CandidateList).move_to(index)
        who = "+".join(chosen.agreed_by)
        agreed = "agreed" if self.session.is_agreed(chosen) else "disputed"
        self.set_status(f"{chosen.label} 「{chosen.text}」 by {who} ({agreed})")
        return chosen

    def take_target(self) -> bool:
        suggestion = self.target()
        if suggestion is None:
            self.set_status("no candidate under the cursor (tab goes to the next one)")
            return False
        self.current_candidate = None
        return self._edit("take", suggestion)

    def drop_target(self) -> bool:
        suggestion = self.target()
        if suggestion is None:
            self.set_status("no candidate under the cursor (tab goes to the next one)")
            return False
        self.current_candidate = None
        return self._edit("drop", suggestion)

    def accept_agreed(self) -> bool:
        return self._edit("accept_agreed", nothing="no agreed candidates pending")

    def _key(self, binding_id: str, fallback: str) -> str:
        """The key bound to `binding_id` now (a user keymap may move it)."""
        for active in self.active_bindings.values():
            if active.binding.id == binding_id:
                return self.app.get_key_display(active.binding)
        return fallback

    def pending_warning(self) -> str | None:
        """Why `d` should not finish yet: candidates still pending, and the keys for them."""
        agreed, disputed = self.session.pending_counts()
        if not agreed + disputed:
            return None
        next_key = self._key("adjudicate.next", "tab")
        done_key = self._key("doc.done", "d")
        take_key = self._key("adjudicate.accept_agreed", "a")
        disputes = f"{disputed} dispute{'' if disputed == 1 else 's'}"
        if not agreed:
            text = f"{disputes} pending"
        elif not disputed:
            text = f"{agreed} agreed pending ({take_key} takes them)"
        else:
            text = f"{disputes} + {agreed} agreed pending ({take_key} takes agreed)"
        return f"{text} — {next_key} jumps to one, {done_key} again marks done anyway"

    def confirm_done(self) -> bool:
        """True when `d` may finish: nothing pending, or `d` pressed right after the warning."""
        if self.session.read_only:
            return True  # the annotate screen says why it cannot be marked done
        presses = cast("AdjudicateApp", self.app).key_presses
        warned, self.done_warned_at = self.done_warned_at, None
        warning = self.pending_warning()
        if warning is None or (warned is not None and presses == warned + 1):
            return True
        self.done_warned_at = presses
        self.set_status(warning, error=True)
        return False

    # ------------------------------------------------------------- actions

    def action_done(self) -> None:
        if self.confirm_done():
            super().action_done()

    def action_accept_agreed(self) -> None:
        self.accept_agreed()

    def action_take(self) -> None:
        self.take_target()

    def action_drop(self) -> None:
        self.drop_target()

    def action_next_candidate(self) -> None:
        self.walk(1)

    def action_previous_candidate(self) -> None:
        self.walk(-1)

    def on_row_list_selected(self, message: RowList.Selected) -> None:
        if isinstance(message.row_list, CandidateList):
            candidate, _state = message.row_list.rows[message.index]
            pending = [s for s in self.session.pending() if s.key == candidate.key]
            self.current_candidate = pending[0] if pending else None
            self.view.move_cursor(candidate.start, center=True)
            self.view.focus()


@cache
def adjudicate_screen(schema: LabelSchema) -> type[AdjudicateScreen]:
    """An AdjudicateScreen subclass with one binding per schema label (ids `label.NAME`)."""
    bindings: list[BindingType] = [
        Binding(
            label.hotkey, f"label('{label.name}')", label.name, show=False, id=f"label.{label.name}"
        )
        for label in schema.labels
    ]
    return type(
        "AdjudicateScreen", (AdjudicateScreen,), {"BINDINGS": bindings, "__module__": __name__}
    )
