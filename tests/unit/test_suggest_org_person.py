"""ORG and PERSON suggesters (and quoted names): guideline cases in both scripts."""

from __future__ import annotations

import pytest

from annotator.suggest.base import SuggestContext
from annotator.suggest.engine import suggest_text
from annotator.suggest.org import suggester as org_suggester
from annotator.suggest.person import suggester as person_suggester


def found(text: str, label: str) -> list[str]:
    return [s.text for s in suggest_text(text) if s.label == label]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("黎某成立浏阳市星河网络科技有限公司", ["浏阳市星河网络科技有限公司"]),
        ("河南省商丘市睢阳区人民法院一审", ["河南省商丘市睢阳区人民法院"]),
        ("上海市公安局浦东分局通报", ["上海市公安局浦东分局"]),
        ("上海警方通报", ["上海警方"]),
        ("淘宝（中国）软件有限公司回应", ["淘宝（中国）软件有限公司"]),
        ("浙江大学新闻传播学院教授", ["浙江大学新闻传播学院"]),
        ("據路透社報道，阿里巴巴回應", ["路透社", "阿里巴巴"]),
        ("中國裁判文書網公布", ["中國裁判文書網"]),
        ("淘宝用户", ["淘宝"]),  # a platform as a modifier is still marked
    ],
)
def test_org_found(text: str, expected: list[str]) -> None:
    assert found(text, "ORG") == expected


@pytest.mark.parametrize(
    "text",
    [
        "该公司表示",
        "当地警方",
        "法院判决",
        "一家科技公司",
        "成为淘宝客",
        "北京大学生",
        "公司客服部",
    ],
)
def test_not_org(text: str) -> None:
    assert [s.text for s in org_suggester().suggest(text, SuggestContext(text))] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("被告人逯某犯罪", ["逯某"]),
        ("黎先生跟逯先生講", ["黎先生", "逯先生"]),
        ("周某某与王某", ["周某某", "王某"]),
        ("律师陈良表示", ["陈良"]),  # the title stays outside
        ("記者廖樂欣報道", ["廖樂欣"]),
        ("研究员倪子谦介绍", ["倪子谦"]),
    ],
)
def test_person_found(text: str, expected: list[str]) -> None:
    assert found(text, "PERSON") == expected


@pytest.mark.parametrize(
    "text",
    ["周姓男子", "知情人士称", "深圳某科技公司", "位于某市", "股份有限公司某支行", "被告人认罪"],
)
def test_not_person(text: str) -> None:
    assert [s.text for s in person_suggester().suggest(text, SuggestContext(text))] == []


def test_quoted_names_and_aliases_are_echoed() -> None:
    text = "星河科技有限公司（下称“星河”）称，星河已报警。卖家“Kestrel”称，Kestrel不认识他。"
    assert found(text, "ORG").count("星河") == 2
    assert found(text, "PERSON") == ["Kestrel", "Kestrel"]


def test_short_company_name_is_found_where_it_recurs() -> None:
    text = "上海畅融网络科技有限公司发生泄露。畅融网络一名员工表示。"
    assert found(text, "ORG") == ["上海畅融网络科技有限公司", "畅融网络"]


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("电商平台“优禾购”称", "ORG", ["优禾购"]),
        ("勒索组织「LockNest」宣称", "ORG", ["LockNest"]),
        ("一名化名「小蓁」的網友表示", "PERSON", ["小蓁"]),
        ("一个ID为“Kestrel”的用户在黑客论坛发帖", "PERSON", ["Kestrel"]),
        ("电商平台“双十一”活动期间", "ORG", []),
        ("点击“立即领取”链接", "PERSON", []),
    ],
)
def test_quoted_names_are_classified_by_their_context(
    text: str, label: str, expected: list[str]
) -> None:
    assert found(text, label) == expected
