"""`annotator validate`: every rule a workspace file must satisfy, as Problems.

The span rules live in `annotator.spans` (shared with save and import); this
module adds the file-level rules around them: readable bytes, no git conflict
markers, well-formed and typed JSON, file names that match ids and annotators,
documents that exist and are intact. It is fast because it parses each file
once (pydantic straight from bytes), loads each document once for all of its
annotators, and walks the corpus document by document so memory stays flat.
Nothing here imports jieba, datasets or textual.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from annotator.errors import AnnotatorError
from annotator.model import (
    STATUSES,
    Document,
    LabelFile,
    LabelSchema,
    annotator_problem,
    doc_id_problem,
)
from annotator.problems import Problem
from annotator.schema_ops import MIGRATION_JOURNAL
from annotator.spans import check_label_file
from annotator.store import MAX_DOCUMENT_FILE_BYTES, MAX_LABEL_FILE_BYTES, has_conflict_markers
from annotator.text.normalize import text_sha256
from annotator.workspace import RESERVED_LABEL_DIRS, SCHEMA_RELPATH, Workspace

CONFLICT_FIX = (
    "resolve the git merge: keep the spans of both sides between the markers "
    "(one span per line; drop one of two overlapping spans), delete the "
    "<<<<<<< ======= >>>>>>> lines, then run `annotator validate` and `git add` the file "
    "(or take one side whole with `git checkout --ours/--theirs FILE`)"
)
_SPAN_REF_RE = re.compile(r"^(spans|suggestions|rejected)\[(\d+)\]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\r\u2028\u2029\ufeff]")
REQUIRED_KEYS = ("doc_id", "text_sha256", "annotator", "status", "spans")
_STATUS_FIX = "use one of " + ", ".join(STATUSES)


class ValidateError(AnnotatorError):
    """The check itself could not run (bad git ref, PATH outside the workspace)."""


# ------------------------------------------------------------------ the plan


@dataclass
class Plan:
    """What to check: label files grouped by document id, plus documents on their own."""

    # file stem (the document id) -> [(label file path, annotator folder)]
    labels: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    documents: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)  # found while collecting

    def add_label(self, path: Path | str, folder: str) -> None:
        """Paths are kept as strings: pathlib costs more than reading a small file."""
        path = os.fspath(path)
        stem = os.path.basename(path)[:-5]
        self.labels.setdefault(stem, []).append((path, folder))


@dataclass
class Report:
    problems: list[Problem]
    label_files: int
    documents: int

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def files_with_problems(self) -> int:
        return len({p.path for p in self.problems})

    def summary(self) -> str:
        checked = f"{self.label_files} label files, {self.documents} documents and the schema"
        if self.ok:
            return f"validate: OK — checked {checked}, no problems"
        return (
            f"validate: {len(self.problems)} problem(s) in {self.files_with_problems} file(s) "
            f"— checked {checked}"
        )


def _json_names(folder: Path) -> list[str]:
    """`*.json` names in a folder, skipping hidden and temp files (".x.json.tmp")."""
    try:
        with os.scandir(folder) as entries:
            return [
                e.name for e in entries if e.name.endswith(".json") and not e.name.startswith(".")
            ]
    except (FileNotFoundError, NotADirectoryError):
        return []


def _label_folders(workspace: Workspace) -> list[str]:
    try:
        with os.scandir(workspace.labels_dir) as entries:
            return sorted(
                e.name
                for e in entries
                if e.is_dir() and not e.name.startswith(".") and e.name not in RESERVED_LABEL_DIRS
            )
    except FileNotFoundError:
        return []


def _add_folder(plan: Plan, workspace: Workspace, folder: str, show: Display) -> None:
    directory = workspace.labels_dir / folder
    problem = annotator_problem(folder)
    names = _json_names(directory)
    if problem and names:
        plan.problems.append(
            Problem(
                show(directory),
                f"folder name is not a valid annotator name: {problem}",
                "rename the folder to the annotator name its label files carry",
            )
        )
    for name in names:
        plan.add_label(os.path.join(directory, name), folder)


def plan_all(workspace: Workspace, show: Display) -> Plan:
    """Every label file and every document of the workspace."""
    plan = Plan()
    for folder in _label_folders(workspace):
        _add_folder(plan, workspace, folder, show)
    plan.documents.update(name[:-5] for name in _json_names(workspace.documents_dir))
    return plan


def plan_paths(workspace: Workspace, paths: Iterable[Path], show: Display) -> Plan:
    """The label files (and documents) named by files or folders inside the workspace."""
    root = workspace.root.resolve()
    plan = Plan()
    for given in paths:
        path = given.resolve()
        try:
            rel = path.relative_to(root)
        except ValueError:
            raise ValidateError(
                "is not inside the workspace", path=given, fix=f"the workspace is {workspace.root}"
            ) from None
        parts = rel.parts
        if not path.exists():
            raise ValidateError("no such file or folder", path=given)
        if not parts:
            return plan_all(workspace, show)
        if parts == ("labels",):
            for folder in _label_folders(workspace):
                _add_folder(plan, workspace, folder, show)
        elif parts[0] == "labels" and len(parts) == 2 and path.is_dir():
            _add_folder(plan, workspace, parts[1], show)
        elif parts[0] == "labels" and len(parts) == 3 and path.suffix == ".json":
            plan.add_label(path, parts[1])
        elif parts == ("documents",):
            plan.documents.update(name[:-5] for name in _json_names(workspace.documents_dir))
        elif parts[0] == "documents" and len(parts) == 2 and path.suffix == ".json":
            plan.documents.add(path.name[:-5])
        elif rel == SCHEMA_RELPATH:
            pass  # the schema is always checked
        else:
            raise ValidateError(
                "is neither a label file, a folder of label files, a document nor the workspace",
                path=given,
                fix="pass the workspace, labels/, labels/<annotator>/ or one label file",
            )
    return plan


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise ValidateError("git is not installed", fix="install git or drop --changed") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ValidateError(
            f"git {' '.join(args[:2])} failed: {message[0] if message else done.returncode}",
            path=cwd,
            fix="check that the folder is a git repository and the ref exists (e.g. origin/main)",
        )
    return done.stdout


def changed_paths(workspace: Workspace, ref: str) -> list[Path]:
    """Files changed since `ref` (merge base), uncommitted or untracked, as absolute paths."""
    root = workspace.root.resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], root).decode().strip())
    names: set[str] = set()
    for args in (
        ["diff", "--name-only", "-z", f"{ref}...", "--"],
        ["diff", "--name-only", "-z", "HEAD", "--"],
        ["ls-files", "--others", "--exclude-standard", "-z"],
    ):
        names.update(n for n in _git(args, top).decode("utf-8", "surrogateescape").split("\0") if n)
    return sorted(top / name for name in names)


def plan_changed(workspace: Workspace, ref: str, show: Display) -> Plan:
    """Changed label files, plus every label file of a changed (or deleted) document."""
    root = workspace.root.resolve()
    plan = Plan()
    folders = _label_folders(workspace)
    for path in changed_paths(workspace, ref):
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            continue
        if Path(*parts) == SCHEMA_RELPATH:
            return plan_all(workspace, show)  # a schema change can break any file
        if len(parts) == 3 and parts[0] == "labels" and parts[2].endswith(".json"):
            if parts[1] in RESERVED_LABEL_DIRS or parts[2].startswith(".") or not path.is_file():
                continue
            plan.add_label(path, parts[1])
        elif len(parts) == 2 and parts[0] == "documents" and parts[1].endswith(".json"):
            stem = parts[1][:-5]
            if path.is_file():
                plan.documents.add(stem)
            for folder in folders:
                label = workspace.labels_dir / folder / parts[1]
                if label.is_file():
                    plan.add_label(label, folder)
    for stem, entries in plan.labels.items():
        plan.labels[stem] = sorted(set(entries))
    return plan


# --------------------------------------------------------------- displaying


class Display:
    """Paths as the user should see them: relative to the current folder (clickable, short)."""

    def __init__(self, root: Path, cwd: Path | None = None) -> None:
        self.root = root.resolve()
        base = os.path.relpath(self.root, (cwd or Path.cwd()).resolve())
        self.prefix = "" if base == "." else base + "/"

    def __call__(self, path: Path) -> str:
        try:
            rel = path.resolve().relative_to(self.root) if path.is_absolute() else path
        except ValueError:
            return str(path)
        return self.prefix + rel.as_posix()

    def label(self, folder: str, name: str) -> str:
        return f"{self.prefix}labels/{folder}/{name}"


# ------------------------------------------------------------ file checks


def _line_of(data: bytes, needle: bytes) -> int | None:
    at = data.find(needle)
    return None if at < 0 else data.count(b"\n", 0, at) + 1


def _conflict_problem(data: bytes, shown: str) -> Problem:
    line = _line_of(data, b"<<<<<<<") or _line_of(data, b"=======") or _line_of(data, b">>>>>>>")
    return Problem(
        shown,
        "git conflict markers (<<<<<<< ======= >>>>>>>) left from a merge",
        CONFLICT_FIX,
        line=line,
    )


def _item_line(data: bytes, kind: str, index: int) -> int | None:
    """The line of `kind[index]` in the file: label files are written one span per line."""
    key_line = _line_of(data, b'"' + kind.encode() + b'"')
    if key_line is None:
        return None
    lines = data.split(b"\n", key_line + index + 1)
    candidate = key_line + index  # 0-based index of the item's line
    if candidate < len(lines) and lines[candidate].lstrip().startswith(b"{"):
        return candidate + 1
    return key_line


def _with_lines(data: bytes, problems: list[Problem]) -> list[Problem]:
    out = []
    for problem in problems:
        match = _SPAN_REF_RE.match(problem.span)
        if match and problem.line is None:
            problem = replace(problem, line=_item_line(data, match[1], int(match[2])))
        out.append(problem)
    return out


def _describe_raw(raw: Any, kind: str, index: int) -> str:
    try:
        item = raw[kind][index]
        surface = str(item.get("text", ""))
        surface = surface if len(surface) <= 20 else surface[:19] + "…"
        return (
            f"{kind}[{index}] {item.get('start')}:{item.get('end')} {item.get('label')} {surface!r}"
        )
    except (KeyError, IndexError, TypeError, AttributeError):
        return f"{kind}[{index}]"


def _field_fix(error: Any) -> str:
    kind = error["type"]
    if error["loc"] == ("status",):
        return _STATUS_FIX
    if kind == "missing":
        return "add the field"
    if kind == "extra_forbidden":
        return "remove this key: label files do not have it"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return "use the right JSON type (numbers unquoted, true/false, strings quoted)"
    return "fix the value (see the README's label file format)"


def _json_problem(data: bytes, shown: str) -> Problem:
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return Problem(
            shown,
            f"broken JSON: {exc.msg}",
            "fix the JSON by hand or restore the file from git",
            line=exc.lineno or None,
        )
    return Problem(shown, "the file must hold one JSON object", "restore the file from git")


def _typed_problems(data: bytes, shown: str, exc: ValidationError) -> list[Problem]:
    errors = exc.errors(include_url=False)
    if any(e["type"] in ("json_invalid", "model_type") for e in errors):
        return [_json_problem(data, shown)]
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError:  # pragma: no cover - pydantic already parsed it
        raw = {}
    problems = []
    for error in errors:
        loc = error["loc"]
        span, line = "", _line_of(data, b'"' + str(loc[0]).encode() + b'"') if loc else None
        if (
            len(loc) >= 2
            and loc[0] in ("spans", "suggestions", "rejected")
            and isinstance(loc[1], int)
        ):
            span = _describe_raw(raw, str(loc[0]), loc[1])
            line = _item_line(data, str(loc[0]), loc[1])
            where = ".".join(str(part) for part in loc[2:]) or "(span)"
        else:
            where = ".".join(str(part) for part in loc) or "(file)"
        problems.append(Problem(shown, f"{where}: {error['msg']}", _field_fix(error), span, line))
    return problems


def read_checked(path: Path | str, shown: str, limit: int) -> tuple[bytes | None, Problem | None]:
    """The file's bytes, or the one problem that stops us reading it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        return None, Problem(shown, f"cannot read the file: {exc.strerror}", "check permissions")
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            return None, Problem(
                shown,
                f"file is {size / 1e6:.1f} MB, over the {limit // (1024 * 1024)} MB limit",
                "split it or check that it is the right file",
            )
        data = os.read(fd, size + 1)
        if len(data) > size:  # the file grew while we read it: take the rest too
            chunks = [data]
            while more := os.read(fd, 1 << 20):
                chunks.append(more)
            data = b"".join(chunks)[: limit + 1]
    except OSError as exc:
        return None, Problem(
            shown, f"cannot read the file: {exc.strerror}", "check that it is a file"
        )
    finally:
        os.close(fd)
    if len(data) > limit:
        return None, Problem(
            shown, f"file is over the {limit // (1024 * 1024)} MB limit", "split it"
        )
    if has_conflict_markers(data):
        return None, _conflict_problem(data, shown)
    return data, None


def label_file_problems(
    data: bytes,
    shown: str,
    folder: str,
    stem: str,
    document: Document | None,
    schema: LabelSchema,
    *,
    document_broken: bool = False,
) -> list[Problem]:
    """Every problem of one label file's bytes (conflict markers already ruled out).

    `document` is None when there is no document file, or when it is broken
    (`document_broken`): then its own problem is reported and the spans wait.
    """
    try:
        label_file = LabelFile.model_validate_json(data, strict=True)
    except ValidationError as exc:
        return _typed_problems(data, shown, exc)
    problems: list[Problem] = []
    missing = [key for key in REQUIRED_KEYS if b'"' + key.encode() + b'"' not in data]
    if missing:  # the model has defaults for some; a label file on disk still spells them out
        present = orjson.loads(data)
        problems.extend(
            Problem(shown, f"{key}: Field required", "add the field")
            for key in missing
            if key not in present
        )
    if label_file.annotator != folder:
        problems.append(
            Problem(
                shown,
                f"annotator {label_file.annotator!r} does not match its folder labels/{folder}/",
                "move the file to the annotator's folder, or fix the `annotator` field",
                line=_line_of(data, b'"annotator"'),
            )
        )
    id_problem = doc_id_problem(label_file.doc_id)
    if id_problem:
        problems.append(
            Problem(
                shown,
                id_problem,
                "set doc_id to the file name without .json",
                line=_line_of(data, b'"doc_id"'),
            )
        )
        return problems
    if document is None:
        if document_broken:
            return problems
        if label_file.doc_id == stem:
            problems.append(
                Problem(
                    shown,
                    f"names a missing document {stem!r} (no documents/{stem}.json)",
                    "import the document, or delete this label file if the document was removed",
                    line=_line_of(data, b'"doc_id"'),
                )
            )
        else:
            problems.append(
                Problem(
                    shown,
                    f"doc_id {label_file.doc_id!r} does not match the file name",
                    "rename the file or fix doc_id",
                    line=_line_of(data, b'"doc_id"'),
                )
            )
        return problems
    for problem in check_label_file(label_file, document, schema, shown):
        if problem.line is None and not problem.span:
            key = b'"doc_id"' if "doc_id" in problem.message else b'"text_sha256"'
            problem = replace(problem, line=_line_of(data, key))
        problems.append(problem)
    return _with_lines(data, problems)


def document_problems(data: bytes, shown: str, stem: str) -> tuple[Document | None, list[Problem]]:
    """A document file's own rules: typed, id = file name, hash of its text, normalized text."""
    fix = "re-import the document with `annotator import` (or restore it from git)"
    try:
        document = Document.model_validate_json(data, strict=True)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(e["type"] in ("json_invalid", "model_type") for e in errors):
            return None, [_json_problem(data, shown)]
        return None, [
            Problem(shown, f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}", fix)
            for e in errors
        ]
    problems = []
    if document.id != stem:
        problems.append(
            Problem(
                shown,
                f"document id {document.id!r} does not match its file name",
                "rename the file to <id>.json",
            )
        )
    if text_sha256(document.text) != document.sha256:
        problems.append(
            Problem(
                shown,
                "sha256 does not match the text (was the text edited by hand?)",
                "restore the text from git, or correct it with `annotator import --replace-text`",
            )
        )
    if _CONTROL_RE.search(document.text) or not unicodedata.is_normalized("NFC", document.text):
        problems.append(
            Problem(
                shown,
                "text is not normalized (NFC, \\n newlines, no BOM or control characters)",
                "re-import it with `annotator import --replace-text` (normalizes once)",
            )
        )
    return document, problems


# -------------------------------------------------------------- the runner


def schema_problems(
    workspace: Workspace, show: Display
) -> tuple[LabelSchema | None, list[Problem]]:
    path = workspace.schema_path
    shown = show(path)
    data, problem = read_checked(path, shown, 4 * 1024 * 1024)
    if problem:
        return None, [problem]
    assert data is not None
    try:
        return LabelSchema.model_validate_json(data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(e["type"] in ("json_invalid", "model_type") for e in errors):
            return None, [_json_problem(data, shown)]
        return None, [
            Problem(
                shown,
                f"{'.'.join(str(p) for p in e['loc']) or '(schema)'}: {e['msg']}",
                "fix the schema; label files are checked once it is valid",
            )
            for e in errors
        ]


def _journal_problem(workspace: Workspace, show: Display) -> Problem | None:
    journal = workspace.root / MIGRATION_JOURNAL
    try:
        raw = orjson.loads(journal.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    command = (
        raw.get("command", "annotator schema ...")
        if isinstance(raw, dict)
        else "annotator schema ..."
    )
    return Problem(
        show(workspace.schema_path),
        "a schema change was interrupted: label files may use labels the schema lacks",
        f"run `{command}` again to finish it",
    )


# Below this many label files a second process costs more than it saves.
PARALLEL_MIN_FILES = 4000


def _check_stems(
    documents_dir: str,
    stems: list[str],
    labels: dict[str, list[tuple[str, str]]],
    documents: set[str],
    schema: LabelSchema,
    prefix: str,
) -> tuple[list[Problem], int, int]:
    """Check the documents and label files of `stems`, one document at a time."""
    problems: list[Problem] = []
    label_count = doc_count = 0
    for stem in stems:
        document: Document | None = None
        id_problem = doc_id_problem(stem)
        doc_path = os.path.join(documents_dir, f"{stem}.json")
        exists = id_problem is None and (stem in documents or os.path.isfile(doc_path))
        if exists:
            doc_count += 1
            shown = f"{prefix}documents/{stem}.json"
            data, problem = read_checked(doc_path, shown, MAX_DOCUMENT_FILE_BYTES)
            if problem:
                problems.append(problem)
            elif data is not None:
                document, found = document_problems(data, shown, stem)
                problems.extend(found)
        for path, folder in labels.get(stem, ()):
            label_count += 1
            shown = f"{prefix}labels/{folder}/{stem}.json"
            if id_problem:
                problems.append(
                    Problem(
                        shown,
                        f"file name is not a valid document id: {id_problem}",
                        "rename the file to <doc_id>.json",
                    )
                )
                continue
            data, problem = read_checked(path, shown, MAX_LABEL_FILE_BYTES)
            if problem:
                problems.append(problem)
                continue
            assert data is not None
            problems.extend(
                label_file_problems(
                    data, shown, folder, stem, document, schema, document_broken=exists
                )
            )
    return problems, label_count, doc_count


def _worker_count(files: int) -> int:
    if files < PARALLEL_MIN_FILES or os.environ.get("ANNOTATOR_VALIDATE_WORKERS") == "1":
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return min(2, cpus)


def check_plan(workspace: Workspace, plan: Plan, show: Display) -> Report:
    """Run every rule over the plan; on 2+ cores, half of the documents go to a forked worker."""
    problems = list(plan.problems)
    journal = _journal_problem(workspace, show)
    if journal:
        problems.append(journal)
    schema, found = schema_problems(workspace, show)
    problems.extend(found)
    if schema is None:
        return Report(problems, 0, 0)
    documents_dir = os.fspath(workspace.documents_dir)
    stems = sorted(plan.labels.keys() | plan.documents)
    files = sum(len(entries) for entries in plan.labels.values())
    if _worker_count(files) == 1:
        found, label_count, doc_count = _check_stems(
            documents_dir, stems, plan.labels, plan.documents, schema, show.prefix
        )
        problems.extend(found)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        half = len(stems) // 2
        theirs, mine = stems[:half], stems[half:]
        their_labels = {stem: plan.labels[stem] for stem in theirs if stem in plan.labels}
        their_docs = {stem for stem in theirs if stem in plan.documents}
        context = multiprocessing.get_context("fork")  # the worker inherits every import
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            future = pool.submit(
                _check_stems, documents_dir, theirs, their_labels, their_docs, schema, show.prefix
            )
            found, label_count, doc_count = _check_stems(
                documents_dir, mine, plan.labels, plan.documents, schema, show.prefix
            )
            other, other_labels, other_docs = future.result()
        problems.extend(other)
        problems.extend(found)
        label_count += other_labels
        doc_count += other_docs
    problems.sort(key=lambda p: (p.path, p.line or 0))
    return Report(problems, label_count, doc_count)


def validate(
    workspace: Workspace,
    paths: Iterable[Path] = (),
    *,
    changed: str | None = None,
    cwd: Path | None = None,
) -> Report:
    """Check the whole workspace, the given paths, or what changed since a git ref."""
    show = Display(workspace.root, cwd)
    paths = list(paths)
    if changed is not None:
        plan = plan_changed(workspace, changed, show)
    elif paths:
        plan = plan_paths(workspace, paths, show)
    else:
        plan = plan_all(workspace, show)
    return check_plan(workspace, plan, show)


# ------------------------------------------------------------------ output


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_lines(report: Report) -> Iterator[str]:
    """GitHub Actions workflow commands: one `::error` annotation per problem."""
    for p in report.problems:
        where = f"file={_escape_property(p.path)}"
        if p.line:
            where += f",line={p.line}"
        span = f"{p.span}: " if p.span else ""
        fix = f" — {p.fix}" if p.fix else ""
        yield f"::error {where},title=annotator validate::{_escape_data(span + p.message + fix)}"


def json_report(report: Report) -> bytes:
    body = {
        "ok": report.ok,
        "checked": {"label_files": report.label_files, "documents": report.documents},
        "problem_count": len(report.problems),
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "span": p.span or None,
                "message": p.message,
                "fix": p.fix,
            }
            for p in report.problems
        ],
    }
    return orjson.dumps(body, option=orjson.OPT_INDENT_2)
