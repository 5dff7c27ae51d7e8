"""Every annotate-screen binding, pressed for real, checked in the saved label file."""

from __future__ import annotations

import asyncio

from annotator.model import Suggestion
from annotator.tui.widgets.span_list import SpanList
from annotator.workspace import Workspace

from .conftest import SIMPLIFIED, TRADITIONAL, read_labels, span, write_labels
from .helpers import annotate_screen, running, settle

DOC = "a-simplified"


def with_suggestions(workspace: Workspace) -> None:
    write_labels(
        workspace,
        DOC,
        suggestions=[
            span(SIMPLIFIED, "星河数据科技有限公司", "ORG", cls=Suggestion),
            span(SIMPLIFIED, "120万条", "NUMBER", cls=Suggestion),
            span(SIMPLIFIED, "侵犯公民个人信息罪", "LEGAL_CHARGE", cls=Suggestion),
        ],
    )


def test_label_key_labels_token_under_cursor_and_saves(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            screen = annotate_screen(app)
            start = SIMPLIFIED.index("王某")
            screen.view.move_cursor(start)
            await pilot.press("2")
            await settle(pilot)
            assert "saved" in str(screen.query_one("#status-line").render())
            await pilot.pause(screen.SPAN_LIST_DELAY * 3)  # the side list follows after a pause
            listed = [(r.text, r.label) for r in screen.query_one(SpanList).rows]
            assert listed == [("王某", "PERSON")]
        saved = read_labels(workspace, DOC)
        assert [(s.label, s.start) for s in saved.spans] == [("PERSON", start)]
        assert saved.spans[0].text == SIMPLIFIED[saved.spans[0].start : saved.spans[0].end]
        assert saved.status == "in_progress"

    asyncio.run(scenario())


def test_every_label_hotkey_labels(workspace: Workspace) -> None:
    """Keys 1..5 each label the token under the cursor with their schema label."""
    words = ["星河", "王某", "120", "侵犯", "手机"]
    starts: list[int] = []

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            view = annotate_screen(app).view
            for key, word in zip("12345", words, strict=True):
                view.move_cursor(SIMPLIFIED.index(word))
                starts.append(view.target_range()[0])
                await pilot.press(key)
            await settle(pilot)

    asyncio.run(scenario())
    labels = {s.start: s.label for s in read_labels(workspace, DOC).spans}
    assert [labels.get(start) for start in starts] == [
        "ORG",
        "PERSON",
        "NUMBER",
        "LEGAL_CHARGE",
        "DATA_TYPE",
    ]


def test_label_key_on_existing_span_relabels(workspace: Workspace) -> None:
    write_labels(workspace, DOC, spans=[span(SIMPLIFIED, "王某", "ORG")])

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            annotate_screen(app).view.move_cursor(SIMPLIFIED.index("王某"))
            await pilot.press("2")
            await settle(pilot)

    asyncio.run(scenario())
    saved = read_labels(workspace, DOC)
    assert [(s.text, s.label) for s in saved.spans] == [("王某", "PERSON")]


def test_selection_then_label(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            view = annotate_screen(app).view
            view.move_cursor(SIMPLIFIED.index("星河"))
            first = view.target_range()
            await pilot.press("shift+right", "shift+right")
            assert view.selection is not None and view.selection[1] > first[1]
            await pilot.press("1")
            await settle(pilot)
            assert view.selection is None

    asyncio.run(scenario())
    (saved,) = read_labels(workspace, DOC).spans
    assert saved.start == SIMPLIFIED.index("星河") and saved.end > SIMPLIFIED.index("星河") + 2
    assert saved.label == "ORG"


def test_backspace_delete_and_uncertain(workspace: Workspace) -> None:
    write_labels(
        workspace,
        DOC,
        spans=[span(SIMPLIFIED, "王某", "PERSON"), span(SIMPLIFIED, "警方", "ORG")],
    )

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            view = annotate_screen(app).view
            view.move_cursor(SIMPLIFIED.index("王某"))
            await pilot.press("u")
            await settle(pilot)
            assert [s.uncertain for s in read_labels(workspace, DOC).spans if s.text == "王某"] == [
                True
            ]
            await pilot.press("backspace")
            view.move_cursor(SIMPLIFIED.index("警方"))
            await pilot.press("delete")
            await settle(pilot)

    asyncio.run(scenario())
    assert read_labels(workspace, DOC).spans == ()


def test_tab_enter_x_and_shift_tab(workspace: Workspace) -> None:
    with_suggestions(workspace)

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            view = annotate_screen(app).view
            view.move_cursor(0)
            await pilot.press("tab")
            assert view.cursor == SIMPLIFIED.index("星河")
            await pilot.press("enter")  # accept ORG
            await pilot.press("tab")
            assert view.cursor == SIMPLIFIED.index("120")
            await pilot.press("tab", "shift+tab")
            assert view.cursor == SIMPLIFIED.index("120")
            await pilot.press("x")  # reject NUMBER
            await settle(pilot)

    asyncio.run(scenario())
    saved = read_labels(workspace, DOC)
    assert [(s.text, s.label) for s in saved.spans] == [("星河数据科技有限公司", "ORG")]
    assert [(r.text, r.label) for r in saved.rejected] == [("120万条", "NUMBER")]
    assert [s.text for s in saved.suggestions] == ["侵犯公民个人信息罪"]


def test_accept_all_undo_redo(workspace: Workspace) -> None:
    with_suggestions(workspace)

    async def scenario() -> None:
        async with running(workspace, DOC) as (_app, pilot):
            await pilot.press("A")
            await settle(pilot)
            assert len(read_labels(workspace, DOC).spans) == 3
            await pilot.press("ctrl+z")
            await settle(pilot)
            after_undo = read_labels(workspace, DOC)
            assert after_undo.spans == () and len(after_undo.suggestions) == 3
            await pilot.press("ctrl+y")
            await settle(pilot)

    asyncio.run(scenario())
    saved = read_labels(workspace, DOC)
    assert len(saved.spans) == 3 and saved.suggestions == ()


def test_done_opens_next_todo(workspace: Workspace) -> None:
    write_labels(workspace, "b-traditional", status="done")

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            await pilot.press("d")
            await settle(pilot)
            assert annotate_screen(app).session.document.id == "c-mixed"

    asyncio.run(scenario())
    assert read_labels(workspace, DOC).status == "done"


def test_skip_and_flag_with_note(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            await pilot.press("s")
            await settle(pilot)
            assert annotate_screen(app).session.document.id == "b-traditional"
            await pilot.press("f")
            await pilot.press(*"bad ocr")
            await pilot.press("enter")
            await settle(pilot)
            assert annotate_screen(app).session.document.id == "c-mixed"

    asyncio.run(scenario())
    assert read_labels(workspace, DOC).status == "skipped"
    flagged = read_labels(workspace, "b-traditional")
    assert (flagged.status, flagged.note) == ("flagged", "bad ocr")


def test_flag_escape_changes_nothing(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            await pilot.press("f", "z", "escape")
            await settle(pilot)
            assert annotate_screen(app).session.document.id == DOC

    asyncio.run(scenario())
    assert read_labels(workspace, DOC).status == "todo"  # suggestions saved, status untouched


def test_next_previous_document_and_resume(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            await pilot.press("n")
            await settle(pilot)
            assert annotate_screen(app).session.document.id == "b-traditional"
            view = annotate_screen(app).view
            view.move_cursor(TRADITIONAL.index("李某"))
            await pilot.press("2", "p")
            await settle(pilot)
            assert annotate_screen(app).session.document.id == DOC
            await pilot.press("n")
            await settle(pilot)
            assert annotate_screen(app).view.cursor == TRADITIONAL.index("李某")
            await pilot.press("q")
        # A new session without --doc resumes at the same document and position.
        async with running(workspace) as (app, _pilot):
            screen = annotate_screen(app)
            assert screen.session.document.id == "b-traditional"
            assert screen.view.cursor == TRADITIONAL.index("李某")

    asyncio.run(scenario())
    saved = read_labels(workspace, "b-traditional")
    assert [s.text for s in saved.spans] == ["李某"]
    assert saved.cursor == TRADITIONAL.index("李某")


def test_search_jumps_to_matches(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            view = annotate_screen(app).view
            await pilot.press("slash", *"数据", "enter")
            assert view.cursor == SIMPLIFIED.index("数据")
            await pilot.press("enter")
            assert view.cursor == SIMPLIFIED.index("数据", SIMPLIFIED.index("数据") + 1)
            result = str(app.screen.query_one("#search-result").render())
            assert result == "2/2"
            await pilot.press("escape", "3")
            await settle(pilot)

    asyncio.run(scenario())
    # the key after Escape labels at the match: the search really moved the editing cursor
    (saved,) = read_labels(workspace, DOC).spans
    assert saved.start == SIMPLIFIED.index("数据", SIMPLIFIED.index("数据") + 1)


def test_help_lists_guidelines_and_keys(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            await pilot.press("question_mark")
            await pilot.pause()
            assert type(app.screen).__name__ == "HelpScreen"
            shown = str(app.screen.query_one("#help-guidelines").render())
            assert "LEGAL_CHARGE" in shown and "侵犯公民个人信息罪" in shown
            keys = app.screen.keys  # type: ignore[attr-defined]
            ids = {row[2] for row in keys}
            assert {
                "label.ORG",
                "edit.undo",
                "suggestion.accept_all",
                "doc.flag",
                "app.quit",
            } <= ids
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is annotate_screen(app)

    asyncio.run(scenario())


def test_palette_goes_to_document(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"c-mixed")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot)
            assert annotate_screen(app).session.document.id == "c-mixed"

    asyncio.run(scenario())


def test_quit_flushes_pending_saves(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            annotate_screen(app).view.move_cursor(SIMPLIFIED.index("警方"))
            await pilot.press("1", "q")  # no settle: quitting must flush
            assert app.return_code == 0 or app.return_code is None

    asyncio.run(scenario())
    assert [s.text for s in read_labels(workspace, DOC).spans] == ["警方"]


def test_toggle_tags(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            view = annotate_screen(app).view
            before = view.show_tags
            await pilot.press("t")
            assert view.show_tags is not before

    asyncio.run(scenario())


def test_done_on_the_last_open_document_shows_the_documents(workspace: Workspace) -> None:
    write_labels(workspace, "b-traditional", status="done")
    write_labels(workspace, "c-mixed", status="skipped")

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            await pilot.press("d")
            await settle(pilot)
            assert type(app.screen).__name__ == "DocumentsScreen"
            assert annotate_screen(app).session.closed
            await pilot.press("escape")  # back to the document, open for editing again
            await settle(pilot)
            screen = annotate_screen(app)
            assert app.screen is screen and not screen.session.closed
            screen.view.move_cursor(SIMPLIFIED.index("王某"))
            await pilot.press("2")
            await settle(pilot)

    asyncio.run(scenario())
    saved = read_labels(workspace, DOC)
    assert saved.status == "done" and [s.text for s in saved.spans] == ["王某"]
