"""The audit's clocks, one definition each, in Python and in SQL.

**Deadlines** (READING.md, "within N months after date D"): the deadline is D plus N
calendar months, the day clamped to the month's end (DuckDB ``D + INTERVAL N MONTH``:
31.8. + 6 months is 28.2., or 29.2. in a leap year), and it is missed when the audit
date is *after* the deadline. Never ``D < as_of - N months``: at a month end the two
differ (ended 30.6.2026, audited 31.12.2026: the deadline 30.12.2026 has passed, while
``as_of - 6 months`` is 30.6.2026 and nothing would be found).

**Statutory retention of accounting vouchers** (Kirjanpitolaki 1336/1997 2:10): an
invoice is kept for the policy's ``accounting.voucher_years`` (default 6) from the end
of the calendar year in which the financial period of the invoice ended. The financial
period ends on the policy's ``accounting.financial_year_end`` (default 31.12.); with
30.6. an invoice of 15.9.2019 belongs to the period ending 30.6.2020 and is kept until
31.12.2026, one of 15.3.2019 to the period ending 30.6.2019, kept until 31.12.2025.
Loaders record the invoice date only; the rules (R-invoice, the per-person retention
exemption, erasure), the report and the access-request answer all read the window from
here (:func:`voucher_kept_until`, :func:`voucher_kept_until_sql`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Protocol


def add_months(d: dt.date, months: int) -> dt.date:
    """*d* plus calendar months (negative: minus), the day clamped to the month's end,
    as DuckDB's ``INTERVAL n MONTH`` does."""
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


def deadline(start: dt.date, months: int) -> dt.date:
    """The deadline of "within *months* months after *start*"."""
    return add_months(start, months)


def deadline_passed(start: dt.date, months: int, as_of: dt.date) -> bool:
    """Whether the deadline of "within *months* months after *start*" was missed by the
    audit date: *as_of* is after the deadline."""
    return deadline(start, months) < as_of


def deadline_sql(start: str, months: int) -> str:
    """SQL for :func:`deadline`: *start* (a DATE expression) plus calendar months, a DATE."""
    return f"CAST({start} + INTERVAL ({int(months)}) MONTH AS DATE)"


def passed_sql(start: str, months: int, as_of: str) -> str:
    """SQL for :func:`deadline_passed`: true when *as_of* is after the deadline (NULL
    when *start* is NULL: a clock that has not started has not run out)."""
    return f"{deadline_sql(start, months)} < {as_of}"


class VoucherClock(Protocol):
    """What the voucher window needs from the policy (``Policy.accounting``)."""

    voucher_years: int
    #: (month, day) of the financial year's last day
    @property
    def year_end(self) -> tuple[int, int]: ...


def financial_period_end(d: dt.date, clock: VoucherClock) -> dt.date:
    """The last day of the financial period *d* falls in."""
    month, day = clock.year_end
    year = d.year + (1 if (d.month, d.day) > (month, day) else 0)
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def voucher_kept_until(d: dt.date, clock: VoucherClock) -> dt.date:
    """The last day an invoice dated *d* must be kept (KPL 2:10: the years counted from
    the end of the calendar year in which its financial period ended)."""
    return dt.date(financial_period_end(d, clock).year + clock.voucher_years, 12, 31)


def voucher_kept_until_sql(d: str, clock: VoucherClock) -> str:
    """SQL for :func:`voucher_kept_until` of the DATE expression *d* (NULL for NULL)."""
    month, day = clock.year_end
    later = (f"CASE WHEN month({d}) > {int(month)} OR (month({d}) = {int(month)} "
             f"AND day({d}) > {int(day)}) THEN 1 ELSE 0 END")
    if (month, day) == (12, 31):
        later = "0"
    return (f"make_date(CAST(year({d}) + {later} + {int(clock.voucher_years)} AS BIGINT), "
            "12, 31)")
