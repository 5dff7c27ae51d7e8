"""The dataset card (README.md): YAML metadata `datasets` and the Hub read, then prose for people.

The YAML names the configs and their data files, so `load_dataset(DIR, "spans")`
finds its shards; the prose says what is inside: label statistics, the
guidelines from the schema, the offset convention, the split rule, how the
labels were made (and agreed on) and what was left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from annotator.export import splits as split_rules
from annotator.export.bio import tag_names
from annotator.export.pipeline import CONFIGS, ExportResult

MARKER = "<!-- written by `annotator export`; re-exports replace this folder's configs -->"
_SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))


def size_category(n: int) -> str:
    for limit, name in _SIZES:
        if n < limit:
            return name
    return "1M<n<10M"


def _split_examples(result: ExportResult, config: str, split: str) -> int:
    stats = result.splits[split]
    return stats.chunks if config == "tokens" else stats.documents


def metadata(
    result: ExportResult,
    data_files: Mapping[str, Mapping[str, str]] | None,
    download_sizes: Mapping[str, int] | None = None,
    pretty_name: str | None = None,
) -> dict[str, Any]:
    """The YAML header; `data_files` is {config: {split: glob}} (None for save_to_disk)."""
    features = result.features()
    meta: dict[str, Any] = {}
    if pretty_name:
        meta["pretty_name"] = pretty_name
    meta.update(
        {
            "language": ["zh"],
            "task_categories": ["token-classification"],
            "task_ids": ["named-entity-recognition"],
            "size_categories": [size_category(result.documents)],
            "tags": ["ner", "chinese", "data-breach", "annotator"],
        }
    )
    if data_files is not None and any(data_files.values()):
        meta["configs"] = [
            {
                "config_name": config,
                **({"default": True} if config == "tokens" else {}),
                "data_files": [
                    {"split": split, "path": glob} for split, glob in data_files[config].items()
                ],
            }
            for config in CONFIGS
            if data_files.get(config)
        ]
    infos = []
    for config in CONFIGS:
        split_list = [
            {
                "name": split,
                "num_bytes": stats.nbytes[config],
                "num_examples": _split_examples(result, config, split),
            }
            for split, stats in result.splits.items()
            if _split_examples(result, config, split) > 0
        ]
        info: dict[str, Any] = {
            "config_name": config,
            "features": features[config]._to_yaml_list(),
            "splits": split_list,
        }
        if download_sizes is not None:
            info["download_size"] = download_sizes.get(config, 0)
        info["dataset_size"] = sum(s["num_bytes"] for s in split_list)
        infos.append(info)
    meta["dataset_info"] = infos
    return meta


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _statistics(result: ExportResult) -> str:
    splits = list(result.splits)
    rows: list[list[object]] = []
    for label in result.schema.label_names:
        counts = [result.splits[s].spans[label] for s in splits]
        rows.append([f"`{label}`", *counts, sum(counts)])
    totals: Counter[str] = Counter()
    for stats in result.splits.values():
        totals.update(stats.spans)
    rows.append(
        ["all spans", *(sum(result.splits[s].spans.values()) for s in splits), sum(totals.values())]
    )
    rows.append(
        [
            "documents (`spans` rows)",
            *(result.splits[s].documents for s in splits),
            result.documents,
        ]
    )
    rows.append(
        ["chunks (`tokens` rows)", *(result.splits[s].chunks for s in splits), result.chunks]
    )
    rows.append(
        [
            "characters",
            *(result.splits[s].characters for s in splits),
            sum(st.characters for st in result.splits.values()),
        ]
    )
    return _table(["", *splits, "total"], rows)


def _guidelines(result: ExportResult) -> str:
    parts = []
    for label in result.schema.labels:
        text = f"### `{label.name}`\n\n{label.definition or '(no definition in the schema)'}\n"
        if label.examples:
            text += "\nExamples: " + "、".join(label.examples) + "\n"
        if label.counter_examples:
            text += "\nNot this label: " + "、".join(label.counter_examples) + "\n"
        parts.append(text)
    return "\n".join(parts)


def _provenance(result: ExportResult, agreement: Mapping[str, Any] | None) -> str:
    opts = result.options
    lines = [
        f"Labels are those of annotator `{opts.annotator}`, "
        f"documents with status `{opts.status}` only."
    ]
    agreed = sum(result.agreed_spans.values())
    if agreed:
        by_size = ", ".join(
            f"{n} by {k} annotators" for k, n in sorted(result.agreed_spans.items())
        )
        who = ", ".join(f"`{name}` ({n})" for name, n in sorted(result.agreed_annotators.items()))
        lines.append(
            f"\nThis is an adjudicated (gold) label set: {agreed} spans record which annotators "
            f"proposed them ({by_size}); proposers: {who}. Disagreements were resolved in "
            "`annotator adjudicate` or by an `annotator merge` strategy; spans without a record "
            "were added by the adjudicator."
        )
    if agreement and agreement.get("pairs"):
        keys = ("span_f1", "span_f1_overlap", "cohen_kappa", "krippendorff_alpha")
        rows = [
            [
                " / ".join(pair.get("annotators", [])),
                pair.get("docs", ""),
                *(f"{pair[k]:.3f}" if isinstance(pair.get(k), int | float) else "–" for k in keys),
            ]
            for pair in agreement["pairs"]
        ]
        header = ["annotators", "documents", "span F1 (exact)", "span F1 (overlap)"]
        header += ["Cohen's κ", "Krippendorff's α"]
        lines.append(
            "\nInter-annotator agreement on the doubly annotated documents "
            "(micro, pooled over all spans; `annotator agree`):\n\n" + _table(header, rows)
        )
    return "\n".join(lines)


_CONFIGS_TEXT = """\
- **`tokens`** (default): one row per chunk of a document. `tokens` holds one token per
  character (whitespace included), `ner_tags` their IOB2 tags ({tags}), `char_start` the
  chunk's offset in the document, so token `i` is character `char_start + i`. Chunks end at
  sentence ends (。！？； or a newline), hold at most {max_chars} characters (512 model positions
  minus `[CLS]`/`[SEP]`) and never cut a span; a sentence longer than that is cut at a
  character boundary outside any span.
- **`spans`**: one row per document: the whole `text`, `spans` as a list of
  `{{start, end, label, text}}` and the document's metadata (`title`, `source`, `url`, `date`,
  `language`, `script`)."""

_OFFSETS_TEXT = """\
Offsets are Unicode code points (Python string indices) into `text`, which is NFC-normalized
with `\\n` line breaks; `end` is exclusive, so `text[start:end] == span.text` for every span.
Spans never start or end with whitespace."""


def _loading(name: str, hub: bool) -> str:
    if hub:
        return (
            "```python\nfrom datasets import load_dataset\n\n"
            f'tokens = load_dataset("path/to/{name}")  # config "tokens" (default)\n'
            f'spans = load_dataset("path/to/{name}", "spans")\n'
            'names = tokens["train"].features["ner_tags"].feature.names\n```'
        )
    return (
        "```python\nfrom datasets import load_from_disk\n\n"
        f'tokens = load_from_disk("path/to/{name}/tokens")\n'
        f'spans = load_from_disk("path/to/{name}/spans")\n```'
    )


def _notes(result: ExportResult) -> tuple[str, str, str]:
    """(left out, redaction, overlaps) paragraphs, each empty when there is nothing to say."""
    opts = result.options
    left_out = redaction = overlaps = ""
    if result.problems:
        docs = len({p.path for p in result.problems})
        left_out = (
            f"\n\n{docs} label files with status `{opts.status}` were left out because they are "
            "invalid or stale (run `annotator validate` in the workspace for the list)."
        )
    if result.redaction is not None:
        masked = sorted(result.redaction.masked.items())
        kinds = ", ".join(f"{kind} {n}" for kind, n in masked) or "none found"
        redaction = (
            "\n\n## Redaction\n\nPersonal data in the texts (phone numbers, ID-card numbers, "
            "bank card numbers, emails) was masked with `*` placeholders of the same length, so "
            f"every offset is still valid (masked: {kinds}; {result.redaction.spans_changed} spans "
            "had their surface text updated)."
        )
    if result.overlaps_dropped:
        overlaps = (
            "\n\nThe schema allows overlapping spans; IOB2 cannot carry them, so the `tokens` "
            "config keeps the earliest (longest) of each overlapping set "
            f"({result.overlaps_dropped} spans dropped there; the `spans` config has them all)."
        )
    return left_out, redaction, overlaps


def render(
    result: ExportResult,
    *,
    name: str,
    data_files: Mapping[str, Mapping[str, str]] | None,
    download_sizes: Mapping[str, int] | None = None,
    agreement: Mapping[str, Any] | None = None,
) -> str:
    """The whole README.md."""
    header = yaml.safe_dump(
        metadata(result, data_files, download_sizes, pretty_name=name),
        allow_unicode=True,
        sort_keys=False,
        width=10_000,
    )
    opts = result.options
    tags = ", ".join(f"`{t}`" for t in tag_names(result.schema.label_names))
    labels = ", ".join(f"`{n}`" for n in result.schema.label_names)
    left_out, redaction, overlaps = _notes(result)
    rule = split_rules.describe(split_rules.parse_split(opts.split), opts.salt)
    groups = (
        f"{result.duplicate_groups} duplicate groups hold {result.grouped_documents} documents. "
        "Splits with no documents are left out."
    )
    parts = [
        MARKER,
        f"# {name}",
        "Named entities in Chinese news about data breaches, labelled with `annotator` "
        f"(schema `{result.schema.name}`: {labels}).",
        _loading(name, data_files is not None),
        "## Configs",
        _CONFIGS_TEXT.format(tags=tags, max_chars=opts.max_chars),
        "## Label statistics",
        _statistics(result),
        "## Offsets",
        _OFFSETS_TEXT + overlaps,
        "## Splits",
        f"{rule} {groups}",
        "## How the labels were made",
        _provenance(result, agreement) + left_out + redaction,
        "## Guidelines",
        _guidelines(result),
    ]
    return f"---\n{header}---\n\n" + "\n\n".join(parts)
