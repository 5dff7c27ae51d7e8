"""Benchmark `annotator export --format hf` against a plain pyarrow write of the same columns.

    python benchmarks/export.py [--docs 100000] [--repeats 1] [--workdir DIR]

Generates a workspace of N labelled documents (~1,500 characters, ~20 spans
each; generation is not timed), then in one run times:

* export: `annotator.export.hf.export_hf` (read + validate + group near-duplicates +
  split + chunk + IOB2 + Parquet + card), in-process (it forks validating workers
  on big exports and writes Parquet on a background thread);
* floor: the least work that yields the same columns: read the same files with
  orjson (no validation), cut every 510 characters, build the same Arrow
  columns, write them with one `pyarrow.parquet.ParquetWriter` per config.
  `floor_write_seconds` is the part of the floor spent inside `write_table`.

Prints one JSON line. Peak memory is sampled by a thread separately for each
phase (PSS of this process plus its worker processes); CPU seconds include the
workers. With --repeats N the runs are interleaved; `ratio` is the median of the
per-repeat ratios and the times are the fastest of the repeats.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson

from annotator import store
from annotator.model import DocumentMeta, LabelFile, Span
from annotator.workspace import init_workspace, make_document

ORGS = [
    "星河数据科技有限公司",
    "青禾网络",
    "南岭市公安局",
    "东港区人民法院",
    "云帆快递",
    "启明医院",
    "北辰银行",
    "海棠社区论坛",
    "蓝鲸云服务",
    "长风证券",
]
PERSONS = ["林某", "王先生", "陈晓明", "赵某某", "DarkFox", "李女士", "周建国", "孙某"]
NUMBERS = ["300万条", "12万元", "两年六个月", "40G", "5000多条", "近1亿", "23岁", "八个月"]
CHARGES = ["侵犯公民个人信息罪", "非法获取计算机信息系统数据罪", "破坏计算机信息系统罪", "詐騙罪"]
DATA = [
    "手机号码",
    "身份证号码",
    "家庭住址",
    "快递单号",
    "银行卡号",
    "登录密码",
    "通话记录",
    "病历",
]
FILLER = (
    "据调查，该事件发生在去年秋季，相关部门随后介入并开展了为期数月的核查工作，"
    "涉事系统的配置存在明显疏漏，外部人员可以在未经授权的情况下访问后台数据库"
)
TEMPLATES = [
    (
        "{ORG}的员工{PERSON}利用职务便利，非法获取了{NUMBER}用户{DATA}，",
        ["ORG", "PERSON", "NUMBER", "DATA"],
    ),
    ("法院以{CHARGE}判处{PERSON}有期徒刑{NUMBER}。", ["CHARGE", "PERSON", "NUMBER"]),
    ("泄露的数据包括{DATA}和{DATA}，在{ORG}的论坛上被公开出售；", ["DATA", "DATA", "ORG"]),
    ("{ORG}表示已报警，警方初步查明涉案金额{NUMBER}！", ["ORG", "NUMBER"]),
]
LABEL_OF = {
    "ORG": "ORG",
    "PERSON": "PERSON",
    "NUMBER": "NUMBER",
    "CHARGE": "LEGAL_CHARGE",
    "DATA": "DATA_TYPE",
}
POOLS = {"ORG": ORGS, "PERSON": PERSONS, "NUMBER": NUMBERS, "CHARGE": CHARGES, "DATA": DATA}


def fake_document(rng: random.Random, target: int = 1500) -> tuple[str, list[tuple[int, int, str]]]:
    """Fictional breach-news text with its spans (offsets computed while writing)."""
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    length = 0
    while length < target:
        if rng.random() < 0.8:
            piece = FILLER[: rng.randint(30, len(FILLER))] + (
                "。\n" if rng.random() < 0.3 else "。"
            )
            parts.append(piece)
            length += len(piece)
            continue
        template, slots = rng.choice(TEMPLATES)
        chunks = template.split("{")
        parts.append(chunks[0])
        length += len(chunks[0])
        for chunk, slot in zip(chunks[1:], slots, strict=True):
            key, rest = chunk.split("}", 1)
            assert key == slot
            value = rng.choice(POOLS[key])
            spans.append((length, length + len(value), LABEL_OF[key]))
            parts.append(value + rest)
            length += len(value) + len(rest)
    return "".join(parts), spans


def generate(root: Path, n: int, seed: int = 7) -> None:
    """Write N documents and `done` label files straight to disk (not timed)."""
    workspace = init_workspace(root)
    rng = random.Random(seed)
    label_dir = workspace.annotator_dir("gold")
    label_dir.mkdir(parents=True, exist_ok=True)
    workspace.documents_dir.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text, raw_spans = fake_document(rng)
        meta = DocumentMeta(
            title=f"泄露事件报道 {i}", url=f"https://news.example.cn/a/{i}", date="2025-01-01"
        )
        document = make_document(text, f"d{i:06d}", meta)
        spans = tuple(Span(start=s, end=e, label=lab, text=text[s:e]) for s, e, lab in raw_spans)
        label_file = LabelFile(
            doc_id=document.id,
            text_sha256=document.sha256,
            annotator="gold",
            status="done",
            spans=spans,
            created_at="2025-01-01T00:00:00Z",
            updated_at="2025-01-01T00:00:00Z",
        )
        workspace.document_path(document.id).write_bytes(store.dumps_document(document))
        (label_dir / f"{document.id}.json").write_bytes(store.dumps_label_file(label_file))


class PeakRss:
    """Sample the memory of this process plus its child processes every 100 ms.

    Children (the export's validating workers) are forked and share most of
    their pages with the parent, so each process counts its proportional set
    size (PSS: shared pages split between their users); for a process alone
    PSS equals RSS.
    """

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss(pid: str) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except (OSError, IndexError, ValueError):
            pass
        return 0

    @classmethod
    def current(cls) -> int:
        children: set[str] = set()
        for task in Path("/proc/self/task").iterdir():
            try:
                children.update((task / "children").read_text().split())
            except OSError:
                continue
        return cls._rss("self") + sum(cls._rss(pid) for pid in children)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.current())
            time.sleep(0.1)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.current())


def floor(root: Path, out: Path) -> float:
    """Read raw JSON, cut every 510 characters, write the same columns; returns write seconds."""
    import pyarrow.parquet as pq

    from annotator.export.columns import SpanRows, TokenRows, spans_features, tokens_features
    from annotator.workspace import Workspace

    workspace = Workspace(root)
    schema = workspace.schema()
    names = schema.label_names
    index = {name: i for i, name in enumerate(names)}
    out.mkdir(parents=True, exist_ok=True)
    tok_writer = pq.ParquetWriter(out / "tokens.parquet", tokens_features(names).arrow_schema)
    span_writer = pq.ParquetWriter(out / "spans.parquet", spans_features(names).arrow_schema)
    write_seconds = 0.0
    tokens, spans = TokenRows(), SpanRows()
    label_dir = workspace.annotator_dir("gold")
    for doc_id in workspace.label_ids("gold"):
        label = orjson.loads((label_dir / f"{doc_id}.json").read_bytes())
        doc = orjson.loads(workspace.document_path(doc_id).read_bytes())
        text = doc["text"]
        triples = [(s["start"], s["end"], index[s["label"]]) for s in label["spans"]]
        bounds = [(i, min(i + 510, len(text))) for i in range(0, len(text), 510)]
        tokens.add(doc_id, text, triples, bounds)
        spans.add(
            doc_id,
            text,
            [(s["start"], s["end"], index[s["label"]], s["text"]) for s in label["spans"]],
            doc.get("meta") or {},
        )
        if spans.count >= 1000:
            t0 = time.perf_counter()
            tok_table, span_table = tokens.table(), spans.table()
            tok_writer.write_table(tok_table)
            span_writer.write_table(span_table)
            write_seconds += time.perf_counter() - t0
            tokens, spans = TokenRows(), SpanRows()
    t0 = time.perf_counter()
    if spans.count:
        tok_writer.write_table(tokens.table())
        span_writer.write_table(spans.table())
    tok_writer.close()
    span_writer.close()
    return write_seconds + time.perf_counter() - t0


def run_export(root: Path, out: Path) -> dict[str, int]:
    from annotator.export.hf import export_hf
    from annotator.export.pipeline import ExportOptions
    from annotator.workspace import Workspace

    result = export_hf(Workspace(root), out, ExportOptions("gold", status="done", progress=False))
    return {
        "documents": result.documents,
        "chunks": result.chunks,
        "problems": len(result.problems),
    }


def measure(fn: object, *args: object) -> tuple[float, float, int, object]:
    """(wall seconds, CPU seconds of all threads and child processes, peak RSS bytes, value)."""
    gc.collect()

    def cpu_now() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    with PeakRss() as rss:
        t0, c0 = time.perf_counter(), cpu_now()
        value = fn(*args)  # type: ignore[operator]
        seconds, cpu = time.perf_counter() - t0, cpu_now() - c0
    return seconds, cpu, rss.peak, value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=1, help="interleaved runs; fastest reported")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="reuse/keep the generated workspace here"
    )
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="annotator-export-bench-"))
    root = args.workdir or tmp / "ws"
    marker = root / f".generated-{args.docs}"
    if not marker.exists():
        shutil.rmtree(root, ignore_errors=True)
        t0 = time.perf_counter()
        generate(root, args.docs)
        marker.write_text("ok")
        print(
            f"generated {args.docs} documents in {time.perf_counter() - t0:.1f}s", file=sys.stderr
        )
    import datasets  # noqa: F401  (imports are not what is measured)
    import pyarrow.parquet  # noqa: F401

    import annotator.export.hf  # noqa: F401

    try:
        runs = []
        for i in range(args.repeats):  # interleaved, so background load hits both alike
            floor_run = measure(floor, root, tmp / f"floor{i}")
            export_run = measure(run_export, root, tmp / f"export{i}")
            runs.append((floor_run, export_run))
            shutil.rmtree(tmp / f"floor{i}", ignore_errors=True)
            shutil.rmtree(tmp / f"export{i}", ignore_errors=True)
        # The fastest of the repeats: noise on a shared machine only ever adds time.
        floor_seconds = min(f[0] for f, _e in runs)
        export_seconds = min(e[0] for _f, e in runs)
        floor_cpu = min(f[1] for f, _e in runs)
        export_cpu = min(e[1] for _f, e in runs)
        floor_rss = max(f[2] for f, _e in runs)
        export_rss = max(e[2] for _f, e in runs)
        floor_write = min(float(f[3]) for f, _e in runs)  # type: ignore[arg-type]
        counts = runs[0][1][3]
        result = {
            "benchmark": "export",
            "docs": args.docs,
            "export_seconds": round(export_seconds, 2),
            "floor_seconds": round(floor_seconds, 2),
            # Each repeat's floor and export ran back to back under the same load: the median
            # of their ratios is the figure; the ratio of the fastest runs is shown too.
            "ratio": round(statistics.median(e[0] / f[0] for f, e in runs), 3),
            "ratios_per_repeat": [round(e[0] / f[0], 3) for f, e in runs],
            "ratio_of_fastest": round(export_seconds / floor_seconds, 3),
            "repeats": args.repeats,
            "export_cpu_seconds": round(export_cpu, 2),
            "floor_cpu_seconds": round(floor_cpu, 2),
            "floor_write_seconds": round(floor_write, 2),
            "export_peak_mem_mb": round(export_rss / 2**20, 1),  # PSS, workers included
            "floor_peak_mem_mb": round(floor_rss / 2**20, 1),
            "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            **counts,  # type: ignore[dict-item]
        }
        print(json.dumps(result))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
