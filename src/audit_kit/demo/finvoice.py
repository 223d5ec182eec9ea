"""The demo company's invoice export: Finvoice files from the cloud billing service.

One file per invoice (``billing/invoices/<year>/lasku_<number>.xml``), the way the billing
service exports them: the older invoices as Finvoice 1.3 in ISO-8859-15, the newer as
Finvoice 3.0 in UTF-8 (plus one 3.0 file still in ISO-8859-15). Planted:

* an invoice of 2019 (kept until 2025-12-31 < as_of): ``R-invoice`` for its contact
  person; next to it a January 2020 invoice, kept until 2026-12-31: no finding;
* a private-person buyer whose buyer identifier is a personal identity code, the invoice
  inside its statutory window: ``M-voucher`` ``hetu`` (keep the voucher unchanged); next
  to it a sole trader's invoice with a business ID: no finding;
* invoices of ended customers whose contact person appears nowhere else: inside the
  statutory window, so no finding whatever §6 says.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from audit_kit.demo import DemoContext, Person

SOURCE = "billing-invoices"
SELLER_ID = "0729081-3"
SELLER = "Oulun Konttoripiste Oy"
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
STREETS = [
    "Isokatu",
    "Kauppurienkatu",
    "Pakkahuoneenkatu",
    "Teknologiantie",
    "Kiviharjuntie",
    "Elektroniikkatie",
    "Yrttipellontie",
    "Sepänkatu",
    "Äimäkuja",
    "Torikatu",
]
TOWNS = [
    ("90100", "OULU"),
    ("90440", "KEMPELE"),
    ("90800", "OULU"),
    ("90900", "KIIMINKI"),
    ("92100", "RAAHE"),
    ("90460", "OULUNSALO"),
]
ARTICLES = [
    ("Kopiokoneen huoltokäynti", "145,00"),
    ("Värikasetti C-200", "89,90"),
    ("Paperi A4 (5 laatikkoa)", "124,50"),
    ("Tulostimen vuokra / kk", "59,00"),
    ("Asennus ja käyttöönotto", "210,00"),
]


def _hetu(rng, year: int) -> str:
    """A personal identity code with a valid check character, temporary range (900-999)."""
    d = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    body = f"{d:%d%m}{d.year % 100:02d}"
    nnn = f"{rng.randrange(900, 1000)}"
    sign = "-" if d.year < 2000 else "A"
    return f"{body}{sign}{nnn}{_HETU_CHECK[int(body + nnn) % 31]}"


def _invoice(
    ctx: DemoContext,
    *,
    version: str,
    number: str,
    date: dt.date,
    buyer_id: str,
    buyer_name: str,
    contact: Person | None,
    private: bool = False,
    delivery: Person | None = None,
) -> str:
    rng = ctx.rng
    e = escape
    code, town = rng.choice(TOWNS)
    street = f"{rng.choice(STREETS)} {rng.randrange(1, 60)}"
    art, price = rng.choice(ARTICLES)
    due = date + dt.timedelta(days=14)
    x = [f'<Finvoice Version="{version}">']
    if version.startswith("3"):
        x.append(
            "<MessageTransmissionDetails><MessageSenderDetails>"
            "<FromIdentifier>003707290813</FromIdentifier>"
            "<FromIntermediator>003723327487</FromIntermediator></MessageSenderDetails>"
            "<MessageReceiverDetails><ToIdentifier>TULOSTUS</ToIdentifier>"
            "<ToIntermediator>003723327487</ToIntermediator></MessageReceiverDetails>"
            f"<MessageDetails><MessageIdentifier>OKP-{number}</MessageIdentifier>"
            f"<MessageTimeStamp>{date.isoformat()}T08:00:00+02:00</MessageTimeStamp>"
            "</MessageDetails></MessageTransmissionDetails>"
        )
    x.append(
        f"<SellerPartyDetails><SellerPartyIdentifier>{SELLER_ID}</SellerPartyIdentifier>"
        f"<SellerOrganisationName>{SELLER}</SellerOrganisationName>"
        "<SellerPostalAddressDetails><SellerStreetName>Ratakatu 12</SellerStreetName>"
        "<SellerTownName>OULU</SellerTownName>"
        "<SellerPostCodeIdentifier>90130</SellerPostCodeIdentifier>"
        "<CountryCode>FI</CountryCode></SellerPostalAddressDetails></SellerPartyDetails>"
    )
    x.append(
        "<BuyerPartyDetails>"
        f"<BuyerPartyIdentifier>{e(buyer_id)}</BuyerPartyIdentifier>"
        f"<BuyerOrganisationName>{e(buyer_name)}</BuyerOrganisationName>"
        f"<BuyerPostalAddressDetails><BuyerStreetName>{e(street)}</BuyerStreetName>"
        f"<BuyerTownName>{town}</BuyerTownName>"
        f"<BuyerPostCodeIdentifier>{code}</BuyerPostCodeIdentifier>"
        "<CountryCode>FI</CountryCode></BuyerPostalAddressDetails></BuyerPartyDetails>"
    )
    who = contact
    if contact is not None and not private:
        x.append(f"<BuyerContactPersonName>{e(contact.name)}</BuyerContactPersonName>")
    if who is not None:
        x.append(
            "<BuyerCommunicationDetails>"
            f"<BuyerPhoneNumberIdentifier>{e(who.mobile)}</BuyerPhoneNumberIdentifier>"
            f"<BuyerEmailaddressIdentifier>{e(who.email)}</BuyerEmailaddressIdentifier>"
            "</BuyerCommunicationDetails>"
        )
    if delivery is not None:
        x.append(
            "<DeliveryPartyDetails>"
            f"<DeliveryOrganisationName>{e(delivery.org)}</DeliveryOrganisationName>"
            "<DeliveryPostalAddressDetails>"
            f"<DeliveryStreetName>{e(rng.choice(STREETS))} 2</DeliveryStreetName>"
            f"<DeliveryTownName>{town}</DeliveryTownName>"
            f"<DeliveryPostCodeIdentifier>{code}</DeliveryPostCodeIdentifier>"
            "</DeliveryPostalAddressDetails></DeliveryPartyDetails>"
            f"<DeliveryContactPersonName>{e(delivery.name)}</DeliveryContactPersonName>"
            "<DeliveryCommunicationDetails>"
            f"<DeliveryPhoneNumberIdentifier>{e(delivery.mobile)}"
            "</DeliveryPhoneNumberIdentifier></DeliveryCommunicationDetails>"
        )
    x.append(
        "<InvoiceDetails><InvoiceTypeCode>INV01</InvoiceTypeCode>"
        + ("<InvoiceTypeCodeUN>380</InvoiceTypeCodeUN>" if version.startswith("3") else "")
        + "<InvoiceTypeText>LASKU</InvoiceTypeText><OriginCode>Original</OriginCode>"
        f"<InvoiceNumber>{number}</InvoiceNumber>"
        f'<InvoiceDate Format="CCYYMMDD">{date:%Y%m%d}</InvoiceDate>'
        f'<InvoiceTotalVatIncludedAmount AmountCurrencyIdentifier="EUR">{price}'
        "</InvoiceTotalVatIncludedAmount>"
        "<PaymentTermsDetails><PaymentTermsFreeText>14 päivää netto</PaymentTermsFreeText>"
        f'<InvoiceDueDate Format="CCYYMMDD">{due:%Y%m%d}</InvoiceDueDate>'
        "</PaymentTermsDetails></InvoiceDetails>"
    )
    x.append(
        f"<InvoiceRow><ArticleName>{e(art)}</ArticleName>"
        '<DeliveredQuantity QuantityUnitCode="kpl">1</DeliveredQuantity>'
        f'<RowAmount AmountCurrencyIdentifier="EUR">{price}</RowAmount></InvoiceRow>'
    )
    x.append(
        "<EpiDetails><EpiIdentificationDetails>"
        f'<EpiDate Format="CCYYMMDD">{date:%Y%m%d}</EpiDate>'
        f"<EpiReference>{number}</EpiReference></EpiIdentificationDetails>"
        "<EpiPartyDetails><EpiBfiPartyDetails>"
        '<EpiBfiIdentifier IdentificationSchemeName="BIC">OKOYFIHH</EpiBfiIdentifier>'
        "</EpiBfiPartyDetails><EpiBeneficiaryPartyDetails>"
        f"<EpiNameAddressDetails>{SELLER}</EpiNameAddressDetails><EpiBei>{SELLER_ID}</EpiBei>"
        '<EpiAccountID IdentificationSchemeName="IBAN">FI2757800750155448</EpiAccountID>'
        "</EpiBeneficiaryPartyDetails></EpiPartyDetails></EpiDetails>"
    )
    x.append("</Finvoice>")
    return "\n".join(x) + "\n"


def write(ctx: DemoContext) -> None:
    folder = ctx.root / "billing" / "invoices"
    seq = 0

    def emit(date: dt.date, *, utf8: bool, version: str, **kw) -> str:
        nonlocal seq
        seq += 1
        number = f"{date.year}{seq:03d}"
        body = _invoice(ctx, version=version, number=number, date=date, **kw)
        enc = "UTF-8" if utf8 else "ISO-8859-15"
        path = folder / str(date.year) / f"lasku_{number}.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f'<?xml version="1.0" encoding="{enc}"?>\n{body}'.encode(enc))
        return f"invoice {number}"

    def company(date: dt.date, p: Person, *, utf8: bool, version: str, **kw) -> str:
        return emit(
            date,
            utf8=utf8,
            version=version,
            buyer_id=p.business_id,
            buyer_name=p.org,
            contact=p,
            **kw,
        )

    # past the statutory window: invoice year 2019 -> kept until 2025-12-31 < as_of
    old = ctx.person()
    ref = company(ctx.months_ago(90), old, utf8=False, version="1.3")  # 2019-06
    ctx.expect("R-invoice", SOURCE, ref)
    # the look-alike: January 2020 -> kept until 2026-12-31, not yet past as_of
    company(ctx.months_ago(83), ctx.person(), utf8=False, version="1.3")
    # ended customers whose contact persons appear nowhere else: inside the window
    for months in (70, 58, 46):
        p = ctx.person()
        company(
            ctx.months_ago(months),
            p,
            utf8=False,
            version="1.3",
            delivery=ctx.person(org=p.org) if months == 58 else None,
        )
    company(ctx.months_ago(34), ctx.person(), utf8=False, version="3.0")  # 3.0, still Latin-9
    # a private person as the buyer, identified by a personal identity code
    consumer = ctx.person()
    ref = emit(
        ctx.months_ago(20),
        utf8=True,
        version="3.0",
        buyer_id=_hetu(ctx.rng, 1975),
        buyer_name=consumer.name,
        contact=consumer,
        private=True,
    )
    # inside the statutory window: the voucher is kept unchanged (M-voucher, not M-field)
    ctx.expect("M-voucher", SOURCE, ref, field="hetu")
    # the look-alike: a sole trader (toiminimi) with a business ID
    trader = ctx.person()
    emit(
        ctx.months_ago(19),
        utf8=True,
        version="3.0",
        buyer_id=trader.business_id,
        buyer_name=f"Tmi {trader.name}",
        contact=trader,
    )
    # invoices to live customers (their contacts are in the customer register too)
    live = ctx.live_customer_contacts[:3] or [ctx.person() for _ in range(3)]
    for i, p in enumerate(live):
        company(ctx.months_ago(9 - 3 * i), p, utf8=True, version="3.0")
    company(ctx.months_ago(1), ctx.person(), utf8=True, version="3.0")
    ctx.add_source(SOURCE, "finvoice", folder, "billing")
