"""The access-request answer (GDPR Art. 15) and the erasure plan: a hand-built run with
a shared invoice and a shared message, then the demo company end to end."""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import os
import stat
from pathlib import Path

import pytest

from audit_kit import normalise, outdir, people, pipeline, subject, warehouse
from audit_kit.cli.main import main as cli
from audit_kit.errors import ConfigError
from audit_kit.findings import write_csv
from audit_kit.policy import default_policy_path, load_policy

POLICY = load_policy(default_policy_path())
D = dt.date
TIMO = ("timo@ta.example.fi", "+358409004004")
#: the hand-built run's configured sources: name, kind, system, records
SOURCES = [("customers", "customers_csv", "billing", 2), ("phone", "vcard", "android_backup", 1),
           ("invoices", "finvoice", "billing", 2), ("mail", "mbox", "mail", 2)]


def _sink(con, source, kind, system="billing"):
    sink = warehouse.SourceSink(con, source=source, kind=kind, system=system)
    return sink, sink.file(Path(__file__))


@pytest.fixture()
def run_dir(tmp_path) -> Path:
    """A finished audit run: warehouse.duckdb and manifest.json, as `audit-kit run` leaves."""
    run = tmp_path / "run"
    run.mkdir()
    con = pipeline.open_warehouse(D(2026, 12, 31), run / "warehouse.duckdb")
    s, f = _sink(con, "customers", "customers_csv")
    s.record(f, "line 2", "customer_contact", person_name="Timo Ahola",
             org_name="Iin Insinöörit Oy", email=TIMO[0], phone=TIMO[1], ended_on=D(2026, 3, 10))
    for cls, label, value in (("person_name", "Yhteyshenkilö", "Timo Ahola"),
                              ("email", "Sähköposti", "Timo@TA.example.fi"),
                              ("mobile_phone", "Puhelin", "040 900 4004"),
                              ("notes", "Lisätiedot", "<b>muista</b> & soita")):
        s.field(f, "line 2", cls, label, value)
    s.record(f, "line 3", "customer_contact", person_name="Timo Ahola",   # namesake
             email="timo.ahola@muu.example.fi")
    s.field(f, "line 3", "email", "Sähköposti", "timo.ahola@muu.example.fi")
    s.flush()
    s, f = _sink(con, "phone", "vcard", "android_backup")
    s.record(f, "card 1", "phone_contact", person_name="Timo", phone=TIMO[1])
    s.field(f, "card 1", "mobile_phone", "TEL (cell)", "+358 40 900 4004")
    s.flush()
    s, f = _sink(con, "invoices", "finvoice")
    for name, email, phone in (("Timo Ahola", TIMO[0], None),
                               ("Heli Tervo", None, "+358409005005")):
        s.record(f, "invoice 3", "invoice_party", person_name=name, email=email, phone=phone,
                 last_activity=D(2025, 4, 1))
    for cls, label, value in (("person_name", "BuyerContactPersonName", "Timo Ahola"),
                              ("email", "BuyerEmailaddressIdentifier", TIMO[0]),
                              ("org_name", "BuyerOrganisationName", "Iin Insinöörit Oy"),
                              ("person_name", "DeliveryContactPersonName", "Heli Tervo"),
                              ("work_phone", "DeliveryPhoneNumberIdentifier", "040 900 5005"),
                              ("company_address", "DeliveryPostalAddressDetails", "Torikatu 1")):
        s.field(f, "invoice 3", cls, label, value)
    s.flush()
    s, f = _sink(con, "mail", "mbox", "mail")
    s.record(f, "offset 0", "correspondent", person_name="Timo Ahola", email=TIMO[0],
             last_activity=D(2026, 11, 2))
    s.record(f, "offset 0", "correspondent", person_name="Aino Salo", email="aino@as.example.fi",
             last_activity=D(2026, 11, 2))
    for cls, label, value in (("email", "From (address)", TIMO[0]),
                              ("person_name", "From (display name)", "Timo Ahola"),
                              ("email", "To (address)", "aino@as.example.fi"),
                              ("person_name", "To (display name)", "Aino Salo")):
        s.field(f, "offset 0", cls, label, value)
    s.flush()
    pipeline.resolve_people(con, POLICY)
    ev = pipeline.evaluate(con, POLICY)  # the run's findings, from the rules themselves
    con.close()
    write_csv(pipeline.to_findings(ev, {r: len(rows) for r, rows in ev.rows.items()}),
              run / "findings.csv")
    (run / "manifest.json").write_text(json.dumps({
        outdir.RUN_MARKER[0]: outdir.RUN_MARKER[1],
        "organisation": "Oulun Konttoripiste Oy", "as_of": "2026-12-31",
        "policy": {"version": POLICY.policy_version, "sha256": POLICY.sha256},
        "sources": [{"name": n, "kind": k, "system": y, "records_loaded": c,
                     "files": [{"file": "x"}]} for n, k, y, c in SOURCES]}))
    return run


def _places(rep) -> list[tuple[str, str]]:
    return [(r.source, r.record_ref) for r in rep.records]


def test_everything_held_about_the_person(run_dir):
    rep = subject.access_report(run_dir, email="TIMO@ta.example.fi")
    assert _places(rep) == [("customers", "line 2"), ("invoices", "invoice 3"),
                            ("mail", "offset 0"), ("phone", "card 1")]
    assert len(rep.subject_ids) == 1 and rep.sources == ["customers", "invoices", "mail", "phone"]
    by = {(r.source, r.record_ref): r for r in rep.records}
    labels = {k: [f["label"] for f in r.fields] for k, r in by.items()}
    assert labels == {
        ("customers", "line 2"): ["Lisätiedot", "Puhelin", "Sähköposti", "Yhteyshenkilö"],
        # shared places: only this person's values (Buyer…, From…), never the others'
        ("invoices", "invoice 3"): ["BuyerContactPersonName", "BuyerEmailaddressIdentifier",
                                    "BuyerOrganisationName"],
        ("mail", "offset 0"): ["From (address)", "From (display name)"],
        ("phone", "card 1"): ["TEL (cell)"],
    }
    assert {k: r.purpose["fi"] for k, r in by.items()} == {
        ("customers", "line 2"): "asiakassuhteen hoitaminen",
        ("invoices", "invoice 3"): "laskutus ja kirjanpito",
        ("mail", "offset 0"): "sähköpostiviestintä",
        ("phone", "card 1"): "asiakassuhteen hoitaminen"}
    # the retention verdicts are the rules' (findings.csv): the customer ended 10.3.2026
    # (R-customer), the invoice is inside its statutory window, the mail of 2.11.2026 is not
    # past anything, the phone contact has no clock of its own
    assert {k: (r.retention["status"], r.retention.get("rules") or r.retention.get("until"))
            for k, r in by.items()} == {
        ("customers", "line 2"): ("ended", "R-customer"),
        ("invoices", "invoice 3"): ("statutory", "2031-12-31"),
        ("mail", "offset 0"): ("period", None),
        ("phone", "card 1"): ("kept_for", None)}
    assert sorted((f["rule_id"], f["source"], f["record_ref"]) for f in rep.findings) == [
        ("R-customer", "customers", "line 2"), ("T-system", "phone", "card 1")]


def test_erasure_plan_keeps_invoices_under_the_accounting_act(run_dir):
    rep = subject.access_report(run_dir, phone="040-900 4004")
    assert [(s["source"], s["record_ref"], s["action"], s["kept_until"], s["law"])
            for s in rep.erasure_plan] == [
        ("customers", "line 2", "delete", None, None),
        ("invoices", "invoice 3", "keep", "2031-12-31", "Kirjanpitolaki 1336/1997 2:10"),
        ("mail", "offset 0", "delete", None, None),
        ("phone", "card 1", "delete", None, None)]


def test_a_name_only_narrows(run_dir):
    assert len(subject.access_report(run_dir, email=TIMO[0], name="Ahola, Timo").records) == 4
    assert subject.access_report(run_dir, email=TIMO[0], name="Aino Salo").records == []
    with pytest.raises(ConfigError, match="a name alone never identifies"):
        subject.access_report(run_dir, name="Timo Ahola")
    with pytest.raises(ConfigError, match="role mailbox"):
        subject.access_report(run_dir, email="asiakaspalvelu@ta.example.fi")


def test_nobody_found_is_an_answer_naming_the_sources_searched(run_dir, tmp_path):
    from audit_kit.loaders import source_kinds

    rep = subject.access_report(run_dir, email="ei.ketaan@example.fi", lang="en")
    assert (rep.records, rep.subject_ids, rep.erasure_plan) == ([], [], [])
    letter, sheet, _ = rep.write(tmp_path / "none")
    for lang in ("en", "fi"):
        text = rep.letter(lang)
        for _, kind, _, _ in SOURCES:  # every configured source, in words
            assert source_kinds()[kind].place[lang] in text
        assert "ei.ketaan@example.fi" in text
    text = letter.read_text(encoding="utf-8")
    assert "These sources hold no data linked to you under these identifiers" in text
    assert "No data is held" not in text and "Henkilöstä ei ole tallennettu" not in rep.letter("fi")
    assert "tietosuoja@om.fi" in text  # the rights and the complaint are there all the same
    # nothing said of recipients or transfers of data that was not found
    assert "Recipients" not in text and "not transferred" not in text
    assert all(n in sheet.read_text(encoding="utf-8") for n, _, _, _ in SOURCES)


def test_letters_never_overwrite_each_other_and_escape(run_dir, tmp_path):
    rep = subject.access_report(run_dir, email=TIMO[0])
    out = tmp_path / "a" / "b"
    fi, sheet, js = rep.write(out, "fi")
    fi_text = fi.read_text(encoding="utf-8")
    en, _, _ = rep.write(out, "en")
    assert (fi.name, en.name) == ("letter.fi.html", "letter.en.html")
    assert fi.read_text(encoding="utf-8") == fi_text and 'lang="fi"' in fi_text
    assert 'lang="en"' in en.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == sorted(subject.ANSWER_FILES)
    for p in (fi, en, sheet, js):
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    for d in (out, out.parent):
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700
    # a note with markup is shown, never run, in the letter and in the internal sheet
    for text in (fi_text, sheet.read_text(encoding="utf-8")):
        assert "<b>muista" not in text
    assert "Lisätiedot: &lt;b&gt;muista&lt;/b&gt; &amp; soita" in fi_text
    # the internal sheet keeps the erasure plan; the letter never does
    assert "säilytä 2031-12-31 asti (Kirjanpitolaki 1336/1997 2:10)" in sheet.read_text(
        encoding="utf-8")
    assert "Tämä lasku säilytetään 31.12.2031 asti." in fi_text
    assert "Heli Tervo" not in fi_text and "aino" not in fi_text.lower()
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["as_of"] == "2026-12-31" and data["searched"]["email"] == TIMO[0]
    assert [(r["source"], r["record_ref"]) for r in data["records"]] == _places(rep)


def test_not_a_run_dir_and_another_policy(run_dir, tmp_path):
    with pytest.raises(ConfigError, match="not an audit run folder"):
        subject.access_report(tmp_path, email=TIMO[0])
    other = tmp_path / "policy.yaml"
    other.write_text(default_policy_path().read_text(encoding="utf-8") + "\n# edited\n")
    with pytest.raises(ConfigError, match="another policy"):
        subject.access_report(run_dir, email=TIMO[0], policy=other)


def test_cli_subject_and_forget_print_no_identifiers(run_dir, tmp_path, monkeypatch, capsys):
    assert cli(["subject", str(run_dir), "--email", TIMO[0], "--lang", "en",
                "--out", str(tmp_path / "answer")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("4 records in 4 of 4 sources searched (1 subject id(s)), "
                              "2 finding(s); erasure: delete 3, keep 1\n")
    assert "timo" not in printed.lower()
    assert (tmp_path / "answer" / "letter.en.html").exists()
    assert cli(["subject", str(run_dir), "--email", TIMO[0],  # the default: the policy's
                "--out", str(tmp_path / "answer")]) == 0
    assert sorted(p.name for p in (tmp_path / "answer").iterdir()) == sorted(subject.ANSWER_FILES)
    capsys.readouterr()
    # two people not found: two folders, named by a keyed hash, never by the address
    for who in ("a@nobody.example.fi", "b@nobody.example.fi"):
        assert cli(["subject", str(run_dir), "--email", who]) == 0
    found = sorted(p.name for p in (run_dir / "subjects").iterdir())
    assert len(found) == 2 and all(n.startswith("not-found-") for n in found)
    assert "nobody" not in capsys.readouterr().out
    tomb = tmp_path / "t" / "tombstones.txt"
    assert cli(["forget", "--email", TIMO[0], "--phone", "040 900 4004", "--tombstones", str(tomb),
                "--date", "2026-12-01"]) == 0
    printed = capsys.readouterr().out
    assert printed == (f"2 tombstone(s) added, 0 already present, erasure date 2026-12-01: "
                       f"{tomb}\n")
    assert cli(["subject", str(run_dir), "--name", "Timo Ahola"]) == 2
    assert "a name alone never identifies" in capsys.readouterr().err


# -- the demo company -------------------------------------------------------------------------

def _demo_records(result, where: str, params: list) -> set[tuple[str, str]]:
    import duckdb

    con = duckdb.connect(str(result.out / "warehouse.duckdb"), read_only=True)
    try:
        return set(con.execute(f"SELECT source, record_ref FROM records WHERE {where}",
                               params).fetchall())
    finally:
        con.close()


@pytest.mark.slow
def test_demo_person_every_record_and_nobody_else(demo_run):
    ctx, result = demo_run
    p = ctx.live_customer_contacts[0]
    email, phone = normalise.email(p.email), normalise.phone(p.mobile)
    expected = _demo_records(result, "email = ? OR phone = ?", [email, phone])
    assert len(expected) >= 3  # register, service contract, phone backup at least
    rep = subject.access_report(result.out, email=p.email)
    assert set(_places(rep)) == expected
    assert len(_places(rep)) == len(expected)
    for r in rep.records:  # nothing of anyone else
        assert r.email in (email, None) and r.phone in (phone, None)
        assert r.person_name is None or people.names_agree(r.person_name, p.name) is not False


@pytest.mark.slow
def test_demo_ignored_erasure_request_person(demo_run):
    ctx, result = demo_run
    with open(ctx.root / "rights" / "poistopyynnot_2.csv", encoding="utf-8-sig") as f:
        email = list(csv.reader(f, delimiter=";"))[1][1]
    rep = subject.access_report(result.out, email=email)
    assert sorted(_places(rep)) == [("erasure-requests-2", "line 2"),
                                    ("prospects-fair", "line 10"), ("prospects-fair", "line 8")]
    assert [s["action"] for s in rep.erasure_plan] == ["delete"] * 3
    planted = {(e.rule_id, e.source, e.record_ref) for e in ctx.expected
               if e.rule_id in ("R-erasure", "R-tombstone", "R-erasure-open")
               and e.source in ("prospects-fair", "erasure-requests-2")}
    got = {(f.rule_id, f.source, f.record_ref) for f in result.findings
           if f.rule_id in ("R-erasure", "R-tombstone", "R-erasure-open")
           and f.source in ("prospects-fair", "erasure-requests-2")}
    assert got == planted == {
        ("R-tombstone", "prospects-fair", "line 5"), ("R-tombstone", "prospects-fair", "line 7"),
        ("R-erasure", "prospects-fair", "line 8"), ("R-erasure", "prospects-fair", "line 10"),
        ("R-erasure-open", "erasure-requests-2", "line 4")}
    assert result.manifest["tombstones"] == 4


def _demo_people(result, where: str) -> list[str]:
    """E-mail addresses of demo people (one per subject) whose records meet *where*
    (SQL over the subject's roles ``roles`` and labels ``labels``)."""
    import duckdb

    con = duckdb.connect(str(result.out / "warehouse.duckdb"), read_only=True)
    try:
        return [e for (e,) in con.execute(
            "SELECT min(r.email) FROM records r JOIN persons p USING (rec_id) "
            "LEFT JOIN fields f ON f.source = r.source AND f.record_ref = r.record_ref "
            "GROUP BY p.subject_id HAVING min(r.email) IS NOT NULL AND "
            f"({where}) ORDER BY 1").fetchall()]
    finally:
        con.close()


def _retention_findings(result) -> set[tuple[str, str, str]]:
    """(subject_id, source, record_ref) of every retention finding, read from findings.csv."""
    with open(result.out / "findings.csv", encoding="utf-8", newline="") as f:
        return {(r["subject_id"], r["source"], r["record_ref"]) for r in csv.DictReader(f)
                if r["category"] == "retention"}


#: a live customer who also wrote to the company more than 6 months before the audit date:
#: the mail is kept for the customer relationship, not past any deadline (rules: no R-email)
_LIVE_CUSTOMER_WITH_OLD_MAIL = (
    "list_contains(list(r.role), 'customer_contact') AND list_contains(list(r.role), "
    "'correspondent') AND list_contains(list(r.role), 'invoice_party') "
    "AND count(r.ended_on) = 0 "
    "AND min(r.last_activity) FILTER (WHERE r.role = 'correspondent') < DATE '2026-06-30'")


@pytest.mark.slow
def test_demo_letter_has_every_art15_item_in_both_languages_and_nothing_internal(demo_run):
    ctx, result = demo_run
    emails = _demo_people(result, _LIVE_CUSTOMER_WITH_OLD_MAIL)
    assert emails, "the demo has a live customer with old mail"
    aa = POLICY.access_answer
    for email in [emails[0], *_demo_people(result, "list_contains(list(f.label), 'BDAY')")]:
        rep = subject.access_report(result.out, email=email)
        roles = {r.role for r in rep.records}
        systems = {r.system for r in rep.records}
        for lang in ("fi", "en"):
            text = html.unescape(rep.letter(lang))  # the words as the person reads them
            other = "en" if lang == "fi" else "fi"
            # (a) purposes per record
            for r in rep.records:
                assert POLICY.purpose(r.role, lang) in text
            assert text.count('<section class="record">') == len(rep.records)
            # (b) categories, in words; 15(3) the values
            assert text.count({"fi": "Tietoryhmät", "en": "Categories of data"}[lang]) == len(
                rep.records)
            assert {"fi": "Sähköpostiosoite", "en": "E-mail address"}[lang] in text
            assert email in text
            # (c) recipients: the processors of the person's systems
            for s in systems & set(aa.recipients):
                assert aa.recipients[s](lang) in text
            # (d) retention: the statutory window of the invoice, the criteria of the others
            inv = next(r for r in rep.records if r.role == "invoice_party")
            d = dt.date.fromisoformat(inv.retention["until"])  # the policy's voucher clock
            assert {"fi": f"säilytetään {d.day}.{d.month}.{d.year} asti",
                    "en": f"kept until {d.day} {d:%B} {d.year}"}[lang] in text
            assert {"fi": "poistamme tiedot viimeistään 6 kuukauden kuluttua",
                    "en": "we erase them at the latest 6 months"}[lang] in text
            # (e) the rights, (f) the complaint with the authority's contact details
            for art in ("16", "17", "18", "20", "21"):
                assert {"fi": f"({art} artikla", "en": f"(Article {art}"}[lang] in text
            for word in {"fi": ("oikaisemiseen", "poistamiseen", "rajoittamiseen",
                                "Vastustamisoikeus", "siirtää tiedot"),
                         "en": ("rectification", "erasure", "restriction", "object",
                                "portability")}[lang]:
                assert word in text
            sa = aa.supervisory_authority
            for v in (sa.name(lang), sa.postal_address, sa.phone, sa.email, sa.web):
                assert v in text
            # (g) the source of data not collected from the person
            for role in roles & set(aa.data_sources):
                assert aa.data_sources[role](lang) in text
            # (h) automated decisions; 15(2) the transfer to the US and its safeguard
            assert {"fi": "(22 artikla)", "en": "(Article 22)"}[lang] in text
            assert {"fi": "EU:n ja ETA-alueen ulkopuolella", "en": "outside the EU and the EEA"
                    }[lang] in text
            assert {"fi": "Privacy Shield -järjestely", "en": "EU-US Privacy Shield"}[lang] in text
            # the controller (§1, §2, §8)
            for v in (POLICY.organisation.name, POLICY.organisation.business_id,
                      aa.controller.address, aa.controller.phone, aa.controller.email,
                      POLICY.organisation.contact):
                assert v in text
            # nothing internal: no plan, command, admission, rule, reference, file, source
            # name, column name or the other language's purposes
            for bad in ("audit-kit", "forget", "Poistosuunnitelma", "Erasure plan",
                        "ilman pätevää perustetta", "without a valid", "määräaika ylitetty",
                        "past the deadline", "overdue", "Privacy Shield) invalid",
                        *rep.subject_ids):
                assert bad not in text, (lang, bad)
            import re

            assert not re.search(r"\b[RMTSI]-[a-z]+\b", text)
            assert not re.search(r"\b(line|offset|card|invoice) \d", text)
            for r in rep.records:
                assert r.file not in text and f">{r.source}<" not in text
                for f in r.fields:
                    if re.search(r"[A-Z][a-z]+[A-Z]|^[A-Z]{2,}\b|\(", f["label"]):
                        assert f["label"] not in text, (lang, f["label"])
                if POLICY.purpose(r.role, other) != POLICY.purpose(r.role, lang):
                    assert POLICY.purpose(r.role, other) not in text
        assert "customer relationship" not in rep.letter("fi")


@pytest.mark.slow
def test_demo_letter_retention_agrees_with_the_findings(demo_run):
    ctx, result = demo_run
    flagged = _retention_findings(result)
    live = _demo_people(result, _LIVE_CUSTOMER_WITH_OLD_MAIL)
    people_ = live + _demo_people(
        result, "bool_or(r.role IN ('customer_contact', 'prospect', 'correspondent'))")
    ended = {"fi": "Tietoja ei enää tarvita tähän käyttötarkoitukseen",
             "en": "These data are no longer needed for this purpose"}
    seen_ended = seen_kept = 0
    for email in people_:
        rep = subject.access_report(result.out, email=email)
        for lang in ("fi", "en"):
            sections = rep.letter(lang).split('<section class="record">')[1:]
            assert len(sections) == len(rep.records)
            for r, text in zip(rep.records, sections, strict=True):
                want = (r.subject_id, r.source, r.record_ref) in flagged
                assert (ended[lang] in text) is want, (lang, r.source, r.record_ref)
                seen_ended += want
                seen_kept += not want
    assert seen_ended and seen_kept
    # the live customer's old mail: kept with the relationship, never called ended
    rep = subject.access_report(result.out, email=live[0])
    mail = [i for i, r in enumerate(rep.records) if r.role == "correspondent"]
    assert mail and all(rep.records[i].retention["status"] == "period" for i in mail)
    sections = rep.letter("fi").split('<section class="record">')[1:]
    assert all(ended["fi"] not in sections[i] for i in mail)
