"""Schema changes migrate every label file, all or nothing, and validate names what breaks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.model import LabelFile, RejectedSpan, Span, Suggestion
from annotator.schema_ops import (
    MIGRATION_JOURNAL,
    SchemaChangeError,
    add_label,
    recolor_label,
    remove_label,
    rename_label,
)
from annotator.validate import validate
from annotator.workspace import Workspace, init_workspace, make_document

TEXT = "北辰保险公司泄露了5万份保单，内鬼刘某已被逮捕。"


def _span(surface: str, label: str) -> Span:
    start = TEXT.index(surface)
    return Span(start=start, end=start + len(surface), label=label, text=surface)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = init_workspace(tmp_path / "ws")
    for n, annotator in enumerate(("ann", "bob")):
        document = make_document(TEXT, f"d{n}")
        workspace.save_document(document)
        for who in ("ann", "bob"):
            label_file = LabelFile.new(document, who).model_copy(
                update={
                    "spans": (_span("北辰保险公司", "ORG"), _span("刘某", "PERSON")),
                    "suggestions": (
                        Suggestion(**_span("5万份", "NUMBER").model_dump(), score=0.9),
                    ),
                    "rejected": (RejectedSpan(start=0, end=2, label="ORG", text="北辰"),),
                    "status": "done" if annotator == who else "in_progress",
                }
            )
            workspace.save_labels(label_file)
    return workspace


def _files(ws: Workspace) -> dict[str, bytes]:
    return {
        str(p.relative_to(ws.root)): p.read_bytes() for p in sorted(ws.labels_dir.rglob("*.json"))
    }


def test_rename_migrates_spans_suggestions_and_rejections(ws: Workspace) -> None:
    before = _files(ws)
    result = rename_label(ws, "ORG", "COMPANY")
    assert len(result.changed_files) == 4 and result.spans_changed == 4
    schema = ws.schema()
    assert schema.label_names[0] == "COMPANY" and schema.get("ORG") is None
    assert schema.labels[0].hotkey == "1"  # everything but the name is kept
    label_file = ws.load_labels("bob", "d1")
    assert label_file is not None
    assert [s.label for s in label_file.spans] == ["COMPANY", "PERSON"]
    assert [r.label for r in label_file.rejected] == ["COMPANY"]
    assert label_file.updated_at == orjson.loads(before["labels/bob/d1.json"])["updated_at"]
    # Only the lines holding the label changed: the diff stays small.
    old_lines = before["labels/bob/d1.json"].splitlines()
    new_lines = ws.label_path("bob", "d1").read_bytes().splitlines()
    assert len(old_lines) == len(new_lines)
    assert sum(a != b for a, b in zip(old_lines, new_lines, strict=True)) == 2
    schema_diff = [
        line for line in ws.schema_path.read_text("utf-8").splitlines() if "COMPANY" in line
    ]
    assert schema_diff == ['      "name": "COMPANY",']
    assert validate(ws, cwd=ws.root).ok
    assert not (ws.root / MIGRATION_JOURNAL).exists()
    leftovers = [p.name for p in ws.labels_dir.rglob(".*") if p.name != ".gitattributes"]
    assert leftovers == []  # no temp file of the migration is left behind


def test_rename_refusals_change_nothing(ws: Workspace) -> None:
    before, schema = _files(ws), ws.schema_path.read_bytes()
    with pytest.raises(SchemaChangeError, match="already has a label 'PERSON'"):
        rename_label(ws, "ORG", "PERSON")
    with pytest.raises(SchemaChangeError, match="has no label 'ORGANISATION'"):
        rename_label(ws, "ORGANISATION", "X")
    with pytest.raises(SchemaChangeError, match="must be upper-case"):
        rename_label(ws, "ORG", "company")
    assert _files(ws) == before and ws.schema_path.read_bytes() == schema


def test_a_broken_label_file_stops_the_migration_before_anything_is_written(ws: Workspace) -> None:
    broken = ws.label_path("bob", "d0")
    broken.write_bytes(broken.read_bytes()[:-10])
    before, schema = _files(ws), ws.schema_path.read_bytes()
    with pytest.raises(
        SchemaChangeError,
        match=r"1 label file\(s\) cannot be read: broken JSON \(labels/bob/d0.json\)",
    ):
        rename_label(ws, "ORG", "COMPANY")
    assert _files(ws) == before and ws.schema_path.read_bytes() == schema


def test_remove_refuses_while_spans_use_the_label_unless_dropping(ws: Workspace) -> None:
    before = _files(ws)
    with pytest.raises(SchemaChangeError, match=r"4 span\(s\) in 4 label file\(s\) use PERSON"):
        remove_label(ws, "PERSON")
    assert _files(ws) == before and ws.schema().get("PERSON") is not None
    result = remove_label(ws, "PERSON", drop_spans=True)
    assert result.spans_dropped == 4 and ws.schema().get("PERSON") is None
    label_file = ws.load_labels("ann", "d0")
    assert label_file is not None and [s.label for s in label_file.spans] == ["ORG"]
    assert validate(ws, cwd=ws.root).ok


def test_remove_drops_pending_suggestions_without_asking(ws: Workspace) -> None:
    result = remove_label(ws, "NUMBER")
    assert result.spans_dropped == 0 and len(result.changed_files) == 4
    label_file = ws.load_labels("ann", "d0")
    assert label_file is not None and label_file.suggestions == ()


def test_add_and_recolor(ws: Workspace) -> None:
    add_label(ws, "VICTIM", "6", "#AABBCC", "受害的个人或机构。")
    schema = ws.schema()
    assert schema.label_names[-1] == "VICTIM" and schema.get("VICTIM").color == "#aabbcc"  # type: ignore[union-attr]
    assert "受害的个人或机构。".encode() in ws.schema_path.read_bytes()  # no \\u escapes
    with pytest.raises(SchemaChangeError, match="two labels share the hotkey '6'"):
        add_label(ws, "WITNESS", "6", "#000000")
    with pytest.raises(SchemaChangeError, match="must be written as #rrggbb"):
        add_label(ws, "WITNESS", "7", "blue")
    recolor_label(ws, "VICTIM", "#102030")
    assert ws.schema().get("VICTIM").color == "#102030"  # type: ignore[union-attr]
    with pytest.raises(SchemaChangeError, match="must be written as #rrggbb"):
        recolor_label(ws, "VICTIM", "#12")
    assert validate(ws, cwd=ws.root).ok


def test_validate_names_files_that_still_use_an_unknown_label(ws: Workspace) -> None:
    """A hand edit of the schema (or a crash mid-way) leaves files that validate names."""
    schema = ws.schema_path.read_text("utf-8").replace('"name": "ORG"', '"name": "COMPANY"')
    ws.schema_path.write_text(schema, "utf-8")
    problems = validate(ws, cwd=ws.root).problems
    assert sorted({p.path for p in problems}) == [
        "labels/ann/d0.json",
        "labels/ann/d1.json",
        "labels/bob/d0.json",
        "labels/bob/d1.json",
    ]
    assert all("unknown label 'ORG'" in p.message for p in problems)


def test_interrupted_rename_is_flagged_and_finished_by_running_it_again(
    ws: Workspace, tmp_path: Path
) -> None:
    # Build the state a crash between the renames and the schema write leaves behind:
    # half the files migrated, the old schema, the journal.
    done = tmp_path / "done"
    shutil.copytree(ws.root, done)
    rename_label(Workspace(done), "ORG", "COMPANY")
    for rel in ("labels/ann/d0.json", "labels/bob/d0.json"):
        (ws.root / rel).write_bytes((done / rel).read_bytes())
    journal = ws.root / MIGRATION_JOURNAL
    journal.parent.mkdir(exist_ok=True)
    journal.write_bytes(
        orjson.dumps({"command": "annotator schema rename ORG COMPANY", "files": []})
    )
    lines = [p.render() for p in validate(ws, cwd=ws.root).problems]
    assert any(
        "run `annotator schema rename ORG COMPANY` again to finish it" in line for line in lines
    )
    assert any(
        line.startswith("labels/ann/d0.json:7: spans[0]") and "unknown label 'COMPANY'" in line
        for line in lines
    )
    rename_label(ws, "ORG", "COMPANY")
    assert validate(ws, cwd=ws.root).ok
    assert _files(ws) == _files(Workspace(done))


HOLDER = """
import sys, time
from pathlib import Path
from annotator.workspace import Workspace
lock = Workspace(Path(sys.argv[1])).lock_labels("bob", "d1")
lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_an_open_label_file_blocks_the_migration(ws: Workspace) -> None:
    before, schema = _files(ws), ws.schema_path.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(ws.root)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(SchemaChangeError, match="being edited by another session"):
            rename_label(ws, "ORG", "COMPANY", timeout=0.2)
    finally:
        holder.kill()
        holder.wait()
    assert _files(ws) == before and ws.schema_path.read_bytes() == schema
    assert not (ws.root / MIGRATION_JOURNAL).exists()


def test_cli_schema_verbs(ws: Workspace) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["schema", "rename", "ORG", "COMPANY", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "4 label file(s) migrated (4 span(s) relabelled)" in result.output
    result = runner.invoke(app, ["schema", "remove", "PERSON", "-w", str(ws.root)])
    assert result.exit_code == 1
    assert "use PERSON" in result.output and "--drop-spans" in result.output
    result = runner.invoke(app, ["schema", "remove", "PERSON", "--drop-spans", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["schema", "add", "VICTIM", "--hotkey", "6", "--color", "#123456", "-w", str(ws.root)]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["schema", "recolor", "VICTIM", "#654321", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["schema", "list", "-w", str(ws.root)])
    assert "VICTIM" in result.output and "#654321" in result.output
    assert validate(ws, cwd=ws.root).ok
