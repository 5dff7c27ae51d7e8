"""The export run every dataset format shares: check, group, split, chunk, tag, hand rows to a sink.

Splits must be known before a row is written, and a document's split
depends on documents read after it (a later reprint joins its group). But
rows do not depend on the split. So pass one reads and validates every label
file once (the core span checks), redacts, chunks and fingerprints each
document and stages its row (text, spans, chunk ends) in uncompressed Arrow
files, one per chunk of 256 label files and per provisional split (the split
of the document's own id); on big exports this runs in forked worker
processes while the main process feeds the duplicate grouper. Pass two
moves the few rows whose duplicate group put them elsewhere, builds the
`tokens` rows from the staged columns with numpy (no Python per token) and
hands both configs' rows to the sink. Memory holds a few chunks of rows plus,
per document, 128 bytes of MinHash signature, a split name and a few counts;
workspace files are opened once.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from annotator.export import splits as split_rules
from annotator.export.bio import non_overlapping
from annotator.export.chunk import MAX_CHUNK_CHARS, ChunkError, chunk_bounds
from annotator.export.columns import (
    StagedRows,
    spans_features,
    split_staged,
    staged_schema,
    tokens_features,
)
from annotator.export.dedup import DuplicateGrouper, fingerprints
from annotator.export.parallel import ordered_map
from annotator.export.redact import RedactionStats, redact
from annotator.export.source import ExportItem, Source, SpanTuple
from annotator.model import LabelSchema
from annotator.problems import Problem
from annotator.workspace import Workspace

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa
    from datasets import Features

BATCH_DOCS = 500
PARALLEL_MIN = 2000  # below this, forking workers costs more than it saves
CONFIGS = ("tokens", "spans")


class Sink(Protocol):
    def write(self, config: str, split: str, table: pa.Table) -> None: ...


@dataclass
class ExportOptions:
    annotator: str
    status: str = "done"
    split: str = split_rules.DEFAULT_SPLIT
    salt: str = split_rules.DEFAULT_SALT
    redact: bool = False
    max_chars: int = MAX_CHUNK_CHARS
    progress: bool = False
    workers: int = 0  # processes validating label files; 0: one per core (up to 4) on big exports
    chunk: int = 256  # label files per worker task


@dataclass
class SplitStats:
    documents: int = 0
    chunks: int = 0
    characters: int = 0
    spans: Counter[str] = field(default_factory=Counter)
    nbytes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CONFIGS, 0))


@dataclass
class ExportResult:
    options: ExportOptions
    schema: LabelSchema
    splits: dict[str, SplitStats] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    overlaps_dropped: int = 0
    duplicate_groups: int = 0
    grouped_documents: int = 0
    agreed_spans: Counter[int] = field(default_factory=Counter)
    agreed_annotators: Counter[str] = field(default_factory=Counter)
    redaction: RedactionStats | None = None

    @property
    def documents(self) -> int:
        return sum(s.documents for s in self.splits.values())

    @property
    def chunks(self) -> int:
        return sum(s.chunks for s in self.splits.values())

    def features(self) -> dict[str, Features]:
        names = self.schema.label_names
        return {"tokens": tokens_features(names), "spans": spans_features(names)}


def _progress(
    enabled: bool, total: int, description: str
) -> tuple[Callable[[int], None], Callable[[], None]]:
    """(advance, stop) for a rich progress bar on stderr, or no-ops when disabled."""
    if not enabled:
        return (lambda _n: None), (lambda: None)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task(description, total=total)
    bar.start()
    done = [0]

    def advance(n: int) -> None:
        done[0] += n
        if done[0] >= 200:  # redraw bookkeeping every 200 documents, not every one
            bar.advance(task, done[0])
            done[0] = 0

    def stop() -> None:
        bar.advance(task, done[0])
        bar.stop()

    return advance, stop


def _write_ipc(path: Path, table: pa.Table) -> None:
    import pyarrow as pa

    with pa.OSFile(str(path), "wb") as handle, pa.ipc.new_stream(handle, table.schema) as writer:
        writer.write_table(table)


def _read_ipc(path: Path) -> pa.Table:
    import pyarrow as pa

    with pa.OSFile(str(path), "rb") as handle:
        return pa.ipc.open_stream(handle).read_all()


@dataclass
class _Job:
    """What a worker needs (inherited by fork, never pickled)."""

    source: Source
    options: ExportOptions
    schemas: dict[str, pa.Schema]
    index: dict[str, int]
    scratch: Path


_NO_SIGNATURES: Any = None  # replaced by `fingerprints` before a chunk is returned
DocStats = tuple[int, int, tuple[int, ...]]  # chunks, characters, spans per label index


@dataclass
class _Chunk:
    """One chunk of label files, checked, its rows staged on disk: what pass one keeps of it."""

    number: int
    files: int
    doc_ids: list[str]
    urls: list[str | None]
    dates: list[str | None]
    keys: list[bytes]
    signatures: npt.NDArray[np.uint32]
    stats: list[DocStats]
    problems: list[Problem]
    overlaps_dropped: int
    agreed_spans: Counter[int]
    agreed_annotators: Counter[str]
    redaction: RedactionStats | None


def staged(scratch: Path, number: int, split: str) -> Path:
    return scratch / f"{number:06d}.{split}.arrow"


def _check_chunk(job: _Job, chunk: tuple[int, list[str]]) -> _Chunk:
    """Read, validate, redact, chunk, tag and fingerprint one chunk of label files.

    Runs in a worker process on big exports. Both configs' rows are built
    here, as they do not depend on the split; they are staged in two Arrow
    files, so pass two only routes rows to their split.
    """
    number, doc_ids = chunk
    problems: list[Problem] = []
    partial = ExportResult(options=job.options, schema=job.source.schema)
    # Rows go to the split of the document's own id: its final split unless a duplicate
    # group renames it, which pass two then fixes (rare), so most rows are never copied.
    rules = split_rules.parse_split(job.options.split)
    rows: dict[str, StagedRows] = {}
    out = _Chunk(
        number,
        len(doc_ids),
        [],
        [],
        [],
        [],
        _NO_SIGNATURES,
        [],
        problems,
        0,
        Counter(),
        Counter(),
        None,
    )
    texts: list[str] = []
    n_labels = len(job.index)
    for doc_id in doc_ids:
        item = job.source.check(doc_id, problems.append)
        if item is None:
            continue
        text, spans, meta = _prepare(item, job.options, partial)
        indexed = [(s, e, job.index[label], t) for s, e, label, t in spans]
        bio, dropped = non_overlapping([(s, e, label) for s, e, label, _t in indexed])
        keep = [True] * len(indexed)
        if dropped:
            kept = set(bio)
            keep = [(s, e, label) in kept for s, e, label, _t in indexed]
        try:
            bounds = chunk_bounds(text, [(s, e) for s, e, _l in bio], job.options.max_chars)
        except ChunkError as exc:
            fix = "shorten or split the span; models read 510 characters"
            problems.append(Problem(job.source.relative_label(doc_id), f"left out: {exc}", fix))
            continue
        out.overlaps_dropped += dropped
        split = split_rules.assign(job.options.salt, doc_id, rules)
        rows.setdefault(split, StagedRows()).add_staged(doc_id, text, indexed, meta, bounds, keep)
        counts = [0] * n_labels
        for _s, _e, label, _t in indexed:
            counts[label] += 1
        out.stats.append((len(bounds), len(text), tuple(counts)))
        url, date = meta.get("url"), meta.get("date")
        out.doc_ids.append(doc_id)
        out.urls.append(url if isinstance(url, str) else None)
        out.dates.append(date if isinstance(date, str) else None)
        texts.append(item.text)
    out.keys, out.signatures = fingerprints(texts)
    for split, split_rows in rows.items():
        _write_ipc(staged(job.scratch, number, split), split_rows.table(job.schemas["staged"]))
    out.agreed_spans, out.agreed_annotators = partial.agreed_spans, partial.agreed_annotators
    out.redaction = partial.redaction
    return out


def first_pass(
    source: Source, options: ExportOptions, result: ExportResult, scratch: Path
) -> tuple[dict[str, str], dict[str, DocStats], list[int]]:
    """Check and stage every candidate pair, group duplicates.

    Returns ({doc_id: split}, {doc_id: stats}, numbers of the staged chunks).
    """
    rules = split_rules.parse_split(options.split)
    features = result.features()
    schemas = {config: features[config].arrow_schema for config in CONFIGS}
    schemas["staged"] = staged_schema(schemas["spans"])
    index = {n: i for i, n in enumerate(result.schema.label_names)}
    scratch.mkdir(parents=True, exist_ok=True)
    job = _Job(source, options, schemas, index, scratch)
    ids = source.workspace.label_ids(source.annotator)
    workers = options.workers or (min(4, os.cpu_count() or 1) if len(ids) >= PARALLEL_MIN else 1)
    chunks = [
        (n, ids[i : i + options.chunk]) for n, i in enumerate(range(0, len(ids), options.chunk))
    ]
    stream = ordered_map(_check_chunk, job, chunks, workers)
    first = next(stream, None)  # forks any workers now, before a thread is started
    grouper = DuplicateGrouper()
    stats: dict[str, DocStats] = {}
    numbers: list[int] = []
    advance, stop = _progress(options.progress, len(ids), "reading labels")
    try:
        for chunk in itertools.chain([first] if first else [], stream):
            advance(chunk.files)
            result.problems.extend(chunk.problems)
            result.overlaps_dropped += chunk.overlaps_dropped
            result.agreed_spans.update(chunk.agreed_spans)
            result.agreed_annotators.update(chunk.agreed_annotators)
            if chunk.redaction is not None:
                total = result.redaction = result.redaction or RedactionStats()
                total.documents += chunk.redaction.documents
                total.masked.update(chunk.redaction.masked)
                total.spans_changed += chunk.redaction.spans_changed
            if chunk.doc_ids:
                numbers.append(chunk.number)
            stats.update(zip(chunk.doc_ids, chunk.stats, strict=True))
            grouper.add_batch(chunk.doc_ids, chunk.urls, chunk.dates, chunk.keys, chunk.signatures)
        groups = grouper.groups()
    finally:
        stop()
    sizes = Counter(groups.values())
    result.duplicate_groups = sum(1 for size in sizes.values() if size > 1)
    result.grouped_documents = sum(size for size in sizes.values() if size > 1)
    memo: dict[str, str] = {}
    split_of: dict[str, str] = {}
    for doc_id, group in groups.items():
        if group not in memo:
            memo[group] = split_rules.assign(options.salt, group, rules)
        split_of[doc_id] = memo[group]
    return split_of, stats, numbers


def _prepare(
    item: ExportItem, options: ExportOptions, result: ExportResult
) -> tuple[str, list[SpanTuple], dict[str, Any]]:
    """Text, spans and metadata as they will be written (redacted when asked)."""
    for agreed in item.agreed_by:
        result.agreed_spans[len(agreed)] += 1
        result.agreed_annotators.update(agreed)
    text, spans, meta = item.text, list(item.spans), dict(item.meta)
    if options.redact:
        result.redaction = result.redaction or RedactionStats()
        text, spans = redact(text, spans, result.redaction)
        if isinstance(meta.get("title"), str):
            meta["title"] = redact(meta["title"], [])[0]
    return text, spans, meta


def run(workspace: Workspace, options: ExportOptions, sink: Sink, scratch: Path) -> ExportResult:
    """Stream the chosen documents into `sink`; `scratch` is a folder for the staged rows.

    The cyclic garbage collector is paused meanwhile (here and in the forked
    workers): the export makes millions of short-lived acyclic objects, and
    collections that walk the ever larger heap cost a third of the run.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(workspace, options, sink, scratch)
    finally:
        if enabled:
            gc.enable()


def _run(workspace: Workspace, options: ExportOptions, sink: Sink, scratch: Path) -> ExportResult:
    import pyarrow as pa

    schema = workspace.schema()
    result = ExportResult(options=options, schema=schema)
    names = schema.label_names
    source = Source(workspace, options.annotator, options.status, schema)
    stage = scratch / "stage"
    split_of, doc_stats, numbers = first_pass(source, options, result, stage)
    features = result.features()
    schemas = {config: features[config].arrow_schema for config in CONFIGS}
    rules = split_rules.parse_split(options.split)
    pending: dict[tuple[str, str], list[pa.Table]] = {}
    pending_rows: Counter[tuple[str, str]] = Counter()
    limits = {"spans": BATCH_DOCS, "tokens": 4 * BATCH_DOCS}

    def flush(config: str, split: str) -> None:
        tables = pending.pop((config, split), [])
        pending_rows.pop((config, split), None)
        if tables:
            table = pa.concat_tables(tables)  # chunked: the writer takes it without a copy
            result.splits[split].nbytes[config] += table.nbytes
            sink.write(config, split, table)

    advance, stop = _progress(options.progress, len(split_of), "writing rows")
    try:
        for number in numbers:
            for provisional, _share in rules:
                path = staged(stage, number, provisional)
                if not path.exists():
                    continue
                table = _read_ipc(path)
                path.unlink()
                doc_ids = table.column("doc_id").to_pylist()
                finals = [split_of[doc_id] for doc_id in doc_ids]
                if all(split == provisional for split in finals):
                    parts = {provisional: table}
                else:
                    rows_of: dict[str, list[int]] = {}
                    for i, split in enumerate(finals):
                        rows_of.setdefault(split, []).append(i)
                    parts = {split: table.take(rows) for split, rows in rows_of.items()}
                advance(len(doc_ids))
                for doc_id, split in zip(doc_ids, finals, strict=True):
                    stats = result.splits.setdefault(split, SplitStats())
                    chunks, characters, counts = doc_stats[doc_id]
                    stats.documents += 1
                    stats.chunks += chunks
                    stats.characters += characters
                    for k, n in enumerate(counts):
                        if n:
                            stats.spans[names[k]] += n
                for split, part in parts.items():
                    spans_part, tokens_part = split_staged(
                        part, schemas["spans"], schemas["tokens"]
                    )
                    for config, rows_part in (("spans", spans_part), ("tokens", tokens_part)):
                        if rows_part.num_rows == 0:
                            continue
                        pending.setdefault((config, split), []).append(rows_part)
                        pending_rows[(config, split)] += rows_part.num_rows
                        if pending_rows[(config, split)] >= limits[config]:
                            flush(config, split)
        for config, split in list(pending):
            flush(config, split)
    finally:
        stop()
        shutil.rmtree(stage, ignore_errors=True)
    # Splits in the order the rule names them; empty ones are simply absent.
    order = [name for name, _share in rules]
    result.splits = {name: result.splits[name] for name in order if name in result.splits}
    return result
