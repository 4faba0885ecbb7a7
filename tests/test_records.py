"""Approval records: real keys, real ssh-keygen, YAML as a reviewer's PR would carry it."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from opsync.documents.schema import schema_text
from opsync.errors import ConfigError
from opsync.evidence import records
from opsync.evidence.records import ApprovalRecord, RecordProblem

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")

DIGEST = "sha256:" + "ab" * 32
OTHER_DIGEST = "sha256:" + "cd" * 32
REPO = "opsync-test-repo"
BASE = "sha256:" + "ef" * 32  # the bundle before the approved change
COMMIT = "0123456789abcdef0123456789abcdef01234567"
WHEN = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
ROSTER = ("carol", "dave")


def make_key(directory: Path, name: str) -> Path:
    key = directory / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return key


def signer_line(principal: str, key: Path) -> str:
    keytype, blob = key.with_suffix(".pub").read_text().split()[:2]
    return f"{principal} {keytype} {blob}\n"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    return {name: make_key(tmp_path, name) for name in ("carol", "dave", "mallory")}


@pytest.fixture
def allowed(keys: dict[str, Path]) -> bytes:
    """The base branch's allowed_signers: carol and dave, not mallory."""
    return (signer_line("carol", keys["carol"]) + signer_line("dave", keys["dave"])).encode()


@pytest.fixture
def carol_record(keys: dict[str, Path]) -> ApprovalRecord:
    return records.create(
        "member-tiers", "carol", DIGEST, keys["carol"], WHEN, COMMIT, base=BASE, repo=REPO
    )


def reread(text: str) -> ApprovalRecord:
    return records.parse(text.encode(), "opsync/approvals/member-tiers/carol.yml")


def test_create_dump_parse_roundtrip(carol_record: ApprovalRecord, allowed: bytes) -> None:
    text = records.dump(carol_record)
    assert text.startswith("# Written by `opsync approve`; do not edit")
    assert [line.split(":")[0] for line in text.splitlines()[1:10]] == [
        "version",
        "repo",
        "feature",
        "reviewer",
        "base",
        "digest",
        "signed_at",
        "commit",
        "signature",
    ]
    assert "signature: |\n  -----BEGIN SSH SIGNATURE-----\n" in text
    assert carol_record.signed_at == "2026-11-24T09:30:00Z"

    again = reread(text)

    assert again == carol_record
    verdict = records.check_record(again, "member-tiers", "carol", allowed, ROSTER, REPO)
    assert verdict.state == "valid", verdict.reason
    assert verdict.valid


def test_record_without_commit_omits_the_key(keys: dict[str, Path]) -> None:
    record = records.create(
        "member-tiers", "carol", DIGEST, keys["carol"], WHEN, base=BASE, repo=REPO
    )
    text = records.dump(record)
    assert "commit" not in text
    assert reread(text).commit is None


def test_canonical_payload_is_exact() -> None:
    payload = records.canonical_payload(
        "f", "carol", DIGEST, "2026-11-24T09:30:00Z", base=BASE, repo=REPO
    )
    assert payload == (
        b"opsync-approval v2\nrepo: opsync-test-repo\nfeature: f\nreviewer: carol\n"
        b"base: " + BASE.encode() + b"\n"
        b"digest: " + DIGEST.encode() + b"\nsigned_at: 2026-11-24T09:30:00Z\n"
    )
    with pytest.raises(ValueError):
        records.canonical_payload("f\nreviewer: dave", "carol", DIGEST, "x", base=BASE, repo=REPO)


@pytest.mark.parametrize(
    ("old", "new", "feature", "login"),
    [
        (DIGEST, OTHER_DIGEST, "member-tiers", "carol"),
        (BASE, OTHER_DIGEST, "member-tiers", "carol"),
        ("feature: member-tiers", "feature: signup-revamp", "signup-revamp", "carol"),
        ("reviewer: carol", "reviewer: dave", "member-tiers", "dave"),
        ("2026-11-24T09:30:00Z", "2026-11-25T09:30:00Z", "member-tiers", "carol"),
    ],
    ids=["digest", "base", "feature", "reviewer", "signed_at"],
)
def test_editing_a_signed_field_breaks_the_signature(
    carol_record: ApprovalRecord, allowed: bytes, old: str, new: str, feature: str, login: str
) -> None:
    text = records.dump(carol_record)
    assert old in text
    edited = reread(text.replace(old, new))

    verdict = records.check_record(edited, feature, login, allowed, ROSTER, REPO)

    assert verdict.state == "bad-signature", verdict.reason


def test_commit_is_informational(carol_record: ApprovalRecord, allowed: bytes) -> None:
    edited = reread(records.dump(carol_record).replace(COMMIT, "f" * 40))
    verdict = records.check_record(edited, "member-tiers", "carol", allowed, ROSTER, REPO)
    assert verdict.state == "valid", verdict.reason


def test_a_record_signed_for_another_repository_is_a_mismatch(
    carol_record: ApprovalRecord, allowed: bytes
) -> None:
    verdict = records.check_record(
        carol_record, "member-tiers", "carol", allowed, ROSTER, "opsync-other-repo"
    )
    assert verdict.state == "mismatch"
    assert "opsync-other-repo" in verdict.reason
    # ... and editing its repo field to this one breaks the signature.
    moved = reread(records.dump(carol_record).replace(f"repo: {REPO}", "repo: opsync-other-repo"))
    verdict = records.check_record(
        moved, "member-tiers", "carol", allowed, ROSTER, "opsync-other-repo"
    )
    assert verdict.state == "bad-signature", verdict.reason


def test_record_copied_to_another_login_is_a_mismatch(
    carol_record: ApprovalRecord, allowed: bytes
) -> None:
    verdict = records.check_record(carol_record, "member-tiers", "dave", allowed, ROSTER, REPO)
    assert verdict.state == "mismatch"
    assert "dave.yml" in verdict.reason


def test_record_copied_to_another_feature_is_a_mismatch(
    carol_record: ApprovalRecord, allowed: bytes
) -> None:
    verdict = records.check_record(carol_record, "signup-revamp", "carol", allowed, ROSTER, REPO)
    assert verdict.state == "mismatch"
    assert "signup-revamp" in verdict.reason


def test_reviewer_off_the_ops_roster(carol_record: ApprovalRecord, allowed: bytes) -> None:
    verdict = records.check_record(carol_record, "member-tiers", "carol", allowed, ["dave"], REPO)
    assert verdict.state == "not-on-roster"
    assert "roles.ops" in verdict.reason


def test_signed_by_a_key_not_in_allowed_signers(keys: dict[str, Path], allowed: bytes) -> None:
    forged = records.create(
        "member-tiers", "carol", DIGEST, keys["mallory"], WHEN, base=BASE, repo=REPO
    )
    verdict = records.check_record(forged, "member-tiers", "carol", allowed, ROSTER, REPO)
    assert verdict.state == "bad-signature"
    assert "not listed" in verdict.reason


def test_signed_with_another_reviewers_key(keys: dict[str, Path], allowed: bytes) -> None:
    forged = records.create(
        "member-tiers", "carol", DIGEST, keys["dave"], WHEN, base=BASE, repo=REPO
    )
    verdict = records.check_record(forged, "member-tiers", "carol", allowed, ROSTER, REPO)
    assert verdict.state == "bad-signature"
    assert "for dave, not carol" in verdict.reason


def test_logins_compare_case_insensitively(keys: dict[str, Path]) -> None:
    record = records.create(
        "member-tiers", "carol", DIGEST, keys["carol"], WHEN, base=BASE, repo=REPO
    )
    allowed = signer_line("Carol", keys["carol"]).encode()  # as typed in the base branch
    verdict = records.check_record(record, "member-tiers", "CAROL", allowed, ["@Carol"], REPO)
    assert verdict.state == "valid", verdict.reason


@pytest.mark.parametrize(
    ("raw", "line", "needle"),
    [
        (b"feature: [unclosed\n", 2, ""),
        (b"- just\n- a list\n", 1, "mapping"),
        (b"version: 2\nrepo: r\nfeature: member-tiers\n", 1, "reviewer"),
        (b"feature: a\nfeature: b\n", 2, "duplicate"),
        (b"\xff\xfe", 1, "UTF-8"),
        (b"!!python/object:os.system {}\n", 1, "tag"),
    ],
    ids=["syntax", "not-a-mapping", "missing-field", "duplicate-key", "encoding", "unsafe-tag"],
)
def test_malformed_records_are_located_problems(raw: bytes, line: int, needle: str) -> None:
    with pytest.raises(RecordProblem) as caught:
        records.parse(raw, "opsync/approvals/member-tiers/carol.yml")
    finding = caught.value.to_finding()
    assert finding.rule == "record-format"
    assert finding.path == "opsync/approvals/member-tiers/carol.yml"
    assert finding.line == line
    assert needle in finding.message
    assert finding.hint


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        (DIGEST, "md5:1234", "digest"),
        ("reviewer: carol", "reviewer: 42", "reviewer"),
        ("reviewer: carol", 'reviewer: "carol\\n"', "reviewer"),
        ("version: 2", "version: 1", "version"),
        ("feature: member-tiers", "feature: member-tiers\nnote: approved by everyone", "note"),
    ],
    ids=["digest-shape", "reviewer-not-string", "trailing-newline", "version", "unknown-field"],
)
def test_wrong_field_shapes_are_problems_at_the_field(
    carol_record: ApprovalRecord, old: str, new: str, needle: str
) -> None:
    text = records.dump(carol_record).replace(old, new)
    with pytest.raises(RecordProblem) as caught:
        reread(text)
    assert needle in caught.value.message
    assert caught.value.line > 1


@pytest.mark.parametrize(
    ("feature", "reviewer", "digest", "commit"),
    [
        ("../etc", "carol", DIGEST, None),
        ("member-tiers", "@carol", DIGEST, None),
        ("member-tiers", "carol", "sha1:abc", None),
        ("member-tiers", "carol", DIGEST, "HEAD"),
    ],
)
def test_create_refuses_bad_input_before_signing(
    tmp_path: Path, feature: str, reviewer: str, digest: str, commit: str | None
) -> None:
    with pytest.raises(ConfigError, match="cannot go into an approval record"):
        records.create(
            feature,
            reviewer,
            digest,
            tmp_path / "no-key-needed",
            WHEN,
            commit,
            base=BASE,
            repo=REPO,
        )


def test_signed_at_is_utc(keys: dict[str, Path]) -> None:
    plus8 = datetime(2026, 11, 24, 17, 30, 5, 123, tzinfo=timezone(timedelta(hours=8)))
    record = records.create(
        "member-tiers", "carol", DIGEST, keys["carol"], plus8, base=BASE, repo=REPO
    )
    assert record.signed_at == "2026-11-24T09:30:05Z"


def test_record_paths() -> None:
    path = records.record_path("opsync/approvals/", "member-tiers", "carol")
    assert path == "opsync/approvals/member-tiers/carol.yml"
    assert records.location_of("opsync/approvals", path) == records.RecordLocation(
        "member-tiers", "carol"
    )
    for other in (
        "opsync/approvals/member-tiers/carol.yaml",
        "opsync/approvals/member-tiers/sub/carol.yml",
        "opsync/approvals/carol.yml",
        "opsync/features/member-tiers.yml",
    ):
        assert records.location_of("opsync/approvals", other) is None


def test_field_patterns_match_the_schema() -> None:
    properties = json.loads(schema_text("approval"))["properties"]
    for name, pattern in (
        ("feature", records.FEATURE_RE),
        ("reviewer", records.LOGIN_RE),
        ("digest", records.DIGEST_RE),
        ("signed_at", records.SIGNED_AT_RE),
        ("commit", records.COMMIT_RE),
    ):
        assert properties[name]["pattern"] == f"^{pattern.pattern}$", name
