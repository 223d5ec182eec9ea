"""The access-request answer (GDPR Art. 15) and the erasure plan: a hand-built run with
a shared invoice and a shared message, then the demo company end to end."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import stat
from pathlib import Path

import pytest

from audit_kit import normalise, people, pipeline, subject, warehouse
from audit_kit.cli.main import main as cli
from audit_kit.errors import ConfigError
from audit_kit.policy import default_policy_path, load_policy

POLICY = load_policy(default_policy_path())
D = dt.date
TIMO = ("timo@ta.example.fi", "+358409004004")


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
                 last_activity=D(2025, 4, 1), kept_until=D(2031, 12, 31))
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
    people.resolve(con, POLICY)
    con.close()
    (run / "manifest.json").write_text(json.dumps({
        "organisation": "Oulun Konttoripiste Oy", "as_of": "2026-12-31",
        "policy": {"version": POLICY.policy_version, "sha256": POLICY.sha256}}))
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
    assert {k: r.purpose for k, r in by.items()} == {
        ("customers", "line 2"): "customer relationship", ("invoices", "invoice 3"): "accounting",
        ("mail", "offset 0"): "email correspondence",
        ("phone", "card 1"): "customer relationship"}
    assert {k: (r.retention["rule"], r.retention["deadline"], r.retention["overdue"])
            for k, r in by.items()} == {
        ("customers", "line 2"): ("R-customer", "2026-09-10", "yes"),
        ("invoices", "invoice 3"): ("R-invoice", "2031-12-31", "no"),
        ("mail", "offset 0"): ("R-email", "2027-05-02", "no"),
        ("phone", "card 1"): (None, None, "no")}
    transfers = {k: r.storage["transfer"] for k, r in by.items()}
    assert transfers[("phone", "card 1")].startswith("Google LLC (US): EU-US Privacy Shield")
    assert [k for k, v in transfers.items() if v] == [("phone", "card 1")]


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


def test_nobody_found_is_an_answer_too(run_dir, tmp_path):
    rep = subject.access_report(run_dir, email="ei.ketaan@example.fi", lang="en")
    assert (rep.records, rep.subject_ids, rep.erasure_plan) == ([], [], [])
    html, _ = rep.write(tmp_path / "none")
    assert "No data is held about the person." in html.read_text(encoding="utf-8")


def test_html_and_json_escaped_bilingual_owner_only(run_dir, tmp_path):
    rep = subject.access_report(run_dir, email=TIMO[0])
    out = tmp_path / "a" / "b"
    html, js = rep.write(out, "fi")
    text = html.read_text(encoding="utf-8")
    assert "Tietopyyntö: henkilöstä tallennetut tiedot" in text and 'lang="fi"' in text
    assert "&lt;b&gt;muista&lt;/b&gt; &amp; soita" in text and "<b>muista" not in text
    assert "säilytä 2031-12-31 asti (Kirjanpitolaki 1336/1997 2:10)" in text
    assert "Heli Tervo" not in text and "aino" not in text.lower()
    assert "Access request: data held about the person" in rep.html("en")
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["as_of"] == "2026-12-31" and data["searched"]["email"] == TIMO[0]
    assert [(r["source"], r["record_ref"]) for r in data["records"]] == _places(rep)
    for p in (html, js):
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
    for d in (out, out.parent):
        assert stat.S_IMODE(os.stat(d).st_mode) == 0o700


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
    assert printed.startswith("4 records in 4 sources (1 subject id(s)); erasure: delete 3, "
                              "keep 1 under statutory retention\n")
    assert "timo" not in printed.lower()
    assert (tmp_path / "answer" / "subject.json").exists()
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
