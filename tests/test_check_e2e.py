"""`opsync check` end to end (DESIGN §3): real git repos, real SSH keys, the real CLI.

Each attack on the ops sign-off is its own test: what would a PR author try to get a
feature past the gate without an ops reviewer approving its current content?
"""

from __future__ import annotations

import json
from typing import Any

from conftest import CliResult
from gateflow import FEATURE, MATERIAL, SIGNERS, SPEC, Flow, signer_line


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
