"""The shipped lexicons: plain text files under `lexicons/`, one entry per line.

Entries may be written in either script; they are folded to the simplified
shadow once, because every suggester matches on the shadow.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).parent / "lexicons"


def read_entries(path: Path) -> list[str]:
    """Non-blank lines that are not `#` comments, stripped, in file order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [s for line in lines if (s := line.strip()) and not s.startswith("#")]


def fold(entries: list[str]) -> tuple[str, ...]:
    """Entries in simplified shadow form, deduplicated, order kept."""
    if not entries:
        return ()
    from annotator.text.script import to_simplified_shadow, to_traditional_shadow

    joined = "\n".join(entries)
    folded = to_simplified_shadow(joined).split("\n")
    # Some traditional characters survive t2s (暱 stays 暱): the round trip
    # through traditional adds the shadow such text actually has.
    round_trip = to_simplified_shadow(to_traditional_shadow(joined)).split("\n")
    return tuple(dict.fromkeys(folded + round_trip))


@cache
def lexicon(name: str) -> tuple[str, ...]:
    """The shipped lexicon `lexicons/<name>.txt`, folded to simplified."""
    return fold(read_entries(LEXICON_DIR / f"{name}.txt"))
