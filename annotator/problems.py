"""A problem found in a workspace file, shared by save, validate and import."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    message: str
    fix: str = ""
    span: str = ""  # e.g. "spans[3] 10:12 ORG '淘宝'"
    line: int | None = None

    def render(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        span = f" {self.span}:" if self.span else ""
        fix = f" — {self.fix}" if self.fix else ""
        return f"{where}:{span} {self.message}{fix}"
