"""JSON Schemas (Draft 2020-12) of every file kind: loaded from package data, checked
against the metaschema once, compiled once per process."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from opsync.resources import data_dir

KINDS: dict[str, str] = {
    "policy": "policy.schema.json",
    "metrics": "metrics.schema.json",
    "week": "week.schema.json",
    "feature": "feature.schema.json",
    "approval": "approval.schema.json",
}


@dataclass(frozen=True)
class SchemaIssue:
    path: tuple[str | int, ...]  # where in the document
    message: str


@cache
def schema_text(kind: str) -> str:
    return (data_dir("schemas") / KINDS[kind]).read_text(encoding="utf-8")


@cache
def _validator(kind: str) -> Any:
    from jsonschema import Draft202012Validator  # heavy: only when validating

    schema = json.loads(schema_text(kind))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_issues(kind: str, data: Any) -> list[SchemaIssue]:
    validator = _validator(kind)
    if validator.is_valid(data):  # fast path: most files are valid
        return []
    issues = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        issues.append(SchemaIssue(tuple(error.absolute_path), _humanize(error)))
    return issues


def _humanize(error: Any) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "the document"
    if error.validator == "required":
        return f"{where}: {error.message.replace(' is a required property', '')} is required"
    if error.validator in ("oneOf", "anyOf") and isinstance(error.schema, dict):
        # The schemas describe each alternative in words that name the fix.
        described = error.schema.get("description")
        if described:
            return f"{where}: {described}"
    return f"{where}: {error.message}"
