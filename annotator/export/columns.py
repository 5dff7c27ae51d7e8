"""The two configs' `datasets` features and fast Arrow builders for their rows.

Rows are gathered a batch of documents at a time and turned into Arrow
arrays with numpy (one token per character: the UTF-8 bytes of the batch are
sliced by code point, never one Python string per character), so writing
150 million tokens stays close to the cost of writing the text itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from annotator.export.bio import tag_array, tag_names

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa
    from datasets import Features

META_FIELDS = ("title", "source", "url", "date", "language", "script")


def tokens_features(labels: Sequence[str]) -> Features:
    from datasets import ClassLabel, Features, List, Value

    return Features(
        {
            "id": Value("string"),
            "doc_id": Value("string"),
            "tokens": List(Value("string")),
            "ner_tags": List(ClassLabel(names=tag_names(labels))),
            "char_start": Value("int32"),
        }
    )


def spans_features(labels: Sequence[str]) -> Features:
    from datasets import ClassLabel, Features, List, Value

    span = {
        "start": Value("int32"),
        "end": Value("int32"),
        "label": ClassLabel(names=list(labels)),
        "text": Value("string"),
    }
    fields: dict[str, Any] = {
        "id": Value("string"),
        "doc_id": Value("string"),
        "text": Value("string"),
        "spans": List(span),
    }
    for name in META_FIELDS:
        fields[name] = Value("string")
    return Features(fields)


def char_strings(text: str) -> pa.Array:
    """A string array with one element per code point of `text`, built from its UTF-8 bytes."""
    import numpy as np
    import pyarrow as pa

    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    widths = 1 + (points >= 0x80).astype(np.int32) + (points >= 0x800) + (points >= 0x10000)
    offsets = np.zeros(len(points) + 1, dtype=np.int32)
    np.cumsum(widths, out=offsets[1:])
    data = text.encode("utf-8")
    return pa.StringArray.from_buffers(len(points), pa.py_buffer(offsets), pa.py_buffer(data))


TOKEN_COLUMNS = ("id", "doc_id", "tokens", "ner_tags", "char_start")


def list_offsets(lengths: Sequence[int]) -> pa.Array:
    """Arrow list offsets (int32) for consecutive lists of these lengths."""
    import numpy as np
    import pyarrow as pa

    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(np.asarray(lengths, dtype=np.int32), out=offsets[1:])
    return pa.array(offsets)


def _from_arrays(
    columns: list[pa.Array], names: Sequence[str], schema: pa.Schema | None
) -> pa.Table:
    import pyarrow as pa

    if schema is not None:
        return pa.Table.from_arrays(columns, schema=schema)
    return pa.Table.from_arrays(columns, names=list(names))


def tokens_table(
    ids: list[str],
    doc_ids: list[str],
    char_starts: list[int],
    lengths: list[int],
    text: str,
    tags: npt.NDArray[np.int64],
    schema: pa.Schema | None = None,
) -> pa.Table:
    """The `tokens` config's rows: chunks of lengths `lengths` tiling `text`, with its tags."""
    import pyarrow as pa

    offsets = list_offsets(lengths)
    columns = [
        pa.array(ids, pa.string()),
        pa.array(doc_ids, pa.string()),
        pa.ListArray.from_arrays(offsets, char_strings(text)),
        pa.ListArray.from_arrays(offsets, pa.array(tags)),
        pa.array(char_starts, pa.int32()),
    ]
    return _from_arrays(columns, TOKEN_COLUMNS, schema)


class _Rows:
    """A batch of rows keyed by id; `count` is how many rows it holds."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.texts: list[str] = []

    @property
    def count(self) -> int:
        return len(self.ids)


class TokenRows(_Rows):
    """Chunks of a batch of documents, as the `tokens` config's columns."""

    def __init__(self) -> None:
        super().__init__()
        self.doc_ids: list[str] = []
        self.char_starts: list[int] = []
        self.lengths: list[int] = []
        self._length = 0  # characters so far: where the next document's tags begin
        self.span_starts: list[int] = []
        self.span_ends: list[int] = []
        self.span_labels: list[int] = []

    def add(
        self,
        doc_id: str,
        text: str,
        spans: Sequence[tuple[int, int, int]],
        bounds: Sequence[tuple[int, int]],
    ) -> None:
        """Add one document: `spans` are (start, end, label index), `bounds` its chunks."""
        if not bounds:
            return
        for number, (start, end) in enumerate(bounds):
            self.ids.append(f"{doc_id}#{number}")
            self.doc_ids.append(doc_id)
            self.char_starts.append(start)
            self.lengths.append(end - start)
        # Chunks tile the text, so the batch's tokens are just its texts end to end.
        first, last = bounds[0][0], bounds[-1][1]
        self.texts.append(text[first:last])
        shift = self._length - first
        if spans:
            starts, ends, labels = zip(*spans, strict=True)
            self.span_starts.extend([start + shift for start in starts])
            self.span_ends.extend([end + shift for end in ends])
            self.span_labels.extend(labels)
        self._length += last - first

    def table(self, schema: pa.Schema | None = None) -> pa.Table:
        import numpy as np

        tags = tag_array(
            self._length,
            np.asarray(self.span_starts, dtype=np.int64),
            np.asarray(self.span_ends, dtype=np.int64),
            np.asarray(self.span_labels, dtype=np.int64),
        )
        return tokens_table(
            self.ids,
            self.doc_ids,
            self.char_starts,
            self.lengths,
            "".join(self.texts),
            tags,
            schema,
        )


class SpanRows(_Rows):
    """One row per document for the `spans` config."""

    def __init__(self) -> None:
        super().__init__()
        self.span_counts: list[int] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.labels: list[int] = []
        self.surfaces: list[str] = []
        self.meta: dict[str, list[str | None]] = {name: [] for name in META_FIELDS}

    def add(
        self,
        doc_id: str,
        text: str,
        spans: Sequence[tuple[int, int, int, str]],
        meta: Mapping[str, Any],
    ) -> None:
        """Add one document: `spans` are (start, end, label index, surface text)."""
        self.ids.append(doc_id)
        self.texts.append(text)
        self.span_counts.append(len(spans))
        if spans:
            starts, ends, labels, surfaces = zip(*spans, strict=True)
            self.starts.extend(starts)
            self.ends.extend(ends)
            self.labels.extend(labels)
            self.surfaces.extend(surfaces)
        for name in META_FIELDS:
            value = meta.get(name)
            self.meta[name].append(value if isinstance(value, str) else None)

    def table(self, schema: pa.Schema | None = None) -> pa.Table:
        import pyarrow as pa

        struct = pa.StructArray.from_arrays(
            [
                pa.array(self.starts, pa.int32()),
                pa.array(self.ends, pa.int32()),
                pa.array(self.labels, pa.int64()),
                pa.array(self.surfaces, pa.string()),
            ],
            names=["start", "end", "label", "text"],
        )
        ids = pa.array(self.ids, pa.string())
        columns = [
            ids,
            ids,
            pa.array(self.texts, pa.string()),
            pa.ListArray.from_arrays(list_offsets(self.span_counts), struct),
        ]
        columns += [pa.array(self.meta[name], pa.string()) for name in META_FIELDS]
        return _from_arrays(columns, ["id", "doc_id", "text", "spans", *META_FIELDS], schema)


STAGED_EXTRA = ("_cuts", "_bio")


def staged_schema(spans_schema: pa.Schema) -> pa.Schema:
    """The `spans` columns plus each document's chunk ends and which spans IOB2 carries."""
    import pyarrow as pa

    extra = [pa.field("_cuts", pa.list_(pa.int32())), pa.field("_bio", pa.list_(pa.bool_()))]
    return pa.schema([*spans_schema, *extra], metadata=spans_schema.metadata)


class StagedRows(SpanRows):
    """`spans` rows plus what the `tokens` config is built from later, without Python per token."""

    def __init__(self) -> None:
        super().__init__()
        self.cuts: list[list[int]] = []
        self.keep: list[bool] = []

    def add_staged(
        self,
        doc_id: str,
        text: str,
        spans: Sequence[tuple[int, int, int, str]],
        meta: Mapping[str, Any],
        bounds: Sequence[tuple[int, int]],
        keep: Sequence[bool],
    ) -> None:
        self.add(doc_id, text, spans, meta)
        self.cuts.append([end for _start, end in bounds])
        self.keep.extend(keep)

    def table(self, schema: pa.Schema | None = None) -> pa.Table:
        import pyarrow as pa

        assert schema is not None
        base = super().table()
        offsets = list_offsets(self.span_counts)
        keep = pa.ListArray.from_arrays(offsets, pa.array(self.keep, pa.bool_()))
        cuts = pa.array(self.cuts, pa.list_(pa.int32()))
        return pa.Table.from_arrays([*base.columns, cuts, keep], schema=schema)


def split_staged(
    table: pa.Table, spans_schema: pa.Schema, tokens_schema: pa.Schema
) -> tuple[pa.Table, pa.Table]:
    """(`spans` rows, `tokens` rows) from staged rows: numpy over columns, no Python per token."""
    import numpy as np
    import pyarrow as pa

    spans = pa.Table.from_arrays(table.columns[: len(spans_schema)], schema=spans_schema)
    doc_ids = table.column("doc_id").to_pylist()
    texts = table.column("text").to_pylist()
    cuts = table.column("_cuts").to_pylist()
    ids: list[str] = []
    chunk_docs: list[str] = []
    starts: list[int] = []
    lengths: list[int] = []
    doc_offsets: list[int] = []
    total = 0
    for doc_id, text, ends in zip(doc_ids, texts, cuts, strict=True):
        doc_offsets.append(total)
        start = 0
        for number, end in enumerate(ends):
            ids.append(f"{doc_id}#{number}")
            chunk_docs.append(doc_id)
            starts.append(start)
            lengths.append(end - start)
            start = end
        total += len(text)
    # Span offsets move from each document into the batch's concatenated text.
    span_list = table.column("spans").combine_chunks()
    counts = np.diff(np.asarray(span_list.offsets))
    shift = np.repeat(np.asarray(doc_offsets, dtype=np.int64), counts)
    values = span_list.flatten()  # respects slicing, unlike .values
    keep = table.column("_bio").combine_chunks().flatten().to_numpy(zero_copy_only=False)
    keep = np.asarray(keep, dtype=bool)
    tags = tag_array(
        total,
        (values.field("start").to_numpy().astype(np.int64) + shift)[keep],
        (values.field("end").to_numpy().astype(np.int64) + shift)[keep],
        values.field("label").to_numpy().astype(np.int64)[keep],
    )
    tokens = tokens_table(ids, chunk_docs, starts, lengths, "".join(texts), tags, tokens_schema)
    return spans, tokens
