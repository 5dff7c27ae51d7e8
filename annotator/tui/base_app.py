"""What the annotator app and the adjudication app share: help, quit, active time.

Both hold at most one open document screen (`annotate`) with its session;
subclasses say how to find and close it. A closed terminal (SIGHUP) or a
SIGTERM ends the app the way `q` does — saves flushed, cursor and active time
written, lock released — instead of killing it with an edit still queued.
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from rich.text import Text
from textual import events
from textual.app import App

from annotator.tui.screens.annotate import AnnotateScreen
from annotator.workspace import Workspace

KEYMAP_HINT = "$XDG_CONFIG_HOME/annotator/keymap.toml (default ~/.config/annotator/keymap.toml)"

QUIT_SIGNALS: tuple[signal.Signals, ...] = (
    () if sys.platform == "win32" else (signal.SIGHUP, signal.SIGTERM)
)
"""Signals that close the open document and end the app. Textual's Linux
driver handles SIGTSTP, SIGCONT and SIGWINCH itself and leaves these alone."""

PreviousHandler = Callable[[int, FrameType | None], Any] | int | None


def terminal_hung_up() -> bool:
    """True when the app's terminal is gone: a hung-up tty answers EIO (not ENOTTY)."""
    import termios  # POSIX only, like the signals that ask

    for stream in (sys.__stderr__, sys.__stdin__):  # Textual's output, then its input
        if stream is None:
            continue
        try:
            termios.tcgetattr(stream.fileno())
        except termios.error as exc:
            if exc.args[0] == errno.EIO:
                return True
            # ENOTTY and the like: not a terminal, so not a hung-up one either
        except (OSError, ValueError):  # no descriptor (closed, or a test's capture)
            continue
    return False


class SessionApp(App[None]):
    """An app with one open document session at a time."""

    workspace: Workspace

    @property
    def annotate(self) -> AnnotateScreen | None:
        raise NotImplementedError

    def close_document(self) -> None:
        raise NotImplementedError

    def action_help(self) -> None:
        """The guidelines and every active key, grouped by binding id."""
        from annotator.tui.screens.help import HelpScreen

        source = self.annotate or self.screen
        grouped: dict[tuple[str, str], list[str]] = {}
        for active in source.active_bindings.values():
            binding = active.binding
            group = (binding.id or "", binding.description or binding.action)
            grouped.setdefault(group, []).append(self.get_key_display(binding))
        rows = [
            (", ".join(dict.fromkeys(keys)), description, ident)
            for (ident, description), keys in grouped.items()
        ]
        rows.sort(key=lambda row: row[2])
        schema = self.annotate.session.schema if self.annotate else self.workspace.schema()
        self.push_screen(HelpScreen(schema, rows, KEYMAP_HINT))

    async def action_quit(self) -> None:
        """Close the document and exit; the first `q` after a failed save only warns."""
        screen = self.annotate
        if screen is not None and not screen.session.closed and not screen.may_quit():
            return
        self.close_document()
        self.exit(message=self._closing_problem(screen))

    # ---------------------------------------------------------------- signals

    _signal_loop: asyncio.AbstractEventLoop | None = None
    _previous_handlers: dict[signal.Signals, PreviousHandler]

    def on_mount(self) -> None:
        """Catch SIGHUP and SIGTERM on the app's own event loop while it runs.

        A loop signal handler runs as an ordinary callback between messages,
        so it may close the session and exit like the quit action does.
        Signals can only be caught on the main thread (the CLI; Pilot tests).
        """
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        self._previous_handlers = {}
        for signum in QUIT_SIGNALS:
            self._previous_handlers[signum] = signal.getsignal(signum)
            loop.add_signal_handler(signum, self.quit_on_signal, signum)
        self._signal_loop = loop

    def on_unmount(self) -> None:
        """Give the signals back to whatever handled them before the app started."""
        loop, self._signal_loop = self._signal_loop, None
        if loop is None:
            return
        for signum, previous in self._previous_handlers.items():
            loop.remove_signal_handler(signum)
            if previous is not None:
                signal.signal(signum, previous)

    def quit_on_signal(self, signum: int) -> None:
        """The terminal closed or the process was told to stop: close as `q` would, no question.

        A failed last save cannot wait for an answer here: closing writes the
        recovery copy, and the exit message says where.
        """
        screen = self.annotate
        try:
            self.close_document()
        finally:  # exit even if closing raised (asyncio reports the exception)
            if terminal_hung_up():
                # Nothing to restore and nowhere to say anything: Textual's
                # shutdown would write to the dead terminal, and its writer
                # thread can die on EIO and leave the shutdown waiting forever.
                os._exit(128 + signum)
            self.exit(return_code=128 + signum, message=self._closing_problem(screen))

    @staticmethod
    def _closing_problem(screen: AnnotateScreen | None) -> Text | None:
        """What the terminal shows after exit when the labels went to a recovery copy."""
        problem = screen.session.close_problem if screen is not None else None
        return Text(f"annotator: {problem}", style="bold red") if problem else None

    async def on_event(self, event: events.Event) -> None:
        """Keys and clicks are activity: they feed the open document's active timer."""
        if isinstance(event, events.Key | events.MouseDown):
            screen = self.annotate
            if screen is not None and not screen.session.closed:
                screen.session.timer.tick()
        await super().on_event(event)
