"""The audit's clocks, one definition each, in Python and in SQL.

**Deadlines** (READING.md, "within N months after date D"): the deadline is D plus N
calendar months, the day clamped to the month's end (DuckDB ``D + INTERVAL N MONTH``:
31.8. + 6 months is 28.2., or 29.2. in a leap year), and it is missed when the audit
date is *after* the deadline. Never ``D < as_of - N months``: at a month end the two
differ (ended 30.6.2026, audited 31.12.2026: the deadline 30.12.2026 has passed, while
``as_of - 6 months`` is 30.6.2026 and nothing would be found).
"""

from __future__ import annotations

import calendar
import datetime as dt


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
