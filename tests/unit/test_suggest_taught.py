"""Taught suggestions: in-document propagation and the workspace lexicon files."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.model import Span
from annotator.suggest.engine import suggest_document
from annotator.suggest.taught import (
    TaughtLexicon,
    add_entries,
    lexicon_path,
    load_lexicon,
    read_entries,
    remove_entries,
)


def test_labelled_string_is_suggested_at_its_other_occurrences() -> None:
    text = "从前卖出数据。买家联系从前，从前又卖了一次。"
    labelled = [Span(start=0, end=2, label="PERSON", text="从前")]
    got = [(s.start, s.end, s.label, s.source) for s in suggest_document(text, labelled=labelled)]
    taught = [g for g in got if g[3] == "taught"]
    assert [(g[0], g[1], g[2]) for g in taught] == [(11, 13, "PERSON"), (14, 16, "PERSON")]


def test_taught_strings_cross_scripts() -> None:
    text = "雲帆數據洩露。云帆数据回应。"
    labelled = [Span(start=0, end=4, label="ORG", text="雲帆數據")]
    got = [s for s in suggest_document(text, labelled=labelled) if s.source == "taught"]
    assert [(s.start, s.end, s.text) for s in got] == [(7, 11, "云帆数据")]


def test_workspace_lexicon_propagates_to_other_documents(tmp_path: Path) -> None:
    lexicon_dir = tmp_path / "labels" / "lexicon"
    assert add_entries(lexicon_dir, "PERSON", ["ChinaDan", "从前"]) == ["ChinaDan", "从前"]
    lexicon = load_lexicon(lexicon_dir)
    text = "黑客ChinaDan称，从前也在卖。ChinaDans不是他。"
    got = [
        (s.text, s.label) for s in suggest_document(text, lexicon=lexicon) if s.source == "taught"
    ]
    assert got == [("ChinaDan", "PERSON"), ("从前", "PERSON")]


def test_lexicon_file_is_sorted_deduplicated_and_removable(tmp_path: Path) -> None:
    lexicon_dir = tmp_path / "lexicon"
    add_entries(lexicon_dir, "ORG", ["星河", "北辰银行", " 星河 ", ""])
    assert add_entries(lexicon_dir, "ORG", ["星河", "云帆"]) == ["云帆"]
    path = lexicon_path(lexicon_dir, "ORG")
    raw = path.read_text(encoding="utf-8")
    assert raw == "".join(e + "\n" for e in sorted(["星河", "北辰银行", "云帆"]))
    assert remove_entries(lexicon_dir, "ORG", ["星河", "不存在"]) == ["星河"]
    assert read_entries(path) == sorted(["北辰银行", "云帆"])
    assert not list(lexicon_dir.glob("*.tmp"))


def test_lexicon_rejects_bad_labels_and_multiline_entries(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        lexicon_path(tmp_path, "../x")
    with pytest.raises(ValueError):
        add_entries(tmp_path, "ORG", ["a\nb"])


def test_empty_lexicon_suggests_nothing_taught(tmp_path: Path) -> None:
    lexicon = load_lexicon(tmp_path / "missing")
    assert isinstance(lexicon, TaughtLexicon) and len(lexicon) == 0
    assert not [s for s in suggest_document("星河公司", lexicon=lexicon) if s.source == "taught"]


def test_concurrent_additions_keep_a_valid_file(tmp_path: Path) -> None:
    """Writes are atomic: whatever interleaving, the file parses and is sorted."""
    words = [f"组织{i}" for i in range(8)]
    threads = [threading.Thread(target=add_entries, args=(tmp_path, "ORG", [w])) for w in words]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = read_entries(lexicon_path(tmp_path, "ORG"))
    assert entries == sorted(set(entries)) and entries


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="星河云帆数据ab_ ", min_size=1, max_size=6), max_size=8))
def test_lexicon_round_trip(tmp_path_factory: pytest.TempPathFactory, entries: list[str]) -> None:
    directory = tmp_path_factory.mktemp("lex")
    add_entries(directory, "ORG", entries)
    expected = sorted({e.strip() for e in entries} - {""})
    assert read_entries(lexicon_path(directory, "ORG")) == expected
    assert load_lexicon(directory).entries.get("ORG", ()) == tuple(expected)
