"""Stream JSONL rows `{"id"?, "text", "meta"?, "spans"?}` one line at a time.

The file is never read whole: a corpus dump may be larger than memory. A
broken line stops the file with an error naming the line; the rows before it
have already been yielded (importing is idempotent, so re-running after the
fix is safe).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from annotator.ingest.errors import IngestError

# A line may be longer than its text (JSON escapes, metadata, spans).
MAX_LINE_BYTES = 64 * 1024 * 1024
_FIX = "fix or remove that line and import again"


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    end_offset: int  # bytes of the file read once this row is parsed
    id: str | None
    text: str
    meta: dict[str, str]
    spans: list[dict[str, Any]] | None


def iter_rows(path: Path, *, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[Row]:
    """Checked rows of a JSONL file, in order, with 1-based line numbers."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise IngestError(path, f"cannot read: {exc.strerror}") from None
    with handle:
        number = 0
        offset = 0
        while True:
            raw = handle.readline(max_line_bytes + 1)
            if not raw:
                return
            number += 1
            offset += len(raw)
            if len(raw) > max_line_bytes:
                raise IngestError(
                    path,
                    f"line is over {max_line_bytes // (1024 * 1024)} MB",
                    line=number,
                    fix="split the document or import it as its own file",
                )
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            yield parse_row(raw, path, number, offset)


def parse_row(raw: bytes, path: Path, line: int, end_offset: int = 0) -> Row:
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise IngestError(path, f"not valid JSON: {exc}", line=line, fix=_FIX) from None
    if not isinstance(data, dict):
        raise IngestError(
            path,
            f"a row must be a JSON object, not {type(data).__name__}",
            line=line,
            fix=_FIX,
        )
    text = data.get("text")
    if not isinstance(text, str):
        raise IngestError(path, 'the row has no "text" string', line=line, fix=_FIX)
    doc_id = data.get("id")
    if doc_id is not None:
        if isinstance(doc_id, bool) or not isinstance(doc_id, str | int):
            raise IngestError(path, '"id" must be a string', line=line, fix=_FIX)
        doc_id = str(doc_id)
    return Row(
        line,
        end_offset,
        doc_id,
        text,
        _meta(data.get("meta"), path, line),
        _spans(data, path, line),
    )


def _meta(value: Any, path: Path, line: int) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise IngestError(path, '"meta" must be an object', line=line, fix=_FIX)
    meta: dict[str, str] = {}
    for key, item in value.items():
        if item is None:
            continue
        if isinstance(item, str):
            meta[str(key)] = item
        elif isinstance(item, list) and all(isinstance(x, str | int | float) for x in item):
            meta[str(key)] = ", ".join(str(x) for x in item)
        elif isinstance(item, bool | int | float):
            meta[str(key)] = orjson.dumps(item).decode()
        else:
            meta[str(key)] = orjson.dumps(item).decode()
    return meta


def _spans(data: dict[str, Any], path: Path, line: int) -> list[dict[str, Any]] | None:
    spans = data.get("spans")
    if spans is None:
        return None
    if not isinstance(spans, list):
        raise IngestError(path, '"spans" must be a list', line=line, fix=_FIX)
    checked: list[dict[str, Any]] = []
    for index, span in enumerate(spans):
        where = f"spans[{index}]"
        if not isinstance(span, dict):
            raise IngestError(path, f"{where} must be an object", line=line, fix=_FIX)
        start, end, label = span.get("start"), span.get("end"), span.get("label")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise IngestError(path, f"{where} needs integer start and end", line=line, fix=_FIX)
        if not isinstance(label, str) or not label:
            raise IngestError(path, f"{where} needs a label string", line=line, fix=_FIX)
        surface = span.get("text")
        if surface is not None and not isinstance(surface, str):
            raise IngestError(path, f'{where} "text" must be a string', line=line, fix=_FIX)
        row: dict[str, Any] = {"start": start, "end": end, "label": label}
        if surface is not None:
            row["text"] = surface
        checked.append(row)
    return checked
