"""Quality verbs: `eval`, `agree`, `merge`, `assign`. Thin shells over `annotator.quality`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from annotator.cli.common import WorkspaceOption, fail, open_workspace
from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from rich.table import Table

    from annotator.quality.agree import PairReport
    from annotator.quality.eval import EvalResult
    from annotator.workspace import Workspace


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _split(names: str | None) -> list[str] | None:
    if not names:
        return None
    out = [n.strip() for n in names.split(",") if n.strip()]
    return out or None


def _print_json(payload: object) -> None:
    import orjson

    typer.echo(orjson.dumps(payload, option=orjson.OPT_INDENT_2).decode())


def _print(table: Table) -> None:
    """Tables at the terminal's width; piped output gets room enough not to squeeze."""
    import sys

    from rich.console import Console

    Console(width=None if sys.stdout.isatty() else 120).print(table)


# ---------------------------------------------------------------- eval


def _eval_table(result: EvalResult, gold: str, pred: str) -> Table:
    from rich.table import Table

    table = Table(
        title=f"{Path(pred).name} against {Path(gold).name}",
        caption=(
            f"documents: {result.docs_shared} on both sides, {result.docs_gold_only} gold only "
            f"(spans count as misses), {result.docs_pred_only} predicted only "
            "(spans count as false alarms)"
        ),
    )
    table.add_column("label", no_wrap=True)
    table.add_column("gold", justify="right")
    table.add_column("pred", justify="right")
    for kind in ("exact", "overlap"):
        for name in ("P", "R", "F1"):
            table.add_column(f"{kind} {name}", justify="right")
    rows = [(label, result.exact[label], result.overlap[label]) for label in result.labels]
    rows.append(("micro", result.micro_exact, result.micro_overlap))
    for index, (label, exact, overlap) in enumerate(rows):
        table.add_row(
            f"[b]{label}[/b]" if label == "micro" else label,
            str(exact.gold),
            str(exact.pred),
            _fmt(exact.precision),
            _fmt(exact.recall),
            _fmt(exact.f1),
            _fmt(overlap.precision),
            _fmt(overlap.recall),
            _fmt(overlap.f1),
            end_section=index == len(rows) - 2,
        )
    return table


def _maybe_workspace(path: Path | None) -> Workspace | None:
    """The workspace when there is one: eval of two JSONL files needs none."""
    from annotator.workspace import find_workspace

    try:
        return find_workspace(path)
    except AnnotatorError:
        if path is not None:
            raise
        return None


def eval_command(
    gold: Annotated[
        str, typer.Option("--gold", help="Gold side: a span JSONL file or an annotator.")
    ],
    pred: Annotated[
        str, typer.Option("--pred", help="Predicted side: a span JSONL file or an annotator.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    label: Annotated[
        list[str] | None, typer.Option("--label", "-l", help="Score only this label (repeatable).")
    ] = None,
    shared_only: Annotated[
        bool,
        typer.Option("--shared-only", help="Ignore documents present on one side only."),
    ] = False,
    unfinished: Annotated[
        bool,
        typer.Option(
            "--unfinished",
            help="For an annotator side, read every label file, not only those marked done.",
        ),
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Precision, recall and F1 per label and micro-averaged, exact and overlap match.

    Exact: same start, end and label. Overlap: same label and overlapping offsets,
    each gold and predicted span matched at most once (a maximum one-to-one matching).
    A document on one side only counts: its gold spans as misses, its predicted
    spans as false alarms (--shared-only ignores such documents). An annotator
    side reads the label files marked done (--unfinished: all of them).
    """
    from annotator.quality.eval import evaluate
    from annotator.quality.jsonl_spans import DONE_ONLY, load_side

    try:
        ws = _maybe_workspace(workspace)
        statuses = None if unfinished else DONE_ONLY
        gold_side = load_side(gold, ws, statuses=statuses)
        pred_side = load_side(pred, ws, statuses=statuses)
        order = ws.schema().label_names if ws is not None else ()
        result = evaluate(
            gold_side, pred_side, labels=label or None, shared_only=shared_only, order=order
        )
    except AnnotatorError as exc:
        fail(exc.render())
    if as_json:
        _print_json({"gold": gold, "pred": pred, **result.as_dict()})
    else:
        _print(_eval_table(result, gold, pred))


# ---------------------------------------------------------------- agree


def _agree_tables(report: PairReport, top: int) -> list[Table]:
    from rich.table import Table

    a, b = report.annotators
    o = report.overall
    main = Table(title=f"agreement {a} / {b} over {o.docs} shared finished documents")
    for column in (
        "label",
        f"spans {a}",
        f"spans {b}",
        "span F1",
        "overlap F1",
        "Cohen κ",
        "Krippendorff α",
    ):
        main.add_column(column, justify="left" if column == "label" else "right")
    rows = [*report.by_label.items(), ("overall", o)]
    for index, (name, agr) in enumerate(rows):
        main.add_row(
            f"[b]{name}[/b]" if name == "overall" else name,
            str(agr.spans_a),
            str(agr.spans_b),
            _fmt(agr.span_f1),
            _fmt(agr.span_f1_overlap),
            _fmt(agr.cohen_kappa),
            _fmt(agr.krippendorff_alpha),
            end_section=index == len(rows) - 2,
        )
    docs = Table(title=f"least agreeing documents (first {top})")
    for column in ("document", "span F1", "overlap F1", "Cohen κ", "Krippendorff α"):
        docs.add_column(column, justify="left" if column == "document" else "right")
    for doc_id, agr in report.by_document[:top]:
        docs.add_row(
            doc_id,
            _fmt(agr.span_f1),
            _fmt(agr.span_f1_overlap),
            _fmt(agr.cohen_kappa),
            _fmt(agr.krippendorff_alpha),
        )
    labels = sorted({*report.confusion, *(y for row in report.confusion.values() for y in row)})
    labels = [x for x in labels if x != "O"] + ["O"]
    confusion = Table(
        title=f"label confusion over overlapping spans (rows {a}, columns {b}; O: none)"
    )
    confusion.add_column(f"{a} \\ {b}")
    for name in labels:
        confusion.add_column(name, justify="right")
    for x in labels:
        row = report.confusion.get(x, {})
        confusion.add_row(x, *(str(row.get(y, 0)) if row.get(y) else "·" for y in labels))
    return [main, docs, confusion]


def agree_command(
    annotators: Annotated[
        str | None,
        typer.Option(
            "--annotators",
            help="Comma-separated annotators (every pair of them); default: every pair "
            "with shared finished documents.",
        ),
    ] = None,
    label: Annotated[str | None, typer.Option("--label", "-l", help="Only this label.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    top: Annotated[int, typer.Option("--top", help="Documents listed per pair.", min=0)] = 10,
    workspace: WorkspaceOption = None,
) -> None:
    """Inter-annotator agreement on the documents both annotators marked done.

    Span F1 (exact and overlap), Cohen's kappa and Krippendorff's alpha (nominal)
    over character tags (the label covering each character, or O), pooled over
    the shared documents, per label and per document (least agreeing first),
    and a label confusion matrix over overlapping spans. The `gold` merge target
    is left out of the default pairs.
    """
    from annotator.quality.agree import agree

    ws = open_workspace(workspace)
    names = _split(annotators)
    if names is not None and len(set(names)) < 2:
        fail("--annotators needs at least two different names, e.g. --annotators alice,bob")
    if label is not None and label not in ws.schema().label_names:
        fail(f"unknown label {label!r} (the schema has {', '.join(ws.schema().label_names)})")
    try:
        reports = agree(ws, names, label=label)
    except AnnotatorError as exc:
        fail(exc.render())
    if as_json:
        _print_json({"pairs": [r.as_dict() for r in reports]})
        return
    if not reports:
        typer.echo("no two annotators have finished (status done) the same document yet")
        return
    for report in reports:
        if not report.overall.docs:
            a, b = report.annotators
            typer.echo(f"{a} and {b} share no finished documents")
            continue
        for table in _agree_tables(report, top):
            _print(table)


# ---------------------------------------------------------------- assign


def assign_command(
    annotators: Annotated[
        str | None,
        typer.Option(
            "--annotators",
            help="Comma-separated annotators, e.g. alice,bob,carol (default: the stored list).",
        ),
    ] = None,
    overlap: Annotated[
        float | None,
        typer.Option(
            "--overlap",
            min=0.0,
            max=1.0,
            help="Share of documents given to one more annotator, for agreement (default 0.2).",
        ),
    ] = None,
    per_doc: Annotated[
        int | None,
        typer.Option("--per-doc", min=1, help="Annotators per document (default 1)."),
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Assign every unassigned document, deterministically; existing assignments never move."""
    from annotator.quality.assign import assign, assignment_path

    ws = open_workspace(workspace)
    try:
        result = assign(ws, _split(annotators), overlap=overlap, per_doc=per_doc)
    except AnnotatorError as exc:
        fail(exc.render())
    a = result.assignment
    typer.echo(
        f"assigned {len(result.added)} new document(s), {result.added_overlap} of them to "
        f"{a.per_doc + 1} annotators; {len(a.docs)} assigned in all "
        f"({ws.relative(assignment_path(ws))})"
    )
    overlap_docs = sum(1 for names in a.docs.values() if len(names) > a.per_doc)
    if a.docs:
        typer.echo(f"overlap: {overlap_docs} of {len(a.docs)} ({overlap_docs / len(a.docs):.0%})")
    for name, count in sorted(a.counts().items()):
        typer.echo(f"  {name}: {count}")


# ---------------------------------------------------------------- merge


def merge_command(
    into: Annotated[str, typer.Option("--into", help="Target annotator (the gold set).")] = "gold",
    strategy: Annotated[
        str,
        typer.Option(
            "--strategy",
            help="unanimous: spans every source proposed; majority: spans more than half proposed.",
        ),
    ] = "unanimous",
    annotators: Annotated[
        str | None,
        typer.Option(
            "--annotators",
            help="Comma-separated sources; documents all of them finished are merged "
            "(default: every annotator who finished the document, except the target and gold).",
        ),
    ] = None,
    min_annotators: Annotated[
        int,
        typer.Option(
            "--min-annotators", min=1, help="Merge only documents with this many sources."
        ),
    ] = 1,
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Only this document (repeatable).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite target files already marked done.")
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Merge finished annotations into a gold label file, with provenance (agreed_by)."""
    from annotator.quality.merge import STRATEGIES, merge

    if strategy not in STRATEGIES:
        fail(f"unknown strategy {strategy!r} (use {' or '.join(STRATEGIES)})")
    ws = open_workspace(workspace)
    try:
        results = merge(
            ws,
            strategy,  # narrowed by the STRATEGIES check above
            into=into,
            annotators=_split(annotators),
            force=force,
            min_annotators=min_annotators,
            doc_ids=doc,
        )
    except AnnotatorError as exc:
        fail(exc.render())
    by: dict[str, list[str]] = {}
    for result in results:
        by.setdefault(result.outcome, []).append(result.doc_id)
        if result.outcome in ("locked", "invalid", "incomplete"):
            typer.echo(f"{result.doc_id}: {result.outcome}: {result.message}", err=True)
    merged = [r for r in results if r.outcome == "merged"]
    single = sum(1 for r in merged if len(r.sources) == 1)
    typer.echo(
        f"merged {len(merged)} document(s) into {into!r} ({strategy}; "
        f"{sum(r.spans for r in merged)} spans; {single} with a single annotator)"
    )
    if by.get("kept_done"):
        typer.echo(
            f"kept {len(by['kept_done'])} {into!r} file(s) already marked done "
            "(use --force to redo them)"
        )
    if by.get("too_few"):
        typer.echo(
            f"skipped {len(by['too_few'])} document(s) with fewer than {min_annotators} sources"
        )
    if not results:
        typer.echo("no finished documents to merge")
    if by.get("locked") or by.get("invalid"):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("eval")(eval_command)
    app.command("agree")(agree_command)
    app.command("assign")(assign_command)
    app.command("merge")(merge_command)
