"""Schema changes that migrate every label file: rename, remove, add, recolour.

A migration is all or nothing as far as a crash allows:
1. the lock of every label file is taken (an open TUI makes us refuse);
2. every label file is parsed (a broken one stops everything, nothing written);
3. a journal naming the command is written under `.annotator/`;
4. every migrated file is written to a temp name in its folder and fsynced;
5. the temp files are renamed over the originals; then the schema is written;
6. the journal is removed.
A crash before 5 leaves the old files (temp files are hidden and ignored); a
crash inside 5 leaves files that use a label the schema does not know yet,
which `annotator validate` names, together with the journal's command that
finishes the job when run again.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import orjson
from pydantic import ValidationError

from annotator import store
from annotator.errors import AnnotatorError, LockedError
from annotator.model import LabelDef, LabelFile, LabelSchema, RejectedSpan, Span, Suggestion
from annotator.workspace import RESERVED_LABEL_DIRS, Workspace

MIGRATION_JOURNAL = Path(".annotator") / "schema-migration.json"


class SchemaChangeError(AnnotatorError):
    """The change was refused; nothing was written."""


@dataclass
class Migration:
    """What a schema change did (or, with dry_run, would do)."""

    schema: LabelSchema
    changed_files: list[Path] = field(default_factory=list)
    spans_changed: int = 0
    spans_dropped: int = 0


# ------------------------------------------------------------ label files


def _label_files(workspace: Workspace) -> Iterator[Path]:
    try:
        folders = sorted(
            e.path
            for e in os.scandir(workspace.labels_dir)
            if e.is_dir() and not e.name.startswith(".") and e.name not in RESERVED_LABEL_DIRS
        )
    except FileNotFoundError:
        return
    for folder in folders:
        with os.scandir(folder) as entries:
            names = sorted(
                e.name for e in entries if e.name.endswith(".json") and not e.name.startswith(".")
            )
        for name in names:
            yield Path(folder) / name


def _load_all(workspace: Workspace, paths: list[Path]) -> list[tuple[Path, LabelFile]]:
    loaded, broken = [], []
    for path in paths:
        try:
            loaded.append((path, store.load_label_file(path)))
        except AnnotatorError as exc:
            broken.append(exc.message.split(":")[0] + f" ({workspace.relative(path)})")
    if broken:
        shown = "; ".join(broken[:5]) + (f" and {len(broken) - 5} more" if len(broken) > 5 else "")
        raise SchemaChangeError(
            f"{len(broken)} label file(s) cannot be read: {shown}",
            fix="run `annotator validate`, fix those files, then retry; nothing was changed",
        )
    return loaded


SpanMap = Callable[[str], str | None]  # label -> new label, or None to drop the span
AnyItem = TypeVar("AnyItem", Span, Suggestion, RejectedSpan)


def _migrate(label_file: LabelFile, mapping: SpanMap) -> tuple[LabelFile, int, int]:
    """The label file with every span, suggestion and rejection mapped; (file, changed, dropped)."""
    changed = dropped = 0

    def convert(items: tuple[AnyItem, ...], count: bool) -> tuple[AnyItem, ...]:
        nonlocal changed, dropped
        out: list[AnyItem] = []
        for item in items:
            new = mapping(item.label)
            if new is None:
                dropped += count
            elif new != item.label:
                changed += count
                out.append(item.model_copy(update={"label": new}))
            else:
                out.append(item)
        return tuple(out)

    migrated = label_file.model_copy(
        update={
            "spans": convert(label_file.spans, True),
            "suggestions": convert(label_file.suggestions, False),
            "rejected": convert(label_file.rejected, False),
        }
    )
    return migrated, changed, dropped


def _write_temp(path: Path, data: bytes) -> Path:
    """Write `data` durably next to `path` under a hidden temp name (ignored by every reader)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, path.stat().st_mode & 0o777)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def apply_change(
    workspace: Workspace,
    new_schema: LabelSchema,
    mapping: SpanMap | None,
    command: str,
    *,
    refuse_if_spans_dropped: str | None = None,
    timeout: float = 5.0,
    dry_run: bool = False,
) -> Migration:
    """Migrate every label file with `mapping`, then write `new_schema` (see the module doc)."""
    result = Migration(new_schema)
    if mapping is None:  # add / recolour: no label file changes
        if not dry_run:
            workspace.save_schema(new_schema)
        return result
    paths = list(_label_files(workspace))
    with ExitStack() as locks:
        # Lock every label file before reading any: a TUI saving in between must not be lost.
        for path in paths:
            lock = workspace.lock_labels(path.parent.name, path.stem)  # the writers' own lock
            try:
                store.acquire(lock, path, timeout)
            except LockedError as exc:
                raise SchemaChangeError(
                    f"{exc.message}; the schema change needs every label file",
                    path=path,
                    fix="close the TUI or wait for the command to finish, then retry "
                    "(nothing was changed)",
                ) from None
            locks.callback(lock.release)
        plan: list[tuple[Path, LabelFile]] = []
        files_dropping = 0
        for path, label_file in _load_all(workspace, paths):
            migrated, changed, dropped = _migrate(label_file, mapping)
            if migrated != label_file:
                plan.append((path, migrated))
                result.spans_changed += changed
                result.spans_dropped += dropped
                files_dropping += dropped > 0
        if refuse_if_spans_dropped and result.spans_dropped:
            raise SchemaChangeError(
                f"{result.spans_dropped} span(s) in {files_dropping} label file(s) use "
                f"{refuse_if_spans_dropped}",
                fix="relabel them first, rename the label instead, "
                "or pass --drop-spans to delete them",
            )
        result.changed_files = [path for path, _ in plan]
        if dry_run:
            return result
        journal = workspace.root / MIGRATION_JOURNAL
        store.atomic_write_bytes(
            journal,
            orjson.dumps({"command": command, "files": [workspace.relative(p) for p, _ in plan]}),
        )
        temps: list[tuple[Path, Path]] = []
        try:
            for path, migrated in plan:
                temps.append((_write_temp(path, store.dumps_label_file(migrated)), path))
        except BaseException:
            for temp, _ in temps:
                temp.unlink(missing_ok=True)
            journal.unlink(missing_ok=True)
            raise
        for temp, path in temps:
            os.replace(temp, path)
        for folder in {path.parent for _, path in temps}:
            _fsync_dir(folder)
        workspace.save_schema(new_schema)
        journal.unlink(missing_ok=True)
    return result


# -------------------------------------------------------------- the verbs


def _rebuild(schema: LabelSchema, labels: list[LabelDef]) -> LabelSchema:
    try:
        return LabelSchema.model_validate(
            {**schema.model_dump(), "labels": [label.model_dump() for label in labels]}
        )
    except ValidationError as exc:
        raise SchemaChangeError(
            "the new schema would be invalid: " + "; ".join(store.validation_messages(exc)),
            fix="nothing was changed",
        ) from None


def _require(schema: LabelSchema, name: str) -> LabelDef:
    label = schema.get(name)
    if label is None:
        raise SchemaChangeError(
            f"the schema has no label {name!r} (it has {', '.join(schema.label_names)})",
            fix="check the spelling; label names are upper case",
        )
    return label


def rename_label(
    workspace: Workspace, old: str, new: str, timeout: float = 5.0, dry_run: bool = False
) -> Migration:
    """Rename a label in the schema and in every span, suggestion and rejection."""
    schema = workspace.schema()
    _require(schema, old)
    if schema.get(new) is not None:
        raise SchemaChangeError(
            f"the schema already has a label {new!r}",
            fix=f"to merge {old} into {new}, relabel its spans first, "
            f"then `annotator schema remove {old}`",
        )
    try:
        LabelDef(name=new, hotkey="x", color="#000000")
    except ValidationError as exc:
        raise SchemaChangeError(store.validation_messages(exc)[0].split(": ", 1)[1]) from None
    labels = [
        label.model_copy(update={"name": new}) if label.name == old else label
        for label in schema.labels
    ]
    new_schema = _rebuild(schema, labels)
    return apply_change(
        workspace,
        new_schema,
        lambda label: new if label == old else label,
        f"annotator schema rename {old} {new}",
        timeout=timeout,
        dry_run=dry_run,
    )


def remove_label(
    workspace: Workspace,
    name: str,
    *,
    drop_spans: bool = False,
    timeout: float = 5.0,
    dry_run: bool = False,
) -> Migration:
    """Remove a label; refuses while spans use it unless `drop_spans` (suggestions always go)."""
    schema = workspace.schema()
    _require(schema, name)
    labels = [label for label in schema.labels if label.name != name]
    new_schema = _rebuild(schema, labels)
    return apply_change(
        workspace,
        new_schema,
        lambda label: None if label == name else label,
        f"annotator schema remove {name}" + (" --drop-spans" if drop_spans else ""),
        refuse_if_spans_dropped=None if drop_spans else name,
        timeout=timeout,
        dry_run=dry_run,
    )


def add_label(
    workspace: Workspace,
    name: str,
    hotkey: str,
    color: str,
    definition: str = "",
    timeout: float = 5.0,
    dry_run: bool = False,
) -> Migration:
    """Append a label to the schema (label files need no change)."""
    schema = workspace.schema()
    if schema.get(name) is not None:
        raise SchemaChangeError(f"the schema already has a label {name!r}")
    try:
        label = LabelDef(name=name, hotkey=hotkey, color=color, definition=definition)
    except ValidationError as exc:
        raise SchemaChangeError(
            "; ".join(store.validation_messages(exc)), fix="nothing was changed"
        ) from None
    new_schema = _rebuild(schema, [*schema.labels, label])
    return apply_change(
        workspace,
        new_schema,
        None,
        f"annotator schema add {name}",
        timeout=timeout,
        dry_run=dry_run,
    )


def recolor_label(
    workspace: Workspace, name: str, color: str, timeout: float = 5.0, dry_run: bool = False
) -> Migration:
    """Change a label's colour (label files need no change)."""
    schema = workspace.schema()
    _require(schema, name)
    labels = [
        label.model_copy(update={"color": color}) if label.name == name else label
        for label in schema.labels
    ]
    try:
        LabelDef(name=name, hotkey="x", color=color)
    except ValidationError as exc:
        raise SchemaChangeError(
            "; ".join(store.validation_messages(exc)), fix="write it as #rrggbb"
        ) from None
    return apply_change(
        workspace,
        _rebuild(schema, labels),
        None,
        f"annotator schema recolor {name} {color}",
        timeout=timeout,
        dry_run=dry_run,
    )
