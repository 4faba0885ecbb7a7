"""GitLab Code Quality report (a Code Climate subset): a JSON array of issues.

Docs: https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
GitLab compares fingerprints between the source and target branch to show new and
resolved issues, so a fingerprint must depend on the finding only.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from opsync.findings import Finding, Severity
from opsync.report.text_format import annotated_findings
from opsync.results import Report

SEVERITIES: dict[Severity, str] = {
    Severity.ERROR: "major",
    Severity.WARNING: "minor",
    Severity.NOTE: "info",
}


def fingerprint(finding: Finding) -> str:
    """sha256 over rule, path, line and message: stable across runs and machines."""
    key = "\0".join((finding.rule, finding.path, str(finding.line), finding.message))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue(finding: Finding) -> dict[str, Any]:
    description = finding.message + (f" — fix: {finding.hint}" if finding.hint else "")
    return {
        "description": description,
        "check_name": finding.rule,
        "fingerprint": fingerprint(finding),
        "severity": SEVERITIES[finding.severity],
        # GitLab requires a line; a whole-file finding points at line 1.
        "location": {"path": finding.path, "lines": {"begin": max(finding.line, 1)}},
    }


def render(report: Report, *, color: bool = False) -> str:
    issues = [issue(f) for f in annotated_findings(report)]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def render_error(message: str) -> str:
    """On exit 2/3 the artifact is still a valid report: one blocker saying the run could
    not finish, so the widget shows it instead of failing to parse an empty file."""
    issues = [
        {
            "description": f"opsync could not complete: {message}",
            "check_name": "opsync-error",
            "fingerprint": hashlib.sha256(b"opsync-error\0" + message.encode()).hexdigest(),
            "severity": "blocker",
            "location": {"path": "opsync.yml", "lines": {"begin": 1}},
        }
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
