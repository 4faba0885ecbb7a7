"""The rule registry. Every rule id that can appear in a finding is declared here,
including the ones raised while parsing, so `docs/rules.md` lists them all."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opsync.findings import Finding

if TYPE_CHECKING:
    from opsync.workspace.model import Workspace

Check = Callable[[Any, "Workspace"], Iterable[Finding]]  # (document, workspace) -> findings


@dataclass(frozen=True)
class Rule:
    id: str
    target: str  # "file", "registry", "feature", "week", "gate", "data"
    summary: str
    check: Check | None = None


RULES: dict[str, Rule] = {}

# Modules that register rules; imported once, on first use of `rules_for`.
RULE_MODULES = (
    "opsync.rules.metric_rules",
    "opsync.rules.week_rules",
    "opsync.rules.feature_rules",
    "opsync.rules.gate_rules",
    "opsync.rules.query_rules",
    "opsync.rules.outcome_rules",
)


def declare(rule_id: str, target: str, summary: str) -> None:
    """A rule raised by a parser or the gate rather than by a registered check."""
    RULES[rule_id] = Rule(rule_id, target, summary)


def rule(rule_id: str, target: str, summary: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise RuntimeError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, target, summary, check)
        return check

    return register


def load_all() -> dict[str, Rule]:
    for module in RULE_MODULES:
        importlib.import_module(module)
    return RULES


def rules_for(target: str) -> list[Rule]:
    load_all()
    return [r for r in RULES.values() if r.target == target and r.check is not None]


def run(target: str, doc: Any, workspace: Workspace) -> list[Finding]:
    findings: list[Finding] = []
    for item in rules_for(target):
        assert item.check is not None
        findings.extend(item.check(doc, workspace))
    return findings


# Raised while reading files (opsync.documents, opsync.workspace.model).
declare("encoding", "file", "Files are UTF-8 (a BOM and CRLF line ends are accepted).")
declare("yaml-syntax", "file", "YAML must parse; tabs are not allowed for indentation.")
declare("yaml-duplicate-key", "file", "A mapping must not repeat a key.")
declare("yaml-unsafe-tag", "file", "No YAML tags that build objects (`!!python/...`).")
declare(
    "yaml-limits",
    "file",
    "Aliases are capped in number and expanded size (no alias bombs); nesting in depth.",
)
declare("file-too-large", "file", "An opsync file (YAML, Markdown or CSV) is at most 1 MB.")
declare("front-matter-missing", "file", "Specs and week docs start with a `---` YAML block.")
declare("front-matter-unclosed", "file", "The front-matter block ends with a `---` line.")
declare("schema", "file", "The file matches its JSON Schema (`opsync schema KIND`).")
declare("unsafe-path", "file", "opsync files and materials are regular files, never symlinks.")
declare("policy-missing", "file", "The workspace has an `opsync.yml`.")
declare("policy-glob", "file", "Every `require_feature_for` glob can match a path.")
declare("registry-missing", "file", "The workspace has a metric registry.")

# Raised while reading metric values (opsync.metrics.values).
declare("data-encoding", "data", "Data files are UTF-8 (a BOM and CRLF line ends are accepted).")
declare("data-header", "data", "A data file starts with the header `period,metric,value`.")
declare("data-row", "data", "Each row is valid CSV with exactly three fields.")
declare("data-period", "data", "A period is an ISO week, a month, a quarter or a date.")
declare("data-value", "data", "A value is a finite plain number.")
declare("data-duplicate", "data", "A metric has one value per period, across all data files.")
declare("data-unknown-metric", "data", "Every metric in a data file is in the registry.")
