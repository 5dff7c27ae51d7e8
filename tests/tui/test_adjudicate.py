"""The adjudication screen, driven with Pilot, checked in the saved gold label files.

Fixture: two annotators (alice, bob) finished two fictional breach reports;
they agree on some spans and dispute others. A third report only alice
finished, so it is never adjudicated. `build_assigned_team` adds a real
assignment (`annotator assign` over six reports) for the tests of the queue
following it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from textual.pilot import Pilot
from typer.testing import CliRunner

from annotator import store
from annotator.cli.adjudicate_cmd import register_adjudicate
from annotator.model import DocumentMeta, LabelFile, Span
from annotator.quality.assign import Assignment, assign
from annotator.tui.adjudicate_app import AdjudicateApp, create_adjudicate_app
from annotator.tui.adjudication import adjudication_queue
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
    document = workspace.load_document(doc_id)
    text = document.text
    label_file = LabelFile.new(document, name).model_copy(
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
            await pilot.press("a", "d", "d")
            await settle(pilot)
            app = pilot.app
            assert isinstance(app, AdjudicateApp)
            current = app.annotate
            assert current is not None and current is not screen
            assert current.session.document.id == "d2-hailan"
            assert screen.session.closed
            await pilot.press("a", "d", "d")
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


def status_line(screen: AdjudicateScreen) -> str:
    return str(screen.query_one("#status-line").render())


def test_d_with_disputes_pending_warns_and_a_second_d_marks_done_anyway(team: Workspace) -> None:
    statuses: list[str] = []

    async def scenario() -> None:
        async with adjudicating(team) as (screen, pilot):
            await pilot.press("a")
            await settle(pilot)
            statuses.append(gold(team).status)
            await pilot.press("d")
            await settle(pilot)
            app = pilot.app
            assert isinstance(app, AdjudicateApp)
            assert app.annotate is screen and not screen.session.closed
            line = status_line(screen)
            assert "5 disputes pending — tab jumps to one, d again marks done anyway" in line
            statuses.append(gold(team).status)
            await pilot.press("d")
            await settle(pilot)
            assert app.annotate is not None and app.annotate is not screen
            assert app.annotate.session.document.id == "d2-hailan"

    asyncio.run(scenario())
    assert statuses[0] != "done" and statuses[1] == statuses[0]
    saved = gold(team)
    assert saved.status == "done"
    assert len(saved.suggestions) == 5  # done anyway: the disputes stay undecided


def test_d_warns_again_when_another_key_came_between(team: Workspace) -> None:
    async def scenario() -> None:
        async with adjudicating(team) as (screen, pilot):
            await pilot.press("d", "right", "d")
            await settle(pilot)
            app = pilot.app
            assert isinstance(app, AdjudicateApp) and app.annotate is screen
            assert "5 disputes + 3 agreed pending (a takes agreed)" in status_line(screen)

    asyncio.run(scenario())
    assert gold(team).status != "done"


def test_d_with_nothing_pending_finishes_at_once(team: Workspace) -> None:
    async def scenario() -> None:
        async with adjudicating(team) as (screen, pilot):
            assert screen.accept_all()
            await pilot.press("d")
            await settle(pilot)
            app = pilot.app
            assert isinstance(app, AdjudicateApp) and app.annotate is not None
            assert app.annotate.session.document.id == "d2-hailan"

    asyncio.run(scenario())
    saved = gold(team)
    assert saved.status == "done"
    assert saved.suggestions == ()
    assert surfaces(saved.spans) >= set(AGREED_YUNFAN)


def test_reopening_skips_documents_already_adjudicated(team: Workspace) -> None:
    async def scenario() -> None:
        async with adjudicating(team) as (_screen, pilot):
            await pilot.press("a", "d", "d", "q")
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


# ------------------------------------------------------------ with an assignment

REPORTS = {
    "r1-jinlan": ("金澜保险公司通报，约2万名投保人的身份证号码被内部员工泄露。", "金澜保险公司"),
    "r2-beichen": ("北辰医院的挂号系统配置错误，导致5000余条病历信息可被公开访问。", "北辰医院"),
    "r3-yuhai": ("宇海游戏平台遭勒索软件攻击，玩家充值记录一度无法查询。", "宇海游戏平台"),
    "r4-songtao": ("松涛教育科技承认，学员手机号码被第三方外包商违规留存。", "松涛教育科技"),
    "r5-lanxi": ("岚溪电商平台披露，约15万条订单收货信息遭爬虫批量抓取。", "岚溪电商平台"),
    "r6-chiyue": ("赤月出行公司的司机人脸照片在测试服务器上暴露长达三个月。", "赤月出行公司"),
}
TEAM = ("alice", "bob", "carol")


@dataclass(frozen=True)
class AssignedTeam:
    workspace: Workspace
    assignment: Assignment
    both: str  # given to two: both finished, and the third finished it too
    waiting: str  # given to two: one of them and the third finished it
    last: str  # given to two: both finished
    outside: str  # given to one: that one and another finished it


def build_assigned_team(root: Path) -> AssignedTeam:
    """Six reports assigned by `annotator assign` (real hashing, half of them to two people),
    then finished as the comments in `AssignedTeam` say."""
    workspace = init_workspace(root)
    for doc_id, (text, _org) in REPORTS.items():
        workspace.save_document(make_document(text, doc_id, DocumentMeta(title=doc_id)))
    assignment = assign(workspace, list(TEAM), overlap=0.5).assignment
    pairs = [d for d, names in assignment.docs.items() if len(names) == 2]
    singles = [d for d, names in assignment.docs.items() if len(names) == 1]
    assert len(pairs) == 3 and len(singles) == 3
    both, waiting, last = pairs

    def finish(doc_id: str, *names: str) -> None:
        org = REPORTS[doc_id][1]
        for name in names:
            write_annotator(workspace, name, doc_id, [(org, "ORG")], "done")

    def third(doc_id: str) -> str:
        return next(n for n in TEAM if n not in assignment.docs[doc_id])

    finish(both, *assignment.docs[both], third(both))
    finish(waiting, assignment.docs[waiting][0], third(waiting))
    finish(last, *assignment.docs[last])
    outside = singles[0]
    finish(outside, *assignment.docs[outside], third(outside))
    for doc_id in singles[1:]:
        finish(doc_id, *assignment.docs[doc_id])
    return AssignedTeam(workspace, assignment, both, waiting, last, outside)


def test_queue_follows_the_assignment(tmp_path: Path) -> None:
    team = build_assigned_team(tmp_path / "ws")
    queue = adjudication_queue(team.workspace)
    assert queue.assigned
    # only documents given to two, from those two (never the third who also finished one)
    assert queue.sources == {
        team.both: team.assignment.docs[team.both],
        team.last: team.assignment.docs[team.last],
    }
    assert queue.waiting == (team.waiting,)
    assert queue.outside == (team.outside,)
    # naming the sources explicitly ignores the assignment
    third = next(n for n in TEAM if n not in team.assignment.docs[team.outside])
    named = (*team.assignment.docs[team.outside], third)
    explicit = adjudication_queue(team.workspace, annotators=named)
    assert not explicit.assigned and team.outside in explicit.sources


def test_adjudication_walks_the_assigned_pairs_in_order(tmp_path: Path) -> None:
    team = build_assigned_team(tmp_path / "ws")

    async def scenario() -> None:
        async with adjudicating(team.workspace) as (screen, pilot):
            app = pilot.app
            assert isinstance(app, AdjudicateApp)
            assert screen.session.document.id == team.both
            assert screen.session.sources == team.assignment.docs[team.both]
            assert screen.accept_all()
            await pilot.press("d")
            await settle(pilot)
            second = app.annotate
            assert second is not None and second.session.document.id == team.last
            assert second.accept_all()
            await pilot.press("d")
            await settle(pilot)
            assert app.annotate is second
            line = status_line(second)
            assert "1 more waits for its annotators" in line

    asyncio.run(scenario())
    assert gold(team.workspace, team.both).status == "done"
    assert gold(team.workspace, team.last).status == "done"
    assert not team.workspace.label_path("gold", team.waiting).exists()
    assert not team.workspace.label_path("gold", team.outside).exists()


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


def test_nothing_assigned_to_two_says_what_is_left_out(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    text, org = REPORTS["r1-jinlan"]
    workspace.save_document(make_document(text, "r1-jinlan"))
    assert len(assign(workspace, ["alice", "bob"], overlap=0.0).assignment.docs["r1-jinlan"]) == 1
    for name in ("alice", "bob"):
        write_annotator(workspace, name, "r1-jinlan", [(org, "ORG")], "done")
    assert adjudication_queue(workspace).sources == {}  # else the CLI would open the TUI
    result = CliRunner().invoke(_cli(), ["adjudicate", "--workspace", str(workspace.root)])
    assert result.exit_code == 0, result.output
    assert "no document the assignment gives to two or more annotators" in result.output
    assert "1 finished outside the assignment (--annotators a,b adjudicates those)" in result.output
    assert not (workspace.labels_dir / "gold").exists()
