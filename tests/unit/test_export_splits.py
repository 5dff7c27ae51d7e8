"""Splits: stable as documents are added; URL, same-text and near-duplicate groups stay together."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from export_support import TEXTS, add_document

from annotator.errors import AnnotatorError
from annotator.export.dedup import DuplicateGrouper, canonical_text, canonical_url
from annotator.export.hf import export_hf
from annotator.export.pipeline import ExportOptions, ExportResult, first_pass
from annotator.export.source import Source
from annotator.export.splits import assign, parse_split
from annotator.workspace import Workspace, init_workspace

SYLLABLES = "数据泄露黑客公司用户信息警方调查系统漏洞平台账号密码银行快递医院学校论坛出售交易"


def article(rng: random.Random, n: int = 400) -> str:
    sentences: list[str] = []
    while sum(map(len, sentences)) < n:
        sentences.append("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(8, 30))) + "。")
    return "".join(sentences)


def reprint(rng: random.Random, text: str, edits: int = 4) -> str:
    chars = list(text)
    for _ in range(edits):
        chars[rng.randrange(len(chars))] = rng.choice("某甲乙丙")
    return "转载：" + "".join(chars) + "（完）"


def splits_of(ws: Workspace, salt: str = "s", rule: str = "60/20/20") -> dict[str, str]:
    options = ExportOptions("gold", split=rule, salt=salt)
    result = ExportResult(options=options, schema=ws.schema())
    return first_pass(Source(ws, "gold", "done"), options, result, ws.root / "stage")[0]


def test_parse_split() -> None:
    assert parse_split("80/10/10") == (("train", 0.8), ("validation", 0.1), ("test", 0.1))
    assert parse_split("9/1") == (("train", 0.9), ("test", 0.1))
    assert parse_split("100") == (("train", 1.0),)
    for bad in ("", "a/b", "1/2/3/4", "-1/2", "0/0"):
        with pytest.raises(AnnotatorError):
            parse_split(bad)


def test_assignment_follows_the_shares() -> None:
    rule = parse_split("80/10/10")
    counts = {"train": 0, "validation": 0, "test": 0}
    for i in range(4000):
        counts[assign("salt", f"doc-{i}", rule)] += 1
    assert 0.77 < counts["train"] / 4000 < 0.83
    assert 0.08 < counts["test"] / 4000 < 0.12
    assert assign("salt", "doc-1", rule) == assign("salt", "doc-1", rule)


def test_stable_when_documents_are_added(tmp_path: Path) -> None:
    rng = random.Random(5)
    ws = init_workspace(tmp_path / "ws")
    for i in range(30):
        add_document(ws, f"old{i:02d}", article(rng), [])
    before = splits_of(ws)
    assert set(before.values()) == {"train", "validation", "test"}
    for i in range(30):
        add_document(ws, f"new{i:02d}", article(rng), [])
    # A reprint of an existing document, dated later, joins it without moving it.
    original = ws.load_document("old07").text
    add_document(ws, "a-reprint", reprint(rng, original), [], date="2026-02-01")
    after = splits_of(ws)
    assert {doc: after[doc] for doc in before} == before
    assert after["a-reprint"] == after["old07"]


def test_duplicate_groups_share_a_split(tmp_path: Path) -> None:
    rng = random.Random(11)
    ws = init_workspace(tmp_path / "ws")
    base = [article(rng) for _ in range(12)]
    for i, text in enumerate(base):
        add_document(
            ws, f"base{i:02d}", text, [], url=f"https://a.example.cn/{i}", date="2025-01-01"
        )
        # The same URL written differently, the same text with other whitespace/width, a reprint.
        add_document(ws, f"url{i:02d}", article(rng), [], url=f"HTTP://www.A.example.cn/{i}/#top")
        add_document(ws, f"same{i:02d}", text.replace("。", "。 \n"), [])
        add_document(ws, f"near{i:02d}", reprint(rng, text), [])
    split = splits_of(ws, rule="34/33/33")
    for i in range(12):
        group = {split[f"{kind}{i:02d}"] for kind in ("base", "url", "same", "near")}
        assert len(group) == 1, i
    assert len({split[f"base{i:02d}"] for i in range(12)}) > 1  # groups themselves are spread


def test_unrelated_articles_are_not_grouped() -> None:
    rng = random.Random(3)
    grouper = DuplicateGrouper()
    for i in range(600):
        grouper.add(f"d{i}", article(rng, 300))
    groups = grouper.groups()
    assert all(doc == group for doc, group in groups.items())


def test_canonical_forms() -> None:
    assert canonical_text("Ａｂｃ 数据\n泄露　！") == "abc数据泄露!"
    assert canonical_url("https://www.Example.cn/a/#x") == canonical_url("http://example.cn/a")


def test_card_states_the_split_rule(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    text, wanted = TEXTS["a01"]
    add_document(ws, "a01", text, wanted)
    add_document(ws, "a01-copy", text, wanted)
    result = export_hf(ws, tmp_path / "out", ExportOptions("gold", salt="pepper"))
    assert result.duplicate_groups == 1 and result.grouped_documents == 2
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert 'sha256("pepper:" + group)' in card
