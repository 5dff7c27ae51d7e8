"""Finding, creating and reading a workspace; the id and path rules at its door."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import InvalidLabelsError, WorkspaceError
from annotator.model import LabelFile, Span
from annotator.text.normalize import text_sha256
from annotator.workspace import (
    default_schema_bytes,
    find_workspace,
    init_workspace,
    make_document,
)


def test_init_creates_the_layout_and_never_overwrites(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    assert ws.schema_path.read_bytes() == default_schema_bytes()
    assert (ws.root / "documents").is_dir() and (ws.root / "exports").is_dir()
    assert ".annotator/" in (ws.root / ".gitignore").read_text()
    ws.schema_path.write_text(ws.schema_path.read_text().replace("#4f9dde", "#000000"))
    init_workspace(tmp_path / "ws")
    assert "#000000" in ws.schema_path.read_text()


def test_find_walks_up_and_explains_when_there_is_none(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    deep = ws.root / "labels" / "ann"
    deep.mkdir(parents=True)
    assert find_workspace(start=deep).root == ws.root.resolve()
    assert find_workspace(ws.root).root == ws.root
    with pytest.raises(WorkspaceError, match="no workspace here or in any parent folder"):
        find_workspace(start=tmp_path)
    with pytest.raises(WorkspaceError, match=r"not a workspace \(no labels/schema.json\)"):
        find_workspace(tmp_path)


@pytest.mark.parametrize("doc_id", ["../x", "/abs", "a/b", "a\\b", ".."])
def test_path_like_ids_never_reach_the_file_system(tmp_path: Path, doc_id: str) -> None:
    ws = init_workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="looks like a path"):
        ws.document_path(doc_id)
    with pytest.raises(WorkspaceError, match="looks like a path"):
        ws.label_path("ann", doc_id)


def test_bad_annotator_names_are_refused(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError, match="is reserved"):
        ws.annotator_dir("lexicon")
    with pytest.raises(WorkspaceError, match="not allowed"):
        ws.annotator_dir("../x")


def test_make_document_normalizes_once_and_hashes(tmp_path: Path) -> None:
    document = make_document("\ufeff第一行\r\n第二行\x07")
    assert document.text == "第一行\n第二行"
    assert document.sha256 == text_sha256("第一行\n第二行")
    assert document.id == f"doc-{document.sha256[:12]}"


def test_documents_and_label_files_round_trip(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    document = make_document("海豚物流泄露了订单。", "d1")
    ws.save_document(document)
    assert ws.document_ids() == ["d1"] and ws.load_document("d1") == document
    saved = ws.save_labels(
        LabelFile.new(document, "ann").model_copy(
            update={"spans": (Span(start=0, end=4, label="ORG", text="海豚物流"),)}
        )
    )
    assert ws.load_labels("ann", "d1") == saved
    assert ws.annotators() == ["ann"] and ws.label_ids("ann") == ["d1"]
    (ws.labels_dir / "ann" / ".d1.json.x1y2.tmp").write_bytes(b"{")
    (ws.labels_dir / "lexicon").mkdir()
    assert ws.annotators() == ["ann"] and ws.label_ids("ann") == ["d1"]
    assert ws.load_labels("bob", "d1") is None
    assert ws.labels_or_new("bob", "d1").status == "todo"


def test_invalid_labels_are_never_saved(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    document = make_document("海豚物流泄露了订单。", "d1")
    ws.save_document(document)
    bad = LabelFile.new(document, "ann").model_copy(
        update={"spans": (Span(start=0, end=4, label="ORG", text="海豚快递"),)}
    )
    with pytest.raises(InvalidLabelsError, match="refusing to save invalid labels: spans\\[0\\]"):
        ws.save_labels(bad)
    assert not ws.label_path("ann", "d1").exists()


def test_document_cache_sees_changes_and_id_mismatch(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    ws.save_document(make_document("第一版。", "d1"))
    assert ws.load_document("d1").text == "第一版。"
    ws.save_document(make_document("第二版，更长。", "d1"))
    assert ws.load_document("d1").text == "第二版，更长。"
    ws.save_document(make_document("别的。", "d2"))
    ws.document_path("d2").rename(ws.document_path("d3"))
    with pytest.raises(WorkspaceError, match="document file holds id 'd2'"):
        ws.load_document("d3")
    with pytest.raises(WorkspaceError, match="no document 'd9' in this workspace"):
        ws.load_document("d9")
