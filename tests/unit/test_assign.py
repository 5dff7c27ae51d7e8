"""`annotator assign`: deterministic, stable, overlap share respected, merge-friendly file."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.quality.assign import (
    Assignment,
    assign,
    assign_documents,
    assigned_docs,
    assignment_path,
    dumps_assignment,
    load_assignment,
    parse_assignment,
    ranked_annotators,
)
from annotator.workspace import Workspace, init_workspace, make_document

NAMES = ["alice", "bob", "carol"]


def ids(n: int, start: int = 0) -> list[str]:
    return [f"doc-{i:04d}" for i in range(start, start + n)]


def test_every_document_assigned_and_overlap_exact() -> None:
    result = assign_documents(None, ids(100), NAMES, overlap=0.2, per_doc=1)
    docs = result.assignment.docs
    assert len(docs) == 100
    assert sum(1 for names in docs.values() if len(names) == 2) == 20
    assert all(len(names) in (1, 2) and set(names) <= set(NAMES) for names in docs.values())
    assert all(len(set(names)) == len(names) for names in docs.values())
    # rendezvous spreads the load: each annotator gets a fair share of 120 places
    for count in result.assignment.counts().values():
        assert 25 <= count <= 55


def test_stable_when_documents_are_added() -> None:
    first = assign_documents(None, ids(50), NAMES, overlap=0.2).assignment
    second = assign_documents(first, ids(80), NAMES, overlap=0.2)
    assert second.added == tuple(ids(30, 50))
    for doc_id, names in first.docs.items():
        assert second.assignment.docs[doc_id] == names
    overlap_docs = sum(1 for names in second.assignment.docs.values() if len(names) == 2)
    assert overlap_docs == 16  # round(0.2 * 80)


def test_order_independent_and_deterministic() -> None:
    a = assign_documents(None, ids(40), NAMES, overlap=0.25).assignment
    b = assign_documents(
        None, list(reversed(ids(40))), list(reversed(NAMES)), overlap=0.25
    ).assignment
    assert a == b
    # the overlap pair extends the single choice, so the primary annotator is always in it
    for doc_id, names in a.docs.items():
        assert ranked_annotators(doc_id, NAMES)[0] in names


def test_per_doc_and_bounds() -> None:
    result = assign_documents(None, ids(10), NAMES, overlap=0.0, per_doc=3)
    assert all(names == tuple(sorted(NAMES)) for names in result.assignment.docs.values())
    with pytest.raises(ValueError, match="per-doc"):
        assign_documents(None, ids(3), NAMES, per_doc=4)
    with pytest.raises(ValueError, match="overlap"):
        assign_documents(None, ids(3), NAMES, overlap=1.5)


def test_file_layout_one_document_per_line() -> None:
    assignment = assign_documents(None, ["b", "a"], ["x", "y"], overlap=0.5).assignment
    data = dumps_assignment(assignment)
    raw = orjson.loads(data)
    assert list(raw) == ["annotators", "docs", "overlap", "per_doc"]
    assert list(raw["docs"]) == ["a", "b"]
    lines = data.decode().splitlines()
    assert lines[3].startswith('    "a": [') and lines[4].startswith('    "b": [')
    assert parse_assignment(data, Path("x")) == assignment


def test_union_merged_file_is_recovered() -> None:
    # What git's union merge leaves when both sides appended documents.
    data = b"""{
  "annotators": ["alice","bob"],
  "docs": {
    "d1": ["alice"],
    "d2": ["bob"],
    "d4": ["alice"]
    "d2": ["bob"],
<<<<<<< ours
    "d3": ["bob","alice"]
=======
>>>>>>> theirs
  },
  "overlap": 0.2,
  "per_doc": 1
}
"""
    assignment = parse_assignment(data, Path("x"))
    assert assignment == Assignment(
        ("alice", "bob"),
        0.2,
        1,
        {"d1": ("alice",), "d2": ("bob",), "d3": ("bob", "alice"), "d4": ("alice",)},
    )


def _workspace(tmp_path: Path, n: int) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    for doc_id in ids(n):
        ws.save_document(make_document(f"第{doc_id}号样例文本。", doc_id))
    return ws


def test_workspace_assign_and_assigned_docs(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, 10)
    assert assigned_docs(ws, "alice") is None
    result = assign(ws, NAMES, overlap=0.3)
    assert len(result.added) == 10 and result.added_overlap == 3
    assert (ws.labels_dir / ".gitattributes").read_text().count("merge=union") == 2
    stored = load_assignment(ws)
    assert stored == result.assignment
    mine = assigned_docs(ws, "alice")
    assert mine == sorted(d for d, names in stored.docs.items() if "alice" in names)
    assert assigned_docs(ws, "nobody") == []
    # a second run without --annotators reuses the stored settings and changes nothing
    before = assignment_path(ws).read_bytes()
    again = assign(ws)
    assert again.added == () and assignment_path(ws).read_bytes() == before


def test_cli_assign(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, 5)
    runner = CliRunner()
    result = runner.invoke(
        app, ["assign", "--annotators", "alice,bob", "--overlap", "0.4", "-w", str(ws.root)]
    )
    assert result.exit_code == 0, result.output
    assert "assigned 5 new document(s), 2 of them to 2 annotators" in result.stdout
    ws.save_document(make_document("新增的样例文本。", "doc-9999"))
    result = runner.invoke(app, ["assign", "-w", str(ws.root)])
    assert "assigned 1 new document(s)" in result.stdout
    bad = runner.invoke(app, ["assign", "--annotators", "a/b", "-w", str(ws.root)])
    assert bad.exit_code == 1 and "not allowed" in bad.output
