"""The sign-off tally and the base roster, as units: approvals in, a verdict out.

End-to-end flows (tests/gateflow.py) drive these through signed records and reviews;
here each rule of docs/gates.md "What counts as an approval" is pinned on its own.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from opsync.errors import VerifyError
from opsync.evidence.roster import Roster
from opsync.evidence.tally import Approval, Requirement, Verdict, tally
from opsync.results import GateState
from opsync.workspace.policy import Policy

ROLES = {
    "product": ("alice", "bob"),
    "ops": ("carol", "@dave"),
    "admins": ("erin",),
}
OPS = Requirement((("ops", 1),))
REGISTRY = Requirement((("product", 1), ("ops", 1)))
POLICY = Requirement((("admins", 1),))
HINT_TAIL = (
    "to approve the current content: `opsync approve`, or an approval of the pull/merge request"
)


def members(roles: dict[str, tuple[str, ...]]) -> Callable[[str, str], bool]:
    """is_member over a plain roster, case-insensitive as the real one is."""
    return lambda login, role: login.casefold() in {m.lstrip("@").casefold() for m in roles[role]}


IS_MEMBER = members(ROLES)


def ok(login: str, source: str = "record") -> Approval:
    return Approval(login, source, Verdict.VALID)


def stale(login: str, reason: str, source: str = "record") -> Approval:
    return Approval(login, source, Verdict.STALE, reason)


def rejected(login: str, reason: str, source: str = "record") -> Approval:
    return Approval(login, source, Verdict.REJECTED, reason)


# --- Requirement -----------------------------------------------------------------------


def test_requirement_describes_each_role_and_count() -> None:
    assert OPS.describe() == "1 ops"
    assert REGISTRY.describe() == "1 product and 1 ops"
    assert Requirement((("ops", 2), ("admins", 1))).describe() == "2 ops and 1 admins"


# --- counting --------------------------------------------------------------------------


def test_one_ops_approval_passes_with_no_hint() -> None:
    result = tally([ok("carol")], OPS, IS_MEMBER, "alice", "feature member-tiers")
    assert result.state is GateState.PASS
    assert result.message == "approved by carol (ops, record)"
    assert result.hint == ""
    assert result.counted == ("carol (ops, record)",)
    assert result.notes == ()


def test_no_approval_fails_and_says_how_many_are_missing() -> None:
    result = tally([], Requirement((("ops", 2),)), IS_MEMBER, None, "feature x")
    assert result.state is GateState.FAIL
    assert result.message == "needs 2 more ops approval(s) of feature x"
    assert result.hint == f"ask a reviewer (2 ops) {HINT_TAIL}"
    assert result.counted == ()


def test_the_same_person_counts_once_across_sources_and_spellings() -> None:
    approvals = [ok("carol", "record"), ok("CAROL", "github")]
    result = tally(approvals, Requirement((("ops", 2),)), IS_MEMBER, None, "feature x")
    assert result.state is GateState.FAIL
    assert result.counted == ("carol (ops, record)",)  # the first one seen is kept
    assert result.message == "needs 1 more ops approval(s) of feature x (has carol (ops, record))"


def test_distinct_approvers_fill_a_count_in_login_order() -> None:
    approvals = [ok("dave", "github"), ok("carol")]
    result = tally(approvals, Requirement((("ops", 2),)), IS_MEMBER, None, "feature x")
    assert result.state is GateState.PASS
    assert result.counted == ("carol (ops, record)", "dave (ops, github)")
    assert result.message == "approved by carol (ops, record), dave (ops, github)"


def test_more_approvers_than_needed_count_only_what_is_needed() -> None:
    result = tally([ok("dave"), ok("carol")], OPS, IS_MEMBER, None, "feature x")
    assert result.state is GateState.PASS
    assert result.counted == ("carol (ops, record)",)
    assert result.notes == ()  # dave is on the roster: not "not counted", just not needed


# --- roles -----------------------------------------------------------------------------


def test_registry_needs_a_product_and_an_ops_member() -> None:
    result = tally([ok("alice"), ok("carol", "github")], REGISTRY, IS_MEMBER, None, "registry")
    assert result.state is GateState.PASS
    assert result.counted == ("alice (product, record)", "carol (ops, github)")


def test_registry_with_only_product_names_the_missing_ops() -> None:
    result = tally([ok("alice"), ok("bob")], REGISTRY, IS_MEMBER, None, "the metric registry")
    assert result.state is GateState.FAIL
    assert result.message == (
        "needs 1 more ops approval(s) of the metric registry (has alice (product, record))"
    )
    assert result.hint == f"ask a reviewer (1 product and 1 ops) {HINT_TAIL}"


def test_a_person_on_two_roles_fills_one_of_them() -> None:
    roles = {**ROLES, "product": ("alice", "carol")}  # carol is product and ops
    result = tally([ok("carol")], REGISTRY, members(roles), None, "registry")
    assert result.state is GateState.FAIL
    assert result.counted == ("carol (product, record)",)
    assert "needs 1 more ops" in result.message


def test_a_person_on_two_roles_plus_a_second_approver_passes() -> None:
    roles = {**ROLES, "product": ("alice", "carol")}
    result = tally([ok("carol"), ok("dave")], REGISTRY, members(roles), None, "registry")
    assert result.state is GateState.PASS
    assert result.counted == ("carol (product, record)", "dave (ops, record)")


def test_roles_are_assigned_so_that_every_role_can_be_filled() -> None:
    # alice is product and ops, bob is product only: bob (product) + alice (ops) suffices.
    roles = {**ROLES, "ops": ("alice", "carol")}
    result = tally([ok("alice"), ok("bob")], REGISTRY, members(roles), None, "registry")
    assert result.state is GateState.PASS


def test_policy_changes_need_an_admin() -> None:
    passed = tally([ok("erin", "github")], POLICY, IS_MEMBER, None, "opsync.yml")
    assert passed.state is GateState.PASS
    assert passed.counted == ("erin (admins, github)",)
    failed = tally([ok("carol")], POLICY, IS_MEMBER, None, "opsync.yml")
    assert failed.state is GateState.FAIL
    assert failed.notes == ("carol (record): not on the roster for opsync.yml",)
    assert failed.message == (
        "needs 1 more admins approval(s) of opsync.yml; "
        "not counted: carol (record): not on the roster for opsync.yml"
    )


# --- approvals that do not count -------------------------------------------------------


def test_the_pr_author_never_counts_whatever_the_case() -> None:
    result = tally([ok("Carol", "github")], OPS, IS_MEMBER, "carol", "feature x")
    assert result.state is GateState.FAIL
    assert result.counted == ()
    assert result.notes == ("Carol (github): rejected — the PR author cannot approve",)
    assert result.message.endswith(
        "; not counted: Carol (github): rejected — the PR author cannot approve"
    )


def test_without_a_known_author_every_member_counts() -> None:
    assert tally([ok("carol")], OPS, IS_MEMBER, None, "x").state is GateState.PASS
    assert tally([ok("carol")], OPS, IS_MEMBER, "", "x").state is GateState.PASS


def test_the_author_does_not_block_another_reviewer() -> None:
    result = tally([ok("carol"), ok("dave")], OPS, IS_MEMBER, "carol", "feature x")
    assert result.state is GateState.PASS
    assert result.counted == ("dave (ops, record)",)
    assert result.notes == ("carol (record): rejected — the PR author cannot approve",)


def test_off_roster_approvals_are_named_in_notes_and_message() -> None:
    result = tally([ok("mallory", "github")], OPS, IS_MEMBER, None, "feature x")
    assert result.state is GateState.FAIL
    assert result.notes == ("mallory (github): not on the roster for feature x",)
    assert result.message == (
        "needs 1 more ops approval(s) of feature x; "
        "not counted: mallory (github): not on the roster for feature x"
    )


def test_off_roster_note_is_kept_when_the_gate_passes() -> None:
    result = tally([ok("mallory"), ok("carol")], OPS, IS_MEMBER, None, "feature x")
    assert result.state is GateState.PASS
    assert result.message == "approved by carol (ops, record)"
    assert result.notes == ("mallory (record): not on the roster for feature x",)


def test_off_roster_note_appears_once_with_several_roles() -> None:
    result = tally([ok("mallory")], REGISTRY, IS_MEMBER, None, "registry")
    assert result.notes == ("mallory (record): not on the roster for registry",)
    assert result.message.count("mallory") == 1


def test_a_member_of_another_role_is_not_off_roster() -> None:
    # alice (product) approved while two ops are needed: she is on the roster for the
    # registry's product seat, so she is counted, not "not on the roster".
    result = tally([ok("alice")], REGISTRY, IS_MEMBER, None, "registry")
    assert result.counted == ("alice (product, record)",)
    assert result.notes == ()


def test_rejected_evidence_fails_and_says_why() -> None:
    approvals = [rejected("carol", "signature does not verify")]
    result = tally(approvals, OPS, IS_MEMBER, None, "feature x")
    assert result.state is GateState.FAIL
    assert result.notes == ("carol (record): rejected — signature does not verify",)
    assert result.message == (
        "needs 1 more ops approval(s) of feature x; "
        "not counted: carol (record): rejected — signature does not verify"
    )


def test_rejected_evidence_of_a_person_does_not_hide_their_valid_one() -> None:
    approvals = [rejected("carol", "bad signature"), ok("carol", "github")]
    result = tally(approvals, OPS, IS_MEMBER, None, "feature x")
    assert result.state is GateState.PASS
    assert result.counted == ("carol (ops, github)",)
    assert result.notes == ("carol (record): rejected — bad signature",)


# --- stale approvals -------------------------------------------------------------------


def test_a_stale_approval_makes_the_gate_stale_and_names_what_changed() -> None:
    approvals = [stale("carol", "launch/x/copy.md changed since")]
    result = tally(approvals, OPS, IS_MEMBER, None, "feature x")
    assert result.state is GateState.STALE
    assert result.notes == ("carol (record): stale — launch/x/copy.md changed since",)
    assert result.message == (
        "carol's approval (record) is stale: launch/x/copy.md changed since"
        " — needs 1 more ops approval(s) of feature x"
    )
    assert "not counted" not in result.message  # stale ones are named up front only
    assert result.hint == f"ask a reviewer (1 ops) {HINT_TAIL}"


def test_stale_with_rejected_is_stale_and_lists_only_the_rejected_as_not_counted() -> None:
    approvals = [stale("carol", "spec changed"), rejected("dave", "bot account", "github")]
    result = tally(approvals, OPS, IS_MEMBER, None, "feature x")
    assert result.state is GateState.STALE
    assert result.message == (
        "carol's approval (record) is stale: spec changed"
        " — needs 1 more ops approval(s) of feature x"
        "; not counted: dave (github): rejected — bot account"
    )


def test_stale_with_a_partial_count_keeps_the_has_clause() -> None:
    approvals = [ok("carol"), stale("dave", "spec changed")]
    result = tally(approvals, Requirement((("ops", 2),)), IS_MEMBER, None, "feature x")
    assert result.state is GateState.STALE
    assert result.message == (
        "dave's approval (record) is stale: spec changed"
        " — needs 1 more ops approval(s) of feature x (has carol (ops, record))"
    )


def test_a_stale_approval_does_not_matter_once_the_requirement_is_met() -> None:
    approvals = [stale("carol", "spec changed", "github"), ok("carol")]
    result = tally(approvals, OPS, IS_MEMBER, None, "feature x")
    assert result.state is GateState.PASS
    assert result.counted == ("carol (ops, record)",)
    assert result.notes == ("carol (github): stale — spec changed",)


@pytest.mark.parametrize(
    ("approval", "author"),
    [
        (stale("mallory", "spec changed", "github"), None),  # anyone may review on GitHub
        (stale("carol", "spec changed"), "carol"),  # the author's own signed record
    ],
)
def test_a_stale_approval_that_could_never_count_is_not_stale(
    approval: Approval, author: str | None
) -> None:
    result = tally([approval], OPS, IS_MEMBER, author, "feature x")
    assert result.state is GateState.FAIL
    assert "is stale" not in result.message


# --- the roster ------------------------------------------------------------------------


class Teams:
    """A TeamLookup that records every question."""

    def __init__(self, members: dict[str, set[str]]) -> None:
        self.members = members
        self.asked: list[tuple[str, str]] = []

    def __call__(self, team: str, login: str) -> bool:
        self.asked.append((team, login))
        return login.casefold() in self.members.get(team, set())


def team_policy() -> Policy:
    return Policy.from_dict(
        {
            "roles": {
                "product": ["alice"],
                "ops": ["carol", "@Dave", "@acme/ops-team", "@acme/night-shift"],
                "admins": ["erin", "@acme/admins"],
            }
        }
    )


def test_roster_logins_list_every_entry_once_sorted() -> None:
    policy = Policy.from_dict({"roles": {"product": ["alice", "carol"], "ops": ["carol", "bob"]}})
    assert Roster(policy).logins == ["alice", "bob", "carol"]
    assert Roster(team_policy()).logins == [
        "@Dave",
        "@acme/admins",
        "@acme/night-shift",
        "@acme/ops-team",
        "alice",
        "carol",
        "erin",
    ]
    assert Roster(Policy()).logins == []


def test_roster_matches_logins_without_asking_the_forge() -> None:
    teams = Teams({})
    roster = Roster(team_policy(), teams)
    assert roster.is_member("carol", "ops")
    assert roster.is_member("dave", "ops")  # `@Dave` on the roster
    assert roster.is_member("@CAROL", "ops")
    assert roster.is_member("alice", "product")
    assert teams.asked == []


def test_roster_without_a_lookup_matches_no_team_entry() -> None:
    roster = Roster(team_policy())
    assert not roster.is_member("frank", "ops")
    assert not roster.is_member("acme/ops-team", "ops")  # the entry is not a login
    assert not roster.is_member("@acme/ops-team", "ops")
    assert roster.is_member("carol", "ops")


def test_roster_asks_each_team_until_one_says_yes() -> None:
    teams = Teams({"@acme/night-shift": {"frank"}})
    roster = Roster(team_policy(), teams)
    assert roster.is_member("frank", "ops")
    assert teams.asked == [("@acme/ops-team", "frank"), ("@acme/night-shift", "frank")]


def test_roster_asks_once_per_login_and_role() -> None:
    teams = Teams({"@acme/ops-team": {"frank"}})
    roster = Roster(team_policy(), teams)
    assert roster.is_member("frank", "ops")
    assert roster.is_member("FRANK", "ops")  # same login, other case: remembered
    assert roster.is_member("frank", "ops")
    assert teams.asked == [("@acme/ops-team", "frank")]
    assert not roster.is_member("frank", "admins")  # another role: asked again
    assert not roster.is_member("frank", "admins")
    assert teams.asked == [("@acme/ops-team", "frank"), ("@acme/admins", "frank")]


def test_roster_remembers_a_no_as_well() -> None:
    teams = Teams({})
    roster = Roster(team_policy(), teams)
    assert not roster.is_member("mallory", "ops")
    assert not roster.is_member("mallory", "ops")
    assert teams.asked == [("@acme/ops-team", "mallory"), ("@acme/night-shift", "mallory")]


def test_roster_does_not_ask_for_a_role_without_teams() -> None:
    teams = Teams({"@acme/ops-team": {"frank"}})
    roster = Roster(team_policy(), teams)
    assert not roster.is_member("frank", "product")
    assert not roster.is_member("frank", "no-such-role")
    assert teams.asked == []


def test_roster_lets_a_lookup_failure_through_and_asks_again_later() -> None:
    calls: list[str] = []

    def failing(team: str, login: str) -> bool:
        calls.append(login)
        raise VerifyError("cannot read team membership", "grant read:org")

    roster = Roster(team_policy(), failing)
    for _ in range(2):  # never cached as "not a member": the run must exit 3
        with pytest.raises(VerifyError):
            roster.is_member("frank", "ops")
    assert calls == ["frank", "frank"]


def test_roster_drives_the_tally_through_a_team() -> None:
    teams = Teams({"@acme/ops-team": {"frank"}})
    roster = Roster(team_policy(), teams)
    result = tally([ok("frank", "github")], OPS, roster.is_member, None, "feature x")
    assert result.state is GateState.PASS
    assert result.counted == ("frank (ops, github)",)
    unlooked = tally([ok("frank", "github")], OPS, Roster(team_policy()).is_member, None, "x")
    assert unlooked.state is GateState.FAIL
    assert unlooked.notes == ("frank (github): not on the roster for x",)
