"""`annotator ci-template` and the repository's pre-commit hook definition."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.cli.team_cmds import GIT_PLACEHOLDER
from annotator.workspace import init_workspace

ROOT = Path(__file__).resolve().parents[2]


def _workflow(*args: str) -> tuple[str, dict[Any, Any]]:
    result = CliRunner().invoke(app, ["ci-template", *args])
    assert result.exit_code == 0, result.output
    return result.stdout, yaml.safe_load(result.stdout)


def _steps(data: dict[Any, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = data["jobs"]["validate"]["steps"]
    return steps


def test_default_workflow() -> None:
    text, data = _workflow()
    # YAML 1.1 reads the key `on` as True
    assert "pull_request" in data[True]
    steps = _steps(data)
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert steps[1]["uses"].startswith("actions/setup-python@")
    assert steps[1]["with"]["python-version"] == "3.11"
    assert steps[2]["run"] == f'python -m pip install "{GIT_PLACEHOLDER}"'
    assert "EDIT ME: replace OWNER" in text
    assert steps[3]["run"] == "annotator validate --format github"


def test_pypi_changed_and_subfolder() -> None:
    text, data = _workflow("--pip", "annotator==0.1.0", "--changed", "--path", "corpus")
    steps = _steps(data)
    assert "OWNER" not in text
    assert steps[0]["with"]["fetch-depth"] == 0
    assert steps[2]["run"] == 'python -m pip install "annotator==0.1.0"'
    assert steps[3]["working-directory"] == "corpus"
    assert (
        steps[3]["run"]
        == 'annotator validate --format github --changed "origin/${{ github.base_ref }}"'
    )


def test_the_workflow_command_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The validate line the workflow runs is accepted by the real command."""
    _, data = _workflow()
    argv = shlex.split(_steps(data)[3]["run"])
    assert argv[0] == "annotator"
    ws = init_workspace(tmp_path / "ws")
    monkeypatch.chdir(ws.root)
    result = CliRunner().invoke(app, argv[1:])
    assert result.exit_code == 0, result.output


def test_pre_commit_hook_definition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "annotator-validate"]
    assert hook["language"] == "python"
    assert hook["entry"] == "annotator validate"
    assert hook["pass_filenames"] is False
    assert hook["files"] == "^labels/"
    ws = init_workspace(tmp_path / "ws")
    monkeypatch.chdir(ws.root)
    result = CliRunner().invoke(app, shlex.split(hook["entry"])[1:])
    assert result.exit_code == 0, result.output
