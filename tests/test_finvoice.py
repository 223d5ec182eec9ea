"""The finvoice loader: own fixtures (tests/data/finvoice) and the shared corpus, read in place."""

from __future__ import annotations

import datetime as dt
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from audit_kit import warehouse
from audit_kit.config import SourceConfig
from audit_kit.errors import InputError
from audit_kit.loaders import get_loader
from audit_kit.loaders.finvoice import load

DATA = Path(__file__).parent / "data" / "finvoice"
CORPUS = Path(__file__).parents[2] / "shared" / "corpora" / "finvoice"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason="shared corpus ../shared/corpora/finvoice is not beside the checkout",
)


def run(path: Path, **kw):
    con = warehouse.connect()
    sink = warehouse.SourceSink(con, source="x", kind="finvoice", system="billing")
    result = load(SourceConfig(name="x", kind="finvoice", path=path, system="billing"), sink, **kw)
    sink.flush()
    return con, result


def rows(con, sql: str) -> list[tuple]:
    return [tuple(r) for r in con.execute(sql).fetchall()]


def records(con) -> list[tuple]:
    return rows(
        con,
        "SELECT record_ref, role, person_name, org_name, business_id, email, phone, "
        "last_activity, detail FROM records ORDER BY record_ref, person_name",
    )


def fields(con, ref: str | None = None) -> list[tuple]:
    where = f"WHERE record_ref = '{ref}'" if ref else ""
    return rows(con, f"SELECT field, label, value FROM fields {where} ORDER BY field, label, value")


def rejects(con) -> list[tuple]:
    return rows(con, "SELECT record_ref, reason FROM rejects ORDER BY record_ref")


D = dt.date

# file -> (read, loaded, rejected, format)
COUNTS = {
    "iso8859-15_1.3_aakkoset.xml": (1, 1, 0, "finvoice 1.3"),
    "utf8_3.0_aakkoset.xml": (1, 1, 0, "finvoice 3.0"),
    "batch_3_one_broken.xml": (3, 2, 1, "finvoice 3.0"),
    "batch_wrapper_missing_date.xml": (3, 2, 1, "finvoice 2.01"),
    "invoices.zip": (3, 2, 1, "finvoice 1.3, finvoice 3.0"),
    "private_buyer_hetu.xml": (1, 1, 0, "finvoice 3.0"),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_reconcile(name):
    con, r = run(DATA / name)
    assert (r.records_read, r.records_loaded, r.records_rejected, r.format) == COUNTS[name]
    assert r.reconciles
    n_raw = rows(con, "SELECT count(*) FROM src_x")[0][0]
    n_rej_rows = rows(con, "SELECT count(*) FROM src_x WHERE status = 'rejected'")[0][0]
    # every invoice that parsed has a raw row, also when it was rejected for missing data
    assert n_raw == r.records_loaded + n_rej_rows
    assert rows(con, "SELECT count(*) FROM files")[0][0] == 1


def test_registered():
    assert get_loader("finvoice") is load


def test_iso8859_15_names_and_second_person():
    con, _ = run(DATA / "iso8859-15_1.3_aakkoset.xml")
    assert records(con) == [
        (
            "invoice 1301",
            "invoice_party",
            "Äänis Törmänen",
            "Kärkkäisen Konepaja Oy",
            "2345678-0",
            "aanis.tormanen@karkkainen.example.fi",
            "+358409123456",
            D(2024, 3, 5),
            None,
        ),
        (
            "invoice 1301",
            "invoice_party",
            "Åsa Östman",
            "Kärkkäisen Konepaja Oy / varasto",
            None,
            None,
            "+35881234567",
            D(2024, 3, 5),
            None,
        ),
    ]
    assert fields(con) == [
        ("business_id", "BuyerPartyIdentifier", "2345678-0"),
        ("company_address", "BuyerPostalAddressDetails", "Pöyhösentie 4 B, 90100 OULU, FI"),
        ("company_address", "DeliveryPostalAddressDetails", "Åbergintie 9, 90440 KEMPELE"),
        ("email", "BuyerEmailaddressIdentifier", "Aanis.Tormanen@karkkainen.example.fi"),
        ("org_name", "BuyerOrganisationName", "Kärkkäisen Konepaja Oy"),
        ("org_name", "DeliveryOrganisationName", "Kärkkäisen Konepaja Oy / varasto"),
        ("person_name", "BuyerContactPersonName", "Äänis Törmänen"),
        ("person_name", "DeliveryContactPersonName", "Åsa Östman"),
        ("work_phone", "BuyerPhoneNumberIdentifier", "040 912 3456"),
        ("work_phone", "DeliveryPhoneNumberIdentifier", "08 123 4567"),
    ]
    # the euro sign only exists in ISO-8859-15 (not -1): decoded right
    assert rows(con, 'SELECT "InvoiceDetails/InvoiceFreeText", encoding FROM src_x') == [
        ("Toimitus: hälytyskoodi lähetetään erikseen. Hinta 124 €.", "ISO-8859-15")
    ]


def test_utf8_crlf_same_person_once_and_job_title():
    con, _ = run(DATA / "utf8_3.0_aakkoset.xml")
    # InvoiceRecipientContactPersonName is the buyer's contact (other case and spacing): one record
    assert records(con) == [
        (
            "invoice 3001",
            "invoice_party",
            "Jörö Jääskeläinen",
            "Jääskeläisen Järjestöpalvelu ry",
            "0112038-9",
            "joro.jaaskelainen@jarjesto.example.fi",
            "+358501234567",
            D(2026, 4, 15),
            None,
        ),
    ]
    assert ("job_title", "BuyerContactPersonFunction", "Talouspäällikkö") in fields(con)
    assert rows(con, 'SELECT "InvoiceRecipientContactPersonName", encoding FROM src_x') == [
        ("jörö  jääskeläinen", "UTF-8")
    ]


def test_batch_of_documents_one_not_well_formed():
    con, _ = run(DATA / "batch_3_one_broken.xml")
    assert rejects(con) == [
        ("invoice 2", "not well-formed XML (mismatched tag) at line 14, column 39")
    ]
    assert [(r[0], r[2]) for r in records(con)] == [
        ("invoice B-1", "Väinö Räsänen"),
        ("invoice B-3", "Kyösti Määttä"),
    ]
    assert rows(con, "SELECT invoice_position FROM src_x ORDER BY 1") == [("1",), ("3",)]


def test_wrapper_batch_missing_invoice_date_is_a_reject():
    con, _ = run(DATA / "batch_wrapper_missing_date.xml")
    assert rejects(con) == [
        ("invoice W-2", "InvoiceDetails/InvoiceDate is missing or not a date (CCYYMMDD)")
    ]
    assert [(r[0], r[2], r[7]) for r in records(con)] == [
        ("invoice W-1", "Sirpa Hämäläinen", D(2023, 6, 1)),
        ("invoice W-3", "Tiina Kähkönen", D(2023, 6, 3)),
    ]
    # the rejected invoice is still kept in the raw table, nothing of it in the canonical tables
    assert rows(
        con,
        'SELECT record_ref, status, "BuyerContactPersonName" FROM src_x '
        "WHERE status = 'rejected'",
    ) == [("invoice W-2", "rejected", "Eino Väänänen")]
    assert fields(con, "invoice W-2") == []


def test_zip_member_broken_is_a_reject():
    con, r = run(DATA / "invoices.zip")
    assert rejects(con) == [
        ("2020/lasku_Z-3.xml", "not well-formed XML (unclosed token) at line 4, column 51")
    ]
    assert r.notes == ["invoices.zip: 1 zip member(s) that are not .xml skipped"]
    # the invoice date only: the statutory window is the policy's (audit_kit.clock)
    assert [(r[0], r[2], r[7]) for r in records(con)] == [
        ("invoice Z-1", "Öönä Åberg", D(2019, 12, 30)),
        ("invoice Z-2", "Harri Rönkkö", D(2020, 1, 2)),
    ]
    assert rows(con, "SELECT DISTINCT file FROM records") == [(str(DATA / "invoices.zip"),)]


def test_private_buyer_with_hetu():
    con, _ = run(DATA / "private_buyer_hetu.xml")
    assert records(con) == [
        (
            "invoice P-1",
            "invoice_party",
            "Marjatta Pöyhönen",
            None,
            None,
            "marjatta.poyhonen@koti.example.fi",
            "+358409120002",
            D(2026, 2, 1),
            None,
        )
    ]
    assert fields(con) == [
        ("address", "BuyerPostalAddressDetails", "Kotikatu 3 A 5, 90100 OULU, FI"),
        ("email", "BuyerEmailaddressIdentifier", "marjatta.poyhonen@koti.example.fi"),
        ("hetu", "BuyerPartyIdentifier", "150375-9525"),
        ("hetu", "InvoiceFreeText", "020288A953B"),
        ("person_name", "BuyerOrganisationName", "Marjatta Pöyhönen"),
        ("phone", "BuyerPhoneNumberIdentifier", "040 912 0002"),
    ]


@pytest.mark.parametrize(
    "name", ["xxe_external_entity.xml", "xxe_parameter_entity.xml", "billion_laughs.xml"]
)
def test_unsafe_xml_is_refused(name):
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as ei:
            run(DATA / name)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    msg = str(ei.value)
    assert msg == (
        f"{DATA / name}: XML refused as unsafe (EntitiesForbidden); "
        "entities and external references are not allowed"
    )
    assert peak < 20 * 2**20  # refused at the declaration, never expanded
    hostname = Path("/etc/hostname")
    if hostname.exists() and hostname.read_text().strip():
        assert hostname.read_text().strip() not in msg


def test_unsafe_member_in_zip_names_zip_and_member(tmp_path):
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(DATA / "utf8_3.0_aakkoset.xml", "a.xml")
        zf.write(DATA / "billion_laughs.xml", "b.xml")
    with pytest.raises(InputError) as ei:
        run(z)
    assert ei.value.file == str(z) and ei.value.place == "member b.xml"


def test_not_well_formed_whole_file_gives_line_and_column():
    with pytest.raises(InputError) as ei:
        run(DATA / "broken_not_well_formed.xml")
    assert ei.value.place == "line 6, column 3"
    assert ei.value.message == "not well-formed XML (mismatched tag); fix or re-export the file"


def test_folder_of_files_and_zip(tmp_path):
    for n in ("iso8859-15_1.3_aakkoset.xml", "utf8_3.0_aakkoset.xml", "invoices.zip"):
        shutil.copy(DATA / n, tmp_path / n)
    (tmp_path / "liite.pdf").write_bytes(b"%PDF-1.4")
    con, r = run(tmp_path)
    assert (r.records_read, r.records_loaded, r.records_rejected) == (5, 4, 1)
    assert rows(con, "SELECT count(*) FROM files") == [(3,)]


@pytest.mark.slow  # a process pool
def test_pool_gives_the_same_rows(tmp_path, monkeypatch):
    import audit_kit.loaders.finvoice as fv

    for i in range(6):
        shutil.copy(DATA / "iso8859-15_1.3_aakkoset.xml", tmp_path / f"a{i}.xml")
    monkeypatch.setattr(fv, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(fv, "POOL_CHUNK", 2)
    con1, r1 = run(tmp_path, workers=1)
    con2, r2 = run(tmp_path, workers=2)
    assert (r1.records_read, r1.records_loaded) == (r2.records_read, r2.records_loaded) == (6, 6)
    q = "SELECT file, record_ref, person_name, phone FROM records ORDER BY ALL"
    assert rows(con1, q) == rows(con2, q)


def test_no_finvoice_in_a_zip_member_is_a_reject(tmp_path):
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("proposal.xml", "<?xml version='1.0'?><ReceiverProposal/>")
        zf.write(DATA / "utf8_3.0_aakkoset.xml", "a.xml")
    con, r = run(z)
    assert rejects(con) == [("proposal.xml", "no Finvoice element found")]
    assert (r.records_read, r.records_loaded, r.records_rejected) == (2, 1, 1)


# -- the shared corpus, read in place -----------------------------------------------------
@needs_corpus
def test_corpus_official_1_2_example():
    con, r = run(CORPUS / "py-finvoice" / "finvoice_1.2_official_example_iso8859-15.xml")
    assert (r.records_read, r.records_loaded, r.records_rejected, r.format) == (
        1,
        1,
        0,
        "finvoice 1.2",
    )
    # 0123456-7 has a wrong check digit (0123456-2 would be right): kept, noted in detail
    assert records(con) == [
        (
            "invoice 159",
            "invoice_party",
            "Hannes Puumalainen",
            "Sensorit Oy",
            "0123456-7",
            "hannes.puumalainen@sensorit.fi",
            "+358505432658",
            D(2004, 12, 15),
            "BuyerPartyIdentifier: business ID check digit is not valid",
        ),
    ]
    assert fields(con) == [
        ("business_id", "BuyerOrganisationTaxCode", "0123456-7"),
        ("business_id", "BuyerPartyIdentifier", "0123456-7"),
        ("company_address", "BuyerPostalAddressDetails", "Sempalokatu 2, 00122 HELSINKI"),
        ("email", "BuyerEmailaddressIdentifier", "hannes.puumalainen@sensorit.fi"),
        ("org_name", "BuyerOrganisationName", "Sensorit Oy"),
        ("person_name", "BuyerContactPersonName", "Hannes Puumalainen"),
        ("work_phone", "BuyerPhoneNumberIdentifier", "050-543 2658"),
    ]
    raw = rows(
        con,
        'SELECT "InvoiceDetails/InvoiceTotalVatIncludedAmount", '
        '"InvoiceRecipientPartyDetails/InvoiceRecipientOrganisationName", '
        '"SellerInformationDetails/InvoiceRecipientDetails/InvoiceRecipientAddress", '
        '"InvoiceDetails/PaymentTermsDetails/InvoiceDueDate" FROM src_x',
    )
    assert raw == [
        (
            "3352,98",
            "Tilitoimisto Ryynänen\nAccounting Company Ryynänen",
            "FI2757800750155448",
            "20041229",
        )
    ]
    el = dict(rows(con, "SELECT path, value FROM src_x_elements"))
    assert el["/Finvoice/InvoiceRow[3]/SubInvoiceRow/SubArticleName"] == "Toimitusyhteenveto"
    assert el["/Finvoice/SellerContactPersonName"] == "Hanna Paananen"
    assert el["/Finvoice/InvoiceDetails/InvoiceDate/@Format"] == "CCYYMMDD"
    assert el["/Finvoice/SpecificationDetails/SpecificationFreeText[7]"].startswith("Muotoituja")
    assert len(el) == rows(con, "SELECT count(*) FROM src_x_elements")[0][0] == 240


@needs_corpus
def test_corpus_procountor_1_3_no_contact_person_no_record():
    con, r = run(CORPUS / "finvoice2csv" / "lasku_1.3_procountor_iso8859-15.xml")
    assert (r.records_read, r.records_loaded, r.format) == (1, 1, "finvoice 1.3")
    assert records(con) == [] and fields(con) == []  # a company without a person
    assert rows(
        con,
        'SELECT record_ref, "BuyerPartyDetails/BuyerOrganisationName", '
        '"InvoiceDetails/InvoiceFreeText" FROM src_x',
    ) == [
        (
            "invoice 1",
            "ProCountor International Oy",
            "Asennuskulut veloitetaan erillisellä laskulla",
        )
    ]


@needs_corpus
def test_corpus_3_0_converter_output():
    con, r = run(CORPUS / "invopop-gobl.fi.finvoice" / "examples_out_invoice_3.0.xml")
    assert records(con) == [
        (
            "invoice 2026-1001",
            "invoice_party",
            "Olli Ostaja",
            "Ostaja Oy",
            "0112038-9",
            "ostot@ostaja.example",
            None,
            D(2026, 9, 1),
            None,
        )
    ]
    assert (
        "company_address",
        "BuyerPostalAddressDetails",
        "Testitie 2, 3. kerros, 02100 Espoo, FI",
    ) in fields(con)
    el = dict(rows(con, "SELECT path, value FROM src_x_elements"))
    assert (
        el["/Finvoice/MessageTransmissionDetails/MessageSenderDetails/FromIdentifier/@SchemeID"]
        == "0216"
    )


@needs_corpus
def test_corpus_operator_one_line_1_3():
    con, r = run(CORPUS / "invopop-gobl.fi.finvoice" / "operator-converted_1.3.xml")
    assert (r.records_read, r.records_loaded, r.format) == (1, 1, "finvoice 1.3")
    assert rows(
        con,
        'SELECT record_ref, "BuyerPartyDetails/BuyerOrganisationName", '
        '"SellerPartyDetails/SellerOrganisationName" FROM src_x',
    ) == [("invoice 00044", "Vastaanottaja Oy", "Lähettäjä Oy")]
    assert records(con) == []


@needs_corpus
def test_corpus_soap_framed_misdeclared_encoding():
    con, r = run(CORPUS / "invopop-gobl.fi.finvoice" / "soap-framed_3.0.utf8-text.xml")
    assert (r.records_read, r.records_loaded, r.format) == (1, 1, "finvoice 3.0")
    assert r.notes == ["line 39: declared ISO-8859-15 but the bytes are UTF-8; read as UTF-8"]
    assert rows(
        con, 'SELECT record_ref, "SellerPartyDetails/SellerOrganisationName", encoding FROM src_x'
    ) == [("invoice 2026-77", "Lähettäjä Oy", "UTF-8")]
    el = rows(
        con,
        "SELECT path, value FROM src_x_elements WHERE path LIKE '/SOAP-ENV:Envelope%' "
        "AND path LIKE '%PartyId'",
    )
    assert el == [
        (
            "/SOAP-ENV:Envelope/SOAP-ENV:Header/eb:MessageHeader/eb:From[1]/eb:PartyId",
            "003776543212",
        ),
        ("/SOAP-ENV:Envelope/SOAP-ENV:Header/eb:MessageHeader/eb:From[2]/eb:PartyId", "NDEAFIHH"),
        ("/SOAP-ENV:Envelope/SOAP-ENV:Header/eb:MessageHeader/eb:To[1]/eb:PartyId", "003745678907"),
        ("/SOAP-ENV:Envelope/SOAP-ENV:Header/eb:MessageHeader/eb:To[2]/eb:PartyId", "003700020002"),
    ]


@needs_corpus
def test_corpus_soap_envelope_only_is_an_input_error():
    with pytest.raises(InputError) as ei:
        run(CORPUS / "py-finvoice" / "sample_soap.xml")
    assert ei.value.message == "no Finvoice element found; is this a Finvoice file?"


@needs_corpus
def test_corpus_folder_in_place():
    folder = CORPUS / "invopop-gobl.fi.finvoice"
    con, r = run(folder)
    assert (r.records_read, r.records_loaded, r.records_rejected) == (3, 3, 0)
    assert r.format == "finvoice 1.3, finvoice 3.0"


# -- the demo writer ------------------------------------------------------------------------
def _demo(root: Path):
    from audit_kit.demo import DemoContext
    from audit_kit.demo.finvoice import write

    ctx = DemoContext(root=root)
    write(ctx)
    return ctx


def test_demo_invoices_load_and_match_the_planted_findings(tmp_path):
    ctx = _demo(tmp_path)
    (src,) = ctx.sources
    assert (src["name"], src["kind"], src["system"]) == ("billing-invoices", "finvoice", "billing")
    con, r = run(Path(src["path"]))
    assert (r.records_read, r.records_loaded, r.records_rejected) == (12, 12, 0)
    assert r.format == "finvoice 1.3, finvoice 3.0"
    encodings = rows(con, "SELECT encoding, count(*) FROM src_x GROUP BY 1 ORDER BY 1")
    assert encodings == [("ISO-8859-15", 6), ("UTF-8", 6)]
    as_of = ctx.as_of
    from audit_kit.clock import voucher_kept_until
    from audit_kit.policy import default_policy_path, load_policy

    accounting = load_policy(default_policy_path()).accounting
    dated = rows(con, "SELECT record_ref, last_activity FROM records")
    expired = sorted({(ref,) for ref, d in dated if voucher_kept_until(d, accounting) < as_of})
    expected = sorted((e.record_ref,) for e in ctx.expected if e.rule_id == "R-invoice")
    assert expired == expected and len(expired) == 1
    flagged = rows(
        con,
        "SELECT DISTINCT record_ref, field FROM fields WHERE field IN "
        "('home_address','home_phone','birthday','hetu','photo','job_title',"
        "'other_personal') ORDER BY 1",
    )
    assert flagged == sorted(  # M-voucher: inside its statutory window
        (e.record_ref, e.field) for e in ctx.expected if e.rule_id in ("M-field", "M-voucher")
    )
    assert len(flagged) == 1
    # 13 persons: 12 buyers (one a private person) and one separate delivery contact
    assert rows(con, "SELECT count(*) FROM records") == [(13,)]
    assert rows(con, "SELECT min(last_activity) >= DATE '2018-12-31' FROM records") == [(True,)]
    assert rows(con, "SELECT count(*) FROM records WHERE detail IS NOT NULL") == [(0,)]


def test_demo_is_byte_identical(tmp_path):
    _demo(tmp_path / "a")
    _demo(tmp_path / "b")
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.xml")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.xml")}
    assert a == b and len(a) == 12


@pytest.mark.parametrize("text", ["ei sähköpostia", "-", "puuttuu"])
def test_email_placeholder_without_at_is_no_email(tmp_path, text):
    src = (DATA / "utf8_3.0_aakkoset.xml").read_text(encoding="utf-8")
    p = tmp_path / "lasku.xml"
    p.write_text(src.replace("joro.jaaskelainen@jarjesto.example.fi", text), encoding="utf-8")
    con, r = run(p)
    assert (r.records_read, r.records_loaded, r.records_rejected) == (1, 1, 0)
    assert [f for f in fields(con) if f[0] == "email"] == []
    assert rows(con, "SELECT email, detail FROM records") == [
        (None, "BuyerEmailaddressIdentifier is not an e-mail address")]


def test_email_with_at_is_kept_even_when_malformed(tmp_path):
    src = (DATA / "utf8_3.0_aakkoset.xml").read_text(encoding="utf-8")
    p = tmp_path / "lasku.xml"
    p.write_text(src.replace("joro.jaaskelainen@jarjesto.example.fi", "joro@jarjesto"),
                 encoding="utf-8")
    con, _ = run(p)
    assert ("email", "BuyerEmailaddressIdentifier", "joro@jarjesto") in fields(con)
