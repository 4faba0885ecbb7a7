"""The house has one direction: modules import only from their own layer or below, and
no two modules import each other, however indirectly (docs/architecture.md).

Imports inside functions count too: a lazy import is still a dependency."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "opsync"

# Lowest first. A package or top-level module may import from its own layer or lower.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "findings", "results", "isoweek", "fsutil", "resources", "console", "numfmt"),
    ("globs", "jsonload", "safetext", "http"),
    ("i18n",),
    ("documents",),
    ("metrics",),
    ("workspace",),
    ("git_tree", "git_log"),
    ("git", "rules", "evidence", "scaffold", "datapull", "impact"),
    ("gate",),
    ("report", "weekly"),
    ("github", "gitlab", "dashboard"),
    ("notify",),
    ("commands",),
    ("cli", "__main__"),
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def _imports() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in SRC.rglob("*.py")}

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    target = owner(f"{node.module}.{alias.name}") or owner(node.module)
                    if target and target.startswith("opsync"):
                        found.add(target)
            elif isinstance(node, ast.Import):
                found |= {t for a in node.names if (t := owner(a.name)) and t.startswith("opsync")}
        graph[name] = found - {name, "opsync"}
    return graph


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else module
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS and the docs")


def test_every_import_points_down_or_sideways() -> None:
    upward = [
        f"{a} (layer {_layer(a)}) imports {b} (layer {_layer(b)})"
        for a, targets in _imports().items()
        if a != "opsync"
        for b in sorted(targets)
        if _layer(b) > _layer(a)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycles() -> None:
    graph = _imports()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_no_package_depends_on_a_package_that_depends_on_it() -> None:
    """Cycles between packages, not only modules (metrics <-> workspace once was one)."""
    packages: dict[str, set[str]] = {}
    for a, targets in _imports().items():
        top = a.split(".")[1] if "." in a else a
        for b in targets:
            other = b.split(".")[1]
            if other != top:
                packages.setdefault(top, set()).add(other)
    both = sorted(
        f"{a} <-> {b}"
        for a, deps in packages.items()
        for b in deps
        if a < b and a in packages.get(b, ())
    )
    assert not both, both


OUTSIDE = "/".join(("..", "shared"))  # the folder beside the checkout, named without a path


def test_no_docstring_points_outside_the_repo() -> None:
    """Source comments cite docs/ in this repo, never a design note beside it."""
    outside = [
        f"{path.relative_to(SRC.parent)}:{number}"
        for path in SRC.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "DESIGN" in line or OUTSIDE in line
    ]
    assert not outside, outside
