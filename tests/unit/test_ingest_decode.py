"""Decoding: every encoding Chinese news arrives in, and no silent mojibake."""

from __future__ import annotations

import codecs

import pytest

from annotator.ingest.decode import decode_bytes
from annotator.ingest.errors import IngestError

SIMPLIFIED = "某物流公司数据库遭黑客入侵，约三万名客户的姓名和电话号码外泄。"
TRADITIONAL = "某物流公司資料庫遭駭客入侵，約三萬名客戶的姓名及電話號碼外洩。"
# Short texts are the hard case: GBK bytes are often valid Big5 and vice versa.
SHORT_SIMPLIFIED = ["数据泄露", "公司", "密码", "黑客窃取了用户数据", "罚款十万元"]
SHORT_TRADITIONAL = ["資料外洩", "密碼", "駭客竊取了用戶資料", "帳號密碼", "個資"]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SIMPLIFIED.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8"),
        (SIMPLIFIED.encode("utf-16"), "utf-16-le"),  # Python writes a BOM
        (codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), "utf-16-be"),
        (SIMPLIFIED.encode("gb18030"), "gb18030"),
        (SIMPLIFIED.encode("gbk"), "gb18030"),
        (TRADITIONAL.encode("gb18030"), "gb18030"),
        (TRADITIONAL.encode("big5"), "big5"),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16le-bom",
        "utf16be-bom",
        "gb18030",
        "gbk",
        "trad-gb18030",
        "big5",
    ],
)
def test_each_encoding_decodes_to_the_original(data: bytes, encoding: str) -> None:
    decoded = decode_bytes(data, "a.txt")
    assert decoded.text.lstrip("\ufeff") == decoded.text
    assert decoded.text in (SIMPLIFIED, TRADITIONAL)
    assert decoded.encoding == encoding


@pytest.mark.parametrize("text", SHORT_SIMPLIFIED)
def test_short_simplified_in_gbk_is_not_read_as_big5(text: str) -> None:
    assert decode_bytes(text.encode("gbk")).text == text


@pytest.mark.parametrize("text", SHORT_TRADITIONAL)
@pytest.mark.parametrize("encoding", ["big5", "gb18030"])
def test_short_traditional_in_big5_or_gbk(text: str, encoding: str) -> None:
    assert decode_bytes(text.encode(encoding)).text == text


def test_big5_hkscs_characters() -> None:
    text = "香港某商場的會員資料外洩，涉及約二千人，包括姓名及電話號碼。" + "嘅"  # HKSCS
    assert decode_bytes(text.encode("big5hkscs")).text == text


def test_mixed_ascii_and_chinese_in_gbk() -> None:
    text = "Example Ltd（示例有限公司）称 user_id、手机号等 2,000 条记录外泄。"
    assert decode_bytes(text.encode("gbk")).text == text


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x00\x00",
        "plain ASCII text as UTF-16 without a BOM".encode("utf-16-le"),
    ],
    ids=["png", "zip", "utf16-ascii-no-bom"],
)
def test_binary_is_refused(data: bytes) -> None:
    with pytest.raises(IngestError, match="binary"):
        decode_bytes(data, "x.bin")


@pytest.mark.parametrize(
    "data",
    [
        "café au lait, naïve résumé".encode("cp1252"),
        "Привет, мир".encode("cp1251"),
        "こんにちは世界、データ漏洩".encode("shift_jis"),
        bytes(range(0x80, 0x100)) * 4,
        SIMPLIFIED.encode("utf-16-le"),  # no BOM: not guessed
    ],
    ids=["cp1252", "cp1251", "shift_jis", "high-bytes", "utf16-no-bom"],
)
def test_other_encodings_are_refused_not_garbled(data: bytes) -> None:
    with pytest.raises(IngestError, match="unknown encoding") as info:
        decode_bytes(data, "news.txt")
    assert "news.txt" in str(info.value)
    assert "UTF-8" in str(info.value)


def test_bom_with_broken_body_is_refused() -> None:
    with pytest.raises(IngestError, match="byte-order mark"):
        decode_bytes(codecs.BOM_UTF8 + b"\xff\xfe\xfa", "a.txt")


def test_valid_utf8_full_of_controls_is_binary() -> None:
    with pytest.raises(IngestError, match="binary"):
        decode_bytes(bytes(range(1, 32)) * 10, "a.txt")
