"""A PR-gate scenario in a real git repo: `opsync init --example` committed on main with
real SSH keys for the roster, then a branch `pr` to attack or approve from.

Roster (from the example opsync.yml): carol and dave are ops, alice is product, erin is
an admin. Their public keys are in main's opsync/allowed_signers; mallory has a key but
is on no roster and in no allowed_signers.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from conftest import CliResult, CliRunner
from gitrepo import GitRepo, make_repo

PEOPLE = ("carol", "dave", "alice", "erin", "mallory")
TRUSTED = ("carol", "dave", "alice", "erin")
FEATURE = "member-tiers"
SPEC = "opsync/features/member-tiers.md"
MATERIAL = "launch/member-tiers/push-copy.md"
SIGNERS = "opsync/allowed_signers"


def make_keys(folder: Path) -> dict[str, Path]:
    """One unencrypted ed25519 key per person (private key path; `.pub` beside it)."""
    keys = {}
    for name in PEOPLE:
        key = folder / name
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@laptop", "-f", str(key)],
            check=True,
            capture_output=True,
        )
        keys[name] = key
    return keys


def signer_line(login: str, key: Path) -> str:
    kind, blob = key.with_name(key.name + ".pub").read_text().split()[:2]
    return f'{login} namespaces="opsync" {kind} {blob}\n'


class Flow:
    """The repo plus the verbs a scenario needs. Starts on branch `pr` == main."""

    def __init__(self, tmp_path: Path, keys: dict[str, Path], cli: CliRunner) -> None:
        self.keys = keys
        self.cli = cli
        self.repo: GitRepo = make_repo(tmp_path)
        result = self.run("init", "--example")
        assert result.code == 0, result
        for name in TRUSTED:
            self.append(SIGNERS, signer_line(name, keys[name]))
        self.repo.commit("opsync init --example, with the roster's keys")
        self.repo.git("checkout", "-q", "-b", "pr")

    # --- running opsync ---------------------------------------------------------------

    def run(self, *args: str) -> CliResult:
        return self.cli(*args, cwd=self.repo.path)

    def check(self, *args: str, base: str = "main") -> CliResult:
        return self.run("check", "--base", base, *args)

    def approve(self, who: str, bundle: str = FEATURE, commit: bool = True) -> CliResult:
        """`who` signs an approval of `bundle` at HEAD; the record is committed."""
        result = self.run("approve", bundle, "--key", str(self.keys[who]))
        assert result.code == 0, result
        if commit:
            self.repo.commit(f"{who} approves {bundle}")
        return result

    # --- editing files ----------------------------------------------------------------

    def read(self, path: str) -> str:
        return (self.repo.path / path).read_text(encoding="utf-8")

    def append(self, path: str, text: str) -> None:
        self.repo.write(path, self.read(path) + text)

    def replace(self, path: str, old: str, new: str) -> None:
        text = self.read(path)
        assert old in text, f"{old!r} not in {path}"
        self.repo.write(path, text.replace(old, new, 1))

    def set_field(self, name: str, value: str, path: str = SPEC) -> None:
        """Set a top-level front-matter field of the spec (`value` is raw YAML)."""
        text = self.read(path)
        new, count = re.subn(
            rf"^{name}:.*$", lambda _: f"{name}: {value}", text, count=1, flags=re.M
        )
        assert count == 1, f"no `{name}:` line in {path}"
        self.repo.write(path, new)

    def check_all_items(self) -> None:
        """Tick every functional-validation item (product's half of co-validation)."""
        self.repo.write(SPEC, self.read(SPEC).replace("- [ ] ", "- [x] "))

    def commit_on_main(self, message: str) -> None:
        """Commit the working-tree edits on main, and restart `pr` from there."""
        assert self.repo.git("rev-parse", "main") == self.repo.git("rev-parse", "pr"), (
            "only before the PR has commits"
        )
        self.repo.checkout("main")
        self.repo.commit(message)
        self.repo.git("checkout", "-q", "-B", "pr", "main")
