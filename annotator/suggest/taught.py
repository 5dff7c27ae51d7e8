"""What annotators taught: labelled strings propagate, in a document and beyond.

Every surface string labelled in a document is suggested at its other
occurrences there; a workspace lexicon (`labels/lexicon/<LABEL>.txt`, one
entry per line, sorted, so concurrent additions merge cleanly in git) carries
strings to other documents. The lexicon reaches suggesters through the
context, so they stay pure; this module also reads and edits the files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.model import LABEL_NAME_RE, Suggestion
from annotator.suggest.base import SuggestContext, glued_latin, make
from annotator.suggest.triere import trie_pattern

if TYPE_CHECKING:
    from filelock import FileLock

NAME = "taught"
IN_DOCUMENT_SCORE = 0.95
LEXICON_SCORE = 0.92


@dataclass(frozen=True)
class TaughtLexicon:
    """Label -> entries (surface strings), as read from the workspace."""

    entries: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(len(v) for v in self.entries.values())

    @cached_property
    def matcher(self) -> tuple[re.Pattern[str], dict[str, str]] | None:
        """One regex over simplified shadows of all entries, and shadow -> label."""
        return _matcher(
            (label, entry) for label in sorted(self.entries) for entry in self.entries[label]
        )


def _matcher(pairs: Iterable[tuple[str, str]]) -> tuple[re.Pattern[str], dict[str, str]] | None:
    pairs = [(label, entry) for label, entry in pairs if entry.strip()]
    if not pairs:
        return None
    from annotator.text.script import to_simplified_shadow

    shadows = to_simplified_shadow("\n".join(e for _, e in pairs)).split("\n")
    label_of: dict[str, str] = {}
    for (label, _entry), shadow in zip(pairs, shadows, strict=True):
        label_of.setdefault(shadow, label)
    return re.compile(trie_pattern(label_of)), label_of


class TaughtSuggester:
    """Labelled strings of this document and the workspace lexicon, everywhere they occur."""

    name = NAME
    labels: frozenset[str] = frozenset()  # any label the annotators taught

    def suggest(self, text: str, ctx: SuggestContext) -> list[Suggestion]:
        out: list[Suggestion] = []
        shadow = ctx.shadow
        if ctx.labelled:
            local = _matcher((s.label, s.text) for s in ctx.labelled)
            out.extend(_find(text, shadow, local, IN_DOCUMENT_SCORE))
        if ctx.lexicon is not None and len(ctx.lexicon):
            out.extend(_find(text, shadow, ctx.lexicon.matcher, LEXICON_SCORE))
        return out


def _find(
    text: str,
    shadow: str,
    matcher: tuple[re.Pattern[str], dict[str, str]] | None,
    score: float,
) -> list[Suggestion]:
    if matcher is None:
        return []
    pattern, label_of = matcher
    out: list[Suggestion] = []
    for m in pattern.finditer(shadow):
        start, end = m.span()
        if glued_latin(shadow, start, end):
            continue
        sug = make(text, start, end, label_of[m.group()], NAME, score)
        if sug is not None:
            out.append(sug)
    return out


# ----------------------------------------------------------- lexicon files


_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")


def _lock(directory: Path, label: str) -> FileLock:
    """Writers of one lexicon file take turns, so concurrent additions are never lost."""
    from annotator.store import make_lock

    root = directory.parent.parent if directory.parent.name == "labels" else directory
    return make_lock(root / ".annotator" / "locks" / f"lexicon-{label}.lock")


def lexicon_path(directory: Path, label: str) -> Path:
    if not LABEL_NAME_RE.match(label):
        raise ValueError(f"label name {label!r} cannot name a lexicon file")
    return directory / f"{label}.txt"


def clean_entry(entry: str) -> str:
    """An entry as stored: one line, no surrounding whitespace."""
    if "\n" in entry or "\r" in entry:
        raise ValueError(f"lexicon entry {entry!r} spans lines")
    return entry.strip()


def read_entries(path: Path) -> list[str]:
    """A lexicon file's entries (missing file: none)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    # A union merge never leaves markers, but a plain text merge may: never learn them.
    return [s for line in raw.splitlines() if (s := line.strip()) and not s.startswith(_MARKERS)]


def write_entries(path: Path, entries: Iterable[str]) -> None:
    """Sorted, deduplicated, atomically (temp file + fsync + rename)."""
    from annotator.store import atomic_write_bytes

    unique = sorted({clean_entry(e) for e in entries} - {""})
    data = "".join(e + "\n" for e in unique).encode("utf-8")
    atomic_write_bytes(path, data)


def load_lexicon(directory: Path) -> TaughtLexicon:
    """Every `<LABEL>.txt` in the workspace's lexicon folder."""
    entries: dict[str, tuple[str, ...]] = {}
    if directory.is_dir():
        for path in sorted(directory.glob("*.txt")):
            if LABEL_NAME_RE.match(path.stem):
                items = read_entries(path)
                if items:
                    entries[path.stem] = tuple(sorted(set(items)))
    return TaughtLexicon(entries)


def add_entries(directory: Path, label: str, entries: Iterable[str]) -> list[str]:
    """Add entries to `<LABEL>.txt`; returns those that were new."""
    path = lexicon_path(directory, label)
    with _lock(directory, label):
        current = set(read_entries(path))
        new = sorted({clean_entry(e) for e in entries} - current - {""})
        if new:
            write_entries(path, current | set(new))
    return new


def remove_entries(directory: Path, label: str, entries: Iterable[str]) -> list[str]:
    """Remove entries from `<LABEL>.txt`; returns those that were there."""
    path = lexicon_path(directory, label)
    with _lock(directory, label):
        current = set(read_entries(path))
        gone = sorted(current & {clean_entry(e) for e in entries})
        if gone:
            write_entries(path, current - set(gone))
    return gone
