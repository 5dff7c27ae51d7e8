"""`annotator suggest`: pre-annotate every unfinished document as pending suggestions.

Each label file is locked while it is read, refreshed and written, so a
document open in a TUI (which holds its lock) is reported and left alone.
Labelled spans and rejected suggestions are never touched: fresh suggestions
replace the pending ones, minus anything overlapping a span or rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO, Literal

import typer

from annotator.cli.common import AnnotatorOption, WorkspaceOption, fail, is_tty, open_workspace
from annotator.cli.common import resolve_annotator as _resolve_annotator
from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from annotator.model import LabelFile
    from annotator.suggest.taught import TaughtLexicon
    from annotator.workspace import Workspace

Outcome = Literal["stored", "unchanged", "done", "locked", "stale", "failed"]


def suggest_one(
    workspace: Workspace,
    annotator: str,
    doc_id: str,
    lexicon: TaughtLexicon | None,
    *,
    save: bool = True,
    timeout: float = 0.2,
) -> tuple[Outcome, LabelFile | None, str]:
    """Suggest for one document under its lock: (outcome, label file, message)."""
    from annotator.store import acquire
    from annotator.suggest.refresh import refresh_suggestions

    lock = workspace.lock_labels(annotator, doc_id)
    path = workspace.label_path(annotator, doc_id)
    try:
        acquire(lock, path, timeout)
    except AnnotatorError as exc:
        return "locked", None, exc.render()
    try:
        document = workspace.load_document(doc_id)
        existing = workspace.load_labels(annotator, doc_id)
        if existing is not None and existing.status == "done":
            return "done", existing, ""
        if existing is not None and existing.text_sha256 != document.sha256:
            return "stale", existing, f"{workspace.relative(path)}: labels made on another text"
        current = existing or workspace.labels_or_new(annotator, doc_id)
        fresh = refresh_suggestions(workspace, current, lexicon)
        unchanged = existing is not None and fresh.suggestions == existing.suggestions
        if unchanged or (existing is None and not fresh.suggestions):
            return "unchanged", fresh, ""
        if save:
            fresh = workspace.save_labels(fresh, lock_held=True)
        return "stored", fresh, ""
    except AnnotatorError as exc:
        return "failed", None, exc.render()
    finally:
        lock.release()


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr (only on a terminal); yields `advance(doc_id)`."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("suggest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=Console(stderr=True),
        disable=not enabled,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=total)

        def advance(doc_id: str) -> None:
            progress.update(task, advance=1, description=doc_id)

        yield advance


def _targets(
    workspace: Workspace, annotator: str, docs: list[str] | None, assigned: bool
) -> list[str]:
    if docs:
        missing = [d for d in docs if not workspace.has_document(d)]
        if missing:
            fail(f"no document {missing[0]!r} in this workspace")
        return list(dict.fromkeys(docs))
    ids = workspace.document_ids()
    if assigned:
        from annotator.quality.assign import assigned_docs

        mine = assigned_docs(workspace, annotator)
        if mine is None:
            fail("there is no assignment (run `annotator assign` or drop --assigned)")
        wanted = set(mine)
        ids = [d for d in ids if d in wanted]
    return ids


def suggest_command(
    workspace: WorkspaceOption = None,
    annotator: AnnotatorOption = None,
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Only this document (repeatable).")
    ] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option(
            "--jsonl",
            dir_okay=False,
            help="Also write one line per document: {id, text, spans: [{start, end, label, "
            "text, source, score}]} ('-' for stdout).",
        ),
    ] = None,
    assigned: Annotated[
        bool, typer.Option("--assigned", help="Only the documents assigned to this annotator.")
    ] = False,
    no_save: Annotated[
        bool,
        typer.Option("--no-save", help="Do not touch label files (with --jsonl: measure only)."),
    ] = False,
) -> None:
    """Pre-annotate every document this annotator has not marked done."""
    import sys

    from annotator.quality.jsonl_spans import span_jsonl_line
    from annotator.suggest.taught import load_lexicon

    ws = open_workspace(workspace)
    who = _resolve_annotator(annotator)
    ids = _targets(ws, who, doc, assigned)
    lexicon = load_lexicon(ws.lexicon_dir)
    counts: dict[str, int] = {}
    problems: list[str] = []
    total_suggestions = 0
    out: BinaryIO | None = None
    if jsonl is not None:
        out = sys.stdout.buffer if str(jsonl) == "-" else jsonl.open("wb")
    try:
        with _progress(len(ids), is_tty()) as advance:
            for doc_id in ids:
                outcome, label_file, message = suggest_one(
                    ws, who, doc_id, lexicon, save=not no_save
                )
                counts[outcome] = counts.get(outcome, 0) + 1
                if message:
                    problems.append(message)
                if label_file is not None and outcome in ("stored", "unchanged"):
                    total_suggestions += len(label_file.suggestions)
                    if out is not None:
                        text = ws.load_document(doc_id).text
                        out.write(span_jsonl_line(doc_id, text, label_file.suggestions))
                advance(doc_id)
    finally:
        if out is not None and out is not sys.stdout.buffer:
            out.close()
    for message in problems:
        typer.echo(f"warning: {message}", err=True)
    verb = "computed" if no_save else "stored"
    summary = (
        f"{verb} {total_suggestions} suggestion(s) for {who} on "
        f"{counts.get('stored', 0) + counts.get('unchanged', 0)} document(s)"
    )
    if not no_save:
        summary += f" ({counts.get('stored', 0)} label file(s) updated)"
    extras = [
        f"{counts[k]} {label}"
        for k, label in (
            ("done", "already done"),
            ("locked", "open elsewhere (locked), left alone"),
            ("stale", "with labels on an older text"),
            ("failed", "failed"),
        )
        if counts.get(k)
    ]
    if extras:
        summary += "; skipped " + ", ".join(extras)
    typer.echo(summary, err=str(jsonl) == "-")
    if counts.get("locked") or counts.get("failed"):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("suggest")(suggest_command)
