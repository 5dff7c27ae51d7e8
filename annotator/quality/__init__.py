"""Quality: evaluation against gold, inter-annotator agreement, merging, assignment.

Everything here is headless and pure where it can be: the CLI verbs in
`annotator.cli.quality_cmds` are thin calls into these modules.
"""
