"""A real PostgreSQL server for the test session: Debian's initdb + pg_ctl, not a mock.

Started once per session in a private temp folder, on a free port on 127.0.0.1 only,
as `nobody` when the tests run as root (PostgreSQL refuses to run as root), and stopped
at the end. Skips only when the binaries are absent; `.ci/run` installs them.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

USER = "opsync"
PASSWORD = "s3cret-pw-never-printed"


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_owner(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as `nobody` then."""
    if os.geteuid() != 0:
        return args
    runuser = shutil.which("runuser") or next(
        (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.path.exists(p)), "runuser"
    )
    return [runuser, "-u", "nobody", "--", *args]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """`postgresql://opsync:<password>@127.0.0.1:<port>/postgres` of a running server."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    # As root the folder must be reachable by `nobody`: /tmp is, a private TMPDIR may not be.
    shared = "/tmp" if os.geteuid() == 0 and os.path.isdir("/tmp") else None
    base = Path(tempfile.mkdtemp(prefix="opsync-pg-", dir=shared))
    data, log = base / "data", base / "server.log"
    if os.geteuid() == 0:
        shutil.chown(base, "nobody")
    pwfile = base / "pw"
    pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(pwfile, "nobody")
    port = _free_port()
    env = dict(os.environ, LC_ALL="C", TZ="UTC")
    subprocess.run(
        _as_owner([initdb, "-D", str(data), "-U", USER, f"--pwfile={pwfile}",
                   "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"]),
        check=True, capture_output=True, env=env, cwd=base,
    )  # fmt: skip
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = subprocess.run(
        _as_owner([pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]),
        capture_output=True, text=True, env=env, cwd=base, check=False,
    )  # fmt: skip
    if started.returncode != 0:
        text = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"pg_ctl start failed: {started.stderr}\n{text}")
    try:
        yield f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
            capture_output=True, env=env, cwd=base, check=False,
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)
