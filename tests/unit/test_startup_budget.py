"""The TUI's first screen must not wait for heavy libraries: they load lazily, in workers.

`annotator --help` and `annotator validate` are covered in test_cli_basics.py; this
file covers the TUI side. Each probe runs in a fresh interpreter, so a module that
another test imported cannot hide an eager import.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# jieba's dictionary alone costs ~0.6 s; datasets/pyarrow ~1 s; opencc loads its dictionaries.
LAZY = ("jieba", "datasets", "pyarrow", "opencc")


def _loaded_after(code: str, cwd: Path) -> list[str]:
    """Which of LAZY are in sys.modules after running `code` in a new interpreter."""
    probe = (
        f"import sys\n{code}\nprint('LOADED', sorted(m for m in {LAZY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()


@pytest.mark.parametrize(
    "code",
    [
        "import annotator.tui.app",
        "from annotator.tui.app import create_app\n"
        "from pathlib import Path\n"
        "create_app(Path('.'), 'alice')",
    ],
    ids=["import", "create_app"],
)
def test_tui_app_does_not_import_heavy_libraries(code: str, tmp_path: Path) -> None:
    assert _loaded_after(code, tmp_path)[-1] == "LOADED []"


def test_the_probe_sees_an_eager_import(tmp_path: Path) -> None:
    """The check above can fail: a module that imports jieba is reported."""
    assert _loaded_after("import jieba", tmp_path)[-1] == "LOADED ['jieba']"
