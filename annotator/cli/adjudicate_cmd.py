"""`annotator adjudicate`: open the adjudication TUI (Textual is imported only when it opens)."""

from __future__ import annotations

from typing import Annotated

import typer

from annotator.cli.common import WorkspaceOption, fail, open_workspace
from annotator.errors import AnnotatorError


def _names(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [name.strip() for name in value.split(",") if name.strip()] or None


def register_adjudicate(app: typer.Typer) -> None:
    """Add the `adjudicate` command to the app."""

    @app.command("adjudicate")
    def adjudicate(
        workspace: WorkspaceOption = None,
        into: Annotated[
            str, typer.Option("--into", help="Annotator whose label files receive the result.")
        ] = "gold",
        annotators: Annotated[
            str | None,
            typer.Option(
                "--annotators",
                help="Comma-separated sources, e.g. alice,bob: documents all of them finished "
                "(default: documents two or more annotators finished; with an assignment, "
                "those it gives to two or more annotators, from what they finished).",
            ),
        ] = None,
    ) -> None:
        """Adjudicate documents with two or more finished versions into a gold label file."""
        from annotator.tui.adjudication import adjudication_queue, nothing_message

        ws = open_workspace(workspace)
        names = _names(annotators)
        try:
            queue = adjudication_queue(ws, into, names)
        except AnnotatorError as exc:
            fail(exc.render())
        if not queue.sources:
            typer.echo(nothing_message(names, queue))
            return
        from annotator.tui.adjudicate_app import create_adjudicate_app

        adjudicate_app = create_adjudicate_app(ws.root, into, names)
        adjudicate_app.run()
        if adjudicate_app.return_code:  # ended by a signal (128 + its number)
            raise typer.Exit(adjudicate_app.return_code)
