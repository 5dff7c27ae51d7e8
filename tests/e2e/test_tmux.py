"""End to end: the real `annotator` command in a real terminal (tmux), keys in, file out."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from annotator import navigation, store
from annotator.model import DocumentMeta
from annotator.tui.session import DocumentSession
from annotator.workspace import Workspace, init_workspace, make_document

pytestmark = pytest.mark.e2e

# Fictional text written for this test.
TEXT = (
    "据本报记者了解，星河数据科技有限公司近日发生数据泄露事件，约120万条用户手机号码被非法出售。\n"
    "警方表示，犯罪嫌疑人王某已因涉嫌侵犯公民个人信息罪被刑事拘留。"
)
WIDTH, HEIGHT = 100, 30


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Callable[..., str]]:
    if shutil.which("tmux") is None:
        pytest.skip(
            "tmux is not installed: this test drives the real command in tmux (CI installs it)"
        )
    socket = f"annotator-e2e-{os.getpid()}-{tmp_path.name}"

    def run(*args: str) -> str:
        result = subprocess.run(
            ["tmux", "-u", "-L", socket, *args],
            check=True,
            capture_output=True,
            text=True,
            timeout=20,
        )
        return result.stdout

    yield run
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=20)


def workers_done(screen: str) -> bool:
    """jieba's word boundaries and the suggestions have arrived (the status line says so)."""
    return (
        "loading word boundaries" not in screen
        and "suggestions" in screen
        and "computing suggestions" not in screen
    )


def wait_for(
    capture: Callable[[], str], predicate: Callable[[str], bool], timeout: float = 30.0
) -> str:
    deadline = time.monotonic() + timeout
    screen = capture()
    while not predicate(screen):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out; the screen shows:\n{screen}")
        time.sleep(0.2)
        screen = capture()
    return screen


def annotator_command(workspace: Workspace, tmp_path: Path, *, exec_: bool = False) -> str:
    """The shell line that runs `annotator` on report-1 in the pane.

    With `exec_` the pane's process is annotator itself (its pid is
    `#{pane_pid}`) and the pane closes when it ends; without, a shell runs it
    and keeps the pane (and its last screen) for 30 s.
    """
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    return " ".join(
        [
            *(["exec"] if exec_ else []),
            "env",
            *(shlex.quote(f"{k}={v}") for k, v in env.items()),
            shlex.quote(sys.executable),
            "-m annotator --annotator e2e --workspace",  # no subcommand: the TUI
            shlex.quote(str(workspace.root)),
            "--doc report-1",
            *([] if exec_ else ["; sleep 30"]),
        ]
    )


def test_label_a_span_in_a_real_terminal(tmux: Callable[..., str], tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws")
    workspace.save_document(make_document(TEXT, "report-1", DocumentMeta(title="星河数据泄露")))
    command = annotator_command(workspace, tmp_path)
    tmux("new-session", "-d", "-s", "main", "-x", str(WIDTH), "-y", str(HEIGHT), command)
    tmux("resize-window", "-t", "main", "-x", str(WIDTH), "-y", str(HEIGHT))

    def capture() -> str:
        return tmux("capture-pane", "-p", "-t", "main")

    def text_column(screen: str) -> str:
        """The document view's column (left of the span list), soft-wrapped rows joined."""
        rows = [line.split("\u258f")[0].strip() for line in screen.splitlines()[1:]]
        return "".join(rows)

    paragraphs = TEXT.split("\n")
    wait_for(capture, lambda s: all(p in text_column(s) for p in paragraphs))
    # keys work at once, but wait for jieba's word boundaries so "王某" is one token
    # (the suggestions outcome shows only after jieba loaded; a first frame may be half drawn)
    wait_for(capture, workers_done, timeout=60)

    tmux("send-keys", "-t", "main", "/")
    wait_for(capture, lambda s: "find text" in s)
    tmux("send-keys", "-t", "main", "-l", "王某")
    tmux("send-keys", "-t", "main", "Enter")
    wait_for(capture, lambda s: "1/1" in s)
    tmux("send-keys", "-t", "main", "Escape")
    wait_for(capture, lambda s: "1/1" not in s)  # the search bar closed
    tmux("send-keys", "-t", "main", "2")
    wait_for(capture, lambda s: "1 spans" in s and "PERSON" in s.split("\u258f", 1)[-1])
    tmux("send-keys", "-t", "main", "q")

    label_path = workspace.label_path("e2e", "report-1")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if label_path.exists() and any(
            s.text == "王某" for s in store.load_label_file(label_path).spans
        ):
            break
        time.sleep(0.2)
    saved = store.load_label_file(label_path)
    assert [(s.text, s.label) for s in saved.spans] == [("王某", "PERSON")]
    assert saved.spans[0].start == TEXT.index("王某")


def ended(pid: int) -> bool:
    """The process is gone, or a zombie nobody reaped yet (it runs no more code)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    if not Path("/proc/self").exists():  # no procfs: only a reaped process counts
        return False
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def close_terminal(tmux: Callable[..., str], _pid: int) -> None:
    tmux("kill-server")  # the pane's terminal hangs up: the kernel sends SIGHUP


CLOSERS: dict[str, Callable[[Callable[..., str], int], None]] = {
    "terminal closed": close_terminal,
    "SIGHUP, terminal still open": lambda _tmux, pid: os.kill(pid, signal.SIGHUP),
    "SIGTERM": lambda _tmux, pid: os.kill(pid, signal.SIGTERM),
}


@pytest.mark.parametrize("how", list(CLOSERS))
def test_a_closed_terminal_or_a_signal_saves_and_unlocks(
    tmux: Callable[..., str], tmp_path: Path, how: str
) -> None:
    """Label, move the cursor (only closing writes it), then end the process from outside."""
    workspace = init_workspace(tmp_path / "ws")
    workspace.save_document(make_document(TEXT, "report-1", DocumentMeta(title="星河数据泄露")))
    command = annotator_command(workspace, tmp_path, exec_=True)
    tmux("new-session", "-d", "-s", "main", "-x", str(WIDTH), "-y", str(HEIGHT), command)
    tmux("resize-window", "-t", "main", "-x", str(WIDTH), "-y", str(HEIGHT))
    pid = int(tmux("display", "-p", "-t", "main", "#{pane_pid}").strip())
    if Path(f"/proc/{pid}/cmdline").exists():
        assert b"annotator" in Path(f"/proc/{pid}/cmdline").read_bytes()  # not a shell

    def capture() -> str:
        return tmux("capture-pane", "-p", "-t", "main")

    def find(text: str) -> None:
        tmux("send-keys", "-t", "main", "/")
        tmux("send-keys", "-t", "main", "BSpace", "BSpace")  # the last query is kept
        wait_for(capture, lambda s: "find text" in s)
        tmux("send-keys", "-t", "main", "-l", text)
        tmux("send-keys", "-t", "main", "Enter")
        wait_for(capture, lambda s: "1/1" in s)
        tmux("send-keys", "-t", "main", "Escape")
        wait_for(capture, lambda s: "1/1" not in s)

    wait_for(capture, workers_done, timeout=60)
    find("王某")
    tmux("send-keys", "-t", "main", "2")
    wait_for(capture, lambda s: "1 spans" in s)
    find("警方")  # moves the cursor; nothing is saved for a cursor move alone

    CLOSERS[how](tmux, pid)
    deadline = time.monotonic() + 20
    while not ended(pid):
        assert time.monotonic() < deadline, f"annotator still running after {how}"
        time.sleep(0.05)

    cursor = TEXT.index("警方")
    saved = store.load_label_file(workspace.label_path("e2e", "report-1"))
    assert [(s.text, s.label) for s in saved.spans] == [("王某", "PERSON")]
    assert saved.cursor == cursor
    assert navigation.last_document(workspace, "e2e") == ("report-1", cursor)
    session = DocumentSession(workspace, "e2e", "report-1")  # no lock left behind
    try:
        assert not session.read_only, session.problems
    finally:
        session.close()
