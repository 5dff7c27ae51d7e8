"""normalize -> import -> read never alters a text."""

from __future__ import annotations

import itertools

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.importer import import_paths
from annotator.text.normalize import normalize_text, text_sha256
from annotator.workspace import Workspace, init_workspace

# Plain-text files keep what they hold; markup characters are left out of the
# .txt case because markup is meant to be converted.
PLAIN = st.text(
    st.sampled_from(list("白鹭银行约八千名客户，。、“”（）％abcXYZ0129 \t\n\u3000é")),
    min_size=1,
    max_size=80,
)
_names = itertools.count()


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """One workspace for all examples: documents are named by their text hash."""
    return init_workspace(tmp_path_factory.mktemp("roundtrip") / "ws")


@settings(max_examples=50, deadline=None)
@given(text=st.text(min_size=1, max_size=80))
def test_jsonl_text_is_stored_exactly_normalized(ws: Workspace, text: str) -> None:
    normalized = normalize_text(text)
    rows = ws.root.parent / f"rows-{next(_names)}.jsonl"
    rows.write_bytes(orjson.dumps({"text": text}) + b"\n")
    report = import_paths(ws, [rows])
    if not normalized.strip():
        assert not report.ok and "no text" in report.problems[0].message
        return
    assert report.ok, [p.render() for p in report.problems]
    document = ws.load_document(f"doc-{text_sha256(normalized)[:12]}")
    assert document.text == normalized
    assert document.sha256 == text_sha256(normalized)
    again = import_paths(ws, [rows])
    assert again.ok and again.added == [] and again.unchanged == [document.id]


# Legacy encodings are left out: a random salad of characters has no words to
# tell GBK from Big5 by (test_ingest_decode covers them with real sentences).
@settings(max_examples=50, deadline=None)
@given(text=PLAIN, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be"]))
def test_plain_text_file_is_stored_as_written(ws: Workspace, text: str, encoding: str) -> None:
    normalized = normalize_text(text)
    path = ws.root.parent / f"a{next(_names)}.txt"
    bom = b"\xfe\xff" if encoding == "utf-16-be" else b""
    path.write_bytes(bom + normalized.encode(encoding))
    report = import_paths(ws, [path])
    if not normalized.strip():
        assert not report.ok
        return
    assert report.ok, [p.render() for p in report.problems]
    stored = report.added or report.unchanged or [stored for _, stored in report.reused]
    assert ws.load_document(stored[0]).text == normalized
