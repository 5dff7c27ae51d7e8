"""Locks, stale or invalid label files, suggestions, active time: never lose or clobber work."""

from __future__ import annotations

import asyncio
import sys

import pytest

from annotator.tui.activity import ActiveTimer
from annotator.tui.session import DocumentSession
from annotator.workspace import Workspace

from .conftest import ANNOTATOR, SIMPLIFIED, read_labels, span, write_labels
from .helpers import annotate_screen, running, settle

DOC = "a-simplified"


def test_second_session_on_same_document_is_refused(workspace: Workspace) -> None:
    path = write_labels(workspace, DOC, spans=[span(SIMPLIFIED, "王某", "PERSON")])
    before = path.read_bytes()
    lock = workspace.lock_labels(ANNOTATOR, DOC)
    lock.acquire(timeout=0)
    try:

        async def scenario() -> None:
            async with running(workspace, DOC) as (app, pilot):
                screen = annotate_screen(app)
                assert screen.session.read_only
                problems = str(screen.query_one("#problems").render())
                assert "open in another annotator session" in problems
                screen.view.move_cursor(SIMPLIFIED.index("警方"))
                await pilot.press("1", "backspace", "ctrl+z", "d")
                await settle(pilot)
                status = str(screen.query_one("#status-line").render())
                assert "another annotator session" in status
                await pilot.press("q")

        asyncio.run(scenario())
    finally:
        lock.release()
    assert path.read_bytes() == before


def test_open_document_holds_the_lock(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            assert not annotate_screen(app).session.read_only
            other = DocumentSession(workspace, ANNOTATOR, DOC)
            try:
                assert other.read_only and "another annotator session" in other.problems[0]
            finally:
                other.close()
            await pilot.press("n")
            await settle(pilot)
            # leaving the document released its lock
            free = DocumentSession(workspace, ANNOTATOR, DOC)
            assert not free.read_only
            free.close()

    asyncio.run(scenario())


def test_stale_label_file_is_read_only_and_never_rewritten(workspace: Workspace) -> None:
    path = write_labels(workspace, DOC, spans=[span(SIMPLIFIED, "王某", "PERSON")])
    stale = path.read_bytes().replace(workspace.load_document(DOC).sha256.encode(), b"0" * 64)
    path.write_bytes(stale)

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            screen = annotate_screen(app)
            assert screen.session.read_only
            assert "stale text hash" in str(screen.query_one("#problems").render())
            await pilot.press("1", "A", "s")
            await settle(pilot)
            await pilot.press("q")

    asyncio.run(scenario())
    assert path.read_bytes() == stale


def test_invalid_label_file_is_read_only(workspace: Workspace) -> None:
    path = workspace.label_path(ANNOTATOR, DOC)
    path.parent.mkdir(parents=True, exist_ok=True)
    broken = b'{"doc_id": "a-simplified", "spans": [ oops'
    path.write_bytes(broken)

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            screen = annotate_screen(app)
            assert "broken JSON" in str(screen.query_one("#problems").render())
            await pilot.press("1", "q")

    asyncio.run(scenario())
    assert path.read_bytes() == broken


def test_suggestions_are_computed_and_saved_when_none_stored(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, DOC) as (app, _pilot):
            screen = annotate_screen(app)
            assert screen.session.label_file.suggestions
            assert "suggestions" in str(screen.query_one("#status-line").render())
            # computed suggestions are the starting state: undo does not remove them
            assert not screen.undo()

    asyncio.run(scenario())
    assert read_labels(workspace, DOC).suggestions


def test_missing_engine_says_suggestions_unavailable(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        sys.modules, "annotator.suggest.engine", None
    )  # import now raises ImportError

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, _pilot):
            status = str(annotate_screen(app).query_one("#status-line").render())
            assert "suggestions unavailable" in status

    asyncio.run(scenario())


def test_active_time_counts_gaps_up_to_a_minute() -> None:
    now = [0.0]
    timer = ActiveTimer(clock=lambda: now[0])
    for at in (0.0, 2.0, 5.0, 200.0, 201.5):
        now[0] = at
        timer.tick()
    assert timer.seconds == pytest.approx(2.0 + 3.0 + 1.5)


def test_active_seconds_are_written_to_the_label_file(workspace: Workspace) -> None:
    now = [100.0]

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            session = annotate_screen(app).session
            session.timer = ActiveTimer(clock=lambda: now[0])
            await pilot.press("right")
            now[0] += 30.0
            await pilot.press("1")
            now[0] += 400.0  # an idle gap: not counted
            await pilot.press("right")
            now[0] += 12.0
            await pilot.press("q")

    asyncio.run(scenario())
    assert read_labels(workspace, DOC).active_seconds == pytest.approx(42.0)


def test_resume_without_state_opens_first_todo(workspace: Workspace) -> None:
    write_labels(workspace, DOC, status="done")

    async def scenario() -> None:
        async with running(workspace) as (app, _pilot):
            assert annotate_screen(app).session.document.id == "b-traditional"

    asyncio.run(scenario())


def test_unknown_document_falls_back_to_the_documents_screen(workspace: Workspace) -> None:
    async def scenario() -> None:
        async with running(workspace, "no-such-doc") as (app, _pilot):
            assert type(app.screen).__name__ == "DocumentsScreen"
            assert app.annotate is None

    asyncio.run(scenario())
