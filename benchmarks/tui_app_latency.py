"""Key latency in the whole annotation app (not only the document view); one JSON line.

`tui_latency.py` measures the document view alone. This one opens the real
app (`create_app`) headless on the same 13,000-character article with 300
spans and 100 pending suggestions, so every widget that follows an edit (side
span list, header, status line) is paid for too.

Timed inside the app: main-thread CPU time from the key event reaching the
app (`App.on_event`) to the end of the first frame drawn after it
(`App.post_display_hook`, Textual's public after-display hook). The key is
posted with `App.post_message` and the harness then sleeps, so none of its
own work lands in the interval. `settled_ms` is all main-thread CPU in the
120 ms after the key: the key's frame plus what follows it on purpose (the
taught suggestions one frame later, the side list and header counts 80 ms
later, the "saved" notice).

Two states:
- `keys_ms`: every sample starts from the stated document (300 spans, 100
  suggestions): a measured label or accept is undone, untimed, before the
  next one; a measured undo undoes a label made untimed.
- `down_walk` in `keys_ms`: `down` pressed 3 x samples times from the top, so
  its jump-scroll frames (a third of a page, every ~12 keys) are in the tail.
- `burst_ms`: 30 labels in a row, then 30 undos, then 30 redos, with nothing
  reset: each label teaches its string at every other occurrence, so the
  synthetic article (names repeat ~50 times) ends up with ~2,000 pending
  suggestions — a stress case.

    python benchmarks/tui_app_latency.py [--samples 30]
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from textual import events
from tui_latency import make_article, make_label_file, percentile

from annotator import store
from annotator.model import DocumentMeta
from annotator.text.tokens import tokenize
from annotator.tui.app import create_app
from annotator.workspace import init_workspace, make_document

SETTLE_SECONDS = 0.12


class Clock:
    """Main-thread CPU stamps of key arrivals and frame ends."""

    def __init__(self) -> None:
        self.key_at: int | None = None
        self.frames: list[int] = []

    def key(self) -> None:
        self.key_at = time.thread_time_ns()
        self.frames = []

    def frame(self) -> None:
        if self.key_at is not None:
            self.frames.append(time.thread_time_ns())


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 2),
        "p95": round(percentile(values, 0.95), 2),
        "max": round(max(values), 2),
    }


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
    clock = Clock()
    app_on_event = app.on_event

    async def on_event(event: events.Event) -> None:
        if isinstance(event, events.Key):
            clock.key()
        await app_on_event(event)

    app.on_event = on_event  # type: ignore[method-assign]
    app.post_display_hook = clock.frame  # type: ignore[method-assign]

    async with app.run_test(size=(100, 40)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await asyncio.sleep(0.3)
        screen = app.annotate
        assert screen is not None
        view = screen.view
        session = screen.session

        async def press(key: str) -> tuple[float, float]:
            """(key to its frame, all CPU in the settle window), ms."""
            gc.collect(0)
            character = key if len(key) == 1 else None
            started = time.thread_time_ns()
            app.post_message(events.Key(key, character))
            await asyncio.sleep(SETTLE_SECONDS)
            settled = (time.thread_time_ns() - started) / 1e6
            assert clock.key_at is not None
            frame = (clock.frames[0] - clock.key_at) / 1e6 if clock.frames else float("nan")
            clock.key_at = None
            return frame, settled

        async def untimed(action: Any) -> None:
            action()
            await asyncio.sleep(SETTLE_SECONDS)

        rng = random.Random(3)

        def free_token() -> tuple[int, int]:
            while True:
                token = view.token_at(rng.randrange(len(document.text)))
                current = session.label_file
                taken = any(s.overlaps(*token) for s in (*current.spans, *current.suggestions))
                if document.text[token[0] : token[1]].strip() and not taken:
                    return token

        frames: dict[str, list[float]] = {}
        settled: dict[str, list[float]] = {}

        def record(name: str, result: tuple[float, float]) -> None:
            frames.setdefault(name, []).append(result[0])
            settled.setdefault(name, []).append(result[1])

        for key in ("right", "down", "shift+right"):
            for _ in range(samples):
                record(key, await press(key))
            await untimed(view.clear_selection)
        # A walk down the article: one key in ~12 brings a third of a page with it.
        await untimed(lambda: view.move_cursor(0))
        for _ in range(samples * 3):
            record("down_walk", await press("down"))
        for _ in range(samples):
            await untimed(lambda: view.move_cursor(free_token()[0]))
            record("label", await press("1"))
            await untimed(screen.undo)
        for _ in range(samples):
            await untimed(lambda: screen.jump_to_suggestion(1))
            record("accept", await press("enter"))
            await untimed(screen.undo)
        for _ in range(samples):
            await untimed(lambda: view.move_cursor(free_token()[0]))
            await untimed(lambda: screen.label_target("ORG"))
            record("undo", await press("ctrl+z"))
            record("redo", await press("ctrl+y"))
            await untimed(screen.undo)
        await untimed(lambda: view.move_cursor(0))
        for _ in range(max(1, samples // 3)):
            record("pagedown", await press("pagedown"))
        spec_state = (len(session.label_file.spans), len(session.label_file.suggestions))

        burst: dict[str, list[float]] = {}
        for _ in range(samples):
            await untimed(lambda: view.move_cursor(free_token()[0]))
            burst.setdefault("label", []).append((await press("1"))[0])
        grown = len(session.label_file.suggestions)
        for key, name in (("ctrl+z", "undo"), ("ctrl+y", "redo")):
            for _ in range(samples):
                burst.setdefault(name, []).append((await press(key))[0])
        if session.saver is not None:
            session.saver.flush()
    return {
        "benchmark": "tui_app_latency",
        "chars": len(document.text),
        "samples": samples,
        "state": {"spans": spec_state[0], "suggestions": spec_state[1]},
        "keys_ms": {key: summary(values) for key, values in frames.items()},
        "settled_ms": {key: summary(values) for key, values in settled.items()},
        "burst_suggestions": grown,
        "burst_ms": {key: summary(values) for key, values in burst.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.samples))))


if __name__ == "__main__":
    main()
