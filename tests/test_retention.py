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
        s.record(f, ref, "invoice_party", person_name="Pekka Salo", email=f"p{ref[-1]}@ps.example.fi",
                 last_activity=d)
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
