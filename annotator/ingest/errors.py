"""The one error every ingest step raises: a file, what is wrong, and the fix."""

from __future__ import annotations

from pathlib import Path

from annotator.errors import AnnotatorError


class IngestError(AnnotatorError):
    """A file that cannot be imported as it is; rendered as one line naming it.

    Subclasses the project's AnnotatorError so that every shell prints it the
    same way (one line, non-zero exit, no traceback).
    """

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        fix: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file = str(path)
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(message, path=where, fix=fix)
