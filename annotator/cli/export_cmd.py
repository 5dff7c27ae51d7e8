"""`annotator export`: a Hugging Face dataset (default) or jsonl / CoNLL / brat / save_to_disk.

Heavy imports (datasets, pyarrow, numpy) happen inside the command, so
`annotator --help` stays fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from annotator.cli.common import WorkspaceOption, fail, is_tty, open_workspace, resolve_annotator

if TYPE_CHECKING:
    from annotator.problems import Problem
    from annotator.workspace import Workspace

SHOWN_PROBLEMS = 10


class Format(StrEnum):
    hf = "hf"
    disk = "disk"
    jsonl = "jsonl"
    conll = "conll"
    brat = "brat"


_DEFAULT_OUT = {
    Format.hf: "{name}",
    Format.disk: "{name}-disk",
    Format.jsonl: "{name}.jsonl",
    Format.conll: "{name}.conll",
    Format.brat: "{name}-brat",
}


def default_annotator(workspace: Workspace, explicit: str | None) -> str:
    """--annotator, else `gold` if present, else the only annotator, else $ANNOTATOR / OS user."""
    if explicit:
        return resolve_annotator(explicit)
    names = workspace.annotators()
    if "gold" in names:
        return "gold"
    if len(names) == 1:
        return names[0]
    return resolve_annotator(None)


def agreement_figures(workspace: Workspace, annotator: str) -> dict[str, Any] | None:
    """`annotator agree --json`'s figures for the card, when this is an adjudicated set."""
    others = [name for name in workspace.annotators() if name != annotator]
    if annotator != "gold" or len(others) < 2:
        return None
    try:
        from annotator.quality.agree import agree
    except ImportError:
        return None
    pairs = [report.as_dict() for report in agree(workspace)]
    keep = ("annotators", "docs", "span_f1", "span_f1_overlap", "cohen_kappa", "krippendorff_alpha")
    return {"pairs": [{key: pair.get(key) for key in keep} for pair in pairs]} if pairs else None


def _nothing(status: str, name: str) -> str:
    return f"no documents with status {status!r} for annotator {name!r}: nothing exported"


def _report_problems(problems: list[Problem]) -> None:
    if not problems:
        return
    files = sorted({p.path for p in problems})
    typer.echo(
        f"left out {len(files)} invalid or stale label files (never exported wrong):", err=True
    )
    for problem in problems[:SHOWN_PROBLEMS]:
        typer.echo(f"  {problem.render()}", err=True)
    if len(problems) > SHOWN_PROBLEMS:
        typer.echo(
            f"  … and {len(problems) - SHOWN_PROBLEMS} more (run `annotator validate`)", err=True
        )


def register(app: typer.Typer) -> None:
    @app.command("export")
    def export(
        fmt: Annotated[
            Format,
            typer.Option(
                "--format",
                "-f",
                help="hf: Parquet + card for datasets/push_to_hub; "
                "disk: save_to_disk; jsonl; conll; brat.",
            ),
        ] = Format.hf,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                "-o",
                help="Folder (hf, disk, brat) or file (jsonl, conll); "
                "default under the workspace's exports/.",
            ),
        ] = None,
        annotator: Annotated[
            str | None,
            typer.Option(
                "--annotator",
                "-a",
                help="Whose labels (default: gold if present, else the only "
                "annotator, else $ANNOTATOR / your OS user).",
            ),
        ] = None,
        status: Annotated[
            str, typer.Option("--status", help="Export documents with this status.")
        ] = "done",
        split: Annotated[
            str,
            typer.Option(
                "--split", help="train/validation/test shares (hf, disk), e.g. 80/10/10 or 90/10."
            ),
        ] = "80/10/10",
        seed: Annotated[
            str, typer.Option("--seed", help="Salt of the split hash (same salt, same splits).")
        ] = "annotator",
        redact: Annotated[
            bool,
            typer.Option(
                "--redact",
                help="Mask phone, ID-card and bank-card numbers and emails "
                "(same-length placeholders; offsets stay valid).",
            ),
        ] = False,
        workspace: WorkspaceOption = None,
    ) -> None:
        """Export labelled documents for ML teams (default: a Hugging Face dataset folder)."""
        from annotator.errors import AnnotatorError
        from annotator.export.splits import parse_split
        from annotator.model import STATUSES

        ws = open_workspace(workspace)
        name = default_annotator(ws, annotator)
        if status not in STATUSES:
            fail(f"--status {status!r} is not one of {', '.join(STATUSES)}")
        if not ws.annotator_dir(name).is_dir():
            fail(
                f"annotator {name!r} has no labels in this workspace "
                f"(known: {', '.join(ws.annotators()) or 'none'})"
            )
        target = out or ws.exports_dir / _DEFAULT_OUT[fmt].format(name=ws.name)
        try:
            parse_split(split)
            if fmt in (Format.hf, Format.disk):
                documents, chunks, problems, extra = _dataset(
                    fmt, ws, target, name, status, split, seed, redact
                )
                _report_problems(problems)
                if documents == 0:
                    fail(_nothing(status, name))
                typer.echo(
                    f"exported {documents} documents ({chunks} chunks; {extra}) "
                    f"by {name!r} to {target}"
                )
            else:
                count, problems = _text_format(fmt, ws, target, name, status, redact)
                _report_problems(problems)
                if count == 0:
                    fail(_nothing(status, name))
                typer.echo(f"exported {count} documents by {name!r} to {target}")
        except AnnotatorError as exc:
            fail(exc.render())


def _dataset(
    fmt: Format,
    ws: Workspace,
    target: Path,
    name: str,
    status: str,
    split: str,
    seed: str,
    redact: bool,
) -> tuple[int, int, list[Problem], str]:
    from annotator.export.pipeline import ExportOptions

    agreement = agreement_figures(ws, name)
    options = ExportOptions(name, status, split, seed, redact, progress=is_tty())
    if fmt is Format.hf:
        from annotator.export.hf import export_hf

        result = export_hf(ws, target, options, agreement=agreement)
    else:
        from annotator.export.disk import export_disk

        result = export_disk(ws, target, options, agreement=agreement)
    extra = (
        ", ".join(f"{split_name} {s.documents}" for split_name, s in result.splits.items())
        or "no splits"
    )
    return result.documents, result.chunks, result.problems, extra


def _text_format(
    fmt: Format, ws: Workspace, target: Path, name: str, status: str, redact: bool
) -> tuple[int, list[Problem]]:
    from annotator.export.source import iter_items

    problems: list[Problem] = []
    items = _with_progress(iter_items(ws, name, status, problems.append), len(ws.label_ids(name)))
    if fmt is Format.jsonl:
        from annotator.export.jsonl import write_jsonl

        return write_jsonl(items, target, mask=redact), problems
    if fmt is Format.conll:
        from annotator.export.conll import write_conll

        return write_conll(items, target, mask=redact), problems
    from annotator.export.brat import write_brat

    return write_brat(items, target, ws.schema().label_names, mask=redact), problems


def _with_progress(items: Any, total: int) -> Any:
    """Wrap an iterator in a rich progress bar on a terminal for exports of some size."""
    if not is_tty() or total < 500:
        return items
    from rich.console import Console
    from rich.progress import track

    return track(
        items, total=total, description="exporting", console=Console(stderr=True), transient=True
    )
