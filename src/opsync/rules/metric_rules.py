"""Rules on the shared metric registry (docs/file-formats.md)."""

from __future__ import annotations

from collections.abc import Iterator

from opsync.documents.located import finding_at
from opsync.findings import Finding, Severity
from opsync.metrics.registry import Registry
from opsync.rules.registry import rule
from opsync.workspace.model import Workspace

TARGET = "registry"


def _at(
    reg: Registry,
    keys: list[str | int],
    rule_id: str,
    message: str,
    hint: str,
    severity: Severity = Severity.ERROR,
) -> Finding:
    return finding_at(reg.file, reg.file.path, keys, rule_id, message, hint, severity)


@rule("metric-duplicate-id", TARGET, "Metric ids are unique.")
def duplicate_ids(reg: Registry, ws: Workspace) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for index, item in enumerate(reg.file.data.get("metrics") or []):
        metric_id = item["id"]
        if metric_id in seen:
            yield _at(
                reg,
                ["metrics", index, "id"],
                "metric-duplicate-id",
                f"metric id '{metric_id}' is also defined as metrics[{seen[metric_id]}]",
                "rename one of them or merge the two entries",
            )
        seen.setdefault(metric_id, index)


@rule(
    "metric-formula",
    TARGET,
    "Formulas use only numbers, metric ids, `+ - * /` and parentheses; never code.",
)
def formulas(reg: Registry, ws: Workspace) -> Iterator[Finding]:
    from opsync.metrics.formula import FormulaError, parse

    for metric in reg.metrics.values():
        if not metric.formula:
            continue
        try:
            parse(metric.formula)
        except FormulaError as error:
            line, col = reg.file.locate(["metrics", metric.index, "formula"])
            yield Finding(
                path=reg.file.path,
                line=line,
                col=col,
                rule="metric-formula",
                message=f"formula of '{metric.id}': {error.message} (at column {error.column})",
                hint=error.hint or "use numbers, metric ids, + - * / and parentheses only",
            )


@rule("metric-unknown-ref", TARGET, "Every metric a formula names exists in the registry.")
def unknown_refs(reg: Registry, ws: Workspace) -> Iterator[Finding]:
    from opsync.metrics.formula import references
    from opsync.metrics.graph import split_suggestion

    for metric_id, formula in reg.parsed_formulas.items():
        if formula is None:
            continue
        for ref in sorted(references(formula) - reg.metrics.keys()):
            split = split_suggestion(ref, reg.metrics.keys())
            yield _at(
                reg,
                ["metrics", reg.metrics[metric_id].index, "formula"],
                "metric-unknown-ref",
                f"formula of '{metric_id}' names unknown metric '{ref}'",
                f"a hyphen glued to a name is part of it: write `{split}` to subtract"
                if split
                else f"add a metric with id '{ref}' or fix the spelling",
            )


@rule("metric-cycle", TARGET, "Formulas do not depend on themselves, directly or not.")
def cycles(reg: Registry, ws: Workspace) -> Iterator[Finding]:
    from opsync.metrics.graph import find_cycles

    for cycle in find_cycles(reg.parsed_formulas):
        first = reg.metrics[cycle[0]]
        yield _at(
            reg,
            ["metrics", first.index, "formula"],
            "metric-cycle",
            "formula cycle: " + " -> ".join(cycle),
            "break the cycle: one of these metrics must be measured, not computed",
        )


@rule("north-star", TARGET, "The north star exists, is a key metric and is composite.")
def north_star(reg: Registry, ws: Workspace) -> Iterator[Finding]:
    star = reg.north_star
    if star is None:
        return
    if star not in reg.metrics:
        yield _at(
            reg,
            ["north_star"],
            "north-star",
            f"north star '{star}' is not a metric",
            "name a metric defined under `metrics:`",
        )
        return
    if star not in reg.key_metrics:
        yield _at(
            reg,
            ["north_star"],
            "north-star",
            f"north star '{star}' is not a key metric",
            "add it to `key_metrics`",
        )
    if not reg.metrics[star].composite:
        yield _at(
            reg,
            ["north_star"],
            "north-star",
            f"north star '{star}' has no formula; a north star combines metrics",
            "give it a formula such as `a * b` over two base metrics",
        )


@rule("key-metric-cap", TARGET, "At most three key metrics (configurable): less is more.")
def key_cap(reg: Registry, ws: Workspace) -> Iterator[Finding]:
    cap = ws.policy.max_key_metrics
    if len(reg.key_metrics) > cap:
        yield _at(
            reg,
            ["key_metrics", cap],
            "key-metric-cap",
            f"{len(reg.key_metrics)} key metrics; the cap is {cap}",
            "keep the few that decide the week; the others can still feed them",
        )


@rule(
    "key-metric-shared",
    TARGET,
    "Each key metric exists and is owned by both a product and an ops roster member.",
)
def key_owners(reg: Registry, ws: Workspace) -> Iterator[Finding]:
    policy = ws.policy
    for index, key in enumerate(reg.key_metrics):
        metric = reg.metrics.get(key)
        if metric is None:
            yield _at(
                reg,
                ["key_metrics", index],
                "key-metric-shared",
                f"key metric '{key}' is not defined",
                "define it under `metrics:`",
            )
            continue
        for role in ("product", "ops"):
            owner = metric.owners.get(role)
            if not owner:
                yield _at(
                    reg,
                    ["metrics", metric.index, "owners"],  # the metric's line when none
                    "key-metric-shared",
                    f"key metric '{key}' has no {role} owner",
                    f"set owners.{role} to a login from roles.{role} in opsync.yml",
                )
            elif not policy.has_role(owner, role):
                yield _at(
                    reg,
                    ["metrics", metric.index, "owners", role],
                    "key-metric-shared",
                    f"'{owner}', {role} owner of key metric '{key}', is not in roles.{role}",
                    f"use a login listed under roles.{role} in opsync.yml",
                )


@rule("metric-unit", TARGET, "A formula's derived unit equals its declared unit (warning).")
def units(reg: Registry, ws: Workspace) -> Iterator[Finding]:
    from opsync.metrics.units import UnitError, derived_unit, parse_unit, same_unit

    declared = {m.id: m.unit for m in reg.metrics.values() if m.unit}
    for metric_id, formula in reg.parsed_formulas.items():
        metric = reg.metrics[metric_id]
        if formula is None or not metric.unit:
            continue
        try:
            derived = derived_unit(formula, declared)
            if derived is None or same_unit(derived, parse_unit(metric.unit)):
                continue
        except UnitError:
            continue
        yield _at(
            reg,
            ["metrics", metric.index, "unit"],
            "metric-unit",
            f"'{metric_id}' is declared in {metric.unit} but its formula gives {derived}",
            "fix the unit or the formula",
            Severity.WARNING,
        )
