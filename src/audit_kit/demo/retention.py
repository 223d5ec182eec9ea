"""Demo retention plants (READING.md §6): the statutory clock, each a named function.

Runs after every source kind's writer (:data:`audit_kit.demo.SCENARIOS`), so the people
it draws come last and the exports written before stay byte for byte as they were; it
adds its records to those exports where an owner would find them (one more invoice file
in the invoice folder).

* :func:`clock_mover`: an invoice of 15.10.2019. With the financial year ending 31.12.
  (the shipped policy) its period ended 31.12.2019 and the Accounting Act keeps it until
  31.12.2025: ``R-invoice``. With a financial year ending 30.6. (:data:`FY_0630`, the
  second demo policy) its period ended 30.6.2020: kept until 31.12.2026, no finding.
  Exactly this finding is where the two clocks differ.
"""

from __future__ import annotations

import datetime as dt

from audit_kit.demo import DemoContext
from audit_kit.demo.finvoice import SOURCE as INVOICES
from audit_kit.demo.finvoice import _invoice

#: the second demo policy: the shipped one with the financial year ending 30.6.
#: (``accounting.financial_year_end``); tests/test_demo_audit.py audits the demo with it
FY_0630 = {"accounting": {"financial_year_end": "30.6."}}

def clock_mover(ctx: DemoContext) -> None:
    """An invoice dated after 30.6. in 2019: past its window on one clock, inside on the
    other."""
    p = ctx.person()
    number = "2019013"
    path = ctx.root / "billing" / "invoices" / "2019" / f"lasku_{number}.xml"
    body = _invoice(ctx, version="1.3", number=number, date=dt.date(2019, 10, 15),
                    buyer_id=p.business_id, buyer_name=p.org, contact=p)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(f'<?xml version="1.0" encoding="ISO-8859-15"?>\n{body}'.encode("iso-8859-15"))
    ref = f"invoice {number}"
    ctx.expect("R-invoice", INVOICES, ref)
    ctx.clock_moves.append(("R-invoice", INVOICES, ref, ""))


def write(ctx: DemoContext) -> None:
    clock_mover(ctx)
