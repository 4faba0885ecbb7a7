"""Finding the workspace root without importing GitPython (keeps start-up fast)."""

from __future__ import annotations

from pathlib import Path

from opsync.errors import ConfigError
from opsync.workspace.policy import POLICY_FILE


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` holding opsync.yml, stopping at a repo top."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / POLICY_FILE).is_file():
            return folder
        if (folder / ".git").exists():
            break
    raise ConfigError(
        f"no {POLICY_FILE} found in {here} or its parents",
        "run `opsync init` in the repository root (or pass --root DIR)",
    )
