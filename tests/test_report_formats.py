"""Every report format, rendered from hand-built reports, checked against real consumers'
rules: JSON Schemas (ours and the official SARIF one), GitHub's workflow-command parsing,
GitHub's annotation caps, and a CommonMark+tables parser for the Markdown."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator
from markdown_it import MarkdownIt

from fixture_paths import SARIF_SCHEMA
from opsync.errors import ExitCode
from opsync.findings import Finding, Severity
from opsync.github.actions import write_outputs, write_step_summary
from opsync.report import FORMATS, renderer
from opsync.report.markdown_format import render_markdown
from opsync.report.text_format import annotated_findings
from opsync.results import FeatureResult, GateResult, GateState, Report
from opsync.rules.registry import load_all

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "x\n::warning file=x::y 100% a,b:c <script>alert(1)</script> [l](http://e.x) | @carol"


def finding(path: str, line: int, col: int, rule: str, severity: Severity, **kw: str) -> Finding:
    return Finding(
        path=path,
        line=line,
        col=col,
        rule=rule,
        message=kw.get("message", f"{rule} is wrong"),
        hint=kw.get("hint", "fix it"),
        severity=severity,
    )


FINDINGS = (
    finding("opsync/metrics.yml", 12, 5, "metric-cycle", Severity.ERROR, hint="break the cycle"),
    finding("opsync/metrics.yml", 0, 0, "registry-missing", Severity.ERROR, hint=""),
    finding("opsync/features/会员.md", 3, 1, "feature-week", Severity.WARNING, message="周 ✓"),
    finding("opsync/features/evil.md", 2, 7, "schema", Severity.NOTE, message=HOSTILE),
)
# What the gate engine (opsync.gate.gates.evaluate) emits for FEATURES' non-passing gates:
# rule id = gate name, at the spec line of the key concerned, message `<feature id>: ...`.
GATE_FINDINGS = (
    Finding(
        path="opsync/features/member-tiers.md",
        line=2,
        col=5,
        rule="ops-signoff",
        message="member-tiers: approved at abc, spec changed",
        hint="re-ask",
    ),
    Finding(
        path="opsync/features/evil.md",
        line=3,
        col=1,
        rule="shared-metric",
        message=f"evil: {HOSTILE}",
        hint=HOSTILE,
    ),
    Finding(
        path="opsync/features/evil.md",
        line=4,
        col=7,
        rule="week-alignment",
        message="evil: week is 6 weeks old",
        hint="",
        severity=Severity.WARNING,
    ),
    Finding(
        path="opsync/features/evil.md",
        line=2,
        col=5,
        rule="ops-signoff",
        message="evil: API returned 403",
        hint="",
    ),
)
FEATURES = (
    FeatureResult(
        "member-tiers",
        "Member system revamp",
        "build",
        "opsync/features/member-tiers.md",
        (
            GateResult("shared-metric", GateState.PASS, "member-value-density is aligned"),
            GateResult("ops-signoff", GateState.STALE, "approved at abc, spec changed", "re-ask"),
            GateResult("launch-materials", GateState.SKIP, "applies from validation"),
        ),
    ),
    FeatureResult(
        "evil",
        HOSTILE,
        "research",
        "opsync/features/evil.md",
        (
            GateResult("shared-metric", GateState.FAIL, HOSTILE, HOSTILE),
            GateResult("week-alignment", GateState.WARN, "week is 6 weeks old"),
            GateResult("ops-signoff", GateState.UNVERIFIED, "API returned 403"),
        ),
    ),
)


def make_report(**kw: object) -> Report:
    args: dict[str, object] = {
        "command": "check",
        "findings": FINDINGS + GATE_FINDINGS,
        "exit_code": ExitCode.FINDINGS,
        "features": FEATURES,
        "base": "a" * 40,
        "head": "b" * 40,
    }
    args.update(kw)
    return Report(**args)  # type: ignore[arg-type]


def render(fmt: str, report: Report | None = None, **kw: bool) -> str:
    return renderer(fmt)(report or make_report(), **kw)


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """What the runner sees in one line: `::cmd k=v,k=v::data`, unescaped."""
    match = re.fullmatch(r"::(\w+)(?: ([^:]*))?::(.*)", line)
    assert match, line

    def unescape(text: str) -> str:
        for code, ch in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            text = text.replace(code, ch)
        return text

    props = dict(p.split("=", 1) for p in match[2].split(",")) if match[2] else {}
    return match[1], {k: unescape(v) for k, v in props.items()}, unescape(match[3])


# --- every format -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_empty_and_full_reports(fmt: str) -> None:
    empty = Report(command="validate", findings=(), exit_code=ExitCode.OK)
    for report in (empty, make_report()):
        out = render(fmt, report)
        assert out.endswith("\n"), fmt
        assert "\r" not in out, f"{fmt} leaked a raw carriage return"


# --- text -----------------------------------------------------------------------------


def test_text_has_locations_fixes_gate_table_and_summary() -> None:
    out = render("text")
    lines = out.splitlines()
    assert "opsync/metrics.yml:12:5: error metric-cycle: metric-cycle is wrong" in lines
    assert lines[
        lines.index("opsync/metrics.yml:12:5: error metric-cycle: metric-cycle is wrong") + 1
    ] == ("    fix: break the cycle")
    # line 0 means the whole file: no `:0:0`
    assert "opsync/metrics.yml: error registry-missing: registry-missing is wrong" in lines
    assert "opsync/features/会员.md:3:1: warning feature-week: 周 ✓" in lines
    assert any(
        re.fullmatch(r"\s+~ ops-signoff\s+approved at abc, spec changed", ln) for ln in lines
    )
    assert any(re.fullmatch(r"\s+fix: re-ask", ln) for ln in lines)
    assert any(re.fullmatch(r"\s+– launch-materials\s+applies from validation", ln) for ln in lines)
    assert any(re.fullmatch(r"\s+\? ops-signoff\s+API returned 403", ln) for ln in lines)
    # Gate findings are listed like any other, by the rule id the engine gave them.
    assert "opsync/features/evil.md:4:7: warning week-alignment: evil: week is 6 weeks old" in lines
    assert (
        "opsync/features/member-tiers.md:2:5: error ops-signoff: "
        "member-tiers: approved at abc, spec changed"
    ) in lines
    assert not any("gate/" in ln for ln in lines)
    assert lines[-1] == "5 errors, 2 warnings, 1 note in 4 files; 2 of 2 features not passing"
    # features come before findings
    assert out.index("member-tiers") < out.index("metric-cycle")
    assert "\x1b[" not in out


def test_text_pass_advisory_and_color() -> None:
    ok = Report(command="validate", findings=(), exit_code=ExitCode.OK)
    assert render("text", ok) == "all checks passed\n"
    advisory = make_report(enforcement="advisory", exit_code=ExitCode.OK)
    assert render("text", advisory).splitlines()[-1] == (
        "enforcement: advisory — findings are reported but do not block the merge"
    )
    colored = render("text", color=True)
    assert "\x1b[31m" in colored and "\x1b[0m" in colored
    assert "break the cycle" in colored


def test_text_keeps_repo_text_on_one_line_without_control_characters() -> None:
    sneaky = Finding(
        path="::warning file=x::y.md",
        line=1,
        col=2,
        rule="schema",
        message="a\x1b[2Jb\r\n::error::z",
        hint="h\x07",
    )
    report = make_report(findings=(sneaky, *GATE_FINDINGS))
    out = render("text", report)
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "./::warning file=x::y.md:1:2: error schema: a\\x1b[2Jb ::error::z" in out.splitlines()
    assert "    fix: h\\x07" in out.splitlines()
    flat = HOSTILE.replace("\n", " ")
    assert f"opsync/features/evil.md:3:1: error shared-metric: evil: {flat}" in out.splitlines()
    # The hostile feature title, gate message and hint stay inside their own lines.
    for line in out.splitlines():
        assert not line.lstrip().startswith("::"), line
    # title; the table's message and hint; the shared-metric finding's message and fix
    assert sum("<script>" in line for line in out.splitlines()) == 5


# --- json -------------------------------------------------------------------------------


def test_json_validates_against_the_documented_schema() -> None:
    schema = json.loads((ROOT / "docs" / "json-report.schema.json").read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    for report in (make_report(), Report(command="validate", findings=(), exit_code=ExitCode.OK)):
        doc = json.loads(render("json", report))
        errors = [e.message for e in validator.iter_errors(doc)]
        assert not errors, errors
    doc = json.loads(render("json"))
    assert doc["summary"] == {"errors": 5, "warnings": 2, "notes": 1}
    gate = [f for f in doc["findings"] if f["rule"] == "shared-metric"]
    assert gate == [
        {
            "path": "opsync/features/evil.md",
            "line": 3,
            "col": 1,
            "rule": "shared-metric",
            "message": f"evil: {HOSTILE}",
            "hint": HOSTILE,
            "severity": "error",
        }
    ]
    assert (doc["version"], doc["result"], doc["exit_code"]) == (1, "fail", 1)
    assert doc["features"][1]["title"] == HOSTILE and doc["features"][1]["passed"] is False
    assert doc["features"][0]["gates"][1] == {
        "gate": "ops-signoff",
        "state": "stale",
        "message": "approved at abc, spec changed",
        "hint": "re-ask",
    }
    assert render("json") == render("json"), "output must be deterministic"


def test_json_schema_rejects_a_wrong_document() -> None:
    schema = json.loads((ROOT / "docs" / "json-report.schema.json").read_text("utf-8"))
    doc = json.loads(render("json"))
    doc["findings"][0]["severity"] = "fatal"
    assert not Draft202012Validator(schema).is_valid(doc)


# --- github ------------------------------------------------------------------------------


def test_github_annotations_escape_data_and_properties_exactly() -> None:
    out = render("github")
    lines = out.splitlines()
    assert (
        "::error file=opsync/metrics.yml,line=12,col=5,title=metric-cycle::"
        "metric-cycle is wrong%0Afix: break the cycle"
    ) in lines
    assert (
        "::error file=opsync/metrics.yml,title=registry-missing::registry-missing is wrong" in lines
    )
    assert (
        "::warning file=opsync/features/会员.md,line=3,col=1,title=feature-week::周 ✓%0Afix: fix it"
        in lines
    )
    hostile = [ln for ln in lines if ln.startswith("::notice file=opsync/features/evil.md,line=2")]
    assert hostile == [
        "::notice file=opsync/features/evil.md,line=2,col=7,title=schema::"
        "x%0A::warning file=x::y 100%25 a,b:c <script>alert(1)</script> [l](http://e.x) | @carol"
        "%0Afix: fix it"
    ]
    # Gate findings come from the engine, located, under the bare gate name.
    assert (
        "::warning file=opsync/features/evil.md,line=4,col=7,title=week-alignment::"
        "evil: week is 6 weeks old"
    ) in lines
    gate = [ln for ln in lines if ",title=shared-metric::" in ln]
    assert gate == [
        "::error file=opsync/features/evil.md,line=3,col=1,title=shared-metric::evil: "
        "x%0A::warning file=x::y 100%25 a,b:c <script>alert(1)</script> [l](http://e.x) | @carol"
        "%0Afix: x%0A::warning file=x::y 100%25 a,b:c <script>alert(1)</script> [l](http://e.x)"
        " | @carol"
    ]
    # One line per finding plus the summary: hostile text (the feature's title is HOSTILE)
    # never adds a line of its own, so it never starts a workflow command.
    assert len(lines) == len(FINDINGS) + len(GATE_FINDINGS) + 1
    for line in lines:
        assert line.startswith("::") or line.startswith("opsync check:"), line
        if line.startswith("::"):
            command, props, data = parse_workflow_command(line)
            assert command in {"error", "warning", "notice"}
            assert set(props) <= {"file", "line", "col", "title"}
            assert not props["title"].startswith("gate/")
    _, props, data = parse_workflow_command(hostile[0])
    assert data == HOSTILE + "\nfix: fix it" and props["file"] == "opsync/features/evil.md"
    _, props, data = parse_workflow_command(gate[0])
    assert data == f"evil: {HOSTILE}\nfix: {HOSTILE}" and props["title"] == "shared-metric"


def test_annotation_formats_report_gate_findings_only_as_the_engine_emitted_them() -> None:
    # Failing gates in the table but no findings: the reporters add none of their own.
    report = make_report(findings=())
    assert annotated_findings(report) == []
    assert [ln for ln in render("github", report).splitlines() if " file=" in ln] == []
    assert json.loads(render("sarif", report))["runs"][0]["results"] == []
    assert json.loads(render("gitlab", report)) == []
    # With them, each is reported once, in path/line order, exactly as emitted.
    full = annotated_findings(make_report())
    assert sorted(full, key=str) == sorted(FINDINGS + GATE_FINDINGS, key=str)
    assert [(f.path, f.line) for f in full] == sorted((f.path, f.line) for f in full)


def test_github_property_escaping_of_a_hostile_path() -> None:
    bad = Finding(path="a,b:c%\n::error::x.md", line=1, col=1, rule="r:1,2", message="m")
    out = render("github", Report(command="validate", findings=(bad,), exit_code=ExitCode.FINDINGS))
    assert (
        out.splitlines()[0]
        == "::error file=a%2Cb%3Ac%25%0A%3A%3Aerror%3A%3Ax.md,line=1,col=1,title=r%3A1%2C2::m"
    )


def _many(n: int, severity: Severity) -> list[Finding]:
    return [
        Finding(
            path=f"f{i:02}.yml",
            line=i + 1,
            col=1,
            rule="r",
            message="m",
            hint="",
            severity=severity,
        )
        for i in range(n)
    ]


def test_github_caps_ten_per_level_then_one_notice() -> None:
    findings = _many(15, Severity.ERROR) + _many(3, Severity.WARNING) + _many(4, Severity.NOTE)
    report = Report(command="validate", findings=tuple(findings), exit_code=ExitCode.FINDINGS)
    lines = render("github", report).splitlines()
    levels = [ln.split(" ", 1)[0] for ln in lines if ln.startswith("::") and " file=" in ln]
    assert (levels.count("::error"), levels.count("::warning"), levels.count("::notice")) == (
        10,
        3,
        4,
    )
    assert "::notice::5 more findings — see the job summary" in lines


def test_github_notice_cap_keeps_a_slot_for_the_overflow_notice() -> None:
    report = Report(
        command="validate", findings=tuple(_many(12, Severity.NOTE)), exit_code=ExitCode.OK
    )
    lines = render("github", report).splitlines()
    notices = [ln for ln in lines if ln.startswith("::notice")]
    assert len(notices) == 10 and notices[-1] == "::notice::3 more findings — see the job summary"
    exactly_ten = Report(
        command="validate", findings=tuple(_many(10, Severity.NOTE)), exit_code=ExitCode.OK
    )
    assert not any("more findings" in ln for ln in render("github", exactly_ten).splitlines())


def test_step_summary_appends_the_markdown(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", "utf-8")
    write_step_summary(make_report(), summary)
    text = summary.read_text("utf-8")
    assert text.startswith("earlier step\n")
    assert text.removeprefix("earlier step\n") == render_markdown(make_report(), limit=1_047_552)


def parse_github_output(text: str) -> dict[str, str]:
    """The runner's parser for GITHUB_OUTPUT: `k=v` lines and `k<<DELIM` heredocs."""
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delim:
                    break
                body.append(inner)
            else:
                raise AssertionError(f"unterminated heredoc {delim}")
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def test_outputs_are_multiline_safe(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.write_text("earlier=1\n", "utf-8")
    evil_path = "reports/x\nresult=pass\nlast"
    write_outputs(make_report(), out, evil_path)
    write_outputs(make_report(exit_code=ExitCode.UNVERIFIED), out, None)
    text = out.read_text("utf-8")
    assert re.search(r"^report-path<<ghadelimiter_[0-9a-f]{32}$", text, re.M)
    values = parse_github_output(text)
    assert values["earlier"] == "1"
    assert values["result"] == "error"  # the second write wins, as in the runner
    assert values["report-path"] == ""
    first = parse_github_output(text.split("result=error")[0])
    assert first["result"] == "fail" and first["report-path"] == evil_path


# --- sarif ------------------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema() -> None:
    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    Draft4Validator.check_schema(schema)
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    for report in (make_report(), Report(command="validate", findings=(), exit_code=ExitCode.OK)):
        log = json.loads(render("sarif", report))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log)]
        assert not errors, errors


def test_sarif_results_rules_and_regions() -> None:
    run = json.loads(render("sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(set(ids)) and "metric-cycle" in ids
    assert {"shared-metric", "week-alignment", "ops-signoff"} <= set(ids)
    assert not any(i.startswith("gate/") for i in ids)
    # Summaries come from the rule registry, gate rules included (opsync.rules.gate_rules).
    registry = load_all()
    by_id = {r["id"]: r["shortDescription"]["text"] for r in rules}
    for gate in ("shared-metric", "week-alignment", "ops-signoff"):
        assert gate in registry, f"{gate} is not declared in the rule registry (load_all)"
        assert by_id[gate] == registry[gate].summary != gate
    assert by_id["metric-cycle"] == registry["metric-cycle"].summary != ""
    results = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
        for r in run["results"]
    }
    cycle = results[("metric-cycle", "opsync/metrics.yml")]
    assert cycle["level"] == "error"
    assert cycle["message"]["text"] == "metric-cycle is wrong — fix: break the cycle"
    assert cycle["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12,
        "startColumn": 5,
        "endLine": 12,
        "endColumn": 6,
    }
    assert rules[cycle["ruleIndex"]]["id"] == "metric-cycle"
    # GitHub needs a region with start and end: a whole-file finding gets the first char.
    whole_file = results[("registry-missing", "opsync/metrics.yml")]
    assert whole_file["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 1,
        "endLine": 1,
        "endColumn": 2,
    }
    assert ("feature-week", "opsync/features/%E4%BC%9A%E5%91%98.md") in results
    assert {r["level"] for r in run["results"]} == {"error", "warning", "note"}
    # A gate finding keeps the engine's location and severity.
    metric = results[("shared-metric", "opsync/features/evil.md")]
    assert metric["level"] == "error" and rules[metric["ruleIndex"]]["id"] == "shared-metric"
    assert metric["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 1,
        "endLine": 3,
        "endColumn": 2,
    }
    assert metric["message"]["text"] == f"evil: {HOSTILE} — fix: {HOSTILE}"
    assert results[("week-alignment", "opsync/features/evil.md")]["level"] == "warning"
    assert len(run["results"]) == len(FINDINGS) + len(GATE_FINDINGS)


def test_sarif_falls_back_to_the_rule_id_for_unknown_rules() -> None:
    unknown = Finding(path="a.yml", line=1, col=1, rule="not-a-registered-rule", message="m")
    log = json.loads(
        render(
            "sarif", Report(command="validate", findings=(unknown,), exit_code=ExitCode.FINDINGS)
        )
    )
    [rule] = log["runs"][0]["tool"]["driver"]["rules"]
    assert rule["id"] == "not-a-registered-rule"
    assert rule["shortDescription"] == {"text": "not-a-registered-rule"}
    assert rule["name"] == "NotARegisteredRule"


def test_sarif_rules_carry_what_code_scanning_requires() -> None:
    run = json.loads(render("sarif"))["runs"][0]
    registry = load_all()
    docs = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text("utf-8")
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["fullDescription"]["text"].startswith(registry[rule["id"]].summary)
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["helpUri"].endswith(f"/docs/rules.md#{rule['id']}")
        assert f'<a id="{rule["id"]}"></a>' in docs  # the anchor the URI points at
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in run["tool"]["driver"]["rules"]}
    assert levels["metric-cycle"] == "error" and levels["week-alignment"] == "warning"
    assert run["automationDetails"] == {"id": "opsync/check/"}
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert all(r["partialFingerprints"]["opsyncFinding/v1"] for r in run["results"])


def test_sarif_of_a_run_that_could_not_finish() -> None:
    from opsync.results import error_report

    report = error_report("check", ExitCode.UNVERIFIED, "GitHub is down", "re-run the job")
    (run,) = json.loads(render("sarif", report))["runs"]
    assert run["results"] == []
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == "GitHub is down — fix: re-run the job"


# --- gitlab -----------------------------------------------------------------------------


def test_gitlab_code_quality_issues() -> None:
    issues = json.loads(render("gitlab"))
    assert isinstance(issues, list) and len(issues) == len(FINDINGS) + len(GATE_FINDINGS)
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_rule = {i["check_name"]: i for i in issues}
    assert by_rule["metric-cycle"]["severity"] == "major"
    assert by_rule["feature-week"]["severity"] == "minor"
    assert by_rule["schema"]["severity"] == "info"
    assert by_rule["registry-missing"]["location"] == {
        "path": "opsync/metrics.yml",
        "lines": {"begin": 1},
    }
    assert by_rule["week-alignment"]["severity"] == "minor"
    assert by_rule["shared-metric"] == {
        "description": f"evil: {HOSTILE} — fix: {HOSTILE}",
        "check_name": "shared-metric",
        "fingerprint": hashlib.sha256(
            "\0".join(
                ("shared-metric", "opsync/features/evil.md", "3", f"evil: {HOSTILE}")
            ).encode()
        ).hexdigest(),
        "severity": "major",
        "location": {"path": "opsync/features/evil.md", "lines": {"begin": 3}},
    }
    assert not any(i["check_name"].startswith("gate/") for i in issues)


def test_gitlab_fingerprints_are_stable_and_content_bound() -> None:
    first = json.loads(render("gitlab"))
    reordered = make_report(findings=tuple(reversed(FINDINGS + GATE_FINDINGS)))
    assert json.loads(render("gitlab", reordered)) == first
    moved = make_report(
        findings=(finding("opsync/metrics.yml", 13, 5, "metric-cycle", Severity.ERROR),)
    )
    moved_issues = json.loads(render("gitlab", moved))
    [moved_fp] = [i["fingerprint"] for i in moved_issues if i["check_name"] == "metric-cycle"]
    assert moved_fp not in {i["fingerprint"] for i in first}
    expected = hashlib.sha256(
        b"metric-cycle\0opsync/metrics.yml\x0012\0metric-cycle is wrong"
    ).hexdigest()
    assert expected in {i["fingerprint"] for i in first}


# --- markdown ---------------------------------------------------------------------------


def md_html(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


def test_markdown_escapes_and_has_one_row_per_feature() -> None:
    out = render("markdown")
    assert out.startswith("## ❌ opsync check: failed\n")
    assert "<script>" not in out and "<script" not in out.replace("\\<script", "")
    html = md_html(out)
    assert "<script" not in html and "<a " not in html
    assert html.count("<table>") == 1
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == len(FEATURES)
    header = html.split("<thead>")[1].split("</thead>")[0]
    cells = re.findall(r"<th>(.*?)</th>", header)
    assert cells == [
        "Feature",
        "Status",
        "shared-metric",
        "week-alignment",
        "launch-materials",
        "ops-signoff",
    ]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert all(row.count("<td>") == len(cells) for row in rows)
    # The hostile title is shown literally (as escaped text), on one line, never as HTML.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "@\u2060carol" in out and "@carol" not in out
    assert html.count("<h2>") == 1 and html.count("<h3>") == 1  # no injected headings
    # Gate findings are listed with the other findings, under the bare gate name.
    assert (
        "- ❌ opsync/features/evil.md\\:3\\:1 · **shared-metric**: evil\\: x \\:\\:warning" in out
    )
    assert "<strong>week-alignment</strong>: evil: week is 6 weeks old" in html
    assert "gate/" not in out


def test_markdown_advisory_and_pass_headings() -> None:
    advisory = render("markdown", make_report(enforcement="advisory", exit_code=ExitCode.OK))
    assert advisory.startswith("## ✅")
    advisory_fail = render("markdown", make_report(enforcement="advisory"))
    assert advisory_fail.startswith("## ⚠️ opsync check: findings (advisory, not blocking)")
    assert "do not block the merge" in advisory_fail
    ok = render("markdown", Report(command="validate", findings=(), exit_code=ExitCode.OK))
    assert ok.startswith("## ✅ opsync validate: passed") and "<table>" not in md_html(ok)


def test_markdown_is_capped_with_a_more_line() -> None:
    findings = tuple(
        Finding(
            path=f"opsync/features/f{i:05}.md",
            line=1,
            col=1,
            rule="schema",
            message="x" * 200,
            hint="y" * 100,
        )
        for i in range(1000)
    )
    report = Report(command="validate", findings=findings, exit_code=ExitCode.FINDINGS)
    out = render("markdown", report)
    assert len(out.encode()) <= 65_536
    match = re.search(r"^_(\d+) more not shown; .*_$", out, re.M)
    assert match
    shown = out.count("\n- ❌ ")
    assert shown + int(match[1]) == 1000 and shown > 50
    big = render_markdown(report, limit=1_048_576)
    assert "more not shown" not in big and big.count("\n- ❌ ") == 1000
