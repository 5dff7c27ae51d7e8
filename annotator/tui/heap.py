"""Keep Python's cyclic garbage collector out of the way of keys.

A full collection walks every object in the process: with jieba's
dictionary, Textual's widgets and an open document that is ~75 ms, and left
to its own schedule it lands in the middle of a keypress. `settle` collects
at a quiet moment (a document has just opened and drawn) and then freezes
what survived, so the collections that run during keys only walk objects
made since. Unfreezing first hands the screens of earlier documents back to
the collector: nothing leaks over a long session.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect everything now, then move the survivors out of the collector's sight."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
