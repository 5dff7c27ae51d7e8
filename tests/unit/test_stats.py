"""`annotator stats`: counts from the index, speed from active_seconds, assignment progress."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.model import LabelFile, Span
from annotator.stats import compute_stats, render_text
from annotator.workspace import Workspace, init_workspace, make_document

TEXT = "白鹭网约车平台泄露了9万条行程记录，司机黄某被拘。"


def _span(surface: str, label: str, uncertain: bool = False) -> Span:
    start = TEXT.index(surface)
    return Span(
        start=start, end=start + len(surface), label=label, text=surface, uncertain=uncertain
    )


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = init_workspace(tmp_path / "ws")
    documents = [make_document(f"{TEXT}{'。' * n}", f"d{n}") for n in range(4)]
    for document in documents:
        workspace.save_document(document)

    def save(doc: int, who: str, status: str, spans: tuple[Span, ...], seconds: float) -> None:
        label_file = LabelFile.new(documents[doc], who).model_copy(
            update={"status": status, "spans": spans, "active_seconds": seconds}
        )
        workspace.save_labels(label_file)

    org, person, number = (
        _span("白鹭网约车平台", "ORG"),
        _span("黄某", "PERSON"),
        _span("9万条", "NUMBER"),
    )
    save(0, "ann", "done", (org, person, number), 1800)
    save(1, "ann", "done", (org, _span("黄某", "PERSON", uncertain=True)), 1800)
    save(2, "ann", "in_progress", (org,), 0)
    save(0, "bob", "flagged", (number,), 600)
    return workspace


def test_counts_by_status_label_and_annotator(ws: Workspace) -> None:
    stats = compute_stats(ws)
    assert stats.documents == 4
    # each document once, at its most advanced status; d3 has no label file
    assert stats.documents_by_status == {"todo": 1, "in_progress": 1, "done": 2}
    assert stats.spans_by_label == {"ORG": 3, "PERSON": 2, "NUMBER": 2}
    ann, bob = stats.annotators
    assert (ann.name, ann.label_files, ann.spans, ann.by_status) == (
        "ann",
        3,
        6,
        {"done": 2, "in_progress": 1},
    )
    assert bob.by_status == {"flagged": 1} and bob.by_label == {"NUMBER": 1}
    # 2 documents done in one hour of active time, 6 spans per hour
    assert ann.docs_per_hour == 2.0 and ann.spans_per_hour == 6.0
    assert bob.docs_per_hour == 0.0 and bob.spans_per_hour == 6.0
    assert [(u.annotator, u.doc_id, u.label, u.text) for u in stats.uncertain] == [
        ("ann", "d1", "PERSON", "黄某")
    ]


def test_progress_against_the_assignment(ws: Workspace) -> None:
    docs = {"d0": ["ann", "bob"], "d1": ["ann"], "d2": ["ann"], "d3": ["cy"]}
    assignment = {"annotators": ["ann", "bob", "cy"], "docs": docs}
    (ws.labels_dir / "assignment.json").write_bytes(orjson.dumps(assignment))
    stats = compute_stats(ws)
    by_name = {p.name: p for p in stats.annotators}
    assert (by_name["ann"].assigned, by_name["ann"].assigned_finished) == (3, 2)
    assert by_name["ann"].progress == round(2 / 3, 4)
    assert (by_name["bob"].assigned, by_name["bob"].assigned_finished) == (
        1,
        0,
    )  # flagged is not finished
    assert (by_name["cy"].assigned, by_name["cy"].assigned_finished, by_name["cy"].label_files) == (
        1,
        0,
        0,
    )
    text = render_text(stats)
    assert "progress" in text and "67%" in text


def test_broken_assignment_is_reported_not_fatal(ws: Workspace) -> None:
    (ws.labels_dir / "assignment.json").write_bytes(b'{"docs": []}')
    stats = compute_stats(ws)
    assert stats.assignment_problem is not None and "expected shape" in stats.assignment_problem
    assert all(p.assigned is None for p in stats.annotators)


def test_stats_follow_saves_through_the_index(ws: Workspace) -> None:
    assert compute_stats(ws).documents_by_status["done"] == 2
    label_file = ws.load_labels("ann", "d2")
    assert label_file is not None
    ws.save_labels(label_file.model_copy(update={"status": "done"}))
    assert compute_stats(ws).documents_by_status == {"todo": 1, "done": 3}


def test_cli_text_and_json(ws: Workspace) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["stats", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert (
        "documents: 4" in result.output and "by label: ORG 3, PERSON 2, NUMBER 2" in result.output
    )
    assert "ann/d1 20:22 PERSON '黄某'" in result.output
    result = runner.invoke(app, ["stats", "--json", "-w", str(ws.root)])
    body = json.loads(result.output)
    assert body["documents_by_status"] == {"todo": 1, "in_progress": 1, "done": 2}
    assert body["annotators"][0]["docs_per_hour"] == 2.0
    assert body["uncertain_spans"][0]["doc_id"] == "d1"
