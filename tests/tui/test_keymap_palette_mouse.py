"""A user keymap remaps bindings by id; the palette filters; the mouse works through the lists."""

from __future__ import annotations

import asyncio
from pathlib import Path

from annotator.model import Suggestion
from annotator.tui.keymap import keymap_path, load_keymap
from annotator.tui.screens.documents import DocumentsScreen
from annotator.tui.widgets.span_list import SpanList
from annotator.workspace import Workspace

from .conftest import SIMPLIFIED, read_labels, span, write_labels
from .helpers import annotate_screen, running, settle

DOC = "a-simplified"


def test_load_keymap_flattens_tables_and_reports_problems(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text(
        '"edit.undo" = "ctrl+u"\n[label]\nORG = ["f1", "ctrl+1"]\nPERSON = 3\n', encoding="utf-8"
    )
    keymap, problems = load_keymap(path)
    assert keymap == {"edit.undo": "ctrl+u", "label.ORG": "f1,ctrl+1"}
    assert len(problems) == 1 and "label.PERSON" in problems[0]
    assert load_keymap(tmp_path / "missing.toml") == ({}, [])
    path.write_text("not = [toml", encoding="utf-8")
    assert load_keymap(path)[0] == {} and "keymap ignored" in load_keymap(path)[1][0]


def test_user_keymap_remaps_label_and_undo_keys(workspace: Workspace) -> None:
    path = keymap_path()
    path.parent.mkdir(parents=True)
    path.write_text('[label]\nORG = "f1"\n[edit]\nundo = "ctrl+u"\n', encoding="utf-8")

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            screen = annotate_screen(app)
            assert " f1 " in str(screen.query_one("#label-bar").render())
            screen.view.move_cursor(SIMPLIFIED.index("警方"))
            await pilot.press("f1")
            await settle(pilot)
            assert [s.label for s in read_labels(workspace, DOC).spans] == ["ORG"]
            await pilot.press("ctrl+u")
            await settle(pilot)

    asyncio.run(scenario())
    assert read_labels(workspace, DOC).spans == ()


def test_palette_filters_documents(workspace: Workspace) -> None:
    write_labels(workspace, "b-traditional", status="done")

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            await pilot.press("ctrl+p", *"filter documents: done")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DocumentsScreen)
            assert screen.status_filter == "done"
            assert list(screen.query_one("#documents").rows) == ["b-traditional"]  # type: ignore[attr-defined]

    asyncio.run(scenario())


def test_palette_accept_all_accepts_every_suggestion_and_saves(workspace: Workspace) -> None:
    suggestions = [
        span(SIMPLIFIED, "星河数据科技有限公司", "ORG", cls=Suggestion),
        span(SIMPLIFIED, "王某", "PERSON", cls=Suggestion),
    ]
    write_labels(workspace, DOC, suggestions=suggestions)

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            await pilot.press("ctrl+p", *"accept all")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot)
            assert not annotate_screen(app).session.label_file.suggestions

    asyncio.run(scenario())
    saved = read_labels(workspace, DOC)
    assert [(s.start, s.end, s.label) for s in saved.spans] == [s.key for s in suggestions]
    assert saved.suggestions == ()


def test_palette_toggles_span_tags(workspace: Workspace) -> None:
    write_labels(workspace, DOC, spans=[span(SIMPLIFIED, "王某", "PERSON")])

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            view = annotate_screen(app).view
            assert view.show_tags
            for expected in (False, True):
                await pilot.press("ctrl+p", *"toggle span tags")
                await pilot.pause(0.3)
                await pilot.press("enter")
                await settle(pilot)
                assert view.show_tags is expected
                drawn = "".join(view.render_line(y).text for y in range(view.size.height))
                assert ("PER" in drawn) is expected

    asyncio.run(scenario())


def test_clicking_a_span_in_the_side_list_moves_the_cursor(workspace: Workspace) -> None:
    write_labels(
        workspace,
        DOC,
        spans=[span(SIMPLIFIED, "星河数据科技有限公司", "ORG"), span(SIMPLIFIED, "王某", "PERSON")],
    )

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            screen = annotate_screen(app)
            spans = screen.query_one(SpanList)
            await pilot.click(SpanList, offset=(5, 1))  # highlight the second row
            await pilot.click(SpanList, offset=(5, 1))  # a click on the highlight opens it
            assert screen.view.cursor == SIMPLIFIED.index("王某")
            assert screen.view.has_focus
            await pilot.press("u")  # keys act at the clicked span
            await settle(pilot)
            assert spans.rows[1].text == "王某"

    asyncio.run(scenario())
    assert [s.uncertain for s in read_labels(workspace, DOC).spans] == [False, True]
