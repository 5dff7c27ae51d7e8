"""Benchmark `annotator validate`: label files checked per second.

Generates a temporary workspace with 10,000 label files (2,000 fictional
documents x 5 annotators, 8 spans each), runs `annotator validate` on it as a
user would (a fresh process, so start-up counts), three times, and prints ONE
JSON line with the median files/s (wall clock) and the CPU seconds the
command used (user + sys, all its processes), which stays meaningful on a busy
machine. Usage: python benchmarks/validate.py [--docs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from annotator.model import LabelFile, Span
from annotator.store import dumps_label_file
from annotator.workspace import init_workspace, make_document

ANNOTATORS = ("alice", "bob", "chen", "dana", "eli")
PARAGRAPH = (
    "据星河安全实验室披露，某快递平台的员工王某利用内部账号导出约12万条客户信息，"
    "包括姓名、手机号和收货地址，并以每条0.5元的价格出售。警方以侵犯公民个人信息罪立案侦查。\n"
)
ENTITIES: tuple[tuple[str, str], ...] = (
    ("星河安全实验室", "ORG"),
    ("王某", "PERSON"),
    ("12万条", "NUMBER"),
    ("0.5元", "NUMBER"),
    ("姓名", "DATA_TYPE"),
    ("手机号", "DATA_TYPE"),
    ("收货地址", "DATA_TYPE"),
    ("侵犯公民个人信息罪", "LEGAL_CHARGE"),
)


def build(root: Path, docs: int) -> int:
    workspace = init_workspace(root)
    files = 0
    for n in range(docs):
        text = f"第{n}号通报\n" + PARAGRAPH * 3
        document = make_document(text, f"doc-{n:05d}")
        workspace.save_document(document)
        spans = []
        for surface, label in ENTITIES:
            start = text.index(surface)
            spans.append(Span(start=start, end=start + len(surface), label=label, text=surface))
        for annotator in ANNOTATORS:
            label_file = LabelFile.new(document, annotator).model_copy(
                update={"spans": tuple(spans), "status": "done", "active_seconds": 42.0}
            )
            path = workspace.label_path(annotator, document.id)
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(dumps_label_file(label_file))  # no fsync: only the check is timed
            files += 1
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--docs", type=int, default=2000, help="documents (x5 annotators = label files)"
    )
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as tmp:
        root = Path(tmp) / "ws"
        files = build(root, args.docs)
        command = [sys.executable, "-m", "annotator", "validate", str(root)]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        timings, cpu = [], []
        load = os.getloadavg()[0]
        for _ in range(args.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            began = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            timings.append(time.perf_counter() - began)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if done.returncode != 0:
                sys.exit(f"validate failed:\n{done.stdout[-2000:]}{done.stderr}")
        seconds = statistics.median(timings)
        print(
            json.dumps(
                {
                    "benchmark": "validate",
                    "label_files": files,
                    "documents": args.docs,
                    "seconds_median": round(seconds, 3),
                    "files_per_second": round(files / seconds),
                    "cpu_seconds_median": round(statistics.median(cpu), 3),
                    "load_average_before": round(load, 2),
                    "runs": args.runs,
                    "includes_process_startup": True,
                    "cpus": os.cpu_count(),
                }
            )
        )


if __name__ == "__main__":
    main()
