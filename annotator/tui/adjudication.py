"""Adjudication without Textual: which documents to walk, and the gold session on one.

The adjudicator edits the target annotator's (`gold`) label file like any
other: the candidates of `annotator.quality.merge.candidate_spans` that are not
yet decided become its pending suggestions, each carrying the annotators who
proposed it (`agreed_by`), so taking one keeps that provenance in the gold
file (`edits.accept_suggestion` copies it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from annotator import edits
from annotator.errors import AnnotatorError
from annotator.model import LabelFile, Suggestion
from annotator.quality.agree import DEFAULT_EXCLUDED
from annotator.quality.assign import Assignment, load_assignment
from annotator.quality.merge import Candidate, candidate_spans, finished_by
from annotator.tui.session import DocumentSession
from annotator.workspace import Workspace

CandidateState = Literal["pending", "taken", "dropped", "replaced"]


def nothing_message(annotators: Sequence[str] | None = None, queue: Queue | None = None) -> str:
    """What `adjudicate` says when no document has two finished versions."""
    if queue is not None and queue.assigned:
        count = len(queue.waiting)
        such = "1 such document waits" if count == 1 else f"{count} such documents wait"
        waiting = f" ({such} for their annotators)" if count else ""
        outside = (
            f"; {len(queue.outside)} finished outside the assignment"
            " (--annotators a,b adjudicates those)"
            if queue.outside
            else ""
        )
        return (
            "nothing to adjudicate: no document the assignment gives to two or more annotators"
            f" has two finished (status done) versions from them{waiting}{outside}"
        )
    who = f" by all of {', '.join(annotators)}" if annotators else ""
    return (
        f"nothing to adjudicate: no document has two or more finished (status done) versions{who}"
        " — annotators mark a document done with `d` in `annotator tui`"
    )


@dataclass(frozen=True, slots=True)
class Queue:
    """The documents to adjudicate (sorted ids) and each one's source annotators.

    `assigned` says the workspace assignment chose them; then `waiting` are the
    documents it gives to two or more annotators that fewer than two of them
    finished yet, and `outside` those two or more finished that it does not
    give to two of them (left out: `--annotators` names sources explicitly).
    """

    into: str
    sources: dict[str, tuple[str, ...]]
    assigned: bool = False
    waiting: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()

    @property
    def doc_ids(self) -> list[str]:
        return sorted(self.sources)


def adjudication_queue(
    workspace: Workspace, into: str = "gold", annotators: Sequence[str] | None = None
) -> Queue:
    """Documents with two or more finished (`done`) versions.

    With `annotators`, the documents all of them finished (they are the
    sources). Otherwise, when the workspace has an assignment, the documents it
    gives to two or more annotators of whom two or more finished it (those are
    the sources, in assignment order); without one, every annotator but `into`
    (and `gold`) who finished it.
    """
    workspace.annotator_dir(into)  # validates the name
    if annotators:
        names = sorted(set(annotators))
        if into in names:
            raise AnnotatorError(f"{into!r} cannot be both a source and the adjudication target")
        if len(names) < 2:
            raise AnnotatorError(
                "adjudication needs at least two annotators", fix="pass --annotators a,b"
            )
        for name in names:
            workspace.annotator_dir(name)
    else:
        names = [n for n in workspace.annotators() if n != into and n not in DEFAULT_EXCLUDED]
    done = finished_by(workspace, names)
    if not annotators:
        assignment = load_assignment(workspace)
        if assignment is not None:
            return _assigned_queue(workspace, into, assignment, done)
    sources: dict[str, tuple[str, ...]] = {}
    for doc_id, finished in done.items():
        if not workspace.has_document(doc_id):
            continue
        if annotators:
            if set(names) <= finished:
                sources[doc_id] = tuple(names)
        elif len(finished) >= 2:
            sources[doc_id] = tuple(sorted(finished))
    return Queue(into, sources)


def _assigned_queue(
    workspace: Workspace, into: str, assignment: Assignment, done: dict[str, set[str]]
) -> Queue:
    """Follow the assignment: its documents with two or more assigned annotators are
    the ones to adjudicate, from what those annotators (not others) finished."""
    sources: dict[str, tuple[str, ...]] = {}
    waiting: list[str] = []
    for doc_id, assigned in assignment.docs.items():
        team = {n for n in assigned if n != into and n not in DEFAULT_EXCLUDED}
        if len(team) < 2 or not workspace.has_document(doc_id):
            continue
        finished = done.get(doc_id, set()) & team
        if len(finished) >= 2:
            sources[doc_id] = tuple(sorted(finished))
        else:
            waiting.append(doc_id)
    planned = sources.keys() | set(waiting)
    outside = sorted(
        doc_id
        for doc_id, finished in done.items()
        if len(finished) >= 2 and doc_id not in planned and workspace.has_document(doc_id)
    )
    return Queue(into, sources, assigned=True, waiting=tuple(waiting), outside=tuple(outside))


def candidate_suggestions(
    candidates: Sequence[Candidate], sources: Sequence[str]
) -> list[Suggestion]:
    """Candidates as pending suggestions: who proposed each, and their share as the score."""
    total = max(1, len(sources))
    return [
        Suggestion(
            start=c.start,
            end=c.end,
            label=c.label,
            text=c.text,
            source="+".join(sorted(c.annotators)),
            agreed_by=tuple(sorted(c.annotators)),
            # rounded as the file stores it, so reopening finds nothing changed
            score=round(len(c.annotators) / total, 4),
        )
        for c in sorted(candidates, key=lambda c: c.key)
    ]


def candidate_state(label_file: LabelFile, candidate: Candidate) -> CandidateState:
    """What the gold file made of a candidate: still pending, taken, dropped, or
    replaced (a different gold span covers it, e.g. a fixed boundary)."""
    key = candidate.key
    if any(s.key == key for s in label_file.spans):
        return "taken"
    if any(r.key == key for r in label_file.rejected):
        return "dropped"
    if any(s.key == key for s in label_file.suggestions):
        return "pending"
    return "replaced"


class AdjudicationSession(DocumentSession):
    """The gold label file of one document, seeded with its undecided candidates."""

    def __init__(
        self, workspace: Workspace, into: str, doc_id: str, sources: Sequence[str]
    ) -> None:
        super().__init__(workspace, into, doc_id)
        self.sources: tuple[str, ...] = tuple(sources)
        self.candidates: list[Candidate] = candidate_spans(workspace, doc_id, self.sources)
        if not self.read_only:
            self.add_suggestions(candidate_suggestions(self.candidates, self.sources))

    @property
    def wants_suggestions(self) -> bool:
        """Never run the suggestion engine on gold: the candidates are the suggestions."""
        return False

    def is_agreed(self, suggestion: Suggestion) -> bool:
        return set(suggestion.agreed_by) >= set(self.sources)

    def accept_agreed(self) -> bool:
        """Take every pending span all sources proposed, as one undoable step."""
        state = self.label_file
        for suggestion in sorted(state.suggestions, key=lambda s: (s.start, s.end, s.label)):
            if self.is_agreed(suggestion) and suggestion in state.suggestions:
                state = edits.accept_suggestion(
                    state, suggestion, allow_overlap=self.schema.allow_overlap
                )
        return self._apply(state)

    def take(self, suggestion: Suggestion) -> bool:
        if suggestion not in self.label_file.suggestions:
            return False
        return self._apply(
            edits.accept_suggestion(
                self.label_file, suggestion, allow_overlap=self.schema.allow_overlap
            )
        )

    def drop(self, suggestion: Suggestion) -> bool:
        if suggestion not in self.label_file.suggestions:
            return False
        return self._apply(edits.reject_suggestion(self.label_file, suggestion))

    def pending(self) -> list[Suggestion]:
        return sorted(self.label_file.suggestions, key=lambda s: (s.start, s.end, s.label))

    def pending_counts(self) -> tuple[int, int]:
        """(agreed, disputed) candidates still pending: undecided, they are not gold spans."""
        pending = self.label_file.suggestions
        agreed = sum(1 for s in pending if self.is_agreed(s))
        return agreed, len(pending) - agreed
