"""Files and folders -> RawDocument: normalized text, metadata, optional spans.

This is the whole read side of import: it never touches a workspace. Ids come
from file stems (made safe to be file names) or from JSONL rows (checked, never
rewritten: a row id that looks like a path is an error, not a guess).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.ingest.align import align
from annotator.ingest.decode import decode_bytes
from annotator.ingest.errors import IngestError
from annotator.ingest.jsonl import MAX_LINE_BYTES, Row, iter_rows
from annotator.ingest.markup import html_document, markdown_to_text, parse_front_matter
from annotator.ingest.sniff import KNOWN_SUFFIXES, looks_like_jsonl, sniff_body, split_front_matter
from annotator.model import doc_id_problem
from annotator.text.normalize import normalize_text

# A single document's text, UTF-8 encoded, may not exceed this.
MAX_TEXT_BYTES = 10 * 1024 * 1024
# A non-JSONL file is refused before reading when larger than this: markup
# can triple a text's size, UTF-16 doubles it.
MAX_FILE_BYTES = 5 * MAX_TEXT_BYTES
_HEAD_BYTES = 4096
_SLUG_BAD_RE = re.compile(r"[^\w.\-]+")
_DOTS_RE = re.compile(r"\.{2,}")
_MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A document as read, before the workspace decides its id and stores it."""

    id: str | None
    text: str
    meta: dict[str, str]
    spans: list[dict[str, Any]] | None
    origin: str


@dataclass(frozen=True, slots=True)
class Limits:
    max_text_bytes: int = MAX_TEXT_BYTES
    max_file_bytes: int = MAX_FILE_BYTES
    max_line_bytes: int = MAX_LINE_BYTES


def read_path(path: Path, limits: Limits = Limits()) -> Iterator[RawDocument]:
    """Every document in a file or (recursively, sorted) a folder."""
    for file in iter_files(path):
        yield from read_file(file, limits)


def iter_files(path: Path, on_skip: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """A named file as it is; a folder's text files, sorted, hidden ones skipped.

    Inside folders only known extensions (.txt .md .html .jsonl ...) are read,
    so a folder of articles with their images imports cleanly; each skipped
    file is passed to `on_skip`.
    """
    if not path.exists():
        raise IngestError(path, "no such file or folder", fix="check the path")
    if not path.is_dir():
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            file = Path(root, name)
            if file.suffix.lower() in KNOWN_SUFFIXES:
                yield file
            elif on_skip is not None:
                on_skip(file)


def read_file(
    path: Path,
    limits: Limits = Limits(),
    on_position: Callable[[int], None] | None = None,
) -> Iterator[RawDocument]:
    """The documents in one file: one for an article, one per row for JSONL.

    `on_position` hears how many bytes of the file have been read before each
    document is yielded (a progress bar over a large JSONL).
    """
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise IngestError(path, "is not a regular file", fix="name a file or a folder")
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as exc:
        raise IngestError(path, f"cannot read: {exc.strerror}", fix="check permissions") from None
    if looks_like_jsonl(head, path.suffix):
        for row in iter_rows(path, max_line_bytes=limits.max_line_bytes):
            document = _from_row(row, path, limits)
            if on_position is not None:
                on_position(row.end_offset)
            yield document
        return
    if size > limits.max_file_bytes:
        raise IngestError(
            path,
            f"file is {size / _MB:.1f} MB, over the {limits.max_file_bytes / _MB:.0f} MB limit",
            fix="split it into smaller documents",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read: {exc.strerror}", fix="check permissions") from None
    text, meta = article_text(decode_bytes(data, path).text, path)
    document = finish(slug_id(path.stem), text, meta, None, str(path), limits)
    if on_position is not None:
        on_position(size)
    yield document


def article_text(decoded: str, path: Path) -> tuple[str, dict[str, str]]:
    """(normalized readable text, metadata) of one decoded article file."""
    text = normalize_text(decoded)
    meta: dict[str, str] = {}
    block, body = split_front_matter(text)
    if block is not None:
        parsed = parse_front_matter(block, path)
        if parsed is None:
            body = text  # not front matter after all: markdown between two rules
        else:
            meta = parsed
    kind = sniff_body(body, path.suffix)
    title: str | None = None
    if kind == "html":
        body, page_meta = html_document(body)
        for key, value in page_meta.items():
            meta.setdefault(key, normalize_text(value))  # front matter wins
    elif kind == "markdown":
        body, title = markdown_to_text(body)
    elif block is not None:
        body = body.lstrip("\n")  # plain text is kept as written otherwise
    if title and "title" not in meta:
        meta["title"] = normalize_text(title)
    return normalize_text(body), meta


def _from_row(row: Row, path: Path, limits: Limits) -> RawDocument:
    origin = f"{path}:{row.line}"
    if row.id is not None:
        problem = doc_id_problem(row.id)
        if problem:
            raise IngestError(
                path, problem, line=row.line, fix="give the row an id without '/', '\\' or '..'"
            )
    text = normalize_text(row.text)
    spans = row.spans
    if spans is not None and text != row.text:
        spans = _renormalized_spans(row, text, path)
    meta = {key: normalize_text(value) for key, value in row.meta.items()}
    return finish(row.id, text, meta, spans, origin, limits, line=row.line)


def _renormalized_spans(row: Row, text: str, path: Path) -> list[dict[str, Any]]:
    """Normalization moved characters (CRLF, NFC): carry each span over exactly."""
    alignment = align(row.text, text)
    moved: list[dict[str, Any]] = []
    for index, span in enumerate(row.spans or ()):
        placed = alignment.relocate(span["start"], span["end"])
        if placed is None:
            raise IngestError(
                path,
                f"spans[{index}] {span['start']}:{span['end']} cannot be placed in the "
                "normalized text (NFC, \\n newlines, no control characters)",
                line=row.line,
                fix="normalize the text before computing offsets",
            )
        surface = span.get("text")
        moved.append(
            {**span, "start": placed[0], "end": placed[1]}
            | ({"text": normalize_text(surface)} if surface is not None else {})
        )
    return moved


def finish(
    doc_id: str | None,
    text: str,
    meta: dict[str, str],
    spans: list[dict[str, Any]] | None,
    origin: str,
    limits: Limits = Limits(),
    line: int | None = None,
) -> RawDocument:
    """Size and emptiness checks, script and language metadata."""
    where = origin.rsplit(":", 1)[0] if line is not None else origin
    size = len(text.encode("utf-8"))
    if size > limits.max_text_bytes:
        raise IngestError(
            where,
            f"document text is {size / _MB:.1f} MB, over the "
            f"{limits.max_text_bytes / _MB:.0f} MB limit",
            line=line,
            fix="split it into smaller documents",
        )
    if not text.strip():
        raise IngestError(where, "contains no text", line=line, fix="remove it or add text")
    meta = dict(meta)
    script, han_dominates = _script(text)
    if script != "unknown":
        meta.setdefault("script", script)
    if han_dominates:
        meta.setdefault("language", "zh")
    return RawDocument(doc_id, text, meta, spans, origin)


def _script(text: str) -> tuple[str, bool]:
    sample = text[:100_000]
    han = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")
    if not han:
        return "unknown", False
    letters = sum(1 for ch in sample if ch.isalpha()) - han
    from annotator.text.script import detect_script

    return detect_script(sample), han > letters


def slug_id(stem: str) -> str | None:
    """A file stem made into a document id: unsafe runs become '-', CJK kept.

    None when nothing usable is left (the importer then names it by hash).
    """
    slug = unicodedata.normalize("NFC", stem).strip()
    slug = _SLUG_BAD_RE.sub("-", slug)
    slug = _DOTS_RE.sub(".", slug)
    slug = slug.lstrip(".-").rstrip("-")[:128].rstrip("-")
    if not slug or doc_id_problem(slug) is not None:
        return None
    return slug
