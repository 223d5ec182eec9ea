# ruff: noqa: E501  (CSS rules stay one per line)
"""The report's page shell: inline styles, no scripts, nothing fetched.

The Content-Security-Policy forbids every fetch and every script; styles are inline and
the fonts are the reader's own system fonts (no font file to embed or download).
"""

from __future__ import annotations

from audit_kit.safe_output import html_text as escape

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

CSS = """
:root{--ok:#1b7f3b;--bad:#b3261e;--warn:#9a6700;--ink:#1f2328;--mute:#59636e;--line:#d1d9e0;
 --okbg:#e9f6ec;--badbg:#fdecea;--warnbg:#fff5d6}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--ink);
 max-width:980px;margin:0 auto;padding:.8rem;line-height:1.45;font-size:16px;background:#fff}
h1{font-size:1.7rem;margin:.1rem 0 .3rem;line-height:1.2}
h2{font-size:1.25rem;border-bottom:2px solid var(--line);padding-bottom:.2rem;margin:2rem 0 .6rem}
h3{font-size:1.02rem;margin:1.2rem 0 .3rem}
p{margin:.4rem 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em;white-space:nowrap}
.acts{margin:0;padding-left:1rem}.acts li{margin:0 0 .2rem}
.hash{word-break:break-all;white-space:normal;font-size:.75rem}
.mute{color:var(--mute);font-size:.88rem}
.sr{position:absolute;left:-9999px}
.top{border-radius:10px;padding:.8rem 1rem;margin-bottom:.8rem;background:var(--okbg);border-left:8px solid var(--ok)}
.top.broken{background:var(--badbg);border-left-color:var(--bad)}
.top.warn{background:var(--warnbg);border-left-color:var(--warn)}
.kicker{margin:0;color:var(--mute);font-size:.9rem;font-weight:600}
.alert{background:var(--warnbg);border:1px solid var(--warn);border-radius:6px;padding:.4rem .6rem;font-weight:600}
.verdicts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:.6rem}
.card{border:1px solid var(--line);border-left:8px solid var(--ok);border-radius:8px;padding:.55rem .7rem;break-inside:avoid}
.card.broken{border-left-color:var(--bad)}.card.warn{border-left-color:var(--warn)}
.card h3{margin:0;font-size:1.05rem}
.sec{color:var(--mute);font-weight:400;font-size:.85rem}
.mark{display:inline-block;font-weight:700;width:1.1rem;text-align:center;color:var(--ok)}
.broken .mark,.broken .state{color:var(--bad)}.warn .mark,.warn .state{color:var(--warn)}
.state{font-weight:700;color:var(--ok);font-size:.9rem;margin:.1rem 0}
.summary{list-style:none;padding:0;margin:.5rem 0;max-width:36rem}
.summary li{display:flex;gap:.3rem;align-items:baseline;margin:.15rem 0;border-bottom:1px dotted var(--line)}
.summary li .state{margin-left:auto}
.summary a{color:inherit;font-weight:600;text-decoration:none}
.summary .state{font-size:.88rem;white-space:nowrap}
.first{font-weight:700;margin:.5rem 0 0}
.promise{color:var(--mute);font-size:.88rem;margin:.15rem 0 .3rem}
.todo{margin:.2rem 0 0;padding-left:1.3rem;font-size:.93rem}
.todo li{margin:.15rem 0}.todo li.warning::marker,.todo li.info::marker{color:var(--mute)}
.todo li::marker{font-weight:700}.todo li.error::marker{color:var(--bad)}
.integrity,.manual{font-size:.9rem;color:var(--mute);margin:.5rem 0 0}
.integrity.broken{color:var(--bad);font-weight:600}
.checklist{padding-left:1.6rem}.checklist li{margin:.3rem 0}
.checklist li.act{margin:.2rem 0 .9rem}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .6rem;margin:.3rem 0 0;font-size:.9rem}
.meta dt{color:var(--mute);font-weight:600}.meta dd{margin:0;min-width:0}
.due{font-weight:600}.todo .due{font-weight:400;color:var(--mute);font-size:.85rem;white-space:nowrap}
.recs{margin:0;padding-left:1rem}.recs li{margin:0}.recs a{color:inherit}
code.file{white-space:normal;overflow-wrap:anywhere}
.cov{font-weight:700;white-space:nowrap}.cov.checked{color:var(--ok)}.cov.partly{color:var(--warn)}.cov.manual{color:var(--mute)}
tr:target{background:var(--warnbg)}
.sev{display:inline-block;font-size:.75rem;font-weight:700;border-radius:4px;padding:0 .35rem;
 text-transform:uppercase;letter-spacing:.02em;border:1px solid currentColor}
.error{color:var(--bad)}.warning{color:var(--warn)}.info{color:var(--mute)}.ok{color:var(--ok);font-weight:700}
.todo li.error,.todo li.warning,.todo li.info{color:var(--ink)}
.todo a{color:inherit;text-decoration-color:var(--line)}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:.5rem;margin:.4rem 0}
.tile{border:1px solid var(--line);border-radius:8px;padding:.5rem .6rem;break-inside:avoid}
.tile b{display:block;font-size:1.6rem;line-height:1.1}.tile span{color:var(--mute);font-size:.85rem}
.tile.bad b{color:var(--bad)}.tile.good b{color:var(--ok)}.tile.warn b{color:var(--warn)}
table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.3rem 0}
td{overflow-wrap:anywhere}
th,td{border-bottom:1px solid var(--line);padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}
table.num td:not(:first-child),table.num th:not(:first-child){text-align:right}
table.sources td:nth-child(-n+3),table.sources th:nth-child(-n+3){text-align:left}
table.narrow{width:auto;min-width:50%}
table.kv thead{display:none}table.kv td:first-child{font-weight:600;white-space:nowrap}
.scroll{overflow-x:auto}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}
svg.chart{width:100%;height:auto;max-width:600px;display:block}
.legend{list-style:none;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem;font-size:.88rem}
.sw{display:inline-block;width:.85rem;height:.85rem;margin-right:.35rem;vertical-align:-.1rem;border-radius:2px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.jp-OutputArea-output,.output_html{overflow:visible}
@media (max-width:600px){
 body{padding:.5rem;font-size:15px}
 h1{font-size:1.35rem}
 .verdicts{grid-template-columns:1fr}
 .tiles{grid-template-columns:repeat(2,1fr)}
 table.stack thead{display:none}
 table.stack tr{display:block;border-bottom:1px solid var(--line);padding:.35rem 0}
 table.stack td{display:block;border:0;padding:.05rem .2rem}
 table.stack td[data-label]::before{content:attr(data-label) ": ";color:var(--mute);font-size:.8rem}
 table.num.stack td,table.num.stack th{text-align:left}
 .meta{grid-template-columns:1fr}
 table.sources td:nth-child(2),table.sources th:nth-child(2),
 table.sources td:nth-child(3),table.sources th:nth-child(3){display:none}
}
@page{size:A4;margin:14mm 12mm}
@media print{
 body{max-width:none;font-size:10.5pt;padding:0}
 .todo-promise{break-before:page}
 .checklist li.act{break-inside:avoid}
 .scroll{overflow:visible}
 h2{break-after:avoid}h3{break-after:avoid}tr,figure,.card,.tile{break-inside:avoid}
 .top,.card,.tile,.sev{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 h2.appendix{break-before:page}
 a{color:inherit;text-decoration:none}
}
"""


def page(body: str, *, lang: str, title: str = "audit-kit") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>{body}</body></html>\n"
    )
