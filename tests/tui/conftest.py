"""Fixture workspaces for the TUI tests: small fictional breach reports written for these tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from annotator import store
from annotator.model import DocumentMeta, LabelFile, Span, Suggestion
from annotator.workspace import Workspace, init_workspace, make_document

ANNOTATOR = "tester"
FIXED_TIME = "2024-01-02T03:04:05Z"

SIMPLIFIED = (
    "据本报记者了解，星河数据科技有限公司近日发生数据泄露事件，约120万条用户手机号码被非法出售。\n"
    "警方表示，犯罪嫌疑人王某已因涉嫌侵犯公民个人信息罪被刑事拘留。"
)
TRADITIONAL = (
    "據報導，晨光電訊公司的客戶資料遭駭客竊取，涉及約三萬名用戶的身份證號碼。\n"
    "法院以非法獲取電腦資料罪判處李某有期徒刑兩年。"
)
MIXED = (
    "安全研究员Alice Chen在GitHub上发现一个名为user_db_2023的数据库，\n"
    "其中包含5000多万条email和password记录，涉及BlueOcean公司。"
)
DOCS: dict[str, tuple[str, str]] = {
    "a-simplified": ("星河数据泄露", SIMPLIFIED),
    "b-traditional": ("晨光電訊資料外洩", TRADITIONAL),
    "c-mixed": ("GitHub 数据库暴露", MIXED),
}


def build_workspace(root: Path, docs: dict[str, tuple[str, str]] | None = None) -> Workspace:
    workspace = init_workspace(root)
    for doc_id, (title, text) in (docs or DOCS).items():
        document = make_document(text, doc_id, DocumentMeta(title=title))
        # plain writes: fixtures need no fsync, and big ones would pay for it
        workspace.document_path(doc_id).write_bytes(store.dumps_document(document))
    return workspace


def span(text: str, surface: str, label: str, *, nth: int = 0, cls: type[Span] = Span) -> Span:
    """A span on the `nth` occurrence of `surface` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return cls(start=start, end=start + len(surface), label=label, text=surface)


def write_labels(
    workspace: Workspace,
    doc_id: str,
    *,
    spans: Iterable[Span] = (),
    suggestions: Iterable[Suggestion] = (),
    status: str = "todo",
    cursor: int = 0,
) -> Path:
    """A label file written directly (fixed timestamps, so screens are deterministic)."""
    document = workspace.load_document(doc_id)
    label_file = LabelFile.new(document, ANNOTATOR).model_copy(
        update={
            "spans": tuple(spans),
            "suggestions": tuple(suggestions),
            "status": status,
            "cursor": cursor,
            "created_at": FIXED_TIME,
            "updated_at": FIXED_TIME,
        }
    )
    path = workspace.label_path(ANNOTATOR, doc_id)
    store.write_label_file(path, label_file)
    return path


def read_labels(workspace: Workspace, doc_id: str) -> LabelFile:
    return store.load_label_file(workspace.label_path(ANNOTATOR, doc_id))


@pytest.fixture(autouse=True)
def _no_user_keymap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read the developer's own keymap."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return build_workspace(tmp_path / "ws")
