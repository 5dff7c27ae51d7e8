"""Duplicate groups for split assignment: same URL, same normalized text, or a near-duplicate.

Near-duplicates (a reprint with small edits) are found with a small MinHash
written here, vectorized with numpy over batches of 256 documents: character
5-gram shingles of the canonical text, one-permutation
hashing into 32 bins (one hash per shingle instead of 32), and LSH over 8
bands of 4 bins; candidate pairs are kept when their estimated Jaccard
similarity is at least 0.7. Only 32 32-bit minima per document are kept
(128 bytes), never the text, so grouping 100,000 documents holds ~15 MB.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SHINGLE = 5
BINS = 32
BANDS = 8
ROWS = BINS // BANDS
THRESHOLD = 0.7
_BATCH = 256
_EMPTY = 0xFFFFFFFF
_WHITESPACE = (
    0x85,
    0xA0,
    0x1680,
    0x2028,
    0x2029,
    0x202F,
    0x205F,
    0x3000,
)  # besides <= 0x20, U+2000-200A


def canonical_points(texts: list[str]) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """What "the same text" means, for a batch at once, as code points and per-text lengths.

    Full-width ASCII reads as ASCII, ASCII letters as lower case, and
    whitespace is dropped: vectorized and in place, so the cost stays near
    that of encoding the text.
    """
    import numpy as np

    points = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).copy()
    points[(points - np.uint32(0xFF01)) <= np.uint32(0xFF5E - 0xFF01)] -= np.uint32(0xFEE0)
    points[(points - np.uint32(0x41)) <= np.uint32(0x5A - 0x41)] += np.uint32(32)
    space = (points <= np.uint32(0x20)) | ((points - np.uint32(0x2000)) <= np.uint32(0x0A))
    space |= np.isin(points, _WHITESPACE)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    bounds = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    dropped = (
        np.add.reduceat(space, bounds[:-1].clip(max=max(len(points) - 1, 0)))
        if len(points)
        else lengths * 0
    )
    kept = lengths - np.where(lengths > 0, dropped, 0)
    return points[~space], kept


def canonical_text(text: str) -> str:
    """One text's canonical form (see `canonical_points`)."""
    points, _lengths = canonical_points([text])
    return points.astype("<u4").tobytes().decode("utf-32-le")


def canonical_url(url: str) -> str:
    """Scheme, `www.`, fragment, case and a trailing slash do not make a URL different."""
    url = url.strip().split("#", 1)[0]
    url = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", url)
    host, _, rest = url.partition("/")
    host = host.lower().removeprefix("www.")
    return (host + "/" + rest).rstrip("/")


def signatures(
    points: npt.NDArray[np.uint32], lengths: npt.NDArray[np.int64]
) -> npt.NDArray[np.uint32]:
    """(len(lengths), BINS) one-permutation MinHash signatures of canonical code points.

    32-bit arithmetic, updated in place: on a VM, fresh temporaries (page
    faults) cost more than the arithmetic. Bins no shingle fell into hold
    0xFFFFFFFF; a text shorter than a shingle has only such bins and is
    matched by its exact-text key instead.
    """
    import numpy as np

    n = len(lengths)
    sig = np.full(n * BINS, _EMPTY, dtype=np.uint32)
    m = len(points) - SHINGLE + 1
    if m <= 0:
        return sig.reshape(n, BINS)
    # Polynomial hash of each 5-gram (mod 2**32), then a murmur-style finalizer.
    h = points[:m].copy()
    for j in range(1, SHINGLE):
        h *= np.uint32(0x01000193)
        h += points[j : j + m]
    tmp = np.empty_like(h)
    np.right_shift(h, np.uint32(16), out=tmp)
    h ^= tmp
    h *= np.uint32(0x45D9F3B)
    np.right_shift(h, np.uint32(16), out=tmp)
    h ^= tmp
    h *= np.uint32(0x45D9F3B)
    np.right_shift(h, np.uint32(16), out=tmp)
    h ^= tmp
    # Bin = top 5 bits; value = the other 27 bits (never equal to _EMPTY).
    np.right_shift(h, np.uint32(27), out=tmp)
    h &= np.uint32(0x07FFFFFF)
    index = np.repeat(np.arange(n, dtype=np.uint32) * np.uint32(BINS), lengths)[:m]
    index += tmp
    # Shingles that run across the end of a text into the next one count for nothing.
    ends = np.cumsum(lengths)
    for back in range(1, SHINGLE):
        crossing = ends - back
        h[crossing[(crossing >= 0) & (crossing < m)]] = np.uint32(_EMPTY)
    np.minimum.at(sig, index, h)
    return sig.reshape(n, BINS)


def fingerprints(texts: list[str]) -> tuple[list[bytes], npt.NDArray[np.uint32]]:
    """Exact-text keys (blake2b of the canonical text) and MinHash signatures of a batch."""
    points, lengths = canonical_points(texts)
    raw = points.astype("<u4").tobytes()
    keys = []
    offset = 0
    for length in lengths.tolist():
        keys.append(hashlib.blake2b(raw[offset : offset + 4 * length], digest_size=16).digest())
        offset += 4 * length
    return keys, signatures(points, lengths)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class DuplicateGrouper:
    """Feed documents in order; `groups()` names each one's duplicate group.

    A group is named by its member with the earliest (date, id): a reprint
    added later joins the original's group without renaming it, and adding
    unrelated documents renames nothing. `add_batch` takes fingerprints
    computed elsewhere (`fingerprints`, e.g. in a worker process); `add`
    computes them here, a batch at a time.
    """

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._priority: list[tuple[str, str]] = []
        self._sets = _UnionFind()
        self._by_url: dict[str, int] = {}
        self._by_text: dict[bytes, int] = {}
        self._pending: list[tuple[str, str, str | None, str | None]] = []
        self._signatures: list[npt.NDArray[np.uint32]] = []

    def add(self, doc_id: str, text: str, url: str | None = None, date: str | None = None) -> None:
        self._pending.append((doc_id, text, url, date))
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, []
            keys, sig = fingerprints([text for _id, text, _url, _date in pending])
            ids = [doc_id for doc_id, _text, _url, _date in pending]
            self.add_batch(ids, [p[2] for p in pending], [p[3] for p in pending], keys, sig)

    def add_batch(
        self,
        doc_ids: Sequence[str],
        urls: Sequence[str | None],
        dates: Sequence[str | None],
        keys: Sequence[bytes],
        sig: npt.NDArray[np.uint32],
    ) -> None:
        """Documents with their exact-text keys and MinHash rows (from `fingerprints`)."""
        self._flush()
        for doc_id, url, date, key in zip(doc_ids, urls, dates, keys, strict=True):
            index = self._sets.add()
            self._ids.append(doc_id)
            self._priority.append((date or "\uffff", doc_id))
            first = self._by_text.setdefault(key, index)
            if first != index:
                self._sets.union(first, index)
            if url:
                first = self._by_url.setdefault(canonical_url(url), index)
                if first != index:
                    self._sets.union(first, index)
        self._signatures.append(sig)

    def _drain(self) -> None:
        self._flush()

    def _near_duplicates(self) -> None:
        import numpy as np

        self._drain()
        if not self._signatures:
            return
        sig = np.concatenate(self._signatures)
        self._signatures = [sig]
        has_shingles = (sig != _EMPTY).any(axis=1)
        candidates = np.flatnonzero(has_shingles)
        for band in range(BANDS):
            cols = sig[candidates, band * ROWS : (band + 1) * ROWS].astype(np.uint64)
            key = np.zeros(len(candidates), dtype=np.uint64)
            for c in range(ROWS):
                key = key * np.uint64(0x9E3779B97F4A7C15) + cols[:, c]
            order = np.argsort(key, kind="stable")
            sorted_keys = key[order]
            starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
            sizes = np.diff(np.r_[starts, len(order)])
            for start, size in zip(
                starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True
            ):
                members = candidates[order[start : start + size]]
                head = int(members[0])
                similar = (sig[members[1:]] == sig[head]).mean(axis=1) >= THRESHOLD
                for other in members[1:][similar].tolist():
                    self._sets.union(head, other)

    def groups(self) -> dict[str, str]:
        """{doc_id: group name}; the name is the id of the group's earliest member."""
        self._near_duplicates()
        best: dict[int, int] = {}
        for index in range(len(self._ids)):
            root = self._sets.find(index)
            current = best.get(root)
            if current is None or self._priority[index] < self._priority[current]:
                best[root] = index
        return {doc_id: self._ids[best[self._sets.find(i)]] for i, doc_id in enumerate(self._ids)}
