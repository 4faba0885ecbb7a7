"""SSH signatures through the real `ssh-keygen -Y sign|verify` (OpenSSH 8.2 or newer).

No crypto is reimplemented here: ssh-keygen does the signing, the allowed_signers
matching (principal patterns, `namespaces=`, `valid-after`/`valid-before`,
`cert-authority`) and the verification. This module only feeds it files and turns its
answers into opsync errors and verdicts.

- Content goes through files in a private temp dir (0700), never through argv.
- ssh-keygen never prompts: stdin is /dev/null, askpass is off, and it runs in a new
  session (no controlling terminal), so a passphrase prompt fails at once instead of
  hanging a CI job. A subprocess timeout is the last guard.
- The allowed_signers text must come from the trusted BASE commit (docs/gates.md,
  "The trust model"): it decides which key speaks for which login. Callers pass its
  bytes; this module does not know where they came from.
- `valid-after`/`valid-before` in allowed_signers are checked against the current time
  (ssh-keygen's default): a key that has expired no longer vouches for old records.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from opsync.errors import ConfigError, OpsyncError, VerifyError

NAMESPACE = "opsync"
TIMEOUT_SECONDS = 30.0

_AGENT_HINT = (
    "load the key into ssh-agent (`ssh-add KEY`) and pass KEY or KEY.pub, "
    "or pass an unencrypted key"
)
_INSTALL_HINT = "install OpenSSH 8.2 or newer (the `ssh-keygen` command) and put it on PATH"
_GOOD = re.compile(r'^Good "[^"]*" signature for .* with (\S+) key (\S+)', re.MULTILINE)


@dataclass(frozen=True)
class VerifyOutcome:
    """A verdict on one signature. A bad signature is a verdict, not an exception."""

    ok: bool
    reason: str
    fingerprint: str = ""  # e.g. "SHA256:…" of the signing key, when ssh-keygen named it


def sign(message: bytes, key_path: Path, namespace: str = NAMESPACE) -> str:
    """Sign `message` with the key at `key_path`; return the armored signature text.

    `key_path` may be a private key, or a public key whose private half is in ssh-agent
    (ssh-keygen prefers the agent whenever it holds the key). Raises ConfigError with a
    hint when the tool or the key cannot be used.
    """
    keygen = _keygen(ConfigError)
    if not key_path.is_file():
        raise ConfigError(
            f"SSH key {key_path} does not exist or is not a file",
            "pass --key with your private key, or its .pub with the key loaded in ssh-agent",
        )
    with tempfile.TemporaryDirectory(prefix="opsync-sign-") as tmp:
        message_file = Path(tmp) / "message"
        message_file.write_bytes(message)
        argv = [keygen, "-Y", "sign", "-f", str(key_path), "-n", namespace, str(message_file)]
        result = _run(argv, None, ConfigError, "signing")
        sig_file = message_file.with_name("message.sig")
        if result.returncode != 0 or not sig_file.is_file():
            raise _sign_error(key_path, result.stderr)
        return sig_file.read_text(encoding="ascii")


def verify(
    message: bytes,
    signature: str,
    allowed_signers: bytes,
    principal: str,
    namespace: str = NAMESPACE,
) -> VerifyOutcome:
    """Does `signature` over `message` come from a key allowed_signers lists for `principal`?

    Raises VerifyError only when verification cannot run (no ssh-keygen, a timeout, an
    OpenSSH too old for `-Y`); every answer ssh-keygen gives is an outcome.
    """
    keygen = _keygen(VerifyError)
    with tempfile.TemporaryDirectory(prefix="opsync-verify-") as tmp:
        files = _write_files(Path(tmp), message, signature, allowed_signers)
        argv = [keygen, "-Y", "verify", "-f", files.allowed, "-I", principal]
        argv += ["-n", namespace, "-s", files.signature]
        with open(files.message, "rb") as stdin:
            result = _run(argv, stdin, VerifyError, "verifying")
        if result.returncode == 0:
            good = _GOOD.search(result.stdout)
            fingerprint = good.group(2) if good else ""
            key = f" ({good.group(1)} key {fingerprint})" if good else ""
            return VerifyOutcome(True, f"good signature for {principal}{key}", fingerprint)
        if "Could not verify signature" not in result.stdout + result.stderr:
            raise VerifyError(
                f"ssh-keygen could not check the signature: {_last_line(result.stderr)}",
                _INSTALL_HINT,
            )
        return VerifyOutcome(False, _why(keygen, files, principal, namespace, result.stderr))


def principals(allowed_signers: bytes) -> list[str]:
    """The principals an allowed_signers file names, in order, for display.

    Lines are `principals [options] keytype key [comment]`; the first field is a
    comma-separated list of patterns, possibly in double quotes. Comments, blank lines
    and lines without a key are skipped, as ssh-keygen skips them.
    """
    names: dict[str, None] = {}
    for raw_line in allowed_signers.decode("utf-8", errors="replace").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            end = line.find('"', 1)
            if end < 0 or not line[end + 1 :].strip():
                continue  # unterminated quote or no key: ssh-keygen rejects the line
            field = line[1:end]
        else:
            parts = line.split(None, 1)
            if len(parts) < 2:
                continue
            field = parts[0]
        for name in field.split(","):
            if name.strip():
                names.setdefault(name.strip(), None)
    return list(names)


@dataclass(frozen=True)
class _Files:
    message: str
    signature: str
    allowed: str


def _write_files(tmp: Path, message: bytes, signature: str, allowed: bytes) -> _Files:
    files = _Files(str(tmp / "message"), str(tmp / "message.sig"), str(tmp / "allowed_signers"))
    Path(files.message).write_bytes(message)
    Path(files.signature).write_text(signature, encoding="utf-8")
    Path(files.allowed).write_bytes(allowed)
    return files


def _why(keygen: str, files: _Files, principal: str, namespace: str, stderr: str) -> str:
    """A human reason for a failed verification, from ssh-keygen's own words."""
    if "namespace does not match" in stderr:
        return f'the signature was made for another purpose (its namespace is not "{namespace}")'
    if "incorrect signature" in stderr:
        return "the signature does not match the signed content: it was changed after signing"
    if "parse signature" in stderr or "sshsig_armor" in stderr:
        return "the signature block is damaged or is not an SSH signature"
    # The signature itself is sound; the question is whose key made it.
    argv = [keygen, "-Y", "find-principals", "-f", files.allowed, "-s", files.signature]
    found = _run(argv, None, VerifyError, "verifying").stdout.split("\n")
    owners = [name for name in (line.strip() for line in found) if name]
    if not owners:
        return "the signing key is not listed in allowed_signers"
    if principal not in owners:
        return f"allowed_signers lists the signing key for {', '.join(owners)}, not {principal}"
    return (
        f"allowed_signers lists the key for {principal} but restricts it "
        f"(namespaces=, valid-after or valid-before exclude this use)"
    )


def _keygen(error: type[OpsyncError]) -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise error("ssh-keygen is not installed or not on PATH", _INSTALL_HINT)
    return found


def _run(
    argv: list[str], stdin: BinaryIO | None, error: type[OpsyncError], what: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SSH_ASKPASS"}
    env["SSH_ASKPASS_REQUIRE"] = "never"
    try:
        return subprocess.run(
            argv,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            env=env,
            timeout=TIMEOUT_SECONDS,
            start_new_session=True,  # no controlling terminal: nothing can prompt
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise error(
            f"ssh-keygen took more than {TIMEOUT_SECONDS:.0f}s while {what}",
            "if a hardware key or ssh-agent is waiting for confirmation, confirm it and retry",
        ) from None
    except OSError as exc:
        raise error(f"cannot run ssh-keygen: {exc.strerror or exc}", _INSTALL_HINT) from None


def _sign_error(key_path: Path, stderr: str) -> ConfigError:
    if "passphrase" in stderr:
        return ConfigError(
            f"SSH key {key_path} is protected by a passphrase and opsync never prompts",
            _AGENT_HINT,
        )
    if "UNPROTECTED PRIVATE KEY" in stderr or "too open" in stderr:
        return ConfigError(
            f"ssh-keygen refuses {key_path}: other users can read it",
            f"run `chmod 600 {key_path}`",
        )
    if "No such file" in stderr or "Couldn't load" in stderr or "No private key" in stderr:
        return ConfigError(f"ssh-keygen cannot use the key {key_path}", _AGENT_HINT)
    return ConfigError(
        f"ssh-keygen could not sign with {key_path}: {_last_line(stderr)}", _AGENT_HINT
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
