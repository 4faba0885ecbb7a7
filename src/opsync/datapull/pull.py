"""One pull: check the definitions offline, query each source, merge, then write.

Order matters for "the data untouched": every query of the run is parsed before the first
connection, and every query has answered before the first file is written, so a refused
query (exit 2) or an unreachable source (exit 3) leaves `opsync/data/` as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsync.datapull import compile as compiler
from opsync.datapull.composites import latest_composites
from opsync.datapull.config import (
    QUERY_RULE,
    SOURCE_RULE,
    DataConfig,
    Definitions,
    check_definitions,
    load_data_config,
)
from opsync.datapull.engines import QueryRefused, SourceUnreachable, connect
from opsync.datapull.urls import ParsedUrl, UrlError, parse_url, redact
from opsync.datapull.write import MetricChange, merge
from opsync.documents.located import finding_at
from opsync.errors import ConfigError
from opsync.findings import Finding
from opsync.metrics.periods import parse_period

Step = Callable[[str, int, int], None]  # after each query: ("metric grain", done, total)
Debug = Callable[[str], None]


@dataclass(frozen=True)
class PullOptions:
    root: Path
    metrics: tuple[str, ...] = ()
    grains: tuple[str, ...] = ()
    since: str | None = None
    dry_run: bool = False


@dataclass
class PullResult:
    grains: tuple[str, ...] = ()
    since: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # name -> redacted URL
    changes: list[MetricChange] = field(default_factory=list)
    composites: dict[str, dict[str, tuple[str, float]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # bad definitions: exit 2
    warnings: list[str] = field(default_factory=list)


class DefinitionProblems(ConfigError):
    """Located problems with the queries or sources: exit 2."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(f"{len(findings)} problem(s) with the metric queries")
        self.findings = findings


@dataclass(frozen=True)
class Plan:
    defs: Definitions
    selected: list[str]  # metric ids to pull
    data_dir: str  # where their CSV files go
    formulas: dict[str, Any]  # the registry's parsed formulas, for the composites


def plan(options: PullOptions) -> Plan:
    """The checked definitions and the metrics to pull; raises DefinitionProblems."""
    from opsync.workspace.model import Workspace, load_policy
    from opsync.workspace.source import WorktreeSource

    source = WorktreeSource(options.root)
    policy, problems = load_policy(source)
    if policy is None:
        raise DefinitionProblems(problems)
    ws = Workspace(source, policy)
    registry = ws.registry
    if registry is None:
        raise DefinitionProblems(list(ws.loaded_registry.problems))
    config, problems = load_data_config(source)
    defs = check_definitions(registry, config)
    with_query = list(defs.by_metric)
    for metric in options.metrics:
        if metric not in registry.metrics:
            raise ConfigError(
                f"--metric {metric}: no such metric in {registry.file.path}",
                f"name a metric id from {registry.file.path} (`opsync validate` lists them)",
            )
        if registry.metrics[metric].composite:
            raise ConfigError(
                f"--metric {metric}: a composite metric is computed from its inputs",
                "pull its base metrics; the dashboard computes it per period",
            )
        if metric not in defs.by_metric:
            raise ConfigError(
                f"--metric {metric}: the metric has no `query:`",
                "add one (docs/metrics-data.md) or pull another metric",
            )
    selected = list(options.metrics) or with_query
    found = [*problems, *defs.findings, *(f for m in selected for f in defs.by_metric[m])]
    if found:
        raise DefinitionProblems(found)
    return Plan(defs, selected, policy.paths.data, registry.parsed_formulas)


def pull(options: PullOptions, step: Step | None = None, debug: Debug | None = None) -> PullResult:
    planned = plan(options)
    defs, selected, root, data_dir = planned.defs, planned.selected, options.root, planned.data_dir
    config = defs.config
    grains = tuple(dict.fromkeys(options.grains or config.grains))
    since = options.since or config.since
    if since is not None:
        try:
            parse_period(since)
        except ValueError as error:
            raise ConfigError(f"--since: {error}") from None
    result = PullResult(grains=grains, since=since)
    if not selected:
        result.warnings.append("no metric has a `query:` yet; see docs/metrics-data.md")
        return result
    links = [f for m in selected for f in _linked_files(defs, m, root)]
    if links:
        raise DefinitionProblems(links)
    urls = {name: _resolve_url(config, name) for name in {defs.queries[m][2] for m in selected}}
    result.sources = {name: redact(url.url) for name, url in urls.items()}
    values: dict[str, dict[str, float]] = {}
    done, total = 0, len(selected) * len(grains)
    for name in sorted(urls):
        engine = connect(urls[name], root, config.timeout, name, config.memory_limit)
        try:
            for metric in [m for m in selected if defs.queries[m][2] == name]:
                parsed = defs.queries[metric][1]
                for grain in grains:
                    start = compiler.since_start(grain, since)
                    sql = compiler.compile_query(parsed, grain, engine.dialect, start, root)
                    if debug:
                        debug(f"{metric} {grain} on {name}: {sql}")
                    try:
                        rows = engine.run(sql)
                    except QueryRefused as refused:
                        result.findings.append(_refused(defs, metric, name, refused))
                        break
                    except SourceUnreachable as error:
                        raise SourceUnreachable(
                            f"{error.message} (query of '{metric}')",
                            error.hint
                            or "check that its files or tables exist and the source is up",
                        ) from None
                    values.setdefault(metric, {}).update(_labelled(grain, rows, name))
                    done += 1
                    if step:
                        step(f"{metric} {grain}", done, total)
        finally:
            engine.close()
    if result.findings:
        raise DefinitionProblems(result.findings)
    result.changes = [merge(root, data_dir, m, values.get(m, {})) for m in selected]
    result.composites = latest_composites(planned.formulas, values, grains)
    result.warnings += _elsewhere(root, data_dir, values)
    return result


def _labelled(grain: str, rows: list[tuple[object, object]], source: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for start, value in rows:
        if start is None or value is None:
            continue  # no time, or no value for the period (e.g. a division by zero)
        try:
            day = compiler.as_start(grain, start)
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError) as error:
            raise SourceUnreachable(
                f"source '{source}' answered something unexpected: {error}"
            ) from None
        if number == number and abs(number) != float("inf"):  # finite only
            out[compiler.label(grain, day)] = number
    return out


def _resolve_url(config: DataConfig, name: str) -> ParsedUrl:
    src = config.sources[name]
    file = config.file
    keys: list[str | int] = ["data", "sources", name]
    url = src.url
    if url is None and src.url_env:
        url = os.environ.get(src.url_env) or None
        if url is None:
            assert file is not None
            raise DefinitionProblems(
                [
                    finding_at(
                        file,
                        file.path,
                        [*keys, "url_env"],
                        SOURCE_RULE,
                        f"source '{name}': the environment variable {src.url_env} is not set",
                        f"export {src.url_env}=postgresql://… (in CI: a repository secret)",
                    )
                ]
            )
    if url is None:
        assert file is not None
        raise DefinitionProblems(
            [
                finding_at(
                    file,
                    file.path,
                    keys,
                    SOURCE_RULE,
                    f"source '{name}' has neither url nor url_env",
                    "add one of them",
                )
            ]
        )
    try:
        return parse_url(url)
    except UrlError as error:
        assert file is not None
        raise DefinitionProblems(
            [
                finding_at(
                    file,
                    file.path,
                    keys,
                    SOURCE_RULE,
                    str(error),
                    "see docs/metrics-data.md for the URL forms",
                )
            ]
        ) from None


def _refused(defs: Definitions, metric: str, name: str, refused: QueryRefused) -> Finding:
    file = defs.registry_file
    return finding_at(
        file,
        file.path,
        ["metrics", defs.queries[metric][0].index, "query"],
        QUERY_RULE,
        f"source '{name}' refused the query of '{metric}': {refused.message}",
        "check the column and table names in `from`, `time`, `value` and `where`",
    )


def _linked_files(defs: Definitions, metric: str, root: Path) -> list[Finding]:
    """A quoted glob must not reach outside the repo through a symlink: DuckDB's own
    confinement compares paths, it does not resolve links."""
    qdef, parsed, _ = defs.queries[metric]
    if parsed.file_glob is None:
        return []
    inside = root.resolve()
    for match in root.glob(parsed.file_glob):
        if match.is_symlink() or not match.resolve().is_relative_to(inside):
            file = defs.registry_file
            return [
                finding_at(
                    file,
                    file.path,
                    ["metrics", qdef.index, "query", "from"],
                    QUERY_RULE,
                    f"query of '{metric}': {match.relative_to(root)} is a symbolic link",
                    "commit the data file itself; opsync never follows links",
                )
            ]
    return []


def _elsewhere(root: Path, data_dir: str, values: dict[str, dict[str, float]]) -> list[str]:
    """Pulled values that another data file also gives: validate would flag duplicates."""
    from opsync.metrics.values import load_data_files

    folder = root / data_dir
    others = [
        (f"{data_dir}/{p.name}", p.read_bytes())
        for p in sorted(folder.glob("*.csv"))
        if p.is_file() and not p.is_symlink() and p.stem not in values
    ]
    loaded = load_data_files(others).values
    return [
        f"{data_dir}: another file also gives values of '{metric}'; remove them there "
        "(opsync validate reports them as data-duplicate)"
        for metric in sorted(values)
        if set(loaded.get(metric, {})) & set(values[metric])
    ]
