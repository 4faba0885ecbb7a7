"""`opsync check` end to end (DESIGN §3): real git repos, real SSH keys, the real CLI.

Each attack on the ops sign-off is its own test: what would a PR author try to get a
feature past the gate without an ops reviewer approving its current content?
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import CliResult, CliRunner
from gateflow import FEATURE, MATERIAL, SIGNERS, SPEC, Flow, signer_line
from gitrepo import GitRepo


def report(result: CliResult) -> dict[str, Any]:
    """The JSON report of a `--format json` run."""
    try:
        data: dict[str, Any] = json.loads(result.out)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"stdout is not JSON ({exc})\n{result}") from exc
    return data


def gates(result: CliResult, feature: str = FEATURE) -> dict[str, dict[str, str]]:
    """gate name -> {state, message, hint} for one feature of a JSON report."""
    for item in report(result)["features"]:
        if item["feature"] == feature:
            return {g["gate"]: g for g in item["gates"]}
    raise AssertionError(f"feature {feature} not in the report\n{result}")


def rules(result: CliResult) -> set[str]:
    return {f["rule"] for f in report(result)["findings"]}


def test_an_edit_needs_an_ops_approval_and_a_committed_record_passes(flow: Flow) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    before = flow.check()
    assert before.code == 1, before
    assert "ops-signoff" in before.out, before

    approved = flow.approve("carol")
    assert approved.out.strip() == "opsync/approvals/member-tiers/carol.yml", approved
    after = flow.check("--format", "json")
    assert after.code == 0, after
    assert gates(after)["ops-signoff"]["state"] == "pass", after
    assert "carol" in gates(after)["ops-signoff"]["message"], after


# --- attacks: nothing but a valid signature by a base-roster ops member counts ---------


def test_typing_an_ops_signoff_into_the_spec_is_not_an_approval(flow: Flow) -> None:
    flow.replace(
        SPEC, "metric: member-value-density\n", "metric: member-value-density\nops_signoff: carol\n"
    )
    flow.repo.commit("self-approve in YAML")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    found = report(result)["findings"]
    assert any(f["path"] == SPEC and "ops_signoff" in f["message"] for f in found), (
        f"the schema should reject the unknown field\n{result}"
    )
    assert not any(g["state"] == "pass" for g in _signoffs(result)), result

    # Typed where the schema cannot object, it is still only a name in a document.
    flow.replace(SPEC, "ops_signoff: carol\n", "")
    flow.append(SPEC, "\nOps sign-off: carol ✅ (approved in chat)\n")
    flow.repo.commit("self-approve in Markdown")
    again = flow.check("--format", "json")
    assert again.code == 1, again
    assert gates(again)["ops-signoff"]["state"] == "fail", again


def _signoffs(result: CliResult) -> list[dict[str, str]]:
    return [g for f in report(result)["features"] for g in f["gates"] if g["gate"] == "ops-signoff"]


def test_a_commit_authored_as_carol_is_not_an_approval(flow: Flow) -> None:
    flow.set_field("title", "Member tiers, approved by carol (not really)")
    flow.repo.commit("carol approves", author="carol <carol@example.com>")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert gates(result)["ops-signoff"]["state"] == "fail", result


def test_a_record_signed_by_a_key_not_in_the_base_allowed_signers_is_rejected(
    flow: Flow,
) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    # mallory's key, claiming to be carol: the signature cannot verify as carol.
    signed = flow.run("approve", FEATURE, "--key", str(flow.keys["mallory"]), "--as", "carol")
    assert signed.code == 0, signed
    flow.repo.commit("a forged carol record")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert gates(result)["ops-signoff"]["state"] == "fail", result
    assert "carol (record): rejected" in gates(result)["ops-signoff"]["message"], result


def test_adding_yourself_to_the_roster_in_the_pr_is_judged_under_the_base_policy(
    flow: Flow,
) -> None:
    flow.replace("opsync.yml", "ops: [carol, dave]", "ops: [carol, dave, mallory]")
    flow.append(SIGNERS, signer_line("mallory", flow.keys["mallory"]))
    flow.set_field("title", "Member tiers, mallory edition")
    flow.repo.commit("mallory joins ops and edits the feature")
    flow.approve("mallory")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert gates(result)["ops-signoff"]["state"] == "fail", result
    assert "policy-approval" in rules(result), result
    policy = [f for f in report(result)["findings"] if f["rule"] == "policy-approval"]
    assert "admins" in policy[0]["message"] + policy[0]["hint"], result

    # An admin's approval of the policy change does not make mallory's record count
    # in this PR: the base roster still decides.
    flow.approve("erin", "@policy")
    again = flow.check("--format", "json")
    assert again.code == 1, again
    assert "policy-approval" not in rules(again), again
    assert gates(again)["ops-signoff"]["state"] == "fail", again


def test_changing_the_spec_after_approval_makes_it_stale_naming_the_file(flow: Flow) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    flow.approve("carol")
    assert flow.check().code == 0
    flow.set_field("title", "Member tiers v3")
    flow.repo.commit("retitle again")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    signoff = gates(result)["ops-signoff"]
    assert signoff["state"] == "stale", result
    assert SPEC in signoff["message"], result


def test_changing_a_launch_material_after_approval_makes_it_stale(flow: Flow) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    flow.approve("carol")
    flow.append(MATERIAL, "\nNow with 20% more savings!\n")
    flow.repo.commit("edit the push copy")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    signoff = gates(result)["ops-signoff"]
    assert signoff["state"] == "stale", result
    assert MATERIAL in signoff["message"], result


def test_renaming_a_material_after_approval_names_what_changed(flow: Flow) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    flow.approve("carol")
    flow.repo.move(MATERIAL, "launch/member-tiers/push.md")
    flow.replace(SPEC, f"path: {MATERIAL}", "path: launch/member-tiers/push.md")
    flow.repo.commit("rename the push copy")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    signoff = gates(result)["ops-signoff"]
    assert signoff["state"] == "stale", result
    for path in (SPEC, MATERIAL, "launch/member-tiers/push.md"):
        assert path in signoff["message"], result


@pytest.mark.parametrize(
    "spelled",
    ["launch//member-tiers/push-copy.md", '"launch/member-tiers/push\\x2Dcopy.md"'],
)
def test_a_material_path_spelled_unlike_the_file_cannot_be_approved(
    flow: Flow, spelled: str
) -> None:
    """Otherwise a later PR could edit the approved material and no feature would be
    touched: the gate finds a material's feature by the path's text in the spec."""
    flow.replace(SPEC, f"path: {MATERIAL}", f"path: {spelled}")
    flow.repo.commit("respell the material path")
    flow.approve("carol")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    signoff = gates(result)["ops-signoff"]
    assert signoff["state"] == "fail", result
    assert f"not written as {MATERIAL}" in signoff["message"], result

    # Written plainly, the approval counts, and a later edit of the material is seen.
    flow.replace(SPEC, f"path: {spelled}", f"path: {MATERIAL}")
    flow.repo.commit("plain path")
    flow.approve("carol")
    assert flow.check().code == 0
    flow.repo.checkout("main")
    flow.repo.git("merge", "-q", "--ff-only", "pr")
    flow.repo.git("checkout", "-q", "-B", "pr", "main")
    flow.append(MATERIAL, "\nUnapproved promise: 90% off!\n")
    flow.repo.commit("edit only the material")
    later = flow.check("--format", "json")
    assert later.code == 1, later
    assert gates(later)["ops-signoff"]["state"] == "stale", later


@pytest.mark.parametrize(
    "material",
    ["opsync/weeks/2026-W48.md", "opsync/features/other.md", "launch/other/copy.md"],
)
def test_a_material_among_opsync_files_or_in_another_features_folder_is_refused(
    flow: Flow, material: str
) -> None:
    # The gate finds a changed material's feature from its folder, without searching
    # every spec; a material hidden in opsync/ or in another feature's launch folder
    # would escape that, so listing one is an error when the spec changes.
    if not (flow.repo.path / material).exists():
        flow.repo.write(material, "some text\n")
    flow.replace(
        SPEC, "{kind: cs-faq, na: no new support flow}", f"{{kind: cs-faq, path: {material}}}"
    )
    flow.repo.commit("a material outside this feature's launch folder")
    flow.approve("carol")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    rules = {f["rule"] for f in json.loads(result.out)["findings"]}
    assert "feature-material-path" in rules, result


def test_a_material_outside_launch_found_by_search_goes_stale(flow: Flow) -> None:
    material = "docs/faq/member-tiers.md"
    flow.repo.write(material, "Q: what are tiers?\n")
    flow.replace(
        SPEC, "{kind: cs-faq, na: no new support flow}", f"{{kind: cs-faq, path: {material}}}"
    )
    flow.repo.commit("a material outside launch/")
    flow.approve("carol")
    assert flow.check().code == 0
    flow.repo.checkout("main")
    flow.repo.git("merge", "-q", "--ff-only", "pr")
    flow.repo.git("checkout", "-q", "-B", "pr", "main")
    flow.append(material, "\nEdited after the approval.\n")
    flow.repo.commit("edit only that file")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert gates(result)["ops-signoff"]["state"] == "stale", result


# --- launch materials are head data: never followed, never read through a link ------


FORMATS = ("text", "json", "github", "sarif", "gitlab", "markdown")


def test_a_material_symlinked_to_etc_passwd_fails_and_leaks_nothing(flow: Flow) -> None:
    secret = Path("/etc/passwd").read_text(encoding="utf-8")
    assert "root:" in secret, "the test needs a readable /etc/passwd with root in it"
    flow.set_field("status", "validation")
    flow.check_all_items()
    flow.replace(
        SPEC,
        "  - {kind: cs-faq, na: no new support flow}",
        "  - {kind: cs-faq, path: launch/etc/passwd}",
    )
    flow.repo.remove(MATERIAL)
    flow.repo.symlink(MATERIAL, "/etc/passwd")  # the file itself is a link
    flow.repo.symlink("launch/etc", "/etc")  # a folder on the way is a link
    flow.repo.commit("materials pointing outside the repo")
    for fmt in FORMATS:
        result = flow.check("--format", fmt)
        assert result.code == 1, result
        assert "root:" not in result.out + result.err, f"--format {fmt} leaked\n{result}"
    result = flow.check("--format", "json")
    launch = gates(result)["launch-materials"]
    assert launch["state"] == "fail", result
    assert f"{MATERIAL} is a symlink" in launch["message"], result
    assert "launch/etc/passwd" in launch["message"], result
    assert gates(result)["co-validation"]["state"] == "fail", result


def _line_of(flow: Flow, path: str, needle: str) -> int:
    lines = flow.read(path).splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_material_paths_outside_the_repo_are_located_findings(flow: Flow) -> None:
    flow.set_field("status", "validation")
    flow.check_all_items()
    flow.replace(SPEC, f"path: {MATERIAL}", "path: ../../outside/push-copy.md")
    flow.replace(
        SPEC, "{kind: cs-faq, na: no new support flow}", "{kind: cs-faq, path: /etc/passwd}"
    )
    flow.repo.commit("materials outside the repo")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    launch = gates(result)["launch-materials"]
    assert launch["state"] == "fail", result
    assert "'../../outside/push-copy.md' is absolute or outside the repo" in launch["message"]
    assert "'/etc/passwd' is absolute or outside the repo" in launch["message"], result
    # One problem, one finding: the rule names each bad path; the gate adds none of its own.
    found = report(result)["findings"]
    assert not [f for f in found if f["rule"] == "launch-materials"], result
    paths = [f for f in found if f["rule"] == "feature-material-path"]
    assert [(f["path"], f["line"]) for f in paths] == [
        (SPEC, _line_of(flow, SPEC, "../../outside")),
        (SPEC, _line_of(flow, SPEC, "/etc/passwd")),
    ], result
    assert all(f["col"] > 0 for f in paths), result


def test_deleting_a_material_fails_launch_materials_and_co_validation(flow: Flow) -> None:
    flow.set_field("status", "validation")
    flow.check_all_items()
    flow.commit_on_main("member-tiers reaches validation")
    flow.repo.remove(MATERIAL)
    flow.repo.commit("drop the push copy")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert gates(result)["launch-materials"]["state"] == "fail", result
    assert f"{MATERIAL} is missing" in gates(result)["launch-materials"]["message"], result
    co = gates(result)["co-validation"]
    assert co["state"] == "fail", result
    assert "launch materials incomplete" in co["message"], result


def test_moving_a_spec_out_of_the_features_folder_is_a_deletion(flow: Flow) -> None:
    flow.repo.move(SPEC, "docs/member-tiers.md")
    flow.repo.commit("hide the spec in docs/")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    deleted = [f for f in report(result)["findings"] if f["rule"] == "feature-deleted"]
    assert len(deleted) == 1, result
    assert deleted[0]["path"] == SPEC, result
    assert "docs/member-tiers.md" in deleted[0]["message"], result


def test_deleting_a_spec_is_reported(flow: Flow) -> None:
    flow.repo.remove(SPEC)
    flow.repo.commit("delete the spec")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert "feature-deleted" in rules(result), result


# --- repo text in reports -------------------------------------------------------------


def _workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """`::name k=v,k=v::message` -> (name, properties, message), as the runner splits it."""
    head, sep, message = line[2:].partition("::")
    assert sep, f"not a workflow command: {line!r}"
    name, _, props = head.partition(" ")
    properties = dict(p.split("=", 1) for p in props.split(",")) if props else {}
    return name, properties, message


def test_a_forged_workflow_command_in_repo_text_stays_inside_the_message(flow: Flow) -> None:
    forged = "::warning file=x::forged"
    flow.set_field("title", '"x\\n::warning file=x::forged"')
    flow.set_field("status", "validation")
    flow.replace(
        SPEC,
        "{kind: cs-faq, na: no new support flow}",
        '{kind: "faq\\n::warning file=x::forged", '
        'path: "launch/faq\\n::warning file=x::forged.md"}',
    )
    flow.repo.commit("a title with a newline and a workflow command")
    text = flow.check()
    assert text.code == 1, text
    assert "x ::warning file=x::forged" in text.out, "the text report shows the title on one line"
    result = flow.check("--format", "github")
    assert result.code == 1, result
    commands = [line for line in result.out.splitlines() if line.startswith("::")]
    assert commands, result
    assert not any(line.startswith("::warning file=x") for line in result.out.splitlines())
    carrying = 0
    for line in commands:
        name, properties, message = _workflow_command(line)
        assert name in ("error", "warning", "notice"), line
        assert properties.get("file") in (None, SPEC), line
        assert set(properties) <= {"file", "line", "col", "title"}, line
        assert forged not in "".join(properties.values()), line
        carrying += forged in message  # shown as data: `faq%0A::warning ...` or `faq\\n::...`
    assert carrying, f"the forged text should be shown, as data, in a message\n{result}"


# --- which features a PR touches ------------------------------------------------------


def test_code_under_require_feature_for_without_a_feature_fails(flow: Flow) -> None:
    flow.repo.write("src/membership/tiers.py", "TIERS = ('silver', 'gold')\n")
    flow.repo.commit("code with no feature")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    found = [f for f in report(result)["findings"] if f["rule"] == "no-feature"]
    assert len(found) == 1, result
    assert found[0]["message"].startswith("no aligned metric"), result
    assert found[0]["path"] == "src/membership/tiers.py", result
    assert report(result)["features"] == [], result


def test_a_feature_named_in_the_pr_body_is_evaluated(flow: Flow) -> None:
    flow.repo.write("src/membership/tiers.py", "TIERS = ('silver', 'gold')\n")
    flow.repo.commit("code for member-tiers")
    body = flow.repo.path.parent / "body.md"
    body.write_text("Adds tiers.\n\nFeature: member-tiers\n", encoding="utf-8")
    result = flow.check("--pr-body-file", str(body), "--format", "json")
    assert "no-feature" not in rules(result), result
    assert gates(result)["ops-signoff"]["state"] == "fail", result  # evaluated, not approved
    assert result.code == 1, result

    flow.approve("carol")  # the spec is unchanged: carol approves it as it stands
    approved = flow.check("--pr-body-file", str(body), "--format", "json")
    assert approved.code == 0, approved


def test_an_unrelated_change_after_approval_keeps_it(flow: Flow) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    flow.approve("carol")
    flow.repo.write("README.md", "# The shop\n")
    flow.repo.commit("readme")
    result = flow.check("--format", "json")
    assert result.code == 0, result
    assert gates(result)["ops-signoff"]["state"] == "pass", result


def test_a_push_that_leaves_the_feature_alone_keeps_the_approval(flow: Flow) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    flow.approve("carol")
    assert flow.check().code == 0
    # More code and a file beside the materials that the spec does not list.
    flow.repo.write("src/membership/tiers.py", "TIERS = ('silver', 'gold')\n")
    flow.repo.write("launch/member-tiers/notes.txt", "draft ideas\n")
    flow.repo.commit("more work")
    result = flow.check("--format", "json")
    assert result.code == 0, result
    assert gates(result)["ops-signoff"]["state"] == "pass", result


# --- trusted files: the registry and the policy ----------------------------------------


def test_a_registry_change_needs_a_product_and_an_ops_approval(flow: Flow) -> None:
    flow.replace("opsync/metrics.yml", "name: Average order value", "name: Average basket value")
    flow.repo.commit("rename a metric")
    unapproved = flow.check("--format", "json")
    assert unapproved.code == 1, unapproved
    assert "registry-approval" in rules(unapproved), unapproved

    flow.approve("alice", "@metrics")  # product only
    product_only = flow.check("--format", "json")
    assert product_only.code == 1, product_only
    found = [f for f in report(product_only)["findings"] if f["rule"] == "registry-approval"]
    assert "1 more ops" in found[0]["message"], product_only

    flow.approve("carol", "@metrics")  # and ops
    both = flow.check("--format", "json")
    assert both.code == 0, both
    assert "registry-approval" not in rules(both), both


def test_two_ops_approvals_of_the_registry_are_not_a_product_one(flow: Flow) -> None:
    flow.replace("opsync/metrics.yml", "name: Average order value", "name: Average basket value")
    flow.repo.commit("rename a metric")
    flow.approve("carol", "@metrics")
    flow.approve("dave", "@metrics")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert "registry-approval" in rules(result), result


def test_advisory_enforcement_on_the_base_reports_without_blocking(flow: Flow) -> None:
    flow.replace("opsync.yml", "enforcement: blocking", "enforcement: advisory")
    flow.commit_on_main("pilot: advisory")
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle, unapproved")
    result = flow.check()
    assert result.code == 0, result
    assert "ops-signoff" in result.out, result
    assert "advisory" in result.out, result
    data = report(flow.check("--format", "json"))
    assert data["enforcement"] == "advisory"
    assert any(f["rule"] == "ops-signoff" for f in data["findings"]), data


def test_advisory_in_the_pr_only_does_not_turn_the_gate_off(flow: Flow) -> None:
    flow.replace("opsync.yml", "enforcement: blocking", "enforcement: advisory")
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("pilot, says the PR")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert {"policy-approval", "ops-signoff"} <= rules(result), result


# --- status moves ---------------------------------------------------------------------


def test_research_to_launched_must_pass_every_gate_of_launched(flow: Flow) -> None:
    flow.set_field("status", "launched")
    flow.repo.remove(MATERIAL)
    flow.repo.commit("ship it")
    flow.approve("carol")  # ops approved, but that is one gate of six
    result = flow.check("--format", "json")
    assert result.code == 1, result
    feature = next(f for f in report(result)["features"] if f["feature"] == FEATURE)
    assert feature["status"] == "research → launched", result
    assert gates(result)["ops-signoff"]["state"] == "pass", result
    assert gates(result)["launch-materials"]["state"] == "fail", result
    assert gates(result)["co-validation"]["state"] == "fail", result

    flow.repo.write(MATERIAL, "# Push copy\n\nYou're one order away from Gold.\n")
    flow.check_all_items()
    flow.repo.commit("materials and validation done")
    flow.approve("carol")
    done = flow.check("--format", "json")
    assert done.code == 0, done


# --- history and refs -----------------------------------------------------------------


def test_a_shallow_clone_without_the_merge_base_is_exit_3_naming_fetch_depth(
    flow: Flow, run_cli: CliRunner
) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    clone = flow.repo.path.parent / "clone"
    url = flow.repo.path.as_uri()
    flow.repo.git("clone", "-q", "--depth", "1", "--branch", "main", url, str(clone))
    GitRepo(clone).git("fetch", "-q", "--depth", "1", "origin", "pr:refs/remotes/origin/pr")
    result = run_cli("check", "--base", "origin/main", "--head", "origin/pr", cwd=clone)
    assert result.code == 3, result
    assert "fetch-depth: 0" in result.err, result
    # The report still comes out, saying why the run could not finish.
    assert "opsync check: could not finish: no merge base" in result.out, result
    assert result.out.endswith("could not complete (exit 3)\n"), result


def test_an_unknown_base_is_a_usage_error(flow: Flow) -> None:
    result = flow.check(base="no-such-branch")
    assert result.code == 2, result
    assert "no-such-branch" in result.err, result
    assert "Traceback" not in result.err, result


def test_no_base_outside_actions_is_a_usage_error(flow: Flow) -> None:
    result = flow.run("check")
    assert result.code == 2, result
    assert "--base" in result.err, result


# --- report formats -------------------------------------------------------------------


def test_json_and_sarif_reports_parse_and_carry_the_gate_findings(flow: Flow) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    as_json = report(flow.check("--format", "json"))
    assert as_json["result"] == "fail"
    assert as_json["exit_code"] == 1
    signoff = [f for f in as_json["findings"] if f["rule"] == "ops-signoff"]
    assert signoff and signoff[0]["path"] == SPEC and signoff[0]["line"] > 0, as_json

    sarif_run = flow.check("--format", "sarif")
    assert sarif_run.code == 1, sarif_run
    sarif = report(sarif_run)
    results = sarif["runs"][0]["results"]
    hits = [r for r in results if r["ruleId"] == "ops-signoff"]
    assert hits, sarif_run
    location = hits[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == SPEC, sarif_run
    assert location["region"]["startLine"] == signoff[0]["line"], sarif_run

    gitlab_run = flow.check("--format", "gitlab")
    issues = json.loads(gitlab_run.out)
    assert any(i["check_name"] == "ops-signoff" for i in issues), gitlab_run


# --- more ways to fake a second approver ------------------------------------------------


def test_the_pr_authors_own_approval_does_not_count(flow: Flow) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("carol edits her own feature")
    flow.approve("carol")
    result = flow.check("--author", "Carol", "--format", "json")
    assert result.code == 1, result
    signoff = gates(result)["ops-signoff"]
    assert signoff["state"] == "fail", result
    assert "the PR author cannot approve" in signoff["message"], result


def test_one_reviewer_under_two_spellings_is_one_approval(flow: Flow) -> None:
    flow.replace("opsync.yml", "min_approvals: 1", "min_approvals: 2")
    flow.commit_on_main("two ops reviewers per feature")
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    flow.approve("carol")
    twice = flow.run("approve", FEATURE, "--key", str(flow.keys["carol"]), "--as", "CAROL")
    assert twice.code == 0, twice
    flow.repo.commit("carol again, shouting")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert "needs 1 more ops" in gates(result)["ops-signoff"]["message"], result

    flow.approve("dave")
    assert flow.check().code == 0


def test_a_record_copied_under_another_reviewers_name_is_rejected(flow: Flow) -> None:
    flow.replace("opsync.yml", "min_approvals: 1", "min_approvals: 2")
    flow.commit_on_main("two ops reviewers per feature")
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    flow.approve("carol")
    record = flow.read(f"opsync/approvals/{FEATURE}/carol.yml")
    flow.repo.write(f"opsync/approvals/{FEATURE}/dave.yml", record)
    flow.repo.commit("dave 'approves' too")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    message = gates(result)["ops-signoff"]["message"]
    assert "needs 1 more ops" in message and "stored as dave.yml" in message, result


def test_a_spec_that_is_a_symlink_is_refused_without_reading_its_target(flow: Flow) -> None:
    flow.repo.symlink("opsync/features/passwd.md", "/etc/passwd")
    flow.repo.commit("a spec pointing outside the repo")
    for fmt in FORMATS:
        result = flow.check("--format", fmt)
        assert result.code == 1, result
        assert "root:" not in result.out + result.err, f"--format {fmt} leaked\n{result}"
    found = report(flow.check("--format", "json"))["findings"]
    assert any(f["path"] == "opsync/features/passwd.md" for f in found), found


@pytest.mark.parametrize("how", ["nul-in-spec", "gitattributes"])
def test_an_approved_material_cannot_change_unseen_by_making_specs_binary(
    flow: Flow, how: str
) -> None:
    if how == "nul-in-spec":
        flow.append(SPEC, "\nA stray byte: \x00\n")
        flow.repo.commit("a NUL in the spec")
    flow.approve("carol")
    flow.repo.checkout("main")
    flow.repo.git("merge", "-q", "--ff-only", "pr")
    flow.repo.git("checkout", "-q", "-B", "pr", "main")
    if how == "gitattributes":
        flow.repo.write(".gitattributes", "*.md -diff\n")
    flow.append(MATERIAL, "\nUnapproved promise: 90% off!\n")
    flow.repo.commit("edit only the material")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    assert gates(result)["ops-signoff"]["state"] == "stale", result


# --- a PR is judged on what it touches (regressions) ------------------------------------


def test_an_untouched_broken_spec_does_not_fail_an_unrelated_pr(flow: Flow) -> None:
    """On main a spec governs other code and carries an unknown field; the PR changes
    unrelated code under no `require_feature_for` glob: nothing to report."""
    other = flow.read(SPEC).replace("id: member-tiers", "id: other-feature")
    other = other.replace("\n---", '\ncode: ["src/other/**"]\nsurprise: field\n---', 1)
    flow.repo.write("opsync/features/other-feature.md", other)
    flow.commit_on_main("a spec with an unknown field")
    flow.repo.write("docs/unrelated/a.txt", "hello\n")
    flow.repo.commit("unrelated change")
    result = flow.check("--format", "json")
    assert result.code == 0, result
    assert report(result)["findings"] == [], result


def test_an_unknown_metric_is_one_finding_not_two(flow: Flow) -> None:
    """The rule (`feature-metric`) reports it; the gate's table row still fails."""
    flow.set_field("metric", "nope-metric")
    flow.repo.commit("metric typo")
    result = flow.check("--format", "json")
    assert result.code == 1, result
    data = report(result)
    on_metric = [f for f in data["findings"] if "nope-metric" in f["message"]]
    assert [f["rule"] for f in on_metric] == ["feature-metric"], result
    (feature,) = data["features"]
    gate = next(g for g in feature["gates"] if g["gate"] == "shared-metric")
    assert gate["state"] == "fail", result


def test_a_missing_week_doc_is_one_finding_not_two(flow: Flow) -> None:
    flow.set_field("week", "2020-W01")
    flow.repo.commit("week with no doc")
    result = flow.check("--format", "json")
    on_week = [f for f in report(result)["findings"] if "2020-W01" in f["message"]]
    assert [f["rule"] for f in on_week] == ["feature-week"], result
