"""`opsync validate` as a user runs it: real git repos made by `opsync init --example`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from conftest import CliRunner
from gitrepo import GitRepo, make_repo

SCHEMA = Path(__file__).parent.parent / "docs" / "json-report.schema.json"
SPEC = "opsync/features/member-tiers.md"
ANSI = re.compile(r"\x1b\[")
LOCATED = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+):", re.M)


@pytest.fixture
def example(tmp_path: Path, run_cli: CliRunner) -> GitRepo:
    """A committed repo holding the example workspace."""
    repo = make_repo(tmp_path)
    result = run_cli("init", "--example", cwd=repo.path)
    assert result.code == 0, result
    repo.commit("opsync init --example")
    return repo


def copy_spec(repo: GitRepo, feature_id: str, old: str = "", new: str = "") -> str:
    text = (repo.path / SPEC).read_text(encoding="utf-8")
    text = text.replace("id: member-tiers", f"id: {feature_id}").replace(old, new)
    path = f"opsync/features/{feature_id}.md"
    repo.write(path, text)
    return path


def test_the_example_passes(example: GitRepo, run_cli: CliRunner) -> None:
    result = run_cli("validate", cwd=example.path)
    assert result.code == 0, result
    assert "passed" in result.out, result


def test_a_finding_is_located_and_names_the_fix(example: GitRepo, run_cli: CliRunner) -> None:
    path = copy_spec(example, "signup", "ops: carol}", "ops: eve}")
    result = run_cli("validate", cwd=example.path)
    assert result.code == 1, result
    assert f"{path}:6:" in result.out, result
    assert "feature-owners" in result.out and "fix:" in result.out, result
    assert LOCATED.search(result.out), result


def test_subfolder_is_fine(example: GitRepo, run_cli: CliRunner) -> None:
    copy_spec(example, "signup", "ops: carol}", "ops: eve}")
    result = run_cli("validate", cwd=example.path / "opsync" / "features")
    assert result.code == 1, result
    assert "opsync/features/signup.md:6:" in result.out, result


def test_json_report_matches_its_schema(example: GitRepo, run_cli: CliRunner) -> None:
    copy_spec(example, "signup", "ops: carol}", "ops: eve}")
    copy_spec(example, "broken", "title: Member system revamp", 'title: "unclosed')
    result = run_cli("validate", "--format", "json", cwd=example.path)
    assert result.code == 1, result
    report = json.loads(result.out)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(report)]
    assert not errors, errors
    rules = {(f["path"], f["rule"]) for f in report["findings"]}
    assert ("opsync/features/signup.md", "feature-owners") in rules, report
    assert ("opsync/features/broken.md", "yaml-syntax") in rules, report


def test_json_report_of_a_clean_workspace(example: GitRepo, run_cli: CliRunner) -> None:
    result = run_cli("validate", "--format", "json", cwd=example.path)
    assert result.code == 0, result
    report = json.loads(result.out)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert not list(Draft202012Validator(schema).iter_errors(report))
    assert report["findings"] == [] and report["result"] == "pass", report


def test_paths_lint_only_the_given_files(example: GitRepo, run_cli: CliRunner) -> None:
    """What pre-commit does: `opsync validate FILE...` reports on those files only."""
    bad_a = copy_spec(example, "bad-a", "ops: carol}", "ops: eve}")
    bad_b = copy_spec(example, "bad-b", "ops: carol}", "ops: eve}")
    example.write("opsync/metrics.yml", "version: 1\nversion: 1\nmetrics: []\n")
    result = run_cli("validate", bad_a, cwd=example.path)
    assert result.code == 1, result
    assert {m["path"] for m in LOCATED.finditer(result.out)} == {bad_a}, result
    assert bad_b not in result.out, result

    clean = run_cli("validate", "opsync/weeks/2026-W48.md", cwd=example.path)
    assert clean.code == 0, clean

    registry = run_cli("validate", "opsync/metrics.yml", cwd=example.path)
    assert registry.code == 1 and "yaml-duplicate-key" in registry.out, registry


def test_paths_are_relative_to_the_working_directory(example: GitRepo, run_cli: CliRunner) -> None:
    copy_spec(example, "bad-a", "ops: carol}", "ops: eve}")
    result = run_cli("validate", "bad-a.md", cwd=example.path / "opsync" / "features")
    assert result.code == 1, result
    assert "opsync/features/bad-a.md:6:" in result.out, result


def test_missing_policy_says_to_run_init(tmp_path: Path, run_cli: CliRunner) -> None:
    repo = make_repo(tmp_path, {"README.md": "hello\n"})
    result = run_cli("validate", cwd=repo.path)
    assert result.code == 2, result
    assert "opsync init" in result.err, result
    assert "could not finish" in result.out, result  # the report says so too
    assert "Traceback" not in result.err, result


@pytest.mark.parametrize(
    ("policy", "rule", "line"),
    [
        (b"version: 1\nroles:\n\tops: [carol]\n", "yaml-syntax", 3),
        (b"version: 1\nenforcement: blocking\nenforcement: advisory\n", "yaml-duplicate-key", 3),
        (b"version: 1\nenforcement: strict\n", "schema", 2),
        (b"version: 1\nroles: {ops: [caf\xe9]}\n", "encoding", 2),
    ],
)
def test_broken_policy_is_a_located_configuration_error(
    example: GitRepo, run_cli: CliRunner, policy: bytes, rule: str, line: int
) -> None:
    example.write("opsync.yml", policy)
    result = run_cli("validate", cwd=example.path)
    assert result.code == 2, result
    assert f"opsync.yml:{line}:" in result.out, result
    assert rule in result.out and "fix:" in result.out, result


def test_broken_policy_is_reported_for_paths_too(example: GitRepo, run_cli: CliRunner) -> None:
    example.write("opsync.yml", "version: 1\nenforcement: strict\n")
    result = run_cli("validate", SPEC, cwd=example.path)
    assert result.code == 2, result
    assert "opsync.yml:2:" in result.out, result


def test_one_bad_feature_never_hides_another(example: GitRepo, run_cli: CliRunner) -> None:
    a = copy_spec(example, "a-unparsable", "title: Member system revamp", "title: [unclosed")
    b = copy_spec(example, "b-wrong-owner", "ops: carol}", "ops: eve}")
    c = copy_spec(example, "c-bad-material", "launch/member-tiers/push-copy.md", "/etc/passwd")
    example.write("opsync/features/d-not-utf8.md", b"---\nid: d\xff\n---\n")
    result = run_cli("validate", "--format", "json", cwd=example.path)
    assert result.code == 1, result
    found = {(f["path"], f["rule"]) for f in json.loads(result.out)["findings"]}
    assert {
        (a, "yaml-syntax"),
        (b, "feature-owners"),
        (c, "feature-material-path"),
        ("opsync/features/d-not-utf8.md", "encoding"),
    } <= found, result


def test_report_on_stdout_diagnostics_on_stderr(tmp_path: Path, run_cli: CliRunner) -> None:
    repo = make_repo(tmp_path, {"README.md": "hello\n"})
    failed = run_cli("validate", "--format", "json", cwd=repo.path)
    assert failed.code == 2 and "error" in failed.err, failed
    assert json.loads(failed.out)["result"] == "error", failed  # the report, not prose

    usage = run_cli("validate", "--format", "yaml", cwd=repo.path)
    assert usage.code == 2 and usage.out == "" and "yaml" in usage.err, usage


def test_report_goes_to_stdout(example: GitRepo, run_cli: CliRunner) -> None:
    copy_spec(example, "signup", "ops: carol}", "ops: eve}")
    result = run_cli("validate", "--format", "json", cwd=example.path)
    json.loads(result.out)  # stdout holds the report and nothing else
    assert "feature-owners" not in result.err, result


def test_no_color_env_and_color_never_give_plain_text(
    example: GitRepo, run_cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_spec(example, "signup", "ops: carol}", "ops: eve}")
    monkeypatch.setenv("NO_COLOR", "1")
    plain = run_cli("validate", cwd=example.path)
    assert plain.code == 1 and not ANSI.search(plain.out + plain.err), plain
    monkeypatch.delenv("NO_COLOR")
    never = run_cli("validate", "--color", "never", cwd=example.path)
    assert never.code == 1 and not ANSI.search(never.out + never.err), never


def test_color_always_colours(example: GitRepo, run_cli: CliRunner) -> None:
    copy_spec(example, "signup", "ops: carol}", "ops: eve}")
    result = run_cli("validate", "--color", "always", cwd=example.path)
    assert result.code == 1, result
    assert ANSI.search(result.out), result


def test_advisory_reports_but_passes(example: GitRepo, run_cli: CliRunner) -> None:
    policy = (example.path / "opsync.yml").read_text(encoding="utf-8")
    example.write("opsync.yml", policy.replace("enforcement: blocking", "enforcement: advisory"))
    copy_spec(example, "signup", "ops: carol}", "ops: eve}")
    result = run_cli("validate", cwd=example.path)
    assert result.code == 0, result  # DESIGN §2.1: advisory reports everything, exits 0
    assert "feature-owners" in result.out and "advisory" in result.out, result


def test_a_value_repeated_in_another_data_file_is_found_by_validate_and_dashboard(
    example: GitRepo, run_cli: CliRunner, tmp_path: Path
) -> None:
    """validate and the dashboard read the data folder through one loader: they agree."""
    rows = [
        "period,metric,value",
        "2026-W47,monthly-purchases-per-member,1.5",
        "2026-W48,monthly-purchases-per-member,1.6",
    ]
    example.write("opsync/data/metrics.csv", "\n".join(rows) + "\n")
    example.write("opsync/data/dup.csv", "\n".join(rows) + "\n")

    result = run_cli("validate", "--format", "json", cwd=example.path)
    assert result.code == 1, result
    dups = [f for f in json.loads(result.out)["findings"] if f["rule"] == "data-duplicate"]
    assert len(dups) == 2 and all(f["line"] in (2, 3) for f in dups), result

    # Naming only the copy (what pre-commit does) still finds what it repeats.
    result = run_cli("validate", "opsync/data/dup.csv", cwd=example.path)
    assert result.code == 1, result
    assert result.out.count("opsync/data/dup.csv:2:1: error data-duplicate") == 1, result

    result = run_cli("dashboard", "--out", str(tmp_path / "site"), cwd=example.path)
    assert result.code == 0 and "data-duplicate" in result.err, result


def test_a_formula_written_as_one_hyphenated_id_gets_the_split_hint(
    example: GitRepo, run_cli: CliRunner
) -> None:
    registry = example.path / "opsync" / "metrics.yml"
    text = registry.read_text(encoding="utf-8")
    spaced = "monthly-purchases-per-member * average-order-value"
    assert spaced in text
    registry.write_text(
        text.replace(spaced, "monthly-purchases-per-member-average-order-value"), "utf-8"
    )
    result = run_cli("validate", cwd=example.path)
    assert result.code == 1, result
    assert "metric-unknown-ref" in result.out, result
    assert "write `monthly-purchases-per-member - average-order-value`" in result.out, result


@pytest.mark.parametrize("fmt", ["json", "gitlab", "sarif", "markdown", "github", "text"])
def test_a_run_that_stops_still_writes_its_document(
    tmp_path: Path, run_cli: CliRunner, fmt: str
) -> None:
    """No opsync.yml (exit 2): the report on stdout still says what went wrong, so a CI
    artifact (GitLab's code-quality widget, a SARIF upload) is never empty."""
    result = run_cli("validate", "--format", fmt, cwd=tmp_path)
    assert result.code == 2, result
    assert "no opsync.yml found" in result.out, result
    if fmt == "json":
        assert json.loads(result.out)["result"] == "error"
    if fmt == "gitlab":
        (issue,) = json.loads(result.out)
        assert issue["severity"] == "blocker"
