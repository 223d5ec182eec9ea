"""Make a GX Data Docs site work offline and call no one.

GX's page templates load jQuery, Bootstrap, bootstrap-table, a datepicker, Font Awesome
and Vega from CDNs, and GX's logo from a web-assets bucket with the data context id in
the URL; offline the index lists nothing (its table is drawn by bootstrap-table). GX has
declined offline Data Docs upstream (GX issues 994 and 8734; PR 2870 closed unmerged).
After GX builds the site, :func:`make_offline` copies the exact versions those templates
name (shipped in ``vendor/``, see its NOTICE.md) into ``static/vendor/``, points every
page at them, shows GX's own ``static/images/logo-long.png``, unlinks the links to GX's
web site and docs, and refuses a page that would still name an external address: a GX
upgrade that links a new file stops the build here instead of phoning home.
"""

from __future__ import annotations

import os
import re
import shutil
from importlib import resources
from pathlib import Path

from audit_kit.errors import ReportError

#: the addresses GX 1.24's templates load -> the shipped copy (in vendor/)
VENDORED = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/"
    "umd/popper.min.js": "popper.js-1.12.9.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/"
    "js/bootstrap.min.js": "bootstrap-4.3.1.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/"
    "css/bootstrap.min.css": "bootstrap-4.3.1.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/"
    "dist/bootstrap-table.min.js": "bootstrap-table-1.19.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/"
    "dist/bootstrap-table.min.css": "bootstrap-table-1.19.1.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": "bootstrap-table-filter-control-1.19.1.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": "bootstrap-table-filter-control-1.19.0.min.css",
    # the pages link the unminified build of the same file; the minified one is shipped
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.css": "bootstrap-table-filter-control-1.19.0.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": "bootstrap-datepicker-1.9.0.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": "bootstrap-datepicker-1.9.0.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/"
    "css/all.min.css": "fontawesome-free-6.6.0/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": "bootstrap-prefers-dark-1.1.0.min.css",
}

#: chart libraries GX links on every page; only a page that calls vegaEmbed uses them
CHARTS = (
    "https://cdn.jsdelivr.net/npm/vega@5",
    "https://cdn.jsdelivr.net/npm/vega-lite@5",
    "https://cdn.jsdelivr.net/npm/vega-embed@6",
)

#: GX's logo (the URL carries a timestamp and the data context id), and its dark-mode
#: version in the pages' inline CSS; both become the logo GX puts in static/images/
LOGO = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png"
DARK_LOGO = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png"

_TAG = re.compile(r"<(script|link|img|a)\b[^>]*>", re.IGNORECASE)
_URL_ATTR = re.compile(r'\s(src|href)="(https?://[^"]*)"', re.IGNORECASE)
_SRI = re.compile(r'\s(integrity|crossorigin)="[^"]*"', re.IGNORECASE)
_CHART_SCRIPT = re.compile(
    r'[ \t]*<script src="(' + "|".join(map(re.escape, CHARTS)) + r')"></script>\n?'
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_EXTERNAL = re.compile(r"https?://", re.IGNORECASE)


def vendor_dir() -> Path:
    return Path(str(resources.files("audit_kit.report") / "vendor"))


def make_offline(site: Path) -> None:
    """Rewrite every page of the Data Docs *site* to load only files inside it."""
    site = Path(site)
    static = site / "static" / "vendor"
    shutil.copytree(
        vendor_dir(), static, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        page.write_text(_rewrite(text, page, site), encoding="utf-8")
    for style in sorted((site / "static" / "styles").rglob("*.css")):  # GX's own styles
        text = _dark_logo(style.read_text(encoding="utf-8"), style, site)
        _refuse_external(_CSS_COMMENT.sub("", text), style)
        style.write_text(text, encoding="utf-8")


def _rel(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target, page.parent)).as_posix()


def _dark_logo(text: str, page: Path, site: Path) -> str:
    logo = _rel(site / "static" / "images" / "logo-long.png", page)
    return text.replace(f"url('{DARK_LOGO}')", f"url('{logo}')")


def _refuse_external(text: str, page: Path) -> None:
    if _EXTERNAL.search(text):
        raise ReportError(
            "a Data Docs page still names an external address after audit-kit's rewrite; "
            "a new GX version may link a new file: ship it in audit_kit/report/vendor/",
            file=page,
        )


def _rewrite(text: str, page: Path, site: Path) -> str:
    def rel(target: Path) -> str:
        return _rel(target, page)

    if "vegaEmbed" in text:
        raise ReportError("a Data Docs page draws a chart, and audit-kit ships no Vega", file=page)
    text = _CHART_SCRIPT.sub("", text)

    def tag(m: re.Match) -> str:
        t = m.group(0)
        url = _URL_ATTR.search(t)
        if not url:
            return t
        attr, address = url.group(1), url.group(2)
        if address in VENDORED:
            local = rel(site / "static" / "vendor" / VENDORED[address])
            # the copy is local: no cross-origin fetch (its sha384 is GX's integrity value)
            t = _SRI.sub("", t)
            return _URL_ATTR.sub(f' {attr}="{local}"', t, count=1)
        if address.split("?")[0] == LOGO:
            logo = rel(site / "static" / "images" / "logo-long.png")
            return _URL_ATTR.sub(f' {attr}="{logo}"', t, count=1)
        if m.group(1).lower() == "a":  # a link to GX's web site or docs: text only
            return _URL_ATTR.sub("", t, count=1)
        return t

    text = _dark_logo(_TAG.sub(tag, text), page, site)
    _refuse_external(_COMMENT.sub("", text), page)
    return text
