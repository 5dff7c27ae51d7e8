"""Offsets carried between two versions of a text: exact or refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.ingest import align as align_module
from annotator.ingest.align import align

OLD = "白鹭银行约八千名客户的银行卡号外泄，孙某被捕。"


def test_insertion_before_a_span_shifts_it() -> None:
    new = "【快讯】" + OLD
    alignment = align(OLD, new)
    assert alignment.relocate(0, 4) == (4, 8)
    assert new[4:8] == "白鹭银行"


def test_span_over_a_changed_character_cannot_be_placed() -> None:
    new = OLD.replace("八千名", "九千名")
    alignment = align(OLD, new)
    assert alignment.relocate(5, 8) is None  # 八千名 is gone
    assert alignment.relocate(0, 4) == (0, 4)
    assert alignment.relocate(18, 20) == (18, 20)  # 孙某 after the change


def test_deleted_span_cannot_be_placed() -> None:
    new = OLD.replace("孙某被捕。", "")
    assert align(OLD, new).relocate(18, 20) is None


def test_large_texts_align_by_lines_first(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [f"第{i}段：某公司泄露了{i}条记录。\n" for i in range(400)]
    old = "".join(lines)
    new = "".join([*lines[:10], "新增的一段。\n", *lines[10:300], *lines[301:]])
    monkeypatch.setattr(align_module, "_CHAR_LEVEL_LIMIT", 1000)
    alignment = align(old, new)
    start = old.index("第350段")
    placed = alignment.relocate(start, start + 5)
    assert placed is not None and new[placed[0] : placed[1]] == "第350段"
    gone = old.index("第300段")
    assert alignment.relocate(gone, gone + 5) is None


alphabet = st.sampled_from(list("白鹭银行约八千名客户，。\n ab"))


@settings(max_examples=50, deadline=None)
@given(
    old=st.text(alphabet, min_size=1, max_size=60),
    new=st.text(alphabet, max_size=60),
    data=st.data(),
)
def test_relocated_spans_keep_their_surface(old: str, new: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(old) - 1))
    end = data.draw(st.integers(start + 1, len(old)))
    placed = align(old, new).relocate(start, end)
    if placed is not None:
        assert new[placed[0] : placed[1]] == old[start:end]
    if old == new:
        assert placed == (start, end)
