"""Errors the shells turn into one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path


class AnnotatorError(Exception):
    """A problem the user can fix; the message names the file and the fix."""

    def __init__(self, message: str, *, path: Path | str | None = None, fix: str | None = None):
        self.path = str(path) if path is not None else None
        self.message = message
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        where = f"{self.path}: " if self.path else ""
        fix = f" ({self.fix})" if self.fix else ""
        return f"{where}{self.message}{fix}"


class WorkspaceError(AnnotatorError):
    pass


class StoreError(AnnotatorError):
    pass


class LockedError(StoreError):
    """Another process (usually a TUI) holds the label file."""


class InvalidLabelsError(StoreError):
    """A save was refused because the label file would be invalid."""
