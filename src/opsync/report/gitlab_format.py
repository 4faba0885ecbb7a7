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


ERROR_PATH = "opsync.yml"  # GitLab needs a file for every issue; the policy is the root


def render(report: Report, *, color: bool = False) -> str:
    issues = [issue(f) for f in annotated_findings(report)]
    if report.error:
        # A run that could not finish is one blocking issue, never an empty (clean) list.
        stopped = Finding(
            path=ERROR_PATH,
            line=0,
            col=0,
            rule="opsync-error",
            message=report.error,
            hint=report.error_hint,
        )
        issues.append({**issue(stopped), "severity": "blocker"})
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
