"""Precision, recall and F1 of predicted spans against gold spans.

Rules (also in the README):
- Exact match: same start, end and label. Overlap match: same label and
  overlapping offsets, one-to-one (a maximum matching, see `matching`).
- Counts are pooled over documents; micro-average pools every label's
  counts. P = TP / (TP + FP), R = TP / (TP + FN), F1 their harmonic mean;
  each is 0.0 when its denominator is 0.
- A document on one side only still counts: its gold spans are misses
  (false negatives), its predicted spans false alarms (false positives).
  `shared_only=True` restricts both sides to the documents they share.
- When both sides give a document's text, the texts must be equal (offsets
  into different texts mean nothing): a mismatch is an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.errors import AnnotatorError
from annotator.quality.jsonl_spans import DocSpans, SpanRef
from annotator.quality.matching import dedupe, overlap_matches_by_label


@dataclass(frozen=True, slots=True)
class PRF:
    """Counts and scores for one label (or the micro average)."""

    tp: int
    fp: int
    fn: int

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def pred(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float:
        return self.tp / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "gold": self.gold,
            "pred": self.pred,
        }


def _sum(items: Iterable[PRF]) -> PRF:
    tp = fp = fn = 0
    for item in items:
        tp, fp, fn = tp + item.tp, fp + item.fp, fn + item.fn
    return PRF(tp, fp, fn)


@dataclass(frozen=True, slots=True)
class EvalResult:
    """Per-label and micro scores, exact and overlap, plus document counts."""

    exact: dict[str, PRF]
    overlap: dict[str, PRF]
    docs_shared: int
    docs_gold_only: int
    docs_pred_only: int
    labels: tuple[str, ...] = field(default=())

    @property
    def micro_exact(self) -> PRF:
        return _sum(self.exact.values())

    @property
    def micro_overlap(self) -> PRF:
        return _sum(self.overlap.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "docs": {
                "shared": self.docs_shared,
                "gold_only": self.docs_gold_only,
                "pred_only": self.docs_pred_only,
            },
            "exact": {
                "micro": self.micro_exact.as_dict(),
                "by_label": {label: self.exact[label].as_dict() for label in self.labels},
            },
            "overlap": {
                "micro": self.micro_overlap.as_dict(),
                "by_label": {label: self.overlap[label].as_dict() for label in self.labels},
            },
        }


def _counts(
    gold: list[SpanRef], pred: list[SpanRef]
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """[tp, fp, fn] per label for one document, exact and overlap."""
    exact: dict[str, list[int]] = {}
    overlap: dict[str, list[int]] = {}
    gold_n: dict[str, int] = {}
    pred_n: dict[str, int] = {}
    for span in gold:
        gold_n[span.label] = gold_n.get(span.label, 0) + 1
    for span in pred:
        pred_n[span.label] = pred_n.get(span.label, 0) + 1
    exact_tp: dict[str, int] = {}
    for span in set(gold) & set(pred):
        exact_tp[span.label] = exact_tp.get(span.label, 0) + 1
    overlap_tp = overlap_matches_by_label(gold, pred)
    for label in gold_n.keys() | pred_n.keys():
        g, p = gold_n.get(label, 0), pred_n.get(label, 0)
        tp = exact_tp.get(label, 0)
        exact[label] = [tp, p - tp, g - tp]
        otp = overlap_tp.get(label, 0)
        overlap[label] = [otp, p - otp, g - otp]
    return exact, overlap


def evaluate(
    gold: Mapping[str, DocSpans],
    pred: Mapping[str, DocSpans],
    *,
    labels: Iterable[str] | None = None,
    shared_only: bool = False,
    order: Sequence[str] = (),
) -> EvalResult:
    """Score `pred` against `gold`.

    `labels` restricts (and orders) the labels scored; otherwise every label
    seen is scored, those named in `order` (the schema's) first.
    """
    wanted = set(labels) if labels is not None else None
    ids = sorted(gold.keys() & pred.keys()) if shared_only else sorted(gold.keys() | pred.keys())
    exact: dict[str, list[int]] = {}
    overlap: dict[str, list[int]] = {}
    for doc_id in ids:
        g_doc, p_doc = gold.get(doc_id), pred.get(doc_id)
        if (
            g_doc is not None
            and p_doc is not None
            and g_doc.text is not None
            and p_doc.text is not None
            and g_doc.text != p_doc.text
        ):
            raise AnnotatorError(
                f"document {doc_id!r} has a different text on the two sides",
                fix="evaluate predictions made on the same normalized text as the gold",
            )
        g_spans = dedupe(g_doc.spans) if g_doc else []
        p_spans = dedupe(p_doc.spans) if p_doc else []
        if wanted is not None:
            g_spans = [s for s in g_spans if s.label in wanted]
            p_spans = [s for s in p_spans if s.label in wanted]
        doc_exact, doc_overlap = _counts(g_spans, p_spans)
        for total, part in ((exact, doc_exact), (overlap, doc_overlap)):
            for label, (tp, fp, fn) in part.items():
                row = total.setdefault(label, [0, 0, 0])
                row[0] += tp
                row[1] += fp
                row[2] += fn
    if labels is not None:
        shown = list(dict.fromkeys(labels))
    else:
        shown = [label for label in order if label in exact]
        shown += sorted(set(exact) - set(shown))
    for label in shown:
        exact.setdefault(label, [0, 0, 0])
        overlap.setdefault(label, [0, 0, 0])
    shared = len(gold.keys() & pred.keys())
    return EvalResult(
        exact={k: PRF(*v) for k, v in exact.items()},
        overlap={k: PRF(*v) for k, v in overlap.items()},
        docs_shared=shared,
        docs_gold_only=0 if shared_only else len(gold.keys() - pred.keys()),
        docs_pred_only=0 if shared_only else len(pred.keys() - gold.keys()),
        labels=tuple(shown),
    )
