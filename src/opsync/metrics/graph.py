"""The metric graph: which metric's formula names which, and what follows from that.

Every function takes `formulas`: {metric_id: Formula | None}, None for a base (measured)
metric. An edge runs from a composite metric to each metric its formula references; the
referenced metric "feeds" the composite. Results are deterministic (sorted) so findings
and dashboards do not shuffle between runs. Nothing here recurses, so a huge or hostile
registry cannot exhaust Python's stack.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Collection, Iterable, Mapping

from opsync.metrics.formula import Formula, evaluate, references
from opsync.metrics.periods import chronological

Formulas = Mapping[str, Formula | None]


def dependencies(formulas: Formulas) -> dict[str, list[str]]:
    """metric -> the sorted ids its formula references (empty for base metrics)."""
    return {m: sorted(references(f)) if f else [] for m, f in formulas.items()}


def unknown_references(
    formulas: Formulas, known: Collection[str] | None = None
) -> dict[str, list[str]]:
    """metric -> sorted references outside `known` (default: the ids of `formulas`).
    Only metrics with at least one unknown reference appear."""
    ids = formulas.keys() if known is None else known
    result = {m: [r for r in refs if r not in ids] for m, refs in dependencies(formulas).items()}
    return {m: refs for m, refs in sorted(result.items()) if refs}


def split_suggestion(ref: str, known: Collection[str]) -> str | None:
    """For an unknown `a-b` whose halves are both metrics: the subtraction `a - b` that was
    probably meant (a hyphen glued to a name is part of the name)."""
    for index, char in enumerate(ref):
        if char == "-" and ref[:index] in known and ref[index + 1 :] in known:
            return f"{ref[:index]} - {ref[index + 1 :]}"
    return None


def feeds(formulas: Formulas) -> dict[str, set[str]]:
    """input -> the metrics whose formulas reference it directly (the metric tree).
    Every metric of `formulas` and every referenced id is a key."""
    result: dict[str, set[str]] = {m: set() for m in formulas}
    for metric, refs in dependencies(formulas).items():
        for ref in refs:
            result.setdefault(ref, set()).add(metric)
    return result


def aligned(key_metrics: Iterable[str], formulas: Formulas) -> set[str]:
    """Key metrics plus every metric that feeds one through formulas, transitively.
    References to ids outside `formulas` are not metrics and are left out."""
    graph = dependencies(formulas)
    found = set(key_metrics)
    queue = deque(sorted(found))
    while queue:
        for ref in graph.get(queue.popleft(), []):
            if ref in graph and ref not in found:
                found.add(ref)
                queue.append(ref)
    return found


def find_cycles(formulas: Formulas) -> list[list[str]]:
    """One cycle per group of metrics that depend on each other, as a closed path from the
    group's smallest id: ['a', 'b', 'c', 'a'] means a uses b, b uses c and c uses a.
    A self-reference is ['a', 'a']. Sorted by path."""
    graph = dependencies(formulas)
    cycles = []
    for group in _strongly_connected(graph):
        start = min(group)
        if len(group) > 1 or start in graph[start]:
            cycles.append(_shortest_cycle(graph, start, set(group)))
    return sorted(cycles)


def topological_order(formulas: Formulas) -> list[str]:
    """Metrics so that inputs come before the composites they feed; ties in id order.
    Metrics on a cycle, or fed by one, cannot be ordered and are left out."""
    graph = dependencies(formulas)
    waiting = {m: sum(1 for r in refs if r in graph) for m, refs in graph.items()}
    fed = feeds(formulas)
    ready = [m for m, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        metric = heapq.heappop(ready)
        order.append(metric)
        for user in fed[metric]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, user)
    return order


def compute_series(
    formulas: Formulas, base_values: Mapping[str, Mapping[str, float]]
) -> dict[str, dict[str, float | None]]:
    """metric -> period -> value for every metric of `formulas`, over every period found
    in `base_values` (metric -> period -> value), in time order.

    Base metrics take their recorded values; composites are computed per period in
    dependency order, so composites of composites work. A missing input, a division by
    zero or a metric on a cycle gives None: a gap, never a zero. Recorded values for a
    composite metric are ignored: composites are computed from their inputs.
    """
    periods = chronological(p for series in base_values.values() for p in series)
    result: dict[str, dict[str, float | None]] = {m: dict.fromkeys(periods) for m in formulas}
    for metric in topological_order(formulas):
        formula = formulas[metric]
        if formula is None:
            recorded = base_values.get(metric, {})
            result[metric] = {p: recorded.get(p) for p in periods}
            continue
        for period in periods:
            inputs = {
                ref: (result[ref] if ref in result else base_values.get(ref, {})).get(period)
                for ref in references(formula)
            }
            result[metric][period] = evaluate(formula, inputs)
    return result


def _strongly_connected(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm with an explicit stack; only edges to nodes of `graph` count."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in graph:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(group)
    return groups


def _shortest_cycle(graph: Mapping[str, list[str]], start: str, group: set[str]) -> list[str]:
    """Breadth-first from `start` back to itself inside its group; neighbours in id order."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in graph[node]:
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if nxt in group and nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    raise AssertionError("a strongly connected group always holds a cycle")
