"""Running the app headless for a test, and waiting until its work is on disk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from textual.pilot import Pilot

from annotator.tui.app import AnnotatorApp, create_app
from annotator.tui.base_app import SessionApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.workspace import Workspace

from .conftest import ANNOTATOR

SIZE = (100, 30)


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish, their messages land, and every queued save reach the disk."""
    app = pilot.app
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.annotate if isinstance(app, SessionApp) else None
        if screen is not None and screen.session.saver is not None:
            screen.session.saver.flush()
        await pilot.pause()


@asynccontextmanager
async def running(
    workspace: Workspace, doc: str | None = None
) -> AsyncIterator[tuple[AnnotatorApp, Pilot[None]]]:
    app = create_app(workspace.root, ANNOTATOR, doc)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        yield app, pilot


def annotate_screen(app: AnnotatorApp) -> AnnotateScreen:
    screen = app.annotate
    assert screen is not None, f"no document open (screen: {app.screen!r})"
    return screen
