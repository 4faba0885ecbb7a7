"""Signed ops approval records: `opsync/approvals/<feature>/<login>.yml` (docs/gates.md).

A record says "in repository <repo>, <reviewer> approved <feature>'s change from bundle
digest <base> to <digest>", signed with `ssh-keygen -Y sign -n opsync`. The signature
covers a canonical text of every field that decides what the record means (repo,
feature, reviewer, base, digest, signed_at, format version), so editing any of them in
the YAML breaks verification. `base` makes an approval count only for the change it
approved: restoring old content together with its old record (a revoked policy, a
withdrawn approval) is a different change, from a different base. `repo` keeps a record
made in another repository, for identical content, from counting here.

`commit` is informational and not signed: the digest already binds the approval to the
feature's content, and the commit a reviewer happened to look at can differ (a rebase,
a squash) without changing what was approved.

What this module does not decide: whether the digest matches the PR head (fresh or
stale) and how many approvals are enough — that is the gate's job. It also trusts its
callers to pass the BASE branch's allowed_signers and ops roster (docs/gates.md, "The trust model").

`parse()` raises RecordProblem on the first problem: a record is one small file written
by a tool, so one problem is enough to say "regenerate it"; `to_finding()` makes it a
located Finding with the rule id `record-format`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml

from opsync.documents import safe_yaml
from opsync.errors import ConfigError
from opsync.evidence import sshsig
from opsync.findings import Finding

RULE = "record-format"
VERSION = 2  # 2: `base` is signed (approvals are bound to the change they approved)
PAYLOAD_HEADER = f"opsync-approval v{VERSION}"
HEADER_COMMENT = "# Written by `opsync approve`; do not edit: any change breaks the signature.\n"
REGENERATE_HINT = "records are written by the tool: run `opsync approve FEATURE --key KEY` again"

# The same shapes as schemas/approval.schema.json (a test keeps them in step); used to
# refuse bad input before anything is signed.
# Matched with fullmatch: Python's `$` (which jsonschema uses) accepts a trailing newline,
# and a newline inside a signed field would make the payload ambiguous.
# `@policy` and `@metrics` name the trusted-file bundles (opsync.evidence.bundle).
FEATURE_RE = re.compile(r"(@policy|@metrics|[a-z0-9][a-z0-9-]*)")
# GitHub logins (letters, digits, `-`) and GitLab usernames (also `_` and `.`, never
# leading `.`/`-` nor trailing `.`): no `/`, no newline, never `.` or `..`.
LOGIN_RE = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*|[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?)")
DIGEST_RE = re.compile(r"sha256:[0-9a-f]{64}")
SIGNED_AT_RE = re.compile(
    r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:"
    r"([0-5][0-9]|60)(\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)
COMMIT_RE = re.compile(r"[0-9a-f]{40}")
REPO_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}")  # as the policy schema
_SHAPES: dict[str, tuple[re.Pattern[str], str]] = {
    "repo": (REPO_RE, "the repository's identity (`repo:` in opsync.yml)"),
    "feature": (FEATURE_RE, "lowercase letters, digits and hyphens"),
    "reviewer": (LOGIN_RE, "a forge login such as `carol`, without `@`"),
    "base": (DIGEST_RE, "`sha256:` and 64 lowercase hex digits"),
    "digest": (DIGEST_RE, "`sha256:` and 64 lowercase hex digits"),
    "signed_at": (SIGNED_AT_RE, "an RFC 3339 time such as `2026-11-24T09:30:00Z`"),
    "commit": (COMMIT_RE, "a full 40-digit commit id"),
}

State = Literal["valid", "bad-signature", "not-on-roster", "mismatch"]


@dataclass(frozen=True)
class ApprovalRecord:
    repo: str  # the repository's identity (opsync.gate.identity)
    feature: str
    reviewer: str
    base: str  # the bundle digest at the base the approved change was made against
    digest: str  # "sha256:<64 hex>", the feature's bundle digest when approved
    signed_at: str  # RFC 3339, UTC ("2026-11-24T09:30:00Z")
    commit: str | None  # informational only: not covered by the signature
    signature: str  # armored SSH signature over canonical_payload(...)

    def payload(self) -> bytes:
        return canonical_payload(
            self.feature, self.reviewer, self.digest, self.signed_at, base=self.base, repo=self.repo
        )


@dataclass(frozen=True)
class RecordProblem(Exception):
    """A record that cannot be read as one. `line`/`col` are 1-based."""

    rule: str
    message: str
    hint: str
    line: int = 1
    col: int = 1
    path: str = ""

    def to_finding(self) -> Finding:
        return Finding(
            path=self.path,
            line=self.line,
            col=self.col,
            rule=self.rule,
            message=self.message,
            hint=self.hint,
        )


@dataclass(frozen=True)
class RecordVerdict:
    state: State
    reason: str

    @property
    def valid(self) -> bool:
        return self.state == "valid"


@dataclass(frozen=True)
class RecordLocation:
    feature: str
    login: str


def record_path(approvals_dir: str, feature: str, login: str) -> str:
    """`<approvals_dir>/<feature>/<login>.yml`, repo-relative with forward slashes."""
    return f"{approvals_dir.rstrip('/')}/{feature}/{login}.yml"


def location_of(approvals_dir: str, path: str) -> RecordLocation | None:
    """The (feature, login) a path names, or None if it is not a record path."""
    prefix = approvals_dir.rstrip("/") + "/"
    if not path.startswith(prefix) or not path.endswith(".yml"):
        return None
    parts = path[len(prefix) : -len(".yml")].split("/")
    if len(parts) != 2 or not FEATURE_RE.fullmatch(parts[0]) or not LOGIN_RE.fullmatch(parts[1]):
        return None
    return RecordLocation(parts[0], parts[1])


def canonical_payload(
    feature: str, reviewer: str, digest: str, signed_at: str, *, base: str, repo: str
) -> bytes:
    """The exact bytes the signature covers: one `name: value` line per signed field."""
    for value in (repo, feature, reviewer, base, digest, signed_at):
        if not value or value != value.strip() or any(c in value for c in "\n\r"):
            raise ValueError(f"field value {value!r} cannot be signed unambiguously")
    return (
        f"{PAYLOAD_HEADER}\n"
        f"repo: {repo}\n"
        f"feature: {feature}\n"
        f"reviewer: {reviewer}\n"
        f"base: {base}\n"
        f"digest: {digest}\n"
        f"signed_at: {signed_at}\n"
    ).encode()


def create(
    feature: str,
    reviewer: str,
    digest: str,
    key_path: Path,
    now: datetime | None = None,
    commit: str | None = None,
    *,
    base: str,
    repo: str,
) -> ApprovalRecord:
    """Sign a new record with `key_path` (see sshsig.sign). Bad input is a ConfigError.

    `base` is the bundle digest at the base the change was made against; `now` defaults
    to the current time; a naive datetime is read as local time.
    """
    fields = {
        "repo": repo,
        "feature": feature,
        "reviewer": reviewer,
        "base": base,
        "digest": digest,
    }
    if commit is not None:
        fields["commit"] = commit
    bad = _bad_field(fields)
    if bad is not None:
        raise ConfigError(
            f"{bad} {fields[bad]!r} cannot go into an approval record", f"use {_SHAPES[bad][1]}"
        )
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    signed_at = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    payload = canonical_payload(feature, reviewer, digest, signed_at, base=base, repo=repo)
    signature = sshsig.sign(payload, key_path)
    return ApprovalRecord(repo, feature, reviewer, base, digest, signed_at, commit, signature)


def dump(record: ApprovalRecord) -> str:
    """The record as YAML: fixed key order, the signature as a literal block."""
    data: dict[str, Any] = {
        "version": VERSION,
        "repo": record.repo,
        "feature": record.feature,
        "reviewer": record.reviewer,
        "base": record.base,
        "digest": record.digest,
        "signed_at": record.signed_at,
    }
    if record.commit is not None:
        data["commit"] = record.commit
    data["signature"] = record.signature
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=4096, allow_unicode=True)
    return HEADER_COMMENT + body


def parse(raw: bytes, path: str) -> ApprovalRecord:
    """Read an untrusted record (safe YAML + the approval schema). Raises RecordProblem."""
    from opsync.documents.schema import schema_issues  # jsonschema: only when reading records

    try:
        text = safe_yaml.decode(raw)
        data = safe_yaml.load(text)
    except safe_yaml.YamlProblem as problem:
        raise RecordProblem(
            RULE, problem.message, problem.hint, problem.line, problem.col, path
        ) from None
    if not isinstance(data, dict):
        message = "an approval record must be a mapping of fields"
        raise RecordProblem(RULE, message, REGENERATE_HINT, 1, 1, path)
    issues = schema_issues("approval", data)
    if issues:
        line, col = safe_yaml.locate(text, issues[0].path)
        raise RecordProblem(RULE, issues[0].message, REGENERATE_HINT, line, col, path)
    bad = _bad_field({name: data[name] for name in _SHAPES if name in data})
    if bad is not None:
        line, col = safe_yaml.locate(text, [bad])
        message = f"{bad}: {data[bad]!r} is not {_SHAPES[bad][1]}"
        raise RecordProblem(RULE, message, REGENERATE_HINT, line, col, path)
    return ApprovalRecord(
        repo=data["repo"],
        feature=data["feature"],
        reviewer=data["reviewer"],
        base=data["base"],
        digest=data["digest"],
        signed_at=data["signed_at"],
        commit=data.get("commit"),
        signature=data["signature"],
    )


def check_record(
    record: ApprovalRecord,
    expected_feature: str,
    expected_reviewer_from_path: str,
    allowed_signers: bytes,
    roster_ops: Sequence[str],
    expected_repo: str,
) -> RecordVerdict:
    """Is this record a valid ops approval, as far as its place, signer and roster go?

    - the record must be signed for this repository (`expected_repo`, from the base);
    - the path's feature and login must be the record's (a copied record is a mismatch;
      logins compare case-insensitively, as forges treat them);
    - the reviewer must be on the ops roster by login (case-insensitive, a leading `@`
      ignored); team slugs cannot vouch for an offline record;
    - the signature must verify for principal = reviewer under the BASE branch's
      allowed_signers. Raises VerifyError if ssh-keygen cannot run at all.
    """
    who = record.reviewer
    if record.repo != expected_repo:
        return RecordVerdict(
            "mismatch",
            f"the record was signed for repository {record.repo!r}, not this one "
            f"({expected_repo!r})",
        )
    if record.feature != expected_feature:
        return RecordVerdict(
            "mismatch",
            f"the record approves feature {record.feature!r} but is stored under "
            f"{expected_feature!r}",
        )
    if who.casefold() != expected_reviewer_from_path.casefold():
        return RecordVerdict(
            "mismatch",
            f"the record is signed as {who} but stored as {expected_reviewer_from_path}.yml",
        )
    if not any(member.lstrip("@").casefold() == who.casefold() for member in roster_ops):
        return RecordVerdict(
            "not-on-roster",
            f"{who} is not on the ops roster (roles.ops in the base branch's opsync.yml)",
        )
    outcome = _verify_as_login(record, allowed_signers)
    if not outcome.ok:
        return RecordVerdict("bad-signature", f"signature by {who} not accepted: {outcome.reason}")
    return RecordVerdict("valid", outcome.reason)


def _verify_as_login(record: ApprovalRecord, allowed_signers: bytes) -> sshsig.VerifyOutcome:
    """Verify as the reviewer; ssh-keygen matches principals case-sensitively, logins are
    not, so a literal principal differing only in case (`Carol`) is tried too."""
    first = sshsig.verify(record.payload(), record.signature, allowed_signers, record.reviewer)
    if first.ok:
        return first
    folded = record.reviewer.casefold()
    for name in sshsig.principals(allowed_signers):
        if name != record.reviewer and name.casefold() == folded and LOGIN_RE.fullmatch(name):
            again = sshsig.verify(record.payload(), record.signature, allowed_signers, name)
            if again.ok:
                return again
    return first


def _bad_field(fields: dict[str, Any]) -> str | None:
    """The first field whose value does not have its shape, if any."""
    for name, value in fields.items():
        pattern = _SHAPES[name][0]
        if not isinstance(value, str) or not pattern.fullmatch(value):
            return name
    return None


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (the signature) as literal blocks, byte for byte."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
