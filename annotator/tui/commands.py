"""The command palette (ctrl+p): go to a document, filter by status, accept all, tags, export."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from annotator.model import STATUSES

if TYPE_CHECKING:
    from annotator.tui.app import AnnotatorApp

EXPORT_HINT = (
    "Export from a shell: `annotator export --help` lists the formats "
    "(Hugging Face datasets, JSONL, CoNLL, brat); exports go to exports/."
)
MAX_DOCUMENT_HITS = 50


class AnnotatorCommands(Provider):
    """Commands of the annotator app; documents are matched by id and title."""

    async def startup(self) -> None:
        app = cast("AnnotatorApp", self.app)
        self._documents: list[tuple[str, str]] = await asyncio.to_thread(app.palette_documents)

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = cast("AnnotatorApp", self.app)
        commands: list[tuple[str, Callable[[], object], str]] = [
            (
                "Accept all suggestions",
                app.accept_all_suggestions,
                "accept every pending suggestion",
            ),
            ("Toggle span tags", app.toggle_tags, "show or hide the label name after each span"),
            (
                "Export…",
                partial(app.notify, EXPORT_HINT, title="Export"),
                "how to export the labels",
            ),
            ("Documents", app.action_documents, "open the documents screen"),
            ("Help and guidelines", app.action_help, "label guidelines and every key"),
        ]
        for status in ("all", *STATUSES):
            commands.append(
                (
                    f"Filter documents: {status}",
                    partial(app.show_documents, status),
                    f"list {status} documents",
                )
            )
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
        app = cast("AnnotatorApp", self.app)
        needle = query.strip().lower()
        for prefix in ("go to ", "open ", "doc "):
            if needle.startswith(prefix):
                needle = needle[len(prefix) :]
        if not needle:
            return
        shown = 0
        for doc_id, title in self._documents:
            if needle in doc_id.lower() or needle in title.lower():
                label = (
                    f"Go to {doc_id}  {title}" if title and title != doc_id else f"Go to {doc_id}"
                )
                score = 1.0 if doc_id.lower() == needle else 0.8
                yield Hit(
                    score,
                    label,
                    partial(app.open_document, doc_id),
                    text=label,
                    help="open this document",
                )
                shown += 1
                if shown >= MAX_DOCUMENT_HITS:
                    return
