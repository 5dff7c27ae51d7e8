"""`annotator validate`: check the schema, documents and label files (CI runs this)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from annotator.cli.common import WorkspaceOption, fail


class OutputFormat(StrEnum):
    text = "text"
    github = "github"
    json = "json"


def _workspace_for(path: Path | None, workspace: Path | None) -> Path | None:
    """--workspace wins; else the workspace holding PATH; else the current one."""
    if workspace is not None or path is None:
        return workspace
    start = path if path.is_dir() else path.parent
    return _find_root(start.resolve())


def _find_root(start: Path) -> Path | None:
    from annotator.workspace import SCHEMA_RELPATH

    for folder in (start, *start.parents):
        if (folder / SCHEMA_RELPATH).is_file():
            return folder
    return None


def _git_top(folder: Path) -> Path | None:
    import subprocess

    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate(
        path: Annotated[
            Path | None,
            typer.Argument(
                help="A workspace, a label file, or a folder of label files inside one "
                "(default: the current workspace)."
            ),
        ] = None,
        output: Annotated[
            OutputFormat,
            typer.Option(
                "--format",
                "-f",
                help="text (one line per problem), github (Actions annotations) or json.",
            ),
        ] = OutputFormat.text,
        changed: Annotated[
            str | None,
            typer.Option(
                "--changed",
                metavar="REF",
                help="Only files changed since this git ref (plus uncommitted and untracked ones), "
                "and the label files of changed documents.",
            ),
        ] = None,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Check every label file against its document and the schema; exit 1 on any problem."""
        from annotator.errors import AnnotatorError
        from annotator.validate import github_lines, json_report
        from annotator.validate import validate as run
        from annotator.workspace import find_workspace

        if path is not None and not path.exists():
            fail(f"{path}: no such file or folder", 2)
        try:
            ws = find_workspace(_workspace_for(path, workspace))
            # GitHub resolves annotation paths from the repository root, not from the cwd.
            cwd = _git_top(ws.root) if output is OutputFormat.github else None
            report = run(ws, [path] if path is not None else (), changed=changed, cwd=cwd)
        except AnnotatorError as exc:
            fail(exc.render(), 2)
        if output is OutputFormat.json:
            sys.stdout.buffer.write(json_report(report) + b"\n")
        else:
            lines = (
                github_lines(report)
                if output is OutputFormat.github
                else (p.render() for p in report.problems)
            )
            out = sys.stdout
            for line in lines:
                out.write(line + "\n")
            out.write(report.summary() + "\n")
            out.flush()
        if not report.ok:
            raise typer.Exit(1)
