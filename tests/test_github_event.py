"""The Actions event reader, on every real webhook payload in tests/fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fixture_paths import WEBHOOKS
from opsync.errors import ConfigError
from opsync.github.event import PullRequestEvent, load_event, merge_group_pr_number

FIXTURES = WEBHOOKS
PAYLOADS = sorted(FIXTURES.glob("*.json"))
BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"


def env_for(name: str, path: Path) -> dict[str, str]:
    return {"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": str(path)}


def payload(fixture: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    return data


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_fixtures_are_there() -> None:
    assert len(PAYLOADS) >= 9, f"expected the webhook payloads in {FIXTURES}"


@pytest.mark.parametrize("path", PAYLOADS, ids=lambda p: p.name)
def test_every_real_payload_loads(path: Path) -> None:
    event_name = path.name.split(".")[0]
    event = load_event(env_for(event_name, path))

    assert event is not None
    assert event.event_name == event_name
    assert not event.is_fork
    if event_name == "merge_group":
        assert event == PullRequestEvent(
            event_name="merge_group",
            repo_full_name="octo-org/octo-repo",
            number=None,
            base_sha="380387fbc80638b734a49e1be1c4dfec1c01b33c",
            base_ref="main",
            head_sha="2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d",
            head_ref="gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64",
            author=None,
            body=None,
            is_fork=False,
        )
        assert merge_group_pr_number(event.head_ref) == 104
    else:
        assert event.repo_full_name == "Codertocat/Hello-World"
        assert event.number == 2
        assert (event.base_sha, event.base_ref) == (BASE, "master")
        assert (event.head_sha, event.head_ref) == (HEAD, "changes")
        assert event.author == "Codertocat"
        assert event.body == payload(path.name)["pull_request"]["body"]


def test_pull_request_target_reads_the_same_payload_as_pull_request() -> None:
    path = FIXTURES / "pull_request.synchronize.json"
    target = load_event(env_for("pull_request_target", path))
    plain = load_event(env_for("pull_request", path))
    assert target is not None and plain is not None
    assert target.event_name == "pull_request_target"
    assert target.head_sha == plain.head_sha == HEAD


def test_fork_is_detected(tmp_path: Path) -> None:
    data = payload("pull_request.opened.json")
    fork = data["pull_request"]["head"]["repo"]
    fork.update(id=999, full_name="mallory/Hello-World", fork=True)
    event = load_event(env_for("pull_request_target", write(tmp_path, data)))
    assert event is not None and event.is_fork


def test_head_in_a_deleted_fork_counts_as_fork(tmp_path: Path) -> None:
    data = payload("pull_request.opened.json")
    data["pull_request"]["head"]["repo"] = None
    event = load_event(env_for("pull_request_target", write(tmp_path, data)))
    assert event is not None and event.is_fork


def test_empty_body_is_an_empty_string(tmp_path: Path) -> None:
    data = payload("pull_request.opened.json")
    data["pull_request"]["body"] = None
    event = load_event(env_for("pull_request", write(tmp_path, data)))
    assert event is not None and event.body == ""


def workflow_run_payload(pull_requests: list[dict[str, Any]], head_repo_id: int) -> dict[str, Any]:
    pr = payload("pull_request.opened.json")
    repo = pr["repository"]
    return {
        "action": "completed",
        "workflow_run": {
            "id": 30433642,
            "event": "pull_request_review",
            "head_branch": "changes",
            "head_sha": HEAD,
            "pull_requests": pull_requests,
            "repository": repo,
            "head_repository": {**repo, "id": head_repo_id},
            "actor": {"login": "someone-else", "type": "User"},
        },
        "repository": repo,
    }


def test_workflow_run_takes_the_first_pull_request(tmp_path: Path) -> None:
    ref = {"id": 186853002, "url": "https://api.github.com/repos/Codertocat/Hello-World"}
    pulls = [
        {
            "id": 279147437,
            "number": 2,
            "head": {"ref": "changes", "sha": HEAD, "repo": ref},
            "base": {"ref": "master", "sha": BASE, "repo": ref},
        }
    ]
    data = workflow_run_payload(pulls, head_repo_id=186853002)
    event = load_event(env_for("workflow_run", write(tmp_path, data)))

    assert event is not None
    assert (event.number, event.base_sha, event.head_sha) == (2, BASE, HEAD)
    assert event.body is None  # not in this payload: the caller fetches the PR
    assert event.author is None  # the run's actor is not the PR's author
    assert not event.is_fork


def test_workflow_run_without_pull_request_is_explained(tmp_path: Path) -> None:
    data = workflow_run_payload([], head_repo_id=1)
    with pytest.raises(ConfigError) as exc:
        load_event(env_for("workflow_run", write(tmp_path, data)))
    assert "forks" in exc.value.message
    assert "pull_request_target" in (exc.value.hint or "")


@pytest.mark.parametrize("name", ["push", "schedule", ""])
def test_other_events_are_not_about_a_pull_request(name: str) -> None:
    assert load_event({"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": "/nonexistent"}) is None
    assert load_event({}) is None


def test_missing_payload_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_event(env_for("pull_request_target", tmp_path / "missing.json"))
    assert "missing.json" in exc.value.message
    assert "GITHUB_EVENT_PATH" in (exc.value.hint or "")
    with pytest.raises(ConfigError):
        load_event({"GITHUB_EVENT_NAME": "pull_request"})


@pytest.mark.parametrize(
    "content",
    ["{not json", "[]", json.dumps({"pull_request": {"number": 2}})],
    ids=["bad-json", "not-object", "missing-fields"],
)
def test_malformed_payload_is_a_config_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "event.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_event(env_for("pull_request", path))
    assert exc.value.hint


def test_a_sha_that_is_not_a_commit_id_is_refused(tmp_path: Path) -> None:
    data = payload("pull_request.opened.json")
    data["pull_request"]["head"]["sha"] = "main; rm -rf /"
    with pytest.raises(ConfigError) as exc:
        load_event(env_for("pull_request_target", write(tmp_path, data)))
    assert "not a commit id" in exc.value.message
