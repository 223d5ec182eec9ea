"""The report's page shell: inline styles, no scripts, nothing fetched."""

from __future__ import annotations

CSS = """
:root{--ok:#1b7f3b;--bad:#b3261e;--warn:#9a6700;--ink:#1f2328;--mute:#59636e;--line:#d1d9e0}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);
 max-width:960px;margin:0 auto;padding:1rem;line-height:1.45}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;border-bottom:1px solid var(--line);padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .4rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.verdicts{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:.6rem}
.card{border:1px solid var(--line);border-left:6px solid var(--ok);border-radius:6px;padding:.6rem}
.card.broken{border-left-color:var(--bad)}.card.warn{border-left-color:var(--warn)}
.badge{font-weight:600}.error{color:var(--bad)}.warning{color:var(--warn)}.info{color:var(--mute)}
.mute{color:var(--mute);font-size:.85rem}
.scroll{overflow-x:auto}
svg text{font-family:inherit;font-size:11px}
@media print{body{max-width:none}.scroll{overflow:visible}h2{break-after:avoid}tr{break-inside:avoid}}
"""


def page(body: str, *, lang: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>audit-kit</title><style>{CSS}</style></head><body>{body}</body></html>\n"
    )
