"""`--format hf` / `disk` loaded with the real `datasets`: ClassLabels, exact spans, strict IOB2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from export_support import TEXTS, add_document, sample_workspace
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, Entities

from annotator.export.bio import tag_names, tags_to_spans
from annotator.export.disk import export_disk
from annotator.export.hf import export_hf
from annotator.export.pipeline import ExportOptions
from annotator.workspace import Workspace

LABELS = ["ORG", "PERSON", "NUMBER", "LEGAL_CHARGE", "DATA_TYPE"]


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "hf-cache"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(cache))
    return cache


def load(out: Path, config: str, cache: Path) -> Any:
    from datasets import load_dataset

    return load_dataset(str(out), config, cache_dir=str(cache))


def card_yaml(out: Path) -> dict[str, Any]:
    text = (out / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])  # type: ignore[no-any-return]


def labelled(ws: Workspace) -> dict[str, set[tuple[int, int, str]]]:
    return {
        doc_id: {(s.start, s.end, s.label) for s in ws.load_labels("gold", doc_id).spans}  # type: ignore[union-attr]
        for doc_id in ws.label_ids("gold")
    }


def assert_tokens_rebuild(tokens: Any, ws: Workspace) -> None:
    """Every span comes back exactly from BIO + char_start; every sequence is strict IOB2."""
    names = tokens["train"].features["ner_tags"].feature.names
    rebuilt: dict[str, set[tuple[int, int, str]]] = {}
    for split in tokens:
        for row in tokens[split]:
            text = ws.load_document(row["doc_id"]).text
            start = row["char_start"]
            assert "".join(row["tokens"]) == text[start : start + len(row["tokens"])]
            assert all(len(token) == 1 for token in row["tokens"])
            tags = [names[t] for t in row["ner_tags"]]
            # seqeval: strict IOB2 accepts it, and finds exactly the entities our reader finds.
            strict = Entities([tags], IOB2).entities[0]
            ours = tags_to_spans(row["ner_tags"], names, start)
            assert sorted((e.start + start, e.end + start, e.tag) for e in strict) == sorted(ours)
            assert sorted(
                (s + start, e + 1 + start, t) for t, s, e in get_entities(tags)
            ) == sorted(ours)
            rebuilt.setdefault(row["doc_id"], set()).update(ours)
    expected = labelled(ws)
    assert {k: v for k, v in rebuilt.items() if v} == {k: v for k, v in expected.items() if v}


def test_load_dataset_both_configs(tmp_path: Path, hf_cache: Path) -> None:
    ws = sample_workspace(tmp_path / "ws")
    out = tmp_path / "out"
    result = export_hf(ws, out, ExportOptions("gold", split="50/50"))
    assert result.documents == len(TEXTS) and not result.problems

    tokens = load(out, "tokens", hf_cache)
    assert tokens["train"].features["ner_tags"].feature.names == tag_names(LABELS)
    assert tokens["train"].features["ner_tags"].feature.names[:5] == [
        "O",
        "B-ORG",
        "I-ORG",
        "B-PERSON",
        "I-PERSON",
    ]
    assert_tokens_rebuild(tokens, ws)

    spans = load(out, "spans", hf_cache)
    assert set(spans) == set(tokens) == set(result.splits)
    label_names = spans["train"].features["spans"].feature["label"].names
    assert label_names == LABELS
    seen = 0
    for split in spans:
        for row in spans[split]:
            document = ws.load_document(row["doc_id"])
            assert row["text"] == document.text
            assert row["title"] == document.meta.title and row["url"] == document.meta.url
            got = {(s["start"], s["end"], label_names[s["label"]]) for s in row["spans"]}
            assert got == labelled(ws)[row["doc_id"]]
            assert all(row["text"][s["start"] : s["end"]] == s["text"] for s in row["spans"])
            seen += 1
    assert seen == len(TEXTS)

    meta = card_yaml(out)
    assert meta["language"] == ["zh"]
    assert meta["task_categories"] == ["token-classification"]
    assert meta["task_ids"] == ["named-entity-recognition"]
    assert meta["size_categories"] == ["n<1K"]
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert configs["tokens"]["default"] is True and "default" not in configs["spans"]
    info = {c["config_name"]: c for c in meta["dataset_info"]}
    assert {s["name"]: s["num_examples"] for s in info["spans"]["splits"]} == {
        name: s.documents for name, s in result.splits.items()
    }
    body = (out / "README.md").read_text(encoding="utf-8")
    for needle in (
        "## Label statistics",
        "## Offsets",
        "## Splits",
        "## Guidelines",
        "Take the longest name",
    ):
        assert needle in body


def test_empty_split_is_left_out(tmp_path: Path, hf_cache: Path) -> None:
    ws = init_one(tmp_path / "ws")
    out = tmp_path / "out"
    result = export_hf(ws, out, ExportOptions("gold", split="80/10/10"))
    assert len(result.splits) == 1
    meta = card_yaml(out)
    for config in meta["configs"]:
        assert [f["split"] for f in config["data_files"]] == list(result.splits)
    only = next(iter(result.splits))
    assert list(load(out, "spans", hf_cache)) == [only]


def init_one(root: Path) -> Workspace:
    from annotator.workspace import init_workspace

    ws = init_workspace(root)
    text, wanted = TEXTS["a01"]
    add_document(ws, "a01", text, wanted)
    return ws


def test_reexport_with_changed_spans_is_not_served_from_cache(
    tmp_path: Path, hf_cache: Path
) -> None:
    ws = init_one(tmp_path / "ws")
    out = tmp_path / "out"
    export_hf(ws, out, ExportOptions("gold", split="100"))
    spans = load(out, "spans", hf_cache)
    names = spans["train"].features["spans"].feature["label"].names
    assert [names[s["label"]] for s in spans["train"][0]["spans"]][:2] == ["ORG", "PERSON"]
    old_info = card_yaml(out)["dataset_info"]

    text, wanted = TEXTS["a01"]
    add_document(ws, "a01", text, [(surface, "ORG") for surface, _label in wanted])
    export_hf(ws, out, ExportOptions("gold", split="100"))
    assert len(list((out / "spans").iterdir())) == 1  # the old shard is gone
    # datasets 5.2 keys a folder's cache on the card's dataset_info and configs patterns only.
    # A relabel can leave every size in dataset_info as it was: make sure it did, so only the
    # hash in the configs patterns tells the two exports apart.
    head, body = (out / "README.md").read_text(encoding="utf-8").split("---\n", 2)[1:]
    meta = yaml.safe_load(head)
    meta["dataset_info"] = old_info
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    (out / "README.md").write_text(f"---\n{header}---\n{body}", encoding="utf-8")
    again = load(out, "spans", hf_cache)["train"][0]["spans"]
    assert {names[s["label"]] for s in again} == {"ORG"}
    assert_tokens_rebuild(load(out, "tokens", hf_cache), ws)


def test_shard_names_depend_only_on_content(tmp_path: Path) -> None:
    ws = sample_workspace(tmp_path / "ws")
    export_hf(ws, tmp_path / "a", ExportOptions("gold"))
    export_hf(ws, tmp_path / "b", ExportOptions("gold"))
    names = [
        sorted(p.relative_to(root).as_posix() for p in root.rglob("*.parquet"))
        for root in (tmp_path / "a", tmp_path / "b")
    ]
    assert names[0] == names[1] and names[0]
    assert all(n.split("/")[1].split("-")[2] == "00000" for n in names[0])


def test_only_chosen_status_and_valid_labels_are_exported(tmp_path: Path, hf_cache: Path) -> None:
    ws = sample_workspace(tmp_path / "ws")
    text, wanted = TEXTS["a01"]
    add_document(ws, "b-todo", text + "另一篇。", wanted, status="in_progress")
    add_document(ws, "c-stale", text + "第三篇。", wanted)
    # The document text changes under its label file: stale hash.
    from annotator.workspace import make_document

    ws.save_document(make_document(text + "第三篇，已更正。", "c-stale"))
    # A label file whose surface text no longer matches its offsets.
    bad = ws.label_path("gold", "a02")
    bad.write_text(
        bad.read_text(encoding="utf-8").replace('"text":"青禾網絡"', '"text":"青禾网络"'),
        encoding="utf-8",
    )
    result = export_hf(ws, tmp_path / "out", ExportOptions("gold", split="100"))
    assert result.documents == len(TEXTS) - 1
    paths = {p.path for p in result.problems}
    assert any("c-stale" in p for p in paths) and any("a02" in p for p in paths)
    assert not any("b-todo" in p for p in paths)
    ids = set(load(tmp_path / "out", "spans", hf_cache)["train"]["doc_id"])
    assert ids == set(TEXTS) - {"a02"}


def test_refuses_a_folder_that_is_not_an_export(tmp_path: Path) -> None:
    from annotator.errors import AnnotatorError

    ws = sample_workspace(tmp_path / "ws")
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("mine")
    with pytest.raises(AnnotatorError):
        export_hf(ws, out, ExportOptions("gold"))
    assert (out / "thesis.tex").exists()


def test_load_from_disk(tmp_path: Path, hf_cache: Path) -> None:
    from datasets import load_from_disk

    ws = sample_workspace(tmp_path / "ws")
    out = tmp_path / "disk"
    result = export_disk(ws, out, ExportOptions("gold", split="50/50"))
    tokens = load_from_disk(str(out / "tokens"))
    spans = load_from_disk(str(out / "spans"))
    assert set(tokens) == set(spans) == set(result.splits)
    assert tokens["train"].features["ner_tags"].feature.names == tag_names(LABELS)
    assert_tokens_rebuild(tokens, ws)
    assert sum(len(spans[s]) for s in spans) == len(TEXTS)
    assert "load_from_disk" in (out / "README.md").read_text(encoding="utf-8")


def test_gold_card_states_adjudication_and_agreement(tmp_path: Path, hf_cache: Path) -> None:
    from typer.testing import CliRunner

    from annotator.cli.app import app
    from annotator.model import Span

    ws = sample_workspace(tmp_path / "ws")  # `gold` holds every span
    for doc_id, (text, wanted) in TEXTS.items():
        add_document(ws, doc_id, text, wanted, annotator="ann-a")
        add_document(ws, doc_id, text, wanted[:-1], annotator="ann-b")  # b missed one span
        gold = ws.load_labels("gold", doc_id)
        assert gold is not None
        spans = tuple(
            Span(
                **{
                    **s.model_dump(),
                    "agreed_by": ("ann-a", "ann-b") if i < len(wanted) - 1 else ("ann-a",),
                }
            )
            for i, s in enumerate(gold.spans)
        )
        add_document(ws, doc_id, text, spans)
    result = CliRunner().invoke(app, ["export", "-w", str(ws.root)])  # gold is the default
    assert result.exit_code == 0, result.output
    assert "by 'gold'" in result.output
    card = (ws.exports_dir / ws.name / "README.md").read_text(encoding="utf-8")
    assert "adjudicated (gold) label set" in card
    assert f"{len(TEXTS)} by 1 annotators" in card
    assert "Inter-annotator agreement" in card and "| ann-a / ann-b | 4 |" in card


def test_worker_processes_give_the_same_export(tmp_path: Path) -> None:
    from annotator.export.hf import ParquetSink
    from annotator.export.pipeline import ExportOptions, run

    ws = sample_workspace(tmp_path / "ws")
    bad = ws.label_path("gold", "a03")
    bad.write_text(
        bad.read_text(encoding="utf-8").replace('"end":4,', '"end":5,', 1), encoding="utf-8"
    )
    tables = {}
    for workers in (1, 2):
        options = ExportOptions("gold", split="50/50", workers=workers, chunk=1)
        staging = tmp_path / f"s{workers}"
        sink = ParquetSink(staging)
        result = run(ws, options, sink, staging)
        shards = sink.close()
        tables[workers] = (
            sorted(p.name for paths in shards.values() for files in paths.values() for p in files),
            [p.render() for p in result.problems],
        )
    assert tables[1] == tables[2]
    assert tables[1][1] and "a03" in tables[1][1][0]


def test_duplicates_land_in_their_groups_split(tmp_path: Path, hf_cache: Path) -> None:
    """A copy's rows are staged under its own id's split and moved to its group's split."""
    from annotator.export.splits import assign, parse_split

    ws = sample_workspace(tmp_path / "ws")
    text, wanted = TEXTS["a01"]
    add_document(ws, "z-copy", text, wanted)  # same text as a01: group a01
    rules = parse_split("50/50")
    salt = next(
        f"s{i}"
        for i in range(100)
        if assign(f"s{i}", "z-copy", rules) != assign(f"s{i}", "a01", rules)
    )
    result = export_hf(ws, tmp_path / "out", ExportOptions("gold", split="50/50", salt=salt))
    assert result.duplicate_groups == 1
    expected_split = assign(salt, "a01", rules)
    for config in ("spans", "tokens"):
        data = load(tmp_path / "out", config, hf_cache)
        where = {
            split for split in data for doc in data[split]["doc_id"] if doc in ("a01", "z-copy")
        }
        assert where == {expected_split}, config
    assert_tokens_rebuild(load(tmp_path / "out", "tokens", hf_cache), ws)
    assert sum(s.documents for s in result.splits.values()) == len(TEXTS) + 1
