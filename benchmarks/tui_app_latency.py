"""Key latency in the whole annotation app (not only the document view); one JSON line.

`tui_latency.py` measures the document view alone. This one opens the real
app (`create_app`) headless on the same 13,000-character article with 300
spans and 100 pending suggestions, so every widget that follows an edit (side
span list, label bar, status line, header) is paid for too.

Measure: main-thread CPU time of `press(key)` + `pause()` minus the median of
the same pair for an unbound key, measured in the same run (the harness'
fixed cost). The side span list follows an edit 80 ms later on purpose (a
burst of keys repaints it once), so it is outside the key's own frame.

    python benchmarks/tui_app_latency.py [--samples 20]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tui_latency import make_article, make_label_file, percentile

from annotator import store
from annotator.model import DocumentMeta
from annotator.text.tokens import tokenize
from annotator.tui.app import create_app
from annotator.workspace import init_workspace, make_document


async def measure(samples: int) -> dict[str, object]:
    text, entities = make_article(13000)
    root = Path(tempfile.mkdtemp()) / "ws"
    workspace = init_workspace(root)
    document = make_document(text, "bench", DocumentMeta(title="bench"))
    workspace.save_document(document)
    label_file = make_label_file(document.text, entities, 300, 100).model_copy(
        update={"doc_id": "bench", "annotator": "bench", "text_sha256": document.sha256}
    )
    store.write_label_file(workspace.label_path("bench", "bench"), label_file)
    tokenize(document.text)  # jieba's dictionary load is not a key's cost
    app = create_app(root, "bench", "bench")
    async with app.run_test(size=(100, 40)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        screen = app.annotate
        assert screen is not None
        view = screen.view

        async def press(key: str) -> float:
            gc.collect()
            started = time.thread_time_ns()
            await pilot.press(key)
            await pilot.pause()
            return (time.thread_time_ns() - started) / 1e6

        baseline = statistics.median([await press("f19") for _ in range(samples)])
        results: dict[str, list[float]] = {}
        results["right"] = [await press("right") - baseline for _ in range(samples)]
        results["down"] = [await press("down") - baseline for _ in range(samples)]
        results["shift+right"] = [await press("shift+right") - baseline for _ in range(samples)]
        await press("escape")
        rng = random.Random(3)
        labels = []
        for _ in range(samples):
            while True:
                offset = rng.randrange(len(document.text))
                token = view.token_at(offset)
                current = screen.session.label_file
                free = not any(s.overlaps(*token) for s in (*current.spans, *current.suggestions))
                if document.text[token[0] : token[1]].strip() and free:
                    break
            view.move_cursor(token[0])
            await pilot.pause()
            labels.append(await press("1") - baseline)
        results["label"] = labels
        accepts = []
        for _ in range(samples):
            view.move_cursor(0)
            await pilot.pause()
            await pilot.press("tab")
            await pilot.pause()
            accepts.append(await press("enter") - baseline)
        results["accept"] = accepts
        results["undo"] = [await press("ctrl+z") - baseline for _ in range(samples)]
        screen.session.saver and screen.session.saver.flush()
    return {
        "benchmark": "tui_app_latency",
        "chars": len(document.text),
        "samples": samples,
        "baseline_ms": round(baseline, 2),
        "keys_ms": {
            key: {
                "median": round(statistics.median(values), 2),
                "p95": round(percentile(values, 0.95), 2),
            }
            for key, values in results.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.samples))))


if __name__ == "__main__":
    main()
