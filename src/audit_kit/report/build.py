"""The report's content, built from a run folder (findings.csv, manifest.json, warehouse).

Everything shown is escaped with :func:`html.escape`; people are pseudonymised
(``subject_id``) unless ``reveal`` is set.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from html import escape
from pathlib import Path

from audit_kit.findings import Finding, read_csv
from audit_kit.report.i18n import RULES, SECTIONS, t
from audit_kit.vocab import CATEGORIES

VERDICT_ORDER = ("minimisation", "retention", "rights", "transfer", "statement", "integrity")


def _names(run_dir: Path) -> dict[tuple[str, str], str]:
    """(source, record_ref) -> person name, read from the run's warehouse (reveal only)."""
    import duckdb

    con = duckdb.connect(str(run_dir / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT source, record_ref, any_value(person_name) FROM records "
                           "WHERE person_name IS NOT NULL GROUP BY ALL").fetchall()
    finally:
        con.close()
    return {(s, r): n for s, r, n in rows}


def verdicts(findings: list[Finding]) -> dict[str, str]:
    """category -> 'broken' (errors), 'warn' (warnings/info only) or 'kept'."""
    out = {}
    for cat in CATEGORIES:
        sev = {f.severity for f in findings if f.category == cat}
        out[cat] = "broken" if "error" in sev else ("warn" if sev else "kept")
    return out


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def build_report_html(run_dir: str | Path, lang: str = "fi", reveal: bool = False) -> str:
    run_dir = Path(run_dir)
    findings = read_csv(run_dir / "findings.csv")
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    names = _names(run_dir) if reveal else {}
    parts: list[str] = []
    parts.append(f"<h1>{escape(t('title', lang))}: {escape(manifest['organisation'])}</h1>")
    parts.append(f"<p class=mute>{escape(t('as_of', lang))} {escape(manifest['as_of'])} · "
                 f"audit-kit {escape(manifest['audit_kit_version'])} · "
                 f"{escape(t('policy', lang))} {escape(manifest['policy']['version'])}</p>")

    # -- verdicts -------------------------------------------------------------------
    v = verdicts(findings)
    by_cat = Counter(f.category for f in findings)
    cards = []
    for cat in VERDICT_ORDER:
        cards.append(
            f'<div class="card {v[cat]}"><div class=badge>{escape(t(cat, lang))} '
            f'<span class=mute>({escape(SECTIONS[cat])})</span></div>'
            f"<div>{escape(t(v[cat], lang))} · {by_cat.get(cat, 0)} {escape(t('count', lang).lower())}</div></div>")
    parts.append(f"<h2>{escape(t('verdicts', lang))}</h2><div class=verdicts>{''.join(cards)}</div>")
    parts.append(f"<p class=mute>{escape(t('manual', lang))}</p>")

    # -- key figures ----------------------------------------------------------------
    sev = defaultdict(Counter)
    for f in findings:
        sev[f.category][f.severity] += 1
    parts.append(f"<h2>{escape(t('key_figures', lang))}</h2>")
    parts.append(f"<p>{escape(t('people', lang))}: <b>{int(manifest.get('people', 0))}</b></p>")
    rows = [[escape(t(c, lang))] + [str(sev[c][s]) for s in ("error", "warning", "info")]
            for c in VERDICT_ORDER]
    parts.append(_table([t("category", lang), t("error", lang), t("warning", lang), t("info", lang)], rows))
    rows = [[escape(s["name"]), escape(s["kind"]), str(s["records_read"]), str(s["records_loaded"]),
             str(s["records_rejected"])] for s in manifest["sources"]]
    parts.append(_table([t("source", lang), t("kind", lang), t("read", lang), t("loaded", lang),
                         t("rejected", lang)], rows))

    # -- rules and actions -------------------------------------------------------------
    per_rule = Counter(f.rule_id for f in findings)
    rows = []
    for rule_id, text in RULES.items():
        n = per_rule.get(rule_id, 0)
        rows.append([escape(rule_id), escape(text["checks"][lang]), str(n),
                     escape(text["action"][lang].format(n=n)) if n else "—"])
    parts.append(f"<h2>{escape(t('rules', lang))}</h2>")
    parts.append(_table([t("rule", lang), t("checks", lang), t("count", lang), t("action", lang)], rows))

    # -- findings -----------------------------------------------------------------------
    parts.append(f"<h2>{escape(t('findings', lang))}</h2>")
    if not reveal:
        parts.append(f"<p class=mute>{escape(t('pseudonymised', lang))}</p>")
    if findings:
        rows = []
        for f in findings:
            who = escape(f.subject_id)
            if reveal:
                bits = [names.get((f.source, f.record_ref), ""), f.email, f.phone]
                who = escape(" · ".join(b for b in bits if b)) or who
            rows.append([f'<span class="{escape(f.severity)}">{escape(t(f.severity, lang))}</span>',
                         escape(f.rule_id), who, escape(f"{f.source} · {f.record_ref}"),
                         escape(f.field), escape(f.detail)])
        parts.append(_table([t("severity", lang), t("rule", lang), t("subject", lang), t("place", lang),
                             t("field", lang), t("detail", lang)], rows))
    else:
        parts.append(f"<p>{escape(t('none', lang))}</p>")

    # -- evidence -----------------------------------------------------------------------
    parts.append(f"<h2>{escape(t('evidence', lang))}</h2>")
    rows = [[escape(s["name"]), escape(fi["file"]), f"<code>{escape(fi['sha256'])}</code>"]
            for s in manifest["sources"] for fi in s["files"]]
    parts.append(_table([t("source", lang), t("file", lang), "SHA-256"], rows))
    tools = ", ".join(f"{k} {v}" for k, v in manifest.get("tool_versions", {}).items())
    parts.append(f"<p class=mute>{escape(t('tool', lang))}: audit-kit {escape(manifest['audit_kit_version'])}, "
                 f"{escape(tools)}; policy sha256 {escape(manifest['policy']['sha256'])}</p>")
    return "\n".join(parts)
