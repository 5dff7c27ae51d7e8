"""Literal lexicons compiled into one prefix-factored regular expression.

Python's `re` tries alternatives one after another, so a flat alternation of
thousands of literals is slow; factoring common prefixes into a trie makes
each position cost a few steps, like an Aho-Corasick scan but in C.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_END = ""


def _trie(words: Iterable[str]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for word in words:
        if not word:
            continue
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[_END] = True
    return root


def _pattern(node: dict[str, Any]) -> str:
    """Regex for a trie node; longer continuations are tried first (leftmost-longest)."""
    branches: list[str] = []
    singles: list[str] = []
    for ch in sorted(k for k in node if k != _END):
        child = node[ch]
        if len(child) == 1 and _END in child:
            singles.append(re.escape(ch))
        else:
            branches.append(re.escape(ch) + _pattern(child))
    if singles:
        branches.append(singles[0] if len(singles) == 1 else "[" + "".join(singles) + "]")
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:
        return "(?:" + body + ")?"
    return body


def trie_pattern(words: Iterable[str]) -> str:
    """A regex source matching any of `words`, preferring the longest at a position."""
    root = _trie(words)
    if not root:
        return "(?!x)x"
    return _pattern(root)


def trie_regex(words: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    return re.compile(trie_pattern(words), flags)
