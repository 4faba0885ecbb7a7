"""`opsync check` as a GitHub Actions step, end to end.

A real git repo (`opsync init --example` on main, a PR branch), a real webhook payload
from tests/fixtures/github-webhooks rewritten only where it must match the repo, and a local
HTTP server on 127.0.0.1 answering GitHub's REST shapes (pull, reviews, team
membership). opsync runs as a subprocess with the environment the runner sets and, like
the gate workflow, with the BASE commit checked out and the head present only as Git
objects. It is judged by what a workflow sees: the exit code, annotations on stdout,
the job summary and the step outputs.

Roster (the example opsync.yml): carol and dave are ops, alice and bob product, erin
admin. Sign-off comes from GitHub reviews only (`sources: [github]`). The PR is bob's.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from fixture_paths import WEBHOOKS
from gitrepo import GitRepo, git_env, make_repo

HOOKS = WEBHOOKS
REPO = "acme/shop"
NUMBER = 42
AUTHOR = "bob"
SPEC = "opsync/features/member-tiers.md"
POLICY = "opsync.yml"
TOKEN = "ghs_e2e_token_value"
PULL = f"/repos/{REPO}/pulls/{NUMBER}"
REVIEWS = f"{PULL}/reviews"
INSIGHT = "Top-spending members churn"


# --- the local GitHub ------------------------------------------------------------------


@pytest.fixture
def github(local_api: HTTPServer) -> HTTPServer:
    return local_api  # conftest: one server per session, emptied for every test


def review(
    rid: int, login: str, state: str, commit: str, *, user_type: str = "User"
) -> dict[str, Any]:
    """One review as GET /repos/{o}/{r}/pulls/{n}/reviews returns it (upper-case state);
    a higher id is submitted later."""
    return {
        "id": rid,
        "node_id": f"PRR_{rid}",
        "user": {"login": login, "id": 5000 + rid, "type": user_type},
        "body": "",
        "state": state,
        "html_url": f"https://github.com/{REPO}/pull/{NUMBER}#pullrequestreview-{rid}",
        "commit_id": commit,
        "submitted_at": f"2026-11-24T{rid // 60 % 24:02d}:{rid % 60:02d}:00Z",
        "author_association": "MEMBER",
    }


# --- the repository and the run --------------------------------------------------------


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`opsync init --example` committed on main, made once; each test copies it."""
    repo = make_repo(tmp_path_factory.mktemp("template"))
    done = subprocess.run(
        [sys.executable, "-m", "opsync", "init", "--example"],
        cwd=repo.path,
        env=repo.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    edit(repo, POLICY, "sources: [github, record]", "sources: [github]")
    repo.commit("opsync init --example, GitHub reviews as sign-off")
    return repo.path


def edit(repo: GitRepo, path: str, old: str, new: str) -> None:
    text = (repo.path / path).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    repo.write(path, text.replace(old, new, 1))


@dataclass(frozen=True, repr=False)
class Run:
    """What the workflow step produced; str() is the whole story for assert messages."""

    code: int
    out: str
    err: str
    summary: str
    outputs: str

    def __str__(self) -> str:
        return (
            f"exit {self.code}\n--- stdout ---\n{self.out}--- stderr ---\n{self.err}"
            f"--- summary ---\n{self.summary}--- outputs ---\n{self.outputs}"
        )

    __repr__ = __str__

    @property
    def result(self) -> str | None:
        """The last `result=` in GITHUB_OUTPUT (the runner keeps the last one)."""
        found = re.findall(r"^result=(\w+)$", self.outputs, re.MULTILINE)
        return found[-1] if found else None

    def row(self, feature: str = "member-tiers") -> str:
        """The feature's row of the summary table."""
        return next(line for line in self.summary.splitlines() if f"({feature})" in line)


class Pr:
    """Main from the template, branch `pr` checked out; payloads to rewrite and send."""

    def __init__(self, tmp_path: Path, template: Path, github: HTTPServer) -> None:
        path = tmp_path / "repo"
        shutil.copytree(template, path, symlinks=True)
        self.repo = GitRepo(path)
        self.tmp = tmp_path
        self.github = github
        self.base = self.repo.head()
        self.repo.git("checkout", "-q", "-b", "pr")

    def on_main(self, path: str, old: str, new: str) -> None:
        """Change a file on main (the trusted base) before the PR's commits."""
        self.repo.checkout("main")
        edit(self.repo, path, old, new)
        self.base = self.repo.commit(f"main: {path}")
        self.repo.git("checkout", "-q", "-B", "pr", "main")

    def edit_spec(self, old: str = INSIGHT, new: str = "Big spenders churn") -> str:
        edit(self.repo, SPEC, old, new)
        return self.repo.commit("edit the spec")

    def touch_other(self) -> str:
        self.repo.write("README.md", "# shop\n")
        return self.repo.commit("a change outside the feature")

    def spec_line(self, text: str) -> int:
        lines = (self.repo.path / SPEC).read_text(encoding="utf-8").splitlines()
        return next(n for n, line in enumerate(lines, 1) if text in line)

    # --- the event and the API ------------------------------------------------------

    def payload(
        self, name: str = "pull_request.opened.json", *, author: str = AUTHOR
    ) -> dict[str, Any]:
        """A real payload; only what must match this repo is rewritten."""
        data: dict[str, Any] = json.loads((HOOKS / name).read_text(encoding="utf-8"))
        data["repository"]["full_name"] = REPO
        if "number" in data:
            data["number"] = NUMBER
        pull = data["pull_request"]
        pull["number"] = NUMBER
        pull["user"]["login"] = AUTHOR if author is None else author
        pull["body"] = ""
        pull["base"].update(sha=self.base, ref="main")
        pull["base"]["repo"]["full_name"] = REPO
        pull["head"].update(sha=self.repo.head(), ref="pr")
        pull["head"]["repo"]["full_name"] = REPO
        return data

    def serve_pull(self, event: dict[str, Any], *, live_head: str | None = None) -> None:
        """GET the pull: the payload's pull_request (REST's shape), its head maybe moved."""
        pull = copy.deepcopy(event["pull_request"])
        if live_head:
            pull["head"]["sha"] = live_head
        self.github.expect_request(PULL, method="GET").respond_with_json(pull)

    def serve(self, event: dict[str, Any], reviews: list[dict[str, Any]]) -> None:
        self.serve_pull(event)
        self.github.expect_request(REVIEWS, method="GET").respond_with_json(reviews)

    def check(
        self,
        event: dict[str, Any],
        event_name: str = "pull_request_target",
        *,
        workspace: Path | None = None,
        token: str | None = TOKEN,
        args: tuple[str, ...] = (),
        bare: bool = False,
        raw_event: str | None = None,
    ) -> Run:
        """`opsync check --format github` in a simulated step: the base commit checked
        out (as the gate workflow does), the head only as Git objects."""
        self.repo.git("checkout", "-q", "--detach", self.base)
        event_path = self.tmp / "event.json"
        event_path.write_text(raw_event or json.dumps(event), encoding="utf-8")
        summary, outputs = self.tmp / "summary.md", self.tmp / "output.txt"
        summary.write_text("", encoding="utf-8")
        outputs.write_text("", encoding="utf-8")
        env = {k: v for k, v in git_env(self.tmp).items() if not k.startswith("GITHUB_")}
        env.update(
            GITHUB_ACTIONS="true",
            GITHUB_EVENT_NAME=event_name,
            GITHUB_EVENT_PATH=str(event_path),
            GITHUB_API_URL=self.github.url_for("/").rstrip("/"),
            GITHUB_REPOSITORY=REPO,
            GITHUB_WORKSPACE=str(workspace or self.repo.path),
            GITHUB_STEP_SUMMARY=str(summary),
            GITHUB_OUTPUT=str(outputs),
            NO_COLOR="1",
        )
        if token:
            env["GITHUB_TOKEN"] = token
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "opsync",
                "check",
                *(() if bare else ("--format", "github")),
                *args,
            ],
            cwd=self.repo.path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        self.repo.checkout("pr")
        run = Run(
            done.returncode,
            done.stdout,
            done.stderr,
            summary.read_text(encoding="utf-8"),
            outputs.read_text(encoding="utf-8"),
        )
        assert TOKEN not in str(run), "the token leaked into the step's output"
        return run


@pytest.fixture
def pr(tmp_path: Path, _template: Path, github: HTTPServer) -> Pr:
    return Pr(tmp_path, _template, github)


def assert_signoff_fails(run: Run, *words: str) -> None:
    """Exit 1, an ops-signoff annotation on the spec, a red row, `result=fail`."""
    assert run.code == 1, run
    assert re.search(
        rf"^::error file={re.escape(SPEC)},line=2,col=1,title=ops-signoff::", run.out, re.M
    ), run
    assert "❌ Member system revamp (member-tiers)" in run.row(), run
    assert run.row().endswith("| ❌ |") or run.row().endswith("| 🔄 |"), run
    assert run.result == "fail", run
    for word in words:
        assert word in run.out, run


def assert_passes(run: Run) -> None:
    assert run.code == 0, run
    assert "::error" not in run.out, run
    assert run.row() == (
        "| ✅ Member system revamp (member-tiers) | research | ✅ | ✅ | ✅ | ➖ | ➖ | ➖ | ✅ |"
    ), run
    assert run.result == "pass", run


def assert_unverified(run: Run, *words: str) -> None:
    """Exit 3: never a pass, never a plain fail; the workflow still learns why."""
    assert run.code == 3, run
    assert run.result == "error", run
    assert "could not complete" in run.summary, run
    assert re.search(r"^::error title=opsync check::", run.out, re.M), run
    for word in words:
        assert word in run.err, run


# --- who counts ------------------------------------------------------------------------


def test_ops_approval_at_the_head_passes(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [review(1, "carol", "APPROVED", head)])
    run = pr.check(event)
    assert_passes(run)
    assert "## ✅ opsync check: passed" in run.summary, run
    auth = [r.headers.get("Authorization") for r, _ in pr.github.log]
    assert auth and set(auth) == {f"Bearer {TOKEN}"}


def test_no_review_fails_with_an_annotation_on_the_spec(pr: Pr) -> None:
    pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [])
    run = pr.check(event)
    assert_signoff_fails(run, "needs 1 more ops approval(s) of feature member-tiers")
    assert "## ❌ opsync check: failed" in run.summary, run
    assert "**ops-signoff**" in run.summary, run


def test_the_pr_authors_own_approval_does_not_count(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload(author="carol")  # carol is ops, but this is her PR
    pr.serve(event, [review(1, "carol", "APPROVED", head)])
    assert_signoff_fails(pr.check(event), "authors cannot sign off")


def test_a_bot_on_the_roster_cannot_sign_off(pr: Pr) -> None:
    pr.on_main(POLICY, "ops: [carol, dave]", "ops: [carol, dave, ops-helper]")
    head = pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [review(1, "ops-helper", "APPROVED", head, user_type="Bot")])
    assert_signoff_fails(pr.check(event), "ops-helper is a bot (Bot)")


def test_a_reviewer_off_the_roster_does_not_count(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [review(1, "mallory", "APPROVED", head)])
    assert_signoff_fails(pr.check(event), "mallory (github): not on the roster")


def test_a_product_approval_is_not_an_ops_sign_off(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [review(1, "alice", "APPROVED", head)])
    assert_signoff_fails(pr.check(event), "alice (github): not on the roster")


# --- which content an approval covers ----------------------------------------------


def test_an_approval_at_an_earlier_commit_with_the_same_feature_content_counts(
    pr: Pr,
) -> None:
    approved = pr.edit_spec()
    pr.touch_other()  # pushed after the review; the feature's bundle is unchanged
    event = pr.payload("pull_request.synchronize.json")
    pr.serve(event, [review(1, "carol", "APPROVED", approved)])
    assert_passes(pr.check(event))


def test_an_approval_before_a_feature_change_is_stale(pr: Pr) -> None:
    approved = pr.edit_spec()
    pr.edit_spec("Big spenders churn", "Whales churn")
    event = pr.payload("pull_request.synchronize.json")
    pr.serve(event, [review(1, "carol", "APPROVED", approved)])
    run = pr.check(event)
    assert_signoff_fails(
        run, f"carol's approval (github) is stale: approved at {approved[:7]}, then changed"
    )
    assert SPEC in run.out.split("is stale", 1)[1], run
    assert run.row().endswith("| 🔄 |"), run


def test_an_approval_of_a_commit_missing_from_the_clone_is_stale_not_an_error(
    pr: Pr,
) -> None:
    pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [review(1, "carol", "APPROVED", "ab" * 20)])
    assert_signoff_fails(pr.check(event), "fetch-depth: 0")


def test_changes_requested_after_an_approval_withdraws_it(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload()
    reviews = [review(1, "carol", "APPROVED", head), review(2, "carol", "CHANGES_REQUESTED", head)]
    pr.serve(event, reviews)
    assert_signoff_fails(pr.check(event), "carol requested changes")


def test_comments_after_an_approval_keep_it(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [review(1, "carol", "APPROVED", head), review(2, "carol", "COMMENTED", head)])
    assert_passes(pr.check(event))


def test_a_dismissed_approval_does_not_count(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload("pull_request_review.dismissed.json")
    event["review"].update(commit_id=head, user={"login": "carol", "type": "User"})
    # GitHub rewrites the dismissed review's own state in the REST list.
    pr.serve(event, [review(1, "carol", "DISMISSED", head)])
    assert_signoff_fails(pr.check(event, "pull_request_review"))


def test_a_review_event_reruns_the_gate_from_the_rest_list_not_the_payload(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload("pull_request_review.submitted.json")
    event["review"].update(state="approved", commit_id=head, user={"login": "dave", "type": "User"})
    pr.serve(event, [review(1, "dave", "APPROVED", head)])
    assert_passes(pr.check(event, "pull_request_review"))

    # The payload claims an approval, but GitHub's list no longer has one: not evidence.
    pr.github.clear()
    pr.serve(event, [review(1, "dave", "DISMISSED", head)])
    assert_signoff_fails(pr.check(event, "pull_request_review"))


def test_reviews_are_read_across_pages(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload()
    pr.serve_pull(event)
    chatter = [review(n, "mallory", "COMMENTED", head) for n in range(1, 101)]
    page2 = pr.github.url_for(REVIEWS) + "?per_page=100&page=2"
    pr.github.expect_request(REVIEWS, method="GET", query_string="per_page=100").respond_with_json(
        chatter, headers={"Link": f'<{page2}>; rel="next", <{page2}>; rel="last"'}
    )
    pr.github.expect_request(
        REVIEWS, method="GET", query_string="per_page=100&page=2"
    ).respond_with_json([review(101, "carol", "APPROVED", head)])
    assert_passes(pr.check(event))
    pages = [r.query_string.decode() for r, _ in pr.github.log if r.path == REVIEWS]
    assert pages == ["per_page=100", "per_page=100&page=2"]


# --- teams -----------------------------------------------------------------------------


def team_roster(pr: Pr) -> None:
    pr.on_main(POLICY, "ops: [carol, dave]", 'ops: [carol, "@acme/ops-team"]')


MEMBERS = "/orgs/acme/teams/ops-team/members"


def test_a_team_member_on_the_roster_signs_off(pr: Pr) -> None:
    team_roster(pr)
    head = pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [review(1, "olga", "APPROVED", head)])
    pr.github.expect_request(MEMBERS, method="GET").respond_with_json(
        [{"login": "olga", "type": "User"}]
    )
    assert_passes(pr.check(event))


def test_a_pending_team_invitation_is_not_membership(pr: Pr) -> None:
    team_roster(pr)
    head = pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [review(1, "olga", "APPROVED", head)])
    # The member list holds active members only: an invited olga is not on it.
    pr.github.expect_request(MEMBERS, method="GET").respond_with_json([])
    assert_signoff_fails(pr.check(event), "olga (github): not on the roster")


def test_a_team_the_token_cannot_read_is_unverified_never_not_a_member(pr: Pr) -> None:
    team_roster(pr)
    head = pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [review(1, "olga", "APPROVED", head)])
    pr.github.expect_request(MEMBERS, method="GET").respond_with_json(
        {"message": "Resource not accessible by integration"}, status=403
    )
    assert_unverified(pr.check(event), "members of team acme/ops-team", "read:org")


# --- could not verify ------------------------------------------------------------------


def test_a_failing_api_is_exit_3_not_a_verdict(pr: Pr) -> None:
    pr.edit_spec()
    event = pr.payload()
    pr.serve_pull(event)
    # retry-after: 0 keeps the client's retries instant; they are covered in test_github_api.
    pr.github.expect_request(REVIEWS, method="GET").respond_with_json(
        {"message": "Server Error"}, status=500, headers={"Retry-After": "0"}
    )
    run = pr.check(event)
    assert_unverified(run, "did not answer after 4 attempts", "HTTP 500")
    assert sum(r.path == REVIEWS for r, _ in pr.github.log) == 4


def test_a_forbidden_pull_is_exit_3(pr: Pr) -> None:
    pr.edit_spec()
    event = pr.payload()
    pr.github.expect_request(PULL, method="GET").respond_with_json(
        {"message": "Resource not accessible by integration"}, status=403
    )
    assert_unverified(pr.check(event), "answered 403", "pull-requests: read")


def test_a_moved_head_is_exit_3(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload()
    newer = pr.touch_other()  # pushed while this run was queued
    pr.serve_pull(event, live_head=newer)
    run = pr.check(event)
    assert_unverified(run, f"head moved from {head[:7]} to {newer[:7]}")


def test_no_token_is_exit_3_when_reviews_are_the_evidence(pr: Pr) -> None:
    pr.edit_spec()
    event = pr.payload()
    assert_unverified(pr.check(event, token=None), "no GitHub token")


def test_a_records_only_policy_needs_no_token(pr: Pr) -> None:
    pr.on_main(POLICY, "sources: [github]", "sources: [record]")
    pr.edit_spec()
    run = pr.check(pr.payload(), token=None)
    assert_signoff_fails(run)
    assert not pr.github.log, "a records-only run asked GitHub"


# --- other payloads --------------------------------------------------------------------


def test_a_fork_pull_request_is_judged_the_same_way(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload("pull_request.opened.json")
    event["pull_request"]["head"]["repo"].update(
        id=999_999, full_name="mallory/shop", fork=True, name="shop"
    )
    event["pull_request"]["head"]["label"] = "mallory:pr"
    pr.serve(event, [review(1, "carol", "APPROVED", head)])
    assert_passes(pr.check(event))

    pr.github.clear()
    pr.serve(event, [review(1, "mallory", "APPROVED", head)])
    assert_signoff_fails(pr.check(event), "mallory (github): not on the roster")


def test_a_fork_whose_repository_was_deleted_still_runs(pr: Pr) -> None:
    head = pr.edit_spec()
    event = pr.payload()
    event["pull_request"]["head"]["repo"] = None
    pr.serve(event, [review(1, "carol", "APPROVED", head)])
    assert_passes(pr.check(event))


def merge_group_event(pr: Pr) -> dict[str, Any]:
    """main + the PR merged on the queue's temporary branch, as merge_group sends it."""
    data: dict[str, Any] = json.loads(
        (HOOKS / "merge_group.checks_requested.json").read_text(encoding="utf-8")
    )
    branch = f"gh-readonly-queue/main/pr-{NUMBER}-{pr.base}"
    pr.repo.git("checkout", "-q", "-b", branch, "main")
    pr.repo.git("merge", "-q", "--no-ff", "-m", f"Merge pull request #{NUMBER}", "pr")
    group_head = pr.repo.head()
    pr.repo.checkout("pr")
    data["repository"]["full_name"] = REPO
    data["merge_group"].update(
        head_sha=group_head,
        head_ref=f"refs/heads/{branch}",
        base_sha=pr.base,
        base_ref="refs/heads/main",
    )
    data["merge_group"]["head_commit"].update(id=group_head)
    return data


def test_a_merge_group_counts_the_queued_prs_reviews(pr: Pr) -> None:
    head = pr.edit_spec()
    pull_event = pr.payload()
    group = merge_group_event(pr)
    pr.serve(pull_event, [review(1, "carol", "APPROVED", head)])
    assert_passes(pr.check(group, "merge_group"))


def test_a_merge_group_still_refuses_the_authors_own_approval(pr: Pr) -> None:
    head = pr.edit_spec()
    pull_event = pr.payload(author="carol")
    group = merge_group_event(pr)
    pr.serve(pull_event, [review(1, "carol", "APPROVED", head)])
    assert_signoff_fails(pr.check(group, "merge_group"), "authors cannot sign off")


def test_the_checkout_comes_from_the_working_directory_not_github_workspace(
    pr: Pr,
) -> None:
    """The action's `working-directory` input: the repo may sit below the workspace."""
    head = pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [review(1, "carol", "APPROVED", head)])
    assert_passes(pr.check(event, workspace=pr.tmp))


# --- trusted files -------------------------------------------------------------------


def test_a_registry_change_needs_a_product_and_an_ops_review(pr: Pr) -> None:
    edit(pr.repo, "opsync/metrics.yml", "target: 420", "target: 425")
    head = pr.repo.commit("raise the north star target")
    event = pr.payload()
    pr.serve(event, [review(1, "carol", "APPROVED", head)])
    run = pr.check(event)
    assert run.code == 1, run
    assert "::error file=opsync/metrics.yml" in run.out, run
    assert "1 more product" in run.out, run

    pr.github.clear()
    pr.serve(event, [review(1, "carol", "APPROVED", head), review(2, "alice", "APPROVED", head)])
    run = pr.check(event)
    assert run.code == 0, run
    assert run.result == "pass", run


def test_a_policy_change_is_judged_by_the_base_roster_and_needs_an_admin(pr: Pr) -> None:
    # The PR adds mallory to ops and has her approve: the base roster does not know her.
    edit(pr.repo, POLICY, "ops: [carol, dave]", "ops: [carol, dave, mallory]")
    head = pr.repo.commit("let mallory approve")
    event = pr.payload()
    pr.serve(event, [review(1, "mallory", "APPROVED", head), review(2, "carol", "APPROVED", head)])
    run = pr.check(event)
    assert run.code == 1, run
    assert re.search(r"^::error file=opsync\.yml,title=policy-approval::", run.out, re.M), run

    pr.github.clear()
    pr.serve(event, [review(1, "erin", "APPROVED", head)])
    assert pr.check(event).code == 0


def test_an_approval_from_outside_the_team_does_not_stop_the_gate(pr: Pr) -> None:
    team_roster(pr)
    head = pr.edit_spec()
    event = pr.payload()
    pr.serve(event, [review(1, "carol", "APPROVED", head), review(2, "mallory", "APPROVED", head)])
    pr.github.expect_request(MEMBERS, method="GET").respond_with_json(
        [{"login": "olga", "type": "User"}]
    )
    assert_passes(pr.check(event))


@pytest.mark.parametrize("commit", [None, "", "pr"])
def test_a_review_without_a_commit_sha_is_stale_and_never_resolved_as_a_ref(
    pr: Pr, commit: str | None
) -> None:
    pr.edit_spec()
    event = pr.payload()
    approval = review(1, "carol", "APPROVED", "")
    approval["commit_id"] = commit  # `pr` is a branch here: it must not be resolved
    pr.serve(event, [approval])
    assert_signoff_fails(pr.check(event), "the review names no commit")


# --- the reviewer's latest word wins across sources (issue 14, item 3) -------------------


def test_changes_requested_on_github_withdraws_the_same_reviewers_record(
    pr: Pr, gate_keys: dict[str, Path]
) -> None:
    from gateflow import signer_line

    pr.repo.checkout("main")
    edit(pr.repo, POLICY, "sources: [github]", "sources: [github, record]")
    signers = pr.repo.path / "opsync/allowed_signers"
    signers.write_text(signers.read_text() + signer_line("carol", gate_keys["carol"]))
    pr.base = pr.repo.commit("main: records count too; carol's key")
    pr.repo.git("checkout", "-q", "-B", "pr", "main")
    pr.edit_spec()
    signed = subprocess.run(
        [sys.executable, "-m", "opsync", "approve", "member-tiers", "--key",
         str(gate_keys["carol"]), "--base", "main"],
        cwd=pr.repo.path, env=pr.repo.env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    head = pr.repo.commit("carol approves with a record")
    event = pr.payload()
    pr.serve(event, [review(1, "carol", "CHANGES_REQUESTED", head)])
    run = pr.check(event)
    assert_signoff_fails(run, "carol requested changes")
    assert "carol (record): withdrawn" in run.out, run


# --- deep JSON and unexpected failures are exit 3 with result=error (issue 14, item 16) ---

DEEP = "[" * 100_000 + "]" * 100_000  # json.loads: RecursionError


def test_a_deeply_nested_event_payload_is_exit_3_with_result_error(pr: Pr) -> None:
    pr.edit_spec()
    event = pr.payload()
    raw = json.dumps(event, indent=1)[:-1] + ', "deep": ' + DEEP + "}"
    run = pr.check(event, raw_event=raw)
    assert_unverified(run, "nested deeper than 500 levels at line")


def test_a_deeply_nested_api_answer_is_exit_3_with_result_error(pr: Pr) -> None:
    pr.edit_spec()
    event = pr.payload()
    pr.serve_pull(event)
    pr.github.expect_request(REVIEWS, method="GET").respond_with_data(
        DEEP, content_type="application/json"
    )
    assert_unverified(pr.check(event), "nested deeper than 500 levels")


def test_an_unexpected_failure_in_actions_still_writes_result_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from opsync.commands import check
    from opsync.errors import VerifyError

    outputs, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    outputs.write_text("", encoding="utf-8")
    summary.write_text("", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))

    def crash(_args: object, _planned: object) -> int:
        raise KeyError("something nobody foresaw\n::error title=forged::x")

    monkeypatch.setattr(check, "_run", crash)
    args = check.CheckArgs(None, None, None, None, None, tmp_path, False, "github", "never", 0, 0)
    with pytest.raises(VerifyError) as caught:
        check.run(args)
    assert caught.value.exit_code == 3
    assert "result=error" in outputs.read_text(encoding="utf-8")
    assert "could not complete" in summary.read_text(encoding="utf-8")
    out = capsys.readouterr().out
    assert out.startswith("::error title=opsync check::unexpected KeyError"), out
    # one annotation; the forged text stays inside it, never a line of its own
    assert [line for line in out.splitlines() if line.startswith("::")] == [out.splitlines()[0]]
