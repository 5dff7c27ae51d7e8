"""`annotator stats`: progress at a glance, from the derived index (no full parse).

Counts come from `annotator.index` summaries, so a workspace with 100k label
files answers without parsing them; only label files that hold uncertain spans
are opened, to list those spans.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson

from annotator import store
from annotator.errors import AnnotatorError
from annotator.index import LabelSummary, document_summaries, label_summaries
from annotator.model import STATUSES
from annotator.workspace import Workspace

# A document's overall status is the most advanced one any annotator gave it.
_RANK = {"done": 5, "skipped": 4, "flagged": 3, "in_progress": 2, "todo": 1, "invalid": 0}
FINISHED = frozenset({"done", "skipped"})
ASSIGNMENT_FILE = "assignment.json"


@dataclass
class UncertainSpan:
    annotator: str
    doc_id: str
    start: int
    end: int
    label: str
    text: str


@dataclass
class AnnotatorStats:
    name: str
    label_files: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    spans: int = 0
    by_label: dict[str, int] = field(default_factory=dict)
    uncertain: int = 0
    suggestions_pending: int = 0
    active_seconds: float = 0.0
    assigned: int | None = None
    assigned_finished: int | None = None

    @property
    def hours(self) -> float:
        return self.active_seconds / 3600

    @property
    def docs_per_hour(self) -> float | None:
        done = self.by_status.get("done", 0)
        return round(done / self.hours, 1) if self.hours > 0 else None

    @property
    def spans_per_hour(self) -> float | None:
        return round(self.spans / self.hours, 1) if self.hours > 0 else None

    @property
    def progress(self) -> float | None:
        if not self.assigned:
            return None
        return round((self.assigned_finished or 0) / self.assigned, 4)


@dataclass
class Stats:
    documents: int
    documents_by_status: dict[str, int]
    spans_by_label: dict[str, int]
    annotators: list[AnnotatorStats]
    uncertain: list[UncertainSpan]
    assignment_problem: str | None = None

    @property
    def spans(self) -> int:
        return sum(self.spans_by_label.values())


def load_assignment(workspace: Workspace) -> dict[str, list[str]] | None:
    """doc_id -> annotators from labels/assignment.json, or None when there is none."""
    from annotator.quality.assign import load_assignment as load

    assignment = load(workspace)
    if assignment is None:
        return None
    return {doc_id: list(names) for doc_id, names in assignment.docs.items()}


def _uncertain_spans(workspace: Workspace, annotator: str, doc_id: str) -> list[UncertainSpan]:
    try:
        label_file = store.load_label_file(workspace.label_path(annotator, doc_id))
    except AnnotatorError:
        return []  # `annotator validate` reports broken files
    return [
        UncertainSpan(annotator, doc_id, s.start, s.end, s.label, s.text)
        for s in label_file.spans
        if s.uncertain
    ]


def _add(person: AnnotatorStats, summary: LabelSummary) -> None:
    person.label_files += 1
    person.by_status[summary.status] = person.by_status.get(summary.status, 0) + 1
    person.spans += summary.spans
    person.uncertain += summary.uncertain
    person.suggestions_pending += summary.suggestions
    person.active_seconds += summary.active_seconds
    for label, count in summary.labels.items():
        person.by_label[label] = person.by_label.get(label, 0) + count


def compute_stats(workspace: Workspace) -> Stats:
    """Everything `annotator stats` shows, from the index."""
    doc_ids = set(document_summaries(workspace))
    best: dict[str, str] = {}
    people: list[AnnotatorStats] = []
    labels: Counter[str] = Counter()
    uncertain: list[UncertainSpan] = []
    summaries: dict[str, dict[str, LabelSummary]] = {}
    for annotator in workspace.annotators():
        person = AnnotatorStats(annotator)
        summaries[annotator] = label_summaries(workspace, annotator)
        for doc_id, summary in sorted(summaries[annotator].items()):
            _add(person, summary)
            if _RANK.get(summary.status, 0) >= _RANK.get(best.get(doc_id, "invalid"), 0):
                best[doc_id] = summary.status
            if summary.uncertain:
                uncertain.extend(_uncertain_spans(workspace, annotator, doc_id))
        labels.update(person.by_label)
        people.append(person)
    by_status = Counter(best.get(doc_id, "todo") for doc_id in doc_ids)
    assignment_problem = None
    try:
        assignment = load_assignment(workspace)
    except AnnotatorError as exc:
        assignment, assignment_problem = None, exc.render()
    if assignment is not None:
        _apply_assignment(assignment, people, summaries)
    order: dict[str, int] = {name: i for i, name in enumerate(STATUSES)}
    try:
        label_order = {name: i for i, name in enumerate(workspace.schema().label_names)}
    except AnnotatorError:
        label_order = {}  # `annotator validate` reports a broken schema
    return Stats(
        documents=len(doc_ids),
        documents_by_status=dict(sorted(by_status.items(), key=lambda kv: order.get(kv[0], 99))),
        spans_by_label=dict(
            sorted(labels.items(), key=lambda kv: (label_order.get(kv[0], 99), kv[0]))
        ),
        annotators=people,
        uncertain=uncertain,
        assignment_problem=assignment_problem,
    )


def _apply_assignment(
    assignment: dict[str, list[str]],
    people: list[AnnotatorStats],
    summaries: dict[str, dict[str, LabelSummary]],
) -> None:
    assigned: dict[str, list[str]] = {}
    for doc_id, names in assignment.items():
        for name in names:
            assigned.setdefault(name, []).append(doc_id)
    known = {person.name: person for person in people}
    for name in assigned:
        if name not in known:
            known[name] = AnnotatorStats(name)
            people.append(known[name])
    for person in people:
        docs = assigned.get(person.name, [])
        own = summaries.get(person.name, {})
        person.assigned = len(docs)
        person.assigned_finished = sum(1 for d in docs if d in own and own[d].status in FINISHED)
    people.sort(key=lambda p: p.name)


# ------------------------------------------------------------------ output


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def render_text(stats: Stats, *, max_uncertain: int = 30) -> str:
    lines = [f"documents: {stats.documents}"]
    lines.append(
        "  by status: "
        + (", ".join(f"{k} {v}" for k, v in stats.documents_by_status.items()) or "none")
        + "  (each document counted once, at its most advanced status)"
    )
    lines.append(f"spans: {stats.spans}")
    lines.append(
        "  by label: " + (", ".join(f"{k} {v}" for k, v in stats.spans_by_label.items()) or "none")
    )
    if stats.annotators:
        lines.append("annotators:")
        header = f"  {'name':<16}{'files':>7}{'done':>7}{'spans':>8}{'hours':>7}"
        header += f"{'docs/h':>8}{'spans/h':>9}"
        with_assignment = any(p.assigned is not None for p in stats.annotators)
        if with_assignment:
            header += f"{'assigned':>10}{'finished':>10}{'progress':>10}"
        lines.append(header)
        for p in stats.annotators:
            row = (
                f"  {p.name:<16}{p.label_files:>7}{p.by_status.get('done', 0):>7}{p.spans:>8}"
                f"{p.hours:>7.1f}{_num(p.docs_per_hour):>8}{_num(p.spans_per_hour):>9}"
            )
            if with_assignment:
                row += (
                    f"{_num(p.assigned):>10}{_num(p.assigned_finished):>10}{_pct(p.progress):>10}"
                )
            lines.append(row)
            statuses = ", ".join(f"{k} {v}" for k, v in sorted(p.by_status.items()))
            labels = ", ".join(f"{k} {v}" for k, v in sorted(p.by_label.items()))
            lines.append(f"  {'':<16}status: {statuses or 'none'}; labels: {labels or 'none'}")
    if stats.assignment_problem:
        lines.append(f"assignment ignored: {stats.assignment_problem}")
    if stats.uncertain:
        lines.append(f"uncertain spans: {len(stats.uncertain)}")
        for u in stats.uncertain[:max_uncertain]:
            lines.append(f"  {u.annotator}/{u.doc_id} {u.start}:{u.end} {u.label} {u.text!r}")
        if len(stats.uncertain) > max_uncertain:
            lines.append(f"  … and {len(stats.uncertain) - max_uncertain} more (see --json)")
    return "\n".join(lines)


def to_json(stats: Stats) -> bytes:
    body: dict[str, Any] = {
        "documents": stats.documents,
        "documents_by_status": stats.documents_by_status,
        "spans": stats.spans,
        "spans_by_label": stats.spans_by_label,
        "annotators": [
            {
                "name": p.name,
                "label_files": p.label_files,
                "by_status": p.by_status,
                "spans": p.spans,
                "by_label": p.by_label,
                "uncertain": p.uncertain,
                "suggestions_pending": p.suggestions_pending,
                "active_seconds": round(p.active_seconds, 1),
                "docs_per_hour": p.docs_per_hour,
                "spans_per_hour": p.spans_per_hour,
                "assigned": p.assigned,
                "assigned_finished": p.assigned_finished,
                "progress": p.progress,
            }
            for p in stats.annotators
        ],
        "uncertain_spans": [u.__dict__ for u in stats.uncertain],
        "assignment_problem": stats.assignment_problem,
    }
    return orjson.dumps(body, option=orjson.OPT_INDENT_2)
