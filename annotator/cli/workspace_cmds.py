"""Workspace verbs: `init`, `stats`, and the `schema` group (rename, remove, add, recolor)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from annotator.cli.common import WorkspaceOption, fail, open_workspace

if TYPE_CHECKING:
    from annotator.schema_ops import Migration
    from annotator.workspace import Workspace

schema_app = typer.Typer(
    rich_markup_mode=None,
    name="schema",
    help="Change the label schema and migrate every label file with it.",
    no_args_is_help=True,
)


def _report(workspace: Workspace, migration: Migration, done: str) -> None:
    files = len(migration.changed_files)
    details = []
    if migration.spans_changed:
        details.append(f"{migration.spans_changed} span(s) relabelled")
    if migration.spans_dropped:
        details.append(f"{migration.spans_dropped} span(s) dropped")
    extra = f" ({', '.join(details)})" if details else ""
    typer.echo(f"{done}; {files} label file(s) migrated{extra}; schema: {workspace.schema_path}")


def _run_change(
    workspace: Path | None, done: str, change: str, *args: str, **kwargs: object
) -> None:
    from annotator import schema_ops
    from annotator.errors import AnnotatorError

    ws = open_workspace(workspace)
    try:
        migration = getattr(schema_ops, change)(ws, *args, **kwargs)
    except AnnotatorError as exc:
        fail(exc.render())
    _report(ws, migration, done)


@schema_app.command("list")
def schema_list(workspace: WorkspaceOption = None) -> None:
    """Show the labels: name, hotkey, colour."""
    ws = open_workspace(workspace)
    schema = ws.schema()
    overlap = "allowed" if schema.allow_overlap else "not allowed"
    typer.echo(f"schema {schema.name!r} (version {schema.schema_version}; overlaps {overlap})")
    for label in schema.labels:
        typer.echo(f"  {label.name:<16} key {label.hotkey:<4} {label.color}")


@schema_app.command("rename")
def schema_rename(
    old: Annotated[str, typer.Argument(help="Current label name.")],
    new: Annotated[str, typer.Argument(help="New label name (upper case).")],
    workspace: WorkspaceOption = None,
) -> None:
    """Rename a label in the schema and in every label file (spans, suggestions, rejections)."""
    _run_change(workspace, f"renamed {old} to {new}", "rename_label", old, new)


@schema_app.command("remove")
def schema_remove(
    label: Annotated[str, typer.Argument(help="Label to remove.")],
    drop_spans: Annotated[
        bool, typer.Option("--drop-spans", help="Also delete every span with this label.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Remove a label; refused while spans use it unless --drop-spans."""
    _run_change(workspace, f"removed {label}", "remove_label", label, drop_spans=drop_spans)


@schema_app.command("add")
def schema_add(
    name: Annotated[str, typer.Argument(help="New label name (upper case).")],
    hotkey: Annotated[str, typer.Option("--hotkey", help="Key that applies the label in the TUI.")],
    color: Annotated[str, typer.Option("--color", help="Colour as #rrggbb.")],
    definition: Annotated[str, typer.Option("--definition", help="What the label covers.")] = "",
    workspace: WorkspaceOption = None,
) -> None:
    """Add a label at the end of the schema."""
    done = f"added {name} (key {hotkey}, {color.lower()})"
    _run_change(workspace, done, "add_label", name, hotkey, color, definition)


@schema_app.command("recolor")
def schema_recolor(
    label: Annotated[str, typer.Argument(help="Label to recolour.")],
    color: Annotated[str, typer.Argument(help="New colour as #rrggbb.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Change a label's colour."""
    _run_change(workspace, f"recoloured {label} to {color.lower()}", "recolor_label", label, color)


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        directory: Annotated[
            Path, typer.Argument(help="Folder to create or complete.", file_okay=False)
        ] = Path(),
    ) -> None:
        """Create a workspace with the default breach schema (never overwrites)."""
        from annotator.workspace import init_workspace

        workspace = init_workspace(directory)
        typer.echo(f"workspace ready at {workspace.root} (schema: {workspace.schema_path})")

    @app.command("stats")
    def stats(
        workspace: WorkspaceOption = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools.")] = False,
    ) -> None:
        """Documents by status, spans by label and annotator, speed, uncertain spans, progress."""
        from annotator.stats import compute_stats, render_text, to_json

        ws = open_workspace(workspace)
        result = compute_stats(ws)
        if as_json:
            sys.stdout.buffer.write(to_json(result) + b"\n")
        else:
            typer.echo(render_text(result))

    app.add_typer(schema_app, name="schema")
