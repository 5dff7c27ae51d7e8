"""The documents screen: status, counts, filters, progress, Enter opens, and it stays virtual."""

from __future__ import annotations

import asyncio
from pathlib import Path

from annotator.tui.screens.documents import DocumentList, DocumentsScreen
from annotator.workspace import Workspace

from .conftest import SIMPLIFIED, build_workspace, read_labels, span, write_labels
from .helpers import annotate_screen, running, settle


def test_documents_screen_lists_filters_and_opens(workspace: Workspace) -> None:
    write_labels(
        workspace, "a-simplified", spans=[span(SIMPLIFIED, "王某", "PERSON")], status="done"
    )
    write_labels(workspace, "b-traditional", status="flagged")

    async def scenario() -> None:
        async with running(workspace, "a-simplified") as (app, pilot):
            await pilot.press("D")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DocumentsScreen)
            listing = screen.query_one(DocumentList)
            assert list(listing.rows) == ["a-simplified", "b-traditional", "c-mixed"]
            assert listing.rows[listing.highlighted] == "a-simplified"  # the open document
            first = "".join(seg.text for seg in listing.row_segments(0, "a-simplified", 80))
            assert "done" in first and "1" in first and "星河数据泄露" in first
            assert "1/3 done" in str(screen.query_one("#pace").render())
            await pilot.press("5")  # flagged only
            assert list(listing.rows) == ["b-traditional"]
            await pilot.press("right")  # cycle to the next filter (wraps to all)
            assert screen.status_filter == "all"
            await pilot.press("1")  # todo
            assert list(listing.rows) == ["c-mixed"]
            await pilot.press("enter")
            await settle(pilot)
            assert annotate_screen(app).session.document.id == "c-mixed"
            assert app.screen is annotate_screen(app)
            await pilot.press("ctrl+o")
            await settle(pilot)
            await pilot.press("escape")  # back to the open document
            assert app.screen is annotate_screen(app)
            await pilot.press("q")

    asyncio.run(scenario())
    # leaving a-simplified for c-mixed kept its work
    assert [s.text for s in read_labels(workspace, "a-simplified").spans] == ["王某"]


def test_documents_screen_is_virtual_on_many_documents(tmp_path: Path) -> None:
    docs = {f"doc-{i:05d}": (f"报道{i}", f"第{i}号公司泄露了{i}条记录。") for i in range(3000)}
    workspace = build_workspace(tmp_path / "big", docs)

    async def scenario() -> None:
        async with running(workspace) as (app, pilot):
            if not isinstance(app.screen, DocumentsScreen):
                await pilot.press("D")
            await settle(pilot)
            listing = app.screen.query_one(DocumentList)
            assert len(listing.rows) == 3000
            await pilot.press("end")
            assert listing.highlighted == 2999
            assert listing.scroll_offset.y > 2900
            # only visible rows were drawn
            assert listing.rows_rendered < 200

    asyncio.run(scenario())
