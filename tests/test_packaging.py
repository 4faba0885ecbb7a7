"""The wheel carries its package data: built from the checkout, installed into a fresh
venv, and run from outside the checkout, opsync still finds its schemas and templates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from opsync import __version__

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parent.parent

# Runs inside the venv: report where package data was found and whether it works.
PROBE = """
import json, sys
from opsync import resources
from opsync.documents import schema as schema_check
from jsonschema import Draft202012Validator

schemas = resources.data_dir("schemas")
templates = resources.data_dir("templates")
compiled = {}
for kind in schema_check.KINDS:
    schema = json.loads(schema_check.schema_text(kind))
    Draft202012Validator.check_schema(schema)
    schema_check._validator(kind)  # the cached, compiled validator opsync really uses
    compiled[kind] = schema["$id"]
readable = {}
for path in sorted(templates.rglob("*")):
    if path.is_file():
        readable[path.relative_to(templates).as_posix()] = len(path.read_bytes())
json.dump({
    "opsync_file": resources.__file__,
    "schemas": str(schemas),
    "templates": str(templates),
    "compiled": compiled,
    "templates_readable": readable,
}, sys.stdout)
"""


@dataclass(frozen=True)
class Venv:
    root: Path
    python: Path
    purelib: Path
    workdir: Path  # outside the checkout, so the source tree is never importable

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env["VIRTUAL_ENV"] = str(self.root)
        env["PATH"] = f"{self.python.parent}{os.pathsep}{env.get('PATH', '')}"
        return subprocess.run(
            list(args), cwd=self.workdir, env=env, capture_output=True, text=True, check=False
        )


def checked(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, f"{proc.args}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    work = tmp_path_factory.mktemp("packaging")
    wheels = work / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    checked(subprocess.run([*build, "-w", str(wheels), str(REPO_ROOT)], **_quiet(work)))
    (wheel,) = wheels.glob("opsync-*.whl")

    root = work / "venv"
    make = [sys.executable, "-m", "venv", "--system-site-packages", str(root)]
    checked(subprocess.run(make, **_quiet(work)))
    bindir = "Scripts" if os.name == "nt" else "bin"
    python = root / bindir / ("python.exe" if os.name == "nt" else "python")
    ask = [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
    purelib = checked(subprocess.run(ask, **_quiet(work))).stdout.strip()
    env = Venv(root, python, Path(purelib), work)
    pip = [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall"]
    checked(env.run(*pip, str(wheel)))
    return env


def _quiet(cwd: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {"cwd": cwd, "env": env, "capture_output": True, "text": True, "check": False}


@pytest.fixture(scope="module")
def probe(venv: Venv) -> dict[str, Any]:
    proc = checked(venv.run(str(venv.python), "-c", PROBE))
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_the_installed_package_is_imported_not_the_checkout(
    venv: Venv, probe: dict[str, Any]
) -> None:
    imported = Path(probe["opsync_file"]).resolve()
    assert imported.is_relative_to(venv.purelib.resolve()), imported
    assert not imported.is_relative_to(REPO_ROOT), imported


def test_schemas_ship_inside_the_package(venv: Venv, probe: dict[str, Any]) -> None:
    schemas = Path(probe["schemas"]).resolve()
    assert schemas == (venv.purelib / "opsync" / "schemas").resolve()


def test_every_schema_loads_and_compiles_from_the_wheel(probe: dict[str, Any]) -> None:
    from opsync.documents.schema import KINDS

    assert probe["compiled"] == {kind: f"urn:opsync:schema:{kind}" for kind in KINDS}


def test_templates_ship_inside_the_package(venv: Venv, probe: dict[str, Any]) -> None:
    templates = Path(probe["templates"]).resolve()
    assert templates == (venv.purelib / "opsync" / "templates").resolve()
    # every file the checkout has under templates/ is in the wheel and readable
    expected = {
        path.relative_to(REPO_ROOT / "templates").as_posix()
        for path in (REPO_ROOT / "templates").rglob("*")
        if path.is_file() and path.name != ".gitkeep"
    }
    assert expected <= set(probe["templates_readable"]), expected - set(probe["templates_readable"])


def test_the_console_script_runs_from_the_venv(venv: Venv) -> None:
    script = venv.python.parent / ("opsync.exe" if os.name == "nt" else "opsync")
    proc = checked(venv.run(str(script), "--version"))
    assert __version__ in proc.stdout
    proc = checked(venv.run(str(script), "schema", "feature"))
    assert json.loads(proc.stdout)["$id"] == "urn:opsync:schema:feature"


def test_the_sdist_carries_runnable_tests(tmp_path: Path) -> None:
    """Unpacked on its own (no checkout, nothing beside it), the sdist's tests find every
    fixture they read: collect them all and run the ones that read fixtures and repo files."""
    import tarfile

    build = [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)]
    checked(subprocess.run(build, **_quiet(REPO_ROOT)))
    (sdist,) = tmp_path.glob("opsync-*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    (root,) = (tmp_path / "unpacked").iterdir()
    assert (root / "tests" / "fixtures" / "github-webhooks" / "LICENSE").is_file()
    assert (root / "tests" / "fixtures" / "sarif" / "LICENSE.md").is_file()
    tests = [
        "tests/test_github_event.py",
        "tests/test_report_formats.py",
        "tests/test_rules_doc.py",
    ]
    run = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
    options = _quiet(root)
    options["env"]["PYTHONPATH"] = str(root / "src")  # the sdist's code, not the checkout's
    proc = checked(subprocess.run(run, **options))
    assert " passed" in proc.stdout and "error" not in proc.stdout.lower(), proc.stdout
