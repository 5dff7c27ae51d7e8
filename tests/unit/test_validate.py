"""`annotator validate`: one failing fixture per rule, each asserting the exact line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.model import LabelFile, Span
from annotator.store import dumps_label_file
from annotator.validate import Report, validate
from annotator.workspace import Workspace, init_workspace, make_document

TEXT = "蓝鲸物流公司的员工李某出售了3万条手机号。\n警方已立案。"
SPANS = (("蓝鲸物流公司", "ORG"), ("李某", "PERSON"), ("3万条", "NUMBER"), ("手机号", "DATA_TYPE"))


def _span(surface: str, label: str) -> Span:
    start = TEXT.index(surface)
    return Span(start=start, end=start + len(surface), label=label, text=surface)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A clean workspace: one document, one label file by `ann`."""
    workspace = init_workspace(tmp_path / "ws")
    document = make_document(TEXT, "d1")
    workspace.save_document(document)
    label_file = LabelFile.new(document, "ann").model_copy(
        update={"spans": tuple(_span(s, lab) for s, lab in SPANS), "status": "done"}
    )
    workspace.save_labels(label_file)
    return workspace


def _label_path(ws: Workspace) -> Path:
    return ws.root / "labels" / "ann" / "d1.json"


def _edit(ws: Workspace, old: str, new: str, path: Path | None = None) -> None:
    path = path or _label_path(ws)
    data = path.read_text("utf-8")
    assert old in data, f"{old!r} not in {data}"
    path.write_text(data.replace(old, new, 1), "utf-8")


def _lines(ws: Workspace) -> list[str]:
    report = validate(ws, cwd=ws.root)
    return [p.render() for p in report.problems]


def _one(ws: Workspace) -> str:
    lines = _lines(ws)
    assert len(lines) == 1, lines
    return lines[0]


def test_clean_workspace_has_no_problems(ws: Workspace) -> None:
    report = validate(ws, cwd=ws.root)
    assert report.ok and report.label_files == 1 and report.documents == 1
    assert (
        report.summary()
        == "validate: OK — checked 1 label files, 1 documents and the schema, no problems"
    )


# --------------------------------------------------------- one rule each


def test_broken_json(ws: Workspace) -> None:
    _edit(ws, '"status": "done",', '"status": "done"')
    line = _one(ws)
    assert line.startswith("labels/ann/d1.json:6: broken JSON: ")
    assert line.endswith("— fix the JSON by hand or restore the file from git")


def test_git_conflict_markers_say_how_to_resolve(ws: Workspace) -> None:
    _edit(ws, '  "spans": [\n', '  "spans": [\n<<<<<<< HEAD\n=======\n>>>>>>> theirs\n')
    line = _one(ws)
    assert line.startswith(
        "labels/ann/d1.json:7: git conflict markers (<<<<<<< ======= >>>>>>>) left from a merge "
        "— resolve the git merge: keep the spans of both sides"
    )
    assert "delete the <<<<<<< ======= >>>>>>> lines" in line
    assert "git checkout --ours/--theirs FILE" in line


def test_missing_field(ws: Workspace) -> None:
    _edit(ws, '  "status": "done",\n', "")
    assert _one(ws) == "labels/ann/d1.json: status: Field required — add the field"


def test_wrongly_typed_span_field_names_the_span(ws: Workspace) -> None:
    start = TEXT.index("李某")
    _edit(ws, f'"start":{start},', f'"start":"{start}",')
    assert _one(ws) == (
        f"labels/ann/d1.json:8: spans[1] {start}:{start + 2} PERSON '李某': start: Input "
        "should be a "
        "valid integer — use the right JSON type (numbers unquoted, true/false, strings quoted)"
    )


def test_unknown_key(ws: Workspace) -> None:
    _edit(ws, '"status": "done",', '"status": "done",\n  "colour": "red",')
    assert _one(ws) == (
        "labels/ann/d1.json:6: colour: Extra inputs are not permitted "
        "— remove this key: label files do not have it"
    )


def test_invalid_status(ws: Workspace) -> None:
    _edit(ws, '"status": "done"', '"status": "finished"')
    assert _one(ws) == (
        "labels/ann/d1.json:5: status: Input should be 'todo', 'in_progress', 'done', 'skipped' "
        "or 'flagged' — use one of todo, in_progress, done, skipped, flagged"
    )


def test_unknown_label(ws: Workspace) -> None:
    _edit(ws, '"label":"PERSON"', '"label":"SUSPECT"')
    start = TEXT.index("李某")
    assert _one(ws) == (
        f"labels/ann/d1.json:8: spans[1] {start}:{start + 2} SUSPECT '李某': unknown label "
        "'SUSPECT' "
        "— add it to labels/schema.json, or rename it with `annotator schema rename`"
    )


def test_offsets_out_of_range(ws: Workspace) -> None:
    start = TEXT.index("手机号")
    _edit(ws, f'"start":{start},"end":{start + 3}', f'"start":{start},"end":{len(TEXT) + 5}')
    assert _one(ws) == (
        f"labels/ann/d1.json:10: spans[3] {start}:{len(TEXT) + 5} DATA_TYPE '手机号': offsets "
        "out of "
        f"range (text has {len(TEXT)} characters) — fix start/end: 0 <= start < end <= len(text), "
        "code points, end exclusive"
    )


def test_empty_span_start_not_before_end(ws: Workspace) -> None:
    start = TEXT.index("手机号")
    _edit(ws, f'"start":{start},"end":{start + 3}', f'"start":{start},"end":{start}')
    assert "spans[3] 17:17 DATA_TYPE '手机号': offsets out of range" in _one(ws)


def test_surface_text_mismatch(ws: Workspace) -> None:
    _edit(ws, '"text":"李某"', '"text":"王某"')
    start = TEXT.index("李某")
    assert _one(ws) == (
        f"labels/ann/d1.json:8: spans[1] {start}:{start + 2} PERSON '王某': surface text "
        "'王某' does "
        f"not match text[{start}:{start + 2}]='李某' — the offsets or the text are wrong; "
        "re-anchor "
        "the span (never edit one alone)"
    )


def test_leading_or_trailing_whitespace(ws: Workspace) -> None:
    start = TEXT.index("警方")
    _edit(ws, '"status": "done",', '"status": "in_progress",')
    extra = f'    {{"start":{start - 1},"end":{start + 2},"label":"ORG",'
    extra += '"text":"\\n警方","source":"manual"},\n'
    _edit(ws, '  "spans": [\n', '  "spans": [\n' + extra)
    line = _one(ws)
    assert line == (
        f"labels/ann/d1.json:7: spans[0] {start - 1}:{start + 2} ORG '\\n警方': span starts "
        "or ends "
        "with whitespace — move the boundary onto the first/last character"
    )


def test_overlap_refused_unless_schema_allows(ws: Workspace) -> None:
    start = TEXT.index("物流公司")
    extra = f',\n    {{"start":{start},"end":{start + 4},'
    extra += '"label":"ORG","text":"物流公司","source":"manual"}'
    _edit(ws, '"source":"manual"}\n  ]', '"source":"manual"}' + extra + "\n  ]")
    line = _one(ws)
    assert line == (
        f"labels/ann/d1.json:11: spans[4] {start}:{start + 4} ORG '物流公司': overlaps "
        "spans[0] 0:6 ORG "
        "'蓝鲸物流公司' — the schema does not allow overlapping spans: keep one or set "
        "allow_overlap"
    )
    schema = ws.schema_path.read_text("utf-8").replace(
        '"allow_overlap": false', '"allow_overlap": true'
    )
    ws.schema_path.write_text(schema, "utf-8")
    assert _lines(ws) == []


def test_duplicate_span(ws: Workspace) -> None:
    dup = '{"start":9,"end":11,"label":"PERSON","text":"李某","source":"manual"}'
    _edit(ws, dup, dup + ",\n    " + dup)
    assert (
        _one(ws)
        == "labels/ann/d1.json:9: spans[2] 9:11 PERSON '李某': duplicate of spans[1] — delete one"
    )


def test_stale_text_hash(ws: Workspace) -> None:
    _edit(ws, '"text_sha256": "', '"text_sha256": "0')
    assert _one(ws) == (
        "labels/ann/d1.json:3: stale text hash: the labels were made on another text than the "
        "stored "
        "document — re-anchor with `annotator import --replace-text`, or restore the "
        "document's text"
    )


def test_doc_id_must_match_file_name(ws: Workspace) -> None:
    _edit(ws, '"doc_id": "d1"', '"doc_id": "d2"')
    assert _one(ws) == (
        "labels/ann/d1.json:2: doc_id 'd2' does not match the file name — rename the file or "
        "fix doc_id"
    )


@pytest.mark.parametrize(
    ("doc_id", "why"),
    [
        ("../x", "looks like a path (contains a separator)"),
        ("/etc/passwd", "looks like a path (contains a separator)"),
        ("a\\\\b", "looks like a path (contains a separator)"),
        ("..", "looks like a path (contains '..')"),
    ],
)
def test_doc_id_that_looks_like_a_path(ws: Workspace, doc_id: str, why: str) -> None:
    _edit(ws, '"doc_id": "d1"', f'"doc_id": "{doc_id}"')
    shown = doc_id.replace("\\\\", "\\")
    assert _one(ws) == (
        f"labels/ann/d1.json:2: document id {shown!r} {why} — set doc_id to the file name "
        "without .json"
    )


def test_label_file_naming_a_missing_document(ws: Workspace) -> None:
    (ws.root / "documents" / "d1.json").unlink()
    assert _one(ws) == (
        "labels/ann/d1.json:2: names a missing document 'd1' (no documents/d1.json) "
        "— import the document, or delete this label file if the document was removed"
    )


def test_annotator_must_match_folder(ws: Workspace) -> None:
    _edit(ws, '"annotator": "ann"', '"annotator": "bob"')
    assert _one(ws) == (
        "labels/ann/d1.json:4: annotator 'bob' does not match its folder labels/ann/ "
        "— move the file to the annotator's folder, or fix the `annotator` field"
    )


def test_folder_that_is_not_an_annotator_name(ws: Workspace) -> None:
    bad = ws.labels_dir / "two words"
    bad.mkdir()
    (bad / "d1.json").write_bytes(_label_path(ws).read_bytes())
    lines = _lines(ws)
    assert lines[0].startswith(
        "labels/two words: folder name is not a valid annotator name: annotator name 'two "
        "words' is not allowed"
    )
    assert "labels/two words/d1.json:4: annotator 'ann' does not match its folder" in lines[1]


def test_label_file_name_that_is_not_a_document_id(ws: Workspace) -> None:
    (ws.labels_dir / "ann" / "a b.json").write_bytes(b"{}")
    assert _one(ws).startswith(
        "labels/ann/a b.json: file name is not a valid document id: document id 'a b'"
    )


def test_document_hash_mismatch(ws: Workspace) -> None:
    _edit(ws, "警方已立案", "警方已结案", ws.root / "documents" / "d1.json")
    assert _one(ws) == (
        "documents/d1.json: sha256 does not match the text (was the text edited by hand?) "
        "— restore the text from git, or correct it with `annotator import --replace-text`"
    )


def test_document_text_not_normalized(ws: Workspace) -> None:
    path = ws.root / "documents" / "d1.json"
    raw = orjson.loads(path.read_bytes())
    raw["text"] = raw["text"].replace("\n", "\r\n")
    from annotator.text.normalize import text_sha256

    raw["sha256"] = text_sha256(raw["text"])
    path.write_bytes(orjson.dumps(raw))
    lines = _lines(ws)
    assert lines[0] == (
        "documents/d1.json: text is not normalized (NFC, \\n newlines, no BOM or control "
        "characters) "
        "— re-import it with `annotator import --replace-text` (normalizes once)"
    )
    assert lines[1].startswith("labels/ann/d1.json:3: stale text hash")


def test_document_id_must_match_its_file_name(ws: Workspace) -> None:
    (ws.root / "documents" / "d1.json").rename(ws.root / "documents" / "d9.json")
    lines = _lines(ws)
    assert (
        "documents/d9.json: document id 'd1' does not match its file name — rename the file "
        "to <id>.json" in lines
    )
    assert any(
        line.startswith("labels/ann/d1.json:2: names a missing document 'd1'") for line in lines
    )


def test_broken_document_file(ws: Workspace) -> None:
    (ws.root / "documents" / "d1.json").write_bytes(b'{"id": "d1", "text": ')
    assert _one(ws).startswith("documents/d1.json:1: broken JSON")  # not "missing document"


def test_invalid_schema_stops_before_label_files(ws: Workspace) -> None:
    schema = ws.schema_path.read_text("utf-8").replace('"hotkey": "2"', '"hotkey": "1"')
    ws.schema_path.write_text(schema, "utf-8")
    report = validate(ws, cwd=ws.root)
    assert [p.render() for p in report.problems] == [
        "labels/schema.json: (schema): Value error, two labels share the hotkey '1' "
        "— fix the schema; label files are checked once it is valid"
    ]


def test_interrupted_schema_migration_is_named(ws: Workspace) -> None:
    journal = ws.root / ".annotator" / "schema-migration.json"
    journal.parent.mkdir(exist_ok=True)
    journal.write_bytes(b'{"command": "annotator schema rename ORG COMPANY", "files": []}')
    assert _one(ws) == (
        "labels/schema.json: a schema change was interrupted: label files may use labels the "
        "schema "
        "lacks — run `annotator schema rename ORG COMPANY` again to finish it"
    )


def test_temp_files_and_other_label_folder_files_are_not_label_files(ws: Workspace) -> None:
    folder = ws.labels_dir / "ann"
    (folder / ".d1.json.abc123.tmp").write_bytes(b"partial")
    (folder / ".hidden.json").write_bytes(b"partial")
    (ws.labels_dir / "assignment.json").write_bytes(b'{"annotators": [], "docs": {}}')
    (ws.labels_dir / "lexicon").mkdir()
    (ws.labels_dir / "lexicon" / "ORG.txt").write_text("蓝鲸物流公司\n", "utf-8")
    report = validate(ws, cwd=ws.root)
    assert report.ok and report.label_files == 1


# ------------------------------------------------------ paths and formats


def test_path_forms(ws: Workspace) -> None:
    other = ws.labels_dir / "bob"
    other.mkdir()
    data = _label_path(ws).read_bytes().replace(b'"annotator": "ann"', b'"annotator": "bob"')
    (other / "d1.json").write_bytes(
        data.replace(b'"text":"\xe6\x9d\x8e\xe6\x9f\x90"', b'"text":"x"')
    )
    assert validate(ws, [_label_path(ws)], cwd=ws.root).ok
    assert validate(ws, [ws.labels_dir / "ann"], cwd=ws.root).ok
    report = validate(ws, [ws.labels_dir], cwd=ws.root)
    assert report.label_files == 2 and [p.path for p in report.problems] == ["labels/bob/d1.json"]
    assert validate(ws, [ws.root], cwd=ws.root).label_files == 2


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout


def test_cli_exit_codes_and_summary(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ws.root)
    code, out = _cli(["validate"])
    assert code == 0
    assert out == "validate: OK — checked 1 label files, 1 documents and the schema, no problems\n"
    _edit(ws, '"label":"PERSON"', '"label":"SUSPECT"')
    code, out = _cli(["validate", "labels/ann/d1.json"])
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("labels/ann/d1.json:8: spans[1] 9:11 SUSPECT '李某': unknown label")
    assert (
        lines[1]
        == "validate: 1 problem(s) in 1 file(s) — checked 1 label files, 1 documents and the schema"
    )


def test_cli_github_annotations(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ws.root)
    _edit(ws, '"label":"PERSON"', '"label":"SUSPECT"')
    code, out = _cli(["validate", "--format", "github"])
    assert code == 1
    assert out.splitlines()[0] == (
        "::error file=labels/ann/d1.json,line=8,title=annotator validate::spans[1] 9:11 "
        "SUSPECT '李某': "
        "unknown label 'SUSPECT' — add it to labels/schema.json, or rename it with `annotator "
        "schema rename`"
    )


def test_cli_json(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ws.root / "labels")
    _edit(ws, '"text":"李某"', '"text":"王某"')
    code, out = _cli(["validate", "--format", "json"])
    assert code == 1
    body = json.loads(out)
    assert body["ok"] is False and body["checked"] == {"label_files": 1, "documents": 1}
    (problem,) = body["problems"]
    assert problem["path"] == "../labels/ann/d1.json" and problem["line"] == 8
    assert problem["span"] == "spans[1] 9:11 PERSON '王某'"


def test_cli_path_outside_workspace_is_one_clear_line(ws: Workspace, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert result.output.strip().endswith("nope.json: no such file or folder")


# --------------------------------------------------------------- --changed


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_changed_checks_only_changed_files_and_labels_of_changed_documents(ws: Workspace) -> None:
    for n in range(2, 5):
        document = make_document(TEXT + f"第{n}条。", f"d{n}")
        ws.save_document(document)
        ws.save_labels(LabelFile.new(document, "ann"))
    # A problem already committed on main must not be reported by --changed.
    _edit(ws, '"text":"李某"', '"text":"王某"')
    # The workspace is a sub-folder of the repository: paths are mapped through the top level.
    _git(ws.root.parent, "init", "-q", "-b", "main")
    _git(ws.root.parent, "add", "-A")
    _git(ws.root.parent, "commit", "-q", "-m", "base")
    _git(ws.root.parent, "checkout", "-q", "-b", "work")
    assert validate(ws, changed="main", cwd=ws.root).label_files == 0

    # committed change to a label file, an untracked label file, a changed document
    d2 = ws.root / "labels" / "ann" / "d2.json"
    d2.write_text(d2.read_text("utf-8").replace('"status": "todo"', '"status": "started"'), "utf-8")
    _git(ws.root, "commit", "-q", "-am", "edit d2")
    d3 = ws.root / "documents" / "d3.json"
    d3.write_text(d3.read_text("utf-8").replace("第3条", "第三条"), "utf-8")
    (ws.labels_dir / "bob").mkdir()
    (ws.labels_dir / "bob" / "d4.json").write_bytes(
        (ws.labels_dir / "ann" / "d4.json").read_bytes().replace(b'"ann"', b'"bob"')
    )
    report = validate(ws, changed="main", cwd=ws.root)
    assert (
        report.label_files == 3
    )  # ann/d2 (commit), ann/d3 (its document changed), bob/d4 (untracked)
    paths = sorted({p.path for p in report.problems})
    assert paths == ["documents/d3.json", "labels/ann/d2.json"]
    assert not any(p.path == "labels/ann/d1.json" for p in report.problems)


def test_changed_with_unknown_ref_is_a_clear_error(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _git(ws.root, "init", "-q", "-b", "main")
    _git(ws.root, "add", "-A")
    _git(ws.root, "commit", "-q", "-m", "base")
    monkeypatch.chdir(ws.root)
    result = CliRunner().invoke(app, ["validate", "--changed", "no-such-ref"])
    assert result.exit_code == 2
    assert "git diff --name-only failed" in result.output


def test_validate_does_not_import_heavy_modules(ws: Workspace) -> None:
    code = (
        "import sys\n"
        "from annotator.cli.app import main\n"
        "try:\n"
        f"    main(['validate', {str(ws.root)!r}])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "heavy = [m for m in ('jieba', 'datasets', 'textual', 'pyarrow', 'opencc') if m in "
        "sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == "HEAVY []"


def test_report_counts_problem_files() -> None:
    from annotator.problems import Problem

    report = Report([Problem("a", "x"), Problem("a", "y"), Problem("b", "z")], 3, 1)
    assert not report.ok and report.files_with_problems == 2


def test_label_file_round_trip_is_canonical_for_fixtures(ws: Workspace) -> None:
    data = _label_path(ws).read_bytes()
    from annotator.store import parse_label_file

    assert dumps_label_file(parse_label_file(data, _label_path(ws))) == data


def test_two_processes_find_exactly_what_one_finds(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import annotator.validate as module

    for n in range(2, 12):
        document = make_document(TEXT + f"（{n}）", f"d{n}")
        ws.save_document(document)
        ws.save_labels(LabelFile.new(document, "ann"))
    _edit(ws, '"label":"PERSON"', '"label":"SUSPECT"')
    _edit(ws, '"status": "todo"', '"status": "later"', ws.label_path("ann", "d9"))
    monkeypatch.setenv("ANNOTATOR_VALIDATE_WORKERS", "1")
    serial = validate(ws, cwd=ws.root)
    monkeypatch.delenv("ANNOTATOR_VALIDATE_WORKERS")
    monkeypatch.setattr(module, "PARALLEL_MIN_FILES", 1)
    if module._worker_count(100) < 2:
        pytest.skip("one CPU: nothing to parallelize")
    parallel = validate(ws, cwd=ws.root)
    assert [p.render() for p in parallel.problems] == [p.render() for p in serial.problems]
    assert len(serial.problems) == 2
    assert (
        (parallel.label_files, parallel.documents)
        == (serial.label_files, serial.documents)
        == (11, 11)
    )


def test_github_paths_are_relative_to_the_repository_root(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _git(ws.root.parent, "init", "-q")
    _edit(ws, '"label":"PERSON"', '"label":"SUSPECT"')
    monkeypatch.chdir(ws.root / "labels")
    code, out = _cli(["validate", "--format", "github"])
    assert code == 1
    assert out.startswith("::error file=ws/labels/ann/d1.json,line=8,")
