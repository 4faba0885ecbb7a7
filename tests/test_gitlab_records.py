"""Signed records for a GitLab team: a reviewer whose GitLab username holds `.` signs a
record with a real SSH key and `opsync check` verifies it (no API involved)."""

from __future__ import annotations

from typing import Any

from gateflow import FEATURE, SPEC


def test_a_dotted_gitlab_username_signs_and_verifies_a_record(flow: Any) -> None:
    repo = flow.repo
    for path in repo.git("ls-files", "opsync.yml", "opsync/").splitlines():
        text = flow.read(path)
        if "carol" in text:
            repo.write(path, text.replace("carol", "li.wei"))
    flow.replace("opsync.yml", "sources: [github, record]", "sources: [gitlab, record]")
    flow.commit_on_main("carol is li.wei on GitLab")
    flow.replace(SPEC, "Top-spending members churn", "Big spenders churn")
    repo.commit("edit the spec")
    signed = flow.approve("carol")  # carol's key; allowed_signers names it li.wei
    assert f"opsync/approvals/{FEATURE}/li.wei.yml" in signed.out + signed.err, signed
    result = flow.check()
    assert result.code == 0, result
    assert "approved by li.wei (ops, record)" in result.out, result
