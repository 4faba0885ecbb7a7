"""Findings are data: every check yields them, reporters render them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from opsync.errors import ExitCode


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, order=True, kw_only=True)
class Finding:
    """One located problem. `line` and `col` are 1-based; 0 means "the whole file".
    Built with keywords only: seven fields of which four are strings invite mix-ups."""

    path: str
    line: int
    col: int
    rule: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def exit_code_for(findings: Iterable[Finding]) -> ExitCode:
    """Errors fail; warnings and notes alone pass."""
    return ExitCode.FINDINGS if any(f.severity is Severity.ERROR for f in findings) else ExitCode.OK


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.col, f.rule, f.message))
