"""Locks, stale or invalid label files, suggestions, active time: never lose or clobber work."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import pytest

from annotator import navigation, store
from annotator.tui.activity import ActiveTimer
from annotator.tui.base_app import SessionApp
from annotator.tui.session import RECOVERY_DIR, DocumentSession
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


# ------------------------------------------------------------ failing saves


def break_label_folder(workspace: Workspace) -> tuple[Path, Callable[[], None]]:
    """Make every save of the annotator's labels fail for real; (old files' folder, restore).

    A read-only folder where chmod means something; as root (chmod is no
    obstacle) the folder is moved aside and a file takes its name, so the
    folder cannot be created again. Returns where the old files now are.
    """
    folder = workspace.annotator_dir(ANNOTATOR)
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        return folder, lambda: folder.chmod(mode)
    aside = folder.with_name(f"{folder.name}.aside")
    folder.rename(aside)
    folder.write_bytes(b"")

    def restore() -> None:
        folder.unlink()
        aside.rename(folder)

    return aside, restore


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def status_line(app: SessionApp) -> str:
    return str(annotate_screen(app).query_one("#status-line").render())  # type: ignore[arg-type]


def test_failed_save_says_not_saved_and_the_next_save_keeps_every_edit(
    workspace: Workspace,
) -> None:
    write_labels(workspace, DOC)

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            screen = annotate_screen(app)
            folder, restore = break_label_folder(workspace)
            before = files(folder)
            screen.view.move_cursor(SIMPLIFIED.index("王某"))
            await pilot.press("2")
            await settle(pilot)
            assert status_line(app).startswith("NOT SAVED: cannot save:")
            assert str(workspace.annotator_dir(ANNOTATOR)) in status_line(app)  # where it failed
            assert screen.query_one("#status-line").has_class("error")
            assert files(folder) == before  # no temp file, no torn file
            restore()
            screen.view.move_cursor(SIMPLIFIED.index("警方"))
            await pilot.press("1")
            await settle(pilot)
            assert status_line(app).startswith("saved")

    asyncio.run(scenario())
    saved = read_labels(workspace, DOC)
    assert [(s.start, s.label) for s in saved.spans] == [
        (SIMPLIFIED.index("警方"), "ORG"),
        (SIMPLIFIED.index("王某"), "PERSON"),
    ]


def recovery_copies(workspace: Workspace) -> list[Path]:
    return sorted((workspace.cache_dir / RECOVERY_DIR / ANNOTATOR).glob(f"{DOC}.*.json"))


def test_quit_after_a_failed_save_warns_then_keeps_a_recovery_copy(workspace: Workspace) -> None:
    path = write_labels(workspace, DOC)
    before: list[bytes] = []
    closing: list[str | None] = []

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            screen = annotate_screen(app)
            before.append(path.read_bytes())  # with the suggestions computed on opening
            _folder, restore = break_label_folder(workspace)
            try:
                screen.view.move_cursor(SIMPLIFIED.index("王某"))
                await pilot.press("2")
                await settle(pilot)
                await pilot.press("q")
                await settle(pilot)
                assert app.is_running, "the first q quit with the last change unsaved"
                assert "NOT SAVED" in status_line(app) and "q again" in status_line(app)
                assert recovery_copies(workspace) == []
                await pilot.press("q")
                await pilot.pause()
                assert not app.is_running
                closing.append(screen.session.close_problem)
            finally:
                restore()

    asyncio.run(scenario())
    assert [path.read_bytes()] == before
    [copy] = recovery_copies(workspace)
    assert closing and closing[0] is not None and workspace.relative(copy) in closing[0]
    kept = store.load_label_file(copy)
    assert [(s.start, s.label) for s in kept.spans] == [(SIMPLIFIED.index("王某"), "PERSON")]
    free = DocumentSession(workspace, ANNOTATOR, DOC)  # the lock was released
    assert not free.read_only
    free.close()


def test_quit_retries_a_failed_save_once_the_disk_is_back(workspace: Workspace) -> None:
    write_labels(workspace, DOC)

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            screen = annotate_screen(app)
            _folder, restore = break_label_folder(workspace)
            try:
                screen.view.move_cursor(SIMPLIFIED.index("王某"))
                await pilot.press("2")
                await settle(pilot)
                assert "NOT SAVED" in status_line(app)
            finally:
                restore()
            await pilot.press("q")  # no new edit: quitting writes the failed state again
            await pilot.pause()
            assert not app.is_running, "q asked again although the retry could save"
            assert screen.session.close_problem is None

    asyncio.run(scenario())
    assert [s.label for s in read_labels(workspace, DOC).spans] == ["PERSON"]
    assert recovery_copies(workspace) == []


def test_leaving_a_document_retries_a_failed_save(workspace: Workspace) -> None:
    write_labels(workspace, DOC)

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            screen = annotate_screen(app)
            # no active time passes: leaving changes nothing but must still save
            screen.session.timer = ActiveTimer(clock=lambda: 100.0)
            _folder, restore = break_label_folder(workspace)
            try:
                screen.view.move_cursor(SIMPLIFIED.index("王某"))
                await pilot.press("2")
                await settle(pilot)
            finally:
                restore()
            await pilot.press("n")
            await settle(pilot)
            assert annotate_screen(app).session.document.id != DOC

    asyncio.run(scenario())
    assert [s.label for s in read_labels(workspace, DOC).spans] == ["PERSON"]
    assert recovery_copies(workspace) == []


def test_leaving_a_document_whose_save_failed_keeps_a_recovery_copy(
    workspace: Workspace,
) -> None:
    write_labels(workspace, DOC)

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            screen = annotate_screen(app)
            _folder, restore = break_label_folder(workspace)
            try:
                screen.view.move_cursor(SIMPLIFIED.index("王某"))
                await pilot.press("2")
                await settle(pilot)
                await pilot.press("n")
                await settle(pilot)
                assert annotate_screen(app).session.document.id != DOC
                assert screen.session.close_problem is not None
                assert "NOT SAVED" in screen.session.close_problem
            finally:
                restore()

    asyncio.run(scenario())
    [copy] = recovery_copies(workspace)
    assert [s.label for s in store.load_label_file(copy).spans] == ["PERSON"]


# ------------------------------------------------------------------ signals


def test_sigterm_closes_the_document_like_quit(workspace: Workspace) -> None:
    write_labels(workspace, DOC)
    cursor = SIMPLIFIED.index("警方")
    ended: list[int | None] = []

    def before(signum: int, frame: FrameType | None) -> None:
        raise AssertionError("the app's SIGTERM handler was not in place")

    previous = signal.signal(signal.SIGTERM, before)

    async def scenario() -> None:
        async with running(workspace, DOC) as (app, pilot):
            screen = annotate_screen(app)
            screen.view.move_cursor(SIMPLIFIED.index("王某"))
            await pilot.press("2")
            screen.view.move_cursor(cursor)  # only closing writes the cursor
            await pilot.pause()
            # never send a signal nothing catches: it would end the test run
            assert signal.getsignal(signal.SIGTERM) is not before, "no SIGTERM handler"
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(50):
                await pilot.pause(0.02)
                if not app.is_running:
                    break
            ended.append(app.return_code)

    try:
        asyncio.run(scenario())
        assert signal.getsignal(signal.SIGTERM) is before  # handed back when the app ended
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert ended == [128 + signal.SIGTERM]
    saved = read_labels(workspace, DOC)
    assert [s.label for s in saved.spans] == ["PERSON"]
    assert saved.cursor == cursor
    assert navigation.last_document(workspace, ANNOTATOR) == (DOC, cursor)
    free = DocumentSession(workspace, ANNOTATOR, DOC)
    assert not free.read_only
    free.close()
