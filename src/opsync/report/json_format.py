"""A stable JSON document for scripts; its schema is docs/json-report.schema.json.

`version` changes only on breaking changes; new keys may be added within a version.
"""

from __future__ import annotations

import json
from typing import Any

from opsync.findings import sort_findings
from opsync.report.text_format import counts
from opsync.results import FeatureResult, Report

VERSION = 1


def feature_dict(feature: FeatureResult) -> dict[str, Any]:
    return {
        "feature": feature.feature,
        "title": feature.title,
        "status": feature.status,
        "path": feature.path,
        "passed": feature.passed,
        "gates": [
            {"gate": g.gate, "state": g.state.value, "message": g.message, "hint": g.hint}
            for g in feature.gates
        ],
    }


def to_document(report: Report) -> dict[str, Any]:
    c = counts(report.findings)
    return {
        "version": VERSION,
        "command": report.command,
        "result": report.result,
        "exit_code": int(report.exit_code),
        "enforcement": report.enforcement,
        "base": report.base,
        "head": report.head,
        "summary": {"errors": c.errors, "warnings": c.warnings, "notes": c.notes},
        "findings": [f.to_dict() for f in sort_findings(report.findings)],
        "features": [feature_dict(f) for f in report.features],
        "notes": list(report.notes),
        # Set when the run could not finish (result `error`); null otherwise.
        "error": ({"message": report.error, "hint": report.error_hint} if report.error else None),
    }


def render(report: Report, *, color: bool = False) -> str:
    # ensure_ascii=False: titles in any language stay readable; JSON is UTF-8 anyway.
    return json.dumps(to_document(report), indent=2, ensure_ascii=False) + "\n"
