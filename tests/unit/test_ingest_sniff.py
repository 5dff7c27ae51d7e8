"""Content sniffing: what a file is, decided by its content before its extension."""

from __future__ import annotations

import pytest

from annotator.ingest.sniff import looks_like_jsonl, sniff_body, split_front_matter


def test_front_matter_after_blank_lines() -> None:
    block, body = split_front_matter("\n\n---\ntitle: 甲\n---\n\n<p>正文</p>\n")
    assert block == "title: 甲\n"
    assert body == "\n<p>正文</p>\n"


def test_empty_front_matter_and_dots_terminator() -> None:
    assert split_front_matter("---\n---\n正文") == ("", "正文")
    assert split_front_matter("---\na: 1\n...\n正文") == ("a: 1\n", "正文")


def test_no_front_matter() -> None:
    text = "正文\n---\n不是前言\n---\n"
    assert split_front_matter(text) == (None, text)


@pytest.mark.parametrize(
    ("body", "suffix", "kind"),
    [
        ('<div>\n<p style="x">一段</p><p>二段</p>\n</div>', ".txt", "html"),
        ("<!DOCTYPE html><html><body>正文</body></html>", ".txt", "html"),
        (
            "# 标题\n\n<figure>\n<img src=a>\n<figcaption>图</figcaption>\n</figure>\n\n正文",
            ".txt",
            "markdown",
        ),
        ("正文 **强调** 和 [链接](https://x.invalid)", ".txt", "markdown"),
        ("纯文本，没有标记。\n第二行。", ".txt", "text"),
        ("纯文本", ".md", "markdown"),
        ("纯文本", ".html", "html"),
        ("a <b> c", ".txt", "text"),  # one stray tag is not HTML
    ],
)
def test_sniff_body(body: str, suffix: str, kind: str) -> None:
    assert sniff_body(body, suffix) == kind


def test_jsonl_by_content_or_extension() -> None:
    assert looks_like_jsonl(b'{"text": "a"}\n', ".txt")
    assert looks_like_jsonl(b'\xef\xbb\xbf{"id": "a", "text": "b"}', "")
    assert looks_like_jsonl(b"", ".jsonl")
    assert not looks_like_jsonl(b"{not json", ".txt")
    assert not looks_like_jsonl(b"<p>{}</p>", ".html")
