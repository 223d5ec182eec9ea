# ruff: noqa: E501  (long literal templates and table rows)
"""A scaled demo company for the issue-9 benchmark (workload L at ``scale=1``).

The exports have the demo writers' shapes (same headers, encodings, line endings and
quirks; see ``audit_kit.demo``), only many more of them:

=========================  ==========  ==============================================
source (kind)              rows at L   shape
=========================  ==========  ==============================================
customers_csv              200,000     cp1252, ``;``, CRLF (Finnish Excel)
service_contracts_csv       50,000     UTF-8 with BOM, ``,``, CRLF
marketing_optouts            4,000     cp1252, ``;``, d.m.yyyy
erasure_requests             2,000     UTF-8, ``;``
finvoice                   100,000     one file per invoice in year folders; 1.3 in
                                       ISO-8859-15 (odd), 3.0 in UTF-8 (even)
vcard                      100,000     Android vCard 2.1, CRLF, QP soft breaks
google_contacts_csv         20,000     Google's current CSV, UTF-8 BOM, multi-line notes
mbox                       500,000     Thunderbird mbox, ~5 GB (10 % with an attachment)
postfix_log              5,000,000     rsyslog ISO lines, ``maillog.1`` + ``maillog``
=========================  ==========  ==============================================

People are drawn from one pool (fictitious ä/ö/å names, unique ``example.fi`` addresses
and ``040 9…`` numbers) so the same person appears across sources and person resolution
has real links to follow. Bulk text is written directly (no csv/XML/email libraries),
and each scale's inputs are cached under ``benchmarks/work/scale-<S>/`` (git-ignored):
a ``.done`` marker with the generator version says the folder is complete.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import shutil
import time
from pathlib import Path

import yaml

from audit_kit.demo import FIRST_NAMES, LAST_NAMES, ORG_STEMS, OWN_DOMAIN, _ascii
from audit_kit.demo.contacts import HEADER as GOOGLE_HEADER
from audit_kit.demo.contacts import _qp_lines
from audit_kit.demo.tabular import CUSTOMER_HEADER

GENERATOR_VERSION = "1"
WORK = Path(__file__).resolve().parent / "work"
AS_OF = dt.date(2026, 12, 31)

#: rows per kind at scale 1 (workload L)
WORKLOAD_L = {
    "customers_csv": 200_000,
    "service_contracts_csv": 50_000,
    "marketing_optouts": 4_000,
    "erasure_requests": 2_000,
    "finvoice": 100_000,
    "vcard": 100_000,
    "google_contacts_csv": 20_000,
    "mbox": 500_000,
    "postfix_log": 5_000_000,
}

#: (source name, kind, path under the scale folder, system)
SOURCES = (
    ("billing-customers", "customers_csv", "billing/asiakasrekisteri.csv", "billing"),
    ("service-contracts", "service_contracts_csv", "billing/huoltosopimukset.csv", "billing"),
    ("marketing-optouts", "marketing_optouts", "marketing/markkinointikiellot.csv", "workstations"),
    ("erasure-requests", "erasure_requests", "rights/poistopyynnot.csv", "workstations"),
    ("billing-invoices", "finvoice", "billing/invoices", "billing"),
    ("phone-contacts", "vcard", "phone/yhteystiedot.vcf", "android_backup"),
    ("google-contacts", "google_contacts_csv", "phone/google_contacts.csv", "android_backup"),
    ("mail-inbox", "mbox", "mail/Inbox.mbox", "mail"),
    ("mail-log", "postfix_log", "maillog", "mail"),
)

_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
STREETS = ["Isokatu", "Kauppurienkatu", "Hallituskatu", "Torikatu", "Sepänkatu", "Äimäkuja"]
DEVICES = [
    "Konica Minolta bizhub C250i",
    "Canon iR-ADV C3826i",
    "Kyocera TASKalfa 2554ci",
    "HP LaserJet M507",
]
BODIES = [
    "Hei,\n\nkiitos tarjouksesta. Palaan asiaan ensi viikolla.",
    "Hei,\n\nkopiokone ilmoittaa taas paperitukoksesta. Voisitteko lähettää huoltomiehen?",
    "Moi,\n\nlasku on maksettu. Tarvitsemme vielä kaksi laatikkoa A4-paperia.",
    "Hei,\n\nsopisiko kokous torstaina klo 10? Käydään läpi väriainesopimus.",
]


def counts(scale: float) -> dict[str, int]:
    return {k: max(1, round(n * scale)) for k, n in WORKLOAD_L.items()}


def scale_dir(scale: float) -> Path:
    return WORK / f"scale-{scale:g}"


class Pool:
    """N fictitious people; person i is deterministic (name, org, address, number)."""

    def __init__(self, n: int):
        self.n = n
        nf, nl, no = len(FIRST_NAMES), len(LAST_NAMES), len(ORG_STEMS)
        self.first = [FIRST_NAMES[i % nf] for i in range(n)]
        self.last = [LAST_NAMES[(i // nf) % nl] for i in range(n)]
        self.org = [f"{ORG_STEMS[(i * 7) % no]} Oy" for i in range(n)]
        doms = [_ascii(s).replace(" ", "") + ".example.fi" for s in ORG_STEMS]
        self.email = [
            f"{_ascii(self.first[i])}.{_ascii(self.last[i])}{i}@{doms[(i * 7) % no]}"
            for i in range(n)
        ]
        # 040 9xx xxxx: 10 million distinct numbers, unlikely to be real subscribers
        self.mobile = [f"040 9{i // 100000 % 100:02d} {i % 100000:05d}" for i in range(n)]
        self.biz = [_business_id(i) for i in range(no * 7)]

    def name(self, i: int) -> str:
        return f"{self.first[i]} {self.last[i]}"


def _business_id(seed: int) -> str:
    body = f"{(seed * 7919 + 1234567) % 10**7:07d}"
    r = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    if r == 1:
        body = f"{(int(body) + 1) % 10**7:07d}"
        r = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return f"{body}-{0 if r == 0 else 11 - r}"


def _hetu(rng: random.Random) -> str:
    d, m, y, n = (
        rng.randrange(1, 29),
        rng.randrange(1, 13),
        rng.randrange(50, 99),
        rng.randrange(900, 1000),
    )
    return f"{d:02d}{m:02d}{y:02d}-{n}{_HETU_CHECK[int(f'{d:02d}{m:02d}{y:02d}{n}') % 31]}"


def _fi(d: dt.date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


def _days_ago(n: int) -> dt.date:
    return AS_OF - dt.timedelta(days=n)


# -- tabular ----------------------------------------------------------------------------------


def write_customers(path: Path, n: int, pool: Pool, rng: random.Random) -> None:
    out = [";".join(CUSTOMER_HEADER)]
    for i in range(n):
        p = i % pool.n
        line = i + 2
        email = pool.email[p].upper() if line % 5 == 0 else pool.email[p]
        mob = pool.mobile[p] if line % 2 else pool.mobile[p].replace(" ", "-", 1).replace(" ", "")
        r = rng.random()
        ended = _fi(_days_ago(rng.randrange(10, 900))) if r < 0.2 else ""
        notes = ""
        if r > 0.99:
            notes = f"Laskutus: henkilötunnus {_hetu(rng)}"
        elif r > 0.9:
            notes = "Kopiokone huollettu"
        home = "08 555 1234" if 0.5 < r < 0.52 else ""
        out.append(
            f"{1000 + line};{pool.org[p]};{pool.biz[(p * 7) % len(pool.biz)]};{pool.name(p)};"
            f"{email};{mob};{home};{STREETS[p % 6]} {p % 60 + 1};90{p % 90 + 10}0;Oulu;"
            f"{_fi(_days_ago(400 + p % 2000))};{ended};{notes}"
        )
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("cp1252"))


def write_contracts(path: Path, n: int, pool: Pool, rng: random.Random) -> None:
    out = [
        "Sopimusnumero,Asiakas,Laite,Sarjanumero,Pääkäyttäjä,Sähköposti,Puhelin,"
        "Laite poistettu käytöstä"
    ]
    for i in range(n):
        p = (i * 3) % pool.n
        retired = _days_ago(rng.randrange(10, 1200)).isoformat() if rng.random() < 0.3 else ""
        out.append(
            f"HS-{2000 + i},{pool.org[p]},{DEVICES[i % 4]},A{i:07d},{pool.name(p)},"
            f"{pool.email[p]},{pool.mobile[p]},{retired}"
        )
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(out) + "\r\n").encode("utf-8"))


def write_optouts(path: Path, n: int, pool: Pool, rng: random.Random) -> None:
    out = ["Nimi;Sähköposti;Puhelin;Kielto vastaanotettu"]
    for i in range(n):
        p = (i * 37) % pool.n
        out.append(
            f"{pool.name(p)};{pool.email[p]};{pool.mobile[p]};{_fi(_days_ago(rng.randrange(1, 700)))}"
        )
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("cp1252"))


def write_erasures(path: Path, n: int, pool: Pool, rng: random.Random) -> None:
    out = ["Nimi;Sähköposti;Puhelin;Pyyntö vastaanotettu"]
    for i in range(n):
        p = (i * 53 + 11) % pool.n
        out.append(f"{pool.name(p)};{pool.email[p]};;{_fi(_days_ago(rng.randrange(1, 200)))}")
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("utf-8"))


# -- finvoice ------------------------------------------------------------------------------------

_V3_HEAD = (
    "<MessageTransmissionDetails><MessageSenderDetails>"
    "<FromIdentifier>003707290813</FromIdentifier>"
    "<FromIntermediator>003723327487</FromIntermediator></MessageSenderDetails>"
    "<MessageReceiverDetails><ToIdentifier>TULOSTUS</ToIdentifier>"
    "<ToIntermediator>003723327487</ToIntermediator></MessageReceiverDetails>"
    "<MessageDetails><MessageIdentifier>OKP-{number}</MessageIdentifier>"
    "<MessageTimeStamp>{iso}T08:00:00+02:00</MessageTimeStamp>"
    "</MessageDetails></MessageTransmissionDetails>\n"
)
_INVOICE = (
    '<?xml version="1.0" encoding="{enc}"?>\n<Finvoice Version="{version}">\n{head}'
    "<SellerPartyDetails><SellerPartyIdentifier>0729081-3</SellerPartyIdentifier>"
    "<SellerOrganisationName>Oulun Konttoripiste Oy</SellerOrganisationName>"
    "<SellerPostalAddressDetails><SellerStreetName>Ratakatu 12</SellerStreetName>"
    "<SellerTownName>OULU</SellerTownName><SellerPostCodeIdentifier>90130</SellerPostCodeIdentifier>"
    "<CountryCode>FI</CountryCode></SellerPostalAddressDetails></SellerPartyDetails>\n"
    "<BuyerPartyDetails><BuyerPartyIdentifier>{buyer_id}</BuyerPartyIdentifier>"
    "<BuyerOrganisationName>{org}</BuyerOrganisationName>"
    "<BuyerPostalAddressDetails><BuyerStreetName>{street}</BuyerStreetName>"
    "<BuyerTownName>OULU</BuyerTownName><BuyerPostCodeIdentifier>90100</BuyerPostCodeIdentifier>"
    "<CountryCode>FI</CountryCode></BuyerPostalAddressDetails></BuyerPartyDetails>\n"
    "<BuyerContactPersonName>{name}</BuyerContactPersonName>\n"
    "<BuyerCommunicationDetails><BuyerPhoneNumberIdentifier>{phone}</BuyerPhoneNumberIdentifier>"
    "<BuyerEmailaddressIdentifier>{email}</BuyerEmailaddressIdentifier></BuyerCommunicationDetails>\n"
    "<InvoiceDetails><InvoiceTypeCode>INV01</InvoiceTypeCode>{un}"
    "<InvoiceTypeText>LASKU</InvoiceTypeText><OriginCode>Original</OriginCode>"
    "<InvoiceNumber>{number}</InvoiceNumber>"
    '<InvoiceDate Format="CCYYMMDD">{ymd}</InvoiceDate>'
    '<InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier="EUR">124,50</InvoiceTotalVatIncludedAmount>'
    "<PaymentTermsDetails><PaymentTermsFreeText>14 päivää netto</PaymentTermsFreeText>"
    '<InvoiceDueDate Format="CCYYMMDD">{ymd}</InvoiceDueDate></PaymentTermsDetails></InvoiceDetails>\n'
    "<InvoiceRow><ArticleName>Paperi A4 (5 laatikkoa)</ArticleName>"
    '<DeliveredQuantity QuantityUnitCode="kpl">1</DeliveredQuantity>'
    '<RowAmount AmountCurrencyIdentifier="EUR">124,50</RowAmount></InvoiceRow>\n'
    "<EpiDetails><EpiIdentificationDetails>"
    '<EpiDate Format="CCYYMMDD">{ymd}</EpiDate><EpiReference>{number}</EpiReference>'
    "</EpiIdentificationDetails><EpiPartyDetails><EpiBfiPartyDetails>"
    '<EpiBfiIdentifier IdentificationSchemeName="BIC">OKOYFIHH</EpiBfiIdentifier>'
    "</EpiBfiPartyDetails><EpiBeneficiaryPartyDetails>"
    "<EpiNameAddressDetails>Oulun Konttoripiste Oy</EpiNameAddressDetails><EpiBei>0729081-3</EpiBei>"
    '<EpiAccountID IdentificationSchemeName="IBAN">FI2757800750155448</EpiAccountID>'
    "</EpiBeneficiaryPartyDetails></EpiPartyDetails></EpiDetails>\n</Finvoice>\n"
)


def write_invoices(folder: Path, n: int, pool: Pool, rng: random.Random) -> None:
    for year in range(2018, 2027):
        (folder / str(year)).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        p = (i * 5) % pool.n
        date = _days_ago(rng.randrange(1, 365 * 8))
        v3 = i % 2 == 0
        number = f"{date.year}{i:06d}"
        private = i % 200 == 1
        text = _INVOICE.format(
            enc="UTF-8" if v3 else "ISO-8859-15",
            version="3.0" if v3 else "1.3",
            head=_V3_HEAD.format(number=number, iso=date.isoformat()) if v3 else "",
            buyer_id=_hetu(rng) if private else pool.biz[(p * 7) % len(pool.biz)],
            org=pool.name(p) if private else pool.org[p],
            street=f"{STREETS[p % 6]} {p % 60 + 1}",
            name=pool.name(p),
            phone=pool.mobile[p],
            email=pool.email[p],
            un="<InvoiceTypeCodeUN>380</InvoiceTypeCodeUN>" if v3 else "",
            number=number,
            ymd=f"{date:%Y%m%d}",
        )
        (folder / str(date.year) / f"lasku_{number}.xml").write_bytes(
            text.encode("utf-8" if v3 else "iso-8859-15")
        )


# -- contacts -------------------------------------------------------------------------------------


def _prop(name: str, value: str) -> str:
    if value.isascii():
        return f"{name}:{value}"
    return f"{name};CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{_qp_lines(value)}"


def write_vcards(path: Path, n: int, pool: Pool, rng: random.Random) -> None:
    photo = base64.b64encode(bytes(rng.randrange(256) for _ in range(600))).decode("ascii")
    photo_lines = "\r\n".join(
        [f"PHOTO;ENCODING=BASE64;JPEG:{photo[:48]}"]
        + [" " + photo[48:][i : i + 76] for i in range(0, len(photo) - 48, 76)]
    )
    qp_cache: dict[str, str] = {}

    def qp(name: str, value: str) -> str:
        key = name + "\0" + value
        if key not in qp_cache:
            qp_cache[key] = _prop(name, value)
        return qp_cache[key]

    out = []
    for i in range(n):
        p = (i * 2 + 1) % pool.n
        props = [
            "BEGIN:VCARD",
            "VERSION:2.1",
            qp("N", f"{pool.last[p]};{pool.first[p]};;;"),
            qp("FN", pool.name(p)),
            f"TEL;CELL:{pool.mobile[p]}",
            f"EMAIL;WORK:{pool.email[p]}",
            qp("ORG", pool.org[p]),
            qp("ADR;WORK", f";;{STREETS[p % 6]} {p % 40 + 1};Oulu;;90100;Suomi"),
        ]
        r = i % 50
        if r == 1:
            props.append(f"BDAY:{1950 + p % 50}-{p % 12 + 1:02d}-{p % 28 + 1:02d}")
        elif r == 2:
            props.append(f"TEL;HOME:08 5{p % 10}{p % 7} {1000 + p % 9000}")
        elif r == 3:
            props.append(photo_lines + "\r\n")
        elif r == 4:
            props.append(
                _prop("NOTE", f"Tavattu messuilla. Henkilötunnus {_hetu(rng)} laskutusta varten.")
            )
        elif r == 5:
            props.append(qp("TITLE", "Hankintapäällikkö"))
        props += ["CATEGORIES:My Contacts", "END:VCARD"]
        out.append("\r\n".join(props))
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("ascii"))


def _csv_cell(v: str) -> str:
    return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n\r') else v


def write_google(path: Path, n: int, pool: Pool, rng: random.Random) -> None:
    out = [",".join(GOOGLE_HEADER)]
    idx = {h: k for k, h in enumerate(GOOGLE_HEADER)}
    for i in range(n):
        p = (i * 11 + 3) % pool.n
        cells = [""] * len(GOOGLE_HEADER)
        for h, v in (
            ("First Name", pool.first[p]),
            ("Last Name", pool.last[p]),
            ("Organization Name", pool.org[p]),
            ("Labels", "* myContacts"),
            ("E-mail 1 - Label", "* Work"),
            ("E-mail 1 - Value", pool.email[p]),
            ("Phone 1 - Label", "Mobile"),
            ("Phone 1 - Value", pool.mobile[p]),
        ):
            cells[idx[h]] = v
        if i % 20 == 1:
            cells[idx["Notes"]] = (
                f"Soitti huoltosopimuksesta.\nHetu {_hetu(rng)}\nLasku kotiosoitteeseen."
            )
        elif i % 20 == 2:
            cells[idx["Birthday"]] = f"{1950 + p % 50}-{p % 12 + 1:02d}-{p % 28 + 1:02d}"
        out.append(",".join(_csv_cell(c) for c in cells))
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(out) + "\r\n").encode("utf-8"))


# -- mail ---------------------------------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _rfc2822(d: dt.date, hh: int, mm: int) -> str:
    return f"{_DAYS[d.weekday()]}, {d.day:02d} {_MONTHS[d.month - 1]} {d.year} {hh:02d}:{mm:02d}:00 +0200"


def _b_header(s: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(s.encode("utf-8")).decode("ascii") + "?="


def write_mbox(path: Path, n: int, pool: Pool, rng: random.Random) -> None:
    """Thunderbird mbox; ~10 kB a message on average (10 % carry a ~90 kB attachment)."""
    blob = base64.encodebytes(rng.randbytes(66_000)).decode("ascii")  # 76-char lines
    sales = f"Myynti <myynti@{OWN_DOMAIN}>"
    staff = f"Kari Lukkarila <kari.lukkarila@{OWN_DOMAIN}>"
    sep = "From - Mon Jan 01 00:00:00 2026\n"
    names = {}
    with open(path, "wb", buffering=1 << 22) as fh:
        chunk: list[str] = []
        for i in range(n):
            p = (i * 13 + 7) % pool.n
            if p not in names:
                names[p] = (
                    _b_header(pool.name(p)) if not pool.name(p).isascii() else f'"{pool.name(p)}"'
                )
            who = f"{names[p]} <{pool.email[p]}>"
            d = _days_ago(rng.randrange(1, 1100))
            inbound = i % 3 != 0
            frm, to = (who, sales) if inbound else ((staff if i % 2 else sales), who)
            body = BODIES[i % 4]
            if inbound and i % 4 == 1:
                body += f"\n\n-- \n{pool.name(p)}\n{pool.org[p]}\npuh. {pool.mobile[p]}"
            head = (
                f"From: {frm}\nTo: {to}\nDate: {_rfc2822(d, 8 + i % 9, i % 60)}\n"
                f"Subject: =?utf-8?q?Tarjous_{i}?=\nMessage-ID: <bench.{i}@mail.{OWN_DOMAIN}>\n"
                "MIME-Version: 1.0\n"
            )
            if i % 10 == 5:
                msg = (
                    head + 'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
                    "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                    f'{body}\n--b1\nContent-Type: application/pdf; name="tarjous.pdf"\n'
                    "Content-Transfer-Encoding: base64\n"
                    'Content-Disposition: attachment; filename="tarjous.pdf"\n\n'
                    f"{blob}--b1--\n"
                )
            else:
                msg = (
                    head + "Content-Type: text/plain; charset=utf-8\n"
                    "Content-Transfer-Encoding: 8bit\n\n" + body + "\n"
                )
            chunk.append(sep + msg + "\n")
            if len(chunk) >= 2000:
                fh.write("".join(chunk).encode("utf-8"))
                chunk.clear()
        fh.write("".join(chunk).encode("utf-8"))


def write_maillog(folder: Path, n: int, pool: Pool, rng: random.Random) -> None:
    """rsyslog ISO lines in two rotated files; a message makes 5 lines (+ some rejects)."""
    folder.mkdir(parents=True, exist_ok=True)
    half = n // 2
    start = dt.datetime(2025, 6, 1, 0, 0, 0)
    span = (dt.datetime(2026, 12, 30) - start).total_seconds()
    for name, lo, hi in (("maillog.1", 0, half), ("maillog", half, n)):
        with open(folder / name, "wb", buffering=1 << 22) as fh:
            out: list[str] = []
            i = lo
            while i < hi:
                t = start + dt.timedelta(seconds=span * i / n)
                ts = t.strftime("%Y-%m-%dT%H:%M:%S")
                p = (i * 17 + 5) % pool.n
                qid = f"{(i * 2654435761) % 16**10:010X}"
                ext = pool.email[p]
                pid = 2000 + i % 5000
                if i % 50 == 7:
                    out.append(
                        f"{ts}.000000+03:00 mx1 postfix/smtpd[{pid}]: NOQUEUE: reject: RCPT from "
                        f"unknown[192.0.2.99]: 450 4.7.25 Client host rejected: cannot find your "
                        f"hostname, [192.0.2.99]; from=<{ext}> to=<myynti@{OWN_DOMAIN}> "
                        "proto=ESMTP helo=<x>\n"
                    )
                    i += 1
                    continue
                inbound = i % 2 == 0
                frm, to = (
                    (ext, f"myynti@{OWN_DOMAIN}") if inbound else (f"myynti@{OWN_DOMAIN}", ext)
                )
                out.append(
                    f"{ts}.100000+03:00 mx1 postfix/smtpd[{pid}]: {qid}: client=mail.example.fi[192.0.2.10]\n"
                    f"{ts}.200000+03:00 mx1 postfix/cleanup[{pid + 1}]: {qid}: message-id=<{i}@example.fi>\n"
                    f"{ts}.300000+03:00 mx1 postfix/qmgr[812]: {qid}: from=<{frm}>, size={2000 + i % 9000}, "
                    "nrcpt=1 (queue active)\n"
                    f"{ts}.900000+03:00 mx1 postfix/{'local' if inbound else 'smtp'}[{pid + 2}]: {qid}: "
                    f"to=<{to}>, relay={'local' if inbound else 'mx.example.fi[192.0.2.20]:25'}, delay=0.6, "
                    "delays=0.4/0.01/0/0.19, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
                    f"{ts}.950000+03:00 mx1 postfix/qmgr[812]: {qid}: removed\n"
                )
                i += 5
                if len(out) >= 20000:
                    fh.write("".join(out).encode("utf-8"))
                    out.clear()
            fh.write("".join(out).encode("utf-8"))


WRITERS = {
    "customers_csv": write_customers,
    "service_contracts_csv": write_contracts,
    "marketing_optouts": write_optouts,
    "erasure_requests": write_erasures,
    "finvoice": write_invoices,
    "vcard": write_vcards,
    "google_contacts_csv": write_google,
    "mbox": write_mbox,
    "postfix_log": write_maillog,
}


def generate(scale: float, kinds: list[str], *, force: bool = False, log=print) -> Path:
    """Write (or reuse) the scaled company for *kinds*; return the folder with config.yaml."""
    root = scale_dir(scale)
    n = counts(scale)
    pool = Pool(max(1000, n["customers_csv"]))
    root.mkdir(parents=True, exist_ok=True)
    sources = []
    for name, kind, rel, system in SOURCES:
        if kind not in kinds:
            continue
        target = root / rel
        marker = root / f".done-{kind}-v{GENERATOR_VERSION}"
        if force or not marker.exists():
            if target.is_dir():
                shutil.rmtree(target)
            t0 = time.perf_counter()
            folder = target if kind in ("finvoice", "postfix_log") else target.parent
            folder.mkdir(parents=True, exist_ok=True)
            WRITERS[kind](target, n[kind], pool, random.Random(f"{kind}-{scale}"))
            marker.write_text("ok\n")
            log(f"  generated {kind}: {n[kind]:,} in {time.perf_counter() - t0:.1f} s")
        sources.append({"name": name, "kind": kind, "path": rel, "system": system})
    from audit_kit.policy import default_policy_path

    (root / "config.yaml").write_text(
        yaml.safe_dump(
            {
                "organisation": "Oulun Konttoripiste Oy",
                "policy": str(default_policy_path()),
                "as_of": AS_OF.isoformat(),
                "sources": sources,
            },
            sort_keys=False,
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return root


def input_paths(path: Path) -> list[Path]:
    """The input's files: itself, or every file under the folder, sorted."""
    return [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())


def input_bytes(root: Path, rel: str) -> int:
    return sum(f.stat().st_size for f in input_paths(root / rel))
