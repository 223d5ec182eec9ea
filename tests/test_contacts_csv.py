"""The google_contacts_csv loader: own fixtures (tests/data/contacts_csv) and the shared
corpus read in place, including roundcube's CSV -> vCard pairs as an oracle for agreement
with the vcard loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_kit import warehouse
from audit_kit.config import SourceConfig
from audit_kit.errors import InputError
from audit_kit.loaders import contacts_csv, get_loader, vcard

DATA = Path(__file__).parent / "data" / "contacts_csv"
CORPUS = Path(__file__).parents[2] / "shared" / "corpora" / "contacts_csv"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason="shared corpus ../shared/corpora/contacts_csv is not beside the checkout",
)


def run(path: Path, kind: str = "google_contacts_csv", **kw):
    con = warehouse.connect()
    sink = warehouse.SourceSink(con, source="x", kind=kind, system="android_backup")
    loader = contacts_csv.load if kind == "google_contacts_csv" else vcard.load
    result = loader(SourceConfig(name="x", kind=kind, path=path, system="android_backup", **kw),
                    sink)
    sink.flush()
    return con, result


def rows(con, sql: str, *params) -> list[tuple]:
    return [tuple(r) for r in con.execute(sql, list(params)).fetchall()]


def records(con) -> list[tuple]:
    return rows(con, "SELECT record_ref, role, person_name, org_name, email, phone FROM records "
                     "ORDER BY CAST(split_part(record_ref, ' ', 2) AS INT)")


def fields(con, ref: str) -> set[tuple]:
    return set(rows(con, "SELECT field, label, value FROM fields WHERE record_ref = ?", ref))


def test_registered():
    assert get_loader("google_contacts_csv") is contacts_csv.load


COUNTS = {
    "google_new.csv": (3, 3, 0, "google csv (new)"),
    "google_new_ragged.csv": (4, 3, 1, "google csv (new)"),
    "google_old_cp1252.csv": (1, 1, 0, "google csv (old)"),
    "outlook_utf16.csv": (1, 1, 0, "outlook csv"),
    "thunderbird.csv": (1, 1, 0, "thunderbird csv"),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_and_format(name):
    con, r = run(DATA / name)
    assert (r.records_read, r.records_loaded, r.records_rejected, r.format) == COUNTS[name]
    assert r.reconciles
    assert rows(con, "SELECT count(*) FROM records")[0][0] == r.records_loaded


FIELDS = {
    ("google_new.csv", "line 2"): {
        ("person_name", "First Name", "Väinö"),
        ("person_name", "Last Name", "Mäkinen"),
        ("org_name", "Organization Name", "Kiimingin Kone Oy"),
        ("non_personal", "Labels", "* myContacts ::: * starred"),
        ("email", "E-mail 1 - Value (Work)", "vaino.makinen@example.fi"),  # " ::: " split
        ("email", "E-mail 1 - Value (Work)", "vaino@example.fi"),
        ("mobile_phone", "Phone 1 - Value (Mobile)", "040-1234567"),
        ("work_phone", "Phone 2 - Value (Work)", "+358 20 123 4567"),
        ("company_address", "Address 1 (Work)", "Ratakatu 12\n90100 Oulu\nSuomi"),
    },
    # starts on physical line 5: line 2's quoted address spans lines 2-4
    ("google_new.csv", "line 5"): {
        ("person_name", "First Name", "Päivi"),
        ("person_name", "Last Name", "Jääskeläinen"),
        ("job_title", "Organization Title", "Myyntipäällikkö"),
        ("birthday", "Birthday", "1985-05-15"),
        ("notes", "Notes", "Tapasimme messuilla.\nHenkilötunnus 150585-934S\nsoita iltaisin."),
        ("hetu", "Notes", "150585-934S"),
        ("photo", "Photo", "present, link"),
        ("non_personal", "Labels", "* myContacts"),
        ("home_phone", "Phone 1 - Value (Home)", "08 5931 327"),
        ("home_address", "Address 1 (Home)", "Kirkkokatu 5 B 12\n90100 Oulu"),
        ("other_personal", "Custom Field 1 - Value (Lempiväri)", "sininen"),
    },
    ("google_new.csv", "line 9"): {
        ("person_name", "First Name", "Åsa"),
        ("person_name", "Last Name", "Östman"),
        ("notes", "Notes", "Asiakasnumero 131052-308A, ei tunnus."),  # not a valid HETU
        ("non_personal", "Labels", "* myContacts"),
        ("mobile_phone", "Phone 1 - Value", "+358 40 123 4567"),  # unlabelled, mobile range
        ("url", "Website 1 - Value (Profile)", "https://example.fi/asa"),
    },
    ("google_old_cp1252.csv", "line 2"): {
        ("person_name", "Name", "Kyösti Kärkkäinen"),
        ("person_name", "Given Name", "Kyösti"),
        ("person_name", "Family Name", "Kärkkäinen"),
        ("other_personal", "Gender", "male"),
        ("non_personal", "Group Membership", "* My Contacts ::: Asiakkaat"),
        ("email", "E-mail 1 - Value (Work)", "kyosti.karkkainen@example.fi"),
        ("mobile_phone", "Phone 1 - Value (Mobile)", "050 765 4321"),
        ("home_phone", "Phone 2 - Value (Home Fax)", "08 555 0000"),
        ("home_address", "Address 1 (Home)", "Pöllökuja 7, Kempele, 90440"),
        ("org_name", "Organization 1 - Name", "Iin Insinöörit Oy"),
        ("job_title", "Organization 1 - Title", "Työnjohtaja"),
    },
    ("outlook_utf16.csv", "line 2"): {
        ("person_name", "First Name", "Riitta"),
        ("person_name", "Last Name", "Pöyhönen"),
        ("email", "E-mail Address", "riitta.poyhonen@example.fi"),
        ("work_phone", "Business Phone", "08 311 2222"),
        ("mobile_phone", "Mobile Phone", "+358 44 123 4567"),
        ("org_name", "Company", "Muhoksen Maansiirto Oy"),
        ("other_personal", "Schools", "Oulun yliopisto"),  # Outlook.com's, about the person
        ("birthday", "Anniversary", "6.6.2001"),
        ("company_address", "Work address", "Teollisuustie 9, Muhos, 91500"),
        ("home_address", "Home address", "Jokivarrentie 2, Muhos"),
    },
    ("thunderbird.csv", "line 2"): {
        ("person_name", "First Name", "Marjatta"),
        ("person_name", "Last Name", "Ylönen"),
        ("person_name", "Display Name", "Marjatta Ylönen"),
        ("email", "Primary Email", "marjatta.ylonen@example.fi"),
        ("work_phone", "Work Phone", "08 222 3333"),
        ("unclassified", "Custom 1", "VIP"),  # a user-defined field: the config classifies
        ("company_address", "Work address", "Isokatu 1, Oulu, 90100"),
        ("birthday", "Birth Year/Month/Day", "1970-11-15"),
    },
}


@pytest.mark.parametrize(("name", "ref"), sorted(FIELDS))
def test_every_column_lands_with_its_label(name, ref):
    con, _ = run(DATA / name)
    assert fields(con, ref) == FIELDS[(name, ref)]


def test_new_google_records():
    con, _ = run(DATA / "google_new.csv")
    assert records(con) == [
        ("line 2", "phone_contact", "Väinö Mäkinen", "Kiimingin Kone Oy",
         "vaino.makinen@example.fi", "+358401234567"),
        ("line 5", "phone_contact", "Päivi Jääskeläinen", None, None, "+35885931327"),
        ("line 9", "phone_contact", "Åsa Östman", None, None, "+358401234567"),
    ]


def test_short_row_padded_surplus_rejected_with_reason():
    con, r = run(DATA / "google_new_ragged.csv")
    assert rows(con, "SELECT record_ref, reason FROM rejects ORDER BY record_ref") == [
        ("line 5", "row has 39 cells, the header has 38"),
    ]
    assert r.notes == ["google_new_ragged.csv: 1 row shorter than the header, the missing "
                       "last cells read as empty"]
    # line 2's note spans two physical lines, so the next row is line 4
    assert [r[:3] for r in records(con)] == [
        ("line 2", "phone_contact", "Aino Ahola"), ("line 4", "phone_contact", "Eino Pekkala"),
        ("line 6", "phone_contact", "Timo Tervo")]
    # the rejected rows' cells are still in the raw table
    assert rows(con, "SELECT \"column\", value FROM src_x WHERE record_ref = 'line 5' "
                     "AND \"column\" = 'cell 39'") == [("cell 39", "ylimääräinen")]


def test_raw_table_keeps_every_cell():
    con, _ = run(DATA / "google_new.csv")
    got = rows(con, "SELECT line, \"column\", value FROM src_x WHERE record_ref = 'line 9' "
                    "ORDER BY \"column\"")
    assert ("9", "Labels", "* myContacts") in got
    assert ("9", "Phone 1 - Value", "+358 40 123 4567") in got
    assert len(got) == 7


def test_explicit_encoding_and_delimiter(tmp_path):
    p = tmp_path / "semi.csv"
    p.write_bytes("First Name;Last Name;E-mail 1 - Label;E-mail 1 - Value\r\n"
                  "Väinö;Mäkinen;* Work;VAINO@EXAMPLE.FI\r\n".encode("cp1252"))
    con, r = run(p, encoding="cp1252", delimiter=";")
    assert r.format == "google csv (new)"
    assert records(con)[0][2:5] == ("Väinö Mäkinen", None, "vaino@example.fi")


def test_sniffed_semicolon_delimiter(tmp_path):
    p = tmp_path / "semi.csv"
    p.write_text("First Name;Last Name;Phone 1 - Label;Phone 1 - Value\nAino;Ahola;Home;08 1\n",
                 encoding="utf-8")
    con, _ = run(p)
    assert fields(con, "line 2") == {("person_name", "First Name", "Aino"),
                                     ("person_name", "Last Name", "Ahola"),
                                     ("home_phone", "Phone 1 - Value (Home)", "08 1")}


def test_unknown_header_is_input_error():
    with pytest.raises(InputError) as exc:
        run(DATA / "not_contacts.csv")
    assert "not recognised" in str(exc.value) and exc.value.place == "line 1"


def test_folder_of_csv(tmp_path):
    for name in ("google_new.csv", "thunderbird.csv"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    _, r = run(tmp_path)
    assert (r.records_read, r.records_loaded) == (4, 4)
    assert r.format == "google csv (new), thunderbird csv"


# -- the shared corpus, read in place --------------------------------------------------

RC = CORPUS / "roundcube-csv2vcard"

CORPUS_COUNTS = {
    "roundcube-csv2vcard/gmail.csv": (1, 1, 0, "google csv (old)"),
    "roundcube-csv2vcard/outlook.csv": (1, 1, 0, "outlook csv"),
    "roundcube-csv2vcard/tb_plain.csv": (1, 1, 0, "thunderbird csv"),
    "roundcube-csv2vcard/all.csv": (1, 1, 0, "outlook csv"),
    "roundcube-csv2vcard/email.csv": (4, 4, 0, "thunderbird csv"),
    # Thunderbird's own export: data rows end with a comma the header lacks
    "thunderbird/basic_csv_addressbook.csv": (2, 2, 0, "thunderbird csv"),
}


@needs_corpus
@pytest.mark.parametrize("name", sorted(CORPUS_COUNTS))
def test_corpus_counts(name):
    _, r = run(CORPUS / name)
    assert (r.records_read, r.records_loaded, r.records_rejected, r.format) == CORPUS_COUNTS[name]


@needs_corpus
def test_corpus_gmail_old_exact_values():
    con, _ = run(RC / "gmail.csv")
    got = fields(con, "line 2")
    assert ("notes", "Notes", 'note"note') in got  # "" escaped quote
    assert ("home_address", "Address 1 (Home)",
            "home_street\nhome_pobox\nhome_city, home_state home_zip\nhome_country") in got
    assert ("email", "E-mail 1 - Value (Home)", "home@aaa.pl") in got  # "* Home" label
    assert ("non_personal", "Group Membership", "* My Contacts ::: Test") in got
    assert ("other_personal", "Relation 1 - Value (Spouse)", "spouse") in got
    assert ("birthday", "Birthday", "1975-12-12") in got


@needs_corpus
def test_corpus_all_csv_bom_and_outlook_addresses():
    con, _ = run(RC / "all.csv")
    got = fields(con, "line 2")
    assert ("person_name", "Display Name", "Display Name") in got  # BOM stripped from header
    assert ("home_address", "Home address",
            "Home Street, Home City, Home State, Home Zip, Home Country") in got
    assert ("company_address", "Work address",
            "Work Street, Work City, Work State, Work Zip, Work Country") in got
    assert ("address", "Other address",
            "Other Street, Other City, Other State, Other Zip, Other Country") in got


def _summary(con) -> list[tuple]:
    """Per record: name, sorted e-mails, sorted raw phone values."""
    out = []
    for ref, name in rows(con, "SELECT record_ref, person_name FROM records ORDER BY "
                               "CAST(split_part(split_part(record_ref, ',', 1), ' ', 2) AS INT)"):
        emails = sorted(r[0] for r in rows(
            con, "SELECT value FROM fields WHERE record_ref = ? AND field = 'email'", ref))
        phones = sorted(r[0] for r in rows(
            con, "SELECT value FROM fields WHERE record_ref = ? AND field LIKE '%phone'", ref))
        out.append((name, emails, phones))
    return out


@needs_corpus
@pytest.mark.parametrize("stem", ["gmail", "tb_plain", "all", "outlook", "email"])
def test_csv_and_vcard_loaders_agree_on_roundcube_pairs(stem):
    """roundcube converts each .csv to the paired .vcf: both loaders must see the same people."""
    csv_con, _ = run(RC / f"{stem}.csv")
    vcf_con, _ = run(RC / f"{stem}.vcf", kind="vcard")
    csv_s, vcf_s = _summary(csv_con), _summary(vcf_con)
    assert len(csv_s) == len(vcf_s)
    for (c_name, c_emails, c_phones), (v_name, v_emails, v_phones) in zip(csv_s, vcf_s,
                                                                           strict=True):
        assert c_emails == v_emails
        assert c_phones == v_phones
        if c_name is not None:  # roundcube fills FN from the e-mail when the CSV has no name
            assert c_name == v_name


@needs_corpus
def test_gmail_pair_agrees_on_phone_and_address_classes():
    csv_con, _ = run(RC / "gmail.csv")
    vcf_con, _ = run(RC / "gmail.vcf", kind="vcard")
    sql = ("SELECT field, count(*) FROM fields WHERE field LIKE '%phone' OR field LIKE "
           "'%address' GROUP BY field ORDER BY field")
    assert rows(csv_con, sql) == rows(vcf_con, sql) == [
        ("company_address", 1), ("home_address", 1), ("home_phone", 2), ("mobile_phone", 1),
        ("phone", 2), ("work_phone", 2)]


# -- localised exports (loaders/contact_headers.py) -----------------------------------------
# Written from the exporters' own column lists: Outlook's per-language CSV field names in
# the English export's column order (only the columns that language names), Thunderbird's
# importMsgs.properties strings 2100-2136 in order, with its trailing comma. Outlook-fi is
# cp1252 with one row re-saved short; its empty birthday is Outlook's "0.0.00".

LOCALISED = {
    "outlook_fi_cp1252.csv": ("outlook csv (fi)", {
        "line 2": {
            ("company_address", "Work address", "Ratakatu 1, Oulu, 90100"),
            ("email", "Sähköpostiosoite", "aino.maki@oulunkone.fi"),
            ("home_phone", "Kotipuhelin", "08 765 4321"),
            ("job_title", "Tehtävänimike", "Huoltopäällikkö"),
            ("mobile_phone", "Matkapuhelin", "040 123 4567"),
            ("non_personal", "Luottamuksellisuus", "Normaali"),
            ("non_personal", "Prioriteetti", "Normaali"),
            ("non_personal", "Sähköpostin laji", "SMTP"),
            ("org_name", "Yritys", "Oulun Kone Oy"),
            ("person_name", "Etunimi", "Aino"),
            ("person_name", "Näytettävä sähköpostinimi", "Aino Mäki (aino.maki@oulunkone.fi)"),
            ("person_name", "Sukunimi", "Mäki"),
            ("work_phone", "Työpuhelin", "08 123 4567"),
            # "Syntymäpäivä" and "Vuosipäivä" hold Outlook's 0.0.00: no value, no field
        },
        "line 3": {
            ("birthday", "Syntymäpäivä", "15.3.1975"),
            ("email", "Sähköpostiosoite", "eero@ojanpaja.fi"),
            ("hetu", "Henkilötunnus", "150375-231W"),  # Government ID Number
            ("home_address", "Home address", "Kotikuja 2, Kempele"),
            ("notes", "Muistilaput", "Soita iltaisin."),
            ("org_name", "Yritys", "Ojan Paja"),
            ("other_personal", "Harrastus", "kalastus"),
            ("person_name", "Etunimi", "Eero"),
            ("person_name", "Sukunimi", "Oja"),
        },
    }),
    "outlook_sv.csv": ("outlook csv (sv)", {
        "line 2": {
            ("email", "E-postadress", "asa.oberg@vasamaskin.fi"),
            ("home_phone", "Hem", "06 765 4321"),  # Swedish Outlook's Home Phone
            ("mobile_phone", "Mobiltelefon", "050 765 4321"),
            ("org_name", "Företag", "Vasa Maskin Ab"),
            ("person_name", "Efternamn", "Öberg"),
            ("person_name", "Förnamn", "Åsa"),
            ("person_name", "Titel", "Fru"),  # Outlook's Title (a name prefix)
            ("work_phone", "Arbete", "06 123 4567"),
        },
    }),
    "outlook_de.csv": ("outlook csv (de)", {
        "line 2": {
            ("birthday", "Geburtstag", "4.5.1970"),  # Outlook's Birthday
            ("company_address", "Work address", "Hauptstraße 1, Berlin, 10115"),
            ("email", "E-Mail-Adresse", "joerg.mueller@mueller.example"),
            ("mobile_phone", "Mobiltelefon", "+49 151 2345678"),
            ("org_name", "Firma", "Müller GmbH"),
            ("other_personal", "Partner", "Anna"),
            ("person_name", "Anrede", "Herr"),
            ("person_name", "Nachname", "Müller"),
            ("person_name", "Vorname", "Jörg"),
            ("work_phone", "Telefon geschäftlich", "+49 30 1234567"),
        },
    }),
    "thunderbird_fi.csv": ("thunderbird csv (fi)", {
        "line 2": {
            ("birthday", "Birth Year/Month/Day", "1980-7-21"),
            ("email", "Ensisijainen sähköposti", "matti.virtanen@example.fi"),
            ("home_address", "Home address", "Kotitie 5, Oulu, 90500"),
            ("mobile_phone", "Matkapuhelinnumero", "0401234567"),
            ("org_name", "Järjestö", "Virtasen Vesi Oy"),
            ("person_name", "Etunimi", "Matti"),
            ("person_name", "Näyttönimi", "Matti Virtanen"),
            ("person_name", "Sukunimi", "Virtanen"),
            ("unclassified", "Oma 1", "asiakas 2019"),  # Custom 1
        },
    }),
    "thunderbird_sv.csv": ("thunderbird csv (sv)", {
        "line 2": {
            ("email", "E-post", "britt.holm@example.fi"),
            ("job_title", "Titel", "Inköpare"),  # Thunderbird's Job Title
            ("org_name", "Organisation", "Holm Ab"),
            ("person_name", "Efternamn", "Holm"),
            ("person_name", "Förnamn", "Britt"),
            ("person_name", "Visa", "Britt Holm"),  # Display Name
            ("work_phone", "Telefon arbete", "06 222 3333"),
        },
    }),
    "thunderbird_de.csv": ("thunderbird csv (de)", {
        "line 2": {
            ("birthday", "Birth Year/Month/Day", "1965-12-3"),  # "Geburtstag" is the day
            ("email", "Primäre E-Mail-Adresse", "klaus.weber@example.de"),
            ("home_phone", "Tel. privat", "030 555 1234"),
            ("notes", "Notizen", "Messe Hannover"),
            ("person_name", "Anzeigename", "Klaus Weber"),
            ("person_name", "Nachname", "Weber"),
            ("person_name", "Vorname", "Klaus"),
        },
    }),
}


@pytest.mark.parametrize("name", sorted(LOCALISED))
def test_localised_export_lands_every_field(name):
    fmt, expected = LOCALISED[name]
    con, r = run(DATA / name)
    assert (r.format, r.records_read, r.records_loaded, r.records_rejected) == (
        fmt, len(expected), len(expected), 0)
    for ref, want in expected.items():
        assert fields(con, ref) == want, ref


def test_localised_records_take_names_mail_and_phone():
    con, r = run(DATA / "outlook_fi_cp1252.csv")
    assert records(con) == [
        ("line 2", "phone_contact", "Aino Mäki", "Oulun Kone Oy", "aino.maki@oulunkone.fi",
         "+35881234567"),
        ("line 3", "phone_contact", "Eero Oja", "Ojan Paja", "eero@ojanpaja.fi", None),
    ]
    assert r.notes == ["outlook_fi_cp1252.csv: 1 row shorter than the header, the missing "
                       "last cells read as empty"]
    con, _ = run(DATA / "thunderbird_fi.csv")
    assert records(con) == [("line 2", "phone_contact", "Matti Virtanen", "Virtasen Vesi Oy",
                             "matti.virtanen@example.fi", "+358401234567")]


def test_header_tables_translate_each_name_once():
    from audit_kit.loaders.contact_headers import TABLES

    for name, table in TABLES.items():
        english = list(table.values())
        assert len(english) == len(set(english)), name  # no two cells for one column
        # every column is classified but the user-defined ones (the config classifies them)
        unknown = {e for e in english if not contacts_csv._known(e)}
        assert all(e.startswith(("Custom ", "User ")) for e in unknown), (name, unknown)


@pytest.mark.parametrize("placeholder", ["0/0/00", "0.0.00", "00.00.0000", "0000-00-00"])
def test_empty_birthday_placeholder_is_no_value(tmp_path, placeholder):
    """Outlook writes 0/0/00 for an empty Birthday and Anniversary and Unspecified for an
    empty Gender: no value, no field (READING §5), where a real value is one."""
    p = tmp_path / "outlook.csv"
    p.write_text(f"First Name,Last Name,E-mail Address,Birthday,Anniversary,Gender\n"
                 f"Aino,Mäki,aino@maki.fi,{placeholder},{placeholder},Unspecified\n"
                 f"Eero,Oja,eero@oja.fi,4/5/1970,0/0/00,Male\n", encoding="utf-8")
    con, _ = run(p)
    assert {f[0] for f in fields(con, "line 2")} == {"person_name", "email"}
    assert {f for f in fields(con, "line 3") if f[0] not in ("person_name", "email")} == {
        ("birthday", "Birthday", "4/5/1970"), ("other_personal", "Gender", "Male")}
