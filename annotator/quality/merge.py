"""Merging several annotators' finished work into a gold label file.

`candidate_spans` is the core of adjudication (the TUI screen and `merge`
both read it): every distinct span (start, end, label) of a document with the
annotators who proposed it, `agreed` when all of them did.

`merge` keeps spans by a strategy — `unanimous` (every source annotator
proposed it) or `majority` (more than half did; with two annotators that is
both) — and writes them to the target annotator's label file (default
`gold`) with `agreed_by` provenance, status `done`. A target file already
`done` is never overwritten without `force`. When the schema forbids
overlaps, overlapping kept spans are resolved by votes, then length, then
position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from annotator.errors import AnnotatorError, InvalidLabelsError, LockedError
from annotator.model import LabelFile, Span
from annotator.quality.agree import DEFAULT_EXCLUDED
from annotator.workspace import Workspace

Strategy = Literal["unanimous", "majority"]
STRATEGIES: tuple[Strategy, ...] = ("unanimous", "majority")
MERGE_SOURCE = "merge"

Outcome = Literal["merged", "kept_done", "locked", "incomplete", "too_few", "invalid"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One distinct span of a document and who proposed it."""

    start: int
    end: int
    label: str
    text: str
    annotators: tuple[str, ...]
    agreed: bool

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


def candidates_from(label_files: Mapping[str, LabelFile | None]) -> list[Candidate]:
    """Every distinct span of these label files (one per annotator; None: proposed
    nothing), sorted by offset; `agreed` when every annotator proposed it."""
    proposers: dict[tuple[int, int, str], list[str]] = {}
    texts: dict[tuple[int, int, str], str] = {}
    for annotator in sorted(label_files):
        label_file = label_files[annotator]
        if label_file is None:
            continue
        for span in label_file.spans:
            names = proposers.setdefault(span.key, [])
            if annotator not in names:
                names.append(annotator)
            texts.setdefault(span.key, span.text)
    total = len(label_files)
    return [
        Candidate(start, end, label, texts[(start, end, label)], tuple(names), len(names) == total)
        for (start, end, label), names in sorted(proposers.items())
    ]


def _usable(workspace: Workspace, annotator: str, doc_id: str, sha256: str) -> LabelFile | None:
    label_file = workspace.load_labels(annotator, doc_id)
    if label_file is None or label_file.text_sha256 != sha256:
        return None
    return label_file


def candidate_spans(
    workspace: Workspace, doc_id: str, annotators: Sequence[str]
) -> list[Candidate]:
    """Candidates of one document over these annotators' label files. An annotator
    without a label file on the current text proposes nothing (so nothing is agreed)."""
    document = workspace.load_document(doc_id)
    files = {name: _usable(workspace, name, doc_id, document.sha256) for name in annotators}
    return candidates_from(files)


def candidate_span(candidate: Candidate, *, source: str = "adjudicated") -> Span:
    """A candidate taken into the gold set, remembering who proposed it."""
    return Span(
        start=candidate.start,
        end=candidate.end,
        label=candidate.label,
        text=candidate.text,
        source=source,
        agreed_by=tuple(sorted(candidate.annotators)),
    )


def adjudicated_file(
    workspace: Workspace,
    doc_id: str,
    spans: Iterable[Span],
    *,
    into: str = "gold",
    note: str | None = None,
) -> LabelFile:
    """The target's label file holding exactly `spans`, status done (not yet saved).

    An existing target file on the current text keeps its history fields
    (created_at, rejected, active time); pending suggestions are dropped.
    """
    document = workspace.load_document(doc_id)
    existing = workspace.load_labels(into, doc_id)
    base = (
        existing
        if existing is not None and existing.text_sha256 == document.sha256
        else LabelFile.new(document, into)
    )
    update: dict[str, object] = {
        "spans": tuple(sorted(spans, key=lambda s: (s.start, s.end, s.label))),
        "suggestions": (),
        "status": "done",
    }
    if note is not None:
        update["note"] = note
    return base.model_copy(update=update)


def kept_by(strategy: Strategy, votes: int, voters: int) -> bool:
    if strategy == "unanimous":
        return votes == voters
    return 2 * votes > voters


def merge_spans(
    label_files: Mapping[str, LabelFile],
    strategy: Strategy,
    *,
    allow_overlap: bool = False,
) -> tuple[Span, ...]:
    """The spans `strategy` keeps from these label files, with `agreed_by` set."""
    voters = len(label_files)
    uncertain = {span.key for lf in label_files.values() for span in lf.spans if span.uncertain}
    kept = [
        c
        for c in candidates_from(dict(label_files))
        if kept_by(strategy, len(c.annotators), voters)
    ]
    if not allow_overlap:
        kept = _without_overlaps(kept)
    return tuple(
        Span(
            start=c.start,
            end=c.end,
            label=c.label,
            text=c.text,
            source=MERGE_SOURCE,
            uncertain=c.key in uncertain,
            agreed_by=tuple(sorted(c.annotators)),
        )
        for c in sorted(kept, key=lambda c: c.key)
    )


def _without_overlaps(candidates: Iterable[Candidate]) -> list[Candidate]:
    chosen: list[Candidate] = []
    ranked = sorted(
        candidates, key=lambda c: (-len(c.annotators), c.start - c.end, c.start, c.label)
    )
    for c in ranked:
        if all(c.end <= o.start or o.end <= c.start for o in chosen):
            chosen.append(c)
    return chosen


@dataclass(frozen=True, slots=True)
class MergeResult:
    doc_id: str
    outcome: Outcome
    sources: tuple[str, ...] = ()
    spans: int = 0
    message: str = ""


def finished_by(workspace: Workspace, names: Iterable[str]) -> dict[str, set[str]]:
    """doc id -> which of these annotators marked it done, from the status index."""
    from annotator.index import label_summaries

    out: dict[str, set[str]] = {}
    for name in names:
        for doc_id, summary in label_summaries(workspace, name).items():
            if summary.status == "done":
                out.setdefault(doc_id, set()).add(name)
    return out


def merge_document(
    workspace: Workspace,
    doc_id: str,
    sources: Sequence[str],
    strategy: Strategy,
    *,
    into: str = "gold",
    force: bool = False,
    timeout: float = 1.0,
) -> MergeResult:
    """Merge the finished label files of `sources` on one document into `into`."""
    document = workspace.load_document(doc_id)
    files: dict[str, LabelFile] = {}
    for name in sources:
        label_file = _usable(workspace, name, doc_id, document.sha256)
        if label_file is None or label_file.status != "done":
            return MergeResult(
                doc_id, "incomplete", tuple(sources), message=f"{name} has not finished it"
            )
        files[name] = label_file
    existing = workspace.load_labels(into, doc_id)
    if existing is not None and existing.status == "done" and not force:
        return MergeResult(doc_id, "kept_done", tuple(sources))
    spans = merge_spans(files, strategy, allow_overlap=workspace.schema().allow_overlap)
    note = f"merged ({strategy}) from {', '.join(sorted(files))}"
    keep_note = (
        existing is not None
        and existing.text_sha256 == document.sha256
        and existing.note
        and not existing.note.startswith("merged (")
    )
    merged = adjudicated_file(workspace, doc_id, spans, into=into, note=None if keep_note else note)
    try:
        workspace.save_labels(merged, timeout=timeout)
    except LockedError as exc:
        return MergeResult(doc_id, "locked", tuple(sources), message=exc.render())
    except InvalidLabelsError as exc:
        return MergeResult(doc_id, "invalid", tuple(sources), message=exc.render())
    return MergeResult(doc_id, "merged", tuple(sorted(files)), len(spans))


def merge(
    workspace: Workspace,
    strategy: Strategy,
    *,
    into: str = "gold",
    annotators: Sequence[str] | None = None,
    force: bool = False,
    min_annotators: int = 1,
    doc_ids: Iterable[str] | None = None,
    on_result: Callable[[MergeResult], None] | None = None,
    timeout: float = 1.0,
) -> list[MergeResult]:
    """Merge every document finished by the sources into `into`.

    With `annotators`, a document is merged when all of them finished it;
    otherwise its sources are every annotator who finished it (but `into` and
    the `gold` set itself), and it needs at least `min_annotators` of them.
    """
    if strategy not in STRATEGIES:
        raise AnnotatorError(f"unknown strategy {strategy!r}", fix="use unanimous or majority")
    workspace.annotator_dir(into)  # validates the name
    if annotators and into in annotators:
        raise AnnotatorError(f"{into!r} cannot be both a source and the merge target")
    if annotators:
        pool: list[str] = list(annotators)
    else:
        pool = [n for n in workspace.annotators() if n != into and n not in DEFAULT_EXCLUDED]
    done = finished_by(workspace, pool)
    wanted = set(doc_ids) if doc_ids is not None else None
    results: list[MergeResult] = []
    for doc_id in sorted(done):
        if (wanted is not None and doc_id not in wanted) or not workspace.has_document(doc_id):
            continue
        if annotators:
            if not set(annotators) <= done[doc_id]:
                continue
            sources = sorted(set(annotators))
        else:
            sources = sorted(done[doc_id])
        if len(sources) < min_annotators:
            result = MergeResult(doc_id, "too_few", tuple(sources))
        else:
            result = merge_document(
                workspace, doc_id, sources, strategy, into=into, force=force, timeout=timeout
            )
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
