"""What commands hand to reporters: findings plus, for the gate, a table per feature."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from opsync.errors import ExitCode
from opsync.findings import Finding


class Gate(StrEnum):
    """The gates of docs/gates.md, in the order reports show them."""

    SHARED_METRIC = "shared-metric"
    OPS_INVOLVEMENT = "ops-involvement"
    WEEK_ALIGNMENT = "week-alignment"
    LAUNCH_MATERIALS = "launch-materials"
    CO_VALIDATION = "co-validation"
    EXPECTED_EFFECT = "expected-effect"
    OPS_SIGNOFF = "ops-signoff"  # last: the sign-off covers everything above


class GateState(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    STALE = "stale"  # an approval exists but for other content
    WARN = "warn"  # passes with a warning (e.g. an old week)
    SKIP = "skip"  # does not apply at this status
    UNVERIFIED = "unverified"  # evidence could not be checked


@dataclass(frozen=True)
class GateResult:
    gate: Gate
    state: GateState
    message: str  # what was found, one line
    hint: str = ""  # what to do, when not passing


@dataclass(frozen=True)
class FeatureResult:
    feature: str  # id
    title: str
    status: str
    path: str  # the spec, repo-relative
    gates: tuple[GateResult, ...]

    @property
    def passed(self) -> bool:
        return all(g.state in (GateState.PASS, GateState.WARN, GateState.SKIP) for g in self.gates)


@dataclass(frozen=True, kw_only=True)
class Report:
    command: str  # "validate", "check", "status", ...
    findings: tuple[Finding, ...]
    exit_code: ExitCode
    features: tuple[FeatureResult, ...] = ()
    enforcement: str = "blocking"  # "advisory": findings reported, exit 0
    base: str = ""  # commit ids, for check
    head: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)  # extra lines for summaries
    lang: str = "en"  # the team's language (policy `lang`), for people-facing summaries
    error: str = ""  # why the run could not finish (exit 2/3); every format says it
    error_hint: str = ""  # what to do about it

    @property
    def result(self) -> str:
        """`pass`, `fail`, or `error` (exit 2/3): the Action's `result` output."""
        if self.exit_code is ExitCode.OK:
            return "pass"
        if self.exit_code is ExitCode.FINDINGS:
            return "fail"
        return "error"


def error_report(command: str, exit_code: ExitCode, message: str, hint: str | None) -> Report:
    """The document a run that stopped (exit 2 or 3) still writes, in every format."""
    return Report(
        command=command, findings=(), exit_code=exit_code, error=message, error_hint=hint or ""
    )
