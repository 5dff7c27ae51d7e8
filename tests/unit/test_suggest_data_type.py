"""DATA_TYPE suggester: lexicon, owner compounds, lists, Latin fields, both scripts."""

from __future__ import annotations

import pytest

from annotator.suggest.base import SuggestContext
from annotator.suggest.data_type import suggester


def kinds(text: str) -> list[str]:
    found = suggester().suggest(text, SuggestContext(text))
    return [s.text for s in sorted(found, key=lambda s: s.start)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("包括用户ID、昵称及电话号码", ["用户ID", "昵称", "电话号码"]),
        ("包括用戶ID、暱稱及電話號碼", ["用戶ID", "暱稱", "電話號碼"]),
        ("爬取淘宝客户手机号", ["淘宝客户手机号"]),
        ("取得買家用戶名稱、評價內容", ["買家用戶名稱", "評價內容"]),
        ("字段有user_id、user_nick", ["user_id", "user_nick"]),
        (
            "姓名、学历、家庭住址、身份证号及工作单位",
            ["姓名", "学历", "家庭住址", "身份证号", "工作单位"],
        ),
        ("泄露姓名、电话、地址", ["姓名", "电话", "地址"]),  # ambiguous nouns inside a list
        ("记录了行踪轨迹信息", ["行踪轨迹信息"]),
    ],
)
def test_data_kinds_are_found(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "大量用户信息和个人信息被泄露",
        "个人身份信息",
        "他打电话给律师",
        "这批员工资料",
        "昵称为“DragonPike”的用户",
        "请求中修改 item_id 参数",
    ],
)
def test_not_data_kinds(text: str) -> None:
    assert kinds(text) == []


def test_items_listed_after_a_known_kind_are_suggested() -> None:
    found = kinds("说出她的身份证号码与看诊科别，并要求")
    assert found == ["身份证号码", "看诊科别"]
