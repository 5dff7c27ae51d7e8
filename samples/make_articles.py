"""Write the sample article files from the sample gold, so the two never drift apart.

`samples/gold.jsonl` (built from `samples/src/*.txt` by benchmarks/devset/build.py) is the
truth; this script dresses each gold text as the file people would really import:
Markdown with YAML front matter, plain text, an HTML page, and a JSONL file. Importing
`samples/articles/` with `annotator import` gives back exactly the gold texts.

Usage:
    python samples/make_articles.py          # rewrite samples/articles/
    python samples/make_articles.py --check  # exit 1 if an article differs from what it would be
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCE_SIMPLIFIED = "示例新闻网"
SOURCE_TRADITIONAL = "示例新聞網"


def _front_matter(doc: dict[str, Any], source: str) -> str:
    meta = doc["meta"]
    return (
        "---\n"
        f'title: "{meta["title"]}"\n'
        f'date: "{meta["date"]}"\n'
        f'url: "{meta["url"]}"\n'
        f'source: "{source}"\n'
        "---\n\n"
    )


def _with_breaks(paragraph: str) -> str:
    """Both spellings of a line break, as scraped pages mix them."""
    lines = paragraph.split("\n")
    if len(lines) == 1:
        return paragraph
    return lines[0] + "<br>" + "<br/>".join(lines[1:])


def _html_page(doc: dict[str, Any]) -> str:
    """Paragraphs become <p>, line breaks inside one become <br>; noise the importer drops."""
    paragraphs = [html.escape(p, quote=False) for p in doc["text"].split("\n\n")]
    first = paragraphs[0]
    if first.count("共计 ") == 1:  # exercise &nbsp;, which imports as a plain space
        paragraphs[0] = first.replace("共计 ", "共计&nbsp;")
    body = "\n".join(f"<p>{_with_breaks(p)}</p>" for p in paragraphs)
    meta = doc["meta"]
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{html.escape(meta["title"], quote=False)}</title>
<meta name="date" content="{meta["date"]}">
<link rel="canonical" href="{meta["url"]}">
<style>p {{ text-indent: 2em; }}</style>
<script>window.dataLayer = window.dataLayer || []; if (a < b && c > d) {{ track("pv"); }}</script>
</head>
<body>
<div class="article">
<img src="https://img.example.invalid/gym-front-desk.jpg" alt="健身房前台">
{body}
<script type="text/javascript">document.write("<p>广告</p>");</script>
</div>
</body>
</html>
"""


def articles(gold: dict[str, dict[str, Any]]) -> dict[str, str]:
    """File name -> content for every sample article."""
    out: dict[str, str] = {}
    doc = gold["sample-01-taobao-scrape"]
    out["sample-01-taobao-scrape.md"] = _front_matter(doc, SOURCE_SIMPLIFIED) + doc["text"] + "\n"

    doc = gold["sample-02-clinic-leak-tw"]
    body = doc["text"]
    if body.count("處理經過") != 1:
        raise SystemExit("sample-02: the linked phrase 處理經過 must occur exactly once")
    link = "[處理經過](https://blog.example.invalid/2024/dental-disclosure)"
    out["sample-02-clinic-leak-tw.md"] = (
        _front_matter(doc, SOURCE_TRADITIONAL) + body.replace("處理經過", link) + "\n"
    )

    for key in ("sample-03-elasticsearch-exposure", "sample-04-telecom-insider-hk"):
        out[f"{key}.txt"] = gold[key]["text"]  # plain text, no final newline

    out["sample-05-gym-members.html"] = _html_page(gold["sample-05-gym-members"])

    rows = []
    for key in ("sample-06a-exam-registration", "sample-06b-parking-app"):
        meta = {k: gold[key]["meta"][k] for k in ("title", "date", "url")}
        meta["source"] = SOURCE_SIMPLIFIED
        row = {"id": key, "text": gold[key]["text"], "meta": meta}
        rows.append(json.dumps(row, ensure_ascii=False))
    out["sample-06-news.jsonl"] = "\n".join(rows) + "\n"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=HERE / "gold.jsonl")
    parser.add_argument("--out", type=Path, default=HERE / "articles")
    parser.add_argument("--check", action="store_true", help="write nothing; compare only")
    args = parser.parse_args(argv)
    lines = args.gold.read_text(encoding="utf-8").splitlines()
    gold = {rec["id"]: rec for rec in map(json.loads, lines)}
    stale = []
    for name, content in articles(gold).items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                stale.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="\n")
        print(f"wrote {path}")
    if stale:
        print(f"error: stale sample articles: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
