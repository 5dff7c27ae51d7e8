"""Small workspaces for the export tests: fictional breach news written for these tests."""

from __future__ import annotations

from pathlib import Path

from annotator import store
from annotator.model import DocumentMeta, LabelFile, Span, Status
from annotator.workspace import Workspace, init_workspace, make_document

TEXTS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "a01": (
        "星河数据科技有限公司员工林某利用职务便利，非法获取用户手机号码300万条。\n"
        "南岭市人民法院以侵犯公民个人信息罪判处林某有期徒刑两年。",
        [
            ("星河数据科技有限公司", "ORG"),
            ("林某", "PERSON"),
            ("手机号码", "DATA_TYPE"),
            ("300万条", "NUMBER"),
            ("南岭市人民法院", "ORG"),
            ("侵犯公民个人信息罪", "LEGAL_CHARGE"),
            ("林某", "PERSON"),
            ("两年", "NUMBER"),
        ],
    ),
    "a02": (
        "青禾網絡證實，黑客DarkFox竊取了會員的身份證號碼及家庭住址；警方以詐騙罪拘捕一名23歲男子！",
        [
            ("青禾網絡", "ORG"),
            ("DarkFox", "PERSON"),
            ("身份證號碼", "DATA_TYPE"),
            ("家庭住址", "DATA_TYPE"),
            ("詐騙罪", "LEGAL_CHARGE"),
            ("23歲", "NUMBER"),
        ],
    ),
    "a03": (
        "云帆快递的一名网点负责人王先生把快递单号卖给诈骗团伙，"
        "涉案金额１２万元。🙂 记者 Zhang San 报道",
        [
            ("云帆快递", "ORG"),
            ("王先生", "PERSON"),
            ("快递单号", "DATA_TYPE"),
            ("１２万元", "NUMBER"),
            ("Zhang San", "PERSON"),
        ],
    ),
    "a04": (
        "启明医院的病历系统遭勒索软件攻击，约40G数据被加密。"
        "联系人电话13812345678，邮箱 leak@example.com。",
        [("启明医院", "ORG"), ("病历", "DATA_TYPE"), ("40G", "NUMBER"), ("13812345678", "NUMBER")],
    ),
}


def spans_for(text: str, wanted: list[tuple[str, str]]) -> tuple[Span, ...]:
    """Place each (surface, label) at its next occurrence after the previous span."""
    spans = []
    pos = 0
    for surface, label in wanted:
        start = text.index(surface, pos)
        spans.append(Span(start=start, end=start + len(surface), label=label, text=surface))
        pos = start + len(surface)
    return tuple(spans)


def add_document(
    ws: Workspace,
    doc_id: str,
    text: str,
    wanted: list[tuple[str, str]] | tuple[Span, ...],
    *,
    annotator: str = "gold",
    status: Status = "done",
    url: str | None = None,
    date: str | None = None,
) -> None:
    """Write a document and its label file (plain writes: these tests are not about the store)."""
    document = make_document(text, doc_id, DocumentMeta(title=f"报道 {doc_id}", url=url, date=date))
    ws.documents_dir.mkdir(parents=True, exist_ok=True)
    ws.document_path(doc_id).write_bytes(store.dumps_document(document))
    spans = wanted if isinstance(wanted, tuple) else spans_for(document.text, wanted)
    label_file = LabelFile(
        doc_id=doc_id,
        text_sha256=document.sha256,
        annotator=annotator,
        status=status,
        spans=spans,
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-01T00:00:00Z",
    )
    ws.check_labels(label_file)
    path = ws.label_path(annotator, doc_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(store.dumps_label_file(label_file))


def sample_workspace(root: Path) -> Workspace:
    ws = init_workspace(root)
    for doc_id, (text, wanted) in TEXTS.items():
        add_document(ws, doc_id, text, wanted, url=f"https://news.example.cn/{doc_id}")
    return ws
