"""`--format jsonl`: one line per document, in id order, in the shape `annotator import` reads.

`{"id", "text", "meta", "spans": [{"start", "end", "label", "text"}]}`: the
doccano-style span shape. Key order, span order (start, end, label) and the
compact UTF-8 encoding are fixed, so export -> import -> export gives the same
bytes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from annotator.export.redact import RedactionStats, redact
from annotator.export.source import ExportItem


def line(item: ExportItem, *, mask: bool = False, stats: RedactionStats | None = None) -> bytes:
    text, spans = item.text, list(item.spans)
    meta: dict[str, Any] = dict(item.meta)
    if mask:
        text, spans = redact(text, spans, stats)
        if isinstance(meta.get("title"), str):
            meta["title"] = redact(meta["title"], [])[0]
    row = {
        "id": item.doc_id,
        "text": text,
        "meta": meta,
        "spans": [{"start": s, "end": e, "label": label, "text": t} for s, e, label, t in spans],
    }
    return orjson.dumps(row) + b"\n"


def write_lines(path: Path, lines: Iterable[bytes]) -> int:
    """Stream lines into `path` through a temp file and a rename; returns the line count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    count = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in lines:
                handle.write(chunk)
                count += 1
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def write_jsonl(
    items: Iterable[ExportItem],
    path: Path,
    *,
    mask: bool = False,
    stats: RedactionStats | None = None,
) -> int:
    return write_lines(path, (line(item, mask=mask, stats=stats) for item in items))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows back (tests and small tools; an import goes through `annotator import`)."""
    with path.open("rb") as handle:
        return [orjson.loads(raw) for raw in handle if raw.strip()]
