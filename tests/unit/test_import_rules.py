"""Issue 2's import rules against a real workspace in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from annotator import store
from annotator.importer import import_paths
from annotator.model import LabelFile, Span
from annotator.text.normalize import text_sha256
from annotator.workspace import Workspace, init_workspace

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ingest"
TEXT = "白鹭银行约八千名客户的银行卡号外泄，孙某被捕。"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws")


def write_rows(path: Path, *rows: dict[str, object]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    return path


def span(start: int, end: int, label: str) -> dict[str, object]:
    return {"start": start, "end": end, "label": label}


def snapshot(root: Path) -> dict[str, bytes]:
    """Every stored byte outside the derived cache."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".annotator" not in p.parts
    }


def test_every_fixture_format_is_imported(ws: Workspace) -> None:
    report = import_paths(ws, [FIXTURES], annotator="alice")
    assert report.ok, [p.render() for p in report.problems]
    assert sorted(report.added) == sorted(
        [
            "article",
            "news_scrape",
            "page",
            "row-1",
            "row-3",
            "doc-" + text_sha256("某网约车平台泄露乘客行程记录。")[:12],
        ]
    )
    doc = ws.load_document("news_scrape")
    assert doc.text.startswith("据示例财经报道，青禾科技有限公司")
    assert doc.meta.title == "青禾科技约12万条会员资料外泄，公司称已报警"
    assert doc.meta.script == "simplified" and doc.meta.language == "zh"
    # Stored as UTF-8 with CJK written as is, so grep finds it.
    assert "青禾科技有限公司".encode() in ws.document_path("news_scrape").read_bytes()
    labels = ws.load_labels("alice", "row-1")
    assert labels is not None
    assert labels.status == "done"
    assert [(s.start, s.end, s.label, s.text, s.source) for s in labels.spans] == [
        (0, 4, "ORG", "白鹭银行", "import"),
        (5, 8, "NUMBER", "八千名", "import"),
    ]
    # An empty span list is a judgement too: done, no spans.
    empty = ws.load_labels("alice", "row-3")
    assert empty is not None and empty.status == "done" and empty.spans == ()
    # Articles without spans create no label files.
    assert ws.load_labels("alice", "article") is None


def test_reimport_is_a_no_op(ws: Workspace) -> None:
    import_paths(ws, [FIXTURES], annotator="alice")
    before = snapshot(ws.root)
    report = import_paths(ws, [FIXTURES], annotator="alice")
    assert report.ok
    assert report.added == [] and len(report.unchanged) == 6
    assert report.labels_written == [] and len(report.labels_unchanged) == 2
    assert snapshot(ws.root) == before


def test_same_text_under_another_id_reuses_the_stored_document(
    ws: Workspace, tmp_path: Path
) -> None:
    write_rows(tmp_path / "a.jsonl", {"id": "first", "text": TEXT})
    import_paths(ws, [tmp_path / "a.jsonl"])
    rows = write_rows(
        tmp_path / "b.jsonl", {"id": "second", "text": TEXT, "spans": [span(0, 4, "ORG")]}
    )
    report = import_paths(ws, [rows], annotator="bob")
    assert report.ok
    assert report.reused == [(f"{rows}:1", "first")]
    assert any("reusing it" in note and "'first'" in note for note in report.notes)
    assert ws.document_ids() == ["first"]
    labels = ws.load_labels("bob", "first")
    assert labels is not None and labels.spans[0].text == "白鹭银行"
    # A row without an id is reused and reported the same way.
    anonymous = write_rows(tmp_path / "c.jsonl", {"text": TEXT})
    again = import_paths(ws, [anonymous])
    assert again.ok and again.reused == [(f"{anonymous}:1", "first")]
    assert ws.document_ids() == ["first"]


def test_id_collision_with_different_text_is_an_error(ws: Workspace, tmp_path: Path) -> None:
    import_paths(ws, [write_rows(tmp_path / "a.jsonl", {"id": "d", "text": TEXT})])
    before = snapshot(ws.root)
    report = import_paths(
        ws, [write_rows(tmp_path / "b.jsonl", {"id": "d", "text": TEXT + "补充。"})]
    )
    assert not report.ok
    (problem,) = report.problems
    assert "id collision" in problem.message and "--replace-text" in problem.fix
    assert snapshot(ws.root) == before


def test_spans_are_checked_like_any_save(ws: Workspace, tmp_path: Path) -> None:
    rows = write_rows(
        tmp_path / "a.jsonl",
        {"id": "a", "text": TEXT, "spans": [span(0, 4, "BANK")]},
        {"id": "b", "text": TEXT + "一", "spans": [{**span(0, 4, "ORG"), "text": "白鹭"}]},
        {"id": "c", "text": TEXT + "二", "spans": [span(0, 99, "ORG")]},
        {"id": "d", "text": TEXT + "三", "spans": [span(0, 4, "ORG"), span(2, 6, "ORG")]},
        {"id": "e", "text": " " + TEXT, "spans": [span(0, 5, "ORG")]},
    )
    report = import_paths(ws, [rows], annotator="alice")
    messages = " | ".join(p.render() for p in report.problems)
    assert "unknown label 'BANK'" in messages
    assert "does not match" in messages
    assert "out of range" in messages
    assert "overlaps" in messages
    assert "whitespace" in messages
    assert ws.label_ids("alice") == []  # nothing invalid was written
    assert len(ws.document_ids()) == 5  # the documents themselves are fine


def test_labels_rules_identical_different_replace(ws: Workspace, tmp_path: Path) -> None:
    first = write_rows(
        tmp_path / "a.jsonl", {"id": "d", "text": TEXT, "spans": [span(0, 4, "ORG")]}
    )
    assert import_paths(ws, [first], annotator="alice").labels_written == ["alice/d"]
    path = ws.label_path("alice", "d")
    saved = path.read_bytes()
    # Identical spans: no-op.
    again = import_paths(ws, [first], annotator="alice")
    assert again.ok and again.labels_unchanged == ["alice/d"] and path.read_bytes() == saved
    # Different spans: an error that changes nothing.
    other = write_rows(
        tmp_path / "b.jsonl", {"id": "d", "text": TEXT, "spans": [span(18, 20, "PERSON")]}
    )
    refused = import_paths(ws, [other], annotator="alice")
    assert not refused.ok and "--replace" in refused.problems[0].fix
    assert path.read_bytes() == saved
    # Another annotator gets their own file.
    assert import_paths(ws, [other], annotator="bob").labels_written == ["bob/d"]
    # --replace overwrites.
    replaced = import_paths(ws, [other], annotator="alice", replace=True)
    assert replaced.ok and replaced.labels_written == ["alice/d"]
    labels = ws.load_labels("alice", "d")
    assert labels is not None and [s.text for s in labels.spans] == ["孙某"]


def test_spans_fill_a_label_file_that_has_no_spans_yet(ws: Workspace, tmp_path: Path) -> None:
    import_paths(ws, [write_rows(tmp_path / "a.jsonl", {"id": "d", "text": TEXT})])
    started = LabelFile.new(ws.load_document("d"), "alice").model_copy(
        update={"status": "in_progress", "note": "看过了"}
    )
    ws.save_labels(started)
    rows = write_rows(tmp_path / "b.jsonl", {"id": "d", "text": TEXT, "spans": [span(0, 4, "ORG")]})
    report = import_paths(ws, [rows], annotator="alice")
    assert report.ok
    labels = ws.load_labels("alice", "d")
    assert labels is not None
    assert labels.status == "done" and labels.note == "看过了" and len(labels.spans) == 1


@pytest.mark.parametrize("bad_id", ["../x", "/abs", "a/b", "a\\b", "..", ".hidden"])
def test_path_like_ids_are_refused(ws: Workspace, tmp_path: Path, bad_id: str) -> None:
    rows = write_rows(tmp_path / "a.jsonl", {"id": bad_id, "text": TEXT})
    before = snapshot(tmp_path)
    report = import_paths(ws, [rows])
    assert not report.ok
    assert "a.jsonl:1" in report.problems[0].render()
    assert snapshot(tmp_path) == before  # nothing written anywhere


def test_file_stems_that_look_like_paths_become_safe_ids(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    named = folder / "..淘宝 新闻..2021.txt"  # hidden in a folder walk, read when named
    named.write_text("某公司数据外泄。", encoding="utf-8")
    report = import_paths(ws, [named])
    assert report.ok and report.added == ["淘宝-新闻.2021"]


def test_spans_without_an_annotator_are_reported(ws: Workspace, tmp_path: Path) -> None:
    rows = write_rows(tmp_path / "a.jsonl", {"id": "d", "text": TEXT, "spans": [span(0, 4, "ORG")]})
    report = import_paths(ws, [rows])
    assert not report.ok and "--annotator" in report.problems[0].fix
    assert ws.document_ids() == ["d"]


def test_one_bad_file_does_not_stop_the_others(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"\x00\x01binary")
    write_rows(folder / "b.jsonl", {"id": "ok", "text": TEXT}).write_bytes(
        (folder / "b.jsonl").read_bytes() + b"{broken\n"
    )
    shutil.copy(FIXTURES / "page.html", folder / "c.html")
    report = import_paths(ws, [folder])
    rendered = [p.render() for p in report.problems]
    assert len(rendered) == 2
    assert "a.txt" in rendered[0] and "binary" in rendered[0]
    assert "b.jsonl:2" in rendered[1] and "not valid JSON" in rendered[1]
    assert ws.document_ids() == ["c", "ok"]


def test_progress_reaches_the_total(ws: Workspace) -> None:
    seen: list[tuple[int, int]] = []
    import_paths(ws, [FIXTURES], progress=lambda done, total: seen.append((done, total)))
    total = sum(p.stat().st_size for p in FIXTURES.iterdir())
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_label_file_locked_by_another_session_is_reported(ws: Workspace, tmp_path: Path) -> None:
    rows = write_rows(tmp_path / "a.jsonl", {"id": "d", "text": TEXT, "spans": [span(0, 4, "ORG")]})
    import_paths(ws, [write_rows(tmp_path / "b.jsonl", {"id": "d", "text": TEXT})])
    lock = ws.lock_labels("alice", "d")
    store.acquire(lock, ws.label_path("alice", "d"), 1.0)
    try:
        report = import_paths(ws, [rows], annotator="alice", lock_timeout=0.1)
    finally:
        lock.release()
    assert not report.ok and "another session" in report.problems[0].message
    assert ws.load_labels("alice", "d") is None


def test_stored_spans_keep_their_model(ws: Workspace, tmp_path: Path) -> None:
    rows = write_rows(tmp_path / "a.jsonl", {"id": "d", "text": TEXT, "spans": [span(0, 4, "ORG")]})
    import_paths(ws, [rows], annotator="alice")
    raw = orjson.loads(ws.label_path("alice", "d").read_bytes())
    assert Span.model_validate(raw["spans"][0]).source == "import"
    assert raw["text_sha256"] == text_sha256(TEXT)
