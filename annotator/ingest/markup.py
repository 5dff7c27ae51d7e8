"""Markup -> readable text: YAML front matter, HTML and markdown.

HTML is read with the standard library's `html.parser`: block boundaries
become newlines, images/scripts/styles are dropped, links keep their text.
Markdown is rendered to HTML by markdown-it-py (raw HTML passed through, soft
line breaks kept as written) and then read the same way, so markdown with an
embedded `<figure>` needs no special case.

A title found in the markup (front matter, `<title>`, a first `<h1>`, a
leading `# heading`) goes to the metadata, and the body keeps that heading as
written: the text is what the author published, and removing a line would
make offsets disagree with the source for no gain.
"""

from __future__ import annotations

import email.utils
import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from annotator.ingest.errors import IngestError

# Block elements that end a paragraph (a blank line after them) or a line.
_PARAGRAPH_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl",
     "figure", "hr", "address", "article", "section", "header", "footer", "main", "aside",
     "nav", "details", "fieldset", "form"}
)  # fmt: skip
_LINE_TAGS = frozenset(
    {"div", "li", "tr", "figcaption", "dt", "dd", "caption", "summary", "legend", "center",
     "body", "html", "tbody", "thead", "tfoot", "br"}
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})
# Dropped with everything inside them.
_DROP_TAGS = frozenset(
    {"script", "style", "noscript", "iframe", "svg", "math", "template", "object", "canvas",
     "video", "audio", "picture", "map", "head", "select", "button", "textarea"}
)  # fmt: skip
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip

_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f"
# HTML whitespace; a line break between two CJK characters is no space at all
# (CSS Text 3 segment-break rule), otherwise a run is one space.
_CJK_BREAK_RE = re.compile(rf"(?<=[{_CJK}])[ \t\r\f]*\n[ \t\r\n\f]*(?=[{_CJK}])")
_WS_RE = re.compile(r"[ \t\r\n\f]+")
_BLANK_RUN_RE = re.compile(r"\n{3,}")
_TRAILING_WS_RE = re.compile(r"[ \t\u00a0]+$", re.M)
_NBSP = "\u00a0"
# <meta name|property> -> metadata field.
_META_TAGS = {
    "date": "date",
    "pubdate": "date",
    "publishdate": "date",
    "article:published_time": "date",
    "og:published_time": "date",
    "author": "author",
    "article:author": "author",
    "og:site_name": "source",
    "og:url": "url",
    "og:title": "title",
    "keywords": "tags",
}


class _TextExtractor(HTMLParser):
    """Collects readable text, the `<title>` and the first `<h1>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._inline: list[str] = []
        self._pending = 0  # newlines owed before the next text
        self._skip: list[str] = []
        self._pre = 0
        self._title: list[str] | None = None
        self._h1: list[str] | None = None
        self.title: str | None = None
        self.h1: str | None = None
        self.h1_leading = False
        self._seen_text = False
        self.meta: dict[str, str] = {}
        self._lists: list[int | None] = []  # next number of each open <ol>; None for <ul>

    # -- structure
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and self.title is None and set(self._skip) <= {"head"}:
            self._title = []
            return
        if tag in ("meta", "link"):
            self._head_meta(tag, dict(attrs))
            return
        if self._skip:
            if tag in _DROP_TAGS and tag not in _VOID_TAGS:
                self._skip.append(tag)
            return
        if tag in _DROP_TAGS:
            if tag not in _VOID_TAGS:
                self._skip.append(tag)
            return
        if tag == "br":
            self._flush()
            self._pending += 1  # <br><br> is a blank line
        elif tag in ("ul", "ol") and self._lists:
            self._break(1)  # a nested list is not a new paragraph
        elif tag in _PARAGRAPH_TAGS:
            self._break(2)
        elif tag in _LINE_TAGS:
            self._break(1)
        elif tag in _CELL_TAGS:
            self._inline.append(" ")
        if tag == "pre":
            self._pre += 1
        elif tag in ("ol", "ul"):
            self._lists.append(_list_start(attrs) if tag == "ol" else None)
        elif tag == "li" and self._lists and self._lists[-1] is not None:
            number = self._lists[-1]
            self._lists[-1] = number + 1
            self._inline.append(f"{number}. ")  # numbered items keep their numbers
        if tag == "h1" and self.h1 is None and self._h1 is None:
            self._h1 = []
            self.h1_leading = not self._seen_text

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self.title = _collapse("".join(self._title)) or None
            self._title = None
            return
        if self._skip:
            if tag in self._skip:
                while self._skip.pop() != tag:
                    pass
            return
        if tag in ("ul", "ol") and len(self._lists) > 1:
            self._break(1)
        elif tag in _PARAGRAPH_TAGS:
            self._break(2)
        elif tag in _LINE_TAGS and tag != "br":
            self._break(1)
        if tag == "pre" and self._pre:
            self._pre -= 1
        elif tag in ("ol", "ul") and self._lists:
            self._lists.pop()
        if tag == "h1" and self._h1 is not None:
            self.h1 = _collapse("".join(self._h1)) or None
            self._h1 = None

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
            return
        if self._skip:
            return
        if self._h1 is not None:
            self._h1.append(data)
        if data.strip():
            self._seen_text = True
        if self._pre:
            self._flush()
            self._emit(data)
        else:
            self._inline.append(data)

    def _head_meta(self, tag: str, attrs: dict[str, str | None]) -> None:
        """Page metadata from <meta name|property=... content=...> and <link rel=canonical>."""
        if tag == "link":
            if (attrs.get("rel") or "").lower() == "canonical" and attrs.get("href"):
                self.meta.setdefault("url", str(attrs["href"]).strip())
            return
        key = (attrs.get("name") or attrs.get("property") or "").strip().lower()
        content = (attrs.get("content") or "").strip()
        field = _META_TAGS.get(key)
        if field and content:
            self.meta.setdefault(field, iso_date(content) if field == "date" else content)

    # -- output
    def _emit(self, text: str) -> None:
        if not text:
            return
        if self._out and self._pending:
            self._out.append("\n" * self._pending)
        self._pending = 0
        self._out.append(text)

    def _flush(self) -> None:
        if self._inline:
            self._emit(_collapse("".join(self._inline)))
            self._inline = []

    def _break(self, newlines: int) -> None:
        """Block boundaries do not add up: `</li><li>` is one line break."""
        self._flush()
        self._pending = max(self._pending, newlines)

    def text(self) -> str:
        self.close()
        self._flush()
        return tidy("".join(self._out))


def _list_start(attrs: list[tuple[str, str | None]]) -> int:
    for name, value in attrs:
        if name == "start" and value and value.strip().lstrip("-").isdigit():
            return int(value)
    return 1


def _collapse(text: str) -> str:
    """HTML whitespace rules: runs become one space, trimmed; nbsp survives as a space."""
    text = _CJK_BREAK_RE.sub("", text)
    text = _WS_RE.sub(" ", text).strip(" ")
    return text.replace(_NBSP, " ")


def tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, no blank lines at the ends."""
    text = _TRAILING_WS_RE.sub("", text)
    text = _BLANK_RUN_RE.sub("\n\n", text)
    return text.strip("\n")


def html_to_text(html: str) -> tuple[str, str | None]:
    """(readable text, title from `<title>` or else the first `<h1>`)."""
    parser = _TextExtractor()
    parser.feed(html)
    text = parser.text()
    return text, parser.title or parser.h1


def html_document(html: str) -> tuple[str, dict[str, str]]:
    """(readable text, page metadata): title, and date/url/author/source from <meta>/<link>.

    The title is `<title>`, else `og:title`, else the first `<h1>`.
    """
    parser = _TextExtractor()
    parser.feed(html)
    text = parser.text()
    meta = dict(parser.meta)
    title = parser.title or meta.pop("title", None) or parser.h1
    meta.pop("title", None)
    if title:
        meta["title"] = title
    if "author" in meta:
        meta.setdefault("source", meta["author"])
    return text, meta


def markdown_to_text(markdown: str) -> tuple[str, str | None]:
    """(readable text, title from a leading `# heading`)."""
    from markdown_it import MarkdownIt  # lazy: `annotator --help` never pays for it

    renderer = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(
        ["table", "strikethrough"]
    )
    parser = _TextExtractor()
    parser.feed(renderer.render(markdown))
    text = parser.text()
    return text, parser.h1 if parser.h1_leading else None


# ------------------------------------------------------------ front matter

_KEY_VALUE_RE = re.compile(r"^\s*[\w\-]+\s*:", re.M)


def parse_front_matter(block: str, path: Path | str) -> dict[str, str] | None:
    """Metadata from a YAML block, or None when the block is not front matter.

    A block that does not parse as a mapping is taken for markdown between two
    rules and left in the body; one that looks like `key: value` lines but is
    broken YAML is an error, since guessing would lose the metadata.
    """
    import yaml  # lazy

    try:
        data = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        if not _KEY_VALUE_RE.match(block):
            return None
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2} of the file)" if mark is not None else ""
        raise IngestError(
            path,
            f"front matter is not valid YAML{where}: {getattr(exc, 'problem', exc)}",
            fix="fix the YAML between the --- lines, e.g. quote values containing ':'",
        ) from None
    if not isinstance(data, dict):
        return None
    return front_matter_meta(data)


def front_matter_meta(data: dict[Any, Any]) -> dict[str, str]:
    """The keys the workspace cares about, as strings (dates as ISO 8601)."""
    fields = {str(key).strip().lower(): value for key, value in data.items()}
    meta: dict[str, str] = {}

    def first(*keys: str) -> Any:
        for key in keys:
            value = fields.get(key)
            if value not in (None, "", [], {}):
                return value
        return None

    title = first("title")
    if title is not None:
        meta["title"] = _scalar(title)
    when = first("date", "published", "pubdate", "publish_date")
    if when is not None:
        meta["date"] = iso_date(when)
    url = first("url", "link", "source_url", "original_url")
    if url is not None:
        meta["url"] = _scalar(url)
    original = first("original_url", "canonical_url")
    if original is not None and _scalar(original) != meta.get("url"):
        meta["original_url"] = _scalar(original)
    author = first("author", "authors", "byline")
    if author is not None:
        meta["author"] = _scalar(author)
    source = first("source", "publisher", "site")
    if source is not None or author is not None:
        meta["source"] = _scalar(source if source is not None else author)
    tags = first("tags", "keywords")
    if tags is not None:
        meta["tags"] = _scalar(tags)
    categories = first("categories", "category")
    if categories is not None:
        meta["categories"] = _scalar(categories)
    language = first("language", "lang")
    if language is not None:
        meta["language"] = _scalar(language)
    return {key: value for key, value in meta.items() if value}


def _scalar(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_scalar(item) for item in value if item not in (None, ""))
    if isinstance(value, datetime | date):
        return iso_date(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items())
    return str(value).strip()


_DATE_FORMATS = (
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%d %B %Y",
    "%B %d, %Y",
)


def iso_date(value: Any) -> str:
    """A date as ISO 8601 when it can be read as one; otherwise the string as written."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            return parse(text).isoformat()
        except ValueError:
            pass
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        has_time = "%H" in fmt
        return parsed.isoformat() if has_time else parsed.date().isoformat()
    return text
