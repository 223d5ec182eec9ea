"""Rights rules (READING.md §8) and the statement's own gaps, on a hand-built warehouse.

Each rule's SQL runs as the pipeline runs it; the rows are asserted exactly, detail
included, so a person linked only by phone, invoices under the Accounting Act, namesakes,
fresh requests and tombstones dated after the audit are all pinned down.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from audit_kit import people, pipeline, subject, warehouse
from audit_kit.context import RunContext
from audit_kit.errors import ConfigError, InputError
from audit_kit.policy import StatementClaims, default_policy_path, load_policy
from audit_kit.rules.statement import statement_checks

POLICY = load_policy(default_policy_path())
AS_OF = dt.date(2026, 12, 31)
D = dt.date


@pytest.fixture()
def tombstones(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "private" / "tombstones.txt"
    monkeypatch.setenv(subject.TOMBSTONES_ENV, str(path))
    return path


def _sink(con, source, kind, system="billing"):
    sink = warehouse.SourceSink(con, source=source, kind=kind, system=system)
    return sink, sink.file(Path(__file__))


def _company(con):
    """The records every test here audits."""
    s, f = _sink(con, "erasure-requests", "erasure_requests", "workstations")
    s.record(f, "line 2", "erasure_request", person_name="Ilkka Koskela",
             email="ilkka@kk.example.fi", requested_on=D(2026, 10, 1))
    s.record(f, "line 3", "erasure_request", person_name="Outi Ahola",
             email="outi@oa.example.fi", requested_on=D(2026, 12, 20))
    s.record(f, "line 4", "erasure_request", person_name="Kari Tervo",        # gone: fine
             email="kari@kt.example.fi", requested_on=D(2026, 5, 1))
    s.flush()
    s, f = _sink(con, "customers", "customers_csv")
    s.record(f, "line 5", "customer_contact", person_name="Ilkka Koskela",
             email="ilkka@kk.example.fi", phone="+358409001001")
    s.record(f, "line 6", "customer_contact", person_name="Ilkka Koskela",    # namesake
             email="ilkka.koskela@muu.example.fi", phone="+358409001009")
    s.record(f, "line 7", "customer_contact", person_name="Outi Ahola", email="outi@oa.example.fi")
    s.flush()
    s, f = _sink(con, "phone", "vcard", "android_backup")
    s.record(f, "card 3", "phone_contact", person_name="Ilkka K", phone="+358409001001")
    s.record(f, "card 4", "phone_contact", person_name="Juha", phone="+358409002002")
    s.flush()
    s, f = _sink(con, "invoices", "finvoice")
    s.record(f, "invoice 7", "invoice_party", person_name="Ilkka Koskela",
             email="ilkka@kk.example.fi", last_activity=D(2024, 3, 1))
    s.record(f, "invoice 2", "invoice_party", person_name="Ilkka Koskela",
             email="ilkka@kk.example.fi", last_activity=D(2019, 3, 1))
    s.record(f, "invoice 9", "invoice_party", person_name="Juha Pekkala",
             email="juha@jp.example.fi", last_activity=D(2025, 3, 1))
    s.flush()
    s, f = _sink(con, "optouts", "marketing_optouts", "workstations")
    s.record(f, "line 2", "marketing_optout", person_name="Sari Lukkari", phone="+358409003003",
             requested_on=D(2026, 9, 1))
    s.record(f, "line 3", "marketing_optout", person_name="Merja Ylönen",
             email="merja@my.example.fi", requested_on=D(2026, 11, 15))
    s.record(f, "line 4", "marketing_optout", person_name="Ilkka Koskela",   # also erasure
             email="ilkka@kk.example.fi", requested_on=D(2026, 10, 5))
    s.record(f, "line 5", "marketing_optout", person_name="Juha", email="juha@jp.example.fi",
             requested_on=D(2026, 5, 1))                                  # also tombstoned
    s.record(f, "line 6", "marketing_optout", person_name="Eija Niskanen",
             email="eija@en.example.fi", requested_on=D(2026, 11, 20))
    s.record(f, "line 7", "marketing_optout", person_name="Timo Salo",
             email="timo@ts.example.fi", requested_on=D(2026, 10, 15))
    s.record(f, "line 8", "marketing_optout", person_name="Heli Tervo",
             email="heli@ht.example.fi", requested_on=D(2026, 10, 15))
    s.record(f, "line 9", "marketing_optout", person_name="Esa Salo",        # after the audit
             email="esa@es.example.fi", requested_on=D(2027, 1, 2))
    s.flush()
    s, f = _sink(con, "prospects", "marketing_list", "workstations")
    s.record(f, "row 2", "prospect", person_name="Sari Lukkari", email="sari@sl.example.fi",
             phone="+358409003003", last_activity=D(2026, 11, 1))
    s.record(f, "row 3", "prospect", person_name="Merja Ylönen", email="merja@my.example.fi",
             last_activity=D(2026, 10, 1))                                    # before the ban
    s.record(f, "row 4", "prospect", person_name="Juha Pekkala", email="juha@jp.example.fi",
             last_activity=D(2026, 11, 1))
    s.record(f, "row 5", "prospect", person_name="Veli Määttä", email="veli@vm.example.fi",
             last_activity=D(2026, 11, 1))
    s.record(f, "row 6", "prospect", person_name="Eija Niskanen", email="eija@en.example.fi",
             last_activity=D(2026, 11, 20))                               # the ban's day
    s.record(f, "row 7", "prospect", person_name="Timo Salo", email="timo@ts.example.fi",
             last_activity=D(2026, 9, 1), decision="banned")              # marked: fine
    s.record(f, "row 8", "prospect", person_name="Heli Tervo", email="heli@ht.example.fi")
    s.record(f, "row 9", "prospect", person_name="Esa Salo", email="esa@es.example.fi",
             last_activity=D(2026, 12, 1))                                # ban after as_of
    s.flush()


def _audit(con, config_dir: Path | None = None) -> dict[str, list[tuple]]:
    """The rights rules' rows as the run gets them: (source, record_ref, detail, severity)."""
    pipeline.resolve_people(con, POLICY, base=config_dir)
    ev = pipeline.evaluate(con, POLICY)
    return {r.rule_id: sorted((row[0], row[3], row[7], row[8]) for row in ev.rows[r.rule_id])
            for r in ev.rules if r.category == "rights"}


@pytest.fixture()
def found(tombstones):
    subject.forget("Juha@JP.example.fi", "040 900 2002", erased_on=D(2026, 6, 1))
    subject.forget("veli@vm.example.fi", erased_on=D(2027, 1, 10))  # after the audit date
    con = pipeline.open_warehouse(AS_OF)
    _company(con)
    return _audit(con)


def test_the_rights_rules(found):
    assert sorted(found) == ["R-ban", "R-ban-listed", "R-ban-same-day", "R-erasure",
                             "R-erasure-open", "R-erasure-refused", "R-tombstone"]


def test_erasure_every_place_the_person_still_appears(found):
    why = ("still present; erasure requested 2026-10-01 (erasure-requests line 2), due "
           "2026-11-01, no decision recorded (§8, GDPR Art. 17; time limit Art. 12(3))")
    assert found["R-erasure"] == [
        ("customers", "line 5", why, "error"),
        ("invoices", "invoice 2", why, "error"),  # past its Accounting Act period
        ("phone", "card 3", why, "error"),        # phone only: linked through line 5
    ]  # not the ban list's line 4: the ban record is how the ban is honoured


def test_open_erasure_request_is_info_once(found):
    assert found["R-erasure-open"] == [
        ("erasure-requests", "line 3",
         "open: erasure requested 2026-12-20 (erasure-requests line 3), due 2027-01-20, no "
         "decision recorded (§8, GDPR Art. 17; time limit Art. 12(3))", "info")]


def test_marketing_after_a_ban(found):
    assert found["R-ban"] == [
        ("prospects", "row 2", "marketed on 2026-11-01 after a direct-marketing ban received "
                               "2026-09-01 (optouts line 2; §8, GDPR Art. 21(3))", "error"),
        ("prospects", "row 4", "marketed on 2026-11-01 after a direct-marketing ban received "
                               "2026-05-01 (optouts line 5; §8, GDPR Art. 21(3))", "error"),
    ]  # Esa's ban arrives after the audit date


def test_marketing_on_the_ban_day_is_a_warning(found):
    assert found["R-ban-same-day"] == [
        ("prospects", "row 6", "marketed on 2026-11-20, the day of a direct-marketing ban "
                               "received 2026-11-20 (optouts line 6; §8, GDPR Art. 21(3))",
         "warning")]


def test_banned_but_listed_without_a_marker_is_a_warning(found):
    assert found["R-ban-listed"] == [
        ("prospects", "row 3", "still on the marketing list without a ban marker after a "
                               "direct-marketing ban received 2026-11-15 (optouts line 3; §8, "
                               "GDPR Art. 21(3))", "warning"),
        ("prospects", "row 8", "still on the marketing list without a ban marker after a "
                               "direct-marketing ban received 2026-10-15 (optouts line 8; §8, "
                               "GDPR Art. 21(3))", "warning"),
    ]  # row 7's list marks the ban


def test_tombstoned_person_reappears(found):
    why = "erased person appears again: erasure recorded 2026-06-01 (tombstone; §8, GDPR Art. 17)"
    assert found["R-tombstone"] == [
        ("phone", "card 4", why, "warning"),      # phone only, in another format
        ("prospects", "row 4", why, "warning"),   # e-mail given in another case
    ]  # invoice 9 is kept by the Accounting Act, the ban list's line 5 is the ban itself;
    # veli's erasure is after the audit date


# -- erasure requests: due dates (D + N months), extensions, decisions ------------------

_ART17 = "(§8, GDPR Art. 17; time limit Art. 12(3))"


def _one_request(as_of: dt.date, received: dt.date, present: bool = True, **request):
    """A warehouse with one erasure request (line 2) and, if *present*, the person in the
    customer register and on the ban list; the rights rules' rows for it."""
    con = pipeline.open_warehouse(as_of)
    s, f = _sink(con, "erasure-requests", "erasure_requests", "workstations")
    s.record(f, "line 2", "erasure_request", person_name="Outi Ahola", email="outi@oa.example.fi",
             requested_on=received, **request)
    s.flush()
    s, f = _sink(con, "optouts", "marketing_optouts", "workstations")
    s.record(f, "line 2", "marketing_optout", email="outi@oa.example.fi",
             requested_on=D(2026, 1, 5))
    s.flush()
    if present:
        s, f = _sink(con, "customers", "customers_csv")
        s.record(f, "line 7", "customer_contact", person_name="Outi Ahola",
                 email="outi@oa.example.fi")
        s.flush()
    return {k: v for k, v in _audit(con).items() if v}


@pytest.mark.parametrize(("received", "as_of", "extended", "rule", "due"), [
    # a month after 31.10. is 30.11.: due that day, missed from the next
    (D(2026, 10, 31), D(2026, 11, 30), None, "R-erasure-open", "2026-11-30"),
    (D(2026, 10, 31), D(2026, 12, 1), None, "R-erasure", "2026-11-30"),
    # as_of - 1 month would be 30.11.: not yet "older than a month", yet due 30.12.
    (D(2026, 11, 30), D(2026, 12, 31), None, "R-erasure", "2026-12-30"),
    # a recorded extension: three months
    (D(2026, 10, 15), D(2026, 12, 31), True, "R-erasure-open", "2027-01-15"),
    (D(2026, 9, 30), D(2026, 12, 31), True, "R-erasure", "2026-12-30"),
    (D(2026, 9, 30), D(2026, 12, 31), False, "R-erasure", "2026-10-30"),
])
def test_erasure_due_date_is_receipt_plus_months(received, as_of, extended, rule, due):
    got = _one_request(as_of, received, extended=extended)
    words = (f"erasure requested {received.isoformat()} (erasure-requests line 2), due {due}"
             + (" (deadline extended)" if extended else "") + ", no decision recorded " + _ART17)
    if rule == "R-erasure-open":
        assert got == {rule: [("erasure-requests", "line 2", "open: " + words, "info")]}
    else:  # the customer row; the ban list's row is kept
        assert got == {rule: [("customers", "line 7", "still present; " + words, "error")]}


def test_an_extended_request_past_its_due_date_in_finnish():
    """R-erasure's Finnish detail of a request with a recorded extension: the same
    values, d.m.yyyy, the provisions cited the Finnish way."""
    con = pipeline.open_warehouse(AS_OF)
    s, f = _sink(con, "erasure-requests", "erasure_requests", "workstations")
    s.record(f, "line 2", "erasure_request", email="outi@oa.example.fi",
             requested_on=D(2026, 9, 30), extended=True)
    s.flush()
    s, f = _sink(con, "customers", "customers_csv")
    s.record(f, "line 7", "customer_contact", person_name="Outi Ahola", email="outi@oa.example.fi")
    s.flush()
    pipeline.resolve_people(con, POLICY)
    rows = pipeline.evaluate(con, POLICY).rows["R-erasure"]
    assert [(r[0], r[3], r[9]) for r in rows] == [(
        "customers", "line 7",
        "yhä tallessa; poistopyyntö saapunut 30.9.2026 (erasure-requests rivi 2), määräpäivä "
        "30.12.2026 (määräaikaa jatkettu), päätöstä ei ole kirjattu (seloste §8; "
        "tietosuoja-asetus 17 art., määräaika 12 art. 3)")]


def test_erased_request_is_checked_whatever_its_due_date():
    words = ("erasure requested 2026-12-10 (erasure-requests line 2), due 2027-01-10, recorded "
             "as erased on 2026-12-12 " + _ART17)
    got = _one_request(AS_OF, D(2026, 12, 10), decision="erased", decided_on=D(2026, 12, 12))
    assert got == {"R-erasure": [("customers", "line 7", "still present; " + words, "error")]}
    # erased and gone (only the ban record is left): nothing to report
    assert _one_request(AS_OF, D(2026, 10, 10), present=False, decision="erased") == {}


def test_refused_with_a_reason_is_info_without_one_no_decision():
    got = _one_request(AS_OF, D(2026, 9, 1), decision="refused",
                       reason="voimassa oleva huoltosopimus")
    assert got == {"R-erasure-refused": [(
        "erasure-requests", "line 2", "erasure requested 2026-09-01 (erasure-requests line 2), "
        "due 2026-10-01, refused with a recorded reason (§8, GDPR Art. 17(3))", "info")]}
    got = _one_request(AS_OF, D(2026, 9, 1), decision="refused", reason="  ")
    assert got == {"R-erasure": [(
        "customers", "line 7", "still present; erasure requested 2026-09-01 (erasure-requests "
        "line 2), due 2026-10-01, refused without a recorded reason " + _ART17, "error")]}


def test_overdue_request_whose_person_is_gone_but_banned_is_no_finding():
    """The ban record alone is not the person "still present"."""
    assert _one_request(AS_OF, D(2026, 6, 1), present=False) == {}


def test_no_rights_text_gives_a_ban_a_grace_period_or_deletes_the_ban_record():
    from audit_kit.report.i18n import PROMISES
    from audit_kit.rules.rights import TEXTS

    texts = [t for rule in TEXTS.values() for part in rule.values() for t in part.values()]
    texts += PROMISES["rights"].values()
    assert not [t for t in texts if "kuukauden kuluessa" in t or "within a month of" in t]
    for rid, rule in TEXTS.items():
        cites = {"fi": "artikla", "en": "Art. "}
        for lang, text in rule["checks"].items():
            assert "§8" in text and cites[lang] in text, (rid, lang)


def test_tombstone_file_keeps_no_identifiers(tombstones):
    res = subject.forget("Juha@JP.example.fi", "040 900 2002", erased_on=D(2026, 6, 1))
    assert (res.added, res.already, res.path) == (2, 0, tombstones)
    again = subject.forget("juha@jp.example.fi", erased_on=D(2026, 7, 1))
    assert (again.added, again.already) == (0, 1)
    text = tombstones.read_text(encoding="utf-8")
    assert "juha" not in text.lower() and "9002002" not in text and "+358" not in text
    lines = [x for x in text.splitlines() if not x.startswith("#")]
    assert [x.split("\t")[1:] for x in lines] == [["email", "2026-06-01"], ["phone", "2026-06-01"]]
    key = people.subject_key()
    assert lines[0].split("\t")[0] == subject.tombstone_hash("email", "juha@jp.example.fi", key)
    assert f"# key-id: {subject.key_id(key)}" in text
    assert stat.S_IMODE(os.stat(tombstones).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tombstones.parent).st_mode) == 0o700


def test_forget_refuses_role_mailboxes_and_names(tombstones):
    with pytest.raises(ConfigError, match="role mailbox"):
        subject.forget("myynti@kk.example.fi")
    with pytest.raises(ConfigError, match="a name alone never identifies"):
        subject.forget()
    with pytest.raises(ConfigError, match="not a phone number"):
        subject.forget(phone="abc")
    assert not tombstones.exists()


def test_tombstones_beside_the_config_with_the_demo_key(tombstones, tmp_path):
    cfg = tmp_path / "company"
    subject.write_tombstones(cfg / subject.TOMBSTONE_FILE, [("email", "veli@vm.example.fi")],
                             key=subject.DEMO_KEY, kid=subject.DEMO_KEY_ID,
                             erased_on=D(2026, 2, 1))
    con = pipeline.open_warehouse(AS_OF)
    _company(con)
    got = _audit(con, cfg)["R-tombstone"]
    assert got == [("prospects", "row 5", "erased person appears again: erasure recorded "
                                          "2026-02-01 (tombstone; §8, GDPR Art. 17)", "warning")]


def test_tombstones_of_an_unknown_key_are_an_error(tombstones):
    subject.write_tombstones(tombstones, [("email", "a@b.example.fi")], key=b"k" * 32,
                             kid="0123456789abcdef", erased_on=D(2026, 1, 1))
    con = pipeline.open_warehouse(AS_OF)
    _company(con)
    with pytest.raises(InputError, match="unknown key"):
        _audit(con)
    with pytest.raises(ConfigError, match="another key"):
        subject.forget("a@b.example.fi")


@pytest.mark.parametrize(("text", "place"), [
    ("0" * 64 + "\temail\t2026-01-01\n", "line 1"),                      # no key-id line
    ("# key-id: demo\n" + "0" * 63 + "\temail\t2026-01-01\n", "line 2"),  # short hash
    ("# key-id: demo\n" + "0" * 64 + "\tname\t2026-01-01\n", "line 2"),   # not email/phone
    ("# key-id: demo\n\n" + "0" * 64 + "\tphone\t1.1.2026\n", "line 3"),  # date format
])
def test_malformed_tombstone_file(tmp_path, text, place):
    p = tmp_path / "tombstones.txt"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        subject.read_tombstones(p)
    assert err.value.place == place


def test_no_tombstones_gives_empty_tables(tombstones):
    con = pipeline.open_warehouse(AS_OF)
    _company(con)
    assert _audit(con)["R-tombstone"] == []
    assert con.execute("SELECT count(*) FROM tombstones").fetchall() == [(0,)]


# -- the statement's gaps (READING.md "GDPR Art. 13 completeness" and §10, §12) -------------

def test_statement_findings_exact_set():
    checks = statement_checks(RunContext(POLICY, AS_OF))
    failed = {(c, s, sev) for c, s, f, sev, _, _ in checks if f}
    assert failed == {
        ("S-privacy-shield", "10", "error"), ("S-no-transfers-claim", "10", "error"),
        ("S-backup-transfer", "10", "error"), ("S-wordfence", "12", "warning"),
        ("S-legal-basis", "4", "error"), ("S-weblog-retention", "12", "warning"),
        ("S-portability", "8", "warning"), ("S-restriction", "8", "warning"),
        ("S-purposes", "4", "error"), ("S-legitimate-interest", "4", "error"),
        ("S-accounting-retention", "6", "error"), ("S-recipients", "9", "error"),
        ("S-sources", "7", "warning"), ("S-objection", "8", "error"),
    }
    details = {c: d for c, _, f, _, d, _ in statement_checks(RunContext(POLICY, AS_OF)) if f}
    assert "android_backup (Google LLC, US)" in details["S-no-transfers-claim"]
    assert "website (Wordfence by Defiant Inc., US)" in details["S-no-transfers-claim"]
    assert details["S-backup-transfer"].endswith(": android_backup")


def test_statement_checks_read_the_policy_not_the_system_names():
    """Which system is a backup and which transfer the statement leaves out are policy
    entries: renamed systems and providers give the same checks."""
    renamed = POLICY.model_copy(update={"systems": {
        {"android_backup": "phone_cloud", "website": "web"}.get(k, k): v.model_copy(
            update={"provider": "Acme"}) for k, v in POLICY.systems.items()}})
    renamed = renamed.model_copy(update={"statement": renamed.statement.model_copy(update={
        "unmentioned_transfers": [u.model_copy(update={"system": "web"})
                                  for u in POLICY.statement.unmentioned_transfers]})})
    def failed(p):
        return {c for c, _, f, _, _, _ in statement_checks(RunContext(p, AS_OF)) if f}

    assert failed(renamed) == failed(POLICY)
    no_backup = POLICY.model_copy(update={"systems": {
        k: v.model_copy(update={"backup": False}) for k, v in POLICY.systems.items()}})
    assert failed(POLICY) - failed(no_backup) == {"S-backup-transfer"}


def test_statement_findings_once_per_run_as_rule_rows():
    con = pipeline.open_warehouse(AS_OF)
    pipeline.resolve_people(con, POLICY)
    ev = pipeline.evaluate(con, POLICY)
    (rule,) = (r for r in ev.rules if r.rule_id == "S-statement")
    rows = [(row[0], row[3], row[6]) for row in ev.rows[rule.rule_id]]
    assert sorted(rows) == sorted([
        ("statement", "§10", "S-privacy-shield"), ("statement", "§10", "S-no-transfers-claim"),
        ("statement", "§10", "S-backup-transfer"), ("statement", "§12", "S-wordfence"),
        ("statement", "§4", "S-legal-basis"), ("statement", "§12", "S-weblog-retention"),
        ("statement", "§8", "S-portability"), ("statement", "§8", "S-restriction"),
        ("statement", "§4", "S-purposes"), ("statement", "§4", "S-legitimate-interest"),
        ("statement", "§6", "S-accounting-retention"), ("statement", "§9", "S-recipients"),
        ("statement", "§7", "S-sources"), ("statement", "§8", "S-objection"),
    ])


def test_a_complete_statement_has_no_gaps():
    fixed = POLICY.model_copy(update={
        "statement": StatementClaims(
            claims_no_transfers_outside_eu=False, mechanism_named="dpf",
            unmentioned_transfers=[], legal_basis_named=True,
            web_log_retention_stated=True,
            rights_listed=[*POLICY.statement.rights_listed, "portability", "restriction"],
            accounting_retention_stated=True, deletes_when_relationship_ends=False,
            purposes_stated=list(POLICY.purposes),
            legitimate_interest_named=True,
            recipients_named=sorted({s.provider for s in POLICY.systems.values()}),
            data_from_person_only=False, objection_conditional=False),
        "systems": {k: v for k, v in POLICY.systems.items() if v.country in ("FI", "DE")},
    })
    assert [c for c, _, f, _, _, _ in statement_checks(RunContext(fixed, AS_OF)) if f] == []


def test_policy_refuses_an_extension_shorter_than_the_deadline(tmp_path):
    from audit_kit.errors import PolicyError

    text = default_policy_path().read_text(encoding="utf-8")
    bad = tmp_path / "policy.yaml"
    bad.write_text(text.replace("extended_months: 3", "extended_months: 0"), encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(bad)
    assert err.value.place == "key rights.erasure.extended_months"
    bad.write_text(text.replace("deadline_months: 1, extended_months: 3",
                                "deadline_months: 4, extended_months: 3"), encoding="utf-8")
    with pytest.raises(PolicyError, match="extension lengthens the deadline"):
        load_policy(bad)
