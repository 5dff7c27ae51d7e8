"""Who annotates what: a deterministic, stable assignment of documents to annotators.

Each unassigned document goes to the `per_doc` annotators ranked highest by
rendezvous hashing (sha256 of the document id and the annotator name), so the
choice depends only on the id and the annotator list, never on the order of
import or on who ran the command. Existing assignments never move.

The overlap share (documents annotated by `per_doc + 1` people so agreement can
be measured) is met exactly over the whole assignment: of the new documents,
those with the lowest sha256 of (id, annotator list) take the missing overlap
places. Two people assigning the same new documents get the same result.

`labels/assignment.json` is written with sorted keys and one document per
line, so additions diff as added lines; `labels/.gitattributes` marks it (and
the taught lexicons) `merge=union`, and `load_assignment` reads a union-merged
file (lines out of order, a missing comma, leftover conflict markers) so the
next `annotator assign` writes it back in canonical form.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from annotator import store
from annotator.errors import StoreError, WorkspaceError
from annotator.model import annotator_problem
from annotator.workspace import RESERVED_LABEL_DIRS, Workspace, ensure_gitattributes

ASSIGNMENT_FILE = "assignment.json"


@dataclass(frozen=True, slots=True)
class Assignment:
    annotators: tuple[str, ...]
    overlap: float
    per_doc: int
    docs: Mapping[str, tuple[str, ...]]

    def docs_of(self, annotator: str) -> list[str]:
        return sorted(doc_id for doc_id, names in self.docs.items() if annotator in names)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(self.annotators, 0)
        for names in self.docs.values():
            for name in names:
                out[name] = out.get(name, 0) + 1
        return out


@dataclass(frozen=True, slots=True)
class AssignResult:
    assignment: Assignment
    added: tuple[str, ...]  # newly assigned document ids
    added_overlap: int  # of those, how many went to more than per_doc annotators


def assignment_path(workspace: Workspace) -> Path:
    return workspace.labels_dir / ASSIGNMENT_FILE


# ------------------------------------------------------------------ hashing


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()


def ranked_annotators(doc_id: str, annotators: Iterable[str]) -> list[str]:
    """Rendezvous order: highest sha256(doc id, annotator) first. Removing one annotator
    moves only that annotator's documents; the list's order never matters."""
    return sorted(set(annotators), key=lambda name: (_digest(doc_id, name), name), reverse=True)


def overlap_rank(doc_id: str, annotators: Iterable[str]) -> bytes:
    """Lower ranks get the overlap places first."""
    return _digest("overlap", doc_id, ",".join(sorted(set(annotators))))


def assign_documents(
    existing: Assignment | None,
    doc_ids: Iterable[str],
    annotators: Sequence[str],
    *,
    overlap: float = 0.2,
    per_doc: int = 1,
) -> AssignResult:
    """The assignment after giving every unassigned id in `doc_ids` its annotators (pure)."""
    names = tuple(sorted(set(annotators)))
    if not names:
        raise ValueError("no annotators to assign to")
    if not 0.0 <= overlap <= 1.0:
        raise ValueError(f"overlap {overlap} must be between 0 and 1")
    if not 1 <= per_doc <= len(names):
        raise ValueError(
            f"per-doc {per_doc} must be between 1 and the number of annotators ({len(names)})"
        )
    docs: dict[str, tuple[str, ...]] = dict(existing.docs) if existing else {}
    new = sorted(set(doc_ids) - docs.keys())
    total = len(docs) + len(new)
    wider = min(per_doc + 1, len(names))
    already = sum(1 for assigned in docs.values() if len(assigned) > per_doc)
    target = math.floor(overlap * total + 0.5) if wider > per_doc else 0
    places = max(0, min(len(new), target - already))
    chosen = set(sorted(new, key=lambda d: (overlap_rank(d, names), d))[:places])
    for doc_id in new:
        k = wider if doc_id in chosen else per_doc
        docs[doc_id] = tuple(sorted(ranked_annotators(doc_id, names)[:k]))
    result = Assignment(names, overlap, per_doc, dict(sorted(docs.items())))
    return AssignResult(result, tuple(new), len(chosen))


# ------------------------------------------------------------------ on disk


def dumps_assignment(assignment: Assignment) -> bytes:
    """Sorted keys, one document per line: concurrent additions are added lines."""
    lines = [b"{", b'  "annotators": ' + orjson.dumps(list(assignment.annotators)) + b","]
    if assignment.docs:
        lines.append(b'  "docs": {')
        items = sorted(assignment.docs.items())
        for index, (doc_id, names) in enumerate(items):
            comma = b"," if index < len(items) - 1 else b""
            lines.append(b"    " + orjson.dumps(doc_id) + b": " + orjson.dumps(list(names)) + comma)
        lines.append(b"  },")
    else:
        lines.append(b'  "docs": {},')
    lines.append(b'  "overlap": ' + orjson.dumps(assignment.overlap) + b",")
    lines.append(b'  "per_doc": ' + orjson.dumps(assignment.per_doc))
    lines.append(b"}")
    return b"\n".join(lines) + b"\n"


def _from_raw(raw: object, path: Path) -> Assignment:
    if not isinstance(raw, dict):
        raise StoreError("the assignment must be one JSON object", path=path)
    annotators = raw.get("annotators", [])
    docs = raw.get("docs", {})
    overlap = raw.get("overlap", 0.0)
    per_doc = raw.get("per_doc", 1)
    if (
        not isinstance(annotators, list)
        or not all(isinstance(a, str) for a in annotators)
        or not isinstance(docs, dict)
        or not all(
            isinstance(v, list) and all(isinstance(a, str) for a in v) for v in docs.values()
        )
        or not isinstance(overlap, int | float)
        or not isinstance(per_doc, int)
    ):
        raise StoreError(
            "the assignment does not have the expected shape",
            path=path,
            fix='expected {"annotators": [...], "docs": {"doc-id": ["name", ...]}, "overlap": 0.2}',
        )
    return Assignment(
        tuple(annotators),
        float(overlap),
        per_doc,
        {str(k): tuple(v) for k, v in sorted(docs.items())},
    )


_DOC_LINE = re.compile(r'^\s*("(?:[^"\\]|\\.)*")\s*:\s*(\[[^\[\]]*\])\s*,?\s*$')
_VALUE_LINE = re.compile(r'^\s*"(annotators|overlap|per_doc)"\s*:\s*(.*?)\s*,?\s*$')
_MARKER = re.compile(r"^(<{7}|={7}|>{7}|\|{7})( |$)")


def _recover(data: bytes, path: Path) -> Assignment:
    """Read a union-merged (or conflict-marked) assignment line by line: every side's
    documents are kept, the first line seen for a document wins, annotator lists unite."""
    annotators: list[str] = []
    overlap: float | None = None
    per_doc: int | None = None
    docs: dict[str, tuple[str, ...]] = {}
    in_docs = False
    for line in data.decode("utf-8", errors="replace").splitlines():
        if _MARKER.match(line):
            continue
        stripped = line.strip()
        if stripped.startswith('"docs"'):
            in_docs = not stripped.rstrip(",").endswith("{}")
            continue
        if in_docs and stripped.startswith("}"):
            in_docs = False
            continue
        try:
            if in_docs and (m := _DOC_LINE.match(line)):
                doc_id, names = orjson.loads(m.group(1)), orjson.loads(m.group(2))
                docs.setdefault(str(doc_id), tuple(str(n) for n in names))
            elif not in_docs and (m := _VALUE_LINE.match(line)):
                value = orjson.loads(m.group(2))
                if m.group(1) == "annotators" and isinstance(value, list):
                    annotators.extend(str(v) for v in value if str(v) not in annotators)
                elif m.group(1) == "overlap" and isinstance(value, int | float):
                    overlap = float(value)
                elif m.group(1) == "per_doc" and isinstance(value, int):
                    per_doc = value
        except orjson.JSONDecodeError:
            continue
    if not annotators and not docs:
        raise StoreError(
            "cannot read the assignment (broken JSON)",
            path=path,
            fix="restore it from git, or delete it and run `annotator assign` again",
        )
    return Assignment(
        tuple(sorted(annotators)),
        0.0 if overlap is None else overlap,
        1 if per_doc is None else per_doc,
        dict(sorted(docs.items())),
    )


def parse_assignment(data: bytes, path: Path) -> Assignment:
    try:
        raw = orjson.loads(data)
    except orjson.JSONDecodeError:
        return _recover(data, path)
    return _from_raw(raw, path)


def load_assignment(workspace: Workspace) -> Assignment | None:
    """The stored assignment, or None when the workspace has none."""
    path = assignment_path(workspace)
    if not path.is_file():
        return None
    return parse_assignment(store.read_bytes(path, 256 * 1024 * 1024), path)


def save_assignment(workspace: Workspace, assignment: Assignment) -> None:
    store.atomic_write_bytes(assignment_path(workspace), dumps_assignment(assignment))
    ensure_gitattributes(workspace)


def check_annotators(names: Sequence[str]) -> None:
    for name in names:
        problem = annotator_problem(name)
        if problem or name in RESERVED_LABEL_DIRS:
            raise WorkspaceError(problem or f"annotator name {name!r} is reserved")


def assign(
    workspace: Workspace,
    annotators: Sequence[str] | None = None,
    *,
    overlap: float | None = None,
    per_doc: int | None = None,
) -> AssignResult:
    """Assign every unassigned document and save; unspecified settings come from the
    stored assignment (then 0.2 and 1)."""
    existing = load_assignment(workspace)
    names = list(annotators) if annotators else list(existing.annotators if existing else ())
    if not names:
        raise WorkspaceError(
            "no annotators to assign to", fix="pass --annotators a,b,c (comma-separated)"
        )
    check_annotators(names)
    share = overlap if overlap is not None else (existing.overlap if existing else 0.2)
    k = per_doc if per_doc is not None else (existing.per_doc if existing else 1)
    try:
        result = assign_documents(
            existing, workspace.document_ids(), names, overlap=share, per_doc=k
        )
    except ValueError as exc:
        raise WorkspaceError(str(exc)) from None
    path = assignment_path(workspace)
    canonical = dumps_assignment(result.assignment)
    # Rewrites a union-merged file in canonical form even when nothing was added.
    if not path.is_file() or path.read_bytes() != canonical:
        store.atomic_write_bytes(path, canonical)
    ensure_gitattributes(workspace)
    return result


def assigned_docs(workspace: Workspace, annotator: str) -> list[str] | None:
    """This annotator's documents in id order, or None when the workspace has no
    assignment (then everyone may take any document)."""
    assignment = load_assignment(workspace)
    if assignment is None:
        return None
    return assignment.docs_of(annotator)
