"""The adjudication screen, driven with Pilot, checked in the saved gold label files.

Fixture: two annotators (alice, bob) finished two fictional breach reports;
they agree on some spans and dispute others. A third report only alice
finished, so it is never adjudicated.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import typer
from textual.pilot import Pilot
from typer.testing import CliRunner

from annotator import store
from annotator.cli.adjudicate_cmd import register_adjudicate
from annotator.model import DocumentMeta, LabelFile, Span
from annotator.tui.adjudicate_app import AdjudicateApp, create_adjudicate_app
from annotator.tui.screens.adjudicate import AdjudicateScreen, CandidateList
from annotator.workspace import Workspace, init_workspace, make_document

from .helpers import settle

YUNFAN = (
    "云帆物流有限公司昨日披露，其会员系统遭黑客入侵，约8万条客户住址信息外泄。\n"
    "涉事员工赵某已因涉嫌非法获取计算机信息系统数据罪被逮捕。"
)
HAILAN = "海岚银行发布公告称，约3000名储户的银行卡号被泄露，嫌疑人孙某某已被警方控制。"
QINGSHI = "青石网络科技公司承认，旗下论坛的12万个账号密码遭到撞库攻击。"

AGREED_YUNFAN = [
    ("云帆物流有限公司", "ORG"),
    ("8万条", "NUMBER"),
    ("非法获取计算机信息系统数据罪", "LEGAL_CHARGE"),
]
LABELS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "d1-yunfan": {
        "alice": [*AGREED_YUNFAN, ("客户住址信息", "DATA_TYPE"), ("赵某已", "PERSON")],
        "bob": [
            *AGREED_YUNFAN,
            ("客户住址", "DATA_TYPE"),
            ("会员系统", "DATA_TYPE"),
            ("员工赵某", "PERSON"),
        ],
    },
    "d2-hailan": {
        "alice": [("海岚银行", "ORG"), ("3000名", "NUMBER"), ("银行卡号", "DATA_TYPE")],
        "bob": [("海岚银行", "ORG"), ("孙某某", "PERSON"), ("银行卡号", "DATA_TYPE")],
    },
    "d3-qingshi": {"alice": [("青石网络科技公司", "ORG")], "bob": []},
}
TEXTS = {"d1-yunfan": YUNFAN, "d2-hailan": HAILAN, "d3-qingshi": QINGSHI}
SIZE = (110, 30)


def at(text: str, surface: str, label: str, source: str = "manual") -> Span:
    start = text.index(surface)
    return Span(start=start, end=start + len(surface), label=label, text=surface, source=source)


def write_annotator(
    workspace: Workspace, name: str, doc_id: str, spans: Sequence[tuple[str, str]], status: str
) -> None:
    text = TEXTS[doc_id]
    label_file = LabelFile.new(workspace.load_document(doc_id), name).model_copy(
        update={"spans": tuple(at(text, s, label) for s, label in spans), "status": status}
    )
    store.write_label_file(workspace.label_path(name, doc_id), label_file)


def build_team(root: Path) -> Workspace:
    """Three reports: alice and bob finished d1 and d2; d3 only alice finished."""
    workspace = init_workspace(root)
    for doc_id, text in TEXTS.items():
        workspace.save_document(make_document(text, doc_id, DocumentMeta(title=doc_id)))
    for doc_id, by_name in LABELS.items():
        for name, spans in by_name.items():
            done = not (doc_id == "d3-qingshi" and name == "bob")
            write_annotator(workspace, name, doc_id, spans, "done" if done else "in_progress")
    return workspace


@pytest.fixture
def team(tmp_path: Path) -> Workspace:
    return build_team(tmp_path / "ws")


def gold(workspace: Workspace, doc_id: str = "d1-yunfan") -> LabelFile:
    return store.load_label_file(workspace.label_path("gold", doc_id))


def surfaces(spans: Sequence[Span]) -> set[tuple[str, str]]:
    return {(s.text, s.label) for s in spans}


@asynccontextmanager
async def adjudicating(workspace: Workspace) -> AsyncIterator[tuple[AdjudicateScreen, Pilot[None]]]:
    app = create_adjudicate_app(workspace.root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.annotate
        assert screen is not None, f"no document open (screen: {app.screen!r})"
        yield screen, pilot


def test_opens_first_document_with_candidates_pending_and_panel(team: Workspace) -> None:
    async def scenario() -> None:
        async with adjudicating(team) as (screen, _pilot):
            assert screen.session.document.id == "d1-yunfan"
            assert screen.session.sources == ("alice", "bob")
            rows = screen.query_one(CandidateList).rows
            assert len(rows) == 8  # 3 agreed + 5 disputed
            agreed = {(c.text, c.label) for c, _state in rows if c.agreed}
            assert agreed == set(AGREED_YUNFAN)
            assert all(state == "pending" for _c, state in rows)

    asyncio.run(scenario())
    saved = gold(team)
    assert saved.spans == ()
    assert len(saved.suggestions) == 8
    bob_only = next(s for s in saved.suggestions if s.text == "会员系统")
    assert (bob_only.agreed_by, bob_only.source, bob_only.score) == (("bob",), "bob", 0.5)


def test_a_accepts_every_agreed_span_with_provenance(team: Workspace) -> None:
    async def scenario() -> None:
        async with adjudicating(team) as (screen, pilot):
            await pilot.press("a")
            await settle(pilot)
            assert "3 agreed" in str(screen.query_one("#candidates-summary").render())

    asyncio.run(scenario())
    saved = gold(team)
    assert surfaces(saved.spans) == set(AGREED_YUNFAN)
    assert {s.agreed_by for s in saved.spans} == {("alice", "bob")}
    assert {s.source for s in saved.spans} == {"alice+bob"}
    assert {s.text for s in saved.suggestions} == {
        "客户住址信息",
        "客户住址",
        "会员系统",
        "赵某已",
        "员工赵某",
    }
    raw = team.label_path("gold", "d1-yunfan").read_text("utf-8")
    assert '"agreed_by":["alice","bob"]' in raw


def test_enter_takes_the_disputed_span_under_the_cursor(team: Workspace) -> None:
    async def scenario() -> None:
        async with adjudicating(team) as (screen, pilot):
            screen.view.move_cursor(YUNFAN.index("会员系统"))
            await pilot.press("enter")
            await settle(pilot)
            rows = {c.text: state for c, state in screen.query_one(CandidateList).rows}
            assert rows["会员系统"] == "taken"

    asyncio.run(scenario())
    saved = gold(team)
    assert [(s.text, s.label, s.agreed_by) for s in saved.spans] == [
        ("会员系统", "DATA_TYPE", ("bob",))
    ]
    assert saved.rejected == ()


def test_tab_walks_candidates_and_x_drops_one(team: Workspace) -> None:
    async def scenario() -> None:
        async with adjudicating(team) as (screen, pilot):
            await pilot.press("a", "tab", "x")
            await settle(pilot)
            assert screen.current_candidate is None

    asyncio.run(scenario())
    saved = gold(team)
    # after the agreed spans, the first pending candidate is bob's 会员系统
    assert [(r.text, r.label) for r in saved.rejected] == [("会员系统", "DATA_TYPE")]
    assert "会员系统" not in {s.text for s in saved.suggestions}
    assert surfaces(saved.spans) == set(AGREED_YUNFAN)


def test_tab_visits_candidates_starting_at_the_same_character(team: Workspace) -> None:
    """客户住址 (bob) and 客户住址信息 (alice) start together: tab reaches both, enter takes
    the one tab is on, and the competing boundary leaves the pending list (not rejected)."""

    async def scenario() -> None:
        async with adjudicating(team) as (screen, pilot):
            screen.view.move_cursor(YUNFAN.index("客户住址"))
            await pilot.press("tab")
            first = screen.current_candidate
            await pilot.press("tab")
            second = screen.current_candidate
            await pilot.press("shift+tab")
            assert screen.current_candidate == first
            await pilot.press("tab", "enter")
            await settle(pilot)
            assert first is not None and first.text == "客户住址"
            assert second is not None and second.text == "客户住址信息"

    asyncio.run(scenario())
    saved = gold(team)
    assert [(s.text, s.agreed_by) for s in saved.spans] == [("客户住址信息", ("alice",))]
    assert "客户住址" not in {s.text for s in saved.suggestions}
    assert saved.rejected == ()


def test_boundary_fixed_with_fine_tune_keys_and_a_label_key(team: Workspace) -> None:
    start = YUNFAN.index("赵某")
    target = (start, start + 2)

    async def scenario() -> None:
        async with adjudicating(team) as (screen, pilot):
            view = screen.view
            view.move_cursor(start)
            await pilot.press("shift+right")
            selection = view.selection
            assert selection is not None and selection[0] == start
            grow = target[1] - selection[1]
            await pilot.press(*(["alt+right"] * grow if grow > 0 else ["alt+left"] * -grow))
            assert view.selection == target
            await pilot.press("2", "ctrl+z", "ctrl+y")
            await settle(pilot)
            rows = {c.text: state for c, state in screen.query_one(CandidateList).rows}
            assert rows["赵某已"] == rows["员工赵某"] == "replaced"

    asyncio.run(scenario())
    saved = gold(team)
    assert [(s.text, s.label, s.source, s.agreed_by) for s in saved.spans] == [
        ("赵某", "PERSON", "manual", ())
    ]
    assert not {"赵某已", "员工赵某"} & {s.text for s in saved.suggestions}


def test_undo_restores_the_pending_candidates(team: Workspace) -> None:
    async def scenario() -> None:
        async with adjudicating(team) as (_screen, pilot):
            await pilot.press("a", "ctrl+z")
            await settle(pilot)

    asyncio.run(scenario())
    saved = gold(team)
    assert saved.spans == ()
    assert len(saved.suggestions) == 8


def test_done_marks_gold_done_and_opens_the_next_document(team: Workspace) -> None:
    async def scenario() -> None:
        async with adjudicating(team) as (screen, pilot):
            await pilot.press("a", "d")
            await settle(pilot)
            app = pilot.app
            assert isinstance(app, AdjudicateApp)
            current = app.annotate
            assert current is not None and current is not screen
            assert current.session.document.id == "d2-hailan"
            assert screen.session.closed
            await pilot.press("a", "d")
            await settle(pilot)
            # d3 was finished by alice only: nothing left, the last document stays open
            assert app.annotate is current
            assert "every document is adjudicated" in str(
                current.query_one("#status-line").render()
            )

    asyncio.run(scenario())
    first, second = gold(team, "d1-yunfan"), gold(team, "d2-hailan")
    assert (first.status, second.status) == ("done", "done")
    assert surfaces(second.spans) == {("海岚银行", "ORG"), ("银行卡号", "DATA_TYPE")}
    assert not team.label_path("gold", "d3-qingshi").exists()


def test_reopening_skips_documents_already_adjudicated(team: Workspace) -> None:
    async def scenario() -> None:
        async with adjudicating(team) as (_screen, pilot):
            await pilot.press("a", "d", "q")
        async with adjudicating(team) as (screen, pilot):
            assert screen.session.document.id == "d2-hailan"
            await pilot.press("p")
            await settle(pilot)
            app = pilot.app
            assert isinstance(app, AdjudicateApp) and app.annotate is not None
            back = app.annotate
            assert back.session.document.id == "d1-yunfan"
            # decided candidates do not come back as pending
            assert {s.text for s in back.session.label_file.suggestions} >= {"会员系统"}
            assert not {t for t, _ in AGREED_YUNFAN} & {
                s.text for s in back.session.label_file.suggestions
            }

    asyncio.run(scenario())
    assert surfaces(gold(team).spans) == set(AGREED_YUNFAN)


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Group mode, as in the real `annotator` app."""

    register_adjudicate(app)
    return app


def test_nothing_to_adjudicate_says_so_and_exits_zero(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    workspace.save_document(make_document(QINGSHI, "d3-qingshi"))
    write_annotator(workspace, "alice", "d3-qingshi", [("青石网络科技公司", "ORG")], "done")
    write_annotator(workspace, "bob", "d3-qingshi", [], "in_progress")
    result = CliRunner().invoke(_cli(), ["adjudicate", "--workspace", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert "nothing to adjudicate" in result.output
    assert not (workspace.labels_dir / "gold").exists()

    async def scenario() -> None:
        app = create_adjudicate_app(workspace.root)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.annotate is None
            assert "nothing to adjudicate" in str(
                app.screen.query_one("#adjudicate-message").render()
            )
            await pilot.press("q")

    asyncio.run(scenario())


def test_one_annotator_is_refused(team: Workspace) -> None:
    result = CliRunner().invoke(
        _cli(), ["adjudicate", "--workspace", str(team.root), "--annotators", "alice"]
    )
    assert result.exit_code == 1
    assert "at least two annotators" in result.output
