"""Lint rules: small registered units with an id, a one-line summary and a check."""
