"""`--format hf`: Parquet shards per config and split plus a dataset card, ready for `push_to_hub`.

Shards carry the `datasets` features in their schema metadata and a hash of
their split's bytes in their name (`tokens/train-1a2b3c4d-00000-of-00002.parquet`),
and the card's `configs` name that hash in their pattern
(`tokens/train-1a2b3c4d-*.parquet`). `load_dataset` on a folder keys its
cache on the card's `dataset_info` and data-file *patterns*, not on the
files' contents (datasets 5.2): with a plain `train-*.parquet` glob, a
re-export whose sizes did not change was served the previous rows. New
content now means a new pattern and a new cache entry. Everything is written
into a staging folder first and swapped in at the end, so a failed export leaves the old one intact.
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.errors import AnnotatorError
from annotator.export import card
from annotator.export.pipeline import CONFIGS, ExportOptions, ExportResult, run
from annotator.workspace import Workspace

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

SHARD_BYTES = 256 * 1024 * 1024  # Arrow bytes per shard before starting the next


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Split:
    paths: list[Path] = field(default_factory=list)
    writer: pq.ParquetWriter | None = None
    written: int = 0


class ParquetSink:
    """One rolling ParquetWriter per (config, split), under a staging folder.

    Writes happen on one background thread (pyarrow releases the GIL while it
    encodes and compresses), so the next batch is built while this one is
    written; at most two batches wait in the queue.
    """

    def __init__(self, staging: Path, shard_bytes: int = SHARD_BYTES) -> None:
        self.staging = staging
        self.shard_bytes = shard_bytes
        self._splits: dict[tuple[str, str], _Split] = {}
        self._queue: queue.Queue[tuple[str, str, pa.Table] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        # Started on the first write: pass one may fork worker processes, best done thread-free.
        self._thread = threading.Thread(target=self._work, name="parquet-writer", daemon=True)

    def write(self, config: str, split: str, table: pa.Table) -> None:
        if self._error is not None:
            raise self._error
        if not self._thread.is_alive() and self._thread.ident is None:
            self._thread.start()
        self._queue.put((config, split, table))

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if self._error is None:
                try:
                    self._write(*job)
                except BaseException as exc:  # re-raised on the caller's thread
                    self._error = exc

    def _write(self, config: str, split: str, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        state = self._splits.setdefault((config, split), _Split())
        if state.writer is not None and state.written >= self.shard_bytes:
            state.writer.close()
            state.writer = None
        if state.writer is None:
            path = self.staging / config / f".{split}-{len(state.paths):05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            state.paths.append(path)
            state.writer = pq.ParquetWriter(path, table.schema)
            state.written = 0
        state.writer.write_table(table)
        state.written += table.nbytes

    def _finish(self) -> None:
        if self._thread.ident is not None:
            self._queue.put(None)
            self._thread.join()

    def abort(self) -> None:
        self._finish()
        for state in self._splits.values():
            if state.writer is not None:
                state.writer.close()

    def close(self) -> dict[str, dict[str, list[Path]]]:
        """Finish; shards become `<split>-<hash8>-<i>-of-<n>.parquet` (hash of the split)."""
        self._finish()
        if self._error is not None:
            raise self._error
        out: dict[str, dict[str, list[Path]]] = {}
        for (config, split), state in self._splits.items():
            if state.writer is not None:
                state.writer.close()
            split_hash = hashlib.sha256(
                "".join(file_digest(p) for p in state.paths).encode()
            ).hexdigest()[:8]
            final = []
            total = len(state.paths)
            for i, path in enumerate(state.paths):
                target = path.with_name(f"{split}-{split_hash}-{i:05d}-of-{total:05d}.parquet")
                path.rename(target)
                final.append(target)
            out.setdefault(config, {})[split] = final
        return out


def data_file_glob(config: str, shard: Path) -> str:
    """`tokens/train-1a2b3c4d-*.parquet`: the content hash is part of the pattern itself."""
    split, split_hash, _rest = shard.name.split("-", 2)
    return f"{config}/{split}-{split_hash}-*.parquet"


def _looks_like_export(folder: Path) -> bool:
    readme = folder / "README.md"
    try:
        return card.MARKER in readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def prepare_target(out: Path) -> None:
    """Refuse to write into a folder that holds something other than a previous export."""
    if out.exists() and not out.is_dir():
        raise AnnotatorError(
            "export target exists and is not a folder", path=out, fix="pick another --out"
        )
    if out.is_dir():
        visible = [p for p in out.iterdir() if not p.name.startswith(".")]
        if visible and not _looks_like_export(out):
            raise AnnotatorError(
                "export folder is not empty and holds no earlier `annotator export`",
                path=out,
                fix="pick an empty or new --out folder",
            )


def swap_in(staging: Path, out: Path, names: list[str]) -> None:
    """Replace `names` in `out` with the staged ones (old shards must not linger)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = out / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        source = staging / name
        if source.exists():
            os.replace(source, target)


def export_hf(
    workspace: Workspace,
    out: Path,
    options: ExportOptions,
    *,
    agreement: dict[str, Any] | None = None,
    shard_bytes: int = SHARD_BYTES,
) -> ExportResult:
    """Write the `tokens` and `spans` configs and the card into `out`."""
    prepare_target(out)
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        sink = ParquetSink(staging, shard_bytes)
        try:
            result = run(workspace, options, sink, staging)
        except BaseException:
            sink.abort()
            raise
        shards = sink.close()
        data_files = {
            config: {
                s: data_file_glob(config, shards[config][s][0])
                for s in result.splits
                if s in shards.get(config, {})
            }
            for config in CONFIGS
        }
        sizes = {
            config: sum(
                p.stat().st_size for paths in shards.get(config, {}).values() for p in paths
            )
            for config in CONFIGS
        }
        text = card.render(
            result,
            name=workspace.name,
            data_files=data_files,
            download_sizes=sizes,
            agreement=agreement,
        )
        (staging / "README.md").write_text(text, encoding="utf-8")
        for config in CONFIGS:
            (staging / config).mkdir(parents=True, exist_ok=True)
        swap_in(staging, out, [*CONFIGS, "README.md"])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result
