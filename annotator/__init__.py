"""annotator: keyboard-driven span labelling of Chinese data-breach news.

The package splits into a headless core (model, store, text, ingest, suggest,
export, quality) that never imports Textual, and two thin shells over it: the
CLI (`annotator.cli`) and the TUI (`annotator.tui`).
"""

__version__ = "0.1.0"
