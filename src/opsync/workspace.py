"""The workspace: policy, metric registry, feature specs and week docs, read lazily
from a FileSource. `validate` walks everything; `check` asks only for what a PR touches,
so every lookup here is by path, never a scan."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from opsync.documents import markdown_doc, safe_yaml
from opsync.documents.markdown_doc import MarkdownDoc
from opsync.documents.safe_yaml import KeyPath, YamlProblem
from opsync.findings import Finding, Severity
from opsync.policy import POLICY_FILE, Policy
from opsync.schema_check import schema_issues
from opsync.source import FileSource, Kind

PATH_RULE = "unsafe-path"


@dataclass
class YamlFile:
    """A parsed YAML file that keeps its text, so findings can be located on demand."""

    path: str
    text: str
    data: Any

    def locate(self, keys: KeyPath) -> tuple[int, int]:
        return safe_yaml.locate(self.text, keys)


Located = YamlFile | MarkdownDoc


def finding_at(
    doc: Located,
    path: str,
    keys: KeyPath,
    rule: str,
    message: str,
    hint: str,
    severity: Severity = Severity.ERROR,
) -> Finding:
    line, col = doc.locate(keys)
    return Finding(path, line, col, rule, message, hint, severity)


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    unit: str
    formula: str | None
    owners: dict[str, str]
    targets: tuple[dict[str, Any], ...]
    index: int  # position in `metrics:`, for locating findings

    @property
    def composite(self) -> bool:
        return bool(self.formula)


@dataclass
class Registry:
    file: YamlFile
    north_star: str | None
    key_metrics: tuple[str, ...]
    metrics: dict[str, Metric]

    @cached_property
    def parsed_formulas(self) -> dict[str, Any]:
        """metric id -> parsed Formula, or None for base metrics and unparsable formulas."""
        from opsync.metrics.formula import FormulaError, parse

        parsed: dict[str, Any] = {}
        for metric in self.metrics.values():
            try:
                parsed[metric.id] = parse(metric.formula) if metric.formula else None
            except FormulaError:
                parsed[metric.id] = None
        return parsed

    @cached_property
    def aligned(self) -> frozenset[str]:
        from opsync.metrics.graph import aligned

        keys = [k for k in self.key_metrics if k in self.metrics]
        return frozenset(aligned(keys, self.parsed_formulas))

    @classmethod
    def from_file(cls, file: YamlFile) -> Registry:
        data = file.data
        metrics: dict[str, Metric] = {}
        for index, item in enumerate(data.get("metrics") or []):
            metrics.setdefault(
                item["id"],
                Metric(
                    id=item["id"],
                    name=item.get("name", item["id"]),
                    unit=item.get("unit", ""),
                    formula=item.get("formula"),
                    owners=dict(item.get("owners") or {}),
                    targets=tuple(item.get("targets") or ()),
                    index=index,
                ),
            )
        return cls(file, data.get("north_star"), tuple(data.get("key_metrics") or ()), metrics)


@dataclass
class MarkdownFile:
    """A spec or week doc: where it is and its parsed (schema-valid) document."""

    path: str
    doc: MarkdownDoc

    @property
    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = self.doc.meta
        return meta

    @property
    def stem(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".md")


@dataclass
class Feature(MarkdownFile):
    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def file_id(self) -> str:
        return self.stem

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    @property
    def status(self) -> str:
        return str(self.meta.get("status", "research"))

    @property
    def user_facing(self) -> bool:
        return bool(self.meta.get("type", "user-facing") == "user-facing")

    @property
    def owners(self) -> dict[str, str]:
        return dict(self.meta.get("owners") or {})

    @property
    def materials(self) -> list[dict[str, Any]]:
        return list(self.meta.get("launch_materials") or [])

    @property
    def code(self) -> list[str]:
        return list(self.meta.get("code") or [])


@dataclass
class Week(MarkdownFile):
    @property
    def file_week(self) -> str:
        return self.stem


def read_checked(source: FileSource, path: str) -> tuple[bytes | None, list[Finding]]:
    """Bytes of a regular file in the repo, or a finding: no symlinks, size-capped."""
    kind = source.kind(path)
    if kind is Kind.MISSING:
        return None, []
    if kind is not Kind.FILE:
        what = "a symbolic link" if kind is Kind.SYMLINK else f"a {kind.value}"
        return None, [
            Finding(
                path,
                0,
                0,
                PATH_RULE,
                f"{path} is {what}, not a regular file",
                "commit the file itself; opsync never follows links",
            )
        ]
    size = source.size(path)
    try:
        safe_yaml.check_size(size)
    except YamlProblem as problem:
        return None, [Finding(path, 0, 0, problem.rule, problem.message, problem.hint)]
    return source.read(path), []


def _problem(path: str, problem: YamlProblem) -> Finding:
    return Finding(path, problem.line, problem.col, problem.rule, problem.message, problem.hint)


def _schema_findings(kind: str, path: str, data: Any, doc: Located) -> list[Finding]:
    return [
        finding_at(
            doc,
            path,
            issue.path,
            "schema",
            issue.message,
            f"see `opsync schema {kind}` for the allowed fields",
        )
        for issue in schema_issues(kind, data)
    ]


def load_yaml_file(
    source: FileSource, path: str, kind: str
) -> tuple[YamlFile | None, list[Finding]]:
    raw, findings = read_checked(source, path)
    if raw is None:
        return None, findings
    try:
        text = safe_yaml.decode(raw)
        data = safe_yaml.load(text)
    except YamlProblem as problem:
        return None, [_problem(path, problem)]
    file = YamlFile(path, text, data if data is not None else {})
    if not isinstance(file.data, dict):
        return None, [
            Finding(
                path,
                1,
                1,
                "schema",
                "the file must be a YAML mapping",
                f"see `opsync schema {kind}`",
            )
        ]
    problems = _schema_findings(kind, path, file.data, file)
    return (None if problems else file), problems


def load_markdown(
    source: FileSource, path: str, kind: str, titles: dict[str, tuple[str, ...]]
) -> tuple[MarkdownDoc | None, list[Finding]]:
    raw, findings = read_checked(source, path)
    if raw is None:
        return None, findings
    try:
        doc = markdown_doc.parse(raw, titles)
    except YamlProblem as problem:
        return None, [_problem(path, problem)]
    if not isinstance(doc.meta, dict):
        return None, [
            Finding(
                path,
                doc.meta_line,
                1,
                "schema",
                "the front matter must be a YAML mapping",
                f"see `opsync schema {kind}` for the fields",
            )
        ]
    problems = _schema_findings(kind, path, doc.meta, doc)
    return (None if problems else doc), problems


def load_policy(source: FileSource) -> tuple[Policy | None, list[Finding]]:
    file, findings = load_yaml_file(source, POLICY_FILE, "policy")
    if file is None:
        if not findings:
            findings = [
                Finding(
                    POLICY_FILE,
                    0,
                    0,
                    "policy-missing",
                    f"{POLICY_FILE} not found in {source.label}",
                    "run `opsync init` to create it",
                )
            ]
        return None, findings
    return Policy.from_dict(file.data), _policy_glob_findings(file)


def _policy_glob_findings(file: YamlFile) -> list[Finding]:
    """`require_feature_for` globs that can never match: a fail-open, so an error."""
    from opsync.gate.globs import GLOB_HINT, glob_problem

    found = []
    for index, pattern in enumerate(file.data.get("require_feature_for") or ()):
        problem = glob_problem(pattern) if isinstance(pattern, str) else None
        if problem:
            found.append(
                finding_at(
                    file,
                    POLICY_FILE,
                    ["require_feature_for", index],
                    "policy-glob",
                    f"require_feature_for glob {pattern!r} never matches: it {problem}",
                    GLOB_HINT,
                )
            )
    return found


@dataclass
class Workspace:
    source: FileSource
    policy: Policy
    findings: list[Finding] = field(default_factory=list)  # load problems seen so far
    _features: dict[str, Feature | None] = field(default_factory=dict)
    _weeks: dict[str, Week | None] = field(default_factory=dict)

    @cached_property
    def registry(self) -> Registry | None:
        file, problems = load_yaml_file(self.source, self.policy.paths.metrics, "metrics")
        self.findings.extend(problems)
        if file is None and not problems:
            self.findings.append(
                Finding(
                    self.policy.paths.metrics,
                    0,
                    0,
                    "registry-missing",
                    "the metric registry is missing",
                    "run `opsync init` or create it",
                )
            )
        return Registry.from_file(file) if file else None

    def feature_paths(self) -> Iterator[str]:
        return self.source.list_files(self.policy.paths.features, ".md")

    def week_paths(self) -> Iterator[str]:
        return self.source.list_files(self.policy.paths.weeks, ".md")

    def feature_at(self, path: str) -> Feature | None:
        if path not in self._features:
            doc, problems = load_markdown(self.source, path, "feature", self.policy.section_titles)
            self.findings.extend(problems)
            self._features[path] = Feature(path, doc) if doc else None
        return self._features[path]

    def release(self, path: str) -> None:
        """Forget a parsed spec: a whole-repo lint reads each one once."""
        self._features.pop(path, None)

    def feature(self, feature_id: str) -> Feature | None:
        return self.feature_at(self.policy.paths.feature_path(feature_id))

    def week_at(self, path: str) -> Week | None:
        if path not in self._weeks:
            doc, problems = load_markdown(self.source, path, "week", self.policy.section_titles)
            self.findings.extend(problems)
            self._weeks[path] = Week(path, doc) if doc else None
        return self._weeks[path]

    def feature_exists(self, feature_id: str) -> bool:
        return self.source.kind(self.policy.paths.feature_path(feature_id)) is Kind.FILE

    def week_exists(self, week: str) -> bool:
        return self.source.kind(self.policy.paths.week_path(week)) is Kind.FILE
