"""What every verb shares: finding the workspace, naming the annotator, printing errors."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from annotator.workspace import Workspace

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: the nearest folder upwards holding labels/schema.json).",
        file_okay=False,
    ),
]
AnnotatorOption = Annotated[
    str | None,
    typer.Option(
        "--annotator", "-a", help="Annotator name (default: $ANNOTATOR, then your OS user)."
    ),
]


def fail(message: str, code: int = 1) -> NoReturn:
    """One clear line on stderr and a non-zero exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def open_workspace(path: Path | None) -> Workspace:
    from annotator.workspace import find_workspace

    try:
        return find_workspace(path)
    except AnnotatorError as exc:
        fail(exc.render())


def resolve_annotator(name: str | None) -> str:
    """--annotator, then $ANNOTATOR, then the OS user; always a valid file-name-safe name."""
    from annotator.model import annotator_problem

    chosen = name or os.environ.get("ANNOTATOR") or _os_user()
    problem = annotator_problem(chosen)
    if problem:
        fail(problem + " (pass --annotator NAME)")
    return chosen


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "annotator"


def is_tty() -> bool:
    return sys.stderr.isatty()
