"""The shipped JSON Schemas: metaschema-valid, documented, accepting the DESIGN examples
and refusing the mistakes users make; and `opsync schema` printing them."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from opsync.cli import root
from opsync.documents import safe_yaml
from opsync.documents.schema import KINDS, schema_issues, schema_text

DIGEST = "sha256:" + "ab" * 32
SIGNATURE = (
    "-----BEGIN SSH SIGNATURE-----\n"
    "U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg\n"
    "-----END SSH SIGNATURE-----\n"
)

# The examples from DESIGN.md §2.1-2.4, parsed the way opsync parses real files.
VALID_YAML: dict[str, str] = {
    "policy": """
version: 1
roles:
  product: [alice, bob]
  ops: [carol, "@dave", "@acme/ops-team"]
  admins: [erin]
enforcement: blocking
signoff: {min_approvals: 1, sources: [github, record]}
require_feature_for: ["src/**"]
paths: {features: opsync/features, weeks: opsync/weeks, data: opsync/data}
gates: {launch-materials: {from: build}, ops-signoff: {from: design}}
sections: {ops-insight: [Ops notes, 运营笔记]}
limits: {key_metrics: 3, stale_week_after: 4}
week: {due_weekday: 3}
""",
    "metrics": """
version: 1
north_star: member-value-density
key_metrics: [member-value-density, first-order-conversion]
metrics:
  - id: monthly-purchases-per-member
    name: Monthly purchases per member
    unit: purchases/member/month
    owners: {product: alice, ops: carol}
  - id: member-value-density
    name: Member value density
    formula: monthly-purchases-per-member * average-order-value
    unit: CNY/member/month
    owners: {product: alice, ops: carol}
    targets:
      - {period: 2026-Q4, baseline: 398.5, target: 420}
      - {period: 2026-W48, target: 400}
      - {period: 2026-11, target: 401}
      - {period: 2026-11-24, baseline: 399, target: 402}
""",
    "week": """
week: 2026-W48
goal:
  statement: Lift first-order conversion of new users
  metric: first-order-conversion
product_actions:
  - {feature: signup-revamp, action: streamline the sign-up flow, owner: alice}
  - {feature: member-tiers, action: ship tier badges, owner: bob, done: true}
ops_support:
  - {for: signup-revamp, action: push a new-user coupon, owner: carol}
  - {for: member-tiers, none: badges need no campaign}
notes: short meeting
""",
    "feature": """
id: member-tiers
title: Member system revamp
status: research
type: user-facing
owners: {product: alice, ops: carol}
week: 2026-W48
metric: member-value-density
launch_materials:
  - {kind: promo-copy, path: launch/member-tiers/push-copy.md}
  - {kind: cs-faq, na: no new support flow}
code: ["src/membership/**"]
scope:
  - {item: tier badges, priority: core}
  - {item: tier history, priority: later}
description: Tiers that show members their savings.
""",
    "approval": f"""
version: 2
repo: opsync-test-repo
feature: member-tiers
reviewer: carol
base: {DIGEST}
digest: {DIGEST}
signed_at: 2026-11-24T09:30:00Z
commit: {"0123456789abcdef" * 2 + "01234567"}
signature: |
{"".join("  " + line + chr(10) for line in SIGNATURE.splitlines())}""",
}


def valid(kind: str) -> Any:
    return safe_yaml.load(VALID_YAML[kind])


DELETE = object()


def changed(data: Any, path: str, value: Any) -> Any:
    """A copy of `data` with the value at dotted `path` replaced (DELETE removes it)."""
    result = copy.deepcopy(data)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = result
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return result


# (kind, dotted path, new value, why it must fail)
INVALID: list[tuple[str, str, Any, str]] = [
    ("policy", "version", 2, "unknown format version"),
    ("policy", "enforcement", "strict", "enforcement is blocking or advisory"),
    ("policy", "roles.ops", ["carol smith"], "a login has no spaces"),
    ("policy", "roles.ops", ["-carol"], "a login starts with a letter or digit"),
    ("policy", "roles.ops", ["carol", "carol"], "duplicate login"),
    ("policy", "roles.qa", ["zoe"], "unknown role"),
    ("policy", "signoff.min_approvals", 0, "at least one approval"),
    ("policy", "signoff.sources", ["gitea"], "unknown approval source"),
    ("policy", "signoff.sources", ["record", "record"], "duplicate source"),
    ("policy", "gates.ops-signoff", {"from": "dropped"}, "a gate starts at a live status"),
    ("policy", "gates.code-review", {"from": "build"}, "unknown gate"),
    ("policy", "sections.summary", ["Summary"], "unknown section"),
    ("policy", "limits.key_metrics", 11, "key-metric cap above 10"),
    ("policy", "week.due_weekday", 8, "ISO weekday is 1..7"),
    ("policy", "paths.features", "../elsewhere", "paths stay inside the repo"),
    ("policy", "paths.weeks", "/abs/weeks", "paths are relative"),
    ("policy", "require_feature_for", "src/**", "globs are a list"),
    ("metrics", "version", DELETE, "version is required"),
    ("metrics", "metrics.0.id", "Monthly_Purchases", "ids are lowercase with hyphens"),
    ("metrics", "metrics.0.name", DELETE, "a metric has a name"),
    ("metrics", "metrics.0.colour", "red", "unknown metric field"),
    ("metrics", "metrics.1.targets.0.period", "2026-Q5", "no fifth quarter"),
    ("metrics", "metrics.1.targets.0.period", "2026-W54", "no week 54"),
    ("metrics", "metrics.1.targets.0.period", "Q4 2026", "not a period"),
    ("metrics", "metrics.1.targets.0.target", "420", "a target is a number"),
    ("metrics", "metrics.1.owners.design", "zoe", "owners are product and ops"),
    ("metrics", "key_metrics", ["member-value-density", "member-value-density"], "dupe"),
    ("week", "week", "2026-48", "not an ISO week"),
    ("week", "week", "2026-W00", "weeks start at 1"),
    ("week", "goal", DELETE, "the goal is required"),
    ("week", "goal.metric", "First Order", "a metric id"),
    ("week", "product_actions.0.owner", DELETE, "an action has an owner"),
    ("week", "product_actions.1.done", "yes", "done is a boolean"),
    ("week", "ops_support.1", {"for": "member-tiers"}, "support with neither action nor none"),
    (
        "week",
        "ops_support.0",
        {"for": "signup-revamp", "action": "coupon", "owner": "carol", "none": "x"},
        "support with both action and none",
    ),
    ("week", "ops_support.1.none", "", "none needs a reason"),
    ("feature", "status", "shipped", "unknown status"),
    ("feature", "type", "external", "unknown type"),
    ("feature", "owners.ops", DELETE, "an ops owner from day one"),
    ("feature", "owners.ops", "carol smith", "an owner is one login"),
    ("feature", "owners", "alice", "owners are product and ops"),
    ("feature", "metric", DELETE, "metric is required"),
    ("feature", "week", "2026-W48-1", "not an ISO week"),
    ("feature", "id", "-tiers", "ids start with a letter or digit"),
    (
        "feature",
        "launch_materials.0",
        {"kind": "promo-copy", "path": "launch/a.md", "na": "also n/a"},
        "material with both path and na",
    ),
    ("feature", "launch_materials.0", {"kind": "promo-copy"}, "material with neither"),
    ("feature", "launch_materials.1.na", "", "na needs a reason"),
    ("feature", "launch_materials.0.kind", DELETE, "a material has a kind"),
    ("feature", "scope.0.priority", "now", "priority is core or later"),
    ("feature", "owner", "alice", "unknown top-level field"),
    ("approval", "digest", "sha256:" + "AB" * 32, "digest is lowercase hex"),
    ("approval", "digest", "sha1:" + "ab" * 20, "digest is sha256"),
    ("approval", "digest", "sha256:abc", "digest has 64 hex digits"),
    ("approval", "commit", "abc123", "commit is 40 hex digits"),
    ("approval", "signed_at", "24 Nov 2026", "not RFC 3339"),
    ("approval", "signed_at", "2026-11-24T09:30:00", "RFC 3339 needs an offset"),
    ("approval", "signature", "signed by carol", "not an armored signature"),
    ("approval", "reviewer", "@acme/ops", "a reviewer is a person, not a team"),
    ("approval", "version", DELETE, "version is required"),
    ("approval", "approved", True, "unsigned extra field"),
]


def on_one_path(a: tuple[str | int, ...], b: tuple[str | int, ...]) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


def walk_properties(schema: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every (location, subschema) declared under `properties` anywhere in `schema`."""
    if isinstance(schema, dict):
        for name, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict):
                yield f"{where}/{name}", sub
        for key, sub in schema.items():
            yield from walk_properties(sub, f"{where}/{key}")
    elif isinstance(schema, list):
        for index, sub in enumerate(schema):
            yield from walk_properties(sub, f"{where}/{index}")


@pytest.mark.parametrize("kind", list(KINDS))
def test_schema_passes_the_metaschema(kind: str) -> None:
    schema = json.loads(schema_text(kind))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:opsync:schema:{kind}"
    assert schema["title"] and "\n" not in schema["title"]
    assert schema["description"]
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_property_is_described_for_editors(kind: str) -> None:
    schema = json.loads(schema_text(kind))
    props = list(walk_properties(schema))
    assert props, "a schema without properties describes nothing"
    undocumented = [where for where, sub in props if not sub.get("description")]
    assert undocumented == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_design_examples_are_valid(kind: str) -> None:
    assert schema_issues(kind, valid(kind)) == []


def test_minimal_documents_are_valid() -> None:
    assert schema_issues("policy", {}) == []  # every policy field has a default
    assert schema_issues("metrics", {"version": 1, "metrics": []}) == []
    # a freshly scaffolded week doc: blanks are the week check's business, not the schema's
    assert (
        schema_issues("week", {"week": "2026-W01", "goal": {"statement": "", "metric": ""}}) == []
    )
    feature = {k: v for k, v in valid("feature").items() if k in ("id", "title", "status")}
    feature.update(type="internal", owners={"product": "alice", "ops": "carol"}, metric="m")
    assert schema_issues("feature", feature) == []
    # `opsync new feature` and `opsync init` leave blanks to fill in; rules report them
    blank = {"owners": {"product": "", "ops": ""}, "metric": "", "week": ""}
    assert schema_issues("feature", {**feature, **blank}) == []
    unowned = changed(valid("metrics"), "metrics.0.owners", {"product": "", "ops": ""})
    assert schema_issues("metrics", unowned) == []
    approval = changed(valid("approval"), "commit", DELETE)
    assert schema_issues("approval", approval) == []


@pytest.mark.parametrize(
    ("kind", "path", "value", "why"), INVALID, ids=[f"{c[0]}-{c[3]}" for c in INVALID]
)
def test_invalid_instances_are_refused(kind: str, path: str, value: Any, why: str) -> None:
    issues = schema_issues(kind, changed(valid(kind), path, value))
    assert issues, why
    # an issue points at, above or inside the changed field, so a finding can be located
    target = tuple(int(p) if p.isdigit() else p for p in path.split("."))
    assert any(on_one_path(target, issue.path) for issue in issues), issues


def test_a_real_ssh_signature_fits_the_approval_schema(tmp_path: Any) -> None:
    key = tmp_path / "key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "carol", "-f", str(key)],
        check=True,
    )
    message = tmp_path / "record"
    message.write_text("feature: member-tiers\n")
    subprocess.run(
        ["ssh-keygen", "-Y", "sign", "-f", str(key), "-n", "opsync", str(message)],
        check=True,
        capture_output=True,
    )
    signature = (tmp_path / "record.sig").read_text()
    assert schema_issues("approval", changed(valid("approval"), "signature", signature)) == []


def run_cli(*args: str) -> Any:
    result = CliRunner().invoke(root, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.mark.parametrize("kind", list(KINDS))
def test_cli_prints_the_schema_as_json(kind: str) -> None:
    result = run_cli("schema", kind)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(schema_text(kind))


def test_cli_lists_kinds_with_a_summary() -> None:
    result = run_cli("schema", "--list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(KINDS)
    assert all(len(line.split()) > 1 for line in lines), lines


def test_cli_unknown_kind_is_a_usage_error_naming_the_valid_ones() -> None:
    result = run_cli("schema", "workflow")
    assert result.exit_code == 2, result.output
    assert "workflow" in result.stderr
    assert all(kind in result.stderr for kind in KINDS), result.stderr
    assert result.stdout == ""


def test_cli_without_a_kind_is_a_usage_error() -> None:
    result = run_cli("schema")
    assert result.exit_code == 2, result.output
    assert "--list" in result.stderr


def test_installed_entry_point_prints_the_schema() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "opsync", "schema", "approval"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["$id"] == "urn:opsync:schema:approval"
    proc = subprocess.run(
        [sys.executable, "-m", "opsync", "schema", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "policy, metrics, week, feature, approval" in proc.stderr
