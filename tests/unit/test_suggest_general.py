"""Rules that generalise to unseen articles: brands without suffixes, Latin names,
name boundaries next to relation words and verbs, and data nouns in context."""

from __future__ import annotations

import pytest

from annotator.suggest.engine import suggest_text


def found(text: str, label: str) -> list[str]:
    return [s.text for s in suggest_text(text) if s.label == label]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Latin names after a kind noun or ending in an organization word, and their short form
        ("网络安全公司Northgate Labs发布报告。Northgate称", ["Northgate Labs", "Northgate"]),
        ("已委托安全公司Veltrix调查", ["Veltrix"]),
        ("一家名为Pelora Data的营销公司", ["Pelora Data"]),
        # relation words before a name stay outside it
        ("云帆出行的母公司杭州云帆智联科技有限公司表示", ["杭州云帆智联科技有限公司"]),
        ("禾丰的运营方深圳禾丰信息服务有限公司回应", ["禾丰", "深圳禾丰信息服务有限公司"]),
        # a lone 市 after a place name belongs to the name
        ("已被江州市江北区人民检察院批准逮捕", ["江州市江北区人民检察院"]),
        # a noun ending in a verb (情况通报) is not part of the name after it
        ("已将情况通报国家互联网应急中心", ["国家互联网应急中心"]),
        # verbs of telling or selling end a name on their left
        ("永泰银行回复澳门日报查询", ["永泰银行", "澳门日报"]),
        ("已约谈云雀通公司负责人", ["云雀通公司"]),
        # brands without a company suffix, media before 记者
        ("由服务商数衡科技搭建", ["数衡科技"]),
        ("潮汐新闻记者获悉", ["潮汐新闻"]),
        ("本地连锁药房康汇药房承认", ["康汇药房"]),
        ("T-Mobile公司证实", ["T-Mobile公司"]),
    ],
)
def test_org_generalises(text: str, expected: list[str]) -> None:
    assert found(text, "ORG") == expected


@pytest.mark.parametrize(
    "text",
    [
        "已有人在境外聊天软件的频道里出售",  # 聊天 is a known word, not a brand
        "快递面单信息被倒卖",  # a data noun before 信息 is not a brand
        "涉嫌将客户资料出售予放贷集团",
        "委托保安公司调查",
        "在网盘中搜到一个名为“会员底库”的压缩包",
        "好食袋母公司表示",
    ],
)
def test_not_org_general(text: str) -> None:
    assert found(text, "ORG") == []


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("自称“GreyHeron”的黑客组织随后发帖", "ORG", ["GreyHeron"]),
        ("该组织一名网名为“Moonfish”的成员留言", "PERSON", ["Moonfish"]),
        ("“老K”真名邹某", "PERSON", ["老K", "邹某"]),
    ],
)
def test_quoted_names_by_context(text: str, label: str, expected: list[str]) -> None:
    assert found(text, label) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("公司分析师Maria Chen说", ["Maria Chen"]),
        ("中介冯某和Kelvin Lam表示", ["冯某", "Kelvin Lam"]),
        ("辩护人顾晓楠提出异议", ["顾晓楠"]),
        ("高级督察梁家豪说，警方已接获报案", ["梁家豪"]),
        ("美国总统唐纳德·特朗普称", ["唐纳德·特朗普"]),
        ("私隱專員鍾麗玲表示", ["鍾麗玲"]),
        ("（记者 王晓峰 通讯员 李安）近日", ["王晓峰", "李安"]),  # a byline with spaces
        ("被告人张伟、李娜、王强分别被判处", ["张伟", "李娜", "王强"]),  # names listed after a role
    ],
)
def test_person_generalises(text: str, expected: list[str]) -> None:
    assert found(text, "PERSON") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("研究人员发现一个未设密码的数据库", []),
        ("工程师误将其绑定到公网地址", []),
        ("内有人脸照片及对应的会员编号。", ["人脸照片", "会员编号"]),
        ("包括家长手机号和接送人照片。", ["家长手机号", "接送人照片"]),
        ("不要保存信用卡安全码", ["信用卡安全码"]),
        ("采取措施保护会员信息", []),  # an umbrella term, like 用户信息
    ],
)
def test_data_types_in_context(text: str, expected: list[str]) -> None:
    assert found(text, "DATA_TYPE") == expected
