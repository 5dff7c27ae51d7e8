"""Fresh pending suggestions for one label file: what the CLI and the TUI both call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.edits import set_suggestions
from annotator.model import LabelFile

if TYPE_CHECKING:
    from annotator.suggest.taught import TaughtLexicon
    from annotator.workspace import Workspace


def refresh_suggestions(
    workspace: Workspace,
    label_file: LabelFile,
    lexicon: TaughtLexicon | None,
) -> LabelFile:
    """The label file with freshly computed pending suggestions (spans and rejections kept)."""
    from annotator.suggest.engine import suggest_document

    document = workspace.load_document(label_file.doc_id)
    suggestions = suggest_document(
        document.text,
        labelled=label_file.spans,
        rejected=label_file.rejected,
        lexicon=lexicon,
        labels=workspace.schema().label_names,
    )
    return set_suggestions(label_file, suggestions)
