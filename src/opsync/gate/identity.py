"""A repository's identity, signed into approval records (issue 14): a record made for
identical content in another repository must never count here.

Offline there is no forge id to ask, so the identity is the trusted policy's `repo:`
(a random id `opsync init` writes once; forks and copies keep it, which is right for a
fork and is why a repository made from a template should get a new one), else `root:`
and the first (smallest) root commit id of the trusted commit's history — unique to the
history, but unknown in a shallow clone, which is then an error rather than a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from opsync.errors import VerifyError
from opsync.git import Repo
from opsync.workspace.policy import Policy


def lazy_identity(repo: Repo, commit: str, policy: Policy) -> Callable[[], str]:
    """repo_identity, computed on first use and then remembered."""
    return cache(lambda: repo_identity(repo, commit, policy))


def repo_identity(repo: Repo, commit: str, policy: Policy) -> str:
    """The identity records must carry, from the trusted `policy` at `commit`."""
    if policy.repo:
        return policy.repo
    if repo.is_shallow():
        raise VerifyError(
            "cannot tell this repository's identity in a shallow clone (opsync.yml has no `repo:`)",
            "fetch the full history (`fetch-depth: 0`), or add `repo:` to opsync.yml",
        )
    return f"root:{repo.root_commits(commit)[0]}"
