"""`annotator merge` strategies and the adjudication core `candidate_spans`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.model import LabelFile, Span, Status
from annotator.quality.merge import (
    Candidate,
    adjudicated_file,
    candidate_span,
    candidate_spans,
    merge,
    merge_spans,
)
from annotator.workspace import Workspace, init_workspace, make_document

TEXT = "蓝海数据公司员工张某出售了12万条客户手机号。"
ORG, PERSON, NUMBER, DATA = (
    (0, 6, "ORG"),
    (8, 10, "PERSON"),
    (13, 16, "NUMBER"),
    (17, 22, "DATA_TYPE"),
)


def _label(
    ws: Workspace,
    who: str,
    doc_id: str,
    spans: list[tuple[int, int, str]],
    status: Status = "done",
    uncertain: tuple[int, int, str] | None = None,
) -> LabelFile:
    doc = ws.load_document(doc_id)
    made = tuple(
        Span(start=s, end=e, label=lab, text=doc.text[s:e], uncertain=(s, e, lab) == uncertain)
        for s, e, lab in spans
    )
    return ws.save_labels(
        LabelFile.new(doc, who).model_copy(update={"spans": made, "status": status})
    )


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "ws")
    for doc_id in ("d1", "d2"):
        ws.save_document(make_document(TEXT, doc_id))
    # d1: ORG by all three, PERSON by alice+bob, NUMBER by alice only,
    # DATA_TYPE by bob+carol but carol's boundary differs.
    _label(ws, "alice", "d1", [ORG, PERSON, NUMBER], uncertain=PERSON)
    _label(ws, "bob", "d1", [ORG, PERSON, DATA])
    _label(ws, "carol", "d1", [ORG, (17, 21, "DATA_TYPE")])
    _label(ws, "alice", "d2", [ORG])
    _label(ws, "bob", "d2", [ORG, NUMBER], status="in_progress")
    return ws


def test_candidate_spans(ws: Workspace) -> None:
    cands = candidate_spans(ws, "d1", ["alice", "bob", "carol"])
    assert cands == [
        Candidate(0, 6, "ORG", "蓝海数据公司", ("alice", "bob", "carol"), True),
        Candidate(8, 10, "PERSON", "张某", ("alice", "bob"), False),
        Candidate(13, 16, "NUMBER", "12万", ("alice",), False),
        Candidate(17, 21, "DATA_TYPE", "客户手机", ("carol",), False),
        Candidate(17, 22, "DATA_TYPE", "客户手机号", ("bob",), False),
    ]
    two = candidate_spans(ws, "d1", ["alice", "bob"])
    assert [c.agreed for c in two] == [True, True, False, False]
    # an annotator without a file proposes nothing, so nothing is agreed
    assert not any(c.agreed for c in candidate_spans(ws, "d1", ["alice", "nobody"]))


def test_strategies(ws: Workspace) -> None:
    files = {n: ws.load_labels(n, "d1") for n in ("alice", "bob", "carol")}
    present = {n: f for n, f in files.items() if f is not None}
    unanimous = merge_spans(present, "unanimous")
    assert [s.key for s in unanimous] == [ORG]
    assert unanimous[0].agreed_by == ("alice", "bob", "carol")
    majority = merge_spans(present, "majority")
    assert [s.key for s in majority] == [ORG, PERSON]
    assert majority[1].agreed_by == ("alice", "bob")
    assert majority[1].uncertain  # alice flagged it: the flag survives
    assert all(s.source == "merge" for s in majority)
    pair = {n: present[n] for n in ("alice", "bob")}
    # with two annotators, a majority is both of them
    assert merge_spans(pair, "majority") == merge_spans(pair, "unanimous")


def test_majority_needs_more_than_half() -> None:
    doc = make_document("甲乙丙丁戊", "x")

    def lf(who: str, spans: list[tuple[int, int, str]]) -> LabelFile:
        made = tuple(Span(start=s, end=e, label=lab, text=doc.text[s:e]) for s, e, lab in spans)
        return LabelFile.new(doc, who).model_copy(update={"spans": made})

    files = {
        "a": lf("a", [(0, 2, "ORG")]),
        "b": lf("b", [(0, 2, "ORG")]),
        "c": lf("c", [(0, 2, "ORG"), (3, 5, "ORG")]),
        "d": lf("d", [(1, 3, "ORG"), (3, 5, "ORG")]),
        "e": lf("e", [(1, 3, "ORG"), (3, 5, "ORG")]),
    }
    # (0,2) 3 votes and (3,5) 3 votes kept; (1,3) has 2 of 5: not a majority
    assert [s.key for s in merge_spans(files, "majority")] == [(0, 2, "ORG"), (3, 5, "ORG")]
    files["b"] = lf("b", [(1, 3, "ORG")])
    files["a"] = lf("a", [(1, 3, "ORG")])
    # (1,3) now 4 votes, (0,2) 1 vote; overlap-free anyway
    assert [s.key for s in merge_spans(files, "majority")] == [(1, 3, "ORG"), (3, 5, "ORG")]
    overlapping = merge_spans(files, "majority", allow_overlap=True)
    assert len(overlapping) == 2


def test_merge_writes_gold_and_respects_done(ws: Workspace) -> None:
    results = merge(ws, "majority")
    outcomes = {r.doc_id: (r.outcome, r.sources) for r in results}
    assert outcomes == {
        "d1": ("merged", ("alice", "bob", "carol")),
        "d2": ("merged", ("alice",)),  # bob has not finished d2
    }
    gold = ws.load_labels("gold", "d1")
    assert gold is not None and gold.status == "done"
    assert [s.key for s in gold.spans] == [ORG, PERSON]
    assert "merged (majority) from alice, bob, carol" in gold.note
    on_disk = (ws.labels_dir / "gold" / "d1.json").read_text()
    assert '"agreed_by":["alice","bob"]' in on_disk
    # a done gold file is never overwritten without force
    again = merge(ws, "unanimous")
    assert {r.outcome for r in again} == {"kept_done"}
    forced = merge(ws, "unanimous", force=True, doc_ids=["d1"])
    assert [r.outcome for r in forced] == ["merged"]
    gold = ws.load_labels("gold", "d1")
    assert gold is not None and [s.key for s in gold.spans] == [ORG]


def test_merge_named_annotators_and_min(ws: Workspace) -> None:
    results = merge(ws, "unanimous", annotators=["alice", "bob"])
    assert [(r.doc_id, r.outcome) for r in results] == [("d1", "merged")]
    gold = ws.load_labels("gold", "d1")
    assert gold is not None and [s.key for s in gold.spans] == [ORG, PERSON]
    results = merge(ws, "unanimous", into="adj", min_annotators=2)
    assert [(r.doc_id, r.outcome) for r in results] == [("d1", "merged"), ("d2", "too_few")]
    assert results[0].sources == ("alice", "bob", "carol")  # the gold set is not a source
    assert ws.load_labels("adj", "d2") is None


def test_merge_reports_a_locked_file(ws: Workspace) -> None:
    lock = ws.lock_labels("gold", "d1")
    lock.acquire()
    try:
        results = merge(ws, "majority", timeout=0.05)
    finally:
        lock.release()
    assert {r.doc_id: r.outcome for r in results} == {"d1": "locked", "d2": "merged"}


def test_cli_merge(ws: Workspace) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["merge", "--strategy", "majority", "-w", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "merged 2 document(s) into 'gold'" in result.stdout
    result = runner.invoke(app, ["merge", "--strategy", "majority", "-w", str(ws.root)])
    assert "already marked done" in result.stdout
    bad = runner.invoke(app, ["merge", "--strategy", "vote", "-w", str(ws.root)])
    assert bad.exit_code == 1 and "unknown strategy" in bad.output
    same = runner.invoke(app, ["merge", "--annotators", "alice,gold", "-w", str(ws.root)])
    assert same.exit_code == 1 and "both a source and the merge target" in same.output


def test_adjudicated_file_from_chosen_candidates(ws: Workspace) -> None:
    cands = candidate_spans(ws, "d1", ["alice", "bob"])
    chosen = [candidate_span(c) for c in cands if c.agreed]
    disputed = next(c for c in cands if c.label == "NUMBER")
    chosen.append(candidate_span(disputed))
    gold = ws.save_labels(adjudicated_file(ws, "d1", chosen, note="adjudicated by dora"))
    assert gold.status == "done" and gold.annotator == "gold"
    assert [(s.key, s.agreed_by, s.source) for s in gold.spans] == [
        (ORG, ("alice", "bob"), "adjudicated"),
        (PERSON, ("alice", "bob"), "adjudicated"),
        (NUMBER, ("alice",), "adjudicated"),
    ]
    # a forced merge afterwards keeps a hand-written note
    merge(ws, "unanimous", force=True, doc_ids=["d1"])
    again = ws.load_labels("gold", "d1")
    assert again is not None and again.note == "adjudicated by dora"
    assert again.created_at == gold.created_at
