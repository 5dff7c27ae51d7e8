"""Which document comes next: order, assignment, open statuses, resume state."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from annotator import navigation, store
from annotator.errors import StoreError
from annotator.model import LabelFile
from annotator.workspace import Workspace, init_workspace, make_document


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    for doc_id in ("d1", "d2", "d3", "d4"):
        document = make_document(f"{doc_id}号报道：某公司泄露了数据。", doc_id)
        ws.document_path(doc_id).write_bytes(store.dumps_document(document))
    return ws


def set_status(ws: Workspace, doc_id: str, status: str) -> None:
    label_file = LabelFile.new(ws.load_document(doc_id), "ann").model_copy(
        update={"status": status}
    )
    store.write_label_file(ws.label_path("ann", doc_id), label_file)


def test_next_todo_skips_finished_and_wraps(workspace: Workspace) -> None:
    set_status(workspace, "d1", "done")
    set_status(workspace, "d2", "in_progress")
    set_status(workspace, "d3", "flagged")
    assert navigation.next_todo(workspace, "ann") == "d2"
    assert navigation.next_todo(workspace, "ann", after="d2") == "d4"
    assert navigation.next_todo(workspace, "ann", after="d4") == "d2"  # wraps around
    set_status(workspace, "d4", "skipped")
    set_status(workspace, "d2", "done")
    assert navigation.next_todo(workspace, "ann") is None


def test_assignment_limits_the_order(workspace: Workspace) -> None:
    path = navigation.assignment_path(workspace)
    path.write_bytes(
        orjson.dumps(
            {
                "annotators": ["ann", "bo"],
                "docs": {"d2": ["ann", "bo"], "d4": ["ann"], "d1": ["bo"]},
            }
        )
    )
    assert navigation.document_order(workspace, "ann") == ["d2", "d4"]
    assert navigation.next_todo(workspace, "ann", after="d2") == "d4"
    assert navigation.neighbour(workspace, "ann", "d2", 1) == "d4"
    assert navigation.document_order(workspace, "nobody") == []
    path.write_bytes(b'{"annotators": [], "docs": []}')
    with pytest.raises(StoreError, match="docs"):
        navigation.document_order(workspace, "ann")


def test_neighbour_steps_without_wrapping(workspace: Workspace) -> None:
    assert navigation.neighbour(workspace, "ann", "d1", 1) == "d2"
    assert navigation.neighbour(workspace, "ann", "d1", -1) is None
    assert navigation.neighbour(workspace, "ann", "d4", 1) is None
    assert navigation.neighbour(workspace, "ann", "d2x", 1) == "d3"  # an id between d2 and d3


def test_resume_state_round_trip(workspace: Workspace) -> None:
    assert navigation.last_document(workspace, "ann") is None
    assert navigation.start_document(workspace, "ann") == ("d1", 0)
    navigation.remember_document(workspace, "ann", "d3", 7)
    assert navigation.last_document(workspace, "ann") == ("d3", 7)
    assert navigation.start_document(workspace, "ann") == ("d3", 7)
    workspace.document_path("d3").unlink()
    assert navigation.last_document(workspace, "ann") is None  # a vanished document is not resumed
    navigation.state_path(workspace, "ann").write_bytes(b"not json")
    assert navigation.last_document(workspace, "ann") is None


def test_next_todo_same_answer_through_the_index(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the first few direct reads the folder index answers; both agree."""
    set_status(workspace, "d1", "done")
    set_status(workspace, "d2", "skipped")
    set_status(workspace, "d3", "in_progress")
    direct = navigation.next_todo(workspace, "ann")
    monkeypatch.setattr(navigation, "DIRECT_READS", 0)
    assert navigation.next_todo(workspace, "ann") == direct == "d3"
    assert navigation.next_todo(workspace, "ann", after="d3") == "d4"


def test_next_todo_now_answers_only_from_what_is_cheap(workspace: Workspace) -> None:
    import os

    from annotator import index

    folder = workspace.documents_dir
    stat = folder.stat()
    os.utime(folder, ns=(stat.st_atime_ns, stat.st_mtime_ns - 3600 * 10**9))
    index._document_ids.clear()
    assert navigation.next_todo_now(workspace, "ann") == (False, None)  # ids not cached yet
    set_status(workspace, "d1", "done")
    index.document_ids(workspace)
    assert navigation.next_todo_now(workspace, "ann") == (True, "d2")
    for doc_id in ("d2", "d3", "d4"):
        set_status(workspace, doc_id, "done")
    assert navigation.next_todo_now(workspace, "ann") == (True, None)
    set_status(workspace, "d4", "in_progress")
    navigation_reads = navigation.DIRECT_READS
    try:
        navigation.DIRECT_READS = 2  # past the direct reads it would need the whole index
        assert navigation.next_todo_now(workspace, "ann") == (False, None)
        assert navigation.next_todo(workspace, "ann") == "d4"
    finally:
        navigation.DIRECT_READS = navigation_reads
