"""What a file is, judged by its content first and its extension second.

News scrapes arrive as `.txt` files holding YAML front matter and HTML or
markdown; a `.jsonl` may be named `.txt`. The extension only decides when the
content gives no signal.
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["html", "markdown", "text"]

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
TEXT_SUFFIXES = frozenset({".txt", ".text"})
# What a folder walk picks up; a file named on the command line is always read.
KNOWN_SUFFIXES = HTML_SUFFIXES | MARKDOWN_SUFFIXES | JSONL_SUFFIXES | TEXT_SUFFIXES

# `---` on its own line (possibly after blank lines), YAML, then `---` or `...`.
_FRONT_MATTER_RE = re.compile(
    r"\A(?:[ \t]*\n)*---[ \t]*\n(?P<yaml>(?:.*?\n)??)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL
)
_HTML_DOCUMENT_RE = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_HTML_TAG_RE = re.compile(
    r"<(?:p|div|br|hr|figure|figcaption|img|h[1-6]|ul|ol|li|table|tr|td|span|a|"
    r"article|section|blockquote|strong|em|b|i|script|style|iframe|body|head|title)\b[^<>]*>",
    re.I,
)
_MARKDOWN_RES = (
    re.compile(r"^#{1,6}[ \t]+\S", re.M),  # ATX heading
    re.compile(r"!?\[[^\]\n]+\]\([^)\n]+\)"),  # link or image
    re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"),  # strong emphasis
    re.compile(r"^(?:```|~~~)", re.M),  # fenced code
    re.compile(r"^[^\n]+\n(?:=+|-+)[ \t]*$", re.M),  # setext heading
)
_JSONL_HEAD_RE = re.compile(rb'\A\s*\{\s*"(?:id|text|meta|spans)"\s*:')


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(YAML block or None, body). Leading blank lines before `---` are allowed."""
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        return None, text
    return match.group("yaml") or "", text[match.end() :]


def sniff_body(body: str, suffix: str = "") -> Kind:
    """HTML, markdown or plain text, for a body already stripped of front matter.

    Markdown that embeds a few HTML blocks (a `<figure>`) is markdown: the
    markdown renderer passes the HTML through. HTML with an incidental
    markdown-looking fragment is HTML: rendering it as markdown would turn its
    indented lines into code blocks.
    """
    suffix = suffix.lower()
    if _HTML_DOCUMENT_RE.match(body) or suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    html_tags = len(_HTML_TAG_RE.findall(body))
    markdown = sum(len(pattern.findall(body)) for pattern in _MARKDOWN_RES)
    if html_tags >= 2 and html_tags > 3 * markdown:
        return "html"
    if markdown:
        return "markdown"
    return "html" if html_tags >= 2 else "text"


def looks_like_jsonl(head: bytes, suffix: str = "") -> bool:
    """JSONL by extension, or a first line that opens a row object."""
    if suffix.lower() in JSONL_SUFFIXES:
        return True
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return _JSONL_HEAD_RE.match(head) is not None
