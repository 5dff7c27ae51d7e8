"""Every verb answers --help; start-up stays light (no jieba, datasets or textual)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from annotator.cli.app import app

HEAVY = ("jieba", "datasets", "textual", "pyarrow", "opencc")


def _command_paths() -> list[list[str]]:
    root = typer.main.get_command(app)
    paths: list[list[str]] = []

    def walk(command: object, prefix: list[str]) -> None:
        paths.append(prefix)
        # typer >= 0.16 vendors its own click: duck-type the group instead of isinstance.
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(root, [])
    return paths


COMMANDS = _command_paths()


def test_the_command_list_includes_this_helpers_verbs() -> None:
    names = {" ".join(p) for p in COMMANDS}
    assert {
        "init",
        "validate",
        "stats",
        "schema",
        "schema rename",
        "schema remove",
        "schema add",
    } <= names
    assert "schema recolor" in names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "annotator")
def test_every_command_has_help(path: list[str]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def _loaded_after(code: str, cwd: Path) -> list[str]:
    probe = (
        "import sys\n"
        "from annotator.cli.app import main\n"
        "try:\n"
        f"    main({code})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=cwd, check=True
    )
    return done.stdout.strip().splitlines()


def test_help_does_not_import_heavy_libraries(tmp_path: Path) -> None:
    assert _loaded_after("['--help']", tmp_path)[-1] == "LOADED []"


def test_validate_and_stats_do_not_import_heavy_libraries(tmp_path: Path) -> None:
    from annotator.workspace import init_workspace, make_document

    ws = init_workspace(tmp_path / "ws")
    ws.save_document(make_document("海星证券泄露客户资料。", "d1"))
    assert _loaded_after(f"['validate', {str(ws.root)!r}]", tmp_path)[-1] == "LOADED []"
    assert _loaded_after(f"['stats', '-w', {str(ws.root)!r}]", tmp_path)[-1] == "LOADED []"


def test_python_dash_m_runs_the_same_cli(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0 and "validate" in done.stdout


def test_init_then_validate_a_fresh_workspace(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["init", str(tmp_path / "ws")])
    assert result.exit_code == 0 and "workspace ready" in result.output
    result = runner.invoke(app, ["validate", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_errors_are_one_line_not_tracebacks(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "stats", "-w", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: {tmp_path}: not a workspace (no labels/schema.json) (run `annotator init "
        f"{tmp_path}` to create one)"
    ]
