"""Command-line shell over the core: thin verbs, one module per verb group."""

from __future__ import annotations


def main() -> None:
    from annotator.cli.app import main as run

    run()
