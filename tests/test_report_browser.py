"""The report in a real headless Chromium: no console errors, hostile names stay text,
the three reports, the trend and the due dates as rendered, screenshots at desktop and
phone size, no column off-screen at phone width, and print to A4 PDF.

Needs the Debian package ``chromium`` (``.ci/run`` installs it); skipped if it is absent.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from audit_kit.findings import read_csv
from tests._support import HOSTILE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (apt-get install -y chromium); the browser checks need it",
)

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
]


def chromium(page: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


class _Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def dom(html: str) -> _Dom:
    d = _Dom()
    d.feed(html)
    return d


def test_console_check_is_not_vacuous(tmp_path):
    """A page that breaks the CSP must show up as console lines, or the next tests prove nothing."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'\"></head><body><script>console.error(1)</script>"
        "</body></html>",
        encoding="utf-8",
    )
    res = chromium(bad, tmp_path, "--dump-dom")
    assert console_lines(res.stderr)


@pytest.mark.parametrize(
    ("name", "lang", "revealed"),
    [("report.html", "fi", False), ("report.revealed.html", "fi", True),
     ("report.en.html", "en", False)],
)
def test_renders_without_console_errors(planted, tmp_path, name, lang, revealed):
    res = chromium(planted.run / name, tmp_path, "--dump-dom")
    assert res.returncode == 0, res.stderr[-2000:]
    assert console_lines(res.stderr) == []
    d = dom(res.stdout)
    assert "script" not in d.tags and "img" not in d.tags and "iframe" not in d.tags
    assert d.tags.count("svg") == 2  # the two charts survived parsing
    # one card per promise, and one action group per category with findings
    cats = {f.category for f in read_csv(planted.run / "findings.csv")}
    assert d.tags.count("section") == 5 + len(cats)
    assert f'<html lang="{lang}">' in res.stdout
    banner = "Älä lähetä sitä eteenpäin" if lang == "fi" else "Do not forward it"
    assert (banner in "".join(d.text)) is revealed


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_trend_and_due_dates_as_rendered(planted, tmp_path):
    res = chromium(planted.run / "report.html", tmp_path, "--dump-dom")
    html = res.stdout
    changes = _text(html[html.index('id="changes"') : html.index('id="coverage"')])
    assert "Muutokset edelliseen neljännekseen (2026-Q3)" in changes
    assert "0 Korjattu" in changes  # nothing was deleted between the two audits
    assert "R-erasure-open → R-erasure" in changes  # the escalation, shown as one
    trend = _text(html[html.index('class="num trend stack"') : html.index('id="changes"')])
    assert "> Neljännes Avoimia kohtia Uusia Pahentuneita Korjattu 2026-Q3 30.9.2026" in trend
    first = _text(html[html.index('class="first"') : html.index("</header>")])
    # each source's open requests, due on the earliest (15.1.2027: an extended request)
    assert "viimeistään 15.1.2027" in first and "viimeistään 26.1.2027" in first
    assert first.index("Lopeta markkinointi") < first.index("viimeistään 15.1.2027")


#: measures, inside a same-size frame, every element's box against the viewport
PROBE = """<script>
addEventListener('load', () => {
  const W = innerWidth, out = [];
  for (const e of document.body.querySelectorAll('*')) {
    if (e.closest('.sr')) continue;  // the screen-reader-only headings sit off-screen
    const r = e.getBoundingClientRect();
    if (r.width && (r.right > W + 1 || r.left < -1))
      out.push(e.tagName + '.' + (typeof e.className === 'string' ? e.className : ''));
  }
  parent.postMessage(JSON.stringify({width: W, scroll: document.documentElement.scrollWidth,
                                     off: out}), '*');
});
</script>"""


def off_screen(page: Path, tmp: Path, width: int) -> dict:
    """Load a copy of *page* (its CSP removed so the probe may run) in a frame *width*
    CSS pixels wide (a headless window is never narrower than 500) and return what the
    probe found: the viewport width, the page's scroll width and the elements outside."""
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page.read_text("utf-8"))
    inner = tmp / "probed.html"
    inner.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    outer = tmp / "frame.html"
    outer.write_text(
        "<!DOCTYPE html><html><body><script>addEventListener('message', e => "
        "document.body.setAttribute('data-probe', e.data));</script>"
        f'<iframe src="probed.html" width="{width}" height="844"></iframe></body></html>',
        encoding="utf-8",
    )
    res = chromium(outer, tmp, "--allow-file-access-from-files", "--virtual-time-budget=10000",
                   "--dump-dom")
    m = re.search(r'data-probe="([^"]*)"', res.stdout)
    assert m, res.stderr[-2000:]
    return json.loads(unescape(m.group(1)))


def test_probe_sees_a_column_off_screen(tmp_path):
    """A table wider than a phone must be caught, or the next test proves nothing."""
    page = tmp_path / "wide.html"
    page.write_text("<!DOCTYPE html><html><body><table><tr>" + "<td>wwwwwwwwww</td>" * 12
                    + "</tr></table></body></html>", encoding="utf-8")
    got = off_screen(page, tmp_path, 390)
    assert got["width"] == 390 and got["off"]


@pytest.mark.parametrize("name", ["report.html", "report.en.html"])
def test_phone_width_has_no_column_off_screen(planted, tmp_path, name):
    got = off_screen(planted.run / name, tmp_path, 390)
    assert got["width"] == 390
    assert got["off"] == [] and got["scroll"] <= 390, got


def test_hostile_name_is_shown_as_text(planted, tmp_path):
    res = chromium(planted.reveal_html, tmp_path, "--dump-dom")
    d = dom(res.stdout)
    assert HOSTILE in "".join(d.text)
    assert "script" not in d.tags and "img" not in d.tags
    assert console_lines(res.stderr) == []


@pytest.mark.parametrize(("size", "min_bytes"), [("1280,2000", 50_000), ("390,844", 20_000)])
def test_screenshots(planted, tmp_path, size, min_bytes):
    shot = tmp_path / f"report-{size.replace(',', 'x')}.png"
    res = chromium(
        planted.run / "report.html", tmp_path, f"--screenshot={shot}", f"--window-size={size}"
    )
    assert res.returncode == 0, res.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (w, h) == tuple(int(x) for x in size.split(","))
    assert len(data) > min_bytes  # a blank page compresses to a few kB


def test_prints_to_a4_with_each_promise_on_its_page(planted, tmp_path):
    pdf = tmp_path / "report.pdf"
    res = chromium(
        planted.run / "report.html", tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer"
    )
    assert res.returncode == 0, res.stderr[-2000:]
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 30_000
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    boxes = re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert len(boxes) == pages
    for w, h in boxes:  # A4 is 210 x 297 mm = 595.3 x 841.9 pt (Letter: 612 x 792)
        assert abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5, (w, h)
    # the first page, then each promise's actions from a new page, then the rest
    cats = {f.category for f in read_csv(planted.run / "findings.csv")}
    findings = read_csv(planted.run / "findings.csv")
    # fewer pages than findings: no page break per row or per action
    assert 1 + len(cats) < pages < len(findings) // 2 + 10
    # the trend's figures are written on the bars, not only in tooltips
    html = (planted.run / "report.html").read_text(encoding="utf-8")
    trend = html[html.index("<figcaption>Avoimet kohdat") :]
    assert re.search(r'<text class="seg"[^>]*>\d+</text>', trend)
