"""Shell completion of feature ids for `opsync status` and `opsync approve`.

Completion runs on every <TAB>, so it reads only file names (the specs in the
features folder of the repo it is run in, per `opsync.yml`'s `paths.features`), never
Git objects, and it never raises: a broken workspace completes nothing.
Set up: docs/shell.md (`_OPSYNC_COMPLETE=bash_source opsync`, click's mechanism).
"""

from __future__ import annotations

from pathlib import Path

import click
from click.shell_completion import CompletionItem

# `opsync approve` also takes these bundle names (the registry and the policy).
SPECIAL = ("@metrics", "@policy")


def feature_ids(root: Path) -> list[str]:
    """Feature ids from the spec file names: `opsync/features/<id>.md`."""
    from opsync.workspace.root import policy_or_defaults

    folder = root / policy_or_defaults(root).policy.paths.features
    return sorted(p.stem for p in folder.glob("*.md") if p.is_file())


def _root(ctx: click.Context) -> Path:
    from opsync.workspace.root import find_root

    repo = ctx.params.get("repo")
    return find_root(Path(repo) if repo else Path.cwd(), required=False)


def complete_features(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    try:
        ids = feature_ids(_root(ctx))
    except Exception:  # never break the user's shell over a broken workspace
        return []
    given = set(ctx.params.get(param.name or "") or ())
    return [CompletionItem(i) for i in ids if i.startswith(incomplete) and i not in given]


def complete_approvable(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    items = complete_features(ctx, param, incomplete)
    return items + [CompletionItem(s) for s in SPECIAL if s.startswith(incomplete)]
