"""Demo retention plants (READING.md §6), each a named function.

Runs after every source kind's writer (:data:`audit_kit.demo.SCENARIOS`), so the people
it draws come last and what the writers before it wrote stays as it was; it adds its
rows to those exports where an owner would find them (the customer register, the
phone's vCard export, the trade-fair list, the invoice folder) and writes the holds list.

* :func:`live_customers_invoiced`: every live customer without an invoice yet gets one
  (a customer with no end date is live while invoices, contracts or mail show it);
* :func:`customer_without_end_date`: a customer since 2018, no end date, no invoice,
  contract or mail since: ``R-status`` (warning, status unknown);
* :func:`prospect_without_date`: a trade-fair prospect with no marketing date:
  ``R-status`` (warning);
* :func:`former_customer_in_phone`: a customer who left two years ago is still in the
  phone's contacts: ``R-customer`` on the register row, ``R-person`` on the card (every
  purpose ended; phone contacts have no clock of their own) and the card's ``T-system``;
* :func:`holds`: the statement's agreed longer retention and a legal claim, recorded in
  ``rights/sailytys.csv`` (a ``retention_holds`` source): a former customer held by
  e-mail until 30.6.2027 (``R-held``, info, instead of ``R-customer``), another held by
  customer number until 30.9.2026 (ended: ``R-customer``, an error again);
* :func:`voucher_outside_window`: a private buyer's identity code on an invoice of 2018,
  past its window: ``R-invoice`` and an ordinary ``M-field`` (the invoice inside its
  window with an identity code is the invoice writer's ``M-voucher``);
* :func:`clock_mover`: an invoice of 15.10.2019. With the financial year ending 31.12.
  (the shipped policy) its period ended 31.12.2019 and the Accounting Act keeps it until
  31.12.2025: ``R-invoice``. With a financial year ending 30.6. (:data:`FY_0630`, the
  second demo policy) its period ended 30.6.2020: kept until 31.12.2026, no finding.
  Exactly this finding is where the two clocks differ.

The month-end case (a customer who left 30.6.2026) is the customer register's own plant
(:mod:`audit_kit.demo.tabular`); invoices inside and outside their window are the
invoice writer's (:mod:`audit_kit.demo.finvoice`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from audit_kit.demo import DemoContext, Person
from audit_kit.demo.contacts import VCF_SOURCE, _card
from audit_kit.demo.finvoice import SOURCE as INVOICES
from audit_kit.demo.finvoice import _hetu, _invoice

#: the second demo policy: the shipped one with the financial year ending 30.6.
#: (``accounting.financial_year_end``); tests/test_demo_audit.py audits the demo with it
FY_0630 = {"accounting": {"financial_year_end": "30.6."}}

CUSTOMERS = "billing-customers"
FAIR = "prospects-fair"
HOLDS = "retention-holds"
NL, BEGIN = b"\n", b"BEGIN:VCARD"


def _fi(d: dt.date | None) -> str:
    return f"{d.day}.{d.month}.{d.year}" if d else ""


def _append_csv(path: Path, row: list[str], *, encoding: str, delimiter: str) -> str:
    """Append *row* to an export written before (its encoding, delimiter, CRLF); its
    ``line N`` (no cell of these exports spans lines)."""
    data = path.read_bytes()
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerow(row)
    path.write_bytes(data + buf.getvalue().encode(encoding))
    return f"line {data.count(NL) + 1}"


def _customer(ctx: DemoContext, p: Person, *, since: dt.date, ended: dt.date | None) -> str:
    """A row of the customer register (cp1252, ``;``), as the billing software writes it."""
    path = ctx.root / "billing" / "asiakasrekisteri.csv"
    n = path.read_bytes().count(b"\n") + 1
    return _append_csv(path, [f"{1000 + n}", p.org, p.business_id, p.name, p.email, p.mobile,
                              "", "Torikatu 3", "90100", "Oulu", _fi(since), _fi(ended), ""],
                       encoding="cp1252", delimiter=";")


def _invoice_file(ctx: DemoContext, number: str, date: dt.date, p: Person, **kw) -> str:
    """One more Finvoice 1.3 file in the invoice folder (a company buyer unless *kw* says
    otherwise)."""
    path = ctx.root / "billing" / "invoices" / str(date.year) / f"lasku_{number}.xml"
    kw = {"buyer_id": p.business_id, "buyer_name": p.org, **kw}
    body = _invoice(ctx, version="1.3", number=number, date=date, contact=p, **kw)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(f'<?xml version="1.0" encoding="ISO-8859-15"?>\n{body}'.encode("iso-8859-15"))
    return f"invoice {number}"


def live_customers_invoiced(ctx: DemoContext) -> None:
    """Live customers beyond the three the invoice writer bills: one invoice each."""
    for i, p in enumerate(ctx.live_customer_contacts[3:], start=1):
        _invoice_file(ctx, f"2026{100 + i}", ctx.months_ago(1 + i % 6), p)


def customer_without_end_date(ctx: DemoContext) -> None:
    p = ctx.person()
    ctx.expect("R-status", CUSTOMERS, _customer(ctx, p, since=dt.date(2018, 3, 1), ended=None))


def prospect_without_date(ctx: DemoContext) -> None:
    p = ctx.person()
    path = ctx.root / "marketing" / "messut_2026.csv"
    ref = _append_csv(path, [p.name, p.org, p.email, p.mobile, ""], encoding="utf-8",
                      delimiter=";")
    ctx.expect("R-status", FAIR, ref)


def former_customer_in_phone(ctx: DemoContext) -> None:
    p = ctx.person()
    ref = _customer(ctx, p, since=dt.date(2019, 5, 1), ended=ctx.months_ago(24))
    ctx.expect("R-customer", CUSTOMERS, ref)
    path = ctx.root / "phone" / "yhteystiedot.vcf"
    data = path.read_bytes()
    card = _card(p, [f"TEL;CELL:{p.mobile}", f"EMAIL;WORK:{p.email}"])
    path.write_bytes(data + card.encode("ascii"))
    ref = f"card {data.count(BEGIN) + 1}"
    ctx.expect("R-person", VCF_SOURCE, ref)
    ctx.expect("T-system", VCF_SOURCE, ref)


def holds(ctx: DemoContext) -> None:
    held, lapsed = ctx.person(), ctx.person()
    ref_held = _customer(ctx, held, since=dt.date(2017, 2, 1), ended=ctx.months_ago(20))
    ref_lapsed = _customer(ctx, lapsed, since=dt.date(2016, 9, 1), ended=ctx.months_ago(15))
    ctx.expect("R-held", CUSTOMERS, ref_held)                  # info until 30.6.2027
    ctx.expect("R-customer", CUSTOMERS, ref_lapsed)            # hold ended 30.9.2026: error
    number = ref_lapsed.split()[1]
    number = f"{1000 + int(number)}"
    rows = [["Nimi", "Sähköposti", "Asiakasnumero", "Säilytetään asti", "Peruste"],
            [held.name, held.email, "", "30.6.2027", "Avoin lasku perinnässä (oikeusvaade)"],
            ["", "", number, "30.9.2026", "Sovittu: huoltohistoria säilytetään takuun ajan"]]
    path = ctx.root / "rights" / "sailytys.csv"
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))
    ctx.add_source(HOLDS, "retention_holds", path, "workstations")


def voucher_outside_window(ctx: DemoContext) -> None:
    """A private buyer's identity code on an invoice of 2018, past its window: the
    voucher may go (``R-invoice``) and the value is an ordinary ``M-field``."""
    p = ctx.person()
    ref = _invoice_file(ctx, "2018014", dt.date(2018, 11, 20), p,
                        buyer_id=_hetu(ctx.rng, 1969), buyer_name=p.name, private=True)
    ctx.expect("R-invoice", INVOICES, ref)
    ctx.expect("M-field", INVOICES, ref, "hetu")


def clock_mover(ctx: DemoContext) -> None:
    """An invoice dated after 30.6. in 2019: past its window on one clock, inside on the
    other."""
    ref = _invoice_file(ctx, "2019013", dt.date(2019, 10, 15), ctx.person())
    ctx.expect("R-invoice", INVOICES, ref)
    ctx.clock_moves.append(("R-invoice", INVOICES, ref, ""))


def write(ctx: DemoContext) -> None:
    live_customers_invoiced(ctx)
    customer_without_end_date(ctx)
    prospect_without_date(ctx)
    former_customer_in_phone(ctx)
    holds(ctx)
    voucher_outside_window(ctx)
    clock_mover(ctx)
