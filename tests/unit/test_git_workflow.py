"""Two annotators' concurrent commits to one repository merge without conflict (real git)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from annotator.cli.app import app
from annotator.model import LabelFile, Span
from annotator.quality.assign import (
    assign,
    assignment_path,
    load_assignment,
    ranked_annotators,
)
from annotator.suggest.taught import add_entries, load_lexicon, read_entries
from annotator.workspace import Workspace, init_workspace, make_document

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

TEAM = ["alice", "bob"]


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )


def ok(repo: Path, *args: str) -> str:
    result = git(repo, *args)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stdout}{result.stderr}"
    return result.stdout


def init_repo(repo: Path) -> None:
    ok(repo, "init", "-q")
    ok(repo, "symbolic-ref", "HEAD", "refs/heads/main")  # `init -b` needs git >= 2.28


def commit_all(repo: Path, message: str) -> None:
    ok(repo, "add", "-A")
    ok(repo, "commit", "-q", "-m", message)


def add_docs(ws: Workspace, numbers: range) -> None:
    for n in numbers:
        ws.save_document(
            make_document(f"第{n}号样例：星河云公司泄露了{n}万条客户手机号。", f"d{n:03d}")
        )


def label(ws: Workspace, who: str, doc_id: str) -> None:
    doc = ws.load_document(doc_id)
    start = doc.text.index("星河云公司")
    span = Span(start=start, end=start + 5, label="ORG", text="星河云公司")
    ws.save_labels(LabelFile.new(doc, who).model_copy(update={"spans": (span,), "status": "done"}))


def test_concurrent_commits_merge_cleanly(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    ws = init_workspace(repo)
    init_repo(repo)
    add_docs(ws, range(1, 7))
    assign(ws, TEAM, overlap=0.5)
    add_entries(ws.lexicon_dir, "ORG", ["北辰银行", "星河云公司"])
    commit_all(repo, "base")

    # alice: imports two documents, assigns them, labels, teaches two names
    ok(repo, "checkout", "-q", "-b", "alice")
    add_docs(ws, range(7, 9))
    assign(ws)
    label(ws, "alice", "d001")
    add_entries(ws.lexicon_dir, "ORG", ["东方数据", "蓝海物流"])
    commit_all(repo, "alice's work")

    # bob, from the same base: two other documents, other labels, other names
    ok(repo, "checkout", "-q", "main")
    ok(repo, "checkout", "-q", "-b", "bob")
    add_docs(ws, range(9, 11))
    assign(ws)
    label(ws, "bob", "d002")
    add_entries(ws.lexicon_dir, "ORG", ["东海证券", "蓝天保险"])
    commit_all(repo, "bob's work")

    ok(repo, "checkout", "-q", "main")
    ok(repo, "merge", "-q", "alice")
    merged = git(repo, "merge", "--no-edit", "bob")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert ok(repo, "ls-files", "-u") == ""  # no unmerged paths
    assert ok(repo, "status", "--porcelain") == ""

    ws = Workspace(repo)
    assert (ws.lexicon_dir / "ORG.txt").is_file()
    entries = read_entries(ws.lexicon_dir / "ORG.txt")
    assert set(entries) == {
        "北辰银行",
        "星河云公司",
        "东方数据",
        "蓝海物流",
        "东海证券",
        "蓝天保险",
    }
    assert len(load_lexicon(ws.lexicon_dir)) == 6
    assert ws.load_labels("alice", "d001") is not None
    assert ws.load_labels("bob", "d002") is not None

    # both sides' assignments survive the merge, unchanged
    assignment = load_assignment(ws)
    assert assignment is not None
    assert sorted(assignment.docs) == ws.document_ids()
    for doc_id, names in assignment.docs.items():
        assert set(names) <= set(ranked_annotators(doc_id, TEAM)[: len(names)])
    # the next `assign` finds nothing new and writes the file back in canonical form
    again = assign(ws)
    assert again.added == ()
    assert dict(orjson.loads(assignment_path(ws).read_bytes())["docs"]) == {
        k: list(v) for k, v in assignment.docs.items()
    }
    result = CliRunner().invoke(app, ["validate", "--workspace", str(repo)])
    assert result.exit_code == 0, result.output


def test_without_union_merge_the_assignment_would_conflict(tmp_path: Path) -> None:
    """The `labels/.gitattributes` that `assign` writes is what keeps the merge clean."""
    repo = tmp_path / "repo"
    ws = init_workspace(repo)
    init_repo(repo)
    add_docs(ws, range(1, 4))
    assign(ws, TEAM)
    (ws.labels_dir / ".gitattributes").unlink()
    commit_all(repo, "base")
    ok(repo, "checkout", "-q", "-b", "alice")
    add_docs(ws, range(4, 5))
    assign(ws)
    (ws.labels_dir / ".gitattributes").unlink()
    commit_all(repo, "alice")
    ok(repo, "checkout", "-q", "main")
    add_docs(ws, range(5, 6))
    assign(ws)
    (ws.labels_dir / ".gitattributes").unlink()
    commit_all(repo, "main")
    assert git(repo, "merge", "--no-edit", "alice").returncode != 0
