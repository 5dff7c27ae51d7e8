"""IOB2 tags, one per character: names in schema order and the way back to spans.

Tag ids follow `O, B-L1, I-L1, B-L2, I-L2, …`, so label k (0-based) has
B = 2k + 1 and I = 2k + 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

L = TypeVar("L", str, int)  # a label name or its index in the schema


def tag_names(labels: Sequence[str]) -> list[str]:
    """`O` then B-/I- for every label, each I right after its B."""
    names = ["O"]
    for label in labels:
        names += [f"B-{label}", f"I-{label}"]
    return names


def non_overlapping(spans: Iterable[tuple[int, int, L]]) -> tuple[list[tuple[int, int, L]], int]:
    """Spans BIO can carry (earliest first, longer first on ties) and how many were dropped."""
    spans = list(spans)
    if all(spans[i][0] >= spans[i - 1][1] for i in range(1, len(spans))):
        return spans, 0  # already in order and disjoint: the usual case, no sort
    kept: list[tuple[int, int, L]] = []
    dropped = 0
    end = -1
    for span in sorted(spans, key=lambda s: (s[0], -s[1], s[2])):
        if span[0] < end:
            dropped += 1
            continue
        kept.append(span)
        end = span[1]
    return kept, dropped


def tag_array(
    length: int,
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    labels: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Tag ids for `length` characters holding non-overlapping spans (label = schema index).

    Vectorized: a running sum of +I at each span start and -I at its end
    paints the I tags, then each start is overwritten with its B tag.
    """
    import numpy as np

    delta = np.zeros(length + 1, dtype=np.int64)
    inside = 2 * labels + 2
    np.add.at(delta, starts, inside)
    np.add.at(delta, ends, -inside)
    tags = np.cumsum(delta[:length])
    tags[starts] = 2 * labels + 1
    return tags


def tags_to_spans(
    tags: Sequence[int], names: Sequence[str], offset: int = 0
) -> list[tuple[int, int, str]]:
    """(start, end, label) runs from strict IOB2 tag ids; `offset` is the chunk's char_start.

    An I- that does not continue a run of its own label is an error here, not
    a new span: exports must never need the lenient reading.
    """
    spans: list[tuple[int, int, str]] = []
    current: list[int | str] | None = None
    for i, tag in enumerate(tags):
        name = names[tag]
        if name == "O":
            if current:
                spans.append((int(current[0]), i + offset, str(current[1])))
            current = None
            continue
        prefix, label = name[:1], name[2:]
        if prefix == "B":
            if current:
                spans.append((int(current[0]), i + offset, str(current[1])))
            current = [i + offset, label]
        elif current is None or current[1] != label:
            raise ValueError(f"tag {name} at {i} does not continue a B-{label}")
    if current:
        spans.append((int(current[0]), len(tags) + offset, str(current[1])))
    return spans
