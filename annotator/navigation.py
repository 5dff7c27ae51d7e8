"""Which document an annotator works on next, and where they left off.

Pure workspace logic shared by the TUI (and any future CLI verb): the order of
an annotator's documents (their assignment if `labels/assignment.json` names
one, else every document), the next open one, and a small derived state file
under `.annotator/state/` remembering the last document per annotator.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import orjson

from annotator import index, store
from annotator.errors import AnnotatorError
from annotator.index import label_summaries
from annotator.workspace import Workspace

ASSIGNMENT_RELPATH = Path("labels") / "assignment.json"
# A document still waiting for this annotator: never opened, or started and not finished.
OPEN_STATUSES = frozenset({"todo", "in_progress"})


def assignment_path(workspace: Workspace) -> Path:
    return workspace.root / ASSIGNMENT_RELPATH


def assigned_documents(workspace: Workspace, annotator: str) -> set[str] | None:
    """The ids assigned to `annotator`, or None when the workspace has no assignment.

    Read through the assignment module, which also understands a file that a
    git union merge left non-canonical.
    """
    from annotator.quality.assign import assigned_docs

    assigned = assigned_docs(workspace, annotator)
    return None if assigned is None else set(assigned)


def document_order(workspace: Workspace, annotator: str) -> list[str]:
    """The annotator's documents in working order (sorted ids, assignment applied)."""
    return _assigned_order(workspace, annotator, index.document_ids(workspace))


def _assigned_order(workspace: Workspace, annotator: str, ids: list[str]) -> list[str]:
    assigned = assigned_documents(workspace, annotator)
    if assigned is None:
        return ids
    return [doc_id for doc_id in ids if doc_id in assigned]


def statuses(workspace: Workspace, annotator: str) -> dict[str, str]:
    """Status of every document this annotator has a label file for (others are todo)."""
    return {
        doc_id: summary.status for doc_id, summary in label_summaries(workspace, annotator).items()
    }


def _file_status(workspace: Workspace, annotator: str, doc_id: str) -> str:
    """The status field of one label file, read without validating the rest."""
    try:
        raw = orjson.loads(workspace.label_path(annotator, doc_id).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return "invalid"
    status = raw.get("status") if isinstance(raw, dict) else None
    return status if isinstance(status, str) else "invalid"


# Label files read one by one before falling back to the whole-folder index.
DIRECT_READS = 64


def next_todo(workspace: Workspace, annotator: str, after: str | None = None) -> str | None:
    """The first open (todo or in-progress) document after `after`, wrapping around.

    `after` itself is never returned; None when nothing is left to do. A
    document without a label file is todo; the first few label files are read
    directly, so finding the next document does not parse a 100k-file index
    when the answer is near.
    """
    order = document_order(workspace, annotator)
    return _first_open(workspace, annotator, order, after, use_index=True)[1]


def next_todo_now(workspace: Workspace, annotator: str) -> tuple[bool, str | None]:
    """(answered, first open document) using only what is cheap to read right now.

    The app asks this on its event loop before drawing anything: it answers
    when the document ids are cached and an open document is among the first
    few label files; otherwise (a fresh clone, a long finished stretch) it
    says so, and the app finds the start in a worker behind the documents screen.
    """
    ids = index.cached_document_ids(workspace)
    if ids is None:
        return False, None
    order = _assigned_order(workspace, annotator, ids)
    return _first_open(workspace, annotator, order, None, use_index=False)


def _first_open(
    workspace: Workspace, annotator: str, order: list[str], after: str | None, *, use_index: bool
) -> tuple[bool, str | None]:
    """(answered, first open document after `after`); unanswered only without `use_index`."""
    import bisect

    start = bisect.bisect_right(order, after) if after is not None else 0
    status: dict[str, str] | None = None
    reads = 0
    for doc_id in (*order[start:], *order[:start]):
        if doc_id == after:
            continue
        if status is None:
            if not workspace.label_path(annotator, doc_id).exists():
                return True, doc_id  # no label file yet: todo
            if reads < DIRECT_READS:
                reads += 1
                if _file_status(workspace, annotator, doc_id) in OPEN_STATUSES:
                    return True, doc_id
                continue
            if not use_index:
                return False, None
            status = statuses(workspace, annotator)
        if status.get(doc_id, "todo") in OPEN_STATUSES:
            return True, doc_id
    return True, None


def neighbour(workspace: Workspace, annotator: str, doc_id: str, step: int) -> str | None:
    """The document `step` places from `doc_id` in working order (no wrap-around)."""
    import bisect

    order = document_order(workspace, annotator)
    if not order:
        return None
    here = bisect.bisect_left(order, doc_id)
    present = here < len(order) and order[here] == doc_id
    # an absent id sits between two documents: one step forward lands on `here`
    target = here + step - (1 if step > 0 and not present else 0)
    if 0 <= target < len(order):
        return order[target]
    return None


# ----------------------------------------------------------------- resume state


def state_path(workspace: Workspace, annotator: str) -> Path:
    workspace.annotator_dir(annotator)  # validates the name: it becomes a file name
    return workspace.cache_dir / "state" / f"{annotator}.json"


def last_document(workspace: Workspace, annotator: str) -> tuple[str, int] | None:
    """(doc_id, cursor) the annotator last had open, if that document still exists."""
    try:
        raw = orjson.loads(state_path(workspace, annotator).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(raw, dict):
        return None
    doc_id = raw.get("doc")
    cursor = raw.get("cursor", 0)
    if not isinstance(doc_id, str) or not isinstance(cursor, int):
        return None
    try:
        if not workspace.has_document(doc_id):
            return None
    except (AnnotatorError, OSError):  # an id edited into something path-like: no resume point
        return None
    return doc_id, max(0, cursor)


def remember_document(workspace: Workspace, annotator: str, doc_id: str, cursor: int = 0) -> None:
    """Record the open document (derived state: losing it only loses the resume point)."""
    with contextlib.suppress(OSError):
        store.atomic_write_bytes(
            state_path(workspace, annotator),
            orjson.dumps({"doc": doc_id, "cursor": cursor}),
            durable=False,
        )


def start_document(workspace: Workspace, annotator: str) -> tuple[str, int] | None:
    """Where a session without --doc starts: the last document, else the first open one."""
    last = last_document(workspace, annotator)
    if last is not None:
        return last
    doc_id = next_todo(workspace, annotator)
    return (doc_id, 0) if doc_id is not None else None
