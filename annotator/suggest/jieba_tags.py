"""Part-of-speech tags from jieba's dictionary, read once, lazily.

jieba.posseg tags by running an HMM over the text (about 10k chars/s); the
dictionary's third column already holds each known word's tag, which is all
the ORG and PERSON rules need (nr person, ns place, nt organization …).
"""

from __future__ import annotations

import os
import threading
from typing import Any

_lock = threading.Lock()
_tags: dict[str, str] | None = None


def _dictionary_path(jieba: Any) -> str:
    custom = getattr(jieba.dt, "dictionary", None)
    if custom and os.path.exists(custom):
        return str(custom)
    return os.path.join(os.path.dirname(jieba.__file__), "dict.txt")


def word_tags() -> dict[str, str]:
    """word -> tag for every entry of jieba's main dictionary."""
    global _tags
    if _tags is None:
        with _lock:
            if _tags is None:
                from annotator.text.tokens import jieba_module

                path = _dictionary_path(jieba_module())
                tags: dict[str, str] = {}
                with open(path, encoding="utf-8") as handle:
                    for line in handle:
                        parts = line.split()
                        if len(parts) >= 3:
                            tags[parts[0]] = parts[2]
                _tags = tags
    return _tags


def tag_of(word: str) -> str | None:
    """The dictionary tag of `word`, or None when jieba does not know it."""
    return word_tags().get(word)


# jieba tags of words that never stand inside a name (verbs, particles,
# pronouns, numerals, time and place words, punctuation, ...).
FUNCTION_WORD_TAGS = frozenset(
    [
        "v",
        "vd",
        "ad",
        "p",
        "c",
        "u",
        "uj",
        "ul",
        "uz",
        "ud",
        "ug",
        "uv",
        "d",
        "r",
        "m",
        "q",
        "t",
        "f",
        "y",
        "e",
        "o",
        "x",
    ]
)
