"""What the annotator app and the adjudication app share: help, quit, active time.

Both hold at most one open document screen (`annotate`) with its session;
subclasses say how to find and close it.
"""

from __future__ import annotations

from textual import events
from textual.app import App

from annotator.tui.screens.annotate import AnnotateScreen
from annotator.workspace import Workspace

KEYMAP_HINT = "$XDG_CONFIG_HOME/annotator/keymap.toml (default ~/.config/annotator/keymap.toml)"


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
        self.close_document()
        self.exit()

    async def on_event(self, event: events.Event) -> None:
        """Keys and clicks are activity: they feed the open document's active timer."""
        if isinstance(event, events.Key | events.MouseDown):
            screen = self.annotate
            if screen is not None and not screen.session.closed:
                screen.session.timer.tick()
        await super().on_event(event)
