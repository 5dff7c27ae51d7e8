"""Workspace verbs: `init`, `stats`, `schema`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        directory: Annotated[Path, typer.Argument(help="Folder to create or complete.", file_okay=False)] = Path(),
    ) -> None:
        """Create a workspace with the default breach schema (never overwrites)."""
        from annotator.workspace import init_workspace

        workspace = init_workspace(directory)
        typer.echo(f"workspace ready at {workspace.root} (schema: {workspace.schema_path})")
