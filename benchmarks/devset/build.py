"""Build gold JSONL from inline-markup sources, and check every span on the way.

The gold is written by hand as `[[surface|LABEL]]` inside the article text, which
is easy to read and review in a diff; offsets are computed here, never typed.

Usage:
    python benchmarks/devset/build.py                       # devset: src/ -> devset.jsonl
    python benchmarks/devset/build.py SRC_DIR OUT.jsonl [--id-prefix P] [--source S]
    python benchmarks/devset/build.py --lint                # also list possible misses
    python benchmarks/devset/build.py --check               # CI: is devset.jsonl up to date?

Source file format (UTF-8):
    # Title of the article
    @url https://...            (optional)
    @date 2024-05-17            (optional)
    @script traditional         (optional; default simplified)
    @id sample-06a-foo          (optional; default: id prefix + file stem, '_' -> '-')
    <blank line>
    Text with [[淘宝|ORG]] spans ...

Standard library only (orjson is used when present).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

LABELS = ("ORG", "PERSON", "NUMBER", "LEGAL_CHARGE", "DATA_TYPE")
MARK_RE = re.compile(r"\[\[([^\[\]|\n]+)\|([A-Za-z_]+)\]\]")
HERE = Path(__file__).resolve().parent
# For --lint only: numerals outside spans, skipping what is plainly a date.
_DIGITS = "0-9０-９"
_HAN_DIGITS = "〇零一二三四五六七八九十百千万亿两兩萬億半"
NUMERAL_RE = re.compile(rf"[{_DIGITS}]+(?:[.．][{_DIGITS}]+)?|[{_HAN_DIGITS}]+")
DATE_LIKE_RE = re.compile(
    rf"(?:[{_DIGITS}]{{4}}|[〇零一二三四五六七八九]{{4}})年|[{_DIGITS}一二三四五六七八九十]{{1,3}}[月日號号時时]"
)


class BuildError(Exception):
    """A source file that cannot become gold; the message names file and span."""


def _is_edge_bad(ch: str) -> bool:
    """Whitespace, punctuation or symbols-as-quotes may not start or end a span."""
    if ch in "%％‰":  # a percentage ends in its sign, which Unicode files as punctuation
        return False
    cat = unicodedata.category(ch)
    return ch.isspace() or cat.startswith("P") or cat.startswith("Z")


def parse_source(path: Path, id_prefix: str, source: str) -> dict[str, Any]:
    """One source file -> one gold record (text without markup, spans with offsets)."""
    raw = path.read_text(encoding="utf-8").replace("\r\n", "\n").lstrip("\ufeff")
    lines = raw.split("\n")
    if not lines or not lines[0].startswith("# "):
        raise BuildError(f"{path.name}: first line must be '# title'")
    meta: dict[str, Any] = {"title": lines[0][2:].strip(), "source": source}
    headers = {"url": None, "date": None, "script": "simplified", "id": None}
    i = 1
    while i < len(lines) and lines[i].startswith("@"):
        key, _, value = lines[i][1:].partition(" ")
        if key not in headers:
            raise BuildError(f"{path.name}: unknown header @{key}")
        headers[key] = value.strip()
        i += 1
    body = "\n".join(lines[i:]).strip("\n")
    body = unicodedata.normalize("NFC", body)

    text_parts: list[str] = []
    spans: list[dict[str, Any]] = []
    pos = 0  # position in body
    out_len = 0  # length of text produced so far
    for m in MARK_RE.finditer(body):
        before = body[pos : m.start()]
        text_parts.append(before)
        out_len += len(before)
        surface, label = m.group(1), m.group(2)
        if label not in LABELS:
            raise BuildError(f"{path.name}: unknown label {label!r} on {surface!r}")
        end = out_len + len(surface)
        spans.append({"start": out_len, "end": end, "label": label, "text": surface})
        text_parts.append(surface)
        out_len += len(surface)
        pos = m.end()
    text_parts.append(body[pos:])
    text = "".join(text_parts)

    for leftover in ("[[", "]]", "|ORG", "|PERSON", "|NUMBER", "|LEGAL_CHARGE", "|DATA_TYPE"):
        if leftover in text:
            at = text.index(leftover)
            raise BuildError(f"{path.name}: broken markup near {text[max(0, at - 15) : at + 15]!r}")
    if unicodedata.normalize("NFC", text) != text:
        raise BuildError(f"{path.name}: text is not NFC after removing markup")
    check_spans(path.name, text, spans)

    # NN_slug.txt -> dev-NN-slug: ids keep to one separator style.
    doc_id = headers["id"] or f"{id_prefix}{path.stem.replace('_', '-')}"
    meta["url"] = headers["url"]
    meta["date"] = headers["date"]
    meta["language"] = "zh"
    if headers["script"] not in ("simplified", "traditional", "mixed"):
        raise BuildError(f"{path.name}: @script must be simplified, traditional or mixed")
    meta["script"] = headers["script"]
    return {"id": doc_id, "text": text, "meta": meta, "spans": spans}


def check_spans(name: str, text: str, spans: list[dict[str, Any]]) -> None:
    """The same rules `annotator validate` applies, so the gold is valid by construction."""
    previous_end = -1
    for span in sorted(spans, key=lambda s: (s["start"], s["end"])):
        start, end, surface = span["start"], span["end"], span["text"]
        where = f"{name}: span {start}-{end} {span['label']} {surface!r}"
        if not 0 <= start < end <= len(text):
            raise BuildError(f"{where}: offsets out of range")
        if text[start:end] != surface:
            raise BuildError(f"{where}: text[start:end] is {text[start:end]!r}")
        if _is_edge_bad(surface[0]) or _is_edge_bad(surface[-1]):
            raise BuildError(f"{where}: starts or ends with whitespace or punctuation")
        if span["label"] not in LABELS:
            raise BuildError(f"{where}: unknown label")
        if start < previous_end:
            raise BuildError(f"{where}: overlaps the previous span")
        previous_end = end


def lint(records: list[dict[str, Any]]) -> list[str]:
    """Places a reviewer should look at: a labelled surface left unlabelled elsewhere."""
    notes: list[str] = []
    surfaces: dict[str, set[str]] = defaultdict(set)
    for rec in records:
        for span in rec["spans"]:
            if len(span["text"]) >= 2:
                surfaces[span["text"]].add(span["label"])
    for rec in records:
        text = rec["text"]
        covered = [False] * len(text)
        for span in rec["spans"]:
            for k in range(span["start"], span["end"]):
                covered[k] = True
        for surface, labels in surfaces.items():
            for m in re.finditer(re.escape(surface), text):
                if not any(covered[m.start() : m.end()]):
                    ctx = text[max(0, m.start() - 8) : m.end() + 8].replace("\n", " ")
                    kinds = "/".join(sorted(labels))
                    notes.append(f"{rec['id']}: {surface!r} ({kinds}) unlabelled in …{ctx}…")
        # digits (any width) or Chinese numerals outside every span: numbers to review by eye
        for m in NUMERAL_RE.finditer(text):
            if m.group() in ("一", "一一") or DATE_LIKE_RE.match(text, m.start()):
                continue
            if m.start() > 0 and text[m.start() - 1] == "第":
                continue
            if not any(covered[m.start() : m.end()]):
                ctx = text[max(0, m.start() - 6) : m.end() + 6].replace("\n", " ")
                notes.append(f"{rec['id']}: numeral {m.group()!r} outside spans: …{ctx}…")
    return notes


def dumps(record: dict[str, Any]) -> str:
    try:
        import orjson  # optional: same bytes either way for our content

        return orjson.dumps(record).decode("utf-8")
    except ImportError:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def load(src: Path, id_prefix: str, source: str) -> list[dict[str, Any]]:
    """Every source file in `src`, in file-name order, checked."""
    files = sorted(src.glob("*.txt"))
    if not files:
        raise BuildError(f"no *.txt sources in {src}")
    records = [parse_source(path, id_prefix, source) for path in files]
    ids = Counter(rec["id"] for rec in records)
    dupes = [doc_id for doc_id, n in ids.items() if n > 1]
    if dupes:
        raise BuildError(f"duplicate ids: {dupes}")
    return records


def render(records: list[dict[str, Any]]) -> str:
    return "".join(dumps(rec) + "\n" for rec in records)


def write(out: Path, content: str) -> None:
    """Temp file + rename, so a half-written gold file never exists."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(content, encoding="utf-8", newline="\n")
    tmp.replace(out)


def report(records: list[dict[str, Any]], out: Path) -> None:
    counts = Counter(span["label"] for rec in records for span in rec["spans"])
    scripts = Counter(rec["meta"]["script"] for rec in records)
    chars = [len(rec["text"]) for rec in records]
    print(f"wrote {out} : {len(records)} documents, {sum(counts.values())} spans")
    print(f"  scripts: {dict(scripts)}; characters min {min(chars)} max {max(chars)}", end="")
    print(f" total {sum(chars)}")
    for label in LABELS:
        print(f"  {label:<13}{counts.get(label, 0):>5}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", nargs="?", type=Path, default=HERE / "src")
    parser.add_argument("out", nargs="?", type=Path, default=HERE / "devset.jsonl")
    parser.add_argument(
        "--id-prefix", default=None, help="default: 'dev-' for the devset, '' otherwise"
    )
    parser.add_argument("--source", default="annotator devset")
    parser.add_argument("--lint", action="store_true", help="list possible misses to review")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if OUT is not up to date"
    )
    args = parser.parse_args(argv)
    prefix = args.id_prefix
    if prefix is None:
        prefix = "dev-" if args.src.resolve() == (HERE / "src").resolve() else ""
    try:
        records = load(args.src, prefix, args.source)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    content = render(records)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != content:
            print(f"error: {args.out} is stale; rebuild it with build.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date")
        return 0
    write(args.out, content)
    report(records, args.out)
    if args.lint:
        for note in lint(records):
            print("  lint:", note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
