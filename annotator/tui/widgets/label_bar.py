"""The label bar: each label's hotkey in its colour, so the keys are always in sight."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.widgets import Static

from annotator.model import LabelSchema


def label_bar_text(schema: LabelSchema, keys: Mapping[str, str] | None = None) -> Text:
    """`1 ORG  2 PERSON ...`; `keys` maps a label to its (remapped) key display."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for label in schema.labels:
        key = (keys or {}).get(label.name, label.hotkey)
        text.append(f" {key} ", style=f"bold #000000 on {label.color}")
        text.append(f" {label.name}  ", style=f"bold {label.color}")
    return text


class LabelBar(Static):
    def __init__(self, schema: LabelSchema, *, id: str | None = None) -> None:
        super().__init__(label_bar_text(schema), id=id)
        self.schema = schema

    def show_keys(self, keys: Mapping[str, str]) -> None:
        self.update(label_bar_text(self.schema, keys), layout=False)
