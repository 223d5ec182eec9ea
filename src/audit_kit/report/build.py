"""The report's content, built from a run folder (findings.csv, manifest.json, warehouse).

Reading order for the owners: the headline and one card per promise of the statement
(with the actions to take) fit the first screen; key figures, charts, the change since
the last quarter, every rule and its findings, and the evidence appendix follow.

Everything shown is escaped with :func:`audit_kit.safe_output.html_text` (imported as
``escape``): HTML-escaped, with control and bidi characters in names from the data
shown as escapes (``\\u202e``), not acted on by the browser;
people are pseudonymised (``subject_id``) unless ``reveal`` is set.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from audit_kit.findings import Finding, read_csv
from audit_kit.report import charts, coverage, history, report_params
from audit_kit.report.actions import (
    FIELD_RULES,
    PROMISE_ORDER,
    SEV_ORDER,
    Action,
    Due,
    Responsible,
    actions,
    erasure_dues,
)
from audit_kit.report.i18n import (
    AGE_ROLES,
    PROMISES,
    RULES,
    STATEMENT_CHECKS,
    field_name,
    ref_text,
    rule_checks,
    t,
)
from audit_kit.rules import provision_text, rule_categories
from audit_kit.runs import quarter_of
from audit_kit.safe_output import html_text as escape  # HTML-escaped, controls shown
from audit_kit.vocab import CATEGORIES

#: the promises, in the order the owners read them (integrity is a data check, not a promise)
VERDICT_ORDER = PROMISE_ORDER + ("integrity",)


def fmt_date(d: str | dt.date, lang: str) -> str:
    d = dt.date.fromisoformat(d) if isinstance(d, str) else d
    return f"{d.day}.{d.month}.{d.year}" if lang == "fi" else d.isoformat()


def fmt_int(n: int, lang: str) -> str:
    s = f"{n:,}"
    return s.replace(",", "\u00a0") if lang == "fi" else s


# -- data from the run's warehouse -----------------------------------------------------------


#: the records' date columns a retention clock counts from (the policy's ``counts_from``)
RECORD_DATES = ("ended_on", "last_activity", "requested_on")


@dataclass
class WarehouseFacts:
    people: int | None = None
    by_n_sources: dict[int, int] = field(default_factory=dict)
    people_per_source: dict[str, int] = field(default_factory=dict)
    #: per charted role: its label, dated records and retention months (the policy's)
    ages: list[tuple[str, list[dt.date], int]] = field(default_factory=list)
    undated: int = 0
    names: dict[tuple[str, str], str] = field(default_factory=dict)


def warehouse_facts(run_dir: Path, as_of: dt.date, lang: str, reveal: bool,
                    clocks: dict[str, dict] | None = None) -> WarehouseFacts:
    """People, sources per person, dated contact data (and names if *reveal*). The dates
    charted are those of the roles of :data:`AGE_ROLES` with a retention clock in
    *clocks* (role -> ``counts_from``, ``months``: the policy's, kept by the run)."""
    import duckdb

    path = run_dir / "warehouse.duckdb"
    facts = WarehouseFacts()
    if not path.exists():
        return facts
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        if "subjects" in tables:
            facts.people = con.execute("SELECT count(*) FROM subjects").fetchone()[0]
            facts.by_n_sources = dict(
                con.execute(
                    "SELECT n_sources, count(*) FROM subjects GROUP BY 1 ORDER BY 1"
                ).fetchall()
            )
        if "persons" in tables:
            facts.people_per_source = dict(
                con.execute(
                    "SELECT source, count(DISTINCT subject_id) FROM persons GROUP BY 1"
                ).fetchall()
            )
        for role, label in AGE_ROLES.items():
            clock = (clocks or {}).get(role)
            if clock is None or clock.get("counts_from") not in RECORD_DATES:
                continue
            col = clock["counts_from"]
            rows = con.execute(f"SELECT {col} FROM records WHERE role = ?", [role]).fetchall()
            if not rows:
                continue
            dates = [r[0] for r in rows if r[0] is not None and r[0] <= as_of]
            facts.undated += sum(1 for r in rows if r[0] is None)
            facts.ages.append((label[lang], dates, int(clock["months"])))
        if reveal:
            facts.names = {
                (s, r): n
                for s, r, n in con.execute(
                    "SELECT source, record_ref, any_value(person_name) FROM records "
                    "WHERE person_name IS NOT NULL GROUP BY ALL"
                ).fetchall()
            }
    finally:
        con.close()
    return facts


# -- pieces ------------------------------------------------------------------------------------


def verdicts(findings: list[Finding]) -> dict[str, str]:
    """category -> 'broken' (errors), 'warn' (warnings/info only) or 'kept'."""
    out = {}
    for cat in CATEGORIES:
        sev = {f.severity for f in findings if f.category == cat}
        out[cat] = "broken" if "error" in sev else ("warn" if sev else "kept")
    return out


def _table(
    headers: list[str], rows: list[list[str]], cls: str = "stack", ids: list[str] | None = None
) -> str:
    """*rows* cells are already-escaped HTML; headers are escaped here.

    In a ``stack`` table every cell after the first carries its header as ``data-label``:
    on a phone the rows become cards and the labels are shown before the values.
    """
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    stack = "stack" in cls.split()

    def td(i: int, c: str) -> str:
        if stack and i and headers[i]:
            return f'<td data-label="{escape(headers[i])}">{c}</td>'
        return f"<td>{c}</td>"

    body = "".join(
        (f'<tr id="{escape(ids[j])}">' if ids else "<tr>")
        + "".join(td(i, c) for i, c in enumerate(r))
        + "</tr>"
        for j, r in enumerate(rows)
    )
    return (
        f'<div class="scroll"><table class="{cls}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _provisions(fs: list[Finding], lang: str) -> str:
    """The distinct provisions *fs* cite, in order, as one muted HTML span ("" if none)."""
    cited = list(dict.fromkeys(
        part.strip() for f in fs for part in f.provision.split(";") if part.strip()))
    if not cited:
        return ""
    text = "; ".join(provision_text(p, lang) for p in cited)
    return f' <span class="mute">({escape(text)})</span>'


def _sev(sev: str, lang: str) -> str:
    return f'<span class="sev {escape(sev)}">{escape(t(sev, lang))}</span>'


def _sev_cell(f: Finding, lang: str) -> str:
    """The severity, and whether the accepted-findings file covers the finding."""
    if f.accepted not in ("yes", "expired"):
        return _sev(f.severity, lang)
    mark = escape(t("accepted_" + f.accepted, lang))
    return _sev(f.severity, lang) + f' <span class="mute">({mark})</span>'


def _who(f: Finding, lang: str, reveal: bool, names: dict[tuple[str, str], str]) -> str:
    if f.source_kind == "statement":
        return "—"
    if reveal:
        bits = [names.get((f.source, f.record_ref), ""), f.email, f.phone]
        shown = " · ".join(b for b in bits if b)
        if shown:
            return escape(shown)
    return f"<code>{escape(f.subject_id)}</code>" if f.subject_id else "—"


def _field_cell(f: Finding, lang: str) -> str:
    if f.rule_id in FIELD_RULES:
        detail = f.detail_in(lang)
        label = detail.split(": ", 1)[1] if ": " in detail else ""
        return escape(field_name(f.field, lang)) + (
            f' <span class="mute">({escape(label)})</span>' if label else ""
        )
    return escape(f.field) if f.field else "—"


def _findings_rows(fs: list[Finding], lang: str, reveal: bool, names) -> list[list[str]]:
    with_field = any(f.field for f in fs)
    return [
        [
            _sev_cell(f, lang),
            _who(f, lang, reveal, names),
            _place(f, lang),
        ]
        + ([_field_cell(f, lang)] if with_field else [])
        + [f'<span class="mute">{escape(f.detail_in(lang))}</span>']
        for f in fs
    ]


def _place(f: Finding, lang: str) -> str:
    """Where the record is: its source, the file it came from (``maillog.1``, not the
    source's folder) and the record reference (line, card, invoice, offset)."""
    ref = escape(ref_text(f.record_ref, lang))
    if not f.source_file:
        return f"{escape(f.source)}: {ref}"
    file = f'<code class="file">{escape(f.source_file)}</code>'
    # a Maildir or .eml record is its file: the reference would repeat the file's name
    return f"{escape(f.source)}: {file}" + (
        "" if f.source_file.endswith(f.record_ref) else f" · {ref}"
    )


def _finding_headers(lang: str, fs: list[Finding]) -> list[str]:
    with_field = any(f.field for f in fs)
    return (
        [t("severity", lang), t("subject", lang), t("place", lang)]
        + ([t("field", lang)] if with_field else [])
        + [t("detail", lang)]
    )


MARKS = {"broken": "✗", "warn": "!", "kept": "✓"}


def _summary(v: dict[str, str], findings: list[Finding], lang: str, cited: coverage.Cited,
             ) -> str:
    """One line per promise: mark, name, section, verdict and count (the first screen)."""
    by_cat = Counter(f.category for f in findings)
    lis = "".join(
        f'<li class="{v[c]}"><span class="mark" aria-hidden="true">{MARKS[v[c]]}</span> '
        f'<a href="#promise-{c}">{escape(t(c, lang))}</a> '
        f'<span class="sec">{escape(cited.category(c))}</span>'
        f' <span class="state">{escape(t(v[c], lang))} ({by_cat.get(c, 0)})</span></li>'
        for c in PROMISE_ORDER
    )
    return f'<ul class="summary">{lis}</ul>'


#: "do first": the head of the ranked actions (bans, overdue erasures, open requests, errors)
FIRST_N = 6


def _due_text(d: Due, lang: str) -> str:
    if d.kind == "now":
        if d.since:
            return t("due_now_since", lang, d=fmt_date(d.since, lang))
        return t("due_now", lang)
    if d.kind == "date" and d.on:
        return t("due_on", lang, d=fmt_date(d.on, lang))
    return t("due_next_audit", lang, d=fmt_date(d.on, lang)) if d.on else t("due_next", lang)


def _who_text(a: Action, responsible: Responsible, lang: str) -> str:
    if not a.who:
        return t("who_unknown", lang)
    if a.processor:
        return t("who_processor", lang, p=a.who, r=responsible.person or "—")
    return t("who_person", lang, r=a.who)


def _first(acts: list[Action], lang: str) -> str:
    top = [a for a in acts if a.weight <= 3][:FIRST_N]
    if not top:
        return ""
    lis = "".join(
        f'<li><a href="#{_act_id(a)}">{escape(a.text)}</a> '
        f'<span class="due">{escape(_due_text(a.due, lang))}</span></li>'
        for a in top
    )
    return f'<p class="first">{escape(t("first", lang))}:</p><ol class="todo">{lis}</ol>'


def _act_id(a: Action) -> str:
    """``act-<rule>_<source>_<severity>``, other characters than letters, digits and ``-``
    written as ``_`` (a source name is the user's)."""
    return "act-" + "_".join(
        "".join(c if c.isalnum() or c == "-" else "_" for c in part)
        for part in (a.rule_id, a.source, a.severity)
    )


#: at most this many records are listed under an action; the rest are in its rule's table
RECORDS_SHOWN = 25


def _action_html(
    a: Action, lang: str, responsible: Responsible, fids: dict[Finding, str], reveal: bool,
    names: dict[tuple[str, str], str], cited: coverage.Cited,
) -> str:
    """One action: what, by when, who, and its records (each a link to its evidence row)."""
    recs = []
    for f in a.findings[:RECORDS_SHOWN]:
        label = _place(f, lang)
        if f.field and f.rule_id != "S-statement":
            label += " · " + escape(field_name(f.field, lang))
        if reveal and names.get((f.source, f.record_ref)):
            label += " · " + escape(names[(f.source, f.record_ref)])
        recs.append(f'<li><a href="#{fids[f]}">{label}</a></li>')
    if len(a.findings) > RECORDS_SHOWN:
        recs.append(
            f'<li><a href="#rule-{escape(a.rule_id)}">'
            f"{escape(t('more', lang, n=len(a.findings) - RECORDS_SHOWN))}</a></li>"
        )
    return (
        f'<li id="{_act_id(a)}" class="act">{_sev(a.severity, lang)} <b>{escape(a.text)}</b> '
        f'<span class="mute">({escape(cited.rule(a.rule_id) or cited.category(a.category))}, '
        f"{escape(a.rule_id)})</span>"
        f'<dl class="meta"><dt>{escape(t("due", lang))}</dt><dd class="due">'
        f"{escape(_due_text(a.due, lang))}</dd>"
        f'<dt>{escape(t("who", lang))}</dt><dd class="who">'
        f"{escape(_who_text(a, responsible, lang))}</dd>"
        f'<dt>{escape(t("records", lang, n=len(a.findings)))}</dt>'
        f'<dd><ul class="recs">{"".join(recs)}</ul></dd></dl></li>'
    )


def _people_affected(findings: list[Finding], cat: str | None = None) -> int:
    return len(
        {f.subject_id for f in findings if f.subject_id and (cat is None or f.category == cat)}
    )


def _coverage_table(params: dict, lang: str) -> str:
    kept = coverage.sections(params)
    if kept is None:
        return f'<p class="mute">{escape(t("coverage_none", lang))}</p>'
    rows = [
        [
            escape(c.label),
            escape(c.title[lang]),
            f'<span class="cov {c.status}">{escape(t("cov_" + c.status, lang))}</span>',
            escape(c.how(lang)),
        ]
        for c in kept
    ]
    return _table(
        [t("section", lang), t("cov_topic", lang), t("cov_status", lang), t("cov_how", lang)],
        rows,
        "coverage stack",
    )


def _item_row(it: history.Item, lang: str, reveal: bool, names, before: history.Item | None = None):
    f = it.findings[0]
    rules = ", ".join(it.rules)
    if before is not None:
        rules = f"{', '.join(before.rules)} → {rules}"
    places = "<br>".join(_place(g, lang) for g in it.findings[:3])
    if len(it.findings) > 3:
        places += "<br>" + escape(t("more", lang, n=len(it.findings) - 3))
    return [
        _sev(it.severity, lang),
        escape(t(it.category, lang)),
        _who(f, lang, reveal, names),
        f"<code>{escape(rules)}</code>",
        places,
    ]


def _trend_html(rows: list[history.QuarterRow], lang: str, reveal: bool, names) -> list[str]:
    """The trend chart (open items per promise by quarter), the quarter-to-quarter table,
    and the changes since the previous quarter with their items."""
    parts = [f'<div id="trend"><figure><figcaption>{escape(t("trend_title", lang))}</figcaption>']
    parts.append(
        charts.trend_chart(
            [(r.quarter, r.open_items) for r in rows],
            [(c, t(c, lang)) for c in VERDICT_ORDER],
            title=t("trend_title", lang),
        )
    )
    parts.append(charts.legend([(c, t(c, lang)) for c in VERDICT_ORDER]))
    parts.append(f'<p class="mute">{escape(t("trend_caption", lang))}</p>')
    if len(rows) < 2:
        parts.append(f'<p class="mute">{escape(t("trend_only_one", lang))}</p>')
    parts.append("</figure>")
    if len(rows) > 1:
        table = [
            [
                escape(r.quarter) + f' <span class="mute">{escape(fmt_date(r.as_of, lang))}</span>',
                str(sum(r.open_items.values())),
            ]
            + (
                [str(len(r.changes.new)), str(len(r.changes.escalated)), str(len(r.changes.fixed))]
                if r.changes
                else ["—", "—", "—"]
            )
            for r in rows
        ]
        parts.append(
            _table(
                [t("quarter", lang), t("open_items", lang), t("new", lang), t("escalated", lang),
                 t("resolved", lang)],
                table,
                "num trend stack",
            )
        )
    ch = history.last_changes(rows)
    parts.append(f'<h2 id="changes">{escape(t("changes", lang, prev=ch.previous))}</h2>')
    if not ch.found:
        parts.append(f'<p class="mute">{escape(t("changes_none", lang, prev=ch.previous))}</p>')
        return parts + ["</div>"]
    parts.append(
        '<div class="tiles">'
        + "".join(
            f'<div class="tile {cls}"><b>{n}</b><span>{escape(t(key, lang))}</span></div>'
            for key, cls, n in (
                ("new", "bad", len(ch.new)),
                ("escalated", "bad", len(ch.escalated)),
                ("resolved", "good", len(ch.fixed)),
                ("persisting", "warn", len(ch.persisting)),
            )
        )
        + "</div>"
    )
    if ch.closed:
        parts.append(f'<p class="mute">{escape(t("closed_line", lang, n=len(ch.closed)))}</p>')
    heads = [t("severity", lang), t("category", lang), t("subject", lang), t("rule", lang),
             t("place", lang)]
    escalated = [_item_row(now, lang, reveal, names, before) for now, before in ch.escalated]
    for key, rows_ in (
        ("escalated_list", escalated),
        ("new_list", [_item_row(it, lang, reveal, names) for it in ch.new]),
        ("resolved_list", [_item_row(it, lang, reveal, names) for it in ch.fixed]),
    ):
        if rows_:
            parts.append(f"<h3>{escape(t(key, lang))}</h3>")
            parts.append(_table(heads, rows_))
    return parts + ["</div>"]


# -- the report --------------------------------------------------------------------------------


def build_report_html(run_dir: str | Path, lang: str = "fi", reveal: bool = False) -> str:
    run_dir = Path(run_dir)
    findings = read_csv(run_dir / "findings.csv")
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    as_of = dt.date.fromisoformat(manifest["as_of"])
    params = report_params(run_dir)
    facts = warehouse_facts(run_dir, as_of, lang, reveal,
                            (params.get("policy") or {}).get("retention_clocks"))
    quarter = quarter_of(as_of)
    v = verdicts(findings)
    sev_total = Counter(f.severity for f in findings)
    responsible = Responsible.from_params(params, manifest)
    # the statement checks' words: the library's, and the policy's own checks' (kept by the run)
    check_words = STATEMENT_CHECKS | ((params.get("policy") or {}).get("check_texts") or {})
    # the promises in the statement's own words where the policy gives them
    promises = PROMISES | ((params.get("policy") or {}).get("promises") or {})
    # the statement sections each category and rule audits (the rules the run built)
    cited = coverage.Cited.from_params(params)
    acts = actions(
        findings, lang, as_of=as_of, responsible=responsible,
        dues=erasure_dues(run_dir, responsible.erasure_months,
                          responsible.erasure_extended_months),
    )
    fids: dict[Finding, str] = {}
    for i, f in enumerate(findings, 1):
        fids.setdefault(f, f"f-{i}")
    people = facts.people if facts.people is not None else int(manifest.get("people", 0))
    affected = _people_affected(findings)
    parts: list[str] = []

    # -- headline ------------------------------------------------------------------------
    n_broken = sum(1 for c in PROMISE_ORDER if v[c] == "broken")
    n_warn = sum(1 for c in PROMISE_ORDER if v[c] == "warn")
    if n_broken:
        head = t("headline_broken", lang, b=n_broken, n=len(PROMISE_ORDER))
    elif n_warn:
        head = t("headline_warn", lang, w=n_warn)
    else:
        head = t("headline_ok", lang)
    state = "broken" if n_broken else ("warn" if n_warn else "kept")
    parts.append(
        f'<header class="top {state}"><p class="kicker">{escape(manifest["organisation"])} · '
        f"{escape(t('title', lang))} {escape(quarter)}</p>"
        f"<h1>{escape(head)}</h1>"
        f'<p class="mute">{escape(t("as_of", lang))} {escape(fmt_date(as_of, lang))} · '
        f"{escape(t('headline_sub', lang, e=sev_total['error'], w=sev_total['warning']))} "
        f"{escape(t('affected_line', lang, a=fmt_int(affected, lang), p=fmt_int(people, lang)))}"
        "</p>"
        + _summary(v, findings, lang, cited)
        + _first(acts, lang)
        + "</header>"
    )
    if reveal:
        parts.append(f'<p class="alert">{escape(t("revealed", lang))}</p>')

    # -- one card per promise, with its actions ------------------------------------------
    by_cat = Counter(f.category for f in findings)
    cards = []
    for cat in PROMISE_ORDER:
        mark = {"broken": "✗", "warn": "!", "kept": "✓"}[v[cat]]
        items = [a for a in acts if a.category == cat]
        lis = "".join(
            f'<li class="{escape(a.severity)}"><a href="#{_act_id(a)}">{escape(a.text)}</a> '
            f'<span class="due">{escape(_due_text(a.due, lang))}</span></li>'
            for a in items[:4]
        )
        if len(items) > 4:
            lis += (
                f'<li class="mute"><a href="#todo-{cat}">'
                f'{escape(t("more", lang, n=len(items) - 4))}</a></li>'
            )
        cards.append(
            f'<section class="card {v[cat]}" id="promise-{cat}">'
            f'<h3><span class="mark" aria-hidden="true">{mark}</span> {escape(t(cat, lang))} '
            f'<span class="sec">{escape(cited.category(cat))}</span></h3>'
            f'<p class="state">{escape(t(v[cat], lang))} · {by_cat.get(cat, 0)} '
            f"{escape(t('findings_n', lang))} · "
            f"{escape(t('people_n', lang, n=_people_affected(findings, cat)))}</p>"
            f'<p class="promise">{escape(promises[cat][lang])}</p>'
            + (f'<ol class="todo">{lis}</ol>' if lis else "")
            + "</section>"
        )
    parts.append(
        f'<h2 class="sr">{escape(t("verdicts", lang))}</h2>'
        f'<div class="verdicts">{"".join(cards)}</div>'
    )
    read = sum(s["records_read"] for s in manifest["sources"])
    rejected = sum(s["records_rejected"] for s in manifest["sources"])
    integ = v["integrity"]
    integ_text = t(
        "integrity_line",
        lang,
        s=len(manifest["sources"]),
        r=fmt_int(read, lang),
        j=fmt_int(rejected, lang),
    )
    parts.append(
        f'<p class="integrity {integ}">{escape(integ_text)}'
        + (
            f" {escape(t('integrity', lang))}: {escape(t(integ, lang))} "
            f"({by_cat.get('integrity', 0)})."
            if integ != "kept"
            else ""
        )
        + "</p>"
    )
    parts.append(f'<p class="manual">{escape(t("manual", lang))} '
                 f'<a href="#coverage">{escape(t("coverage", lang))}</a></p>')

    # -- what to do, promise by promise (in print: each promise on its own page) ---------
    parts.append(f'<h2 id="todo">{escape(t("todo", lang))}</h2>')
    if acts:
        parts.append(f'<p class="mute">{escape(t("todo_intro", lang))}</p>')
        for cat in VERDICT_ORDER:
            mine = [a for a in acts if a.category == cat]
            if not mine:
                continue
            lis = "".join(
                _action_html(a, lang, responsible, fids, reveal, facts.names, cited) for a in mine
            )
            parts.append(
                f'<section class="todo-promise" id="todo-{cat}">'
                f"<h3>{escape(t(cat, lang))} "
                f'<span class="sec">{escape(cited.category(cat))}</span></h3>'
                f'<ol class="checklist">{lis}</ol></section>'
            )
    else:
        parts.append(f"<p>{escape(t('todo_none', lang))}</p>")

    # -- key figures ---------------------------------------------------------------------------
    parts.append(f'<h2 id="figures">{escape(t("key_figures", lang))}</h2>')
    multi = sum(n for k, n in facts.by_n_sources.items() if k > 1)
    tiles = [
        (fmt_int(people, lang), t("people", lang)),
        (fmt_int(multi, lang), t("people_multi", lang)),
        (fmt_int(affected, lang), t("people_affected", lang)),
        (str(len(manifest["sources"])), t("n_sources", lang)),
        (fmt_int(read, lang), t("records_total", lang)),
        (fmt_int(sev_total["error"], lang), t("errors_total", lang)),
    ]
    parts.append(
        '<div class="tiles">'
        + "".join(
            f'<div class="tile"><b>{escape(n)}</b><span>{escape(label)}</span></div>'
            for n, label in tiles
        )
        + "</div>"
    )
    if facts.by_n_sources:
        rows = [
            [escape(t("in_n_sources", lang, n=k)), fmt_int(n, lang)]
            for k, n in sorted(facts.by_n_sources.items())
        ]
        parts.append(f"<h3>{escape(t('people_by_sources', lang))}</h3>")
        parts.append(_table([t("n_sources", lang), t("people", lang)], rows, "narrow"))
    sev = defaultdict(Counter)
    for f in findings:
        sev[f.category][f.severity] += 1
    rows = [
        [escape(t(c, lang)) + f' <span class="mute">{escape(cited.category(c))}</span>']
        + [fmt_int(sev[c][s], lang) for s in SEV_ORDER]
        + [fmt_int(_people_affected(findings, c), lang)]
        for c in VERDICT_ORDER
    ]
    parts.append(f"<h3>{escape(t('count', lang))}</h3>")
    parts.append(
        _table(
            [t("category", lang)] + [t(s, lang) for s in SEV_ORDER] + [t("people_col", lang)],
            rows,
            "num stack",
        )
    )
    rows = [
        [
            escape(s["name"]),
            escape(s["system"]),
            escape(s.get("format") or s["kind"]),
            fmt_int(s["records_read"], lang),
            fmt_int(s["records_loaded"], lang),
            (
                f'<b class="error">{fmt_int(s["records_rejected"], lang)}</b>'
                if s["records_rejected"]
                else "0"
            ),
            fmt_int(facts.people_per_source.get(s["name"], 0), lang),
        ]
        for s in manifest["sources"]
    ]
    parts.append(f"<h3>{escape(t('sources', lang))}</h3>")
    parts.append(
        _table(
            [
                t("source", lang),
                t("system", lang),
                t("format", lang),
                t("read", lang),
                t("loaded", lang),
                t("rejected", lang),
                t("people", lang),
            ],
            rows,
            "num sources stack",
        )
    )

    # -- charts -------------------------------------------------------------------------------
    parts.append(f'<h2 id="charts">{escape(t("charts", lang))}</h2>')
    parts.append(f"<figure><figcaption>{escape(t('age_title', lang))}</figcaption>")
    if any(d for _, d, _ in facts.ages):
        parts.append(
            charts.age_chart(
                facts.ages,
                as_of,
                title=t("age_title", lang),
                axis=t("age_axis", lang),
                line_label=t("months_line", lang),
                old_label=t("age_old", lang),
            )
        )
        parts.append(f'<p class="mute">{escape(t("age_caption", lang, n=facts.undated))}</p>')
    else:
        parts.append(f'<p class="mute">{escape(t("age_none", lang))}</p>')
    parts.append("</figure>")
    parts += _trend_html(history.history(run_dir, as_of, findings), lang, reveal, facts.names)

    # -- what the audit checks, section by section of the statement ------------------------
    parts.append(f'<h2 id="coverage">{escape(t("coverage", lang))}</h2>')
    parts.append(f'<p class="mute">{escape(t("coverage_intro", lang))}</p>')
    parts.append(_coverage_table(params, lang))

    # -- every rule: what it checks, how many, the actions --------------------------------------
    per_rule = Counter(f.rule_id for f in findings)
    rule_ids = list(RULES) + sorted(r for r in per_rule if r not in RULES)
    # a finding carries its rule's category; a rule without findings, its family's
    category = rule_categories() | {f.rule_id: f.category for f in findings}
    rows = []
    for rule_id in rule_ids:
        n = per_rule.get(rule_id, 0)
        cat = category.get(rule_id, "")
        todo = [a for a in acts if a.rule_id == rule_id]
        cites = _provisions([f for f in findings if f.rule_id == rule_id], lang)
        todo_html = (
            '<ul class="acts">' + "".join(f"<li>{escape(a.text)}</li>" for a in todo) + "</ul>"
            if todo
            else f'<span class="ok">{escape(t("ok_mark", lang))}</span>'
        )
        rows.append(
            [
                f"<code>{escape(rule_id)}</code>",
                escape(cited.rule(rule_id) or cited.category(cat)),
                escape(rule_checks(rule_id, lang)) + cites,
                str(n),
                todo_html,
            ]
        )
    parts.append(f'<h2 id="rules">{escape(t("rules", lang))}</h2>')
    parts.append(
        _table(
            [
                t("rule", lang),
                t("section", lang),
                t("checks", lang),
                t("count", lang),
                t("action", lang),
            ],
            rows,
            "rules stack",
        )
    )

    # -- findings, rule by rule ------------------------------------------------------------------
    parts.append(f'<h2 id="findings">{escape(t("findings", lang))}</h2>')
    parts.append(
        f'<p class="mute">{escape(t("revealed" if reveal else "pseudonymised", lang))}</p>'
    )
    if not findings:
        parts.append(f"<p>{escape(t('none', lang))}</p>")
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule_id].append(f)
    for rule_id in [r for r in rule_ids if r in by_rule]:
        fs = by_rule[rule_id]
        cat = fs[0].category
        parts.append(
            f'<h3 id="rule-{escape(rule_id)}"><code>{escape(rule_id)}</code> '
            f"{escape(rule_checks(rule_id, lang))} "
            f'<span class="mute">{escape(cited.rule(rule_id) or cited.category(cat))} · '
            f"{len(fs)}</span></h3>"
        )
        ids = [fids[f] for f in fs]
        if rule_id == "S-statement":
            rows = [
                [
                    _sev_cell(f, lang),
                    escape(f.record_ref),
                    escape(check_words.get(f.field, {}).get(lang, f.field))
                    + _provisions([f], lang),
                    f'<span class="mute">{escape(f.detail_in(lang))}</span>',
                ]
                for f in fs
            ]
            parts.append(
                _table(
                    [t("severity", lang), t("section", lang), t("checks", lang), t("detail", lang)],
                    rows,
                    ids=ids,
                )
            )
        else:
            parts.append(
                _table(
                    _finding_headers(lang, fs),
                    _findings_rows(fs, lang, reveal, facts.names),
                    ids=ids,
                )
            )

    # -- evidence ---------------------------------------------------------------------------------
    parts.append(f'<h2 class="appendix" id="evidence">{escape(t("evidence", lang))}</h2>')
    parts.append(f"<p>{escape(t('evidence_intro', lang))}</p>")
    tools = manifest.get("tool_versions", {})
    facts_rows = [
        [escape(t("as_of", lang)), escape(manifest["as_of"])],
        [escape(t("period", lang)), escape(quarter)],
        [escape(t("policy", lang)), escape(manifest["policy"]["version"])],
        [
            escape(t("policy_sha", lang)),
            f'<code class="hash">{escape(manifest["policy"]["sha256"])}</code>',
        ],
        [
            escape(t("tool", lang)),
            escape(
                ", ".join(
                    [f"audit-kit {manifest['audit_kit_version']}"]
                    + [f"{k} {v}" for k, v in tools.items()]
                )
            ),
        ],
    ]
    parts.append(_table(["", ""], facts_rows, "kv"))
    rows = [
        [
            escape(s["name"]),
            escape(fi["file"]),
            fmt_int(int(fi.get("bytes", 0)), lang),
            f'<code class="hash">{escape(fi["sha256"])}</code>',
        ]
        for s in manifest["sources"]
        for fi in s["files"]
    ]
    parts.append(
        _table(
            [t("source", lang), t("file", lang), t("bytes", lang), "SHA-256"], rows, "files stack"
        )
    )
    if (run_dir / "data_docs" / "index.html").exists():
        parts.append(f'<p class="mute">{escape(t("data_docs", lang))}</p>')
    return "\n".join(parts)
