"""kill -9 at any moment of a save leaves the old or the new label file, never a mix.

A child process saves two large versions of one label file in a loop (the
writers' path: per-file lock, temp file, fsync, rename; nearly all of its time
is spent writing); the parent SIGKILLs it at random moments and after each
kill reads the file back.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from annotator.model import LabelFile, Span
from annotator.store import dumps_label_file, parse_label_file
from annotator.validate import validate
from annotator.workspace import Workspace, init_workspace, make_document

UNIT = "星海支付泄露了8万条银行卡号，黑客张某被捕。"  # fictional

CHILD = """
import sys
from pathlib import Path
from annotator import store
from annotator.workspace import Workspace

root, a_path, b_path = sys.argv[1:4]
ws = Workspace(Path(root))
target = ws.label_path("ann", "big")
versions = [Path(p).read_bytes() for p in (a_path, b_path)]
lock = ws.lock_labels("ann", "big")
n = 0
while True:
    with lock:  # the writer's own path: per-file lock, then the atomic write
        store.atomic_write_bytes(target, versions[n % 2])
    if n == 0:
        print("ready", flush=True)
    n += 1
"""


def _version(document_text: str, doc_id: str, sha: str, shift: int, status: str) -> LabelFile:
    spans = []
    for i in range(shift, len(document_text) // len(UNIT)):
        base = i * len(UNIT)
        start = base + UNIT.index("8万条")
        spans.append(Span(start=start, end=start + 3, label="NUMBER", text="8万条"))
        start = base + UNIT.index("张某")
        spans.append(Span(start=start, end=start + 2, label="PERSON", text="张某"))
    return LabelFile(
        doc_id=doc_id,
        text_sha256=sha,
        annotator="ann",
        status=status,  # type: ignore[arg-type]
        spans=tuple(spans),
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
    )


def test_kill_during_save_leaves_old_or_new_file(tmp_path: Path) -> None:
    ws: Workspace = init_workspace(tmp_path / "ws")
    document = make_document(UNIT * 3000, "big")  # 66k characters, 6k spans: ~0.4 MB label files
    ws.save_document(document)
    a = _version(document.text, document.id, document.sha256, 0, "in_progress")
    b = _version(document.text, document.id, document.sha256, 1, "done")
    a_bytes, b_bytes = dumps_label_file(a), dumps_label_file(b)
    assert len(a_bytes) > 300_000 and a_bytes != b_bytes
    (tmp_path / "a.json").write_bytes(a_bytes)
    (tmp_path / "b.json").write_bytes(b_bytes)
    target = ws.label_path("ann", "big")
    rng = random.Random(20261122)
    seen = set()
    for _ in range(6):
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                str(ws.root),
                str(tmp_path / "a.json"),
                str(tmp_path / "b.json"),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.15))
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        data = target.read_bytes()
        assert data in (a_bytes, b_bytes), f"partial label file after kill ({len(data)} bytes)"
        seen.add(data)
        parse_label_file(data, target)
        # Whatever temp files the kill left are hidden: never listed, never validated.
        leftovers = [p.name for p in target.parent.iterdir() if p.name != "big.json"]
        assert all(name.startswith(".big.json.") and name.endswith(".tmp") for name in leftovers)
        assert ws.label_ids("ann") == ["big"]
        report = validate(ws, cwd=ws.root)
        assert report.ok and report.label_files == 1, [p.render() for p in report.problems]
    assert len(seen) >= 1
