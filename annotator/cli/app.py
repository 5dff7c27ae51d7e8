"""The typer application: one module per verb group registers its commands here.

Verb modules import heavy libraries (jieba, datasets, textual) inside the
command functions, so `annotator --help` and `annotator validate` stay fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from annotator.cli import (
    export_cmd,
    import_cmd,
    lexicon_cmd,
    quality_cmds,
    suggest_cmd,
    team_cmds,
    tui_cmd,
    validate_cmd,
    workspace_cmds,
)
from annotator.cli.adjudicate_cmd import register_adjudicate
from annotator.cli.common import AnnotatorOption, WorkspaceOption
from annotator.errors import AnnotatorError

app = typer.Typer(
    rich_markup_mode=None,
    name="annotator",
    help="Label spans in Chinese data-breach news, keyboard first. "
    "Run without a command to open the annotation TUI.",
    invoke_without_command=True,
    no_args_is_help=False,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _default(
    ctx: typer.Context,
    workspace: WorkspaceOption = None,
    annotator: AnnotatorOption = None,
    doc: Annotated[str | None, typer.Option("--doc", help="Open this document directly.")] = None,
) -> None:
    """Without a command: open the annotation TUI (same as `annotator tui`)."""
    if ctx.invoked_subcommand is None:
        tui_cmd.launch(workspace, annotator, doc)


for module in (
    workspace_cmds,
    import_cmd,
    validate_cmd,
    suggest_cmd,
    lexicon_cmd,
    tui_cmd,
    export_cmd,
    quality_cmds,
    team_cmds,
):
    module.register(app)
register_adjudicate(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: AnnotatorError becomes one line and exit 1, never a traceback."""
    try:
        app(args=argv, prog_name="annotator")
    except AnnotatorError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as exc:
        if os.environ.get("ANNOTATOR_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} "
            "(this is a bug; rerun with ANNOTATOR_DEBUG=1 for the traceback and report it)",
            file=sys.stderr,
        )
        raise SystemExit(2) from None


__all__ = ["Path", "app", "main"]
