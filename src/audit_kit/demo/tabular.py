"""Demo exports of the five tabular kinds, shaped as Finnish Excel and billing software
write them: the customer register in cp1252 with ``;`` and CRLF, the service-contract
list in UTF-8 with a BOM and ``,``, the marketing list as XLSX with real date cells."""

from __future__ import annotations

import csv
import datetime as dt
import io

from audit_kit.demo import DemoContext, Person

#: the customer register's header, as the billing software exports it (also benchmarks/scale.py)
CUSTOMER_HEADER = (
    "Asiakasnumero",
    "Yritys",
    "Y-tunnus",
    "Yhteyshenkilö",
    "Sähköposti",
    "Puhelin",
    "Kotipuhelin",
    "Katuosoite",
    "Postinumero",
    "Postitoimipaikka",
    "Asiakkuus alkanut",
    "Asiakkuus päättynyt",
    "Lisätiedot",
)
STREETS = ["Isokatu", "Kauppurienkatu", "Hallituskatu", "Torikatu"]


def _fi(d: dt.date | None) -> str:
    return f"{d.day}.{d.month}.{d.year}" if d else ""


def _write_csv(path, rows: list[list[str]], *, encoding: str, delimiter: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def _hetu(rng, year: int) -> str:
    """A fictitious personal identity code with a valid check character."""
    while True:
        d, m, n = rng.randrange(1, 29), rng.randrange(1, 13), rng.randrange(2, 899)
        nine = int(f"{d:02d}{m:02d}{year % 100:02d}{n:03d}")
        return (
            f"{d:02d}{m:02d}{year % 100:02d}-{n:03d}" + "0123456789ABCDEFHJKLMNPRSTUVWXY"[nine % 31]
        )


def write(ctx: DemoContext) -> None:
    rng = ctx.rng
    billing = ctx.root / "billing"

    # -- customer register ---------------------------------------------------------
    src = "billing-customers"
    header = list(CUSTOMER_HEADER)
    rows: list[list[str]] = [header]

    def customer(
        p: Person,
        *,
        ended: dt.date | None = None,
        notes: str = "",
        home: str = "",
        biz: str | None = None,
        org: str | None = None,
    ) -> str:
        n = len(rows) + 1  # physical line of this row (header is line 1)
        rows.append(
            [
                f"{1000 + n}",
                org if org is not None else p.org,
                biz if biz is not None else p.business_id,
                p.name,
                p.email.upper() if n % 5 == 0 else p.email,
                p.mobile if n % 2 else p.mobile.replace(" ", "-", 1).replace(" ", ""),
                home,
                f"{rng.choice(STREETS)} {rng.randrange(1, 60)}",
                f"90{rng.randrange(10, 99)}0",
                "Oulu",
                _fi(ctx.months_ago(rng.randrange(14, 90))),
                _fi(ended),
                notes,
            ]
        )
        return f"line {n}"

    for _ in range(8):
        p = ctx.person()
        customer(p, notes=rng.choice(["", "Kopiokone huollettu", "Toivoo soittoa aamuisin"]))
        ctx.live_customer_contacts.append(p)
    customer(ctx.person(), ended=ctx.months_ago(1))  # ended last month: fine
    # the month-end case: ended 30.6.2026, deadline 30.12.2026 (D + 6 months) passed at
    # the audit date 31.12.2026 (``as_of - 6 months`` would be 30.6. and miss it)
    ctx.expect("R-customer", src, customer(ctx.person(), ended=dt.date(2026, 6, 30)))
    for months in (7, 20):
        ref = customer(ctx.person(), ended=ctx.months_ago(months))
        ctx.expect("R-customer", src, ref)
    ref = customer(ctx.person(), ended=dt.date(2026, 6, 29))  # a day past the line
    ctx.expect("R-customer", src, ref)
    p = ctx.person()
    ref = customer(p, notes=f"Laskutus: henkilötunnus {_hetu(rng, 1971)}")  # identity code in notes
    ctx.live_customer_contacts.append(p)
    ctx.expect("M-field", src, ref, "hetu")
    p = ctx.person()
    customer(p, notes="Tilausnumero 131052-308U")  # wrong check character: fine
    ctx.live_customer_contacts.append(p)
    p = ctx.person()
    ref = customer(p, home="08 555 1234")  # a home phone
    ctx.live_customer_contacts.append(p)
    ctx.expect("M-field", src, ref, "home_phone")
    p = ctx.person()
    ref = customer(p, biz=_hetu(rng, 1958), org=p.name)  # private person (Procountor)
    ctx.expect("M-field", src, ref, "hetu")
    ctx.live_customer_contacts.append(p)
    erasure_overdue = ctx.person()
    ref_erased = customer(erasure_overdue, ended=ctx.months_ago(2))
    ctx.expect("R-erasure", src, ref_erased)
    # plant "erased but still present": the erasure is recorded as done, the row is not
    erased_present = ctx.person()
    ctx.expect("R-erasure", src, customer(erased_present, ended=ctx.months_ago(1)))
    _write_csv(billing / "asiakasrekisteri.csv", rows, encoding="cp1252", delimiter=";")
    ctx.add_source(src, "customers_csv", billing / "asiakasrekisteri.csv", "billing")

    # -- service contracts -------------------------------------------------------------
    src = "service-contracts"
    rows = [
        [
            "Sopimusnumero",
            "Asiakas",
            "Laite",
            "Sarjanumero",
            "Pääkäyttäjä",
            "Sähköposti",
            "Puhelin",
            "Laite poistettu käytöstä",
        ]
    ]

    def contract(p: Person | None, org: str, retired: dt.date | None) -> str:
        n = len(rows) + 1
        rows.append(
            [
                f"HS-{2000 + n}",
                org,
                rng.choice(
                    [
                        "Konica Minolta bizhub C250i",
                        "Canon iR-ADV C3826i",
                        "Kyocera TASKalfa 2554ci",
                        "HP LaserJet M507",
                    ]
                ),
                f"A{rng.randrange(10**7):07d}",
                p.name if p else "",
                p.email if p else "",
                p.mobile if p else "",
                retired.isoformat() if retired else "",
            ]
        )
        return f"line {n}"

    for p in ctx.live_customer_contacts[:4]:
        contract(p, p.org, None)
    contract(ctx.person(), "Kiimingin Kone Oy", ctx.months_ago(2))  # retired recently: fine
    for months in (8, 30):
        p = ctx.person()
        ctx.expect("R-service", src, contract(p, p.org, ctx.months_ago(months)))
    contract(None, "Raahen Rakennus Oy", ctx.months_ago(12))  # no person left: fine
    _write_csv(billing / "huoltosopimukset.csv", rows, encoding="utf-8-sig", delimiter=",")
    ctx.add_source(src, "service_contracts_csv", billing / "huoltosopimukset.csv", "billing")

    # -- marketing list (XLSX) -----------------------------------------------------------
    import openpyxl

    src = "prospects"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Prospektit"
    ws.append(["Nimi", "Yritys", "Sähköposti", "Puhelin", "Titteli", "Viimeisin markkinointi"])
    optouts: list[tuple[Person, dt.date]] = []

    def prospect(p: Person, last: dt.date, title: str = "") -> str:
        ws.append([p.name, p.org, p.email, p.mobile, title or None, last])
        return f"row {ws.max_row}"

    for _ in range(5):
        prospect(ctx.person(), ctx.months_ago(rng.randrange(0, 5)))
    for months in (7, 13):
        ctx.expect("R-marketing", src, prospect(ctx.person(), ctx.months_ago(months)))
    ctx.expect(
        "M-field",
        src,
        prospect(ctx.person(), ctx.months_ago(1), title="Toimitusjohtaja"),
        "job_title",
    )
    banned = ctx.person()
    ctx.expect("R-ban", src, prospect(banned, ctx.months_ago(1)))  # marketed after the ban
    optouts.append((banned, ctx.months_ago(3)))
    # a ban received 15.10. after the last marketing (15.8.): no marketing since, but the
    # person is still on the list with no ban marker there (Art. 21(3): mark the ban)
    banned_listed = ctx.person()
    ctx.expect("R-ban-listed", src, prospect(banned_listed, ctx.months_ago(4)))
    optouts.append((banned_listed, ctx.months_ago(2)))
    # plant "marketed the day the ban arrived" (15.11.): which came first is unknown
    same_day = ctx.person()
    ctx.expect("R-ban-same-day", src, prospect(same_day, ctx.months_ago(1)))
    optouts.append((same_day, ctx.months_ago(1)))
    marketing = ctx.root / "marketing"
    marketing.mkdir(parents=True, exist_ok=True)
    wb.properties.creator = "Oulun Konttoripiste Oy"
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 12, 1)
    wb.save(marketing / "prospektit.xlsx")
    ctx.add_source(src, "marketing_list", marketing / "prospektit.xlsx", "workstations")

    # -- direct-marketing bans ------------------------------------------------------------
    rows = [["Nimi", "Sähköposti", "Puhelin", "Kielto vastaanotettu"]]
    for p, when in optouts:
        rows.append([p.name, p.email, p.mobile, _fi(when)])
    _write_csv(marketing / "markkinointikiellot.csv", rows, encoding="cp1252", delimiter=";")
    ctx.add_source(
        "marketing-optouts",
        "marketing_optouts",
        marketing / "markkinointikiellot.csv",
        "workstations",
    )

    # -- erasure requests ------------------------------------------------------------------
    src = "erasure-requests"
    rows = [["Nimi", "Sähköposti", "Puhelin", "Pyyntö vastaanotettu", "Jatkettu", "Päätös",
             "Päätöspäivä", "Peruste"]]

    def request(p: Person, received: dt.date, *handling: str, phone: str = "") -> str:
        rows.append([p.name, p.email, phone, _fi(received), *handling,
                     *[""] * (4 - len(handling))])
        return f"line {len(rows)}"

    request(erasure_overdue, ctx.months_ago(3))
    gone = ctx.person()  # already erased: fine
    request(gone, ctx.months_ago(5), phone=gone.mobile)
    fresh = ctx.person()
    ctx.expect("R-erasure-open", src, request(fresh, ctx.as_of - dt.timedelta(days=10)))
    # plant "extension recorded": received 15.10., past one month, due 15.1.2027 under
    # three (Art. 12(3)); the person is a live customer, still listed: open, not overdue
    extended = ctx.live_customer_contacts[1]
    ctx.expect("R-erasure-open", src,
               request(extended, ctx.months_ago(2), _fi(ctx.months_ago(1, day=10))))
    # plant "refused with a reason" (Art. 17(3)): a live service contract
    refused = ctx.live_customer_contacts[2]
    ctx.expect("R-erasure-refused", src,
               request(refused, ctx.months_ago(3), "", "hylätty", _fi(ctx.months_ago(3, day=20)),
                       "voimassa oleva huoltosopimus"))
    # plant "erased and gone": recorded as erased, in no source any more: checked, no finding
    erased_gone = ctx.person()
    request(erased_gone, ctx.months_ago(2), "", "poistettu", _fi(ctx.months_ago(2, day=25)))
    # plant "erased but still present" (the customer row above): checked, an error there
    request(erased_present, ctx.as_of - dt.timedelta(days=20), "", "poistettu",
            _fi(ctx.as_of - dt.timedelta(days=17)))
    _write_csv(ctx.root / "rights" / "poistopyynnot.csv", rows, encoding="utf-8", delimiter=";")
    ctx.add_source(
        src, "erasure_requests", ctx.root / "rights" / "poistopyynnot.csv", "workstations"
    )


def statement(ctx: DemoContext) -> None:
    """The statement's own gaps are findings of every run (READING.md)."""
    for check, section in (
        ("S-privacy-shield", "10"),
        ("S-no-transfers-claim", "10"),
        ("S-backup-transfer", "10"),
        ("S-wordfence", "12"),
        ("S-legal-basis", "4"),
        ("S-purposes", "4"),
        ("S-legitimate-interest", "4"),
        ("S-accounting-retention", "6"),
        ("S-recipients", "9"),
        ("S-sources", "7"),
        ("S-objection", "8"),
        ("S-weblog-retention", "12"),
        ("S-portability", "8"),
        ("S-restriction", "8"),
    ):
        ctx.expect("S-statement", "statement", f"§{section}", check)
