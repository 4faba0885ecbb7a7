"""`opsync approve` and `opsync status` end to end: real repos, real SSH keys, the CLI."""

from __future__ import annotations

import json

from conftest import CliResult
from gateflow import FEATURE, MATERIAL, SIGNERS, SPEC, Flow, signer_line

RECORD = f"opsync/approvals/{FEATURE}/carol.yml"


def gate_line(result: CliResult, gate: str) -> str:
    """The text report's row for one gate, e.g. `✓ ops-signoff   approved by carol ...`."""
    rows = [line.strip() for line in result.out.splitlines() if f" {gate} " in f" {line} "]
    assert rows, f"no {gate} row\n{result}"
    return rows[0]


def merge_into_main(flow: Flow) -> None:
    flow.repo.checkout("main")
    flow.repo.git("merge", "-q", "--ff-only", "pr")


# --- status re-verifies records on main ------------------------------------------------


def test_status_on_main_reverifies_records_against_mains_allowed_signers(flow: Flow) -> None:
    flow.set_field("title", "Member tiers v2")
    flow.repo.commit("retitle")
    flow.approve("carol")
    merge_into_main(flow)
    merged = flow.run("status")
    assert merged.code == 0, merged
    assert gate_line(merged, "ops-signoff").startswith("✓"), merged
    assert "carol" in gate_line(merged, "ops-signoff"), merged

    # carol's key is revoked on main: her record no longer verifies.
    signers = flow.read(SIGNERS)
    carol = signer_line("carol", flow.keys["carol"])
    flow.repo.write(SIGNERS, signers.replace(carol, ""))
    flow.repo.commit("revoke carol's key")
    revoked = flow.run("status", "--format", "json")
    assert revoked.code == 1, revoked
    feature = json.loads(revoked.out)["features"][0]
    signoff = next(g for g in feature["gates"] if g["gate"] == "ops-signoff")
    assert signoff["state"] == "fail", revoked
    assert "not accepted" in signoff["message"], revoked


def test_status_sees_a_stale_record_on_main(flow: Flow) -> None:
    flow.approve("carol")
    merge_into_main(flow)
    flow.append(MATERIAL, "\nA late edit, pushed straight to main.\n")
    flow.repo.commit("edit the push copy on main")
    result = flow.run("status", FEATURE)
    assert result.code == 1, result
    assert gate_line(result, "ops-signoff").startswith("~"), result
    assert MATERIAL in gate_line(result, "ops-signoff"), result


def test_status_of_an_unknown_feature_is_a_usage_error(flow: Flow) -> None:
    result = flow.run("status", "no-such-feature")
    assert result.code == 2, result
    assert "no-such-feature" in result.err, result
    # the report still comes back (every format writes a document on exit 2/3)
    assert "could not finish" in result.out, result


def test_status_at_a_ref(flow: Flow) -> None:
    flow.approve("carol")
    result = flow.run("status", "--ref", "pr", "--format", "json")
    assert result.code == 0, result
    assert [f["feature"] for f in json.loads(result.out)["features"]] == [FEATURE]
    on_main = flow.run("status", "--ref", "main", "--format", "json")
    assert on_main.code == 1, on_main  # main has no record yet


# --- approve ----------------------------------------------------------------------------


def test_approve_writes_a_record_for_the_committed_content_and_does_not_commit(
    flow: Flow,
) -> None:
    result = flow.approve("carol", commit=False)
    assert result.out.strip() == RECORD, result
    assert "wrote" in result.err and "git add" in result.err, result
    assert flow.repo.git("status", "--porcelain", "-uall").strip() == f"?? {RECORD}"
    text = flow.read(RECORD)
    assert "reviewer: carol" in text and "feature: member-tiers" in text, text
    again = flow.approve("carol", commit=False)
    assert "replaced" in again.err, again


def test_approve_warns_about_uncommitted_changes(flow: Flow) -> None:
    flow.set_field("title", "Edited but not committed")
    result = flow.approve("carol", commit=False)
    assert f"{SPEC} has uncommitted changes" in result.err, result
    flow.repo.commit("commit the edit with the record")
    check = flow.check("--format", "json")
    assert check.code == 1, check  # the record covers the old content: stale


def test_approve_by_someone_not_in_ops_warns(flow: Flow) -> None:
    result = flow.approve("alice", commit=False)
    assert "alice is not in roles.ops" in result.err, result


def test_approve_of_a_nonexistent_feature_is_a_usage_error(flow: Flow) -> None:
    result = flow.run("approve", "no-such-feature", "--key", str(flow.keys["carol"]))
    assert result.code == 2, result
    assert "no-such-feature" in result.err, result
    assert "opsync/features/no-such-feature.md" in result.err, result
    assert "Traceback" not in result.err, result


def test_approve_with_a_missing_key_file_is_a_usage_error(flow: Flow) -> None:
    missing = flow.repo.path.parent / "no-such-key"
    for login in (("--as", "carol"), ()):
        result = flow.run("approve", FEATURE, "--key", str(missing), *login)
        assert result.code == 2, result
        assert f"SSH key {missing} does not exist" in result.err, result
        assert "Traceback" not in result.err, result
        assert not (flow.repo.path / RECORD).exists()


def test_approve_with_a_key_nobody_listed_asks_for_the_login(flow: Flow) -> None:
    result = flow.run("approve", FEATURE, "--key", str(flow.keys["mallory"]))
    assert result.code == 2, result
    assert "--as" in result.err, result
