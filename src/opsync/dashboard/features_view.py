"""Features for the dashboard: gate states and the two co-validation tracks.

Every gate runs on the working tree, except the ops sign-off: a working tree proves no
approval, so that one comes from `opsync status` at HEAD (records re-verified) when the
workspace is a git repository with commits. Otherwise, or for a feature not committed
yet, the sign-off gate says to run `opsync status`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from opsync.errors import OpsyncError
from opsync.evidence.tally import Tally
from opsync.gate import gates
from opsync.results import GateResult, GateState
from opsync.workspace.model import Feature, Workspace

UNVERIFIED = Tally(GateState.UNVERIFIED, "run `opsync status` for sign-off", "")


@dataclass(frozen=True)
class TrackItem:
    text: str
    done: bool
    note: str = ""  # "later", "n/a: <reason>", or what is wrong
    counted: bool = True  # later-scope items are shown but do not count


@dataclass(frozen=True)
class Track:
    items: tuple[TrackItem, ...]

    @property
    def total(self) -> int:
        return sum(1 for i in self.items if i.counted)

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.counted and i.done)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class FeatureView:
    feature: Feature
    gates: tuple[GateResult, ...]
    product: Track  # functional validation: product's checklist
    ops: Track  # launch materials: ops' side

    @property
    def id(self) -> str:
        return self.feature.id

    @property
    def title(self) -> str:
        return self.feature.title or self.feature.id

    @property
    def status(self) -> str:
        return self.feature.status

    @property
    def metric(self) -> str:
        return str(self.feature.meta.get("metric") or "")

    @property
    def week(self) -> str:
        return str(self.feature.meta.get("week") or "")

    @property
    def failing(self) -> int:
        return sum(1 for g in self.gates if g.state in (GateState.FAIL, GateState.STALE))


def product_track(feature: Feature) -> Track:
    section = feature.doc.sections.get("functional-validation")
    later = {
        str(s.get("item", "")).casefold()
        for s in feature.meta.get("scope") or []
        if isinstance(s, Mapping) and s.get("priority") == "later"
    }
    items = []
    for task in section.tasks if section else ():
        is_later = task.later or task.text.casefold() in later
        items.append(TrackItem(task.text, task.checked, "later" if is_later else "", not is_later))
    return Track(tuple(items))


def ops_track(feature: Feature, ws: Workspace) -> Track:
    state = gates.materials(feature, ws)
    wrong = {int(p.keys[1]): p.message for p in state.problems if len(p.keys) == 2}
    items = []
    for index, item in enumerate(feature.materials):
        kind = str(item.get("kind", f"#{index + 1}"))
        if "na" in item:
            items.append(TrackItem(kind, True, f"n/a: {item.get('na')}"))
        elif index in wrong:
            items.append(TrackItem(f"{kind}: {item.get('path', '')}", False, wrong[index]))
        else:
            items.append(TrackItem(f"{kind}: {item.get('path', '')}", True))
    return Track(tuple(items))


def committed_results(
    root: Path,
    today: date,
    parsed: Mapping[str, Feature] | None = None,
    paths: Sequence[str] | None = None,
) -> tuple[dict[str, Tally], str]:
    """Ops sign-off at HEAD by spec path, and a label; empty when there is no git HEAD.
    `parsed`: the working tree's specs by path, reused where HEAD has the same bytes;
    `paths`: only these specs (default: all of HEAD's)."""
    if not (root / ".git").exists():
        return {}, ""
    from opsync.dashboard.signoff import signoff_at_head

    try:
        states, head = signoff_at_head(root, parsed, paths)
    except OpsyncError:
        return {}, ""
    return states, head[:12]


def _constant(tally: Tally) -> Callable[[], Tally]:
    return lambda: tally


def feature_views(
    ws: Workspace,
    features: Iterable[Feature],
    committed: Mapping[str, Tally],
    today: date,
) -> list[FeatureView]:
    views = []
    for feature in features:
        signoff = committed.get(feature.path, UNVERIFIED)
        result, _ = gates.evaluate(feature, ws, _constant(signoff), today, locate=False)
        track = product_track(feature), ops_track(feature, ws)
        views.append(FeatureView(feature, result.gates, *track))
    return views
