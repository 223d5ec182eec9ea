"""Retention (READING.md §6) and the audit's clocks, on hand-built warehouses.

Each rule's SQL runs as the pipeline runs it (people resolved, facts written); the rows
are asserted exactly, so the month-end deadlines are pinned down.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from audit_kit import clock, pipeline, warehouse
from audit_kit.policy import default_policy_path, load_policy

POLICY = load_policy(default_policy_path())
AS_OF = dt.date(2026, 12, 31)
D = dt.date


def _sink(con, source, kind, system="billing"):
    sink = warehouse.SourceSink(con, source=source, kind=kind, system=system)
    return sink, sink.file(Path(__file__))


def _rows(con, as_of=AS_OF, policy=POLICY) -> dict[str, list[tuple]]:
    """rule id -> sorted (source, record_ref, severity) of every rule with rows."""
    pipeline.resolve_people(con, policy)
    ev = pipeline.evaluate(con, policy)
    return {rid: sorted((r[0], r[3], r[8]) for r in rows) for rid, rows in ev.rows.items() if rows}


# -- D + N months -----------------------------------------------------------------------------

@pytest.mark.parametrize(("d", "months"), [
    (D(2026, 6, 30), 6), (D(2026, 8, 31), 6), (D(2027, 8, 31), 6), (D(2026, 3, 31), 1),
    (D(2026, 1, 31), 1), (D(2023, 12, 31), 2), (D(2026, 12, 31), -6), (D(2024, 2, 29), 12),
    (D(2026, 5, 15), 0), (D(2020, 1, 1), 1200),
])
def test_add_months_is_duckdb_interval(d, months):
    got = duckdb.connect().execute(
        f"SELECT {clock.deadline_sql(f'DATE {chr(39)}{d}{chr(39)}', months)}").fetchone()[0]
    assert clock.add_months(d, months) == got


def test_deadline_is_start_plus_months_missed_after_it():
    assert clock.deadline(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert clock.deadline(D(2027, 8, 31), 6) == D(2028, 2, 29)
    # ended 30.6.2026: the deadline 30.12.2026 has passed at 31.12.2026
    assert clock.deadline_passed(D(2026, 6, 30), 6, D(2026, 12, 31))
    assert not clock.deadline_passed(D(2026, 6, 30), 6, D(2026, 12, 30))
    assert not clock.deadline_passed(D(2026, 7, 1), 6, D(2026, 12, 31))


def _month_end(con):
    """One person per §6 clock whose start was 30.6.2026 (deadline 30.12.2026, passed at
    the audit date 31.12.2026) and a look-alike a day later (deadline 1.1.2027)."""
    s, f = _sink(con, "customers", "customers_csv")
    s.record(f, "line 2", "customer_contact", person_name="Aino Salo",
             email="aino@as.example.fi", ended_on=D(2026, 6, 30))
    s.record(f, "line 3", "customer_contact", person_name="Eino Salo",
             email="eino@es.example.fi", ended_on=D(2026, 7, 1))
    s.record(f, "line 4", "customer_contact", person_name="Veli Määttä",   # asked for erasure
             email="veli@vm.example.fi")
    s.flush()
    s, f = _sink(con, "contracts", "service_contracts_csv")
    s.record(f, "line 2", "service_contact", person_name="Timo Tervo",
             email="timo@tt.example.fi", ended_on=D(2026, 6, 30))
    s.record(f, "line 3", "service_contact", person_name="Heli Tervo",
             email="heli@ht.example.fi", ended_on=D(2026, 7, 1))
    s.flush()
    s, f = _sink(con, "prospects", "marketing_list", "workstations")
    s.record(f, "row 2", "prospect", person_name="Esa Ahola", email="esa@ea.example.fi",
             last_activity=D(2026, 6, 30))
    s.record(f, "row 3", "prospect", person_name="Minna Ahola", email="minna@ma.example.fi",
             last_activity=D(2026, 7, 1))
    s.flush()
    s, f = _sink(con, "inbox", "mbox", "mail")
    s.record(f, "offset 0", "correspondent", person_name="Juha Kinnunen",
             email="juha@jk.example.fi", last_activity=D(2026, 6, 30))
    s.record(f, "offset 9", "correspondent", person_name="Outi Kinnunen",
             email="outi@ok.example.fi", last_activity=D(2026, 7, 1))
    s.flush()
    s, f = _sink(con, "maillog", "postfix_log", "mail")
    s.record(f, "line 1", "maillog_address", email="arto@ak.example.fi",
             last_activity=D(2026, 6, 30))
    s.record(f, "line 2", "maillog_address", email="sari@sk.example.fi",
             last_activity=D(2026, 7, 1))
    s.flush()
    s, f = _sink(con, "requests", "erasure_requests", "workstations")
    s.record(f, "line 2", "erasure_request", person_name="Veli Määttä",
             email="veli@vm.example.fi", requested_on=D(2026, 11, 30))
    s.record(f, "line 3", "erasure_request", person_name="Merja Määttä",
             email="merja@mm.example.fi", requested_on=D(2026, 12, 1))
    s.flush()


def test_month_end_deadlines_passed_one_day_before_the_audit_date():
    con = pipeline.open_warehouse(AS_OF)
    _month_end(con)
    rows = _rows(con)
    assert rows["R-customer"] == [("customers", "line 2", "error")]
    assert rows["R-service"] == [("contracts", "line 2", "error")]
    assert rows["R-marketing"] == [("prospects", "row 2", "error")]
    assert rows["R-email"] == [("inbox", "offset 0", "error")]
    assert rows["R-maillog"] == [("maillog", "line 1", "error")]
    # requested 30.11.: due 30.12., past; requested 1.12.: due 31.12., still open
    assert rows["R-erasure"] == [("customers", "line 4", "error")]
    assert rows["R-erasure-open"] == [("requests", "line 3", "info")]


def test_retention_detail_names_the_deadline():
    con = pipeline.open_warehouse(AS_OF)
    _month_end(con)
    pipeline.resolve_people(con, POLICY)
    ev = pipeline.evaluate(con, POLICY)
    assert [r[7] for r in ev.rows["R-customer"]] == [
        "ended 2026-06-30, deadline 2026-12-30 passed (6 months, §6)"]


# -- the statutory clock of accounting vouchers (KPL 2:10) ------------------------------------

def _policy(tmp_path, **accounting):
    import yaml

    from audit_kit.policy import load_policy

    raw = yaml.safe_load(default_policy_path().read_text(encoding="utf-8"))
    if accounting:
        raw["accounting"] = {**raw.get("accounting", {}), **accounting}
    else:
        raw.pop("accounting", None)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_policy(path)


@pytest.mark.parametrize(("year_end", "d", "want"), [
    ("31.12.", D(2019, 6, 15), D(2025, 12, 31)),
    ("31.12.", D(2019, 12, 31), D(2025, 12, 31)),
    ("31.12.", D(2020, 1, 1), D(2026, 12, 31)),
    # financial year ending 30.6.: the period of 15.10.2019 ends 30.6.2020
    ("30.6.", D(2019, 6, 30), D(2025, 12, 31)),
    ("30.6.", D(2019, 7, 1), D(2026, 12, 31)),
    ("30.6.", D(2019, 10, 15), D(2026, 12, 31)),
    # etasku.fi's worked example: period ending 31.3.2024 -> vouchers until 31.12.2030
    ("31.3.", D(2023, 4, 1), D(2030, 12, 31)),
    ("31.3.", D(2024, 3, 31), D(2030, 12, 31)),
    ("31.3.", D(2024, 4, 1), D(2031, 12, 31)),
    # a leap-day year end: 28.2. in other years
    ("29.2.", D(2023, 2, 28), D(2029, 12, 31)),
    ("29.2.", D(2023, 3, 1), D(2030, 12, 31)),
])
def test_voucher_window_in_python_and_sql(tmp_path, year_end, d, want):
    acc = _policy(tmp_path, financial_year_end=year_end).accounting
    assert clock.voucher_kept_until(d, acc) == want
    sql = clock.voucher_kept_until_sql(f"DATE '{d}'", acc)
    assert duckdb.connect().execute(f"SELECT {sql}").fetchone()[0] == want


def test_voucher_clock_defaults_and_years(tmp_path):
    acc = _policy(tmp_path).accounting  # no accounting: key
    assert (acc.voucher_years, acc.financial_year_end, acc.year_end) == (6, "31.12.", (12, 31))
    acc = _policy(tmp_path, voucher_years=10).accounting
    assert clock.voucher_kept_until(D(2019, 6, 1), acc) == D(2029, 12, 31)


@pytest.mark.parametrize("bad", ["31.13.", "30.2.", "6/30", "", "kesäkuu"])
def test_financial_year_end_must_be_a_day_and_month(tmp_path, bad):
    from audit_kit.errors import PolicyError

    with pytest.raises(PolicyError) as exc:
        _policy(tmp_path, financial_year_end=bad)
    assert exc.value.place == "key accounting.financial_year_end"
    assert "write it as D.M., e.g. 31.12. or 30.6." in exc.value.message


def _invoices(con):
    s, f = _sink(con, "invoices", "finvoice")
    for ref, d in (("invoice 1", D(2019, 6, 15)), ("invoice 2", D(2019, 10, 15)),
                   ("invoice 3", D(2020, 1, 2))):
        s.record(f, ref, "invoice_party", person_name="Pekka Salo",
                 email=f"p{ref[-1]}@ps.example.fi", last_activity=d)
    s.flush()


def test_r_invoice_follows_the_policys_financial_year(tmp_path):
    con = pipeline.open_warehouse(AS_OF)
    _invoices(con)
    assert _rows(con)["R-invoice"] == [("invoices", "invoice 1", "error"),
                                       ("invoices", "invoice 2", "error")]
    fy = _policy(tmp_path, financial_year_end="30.6.")
    assert _rows(con, policy=fy)["R-invoice"] == [("invoices", "invoice 1", "error")]
    ev = pipeline.evaluate(con, fy)
    assert [r[7] for r in ev.rows["R-invoice"]] == [
        "invoice of 2019-06-15, statutory retention (Kirjanpitolaki 1336/1997 2:10) ended "
        "2025-12-31"]


# -- the purpose ends for the person; status unknown; purpose unknown; holds --------------------

def _people(con):
    """Former customer Aino (ended 2024) in the phone backup, Google contacts and an
    invoice inside its window; Eino, also a former customer, still writes mail (a live
    purpose); Sari and Pekka known only from the phone; Veli a live customer with no
    activity for years; Leena a live customer invoiced last spring; a prospect with no
    marketing date; Kari banned marketing and left (the ban record is kept)."""
    s, f = _sink(con, "customers", "customers_csv")
    s.record(f, "line 2", "customer_contact", person_name="Aino Salo",
             email="aino@as.example.fi", phone="+358409001001", ended_on=D(2024, 11, 30))
    s.record(f, "line 3", "customer_contact", person_name="Eino Salo",
             email="eino@es.example.fi", ended_on=D(2024, 11, 30))
    s.record(f, "line 4", "customer_contact", person_name="Veli Määttä",
             email="veli@vm.example.fi")
    s.record(f, "line 5", "customer_contact", person_name="Leena Ahola",
             email="leena@la.example.fi")
    s.record(f, "line 6", "customer_contact", person_name="Kari Tervo",
             email="kari@kt.example.fi", ended_on=D(2025, 1, 31))
    s.flush()
    s, f = _sink(con, "phone", "vcard", "android_backup")
    s.record(f, "card 1", "phone_contact", person_name="Aino S", phone="+358409001001")
    s.record(f, "card 2", "phone_contact", person_name="Eino Salo", email="eino@es.example.fi")
    s.record(f, "card 3", "phone_contact", person_name="Sari Lukkari", phone="+358409003003")
    s.record(f, "card 4", "phone_contact", person_name="Pekka Pekkala", phone="+358409004004")
    s.record(f, "card 5", "phone_contact", person_name="Kari Tervo", email="kari@kt.example.fi")
    s.flush()
    s, f = _sink(con, "google", "google_contacts_csv", "android_backup")
    s.record(f, "line 2", "phone_contact", person_name="Aino Salo", email="aino@as.example.fi")
    s.record(f, "line 3", "phone_contact", person_name="Sari Lukkari", phone="+358409003003")
    s.flush()
    s, f = _sink(con, "invoices", "finvoice")
    s.record(f, "invoice 7", "invoice_party", person_name="Aino Salo",
             email="aino@as.example.fi", last_activity=D(2024, 6, 1))
    s.record(f, "invoice 8", "invoice_party", person_name="Leena Ahola",
             email="leena@la.example.fi", last_activity=D(2026, 4, 1))
    s.flush()
    s, f = _sink(con, "inbox", "mbox", "mail")
    s.record(f, "offset 0", "correspondent", person_name="Eino Salo",
             email="eino@es.example.fi", last_activity=D(2026, 11, 2))
    s.flush()
    s, f = _sink(con, "prospects", "marketing_list", "workstations")
    s.record(f, "row 2", "prospect", person_name="Juha Kinnunen", email="juha@jk.example.fi")
    s.flush()
    s, f = _sink(con, "optouts", "marketing_optouts", "workstations")
    s.record(f, "line 2", "marketing_optout", person_name="Kari Tervo",
             email="kari@kt.example.fi", requested_on=D(2024, 3, 1))
    s.flush()


def test_every_purpose_ended_each_other_appearance_is_a_finding():
    con = pipeline.open_warehouse(AS_OF)
    _people(con)
    rows = _rows(con)
    # Aino and Kari: every purpose ended; their phone and Google contacts are findings;
    # Aino's invoice is inside its window and Kari's ban record is kept: neither counts.
    # Eino's mail of November is a live purpose.
    assert rows["R-person"] == [("google", "line 2", "error"), ("phone", "card 1", "error"),
                                ("phone", "card 5", "error")]
    assert rows["R-customer"] == [("customers", "line 2", "error"),
                                  ("customers", "line 3", "error"),
                                  ("customers", "line 6", "error")]
    pipeline.resolve_people(con, POLICY)
    ev = pipeline.evaluate(con, POLICY)
    assert {r[7] for r in ev.rows["R-person"] if r[3] == "card 1"} == {
        "every purpose ended, the last deadline 2025-05-30 passed (§6, GDPR Art. 5(1)(e))"}


def test_purpose_unknown_is_one_info_row_per_person():
    con = pipeline.open_warehouse(AS_OF)
    _people(con)
    # Sari (card 3 and Google line 3: one person, her first record) and Pekka
    assert _rows(con)["R-purpose-unknown"] == [("phone", "card 3", "info"),
                                               ("phone", "card 4", "info")]


def test_status_unknown_customer_without_end_and_prospect_without_date():
    con = pipeline.open_warehouse(AS_OF)
    _people(con)
    rows = _rows(con)
    # Veli: no end date, no invoice, contract or mail; Leena was invoiced in April
    assert rows["R-status"] == [("customers", "line 4", "warning"),
                                ("prospects", "row 2", "warning")]


def test_a_customer_invoiced_within_24_months_is_not_status_unknown():
    con = pipeline.open_warehouse(AS_OF)
    s, f = _sink(con, "customers", "customers_csv")
    s.record(f, "line 2", "customer_contact", person_name="Veli Määttä", email="veli@vm.example.fi")
    s.flush()
    s, f = _sink(con, "invoices", "finvoice")
    for ref, d in (("invoice 1", D(2024, 12, 30)), ("invoice 2", D(2024, 12, 31))):
        s.record(f, ref, "invoice_party", person_name="Veli Määttä", email="veli@vm.example.fi",
                 last_activity=d)
    s.flush()
    assert "R-status" not in _rows(con)  # 31.12.2024 + 24 months = 31.12.2026: not passed
    con.execute("DELETE FROM record_rows WHERE record_ref = 'invoice 2'")
    assert _rows(con)["R-status"] == [("customers", "line 2", "warning")]  # 30.12.2026: passed


def _holds(con):
    s, f = _sink(con, "holds", "retention_holds", "workstations")
    s.record(f, "line 2", "retention_hold", person_name="Aino Salo",
             email="aino@as.example.fi", ended_on=D(2027, 6, 30))
    s.record(f, "line 3", "retention_hold", ended_on=D(2026, 9, 30))
    s.field(f, "line 3", "non_personal", "Asiakasnumero", "1006")
    s.flush()
    s, f = _sink(con, "customers2", "customers_csv")
    s.field(f, "line 9", "non_personal", "Asiakasnumero", "1006")
    s.record(f, "line 9", "customer_contact", person_name="Kari Tervo",
             email="kari@kt.example.fi", ended_on=D(2025, 1, 31))
    s.flush()


def test_a_running_hold_makes_the_persons_findings_info_an_ended_one_does_not():
    con = pipeline.open_warehouse(AS_OF)
    _people(con)
    _holds(con)
    pipeline.resolve_people(con, POLICY)
    ev = pipeline.evaluate(con, POLICY)
    got = {rid: sorted((r[0], r[3], r[7], r[8]) for r in rows)
           for rid, rows in ev.rows.items() if rid in ("R-held", "R-person", "R-customer")}
    held = "; held until 2027-06-30 (holds line 2)"
    ended = "; hold ended 2026-09-30 (holds line 3)"
    person = "every purpose ended, the last deadline {} passed (§6, GDPR Art. 5(1)(e))"
    assert got["R-held"] == [
        ("customers", "line 2", "R-customer: ended 2024-11-30, deadline 2025-05-30 passed "
                                "(6 months, §6)" + held, "info"),
        ("google", "line 2", "R-person: " + person.format("2025-05-30") + held, "info"),
        ("phone", "card 1", "R-person: " + person.format("2025-05-30") + held, "info")]
    # Kari's hold named his customer number and ended 30.9.2026: findings again
    assert got["R-person"] == [("phone", "card 5", person.format("2025-07-31") + ended, "error")]
    assert got["R-customer"] == [
        ("customers", "line 3", "ended 2024-11-30, deadline 2025-05-30 passed (6 months, §6)",
         "error"),
        ("customers", "line 6", "ended 2025-01-31, deadline 2025-07-31 passed (6 months, §6)"
         + ended, "error"),
        ("customers2", "line 9", "ended 2025-01-31, deadline 2025-07-31 passed (6 months, §6)"
         + ended, "error")]
    # half a year later the first hold has ended too (and Eino's mail of 2.11.2026 is
    # past its six months: his phone contact follows)
    con.execute("UPDATE audit_params SET as_of = DATE '2027-07-01'")
    ev = pipeline.evaluate(con, POLICY)
    assert ev.rows["R-held"] == []
    assert sorted(r[3] for r in ev.rows["R-person"]) == ["card 1", "card 2", "card 5", "line 2"]


# -- voucher-safe actions: a not-allowed value in an invoice inside its window ---------------

def _vouchers(con):
    s, f = _sink(con, "invoices", "finvoice")
    for ref, d in (("invoice 1", D(2025, 4, 15)), ("invoice 2", D(2018, 11, 20))):
        s.record(f, ref, "invoice_party", person_name="Pirjo Koskela",
                 email=f"p{ref[-1]}@pk.example.fi", last_activity=d)
        s.field(f, ref, "hetu", "BuyerPartyIdentifier", "131052-308T")
    s.flush()
    s, f = _sink(con, "customers", "customers_csv")
    s.record(f, "line 2", "customer_contact", person_name="Pirjo Koskela",
             email="p1@pk.example.fi")
    s.field(f, "line 2", "hetu", "Lisätiedot", "131052-308T")
    s.flush()


def test_an_invoice_inside_its_window_is_kept_unchanged_never_edited():
    con = pipeline.open_warehouse(AS_OF)
    _vouchers(con)
    pipeline.resolve_people(con, POLICY)
    ev = pipeline.evaluate(con, POLICY)
    got = {rid: sorted((r[0], r[3], r[6], r[7]) for r in ev.rows[rid])
           for rid in ("M-field", "M-voucher")}
    assert got["M-voucher"] == [
        ("invoices", "invoice 1", "hetu", "not allowed by §5: BuyerPartyIdentifier; voucher "
                                          "kept unchanged until 2031-12-31 (KPL 2:10)")]
    # past its window (kept until 31.12.2024) the invoice may go: an ordinary finding
    assert got["M-field"] == [
        ("customers", "line 2", "hetu", "not allowed by §5: Lisätiedot"),
        ("invoices", "invoice 2", "hetu", "not allowed by §5: BuyerPartyIdentifier")]


def test_the_voucher_action_keeps_restricts_and_stops_in_finnish():
    from audit_kit.findings import Finding
    from audit_kit.report.actions import actions
    from audit_kit.report.i18n import field_name

    as_of = dt.date(2026, 12, 31)

    def f(ref, until):
        return Finding("M-voucher", "minimisation", "error", "invoices", "finvoice", "", ref,
                       "S-1", "", "", "hetu", "not allowed by §5: BuyerPartyIdentifier; voucher "
                       f"kept unchanged until {until} (KPL 2:10)")

    (one,) = actions([f("invoice 1", "2031-12-31")], "fi", as_of=as_of)
    assert one.text == ("Säilytä tämä tosite muuttamattomana 31.12.2031 asti, rajaa pääsy "
                        "siihen äläkä kirjoita tällaisia tietoja "
                        f"({field_name('hetu', 'fi')}) uusiin laskuihin.")
    (two,) = actions([f("invoice 1", "2031-12-31"), f("invoice 3", "2032-12-31")], "en",
                     as_of=as_of)
    assert two.text == ("Keep these 2 vouchers unchanged until 2032-12-31, restrict access to "
                        f"them and stop writing such data ({field_name('hetu', 'en')}) on new "
                        "invoices.")
