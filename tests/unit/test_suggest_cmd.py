"""`annotator suggest`: pending suggestions stored, spans and rejections kept, locks honoured."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.model import LabelFile, RejectedSpan, Span
from annotator.suggest.taught import add_entries
from annotator.workspace import Workspace, init_workspace, make_document

CHARGE = "侵犯公民个人信息罪"
T1 = f"星河云科技公司员工李某涉嫌{CHARGE}，涉案数据达3万条。"
T2 = f"海蓝物流公司泄露了12万条客户手机号，负责人王某涉嫌{CHARGE}。"
T3 = f"北辰银行的前员工赵某因{CHARGE}被判刑。"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    for doc_id, text in (("d1", T1), ("d2", T2), ("d3", T3)):
        ws.save_document(make_document(text, doc_id))
    d2 = ws.load_document("d2")
    number = T2.index("12万条")
    ws.save_labels(
        LabelFile.new(d2, "alice").model_copy(
            update={
                "status": "in_progress",
                "spans": (Span(start=0, end=6, label="ORG", text=T2[:6]),),
                "rejected": (
                    RejectedSpan(start=number, end=number + 4, label="NUMBER", text="12万条"),
                ),
            }
        )
    )
    d3 = ws.load_document("d3")
    ws.save_labels(LabelFile.new(d3, "alice").model_copy(update={"status": "done"}))
    return ws


def _run(ws: Workspace, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["suggest", "-w", str(ws.root), "--annotator", "alice", *args])
    return result.exit_code, result.stdout, result.stderr


def test_suggest_stores_pending_and_writes_jsonl(ws: Workspace, tmp_path: Path) -> None:
    d2_before = ws.load_labels("alice", "d2")
    d3_bytes = ws.label_path("alice", "d3").read_bytes()
    out = tmp_path / "sugg.jsonl"
    code, stdout, _ = _run(ws, "--jsonl", str(out))
    assert code == 0, stdout
    d1 = ws.load_labels("alice", "d1")
    assert d1 is not None and d1.status == "todo" and d1.spans == ()
    assert any(s.label == "LEGAL_CHARGE" and s.text == CHARGE for s in d1.suggestions)
    d2 = ws.load_labels("alice", "d2")
    assert d2 is not None and d2_before is not None
    assert d2.spans == d2_before.spans and d2.rejected == d2_before.rejected
    assert d2.status == "in_progress"
    rejected_keys = {r.key for r in d2.rejected}
    assert d2.suggestions, "expected suggestions for d2"
    assert not any(s.key in rejected_keys for s in d2.suggestions)
    assert not any(s.overlaps(0, 6) for s in d2.suggestions)
    # a finished document is left exactly as it was
    assert ws.label_path("alice", "d3").read_bytes() == d3_bytes
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [row["id"] for row in lines] == ["d1", "d2"]
    assert lines[0]["text"] == T1
    span = next(s for s in lines[0]["spans"] if s["label"] == "LEGAL_CHARGE")
    assert set(span) == {"start", "end", "label", "text", "source", "score"}
    assert T1[span["start"] : span["end"]] == span["text"] == CHARGE
    assert "on 2 document(s)" in stdout and "1 already done" in stdout


def test_taught_lexicon_reaches_other_documents(ws: Workspace) -> None:
    add_entries(ws.lexicon_dir, "ORG", ["北辰银行"])
    (ws.labels_dir / "bob").mkdir()
    result = CliRunner().invoke(app, ["suggest", "-w", str(ws.root), "-a", "bob", "--doc", "d3"])
    assert result.exit_code == 0, result.output
    d3 = ws.load_labels("bob", "d3")
    assert d3 is not None
    org = next(s for s in d3.suggestions if s.label == "ORG")
    assert (org.start, org.end, org.source) == (0, 4, "taught")


def test_locked_file_is_reported_and_others_continue(ws: Workspace) -> None:
    lock = ws.lock_labels("alice", "d1")
    lock.acquire()
    try:
        code, stdout, stderr = _run(ws)
    finally:
        lock.release()
    assert code == 1
    assert "open elsewhere (locked)" in stdout
    assert "being edited by another session" in stderr
    assert ws.load_labels("alice", "d1") is None
    d2 = ws.load_labels("alice", "d2")
    assert d2 is not None and d2.suggestions


def test_no_save_only_measures(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    code, stdout, _ = _run(ws, "--no-save", "--jsonl", str(out), "--doc", "d1")
    assert code == 0, stdout
    assert ws.load_labels("alice", "d1") is None
    assert len(out.read_bytes().splitlines()) == 1
    code, _, _ = _run(ws, "--doc", "nope")
    assert code == 1


def test_rerun_keeps_files_unchanged(ws: Workspace) -> None:
    _run(ws)
    before = ws.label_path("alice", "d1").read_bytes()
    code, stdout, _ = _run(ws)
    assert code == 0
    assert "(0 label file(s) updated)" in stdout
    assert ws.label_path("alice", "d1").read_bytes() == before
