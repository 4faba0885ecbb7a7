"""The policy's `data:` section and the registry's `query:` blocks, checked offline.

`check_definitions` is what `validate` runs (rules `metric-query`, `data-source`) and what
`metrics pull` runs before it connects to anything: every problem is located in the file
the user edits, and nothing here reads the environment or opens a connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opsync.datapull.query import ParsedQuery, QueryProblem, parse_query
from opsync.datapull.urls import UrlError, parse_url
from opsync.documents.located import YamlFile, finding_at
from opsync.findings import Finding
from opsync.metrics.registry import Registry
from opsync.workspace.model import load_yaml_file
from opsync.workspace.policy import POLICY_FILE
from opsync.workspace.source import FileSource

GRAINS = ("week", "month", "quarter")
DEFAULT_GRAINS = ("week", "month")
DEFAULT_TIMEOUT = 300  # seconds per query
DEFAULT_MEMORY_LIMIT = "300MB"  # DuckDB's; larger aggregates spill to a temp folder
QUERY_RULE = "metric-query"
SOURCE_RULE = "data-source"


@dataclass(frozen=True)
class SourceDef:
    name: str
    url: str | None = None  # literal URL (no secrets: validate refuses a password here)
    url_env: str | None = None  # environment variable holding the URL


@dataclass(frozen=True)
class DataConfig:
    sources: dict[str, SourceDef] = field(default_factory=dict)
    grains: tuple[str, ...] = DEFAULT_GRAINS
    since: str | None = None
    timeout: int = DEFAULT_TIMEOUT
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    file: YamlFile | None = None  # opsync.yml, to locate findings

    @classmethod
    def from_file(cls, file: YamlFile | None) -> DataConfig:
        data: dict[str, Any] = (file.data.get("data") or {}) if file else {}
        sources = {
            name: SourceDef(name, conf.get("url"), conf.get("url_env"))
            for name, conf in (data.get("sources") or {}).items()
        }
        return cls(
            sources=sources,
            grains=tuple(data.get("grains") or DEFAULT_GRAINS),
            since=str(data["since"]) if data.get("since") is not None else None,
            timeout=int(data.get("timeout", DEFAULT_TIMEOUT)),
            memory_limit=str(data.get("memory_limit", DEFAULT_MEMORY_LIMIT)),
            file=file,
        )


@dataclass(frozen=True)
class QueryDef:
    """One metric's `query:` as written, with where it is in the registry."""

    metric: str
    index: int  # metrics[index]
    source: str | None
    fields: dict[str, Any]
    composite: bool


@dataclass(frozen=True)
class Definitions:
    """What a pull needs, checked: a parsed query and a source name per metric."""

    config: DataConfig
    registry_file: YamlFile
    queries: dict[str, tuple[QueryDef, ParsedQuery, str]]  # metric -> (def, parsed, source)
    findings: list[Finding]  # about the sources, in opsync.yml
    by_metric: dict[str, list[Finding]]  # about each metric's query, in the registry

    def all_findings(self) -> list[Finding]:
        return [*self.findings, *(f for found in self.by_metric.values() for f in found)]


def load_data_config(source: FileSource) -> tuple[DataConfig, list[Finding]]:
    file, findings = load_yaml_file(source, POLICY_FILE, "policy")
    return DataConfig.from_file(file), findings


def query_defs(registry: Registry) -> list[QueryDef]:
    out = []
    for index, item in enumerate(registry.file.data.get("metrics") or []):
        query = item.get("query")
        if isinstance(query, dict):
            out.append(
                QueryDef(item["id"], index, query.get("source"), query, bool(item.get("formula")))
            )
    return out


def check_definitions(registry: Registry, config: DataConfig) -> Definitions:
    """Parse every query and resolve its source; one bad query never hides the others."""
    by_metric: dict[str, list[Finding]] = {}
    queries: dict[str, tuple[QueryDef, ParsedQuery, str]] = {}
    for qdef in query_defs(registry):
        findings = by_metric.setdefault(qdef.metric, [])
        at: list[str | int] = ["metrics", qdef.index, "query"]
        if qdef.composite:
            findings.append(
                _reg(
                    registry,
                    at,
                    QUERY_RULE,
                    f"'{qdef.metric}' has both a formula and a query",
                    "composite metrics are computed from their inputs: remove the query",
                )
            )
            continue
        parsed, problems = parse_query(qdef.fields)
        findings += [_problem(registry, qdef, p) for p in problems]
        name, finding = _resolve_source(registry, config, qdef)
        if finding:
            findings.append(finding)
        if parsed is None or name is None:
            continue
        if parsed.file_glob is not None and _engine(config.sources[name]) not in (None, "duckdb"):
            findings.append(
                _problem(
                    registry,
                    qdef,
                    QueryProblem(
                        "from",
                        f"a quoted file glob needs a DuckDB source; '{name}' is not one",
                        "name a table or view of that source, or use a duckdb:// source",
                    ),
                )
            )
            continue
        queries[qdef.metric] = (qdef, parsed, name)
    return Definitions(config, registry.file, queries, _source_findings(config), by_metric)


def _engine(source: SourceDef) -> str | None:
    """The engine of a literal URL; None when it comes from the environment."""
    if source.url is None:
        return None
    try:
        return parse_url(source.url).engine
    except UrlError:
        return None


def _source_findings(config: DataConfig) -> list[Finding]:
    findings: list[Finding] = []
    file = config.file
    for name, src in config.sources.items():
        if file is None or src.url is None:
            continue
        keys: list[str | int] = ["data", "sources", name, "url"]
        try:
            parsed = parse_url(src.url)
        except UrlError as error:
            findings.append(
                finding_at(
                    file,
                    file.path,
                    keys,
                    SOURCE_RULE,
                    str(error),
                    "see docs/metrics-data.md for the URL forms",
                )
            )
            continue
        if parsed.password:
            findings.append(
                finding_at(
                    file,
                    file.path,
                    keys,
                    SOURCE_RULE,
                    f"source '{name}' has a password in opsync.yml",
                    "secrets never live in the repo: use `url_env: SOME_VARIABLE`",
                )
            )
    return findings


def _resolve_source(
    registry: Registry, config: DataConfig, qdef: QueryDef
) -> tuple[str | None, Finding | None]:
    at: list[str | int] = ["metrics", qdef.index, "query"]
    names = sorted(config.sources)
    if qdef.source is not None:
        if qdef.source in config.sources:
            return qdef.source, None
        listed = ", ".join(names) or "none yet"
        return None, _reg(
            registry,
            [*at, "source"],
            SOURCE_RULE,
            f"'{qdef.metric}' reads source '{qdef.source}', which opsync.yml "
            f"does not declare (declared: {listed})",
            "add it under data.sources in opsync.yml or fix the name",
        )
    if len(names) == 1:
        return names[0], None
    message = (
        f"'{qdef.metric}' names no source and opsync.yml declares several ({', '.join(names)})"
        if names
        else f"'{qdef.metric}' has a query but opsync.yml declares no data source"
    )
    hint = (
        "add `source: NAME` to the query"
        if names
        else ('add data.sources to opsync.yml, e.g. local: {url: "duckdb://"}')
    )
    return None, _reg(registry, at, SOURCE_RULE, message, hint)


def _problem(registry: Registry, qdef: QueryDef, problem: QueryProblem) -> Finding:
    keys: list[str | int] = ["metrics", qdef.index, "query", problem.field]
    return _reg(
        registry, keys, QUERY_RULE, f"query of '{qdef.metric}': {problem.message}", problem.hint
    )


def _reg(registry: Registry, keys: list[str | int], rule: str, message: str, hint: str) -> Finding:
    return finding_at(registry.file, registry.file.path, keys, rule, message, hint)
