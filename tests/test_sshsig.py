"""sshsig against the real ssh-keygen: keys are made per test in tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from opsync.errors import ConfigError, VerifyError
from opsync.evidence import sshsig

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")

MESSAGE = b"opsync-approval v1\nfeature: member-tiers\n"


def make_key(directory: Path, name: str, passphrase: str = "") -> Path:
    key = directory / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f", str(key)],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    return key


def signer_line(principals: str, key: Path, options: str = "") -> str:
    keytype, blob = key.with_suffix(".pub").read_text().split()[:2]
    return " ".join(part for part in (principals, options, keytype, blob) if part) + "\n"


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    return {name: make_key(tmp_path, name) for name in ("carol", "dave")}


@pytest.fixture
def allowed(keys: dict[str, Path]) -> bytes:
    return (signer_line("carol", keys["carol"]) + signer_line("dave", keys["dave"])).encode()


def test_sign_then_verify_roundtrip(keys: dict[str, Path], allowed: bytes) -> None:
    signature = sshsig.sign(MESSAGE, keys["carol"])
    assert signature.startswith("-----BEGIN SSH SIGNATURE-----\n")
    outcome = sshsig.verify(MESSAGE, signature, allowed, "carol")
    assert outcome.ok, outcome.reason
    assert outcome.fingerprint.startswith("SHA256:")
    assert "carol" in outcome.reason


def test_key_not_in_allowed_signers(tmp_path: Path, allowed: bytes) -> None:
    stranger = make_key(tmp_path, "mallory")
    outcome = sshsig.verify(MESSAGE, sshsig.sign(MESSAGE, stranger), allowed, "carol")
    assert not outcome.ok
    assert "not listed" in outcome.reason


def test_right_key_but_another_principal(keys: dict[str, Path], allowed: bytes) -> None:
    outcome = sshsig.verify(MESSAGE, sshsig.sign(MESSAGE, keys["carol"]), allowed, "dave")
    assert not outcome.ok
    assert "for carol, not dave" in outcome.reason


def test_wrong_namespace(keys: dict[str, Path], allowed: bytes) -> None:
    signature = sshsig.sign(MESSAGE, keys["carol"], namespace="git")
    outcome = sshsig.verify(MESSAGE, signature, allowed, "carol")
    assert not outcome.ok
    assert "namespace" in outcome.reason


def test_tampered_message(keys: dict[str, Path], allowed: bytes) -> None:
    signature = sshsig.sign(MESSAGE, keys["carol"])
    outcome = sshsig.verify(MESSAGE.replace(b"tiers", b"tierz"), signature, allowed, "carol")
    assert not outcome.ok
    assert "changed after signing" in outcome.reason


def test_garbage_signature_is_a_verdict(allowed: bytes) -> None:
    outcome = sshsig.verify(MESSAGE, "not a signature\n", allowed, "carol")
    assert not outcome.ok
    assert "damaged" in outcome.reason


def test_allowed_signers_namespace_restriction(keys: dict[str, Path]) -> None:
    restricted = signer_line("carol", keys["carol"], 'namespaces="git"').encode()
    outcome = sshsig.verify(MESSAGE, sshsig.sign(MESSAGE, keys["carol"]), restricted, "carol")
    assert not outcome.ok
    assert "restricts" in outcome.reason


def test_passphrase_key_without_agent_fails_fast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    locked = make_key(tmp_path, "locked", passphrase="secret words")
    with pytest.raises(ConfigError, match="passphrase") as caught:
        sshsig.sign(MESSAGE, locked)
    assert caught.value.hint is not None and "ssh-agent" in caught.value.hint


@pytest.fixture
def agent(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private ssh-agent on a short socket path (sun_path is ~100 bytes)."""
    home = tempfile.mkdtemp(prefix="osa-", dir="/tmp")
    sock = os.path.join(home, "a.sock")
    process = subprocess.Popen(["ssh-agent", "-D", "-a", sock], stdout=subprocess.DEVNULL)
    try:
        for _ in range(500):  # wait for the socket; no timing is asserted
            if os.path.exists(sock) or process.poll() is not None:
                break
            time.sleep(0.01)
        assert os.path.exists(sock), "ssh-agent did not start"
        monkeypatch.setenv("SSH_AUTH_SOCK", sock)
        yield sock
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(home, ignore_errors=True)


def test_passphrase_key_held_by_agent_signs_from_public_key(tmp_path: Path, agent: str) -> None:
    locked = make_key(tmp_path, "locked", passphrase="secret words")
    askpass = tmp_path / "askpass.sh"
    askpass.write_text("#!/bin/sh\necho 'secret words'\n")
    askpass.chmod(0o700)
    env = dict(os.environ, SSH_AUTH_SOCK=agent, SSH_ASKPASS=str(askpass))
    env.update(SSH_ASKPASS_REQUIRE="force", DISPLAY=":0")
    subprocess.run(["ssh-add", "-q", str(locked)], env=env, check=True, stdin=subprocess.DEVNULL)

    signature = sshsig.sign(MESSAGE, locked.with_suffix(".pub"))

    outcome = sshsig.verify(MESSAGE, signature, signer_line("carol", locked).encode(), "carol")
    assert outcome.ok, outcome.reason


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        sshsig.sign(MESSAGE, tmp_path / "nope")


def test_world_readable_private_key(keys: dict[str, Path]) -> None:
    keys["carol"].chmod(0o644)
    with pytest.raises(ConfigError) as caught:
        sshsig.sign(MESSAGE, keys["carol"])
    assert caught.value.hint == f"run `chmod 600 {keys['carol']}`"


def test_no_ssh_keygen_on_path(
    tmp_path: Path, keys: dict[str, Path], allowed: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    signature = sshsig.sign(MESSAGE, keys["carol"])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ConfigError, match="ssh-keygen is not installed"):
        sshsig.sign(MESSAGE, keys["carol"])
    with pytest.raises(VerifyError, match="ssh-keygen is not installed") as caught:
        sshsig.verify(MESSAGE, signature, allowed, "carol")
    assert caught.value.exit_code == 3


def test_temp_files_are_removed(
    tmp_path: Path, keys: dict[str, Path], allowed: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    signature = sshsig.sign(MESSAGE, keys["carol"])
    assert sshsig.verify(MESSAGE, signature, allowed, "dave").ok is False
    assert list(scratch.iterdir()) == []


def test_principals_parsing() -> None:
    text = (
        b"# team keys\n"
        b"\n"
        b"  # indented comment\n"
        b"carol ssh-ed25519 AAAAkey1 carol@laptop\n"
        b'"dave x,erin" namespaces="git,opsync" ssh-ed25519 AAAAkey2\n'
        b"frank,grace,carol cert-authority ssh-ed25519 AAAAkey3\n"
        b"*@example.com ssh-ed25519 AAAAkey4\n"
        b"lonely-field-without-key\n"
        b'"unterminated ssh-ed25519 AAAAkey5\n'
    )
    assert sshsig.principals(text) == [
        "carol",
        "dave x",
        "erin",
        "frank",
        "grace",
        "*@example.com",
    ]


def test_a_stuck_ssh_keygen_is_cut_off(
    tmp_path: Path, keys: dict[str, Path], allowed: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """E.g. a hardware key waiting for a touch: an error, not a hung CI job."""
    stuck = tmp_path / "bin"
    stuck.mkdir()
    (stuck / "ssh-keygen").write_text("#!/bin/sh\nexec sleep 30\n")
    (stuck / "ssh-keygen").chmod(0o755)
    monkeypatch.setenv("PATH", f"{stuck}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(sshsig, "TIMEOUT_SECONDS", 0.2)
    with pytest.raises(ConfigError, match="took more than"):
        sshsig.sign(MESSAGE, keys["carol"])
    with pytest.raises(VerifyError, match="took more than"):
        sshsig.verify(MESSAGE, "sig", allowed, "carol")
