"""The documents screen: every document with its status, span count and title.

Built for 100k documents: rows are drawn by a virtual list, the ids come from
one directory scan, and statuses and titles from the derived indexes in
`annotator.index`, loaded in a thread worker so the screen is up at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, cast

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from annotator.index import DocumentSummary, LabelSummary
from annotator.model import STATUSES
from annotator.tui.widgets.row_list import RowList

if TYPE_CHECKING:
    from annotator.tui.app import AnnotatorApp

FILTERS: tuple[str, ...] = ("all", *STATUSES)
STATUS_STYLES = {
    "todo": Style(color="grey70"),
    "in_progress": Style(color="yellow", bold=True),
    "done": Style(color="green", bold=True),
    "skipped": Style(color="grey50"),
    "flagged": Style(color="red", bold=True),
    "invalid": Style(color="red", reverse=True),
}
STATUS_GLYPHS = {
    "todo": "·",
    "in_progress": "◐",
    "done": "✓",
    "skipped": "»",
    "flagged": "⚑",
    "invalid": "!",
}


@dataclass
class Overview:
    """What the documents screen shows, computed off the event loop."""

    order: list[str]
    labels: dict[str, LabelSummary]
    titles: dict[str, DocumentSummary] = field(default_factory=dict)
    labels_loaded: bool = True

    def status(self, doc_id: str) -> str:
        summary = self.labels.get(doc_id)
        return summary.status if summary is not None else "todo"

    def filtered(self, status: str) -> list[str]:
        if status == "all":
            return self.order
        return [doc_id for doc_id in self.order if self.status(doc_id) == status]

    def done(self) -> int:
        return sum(1 for doc_id in self.order if self.status(doc_id) == "done")

    def pace(self, today: str) -> str:
        """Documents finished today and per active hour (from label files touched today)."""
        finished = 0
        seconds = 0.0
        spans = 0
        for doc_id in self.order:
            summary = self.labels.get(doc_id)
            if summary is None or not summary.updated_at.startswith(today):
                continue
            seconds += summary.active_seconds
            if summary.status == "done":
                finished += 1
                spans += summary.spans
        if not finished:
            return "0 done today"
        hours = seconds / 3600
        rate = f" · {finished / hours:.1f} docs/h, {spans / hours:.0f} spans/h" if hours > 0 else ""
        return f"{finished} done today{rate}"


class OverviewReady(Message):
    """One loading phase done: "ids", then "labels" (statuses), then "titles"."""

    def __init__(self, overview: Overview, phase: str) -> None:
        super().__init__()
        self.overview = overview
        self.phase = phase


class DocumentList(RowList[str]):
    """Rows of document ids; status, spans and title are looked up as rows are drawn."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, empty_text="loading documents…")
        self.overview = Overview([], {})

    def row_segments(self, index: int, row: str, width: int) -> list[Segment]:
        summary = self.overview.labels.get(row)
        status = summary.status if summary is not None else "todo"
        if not self.overview.labels_loaded:
            status = "…"
        spans = summary.spans if summary is not None else 0
        doc = self.overview.titles.get(row)
        title = doc.title if doc is not None and doc.title != row else ""
        style = STATUS_STYLES.get(status, Style())
        return [
            Segment(f"{STATUS_GLYPHS.get(status, '?')} {status:<11} ", style),
            Segment(f"{spans:>5} ", Style(color="cyan")),
            Segment(f"{row}  ", Style(bold=True)),
            Segment(title),
        ]


class DocumentsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="documents.back"),
        Binding("right", "cycle_filter(1)", "Filter →", id="documents.filter_next"),
        Binding("left", "cycle_filter(-1)", "← Filter", show=False, id="documents.filter_previous"),
        *[
            Binding(str(i), f"filter('{name}')", name, show=False, id=f"documents.filter_{name}")
            for i, name in enumerate(FILTERS)
        ],
    ]

    def __init__(self, current: str | None = None, *, load: bool = True) -> None:
        super().__init__()
        self.current = current
        self.load_on_mount = load
        self.status_filter = "all"
        self.overview = Overview([], {})

    def compose(self) -> ComposeResult:
        yield Static("", id="documents-title")
        yield Static("", id="filters")
        with Horizontal(id="progress-row"):
            yield ProgressBar(total=None, show_eta=False, id="progress")
            yield Static("", id="pace")
        yield DocumentList(id="documents")
        yield Footer()

    def _app(self) -> AnnotatorApp:
        return cast("AnnotatorApp", self.app)

    def on_mount(self) -> None:
        app = self._app()
        self.query_one("#documents-title", Static).update(
            Text.assemble(
                (" Documents ", "bold reverse"),
                f"  workspace {app.workspace.name} · annotator {app.annotator}",
            )
        )
        self._show_filters()
        self.query_one(DocumentList).focus()
        if self.load_on_mount:
            self.reload()

    def on_screen_resume(self) -> None:
        if self.overview.order:
            self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False)
    def _load(self) -> None:
        from annotator.index import document_summaries, label_summaries
        from annotator.navigation import document_order

        app = self._app()
        order = document_order(app.workspace, app.annotator)
        known = self.overview
        if not known.order:  # first load: show the ids at once, statuses follow
            self.post_message(OverviewReady(Overview(order, {}, {}, labels_loaded=False), "ids"))
        # Answer from the index at once (trusting unchanged folder mtimes), then
        # verify every file and repaint only if another program edited one in place.
        labels = label_summaries(app.workspace, app.annotator, verify=False)
        self.post_message(OverviewReady(Overview(order, labels, known.titles), "labels"))
        titles = document_summaries(app.workspace, verify=False)
        self.post_message(OverviewReady(Overview(order, labels, titles), "titles"))
        checked_labels = label_summaries(app.workspace, app.annotator)
        checked_titles = document_summaries(app.workspace)
        if checked_labels != labels or checked_titles != titles:
            overview = Overview(order, checked_labels, checked_titles)
            self.post_message(OverviewReady(overview, "titles"))

    def on_overview_ready(self, message: OverviewReady) -> None:
        self.overview = message.overview
        listing = self.query_one(DocumentList)
        listing.overview = message.overview
        if message.phase == "titles":
            listing.refresh_rows()
        else:
            self._apply_filter(keep=True)
        if message.phase == "ids":
            self.query_one("#pace", Static).update(
                f" {len(message.overview.order)} documents · reading statuses…"
            )
            return
        total = len(message.overview.order)
        bar = self.query_one(ProgressBar)
        bar.update(total=max(total, 1), progress=message.overview.done())
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        done = message.overview.done()
        self.query_one("#pace", Static).update(
            f" {done}/{total} done · {message.overview.pace(today)}"
        )

    def _apply_filter(self, keep: bool = False) -> None:
        listing = self.query_one(DocumentList)
        previous = listing.rows[listing.highlighted] if keep and listing.rows else self.current
        rows = self.overview.filtered(self.status_filter)
        index = 0
        if previous is not None:
            import bisect

            at = bisect.bisect_left(rows, previous)
            if at < len(rows) and rows[at] == previous:
                index = at
        listing.empty_text = (
            f"no {self.status_filter} documents" if self.overview.order else "no documents"
        )
        listing.set_rows(rows, highlighted=index)
        self._show_filters()

    def _show_filters(self) -> None:
        text = Text(" filter: ")
        for i, name in enumerate(FILTERS):
            style = "bold reverse" if name == self.status_filter else "dim"
            text.append(f" {i} {name} ", style=style)
            text.append(" ")
        self.query_one("#filters", Static).update(text)

    def set_filter(self, name: str) -> None:
        if name in FILTERS:
            self.status_filter = name
            self._apply_filter(keep=True)

    def action_filter(self, name: str) -> None:
        self.set_filter(name)

    def action_cycle_filter(self, step: int) -> None:
        self.set_filter(FILTERS[(FILTERS.index(self.status_filter) + step) % len(FILTERS)])

    def action_back(self) -> None:
        self._app().leave_documents()

    def on_row_list_selected(self, message: DocumentList.Selected) -> None:
        listing = self.query_one(DocumentList)
        if listing.rows:
            self._app().open_document(listing.rows[message.index])
