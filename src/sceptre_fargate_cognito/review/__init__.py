"""Review of a change before it is launched: the `diff-report` command (Markdown from `sceptre diff`)."""
