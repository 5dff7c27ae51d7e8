"""The repository's sample articles import to exactly the sample gold texts (samples/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.importer import import_paths
from annotator.workspace import init_workspace

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

pytestmark = pytest.mark.skipif(
    not (SAMPLES / "gold.jsonl").is_file(), reason="samples/ not present"
)


def test_sample_articles_give_back_the_gold(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    report = import_paths(ws, [SAMPLES / "articles"])
    assert report.ok, [p.render() for p in report.problems]
    gold = [json.loads(line) for line in (SAMPLES / "gold.jsonl").read_text("utf-8").splitlines()]
    assert sorted(report.added) == sorted(row["id"] for row in gold)
    plain = {path.stem for path in (SAMPLES / "articles").glob("*.txt")}  # carry no metadata
    for row in gold:
        document = ws.load_document(row["id"])
        assert document.text == row["text"], row["id"]
        if row["id"] in plain:
            continue
        for key in ("title", "date", "url"):
            if key in row.get("meta", {}):
                assert getattr(document.meta, key) == row["meta"][key], (row["id"], key)
    labels = import_paths(ws, [SAMPLES / "gold.jsonl"], annotator="gold")
    assert labels.ok, [p.render() for p in labels.problems]
    assert labels.added == [] and len(labels.labels_written) == len(gold)
