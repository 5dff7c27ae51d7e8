"""The user keymap: `binding_id = "keys"` lines in a TOML file, fed to `App.set_keymap`."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path


def keymap_path() -> Path:
    """`$XDG_CONFIG_HOME/annotator/keymap.toml`, defaulting to `~/.config/...`."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "annotator" / "keymap.toml"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """({binding_id: keys}, problems). A missing file is an empty keymap, not an error.

    Nested tables flatten with dots, so `[label] ORG = "f1"` means `label.ORG`.
    """
    path = path or keymap_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"{path}: keymap ignored: {exc}"]
    keymap: dict[str, str] = {}
    problems: list[str] = []

    def walk(table: dict[str, object], prefix: str) -> None:
        for key, value in table.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(value, name + ".")
            elif isinstance(value, str) and value.strip():
                keymap[name] = ",".join(part.strip() for part in value.split(","))
            elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                keymap[name] = ",".join(v.strip() for v in value)
            else:
                problems.append(f'{path}: {name}: expected a key string like "ctrl+k"')

    walk(data, "")
    return keymap, problems
