"""`opsync dashboard`: the data it shows and the files it writes (browser tests live in
test_dashboard_browser.py)."""

from __future__ import annotations

import io
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import CliRunner
from dashboard_workspace import make_workspace, write
from gitrepo import make_repo
from opsync.commands.dashboard import ProgressBar
from opsync.dashboard.model import collect
from opsync.dashboard.render import page_name, strip_comments
from opsync.numfmt import num
from opsync.results import GateState

TODAY = date(2026, 11, 25)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", xss=True)


def series(root: Path, metric: str) -> dict[str, float | None]:
    return {p.period: p.value for p in collect(root, TODAY).metrics[metric].points}


def test_composites_over_two_levels_with_gaps_not_zeros(ws: Path) -> None:
    spend = series(ws, "spend-per-member")  # purchases * order-value
    assert spend == pytest.approx({"2026-W45": 375.0, "2026-W46": 392.6, "2026-W47": 418.0})
    value = series(ws, "member-value")  # spend-per-member * retention
    assert value["2026-W45"] == pytest.approx(300.0)
    assert value["2026-W46"] is None  # retention missing that week: a gap
    assert value["2026-W47"] == pytest.approx(376.2)
    assert series(ws, "retention")["2026-W46"] is None  # a base metric's gap shows too


def test_latest_trend_and_target(ws: Path) -> None:
    d = collect(ws, TODAY)
    star = d.north_star
    assert star is not None and star.id == "member-value"
    assert [m.id for m in d.key_metrics] == ["member-value", "first-order-conversion"]
    assert star.latest is not None and star.latest.period == "2026-W47"
    assert star.previous is not None and star.previous.period == "2026-W45"  # skips the gap
    assert star.trend == "up" and star.delta == pytest.approx(76.2)
    assert star.target is not None and star.target.target == 350
    assert star.progress == 1.0  # past the target, clipped
    assert set(star.features) == {"member-tiers", "xss"}


def test_metric_tree_feeds_and_week_movement(ws: Path) -> None:
    d = collect(ws, TODAY)
    star, conversion = d.tree
    assert star.id == "member-value" and conversion.id == "first-order-conversion"
    assert [c.id for c in star.children] == ["retention", "spend-per-member"]
    assert [c.id for c in star.children[1].children] == ["order-value", "purchases"]
    assert d.metrics["purchases"].feeds == ("spend-per-member",)
    (week,) = d.weeks
    assert (week.week, week.metric, week.actions, week.done) == ("2026-W47", "member-value", 2, 1)
    assert week.start == pytest.approx(300.0) and week.end == pytest.approx(376.2)


def test_gates_and_co_validation_tracks(ws: Path) -> None:
    d = collect(ws, TODAY)
    signup = next(v for v in d.features if v.id == "signup-revamp")
    states = {g.gate: g.state for g in signup.gates}
    assert states["launch-materials"] is GateState.FAIL  # copy.md is missing
    assert states["ops-signoff"] is GateState.UNVERIFIED  # no git: not verified here
    assert (signup.product.done, signup.product.total) == (1, 2)  # the (later) item is out
    assert (signup.ops.done, signup.ops.total) == (1, 2)
    assert [i.note for i in signup.ops.items][1].endswith("copy.md is missing")


def test_signoff_state_comes_from_git_head_when_there_is_one(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    make_workspace(repo.path)
    repo.commit("workspace")
    d = collect(repo.path, TODAY)
    assert d.signoff_from == repo.head()[:12]
    for view in d.features:
        states = {g.gate: g.state for g in view.gates}
        assert states["ops-signoff"] is GateState.FAIL, view.gates  # no approval record


class Tags(HTMLParser):
    """Every start tag with its attributes, to prove no script or handler got through."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_site_files_escape_hostile_titles_and_bodies(ws: Path, run_cli: CliRunner) -> None:
    site = ws / "site"
    result = run_cli("dashboard", "--out", str(site), "--today", "2026-11-25", cwd=ws)
    assert result.code == 0, result
    assert result.out.strip() == str(site / "index.html"), result
    pages = sorted(site.rglob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "metrics.html", "xss.html"}
    for page in pages:
        parser = Tags()
        parser.feed(page.read_text(encoding="utf-8"))
        assert not [t for t, _ in parser.tags if t in ("script", "iframe", "object")], page
        handlers = [(t, a) for t, attrs in parser.tags for a in attrs if a.startswith("on")]
        assert handlers == [], page
        hrefs = [attrs.get("href") or "" for _, attrs in parser.tags]
        assert not [h for h in hrefs if h.startswith(("javascript:", "http:", "https:"))], page
    xss = (site / "features" / "xss.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;document.title=" in xss
    assert "&lt;img src=x onerror=" in xss
    assert "opsync:ops-insight" not in xss  # section markers are not shown as text


def test_metrics_page_shows_gaps_as_dashes(ws: Path, run_cli: CliRunner) -> None:
    site = ws / "site"
    assert run_cli("dashboard", "--out", str(site), cwd=ws).code == 0
    page = (site / "metrics.html").read_text(encoding="utf-8")
    table = page.split('<table class="values" data-metric="member-value">')[1].split("</table>")[0]
    assert '<td>2026-W46</td><td class="num"><span class="gap"' in table
    assert ">376.2<" in table and ">300<" in table and ">0<" not in table


def test_rebuild_replaces_stale_pages_but_never_a_foreign_folder(
    ws: Path, run_cli: CliRunner
) -> None:
    site = ws / "site"
    assert run_cli("dashboard", "--out", str(site), cwd=ws).code == 0
    (ws / "opsync/features/xss.md").unlink()
    assert run_cli("dashboard", "--out", str(site), cwd=ws).code == 0
    assert not (site / "features" / "xss.html").exists()
    assert (site / "features" / "member-tiers.html").exists()
    foreign = ws / "docs"
    write(ws, "docs/readme.md", "mine\n")
    result = run_cli("dashboard", "--out", str(foreign), cwd=ws)
    assert result.code == 2, result
    assert "not empty and was not built by `opsync dashboard`" in result.err, result
    assert sorted(p.name for p in foreign.iterdir()) == ["readme.md"]


def test_markdown_summary_escapes_and_needs_no_folder(ws: Path, run_cli: CliRunner) -> None:
    result = run_cli("dashboard", "--format", "markdown", "--today", "2026-11-25", cwd=ws)
    assert result.code == 0, result
    out = result.out
    assert "| Member value ⭐ | 376.2 (2026-W47) CNY/member | ▲ +76.2 vs 2026-W45 |" in out
    assert "首单转化率" in out
    assert "1 with a failing gate" in out and "(signup-revamp, validation)" in out
    assert "no alignment doc yet" in out  # W48 has no doc
    assert "<script>" not in out


def test_text_format_needs_an_output_folder(ws: Path, run_cli: CliRunner) -> None:
    result = run_cli("dashboard", cwd=ws)
    assert result.code == 2, result
    assert "--out DIR" in result.err, result


def test_bad_data_rows_are_warnings_with_their_place(ws: Path, run_cli: CliRunner) -> None:
    write(ws, "opsync/data/more.csv", "period,metric,value\n2026-W48,purchases,lots\n")
    result = run_cli("dashboard", "--out", str(ws / "site"), cwd=ws)
    assert result.code == 0, result
    assert "opsync/data/more.csv:2:" in result.err and "[data-value]" in result.err, result
    index = (ws / "site" / "index.html").read_text(encoding="utf-8")
    assert "opsync/data/more.csv:2:" in index


def test_progress_bar_only_when_enabled() -> None:
    shown, hidden = io.StringIO(), io.StringIO()
    for stream, enabled in ((shown, True), (hidden, False)):
        bar = ProgressBar(stream, enabled)
        bar("writing pages", 50, 100)
        bar.close()
    assert shown.getvalue() == "\rdashboard: [############------------] 50/100 writing pages   \n"
    assert hidden.getvalue() == ""


def test_helpers() -> None:
    assert num(None) == "—" and num(417.069) == "417.07" and num(1250) == "1,250"
    assert num(0.01234) == "0.0123" and num(-0.0) == "0"
    assert page_name("member-tiers") == "member-tiers.html"
    assert page_name("Odd Name").startswith("f-") and page_name("Odd Name").endswith(".html")
    body = "a <!-- hint -->\n```\n<!-- kept -->\n```\n<!--\nmulti\n-->b"
    assert strip_comments(body) == "a \n```\n<!-- kept -->\n```\nb"


def test_forked_workers_write_the_same_pages(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from opsync.dashboard import pages
    from opsync.dashboard.build import build

    d = collect(ws, TODAY)
    build(d, ws / "serial")
    monkeypatch.setattr(pages, "PARALLEL_FROM", 1)
    monkeypatch.setattr(pages, "CHUNK", 1)
    assert pages._workers(len(d.features)) > 1 or pages.os.cpu_count() == 1
    build(d, ws / "forked")
    serial = {p.name: p.read_bytes() for p in (ws / "serial" / "features").iterdir()}
    forked = {p.name: p.read_bytes() for p in (ws / "forked" / "features").iterdir()}
    assert serial == forked and len(serial) == 3
