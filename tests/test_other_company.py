# ruff: noqa: E501  (log lines and policy texts read best one per line)
"""Library code works for any company whose statement is encoded in its policy (issue 15).

Another company's policy (the demo policy with its own organisation, systems, providers,
policy-defined statement check and coverage) audits a small data set of its own: the
report's coverage table is that policy's, its check and action texts name that policy's
systems and providers, and nothing of the first customer's (the demo company's) statement
appears anywhere in its report.
"""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from tests._support import DATA, POLICY

#: what the first customer's statement names and no library text may
FIRST_CUSTOMER = ("Netplaza", "Wordfence", "Google", "oulunkonttori", "Lukkarila",
                  "Konttoripiste", "Defiant")

MAILLOG = """\
2026-03-02T10:00:00.100000+02:00 mx1 postfix/smtpd[2001]: 4A1B2C3D4E: client=mail.asiakas.example[192.0.2.10]
2026-03-02T10:00:00.200000+02:00 mx1 postfix/cleanup[2002]: 4A1B2C3D4E: message-id=<1@asiakas.example>
2026-03-02T10:00:00.300000+02:00 mx1 postfix/qmgr[812]: 4A1B2C3D4E: from=<liisa.laine@asiakas.example>, size=1234, nrcpt=1 (queue active)
2026-03-02T10:00:01.000000+02:00 mx1 postfix/local[2003]: 4A1B2C3D4E: to=<myynti@tilipalvelu.example>, relay=local, delay=0.6, delays=0.4/0.01/0/0.19, dsn=2.0.0, status=sent (delivered to mailbox)
2026-03-02T10:00:01.100000+02:00 mx1 postfix/qmgr[812]: 4A1B2C3D4E: removed
"""

WEBLOG = """\
192.0.2.30 - - [02/Jun/2026:09:00:00 +0300] "GET / HTTP/1.1" 200 1200 "-" "Mozilla/5.0"
192.0.2.31 - - [01/Dec/2026:12:00:00 +0200] "GET /kiitos?email=ville.virta%40asiakas.example HTTP/1.1" 200 900 "-" "Mozilla/5.0"
"""

#: the other company's coverage: its own sections and words
COVERAGE = [
    {"section": "1", "title": {"fi": "Rekisterinpitäjä ja yhteyshenkilö", "en": "Controller and contact"},
     "audited_by": ["policy"],
     "by_hand": {"fi": "Laskutin Oy:n sopimus on arkistossa.", "en": "The Laskutin Oy contract is filed."}},
    {"section": "2", "title": {"fi": "Tarkoitukset ja lähteet", "en": "Purposes and sources"},
     "audited_by": ["S-legal-basis", "S-purposes", "S-legitimate-interest", "S-sources"]},
    {"section": "3", "title": {"fi": "Tiedot ja säilytys", "en": "Data and retention"},
     "audited_by": ["M-field", "M-voucher", "M-unclassified", "R-customer", "R-service",
                    "R-marketing", "R-email", "R-maillog", "R-invoice", "R-person",
                    "R-purpose-unknown", "R-status", "R-held", "S-accounting-retention",
                    "S-newsletter"]},
    {"section": "4", "title": {"fi": "Oikeudet", "en": "Rights"},
     "audited_by": ["R-ban", "R-ban-same-day", "R-ban-listed", "R-erasure", "R-erasure-open",
                    "R-erasure-refused", "R-tombstone", "S-objection", "S-portability",
                    "S-restriction"]},
    {"section": "5", "title": {"fi": "Vastaanottajat ja siirrot", "en": "Recipients and transfers"},
     "audited_by": ["S-recipients", "T-system", "T-mechanism", "S-privacy-shield",
                    "S-no-transfers-claim", "S-backup-transfer"]},
    {"section": "6", "title": {"fi": "Verkkosivu", "en": "Website"},
     "audited_by": ["W-retention", "W-url", "S-weblog-retention", "S-firewall"],
     "by_hand": {"fi": "Sucuri-palomuurin asetukset.", "en": "The Sucuri firewall's settings."}},
    {"section": "7", "title": {"fi": "Tietoturva", "en": "Security"},
     "by_hand": {"fi": "Kahden tekijän tunnistus on päällä.", "en": "Two-factor login is on."}},
]


#: the other statement's retention promise in its own words (no minimisation promise: the
#: report's generic words)
RETENTION_PROMISE = {"fi": "Asiakkaan tiedot poistetaan kolmen kuukauden kuluttua asiakkuuden päättymisestä.",
                     "en": "A customer's data is deleted three months after the relationship ends."}


def other_policy() -> dict:
    """The demo policy rewritten for Pohjan Tilipalvelu Oy."""
    p = yaml.safe_load(POLICY.read_text(encoding="utf-8"))
    p["organisation"] = {
        "name": "Pohjan Tilipalvelu Oy", "business_id": "2077474-0",
        "own_domains": ["tilipalvelu.example"], "role_mailboxes": ["myynti", "info"],
        "contact": "Maija Kallio"}
    p["systems"] = {
        "billing": {"provider": "Laskutin Oy", "country": "FI", "personal_data": True,
                    "section": "5", "processor": True},
        "mail": {"provider": "Postikeskus Oy", "country": "FI", "personal_data": True,
                 "section": "5", "processor": True},
        "web_server": {"provider": "Webhotelli Oy", "country": "FI", "personal_data": True,
                       "section": "6"},
        "firewall": {"provider": "Sucuri Inc.", "country": "US", "mechanism": "none",
                     "personal_data": True, "section": "6", "processor": True},
    }
    p["web_logs"].update(retention_months=3, section="6")
    # its own numbering: data and retention §3, rights §4, the website §6
    for r in p["retention"] + p["statutory"]:
        r["section"] = "3"
    p["retention"][0]["months"] = 3  # R-customer: three months, the others six
    p["fields"]["section"] = p["statement"]["no_newsletter"]["section"] = "3"
    for r in p["rights"].values():
        r["section"] = "4"
    st = p["statement"]
    st["unmentioned_transfers"] = [{
        "check": "S-firewall", "system": "firewall", "section": "6", "severity": "warning",
        "what": "the Sucuri firewall (US) sees every visitor's IP address",
        "text": {"fi": "Sucuri-palomuuri näkee kävijöiden IP-osoitteet Yhdysvalloissa.",
                 "en": "The Sucuri firewall sees visitors' IP addresses in the US."}}]
    st["recipients_named"] = ["Laskutin Oy"]
    aa = p["access_answer"]
    aa["controller"] = {"address": "Kauppakatu 5, 65100 Vaasa", "phone": "06 123 4567",
                        "email": "info@tilipalvelu.example"}
    aa["recipients"] = {"billing": {"fi": "Laskutin Oy", "en": "Laskutin Oy"},
                        "mail": {"fi": "Postikeskus Oy", "en": "Postikeskus Oy"}}
    p["coverage"] = COVERAGE
    p["promises"] = {"retention": RETENTION_PROMISE}
    return p


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.slow
def test_another_companys_report_names_only_its_own_policy(tmp_path):
    from audit_kit.pipeline import run_audit
    from audit_kit.report import render_report

    proj = tmp_path / "proj"
    (proj / "data").mkdir(parents=True)
    shutil.copyfile(DATA / "tabular" / "customers_english.csv", proj / "data" / "customers.csv")
    (proj / "data" / "maillog").write_text(MAILLOG, encoding="utf-8")
    (proj / "data" / "access.log").write_text(WEBLOG, encoding="utf-8")
    (proj / "policy.yaml").write_text(yaml.safe_dump(other_policy(), allow_unicode=True),
                                      encoding="utf-8")
    (proj / "config.yaml").write_text(
        "organisation: Pohjan Tilipalvelu Oy\npolicy: policy.yaml\nas_of: '2026-12-31'\n"
        "sources:\n"
        "  - {name: asiakkaat, kind: customers_csv, path: data/customers.csv, system: billing}\n"
        "  - {name: postiloki, kind: postfix_log, path: data/maillog, system: mail}\n"
        "  - {name: www-loki, kind: web_access_log, path: data/access.log, system: web_server}\n",
        encoding="utf-8")
    result = run_audit(proj / "config.yaml", out=proj / "out")
    rules = {f.rule_id for f in result.findings}
    fields = {f.field for f in result.findings if f.rule_id == "S-statement"}
    # the texts under test are on the page: a maillog action, the policy's own check, transfers
    assert {"R-maillog", "W-retention", "W-url", "S-statement"} <= rules, rules
    assert {"S-firewall", "S-no-transfers-claim"} <= fields, fields

    html = (proj / "out" / "report.html").read_text(encoding="utf-8")
    en = render_report(proj / "out", lang="en").read_text(encoding="utf-8")
    for word in FIRST_CUSTOMER:
        assert word.lower() not in html.lower(), word
        assert word.lower() not in en.lower(), word
    assert "Delete the mail-server log lines past the retention period (1 address)." in _text(en)
    text = _text(html)
    # the policy's check text, the processor who acts on the mail log, the systems abroad
    assert "Sucuri-palomuuri näkee kävijöiden IP-osoitteet Yhdysvalloissa." in text
    assert "Postikeskus Oy (käsittelijä)" in text
    assert "firewall (Sucuri Inc., US)" in text
    # the verdict cards' promises: the policy's own words, else the generic ones; the
    # sections they cite: those of this policy's rules
    def card(cat: str) -> str:
        return re.search(rf'id="promise-{cat}">(.*?)</section>', html, re.S).group(1)

    assert f'<p class="promise">{RETENTION_PROMISE["fi"]}</p>' in card("retention")
    assert ('<p class="promise">Rekisteriin tallennetaan vain selosteessa luetellut tiedot.</p>'
            in card("minimisation"))
    for cat, sections in [("retention", "§3, §6"), ("minimisation", "§3, §6"), ("rights", "§4")]:
        assert f'<span class="sec">{sections}</span>' in card(cat), cat
    # the age chart: each role against its own period (three months for ended customers)
    svg = re.search(r'<svg[^>]*class="chart".*?</svg>', html, re.S).group(0)
    assert re.search(r">\d+/\d+ yli 3 kk</text>", svg) and re.search(r">\d+/\d+ yli 6 kk</text>", svg)
    assert ">6 kk</text>" not in svg and ">3 kk</text>" not in svg  # no one line for all
    # the coverage table is this policy's, row for row
    part = html[html.index('id="coverage"') : html.index('id="rules"')]
    rows = [[_text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", part, re.S)]
    rows = [r for r in rows if r]
    status = {"": "ei aineistosta"}
    assert [(r[0], r[1]) for r in rows] == [(f"§{e['section']}", e["title"]["fi"])
                                            for e in COVERAGE]
    for row, e in zip(rows, COVERAGE, strict=True):
        by_hand = e.get("by_hand", {}).get("fi", "")
        if not e.get("audited_by"):
            assert row[2] == status[""] and row[3] == f"Käsin: {by_hand}"
        else:
            assert row[2] == ("osittain" if by_hand else "tarkistettu")
            assert row[3].startswith("Tarkistaa: "), row
            assert by_hand in row[3]
    assert "Sucuri-palomuurin asetukset." in rows[5][3] and "S-firewall" in rows[5][3]
