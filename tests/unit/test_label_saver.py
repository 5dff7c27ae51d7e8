"""The background label saver: a failing callback is reported, and the writer lives on."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from annotator import store
from annotator.model import DocumentMeta, LabelFile, Span
from annotator.tui.saver import LabelSaver
from annotator.workspace import Workspace, init_workspace, make_document

# Fictional text written for this test.
TEXT = "晨星物流公司称，黑客窃取了约八千名客户的收货地址。"
ANNOTATOR = "saver"


def start(tmp_path: Path) -> tuple[Workspace, LabelFile]:
    workspace = init_workspace(tmp_path / "ws")
    document = make_document(TEXT, "report-1", DocumentMeta(title="晨星物流"))
    workspace.save_document(document)
    return workspace, LabelFile.new(document, ANNOTATOR)


def with_org(label_file: LabelFile) -> LabelFile:
    surface = "晨星物流公司"
    at = TEXT.index(surface)
    org = Span(start=at, end=at + len(surface), label="ORG", text=surface)
    return label_file.model_copy(update={"spans": (org,)})


def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Callbacks run just after `flush` returns (outside the saver's lock): wait for them."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def saved_spans(workspace: Workspace) -> list[str]:
    path = workspace.label_path(ANNOTATOR, "report-1")
    return [s.text for s in store.load_label_file(path).spans]


def test_a_failing_saved_callback_is_reported_and_the_writer_keeps_writing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    workspace, empty = start(tmp_path)
    errors: list[str] = []

    def broken(_saved: LabelFile) -> None:
        raise RuntimeError("the screen is gone")

    saver = LabelSaver(workspace, on_saved=broken, on_error=errors.append)
    with caplog.at_level(logging.ERROR, logger="annotator.tui.saver"):
        saver.submit(empty)
        assert saver.flush(5)
        assert eventually(lambda: len(errors) == 1)
        assert errors[0].startswith("saved, but")
        assert "RuntimeError: the screen is gone" in errors[0]
        assert saver.last_error is None  # the labels themselves are on disk
        assert "saved-callback failed" in caplog.text

        saver.submit(with_org(empty))  # the writer survived the callback
        assert saver.close(5)  # joins the thread: every callback has run
    assert saved_spans(workspace) == ["晨星物流公司"]
    assert len(errors) == 2 and errors[1].startswith("saved, but")


def test_a_failing_error_callback_is_logged_and_the_writer_keeps_writing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    workspace, empty = start(tmp_path)
    folder = workspace.annotator_dir(ANNOTATOR)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_bytes(b"")  # a file where the folder goes: every save fails

    def broken(_message: str) -> None:
        raise RuntimeError("the screen is gone")

    saver = LabelSaver(workspace, on_error=broken)
    with caplog.at_level(logging.ERROR, logger="annotator.tui.saver"):
        saver.submit(empty)
        assert saver.flush(5)
        assert saver.last_error is not None and saver.last_error.startswith("cannot save:")
        assert eventually(lambda: "error callback failed" in caplog.text)
        assert saver.last_error in caplog.text

        folder.unlink()
        saver.submit(with_org(empty))
        assert saver.close(5)
    assert saver.last_error is None
    assert saved_spans(workspace) == ["晨星物流公司"]
