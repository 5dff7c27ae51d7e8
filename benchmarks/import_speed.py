"""Benchmark a first `annotator import`: new documents per second, batched vs one by one.

Generates N fictional Chinese breach articles (benchmarks/_workspace_gen.py's
templates, each with its own header line so every text is new) twice over:
as N `.txt` files, and as one JSONL file whose rows carry each article's spans
(so every row also writes a label file). Each is imported into a fresh
workspace by `annotator import` in a fresh process, as a user runs it (start-up
counts), once with the importer's default batched writes and once with
`batch_size=1` (each document written and fsynced on its own, the path before
batching): the child sets only that default of `import_paths`, the function
the command calls. Both paths run in the same session, alternating, `--runs`
times each; prints ONE JSON line with the median docs/s of each and their
ratio, plus the load average (fsync latency swings with other disk work).

Usage: python benchmarks/import_speed.py [--docs 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from _workspace_gen import _body_and_spans, _header

from annotator.importer import BATCH_SIZE
from annotator.store import FSYNC_WORKERS
from annotator.workspace import init_workspace

ANNOTATOR = "bench"
CHILD = """
import sys
from annotator import importer
from annotator.cli.app import main

assert importer.import_paths.__kwdefaults__ is not None
importer.import_paths.__kwdefaults__["batch_size"] = int(sys.argv[1])
main(sys.argv[2:])
"""


def make_inputs(root: Path, docs: int, seed: int = 11) -> tuple[Path, Path]:
    """N articles as .txt files under root/articles, and the same N as rows with spans."""
    rng = random.Random(seed)
    articles = root / "articles"
    articles.mkdir(parents=True)
    rows = []
    for n in range(docs):
        header = _header(n)
        body, spans = _body_and_spans(rng, len(header))
        text = header + body
        (articles / f"article-{n:06d}.txt").write_text(text, encoding="utf-8")
        rows.append(
            orjson.dumps(
                {
                    "id": f"row-{n:06d}",
                    "text": text,
                    "spans": [{"start": s, "end": e, "label": label} for s, e, label, _ in spans],
                }
            )
        )
    jsonl = root / "rows.jsonl"
    jsonl.write_bytes(b"\n".join(rows) + b"\n")
    return articles, jsonl


def import_once(root: Path, source: Path, batch_size: int, docs: int, tag: str) -> float:
    """Seconds for `annotator import` of `source` into a fresh workspace."""
    workspace = root / f"ws-{tag}"
    shutil.rmtree(workspace, ignore_errors=True)
    init_workspace(workspace)
    command = [sys.executable, "-c", CHILD, str(batch_size), "import", "-q"]
    command += ["--workspace", str(workspace), "--annotator", ANNOTATOR, str(source)]
    began = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - began
    if result.returncode != 0:
        raise SystemExit(f"import failed ({result.returncode}): {result.stderr.strip()}")
    stored = [p for p in (workspace / "documents").iterdir() if not p.name.startswith(".")]
    if len(stored) != docs or f"{docs} new documents" not in result.stderr + result.stdout:
        raise SystemExit(f"expected {docs} new documents: {result.stderr.strip()}")
    shutil.rmtree(workspace)
    return elapsed


def measure(root: Path, source: Path, docs: int, runs: int) -> dict[str, object]:
    serial: list[float] = []
    batched: list[float] = []
    for run in range(runs):
        order = ((1, serial), (BATCH_SIZE, batched))
        for batch_size, times in order if run % 2 == 0 else order[::-1]:
            times.append(import_once(root, source, batch_size, docs, f"{run}-{batch_size}"))
    serial_rate = docs / statistics.median(serial)
    batched_rate = docs / statistics.median(batched)
    return {
        "serial_docs_s": round(serial_rate, 1),
        "batched_docs_s": round(batched_rate, 1),
        "ratio": round(batched_rate / serial_rate, 2),
        "serial_runs_s": [round(t, 2) for t in serial],
        "batched_runs_s": [round(t, 2) for t in batched],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="annotator-import-bench-"))
    try:
        articles, jsonl = make_inputs(root, args.docs)
        load = os.getloadavg()[0]
        result = {
            "benchmark": "import_speed",
            "docs": args.docs,
            "runs": args.runs,
            "batch_size": BATCH_SIZE,
            "fsync_workers": FSYNC_WORKERS,
            "articles": measure(root, articles, args.docs, args.runs),
            "jsonl_with_spans": measure(root, jsonl, args.docs, args.runs),
            "load_avg_1m": [round(load, 2), round(os.getloadavg()[0], 2)],
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
