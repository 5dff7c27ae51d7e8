"""Derived, disposable indexes so overviews never parse every file.

The label files and documents are the only source of truth. These caches live
under `.annotator/index/` (ignored by git). Every read scans the folder and
stats each file (cheap: no parsing); only files whose (mtime, size) changed, or
that are new, are parsed again. The folder's mtime alone is not enough: an
editor that rewrites a file in place (VS Code does) leaves it unchanged.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import orjson

from annotator.store import atomic_write_bytes
from annotator.workspace import Workspace

INDEX_VERSION = 2
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LabelSummary:
    status: str
    spans: int
    suggestions: int
    uncertain: int
    updated_at: str
    active_seconds: float
    # Spans per label, so `annotator stats` never parses the label files.
    labels: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    title: str
    chars: int
    sha256: str


def _summarize_label(data: bytes) -> list[Any]:
    try:
        raw = orjson.loads(data)
        spans = raw.get("spans") or []
        labels: dict[str, int] = {}
        for span in spans:
            if isinstance(span, dict):
                name = str(span.get("label"))
                labels[name] = labels.get(name, 0) + 1
        return [
            str(raw.get("status", "invalid")),
            len(spans),
            len(raw.get("suggestions") or []),
            sum(1 for s in spans if isinstance(s, dict) and s.get("uncertain")),
            str(raw.get("updated_at", "")),
            float(raw.get("active_seconds") or 0.0),
            labels,
        ]
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return ["invalid", 0, 0, 0, "", 0.0, {}]


def _summarize_document(data: bytes) -> list[Any]:
    try:
        raw = orjson.loads(data)
        text = raw.get("text") or ""
        title = (raw.get("meta") or {}).get("title") or raw.get("id") or ""
        return [str(title), len(text), str(raw.get("sha256", ""))]
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return ["(unreadable document)", 0, ""]


@dataclass(slots=True)
class _Memo:
    """What this process last read or wrote for one cache file."""

    cache_key: tuple[int, int] | None  # (mtime_ns, size) of the cache file as we left it
    folder_mtime_ns: int
    files: dict[str, list[Any]]  # id -> [mtime_ns, size, *summary], the on-disk layout
    made: dict[str, Any]  # id -> the summary object built from files[id]


# One memo and one lock per cache file: the TUI asks for the same index from several
# worker threads at start-up; the second asker waits for the first and reuses its work.
_memos: dict[Path, _Memo] = {}
_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(cache_file: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(cache_file, threading.Lock())


# A folder changed this close to a scan may change again within the same mtime tick
# (file times come from a coarse clock): such an mtime is never trusted on its own.
_RACY_NS = 100_000_000


def _trusted_mtime(mtime_ns: int, scanned_at_ns: int) -> int:
    return mtime_ns if mtime_ns < scanned_at_ns - _RACY_NS else -1


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _memo_for(cache_file: Path) -> _Memo:
    """The memo, re-read from disk when another process (or a person) changed the cache file."""
    key = _stat_key(cache_file)
    memo = _memos.get(cache_file)
    if memo is not None and memo.cache_key == key:
        return memo
    cached: Any = {}
    if key is not None:
        try:
            cached = orjson.loads(cache_file.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            cached = {}
    valid = isinstance(cached, dict) and cached.get("version") == INDEX_VERSION
    files = cached.get("files") if valid else None
    folder_mtime = cached.get("folder_mtime_ns") if valid else None
    memo = _Memo(
        cache_key=key,
        folder_mtime_ns=folder_mtime if isinstance(folder_mtime, int) else -1,
        files=files if isinstance(files, dict) else {},
        made={},
    )
    _memos[cache_file] = memo
    return memo


def _refresh(
    folder: Path,
    cache_file: Path,
    summarize: Callable[[bytes], list[Any]],
    make: Callable[[list[Any]], T],
    verify: bool = True,
) -> dict[str, T]:
    """{id: make(summary)} for every *.json in `folder`, reusing the cache where valid.

    With `verify=False` the cache is trusted without a stat per file as long as the
    folder's own mtime is the one recorded with it: every atomic write (a rename)
    changes that, only an in-place edit by another program goes unseen until the next
    verified read.
    """
    with _lock_for(cache_file):
        scanned_at = time.time_ns()
        try:
            folder_mtime = _trusted_mtime(folder.stat().st_mtime_ns, scanned_at)
        except FileNotFoundError:
            return {}
        memo = _memo_for(cache_file)
        old_files = memo.files
        made = memo.made
        if not verify and folder_mtime != -1 and memo.folder_mtime_ns == folder_mtime:
            for key, value in old_files.items():
                if key not in made:
                    made[key] = make(value)
            return dict(made)
        files: dict[str, list[Any]] = {}
        out: dict[str, T] = {}
        changed = False
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name[0] == "." or not name.endswith(".json"):
                    continue
                st = entry.stat()
                key = name[:-5]
                previous = old_files.get(key)
                if (
                    previous is not None
                    and previous[0] == st.st_mtime_ns
                    and previous[1] == st.st_size
                ):
                    files[key] = previous
                    built = made.get(key)
                    out[key] = make(previous) if built is None else built
                    continue
                changed = True
                try:
                    with open(entry.path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                files[key] = [st.st_mtime_ns, st.st_size, *summarize(data)]
                out[key] = make(files[key])
        cache_key = memo.cache_key
        if changed or len(files) != len(old_files) or memo.folder_mtime_ns != folder_mtime:
            payload = {"version": INDEX_VERSION, "folder_mtime_ns": folder_mtime, "files": files}
            # A read-only checkout still gets a correct answer, only a slower next one.
            with contextlib.suppress(OSError):
                atomic_write_bytes(cache_file, orjson.dumps(payload), durable=False)
                cache_key = _stat_key(cache_file)
        _memos[cache_file] = _Memo(cache_key, folder_mtime, files, out)
        return dict(out)


def _label_summary(value: list[Any]) -> LabelSummary:
    return LabelSummary(*value[2:])


def _document_summary(value: list[Any]) -> DocumentSummary:
    return DocumentSummary(*value[2:])


def label_summaries(
    workspace: Workspace, annotator: str, *, verify: bool = True
) -> dict[str, LabelSummary]:
    """Status and counts of every label file of one annotator, by document id.

    `verify=False` answers from the cache at once (see `_refresh`) for a first screen;
    follow it with a verified read.
    """
    return _refresh(
        workspace.annotator_dir(annotator),
        workspace.cache_dir / "index" / f"labels-{annotator}.json",
        _summarize_label,
        _label_summary,
        verify,
    )


def document_summaries(workspace: Workspace, *, verify: bool = True) -> dict[str, DocumentSummary]:
    """Title, length and hash of every document, by id (`verify` as in `label_summaries`)."""
    return _refresh(
        workspace.documents_dir,
        workspace.cache_dir / "index" / "documents.json",
        _summarize_document,
        _document_summary,
        verify,
    )


_document_ids: dict[Path, tuple[int, list[str]]] = {}


def _ids_cache_file(workspace: Workspace) -> Path:
    return workspace.cache_dir / "index" / "document-ids.json"


def _folder_mtime(folder: Path) -> int | None:
    """The folder's mtime if it can be trusted (-1: too recent), None if it is missing."""
    try:
        return _trusted_mtime(folder.stat().st_mtime_ns, time.time_ns())
    except FileNotFoundError:
        return None


def cached_document_ids(workspace: Workspace) -> list[str] | None:
    """The sorted document ids if a cache proves them current, else None (no folder scan).

    Adding, removing or renaming a document changes the documents folder's
    mtime, so an id list recorded with that mtime is exact. Read from memory,
    else from `.annotator/index/document-ids.json` (100k ids parse in ~15 ms;
    listing and sorting the folder takes ten times that).
    """
    mtime = _folder_mtime(workspace.documents_dir)
    if mtime is None:
        return []
    return _ids_recorded_at(workspace, mtime)


def _ids_recorded_at(workspace: Workspace, mtime: int) -> list[str] | None:
    """The ids recorded with this (trusted) folder mtime, from memory or the cache file."""
    if mtime == -1:
        return None
    folder = workspace.documents_dir
    remembered = _document_ids.get(folder)
    if remembered is not None and remembered[0] == mtime:
        return list(remembered[1])
    try:
        cached = orjson.loads(_ids_cache_file(workspace).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if (
        not isinstance(cached, dict)
        or cached.get("version") != INDEX_VERSION
        or cached.get("folder_mtime_ns") != mtime
        or not isinstance(cached.get("ids"), list)
    ):
        return None
    ids: list[str] = cached["ids"]
    _document_ids[folder] = (mtime, ids)
    return list(ids)


def document_ids(workspace: Workspace) -> list[str]:
    """`workspace.document_ids()`, remembered while the documents folder's mtime holds.

    Costs one stat (and at most one small cache read) instead of listing and
    sorting 100k names on every call; a scan refreshes the cache file.
    """
    mtime = _folder_mtime(workspace.documents_dir)
    if mtime is None:
        return []
    ids = _ids_recorded_at(workspace, mtime)
    if ids is not None:
        return ids
    ids = workspace.document_ids()
    if mtime != -1:
        _document_ids[workspace.documents_dir] = (mtime, ids)
        payload = {"version": INDEX_VERSION, "folder_mtime_ns": mtime, "ids": ids}
        # A read-only checkout still gets a correct answer, only a slower next one.
        with contextlib.suppress(OSError):
            atomic_write_bytes(_ids_cache_file(workspace), orjson.dumps(payload), durable=False)
    return list(ids)
