"""The help screen: the label guidelines from the schema and every key binding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from annotator.model import LabelSchema

KeyRow = tuple[str, str, str]  # (keys, what it does, binding id)


def guidelines_text(schema: LabelSchema) -> Text:
    """Each label: hotkey, name in its colour, definition, examples, counter-examples."""
    text = Text()
    text.append("Label guidelines\n\n", style="bold underline")
    for label in schema.labels:
        text.append(f" {label.hotkey} ", style=f"bold #000000 on {label.color}")
        text.append(f" {label.name}\n", style=f"bold {label.color}")
        if label.definition:
            text.append(label.definition + "\n")
        if label.examples:
            text.append("  yes: ", style="bold green")
            text.append("、".join(label.examples) + "\n")
        if label.counter_examples:
            text.append("  no:  ", style="bold red")
            text.append("、".join(label.counter_examples) + "\n")
        text.append("\n")
    return text


def keys_table(rows: Sequence[KeyRow]) -> Table:
    table = Table(title="Keys", title_justify="left", expand=True, show_edge=False)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("does")
    table.add_column("keymap id", style="dim", no_wrap=True)
    for keys, description, binding_id in rows:
        table.add_row(keys, description, binding_id)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
    ]

    def __init__(self, schema: LabelSchema, keys: Sequence[KeyRow], keymap_file: str) -> None:
        super().__init__()
        self.schema = schema
        self.keys = keys
        self.keymap_file = keymap_file

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(guidelines_text(self.schema), id="help-guidelines")
            yield Static(keys_table(self.keys), id="help-keys")
            yield Static(
                Text(
                    f"Remap keys in {self.keymap_file}: one line per binding, e.g. "
                    'label.ORG = "f1" or edit.undo = "ctrl+u".',
                    style="dim",
                ),
                id="help-keymap",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
