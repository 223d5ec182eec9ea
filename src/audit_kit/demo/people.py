"""Demo data-subject rights: a trade-fair prospect list, a second erasure-request register
and the company's erasure tombstones (runs last; places its people nowhere else).

* A person erased last summer (tombstoned) comes back on the bought trade-fair list: once
  with the address in capitals, once only by phone in international format. Both rows
  are ``R-tombstone``; a namesake with their own address and a tombstoned person who
  stays gone are not.
* An erasure request ignored for two months, giving only the e-mail address: the person
  is on the fair list twice, once by e-mail and phone, once by phone only (linked through
  the first row): both rows are ``R-erasure``. A request whose person is gone, and a fresh
  request (``R-erasure-open``) whose person is still listed, are the look-alikes.

The tombstones are hashed with the public demo key (``audit_kit.subject.DEMO_KEY``) into
``tombstones.txt`` beside the config, where every run looks for them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from audit_kit import normalise
from audit_kit.demo import DemoContext, Person
from audit_kit.subject import DEMO_KEY, DEMO_KEY_ID, TOMBSTONE_FILE, write_tombstones


def _fi(d: dt.date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


def _intl(mobile: str) -> str:
    """``040 912 3456`` -> ``+358 40 912 3456`` (how a business card prints it)."""
    return "+358 " + mobile[1:]


def _write_csv(path, rows: list[list[str]]) -> None:
    """Excel's "CSV UTF-8": BOM, ``;``, CRLF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


def write(ctx: DemoContext) -> None:
    erased = ctx.person()                       # tombstoned, comes back
    gone = ctx.person()                         # tombstoned, stays gone
    namesake = ctx.person(first=erased.first, last=erased.last,
                          org="Muhoksen Maansiirto Oy" if erased.org != "Muhoksen Maansiirto Oy"
                          else "Iin Insinöörit Oy")
    ignored = ctx.person()                      # erasure request ignored
    honoured = ctx.person()                     # erasure request done
    fresh = ctx.person()                        # erasure request inside its month

    # -- the trade-fair prospect list ---------------------------------------------------
    src = "prospects-fair"
    rows: list[list[str]] = [["Nimi", "Yritys", "Sähköposti", "Puhelin", "Viimeisin markkinointi"]]

    def row(p: Person, *, email: str | None = None, phone: str | None = None,
            months: int = 1) -> str:
        rows.append([p.name, p.org, p.email if email is None else email,
                     p.mobile if phone is None else phone, _fi(ctx.months_ago(months))])
        return f"line {len(rows)}"

    for _ in range(3):
        row(ctx.person(), months=ctx.rng.randrange(0, 4))
    ctx.expect("R-tombstone", src, row(erased, email=erased.email.upper()))
    row(namesake, months=2)                                                   # same name: fine
    ctx.expect("R-tombstone", src, row(erased, email="", phone=_intl(erased.mobile), months=2))
    ctx.expect("R-erasure", src, row(ignored))
    row(ctx.person(), months=3)
    ctx.expect("R-erasure", src, row(ignored, email="", phone=_intl(ignored.mobile), months=2))
    row(fresh)                              # request still open: not yet a finding
    row(ctx.person(), months=2)
    path = ctx.root / "marketing" / "messut_2026.csv"
    _write_csv(path, rows)
    ctx.add_source(src, "marketing_list", path, "workstations")

    # -- the second erasure-request register (requests by e-mail) --------------------------
    src = "erasure-requests-2"
    rows = [["Nimi", "Sähköposti", "Puhelin", "Pyyntö vastaanotettu"]]
    rows.append([ignored.name, ignored.email, "", _fi(ctx.months_ago(2, day=3))])
    rows.append([honoured.name, honoured.email, honoured.mobile, _fi(ctx.months_ago(3))])
    rows.append([fresh.name, fresh.email, "", _fi(ctx.as_of - dt.timedelta(days=5))])
    ctx.expect("R-erasure-open", src, "line 4")
    path = ctx.root / "rights" / "poistopyynnot_2.csv"
    _write_csv(path, rows)
    ctx.add_source(src, "erasure_requests", path, "workstations")

    # -- tombstones of earlier erasures, beside the config ---------------------------------
    tomb = ctx.root / TOMBSTONE_FILE
    tomb.unlink(missing_ok=True)  # a regenerated demo is byte-identical
    for p, months in ((erased, 5), (gone, 8)):
        idents = [("email", normalise.email(p.email)), ("phone", normalise.phone(p.mobile))]
        write_tombstones(tomb, idents, key=DEMO_KEY, kid=DEMO_KEY_ID,
                         erased_on=ctx.months_ago(months))
