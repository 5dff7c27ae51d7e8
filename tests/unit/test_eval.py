"""`annotator eval`: precision, recall and F1 with hand-computed expectations."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.errors import AnnotatorError
from annotator.model import LabelFile, Span
from annotator.quality.eval import evaluate
from annotator.quality.jsonl_spans import (
    DocSpans,
    SpanRef,
    SpanSourceError,
    load_side,
    read_span_jsonl,
)
from annotator.quality.matching import overlap_matching
from annotator.workspace import init_workspace, make_document

S = SpanRef


def side(**docs: list[SpanRef]) -> dict[str, DocSpans]:
    return {doc_id: DocSpans(doc_id, None, tuple(spans)) for doc_id, spans in docs.items()}


# d1: one exact ORG hit, a NUMBER found with the wrong boundary, a DATA_TYPE
# given the wrong label, a spurious PERSON; d2 only in gold, d3 only in pred.
GOLD = side(
    d1=[S(0, 3, "ORG"), S(6, 9, "NUMBER"), S(10, 13, "DATA_TYPE")],
    d2=[S(0, 2, "PERSON")],
)
PRED = side(
    d1=[S(0, 3, "ORG"), S(6, 8, "NUMBER"), S(10, 13, "ORG"), S(20, 22, "PERSON")],
    d3=[S(1, 3, "ORG")],
)


def test_exact_match_by_hand() -> None:
    result = evaluate(GOLD, PRED)
    org = result.exact["ORG"]
    # ORG: tp (0,3); fp (10,13) and d3's (1,3); no miss.
    assert (org.tp, org.fp, org.fn) == (1, 2, 0)
    assert org.precision == pytest.approx(1 / 3)
    assert org.recall == 1.0
    assert org.f1 == pytest.approx(0.5)
    assert (result.exact["NUMBER"].tp, result.exact["NUMBER"].fp, result.exact["NUMBER"].fn) == (
        0,
        1,
        1,
    )
    assert result.exact["DATA_TYPE"].f1 == 0.0
    assert (result.exact["PERSON"].fp, result.exact["PERSON"].fn) == (1, 1)
    micro = result.micro_exact
    assert (micro.tp, micro.fp, micro.fn) == (1, 4, 3)
    assert micro.precision == pytest.approx(0.2)
    assert micro.recall == pytest.approx(0.25)
    assert micro.f1 == pytest.approx(2 * 0.2 * 0.25 / 0.45)
    assert (result.docs_shared, result.docs_gold_only, result.docs_pred_only) == (1, 1, 1)


def test_overlap_match_by_hand() -> None:
    result = evaluate(GOLD, PRED)
    number = result.overlap["NUMBER"]
    assert (number.tp, number.fp, number.fn) == (1, 0, 0)
    # A wrong label never matches, even on identical offsets.
    assert result.overlap["DATA_TYPE"].tp == 0
    micro = result.micro_overlap
    assert (micro.tp, micro.fp, micro.fn) == (2, 3, 2)
    assert micro.f1 == pytest.approx(2 * 0.4 * 0.5 / 0.9)


def test_overlap_is_one_to_one() -> None:
    gold = side(d=[S(0, 10, "ORG")])
    pred = side(d=[S(0, 4, "ORG"), S(5, 10, "ORG")])
    org = evaluate(gold, pred).overlap["ORG"]
    assert (org.tp, org.fp, org.fn) == (1, 1, 0)


def test_overlap_matching_is_maximum_not_greedy() -> None:
    # Greedy by largest overlap pairs A with X (4 chars) and strands B and Y;
    # the maximum matching pairs A-Y and B-X.
    gold = [S(0, 6, "ORG"), S(6, 10, "ORG")]
    pred = [S(2, 8, "ORG"), S(0, 2, "ORG")]
    assert overlap_matching(gold, pred) == [(0, 1), (1, 0)]
    result = evaluate(side(d=gold), side(d=pred))
    assert result.overlap["ORG"].tp == 2
    assert result.exact["ORG"].tp == 0


def test_shared_only_ignores_one_sided_documents() -> None:
    result = evaluate(GOLD, PRED, shared_only=True)
    assert result.micro_exact.fn == 2  # d2's PERSON no longer counts
    assert result.exact["ORG"].fp == 1  # nor d3's ORG
    assert result.docs_gold_only == result.docs_pred_only == 0


def test_duplicates_count_once_and_label_filter() -> None:
    gold = side(d=[S(0, 2, "ORG"), S(0, 2, "ORG"), S(3, 5, "NUMBER")])
    pred = side(d=[S(0, 2, "ORG"), S(3, 5, "ORG")])
    result = evaluate(gold, pred, labels=["ORG"])
    assert result.labels == ("ORG",)
    org = result.exact["ORG"]
    assert (org.tp, org.fp, org.fn) == (1, 1, 0)


def test_schema_order_then_others() -> None:
    result = evaluate(GOLD, PRED, order=("PERSON", "ORG"))
    assert result.labels == ("PERSON", "ORG", "DATA_TYPE", "NUMBER")


def test_text_mismatch_is_an_error() -> None:
    gold = {"d": DocSpans("d", "甲乙丙", (S(0, 1, "ORG"),))}
    pred = {"d": DocSpans("d", "甲乙丁", (S(0, 1, "ORG"),))}
    with pytest.raises(AnnotatorError, match="different text"):
        evaluate(gold, pred)


def test_jsonl_reader_rejects_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"id": "a", "text": "甲乙", "spans": [{"start": 0, "end": 5, "label": "ORG"}]}\n'
    )
    with pytest.raises(SpanSourceError, match="runs past the text"):
        read_span_jsonl(path)
    path.write_text('{"id": "a", "spans": []}\n\n{"id": "a", "spans": []}\n')
    with pytest.raises(SpanSourceError, match=r"line 3.*appears twice"):
        read_span_jsonl(path)
    path.write_text('{"id": "a", "spans": [{"start": "0", "end": 1, "label": "ORG"}]}\n')
    with pytest.raises(SpanSourceError, match="integer 'start'"):
        read_span_jsonl(path)


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


TEXT = "星辰科技公司泄露了3万条手机号。"


def test_cli_eval_jsonl_against_annotator(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    doc = make_document(TEXT, "d1")
    ws.save_document(doc)
    spans = (
        Span(start=0, end=6, label="ORG", text=TEXT[0:6]),
        Span(start=9, end=12, label="NUMBER", text=TEXT[9:12]),
        Span(start=12, end=15, label="DATA_TYPE", text=TEXT[12:15]),
    )
    ws.save_labels(LabelFile.new(doc, "gold").model_copy(update={"spans": spans, "status": "done"}))
    pred = _jsonl(
        tmp_path / "pred.jsonl",
        [
            {
                "id": "d1",
                "text": TEXT,
                "spans": [
                    {"start": 0, "end": 6, "label": "ORG"},
                    {"start": 9, "end": 11, "label": "NUMBER"},
                ],
            }
        ],
    )
    runner = CliRunner()
    result = runner.invoke(
        app, ["eval", "--gold", "gold", "--pred", str(pred), "--json", "--workspace", str(ws.root)]
    )
    assert result.exit_code == 0, result.output
    data = orjson.loads(result.stdout)
    assert data["exact"]["micro"]["tp"] == 1
    assert data["exact"]["micro"]["precision"] == 0.5
    assert data["exact"]["micro"]["recall"] == pytest.approx(0.3333)
    assert data["overlap"]["micro"]["tp"] == 2
    assert list(data["exact"]["by_label"]) == ["ORG", "NUMBER", "DATA_TYPE"]  # schema order
    table = runner.invoke(
        app, ["eval", "--gold", "gold", "--pred", str(pred), "--workspace", str(ws.root)]
    )
    assert table.exit_code == 0, table.output
    assert "micro" in table.stdout and "DATA_TYPE" in table.stdout


def test_side_not_found_names_the_annotators(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    (ws.labels_dir / "alice").mkdir()
    with pytest.raises(SpanSourceError, match="alice"):
        load_side("nobody", ws)
    result = CliRunner().invoke(
        app, ["eval", "--gold", "nobody", "--pred", "alice", "--workspace", str(ws.root)]
    )
    assert result.exit_code == 1
    assert "neither a JSONL file nor an annotator" in result.output


def _brute_max_matching(gold: list[SpanRef], pred: list[SpanRef]) -> int:
    """Largest one-to-one set of overlapping pairs, by trying every assignment."""
    best = 0

    def walk(i: int, used: frozenset[int], size: int) -> None:
        nonlocal best
        if i == len(gold):
            best = max(best, size)
            return
        walk(i + 1, used, size)
        for j, p in enumerate(pred):
            if j not in used and gold[i].start < p.end and p.start < gold[i].end:
                walk(i + 1, used | {j}, size + 1)

    walk(0, frozenset(), 0)
    return best


interval = st.tuples(st.integers(0, 20), st.integers(1, 6)).map(
    lambda t: S(t[0], t[0] + t[1], "ORG")
)


@settings(max_examples=50, deadline=None)
@given(
    gold=st.lists(interval, max_size=5, unique=True),
    pred=st.lists(interval, max_size=5, unique=True),
)
def test_overlap_matching_is_maximum(gold: list[SpanRef], pred: list[SpanRef]) -> None:
    pairs = overlap_matching(gold, pred)
    assert len({g for g, _ in pairs}) == len({p for _, p in pairs}) == len(pairs)
    assert all(gold[g].start < pred[p].end and pred[p].start < gold[g].end for g, p in pairs)
    assert len(pairs) == _brute_max_matching(gold, pred)
    result = evaluate(side(d=gold), side(d=pred))
    if gold or pred:
        assert result.exact["ORG"].tp <= result.overlap["ORG"].tp == len(pairs)
