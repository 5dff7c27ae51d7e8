"""Bytes -> str for the encodings Chinese news arrives in, never mojibake.

Order: a BOM decides (UTF-8, UTF-16, UTF-32); NUL bytes mean binary; strict
UTF-8; then the Chinese legacy encodings (GB18030, which covers GBK and
GB2312, and Big5 / Big5-HKSCS). Short GBK text is often *valid* Big5 and
vice versa, so validity alone cannot decide: each candidate is scored by how
ordinary its characters look (common Han, CJK punctuation, ASCII) plus how
much of it jieba's dictionary reads as words, with charset-normalizer's
verdict breaking near-ties. A result that does not read as text is refused.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from annotator.ingest.errors import IngestError

# Legacy encodings tried after UTF-8, in order of preference on a tie.
LEGACY_ENCODINGS: tuple[str, ...] = ("gb18030", "big5", "big5hkscs")
# How much of the text the plausibility score looks at (characters).
_SAMPLE_CHARS = 20_000
# How much of an ambiguous text is segmented into dictionary words.
_WORD_SAMPLE_CHARS = 2_000
# Below this share of dictionary words, a decoding with enough Han is garbage
# (real news measures 0.7-0.8, wrong decodings 0.0-0.1).
_MIN_WORD_COVERAGE = 0.25
_MIN_HAN_FOR_WORDS = 6
# Below this, charset-normalizer's verdict is noise and a tie goes to GB18030.
_MIN_BYTES_FOR_NUDGE = 64
# A decoding must score at least this (per character) to be believed.
_MIN_PLAUSIBILITY = 0.6
# Valid UTF-8 with this share of control characters is still binary.
_MAX_CONTROL_SHARE = 0.02

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts the same
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_FIX = "save the file as UTF-8 and import it again"


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def decode_bytes(data: bytes, path: Path | str = "<bytes>") -> Decoded:
    """Decode a whole file's bytes, or raise IngestError saying why not."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise IngestError(
                    path,
                    f"starts with a {encoding} byte-order mark but is not valid {encoding} "
                    f"(byte {exc.start + len(bom)})",
                    fix=_FIX,
                ) from None
            _refuse_controls(text, path)
            return Decoded(text, encoding)
    if b"\x00" in data:
        raise IngestError(
            path,
            "looks like a binary file (contains NUL bytes), not text",
            fix="import .txt, .md, .html or .jsonl files; UTF-16 text needs a byte-order mark",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _refuse_controls(text, path)
        return Decoded(text, "utf-8")
    return _decode_legacy(data, path)


def _refuse_controls(text: str, path: Path | str) -> None:
    sample = text[:_SAMPLE_CHARS]
    if not sample:
        return
    controls = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f") or ch == "\x7f")
    if controls > 3 and controls / len(sample) > _MAX_CONTROL_SHARE:
        raise IngestError(
            path, "looks like a binary file (many control characters), not text", fix=_FIX
        )


def _decode_legacy(data: bytes, path: Path | str) -> Decoded:
    candidates: dict[str, str] = {}
    for encoding in LEGACY_ENCODINGS:
        if encoding == "big5hkscs" and "big5" in candidates:
            continue  # Big5-HKSCS only matters when plain Big5 fails
        try:
            candidates[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
    scores: dict[str, float] = {}
    for encoding, text in candidates.items():
        score = plausibility(text[:_SAMPLE_CHARS])
        if score < _MIN_PLAUSIBILITY:
            continue
        # A wrong decoding is often a run of real but unrelated characters:
        # only the right one reads as words.
        sample = text[:_WORD_SAMPLE_CHARS]
        coverage = word_coverage(sample)
        if _han_count(sample) >= _MIN_HAN_FOR_WORDS and coverage < _MIN_WORD_COVERAGE:
            continue
        scores[encoding] = score + coverage
    if not scores:
        raise IngestError(
            path,
            "unknown encoding: not UTF-8, GB18030/GBK or Big5 (or not text at all)",
            fix=_FIX,
        )
    if len(scores) > 1 and len(data) >= _MIN_BYTES_FOR_NUDGE:
        favourite = _charset_normalizer_guess(data, tuple(scores))
        if favourite in scores:
            scores[favourite] += 0.02  # only breaks a near-tie
    best = max(scores, key=lambda enc: (scores[enc], -LEGACY_ENCODINGS.index(enc)))
    return Decoded(candidates[best], "big5" if best == "big5hkscs" else best)


def _han_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def _charset_normalizer_guess(data: bytes, encodings: tuple[str, ...]) -> str | None:
    from charset_normalizer import from_bytes  # lazy: only legacy files pay for it

    best = from_bytes(data[:65_536], cp_isolation=list(encodings)).best()
    if best is None:
        return None
    name = best.encoding.replace("_", "").replace("-", "").lower()
    for encoding in encodings:
        if encoding.replace("-", "") == name:
            return encoding
    return None


def plausibility(text: str) -> float:
    """Mean per-character score in [-1, 1]: how much `text` looks like real prose.

    Common Han characters (GB2312 level 1 or Big5's frequent set), ASCII,
    whitespace and CJK punctuation score 1; rarer Han 0.3 (a wrong decoding
    turns text into rare characters); private-use, controls and other odd
    code points score -1.
    """
    if not text:
        return 1.0
    return sum(_char_score(ch) for ch in text) / len(text)


@lru_cache(maxsize=65_536)
def _char_score(ch: str) -> float:
    code = ord(ch)
    if code < 0x80:
        return 1.0 if ch.isprintable() or ch in "\t\n\r\f" else -1.0
    if 0x4E00 <= code <= 0x9FFF:
        return 1.0 if _is_common_han(ch) else 0.3
    if (
        0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x2010 <= code <= 0x2027  # dashes, quotes, ellipsis
        or code == 0x00B7
        or code == 0x00A0
    ):
        return 1.0
    if 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
        return -1.0  # private use: what a wrong legacy decoding produces
    if 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x3134F or 0xF900 <= code <= 0xFAFF:
        return 0.0  # rare and compatibility Han
    if ch.isalpha() or ch.isdigit():
        return 0.5
    return 0.0 if ch.isprintable() else -1.0


def word_coverage(text: str) -> float:
    """Share of Han characters inside jieba dictionary words of two or more characters.

    The wrong decoding of short Chinese text is often a string of real but
    unrelated characters; only the right one reads as words. Traditional text
    is looked up through its same-length simplified shadow.
    """
    from annotator.text.script import to_simplified_shadow
    from annotator.text.tokens import jieba_module

    jieba = jieba_module()
    shadow = to_simplified_shadow(text)
    han = _han_count(shadow)
    if not han:
        return 0.0
    freq = jieba.dt.FREQ
    covered = sum(len(w) for w in jieba.cut(shadow, HMM=False) if len(w) > 1 and freq.get(w))
    return min(1.0, covered / han)


def _is_common_han(ch: str) -> bool:
    """In GB2312 level 1 (3,755 common simplified) or Big5's 5,401 frequent characters."""
    try:
        gb = ch.encode("gb2312")
        if 0xB0 <= gb[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        big5 = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    return 0xA440 <= (big5[0] << 8 | big5[1]) <= 0xC67E
