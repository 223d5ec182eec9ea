"""The report in a real headless Chromium: no console errors, hostile names stay text,
screenshots at desktop and phone size, and print to PDF.

Needs the Debian package ``chromium`` (``.ci/run`` installs it); skipped if it is absent.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("name", ["report.html", "report_reveal.html", "report_en.html"])
def test_renders_without_console_errors(planted, tmp_path, name):
    res = chromium(planted.run / name, tmp_path, "--dump-dom")
    assert res.returncode == 0, res.stderr[-2000:]
    assert console_lines(res.stderr) == []
    d = dom(res.stdout)
    assert "script" not in d.tags and "img" not in d.tags and "iframe" not in d.tags
    assert d.tags.count("svg") == 2  # the two charts survived parsing
    assert d.tags.count("section") == 5  # one card per promise


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


def test_prints_to_pdf(planted, tmp_path):
    pdf = tmp_path / "report.pdf"
    res = chromium(
        planted.run / "report.html", tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer"
    )
    assert res.returncode == 0, res.stderr[-2000:]
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 30_000
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 3
