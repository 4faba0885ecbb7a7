"""The gates of docs/gates.md (expected-effect: docs/impact.md), evaluated for one feature
at the PR head.

Each gate yields a GateResult for the table and, when it does not pass, a located
Finding whose rule id is the gate's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from opsync.documents.located import finding_at
from opsync.evidence.tally import Tally
from opsync.findings import Finding, Severity
from opsync.results import FeatureResult, Gate, GateResult, GateState
from opsync.workspace.model import Feature, Workspace
from opsync.workspace.policy import GATES, STATUSES
from opsync.workspace.source import Kind, normalize

Keys = list[str | int]

# A gate that fails for a reason a lint rule already reported points at the rule's
# finding instead of adding a second one for the same problem on the same line.
SAME_PROBLEM: dict[str, frozenset[str]] = {
    Gate.SHARED_METRIC: frozenset({"feature-metric"}),
    Gate.WEEK_ALIGNMENT: frozenset({"feature-week"}),
    Gate.LAUNCH_MATERIALS: frozenset({"feature-material-path"}),
}


@dataclass(frozen=True)
class Outcome:
    result: GateResult
    keys: Keys  # where in the spec the finding points


@dataclass(frozen=True)
class MaterialProblem:
    keys: Keys  # where in the spec
    message: str  # what is wrong


@dataclass(frozen=True)
class MaterialState:
    ok: bool
    problems: tuple[MaterialProblem, ...]
    real_files: int


def _outcome(
    gate: Gate, ok: bool, message: str, hint: str, keys: Keys, warn: bool = False
) -> Outcome:
    state = GateState.PASS if ok else GateState.FAIL
    if ok and warn:
        state = GateState.WARN
    return Outcome(GateResult(gate, state, message, "" if ok and not warn else hint), keys)


def shared_metric(feature: Feature, ws: Workspace) -> Outcome:
    name = feature.meta.get("metric")
    registry = ws.registry
    keys: Keys = ["metric"]
    if registry is None:
        return _outcome(
            Gate.SHARED_METRIC,
            False,
            "the metric registry is missing or invalid",
            "fix opsync/metrics.yml (`opsync validate`)",
            keys,
        )
    if name not in registry.metrics:
        return _outcome(
            Gate.SHARED_METRIC,
            False,
            f"metric '{name}' is not in the registry",
            "name a key metric from opsync/metrics.yml, or one feeding it",
            keys,
        )
    if name not in registry.aligned:
        return _outcome(
            Gate.SHARED_METRIC,
            False,
            f"no aligned metric: '{name}' is not a key metric and feeds none",
            "link the feature to a key metric or one whose formula feeds it",
            keys,
        )
    return _outcome(Gate.SHARED_METRIC, True, f"aligned metric '{name}'", "", keys)


def ops_involvement(feature: Feature, ws: Workspace) -> Outcome:
    ops = feature.owners.get("ops")
    if not ops or not ws.policy.has_role(ops, "ops"):
        return _outcome(
            Gate.OPS_INVOLVEMENT,
            False,
            f"ops owner '{ops}' is not on the ops roster" if ops else "no ops owner",
            "set owners.ops to a login from roles.ops",
            ["owners", "ops"],
        )
    if feature.status in STATUSES and STATUSES.index(feature.status) >= STATUSES.index("design"):
        section = feature.doc.sections.get("ops-insight")
        if section is None or section.is_empty:
            return _outcome(
                Gate.OPS_INVOLVEMENT,
                False,
                f"from `design` on the ops-insight section must say what ops "
                f"learned (status: {feature.status})",
                "write the ops insight under `## Ops insight`",
                ["status"],
            )
    return _outcome(Gate.OPS_INVOLVEMENT, True, f"ops owner {ops}", "", ["owners", "ops"])


def week_alignment(feature: Feature, ws: Workspace, today: date) -> Outcome:
    from opsync.isoweek import current_week, parse_week, weeks_between

    week = feature.meta.get("week")
    if not week:
        return _outcome(
            Gate.WEEK_ALIGNMENT,
            False,
            "the spec names no week",
            "add `week: <ISO week>` naming the week doc that planned it",
            ["id"],
        )
    try:
        parse_week(week)
    except ValueError as exc:  # `2025-W53` (no such week), `0000-W01`: a finding, not a crash
        return _outcome(
            Gate.WEEK_ALIGNMENT,
            False,
            str(exc),
            "name an existing ISO week, e.g. `week: 2026-W48`",
            ["week"],
        )
    if not ws.week_exists(week):
        return _outcome(
            Gate.WEEK_ALIGNMENT,
            False,
            f"week doc {ws.policy.paths.week_path(week)} does not exist",
            f"create it with `opsync new week --week {week}`",
            ["week"],
        )
    age = weeks_between(week, current_week(today))
    if age > ws.policy.stale_week_after:
        return _outcome(
            Gate.WEEK_ALIGNMENT,
            True,
            f"week {week} is {age} weeks old",
            "re-align in a recent week doc and update `week`",
            ["week"],
            warn=True,
        )
    return _outcome(Gate.WEEK_ALIGNMENT, True, f"planned in {week}", "", ["week"])


def materials(feature: Feature, ws: Workspace) -> MaterialState:
    problems: list[MaterialProblem] = []
    real = 0
    for index, item in enumerate(feature.materials):
        keys: Keys = ["launch_materials", index]
        kind_name = item.get("kind", f"#{index + 1}")
        if "na" in item:
            continue
        raw = item.get("path", "")
        path = normalize(raw)
        if path is None:
            problems.append(
                MaterialProblem(keys, f"{kind_name}: '{raw}' is absolute or outside the repo")
            )
            continue
        kind = ws.source.kind(path)
        if kind is Kind.MISSING:
            problems.append(MaterialProblem(keys, f"{kind_name}: {path} is missing"))
        elif kind is not Kind.FILE:  # never read: a link could point at /etc/passwd
            problems.append(
                MaterialProblem(keys, f"{kind_name}: {path} is a {kind.value}, not a file")
            )
        elif ws.source.size(path) == 0:
            problems.append(MaterialProblem(keys, f"{kind_name}: {path} is empty"))
        else:
            real += 1
    if feature.user_facing and real == 0 and not problems:
        problems.append(
            MaterialProblem(
                ["launch_materials"],
                "a user-facing feature needs at least one launch material file",
            )
        )
    return MaterialState(not problems, tuple(problems), real)


def launch_materials(feature: Feature, state: MaterialState) -> Outcome:
    if state.ok:
        return _outcome(
            Gate.LAUNCH_MATERIALS,
            True,
            f"{state.real_files} material file(s) present",
            "",
            ["launch_materials"],
        )
    return _outcome(
        Gate.LAUNCH_MATERIALS,
        False,
        "; ".join(p.message for p in state.problems),
        "commit each material as a regular file inside the repo, or mark it `na: <reason>`",
        state.problems[0].keys,
    )


def co_validation(feature: Feature, state: MaterialState) -> Outcome:
    section = feature.doc.sections.get("functional-validation")
    later = {
        str(s.get("item", "")).casefold()
        for s in feature.meta.get("scope") or []
        if s.get("priority") == "later"
    }
    tasks = [
        t
        for t in (section.tasks if section else ())
        if not t.later and t.text.casefold() not in later
    ]
    open_items = [t for t in tasks if not t.checked]
    done = len(tasks) - len(open_items)
    if section is None or not tasks:
        return _outcome(
            Gate.CO_VALIDATION,
            False,
            "no functional-validation checklist",
            "list the functional tests as `- [ ] ...` under `## Functional validation`",
            ["id"],
        )
    if open_items or not state.ok:
        parts = []
        if open_items:
            parts.append(
                f"product {done}/{len(tasks)} checks done (open: "
                + ", ".join(t.text for t in open_items[:3])
                + ")"
            )
        if not state.ok:
            parts.append("ops launch materials incomplete")
        return _outcome(
            Gate.CO_VALIDATION,
            False,
            "; ".join(parts),
            "check off every core validation item and finish the launch "
            "materials (later-scope items do not count)",
            ["status"],
        )
    return _outcome(
        Gate.CO_VALIDATION,
        True,
        f"product {done}/{len(tasks)} checks done; ops materials ready",
        "",
        ["status"],
    )


def expected_effect(feature: Feature) -> Outcome:
    from opsync.impact.promise import parse_promise

    raw = feature.meta.get("expected")
    promise, problem = parse_promise(raw)
    if promise is None:
        return _outcome(
            Gate.EXPECTED_EFFECT,
            False,
            f"{problem} (status: {feature.status})",
            "state what the feature should move, e.g. "
            "`expected: {direction: up, change: 5%, within: 12}`",
            ["expected"] if raw is not None else ["status"],
        )
    return _outcome(Gate.EXPECTED_EFFECT, True, f"promises {promise.text()}", "", ["expected"])


def evaluate(
    feature: Feature,
    ws: Workspace,
    signoff: Callable[[], Tally],
    today: date,
    reported: Sequence[Finding] = (),
    locate: bool = True,
) -> tuple[FeatureResult, list[Finding]]:
    """All gates for `feature` at its head status; gates that do not apply are skipped.

    `reported`: the lint rules' findings on this spec; a gate failing on a line where a
    rule already names the same problem adds no finding of its own (the table keeps it).
    `locate=False` skips building the located findings (the dashboard shows results only;
    finding a key's line re-reads the YAML).
    """
    status = feature.status
    state = materials(feature, ws)
    runners: dict[Gate, Callable[[], Outcome]] = {
        Gate.SHARED_METRIC: lambda: shared_metric(feature, ws),
        Gate.OPS_INVOLVEMENT: lambda: ops_involvement(feature, ws),
        Gate.WEEK_ALIGNMENT: lambda: week_alignment(feature, ws, today),
        Gate.LAUNCH_MATERIALS: lambda: launch_materials(feature, state),
        Gate.CO_VALIDATION: lambda: co_validation(feature, state),
        Gate.OPS_SIGNOFF: lambda: untracked_materials(feature) or _signoff(signoff()),
        Gate.EXPECTED_EFFECT: lambda: expected_effect(feature),
    }
    results: list[GateResult] = []
    findings: list[Finding] = []
    for gate in GATES:
        if not ws.policy.gate_applies(gate, status):
            results.append(
                GateResult(
                    gate,
                    GateState.SKIP,
                    f"applies from {ws.policy.gate_from.get(gate)} (status: {status})",
                )
            )
            continue
        outcome = runners[gate]()
        results.append(outcome.result)
        if locate and outcome.result.state is not GateState.PASS:
            severity = (
                Severity.WARNING if outcome.result.state is GateState.WARN else Severity.ERROR
            )
            finding = finding_at(
                feature.doc,
                feature.path,
                outcome.keys,
                gate,
                f"{feature.id}: {outcome.result.message}",
                outcome.result.hint,
                severity,
            )
            if not _already_reported(finding, reported):
                findings.append(finding)
    result = FeatureResult(feature.id, feature.title, status, feature.path, tuple(results))
    return result, findings


def _already_reported(finding: Finding, reported: Sequence[Finding]) -> bool:
    rules = SAME_PROBLEM.get(finding.rule, frozenset())
    return any(
        r.rule in rules and r.path == finding.path and r.line == finding.line for r in reported
    )


def untracked_materials(feature: Feature) -> Outcome | None:
    """A failed sign-off when a material path is not written as the repo spells it.

    `opsync check` finds the feature a changed material belongs to by searching spec
    text for the changed path (touched.py). A path spelled otherwise (`./`, `//`, YAML
    escapes such as `\\x2D`) would let a later PR change an approved material unseen,
    so no approval can be scoped to such a spec.
    """
    for index, item in enumerate(feature.materials):
        raw = item.get("path")
        clean = normalize(raw) if isinstance(raw, str) else None
        written = clean is not None and clean in feature.doc.meta_text + feature.doc.body
        if clean is None or (raw == clean and written):
            continue  # unsafe paths are the launch-materials gate's to report
        return _outcome(
            Gate.OPS_SIGNOFF,
            False,
            f"material path {raw!r} is not written as {clean}: a change to that file "
            "would not be noticed, so approvals cannot cover it",
            f"write the path plainly as `{clean}` (no `./`, `//` or escapes)",
            ["launch_materials", index, "path"],
        )
    return None


def _signoff(result: Tally) -> Outcome:
    return Outcome(GateResult(Gate.OPS_SIGNOFF, result.state, result.message, result.hint), ["id"])
