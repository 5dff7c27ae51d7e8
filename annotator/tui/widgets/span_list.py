"""The side list of a document's spans (a virtual list: 300 spans cost only the visible rows)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.segment import Segment
from rich.style import Style

from annotator.model import LabelSchema, Span
from annotator.tui.widgets.row_list import RowList


class SpanList(RowList[Span]):
    """One row per span: a colour swatch, the label, the surface text; `?` when uncertain."""

    content_keyed = True

    def __init__(self, schema: LabelSchema, *, id: str | None = None) -> None:
        super().__init__(id=id, empty_text="no spans yet")
        self._styles: Mapping[str, Style] = {
            label.name: Style(color=label.color, bold=True) for label in schema.labels
        }
        self._label_width = max(len(name) for name in schema.label_names)

    def show_spans(self, spans: tuple[Span, ...]) -> None:
        self.set_rows(sorted(spans, key=lambda s: (s.start, s.end, s.label)))

    def index_of(self, offset: int) -> int | None:
        for index, span in enumerate(self.rows):
            if span.start <= offset < span.end:
                return index
        return None

    def row_segments(self, index: int, row: Span, width: int) -> list[Segment]:
        style = self._styles.get(row.label, Style(bold=True))
        mark = "?" if row.uncertain else " "
        text = row.text.replace("\n", " ")
        return [
            Segment("▌", Style(color=style.color)),
            Segment(f"{row.label:<{self._label_width}}", style),
            Segment(mark, Style(color="yellow", bold=True)),
            Segment(text),
        ]
