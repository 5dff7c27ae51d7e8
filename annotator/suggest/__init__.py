"""Pre-annotation: fast character-level rules, lexicons and taught spans.

`annotator.suggest.engine.suggest_document` is the one entry point the CLI and
the TUI call; everything else here serves it.
"""
