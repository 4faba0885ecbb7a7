"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
GitHub's ingestion rules (checked in tests with the SARIF Multitool, `--rule-kind Gh;Sarif`):
every rule has a full description, help text and Markdown, a help URI and a default
level; every result a region with start and end, and fingerprints that survive moved
lines. `automationDetails.id` is the code scanning category, one per opsync command.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from typing import Any
from urllib.parse import quote

from opsync import ACTION_REPO, __version__
from opsync.findings import Finding, Severity
from opsync.report.text_format import annotated_findings
from opsync.results import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = f"https://github.com/{ACTION_REPO}"
_RANK = {Severity.NOTE: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def rules_doc_uri(rule_id: str) -> str:
    """The rule's anchor in docs/rules.md, for this release (generated from the registry)."""
    return f"{INFORMATION_URI}/blob/v{__version__}/docs/rules.md#{quote(rule_id, safe='')}"


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


def _friendly_name(rule_id: str) -> str:
    """`ops-signoff` -> `OpsSignoff`: SARIF's Pascal-case rule name."""
    return "".join(part[:1].upper() + part[1:] for part in rule_id.replace("_", "-").split("-"))


def _descriptor(rule_id: str, summaries: dict[str, str], level: Severity) -> dict[str, Any]:
    summary = summaries.get(rule_id) or rule_id
    uri = rules_doc_uri(rule_id)
    full = f"{summary} Each finding says where, and its message ends with the fix."
    descriptor: dict[str, Any] = {"id": rule_id}
    name = _friendly_name(rule_id)
    if name.casefold() != rule_id.casefold():  # SARIF: a name equal to the id is omitted
        descriptor["name"] = name
    return descriptor | {
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full},
        "help": {
            "text": f"{summary} Rule `{rule_id}` of opsync: {uri}",
            "markdown": f"{summary}\n\nSee [`{rule_id}` in the opsync rules]({uri}).",
        },
        "helpUri": uri,
        "defaultConfiguration": {"level": level.value},
    }


def _fingerprint(finding: Finding) -> str:
    # Without the line: a finding keeps its identity when lines above it move.
    key = "\0".join((finding.rule, finding.path, finding.message))
    return hashlib.sha256(key.encode()).hexdigest()


def _region(finding: Finding) -> dict[str, int]:
    """Start and end, always: a known column is one character wide; a whole-file
    finding points at the file's first character (GitHub needs a line to show it)."""
    line = finding.line or 1
    col = finding.col or 1
    return {"startLine": line, "startColumn": col, "endLine": line, "endColumn": col + 1}


def _result(finding: Finding, index: int) -> dict[str, Any]:
    text = finding.message + (f" — fix: {finding.hint}" if finding.hint else "")
    physical: dict[str, Any] = {
        # A URI reference relative to the checkout: spaces, `%`, non-ASCII percent-encoded.
        "artifactLocation": {"uri": quote(finding.path, safe="/"), "uriBaseId": "%SRCROOT%"},
        "region": _region(finding),
    }
    return {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": finding.severity.value,  # error / warning / note: same words as SARIF
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {"opsyncFinding/v1": _fingerprint(finding)},
    }


def _invocation(report: Report) -> dict[str, Any]:
    """Whether the run finished; when it did not (exit 2/3), why, as a notification."""
    invocation: dict[str, Any] = {"executionSuccessful": not report.error}
    if report.error:
        text = report.error + (f" — fix: {report.error_hint}" if report.error_hint else "")
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": text}, "descriptor": {"id": "opsync-error"}}
        ]
    return invocation


def to_log(report: Report) -> dict[str, Any]:
    findings = annotated_findings(report)
    levels: dict[str, Severity] = {}
    for finding in findings:  # a rule's default level: the worst it reported here
        seen = levels.get(finding.rule)
        if seen is None or _RANK[finding.severity] > _RANK[seen]:
            levels[finding.rule] = finding.severity
    rule_ids = sorted(levels)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    summaries = rule_summaries() if rule_ids else {}
    run = {
        "tool": {
            "driver": {
                "name": "opsync",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(r, summaries, levels[r]) for r in rule_ids],
            }
        },
        # The code scanning category: one per command, so check and validate uploads
        # do not close each other's alerts.
        "automationDetails": {"id": f"opsync/{report.command.replace(' ', '-')}/"},
        "invocations": [_invocation(report)],
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule]) for f in findings],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, *, color: bool = False) -> str:
    return json.dumps(to_log(report), indent=2, ensure_ascii=False) + "\n"
