"""`annotator agree`: hand-computed cases and the reference implementations."""

from __future__ import annotations

from pathlib import Path

import krippendorff
import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.model import LabelFile, Span, Status
from annotator.quality.agree import (
    SharedDoc,
    agree,
    agreement,
    char_pair_counts,
    cohen_kappa,
    confusion,
    default_pairs,
    krippendorff_alpha_nominal,
    pair_report,
)
from annotator.quality.jsonl_spans import SpanRef
from annotator.workspace import Workspace, init_workspace, make_document

S = SpanRef
LABELS = ("ORG", "PERSON", "NUMBER")


def char_tags(length: int, spans: list[SpanRef]) -> list[str]:
    """The naive per-character tagging the sweep must reproduce."""
    tags = ["O"] * length
    for span in spans:
        for i in range(span.start, span.end):
            tags[i] = span.label
    return tags


# A (0,4,ORG); B (0,2,ORG) and (6,8,PERSON), length 10:
# chars 0-1 ORG/ORG, 2-3 ORG/O, 4-5 O/O, 6-7 O/PERSON, 8-9 O/O.
DOC = SharedDoc("d", 10, (S(0, 4, "ORG"),), (S(0, 2, "ORG"), S(6, 8, "PERSON")))


def test_hand_computed_kappa_and_alpha() -> None:
    counts = char_pair_counts(10, DOC.a, DOC.b)
    assert counts == {("ORG", "ORG"): 2, ("ORG", "O"): 2, ("O", "O"): 4, ("O", "PERSON"): 2}
    # p_o = 6/10; p_e = (4*2 + 6*6) / 100 = 0.44
    assert cohen_kappa(counts) == pytest.approx((0.6 - 0.44) / 0.56)
    # n = 20; n_ORG = 6, n_O = 12, n_PERSON = 2; 8 disagreeing ordered pairs
    assert krippendorff_alpha_nominal(counts) == pytest.approx(1 - 19 * 8 / (400 - 36 - 144 - 4))
    agr = agreement([DOC])
    assert agr.span_f1 == 0.0
    assert agr.span_f1_overlap == pytest.approx(2 / 3)
    assert (agr.spans_a, agr.spans_b) == (1, 2)


def test_confusion_pairs_overlapping_spans_across_labels() -> None:
    doc = SharedDoc(
        "d",
        20,
        (S(0, 4, "ORG"), S(5, 7, "NUMBER"), S(10, 12, "PERSON")),
        (S(0, 4, "PERSON"), S(5, 8, "NUMBER"), S(15, 17, "ORG")),
    )
    assert confusion([doc]) == {
        "NUMBER": {"NUMBER": 1},
        "O": {"ORG": 1},
        "ORG": {"PERSON": 1},
        "PERSON": {"O": 1},
    }


def test_per_label_and_undefined_cases() -> None:
    report = pair_report(("a", "b"), [DOC], order=("PERSON", "ORG"))
    assert list(report.by_label) == ["PERSON", "ORG"]
    person = report.by_label["PERSON"]
    assert person.span_f1 == 0.0 and person.spans_a == 0
    # ORG only: A tags 0-3, B 0-1: p_o = 0.8, p_e = (0.4*0.2 + 0.6*0.8) = 0.56
    assert report.by_label["ORG"].cohen_kappa == pytest.approx((0.8 - 0.56) / 0.44)
    empty = agreement([SharedDoc("e", 5, (), ())])
    assert empty.span_f1 == 1.0  # both labelled nothing: full agreement
    assert empty.cohen_kappa is None and empty.krippendorff_alpha is None


def test_documents_least_agreeing_first() -> None:
    same = SharedDoc("same", 6, (S(0, 2, "ORG"),), (S(0, 2, "ORG"),))
    report = pair_report(("a", "b"), [same, DOC])
    assert [doc_id for doc_id, _ in report.by_document] == ["d", "same"]
    assert report.by_document[1][1].cohen_kappa == 1.0


def test_overlapping_spans_first_start_wins_in_tags() -> None:
    counts = char_pair_counts(6, [S(0, 4, "ORG"), S(2, 6, "PERSON")], [])
    assert counts == {("ORG", "O"): 4, ("PERSON", "O"): 2}


spans_strategy = st.lists(
    st.tuples(st.integers(0, 39), st.integers(1, 6), st.sampled_from(LABELS)), max_size=8
)


def _spans(raw: list[tuple[int, int, str]], length: int) -> list[SpanRef]:
    """Non-overlapping spans from raw draws (later draws overlapping earlier ones dropped)."""
    out: list[SpanRef] = []
    for start, size, label in raw:
        end = min(length, start + size)
        if start < end and all(end <= s.start or start >= s.end for s in out):
            out.append(S(start, end, label))
    return out


@settings(max_examples=50, deadline=None)
@given(raw_a=spans_strategy, raw_b=spans_strategy, length=st.integers(10, 40))
def test_against_sklearn_and_krippendorff(
    raw_a: list[tuple[int, int, str]], raw_b: list[tuple[int, int, str]], length: int
) -> None:
    a, b = _spans(raw_a, length), _spans(raw_b, length)
    tags_a, tags_b = char_tags(length, a), char_tags(length, b)
    counts = char_pair_counts(length, a, b)
    assert sum(counts.values()) == length
    kappa = cohen_kappa(counts)
    alpha = krippendorff_alpha_nominal(counts)
    values = sorted(set(tags_a) | set(tags_b))
    if len(values) == 1:
        assert kappa is None and alpha is None
        return
    if kappa is None:  # one single tag per annotator, different tags: sklearn gives nan
        assert len(set(tags_a)) == len(set(tags_b)) == 1
    else:
        assert kappa == pytest.approx(cohen_kappa_score(tags_a, tags_b), abs=1e-9)
    code = {v: i for i, v in enumerate(values)}
    data = np.array([[code[t] for t in tags_a], [code[t] for t in tags_b]], dtype=float)
    reference = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert alpha == pytest.approx(reference, abs=1e-9)


# ------------------------------------------------------------- workspace level

TEXT = "蓝海数据公司员工张某出售了12万条客户手机号。"


def _label(
    ws: Workspace, who: str, doc_id: str, spans: list[tuple[int, int, str]], status: Status
) -> None:
    doc = ws.load_document(doc_id)
    made = tuple(Span(start=s, end=e, label=lab, text=doc.text[s:e]) for s, e, lab in spans)
    ws.save_labels(LabelFile.new(doc, who).model_copy(update={"spans": made, "status": status}))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    for doc_id in ("d1", "d2", "d3"):
        ws.save_document(make_document(TEXT, doc_id))
    org, person, number = (0, 6, "ORG"), (8, 10, "PERSON"), (13, 16, "NUMBER")
    _label(ws, "alice", "d1", [org, person, number], "done")
    _label(ws, "bob", "d1", [org, (8, 9, "PERSON"), number], "done")
    _label(ws, "alice", "d2", [org], "done")
    _label(ws, "bob", "d2", [org], "in_progress")  # not finished: not compared
    _label(ws, "carol", "d3", [org], "done")  # shares nothing
    _label(ws, "gold", "d1", [org, person, number], "done")  # merge target: skipped by default
    return ws


def test_workspace_pairs_and_figures(ws: Workspace) -> None:
    assert default_pairs(ws) == [("alice", "bob")]
    (report,) = agree(ws)
    assert report.overall.docs == 1
    assert report.overall.span_f1 == pytest.approx(2 * 2 / 6)
    assert report.overall.span_f1_overlap == 1.0
    assert report.confusion == {"NUMBER": {"NUMBER": 1}, "ORG": {"ORG": 1}, "PERSON": {"PERSON": 1}}
    assert list(report.by_label) == ["ORG", "PERSON", "NUMBER"]


def test_cli_json_shape(ws: Workspace) -> None:
    result = CliRunner().invoke(app, ["agree", "--json", "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    data = orjson.loads(result.stdout)
    (pair,) = data["pairs"]
    assert pair["annotators"] == ["alice", "bob"]
    assert pair["docs"] == 1
    for key in ("span_f1", "span_f1_overlap", "cohen_kappa", "krippendorff_alpha"):
        assert isinstance(pair[key], float)
    assert pair["by_label"]["PERSON"]["span_f1"] == 0.0
    assert pair["by_label"]["PERSON"]["span_f1_overlap"] == 1.0
    assert pair["by_document"][0]["id"] == "d1"
    labelled = CliRunner().invoke(
        app, ["agree", "--json", "--label", "ORG", "--annotators", "alice,gold", "-w", str(ws.root)]
    )
    (pair,) = orjson.loads(labelled.stdout)["pairs"]
    assert pair["annotators"] == ["alice", "gold"]
    assert list(pair["by_label"]) == ["ORG"]
    assert pair["cohen_kappa"] == 1.0


def test_cli_tables(ws: Workspace) -> None:
    result = CliRunner().invoke(app, ["agree", "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "alice / bob" in result.stdout
    assert "least agreeing" in result.stdout
    bad = CliRunner().invoke(app, ["agree", "--label", "NOPE", "--workspace", str(ws.root)])
    assert bad.exit_code == 1
    assert "unknown label" in bad.output


def test_named_pair_without_shared_documents(ws: Workspace) -> None:
    result = CliRunner().invoke(
        app, ["agree", "--json", "--annotators", "alice,carol", "-w", str(ws.root)]
    )
    (pair,) = orjson.loads(result.stdout)["pairs"]
    assert pair["docs"] == 0
    assert pair["span_f1"] is None and pair["cohen_kappa"] is None
    text = CliRunner().invoke(app, ["agree", "--annotators", "alice,carol", "-w", str(ws.root)])
    assert "share no finished documents" in text.stdout
