"""`annotator lexicon`: review and prune what annotators taught the suggester.

The taught lexicon is plain text under labels/lexicon/<LABEL>.txt (sorted, one
entry per line) so it can be reviewed in a pull request; these verbs are for
people who would rather not edit it by hand.
"""

from __future__ import annotations

from typing import Annotated

import typer

from annotator.cli.common import WorkspaceOption, fail, open_workspace

lexicon_app = typer.Typer(
    rich_markup_mode=None,
    help="Review, add or remove taught lexicon entries.",
    no_args_is_help=True,
)

LabelArg = Annotated[str, typer.Argument(help="Label name, e.g. ORG.")]
EntriesArg = Annotated[list[str], typer.Argument(help="One or more surface strings.")]


def _check_label(label: str, names: tuple[str, ...]) -> None:
    if label not in names:
        fail(f"unknown label {label!r}; the schema has {', '.join(names)}")


@lexicon_app.command("list")
def list_entries(
    label: Annotated[str | None, typer.Argument(help="Only this label.")] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Print the taught entries, one per line as `LABEL<TAB>entry`."""
    from annotator.suggest.taught import load_lexicon

    ws = open_workspace(workspace)
    lexicon = load_lexicon(ws.lexicon_dir)
    for name, entries in sorted(lexicon.entries.items()):
        if label is None or name == label:
            for entry in entries:
                typer.echo(f"{name}\t{entry}")


@lexicon_app.command("add")
def add(label: LabelArg, entries: EntriesArg, workspace: WorkspaceOption = None) -> None:
    """Teach entries: they are suggested wherever they occur."""
    from annotator.suggest.taught import add_entries

    ws = open_workspace(workspace)
    _check_label(label, ws.schema().label_names)
    new = add_entries(ws.lexicon_dir, label, entries)
    typer.echo(
        f"added {len(new)} entr{'y' if len(new) == 1 else 'ies'} to labels/lexicon/{label}.txt"
    )


@lexicon_app.command("remove")
def remove(label: LabelArg, entries: EntriesArg, workspace: WorkspaceOption = None) -> None:
    """Forget entries (exit 1 if none of them was there)."""
    from annotator.suggest.taught import remove_entries

    ws = open_workspace(workspace)
    gone = remove_entries(ws.lexicon_dir, label, entries)
    noun = "entry" if len(gone) == 1 else "entries"
    typer.echo(f"removed {len(gone)} {noun} from labels/lexicon/{label}.txt")
    if not gone:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(lexicon_app, name="lexicon")
