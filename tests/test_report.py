"""The owners' report: content, languages, pseudonymisation, escaping, quarters, Data Docs.

One planted demo run is shared by the report tests (the ``planted`` fixture): the demo company
with a hostile name (``<script>``/``<img onerror>``) written into the customer register,
audited as of 30.9.2026 into a folder not named for its quarter (no report) and then
2026Q4 with ``audit-kit run --period`` so the Q4 report compares with a real previous
quarter.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from collections import Counter
from html import escape
from pathlib import Path

import duckdb
import pytest

from audit_kit.findings import read_csv
from audit_kit.policy import default_policy_path, load_policy
from audit_kit.report import actions, charts, coverage, history
from audit_kit.report.i18n import (
    CATALOGUE,
    FALLBACK,
    FIELDS,
    PLACES,
    PROMISES,
    REF_WORDS,
    RULES,
    STATEMENT_CHECKS,
    ref_text,
    rule_action,
)
from tests._support import HOSTILE, Planted

POLICY = load_policy(default_policy_path())


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
    ("as_of", "want"),
    [
        (dt.date(2026, 12, 31), dt.date(2027, 3, 31)),
        (dt.date(2026, 3, 31), dt.date(2026, 6, 30)),
        (dt.date(2026, 5, 2), dt.date(2026, 9, 30)),
        (dt.date(2026, 8, 15), dt.date(2026, 12, 31)),
    ],
)
def test_next_audit_is_the_next_quarters_end(as_of, want):
    assert actions.next_quarter_end(as_of) == want


@pytest.mark.parametrize(
    ("ref", "fi"),
    [("line 11", "rivi 11"), ("row 7", "rivi 7"), ("card 2", "kortti 2"),
     ("invoice 2019001", "lasku 2019001"), ("offset 418", "tavukohta 418"),
     ("whole file", "koko tiedosto"), ("cur/1776211200.M2P4242.posti:2,S", None), ("§10", None),
     ("line x", None)],
)
def test_record_references_in_finnish(ref, fi):
    assert ref_text(ref, "fi") == (fi or ref)
    assert ref_text(ref, "en") == ref
    assert set(REF_WORDS) >= {"line", "row", "card", "invoice", "offset"}


def _f(rule_id, category, severity, subject="", source="s", ref="line 1", field=""):
    from audit_kit.findings import Finding

    return Finding(rule_id, category, severity, source, "customers_csv", "f.csv", ref, subject,
                   "", "", field, "")


def test_items_match_by_person_and_promise_not_line_or_rule():
    before = [
        _f("R-maillog", "retention", "error", "S-1", ref="line 11"),
        _f("R-erasure-open", "rights", "info", "S-2", ref="line 4"),
        _f("M-field", "minimisation", "error", "S-3", field="hetu"),
        _f("S-statement", "statement", "error", source="statement", ref="§10",
           field="S-privacy-shield"),
        _f("R-erasure-open", "rights", "info", "S-4"),
        _f("R-customer", "retention", "error", "S-5"),
    ]
    now = [
        _f("R-maillog", "retention", "error", "S-1", ref="line 40"),  # the line moved
        _f("R-email", "retention", "error", "S-1"),  # another rule, same person and promise
        _f("R-erasure", "rights", "error", "S-2", ref="line 9"),  # open -> overdue
        _f("M-field", "minimisation", "error", "S-3", field="birthday"),
        _f("S-statement", "statement", "error", source="statement", ref="§10",
           field="S-privacy-shield"),
        _f("M-field", "minimisation", "warning", "S-6", field="job_title"),
    ]
    ch = history.compare(before, now, "2026-Q3")
    assert [it.key for it in ch.new] == [("person", "S-6", "minimisation")]
    assert [(a.key, b.rules, a.rules) for a, b in ch.escalated] == [
        (("person", "S-2", "rights"), ("R-erasure-open",), ("R-erasure",))
    ]
    assert [it.key for it in ch.fixed] == [("person", "S-5", "retention")]
    assert [it.key for it in ch.closed] == [("person", "S-4", "rights")]  # info gone: closed
    assert {it.key for it in ch.persisting} == {
        ("person", "S-1", "retention"),
        ("person", "S-3", "minimisation"),
        ("place", "statement", "S-statement", "S-privacy-shield"),
    }


def _demo_sections() -> list[coverage.Section]:
    return coverage.sections({"policy": {"coverage": coverage.entries(POLICY)}})


def test_coverage_status_is_computed_from_what_audits_each_section():
    got = {(s.label, s.title["en"]): s.status for s in _demo_sections()}
    assert got[("§5", "Data kept")] == "checked"
    assert got[("§8", "Data-subject rights")] == "partly"
    assert got[("§11", "Security")] == "manual"
    assert {s.label for s in _demo_sections()} == {f"§{i}" for i in range(1, 13)}
    nothing = coverage.Section("9", {"fi": "x", "en": "x"}, (), {"fi": "y", "en": "y"})
    assert nothing.status == "manual" and nothing.how("en") == "By hand: y"
    assert coverage.Section("9", {"fi": "x", "en": "x"}, ("S-x",)).status == "checked"
    # a run without the policy's coverage (or a policy without one) maps no sections
    assert coverage.sections({}) is None and coverage.sections({"policy": {}}) is None


def test_coverage_lists_only_the_rules_built():
    """An id the policy names but the rules built do not have is not shown as auditing."""
    from audit_kit.rules import build_rules

    built = [r for r in build_rules(POLICY) if r.rule_id != "S-newsletter"]
    kept = {(e["section"], e["title"]["en"]): e for e in coverage.entries(POLICY, built)}
    assert kept[("6", "No newsletter")]["audited_by"] == []
    assert "R-held" in kept[("6", "Retention")]["audited_by"]


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
    # the sections the demo policy's rules of each category audit (W-url and W-retention:
    # §12; the statement checks: their own sections), not a table of the library's
    for cat, section in [
        ("minimisation", "§5, §12"),
        ("retention", "§6, §12"),
        ("rights", "§8"),
        ("transfer", "§10"),
        ("statement", "§4, §6, §7, §8, §9, §10, §12"),
    ]:
        sev = {f.severity for f in findings if f.category == cat}
        state = "broken" if "error" in sev else ("warn" if sev else "kept")
        m = re.search(
            rf'<section class="card (\w+)" id="promise-{cat}">(.*?)</section>', html, re.S
        )
        assert m, cat
        assert m.group(1) == state, cat
        assert escape(section) in m.group(2)
        if cat in POLICY.promises:  # the statement's own words (the policy's promises)
            assert f'<p class="promise">{escape(POLICY.promises[cat].fi)}</p>' in m.group(2)
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
        # a count the report marks (rejects: <b class="error">) is compared as its text
        cells = [re.sub(r"<[^>]+>", "", c)
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
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


def test_quarter_changes_match_items_by_person_and_promise(planted):
    html = _html(planted)
    before = read_csv(planted.previous / "findings.csv")
    now = _findings(planted)
    old = {history.item_key(f): f.severity for f in before}
    cur = {history.item_key(f): f.severity for f in now}
    worst = {}
    for fs, into in ((before, "b"), (now, "n")):
        for f in fs:
            k = (into, history.item_key(f))
            worst[k] = min(worst.get(k, "info"), f.severity, key=("error", "warning", "info").index)
    escalated = {
        k for k in cur.keys() & old.keys()
        if ("error", "warning", "info").index(worst[("n", k)])
        < ("error", "warning", "info").index(worst[("b", k)])
    }
    assert escalated  # the demo's open erasure request of Q3 is overdue in Q4
    section = html[html.index('id="changes"') : html.index('id="coverage"')]
    assert "(2026-Q3)" in section
    fixed = {k for k in old.keys() - cur.keys() if worst[("b", k)] != "info"}
    for label, n in (
        ("Uusia", len(cur.keys() - old.keys())),
        ("Pahentuneita", len(escalated)),
        ("Korjattu", len(fixed)),
        ("Edelleen korjaamatta", len(cur.keys() & old.keys()) - len(escalated)),
    ):
        assert f"<b>{n}</b><span>{label}</span>" in section, label
    assert "<code>R-erasure-open → R-erasure</code>" in section
    # the trend chart and table show both quarters, found by as_of (the folder is kesa-audit)
    assert planted.previous.name == "kesa-audit"
    assert ">2026-Q3</text>" in html and ">2026-Q4</text>" in html
    assert "<td>2026-Q3 <span" in html


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
    for name in ("report.html", "report.en.html", "report.revealed.html"):
        (copy / name).unlink()
    assert main(["report", str(copy)]) == 0
    assert '<html lang="fi">' in (copy / "report.html").read_text(encoding="utf-8")
    fi = (copy / "report.html").read_bytes()
    assert main(["report", str(copy), "--lang", "en"]) == 0
    assert main(["report", str(copy), "--reveal"]) == 0
    assert (copy / "report.html").read_bytes() == fi  # neither overwrote the owners' copy
    assert '<html lang="en">' in (copy / "report.en.html").read_text(encoding="utf-8")
    assert "Älä lähetä sitä eteenpäin" in (copy / "report.revealed.html").read_text("utf-8")


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


def test_rerendering_gives_the_same_bytes(planted):
    """The same run rendered again: the same report, byte for byte (how long it takes is
    benchmarks/bench_report.py's matter, not a test's)."""
    from audit_kit.report import render_report

    before = (planted.run / "report.html").read_bytes()
    render_report(planted.run, lang="fi")
    assert (planted.run / "report.html").read_bytes() == before


# -- outputs, actions, people, coverage (issue 19) ---------------------------------------------


def test_the_three_reports_have_their_own_names_and_are_in_the_manifest(planted):
    assert planted.reveal_html == planted.run / "report.revealed.html"
    assert planted.en_html == planted.run / "report.en.html"
    m = json.loads((planted.run / "manifest.json").read_text(encoding="utf-8"))
    assert m["reports"] == {
        "report.en.html": {"lang": "en", "revealed": False},
        "report.html": {"lang": "fi", "revealed": False},
        "report.revealed.html": {"lang": "fi", "revealed": True},
    }
    owners = _html(planted)
    assert '<html lang="fi">' in owners and "Älä lähetä sitä eteenpäin" not in owners
    assert escape(HOSTILE) not in owners


def _todo(html: str) -> list[str]:
    part = html[html.index('id="todo"') : html.index('id="figures"')]
    return re.findall(r'<li [^>]*class="act"[^>]*>(.*?)</dl></li>', part, re.S)


def test_every_action_has_a_due_date_who_and_its_records(planted):
    html = _html(planted)
    findings = _findings(planted)
    acts = _todo(html)
    assert len(acts) == len({(f.rule_id, f.source, f.severity if f.rule_id == "M-field" else "")
                             for f in findings})
    ids = set(re.findall(r'<tr id="(f-\d+)">', html))
    assert len(ids) == len(findings)  # every finding row is a link target
    listed = 0
    for a in acts:
        due = re.search(r'<dd class="due">(.*?)</dd>', a).group(1)
        who = re.search(r'<dd class="who">(.*?)</dd>', a).group(1)
        assert due.startswith(("heti", "viimeistään ", "ennen seuraavaa tarkastusta (")), due
        assert "Kari Lukkarila" in who, who
        links = re.findall(r'<a href="#(f-\d+)">', a)
        assert links and set(links) <= ids
        listed += len(links)
    assert listed == len(findings)  # each finding is listed under exactly one action


def test_due_dates_and_processors_come_from_the_requests_and_the_policy(planted):
    html = _html(planted)
    con = duckdb.connect(str(planted.run / "warehouse.duckdb"), read_only=True)
    # the open requests (no decision, not yet due): one month, three when extended
    due = sorted(
        d for (d,) in con.execute(
            "SELECT * FROM (SELECT (requested_on + CASE WHEN extended THEN INTERVAL 3 MONTH "
            "ELSE INTERVAL 1 MONTH END)::DATE AS due FROM records WHERE role = 'erasure_request' "
            "AND decision IS NULL AND requested_on <= (SELECT as_of FROM audit_params)) "
            "WHERE due >= (SELECT as_of FROM audit_params)"
        ).fetchall()
    )
    con.close()
    # the demo's three open requests, one of them extended (15.10. + 3 months)
    assert due == [dt.date(2027, 1, 15), dt.date(2027, 1, 21), dt.date(2027, 1, 26)]
    # each source's open requests are one action, due on its earliest request's date
    due = [dt.date(2027, 1, 15), dt.date(2027, 1, 26)]
    first = html[html.index('<p class="first">') : html.index("</header>")]
    for d in due:
        assert f"viimeistään {d.day}.{d.month}.{d.year}" in first
    # "Tee ensin": the ban first, then the overdue erasures, never a routine retention item
    order = re.findall(r'<a href="#act-([A-Za-z-]+)_', first)
    assert order[0] == "R-ban" and order[1:3] == ["R-erasure", "R-erasure"]
    assert not {"R-customer", "R-service", "R-marketing", "R-email"} & set(order)
    acts = {re.search(r", ([\w-]+)\)</span>", a).group(1) + " " + a: a for a in _todo(html)}
    maillog = next(a for k, a in acts.items() if k.startswith("R-maillog"))
    assert "Netplaza Oy (käsittelijä); toimeksiantaja Kari Lukkarila (§2)" in maillog
    assert '<code class="file">mail/log/maillog.1</code> · rivi 11' in maillog  # not "mail-log"
    ban = next(a for k, a in acts.items() if k.startswith("R-ban"))
    assert '<dd class="due">heti</dd>' in ban
    assert "Kari Lukkarila (rekisteriasioista vastaava, §2)" in ban
    overdue = [a for k, a in acts.items() if k.startswith("R-erasure ")]
    assert overdue and all("heti (määräaika umpeutui " in a for a in overdue)


def test_people_affected_in_total_and_per_promise(planted):
    html = _html(planted)
    findings = _findings(planted)
    con = duckdb.connect(str(planted.run / "warehouse.duckdb"), read_only=True)
    people = con.execute("SELECT count(*) FROM subjects").fetchone()[0]
    con.close()
    affected = len({f.subject_id for f in findings if f.subject_id})
    assert 0 < affected < people
    assert f"Havainnot koskevat {affected} henkilöä {people}:stä." in html
    for cat in ("minimisation", "retention", "rights", "transfer"):
        n = len({f.subject_id for f in findings if f.subject_id and f.category == cat})
        card = re.search(rf'id="promise-{cat}">(.*?)</section>', html, re.S).group(1)
        assert f"havaintoa · {n} henkilöä</p>" in card, cat


def _coverage_rows(html: str) -> dict[tuple[str, str], tuple[str, str]]:
    """The rendered coverage table: (section, topic) -> (status, how)."""
    part = html[html.index('id="coverage"') : html.index('id="rules"')]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", part, re.S):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        if cells:
            status = re.search(r'class="cov (\w+)"', tr).group(1)
            rows[(cells[0], cells[1])] = (status, cells[3])
    return rows


def test_every_statement_section_is_shown_with_its_coverage(planted):
    rows = _coverage_rows(_html(planted))
    assert {k[0] for k in rows} == {f"§{i}" for i in range(1, 13)}
    for s in _demo_sections():
        status, how = rows[(s.label, escape(s.title["fi"]))]
        assert status == s.status, s.label
        for rid in s.audited_by:
            assert rid in how or rid == "policy", (s.label, rid)
    # the sections the rules of the web logs and the newsletter audit (issue 15: stale table)
    assert rows[("§12", "Evästeet ja verkkosivu")][1].startswith(
        "Tarkistaa: W-retention, W-url, S-weblog-retention, S-wordfence.")
    assert rows[("§6", "Ei uutiskirjettä")] == ("checked", "Tarkistaa: S-newsletter.")
    retention = rows[("§6", "Säilytysaika")][1]
    assert all(r in retention for r in ("R-person", "R-status", "R-held", "R-purpose-unknown"))
    rights = rows[("§8", "Rekisteröidyn oikeudet")][1]
    assert all(r in rights for r in ("R-ban-listed", "R-ban-same-day", "R-erasure-open",
                                     "R-erasure-refused"))
    assert "lokit eivät ole aineistossa" not in _html(planted)
