"""`--format conll`: one character per line with its IOB2 tag, CoNLL style.

`-DOCSTART- O` and a blank line open each document; a blank line closes each
sentence (after 。！？； or a newline, never inside a span). Whitespace
characters are not written: a CoNLL token cannot be blank (a span that
contains a space keeps its I- tags on both sides of it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from annotator.export.bio import non_overlapping
from annotator.export.chunk import sentence_ends
from annotator.export.jsonl import write_lines
from annotator.export.redact import RedactionStats, redact
from annotator.export.source import ExportItem


def char_tags(length: int, spans: Sequence[tuple[int, int, str]]) -> list[str]:
    tags = ["O"] * length
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{label}"
    return tags


def document_lines(
    item: ExportItem, *, mask: bool = False, stats: RedactionStats | None = None
) -> Iterator[bytes]:
    text, spans = item.text, list(item.spans)
    if mask:
        text, spans = redact(text, spans, stats)
    kept, _dropped = non_overlapping((s, e, label) for s, e, label, _t in spans)
    tags = char_tags(len(text), kept)
    inside = bytearray(len(text) + 1)  # 1 where a cut would fall inside a span
    for start, end, _label in kept:
        inside[start + 1 : end] = b"\x01" * (end - start - 1)
    ends = {p for p in sentence_ends(text) if not inside[p]}
    out = ["-DOCSTART- O\n", "\n"]
    open_sentence = False
    for i, ch in enumerate(text):
        if i in ends and open_sentence:
            out.append("\n")
            open_sentence = False
        if not ch.isspace():
            out.append(f"{ch} {tags[i]}\n")
            open_sentence = True
    if open_sentence:
        out.append("\n")
    yield "".join(out).encode("utf-8")


def write_conll(
    items: Iterable[ExportItem],
    path: Path,
    *,
    mask: bool = False,
    stats: RedactionStats | None = None,
) -> int:
    """Write every document; returns the number of documents."""
    return write_lines(
        path, (b"".join(document_lines(item, mask=mask, stats=stats)) for item in items)
    )


def read_conll(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Documents -> sentences -> (char, tag): what a CoNLL reader sees (used by tests)."""
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for raw in path.read_text(encoding="utf-8").split("\n"):
        if raw.startswith("-DOCSTART-"):
            docs.append([])
            continue
        if not raw:
            if sentence:
                docs[-1].append(sentence)
            sentence = []
            continue
        ch, tag = raw.rsplit(" ", 1)
        sentence.append((ch, tag))
    if sentence:
        docs[-1].append(sentence)
    return docs


__all__ = ["Path", "read_conll", "write_conll"]
