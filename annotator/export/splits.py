"""Stable split assignment: a document's split is a hash of the salt and its duplicate group.

Nothing depends on the other documents' order or count, so adding documents
never moves existing ones, and a group's members (reprints, the same URL,
the same text) always land in the same split.
"""

from __future__ import annotations

import hashlib

from annotator.errors import AnnotatorError

DEFAULT_SPLIT = "80/10/10"
DEFAULT_SALT = "annotator"
SPLIT_NAMES = {1: ("train",), 2: ("train", "test"), 3: ("train", "validation", "test")}

Splits = tuple[tuple[str, float], ...]


def parse_split(spec: str) -> Splits:
    """'80/10/10' -> train/validation/test shares; '90/10' -> train/test; '100' -> train."""
    try:
        parts = [float(part) for part in spec.split("/")]
    except ValueError:
        parts = []
    if not parts or len(parts) > 3 or any(p < 0 for p in parts) or sum(parts) <= 0:
        raise AnnotatorError(
            f"--split {spec!r} is not a split rule",
            fix="write shares separated by '/', e.g. 80/10/10 (train/validation/test) or 90/10",
        )
    total = sum(parts)
    return tuple(zip(SPLIT_NAMES[len(parts)], (p / total for p in parts), strict=True))


def bucket(salt: str, group: str) -> float:
    """A number in [0, 1) from sha256(salt:group)."""
    digest = hashlib.sha256(f"{salt}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign(salt: str, group: str, splits: Splits) -> str:
    x = bucket(salt, group)
    edge = 0.0
    for name, share in splits:
        edge += share
        if x < edge:
            return name
    return next(name for name, share in reversed(splits) if share > 0)


def describe(splits: Splits, salt: str) -> str:
    shares = ", ".join(f"{name} {share:.0%}" for name, share in splits)
    return (
        f'Each document goes to a split by `sha256("{salt}:" + group)` read as a number '
        f"in [0, 1) and cut at the shares ({shares}). The group is the document's duplicate "
        "group: documents with the same URL, the same text (full-width folded to ASCII, "
        "lower-cased, whitespace removed) or a near-duplicate text (MinHash over character "
        "5-grams, estimated Jaccard >= 0.7) share one group, named by its earliest member "
        "(date, then id). Adding documents never moves existing ones (unless a new document "
        "is an earlier-dated duplicate of one), and reprints never straddle splits."
    )
