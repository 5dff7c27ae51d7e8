"""`annotator lexicon`: the taught lexicon stays sorted, reviewable and removable."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.workspace import init_workspace


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_add_list_remove_round_trip(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    code, _ = _run("lexicon", "add", "ORG", "蓝鲸科技", "星河数据", "蓝鲸科技", "-w", str(ws.root))
    assert code == 0
    assert (ws.lexicon_dir / "ORG.txt").read_text(encoding="utf-8") == "星河数据\n蓝鲸科技\n"
    code, out = _run("lexicon", "list", "-w", str(ws.root))
    assert code == 0
    assert out.splitlines() == ["ORG\t星河数据", "ORG\t蓝鲸科技"]
    code, _ = _run("lexicon", "remove", "ORG", "蓝鲸科技", "-w", str(ws.root))
    assert code == 0
    assert (ws.lexicon_dir / "ORG.txt").read_text(encoding="utf-8") == "星河数据\n"


def test_unknown_label_and_missing_entry_fail(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    code, out = _run("lexicon", "add", "FOO", "x", "-w", str(ws.root))
    assert code == 1
    assert "unknown label 'FOO'" in out
    assert not (ws.lexicon_dir / "FOO.txt").exists()
    code, _ = _run("lexicon", "remove", "ORG", "不存在", "-w", str(ws.root))
    assert code == 1


def test_conflict_marker_lines_are_never_learned(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    ws.lexicon_dir.mkdir(parents=True)
    (ws.lexicon_dir / "ORG.txt").write_text(
        "<<<<<<< HEAD\n星河数据\n=======\n蓝鲸科技\n>>>>>>> other\n", encoding="utf-8"
    )
    code, out = _run("lexicon", "list", "ORG", "-w", str(ws.root))
    assert code == 0
    assert out.splitlines() == ["ORG\t星河数据", "ORG\t蓝鲸科技"]
