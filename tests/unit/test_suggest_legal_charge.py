"""LEGAL_CHARGE suggester: lexicon and general `cue + …罪` rule, both scripts."""

from __future__ import annotations

import pytest

from annotator.suggest.base import SuggestContext
from annotator.suggest.legal_charge import suggester


def charges(text: str) -> list[str]:
    return [s.text for s in suggester().suggest(text, SuggestContext(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("被告人犯侵犯公民个人信息罪，判处", ["侵犯公民个人信息罪"]),
        ("因侵犯公民個人信息罪成", ["侵犯公民個人信息罪"]),
        ("构成非法获取计算机信息系统数据罪", ["非法获取计算机信息系统数据罪"]),
        ("以非法侵入計算機信息系統罪起訴", ["非法侵入計算機信息系統罪"]),
        ("涉嫌破坏计算机信息系统罪和诈骗罪", ["破坏计算机信息系统罪", "诈骗罪"]),
        ("涉嫌帮助信息网络犯罪活动罪", ["帮助信息网络犯罪活动罪"]),
        ("被控串謀詐騙罪及洗黑錢罪", ["串謀詐騙罪", "洗黑錢罪"]),
        # not in the lexicon: found by the cue 涉嫌 and the general pattern
        ("涉嫌非法买卖公民行踪数据罪", ["非法买卖公民行踪数据罪"]),
    ],
)
def test_charges_are_found(text: str, expected: list[str]) -> None:
    assert sorted(charges(text)) == sorted(expected)


@pytest.mark.parametrize(
    "text",
    [
        "依据《网络安全法》第四十一条",
        "《关于办理侵犯公民个人信息罪刑事案件的解释》",
        "审理逯某侵犯公民个人信息案",
        "他当庭认罪",
        "涉嫌犯罪",
        "打击网络犯罪",
        "表示不會與犯罪集團談判",
    ],
)
def test_not_charges(text: str) -> None:
    assert charges(text) == []
