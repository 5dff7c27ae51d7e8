"""Inter-annotator agreement between two annotators on the documents both finished.

Figures, each pooled over all shared documents (micro), per label and per document:
- span F1, exact and overlap match (`matching`): 2·matches / (|A| + |B|),
  symmetric; 1.0 when neither annotator labelled anything.
- Cohen's κ over character tags: every character of the shared documents
  gets the label of the span covering it, or `O`. Where spans overlap (a
  schema allowing overlaps), the span starting first wins, the longer on ties.
- Krippendorff's α, nominal, two coders, the same character tags as units.
κ and α are None when undefined (both annotators used one single tag on
every character, so chance agreement is already perfect); every figure is
None over zero shared documents.
Per label, spans of other labels are dropped first: tags become L versus O.
The confusion matrix pairs overlapping spans one-to-one regardless of label
(same offsets first, then same label, then the largest overlap); a span
without a partner is counted against `O`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from annotator.quality.jsonl_spans import SpanRef, refs
from annotator.quality.matching import by_label, dedupe, overlap_matching
from annotator.workspace import Workspace

OUTSIDE = "O"
DEFAULT_EXCLUDED = frozenset({"gold"})


@dataclass(frozen=True, slots=True)
class SharedDoc:
    """One document both annotators finished: its length and each side's spans."""

    doc_id: str
    length: int
    a: tuple[SpanRef, ...]
    b: tuple[SpanRef, ...]


@dataclass(frozen=True, slots=True)
class Agreement:
    docs: int
    spans_a: int
    spans_b: int
    span_f1: float | None  # None only over no documents at all
    span_f1_overlap: float | None
    cohen_kappa: float | None
    krippendorff_alpha: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "docs": self.docs,
            "spans_a": self.spans_a,
            "spans_b": self.spans_b,
            "span_f1": _round(self.span_f1),
            "span_f1_overlap": _round(self.span_f1_overlap),
            "cohen_kappa": _round(self.cohen_kappa),
            "krippendorff_alpha": _round(self.krippendorff_alpha),
        }


@dataclass(frozen=True, slots=True)
class PairReport:
    annotators: tuple[str, str]
    overall: Agreement
    by_label: dict[str, Agreement]
    by_document: list[tuple[str, Agreement]]  # least agreeing first
    confusion: dict[str, dict[str, int]]  # label of a -> label of b -> count

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"annotators": list(self.annotators)}
        overall = self.overall.as_dict()
        out["docs"] = overall.pop("docs")
        out.update(overall)
        out["by_label"] = {label: agr.as_dict() for label, agr in self.by_label.items()}
        out["by_document"] = [{"id": doc_id, **agr.as_dict()} for doc_id, agr in self.by_document]
        out["confusion"] = self.confusion
        return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# ------------------------------------------------------------ character tags


def _painted(spans: Iterable[SpanRef], length: int) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, label) runs: first-starting (then longest) span wins."""
    runs: list[tuple[int, int, str]] = []
    done = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.label)):
        start, end = max(span.start, done), min(span.end, length)
        if start < end:
            runs.append((start, end, span.label))
            done = end
    return runs


def _tags(runs: list[tuple[int, int, str]], bounds: list[int]) -> list[str]:
    """The tag of each interval [bounds[i], bounds[i+1])."""
    tags: list[str] = []
    k = 0
    for x in bounds[:-1]:
        while k < len(runs) and runs[k][1] <= x:
            k += 1
        tags.append(runs[k][2] if k < len(runs) and runs[k][0] <= x else OUTSIDE)
    return tags


def char_pair_counts(
    length: int, a: Iterable[SpanRef], b: Iterable[SpanRef]
) -> Counter[tuple[str, str]]:
    """How many characters got tag x from A and tag y from B, for every (x, y)."""
    runs_a, runs_b = _painted(a, length), _painted(b, length)
    points = {0, length}
    for runs in (runs_a, runs_b):
        for start, end, _ in runs:
            points.update((start, end))
    bounds = sorted(points)
    counts: Counter[tuple[str, str]] = Counter()
    for x, y, ta, tb in zip(
        bounds, bounds[1:], _tags(runs_a, bounds), _tags(runs_b, bounds), strict=False
    ):
        if y > x:
            counts[(ta, tb)] += y - x
    return counts


def cohen_kappa(counts: Counter[tuple[str, str]]) -> float | None:
    """Cohen's κ from a (tag of A, tag of B) -> count table."""
    total = sum(counts.values())
    if not total:
        return None
    agree = sum(n for (x, y), n in counts.items() if x == y)
    margin_a: Counter[str] = Counter()
    margin_b: Counter[str] = Counter()
    for (x, y), n in counts.items():
        margin_a[x] += n
        margin_b[y] += n
    p_o = agree / total
    p_e = sum(margin_a[k] * margin_b[k] for k in margin_a) / (total * total)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def krippendorff_alpha_nominal(counts: Counter[tuple[str, str]]) -> float | None:
    """Krippendorff's α (nominal, two coders, no missing values) from the same table."""
    units = sum(counts.values())
    if not units:
        return None
    n = 2 * units  # pairable values
    margins: Counter[str] = Counter()
    disagree = 0
    for (x, y), count in counts.items():
        margins[x] += count
        margins[y] += count
        if x != y:
            disagree += 2 * count  # o_xy and o_yx
    expected = n * n - sum(v * v for v in margins.values())  # sum over c != k of n_c * n_k
    if expected == 0:
        return None
    return 1.0 - (n - 1) * disagree / expected


# ---------------------------------------------------------------- agreement


def _f1(matches: int, size_a: int, size_b: int) -> float:
    return 1.0 if size_a + size_b == 0 else 2 * matches / (size_a + size_b)


def agreement(docs: Sequence[SharedDoc], label: str | None = None) -> Agreement:
    """Pooled agreement over `docs`, for one label or all of them."""
    exact = overlap = size_a = size_b = 0
    counts: Counter[tuple[str, str]] = Counter()
    for doc in docs:
        a, b = dedupe(doc.a), dedupe(doc.b)
        if label is not None:
            a = [s for s in a if s.label == label]
            b = [s for s in b if s.label == label]
        size_a, size_b = size_a + len(a), size_b + len(b)
        exact += len(set(a) & set(b))
        a_by, b_by = by_label(a), by_label(b)
        overlap += sum(len(overlap_matching(a_by[k], b_by[k])) for k in a_by if k in b_by)
        counts += char_pair_counts(doc.length, a, b)
    return Agreement(
        docs=len(docs),
        spans_a=size_a,
        spans_b=size_b,
        span_f1=_f1(exact, size_a, size_b) if docs else None,
        span_f1_overlap=_f1(overlap, size_a, size_b) if docs else None,
        cohen_kappa=cohen_kappa(counts),
        krippendorff_alpha=krippendorff_alpha_nominal(counts),
    )


def confusion(docs: Iterable[SharedDoc], label: str | None = None) -> dict[str, dict[str, int]]:
    """Label of A's span -> label of B's overlapping partner (or O) -> count."""
    table: dict[str, Counter[str]] = {}
    for doc in docs:
        a, b = dedupe(doc.a), dedupe(doc.b)
        if label is not None:
            a = [s for s in a if s.label == label]
            b = [s for s in b if s.label == label]
        pairs = overlap_matching(a, b)
        for i, j in pairs:
            table.setdefault(a[i].label, Counter())[b[j].label] += 1
        matched_a = {i for i, _ in pairs}
        matched_b = {j for _, j in pairs}
        for i, span in enumerate(a):
            if i not in matched_a:
                table.setdefault(span.label, Counter())[OUTSIDE] += 1
        for j, span in enumerate(b):
            if j not in matched_b:
                table.setdefault(OUTSIDE, Counter())[span.label] += 1
    return {x: dict(sorted(row.items())) for x, row in sorted(table.items())}


def _least_agreeing_key(item: tuple[str, Agreement]) -> tuple[float, float, float, str]:
    doc_id, agr = item
    kappa = 1.0 if agr.cohen_kappa is None else agr.cohen_kappa
    f1 = 1.0 if agr.span_f1 is None else agr.span_f1
    f1_overlap = 1.0 if agr.span_f1_overlap is None else agr.span_f1_overlap
    return (f1, f1_overlap, kappa, doc_id)


def pair_report(
    annotators: tuple[str, str],
    docs: Sequence[SharedDoc],
    *,
    label: str | None = None,
    order: Sequence[str] = (),
) -> PairReport:
    """Every figure for one pair; labels listed in `order` (the schema's) first."""
    seen = {s.label for doc in docs for s in (*doc.a, *doc.b)}
    if label is not None:
        seen &= {label}
    labels = [x for x in order if x in seen] + sorted(seen - set(order))
    by_document = sorted(
        ((doc.doc_id, agreement([doc], label)) for doc in docs), key=_least_agreeing_key
    )
    return PairReport(
        annotators=annotators,
        overall=agreement(docs, label),
        by_label={x: agreement(docs, x) for x in labels},
        by_document=by_document,
        confusion=confusion(docs, label),
    )


# ---------------------------------------------------------------- workspace


def finished_docs(workspace: Workspace, annotator: str) -> set[str]:
    """Ids of the documents this annotator marked done (read from the status index)."""
    from annotator.index import label_summaries

    return {
        doc_id for doc_id, s in label_summaries(workspace, annotator).items() if s.status == "done"
    }


def shared_docs(workspace: Workspace, a: str, b: str) -> list[SharedDoc]:
    """Documents both annotators finished, on the current text (stale files are skipped)."""
    out: list[SharedDoc] = []
    for doc_id in sorted(finished_docs(workspace, a) & finished_docs(workspace, b)):
        if not workspace.has_document(doc_id):
            continue
        document = workspace.load_document(doc_id)
        la, lb = workspace.load_labels(a, doc_id), workspace.load_labels(b, doc_id)
        if la is None or lb is None or la.status != "done" or lb.status != "done":
            continue
        if la.text_sha256 != document.sha256 or lb.text_sha256 != document.sha256:
            continue
        out.append(SharedDoc(doc_id, len(document.text), refs(la.spans), refs(lb.spans)))
    return out


def default_pairs(
    workspace: Workspace, annotators: Sequence[str] | None = None
) -> list[tuple[str, str]]:
    """Pairs to compare: every pair of the named annotators, or by default every pair of
    annotators (except the `gold` merge target) with at least one shared finished document."""
    if annotators:
        return list(combinations(dict.fromkeys(annotators), 2))
    names = [n for n in workspace.annotators() if n not in DEFAULT_EXCLUDED]
    done = {n: finished_docs(workspace, n) for n in names}
    return [(x, y) for x, y in combinations(names, 2) if done[x] & done[y]]


def agree(
    workspace: Workspace,
    annotators: Sequence[str] | None = None,
    *,
    label: str | None = None,
) -> list[PairReport]:
    """A report per pair of annotators (see `default_pairs`)."""
    order = workspace.schema().label_names
    return [
        pair_report((a, b), shared_docs(workspace, a, b), label=label, order=order)
        for a, b in default_pairs(workspace, annotators)
    ]
