"""Active annotation time: the time between input events, idle gaps not counted."""

from __future__ import annotations

import time
from collections.abc import Callable

IDLE_GAP_SECONDS = 60.0


class ActiveTimer:
    """Adds the gap since the previous event unless it is longer than `idle_gap`."""

    def __init__(
        self, idle_gap: float = IDLE_GAP_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.idle_gap = idle_gap
        self._clock = clock
        self._last: float | None = None
        self.seconds = 0.0

    def tick(self) -> None:
        now = self._clock()
        if self._last is not None:
            gap = now - self._last
            if 0 < gap <= self.idle_gap:
                self.seconds += gap
        self._last = now
