"""Positive and negative example files per kind, discovered from tests/examples/.

Each example is dropped into a copy of tests/examples/_base (a valid workspace) and the
whole workspace is linted. Valid examples give no error findings; invalid ones give a
finding with the rule (and line) their expectation names. See tests/examples/README.md.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from opsync.findings import Finding, Severity
from opsync.results import Report
from opsync.rules.lint import lint
from opsync.rules.registry import load_all
from opsync.workspace.source import WorktreeSource

EXAMPLES = Path(__file__).parent / "examples"
BASE = EXAMPLES / "_base"
EXPECT = re.compile(r"expect:\s*([a-z0-9-]+)(?:\s+line\s+(\d+))?")

# kind -> where an example named NAME lands in the workspace
PLACES = {
    "feature": "opsync/features/{name}",
    "week": "opsync/weeks/{name}",
    "metrics": "opsync/metrics.yml",
    "policy": "opsync.yml",
    "data": "opsync/data/{name}",
}


@dataclass(frozen=True)
class Expectation:
    rule: str
    line: int | None

    def __str__(self) -> str:
        return self.rule + (f" line {self.line}" if self.line is not None else "")


@dataclass(frozen=True)
class Example:
    kind: str
    valid: bool
    file: Path

    @property
    def target(self) -> str:
        """`case--2026-W47.md` lands as `2026-W47.md`, so names can describe the case."""
        name = self.file.name.rsplit("--", 1)[-1]
        return PLACES[self.kind].format(name=name)

    def expectations(self) -> list[Expectation]:
        sidecar = self.file.with_name(self.file.name + ".expect")
        if sidecar.exists():
            lines = sidecar.read_text(encoding="utf-8").splitlines()
        else:
            text = self.file.read_bytes().removeprefix(b"\xef\xbb\xbf")
            lines = text.decode("utf-8", "replace").splitlines()
            # YAML: the first line is `# expect: ...`; Markdown: the last `<!-- expect -->`.
            lines = lines[:1] if self.file.suffix in (".yml", ".yaml") else lines[-1:]
        found = [EXPECT.search(line) for line in lines]
        return [Expectation(m[1], int(m[2]) if m[2] else None) for m in found if m]


def discover() -> list[Example]:
    found = []
    for kind in PLACES:
        for valid in (True, False):
            folder = EXAMPLES / kind / ("valid" if valid else "invalid")
            for file in sorted(folder.glob("*")):
                if file.is_file() and file.suffix != ".expect":
                    found.append(Example(kind, valid, file))
    return found


def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(BASE, root)
    return root


def place(root: Path, kind: str, target: str, content: bytes) -> None:
    if kind == "data":  # a data example replaces the base values (no cross-file duplicates)
        for old in (root / "opsync/data").glob("*.csv"):
            old.unlink()
    path = root / target
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def assert_well_formed(report: Report) -> None:
    """Every finding is located, registered and says how to fix it."""
    registered = load_all()
    for f in report.findings:
        assert isinstance(f, Finding), f
        assert f.path and f.line >= 0 and f.col >= 0, f
        assert f.message.strip() and f.hint.strip(), f
        assert f.rule in registered, f"rule {f.rule!r} is not in the registry: {f}"


def describe(report: Report) -> str:
    return (
        "\n".join(
            f"  {f.path}:{f.line}:{f.col}: {f.severity} [{f.rule}] {f.message}"
            for f in report.findings
        )
        or "  (no findings)"
    )


def lint_example(tmp_path: Path, example: Example) -> Report:
    root = workspace(tmp_path)
    place(root, example.kind, example.target, example.file.read_bytes())
    return lint(WorktreeSource(root))


EXAMPLES_FOUND = discover()


def test_there_are_examples_of_every_kind() -> None:
    for kind in PLACES:
        for valid in (True, False):
            assert any(e.kind == kind and e.valid == valid for e in EXAMPLES_FOUND), (kind, valid)


def test_base_workspace_is_clean(tmp_path: Path) -> None:
    report = lint(WorktreeSource(workspace(tmp_path)))
    assert report.findings == (), describe(report)
    assert report.exit_code == 0


@pytest.mark.parametrize(
    "example",
    [e for e in EXAMPLES_FOUND if e.valid],
    ids=lambda e: f"{e.kind}/{e.file.name}",
)
def test_valid_example(tmp_path: Path, example: Example) -> None:
    assert not example.expectations(), "a valid example must not expect findings"
    report = lint_example(tmp_path, example)
    assert_well_formed(report)
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    assert not errors, f"{example.file.name} should pass:\n{describe(report)}"


@pytest.mark.parametrize(
    "example",
    [e for e in EXAMPLES_FOUND if not e.valid],
    ids=lambda e: f"{e.kind}/{e.file.name}",
)
def test_invalid_example(tmp_path: Path, example: Example) -> None:
    expected = example.expectations()
    assert expected, f"{example.file} states no `expect: <rule-id>`"
    report = lint_example(tmp_path, example)
    assert_well_formed(report)
    for want in expected:
        hits = [
            f
            for f in report.findings
            if f.rule == want.rule
            and f.path == example.target
            and (want.line is None or f.line == want.line)
        ]
        assert hits, f"{example.file.name}: expected {want} in {example.target}, got:\n" + (
            describe(report)
        )


# Generated here rather than committed: too big, or built from the base files.


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        ("feature", "opsync/features/huge.md"),
        ("week", "opsync/weeks/2026-W49.md"),
        ("metrics", "opsync/metrics.yml"),
        ("data", "opsync/data/huge.csv"),
    ],
)
def test_fifty_megabyte_file_is_refused_unread(tmp_path: Path, kind: str, target: str) -> None:
    root = workspace(tmp_path)
    line = b"# padding padding padding padding padding padding padding padding\n"
    place(root, kind, target, b"---\n" + line * (50 * 1024 * 1024 // len(line)))
    report = lint(WorktreeSource(root))
    assert_well_formed(report)
    assert any(f.rule == "file-too-large" and f.path == target for f in report.findings), describe(
        report
    )


def test_fifty_megabyte_policy_is_a_configuration_error(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    (root / "opsync.yml").write_bytes(b"# x\n" * (50 * 1024 * 1024 // 4))
    report = lint(WorktreeSource(root))
    assert_well_formed(report)
    assert report.exit_code == 2
    assert [f.rule for f in report.findings] == ["file-too-large"], describe(report)


@pytest.mark.parametrize(
    "relative",
    [
        "opsync.yml",
        "opsync/metrics.yml",
        "opsync/weeks/2026-W48.md",
        "opsync/features/member-tiers.md",
        "opsync/data/metrics.csv",
    ],
)
def test_bom_and_crlf_versions_of_the_base_files_pass(tmp_path: Path, relative: str) -> None:
    root = workspace(tmp_path)
    path = root / relative
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    report = lint(WorktreeSource(root))
    assert_well_formed(report)
    assert report.findings == (), describe(report)


def test_every_expected_rule_is_registered() -> None:
    registered = load_all()
    for example in EXAMPLES_FOUND:
        for want in example.expectations():
            assert want.rule in registered, f"{example.file}: unknown rule {want.rule}"


def test_symlinked_spec_is_reported_not_followed(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    (root / "opsync/features/linked.md").symlink_to(root / "opsync/features/member-tiers.md")
    report = lint(WorktreeSource(root))
    assert_well_formed(report)
    hits = [f for f in report.findings if f.path == "opsync/features/linked.md"]
    assert [f.rule for f in hits] == ["unsafe-path"], describe(report)


def test_symlinked_material_is_reported(tmp_path: Path) -> None:
    root = workspace(tmp_path)
    material = root / "launch/member-tiers/push-copy.md"
    material.unlink()
    material.symlink_to("/etc/passwd")
    report = lint(WorktreeSource(root))
    assert_well_formed(report)
    assert any(
        f.rule == "feature-material-path" and "symlink" in f.message for f in report.findings
    ), describe(report)


def test_one_broken_file_of_each_kind_hides_nothing(tmp_path: Path) -> None:
    """Every broken file is reported, and the healthy files are still checked."""
    root = workspace(tmp_path)
    broken = b"---\nid: [unclosed\n---\n"
    for name in ("a.md", "b.md"):
        (root / "opsync/features" / name).write_bytes(broken)
    (root / "opsync/weeks/2026-W49.md").write_bytes(b"---\nweek: 2026-W49\n")
    (root / "opsync/data/more.csv").write_bytes(b"period,metric,value\n2026-W50,nps,1\n")
    (root / "opsync/features/c.md").write_text(
        (root / "opsync/features/member-tiers.md").read_text().replace("ops: carol", "ops: eve")
    )
    report = lint(WorktreeSource(root))
    assert_well_formed(report)
    found = {(f.path, f.rule) for f in report.findings}
    assert found == {
        ("opsync/features/a.md", "yaml-syntax"),
        ("opsync/features/b.md", "yaml-syntax"),
        ("opsync/features/c.md", "feature-id"),
        ("opsync/features/c.md", "feature-owners"),
        ("opsync/features/c.md", "feature-material-path"),  # member-tiers' folder
        ("opsync/weeks/2026-W49.md", "front-matter-unclosed"),
        ("opsync/data/more.csv", "data-unknown-metric"),
    }, describe(report)


@pytest.mark.parametrize(
    ("target", "text"),
    [
        ("opsync/metrics.yml", "version: 1\nmetrics: " + "[" * 50_000 + "]" * 50_000),
        ("opsync/metrics.yml", "version: 1\nmetrics: " + "{a: " * 5_000 + "1" + "}" * 5_000),
        ("opsync.yml", "version: 1\nroles:\n  ops:\n" + "    " + "- " * 50_000 + "x\n"),
        ("opsync/weeks/2026-W49.md", "---\nweek: 2026-W49\ngoal: " + "[" * 50_000 + "\n---\n"),
    ],
)
def test_deep_nesting_is_refused_not_crashed(tmp_path: Path, target: str, text: str) -> None:
    """libyaml's composer recurses in C: 50,000 levels would kill the process."""
    root = workspace(tmp_path)
    place(root, "policy", target, text.encode())
    report = lint(WorktreeSource(root))
    assert_well_formed(report)
    assert any(f.rule == "yaml-limits" and f.path == target for f in report.findings), describe(
        report
    )


@pytest.mark.parametrize(
    "path", ['"launch/\\0x"', "a" * 5_000, '"launch/\\e[31mred"', "C:/x", "launch\\\\x.md"]
)
def test_hostile_material_paths_are_findings(tmp_path: Path, path: str) -> None:
    root = workspace(tmp_path)
    spec = root / "opsync/features/member-tiers.md"
    spec.write_text(spec.read_text().replace("launch/member-tiers/push-copy.md", path))
    report = lint(WorktreeSource(root))
    assert_well_formed(report)
    hits = [f for f in report.findings if f.rule == "feature-material-path"]
    assert hits and all(len(f.message) < 200 for f in hits), describe(report)
