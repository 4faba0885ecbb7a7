"""The one wrapper over Git. Nothing else in opsync imports GitPython.

GitPython is imported on first use, so the CLI root stays fast. Every git failure leaves
this module as a ConfigError (bad input: wrong path or ref) or a VerifyError (history
missing, repo unreadable), each with a hint that names the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from opsync.errors import ConfigError, VerifyError
from opsync.git_log import LogEntry, parse_batch, parse_raw_log
from opsync.git_tree import READ_HINT, CommitBlobs, GitTreeSource
from opsync.workspace.source import Kind

if TYPE_CHECKING:
    import git as gitpython

Status = Literal["A", "M", "D", "R", "T"]

_SHALLOW_HINT = (
    "fetch until base and head share their merge base: `git fetch --deepen=N origin <base> "
    "<head>` with a growing N (the opsync-gate.yml template's fetch step does this), or "
    "`fetch-depth: 0` in actions/checkout, or `git fetch --unshallow`"
)


@dataclass(frozen=True)
class Change:
    """One changed path between two commits; `old_path` is set for renames only."""

    status: Status
    path: str
    old_path: str | None = None


_DETAIL_MAX = 200


def _failure(args: tuple[str, ...], stderr: str) -> VerifyError | ConfigError:
    """What failed, briefly: the git subcommand and git's first error line, escaped and
    cut. Never the argv: it can hold paths from the PR (megabytes on a big one, and a
    `\\n::error` in a name would forge an annotation)."""
    from opsync.safetext import one_line

    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("fatal:", "error:"))]
    detail = one_line((errors or lines or ["no output"])[0])
    if len(detail) > _DETAIL_MAX:
        detail = detail[: _DETAIL_MAX - 1] + "…"
    if "dubious ownership" in stderr:
        return ConfigError(
            "git refuses this repository: it is owned by another user",
            "run `git config --global --add safe.directory <repo path>` before opsync",
        )
    command = args[0] if args and args[0].replace("-", "").isalpha() else "command"
    return VerifyError(
        f"`git {command}` failed: {detail}", f"run `git {command}` in the repository to see why"
    )


def open_repo(path: Path) -> Repo:
    """The repository containing `path` (searching parent folders)."""
    try:
        import git as gitpython
    except ImportError as exc:  # GitPython refuses to import when git is missing
        raise ConfigError(
            "git is not installed or not on PATH", "install git and run opsync again"
        ) from exc
    try:
        repo = gitpython.Repo(path, search_parent_directories=True)
        # A partial clone (the gate template's `filter: blob:none`) fetches the blobs
        # opsync reads on demand; GIT_NO_LAZY_FETCH=1 would turn each into "missing".
        repo.git.update_environment(GIT_NO_LAZY_FETCH="0")
        return Repo(repo)
    except (gitpython.InvalidGitRepositoryError, gitpython.NoSuchPathError) as exc:
        raise ConfigError(
            f"{path} is not inside a git repository",
            "run opsync from a git checkout, or `git init` one first",
        ) from exc
    except gitpython.GitError as exc:
        raise ConfigError(f"cannot open git repository at {path}: {exc}") from exc


class Repo:
    """A repository; refs in, full shas and opsync errors out."""

    def __init__(self, repo: gitpython.Repo) -> None:
        self._repo = repo
        self.root = Path(repo.working_tree_dir or repo.git_dir)
        # A check asks for the same refs and merge base from several places: ask git once.
        self._shas: dict[str, str] = {}
        self._merge_bases: dict[tuple[str, str], str] = {}

    def close(self) -> None:
        """Stop git helper processes (cat-file) this repo started."""
        self._repo.close()

    def __enter__(self) -> Repo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(
        self, *args: str, ok: tuple[int, ...] = (0,), stdin: bytes | None = None
    ) -> tuple[int, str]:
        """Run git; return (status, stdout) when status is in `ok`, else raise.

        Untrusted lists (paths, patterns) go in `stdin`, never in argv: a PR of 15,000
        files must not hit the argv limit.
        """
        import tempfile

        try:
            with tempfile.TemporaryFile() as feed:
                if stdin is not None:
                    feed.write(stdin)
                    feed.seek(0)
                status, out, err = self._repo.git.execute(
                    [self._repo.git.GIT_PYTHON_GIT_EXECUTABLE or "git", *args],
                    istream=feed if stdin is not None else None,
                    with_extended_output=True,
                    with_exceptions=False,
                    stdout_as_string=False,
                    strip_newline_in_stdout=False,
                )
        except Exception as exc:  # git vanished from PATH, cannot fork...
            raise _failure(args, str(exc)) from exc
        stdout = out.decode("utf-8", "surrogateescape") if isinstance(out, bytes) else str(out)
        if status not in ok:
            raise _failure(args, str(err))
        return status, stdout

    def resolve(self, ref: str) -> str:
        """The full sha of the commit `ref` names."""
        if ref in self._shas:
            return self._shas[ref]
        if not ref or ref.startswith("-") or any(c.isspace() for c in ref):
            raise ConfigError(f"invalid git ref {ref!r}", "pass a branch, tag or commit sha")
        status, out = self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", ok=(0, 1))
        if status != 0:
            if not self._run("rev-list", "-n", "1", "--all")[1].strip():
                raise ConfigError(
                    f"unknown ref {ref}: the repository has no commits yet",
                    "commit the opsync files first (`git add -A && git commit`)",
                )
            hint = f"fetch it, e.g. `git fetch origin {ref}`, or check its name"
            if self.is_shallow():
                hint += "; in actions/checkout use `fetch-depth: 0`"
            raise ConfigError(f"unknown ref {ref}", hint)
        sha = out.strip()
        self._shas[ref] = self._shas[sha] = sha
        return sha

    def is_shallow(self) -> bool:
        return self._run("rev-parse", "--is-shallow-repository")[1].strip() == "true"

    def merge_base(self, base: str, head: str) -> str:
        """The commit where `head` branched from `base` (what `base...head` diffs from)."""
        base_sha, head_sha = self.resolve(base), self.resolve(head)
        known = self._merge_bases.get((base_sha, head_sha))
        if known is not None:
            return known
        status, out = self._run("merge-base", base_sha, head_sha, ok=(0, 1))
        if status == 0:
            self._merge_bases[(base_sha, head_sha)] = out.strip()
            return out.strip()
        if self.is_shallow():
            raise VerifyError(
                f"no merge base between {base} and {head}: this clone is shallow", _SHALLOW_HINT
            )
        raise VerifyError(
            f"{base} and {head} share no history",
            "check that --base names the branch the pull request targets",
        )

    def blob_id_at(self, commit: str, path: str) -> str | None:
        """The blob id at `commit:path` as git resolves it (a symlink's own blob), None when
        missing, a folder, a submodule or below a symlink. One batch lookup, no tree parsed:
        for one path in a folder of 20,000."""
        if any(c.isspace() or ord(c) < 32 for c in path):  # not for the batch protocol
            source = self.tree(commit)
            parent = path.rsplit("/", 1)[0] if "/" in path else ""
            kind = source.kind(path)
            if kind is Kind.FILE or (
                kind is Kind.SYMLINK and (not parent or source.kind(parent) is Kind.DIR)
            ):
                return source.blob_id(path)
            return None
        try:
            hexsha, kind_name, _ = self._repo.git.get_object_header(f"{commit}:{path}")
        except ValueError:  # `missing`
            return None
        except Exception as exc:
            raise _failure(("cat-file",), str(exc)) from exc
        name: object = kind_name
        sha: object = hexsha
        if name not in (b"blob", "blob"):
            return None
        return sha.decode() if isinstance(sha, bytes) else str(sha)

    def at(self, commit: str) -> CommitBlobs:
        """Blob ids at `commit`, looked up one path at a time (a `BlobSource`)."""
        return CommitBlobs(self.blob_id_at, commit)

    def blob_at(self, commit: str, path: str) -> bytes | None:
        """The blob at `commit:path`, resolved by git itself (no tree parsed here), or None.

        For one file in a huge folder. A symlink's blob is its target text, never what it
        points to; a path with whitespace or control characters (which the batch protocol
        cannot carry) goes through the tree walk instead.
        """
        if any(c.isspace() or ord(c) < 32 for c in path):
            source = self.tree(commit)
            return source.read(path) if source.kind(path) is Kind.FILE else None
        try:
            # GitPython types the type name as str; at run time it is bytes.
            _, kind, _, data = self._repo.git.get_object_data(f"{commit}:{path}")
            kind_name: object = kind
        except ValueError:  # `missing`: no such path at that commit
            return None
        except Exception as exc:
            raise _failure(("cat-file", f"{commit}:{path}"), str(exc)) from exc
        return bytes(data) if kind_name in (b"blob", "blob") else None

    def grep_files(self, commit: str, needles: Sequence[str], folder: str) -> list[str]:
        """Files under `folder` at `commit` whose text contains any needle (fixed strings).

        `git grep` on the object store finds the few specs a change concerns without
        parsing thousands of them in Python. Needles are read from stdin, one a line (a
        needle with a newline becomes its parts: still a superset).
        """
        if not needles:
            return []
        # --text: a NUL byte or a `-diff` attribute in the head must not hide a spec.
        args = ["grep", "-l", "-z", "-F", "--no-color", "--text", "-f", "-"]
        feed = "".join(f"{n}\n" for n in needles if n).encode("utf-8", "surrogateescape")
        status, out = self._run(*args, commit, "--", folder, ok=(0, 1), stdin=feed)
        if status == 1:
            return []
        prefix = f"{commit}:"
        return sorted(p.removeprefix(prefix) for p in out.split("\0") if p)

    def root_commits(self, commit: str) -> list[str]:
        """The commits without parents in `commit`'s history, sorted."""
        _, out = self._run("rev-list", "--max-parents=0", self.resolve(commit), "--")
        return sorted(out.split())

    def ever_committed(self, commit: str, blob: str, path: str) -> bool:
        """Did any commit in `commit`'s history add or remove the blob `blob` (hex id) at
        `path`? Limited to that path (a literal pathspec), so it costs the path's history,
        not the repository's."""
        if not all(c in "0123456789abcdef" for c in blob) or len(blob) not in (40, 64):
            raise ValueError(f"not a blob id: {blob!r}")
        sha = self.resolve(commit)
        _, out = self._run(
            "log", "-1", "--format=%H", f"--find-object={blob}", sha, "--", f":(literal){path}"
        )
        return bool(out.strip())

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        a, d = self.resolve(ancestor), self.resolve(descendant)
        return self._run("merge-base", "--is-ancestor", a, d, ok=(0, 1))[0] == 0

    def diff(self, base: str, head: str) -> list[Change]:
        """Changes from the merge base of `base` and `head` to `head`, renames detected.

        Nothing the repository configures may hide a change: submodule `ignore =` settings
        (.gitmodules or config) are overridden, so a gitlink is a change like any other,
        and `diff.relative` cannot narrow the diff to a folder.
        """
        start, end = self.merge_base(base, head), self.resolve(head)
        _, out = self._run(
            "diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-textconv",
            "--no-color", "--ignore-submodules=none", "--no-relative", start, end, "--",
        )  # fmt: skip
        return _parse_name_status(out)

    def first_parent_log(self, ref: str, folder: str) -> list[LogEntry]:
        """Commits on the first-parent history of `ref` that change files under `folder`,
        oldest first, each with its changes against its first parent and the new blob ids.

        One `git log` for the whole folder: callers derive per-file history from it
        without walking the history once per file. A merge is compared with its first
        parent, so a change made on a side branch counts when the merge lands.
        """
        sha = self.resolve(ref)
        _, out = self._run(
            "log", "--first-parent", "--diff-merges=first-parent", "--reverse", "-M",
            "--raw", "--no-abbrev", "-z", "--no-color", "--format=%x01%H %cI",
            sha, "--", folder,
        )  # fmt: skip
        return parse_raw_log(out)

    def shallow_commits(self) -> frozenset[str]:
        """The boundary commits of a shallow clone (their parents are missing)."""
        _, out = self._run("rev-parse", "--git-path", "shallow")
        path = Path(out.strip())
        if not path.is_absolute():
            path = self.root / path
        try:
            return frozenset(path.read_text(encoding="ascii").split())
        except OSError:
            return frozenset()

    def blobs(self, blob_ids: Sequence[str]) -> dict[str, bytes]:
        """Many blobs by hex id in one `git cat-file --batch` run (one process, not one
        round trip per object); ids that are missing or not blobs are left out."""
        import subprocess

        wanted = list(dict.fromkeys(i for i in blob_ids if i and set(i) != {"0"}))
        if not wanted:
            return {}
        git = self._repo.git.GIT_PYTHON_GIT_EXECUTABLE or "git"
        try:
            done = subprocess.run(
                [git, "cat-file", "--batch"], cwd=self.root, capture_output=True,
                input="".join(f"{i}\n" for i in wanted).encode(), check=False,
            )  # fmt: skip
        except OSError as exc:
            raise _failure(("cat-file", "--batch"), str(exc)) from exc
        if done.returncode != 0:
            raise _failure(("cat-file", "--batch"), done.stderr.decode(errors="replace"))
        return parse_batch(done.stdout)

    def commit_time(self, sha: str) -> datetime:
        """When `sha` was committed (timezone-aware)."""
        return self._commit(sha).committed_datetime

    def author(self, sha: str) -> str:
        """`Name <email>` of the commit author: for display only, never as evidence."""
        author = self._commit(sha).author
        return f"{author.name} <{author.email}>"

    def _commit(self, ref: str) -> gitpython.Commit:
        sha = self.resolve(ref)
        try:
            return self._repo.commit(sha)
        except Exception as exc:  # GitPython raises ValueError, GitError, BadObject...
            raise VerifyError(f"cannot read commit {sha[:12]}: {exc}", READ_HINT) from exc

    def tree(self, commit: str, label: str = "commit") -> GitTreeSource:
        """The files of `commit`, read from Git objects only (never the working tree)."""
        commit_obj = self._commit(commit)
        label = f"{label} {commit_obj.hexsha[:7]}"
        return GitTreeSource(_Objects(self._repo), commit_obj.tree.binsha, label)

    def show(self, commit: str, path: str) -> bytes | None:
        """A trusted file's bytes at `commit`; None when absent, refused when not a file."""
        tree = self.tree(commit, label="base")
        kind = tree.kind(path)
        if kind is Kind.MISSING:
            return None
        if kind is not Kind.FILE:
            raise ConfigError(
                f"{path} at {tree.label} is a {kind.value}, not a regular file",
                f"make {path} a regular file on the base branch",
            )
        return tree.read(path)


@dataclass(frozen=True)
class _Objects:
    """The object database, as trees read it (git_tree.ObjectReader)."""

    repo: gitpython.Repo

    def read(self, binsha: bytes) -> tuple[str, bytes]:
        try:
            stream = self.repo.odb.stream(binsha)
            return stream.type.decode(), stream.read()
        except Exception as exc:  # missing object, dead cat-file process...
            raise _unreadable(binsha) from exc

    def size(self, binsha: bytes) -> int:
        try:
            return int(self.repo.odb.info(binsha).size)
        except Exception as exc:
            raise _unreadable(binsha) from exc


def _unreadable(binsha: bytes) -> VerifyError:
    return VerifyError(f"git object {binsha.hex()} is missing or unreadable", READ_HINT)


def _parse_name_status(out: str) -> list[Change]:
    """Parse `git diff --name-status -z`: STATUS\\0PATH\\0, or R<score>\\0OLD\\0NEW\\0."""
    fields = out.split("\0")
    if fields and fields[-1] == "":
        fields.pop()
    changes: list[Change] = []
    index = 0
    while index < len(fields):
        letter = fields[index][:1]
        if letter == "R" and index + 2 < len(fields):
            changes.append(Change("R", fields[index + 2], fields[index + 1]))
            index += 3
        elif letter in ("A", "M", "D", "T") and index + 1 < len(fields):
            changes.append(Change(letter, fields[index + 1]))  # type: ignore[arg-type]
            index += 2
        else:
            raise VerifyError(
                f"unexpected `git diff` status {fields[index]!r}", "report this to opsync"
            )
    return changes
