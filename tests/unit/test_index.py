"""The status index is a disposable cache: rebuilt when missing, stale or corrupt."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from annotator.index import document_summaries, label_summaries
from annotator.model import LabelFile, Span
from annotator.workspace import Workspace, init_workspace, make_document

TEXT = "云端酒店泄露了20万条入住记录，涉事员工周某被拘留。"


def _workspace(tmp_path: Path, docs: int = 3) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    for n in range(docs):
        document = make_document(f"{TEXT}（{n}）", f"d{n}")
        ws.save_document(document)
        start = TEXT.index("周某")
        span = Span(start=start, end=start + 2, label="PERSON", text="周某", uncertain=n == 0)
        ws.save_labels(
            LabelFile.new(document, "ann").model_copy(update={"spans": (span,), "status": "done"})
        )
    return ws


def _cache(ws: Workspace) -> Path:
    return ws.cache_dir / "index" / "labels-ann.json"


def test_summaries_and_cache_file(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    summaries = label_summaries(ws, "ann")
    assert sorted(summaries) == ["d0", "d1", "d2"]
    assert (
        summaries["d0"].status == "done"
        and summaries["d0"].spans == 1
        and summaries["d0"].uncertain == 1
    )
    assert summaries["d0"].labels == {"PERSON": 1}
    assert _cache(ws).is_file()
    docs = document_summaries(ws)
    assert docs["d1"].chars == len(TEXT) + 3


def test_cache_is_used_when_nothing_changed(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    label_summaries(ws, "ann")
    # Poison the cached status: an unchanged folder must be answered from the cache.
    raw = orjson.loads(_cache(ws).read_bytes())
    raw["files"]["d1"][2] = "flagged"
    _cache(ws).write_bytes(orjson.dumps(raw))
    assert label_summaries(ws, "ann")["d1"].status == "flagged"


def test_stale_cache_is_rebuilt_after_a_save(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    assert label_summaries(ws, "ann")["d1"].status == "done"
    label_file = ws.load_labels("ann", "d1")
    assert label_file is not None
    ws.save_labels(label_file.model_copy(update={"status": "flagged", "spans": ()}))
    summary = label_summaries(ws, "ann")["d1"]
    assert summary.status == "flagged" and summary.spans == 0


def test_in_place_edit_is_seen_even_though_the_folder_mtime_did_not_change(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    label_summaries(ws, "ann")
    folder = ws.labels_dir / "ann"
    before = folder.stat().st_mtime_ns
    path = folder / "d2.json"
    data = path.read_bytes().replace(b'"status": "done"', b'"status": "skipped"')
    with open(path, "r+b") as handle:  # an editor writing in place, not via rename
        handle.write(data)
        handle.truncate()
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert folder.stat().st_mtime_ns == before
    assert label_summaries(ws, "ann")["d2"].status == "skipped"


def test_added_and_deleted_files_and_corrupt_cache(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    label_summaries(ws, "ann")
    (ws.labels_dir / "ann" / "d0.json").unlink()
    (ws.labels_dir / "ann" / "zz.json").write_bytes(b"{broken")
    (ws.labels_dir / "ann" / ".zz.json.123.tmp").write_bytes(
        b"{}"
    )  # a temp file is not a label file
    summaries = label_summaries(ws, "ann")
    assert sorted(summaries) == ["d1", "d2", "zz"] and summaries["zz"].status == "invalid"
    _cache(ws).write_bytes(b"not json")
    assert sorted(label_summaries(ws, "ann")) == ["d1", "d2", "zz"]
    _cache(ws).unlink()
    assert sorted(label_summaries(ws, "ann")) == ["d1", "d2", "zz"]


def test_old_index_version_is_ignored(tmp_path: Path) -> None:
    ws = _workspace(tmp_path)
    label_summaries(ws, "ann")
    raw = orjson.loads(_cache(ws).read_bytes())
    raw["version"] = 1
    raw["files"]["d1"][2] = "flagged"
    _cache(ws).write_bytes(orjson.dumps(raw))
    assert label_summaries(ws, "ann")["d1"].status == "done"
