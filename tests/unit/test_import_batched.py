"""Batched import writes: same files and report as one by one, failures alone, crashes converge.

`batch_size=1` writes each document as it is read (the path before batching);
every other size must leave byte-identical documents, the same label files
(timestamps aside) and the same report.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import orjson

from annotator import store
from annotator.importer import ImportReport, import_paths
from annotator.workspace import Workspace, init_workspace

# Fictional breach news; every name is invented.
ORGS = ("青柚物流", "澜石保险", "北坞医院", "星桥支付", "雾岛社交平台", "赤霞证券")
PEOPLE = ("韩某", "邵某某", "林一帆", "许女士")
DATA = ("手机号", "身份证号", "收货地址", "病历")


def article(n: int) -> tuple[str, list[dict[str, object]]]:
    """A short fictional report, unique per n, with its ORG / PERSON / DATA_TYPE spans."""
    org, person, data = ORGS[n % 6], PEOPLE[n % 4], DATA[n % 3]
    parts = [(f"第{n:04d}号通报：", None), (org, "ORG"), ("的员工", None), (person, "PERSON")]
    parts += [(f"导出了{n + 3}万条客户", None), (data, "DATA_TYPE"), ("，已被警方控制。", None)]
    text, spans, at = "", [], 0
    for piece, label in parts:
        if label is not None:
            spans.append({"start": at, "end": at + len(piece), "label": label})
        text += piece
        at += len(piece)
    return text, spans


def rows_file(path: Path, rows: Iterable[Mapping[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    return path


def mixed_inputs(folder: Path) -> Path:
    """Articles and JSONL rows that exercise every rule of the importer across batches."""
    folder.mkdir()
    for n in range(30):
        (folder / f"a{n:02d}.txt").write_text(article(n)[0], encoding="utf-8")
    (folder / "a05-copy.txt").write_text(article(5)[0], encoding="utf-8")  # reused
    (folder / "a07.md").write_text(article(7)[0], encoding="utf-8")  # same id and text: unchanged
    (folder / "a08.md").write_text(article(99)[0], encoding="utf-8")  # id collision
    rows: list[dict[str, object]] = []
    for n in range(100, 140):
        text, spans = article(n)
        rows.append({"id": f"r{n}", "text": text, "spans": spans})
    text, spans = article(101)
    rows.append({"id": "r101", "text": text, "spans": spans})  # same labels again: unchanged
    rows.append({"id": "r102", "text": article(102)[0], "spans": spans})  # different labels
    rows.append({"id": "r103-again", "text": article(103)[0], "spans": article(103)[1]})
    text, spans = article(200)
    rows.append({"id": "r200", "text": text, "spans": [{**spans[0], "label": "NO_SUCH_LABEL"}]})
    rows.append({"id": "r201", "text": article(201)[0], "meta": {"script": "klingon"}})
    rows.append({"text": article(3)[0], "spans": article(3)[1]})  # labels on a stored article
    rows_file(folder / "z-rows.jsonl", rows)
    broken: list[dict[str, object]] = [{"id": "r300", "text": article(300)[0]}]
    broken.append({"id": "r301", "text": "x", "spans": [{}]})  # stops the rest of the file
    broken.append({"id": "r302", "text": article(302)[0]})
    rows_file(folder / "zz-broken.jsonl", broken)
    return folder


def report_lines(report: ImportReport) -> dict[str, list[str]]:
    return {
        "added": report.added,
        "unchanged": report.unchanged,
        "reused": [f"{origin} -> {doc}" for origin, doc in report.reused],
        "labels_written": report.labels_written,
        "labels_unchanged": report.labels_unchanged,
        "notes": report.notes,
        "problems": [problem.render() for problem in report.problems],
    }


def stored(ws: Workspace) -> dict[str, bytes]:
    """documents/ and labels/ as bytes, label timestamps blanked; hidden (temp) files too."""
    out = {}
    for path in sorted([*ws.documents_dir.rglob("*"), *ws.labels_dir.glob("*/*")]):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.parent.parent == ws.labels_dir and not path.name.startswith("."):
            raw = orjson.loads(data)
            raw["created_at"] = raw["updated_at"] = "-"
            data = orjson.dumps(raw)
        out[str(path.relative_to(ws.root))] = data
    return out


def test_batched_import_gives_the_same_files_and_report_as_one_by_one(tmp_path: Path) -> None:
    source = mixed_inputs(tmp_path / "in")
    results = []
    for batch_size in (1, 4, 128):
        ws = init_workspace(tmp_path / f"ws{batch_size}")
        report = import_paths(
            ws, [source], annotator="ann", batch_size=batch_size, lock_timeout=0.2
        )
        results.append((report_lines(report), stored(ws)))
        for doc_id in ws.label_ids("ann"):  # every lock was released
            lock = ws.lock_labels("ann", doc_id)
            store.acquire(lock, ws.label_path("ann", doc_id), 0.0)
            lock.release()
    (one_by_one, files), *batched = results
    for lines, other_files in batched:
        assert lines == one_by_one
        assert other_files == files
    # The inputs reach every rule (within and across batches), so the comparison means something.
    assert len(one_by_one["added"]) == 30 + 40 + 2 and "r302" not in one_by_one["added"]
    assert one_by_one["unchanged"] == ["a07", "r101", "r102"]
    reused = [line.rsplit(" -> ", 1)[1] for line in one_by_one["reused"]]
    assert reused == ["a05-copy", "r103", "a03"]
    assert len(one_by_one["labels_written"]) == 41 and one_by_one["labels_written"][-1] == "ann/a03"
    assert one_by_one["labels_unchanged"] == ["ann/r101", "ann/r103"]
    problems = one_by_one["problems"]
    assert len(problems) == 5 and "id collision" in problems[0] and "--replace" in problems[1]
    assert "zz-broken.jsonl:2" in problems[4]


def test_import_of_n_articles_writes_the_expected_documents(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for n in range(300):
        (source / f"a{n:03d}.txt").write_text(article(n)[0], encoding="utf-8")
    ws = init_workspace(tmp_path / "ws")
    report = import_paths(ws, [source])
    assert report.ok and len(report.added) == 300
    reference = init_workspace(tmp_path / "reference")
    import_paths(reference, [source], batch_size=1)
    for n in range(300):
        name = f"a{n:03d}.json"
        data = (ws.documents_dir / name).read_bytes()
        assert data == (reference.documents_dir / name).read_bytes()
        assert orjson.loads(data)["text"] == article(n)[0]
    assert sorted(os.listdir(ws.documents_dir)) == sorted(os.listdir(reference.documents_dir))


def test_a_document_that_cannot_be_written_is_reported_alone_and_a_rerun_converges(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for n in range(20):
        (source / f"a{n:02d}.txt").write_text(article(n)[0], encoding="utf-8")
    rows = [{"id": f"a{n:02d}", "text": article(n)[0], "spans": article(n)[1]} for n in (6, 7, 8)]
    rows_file(source / "b.jsonl", rows)
    reports = []
    for batch_size in (1, 64):
        ws = init_workspace(tmp_path / f"ws{batch_size}")
        # A folder squats a07's file: the batch's rename of it fails after earlier renames.
        (ws.documents_dir / "a07.json").mkdir()
        report = import_paths(ws, [source], annotator="ann", batch_size=batch_size)
        reports.append(report_lines(report))
        assert [p for p in os.listdir(ws.documents_dir) if p.startswith(".")] == []
        assert ws.label_ids("ann") == ["a06", "a08"]  # never a label file without its document
    one_by_one, batched = reports
    assert batched == one_by_one
    assert [p.split(": ", 1)[1] for p in batched["problems"]] == [
        "cannot write: Is a directory — check disk space and permissions"
    ] * 2  # the article, then the row that labels it
    assert "a07" not in batched["added"] and len(batched["added"]) == 19
    (ws.documents_dir / "a07.json").rmdir()
    again = import_paths(ws, [source], annotator="ann")
    assert again.ok and again.added == ["a07"] and again.labels_written == ["ann/a07"]
    assert len(again.unchanged) == 19 + 3 and again.labels_unchanged == ["ann/a06", "ann/a08"]
    assert ws.document_ids() == [f"a{n:02d}" for n in range(20)]
    assert orjson.loads(ws.document_path("a07").read_bytes())["text"] == article(7)[0]


CHILD = """
import sys
from pathlib import Path
from annotator.importer import import_paths
from annotator.workspace import Workspace

root, source, stop_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
seen = 0

def progress(done: int, total: int) -> None:
    global seen
    seen += 1
    if seen == stop_after:
        print("mid-import", flush=True)

import_paths(Workspace(Path(root)), [Path(source)], annotator="ann", batch_size=16,
             progress=progress)
print("finished", flush=True)
"""


def test_import_killed_mid_batch_leaves_whole_files_and_a_rerun_converges(tmp_path: Path) -> None:
    docs = 240
    rows = []
    for n in range(docs):
        text, spans = article(n)
        rows.append({"id": f"d{n:03d}", "text": text, "spans": spans})
    source = rows_file(tmp_path / "rows.jsonl", rows)
    reference = init_workspace(tmp_path / "reference")
    assert import_paths(reference, [source], annotator="ann", batch_size=1).ok
    expected = stored(reference)
    ws = init_workspace(tmp_path / "ws")
    rng = random.Random(20261122)
    interrupted = 0
    for _ in range(3):
        stop_after = rng.randint(20, 120)  # rows read when the child says so; it keeps going
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(ws.root), str(source), str(stop_after)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "mid-import"
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        now = stored(ws)
        visible = {name: data for name, data in now.items() if not Path(name).name.startswith(".")}
        for name, data in visible.items():
            assert data == expected[name], f"{name} differs from a complete write"
        for name in set(now) - set(visible):
            assert Path(name).name.endswith(".tmp")  # a killed write's temp file, hidden
        documents = {Path(n).stem for n in visible if n.startswith("documents/")}
        labelled = {Path(n).stem for n in visible if n.startswith("labels/")}
        assert labelled <= documents  # a document is written before its label file
        assert len(documents) >= (stop_after - 1) // 16 * 16  # whole batches were written
        interrupted += len(documents) < docs
    assert interrupted  # at least one kill landed mid-import
    report = import_paths(ws, [source], annotator="ann")
    assert report.ok, [p.render() for p in report.problems]
    assert len(report.added) + len(report.unchanged) == docs and not report.reused
    assert len(report.labels_written) + len(report.labels_unchanged) == docs
    final = {name: data for name, data in stored(ws).items() if not Path(name).name.startswith(".")}
    assert final == expected  # every document once, byte for byte, with its labels
