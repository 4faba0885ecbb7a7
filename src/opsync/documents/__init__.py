"""Parsing of opsync's files: safe YAML with positions, and Markdown with front matter."""
