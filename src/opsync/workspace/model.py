"""The workspace: policy, metric registry, feature specs and week docs, read lazily
from a FileSource. `validate` walks everything; `check` asks only for what a PR touches,
so every lookup here is by path, never a scan."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from opsync.documents import markdown_doc, safe_yaml
from opsync.documents.located import Located, YamlFile, finding_at
from opsync.documents.markdown_doc import MarkdownDoc
from opsync.documents.safe_yaml import YamlProblem
from opsync.documents.schema import schema_issues
from opsync.findings import Finding
from opsync.metrics.registry import Registry
from opsync.workspace.policy import POLICY_FILE, Policy
from opsync.workspace.source import FileSource, Kind

PATH_RULE = "unsafe-path"
T = TypeVar("T")


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
                path=path,
                line=0,
                col=0,
                rule=PATH_RULE,
                message=f"{path} is {what}, not a regular file",
                hint="commit the file itself; opsync never follows links",
            )
        ]
    size = source.size(path)
    try:
        safe_yaml.check_size(size)
    except YamlProblem as problem:
        return None, [
            Finding(
                path=path,
                line=0,
                col=0,
                rule=problem.rule,
                message=problem.message,
                hint=problem.hint,
            )
        ]
    return source.read(path), []


def _problem(path: str, problem: YamlProblem) -> Finding:
    return Finding(
        path=path,
        line=problem.line,
        col=problem.col,
        rule=problem.rule,
        message=problem.message,
        hint=problem.hint,
    )


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
                path=path,
                line=1,
                col=1,
                rule="schema",
                message="the file must be a YAML mapping",
                hint=f"see `opsync schema {kind}`",
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
                path=path,
                line=doc.meta_line,
                col=1,
                rule="schema",
                message="the front matter must be a YAML mapping",
                hint=f"see `opsync schema {kind}` for the fields",
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
                    path=POLICY_FILE,
                    line=0,
                    col=0,
                    rule="policy-missing",
                    message=f"{POLICY_FILE} not found in {source.label}",
                    hint="run `opsync init` to create it",
                )
            ]
        return None, findings
    return Policy.from_dict(file.data), _policy_glob_findings(file)


def _policy_glob_findings(file: YamlFile) -> list[Finding]:
    """`require_feature_for` globs that can never match: a fail-open, so an error."""
    from opsync.globs import GLOB_HINT, glob_problem

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


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """What loading one file gave: the document (None when unusable) and its problems."""

    value: T | None
    problems: tuple[Finding, ...] = ()


@dataclass
class Workspace:
    """The documents of a workspace, each loaded on first use and kept with its problems.
    Nothing outside adds to them: `problems()` is computed from what was loaded."""

    source: FileSource
    policy: Policy
    _features: dict[str, Loaded[Feature]] = field(default_factory=dict)
    _weeks: dict[str, Loaded[Week]] = field(default_factory=dict)

    @cached_property
    def loaded_registry(self) -> Loaded[Registry]:
        file, problems = load_yaml_file(self.source, self.policy.paths.metrics, "metrics")
        if file is None and not problems:
            problems = [
                Finding(
                    path=self.policy.paths.metrics,
                    line=0,
                    col=0,
                    rule="registry-missing",
                    message="the metric registry is missing",
                    hint="run `opsync init` or create it",
                )
            ]
        return Loaded(Registry.from_file(file) if file else None, tuple(problems))

    @property
    def registry(self) -> Registry | None:
        return self.loaded_registry.value

    def problems(self) -> list[Finding]:
        """Load problems of every document read so far (released specs excepted)."""
        found: list[Finding] = []
        if "loaded_registry" in self.__dict__:  # only when something asked for it
            found += self.loaded_registry.problems
        for feature in self._features.values():
            found += feature.problems
        for week in self._weeks.values():
            found += week.problems
        return found

    def feature_paths(self) -> Iterator[str]:
        return self.source.list_files(self.policy.paths.features, ".md")

    def week_paths(self) -> Iterator[str]:
        return self.source.list_files(self.policy.paths.weeks, ".md")

    def load_feature(self, path: str) -> Loaded[Feature]:
        if path not in self._features:
            doc, problems = load_markdown(self.source, path, "feature", self.policy.section_titles)
            self._features[path] = Loaded(Feature(path, doc) if doc else None, tuple(problems))
        return self._features[path]

    def feature_at(self, path: str) -> Feature | None:
        return self.load_feature(path).value

    def release(self, path: str) -> None:
        """Forget a parsed spec: a whole-repo lint reads each one once."""
        self._features.pop(path, None)

    def feature(self, feature_id: str) -> Feature | None:
        return self.feature_at(self.policy.paths.feature_path(feature_id))

    def load_week(self, path: str) -> Loaded[Week]:
        if path not in self._weeks:
            doc, problems = load_markdown(self.source, path, "week", self.policy.section_titles)
            self._weeks[path] = Loaded(Week(path, doc) if doc else None, tuple(problems))
        return self._weeks[path]

    def week_at(self, path: str) -> Week | None:
        return self.load_week(path).value

    def feature_exists(self, feature_id: str) -> bool:
        return self.source.kind(self.policy.paths.feature_path(feature_id)) is Kind.FILE

    def week_exists(self, week: str) -> bool:
        return self.source.kind(self.policy.paths.week_path(week)) is Kind.FILE
