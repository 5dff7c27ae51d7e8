"""`--replace-text`: correct a stored text and re-anchor its label files exactly."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from annotator import store
from annotator.importer import import_paths
from annotator.model import LabelFile, RejectedSpan, Span, Suggestion
from annotator.spans import check_label_file
from annotator.workspace import Workspace, init_workspace

TEXT = "白鹭银行约八千名客户的银行卡号外泄，孙某被捕。"
NEW_TEXT = "【快讯】白鹭银行约九千名客户的银行卡号外泄，孙某被捕。"


def rows(path: Path, text: str) -> Path:
    path.write_bytes(orjson.dumps({"id": "d", "text": text}) + b"\n")
    return path


def labelled(ws: Workspace, annotator: str, *spans: tuple[int, int, str]) -> LabelFile:
    document = ws.load_document("d")
    label_file = LabelFile.new(document, annotator).model_copy(
        update={
            "status": "done",
            "spans": tuple(
                Span(start=s, end=e, label=lab, text=document.text[s:e]) for s, e, lab in spans
            ),
        }
    )
    return ws.save_labels(label_file)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = init_workspace(tmp_path / "ws")
    assert import_paths(workspace, [rows(tmp_path / "old.jsonl", TEXT)]).ok
    return workspace


def test_without_the_flag_a_corrected_text_is_a_collision(ws: Workspace, tmp_path: Path) -> None:
    report = import_paths(ws, [rows(tmp_path / "new.jsonl", NEW_TEXT)])
    assert not report.ok and "id collision" in report.problems[0].message
    assert ws.load_document("d").text == TEXT


def test_label_files_are_re_anchored(ws: Workspace, tmp_path: Path) -> None:
    labelled(ws, "alice", (0, 4, "ORG"), (18, 20, "PERSON"))
    carol = labelled(ws, "carol", (0, 4, "ORG")).model_copy(
        update={
            "suggestions": (
                Suggestion(start=18, end=20, label="PERSON", text="孙某", source="lexicon"),
                Suggestion(start=5, end=8, label="NUMBER", text="八千名", source="rules"),
            ),
            "rejected": (RejectedSpan(start=11, end=15, label="ORG", text="银行卡号"),),
            "cursor": 18,
        }
    )
    ws.save_labels(carol)
    report = import_paths(ws, [rows(tmp_path / "new.jsonl", NEW_TEXT)], replace_text=True)
    assert report.ok, [p.render() for p in report.problems]
    assert report.replaced == ["d"]
    document = ws.load_document("d")
    assert document.text == NEW_TEXT
    alice = ws.load_labels("alice", "d")
    assert alice is not None and alice.text_sha256 == document.sha256
    assert [(s.start, s.end, s.text) for s in alice.spans] == [(4, 8, "白鹭银行"), (22, 24, "孙某")]
    moved = ws.load_labels("carol", "d")
    assert moved is not None
    assert [(s.start, s.text) for s in moved.suggestions] == [(22, "孙某")]  # 八千名 is gone
    assert [(r.start, r.text) for r in moved.rejected] == [(15, "银行卡号")]
    assert moved.cursor == 22
    for label_file in (alice, moved):
        assert check_label_file(label_file, document, ws.schema(), "x") == []
    assert any("dropped 1" in note for note in report.notes)


def test_spans_that_cannot_be_placed_leave_the_file_untouched(
    ws: Workspace, tmp_path: Path
) -> None:
    labelled(ws, "alice", (0, 4, "ORG"))
    labelled(ws, "bob", (0, 4, "ORG"), (5, 8, "NUMBER"))
    bob_before = ws.label_path("bob", "d").read_bytes()
    old_sha = ws.load_document("d").sha256
    report = import_paths(ws, [rows(tmp_path / "new.jsonl", NEW_TEXT)], replace_text=True)
    assert not report.ok
    (problem,) = report.problems
    assert problem.path == "labels/bob/d.json"
    assert "八千名" in problem.span and "cannot be placed exactly" in problem.message
    assert ws.label_path("bob", "d").read_bytes() == bob_before  # never silently moved
    alice = ws.load_labels("alice", "d")
    assert alice is not None and alice.spans[0].start == 4
    # The old text is kept so bob's labels can still be repaired by hand.
    kept = ws.documents_dir / ".replaced" / f"d.{old_sha[:12]}.json"
    assert store.load_document_file(kept).text == TEXT
    assert ws.document_ids() == ["d"]


def test_a_label_file_open_elsewhere_blocks_the_correction(ws: Workspace, tmp_path: Path) -> None:
    labelled(ws, "alice", (0, 4, "ORG"))
    before = ws.label_path("alice", "d").read_bytes()
    lock = ws.lock_labels("alice", "d")
    store.acquire(lock, ws.label_path("alice", "d"), 1.0)
    try:
        report = import_paths(
            ws, [rows(tmp_path / "new.jsonl", NEW_TEXT)], replace_text=True, lock_timeout=0.1
        )
    finally:
        lock.release()
    assert not report.ok and "another session" in report.problems[0].message
    assert ws.load_document("d").text == TEXT
    assert ws.label_path("alice", "d").read_bytes() == before


def test_rerun_after_correction_is_a_no_op(ws: Workspace, tmp_path: Path) -> None:
    labelled(ws, "alice", (0, 4, "ORG"))
    new = rows(tmp_path / "new.jsonl", NEW_TEXT)
    assert import_paths(ws, [new], replace_text=True).ok
    saved = ws.label_path("alice", "d").read_bytes()
    again = import_paths(ws, [new], replace_text=True)
    assert again.ok and again.unchanged == ["d"] and again.replaced == []
    assert ws.label_path("alice", "d").read_bytes() == saved


def test_corrected_article_file(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    article = tmp_path / "news.md"
    article.write_text("---\ntitle: 白鹭银行\n---\n" + TEXT, encoding="utf-8")
    assert import_paths(ws, [article]).ok
    document = ws.load_document("news")
    ws.save_labels(
        LabelFile.new(document, "alice").model_copy(
            update={"spans": (Span(start=18, end=20, label="PERSON", text="孙某"),)}
        )
    )
    article.write_text("---\ntitle: 白鹭银行（更正）\n---\n" + NEW_TEXT, encoding="utf-8")
    report = import_paths(ws, [article], replace_text=True)
    assert report.ok
    corrected = ws.load_document("news")
    assert corrected.meta.title == "白鹭银行（更正）"
    alice = ws.load_labels("alice", "news")
    assert alice is not None and alice.spans[0].start == 22
