"""Each gate of docs/gates.md as a unit: a feature and workspace in memory, one verdict out.

The files live in a dict-backed FileSource, so the specs go through the real loader
(markdown parse and schema) without git or disk. Specs the schema would refuse (no ops
owner, a material without kind) are parsed directly, as the gates must still be total.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date

import pytest

from opsync.documents import markdown_doc
from opsync.evidence.tally import Tally
from opsync.findings import Finding, Severity
from opsync.gate import gates
from opsync.results import Gate, GateResult, GateState
from opsync.workspace.model import Feature, Workspace
from opsync.workspace.policy import GATES, Policy
from opsync.workspace.source import FileSource, Kind

TODAY = date(2026, 11, 25)  # a Wednesday in 2026-W48
SPEC = "opsync/features/tiers.md"
MATERIAL = "launch/tiers/push-copy.md"

REGISTRY = """\
version: 1
north_star: value-density
key_metrics: [value-density]
metrics:
  - {id: purchases, name: Purchases, unit: purchase, owners: {product: alice, ops: carol}}
  - {id: order-value, name: Order value, unit: CNY/purchase, owners: {product: alice, ops: carol}}
  - id: value-density
    name: Value density
    formula: purchases * order-value
    unit: CNY
    owners: {product: alice, ops: carol}
  - {id: tickets, name: Tickets, unit: ticket, owners: {product: bob, ops: dave}}
"""
WEEK = """\
---
week: {week}
goal: {{statement: Grow value density, metric: value-density}}
product_actions:
  - {{feature: tiers, action: research, owner: alice}}
ops_support:
  - {{for: tiers, action: recruit, owner: carol}}
---
# Week
"""
INSIGHT = "Members care about savings.\n"
CHECKS = "- [x] tier computed\n- [x] discount at checkout\n- [ ] (later) history page\n"
MATERIALS = f"  - {{kind: promo-copy, path: {MATERIAL}}}\n  - {{kind: cs-faq, na: no flow}}\n"


class DictSource:
    """A FileSource over a dict: path -> bytes; `links` and `others` name non-files."""

    label = "memory"

    def __init__(
        self,
        files: dict[str, str | bytes],
        links: frozenset[str] = frozenset(),
        others: frozenset[str] = frozenset(),
    ) -> None:
        self.files = {p: c.encode() if isinstance(c, str) else c for p, c in files.items()}
        self.links = links
        self.others = others

    def kind(self, path: str) -> Kind:
        if path in self.links:
            return Kind.SYMLINK
        if path in self.others:
            return Kind.OTHER
        if path in self.files:
            return Kind.FILE
        every = [*self.files, *self.links, *self.others]
        if any(p.startswith(path + "/") for p in every):
            return Kind.DIR
        return Kind.MISSING

    def size(self, path: str) -> int:
        return len(self.files[path])

    def read(self, path: str) -> bytes:
        return self.files[path]

    def list_files(self, folder: str, suffix: str = "") -> Iterator[str]:
        names = [*self.files, *self.links]
        inside = [p for p in names if p.rpartition("/")[0] == folder and p.endswith(suffix)]
        return iter(sorted(inside))

    def blob_id(self, path: str) -> str | None:
        if self.kind(path) is not Kind.FILE:
            return None
        data = self.files[path]
        return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def test_dict_source_is_a_file_source() -> None:
    source: FileSource = DictSource({"a/b.md": "x", "a/c.txt": ""}, links=frozenset({"a/l.md"}))
    assert list(source.list_files("a", ".md")) == ["a/b.md", "a/l.md"]
    assert source.kind("a") is Kind.DIR
    assert source.blob_id("a/c.txt") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # git's empty
    assert source.blob_id("a/l.md") is None


def spec(
    *,
    status: str = "research",
    kind: str = "user-facing",
    ops: str = "carol",
    week: str | None = "2026-W48",
    metric: str = "value-density",
    materials: str = MATERIALS,
    extra: str = "",
    insight: str = INSIGHT,
    checks: str | None = CHECKS,
) -> str:
    week_line = f"week: {week}\n" if week else ""
    listed = f"launch_materials:\n{materials}" if materials else ""
    validation = (
        f"<!-- opsync:functional-validation -->\n## Functional validation\n\n{checks}\n"
        if checks is not None
        else ""
    )
    return (
        f"---\nid: tiers\ntitle: Member tiers\nstatus: {status}\ntype: {kind}\n"
        f"owners: {{product: alice, ops: {ops}}}\n{week_line}metric: {metric}\n"
        f"{listed}{extra}---\n# Member tiers\n\n"
        f"<!-- opsync:ops-insight -->\n## Ops insight\n\n{insight}\n{validation}"
    )


def workspace(
    text: str,
    *,
    files: dict[str, str | bytes] | None = None,
    policy: dict[str, object] | None = None,
    registry: str | None = REGISTRY,
    links: frozenset[str] = frozenset(),
) -> Workspace:
    tree: dict[str, str | bytes] = {
        SPEC: text,
        "opsync/weeks/2026-W48.md": WEEK.format(week="2026-W48"),
        MATERIAL: "Tiers are here.\n",
    }
    if registry is not None:
        tree["opsync/metrics.yml"] = registry
    tree.update(files or {})
    roles = {"product": ["alice", "bob"], "ops": ["carol", "dave"], "admins": ["erin"]}
    return Workspace(DictSource(tree, links), Policy.from_dict({"roles": roles, **(policy or {})}))


def feature_of(ws: Workspace) -> Feature:
    loaded = ws.load_feature(SPEC)
    assert loaded.value is not None, loaded.problems
    return loaded.value


def loaded(text: str, **kwargs: object) -> tuple[Feature, Workspace]:
    ws = workspace(text, **kwargs)  # type: ignore[arg-type]
    return feature_of(ws), ws


def unchecked(text: str) -> Feature:
    """A spec the schema would refuse, parsed as is."""
    return Feature(SPEC, markdown_doc.parse(text.encode()))


def line_of(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(start))


# --- shared-metric ---------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["value-density", "purchases", "order-value"])
def test_shared_metric_passes_for_a_key_metric_or_one_feeding_it(metric: str) -> None:
    feature, ws = loaded(spec(metric=metric))
    outcome = gates.shared_metric(feature, ws)
    assert outcome.result == GateResult(
        Gate.SHARED_METRIC, GateState.PASS, f"aligned metric '{metric}'"
    )
    assert outcome.keys == ["metric"]


def test_shared_metric_fails_for_a_metric_feeding_no_key_metric() -> None:
    feature, ws = loaded(spec(metric="tickets"))
    result = gates.shared_metric(feature, ws).result
    assert result.state is GateState.FAIL
    assert result.message == "no aligned metric: 'tickets' is not a key metric and feeds none"
    assert result.hint == "link the feature to a key metric or one whose formula feeds it"


def test_shared_metric_fails_for_an_unknown_metric() -> None:
    feature, ws = loaded(spec(metric="revenue"))
    result = gates.shared_metric(feature, ws).result
    assert result.state is GateState.FAIL
    assert result.message == "metric 'revenue' is not in the registry"


@pytest.mark.parametrize("registry", [None, "version: 1\nmetrics: [oops\n", "- a list\n"])
def test_shared_metric_fails_without_a_usable_registry(registry: str | None) -> None:
    feature, ws = loaded(spec(), registry=registry)
    result = gates.shared_metric(feature, ws).result
    assert result.state is GateState.FAIL
    assert result.message == "the metric registry is missing or invalid"
    assert result.hint == "fix opsync/metrics.yml (`opsync validate`)"


# --- ops-involvement -------------------------------------------------------------------


def test_ops_involvement_passes_for_a_rostered_ops_owner() -> None:
    feature, ws = loaded(spec(ops="Carol"))
    outcome = gates.ops_involvement(feature, ws)
    assert outcome.result == GateResult(Gate.OPS_INVOLVEMENT, GateState.PASS, "ops owner Carol")
    assert outcome.keys == ["owners", "ops"]


def test_ops_involvement_fails_for_an_owner_off_the_ops_roster() -> None:
    feature, ws = loaded(spec(ops="alice"))  # on the roster, but for product
    outcome = gates.ops_involvement(feature, ws)
    assert outcome.result.state is GateState.FAIL
    assert outcome.result.message == "ops owner 'alice' is not on the ops roster"
    assert outcome.result.hint == "set owners.ops to a login from roles.ops"
    assert outcome.keys == ["owners", "ops"]


def test_ops_involvement_fails_with_no_ops_owner() -> None:
    text = spec().replace("owners: {product: alice, ops: carol}", "owners: {product: alice}")
    ws = workspace(text)
    result = gates.ops_involvement(unchecked(text), ws).result
    assert result.state is GateState.FAIL
    assert result.message == "no ops owner"


@pytest.mark.parametrize("insight", ["", "<!-- what did ops learn? -->\n"])
def test_ops_insight_may_be_empty_during_research(insight: str) -> None:
    feature, ws = loaded(spec(status="research", insight=insight))
    assert gates.ops_involvement(feature, ws).result.state is GateState.PASS


@pytest.mark.parametrize("status", ["design", "build", "validation", "launched"])
@pytest.mark.parametrize("insight", ["", "<!-- what did ops learn? -->\n"])
def test_ops_insight_must_be_written_from_design_on(status: str, insight: str) -> None:
    feature, ws = loaded(spec(status=status, insight=insight))
    outcome = gates.ops_involvement(feature, ws)
    assert outcome.result.state is GateState.FAIL
    assert outcome.result.message == (
        f"from `design` on the ops-insight section must say what ops learned (status: {status})"
    )
    assert outcome.keys == ["status"]


def test_ops_insight_section_missing_fails_from_design_on() -> None:
    text = spec(status="design").replace("<!-- opsync:ops-insight -->\n## Ops insight\n", "")
    text = text.replace(INSIGHT, "")
    feature, ws = loaded(text)
    assert "ops-insight" not in feature.doc.sections
    assert gates.ops_involvement(feature, ws).result.state is GateState.FAIL


def test_ops_insight_is_not_asked_of_a_dropped_feature() -> None:
    feature, ws = loaded(spec(status="dropped", insight=""))
    assert gates.ops_involvement(feature, ws).result.state is GateState.PASS


# --- week-alignment --------------------------------------------------------------------


def test_week_alignment_passes_for_this_weeks_doc() -> None:
    feature, ws = loaded(spec())
    outcome = gates.week_alignment(feature, ws, TODAY)
    assert outcome.result == GateResult(Gate.WEEK_ALIGNMENT, GateState.PASS, "planned in 2026-W48")
    assert outcome.keys == ["week"]


def test_week_alignment_fails_without_a_week() -> None:
    feature, ws = loaded(spec(week=None))
    outcome = gates.week_alignment(feature, ws, TODAY)
    assert outcome.result.state is GateState.FAIL
    assert outcome.result.message == "the spec names no week"
    assert outcome.keys == ["id"]


def test_week_alignment_fails_when_the_week_doc_is_missing() -> None:
    feature, ws = loaded(spec(week="2026-W47"))
    result = gates.week_alignment(feature, ws, TODAY).result
    assert result.state is GateState.FAIL
    assert result.message == "week doc opsync/weeks/2026-W47.md does not exist"
    assert result.hint == "create it with `opsync new week --week 2026-W47`"


def test_week_alignment_uses_the_policy_weeks_folder() -> None:
    doc = {"docs/weeks/2026-W48.md": WEEK.format(week="2026-W48")}
    feature, ws = loaded(spec(), files=doc, policy={"paths": {"weeks": "docs/weeks"}})
    assert gates.week_alignment(feature, ws, TODAY).result.state is GateState.PASS


@pytest.mark.parametrize(
    ("week", "state"),
    [("2026-W44", GateState.PASS), ("2026-W43", GateState.WARN), ("2026-W50", GateState.PASS)],
)
def test_week_alignment_warns_after_four_weeks(week: str, state: GateState) -> None:
    doc = {f"opsync/weeks/{week}.md": WEEK.format(week=week)}
    feature, ws = loaded(spec(week=week), files=doc)
    result = gates.week_alignment(feature, ws, TODAY).result
    assert result.state is state
    if state is GateState.WARN:
        assert result.message == f"week {week} is 5 weeks old"
        assert result.hint == "re-align in a recent week doc and update `week`"
    else:
        assert result.hint == ""


def test_week_alignment_staleness_follows_the_policy_limit() -> None:
    doc = {"opsync/weeks/2026-W46.md": WEEK.format(week="2026-W46")}
    feature, ws = loaded(
        spec(week="2026-W46"), files=doc, policy={"limits": {"stale_week_after": 1}}
    )
    result = gates.week_alignment(feature, ws, TODAY).result
    assert result.state is GateState.WARN
    assert result.message == "week 2026-W46 is 2 weeks old"


def test_week_alignment_counts_weeks_across_a_year_end() -> None:
    doc = {"opsync/weeks/2025-W52.md": WEEK.format(week="2025-W52")}
    feature, ws = loaded(spec(week="2025-W52"), files=doc)
    result = gates.week_alignment(feature, ws, date(2026, 1, 28)).result  # 2026-W05
    assert result.state is GateState.WARN
    assert result.message == "week 2025-W52 is 5 weeks old"


# --- launch-materials ------------------------------------------------------------------


def materials_state(
    listed: str, kind: str = "user-facing", **kwargs: object
) -> gates.MaterialState:
    feature, ws = loaded(spec(materials=listed, kind=kind), **kwargs)
    return gates.materials(feature, ws)


def test_materials_counts_real_files_and_skips_na() -> None:
    state = materials_state(MATERIALS)
    assert state == gates.MaterialState(True, (), 1)
    outcome = gates.launch_materials(unchecked(spec()), state)
    assert outcome.result == GateResult(
        Gate.LAUNCH_MATERIALS, GateState.PASS, "1 material file(s) present"
    )


def test_a_material_path_is_normalised_before_it_is_looked_up() -> None:
    state = materials_state(f"  - {{kind: promo-copy, path: ./{MATERIAL}}}\n")
    assert state.ok
    assert state.real_files == 1


@pytest.mark.parametrize(
    ("path", "files", "links", "problem"),
    [
        ("launch/tiers/gone.md", {}, frozenset(), "promo-copy: launch/tiers/gone.md is missing"),
        ("launch/tiers/e.md", {"launch/tiers/e.md": ""}, frozenset(), "is empty"),
        ("launch/tiers/l.md", {}, frozenset({"launch/tiers/l.md"}), "is a symlink, not a file"),
        ("launch/tiers", {}, frozenset(), "promo-copy: launch/tiers is a dir, not a file"),
        ("/etc/passwd", {}, frozenset(), "'/etc/passwd' is absolute or outside the repo"),
        ("../secrets.md", {}, frozenset(), "'../secrets.md' is absolute or outside the repo"),
    ],
)
def test_each_bad_material_is_a_located_problem(
    path: str, files: dict[str, str], links: frozenset[str], problem: str
) -> None:
    listed = f"  - {{kind: promo-copy, na: none}}\n  - {{kind: promo-copy, path: '{path}'}}\n"
    state = materials_state(listed, files=files, links=links)
    assert not state.ok
    assert state.real_files == 0
    assert len(state.problems) == 1
    assert state.problems[0].keys == ["launch_materials", 1]
    assert problem in state.problems[0].message
    outcome = gates.launch_materials(unchecked(spec()), state)
    assert outcome.result.state is GateState.FAIL
    assert outcome.keys == ["launch_materials", 1]
    assert outcome.result.hint == (
        "commit each material as a regular file inside the repo, or mark it `na: <reason>`"
    )


def test_a_material_that_is_neither_file_nor_link_is_refused() -> None:
    listed = "  - {kind: training, path: launch/tiers/sub}\n"
    feature, _ = loaded(spec(materials=listed))
    # A submodule or fifo at the path: never read, whatever it is.
    ws = Workspace(DictSource({}, others=frozenset({"launch/tiers/sub"})), Policy())
    state = gates.materials(feature, ws)
    assert not state.ok
    assert state.problems[0].message == "training: launch/tiers/sub is a other, not a file"


def test_launch_materials_lists_every_problem_and_points_at_the_first() -> None:
    listed = (
        f"  - {{kind: promo-copy, path: {MATERIAL}}}\n"
        "  - {kind: cs-faq, path: launch/tiers/faq.md}\n"
        "  - {kind: training, path: /abs.md}\n"
    )
    state = materials_state(listed)
    assert state.real_files == 1
    outcome = gates.launch_materials(unchecked(spec()), state)
    assert outcome.result.message == (
        "cs-faq: launch/tiers/faq.md is missing; "
        "training: '/abs.md' is absolute or outside the repo"
    )
    assert outcome.keys == ["launch_materials", 1]


def test_a_material_without_a_kind_is_named_by_its_position() -> None:
    text = spec(materials="  - {na: none}\n  - {path: launch/tiers/none.md}\n")
    feature = unchecked(text)
    state = gates.materials(feature, workspace(spec()))
    assert state.problems[0].message == "#2: launch/tiers/none.md is missing"


def test_a_user_facing_feature_needs_one_material_file() -> None:
    state = materials_state("  - {kind: cs-faq, na: no flow}\n")
    assert not state.ok
    assert state.problems == (
        gates.MaterialProblem(
            ["launch_materials"], "a user-facing feature needs at least one launch material file"
        ),
    )
    assert materials_state("").problems[0].keys == ["launch_materials"]


def test_an_internal_feature_may_have_no_material_file() -> None:
    assert materials_state("  - {kind: cs-faq, na: no flow}\n", kind="internal") == (
        gates.MaterialState(True, (), 0)
    )
    assert materials_state("", kind="internal").ok


# --- co-validation ---------------------------------------------------------------------

READY = gates.MaterialState(True, (), 1)
NOT_READY = gates.MaterialState(False, (gates.MaterialProblem(["launch_materials"], "x"),), 0)


def test_co_validation_passes_when_core_checks_are_done_and_materials_ready() -> None:
    outcome = gates.co_validation(unchecked(spec()), READY)
    assert outcome.result == GateResult(
        Gate.CO_VALIDATION, GateState.PASS, "product 2/2 checks done; ops materials ready"
    )
    assert outcome.keys == ["status"]


def test_co_validation_names_the_first_three_open_items() -> None:
    checks = "- [x] a\n- [ ] b\n- [ ] c\n- [ ] d\n- [ ] e\n"
    result = gates.co_validation(unchecked(spec(checks=checks)), READY).result
    assert result.state is GateState.FAIL
    assert result.message == "product 1/5 checks done (open: b, c, d)"
    assert "later-scope items do not count" in result.hint


def test_co_validation_fails_while_materials_are_incomplete() -> None:
    result = gates.co_validation(unchecked(spec()), NOT_READY).result
    assert result.message == "ops launch materials incomplete"
    both = gates.co_validation(unchecked(spec(checks="- [ ] a\n")), NOT_READY).result
    assert both.message == "product 0/1 checks done (open: a); ops launch materials incomplete"


@pytest.mark.parametrize("checks", [None, "", "- [ ] (later) history\n- [ ] later: export\n"])
def test_co_validation_needs_a_core_checklist(checks: str | None) -> None:
    outcome = gates.co_validation(unchecked(spec(checks=checks)), READY)
    assert outcome.result.state is GateState.FAIL
    assert outcome.result.message == "no functional-validation checklist"
    assert outcome.keys == ["id"]


def test_items_matching_a_later_scope_item_do_not_count() -> None:
    scope = "scope:\n  - {item: Tier history page, priority: later}\n"
    scope += "  - {item: discount at checkout, priority: core}\n"
    checks = "- [x] discount at checkout\n- [ ] tier history page\n"
    result = gates.co_validation(unchecked(spec(checks=checks, extra=scope)), READY).result
    assert result.state is GateState.PASS
    assert result.message == "product 1/1 checks done; ops materials ready"


def test_a_core_scope_item_still_counts() -> None:
    scope = "scope:\n  - {item: tier history page, priority: core}\n"
    checks = "- [x] discount\n- [ ] tier history page\n"
    result = gates.co_validation(unchecked(spec(checks=checks, extra=scope)), READY).result
    assert result.message == "product 1/2 checks done (open: tier history page)"


def test_co_validation_uses_the_loaded_spec_too() -> None:
    feature, ws = loaded(spec(status="validation"))
    state = gates.materials(feature, ws)
    assert gates.co_validation(feature, state).result.state is GateState.PASS


# --- untracked materials (part of ops-signoff) ----------------------------------------


def test_plainly_written_material_paths_are_tracked() -> None:
    assert gates.untracked_materials(unchecked(spec())) is None
    na_only = spec(materials="  - {kind: cs-faq, na: none}\n")
    assert gates.untracked_materials(unchecked(na_only)) is None


@pytest.mark.parametrize(
    ("written", "raw"),
    [
        (f"./{MATERIAL}", f"./{MATERIAL}"),
        ("launch//tiers/push-copy.md", "launch//tiers/push-copy.md"),
        ('"launch/tiers/push\\x2Dcopy.md"', MATERIAL),  # YAML escape: text never says it
    ],
)
def test_a_material_path_not_written_as_the_repo_spells_it_blocks_signoff(
    written: str, raw: str
) -> None:
    listed = f"  - {{kind: cs-faq, na: none}}\n  - {{kind: promo-copy, path: {written}}}\n"
    feature = unchecked(spec(materials=listed))
    assert feature.materials[1]["path"] == raw
    outcome = gates.untracked_materials(feature)
    assert outcome is not None
    assert outcome.result.gate is Gate.OPS_SIGNOFF
    assert outcome.result.state is GateState.FAIL
    assert outcome.result.message.startswith(f"material path {raw!r} is not written as {MATERIAL}")
    assert (
        outcome.result.hint == f"write the path plainly as `{MATERIAL}` (no `./`, `//` or escapes)"
    )
    assert outcome.keys == ["launch_materials", 1, "path"]


def test_unsafe_material_paths_are_left_to_launch_materials() -> None:
    listed = "  - {kind: promo-copy, path: /etc/passwd}\n  - {kind: x, path: ../up.md}\n"
    assert gates.untracked_materials(unchecked(spec(materials=listed))) is None


# --- evaluate --------------------------------------------------------------------------


class Signoff:
    def __init__(
        self, state: GateState = GateState.PASS, message: str = "approved by dave"
    ) -> None:
        self.calls = 0
        self.tally = Tally(state, message, "" if state is GateState.PASS else "ask dave")

    def __call__(self) -> Tally:
        self.calls += 1
        return self.tally


def states(result: object) -> dict[Gate, GateState]:
    return {g.gate: g.state for g in result.gates}  # type: ignore[attr-defined]


def test_evaluate_research_skips_the_validation_gates() -> None:
    feature, ws = loaded(spec())
    signoff = Signoff()
    result, findings = gates.evaluate(feature, ws, signoff, TODAY)
    assert [g.gate for g in result.gates] == list(GATES)
    assert states(result) == {
        Gate.SHARED_METRIC: GateState.PASS,
        Gate.OPS_INVOLVEMENT: GateState.PASS,
        Gate.WEEK_ALIGNMENT: GateState.PASS,
        Gate.LAUNCH_MATERIALS: GateState.SKIP,
        Gate.CO_VALIDATION: GateState.SKIP,
        Gate.EXPECTED_EFFECT: GateState.SKIP,
        Gate.OPS_SIGNOFF: GateState.PASS,
    }
    skipped = result.gates[3]
    assert skipped.message == "applies from validation (status: research)"
    assert signoff.calls == 1
    assert findings == []
    assert (result.feature, result.title, result.status, result.path) == (
        "tiers",
        "Member tiers",
        "research",
        SPEC,
    )
    assert result.passed


def test_evaluate_validation_runs_every_gate() -> None:
    promise = "expected: {direction: up, change: 5%, within: 8}\n"
    feature, ws = loaded(spec(status="validation", extra=promise))
    result, findings = gates.evaluate(feature, ws, Signoff(), TODAY)
    assert set(states(result).values()) == {GateState.PASS}
    assert findings == []


def test_evaluate_dropped_needs_only_ops_signoff() -> None:
    feature, ws = loaded(spec(status="dropped", metric="tickets", week=None))
    signoff = Signoff(GateState.FAIL, "needs 1 more ops approval(s) of feature tiers")
    result, findings = gates.evaluate(feature, ws, signoff, TODAY)
    assert {g: s for g, s in states(result).items() if s is not GateState.SKIP} == {
        Gate.OPS_SIGNOFF: GateState.FAIL
    }
    assert result.gates[0].message == "applies from research (status: dropped)"
    assert [f.rule for f in findings] == [Gate.OPS_SIGNOFF]
    assert findings[0].message == "tiers: needs 1 more ops approval(s) of feature tiers"
    assert findings[0].hint == "ask dave"
    assert not result.passed


def test_evaluate_follows_the_policy_gate_start() -> None:
    feature, ws = loaded(spec(), policy={"gates": {"ops-signoff": {"from": "build"}}})
    signoff = Signoff()
    result, _ = gates.evaluate(feature, ws, signoff, TODAY)
    assert states(result)[Gate.OPS_SIGNOFF] is GateState.SKIP
    assert result.gates[-1].message == "applies from build (status: research)"
    assert signoff.calls == 0  # no evidence gathered for a gate that does not apply


def test_evaluate_turns_each_failing_gate_into_a_located_finding() -> None:
    text = spec(metric="tickets", week="2026-W43", status="design", insight="")
    feature, ws = loaded(text, files={"opsync/weeks/2026-W43.md": WEEK.format(week="2026-W43")})
    result, findings = gates.evaluate(feature, ws, Signoff(GateState.STALE, "stale"), TODAY)
    assert states(result) == {
        Gate.SHARED_METRIC: GateState.FAIL,
        Gate.OPS_INVOLVEMENT: GateState.FAIL,
        Gate.WEEK_ALIGNMENT: GateState.WARN,
        Gate.LAUNCH_MATERIALS: GateState.SKIP,
        Gate.CO_VALIDATION: GateState.SKIP,
        Gate.EXPECTED_EFFECT: GateState.SKIP,
        Gate.OPS_SIGNOFF: GateState.STALE,
    }
    by_rule = {f.rule: f for f in findings}
    assert set(by_rule) == {
        Gate.SHARED_METRIC,
        Gate.OPS_INVOLVEMENT,
        Gate.WEEK_ALIGNMENT,
        Gate.OPS_SIGNOFF,
    }
    assert all(f.path == SPEC for f in findings)
    assert by_rule[Gate.SHARED_METRIC].line == line_of(text, "metric:")
    assert by_rule[Gate.OPS_INVOLVEMENT].line == line_of(text, "status:")
    assert by_rule[Gate.WEEK_ALIGNMENT].line == line_of(text, "week:")
    assert by_rule[Gate.OPS_SIGNOFF].line == line_of(text, "id:")
    assert by_rule[Gate.WEEK_ALIGNMENT].severity is Severity.WARNING
    assert by_rule[Gate.SHARED_METRIC].severity is Severity.ERROR
    assert by_rule[Gate.OPS_SIGNOFF].severity is Severity.ERROR
    assert by_rule[Gate.SHARED_METRIC].message == (
        "tiers: no aligned metric: 'tickets' is not a key metric and feeds none"
    )
    assert not result.passed


def test_evaluate_untracked_material_fails_signoff_without_asking_for_evidence() -> None:
    listed = f"  - {{kind: promo-copy, path: ./{MATERIAL}}}\n"
    text = spec(materials=listed)
    feature, ws = loaded(text)
    signoff = Signoff()
    result, findings = gates.evaluate(feature, ws, signoff, TODAY)
    assert states(result)[Gate.OPS_SIGNOFF] is GateState.FAIL
    assert signoff.calls == 0
    assert findings[0].rule == Gate.OPS_SIGNOFF
    assert findings[0].line == line_of(text, "  - {kind: promo-copy, path: ./")


def rule_finding(rule: str, line: int, path: str = SPEC) -> Finding:
    return Finding(path=path, line=line, col=1, rule=rule, message="m", hint="h")


@pytest.mark.parametrize(
    ("gate", "rule", "text", "line_start", "files"),
    [
        (Gate.SHARED_METRIC, "feature-metric", spec(metric="revenue"), "metric:", {}),
        (Gate.WEEK_ALIGNMENT, "feature-week", spec(week="2026-W40"), "week:", {}),
        (
            Gate.LAUNCH_MATERIALS,
            "feature-material-path",
            spec(status="validation", materials="  - {kind: promo-copy, path: /abs.md}\n"),
            "  - {kind: promo-copy",
            {},
        ),
    ],
)
def test_a_rule_finding_on_the_same_line_replaces_the_gate_finding(
    gate: Gate, rule: str, text: str, line_start: str, files: dict[str, str]
) -> None:
    feature, ws = loaded(text, files=files)
    line = line_of(text, line_start)
    _, alone = gates.evaluate(feature, ws, Signoff(), TODAY)
    assert [f.line for f in alone if f.rule == gate] == [line]
    result, findings = gates.evaluate(
        feature, ws, Signoff(), TODAY, reported=[rule_finding(rule, line)]
    )
    assert gate not in {f.rule for f in findings}
    assert states(result)[gate] is GateState.FAIL  # the table still shows it


def test_only_the_same_problem_on_the_same_line_of_the_same_file_is_suppressed() -> None:
    text = spec(metric="revenue")
    feature, ws = loaded(text)
    line = line_of(text, "metric:")
    elsewhere = [
        rule_finding("feature-metric", line + 1),
        rule_finding("feature-metric", line, path="opsync/features/other.md"),
        rule_finding("feature-week", line),  # another problem on that line
    ]
    _, findings = gates.evaluate(feature, ws, Signoff(), TODAY, reported=elsewhere)
    assert [f.rule for f in findings] == [Gate.SHARED_METRIC]


def test_gates_without_a_same_problem_rule_always_report() -> None:
    assert set(gates.SAME_PROBLEM) == {
        Gate.SHARED_METRIC,
        Gate.WEEK_ALIGNMENT,
        Gate.LAUNCH_MATERIALS,
    }
    text = spec(ops="mallory")
    feature, ws = loaded(text)
    line = line_of(text, "owners:")
    reported = [rule_finding(r, line) for r in ("feature-metric", "feature-owner", "schema")]
    _, findings = gates.evaluate(feature, ws, Signoff(), TODAY, reported=reported)
    assert [f.rule for f in findings] == [Gate.OPS_INVOLVEMENT]
