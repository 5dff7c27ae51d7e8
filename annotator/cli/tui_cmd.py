"""`annotator tui`: open the annotation app (Textual is imported only here)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotator.cli.common import AnnotatorOption, WorkspaceOption, open_workspace, resolve_annotator


def launch(workspace: Path | None, annotator: str | None, doc: str | None) -> None:
    ws = open_workspace(workspace)
    name = resolve_annotator(annotator)
    from annotator.tui.app import create_app

    app = create_app(ws.root, name, doc)
    try:
        app.run()
    finally:
        app.close_document()  # however the app ended, flush the last saves and unlock
    if app.return_code:  # ended by a signal (128 + its number): say so to the shell
        raise typer.Exit(app.return_code)


def register(app: typer.Typer) -> None:
    @app.command("tui")
    def tui(
        workspace: WorkspaceOption = None,
        annotator: AnnotatorOption = None,
        doc: Annotated[
            str | None, typer.Option("--doc", help="Open this document's annotate screen.")
        ] = None,
    ) -> None:
        """Open the annotation TUI (resumes where you left off)."""
        launch(workspace, annotator, doc)
