"""Small modal screens: the flag note and the search bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class FlagScreen(ModalScreen[str | None]):
    """Ask why the document is flagged; Enter flags, Escape cancels (returns None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, note: str = "") -> None:
        super().__init__()
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="flag-box", classes="dialog"):
            yield Label("Flag this document — what is wrong with it? (Enter flags, Esc cancels)")
            yield Input(self.note, placeholder="a note for the reviewer", id="flag-note")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class SearchScreen(ModalScreen[None]):
    """A search bar: each Enter jumps to the next match; Escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="dialog.cancel"),
    ]

    def __init__(self, find_next: Callable[[str], str], query: str = "") -> None:
        super().__init__()
        self.find_next = find_next
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box", classes="dialog"):
            yield Input(
                self.query_text,
                placeholder="find text (Enter: next match, Esc: close)",
                id="search-input",
            )
            yield Label("", id="search-result")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#search-result", Label).update(self.find_next(event.value))

    def action_close(self) -> None:
        self.dismiss(None)
