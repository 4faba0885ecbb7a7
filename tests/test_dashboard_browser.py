"""The built dashboard in a real browser: Debian's headless Chromium.

Pages open from `file://` as a user would. The overflow check needs a script, and the
shipped pages allow none (CSP), so it runs from a page the test adds to its own copy of
the site: served from 127.0.0.1, it loads each page into an iframe of the width under
test (headless windows do not go below 500 px) and writes the page's scroll width into
its own DOM, which `--dump-dom` prints.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest

from dashboard_workspace import feature, make_workspace, write

CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = (1280, 390)
PAGES = ("index.html", "metrics.html", "features.html", "features/long-one.html")
LONG_TITLE = "Supercalifragilisticexpialidocious" * 4 + " 会员体系升级会员体系升级会员体系升级"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin"),
]

CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>')
MARK = '<script>document.body.setAttribute("data-scripts", "run")</script></body>'
FRAME = """<!doctype html><html><body style="margin:0"><script>
var query = new URLSearchParams(location.search);
var frame = document.createElement("iframe");
frame.width = query.get("width"); frame.height = 900; frame.style.border = "0";
frame.onload = function () {
  var win = frame.contentWindow;
  document.body.setAttribute("data-check", JSON.stringify(
    {scroll: win.document.documentElement.scrollWidth, inner: win.innerWidth}));
};
frame.src = query.get("page");
document.body.appendChild(frame);
</script></body></html>
"""


def chromium(tmp: Path, *args: str) -> str:
    profile = tmp / "chromium-profile"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    env = {"HOME": str(tmp), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, f"{command}\n{result.stderr[-2000:]}"
    return result.stdout


def dump(tmp: Path, page: Path, width: int) -> str:
    return chromium(tmp, f"--window-size={width},900", "--dump-dom", page.as_uri())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from opsync.dashboard.build import build
    from opsync.dashboard.model import collect

    root = make_workspace(tmp_path_factory.mktemp("ws"), xss=True)
    write(root, "opsync/features/long-one.md", feature("long-one", f"'{LONG_TITLE}'"))
    out = root / "site"
    build(collect(root, date(2026, 11, 25)), out)
    return out


@pytest.fixture(scope="module")
def served(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the site plus the test's frame page, on http://127.0.0.1:PORT/."""
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


@pytest.fixture(scope="module")
def unprotected(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the site without its CSP, where any script would run (and one does)."""
    copy = tmp_path_factory.mktemp("unprotected") / "site"
    shutil.copytree(site, copy)
    for page in copy.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        page.write_text(CSP.sub("", text).replace("</body>", MARK), encoding="utf-8")
    return copy


def measured(dom: str) -> dict[str, int]:
    match = re.search(r'data-check="([^"]*)"', dom)
    assert match, "the check script did not run:\n" + dom[:2000]
    result: dict[str, int] = json.loads(html.unescape(match.group(1)))
    return result


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
def test_nothing_overflows_horizontally(served: str, tmp_path: Path, page: str, width: int) -> None:
    url = f"{served}_frame.html?{urlencode({'page': page, 'width': width})}"
    dom = chromium(tmp_path, "--window-size=1400,1000", "--dump-dom", url)
    size = measured(dom)
    assert size["inner"] == width, size
    assert size["scroll"] <= size["inner"], f"{page} at {width}px: {size}"


@pytest.mark.parametrize("width", WIDTHS)
def test_key_numbers_and_both_languages_are_in_the_dom(
    site: Path, tmp_path: Path, width: int
) -> None:
    dom = dump(tmp_path, site / "index.html", width)
    assert '<span class="value" data-metric="member-value">376.2</span>' in dom
    assert '<span class="value" data-metric="first-order-conversion">13.9</span>' in dom
    assert "target 350 (2026-Q4)" in dom
    assert "首单转化率" in dom and "会员体系升级 Member tiers" in dom
    assert "product validation 1/2" in dom and "ops materials 1/2" in dom
    assert "Lift member value with the tiers pilot" in dom and "300 → 376.2" in dom
    metrics = dump(tmp_path, site / "metrics.html", width)
    row = re.search(
        r"<td>2026-W46</td><td class=\"num\">(.*?)</td>", metrics.split("m-member-value")[1]
    )
    assert row and 'class="gap"' in row.group(1), "the missing week must show as a gap"


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots(site: Path, tmp_path: Path, width: int) -> None:
    png = tmp_path / f"index-{width}.png"
    chromium(
        tmp_path,
        f"--window-size={width},900",
        f"--screenshot={png}",
        (site / "index.html").as_uri(),
    )
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == width  # IHDR width
    assert len(data) > 20_000  # a rendered page, not a blank one


@pytest.mark.parametrize("csp", [True, False], ids=["shipped", "without-csp"])
def test_hostile_feature_shows_as_text_and_runs_nothing(
    site: Path, unprotected: Path, tmp_path: Path, csp: bool
) -> None:
    page = (site if csp else unprotected) / "features" / "xss.html"
    dom = dump(tmp_path, page, 1280)
    body = re.search(r"<body[^>]*>", dom)
    assert body and "data-pwned" not in body.group(0), body
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title and title.group(1) != "PWNED"
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom
    assert "&lt;img src=x onerror=" in dom
    assert "<img" not in dom.split("<main>")[1]
    if not csp:  # scripts do run in this copy: escaping alone stopped the payload
        assert 'data-scripts="run"' in body.group(0), body
