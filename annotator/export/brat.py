"""`--format brat`: `<id>.txt` + `<id>.ann` standoff pairs and an `annotation.conf`.

brat counts offsets in characters (code points), like we do, so offsets carry
over unchanged. A span that crosses a line break is written as fragments
(`T1\tORG 0 3;4 7\t...`), since brat shows one line per text line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from annotator import store
from annotator.errors import AnnotatorError
from annotator.export.redact import RedactionStats, redact
from annotator.export.source import ExportItem


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) pieces of a span between line breaks."""
    pieces: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        cut = text.find("\n", pos, end)
        stop = end if cut < 0 else cut
        if stop > pos:
            pieces.append((pos, stop))
        pos = stop + 1
    return pieces


def ann(text: str, spans: Sequence[tuple[int, int, str, str]]) -> str:
    lines = []
    for number, (start, end, label, _surface) in enumerate(spans, 1):
        pieces = fragments(text, start, end)
        where = ";".join(f"{s} {e}" for s, e in pieces)
        surface = " ".join(text[s:e] for s, e in pieces)
        lines.append(f"T{number}\t{label} {where}\t{surface}\n")
    return "".join(lines)


def write_brat(
    items: Iterable[ExportItem],
    out: Path,
    labels: Sequence[str],
    *,
    mask: bool = False,
    stats: RedactionStats | None = None,
) -> int:
    """Write a pair per document plus annotation.conf; returns the number of documents.

    A folder holding an earlier brat export (its annotation.conf) is emptied
    of .txt/.ann pairs first, so documents no longer exported do not linger.
    """
    if out.is_dir() and any(p for p in out.iterdir() if not p.name.startswith(".")):
        if not (out / "annotation.conf").is_file():
            raise AnnotatorError(
                "brat folder is not empty and holds no earlier brat export (annotation.conf)",
                path=out,
                fix="pick an empty or new --out folder",
            )
        for old in out.iterdir():
            if old.suffix in (".txt", ".ann"):
                old.unlink()
    out.mkdir(parents=True, exist_ok=True)
    conf = (
        "[entities]\n"
        + "".join(f"{label}\n" for label in labels)
        + "\n[relations]\n\n[events]\n\n[attributes]\n"
    )
    store.atomic_write_bytes(out / "annotation.conf", conf.encode())
    count = 0
    for item in items:
        text, spans = item.text, list(item.spans)
        if mask:
            text, spans = redact(text, spans, stats)
        (out / f"{item.doc_id}.txt").write_text(text, encoding="utf-8", newline="")
        (out / f"{item.doc_id}.ann").write_text(ann(text, spans), encoding="utf-8", newline="")
        count += 1
    return count


def read_ann(path: Path) -> list[tuple[str, list[tuple[int, int]], str]]:
    """(label, fragments, surface) per T line (used by tests)."""
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.startswith("T"):
            continue
        _tid, middle, surface = raw.split("\t", 2)
        label, _, where = middle.partition(" ")
        pieces = [(int(a), int(b)) for a, b in (part.split() for part in where.split(";"))]
        out.append((label, pieces, surface))
    return out
