"""`--format disk`: the same two configs as `DatasetDict`s written with `save_to_disk`.

Rows stream into one Arrow IPC file per (config, split) in a staging folder
(the format `datasets` memory-maps), `Dataset.from_file` opens them without
copying, and `save_to_disk` writes `<out>/tokens` and `<out>/spans` for
`load_from_disk`. A README card goes next to them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.export import card
from annotator.export.hf import prepare_target, swap_in
from annotator.export.pipeline import CONFIGS, ExportOptions, ExportResult, run
from annotator.workspace import Workspace

if TYPE_CHECKING:
    import pyarrow as pa


class ArrowSink:
    """One Arrow IPC stream writer per (config, split)."""

    def __init__(self, staging: Path) -> None:
        self.staging = staging
        self._writers: dict[tuple[str, str], pa.ipc.RecordBatchStreamWriter] = {}
        self.paths: dict[str, dict[str, Path]] = {}

    def write(self, config: str, split: str, table: pa.Table) -> None:
        import pyarrow as pa

        writer = self._writers.get((config, split))
        if writer is None:
            path = self.staging / "arrow" / config / f"{split}.arrow"
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = pa.ipc.new_stream(str(path), table.schema)
            self._writers[(config, split)] = writer
            self.paths.setdefault(config, {})[split] = path
        writer.write_table(table)

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()


def _save(result: ExportResult, sink: ArrowSink, staging: Path) -> None:
    """Open each staged Arrow file without copying and `save_to_disk` it per config."""
    from datasets import Dataset, DatasetDict

    for config in CONFIGS:
        files = sink.paths.get(config, {})
        dataset = DatasetDict(
            {name: Dataset.from_file(str(files[name])) for name in result.splits if name in files}
        )
        dataset.save_to_disk(str(staging / config))
        del dataset  # release the memory maps before the staging folder goes


def export_disk(
    workspace: Workspace,
    out: Path,
    options: ExportOptions,
    *,
    agreement: dict[str, Any] | None = None,
) -> ExportResult:
    """Write `<out>/tokens` and `<out>/spans` (DatasetDicts) and `<out>/README.md`."""
    from datasets.utils import (
        are_progress_bars_disabled,
        disable_progress_bars,
        enable_progress_bars,
    )

    prepare_target(out)
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        sink = ArrowSink(staging)
        try:
            result = run(workspace, options, sink, staging)
        finally:
            sink.close()
        quiet = not options.progress and not are_progress_bars_disabled()
        if quiet:
            disable_progress_bars()
        try:
            _save(result, sink, staging)
        finally:
            if quiet:
                enable_progress_bars()
        text = card.render(result, name=workspace.name, data_files=None, agreement=agreement)
        (staging / "README.md").write_text(text, encoding="utf-8")
        swap_in(staging, out, [*CONFIGS, "README.md"])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result
