"""Mutated opsync files never crash the linter or the CLI.

Mutants start from the valid example files (tests/examples/*/valid and the base workspace)
and get byte flips, insertions and deletions, or structural edits (a key dropped, a line
duplicated, a value's type changed). Whatever comes out, lint returns located findings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsync.cli import main
from opsync.rules.lint import lint
from opsync.rules.registry import load_all
from opsync.workspace.source import WorktreeSource

EXAMPLES = Path(__file__).parent / "examples"
BASE = EXAMPLES / "_base"

# (target in the workspace, seed bytes): the base files and every valid example.
PLACES = {
    "feature": "opsync/features/fuzzed.md",
    "week": "opsync/weeks/2026-W49.md",
    "metrics": "opsync/metrics.yml",
    "policy": "opsync.yml",
    "data": "opsync/data/fuzzed.csv",
}
SEEDS: list[tuple[str, bytes]] = [
    (target, file.read_bytes())
    for kind, target in PLACES.items()
    for file in sorted((EXAMPLES / kind / "valid").glob("*"))
    if file.is_file()
]
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ODD_BYTES = [b"\t", b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf", b"---\n", b"*a", b"&a ", b"!!"]
TYPE_SWAPS = ["[]", "{}", "~", "1", "-2.5", "true", "'x'", "[1, [2]]", "{a: {b: c}}", "*x"]


@st.composite
def byte_mutant(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "odd"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 20))]
        else:
            data[at:at] = draw(st.sampled_from(ODD_BYTES))
    return bytes(data)


@st.composite
def structural_mutant(draw: st.DrawFn, seed: bytes) -> bytes:
    lines = seed.decode("utf-8-sig").split("\n")
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["drop", "duplicate", "retype", "indent", "swap"]))
        line = lines[at]
        if op == "drop":  # a key (and its line) disappears
            del lines[at]
        elif op == "duplicate":  # duplicate keys, repeated list items, repeated rows
            lines.insert(at, line)
        elif op == "retype" and ":" in line:  # a value of another type
            key = line.split(":", 1)[0]
            lines[at] = f"{key}: {draw(st.sampled_from(TYPE_SWAPS))}"
        elif op == "retype" and "," in line:  # a CSV row's field
            fields = line.split(",")
            fields[draw(st.integers(0, len(fields) - 1))] = draw(st.sampled_from(TYPE_SWAPS))
            lines[at] = ",".join(fields)
        elif op == "indent":
            lines[at] = " " * draw(st.integers(1, 5)) + line
        elif op == "swap" and at + 1 < len(lines):
            lines[at], lines[at + 1] = lines[at + 1], lines[at]
    return "\n".join(lines).encode("utf-8")


@st.composite
def mutant(draw: st.DrawFn) -> tuple[str, bytes]:
    target, seed = draw(st.sampled_from(SEEDS))
    strategy = draw(st.sampled_from([byte_mutant, structural_mutant]))
    return target, draw(strategy(seed))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    shutil.copytree(BASE, root)
    return root


def place(root: Path, target: str, data: bytes) -> Path:
    """Reset the workspace to the base, then put the mutant in place."""
    for name in ("opsync/features/fuzzed.md", "opsync/weeks/2026-W49.md", "opsync/data/fuzzed.csv"):
        (root / name).unlink(missing_ok=True)
    for name in ("opsync.yml", "opsync/metrics.yml"):
        shutil.copyfile(BASE / name, root / name)
    (root / target).write_bytes(data)
    return root


@SETTINGS
@given(case=mutant())
def test_lint_never_raises_and_findings_are_well_formed(
    workspace: Path, case: tuple[str, bytes]
) -> None:
    target, data = case
    report = lint(WorktreeSource(place(workspace, target, data)))  # any exception fails
    registered = load_all()
    assert int(report.exit_code) in (0, 1, 2)
    for f in report.findings:
        assert f.path and f.line >= 0 and f.col >= 0, f
        assert f.message.strip() and f.hint.strip(), f
        assert f.rule in registered, f


@SETTINGS
@given(case=mutant(), fmt=st.sampled_from(["text", "json", "sarif", "github"]))
def test_validate_cli_exits_0_1_or_2(
    workspace: Path,
    case: tuple[str, bytes],
    fmt: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target, data = case
    root = place(workspace, target, data)
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(["validate", "--repo", str(root), "--format", fmt, "--color", "never"])
    out, err = capsys.readouterr()
    assert info.value.code in (0, 1, 2), f"exit {info.value.code}\n{out}\n{err}"
    assert "Traceback" not in err, err
