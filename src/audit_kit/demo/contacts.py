"""The owners' Android phone contacts, backed up to Google (statement §10).

Two exports of the same address book, shaped as the exporters write them:

* ``phone/yhteystiedot.vcf``: the phone's own "Export to .vcf": vCard 2.1, CRLF, values
  with ä/ö/å as ``CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE`` broken into 76-character
  lines with ``=`` soft breaks, bare TYPE parameters (``TEL;CELL:``, ``ADR;HOME:``), a
  base64 PHOTO folded with leading spaces and ended by a blank line;
* ``phone/google_contacts.csv``: Google Contacts' current CSV export (UTF-8 with BOM,
  ``First Name … Labels, E-mail 1 - Label, E-mail 1 - Value …``), multi-line notes.

Both sources sit in the ``android_backup`` system (Google LLC, US, Privacy Shield only), so
every card and CSV row is a ``T-system`` finding. Planted minimisation findings, each next
to a clean look-alike: birthday, home address (vs. a work address), home phone (vs. a
mobile labelled CELL and a WORK phone), photo, a valid HETU in notes (vs. a notes text
with a number that is not a valid HETU) and a job title (warning).

The contacts who are not the company's live customers are known only from the address
book: no recorded purpose, one ``R-purpose-unknown`` (info) per person (READING.md §6).
"""

from __future__ import annotations

import base64
import csv
import io

from audit_kit.demo import DemoContext, Person

VCF_SOURCE = "phone-contacts"
CSV_SOURCE = "google-contacts"
SYSTEM = "android_backup"
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_STREETS = ["Isokatu", "Kauppurienkatu", "Teknologiantie", "Sepänkatu", "Äimäkuja"]
_HOME_STREETS = ["Pöllökuja", "Kärppätie", "Mäntyrinne", "Ahomansikantie", "Värväntie"]


# -- values --------------------------------------------------------------------------------


def _hetu(ctx: DemoContext, *, valid: bool) -> str:
    """A temporary-range (900-999) identity code; ``valid=False`` breaks the check char."""
    d = ctx.rng.randrange(1, 29)
    m = ctx.rng.randrange(1, 13)
    y = ctx.rng.randrange(50, 99)
    n = ctx.rng.randrange(900, 1000)
    check = _HETU_CHECK[int(f"{d:02d}{m:02d}{y:02d}{n}") % 31]
    if not valid:
        check = _HETU_CHECK[(_HETU_CHECK.index(check) + 7) % 31]
    return f"{d:02d}{m:02d}{y:02d}-{n}{check}"


def _fixed(ctx: DemoContext) -> str:
    return f"08 5{ctx.rng.randrange(10)}{ctx.rng.randrange(10)} {ctx.rng.randrange(1000, 10000)}"


def _work_address(ctx: DemoContext) -> tuple[str, str, str]:
    return (f"{ctx.rng.choice(_STREETS)} {ctx.rng.randrange(1, 40)}", "90100", "Oulu")


def _home_address(ctx: DemoContext) -> tuple[str, str, str]:
    return (f"{ctx.rng.choice(_HOME_STREETS)} {ctx.rng.randrange(1, 20)} A "
            f"{ctx.rng.randrange(1, 30)}", "90500", "Oulu")


def _birthday(ctx: DemoContext) -> str:
    return f"{ctx.rng.randrange(1950, 2000)}-{ctx.rng.randrange(1, 13):02d}-" \
           f"{ctx.rng.randrange(1, 29):02d}"


# -- Android vCard 2.1 ------------------------------------------------------------------


def _qp_lines(value: str) -> str:
    """Android's quoted-printable: every byte outside printable ASCII as =XX, lines of at
    most 76 characters joined by ``=`` CRLF soft breaks (never inside one =XX)."""
    out, line = [], ""
    for b in value.encode("utf-8"):
        tok = chr(b) if 0x20 <= b < 0x7F and b != 0x3D else f"={b:02X}"
        if len(line) + len(tok) > 75:
            out.append(line + "=")
            line = ""
        line += tok
    out.append(line)
    return "\r\n".join(out)


def _prop(name: str, value: str) -> str:
    """``NAME:value``, or QP with CHARSET when the value is not plain ASCII (as Android)."""
    if value.isascii() and "\n" not in value:
        return f"{name}:{value}"
    return f"{name};CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{_qp_lines(value)}"


def _photo(ctx: DemoContext) -> str:
    data = bytes([0xFF, 0xD8, 0xFF, 0xE0]) + bytes(ctx.rng.randrange(256) for _ in range(600))
    b64 = base64.b64encode(data).decode("ascii")
    first, rest = b64[:48], b64[48:]
    lines = [f"PHOTO;ENCODING=BASE64;JPEG:{first}"]
    lines += [" " + rest[i:i + 76] for i in range(0, len(rest), 76)]
    return "\r\n".join(lines)


def _card(p: Person, props: list[str]) -> str:
    head = ["BEGIN:VCARD", "VERSION:2.1", _prop("N", f"{p.last};{p.first};;;"),
            _prop("FN", p.name)]
    return "\r\n".join([*head, *props, "CATEGORIES:My Contacts", "END:VCARD"]) + "\r\n"


def _write_vcf(ctx: DemoContext, people: list[Person]) -> None:
    path = ctx.root / "phone" / "yhteystiedot.vcf"
    path.parent.mkdir(parents=True, exist_ok=True)

    def work(p: Person) -> list[str]:
        street, code, town = _work_address(ctx)
        return [f"TEL;CELL:{p.mobile}", f"EMAIL;WORK:{p.email}", _prop("ORG", p.org),
                _prop("ADR;WORK", f";;{street};{town};;{code};Suomi")]

    plans: list[tuple[list[str], list[str]]] = []  # (props, planted field classes)
    p = iter(people)
    # 1 clean: mobile labelled CELL, work address, WORK phone
    plans.append(([*work(next(p)), f"TEL;WORK:{_fixed(ctx)}"], []))
    # 2 birthday + home address
    street, code, town = _home_address(ctx)
    plans.append(([*work(next(p)), _prop("ADR;HOME", f";;{street};{town};;{code};Suomi"),
                   f"BDAY:{_birthday(ctx)}"], ["birthday", "home_address"]))
    # 3 home phone next to a mobile labelled CELL
    plans.append(([*work(next(p)), f"TEL;HOME:{_fixed(ctx)}"], ["home_phone"]))
    # 4 photo
    plans.append(([*work(next(p)), _photo(ctx)], ["photo"]))
    # 5 a valid HETU in a long note (QP with soft line breaks)
    hetu = _hetu(ctx, valid=True)
    note = (f"Tavattu Pohjoisen yrittäjäpäivillä, kiinnostunut monitoimilaitteesta. "
            f"Henkilötunnus {hetu} laskutusta varten, soita mieluummin iltapäivällä.")
    plans.append(([*work(next(p)), _prop("NOTE", note)], ["hetu"]))
    # 6 look-alike: a number that is not a valid HETU, and a WORK phone
    bad = _hetu(ctx, valid=False)
    plans.append(([*work(next(p)), f"TEL;WORK:{_fixed(ctx)}",
                   _prop("NOTE", f"Tilausnumero {bad}, toimitus viikolla 12.")], []))
    # 7 job title (warning)
    plans.append(([*work(next(p)), _prop("TITLE", "Hankintapäällikkö")], ["job_title"]))
    # 8 clean, e-mail and mobile only
    q = next(p)
    plans.append(([f"TEL;CELL:{q.mobile}", f"EMAIL;WORK:{q.email}"], []))

    cards = []
    for i, ((props, planted), person) in enumerate(zip(plans, people, strict=False), 1):
        text = _card(person, props)
        if any(x.startswith("PHOTO") for x in props):
            # the base64 value ends with a blank line before the next property
            text = text.replace("\r\nCATEGORIES", "\r\n\r\nCATEGORIES")
        cards.append(text)
        ref = f"card {i}"
        ctx.expect("T-system", VCF_SOURCE, ref, "")
        if person not in ctx.live_customer_contacts:  # known only from the phone
            ctx.expect("R-purpose-unknown", VCF_SOURCE, ref, "")
        for cls in planted:
            ctx.expect("M-field", VCF_SOURCE, ref, cls)
    path.write_bytes("".join(cards).encode("ascii"))
    ctx.add_source(VCF_SOURCE, "vcard", path, SYSTEM)


# -- Google Contacts CSV (current export) -------------------------------------------------

HEADER = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
    "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label",
    "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value", "Address 1 - Label",
    "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box",
    "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
    "Address 1 - Extended Address",
]


def _row(p: Person, **cells: str) -> list[str]:
    base = {"First Name": p.first, "Last Name": p.last, "File As": "",
            "Organization Name": p.org, "Labels": "* myContacts",
            "E-mail 1 - Label": "* Work", "E-mail 1 - Value": p.email,
            "Phone 1 - Label": "Mobile", "Phone 1 - Value": p.mobile}
    base.update(cells)
    return [base.get(h, "") for h in HEADER]


def _address_cells(label: str, addr: tuple[str, str, str]) -> dict[str, str]:
    street, code, town = addr
    return {"Address 1 - Label": label, "Address 1 - Formatted": f"{street}\n{code} {town}\nFI",
            "Address 1 - Street": street, "Address 1 - City": town,
            "Address 1 - Postal Code": code, "Address 1 - Country": "FI"}


def _write_csv(ctx: DemoContext, people: list[Person], known: list[Person]) -> None:
    """*known*: the people the vCard export holds (their first record is a card)."""
    path = ctx.root / "phone" / "google_contacts.csv"
    p = iter(people)
    plans: list[tuple[list[str], list[str]]] = [
        # clean: work address, mobile, WORK phone
        (_row(next(p), **_address_cells("Work", _work_address(ctx)),
              **{"Phone 2 - Label": "Work", "Phone 2 - Value": _fixed(ctx)}), []),
        (_row(next(p), Birthday=_birthday(ctx)), ["birthday"]),
        (_row(next(p), **_address_cells("Home", _home_address(ctx))), ["home_address"]),
        (_row(next(p), **{"Phone 2 - Label": "Home", "Phone 2 - Value": _fixed(ctx)}),
         ["home_phone"]),
        (_row(next(p), Photo="https://lh3.googleusercontent.com/contacts/demo-"
                             f"{ctx.rng.randrange(10**8):08d}"), ["photo"]),
        (_row(next(p), Notes=f"Soitti huoltosopimuksesta.\nHetu {_hetu(ctx, valid=True)}\n"
                             "Lasku kotiosoitteeseen."), ["hetu"]),
        (_row(next(p), Notes=f"Asiakasviite {_hetu(ctx, valid=False)}\nei kiirettä.",
              **{"Phone 2 - Label": "Work", "Phone 2 - Value": _fixed(ctx)}), []),
        (_row(next(p), **{"Organization Title": "Toimitusjohtaja"}), ["job_title"]),
    ]
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)
    line = 2
    for (cells, planted), person in zip(plans, people, strict=True):
        before = buf.tell()
        w.writerow(cells)
        ref = f"line {line}"
        ctx.expect("T-system", CSV_SOURCE, ref, "")
        if person not in ctx.live_customer_contacts and person not in known:  # Google only
            ctx.expect("R-purpose-unknown", CSV_SOURCE, ref, "")
        for cls in planted:
            ctx.expect("M-field", CSV_SOURCE, ref, cls)
        line += buf.getvalue()[before:].count("\n")  # multi-line cells span physical lines
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    ctx.add_source(CSV_SOURCE, "google_contacts_csv", path, SYSTEM)


def write(ctx: DemoContext) -> None:
    """The phone's vCard export and Google's CSV export of the same address book."""
    live = ctx.live_customer_contacts[:2]
    people = [*live, *(ctx.person() for _ in range(8 - len(live)))]
    _write_vcf(ctx, people)
    # Google holds the same people plus the ones added on the web
    csv_people = [people[0], people[1], *(ctx.person() for _ in range(6))]
    _write_csv(ctx, csv_people, known=people)
