"""The index's in-process memo and its unverified fast path stay exact where they promise to."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from annotator.index import document_ids, document_summaries, label_summaries
from annotator.model import LabelFile
from annotator.workspace import Workspace, init_workspace, make_document

TEXT = "远帆物流称其客服系统被植入木马，约3万条订单信息外泄。"
HOUR_NS = 3600 * 10**9


def _workspace(tmp_path: Path, docs: int = 4) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    for n in range(docs):
        document = make_document(f"{TEXT}（{n}）", f"d{n}")
        ws.save_document(document)
        ws.save_labels(LabelFile.new(document, "ann").model_copy(update={"status": "done"}))
    return ws


def _age(folder: Path) -> None:
    """Move a folder's mtime an hour back, as if nothing had touched it lately."""
    stat = folder.stat()
    os.utime(folder, ns=(stat.st_atime_ns, stat.st_mtime_ns - HOUR_NS))


def _edit_in_place(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes().replace(old, new)
    with open(path, "r+b") as handle:  # no rename: the folder's mtime does not move
        handle.write(data)
        handle.truncate()
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_unverified_read_trusts_an_old_folder_and_a_verified_read_sees_in_place_edits(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path)
    folder = ws.labels_dir / "ann"
    _age(folder)
    assert label_summaries(ws, "ann")["d1"].status == "done"
    _edit_in_place(folder / "d1.json", b'"status": "done"', b'"status": "flagged"')
    # The documented trade: an in-place edit is unseen until the next verified read...
    assert label_summaries(ws, "ann", verify=False)["d1"].status == "done"
    # ...which sees it, and then the fast path agrees.
    assert label_summaries(ws, "ann")["d1"].status == "flagged"
    assert label_summaries(ws, "ann", verify=False)["d1"].status == "flagged"


def test_unverified_read_sees_every_atomic_save(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    _age(ws.labels_dir / "ann")
    label_summaries(ws, "ann")
    label_file = ws.load_labels("ann", "d2")
    assert label_file is not None
    ws.save_labels(label_file.model_copy(update={"status": "skipped"}))  # temp file + rename
    assert label_summaries(ws, "ann", verify=False)["d2"].status == "skipped"


def test_a_recently_changed_folder_is_always_verified(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    label_summaries(ws, "ann")  # the folder was written just now: its mtime is not trusted
    _edit_in_place(ws.labels_dir / "ann" / "d0.json", b'"status": "done"', b'"status": "todo"')
    assert label_summaries(ws, "ann", verify=False)["d0"].status == "todo"


def test_a_cache_written_by_another_process_replaces_the_memo(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    _age(ws.labels_dir / "ann")
    label_summaries(ws, "ann")
    cache = ws.cache_dir / "index" / "labels-ann.json"
    poisoned = cache.read_bytes().replace(b'"done"', b'"skipped"')
    cache.write_bytes(poisoned + b" ")  # another size: a new cache file
    assert {s.status for s in label_summaries(ws, "ann").values()} == {"skipped"}


def test_concurrent_readers_get_the_same_answer(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, docs=30)
    results: list[dict[str, str]] = []

    def read() -> None:
        results.append({k: v.status for k, v in label_summaries(ws, "ann").items()})

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(r == results[0] for r in results)
    assert len(results[0]) == 30 and set(document_summaries(ws)) == set(results[0])


def test_document_ids_follow_additions_and_removals(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    _age(ws.documents_dir)
    assert document_ids(ws) == ws.document_ids() == ["d0", "d1", "d2", "d3"]
    ws.save_document(make_document("新的一篇。", "a0"))
    assert document_ids(ws)[0] == "a0"
    time.sleep(0.001)
    (ws.documents_dir / "d3.json").unlink()
    assert document_ids(ws) == ["a0", "d0", "d1", "d2"]
    ids = document_ids(ws)
    ids.append("mutated")  # callers get their own list
    assert "mutated" not in document_ids(ws)


def test_document_ids_survive_the_process_in_a_cache_the_folder_mtime_proves(
    tmp_path: Path,
) -> None:
    from annotator import index

    ws = _workspace(tmp_path, docs=3)
    _age(ws.documents_dir)
    assert index.cached_document_ids(ws) is None  # nothing recorded yet: no answer, no scan
    assert document_ids(ws) == ["d0", "d1", "d2"]
    assert (ws.cache_dir / "index" / "document-ids.json").is_file()
    index._document_ids.clear()  # a new process: only the file remains
    assert index.cached_document_ids(ws) == ["d0", "d1", "d2"]
    ws.save_document(make_document(f"{TEXT}（新）", "d3"))
    # The folder changed moments ago: its mtime is not trusted, so the cache is not either.
    assert index.cached_document_ids(ws) is None
    _age(ws.documents_dir)
    assert index.cached_document_ids(ws) is None  # the recorded mtime no longer matches
    assert document_ids(ws) == ["d0", "d1", "d2", "d3"]
    index._document_ids.clear()
    assert index.cached_document_ids(ws) == ["d0", "d1", "d2", "d3"]
