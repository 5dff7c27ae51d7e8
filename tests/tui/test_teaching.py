"""Labelling teaches: other occurrences at once, other documents through the lexicon on `done`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from annotator.suggest.taught import read_entries

from .conftest import build_workspace, read_labels
from .helpers import annotate_screen, running, settle

TEXT = "蓝鲸科技称，蓝鲸科技的用户数据未受影响；王某曾在蓝鲸科技任职。"
OTHER = "有报道称，蓝鲸科技再次发生数据泄露。"


def test_label_propagates_in_document_and_done_teaches_the_workspace(tmp_path: Path) -> None:
    workspace = build_workspace(
        tmp_path / "ws", {"a-first": ("蓝鲸科技", TEXT), "b-second": ("又一次", OTHER)}
    )

    async def scenario() -> None:
        async with running(workspace, "a-first") as (app, pilot):
            screen = annotate_screen(app)
            screen.view.move_cursor(0)
            await pilot.press("shift+right", "alt+right", "alt+right")  # select 蓝鲸科技
            await pilot.press("1")
            await settle(pilot)
            saved = read_labels(workspace, "a-first")
            assert [(s.text, s.label) for s in saved.spans] == [("蓝鲸科技", "ORG")]
            taught = [(s.start, s.source) for s in saved.suggestions if s.text == "蓝鲸科技"]
            assert taught == [(6, "taught"), (24, "taught")]
            await pilot.press("d")
            await settle(pilot)

    asyncio.run(scenario())
    assert read_labels(workspace, "a-first").status == "done"
    assert read_entries(workspace.lexicon_dir / "ORG.txt") == ["蓝鲸科技"]


def test_teaching_follows_the_label_in_the_same_undo_step(tmp_path: Path) -> None:
    from annotator.tui.session import DocumentSession

    workspace = build_workspace(tmp_path / "ws", {"a-first": ("蓝鲸科技", TEXT)})
    session = DocumentSession(workspace, "tester", "a-first")
    try:
        start = session.label_file
        assert session.label(0, 4, "ORG", selection=True)
        # The key's own frame shows the span; the suggestions come one frame later.
        assert [s.text for s in session.label_file.spans] == ["蓝鲸科技"]
        assert session.has_untaught and session.label_file.suggestions == ()
        assert session.teach() and not session.has_untaught
        assert [s.start for s in session.label_file.suggestions] == [6, 24]
        assert session.undo() and session.label_file == start  # one step takes both back
        assert session.redo() and [s.start for s in session.label_file.suggestions] == [6, 24]
        # An undo that comes before the teaching still lands on the start.
        assert session.undo() and session.label(0, 4, "PERSON", selection=True)
        assert session.undo() and session.label_file == start and not session.has_untaught
    finally:
        session.close()


def test_the_heap_is_settled_once_a_document_has_opened(tmp_path: Path) -> None:
    import gc

    workspace = build_workspace(tmp_path / "ws", {"a-first": ("蓝鲸科技", TEXT)})
    gc.unfreeze()

    async def scenario() -> None:
        async with running(workspace, "a-first") as (app, pilot):
            annotate_screen(app)
            await settle(pilot)
            assert gc.get_freeze_count() > 0  # what survived the opening is out of the GC's way

    asyncio.run(scenario())
    gc.unfreeze()
