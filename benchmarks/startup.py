"""Benchmark start-up: `annotator --help`, `validate`, and the TUI first screen at 1k-100k docs.

Prints ONE JSON line of medians (seconds) over `--runs` fresh processes each:

- `help_s`: `annotator --help` wall time; `python_s`: `python -c pass` in the same run
  (the floor every command pays); `validate_s`: `annotator validate` on the repository.
- `tui[N]`: the TUI on a generated workspace of N documents (benchmarks/_workspace_gen.py),
  run headless through `create_app(...).run_test()` in a fresh interpreter. Times are
  measured from just before the parent spawns the child (parent `time.time()`, passed in),
  so interpreter start and every import count. Milestones are *frames*, not mounts: the
  child wraps `App._display`, which Textual calls with each compositor update (headless mode
  only skips writing it to the terminal), so a milestone is the end of the first frame that
  shows it:
  - `first_frame`: the first screen drawn (keys work from here);
  - `annotate`: the document open for labelling, the screen the user actually starts on;
  - `documents_listed` (resume flow): from the Documents key (the app's `action_documents`)
    to the frame that lists the rows, including the index read the screen triggers.
  Flows: `cold` = no `.annotator/` (index cache and resume state deleted: the first open
  after generation or a fresh clone); `warm` = index cache on disk (built by this script
  before the warm runs), no resume state (the app starts on the Documents screen and
  opens the first todo); `resume` = index cache and resume state present (the app
  reopens the last document directly). `documents_listed` is measured in the resume
  flow: a fresh process, so the index is on disk but not yet in memory.
  The OS page cache is warm in every flow (the files were just written or read).

Usage: python benchmarks/startup.py [--sizes 1000,10000,100000] [--runs 5] [--keep]
(--keep caches the generated workspaces under /tmp/annotator-bench between runs.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _workspace_gen import ANNOTATOR, cached_workspace

REPO = Path(__file__).resolve().parent.parent
PYCACHE = "/tmp/annotator-bench/pycache"
TARGET_HELP_S = 0.4
TARGET_FIRST_SCREEN_S = 1.0

CHILD = r"""
import sys, time
t0 = float(sys.argv[1])
marks = {}
def mark(name):
    if name not in marks:
        marks[name] = time.time() - t0
        marks["cpu_" + name] = time.process_time()
mark("interpreter")
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from annotator.tui.app import create_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.documents import DocumentList, DocumentsScreen
mark("imported")
app = create_app(Path(sys.argv[2]), sys.argv[3])
flow = sys.argv[4]
pressed = []
original = app._display
def display(screen, renderable):
    original(screen, renderable)
    if renderable is None:
        return
    mark("first_frame")
    if isinstance(screen, AnnotateScreen):
        mark("annotate")
    elif isinstance(screen, DocumentsScreen) and screen.is_mounted:
        if screen.query_one(DocumentList).rows:
            mark("documents_listed_at")
app._display = display
in_flight = [0]
counting = threading.Lock()
class CountingExecutor(ThreadPoolExecutor):
    # Thread workers run here; a cancelled worker's thread still runs to its end.
    def submit(self, fn, /, *args, **kwargs):
        with counting:
            in_flight[0] += 1
        def run():
            try:
                return fn(*args, **kwargs)
            finally:
                with counting:
                    in_flight[0] -= 1
        return super().submit(run)
async def settle():
    while in_flight[0]:
        await asyncio.sleep(0.01)
async def main():
    asyncio.get_running_loop().set_default_executor(CountingExecutor())
    async with app.run_test(size=(120, 40)) as pilot:
        mark("ready")
        deadline = time.time() + 120
        while "annotate" not in marks and time.time() < deadline:
            await asyncio.sleep(0.002)
        if flow == "resume":
            await settle()  # jieba etc. done: time the key alone
            pressed.extend((time.time() - t0, time.process_time()))
            app.action_documents()
            while "documents_listed_at" not in marks and time.time() < deadline:
                await asyncio.sleep(0.002)
        await settle()
        await app.action_quit()
asyncio.run(main())
if "documents_listed_at" in marks and pressed:
    marks["documents_listed"] = marks.pop("documents_listed_at") - pressed[0]
    marks["cpu_documents_listed"] = marks.pop("cpu_documents_listed_at") - pressed[1]
elif "documents_listed_at" in marks:  # listed on the start screen before a document opened
    marks["start_documents_listed"] = marks.pop("documents_listed_at")
    marks["cpu_start_documents_listed"] = marks.pop("cpu_documents_listed_at")
import json
print("MARKS " + json.dumps(marks))
"""


def child_env(bytecode: bool) -> dict[str, str]:
    """The environment of every measured process.

    With `bytecode`, compiled modules are cached (under /tmp, not in the tree) as in
    any normal installation; without it every start compiles the package from source
    (what this sandbox's PYTHONDONTWRITEBYTECODE=1 does).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if bytecode:
        env["PYTHONPYCACHEPREFIX"] = PYCACHE
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _wall(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def _annotator_command() -> list[str]:
    script = Path(sys.executable).with_name("annotator")
    return [str(script)] if script.exists() else [sys.executable, "-m", "annotator"]


def _tui_once(root: Path, flow: str, env: dict[str, str]) -> dict[str, float]:
    if flow == "cold":
        shutil.rmtree(root / ".annotator", ignore_errors=True)
    elif flow == "warm":
        shutil.rmtree(root / ".annotator" / "state", ignore_errors=True)
    t0 = time.time()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, repr(t0), str(root), ANNOTATOR, flow],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("MARKS ")]
    if done.returncode != 0 or not lines:
        sys.exit(f"TUI child failed ({flow}, {root}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    marks: dict[str, float] = json.loads(lines[-1][6:])
    return marks


def _build_index(root: Path) -> None:
    """Write the derived indexes, so the warm flows find them on disk."""
    from annotator.index import document_summaries, label_summaries
    from annotator.workspace import Workspace

    workspace = Workspace(root)
    label_summaries(workspace, ANNOTATOR)
    document_summaries(workspace)


def _medians(samples: list[dict[str, float]]) -> dict[str, float]:
    keys = sorted({key for sample in samples for key in sample})
    return {
        key: round(statistics.median(s[key] for s in samples if key in s), 3)
        for key in keys
        if sum(key in s for s in samples) * 2 > len(samples)
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--keep", action="store_true", help="reuse/keep generated workspaces in /tmp"
    )
    parser.add_argument("--skip-cli", action="store_true", help="only the TUI figures")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="compile every module at each start (no .pyc cache)",
    )
    args = parser.parse_args()

    env = child_env(bytecode=not args.no_bytecode)
    result: dict[str, Any] = {
        "runs": args.runs,
        "python": sys.version.split()[0],
        "bytecode_cache": not args.no_bytecode,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    annotator = _annotator_command()
    # Warm-up (fills the bytecode cache), not measured.
    _wall([*annotator, "validate", str(REPO)], REPO, env)
    _wall([sys.executable, "-c", "import annotator.tui.app"], REPO, env)
    if not args.skip_cli:
        timings: dict[str, list[float]] = {"python_s": [], "help_s": [], "validate_s": []}
        for _ in range(args.runs):  # interleaved, so load on the machine hits all alike
            timings["python_s"].append(_wall([sys.executable, "-c", "pass"], REPO, env))
            timings["help_s"].append(_wall([*annotator, "--help"], REPO, env))
            timings["validate_s"].append(_wall([*annotator, "validate", str(REPO)], REPO, env))
        for key, values in timings.items():
            result[key] = round(statistics.median(values), 3)

    tui: dict[str, Any] = {}
    for size in (int(s) for s in args.sizes.split(",") if s):
        began = time.perf_counter()
        root = cached_workspace(size, keep=args.keep)
        generated = round(time.perf_counter() - began, 1)
        figures: dict[str, Any] = {"setup_s": generated}
        try:
            for flow in ("cold", "warm", "resume"):
                if flow == "warm":  # the start path may not build the index: build it here
                    _build_index(root)
                figures[flow] = _medians([_tui_once(root, flow, env) for _ in range(args.runs)])
        finally:
            if not args.keep:
                shutil.rmtree(root.parent, ignore_errors=True)
        tui[str(size)] = figures
    result["tui"] = tui

    if "help_s" in result:
        result["help_ok"] = result["help_s"] < TARGET_HELP_S
    warm = [tui[k]["resume"].get("annotate") for k in tui] + [
        tui[k]["warm"].get("annotate") for k in tui
    ]
    if warm and None not in warm:
        result["first_screen_ok"] = max(warm) <= TARGET_FIRST_SCREEN_S
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
