"""Suggestion quality on the project's gold sets; prints one JSON line.

The dev set was used to develop the rules; the held-out set and the sample
articles were not (the held-out set must never be used to tune anything), so
their figures are the honest estimate for unseen articles.

    python benchmarks/suggest_quality.py
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from annotator.quality.eval import evaluate
from annotator.quality.jsonl_spans import DocSpans, SpanRef, read_span_jsonl
from annotator.suggest.engine import suggest_text
from annotator.workspace import default_schema

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "devset (tuned on)": ROOT / "benchmarks" / "devset" / "devset.jsonl",
    # Written later (articles 16-23) to find rules that do not generalise; now tuned on too.
    "devset2 (tuned on)": ROOT / "benchmarks" / "devset" / "devset2.jsonl",
    "heldout": ROOT / "benchmarks" / "heldout" / "heldout.jsonl",
    "samples": ROOT / "samples" / "gold.jsonl",
}


def main() -> None:
    order = default_schema().label_names
    figures: dict[str, object] = {}
    for name, path in SETS.items():
        gold = read_span_jsonl(path)
        started = time.perf_counter()
        pred = {
            doc_id: DocSpans(
                doc_id,
                doc.text,
                tuple(SpanRef(s.start, s.end, s.label) for s in suggest_text(doc.text or "")),
            )
            for doc_id, doc in gold.items()
        }
        seconds = time.perf_counter() - started
        result = evaluate(gold, pred, order=order)
        figures[name] = {
            "docs": len(gold),
            "gold_spans": result.micro_exact.gold,
            "micro_f1_exact": round(result.micro_exact.f1, 3),
            "micro_f1_overlap": round(result.micro_overlap.f1, 3),
            "f1_exact_by_label": {label: round(prf.f1, 3) for label, prf in result.exact.items()},
            "seconds": round(seconds, 2),
        }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
