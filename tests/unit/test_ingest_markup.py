"""Markup stripping: HTML and markdown to readable text, front matter to metadata."""

from __future__ import annotations

import pytest

from annotator.ingest.errors import IngestError
from annotator.ingest.markup import (
    front_matter_meta,
    html_document,
    html_to_text,
    iso_date,
    markdown_to_text,
    parse_front_matter,
)


def test_paragraphs_and_breaks_become_newlines() -> None:
    text, _ = html_to_text("<p>第一段。</p><p>第二段<br>换行</p><div>块</div><h2>小标题</h2>尾")
    assert text == "第一段。\n\n第二段\n换行\n\n块\n\n小标题\n\n尾"


def test_dropped_elements_leave_no_text() -> None:
    html = (
        "<p>正文</p><script>var x = '<p>no</p>';</script><style>p{color:red}</style>"
        "<noscript>请启用脚本</noscript><iframe src='a'>框</iframe>"
        "<svg><g><title>图标</title><text>svg文字</text></g></svg>"
        "<figure><img src='a.jpg' alt='配图说明'><figcaption>图注</figcaption></figure>"
    )
    text, title = html_to_text(html)
    assert text == "正文\n\n图注"
    assert title is None  # an <svg><title> is not the page title


def test_entities_links_and_nbsp() -> None:
    text, _ = html_to_text(
        '<p>A&amp;B 公司&lt;示例&gt;称&nbsp;&nbsp;<a href="https://x.invalid">声明</a>&ldquo;属实&rdquo;</p>'
    )
    assert text == "A&B 公司<示例>称  声明“属实”"


def test_whitespace_rules() -> None:
    # Source line breaks between CJK vanish; elsewhere runs are one space;
    # no trailing spaces; never more than one blank line.
    html = (
        "<p>  黑客\n   入侵 of\n  the   system  </p>\n\n<p></p><p></p><br><br><br><br><p>末段</p>"
    )
    text, _ = html_to_text(html)
    assert text == "黑客入侵 of the system\n\n末段"
    assert all(line == line.rstrip() for line in text.split("\n"))


def test_list_items_and_pre() -> None:
    text, _ = html_to_text("<ul><li>姓名</li><li>手机号</li></ul><pre>a  b\n  c</pre>")
    assert text == "姓名\n手机号\n\na  b\n  c"


def test_ordered_lists_keep_their_numbers() -> None:
    text, _ = html_to_text('<ol start="3"><li>姓名</li><li>手机号<ul><li>甲</li></ul></li></ol>')
    assert text == "3. 姓名\n4. 手机号\n甲"
    assert markdown_to_text("1. 姓名\n2. 手机号\n")[0] == "1. 姓名\n2. 手机号"


def test_title_from_title_tag_then_first_h1() -> None:
    assert html_to_text("<title> 页面 标题 </title><h1>大标题</h1>")[1] == "页面 标题"
    assert html_to_text("<p>导语</p><h1>大标题</h1><h1>第二</h1>")[1] == "大标题"


def test_page_metadata_from_head() -> None:
    html = (
        "<html><head>"
        '<meta charset="utf-8"><meta name="date" content="2024/2/27">'
        '<meta property="og:site_name" content="示例新闻网">'
        '<meta property="og:title" content="备用标题">'
        '<link rel="canonical" href="https://news.example.invalid/1">'
        "</head><body><h1>正文标题</h1><p>正文</p></body></html>"
    )
    text, meta = html_document(html)
    assert text == "正文标题\n\n正文"
    assert meta == {
        "date": "2024-02-27",
        "source": "示例新闻网",
        "url": "https://news.example.invalid/1",
        "title": "备用标题",
    }


def test_markdown_is_reduced_to_text() -> None:
    md = (
        "# 雲帆物流遭入侵\n\n"
        "雲帆物流**證實**資料外洩，約*三萬名*客戶受影響。\n"
        "詳見[聲明](https://example.invalid)。\n\n"
        "![圖](a.png)\n\n"
        "- 姓名\n- 電話\n\n"
        "<figure><img src='b.jpg'><figcaption>倉庫</figcaption></figure>\n"
    )
    text, title = markdown_to_text(md)
    assert title == "雲帆物流遭入侵"
    assert text == (
        "雲帆物流遭入侵\n\n"
        "雲帆物流證實資料外洩，約三萬名客戶受影響。\n詳見聲明。\n\n"
        "姓名\n電話\n\n"
        "倉庫"
    )


def test_markdown_title_only_when_leading() -> None:
    _, title = markdown_to_text("导语在前。\n\n# 后来的标题\n")
    assert title is None


def test_front_matter_fields() -> None:
    block = (
        "title: 示例标题\n"
        "date: 2027-01-15\n"
        "url: https://example.invalid/a\n"
        "author: 某记者\n"
        "tags:\n  - 数据泄露\n  - 银行\n"
        "unrelated: ignored\n"
    )
    meta = parse_front_matter(block, "a.md")
    assert meta == {
        "title": "示例标题",
        "date": "2027-01-15",
        "url": "https://example.invalid/a",
        "author": "某记者",
        "source": "某记者",
        "tags": "数据泄露, 银行",
    }


def test_source_wins_over_author() -> None:
    assert front_matter_meta({"author": "甲", "source": "乙报"})["source"] == "乙报"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-06-16", "2021-06-16"),
        ("Sat, 19 Jun 2021 02:57:00 GMT", "2021-06-19T02:57:00+00:00"),
        ("2021/6/3", "2021-06-03"),
        ("2021年6月3日", "2021-06-03"),
        ("2021-06-16T10:00:00Z", "2021-06-16T10:00:00+00:00"),
        ("上周三", "上周三"),  # unreadable dates are kept as written
    ],
)
def test_dates_become_iso(value: str, expected: str) -> None:
    assert iso_date(value) == expected


def test_yaml_is_loaded_safely() -> None:
    with pytest.raises(IngestError, match="not valid YAML"):
        parse_front_matter("title: !!python/object/apply:os.system ['true']\n", "evil.md")


def test_broken_yaml_names_the_file() -> None:
    with pytest.raises(IngestError, match=r"bad\.md.*not valid YAML") as info:
        parse_front_matter("title: a: b: c\ndate: [\n", "bad.md")
    assert "fix" in str(info.value).lower() or "quote" in str(info.value)


def test_non_mapping_block_is_not_front_matter() -> None:
    assert parse_front_matter("只是一段文字\n", "a.md") is None
