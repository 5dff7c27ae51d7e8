"""Bytes on disk: atomic writes, careful reads, the stable JSON layouts, locks.

Every file the product writes goes through `atomic_write_bytes` (or, for a
bulk import, `atomic_write_many`): a crash at any instant leaves the old file
or the new one, never a mix. Label files use a
fixed key order with one span per line so that git diffs stay small and
concurrent work merges.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import ValidationError

from annotator.errors import LockedError, StoreError
from annotator.model import Document, LabelFile, LabelSchema, RejectedSpan, Span, Suggestion

if TYPE_CHECKING:
    from filelock import FileLock


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates 0600 files; saved files get the permissions a plain open() would.
_FILE_MODE = 0o666 & ~_current_umask()

MAX_LABEL_FILE_BYTES = 64 * 1024 * 1024
MAX_DOCUMENT_FILE_BYTES = 48 * 1024 * 1024
CONFLICT_MARKERS = (b"<<<<<<< ", b"\n=======\n", b">>>>>>> ")
# Concurrent fsyncs in `atomic_write_many`: the journal commits them together;
# more threads than this gained nothing on the development machine (ext4).
FSYNC_WORKERS = 8


# ---------------------------------------------------------------- raw bytes


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write via a temp file in the same folder, fsync, rename, fsync the folder.

    `durable=False` skips both fsyncs: still never a torn file, but a power
    cut may lose the write. Only for derived state (caches, resume points).
    """
    _ensure_folder(path.parent, durable=durable)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_folder(path.parent)


def atomic_write_many(items: Iterable[tuple[Path, bytes]], *, workers: int = FSYNC_WORKERS) -> None:
    """`atomic_write_bytes` for many files, paying for a few fsync round trips instead of
    two per file.

    Each file keeps the same guarantee: its temp file is written and fsynced
    before it is renamed into place (a crash leaves it absent/old or complete/new),
    and every folder is fsynced once after all renames, so on return every file
    is durable. The temp files are written and fsynced from a small thread pool:
    fsync releases the GIL and the filesystem journal commits concurrent fsyncs
    together. On an error the first one is raised and no temp file is left;
    files renamed before it stay (complete, durability not promised). A later
    item with the same path wins.
    """
    batch = list(items)
    if len(batch) <= 1:
        for path, data in batch:
            atomic_write_bytes(path, data)
        return
    folders = list(dict.fromkeys(path.parent for path, _ in batch))
    temps: list[str | None] = [None] * len(batch)

    def write(index: int) -> None:
        path, data = batch[index]
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        temps[index] = name
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(fd, _FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(fd)

    try:
        for folder in folders:
            _ensure_folder(folder, durable=True)
        pool = ThreadPoolExecutor(min(workers, len(batch)), thread_name_prefix="atomic-write")
        try:
            for future in [pool.submit(write, index) for index in range(len(batch))]:
                future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        for index, (path, _) in enumerate(batch):
            name = temps[index]
            assert name is not None  # every write succeeded
            os.replace(name, path)
            temps[index] = None
    except BaseException:
        for name in temps:
            if name is not None:
                Path(name).unlink(missing_ok=True)
        raise
    for folder in folders:
        _fsync_folder(folder)


def _ensure_folder(folder: Path, *, durable: bool) -> None:
    """Create `folder` if missing; when durable, fsync the parent of each folder created.

    A new folder's own entry lives in its parent: without that fsync a power
    cut could lose `labels/<annotator>/` and with it every file renamed into it.
    """
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    if not missing:
        return
    folder.mkdir(parents=True, exist_ok=True)
    if durable:
        for created in reversed(missing):
            _fsync_folder(created.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the renames in a folder durable."""
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_bytes(path: Path, limit: int) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise StoreError("file not found", path=path) from None
    except OSError as exc:
        raise StoreError(f"cannot read: {exc.strerror}", path=path) from None
    if size > limit:
        raise StoreError(
            f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:.0f} MB limit",
            path=path,
            fix="split the document or check that this is the right file",
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read: {exc.strerror}", path=path) from None


def has_conflict_markers(data: bytes) -> bool:
    return data.startswith(b"<<<<<<< ") or any(marker in data for marker in CONFLICT_MARKERS)


def parse_json(data: bytes, path: Path) -> Any:
    """orjson parse with a message a person can act on."""
    if has_conflict_markers(data):
        raise StoreError(
            "file contains git conflict markers (<<<<<<< ======= >>>>>>>)",
            path=path,
            fix="resolve the merge: keep one side's spans (or both, without overlaps), "
            "delete the marker lines, then run `annotator validate`",
        )
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise StoreError(
            f"broken JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            path=path,
            fix="fix the JSON by hand or restore the file from git",
        ) from None


def validation_messages(exc: ValidationError) -> list[str]:
    """Pydantic errors as 'field.path: message' lines."""
    lines = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "(file)"
        lines.append(f"{where}: {error['msg']}")
    return lines


# --------------------------------------------------------------- label files

_HEAD_KEYS = ("doc_id", "text_sha256", "annotator", "status")
_TAIL_KEYS = ("note", "created_at", "updated_at", "active_seconds", "cursor")


def _span_dict(span: Span | RejectedSpan) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start": span.start,
        "end": span.end,
        "label": span.label,
        "text": span.text,
    }
    if isinstance(span, Span):
        out["source"] = span.source
        if isinstance(span, Suggestion):
            out["score"] = round(span.score, 4)
        if span.uncertain:
            out["uncertain"] = True
        if span.agreed_by:
            out["agreed_by"] = list(span.agreed_by)
    return out


def _dump_list(items: tuple[Span, ...] | tuple[RejectedSpan, ...]) -> bytes:
    if not items:
        return b"[]"
    lines = b",\n".join(b"    " + orjson.dumps(_span_dict(item)) for item in items)
    return b"[\n" + lines + b"\n  ]"


def dumps_label_file(label_file: LabelFile) -> bytes:
    """The canonical bytes of a label file: fixed key order, one span per line."""
    ordered = sorted(label_file.spans, key=lambda s: (s.start, s.end, s.label))
    suggestions = sorted(label_file.suggestions, key=lambda s: (s.start, s.end, s.label))
    rejected = sorted(label_file.rejected, key=lambda s: (s.start, s.end, s.label))
    parts = [b"{"]
    for key in _HEAD_KEYS:
        parts.append(b'  "' + key.encode() + b'": ' + orjson.dumps(getattr(label_file, key)) + b",")
    parts.append(b'  "spans": ' + _dump_list(tuple(ordered)) + b",")
    parts.append(b'  "suggestions": ' + _dump_list(tuple(suggestions)) + b",")
    parts.append(b'  "rejected": ' + _dump_list(tuple(rejected)) + b",")
    tail = []
    for key in _TAIL_KEYS:
        value = getattr(label_file, key)
        if key == "active_seconds":
            value = round(float(value), 1)
        tail.append(b'  "' + key.encode() + b'": ' + orjson.dumps(value))
    parts.append(b",\n".join(tail))
    parts.append(b"}\n")
    return b"\n".join(parts)


def parse_label_file(data: bytes, path: Path) -> LabelFile:
    raw = parse_json(data, path)
    if not isinstance(raw, dict):
        raise StoreError("a label file must hold one JSON object", path=path)
    try:
        return LabelFile.model_validate(raw)
    except ValidationError as exc:
        raise StoreError(
            "invalid label file: " + "; ".join(validation_messages(exc)),
            path=path,
            fix="fix the named fields (see labels/schema.json and the README's file format)",
        ) from None


def load_label_file(path: Path) -> LabelFile:
    return parse_label_file(read_bytes(path, MAX_LABEL_FILE_BYTES), path)


def write_label_file(path: Path, label_file: LabelFile) -> None:
    atomic_write_bytes(path, dumps_label_file(label_file))


# -------------------------------------------------------------------- schema


def dumps_schema(schema: LabelSchema) -> bytes:
    """The schema in the layout of the shipped default: one key per line, short lists inline.

    Every writer uses this, so `annotator schema rename` changes only the lines it must.
    """
    raw = schema.model_dump(mode="json")
    lines = [b"{"]
    head = [key for key in raw if key != "labels"]
    for key in head:
        lines.append(b'  "' + key.encode() + b'": ' + orjson.dumps(raw[key]) + b",")
    lines.append(b'  "labels": [')
    blocks = []
    for label in raw["labels"]:
        fields = []
        for key, value in label.items():
            if isinstance(value, list):
                encoded = b"[" + b", ".join(orjson.dumps(item) for item in value) + b"]"
            else:
                encoded = orjson.dumps(value)
            fields.append(b'      "' + key.encode() + b'": ' + encoded)
        blocks.append(b"    {\n" + b",\n".join(fields) + b"\n    }")
    lines.append(b",\n".join(blocks))
    lines.append(b"  ]")
    lines.append(b"}\n")
    return b"\n".join(lines)


# ----------------------------------------------------------------- documents


def dumps_document(document: Document) -> bytes:
    """Documents are UTF-8 JSON with CJK written as is, so `grep` finds the text."""
    meta = document.meta.model_dump(exclude_none=True)
    body = {"id": document.id, "sha256": document.sha256, "meta": meta, "text": document.text}
    return orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n"


def parse_document(data: bytes, path: Path) -> Document:
    raw = parse_json(data, path)
    if not isinstance(raw, dict):
        raise StoreError("a document file must hold one JSON object", path=path)
    try:
        return Document.model_validate(raw)
    except ValidationError as exc:
        raise StoreError(
            "invalid document file: " + "; ".join(validation_messages(exc)),
            path=path,
            fix="re-import the document with `annotator import`",
        ) from None


def load_document_file(path: Path) -> Document:
    return parse_document(read_bytes(path, MAX_DOCUMENT_FILE_BYTES), path)


def write_document(path: Path, document: Document) -> None:
    atomic_write_bytes(path, dumps_document(document))


# --------------------------------------------------------------------- locks


def make_lock(lock_path: Path) -> FileLock:
    """One lock file per label file; flock is released if the holder dies."""
    from filelock import FileLock  # lazy: filelock imports asyncio (~0.1 s)

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(lock_path), is_singleton=False, thread_local=False)


def acquire(lock: FileLock, label_path: Path, timeout: float) -> None:
    from filelock import Timeout

    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise LockedError(
            "label file is being edited by another session (an open TUI or a running command)",
            path=label_path,
            fix="close that document in the TUI or wait for the command to finish, then retry",
        ) from None
