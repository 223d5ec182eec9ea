"""A run's Data Docs work offline and call no one (audit_kit.report.offline_docs)."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from audit_kit.policy import load_policy
from audit_kit.report.offline_docs import CHARTS, LOGO, VENDORED, vendor_dir
from audit_kit.rules import build_rules
from tests._support import POLICY

#: addresses that may appear in a run folder's pages because nothing ever fetches them
NOT_FETCHED = (
    # the SVG namespace name inside data: URIs in Bootstrap's CSS (an XML identifier)
    "http://www.w3.org/2000/svg",
    # the text of Bootstrap 4.3.1's error when Popper is missing
    "https://popper.js.org/",
)
_ADDRESS = re.compile(r"https?://[^\s\"'<>()\\]*", re.IGNORECASE)


def _external(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    else:  # licence headers of the shipped scripts and styles
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return [a for a in _ADDRESS.findall(text) if a not in NOT_FETCHED]


def test_no_page_of_the_run_folder_names_an_external_address(demo_run):
    _ctx, result = demo_run
    pages = [p for p in result.out.rglob("*") if p.suffix in (".html", ".js", ".css")]
    assert len([p for p in pages if "data_docs" in p.parts]) > 20
    found = {str(p.relative_to(result.out)): _external(p) for p in pages}
    assert {p: a for p, a in found.items() if a} == {}


def test_every_address_gx_templates_load_is_shipped_or_dropped():
    # a GX upgrade that links a new file fails here (and make_offline refuses the page)
    import great_expectations

    templates = Path(great_expectations.__file__).parent / "render" / "view" / "templates"
    loaded = set()
    for t in templates.glob("*.j2"):
        text = t.read_text(encoding="utf-8")
        loaded |= set(re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="(https?://[^"]+)"', text))
    assert loaded and loaded <= set(VENDORED) | set(CHARTS)
    assert any(LOGO.rsplit("/", 1)[0] in t.read_text(encoding="utf-8")
               for t in templates.glob("top_navbar.j2"))


def test_shipped_files_are_gx_s_and_noted():
    import great_expectations

    js = (Path(great_expectations.__file__).parent / "render" / "view" / "templates"
          / "js_script_imports.j2").read_text(encoding="utf-8")
    pinned = dict(re.findall(r'src="(https?://[^"]+)" integrity="(sha384-[^"]+)"', js))
    assert len(pinned) == 2
    for address, integrity in pinned.items():
        data = (vendor_dir() / VENDORED[address]).read_bytes()
        assert "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode() == integrity
    notice = (vendor_dir() / "NOTICE.md").read_text(encoding="utf-8")
    shipped = {p.relative_to(vendor_dir()).as_posix() for p in vendor_dir().rglob("*")
               if p.is_file() and p.parts[-2] != "LICENSES" and p.name != "NOTICE.md"
               and "__pycache__" not in p.parts}
    font = "fontawesome-free-6.6.0/webfonts/fa-solid-900.woff2"
    assert shipped == set(VENDORED.values()) | {font}
    for name in shipped:
        assert f"`{name}`" in notice
    for lic in re.findall(r"`(LICENSES/[^`]+)`", notice):
        assert (vendor_dir() / lic).is_file()


@pytest.mark.skipif(not shutil.which("chromium"), reason="headless Chromium not installed")
def test_index_lists_the_validations_with_the_network_off(demo_run, tmp_path):
    _ctx, result = demo_run
    docs = result.out / "data_docs"
    out = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: the network is off
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000",
         "--dump-dom", (docs / "index.html").as_uri()],
        capture_output=True, text=True, timeout=180,
    )
    rows = re.findall(r"<tr\b.*?</tr>", out.stdout, flags=re.DOTALL)
    listed = {h for row in rows for h in re.findall(r'href="(validations/[^"]+\.html)"', row)}
    pages = {p.relative_to(docs).as_posix() for p in (docs / "validations").rglob("*.html")}
    # one validation per rule family and base table (integrity has two: load_counts, fields)
    assert len(pages) == len({(r.category, r.table) for r in build_rules(load_policy(POLICY))})
    assert listed == pages
