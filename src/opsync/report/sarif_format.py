"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
"""

from __future__ import annotations

import hashlib
import importlib
import json
from typing import Any
from urllib.parse import quote

from opsync import __version__
from opsync.findings import Finding
from opsync.report.text_format import annotated_findings
from opsync.results import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def rule_summaries() -> dict[str, str]:
    """Rule id -> one-line summary from the rule registry, or nothing if it is absent."""
    try:
        registry = importlib.import_module("opsync.rules.registry")
    except ImportError:
        return {}
    # load_all() imports the modules that register checks; RULES alone holds only some.
    load_all = getattr(registry, "load_all", None)
    rules = load_all() if callable(load_all) else getattr(registry, "RULES", {})
    return {str(rule_id): str(getattr(rule, "summary", "")) for rule_id, rule in rules.items()}


def _descriptor(rule_id: str, summaries: dict[str, str]) -> dict[str, Any]:
    return {"id": rule_id, "shortDescription": {"text": summaries.get(rule_id) or rule_id}}


def _fingerprint(finding: Finding) -> str:
    # Without the line: a finding keeps its identity when lines above it move.
    key = "\0".join((finding.rule, finding.path, finding.message))
    return hashlib.sha256(key.encode()).hexdigest()


def _result(finding: Finding, index: int) -> dict[str, Any]:
    text = finding.message + (f" — fix: {finding.hint}" if finding.hint else "")
    physical: dict[str, Any] = {
        # A URI reference relative to the checkout: spaces, `%`, non-ASCII percent-encoded.
        "artifactLocation": {"uri": quote(finding.path, safe="/"), "uriBaseId": "%SRCROOT%"}
    }
    if finding.line:
        region = {"startLine": finding.line}
        if finding.col:
            region["startColumn"] = finding.col
        physical["region"] = region
    return {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": finding.severity.value,  # error / warning / note: same words as SARIF
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {"opsyncFinding/v1": _fingerprint(finding)},
    }


def to_log(report: Report) -> dict[str, Any]:
    findings = annotated_findings(report)
    rule_ids = sorted({f.rule for f in findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    summaries = rule_summaries() if rule_ids else {}
    run = {
        "tool": {
            "driver": {
                "name": "opsync",
                "version": __version__,
                "rules": [_descriptor(rule_id, summaries) for rule_id in rule_ids],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule]) for f in findings],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, *, color: bool = False) -> str:
    return json.dumps(to_log(report), indent=2, ensure_ascii=False) + "\n"
