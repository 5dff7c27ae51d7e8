"""jsonl (round trip), CoNLL and brat exports, and `--redact`."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from export_support import TEXTS, add_document, sample_workspace, spans_for
from seqeval.scheme import IOB2, Entities
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.export.brat import read_ann, write_brat
from annotator.export.conll import read_conll, write_conll
from annotator.export.jsonl import read_jsonl, write_jsonl
from annotator.export.redact import RedactionStats, find_personal_data, redact
from annotator.export.source import iter_items
from annotator.model import Span
from annotator.workspace import Workspace, init_workspace

LABELS = ["ORG", "PERSON", "NUMBER", "LEGAL_CHARGE", "DATA_TYPE"]


def items(ws: Workspace) -> list:  # type: ignore[type-arg]
    problems: list = []  # type: ignore[type-arg]
    out = list(iter_items(ws, "gold", "done", problems.append))
    assert not problems
    return out


def expected(ws: Workspace, doc_id: str) -> list[tuple[int, int, str, str]]:
    labels = ws.load_labels("gold", doc_id)
    assert labels is not None
    return sorted((s.start, s.end, s.label, s.text) for s in labels.spans)


def test_jsonl_rows_carry_every_span(tmp_path: Path) -> None:
    ws = sample_workspace(tmp_path / "ws")
    out = tmp_path / "x.jsonl"
    assert write_jsonl(items(ws), out) == len(TEXTS)
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == sorted(TEXTS)
    for row in rows:
        assert list(row) == ["id", "text", "meta", "spans"]
        assert row["text"] == ws.load_document(row["id"]).text
        got = [(s["start"], s["end"], s["label"], s["text"]) for s in row["spans"]]
        assert got == expected(ws, row["id"])
        assert all(row["text"][s["start"] : s["end"]] == s["text"] for s in row["spans"])


def test_jsonl_round_trip_is_byte_identical(tmp_path: Path) -> None:
    """export jsonl -> annotator import (a fresh workspace) -> export jsonl: the same bytes."""
    runner = CliRunner()
    # A workspace made the usual way: `annotator import` (which records language and script).
    source = tmp_path / "source.jsonl"
    rows = []
    for doc_id, (text, wanted) in sorted(TEXTS.items()):
        spans = [
            {"start": s.start, "end": s.end, "label": s.label} for s in spans_for(text, wanted)
        ]
        rows.append(
            orjson.dumps(
                {
                    "id": doc_id,
                    "text": text,
                    "meta": {"url": f"https://x.cn/{doc_id}"},
                    "spans": spans,
                }
            )
        )
    source.write_bytes(b"\n".join(rows) + b"\n")
    ws = init_workspace(tmp_path / "ws")
    result = runner.invoke(app, ["import", "-w", str(ws.root), "--annotator", "ann", str(source)])
    assert result.exit_code == 0, result.output

    first = tmp_path / "first.jsonl"
    result = runner.invoke(
        app, ["export", "-w", str(ws.root), "--format", "jsonl", "--out", str(first)]
    )
    assert result.exit_code == 0, result.output
    assert f"exported {len(TEXTS)} documents by 'ann'" in result.output
    fresh = init_workspace(tmp_path / "fresh")
    result = runner.invoke(
        app, ["import", "-w", str(fresh.root), "--annotator", "gold", str(first)]
    )
    assert result.exit_code == 0, result.output
    second = tmp_path / "second.jsonl"
    result = runner.invoke(
        app,
        [
            "export",
            "-w",
            str(fresh.root),
            "--format",
            "jsonl",
            "--annotator",
            "gold",
            "--out",
            str(second),
        ],
    )
    assert result.exit_code == 0, result.output
    assert second.read_bytes() == first.read_bytes()
    assert len(first.read_bytes().splitlines()) == len(TEXTS)


def test_conll_is_strict_iob2_with_docstart(tmp_path: Path) -> None:
    ws = sample_workspace(tmp_path / "ws")
    out = tmp_path / "x.conll"
    write_conll(items(ws), out)
    raw = out.read_text(encoding="utf-8")
    assert raw.count("-DOCSTART- O\n\n") == len(TEXTS)
    docs = read_conll(out)
    assert len(docs) == len(TEXTS)
    for doc_id, sentences in zip(sorted(TEXTS), docs, strict=True):
        text = ws.load_document(doc_id).text
        assert "".join(ch for sentence in sentences for ch, _tag in sentence) == "".join(
            text.split()
        )
        found = []
        for sentence in sentences:
            tags = [tag for _ch, tag in sentence]
            chars = "".join(ch for ch, _tag in sentence)
            for entity in Entities([tags], IOB2).entities[0]:
                found.append((entity.tag, chars[entity.start : entity.end]))
        assert sorted(found) == sorted(
            (label, surface.replace(" ", "")) for _s, _e, label, surface in expected(ws, doc_id)
        )
    # Sentences end at 。！？； and newlines: a01 has two lines.
    assert len(docs[0]) >= 2


def test_brat_pairs(tmp_path: Path) -> None:
    ws = sample_workspace(tmp_path / "ws")
    text = "星河数据科技\n有限公司泄露了数据。"
    add_document(ws, "b01", text, (Span(start=0, end=10, label="ORG", text=text[0:10]),))
    out = tmp_path / "brat"
    write_brat(items(ws), out, LABELS)
    assert "ORG" in (out / "annotation.conf").read_text()
    for doc_id in [*TEXTS, "b01"]:
        body = (out / f"{doc_id}.txt").read_text(encoding="utf-8")
        assert body == ws.load_document(doc_id).text
        anns = read_ann(out / f"{doc_id}.ann")
        rebuilt = sorted((pieces[0][0], pieces[-1][1], label) for label, pieces, _surface in anns)
        assert rebuilt == [(s, e, lab) for s, e, lab, _t in expected(ws, doc_id)]
        for _label, pieces, surface in anns:
            assert surface == " ".join(body[a:b] for a, b in pieces)
    assert read_ann(out / "b01.ann")[0][1] == [(0, 6), (7, 10)]  # fragments around the line break
    # A re-export removes pairs of documents no longer exported; a foreign folder is refused.
    (out / "gone.txt").write_text("x")
    write_brat(items(ws), out, LABELS)
    assert not (out / "gone.txt").exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("x")
    with pytest.raises(Exception, match="brat"):
        write_brat(items(ws), foreign, LABELS)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("联系电话13812345678。", "phone"),
        ("电话：+86 138 1234 5678", "phone"),
        ("座机010-62345678", "phone"),
        ("全角１３８１２３４５６７８号", "phone"),
        ("身份证号110105199003071234", "id_card"),
        ("身份证号11010519900307123X", "id_card"),
        ("卡号6222021234567890128", "bank_card"),
        ("邮箱 leak.bot+1@example.com.cn 已停用", "email"),
    ],
)
def test_redact_finds_personal_data(text: str, kind: str) -> None:
    hits = find_personal_data(text)
    assert [h[2] for h in hits] == [kind]
    masked, _spans = redact(text, [])
    assert len(masked) == len(text)
    start, end, _kind = hits[0]
    assert masked[:start] == text[:start] and masked[end:] == text[end:]
    assert not any(ch.isdigit() for ch in masked[start:end])


def test_redact_leaves_ordinary_numbers() -> None:
    for text in (
        "泄露11.8亿条数据",
        "2019年11月",
        "罚款300万元",
        "6222021234567890123",
    ):  # last: bad Luhn
        assert find_personal_data(text) == [], text


def test_redact_keeps_offsets_and_updates_span_text(tmp_path: Path) -> None:
    ws = sample_workspace(tmp_path / "ws")
    stats = RedactionStats()
    item = next(i for i in items(ws) if i.doc_id == "a04")
    text, spans = redact(item.text, list(item.spans), stats)
    assert len(text) == len(item.text)
    assert "13812345678" not in text and "leak@example.com" not in text
    for start, end, _label, surface in spans:
        assert text[start:end] == surface
    assert ("***********" in [s[3] for s in spans]) and stats.spans_changed == 1
    assert stats.masked == {"phone": 1, "email": 1}
    out = tmp_path / "r.jsonl"
    write_jsonl([item], out, mask=True)
    row = orjson.loads(out.read_bytes())
    assert row["text"] == text


def test_cli_hf_default_folder_and_redact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    ws = sample_workspace(tmp_path / "ws")
    add_document(ws, "todo1", "尚未完成的文档。", [], status="in_progress")
    runner = CliRunner()
    result = runner.invoke(
        app, ["export", "-w", str(ws.root), "--redact", "--split", "50/50", "--seed", "x"]
    )
    assert result.exit_code == 0, result.output
    out = ws.exports_dir / ws.name
    assert f"exported {len(TEXTS)} documents" in result.output
    from datasets import load_dataset

    spans = load_dataset(str(out), "spans", cache_dir=str(tmp_path / "cache"))
    texts = [t for split in spans for t in spans[split]["text"]]
    assert len(texts) == len(TEXTS)
    assert not any("13812345678" in t for t in texts)
    assert "## Redaction" in (out / "README.md").read_text(encoding="utf-8")


def test_cli_reports_left_out_files_and_unknown_annotator(tmp_path: Path) -> None:
    ws = sample_workspace(tmp_path / "ws")
    bad = ws.label_path("gold", "a02")
    bad.write_text("{ broken", encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "x.conll"
    result = runner.invoke(app, ["export", "-w", str(ws.root), "-f", "conll", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "left out 1 invalid or stale label files" in result.output
    assert "a02.json" in result.output
    assert len(read_conll(out)) == len(TEXTS) - 1
    result = runner.invoke(app, ["export", "-w", str(ws.root), "-a", "nobody", "-f", "jsonl"])
    assert result.exit_code == 1 and "nobody" in result.output
    empty = init_workspace(tmp_path / "empty")
    add_document(empty, "t1", "还没标完。", [], status="todo")
    result = runner.invoke(app, ["export", "-w", str(empty.root), "-f", "jsonl"])
    assert result.exit_code == 1 and "nothing exported" in result.output
