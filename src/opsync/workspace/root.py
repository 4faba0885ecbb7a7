"""Where a workspace is, and opening it: the one `find_root`, the one way to a Workspace.

Imports nothing heavy at module level (the CLI's start-up stays fast).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from opsync.errors import ConfigError
from opsync.workspace.policy import POLICY_FILE, Policy

if TYPE_CHECKING:
    from opsync.findings import Finding
    from opsync.workspace.model import Workspace


def find_root(start: Path | None = None, *, required: bool = True) -> Path:
    """The nearest folder at or above `start` holding opsync.yml, stopping at a repo top.

    Without one: a ConfigError when `required`, else the repo top (the folder holding
    `.git`), else `start` itself — where `init` and `new` create a workspace.
    """
    here = (start or Path.cwd()).resolve()
    top = None
    for folder in (here, *here.parents):
        if (folder / POLICY_FILE).is_file():
            return folder
        if (folder / ".git").exists():
            top = folder
            break
    if not required:
        return top or here
    raise ConfigError(
        f"no {POLICY_FILE} found in {here} or its parents",
        "run `opsync init` in the repository root (or pass --repo DIR)",
    )


def open_workspace(root: Path) -> Workspace:
    """The working tree's workspace; a broken opsync.yml is a configuration error."""
    from opsync.workspace.model import Workspace, load_policy
    from opsync.workspace.source import WorktreeSource

    source = WorktreeSource(root)
    policy, problems = load_policy(source)
    if policy is None:
        first = problems[0]
        raise ConfigError(located(first), first.hint or "run `opsync validate`")
    return Workspace(source, policy)


def located(finding: Finding) -> str:
    """`path:line:col: message [rule]`, for an error that stops a command."""
    where = f"{finding.path}:{finding.line}:{finding.col}" if finding.line else finding.path
    return f"{where}: {finding.message} [{finding.rule}]"


@dataclass(frozen=True)
class LoadedPolicy:
    policy: Policy
    warning: str | None = None  # why the defaults were used instead of the file


def policy_or_defaults(root: Path) -> LoadedPolicy:
    """opsync.yml through the one loader, or the defaults with a warning when it is broken.

    Scaffolding only needs `paths:`; a broken policy must not stop a user from creating
    files, so its problems are a warning here (`opsync validate` reports them).
    """
    from opsync.workspace.model import load_policy
    from opsync.workspace.source import WorktreeSource

    if not (root / POLICY_FILE).is_file():
        return LoadedPolicy(Policy())
    policy, problems = load_policy(WorktreeSource(root))
    if policy is not None:
        return LoadedPolicy(policy)
    for problem in problems:
        # A path outside the repository is refused, never swapped for a default: the
        # user meant another place, and writing there is not safe.
        if problem.message.startswith("paths.") and "does not match" in problem.message:
            field = problem.message.split(":", 1)[0]
            raise ConfigError(
                f"{POLICY_FILE}: {field} is not a path inside the repository",
                "use a relative path without `..`, e.g. opsync/features",
            )
    first = problems[0]
    reason = f"line {first.line}: {first.message}" if first.line else first.message
    return LoadedPolicy(
        Policy(),
        f"{POLICY_FILE} could not be read ({reason}); using the default paths"
        " — run `opsync validate` to see what to fix",
    )
