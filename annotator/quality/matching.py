"""How two span sets are matched; written once for eval, agree and merge.

Exact match: same start, end and label. Duplicate identical spans on one
side count once (a span set is a set).

Overlap match: same label and overlapping offsets (`a.start < b.end and
b.start < a.end`), one-to-one: the number of matches is the size of a
maximum matching in the bipartite graph of overlapping same-label pairs, so
a long gold span overlapped by two predictions matches one of them and the
other is a false positive. Exact pairs are matched first (they are always
part of some maximum matching when spans on one side do not overlap).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from annotator.quality.jsonl_spans import SpanRef


def dedupe(spans: Iterable[SpanRef]) -> list[SpanRef]:
    return sorted(set(spans))


def overlaps(a: SpanRef, b: SpanRef) -> bool:
    return a.start < b.end and b.start < a.end


def overlap_len(a: SpanRef, b: SpanRef) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def exact_matches(gold: Iterable[SpanRef], pred: Iterable[SpanRef]) -> int:
    return len(set(gold) & set(pred))


def _overlap_edges(gold: Sequence[SpanRef], pred: Sequence[SpanRef]) -> list[list[int]]:
    """For each gold index, the pred indices overlapping it: same offsets first, then
    same label, then most overlap."""
    order = sorted(range(len(pred)), key=lambda j: (pred[j].start, pred[j].end))
    starts = [pred[j].start for j in order]
    edges: list[list[int]] = []
    for g in gold:
        hi = bisect.bisect_left(starts, g.end)  # preds starting before g ends
        found = [order[k] for k in range(hi) if pred[order[k]].end > g.start]
        found.sort(
            key=lambda j: (
                pred[j][:2] != g[:2],
                pred[j].label != g.label,
                -overlap_len(g, pred[j]),
                pred[j],
            )
        )
        edges.append(found)
    return edges


def overlap_matching(gold: Sequence[SpanRef], pred: Sequence[SpanRef]) -> list[tuple[int, int]]:
    """A maximum one-to-one matching of overlapping spans, as (gold index, pred index) pairs.

    Labels are not compared here: callers pass one label's spans (eval, agree)
    or want cross-label pairs on purpose (the confusion matrix).
    """
    edges = _overlap_edges(gold, pred)
    match_of_pred: dict[int, int] = {}

    def augment(g: int, seen: set[int]) -> bool:
        for p in edges[g]:
            if p in seen:
                continue
            seen.add(p)
            if p not in match_of_pred or augment(match_of_pred[p], seen):
                match_of_pred[p] = g
                return True
        return False

    # Exact pairs first, then the rest in order: Kuhn's algorithm finds a
    # maximum matching whatever the order; the order only picks among ties.
    def exact_first(i: int) -> tuple[bool, int]:
        return (not edges[i] or pred[edges[i][0]][:2] != gold[i][:2], i)

    for g in sorted(range(len(gold)), key=exact_first):
        augment(g, set())
    return sorted((g, p) for p, g in match_of_pred.items())


def by_label(spans: Iterable[SpanRef]) -> dict[str, list[SpanRef]]:
    out: dict[str, list[SpanRef]] = {}
    for span in spans:
        out.setdefault(span.label, []).append(span)
    return out


def overlap_matches_by_label(gold: Iterable[SpanRef], pred: Iterable[SpanRef]) -> dict[str, int]:
    """Overlap-match counts per label (spans deduplicated first)."""
    gold_by, pred_by = by_label(dedupe(gold)), by_label(dedupe(pred))
    return {
        label: len(overlap_matching(gold_by[label], pred_by[label]))
        for label in gold_by
        if label in pred_by
    }
