"""The read side of import: files and folders to normalized RawDocuments."""

from __future__ import annotations

import codecs
from pathlib import Path

import orjson
import pytest

from annotator.ingest.errors import IngestError
from annotator.ingest.reader import (
    Limits,
    RawDocument,
    iter_files,
    read_file,
    read_path,
    slug_id,
)
from annotator.model import doc_id_problem
from annotator.text.normalize import is_normalized

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ingest"
ARTICLE = "星河酒店集团承认，约500万条入住记录可能外泄。\n集团发言人钱某表示正在调查。"


def one(path: Path, limits: Limits | None = None) -> RawDocument:
    docs = list(read_file(path, limits or Limits()))
    assert len(docs) == 1
    return docs[0]


def test_txt_with_front_matter_and_html_is_read_as_what_it_is() -> None:
    doc = one(FIXTURES / "news_scrape.txt")
    assert doc.id == "news_scrape"
    assert doc.text == (
        "据示例财经报道，青禾科技有限公司的会员系统遭到入侵，约12万条会员资料外泄。\n\n"
        "泄露的字段包括姓名、手机号和收货地址 等。\n\n"
        "青禾科技办公楼（示意图）\n\n"
        "警方已以涉嫌侵犯公民个人信息罪\n刑事拘留赵某。"
    )
    assert doc.meta["title"] == "青禾科技约12万条会员资料外泄，公司称已报警"
    assert doc.meta["date"] == "2027-03-02T08:30:00+00:00"
    assert doc.meta["source"] == "示例财经"
    assert doc.meta["script"] == "simplified"
    assert doc.meta["language"] == "zh"
    assert "<" not in doc.text and "track" not in doc.text


def test_markdown_with_front_matter() -> None:
    doc = one(FIXTURES / "article.md")
    # The title stays in the body as written and is also the metadata title.
    assert doc.text.startswith("雲帆物流資料庫遭駭客入侵\n\n雲帆物流的倉庫。\n\n雲帆物流證實")
    assert "**" not in doc.text and "](" not in doc.text and "圖表" not in doc.text
    assert doc.meta["title"] == "雲帆物流資料庫遭駭客入侵"
    assert doc.meta["date"] == "2027-01-15"
    assert doc.meta["tags"] == "資料外洩, 物流"
    assert doc.meta["script"] == "traditional"


def test_html_page() -> None:
    doc = one(FIXTURES / "page.html")
    assert doc.meta["title"] == "星河酒店集团会员数据疑遭泄露"
    assert doc.meta["date"] == "2027-04-01"
    assert doc.meta["url"] == "https://example.invalid/xinghe"
    assert doc.text == (
        "星河酒店会员数据疑遭泄露\n\n星河酒店集团承认，约 500万条入住记录可能外泄。\n\n"
        "姓名\n身份证号\n\n集团发言人钱某表示：“我们正在调查。”"
    )


def test_jsonl_rows() -> None:
    docs = list(read_file(FIXTURES / "rows.jsonl"))
    assert [d.id for d in docs] == ["row-1", None, "row-3"]
    assert docs[0].spans == [
        {"start": 0, "end": 4, "label": "ORG"},
        {"start": 5, "end": 8, "label": "NUMBER", "text": "八千名"},
    ]
    assert docs[0].meta["title"] == "白鹭银行"
    assert docs[1].spans is None and docs[2].spans == []
    assert docs[1].origin.endswith("rows.jsonl:3")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5"])
def test_every_encoding_through_the_reader(tmp_path: Path, encoding: str) -> None:
    text = ARTICLE if encoding != "big5" else "星河酒店集團承認，約500萬條入住記錄可能外洩。"
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode(encoding))
    assert one(path).text == text


def test_windows_newlines_and_nfd_are_normalized(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Cafe\u0301 第一行\r\n第二行\r第三行\x07".encode())
    doc = one(path)
    assert doc.text == "Café 第一行\n第二行\n第三行"
    assert is_normalized(doc.text)


def test_jsonl_spans_follow_normalization(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    row = {
        "id": "a",
        "text": "第一行\r\n白鹭银行外泄",
        "spans": [{"start": 5, "end": 9, "label": "ORG"}],
    }
    path.write_bytes(orjson.dumps(row) + b"\n")
    doc = one(path)
    assert doc.text == "第一行\n白鹭银行外泄"
    assert doc.spans == [{"start": 4, "end": 8, "label": "ORG"}]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "a", "text": "甲"', "not valid JSON"),
        ('["text"]', "JSON object"),
        ('{"id": "a"}', '"text"'),
        ('{"text": "甲", "spans": [{"start": "0", "end": 1, "label": "ORG"}]}', "integer"),
        ('{"text": "甲", "meta": "x"}', '"meta"'),
        ('{"id": "../x", "text": "甲"}', "looks like a path"),
        ('{"id": "/abs", "text": "甲"}', "looks like a path"),
        ('{"id": "a/b", "text": "甲"}', "looks like a path"),
        ('{"id": "a", "text": "  "}', "no text"),
    ],
)
def test_broken_jsonl_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"id": "ok", "text": "正常的一行"}\n' + line + "\n", encoding="utf-8")
    rows = read_file(path)
    assert next(rows).id == "ok"  # rows before the broken line were already read
    with pytest.raises(IngestError, match=message) as info:
        next(rows)
    assert f"{path}:2:" in str(info.value)


def test_jsonl_is_streamed_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(2000):
            handle.write(f'{{"id": "d{i}", "text": "第{i}条记录"}}\n')
    rows = read_file(path)
    assert next(rows).id == "d0"
    # A line longer than the limit is refused without reading it all.
    path.write_text('{"text": "' + "长" * 5000 + '"}\n', encoding="utf-8")
    with pytest.raises(IngestError, match="line is over"):
        list(read_file(path, Limits(max_line_bytes=1024)))


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100))
    with pytest.raises(IngestError, match="binary") as info:
        list(read_file(path))
    assert str(path) in str(info.value)


def test_oversize_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("数据" * 2_000_000, encoding="utf-8")  # 12,000,000 bytes = 11.4 MiB
    with pytest.raises(IngestError, match=r"11\.4 MB, over the 10 MB limit"):
        list(read_file(path))


def test_oversize_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    path.write_bytes(b"<p>" + b"a" * 3000 + b"</p>")
    with pytest.raises(IngestError, match="file is"):
        list(read_file(path, Limits(max_file_bytes=1000)))


def test_oversize_jsonl_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"text": "' + "长" * 400 + '"}\n', encoding="utf-8")
    with pytest.raises(IngestError, match="over the") as info:
        list(read_file(path, Limits(max_text_bytes=1000)))
    assert ":1:" in str(info.value)


def test_empty_article_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<script>x()</script>", encoding="utf-8")
    with pytest.raises(IngestError, match="no text"):
        list(read_file(path))


def test_folder_walk_is_sorted_recursive_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "z.md").write_text("乙", encoding="utf-8")
    (tmp_path / "a.txt").write_text("甲", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("隐", encoding="utf-8")
    (tmp_path / ".git" / "c.txt").write_text("丙", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    skipped: list[Path] = []
    files = list(iter_files(tmp_path, skipped.append))
    assert [f.relative_to(tmp_path).as_posix() for f in files] == ["a.txt", "b/z.md"]
    assert skipped == [tmp_path / "photo.jpg"]
    assert [d.text for d in read_path(tmp_path)] == ["甲", "乙"]


def test_missing_path() -> None:
    with pytest.raises(IngestError, match="no such file"):
        list(read_path(Path("/nonexistent/nowhere.txt")))


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("news_scrape", "news_scrape"),
        ("淘宝 新闻 2021", "淘宝-新闻-2021"),
        ("..secret", "secret"),
        ("a..b", "a.b"),
        ("a/b\\c", "a-b-c"),
        ("...", None),
        ("x" * 200, "x" * 128),
    ],
)
def test_ids_from_file_stems_are_safe(stem: str, expected: str | None) -> None:
    slug = slug_id(stem)
    assert slug == expected
    if slug is not None:
        assert doc_id_problem(slug) is None


def test_english_text_is_not_marked_chinese(tmp_path: Path) -> None:
    path = tmp_path / "en.txt"
    path.write_text("A bank leaked 8,000 card numbers (白鹭银行).", encoding="utf-8")
    doc = one(path)
    assert "language" not in doc.meta


def test_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(codecs.BOM_UTF8 + "---\ntitle: 甲\n---\n正文".encode())
    doc = one(path)
    assert doc.text == "正文" and doc.meta["title"] == "甲"
