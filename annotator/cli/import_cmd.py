"""`annotator import PATH...`: bring articles and JSONL rows into the workspace."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from annotator.cli.common import (
    AnnotatorOption,
    WorkspaceOption,
    fail,
    open_workspace,
    resolve_annotator,
)

if TYPE_CHECKING:
    from annotator.importer import ImportReport
    from annotator.importer import Progress as ProgressFn

# Imports smaller than this finish before a progress bar is worth drawing.
PROGRESS_MIN_BYTES = 2 * 1024 * 1024


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        paths: Annotated[
            list[Path],
            typer.Argument(
                help="Files or folders: .txt, .md, .html, .jsonl (content decides: a .txt "
                "holding front matter and HTML is read as that).",
                show_default=False,
            ),
        ],
        annotator: AnnotatorOption = None,
        replace: Annotated[
            bool,
            typer.Option(
                "--replace",
                help="Overwrite an annotator's existing labels with the spans in the rows.",
            ),
        ] = False,
        replace_text: Annotated[
            bool,
            typer.Option(
                "--replace-text",
                help="Correct the text of a stored document with the same id and re-anchor "
                "its label files (spans that cannot be placed exactly are reported).",
            ),
        ] = False,
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", help="Only problems and the summary line.")
        ] = False,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Import documents (dedup by text) and the spans JSONL rows carry; exit 1 on any problem.

        Spans in JSONL rows become the label files of --annotator (default:
        $ANNOTATOR, then your OS user), status done, source `import`.
        """
        from annotator.errors import AnnotatorError
        from annotator.importer import import_paths

        ws = open_workspace(workspace)
        name = resolve_annotator(annotator)
        total = sum(_size(path) for path in paths)
        try:
            if total >= PROGRESS_MIN_BYTES and sys.stderr.isatty():
                report = _with_progress(
                    lambda progress: import_paths(
                        ws,
                        paths,
                        annotator=name,
                        replace=replace,
                        replace_text=replace_text,
                        progress=progress,
                    )
                )
            else:
                report = import_paths(
                    ws, paths, annotator=name, replace=replace, replace_text=replace_text
                )
        except AnnotatorError as exc:
            fail(exc.render())
        _print(report, quiet)
        if not report.ok:
            raise typer.Exit(1)


def _with_progress(run: Callable[[ProgressFn], ImportReport]) -> ImportReport:
    """Run the import under a rich progress bar on stderr (bytes read of all files)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("importing"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("import", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return run(progress)


def _print(report: ImportReport, quiet: bool) -> None:
    if not quiet:
        for note in report.notes:
            typer.echo(note)
    for problem in report.problems:
        typer.echo(f"error: {problem.render()}", err=True)
    typer.echo(report.summary(), err=not report.ok)


def _size(path: Path) -> int:
    """Bytes under a path (folders walked), to decide whether a bar is worth it."""
    try:
        if path.is_file():
            return path.stat().st_size
        total = 0
        for root, _dirs, files in os.walk(path):
            for name in files:
                try:
                    total += os.stat(os.path.join(root, name)).st_size
                except OSError:
                    continue
                if total >= PROGRESS_MIN_BYTES:
                    return total
        return total
    except OSError:
        return 0
