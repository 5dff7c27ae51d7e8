"""`annotator import` as a user runs it: one line per problem, exit 1, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.workspace import Workspace, init_workspace

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ingest"
TEXT = "白鹭银行约八千名客户的银行卡号外泄，孙某被捕。"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws")


def run(ws: Workspace, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["import", "--workspace", str(ws.root), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_import_fixtures_then_again(ws: Workspace) -> None:
    code, out, err = run(ws, str(FIXTURES), "--annotator", "alice")
    assert code == 0, err
    assert "6 new documents" in out and "labels by alice: 2 written" in out
    code, out, _ = run(ws, str(FIXTURES), "--annotator", "alice")
    assert code == 0 and "0 new documents, 6 already stored" in out


def test_each_problem_is_one_line_and_exit_1(ws: Workspace, tmp_path: Path) -> None:
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    broken = tmp_path / "rows.jsonl"
    broken.write_bytes(b'{"id": "a", "text": "\xe7\x94\xb2"}\n{"id": "b", "text": \n')
    path_id = tmp_path / "ids.jsonl"
    path_id.write_bytes(orjson.dumps({"id": "../../etc/x", "text": TEXT}) + b"\n")
    code, _out, err = run(ws, str(binary), str(broken), str(path_id), str(tmp_path / "missing.md"))
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 4, err
    assert "Traceback" not in err
    assert any("photo.txt" in line and "binary" in line for line in errors)
    assert any("rows.jsonl:2" in line for line in errors)
    assert any("ids.jsonl:1" in line and "looks like a path" in line for line in errors)
    assert any("missing.md" in line and "no such file" in line for line in errors)
    assert ws.document_ids() == ["a"]


def test_existing_labels_are_never_touched_by_a_failed_import(
    ws: Workspace, tmp_path: Path
) -> None:
    first = tmp_path / "a.jsonl"
    first.write_bytes(
        orjson.dumps({"id": "d", "text": TEXT, "spans": [{"start": 0, "end": 4, "label": "ORG"}]})
        + b"\n"
    )
    assert run(ws, str(first), "-a", "alice")[0] == 0
    saved = ws.label_path("alice", "d").read_bytes()
    other = tmp_path / "b.jsonl"
    other.write_bytes(
        orjson.dumps({"id": "d", "text": TEXT, "spans": [{"start": 18, "end": 20, "label": "ORG"}]})
        + b"\n"
    )
    code, _, err = run(ws, str(other), "-a", "alice")
    assert code == 1 and "--replace" in err
    assert ws.label_path("alice", "d").read_bytes() == saved
    code, _, err = run(ws, str(other), "-a", "alice", "--replace")
    assert code == 0, err


def test_oversize_document_via_the_real_command(ws: Workspace, tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    huge.write_text("泄露" * 1_800_000, encoding="utf-8")  # 10.8 MB of UTF-8
    proc = subprocess.run(
        [sys.executable, "-m", "annotator", "import", "-w", str(ws.root), str(huge)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    (line,) = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert "huge.txt" in line and "over the 10 MB limit" in line
    assert ws.document_ids() == []


def test_help_names_the_options() -> None:
    result = CliRunner().invoke(app, ["import", "--help"])
    assert result.exit_code == 0
    for option in ("--annotator", "--replace", "--replace-text", "--workspace"):
        assert option in result.stdout
