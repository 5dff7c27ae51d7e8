"""Derived, disposable indexes so overviews never parse every file.

The label files and documents are the only source of truth. These caches live
under `.annotator/index/` (ignored by git) and are checked against the
folder's mtime: an atomic save renames a file into the folder, which changes
that mtime, so an unchanged mtime means an unchanged folder and the cache is
used as is. Otherwise the folder is scanned and only files whose (mtime, size)
changed are parsed again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from annotator.store import atomic_write_bytes
from annotator.workspace import Workspace

INDEX_VERSION = 1


@dataclass(frozen=True, slots=True)
class LabelSummary:
    status: str
    spans: int
    suggestions: int
    uncertain: int
    updated_at: str
    active_seconds: float


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    title: str
    chars: int
    sha256: str


def _summarize_label(data: bytes) -> list[Any]:
    try:
        raw = orjson.loads(data)
        spans = raw.get("spans") or []
        return [
            str(raw.get("status", "invalid")),
            len(spans),
            len(raw.get("suggestions") or []),
            sum(1 for s in spans if isinstance(s, dict) and s.get("uncertain")),
            str(raw.get("updated_at", "")),
            float(raw.get("active_seconds") or 0.0),
        ]
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return ["invalid", 0, 0, 0, "", 0.0]


def _summarize_document(data: bytes) -> list[Any]:
    try:
        raw = orjson.loads(data)
        text = raw.get("text") or ""
        title = (raw.get("meta") or {}).get("title") or raw.get("id") or ""
        return [str(title), len(text), str(raw.get("sha256", ""))]
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return ["(unreadable document)", 0, ""]


def _refresh(folder: Path, cache_file: Path, summarize: Callable[[bytes], list[Any]]) -> dict[str, list[Any]]:
    """{id: summary} for every *.json in `folder`, reusing the cache where valid."""
    try:
        folder_mtime = folder.stat().st_mtime_ns
    except FileNotFoundError:
        return {}
    cached: dict[str, Any] = {}
    try:
        cached = orjson.loads(cache_file.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        cached = {}
    if cached.get("version") == INDEX_VERSION and cached.get("folder_mtime_ns") == folder_mtime:
        return {key: value[2:] for key, value in cached["files"].items()}
    old_files: dict[str, list[Any]] = cached.get("files", {}) if cached.get("version") == INDEX_VERSION else {}
    files: dict[str, list[Any]] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if not name.endswith(".json") or name.startswith("."):
                continue
            st = entry.stat()
            key = name[:-5]
            previous = old_files.get(key)
            if previous and previous[0] == st.st_mtime_ns and previous[1] == st.st_size:
                files[key] = previous
                continue
            try:
                data = Path(entry.path).read_bytes()
            except OSError:
                continue
            files[key] = [st.st_mtime_ns, st.st_size, *summarize(data)]
    payload = {"version": INDEX_VERSION, "folder_mtime_ns": folder_mtime, "files": files}
    try:
        atomic_write_bytes(cache_file, orjson.dumps(payload))
    except OSError:
        # A read-only checkout still gets a correct answer, only a slower next one.
        pass
    return {key: value[2:] for key, value in files.items()}


def label_summaries(workspace: Workspace, annotator: str) -> dict[str, LabelSummary]:
    """Status and counts of every label file of one annotator, by document id."""
    raw = _refresh(
        workspace.annotator_dir(annotator),
        workspace.cache_dir / "index" / f"labels-{annotator}.json",
        _summarize_label,
    )
    return {key: LabelSummary(*value) for key, value in raw.items()}


def document_summaries(workspace: Workspace) -> dict[str, DocumentSummary]:
    """Title, length and hash of every document, by id."""
    raw = _refresh(workspace.documents_dir, workspace.cache_dir / "index" / "documents.json", _summarize_document)
    return {key: DocumentSummary(*value) for key, value in raw.items()}
