"""The GitHub workflows `opsync init --ci github` writes, with the action pinned.

The templates hold one marked `uses:` line for the opsync action. Its reference comes
from one place, the package (`opsync.ACTION_REPO` at `opsync.ACTION_COMMIT`, which the
release workflow stamps), unless `--action-ref` overrides it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsync.errors import ConfigError

# The marked line in templates/ci/github/*.yml (zizmor is told to skip it there only).
_MARKED = re.compile(
    r"^(?P<indent>[ \t]*)uses: \S+ # zizmor: ignore\[unpinned-uses\] opsync-action:.*$",
    re.MULTILINE,
)
_REF = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_./-]+")
_SHA = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class ActionRef:
    ref: str  # OWNER/REPO[/PATH]@REF, as it goes after `uses:`
    comment: str  # the `# ...` after it: the version it stands for
    warning: str | None = None  # set when the ref is not a commit SHA

    @property
    def pinned(self) -> bool:
        return self.warning is None


def action_ref(override: str | None = None) -> ActionRef:
    """The action reference for the workflows: `override`, else this package's own."""
    from opsync import ACTION_COMMIT, ACTION_REPO, __version__

    if override is None:
        if ACTION_COMMIT:
            return ActionRef(f"{ACTION_REPO}@{ACTION_COMMIT}", f"v{__version__}")
        ref, comment = f"{ACTION_REPO}@v{__version__}", f"v{__version__}"
    else:
        ref = override.strip()
        if not _REF.fullmatch(ref):
            raise ConfigError(
                f"--action-ref {override!r} is not an action reference",
                "use OWNER/REPO@COMMIT_SHA, e.g. --action-ref acme/opsync@<40-hex commit>",
            )
        comment = "opsync action, from --action-ref"
    if _SHA.fullmatch(ref.rpartition("@")[2]):
        return ActionRef(ref, comment)
    return ActionRef(
        ref,
        comment,
        f"the workflows use {ref}, a tag or branch that can move; pin the action by "
        "commit: opsync init --ci github --action-ref OWNER/opsync@<commit sha>",
    )


def pin_action(text: str, ref: ActionRef) -> str:
    """`text` (a workflow template) with its marked `uses:` line set to `ref`."""
    return _MARKED.sub(lambda m: f"{m['indent']}uses: {ref.ref} # {ref.comment}", text)


_INSTALL = re.compile(r'"opsync==[^"]*"(?P<rest>\s*# opsync-install:[^\n]*)?')


def pin_install(text: str, ref: ActionRef) -> str:
    """A CI file's `pip install "opsync==…"` line set to install `ref`'s commit from its
    repository (`opsync @ git+https://github.com/OWNER/REPO@SHA`)."""
    repo, _, commit = ref.ref.partition("@")
    spec = f'"opsync @ git+https://github.com/{repo}@{commit}"  # {ref.comment}'
    return _INSTALL.sub(spec, text)
