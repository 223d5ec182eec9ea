"""The owners' report: content, languages, pseudonymisation, escaping, quarters, Data Docs.

One planted demo run is shared by the report tests (the ``planted`` fixture): the demo company
with a hostile name (``<script>``/``<img onerror>``) written into the customer register,
audited for 2026Q3 (no report) and then 2026Q4 with ``audit-kit run --period`` so the
Q4 report compares with a real previous quarter.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import time
from collections import Counter
from html import escape
from pathlib import Path

import duckdb
import pytest

from audit_kit.findings import read_csv
from audit_kit.report import charts, history
from audit_kit.report.i18n import (
    CATALOGUE,
    FALLBACK,
    FIELDS,
    PLACES,
    PROMISES,
    RULES,
    STATEMENT_CHECKS,
    rule_action,
)
from tests._support import HOSTILE, Planted


def _html(p: Planted, name: str = "report.html") -> str:
    return (p.run / name).read_text(encoding="utf-8")


def _findings(p: Planted):
    return read_csv(p.run / "findings.csv")


# -- catalogue ----------------------------------------------------------------------------


def test_catalogue_has_both_languages_everywhere():
    tables = [CATALOGUE, PROMISES, PLACES, FIELDS, STATEMENT_CHECKS, FALLBACK]
    tables += [spec for spec in RULES.values()]
    for table in tables:
        for key, entry in table.items():
            if isinstance(entry, dict) and "fi" not in entry:  # RULES: checks/action/action_1
                continue
            assert set(entry) == {"fi", "en"}, key
            assert entry["fi"].strip() and entry["en"].strip(), key
    for spec in RULES.values():
        for part in spec.values():
            assert set(part) == {"fi", "en"}


@pytest.mark.parametrize("lang", ["fi", "en"])
@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_action_formats_without_leftover_braces(rule_id, lang):
    for n in (1, 7):
        text = rule_action(
            rule_id, lang, n=n, kind="service_contracts_csv", source="huolto", what="henkilötunnus"
        )
        assert text and "{" not in text and "}" not in text
        if n == 7 and rule_id != "S-statement":
            assert "7" in text or "huolto" in text


def test_every_rule_of_the_policy_has_catalogue_text():
    from audit_kit.policy import default_policy_path, load_policy
    from audit_kit.rules import build_rules

    rule_ids = {r.rule_id for r in build_rules(load_policy(default_policy_path()))}
    assert rule_ids - set(RULES) == set(), "add these rules to report/i18n.py RULES"


def test_unknown_rule_falls_back_to_a_generic_action():
    assert rule_action("X-new", "fi", n=2, source="s") == (
        "Käsittele nämä 2 havaintoa (sääntö X-new, lähde s)."
    )


def test_the_brief_example_action():
    assert rule_action("R-service", "fi", n=7, kind="service_contracts_csv") == (
        "Poista nämä 7 yhteyshenkilöä huoltosopimuslistalta."
    )


# -- pure helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "later", "want"),
    [
        (dt.date(2026, 6, 30), dt.date(2026, 12, 31), 6),
        (dt.date(2026, 7, 1), dt.date(2026, 12, 31), 5),
        (dt.date(2026, 12, 31), dt.date(2026, 12, 31), 0),
        (dt.date(2027, 1, 5), dt.date(2026, 12, 31), 0),
    ],
)
def test_months_between(earlier, later, want):
    assert charts.months_between(earlier, later) == want


@pytest.mark.parametrize(
    ("d", "label", "prev"),
    [
        (dt.date(2026, 12, 31), "2026-Q4", "2026-Q3"),
        (dt.date(2026, 3, 31), "2026-Q1", "2025-Q4"),
        (dt.date(2026, 5, 2), "2026-Q2", "2026-Q1"),
    ],
)
def test_quarters(d, label, prev):
    assert history.quarter_of(d) == label
    assert history.previous_quarter(label) == prev


def test_chart_text_is_escaped():
    svg = charts.trend_chart([("<q>", {"retention": 2})], [("retention", "<b>x</b>")], title="<t>")
    assert "<q>" not in svg and "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg


# -- the planted run ------------------------------------------------------------------------


def test_period_sets_as_of_and_output_folder(planted):
    m = json.loads((planted.run / "manifest.json").read_text(encoding="utf-8"))
    assert m["as_of"] == "2026-12-31"
    assert planted.run == planted.data / "reports" / "2026-Q4"
    assert planted.exit_code == 1  # the demo has error findings
    for name in ("report.html", "findings.csv", "data_docs", "report_params.json"):
        assert (planted.run / name).exists(), name


def test_report_is_one_self_contained_file_without_code(planted):
    for html in (
        _html(planted),
        planted.reveal_html.read_text("utf-8"),
        planted.en_html.read_text("utf-8"),
    ):
        low = html.lower()
        assert "<script" not in low
        assert "<link" not in low and "@import" not in low and "url(" not in low
        assert "http://" not in low and "https://" not in low
        assert re.search(r"<[^>]*\ssrc\s*=", low) is None  # no tag loads anything
        assert "content-security-policy" in low and "default-src 'none'" in low
        # no code cells, no notebook prompt or markdown of the template
        assert "from audit_kit" not in html and "build_report_html" not in html
        assert "jp-InputArea" not in html and "In&nbsp;[" not in html
        assert "Papermill" not in html
        assert '<meta name="viewport"' in html
        assert "@media print" in html


def test_verdict_card_per_promise_with_section(planted):
    html = _html(planted)
    findings = _findings(planted)
    for cat, section in [
        ("minimisation", "§5"),
        ("retention", "§6"),
        ("rights", "§8"),
        ("transfer", "§10"),
        ("statement", "§4, §8, §10, §12"),
    ]:
        sev = {f.severity for f in findings if f.category == cat}
        state = "broken" if "error" in sev else ("warn" if sev else "kept")
        m = re.search(
            rf'<section class="card (\w+)" id="promise-{cat}">(.*?)</section>', html, re.S
        )
        assert m, cat
        assert m.group(1) == state, cat
        assert escape(section) in m.group(2)
        n = sum(1 for f in findings if f.category == cat)
        assert f"· {n} havaintoa" in m.group(2)


def test_headline_counts(planted):
    html = _html(planted)
    findings = _findings(planted)
    broken = len(
        {
            f.category
            for f in findings
            if f.severity == "error"
            and f.category in ("minimisation", "retention", "rights", "transfer", "statement")
        }
    )
    assert f"<h1>{broken}/5 lupausta ei pidä</h1>" in html
    sev = Counter(f.severity for f in findings)
    assert f"{sev['error']} virhettä, {sev['warning']} varoitusta" in html


def test_actions_are_concrete_and_counted_per_source(planted):
    html = _html(planted)
    per = Counter((f.rule_id, f.source) for f in _findings(planted))
    n = per[("R-customer", "billing-customers")]
    assert n >= 2
    assert f"Poista nämä {n} yhteyshenkilöä asiakasrekisteristä." in html
    n = per[("R-service", "service-contracts")]
    want = (
        "Poista tämä yhteyshenkilö huoltosopimuslistalta."
        if n == 1
        else f"Poista nämä {n} yhteyshenkilöä huoltosopimuslistalta."
    )
    assert want in html
    n = per[("T-system", "phone-contacts")]
    assert (
        f"Näiden {n} henkilön tiedot ovat EU/ETA-alueen ulkopuolella (phone-contacts): "
        "varmista, että järjestelmän siirtoperuste on kirjattu" in html
    )
    assert "Kirjaa järjestelmän android_backup siirtoperuste" in html


def test_every_rule_explained_with_its_count(planted):
    html = _html(planted)
    per = Counter(f.rule_id for f in _findings(planted))
    table = html[html.index('id="rules"') : html.index('id="findings"')]
    for rule_id, spec in RULES.items():
        row = re.search(rf"<tr><td><code>{re.escape(rule_id)}</code></td>(.*?)</tr>", table, re.S)
        assert row, rule_id
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        # what the rule checks, then the provisions its findings cite
        assert cells[1].split(' <span class="mute">(')[0] == escape(spec["checks"]["fi"])
        assert cells[2] == str(per.get(rule_id, 0))


def test_each_rule_cites_its_provisions_in_finnish(planted):
    """READING.md "Findings and actions": a finding cites its provision; the Finnish
    report writes a GDPR article the Finnish way."""
    html = _html(planted)
    table = html[html.index('id="rules"') : html.index('id="findings"')]

    def cites(rule_id):
        row = re.search(rf"<tr><td><code>{re.escape(rule_id)}</code></td>(.*?)</tr>", table, re.S)
        return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)[1]

    assert cites("M-field").endswith(
        '<span class="mute">(tietosuoja-asetus 5 art. 1 c; Tietosuojalaki 29 §)</span>')
    assert cites("T-system").endswith('<span class="mute">(tietosuoja-asetus 44-46 art.)</span>')
    assert "GDPR" not in table
    assert {f.provision for f in _findings(planted) if f.rule_id == "M-field"} == {
        "GDPR 5(1)(c)", "GDPR 5(1)(c); Tietosuojalaki 29 §"}


def test_key_figures_match_warehouse_and_manifest(planted):
    html = _html(planted)
    con = duckdb.connect(str(planted.run / "warehouse.duckdb"), read_only=True)
    people = con.execute("SELECT count(*) FROM subjects").fetchone()[0]
    multi = con.execute("SELECT count(*) FROM subjects WHERE n_sources > 1").fetchone()[0]
    per_source = dict(
        con.execute("SELECT source, count(DISTINCT subject_id) FROM persons GROUP BY 1").fetchall()
    )
    con.close()
    assert f"<b>{people}</b><span>Henkilöitä rekistereissä</span>" in html
    assert f"<b>{multi}</b><span>joista useammassa kuin yhdessä lähteessä</span>" in html
    m = json.loads((planted.run / "manifest.json").read_text(encoding="utf-8"))
    for s in m["sources"]:
        row = re.search(rf"<tr><td>{re.escape(escape(s['name']))}</td>(.*?)</tr>", html, re.S)
        assert row, s["name"]
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        assert cells[2:5] == [
            str(s["records_read"]),
            str(s["records_loaded"]),
            str(s["records_rejected"]),
        ]
        assert cells[5] == str(per_source.get(s["name"], 0))


def test_age_chart_counts_equal_the_six_month_rule(planted):
    html = _html(planted)
    con = duckdb.connect(str(planted.run / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT role, count(*) FILTER (WHERE d + INTERVAL 6 MONTH < "
        "(SELECT as_of FROM audit_params)), "
        "count(d) FROM (SELECT role, CASE WHEN role IN ('customer_contact', 'service_contact') "
        "THEN ended_on ELSE last_activity END AS d FROM records WHERE role IN "
        "('customer_contact', 'service_contact', 'prospect', 'correspondent', 'maillog_address')) "
        "WHERE d IS NOT NULL GROUP BY role"
    ).fetchall()
    con.close()
    labels = {
        "customer_contact": "Päättyneet asiakkuudet",
        "service_contact": "Poistetut sopimuslaitteet",
        "prospect": "Markkinointi",
        "correspondent": "Sähköposti",
        "maillog_address": "Postipalvelimen loki",
    }
    svg = re.search(r'<svg[^>]*class="chart".*?</svg>', html, re.S).group(0)
    assert "6 kk" in svg
    for role, old, n in rows:
        assert f">{labels[role]}</text>" in svg
        assert f">{old}/{n} yli 6 kk</text>" in svg, role


def test_quarter_changes_equal_set_arithmetic(planted):
    html = _html(planted)
    before = {f.key for f in read_csv(planted.previous / "findings.csv")}
    now = {f.key for f in _findings(planted)}
    assert before != now  # as_of moved a quarter: the retention clock changed findings
    section = html[html.index('id="changes"') : html.index('id="rules"')]
    assert "(2026-Q3)" in section
    for label, n in (
        ("Uusia", len(now - before)),
        ("Korjattu", len(before - now)),
        ("Edelleen korjaamatta", len(now & before)),
    ):
        assert f"<b>{n}</b><span>{label}</span>" in section, label
    # the trend chart shows both quarters
    assert ">2026-Q3</text>" in html and ">2026-Q4</text>" in html


def test_no_previous_quarter_says_so(planted, tmp_path):
    alone = tmp_path / "2026-Q4"
    shutil.copytree(planted.run, alone, ignore=shutil.ignore_patterns("data_docs"))
    from audit_kit.report.build import build_report_html

    html = build_report_html(alone, "fi")
    assert "Edellisen neljänneksen (2026-Q3) tuloksia ei löytynyt" in html
    assert "Aiempia neljänneksiä ei löytynyt" in html


def test_pseudonymised_by_default(planted):
    html = _html(planted)
    findings = _findings(planted)
    assert any(f.subject_id and f.subject_id in html for f in findings)
    for f in findings:
        for value in (f.email, f.phone):
            if value:
                assert value not in html and escape(value) not in html
    assert "alert(1)" not in html
    con = duckdb.connect(str(planted.run / "warehouse.duckdb"), read_only=True)
    names = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT person_name FROM records WHERE person_name IS NOT NULL"
        ).fetchall()
    ]
    con.close()
    assert names and not [n for n in names if len(n) > 3 and escape(n) in html]


def test_reveal_shows_names_escaped(planted):
    html = planted.reveal_html.read_text(encoding="utf-8")
    assert escape(HOSTILE) in html
    assert "<script" not in html.lower() and "<img" not in html.lower()
    f = next(f for f in _findings(planted) if f.rule_id == "R-customer" and f.email)
    assert escape(f.email) in html
    assert "Älä lähetä sitä eteenpäin" in html


def test_english_report(planted):
    html = planted.en_html.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Quarterly privacy audit" in html
    broken = len({f.category for f in _findings(planted) if f.severity == "error"} - {"integrity"})
    assert f"<h1>{broken} of 5 promises broken</h1>" in html
    assert "Remove these" in html and "Appendix: evidence and versions" in html
    assert "Poista" not in html and "lupaus" not in html
    assert '<html lang="fi">' in _html(planted)


def test_evidence_appendix(planted):
    html = _html(planted)
    appendix = html[html.index('id="evidence"') :]
    m = json.loads((planted.run / "manifest.json").read_text(encoding="utf-8"))
    assert m["as_of"] in appendix and m["policy"]["sha256"] in appendix
    assert escape(m["policy"]["version"]) in appendix
    for s in m["sources"]:
        for fi in s["files"]:
            assert fi["sha256"] in appendix and escape(fi["file"]) in appendix
    for pkg, version in m["tool_versions"].items():
        assert f"{pkg} {version}" in appendix


def test_data_docs_built_without_personal_values(planted):
    docs = planted.run / "data_docs"
    assert (docs / "index.html").exists()
    pages = list(docs.rglob("*.html"))
    assert len([p for p in pages if "validations" in p.parts]) >= 5
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in pages)
    con = duckdb.connect(str(planted.run / "warehouse.duckdb"), read_only=True)
    values = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT value FROM fields WHERE field IN ('email', 'person_name', 'hetu', "
            "'home_phone', 'mobile_phone', 'work_phone', 'phone', 'home_address')"
        ).fetchall()
    ]
    emails = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT email FROM records WHERE email IS NOT NULL"
        ).fetchall()
    ]
    con.close()
    assert len(emails) > 10
    leaked = [v for v in values + emails if v and len(v) > 5 and v in text]
    assert leaked == []
    assert "alert(1)" not in text


def test_report_cli_rerenders_in_the_runs_language(planted, tmp_path):
    from audit_kit.cli.main import main

    copy = tmp_path / "2026-Q4"
    shutil.copytree(planted.run, copy, ignore=shutil.ignore_patterns("data_docs"))
    params = json.loads((copy / "report_params.json").read_text(encoding="utf-8"))
    assert params["lang"] == "fi" and Path(params["data_dir"]) == planted.data.resolve()
    (copy / "report.html").unlink()
    assert main(["report", str(copy)]) == 0
    assert '<html lang="fi">' in (copy / "report.html").read_text(encoding="utf-8")
    assert main(["report", str(copy), "--lang", "en"]) == 0
    assert '<html lang="en">' in (copy / "report.html").read_text(encoding="utf-8")


def test_clean_run_says_promises_kept(planted, tmp_path):
    from audit_kit.report.build import build_report_html

    clean = tmp_path / "clean"
    shutil.copytree(planted.run, clean, ignore=shutil.ignore_patterns("data_docs"))
    with open(clean / "findings.csv", encoding="utf-8") as f:
        header = next(csv.reader(f))
    (clean / "findings.csv").write_text(",".join(header) + "\n", encoding="utf-8")
    html = build_report_html(clean, "fi")
    assert "<h1>Kaikki lupaukset pitävät</h1>" in html
    assert html.count('class="card kept"') == 5
    assert "Ei toimenpiteitä tällä kertaa." in html


def test_render_time_under_15_seconds(planted):
    from audit_kit.report import render_report

    t0 = time.perf_counter()
    render_report(planted.run, lang="fi", out_name="report_timed.html")
    assert time.perf_counter() - t0 < 15
