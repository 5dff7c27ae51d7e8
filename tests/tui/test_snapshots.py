"""SVG snapshots of the main screens (pytest-textual-snapshot).

Deterministic by construction: fixed terminal size, label files with fixed
timestamps and stored suggestions (so the suggestion engine never runs), no
clock text on screen, and every worker and save finished before the shot.
Regenerate after an intended visual change with `--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from annotator import store
from annotator.model import LabelFile, Suggestion
from annotator.tui.adjudicate_app import create_adjudicate_app
from annotator.tui.app import create_app
from annotator.workspace import Workspace

from .conftest import (
    ANNOTATOR,
    FIXED_TIME,
    MIXED,
    SIMPLIFIED,
    TRADITIONAL,
    build_workspace,
    span,
    write_labels,
)
from .helpers import settle

SnapCompare = Callable[..., bool]
SIZE = (100, 24)


@pytest.fixture
def snapshot_workspace(tmp_path: Path) -> Workspace:
    workspace = build_workspace(tmp_path / "ws")
    write_labels(
        workspace,
        "a-simplified",
        status="in_progress",
        spans=[
            span(SIMPLIFIED, "星河数据科技有限公司", "ORG"),
            span(SIMPLIFIED, "王某", "PERSON"),
            span(SIMPLIFIED, "侵犯公民个人信息罪", "LEGAL_CHARGE").model_copy(
                update={"uncertain": True}
            ),
        ],
        suggestions=[
            span(SIMPLIFIED, "120万条", "NUMBER", cls=Suggestion),
            span(SIMPLIFIED, "手机号码", "DATA_TYPE", cls=Suggestion),
        ],
    )
    write_labels(
        workspace,
        "b-traditional",
        status="done",
        spans=[
            span(TRADITIONAL, "晨光電訊公司", "ORG"),
            span(TRADITIONAL, "三萬名", "NUMBER"),
            span(TRADITIONAL, "身份證號碼", "DATA_TYPE"),
            span(TRADITIONAL, "非法獲取電腦資料罪", "LEGAL_CHARGE"),
            span(TRADITIONAL, "李某", "PERSON"),
        ],
        suggestions=[span(TRADITIONAL, "兩年", "NUMBER", cls=Suggestion)],
    )
    write_labels(
        workspace,
        "c-mixed",
        spans=[span(MIXED, "Alice Chen", "PERSON"), span(MIXED, "BlueOcean公司", "ORG")],
        suggestions=[
            span(MIXED, "5000多万条", "NUMBER", cls=Suggestion),
            span(MIXED, "password", "DATA_TYPE", cls=Suggestion),
        ],
    )
    return workspace


async def _settled(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def test_snapshot_annotate_simplified(
    snap_compare: SnapCompare, snapshot_workspace: Workspace
) -> None:
    app = create_app(snapshot_workspace.root, ANNOTATOR, "a-simplified")
    assert snap_compare(app, terminal_size=SIZE, run_before=_settled)


def test_snapshot_annotate_traditional(
    snap_compare: SnapCompare, snapshot_workspace: Workspace
) -> None:
    app = create_app(snapshot_workspace.root, ANNOTATOR, "b-traditional")
    assert snap_compare(app, terminal_size=SIZE, run_before=_settled)


def test_snapshot_annotate_mixed_latin_cjk(
    snap_compare: SnapCompare, snapshot_workspace: Workspace
) -> None:
    app = create_app(snapshot_workspace.root, ANNOTATOR, "c-mixed")

    async def select_then_settle(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("right", "shift+right")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=select_then_settle)


def test_snapshot_documents(snap_compare: SnapCompare, snapshot_workspace: Workspace) -> None:
    app = create_app(snapshot_workspace.root, ANNOTATOR, "c-mixed")

    async def documents(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=documents)


def test_snapshot_help(snap_compare: SnapCompare, snapshot_workspace: Workspace) -> None:
    app = create_app(snapshot_workspace.root, ANNOTATOR, "a-simplified")

    async def help_screen(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=help_screen)


JINCHENG = (
    "据通报，锦程票务网络有限公司的会员数据库遭未授权访问，约36万条用户姓名和手机号码被打包出售。\n"
    "嫌疑人周某以涉嫌侵犯公民个人信息罪被警方刑事拘留。"
)
AGREED = [("锦程票务网络有限公司", "ORG"), ("侵犯公民个人信息罪", "LEGAL_CHARGE")]
TWO_VERSIONS = {
    "alice": [
        *AGREED,
        ("36万条", "NUMBER"),
        ("用户姓名", "DATA_TYPE"),
        ("手机号码", "DATA_TYPE"),
        ("周某", "PERSON"),
    ],
    "bob": [
        *AGREED,
        ("约36万条", "NUMBER"),
        ("用户姓名和手机号码", "DATA_TYPE"),
        ("会员数据库", "DATA_TYPE"),
        ("嫌疑人周某", "PERSON"),
    ],
}


def _finished(workspace: Workspace, name: str, spans: list[tuple[str, str]], status: str) -> None:
    document = workspace.load_document("j-jincheng")
    label_file = LabelFile.new(document, name).model_copy(
        update={
            "spans": tuple(span(JINCHENG, surface, label) for surface, label in spans),
            "status": status,
            "created_at": FIXED_TIME,
            "updated_at": FIXED_TIME,
        }
    )
    store.write_label_file(workspace.label_path(name, "j-jincheng"), label_file)


def test_snapshot_adjudicate_disputed(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """Two finished versions of one report that disagree, reopened with the agreed spans
    already in gold; `tab` on the first disputed candidate (bob's 会员数据库)."""
    workspace = build_workspace(tmp_path / "ws", {"j-jincheng": ("锦程票务数据外泄", JINCHENG)})
    for name, spans in TWO_VERSIONS.items():
        _finished(workspace, name, spans, "done")
    _finished(workspace, "gold", AGREED, "in_progress")
    app = create_adjudicate_app(workspace.root)

    async def tab_to_a_dispute(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=tab_to_a_dispute)
