"""Charts people can read, in headless Chromium: axes, events and the impact card."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest

from impactflow import Workspace, week_doc, weekly_csv
from test_dashboard_browser import CHROMIUM, FRAME, chromium, dump, measured

WIDTHS = (1280, 390)
HOSTILE = "<script>document.title='PWNED'</script><img src=x onerror=alert(1)>"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from opsync.dashboard.build import build
    from opsync.dashboard.model import collect

    ws = Workspace(tmp_path_factory.mktemp("impact"))
    series = [10, 10, 10, 10, 11, 12, 12, 12, 12, 12, 12, 12]
    ws.repo.write("opsync/data/v.csv", weekly_csv("conversion", date(2026, 1, 5), series))
    ws.repo.write("opsync/weeks/2026-W07.md", week_doc("2026-W07", [("tiers", "coupon push")]))
    ws.set_status("tiers", "validation", date(2026, 1, 20), title=HOSTILE)
    ws.set_status("tiers", "launched", date(2026, 2, 4), title=HOSTILE)
    ws.set_status("waiting", "build", date(2026, 2, 5))
    out = ws.path / "site"
    build(collect(ws.path, date(2026, 6, 1)), out)
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_axes_events_and_impact_card_are_in_the_dom(site: Path, tmp_path: Path, width: int) -> None:
    metrics = dump(tmp_path, site / "metrics.html", width)
    chart = metrics.split('id="m-conversion"')[1].split("</figure>")[0]
    assert re.search(r'<text class="tick period"[^>]*>2026-W02</text>', chart)
    assert re.search(r'<text class="tick"[^>]*>12</text>', chart)  # a value tick
    assert '<text class="axisname"' in chart
    assert "launch 2026-02-04: " + HOSTILE.replace("<", "&lt;").replace(">", "&gt;") in chart
    assert re.search(r'<text class="evlabel"[^>]*>&lt;script&gt;', chart)  # the label, cut
    assert "campaign 2026-W07: " in chart and "coupon push" in chart
    assert 'class="key launch"' in chart and 'class="key campaign"' in chart
    page = dump(tmp_path, site / "features" / "tiers.html", width)
    card = page.split('id="impact"')[1].split("</section>")[0]
    assert 'class="verdict met"' in card and "+2" in card
    assert "Directional, not causal" in card
    index = dump(tmp_path, site / "index.html", width)
    assert 'id="outcomes-due"' in index and 'id="launches"' in index
    assert "2026-03-04" in index  # launch + within 4 weeks: the outcome is due
    assert "<script>document" not in index and "<img" not in index.split("<main>")[1]


@pytest.fixture(scope="module")
def served(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    copy = tmp_path_factory.mktemp("served") / "site"
    shutil.copytree(site, copy)
    (copy / "_frame.html").write_text(FRAME, encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(copy)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", ["index.html", "metrics.html", "features/tiers.html"])
def test_nothing_overflows(served: str, tmp_path: Path, page: str, width: int) -> None:
    url = f"{served}_frame.html?{urlencode({'page': page, 'width': width})}"
    size = measured(chromium(tmp_path, "--window-size=1400,1000", "--dump-dom", url))
    assert size["inner"] == width, size
    assert size["scroll"] <= size["inner"], f"{page} at {width}px: {size}"


def test_labels_follow_the_team_language(site: Path, tmp_path: Path) -> None:
    from opsync.dashboard.build import build
    from opsync.dashboard.model import collect

    root = site.parent
    policy = root / "opsync.yml"
    policy.write_text(policy.read_text() + "lang: zh\n")
    out = tmp_path / "zh"
    build(collect(root, date(2026, 6, 1)), out)
    page = (out / "features" / "tiers.html").read_text(encoding="utf-8")
    assert "方向性参考，非因果结论" in page and "达成" in page
    assert '<html lang="zh">' in page and "概览" in page
