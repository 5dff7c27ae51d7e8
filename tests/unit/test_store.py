"""The store: canonical label file bytes, careful reads, atomic writes, cross-process locks."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.errors import LockedError, StoreError
from annotator.model import LabelFile, RejectedSpan, Span, Suggestion
from annotator.store import (
    atomic_write_bytes,
    atomic_write_many,
    dumps_document,
    dumps_label_file,
    dumps_schema,
    load_label_file,
    parse_document,
    parse_label_file,
    read_bytes,
)
from annotator.workspace import default_schema, default_schema_bytes, init_workspace, make_document

# Random text: CJK, full-width punctuation, emoji (astral plane), ASCII, newlines.
TEXT_CHARS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from(list("，。、：；！？（）《》“”0123456789abcXYZ \n\t")),
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),
)
LABELS = st.sampled_from(["ORG", "PERSON", "NUMBER", "LEGAL_CHARGE", "DATA_TYPE"])


@st.composite
def label_files(draw: st.DrawFn) -> LabelFile:
    text = draw(st.text(TEXT_CHARS, min_size=1, max_size=60))

    def span_args() -> tuple[int, int, str, str]:
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        return start, end, draw(LABELS), text[start:end]

    spans = []
    for _ in range(draw(st.integers(0, 6))):
        start, end, label, surface = span_args()
        spans.append(
            Span(
                start=start,
                end=end,
                label=label,
                text=surface,
                source=draw(st.sampled_from(["manual", "import", "lexicon"])),
                uncertain=draw(st.booleans()),
                agreed_by=tuple(
                    draw(st.lists(st.sampled_from(["a", "b"]), max_size=2, unique=True))
                ),
            )
        )
    suggestions = []
    for _ in range(draw(st.integers(0, 3))):
        start, end, label, surface = span_args()
        score = draw(st.floats(0, 1, allow_nan=False)).__round__(4)
        suggestions.append(
            Suggestion(start=start, end=end, label=label, text=surface, source="rule", score=score)
        )
    rejected = []
    for _ in range(draw(st.integers(0, 2))):
        start, end, label, surface = span_args()
        rejected.append(RejectedSpan(start=start, end=end, label=label, text=surface))
    return LabelFile(
        doc_id=draw(st.from_regex(r"[a-z0-9][a-z0-9_\-]{0,10}", fullmatch=True)),
        text_sha256="0" * 64,
        annotator="ann",
        status=draw(st.sampled_from(["todo", "in_progress", "done", "skipped", "flagged"])),
        spans=tuple(spans),
        suggestions=tuple(suggestions),
        rejected=tuple(rejected),
        note=draw(st.text(TEXT_CHARS, max_size=20)),
        active_seconds=round(draw(st.floats(0, 1e6, allow_nan=False)), 1),
        cursor=draw(st.integers(0, 100)),
    )


@settings(max_examples=50, deadline=None)
@given(label_files())
def test_label_file_round_trip_is_byte_identical(label_file: LabelFile) -> None:
    data = dumps_label_file(label_file)
    parsed = parse_label_file(data, Path("x.json"))
    assert dumps_label_file(parsed) == data
    # Spans are written sorted, so the parsed file has the same spans in canonical order.
    assert sorted(parsed.spans, key=lambda s: s.key) == sorted(
        label_file.spans, key=lambda s: s.key
    )
    assert parsed.status == label_file.status and parsed.note == label_file.note
    # CJK and emoji are written as they are, never as \\u escapes (grep finds them).
    assert b"\\u" not in data.replace(b"\\\\", b"")


def test_stable_layout_one_span_per_line_fixed_key_order() -> None:
    text = "蓝鲸物流公司的员工李某"
    label_file = LabelFile(
        doc_id="d1",
        text_sha256="ab" * 32,
        annotator="ann",
        status="done",
        spans=(
            Span(start=9, end=11, label="PERSON", text=text[9:11], uncertain=True),
            Span(start=0, end=6, label="ORG", text=text[0:6]),
        ),
        suggestions=(
            Suggestion(start=6, end=8, label="ORG", text=text[6:8], source="rule", score=0.5),
        ),
        created_at="2026-01-01T00:00:00Z",
        updated_at="2026-01-02T00:00:00Z",
        active_seconds=12.34,
    )
    assert dumps_label_file(label_file).decode() == (
        "{\n"
        '  "doc_id": "d1",\n'
        f'  "text_sha256": "{"ab" * 32}",\n'
        '  "annotator": "ann",\n'
        '  "status": "done",\n'
        '  "spans": [\n'
        '    {"start":0,"end":6,"label":"ORG","text":"蓝鲸物流公司","source":"manual"},\n'
        '    {"start":9,"end":11,"label":"PERSON","text":"李某","source":"manual",'
        '"uncertain":true}\n'
        "  ],\n"
        '  "suggestions": [\n'
        '    {"start":6,"end":8,"label":"ORG","text":"的员","source":"rule","score":0.5}\n'
        "  ],\n"
        '  "rejected": [],\n'
        '  "note": "",\n'
        '  "created_at": "2026-01-01T00:00:00Z",\n'
        '  "updated_at": "2026-01-02T00:00:00Z",\n'
        '  "active_seconds": 12.3,\n'
        '  "cursor": 0\n'
        "}\n"
    )


def test_document_json_keeps_cjk_unescaped() -> None:
    document = make_document("星河银行泄露客户数据。", "d1")
    data = dumps_document(document)
    assert "星河银行".encode() in data and b"\\u" not in data
    assert parse_document(data, Path("d1.json")) == document


def test_schema_layout_matches_the_shipped_default() -> None:
    assert dumps_schema(default_schema()) == default_schema_bytes()


def test_broken_json_and_conflict_markers_are_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    with pytest.raises(StoreError, match=r"broken JSON: .* at line 1"):
        parse_label_file(b'{"doc_id": ', path)
    with pytest.raises(StoreError, match="git conflict markers"):
        parse_label_file(b'{\n<<<<<<< HEAD\n"a": 1\n=======\n"a": 2\n>>>>>>> b\n}', path)
    with pytest.raises(StoreError, match="invalid label file: doc_id: Field required"):
        parse_label_file(b'{"annotator": "a", "text_sha256": "x"}', path)


def test_read_bytes_refuses_files_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 2000)
    with pytest.raises(StoreError, match="over the 0 MB limit"):
        read_bytes(path, 1000)
    with pytest.raises(StoreError, match="file not found"):
        read_bytes(tmp_path / "missing.json", 1000)


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "f.json"
    atomic_write_bytes(path, b"one")
    atomic_write_bytes(path, b"two")
    assert path.read_bytes() == b"two"
    assert sorted(p.name for p in path.parent.iterdir()) == ["f.json"]


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_atomic_write_many_writes_exact_bytes_and_modes_like_one_by_one(tmp_path: Path) -> None:
    docs, labels = tmp_path / "documents", tmp_path / "labels" / "ann"  # labels/ann is created
    docs.mkdir()
    (docs / "d00.json").write_bytes(b"old")
    items = [(docs / f"d{n:02d}.json", f"文档{n}".encode() * (n + 1)) for n in range(30)]
    items += [(labels / f"d{n:02d}.json", f'{{"n": {n}}}\n'.encode()) for n in range(5)]
    items.append((labels / "d01.json", b"later wins"))
    atomic_write_many(iter(items), workers=4)
    expected = dict(items)
    for path, data in expected.items():
        assert path.read_bytes() == data
    assert _names(docs) == sorted(f"d{n:02d}.json" for n in range(30))  # no temp files
    assert _names(labels) == sorted(f"d{n:02d}.json" for n in range(5))
    reference = tmp_path / "reference.json"
    atomic_write_bytes(reference, b"x")
    modes = {path.stat().st_mode for path in expected}
    assert modes == {reference.stat().st_mode}  # 0666 & ~umask, not mkstemp's 0600
    atomic_write_many([])
    atomic_write_many([(docs / "single.json", b"one")])
    assert (docs / "single.json").read_bytes() == b"one"


def test_atomic_write_many_leaves_no_temp_file_when_a_folder_cannot_be_made(
    tmp_path: Path,
) -> None:
    good = tmp_path / "good"
    good.mkdir()
    (tmp_path / "plain").write_bytes(b"a file, not a folder")
    items = [(good / f"{n}.json", b"data") for n in range(10)]
    items.insert(5, (tmp_path / "plain" / "x.json", b"data"))
    with pytest.raises(OSError):
        atomic_write_many(items)
    assert _names(good) == []
    assert (tmp_path / "plain").read_bytes() == b"a file, not a folder"


def test_atomic_write_many_failing_after_some_renames_keeps_them_and_no_temp_file(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "documents"
    (folder / "c.json").mkdir(parents=True)  # a folder squats the third target: rename fails
    for name in ("a.json", "d.json"):
        (folder / name).write_bytes(b"old " + name.encode())
    items = [(folder / name, b"new " + name.encode()) for name in ("a.json", "b.json")]
    items += [(folder / "c.json", b"new c"), (folder / "d.json", b"new d.json")]
    with pytest.raises(IsADirectoryError):
        atomic_write_many(items)
    assert (folder / "a.json").read_bytes() == b"new a.json"  # renamed before the failure
    assert (folder / "b.json").read_bytes() == b"new b.json"
    assert (folder / "c.json").is_dir()
    assert (folder / "d.json").read_bytes() == b"old d.json"  # never half-written
    assert _names(folder) == ["a.json", "b.json", "c.json", "d.json"]


HOLDER = """
import sys, time
from pathlib import Path
from annotator.workspace import Workspace
lock = Workspace(Path(sys.argv[1])).lock_labels("ann", "d1")
lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_second_writer_waits_then_fails_while_another_process_holds_the_lock(
    tmp_path: Path,
) -> None:
    ws = init_workspace(tmp_path / "ws")
    document = make_document("星河银行泄露客户数据。", "d1")
    ws.save_document(document)
    label_file = LabelFile.new(document, "ann")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(ws.root)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        began = time.monotonic()
        with pytest.raises(LockedError) as caught:
            ws.save_labels(label_file, timeout=0.5)
        assert time.monotonic() - began >= 0.45  # it waited before giving up
        assert "label file is being edited by another session" in caught.value.render()
        assert "labels/ann/d1.json" in caught.value.render()
        assert not ws.label_path("ann", "d1").exists()  # nothing was written
    finally:
        holder.kill()
        holder.wait()
    # The lock dies with its holder: the next save goes through.
    ws.save_labels(label_file, timeout=5)
    assert load_label_file(ws.label_path("ann", "d1")).doc_id == "d1"


def test_label_file_json_is_plain_json(tmp_path: Path) -> None:
    label_file = LabelFile(doc_id="d", text_sha256="0" * 64, annotator="a")
    raw = orjson.loads(dumps_label_file(label_file))
    assert list(raw)[:5] == ["doc_id", "text_sha256", "annotator", "status", "spans"]
