"""NUMBER suggester: the guidelines' positive and negative cases, in both scripts."""

from __future__ import annotations

import pytest

from annotator.suggest.base import SuggestContext
from annotator.suggest.number import suggester


def numbers(text: str) -> list[str]:
    return [s.text for s in suggester().suggest(text, SuggestContext(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("共泄露11.8亿条记录", ["11.8亿条"]),
        ("共洩露１１．８１億條記錄", ["１１．８１億條"]),
        ("共1180738048条", ["1180738048条"]),
        ("判处有期徒刑三年六个月", ["三年六个月"]),
        ("判處有期徒刑3年3個月", ["3年3個月"]),
        ("获利一万一千元", ["一万一千元"]),
        ("涉及千萬用戶", ["千萬"]),
        ("罚款10至35万元", ["10至35万元"]),
        ("每人600～1000个", ["600～1000个"]),
        ("影响近10亿用户", ["近10亿"]),
        ("5000多万条数据", ["5000多万条"]),
        ("赔偿约20万美元", ["约20万美元"]),
        ("持续了一年多", ["一年多"]),
        ("78．2%的网民", ["78．2%"]),
        ("数据库大小20G", ["20G"]),
        ("总计23太字节", ["23太字节"]),
        ("嫌疑人今年23岁", ["23岁"]),
        ("约三分之一的用户", ["约三分之一"]),
        ("近半数的受访者", ["近半数"]),
        ("二人均认罪", ["二人"]),
        ("被判監3年半", ["3年半"]),
        ("一年三個月至四年不等", ["一年三個月至四年"]),
        ("下载4万7千笔资料", ["4万7千笔"]),
        ("七成左右的网民", ["七成左右"]),
    ],
)
def test_quantities_are_found(text: str, expected: list[str]) -> None:
    assert numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("多达10亿条", ["10亿条"]),  # limit words stay outside
        ("超过1100个微信群", ["1100个"]),
        ("逾七成为老人", ["七成"]),
        ("1000元以上", ["1000元"]),
        ("罚金人民币35万元", ["35万元"]),  # a currency word before the amount stays outside
    ],
)
def test_limit_and_currency_words_stay_outside(text: str, expected: list[str]) -> None:
    assert numbers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2019年11月案发",
        "7月6日宣判",
        "二〇一九年",
        "依据第四十一条",
        "第3次开庭",
        "开发了一个软件",
        "成立一家公司",
        "获利数千元",
        "泄露几万条",
        "上千条记录",
        "千万不要点击",
        "电话13800138000",
        "上线5G网络",
        "下半年开始",
        "加上二次验证",
        "网址%E7%9C%BE",
    ],
)
def test_not_numbers(text: str) -> None:
    assert numbers(text) == []


def test_offsets_point_at_the_original_text() -> None:
    text = "兩名主謀被判監3年3個月"
    for s in suggester().suggest(text, SuggestContext(text)):
        assert text[s.start : s.end] == s.text
        assert s.source == "number" and 0 < s.score <= 1
