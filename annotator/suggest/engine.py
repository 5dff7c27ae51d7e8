"""The one entry point for suggestions: `suggest_document`.

Runs every suggester over a document, echoes names found by rules to their
other mentions, drops what the annotator already labelled or rejected and
labels outside the schema, then resolves overlaps. The CLI (`annotator
suggest`) and the TUI call this and nothing else.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Sequence
from functools import cache

from annotator.model import RejectedSpan, Span, Suggestion
from annotator.suggest.base import (
    SuggestContext,
    Suggester,
    glued_latin,
    make,
    overlaps_any,
    resolve_overlaps,
)
from annotator.suggest.taught import TaughtLexicon, TaughtSuggester
from annotator.suggest.triere import trie_pattern

# Labels whose rule-found names are echoed to their other mentions.
_ECHO_LABELS = frozenset({"PERSON", "ORG"})
_ECHO_MIN_SCORE = 0.7


@cache
def default_suggesters() -> tuple[Suggester, ...]:
    """Every shipped suggester, built once (lexicons compile on first use)."""
    from annotator.suggest import data_type, legal_charge, number, org, person, quoted

    return (
        number.suggester(),
        legal_charge.suggester(),
        data_type.suggester(),
        org.suggester(),
        person.suggester(),
        quoted.suggester(),
        TaughtSuggester(),
    )


def suggest_document(
    text: str,
    *,
    labelled: Sequence[Span] = (),
    rejected: Sequence[RejectedSpan] = (),
    lexicon: TaughtLexicon | None = None,
    labels: Collection[str] | None = None,
) -> list[Suggestion]:
    """Non-overlapping suggestions for `text`, sorted by offset.

    `labelled` spans are never overlapped (and teach their strings),
    suggestions equal to a `rejected` one (start, end, label) are not made
    again, and only `labels` (the schema's; all when None) are proposed.
    """
    wanted = None if labels is None else frozenset(labels)
    ctx = SuggestContext(text=text, labelled=tuple(labelled), lexicon=lexicon)
    candidates: list[Suggestion] = []
    for suggester in default_suggesters():
        if wanted is not None and suggester.labels and not suggester.labels & wanted:
            continue
        candidates.extend(suggester.suggest(text, ctx))
    candidates.extend(_echo(text, ctx.shadow, candidates))
    rejected_keys = {r.key for r in rejected}
    fixed = sorted((s.start, s.end) for s in labelled)
    starts = [s for s, _ in fixed]
    ends = [e for _, e in fixed]
    disjoint = _disjoint(fixed)
    kept = [
        c
        for c in candidates
        if (wanted is None or c.label in wanted)
        and c.key not in rejected_keys
        and not _hits_labelled(c, starts, ends, disjoint)
    ]
    return resolve_overlaps(kept)


def suggest_text(text: str) -> list[Suggestion]:
    """Suggestions for a bare text: no labels, no rejections, no lexicon, all labels."""
    return suggest_document(text)


def _disjoint(intervals: list[tuple[int, int]]) -> bool:
    return all(a[1] <= b[0] for a, b in itertools.pairwise(intervals))


def _hits_labelled(c: Suggestion, starts: list[int], ends: list[int], disjoint: bool) -> bool:
    if not starts:
        return False
    if disjoint:
        return overlaps_any(starts, ends, c.start, c.end)
    return any(s < c.end and c.start < e for s, e in zip(starts, ends, strict=True))


def _echo(text: str, shadow: str, found: list[Suggestion]) -> list[Suggestion]:
    """Names found by a rule somewhere, suggested at their other mentions too."""
    names: dict[str, tuple[str, str, float]] = {}
    for s in found:
        if (
            s.label in _ECHO_LABELS
            and s.source != "taught"
            and s.score >= _ECHO_MIN_SCORE
            and s.end - s.start >= 2
        ):
            key = shadow[s.start : s.end]
            if key not in names or names[key][2] < s.score:
                names[key] = (s.label, s.source, s.score)
    if not names:
        return []
    pattern = re.compile(trie_pattern(names))
    out: list[Suggestion] = []
    for m in pattern.finditer(shadow):
        if glued_latin(shadow, m.start(), m.end()):
            continue
        label, source, score = names[m.group()]
        sug = make(text, m.start(), m.end(), label, source, max(0.0, score - 0.05))
        if sug is not None:
            out.append(sug)
    return out
