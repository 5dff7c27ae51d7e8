"""An ordered, memory-bounded map over chunks in forked worker processes.

Reading, parsing and validating label files is pure Python, so on several
cores it runs in worker processes. The workers are forked (they inherit the
workspace and options without pickling), so call `ordered_map` before the
caller starts threads. At most `2 * workers` chunks are in flight, so
memory stays bounded even when the workers outrun the caller; results come
back in input order, so the output is the same as a serial run's.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

S = TypeVar("S")
C = TypeVar("C")
R = TypeVar("R")

_STATE: Any = None


def _init(state: Any) -> None:
    global _STATE
    _STATE = state


def _call(fn: Callable[[Any, Any], Any], chunk: Any) -> Any:
    return fn(_STATE, chunk)


def ordered_map(
    fn: Callable[[S, C], R], state: S, chunks: Sequence[C], workers: int
) -> Iterator[R]:
    """`fn(state, chunk)` for each chunk, in order; in `workers` processes when > 1.

    `fn` must be a module-level function (it is sent to the workers by name).
    """
    if workers <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield fn(state, chunk)
        return
    import gc
    import multiprocessing

    context = multiprocessing.get_context("fork")
    # Objects that exist now (imported libraries, the caller's state) move to the permanent
    # generation: the workers' collector never walks them, so it neither wastes time on them
    # nor touches (and so copies) the pages the workers share with this process.
    gc.freeze()
    try:
        yield from _pooled(context, fn, state, chunks, workers)
    finally:
        gc.unfreeze()


def _pooled(
    context: Any, fn: Callable[[S, C], R], state: S, chunks: Sequence[C], workers: int
) -> Iterator[R]:
    with context.Pool(workers, initializer=_init, initargs=(state,)) as pool:
        pending: deque[Any] = deque()
        todo = iter(chunks)
        for chunk in todo:
            pending.append(pool.apply_async(_call, (fn, chunk)))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result: R = pending.popleft().get()
            for chunk in todo:
                pending.append(pool.apply_async(_call, (fn, chunk)))
                break
            yield result
