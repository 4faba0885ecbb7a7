"""`opsync check` in a GitLab merge request pipeline, end to end.

A real git repo (`opsync init --example` on main with `sources: [gitlab]`, a branch `pr`
with real commits), the CI/CD variables a merge request pipeline sets, and a local
GitLab REST API on 127.0.0.1 (tests/gitlab_api.py) answering approvals, versions, notes
and group members. opsync runs as a subprocess, as the template's job runs it:
`opsync check --format gitlab > gl-code-quality-report.json` with the note turned on.
It is judged by what GitLab sees: the exit code, the code-quality artifact, the note.

Roster (the example opsync.yml): carol and dave are ops, alice and bob product, erin
admin. The merge request is bob's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from gitlab_api import BOT_ID, IID, PROJECT, FakeGitLab, member
from gitrepo import GitRepo, git_env, make_repo

SPEC = "opsync/features/member-tiers.md"
POLICY = "opsync.yml"
TOKEN = "glpat-e2e-secret-token-value"
INSIGHT = "Top-spending members churn"
MARKER = "<!-- opsync:gate -->"


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = make_repo(tmp_path_factory.mktemp("template"))
    done = subprocess.run(
        [sys.executable, "-m", "opsync", "init", "--example", "--ci", "gitlab"],
        cwd=repo.path,
        env=repo.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    edit(repo, POLICY, "sources: [gitlab, record]", "sources: [gitlab]")
    repo.commit("opsync init --example, GitLab approvals as sign-off")
    return repo.path


def edit(repo: GitRepo, path: str, old: str, new: str) -> None:
    text = (repo.path / path).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    repo.write(path, text.replace(old, new, 1))


@dataclass(frozen=True, repr=False)
class Run:
    code: int
    out: str  # the code-quality artifact
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout ---\n{self.out}--- stderr ---\n{self.err}"

    __repr__ = __str__

    @property
    def issues(self) -> list[dict[str, Any]]:
        data = json.loads(self.out)
        assert isinstance(data, list), self
        return data

    def signoff(self) -> str:
        """The ops-signoff issue's description (the gate's message)."""
        found = [i["description"] for i in self.issues if i["check_name"] == "ops-signoff"]
        assert len(found) == 1, self
        return str(found[0])


class Mr:
    """Main from the template, branch `pr` checked out, a merge request on the fake GitLab."""

    def __init__(self, tmp_path: Path, template: Path, server: HTTPServer) -> None:
        path = tmp_path / "repo"
        shutil.copytree(template, path, symlinks=True)
        self.repo = GitRepo(path)
        self.tmp = tmp_path
        self.base = self.repo.head()
        self.repo.git("checkout", "-q", "-b", "pr")
        self.gitlab = FakeGitLab(server)
        self.gitlab.serve()

    def on_main(self, path: str, old: str, new: str) -> None:
        self.repo.checkout("main")
        edit(self.repo, path, old, new)
        self.base = self.repo.commit(f"main: {path}")
        self.repo.git("checkout", "-q", "-B", "pr", "main")

    def push_spec_edit(self, old: str = INSIGHT, new: str = "Big spenders churn") -> str:
        edit(self.repo, SPEC, old, new)
        sha = self.repo.commit("edit the spec")
        self.gitlab.push(sha)
        return sha

    def push_unrelated(self) -> str:
        self.repo.write("README.md", "# shop\n")
        sha = self.repo.commit("a change outside the feature")
        self.gitlab.push(sha)
        return sha

    def check(self, *, token: str | None = TOKEN, **extra: str) -> Run:
        env = {
            k: v
            for k, v in git_env(self.tmp).items()
            if not k.startswith(("GITHUB_", "GITLAB_", "CI_", "OPSYNC_"))
        }
        env.update(
            GITLAB_CI="true",
            CI="true",
            CI_PIPELINE_SOURCE="merge_request_event",
            CI_API_V4_URL=self.gitlab.url,
            CI_PROJECT_ID=str(PROJECT),
            CI_MERGE_REQUEST_IID=str(IID),
            CI_MERGE_REQUEST_DIFF_BASE_SHA=self.base,
            CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main",
            CI_COMMIT_SHA=self.repo.head(),
            CI_MERGE_REQUEST_DESCRIPTION=self.gitlab.description,
            CI_JOB_TOKEN="job-token-not-for-merge-requests",
            OPSYNC_GITLAB_NOTE="true",
            NO_COLOR="1",
        )
        if token:
            env["OPSYNC_GITLAB_TOKEN"] = token
        env.update(extra)
        done = subprocess.run(
            [sys.executable, "-m", "opsync", "check", "--format", "gitlab"],
            cwd=self.repo.path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        run = Run(done.returncode, done.stdout, done.stderr)
        assert TOKEN not in str(run) + self.note_text(), "the token leaked"
        return run

    def note_text(self) -> str:
        return "\n".join(n["body"] for n in self.gitlab.notes)

    def our_notes(self) -> list[dict[str, Any]]:
        return [n for n in self.gitlab.notes if n["author"]["id"] == BOT_ID]


@pytest.fixture
def mr(tmp_path: Path, _template: Path, local_api: HTTPServer) -> Mr:
    return Mr(tmp_path, _template, local_api)


def assert_passes(mr: Mr, run: Run) -> None:
    assert run.code == 0, run
    assert not [i for i in run.issues if i["severity"] in ("major", "blocker")], run
    (note,) = mr.our_notes()
    assert note["body"].startswith(MARKER), note
    assert "## ✅ opsync check: passed" in note["body"], note


def assert_not_approved(mr: Mr, run: Run, *words: str) -> None:
    assert run.code == 1, run
    message = run.signoff()
    for word in words:
        assert word in message, run
    assert "## ❌ opsync check: failed" in mr.our_notes()[0]["body"]


def assert_unverified(mr: Mr, run: Run, *words: str) -> None:
    """Exit 3; the artifact is a one-issue report, the note says the run stopped."""
    assert run.code == 3, run
    (issue,) = run.issues
    assert issue["check_name"] == "opsync-error", run
    assert issue["severity"] == "blocker", run
    assert "not approved" not in run.out + run.err, run
    assert "needs 1 more" not in run.out + run.err, run
    for word in words:
        assert word in run.err, run
    (note,) = mr.our_notes()
    assert "could not complete" in note["body"], note


# --- which content an approval covers ----------------------------------------------


def test_an_approval_after_the_last_feature_change_passes(mr: Mr) -> None:
    mr.push_spec_edit()
    mr.gitlab.approve("carol")
    run = mr.check()
    assert_passes(mr, run)
    # Both versions' pages were read (X-Next-Page), with the token as PRIVATE-TOKEN.
    sent = [r.headers.get("PRIVATE-TOKEN") for r, _ in mr.gitlab.server.log]
    assert sent and set(sent) == {TOKEN}
    assert not any(r.headers.get("JOB-TOKEN") for r, _ in mr.gitlab.server.log)


def test_an_approval_before_a_spec_edit_is_stale_and_says_what_changed(mr: Mr) -> None:
    mr.push_spec_edit()
    mr.gitlab.approve("carol")
    first = mr.gitlab.versions[-1]["head_commit_sha"]
    mr.push_spec_edit("Big spenders churn", "Big spenders churn fast")
    run = mr.check()
    assert_not_approved(
        mr,
        run,
        "carol's approval (gitlab) is stale",
        f"approved at {first[:7]}, then changed: {SPEC}",
    )
    assert "🔄" in mr.our_notes()[0]["body"]


def test_an_approval_before_an_unrelated_push_still_counts(mr: Mr) -> None:
    mr.push_spec_edit()
    mr.gitlab.approve("carol")
    mr.push_unrelated()
    assert_passes(mr, mr.check())


def test_an_approval_without_a_time_counts_when_the_feature_never_changed(mr: Mr) -> None:
    mr.push_spec_edit()
    mr.push_unrelated()
    mr.gitlab.approve("carol", timed=False)  # GitLab before approved_at existed
    assert_passes(mr, mr.check())


def test_an_approval_without_a_time_is_stale_when_the_feature_changed_since_the_first_version(
    mr: Mr,
) -> None:
    first = mr.push_spec_edit()
    mr.push_spec_edit("Big spenders churn", "Big spenders churn fast")
    mr.gitlab.approve("carol", timed=False)  # maybe given on the first version: unknown
    run = mr.check()
    assert_not_approved(mr, run, "GitLab gives no approval time", f"version {first[:7]}")


# --- who counts ------------------------------------------------------------------------


def test_the_merge_request_authors_approval_does_not_count(mr: Mr) -> None:
    mr.gitlab.author = "carol"  # ops, but it is her merge request
    mr.push_spec_edit()
    mr.gitlab.approve("carol")
    assert_not_approved(mr, mr.check(), "carol is the merge request's author")


@pytest.mark.parametrize(
    ("username", "bot"),
    [
        ("ops-helper", True),  # `bot: true` from /users/:id
        ("project_42_bot_8c7e1a", False),  # a project access token's user, by its name
    ],
)
def test_a_bot_on_the_roster_cannot_sign_off(mr: Mr, username: str, bot: bool) -> None:
    mr.on_main(POLICY, "ops: [carol, dave]", f"ops: [carol, dave, {username}]")
    mr.push_spec_edit()
    mr.gitlab.approve(username, bot=bot)
    assert_not_approved(mr, mr.check(), f"{username} is a bot")


def test_a_user_off_the_roster_does_not_count(mr: Mr) -> None:
    mr.push_spec_edit()
    mr.gitlab.approve("mallory")
    mr.gitlab.approve("alice")  # product, not ops
    run = mr.check()
    assert_not_approved(
        mr, run, "mallory (gitlab): not on the roster", "alice (gitlab): not on the roster"
    )


def test_a_whole_workspace_with_a_dotted_gitlab_username_passes(mr: Mr) -> None:
    """Roster, spec owner, metric owners and week doc all name `li.wei` (a GitLab
    username GitHub would refuse): schemas and gates accept it on GitLab."""
    mr.repo.checkout("main")
    for path in mr.repo.git("ls-files", "opsync.yml", "opsync/").splitlines():
        text = (mr.repo.path / path).read_text(encoding="utf-8")
        if "carol" in text:
            mr.repo.write(path, text.replace("carol", "li.wei"))
    mr.base = mr.repo.commit("main: carol is li.wei on GitLab")
    mr.repo.git("checkout", "-q", "-B", "pr", "main")
    mr.push_spec_edit()
    mr.gitlab.approve("li.wei")
    run = mr.check()
    assert_passes(mr, run)
    assert run.issues == [], run


def test_a_gitlab_username_with_dots_and_a_subgroup_roster(mr: Mr) -> None:
    mr.on_main(POLICY, "ops: [carol, dave]", 'ops: [carol, dave, li.wei, "@acme/ops/eu"]')
    mr.gitlab.groups["acme/ops/eu"] = [member("zhang.san", 1), member("wang_wu", 2)]
    mr.push_spec_edit()
    mr.gitlab.approve("wang_wu")  # on the roster through the subgroup, 2nd members page
    assert_passes(mr, mr.check())


def test_a_blocked_group_member_does_not_count(mr: Mr) -> None:
    mr.on_main(POLICY, "ops: [carol, dave]", 'ops: [carol, dave, "@acme/ops"]')
    mr.gitlab.groups["acme/ops"] = [member("wang_wu", 2, state="blocked")]
    mr.push_spec_edit()
    mr.gitlab.approve("wang_wu")
    assert_not_approved(mr, mr.check(), "wang_wu (gitlab): not on the roster")


# --- could not verify: exit 3, never "not approved" --------------------------------


@pytest.mark.parametrize("status", [401, 403, 404, 500])
def test_an_api_error_on_approvals_is_exit_3(mr: Mr, status: int) -> None:
    mr.push_spec_edit()
    mr.gitlab.approve("carol")
    mr.gitlab.fail["approvals"] = status
    run = mr.check()
    assert_unverified(mr, run, "/approvals")
    assert f"{status}" in run.err, run


@pytest.mark.parametrize("status", [403, 404])
def test_an_unreadable_group_is_exit_3_not_a_non_member(mr: Mr, status: int) -> None:
    mr.on_main(POLICY, "ops: [carol, dave]", 'ops: [carol, dave, "@acme/ops"]')
    mr.gitlab.fail["members"] = status
    mr.push_spec_edit()
    mr.gitlab.approve("wang_wu")
    run = mr.check()
    assert_unverified(mr, run, "cannot verify members of GitLab group acme/ops")


def test_no_token_is_exit_3_with_what_to_set(mr: Mr) -> None:
    mr.push_spec_edit()
    run = mr.check(token=None, CI_JOB_TOKEN="")
    assert run.code == 3, run
    assert "OPSYNC_GITLAB_TOKEN" in run.err, run
    assert run.issues[0]["check_name"] == "opsync-error", run


def test_an_unreadable_approver_is_exit_3(mr: Mr) -> None:
    mr.push_spec_edit()
    mr.gitlab.approve("carol")
    mr.gitlab.fail["users"] = 404
    assert_unverified(mr, mr.check(), "/users/")


def test_a_head_that_moved_after_the_pipeline_started_is_exit_3(mr: Mr) -> None:
    mr.push_spec_edit()
    mr.gitlab.live_head = "f" * 40
    run = mr.check()
    assert run.code == 3, run
    assert "head moved" in run.err, run
    assert mr.our_notes() == [], "the newer push's pipeline owns the note"


# --- the sticky note ---------------------------------------------------------------


def test_the_note_is_created_once_then_updated_in_place(mr: Mr) -> None:
    # Someone else's comments (one quoting the marker) and a system note come first,
    # so our note is on the second page of the notes list (Link: rel="next").
    mr.gitlab.note("Looks good to me", 11)
    mr.gitlab.note(f"quoting opsync: {MARKER} /approve", 12)
    mr.gitlab.note(f"{MARKER} added 1 commit", 13, system=True)
    mr.push_spec_edit()
    first = mr.check()
    assert first.code == 1, first
    (note,) = mr.our_notes()
    assert "## ❌ opsync check: failed" in note["body"]
    assert "merge request note created" in first.err, first
    mr.gitlab.approve("carol")
    second = mr.check()
    assert second.code == 0, second
    assert "merge request note updated" in second.err, second
    assert mr.our_notes() == [note]  # the same note, edited
    assert "## ✅ opsync check: passed" in note["body"]
    assert len(mr.gitlab.notes) == 4
    assert mr.gitlab.notes[1]["body"] == f"quoting opsync: {MARKER} /approve"  # untouched


def test_a_note_the_token_may_not_write_warns_but_keeps_the_verdict(mr: Mr) -> None:
    mr.push_spec_edit()
    mr.gitlab.approve("carol")
    mr.gitlab.fail["post-note"] = 403
    run = mr.check()
    assert run.code == 0, run
    assert "could not write the merge request note" in run.err, run


# --- not a merge request pipeline ------------------------------------------------------


def test_a_branch_pipeline_without_base_is_a_config_error(mr: Mr) -> None:
    run = mr.check(CI_MERGE_REQUEST_IID="", CI_PIPELINE_SOURCE="push")
    assert run.code == 2, run
    assert "not a merge request pipeline" in run.err, run
    assert run.issues[0]["check_name"] == "opsync-error", run


# --- what the pipeline tells opsync ---------------------------------------------------


def test_a_merged_results_pipeline_judges_the_source_branch_head(mr: Mr) -> None:
    """CI_COMMIT_SHA is GitLab's merge of source into target; approvals and versions are
    about CI_MERGE_REQUEST_SOURCE_BRANCH_SHA."""
    head = mr.push_spec_edit()
    mr.gitlab.approve("carol")
    mr.repo.git("checkout", "-q", "--detach", mr.base)
    mr.repo.git("merge", "-q", "--no-ff", "-m", "merged result", head)
    merged = mr.repo.head()
    run = mr.check(CI_COMMIT_SHA=merged, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA=head)
    assert_passes(mr, run)


def test_a_truncated_description_is_read_whole_from_the_api(mr: Mr) -> None:
    """GitLab cuts CI_MERGE_REQUEST_DESCRIPTION at 2700 characters; a `Feature:` line
    after the cut is still honoured."""
    mr.repo.write("src/tiers.py", "TIERS = 3\n")
    mr.gitlab.push(mr.repo.commit("code only"))
    mr.gitlab.description = "x" * 2700 + "\n\nFeature: member-tiers\n"
    run = mr.check(
        CI_MERGE_REQUEST_DESCRIPTION="x" * 2700,
        CI_MERGE_REQUEST_DESCRIPTION_IS_TRUNCATED="true",
    )
    assert "no aligned metric" not in run.out, run
    assert "needs 1 more ops approval(s) of feature member-tiers" in run.signoff(), run
