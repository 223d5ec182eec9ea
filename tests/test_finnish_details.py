"""A Finnish report is Finnish throughout (READING.md "Findings and actions"): every
finding carries its detail in Finnish (``detail_fi``), built by the rule from the same
values as the English one, dates d.m.yyyy, provisions cited the Finnish way; the Finnish
report shows it, the English report the English detail unchanged.

Parametrised over every rule the demo policy builds: a new rule whose findings have no
Finnish detail, or that nothing here plants, fails by name.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from audit_kit import pipeline
from audit_kit.context import RunContext
from audit_kit.findings import Finding
from audit_kit.policy import default_policy_path, load_policy
from audit_kit.rules import build_rules
from audit_kit.rules.minimisation import OWN_LABELS_FI
from audit_kit.safe_output import html_text as escape

POLICY = load_policy(default_policy_path())
RULE_IDS = sorted({r.rule_id for r in build_rules(POLICY)})

#: words of the English details' vocabulary, none of which a Finnish detail may hold
#: (whole words, after the names the data and the policy give are taken out)
ENGLISH = (
    "deadline", "passed", "ended", "requested", "erasure", "erased", "allowed", "records",
    "record", "rejected", "still", "present", "months", "month", "due", "decision",
    "marketed", "marketing", "received", "stored", "valid", "statement", "purposes", "invoice",
    "retention", "visitor", "addresses", "lines", "line", "row", "card", "older", "newest",
    "oldest", "held", "until", "hold", "unclassified", "column", "values", "message", "body",
    "mailing", "newsletter", "read", "loaded", "unknown", "activity", "every", "GDPR", "Art",
    "since", "the", "and", "of", "in", "not", "no", "by", "with", "without", "after", "see",
    "time", "limit", "open", "refused", "reason", "recipients", "backups", "processors",
    "legal", "basis", "right", "listed", "logs", "delete", "stop", "date", "request",
    "referrer", "logged", "URL", "URLs", "data", "personal", "purpose", "customer", "contact",
    "prospect", "correspondent", "web", "set", "rotate", "external", "register", "header",
    "sheet", "named", "voucher", "kept", "unchanged", "classify", "config", "counts",
    "reconcile", "path", "kind", "source", "check", "reasons", "table", "tombstone",
    "appears", "again", "day", "transfer", "outside", "says", "name",
)
_ENGLISH = re.compile(r"\b(" + "|".join(ENGLISH) + r")\b")
_ISO = re.compile(r"\b(\d{4})-(\d\d)-(\d\d)\b")


def _names(ctx) -> list[str]:
    """What the data, the policy and the rules name (sources, systems, providers, rule ids,
    header names), longest first: taken out of a detail before its words are checked."""
    config = yaml.safe_load((ctx.root / "config.yaml").read_text(encoding="utf-8"))
    names = [s["name"] for s in config["sources"]]
    names += [n for n, s in POLICY.systems.items()] + [s.provider for s in POLICY.systems.values()]
    names += RULE_IDS + ["Privacy Shield", "List-Unsubscribe", "Precedence: bulk", "mechanism: dpf",
              "mechanism: sccs_2021", "dpf_checked_on", "columns:", "Schrems II"]
    return sorted(set(names), key=len, reverse=True)


def _finnish_words(detail_fi: str, labels: list[str], names: list[str]) -> str:
    """*detail_fi* without the names and labels the data gives (whole words, longest
    first): what is left is audit-kit's own words."""
    text = detail_fi
    for name in sorted(labels + names, key=len, reverse=True):
        text = re.sub(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", " ", text)
    return text


def _labels(con) -> list[str]:
    """The field labels of the run (column names of the user's files, vCard properties),
    not the ones audit-kit gives (those are translated)."""
    return sorted({r[0] for r in con.execute("SELECT DISTINCT label FROM fields").fetchall()
                   if r[0] and r[0] not in OWN_LABELS_FI}, key=len, reverse=True)


#: a service-contract export with an unreadable date (the last column) and a column no
#: one classified (Sopimus alkoi)
CONTRACTS = (
    "Sopimusnumero;Pääkäyttäjä;Sähköposti;Postinro;Sopimus alkoi;Laite poistettu käytöstä\n"
    "S-1;Aino Mäki;aino@maki.fi;90100;1.2.2020;\n"
    "S-2;Eero Oja;eero@oja.fi;90500;15.03.25;-\n"
    "S-3;Liisa Laine;liisa@laine.fi;90100;2019/01/01;2025/03/15\n"
    "S-4;Ville Vuori;ville@vuori.fi;;;31.12.2025\n"
)


@pytest.fixture(scope="module")
def unplanted(tmp_path_factory) -> dict[str, list[Finding]]:
    """The findings of the rules the demo does not plant (an unreadable date, an
    unclassified column, a source whose counts do not reconcile, one that read nothing),
    from a warehouse with just those."""
    from audit_kit import warehouse
    from audit_kit.config import SourceConfig
    from audit_kit.loaders import get_loader

    path = tmp_path_factory.mktemp("unplanted") / "s.csv"
    path.write_text(CONTRACTS, encoding="utf-8")
    con = pipeline.open_warehouse(dt.date(2026, 12, 31))
    kind = "service_contracts_csv"
    sink = warehouse.SourceSink(con, source="huolto", kind=kind, system="billing")
    get_loader(kind)(SourceConfig(name="huolto", kind=kind, path=path, system="billing",
                                  columns={"Postinro": "ignore"}), sink)
    sink.flush()
    # what a loader that lost a record, and a source that read nothing, would count
    con.execute("INSERT INTO load_counts (source, source_kind, records_read, records_loaded, "
                "records_rejected) VALUES ('huolto', 'service_contracts_csv', 5, 4, 0), "
                "('tyhja', 'customers_csv', 0, 0, 0)")
    pipeline.resolve_people(con, POLICY)
    ev = pipeline.evaluate(con, RunContext(POLICY, as_of=dt.date(2026, 12, 31)))
    found = pipeline.to_findings(ev, {r: len(rows) for r, rows in ev.rows.items()})
    labels = _labels(con)
    con.close()
    out: dict = {"_labels": labels}
    for f in found:
        out.setdefault(f.rule_id, []).append(f)
    return out


@pytest.fixture(scope="module")
def demo_labels(demo_run) -> list[str]:
    import duckdb

    _, result = demo_run
    con = duckdb.connect(str(result.out / "warehouse.duckdb"), read_only=True)
    try:
        return _labels(con)
    finally:
        con.close()


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_every_finding_has_a_finnish_detail(rule_id, demo_run, demo_labels, unplanted):
    ctx, result = demo_run
    fs = [f for f in result.findings if f.rule_id == rule_id]
    labels = demo_labels
    if not fs:
        fs, labels = unplanted.get(rule_id, []), unplanted["_labels"]
    assert fs, f"{rule_id}: neither the demo nor this test plants a finding of it"
    names = _names(ctx)
    for f in fs:
        assert f.detail_fi.strip(), (rule_id, f.key)
        words = _finnish_words(f.detail_fi, labels, names)
        assert not _ENGLISH.findall(words), (rule_id, f.detail_fi, _ENGLISH.findall(words))
        assert not _ISO.search(f.detail_fi), (rule_id, f.detail_fi)
        # every date of the English detail is in the Finnish one, d.m.yyyy
        for y, m, d in _ISO.findall(f.detail):
            assert f"{int(d)}.{int(m)}.{y}" in f.detail_fi, (rule_id, f.detail, f.detail_fi)
        if "GDPR" in f.detail:
            assert "tietosuoja-asetu" in f.detail_fi, (rule_id, f.detail_fi)


#: (rule, source, record_ref, field) of the demo -> its exact Finnish detail
EXACT = {
    # the month-end deadline: ended 30.6., deadline 30.12., audited 31.12.
    ("R-customer", "billing-customers", "line 11", ""):
        "asiakkuus päättyi 30.6.2026, määräaika 30.12.2026 on kulunut (6 kuukautta, seloste §6)",
    ("R-customer", "billing-customers", "line 24", ""):
        "asiakkuus päättyi 15.9.2025, määräaika 15.3.2026 on kulunut (6 kuukautta, seloste §6); "
        "säilytysperuste päättyi 30.9.2026 (retention-holds rivi 3)",
    ("R-held", "billing-customers", "line 23", ""):
        "R-customer: asiakkuus päättyi 15.4.2025, määräaika 15.10.2025 on kulunut (6 kuukautta, "
        "seloste §6); säilytysperuste voimassa 30.6.2027 asti (retention-holds rivi 2)",
    ("M-field", "billing-customers", "line 17", "home_phone"):
        "tieto, jota seloste (§5) ei luettele: Kotipuhelin",
    ("M-field", "mail-sent", "offset 372", "hetu"):
        "tieto, jota seloste (§5) ei luettele: viestin runko",
    ("R-erasure-open", "erasure-requests", "line 5", ""):
        "avoin: poistopyyntö saapunut 15.10.2026 (erasure-requests rivi 5), määräpäivä "
        "15.1.2027 (määräaikaa jatkettu), päätöstä ei ole kirjattu (seloste §8; "
        "tietosuoja-asetus 17 art., määräaika 12 art. 3)",
    ("R-erasure", "billing-customers", "line 20", ""):
        "yhä tallessa; poistopyyntö saapunut 11.12.2026 (erasure-requests rivi 8), määräpäivä "
        "11.1.2027, kirjattu poistetuksi 14.12.2026 (seloste §8; tietosuoja-asetus 17 art., "
        "määräaika 12 art. 3)",
    ("T-mechanism", "android_backup", "systems.android_backup", ""):
        "Google LLC (US, seloste §10): pätevää siirtoperustetta ei ole kirjattu (kirjattu "
        "siirtoperuste, EU:n ja Yhdysvaltojen välinen Privacy Shield -järjestely (päätös "
        "2016/1250), on ollut pätemätön 16.7.2020 alkaen (unionin tuomioistuimen tuomio "
        "C-311/18 Schrems II, ECLI:EU:C:2020:559)); kirjaa politiikkaan siirtoperuste, johon "
        "nojataan: vastaanottajan sertifiointi EU:n ja Yhdysvaltojen tietosuojakehykseen, "
        "tarkistettu kehyksen julkisesta luettelosta (mechanism: dpf, dpf_checked_on: "
        "tarkistuspäivä), tai vakiosopimuslausekkeet 2021/914 (mechanism: sccs_2021)",
    ("S-statement", "statement", "§4", "S-legal-basis"):
        "yhdellekään käyttötarkoitukselle ei ole nimetty oikeusperustetta "
        "(tietosuoja-asetus 13 art. 1 c)",
    ("R-ban-same-day", "prospects", "row 12", ""):
        "markkinoitu 15.11.2026 samana päivänä, jona suoramarkkinointikielto saapui 15.11.2026 "
        "(marketing-optouts rivi 4; seloste §8; tietosuoja-asetus 21 art. 3)",
    ("I-rejected", "website-log", "", ""):
        "994 rivistä 1 hylättiin; kunkin rivin syy on hylättyjen rivien taulukossa",
}


def test_exact_finnish_details_of_representative_rules(demo_run):
    _, result = demo_run
    got = {f.key: f.detail_fi for f in result.findings if f.key in EXACT}
    assert got == EXACT


def test_exact_finnish_details_of_the_rules_the_demo_does_not_plant(unplanted):
    assert [f.detail_fi for f in unplanted["I-reconcile"]] == [
        "luettu 5, ladattu 4, hylätty 0: määrät eivät täsmää"]
    assert [f.detail_fi for f in unplanted["I-empty"]] == [
        "yhtään riviä ei luettu: tarkista lähteen polku ja laji"]
    assert [f.detail_fi for f in unplanted["I-date"]] == [
        "päivämääräsarakkeen 'Laite poistettu käytöstä' 2 arvoa ei voitu lukea päivämääränä "
        "(rivi 3: '-', rivi 4: '9999/99/99'): rivit säilyvät ilman päivämäärää; kirjoita "
        "päivämäärät muodossa p.k.vvvv tai vvvv-kk-pp"]
    assert [f.detail_fi for f in unplanted["M-unclassified"]] == [
        "luokittelematon sarake 'Sopimus alkoi', arvoja 3 rivillä: luokittele se asetuksissa "
        "(columns:)"]


def test_the_finnish_report_shows_the_finnish_details(demo_run):
    """The demo's report (Finnish, the policy's language) shows each finding's Finnish
    detail in its row, and no English detail."""
    _, result = demo_run
    html = (result.out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fi"' in html
    for f in result.findings:
        assert escape(f.detail_fi) in html, (f.rule_id, f.detail_fi)
        assert escape(f.detail) not in html, (f.rule_id, f.detail)


def test_an_english_report_shows_the_english_details_unchanged(demo_run):
    from audit_kit.report.build import build_report_html

    _, result = demo_run
    html = build_report_html(result.out, "en")
    for f in result.findings:
        assert escape(f.detail) in html, (f.rule_id, f.detail)
        assert escape(f.detail_fi) not in html, (f.rule_id, f.detail_fi)


def test_the_internal_sheet_shows_a_findings_detail_in_its_language(demo_run):
    """The access-request sheet lists the person's findings with the detail in the
    sheet's language; the letter names each value by the report's one table of field
    classes (report/i18n.FIELDS), capitalised."""
    import csv

    from audit_kit import subject
    from audit_kit.report.i18n import FIELDS
    from audit_kit.subject_letter import internal_html, letter_html

    ctx, result = demo_run
    with open(ctx.root / "rights" / "poistopyynnot_2.csv", encoding="utf-8-sig") as f:
        email = list(csv.reader(f, delimiter=";"))[1][1]
    rep = subject.access_report(result.out, email=email)
    assert rep.findings
    fi, en = internal_html(rep, "fi"), internal_html(rep, "en")
    for f in rep.findings:
        assert escape(f["detail_fi"]) in fi and escape(f["detail"]) not in fi
        assert escape(f["detail"]) in en and escape(f["detail_fi"]) not in en
    classes = {fl["field"] for rec in rep.records for fl in rec.fields} & set(FIELDS)
    assert classes
    for lang in ("fi", "en"):
        letter = letter_html(rep, lang)
        for cls in classes - {"unclassified"}:
            label = FIELDS[cls][lang]
            assert escape(label[:1].upper() + label[1:]) in letter, (lang, cls)
