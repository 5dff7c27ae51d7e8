"""Generate big fictional workspaces for benchmarks (fast, not durable).

`generate(root, docs)` writes `docs` documents of about 1,500 characters of
fictional Chinese breach news, each with about 20 spans in one annotator's
label file, with mixed statuses (the first half worked on: mostly done, some
in progress, skipped or flagged; the second half todo with pending
suggestions). Files use the store's exact bytes (`dumps_document`,
`dumps_label_file`) but are written without fsync: this is a fixture, and
100k documents take about a minute instead of an hour.

`cached_workspace(docs, keep=True)` reuses a workspace generated earlier under
/tmp when its marker matches. Run it alone to pre-build one:
`python benchmarks/_workspace_gen.py 100000 [--root DIR]`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from annotator.model import Document, DocumentMeta, LabelFile, Span, Status, Suggestion
from annotator.store import dumps_document, dumps_label_file
from annotator.text.normalize import normalize_text, text_sha256
from annotator.workspace import init_workspace

GENERATOR_VERSION = 2
ANNOTATOR = "bench"
DOC_CHARS = 1500
SPANS_PER_DOC = 20
STAMP = "2026-11-20T09:00:00Z"

# Every name below is invented for this benchmark.
ORGS = (
    "星河云数据公司",
    "青岚快递",
    "北辰保险集团",
    "蓝鲸网络科技有限公司",
    "云岫医院",
    "东湖市公安局网安支队",
    "赤松证券",
    "白鹭社交平台",
    "南屿市人民法院",
    "晨曦教育集团",
    "海棠电商",
    "远帆物流",
    "石溪银行",
    "知秋招聘网",
    "金穗支付",
)
PERSONS = (
    "林某",
    "周某某",
    "陈晓岚",
    "赵先生",
    "韩女士",
    "宋一鸣",
    "许某",
    "黎某",
    "顾清和",
    "NightOwl",
    "马某",
    "唐若溪",
)
NUMBERS = (
    "12万条",
    "3.4亿条",
    "约800万条",
    "2300余条",
    "5.6万元",
    "每条0.3元",
    "近百万条",
    "17个",
    "4TB",
    "60余万份",
    "1.2万名",
    "280万元",
)
CHARGES = (
    "侵犯公民个人信息罪",
    "非法获取计算机信息系统数据罪",
    "破坏计算机信息系统罪",
    "非法侵入计算机信息系统罪",
    "帮助信息网络犯罪活动罪",
    "诈骗罪",
)
DATA_TYPES = (
    "手机号",
    "身份证号",
    "收货地址",
    "银行卡号",
    "姓名",
    "病历",
    "快递单号",
    "登录密码",
    "人脸照片",
    "住址",
    "学籍信息",
    "通话记录",
)
POOLS = {
    "ORG": ORGS,
    "PERSON": PERSONS,
    "NUMBER": NUMBERS,
    "LEGAL_CHARGE": CHARGES,
    "DATA_TYPE": DATA_TYPES,
}

# {LABEL} marks a span; every template carries one to three.
TEMPLATES = (
    "据{ORG}通报，内部员工{PERSON}利用运维权限导出{NUMBER}客户{DATA_TYPE}。",
    "{ORG}承认，其测试服务器因配置失误暴露了{NUMBER}用户记录，涉及{DATA_TYPE}和{DATA_TYPE}。",
    "警方查明，{PERSON}在境外论坛以{NUMBER}的价格兜售上述数据。",
    "检察机关以涉嫌{LEGAL_CHARGE}对{PERSON}提起公诉。",
    "{ORG}表示已修补漏洞，并向受影响的用户发送了提醒短信。",
    "安全研究员{PERSON}最早发现该数据库未设密码，其中包含{DATA_TYPE}。",
    "法院审理认为，被告人的行为已构成{LEGAL_CHARGE}，判处有期徒刑三年。",
    "此次泄露波及{NUMBER}，多数受害者此后接到冒充客服的诈骗电话。",
    "记者联系{ORG}，对方称正在配合调查，暂不便透露细节。",
    "业内人士提醒，网购后应及时清理包含{DATA_TYPE}的包装面单。",
    "{ORG}的一名前外包人员被指多次越权查询{DATA_TYPE}。",
    "目前，涉案的{NUMBER}数据已被查扣，相关账号均已封停。",
)
FILLER = "截至发稿时，事件仍在进一步调查之中。"
WORKED: tuple[Status, ...] = (
    "done",
    "done",
    "done",
    "done",
    "done",
    "done",
    "in_progress",
    "skipped",
    "flagged",
)


BODY_POOL = 257  # distinct article bodies; each document adds its own header line


def _body_and_spans(rng: random.Random, offset: int) -> tuple[str, list[tuple[int, int, str, str]]]:
    """About DOC_CHARS characters of text after `offset` header characters, and its spans."""
    parts: list[str] = []
    length = offset
    spans: list[tuple[int, int, str, str]] = []
    while length < DOC_CHARS:
        template = rng.choice(TEMPLATES)
        if len(spans) >= SPANS_PER_DOC:
            template = FILLER
        pieces = template.replace("}", "{").split("{")
        for index, piece in enumerate(pieces):
            if index % 2 == 1:
                surface = rng.choice(POOLS[piece])
                spans.append((length, length + len(surface), piece, surface))
                piece = surface
            parts.append(piece)
            length += len(piece)
        if rng.random() < 0.2:
            parts.append("\n")
            length += 1
    return "".join(parts), spans


def _header(n: int) -> str:
    """A fixed-length first line, so the pooled bodies' span offsets hold in every document."""
    return f"第{n:07d}号数据泄露事件通报\n"


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)


def generate(root: Path, docs: int, seed: int = 7) -> Path:
    """Write a workspace of `docs` documents with label files for ANNOTATOR; returns root."""
    rng = random.Random(seed)
    workspace = init_workspace(root)
    labels_dir = workspace.annotator_dir(ANNOTATOR)
    labels_dir.mkdir(parents=True, exist_ok=True)
    offset = len(_header(0))
    bodies = []
    for _ in range(BODY_POOL):
        body, placed = _body_and_spans(rng, offset)
        assert normalize_text(body) == body
        spans = tuple(
            Span.model_construct(start=s, end=e, label=label, text=surface, source="manual")
            for s, e, label, surface in placed
        )
        pending = tuple(
            Suggestion.model_construct(
                start=s, end=e, label=label, text=surface, source="bench", score=0.9
            )
            for s, e, label, surface in placed
        )
        bodies.append((body, spans, pending))
    worked = docs // 2
    for n in range(docs):
        doc_id = f"doc-{n:06d}"
        body, spans, pending = bodies[n % BODY_POOL]
        text = _header(n) + body
        digest = text_sha256(text)
        meta = DocumentMeta.model_construct(title=f"第{n}号数据泄露事件通报", source="benchmark")
        document = Document.model_construct(id=doc_id, text=text, sha256=digest, meta=meta)
        _write(workspace.documents_dir / f"{doc_id}.json", dumps_document(document))
        status: Status = rng.choice(WORKED) if n < worked else "todo"
        todo = status == "todo"
        label_file = LabelFile.model_construct(
            doc_id=doc_id,
            text_sha256=digest,
            annotator=ANNOTATOR,
            status=status,
            spans=() if todo else spans,
            suggestions=pending if todo else (),
            rejected=(),
            note="",
            created_at=STAMP,
            updated_at=STAMP,
            active_seconds=0.0 if todo else 95.0,
            cursor=0,
        )
        _write(labels_dir / f"{doc_id}.json", dumps_label_file(label_file))
    return root


def _marker(docs: int) -> str:
    return f"annotator-bench-workspace v{GENERATOR_VERSION} docs={docs}\n"


def cached_workspace(docs: int, keep: bool, base: Path | None = None) -> Path:
    """A generated workspace of `docs` documents: reused from /tmp when `keep`, else fresh.

    The derived caches (.annotator/) are always removed, so the next open is cold.
    """
    if keep:
        root = (base or Path(tempfile.gettempdir()) / "annotator-bench") / f"ws-{docs}"
        marker = root / ".bench-marker"
        if marker.is_file() and marker.read_text() == _marker(docs):
            shutil.rmtree(root / ".annotator", ignore_errors=True)
            return root
        shutil.rmtree(root, ignore_errors=True)
    else:
        root = Path(tempfile.mkdtemp(prefix="annotator-bench-")) / "ws"
    generate(root, docs)
    if keep:
        (root / ".bench-marker").write_text(_marker(docs))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("docs", type=int)
    parser.add_argument(
        "--root", type=Path, help="write here (default: the --keep cache under /tmp)"
    )
    args = parser.parse_args()
    began = time.perf_counter()
    if args.root is not None:
        generate(args.root, args.docs)
        root = args.root
    else:
        root = cached_workspace(args.docs, keep=True)
    print(f"{root} ({args.docs} documents, {time.perf_counter() - began:.1f} s)", file=sys.stderr)
    os.sync()


if __name__ == "__main__":
    main()
