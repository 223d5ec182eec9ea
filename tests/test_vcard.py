"""The vcard loader: own fixtures (tests/data/vcard) and the shared corpus, read in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_kit import warehouse
from audit_kit.config import SourceConfig
from audit_kit.errors import InputError
from audit_kit.loaders import get_loader
from audit_kit.loaders.vcard import load

DATA = Path(__file__).parent / "data" / "vcard"
CORPUS = Path(__file__).parents[2] / "shared" / "corpora" / "vcard"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="shared corpus ../shared/corpora/vcard is not beside the checkout"
)


def run(path: Path):
    con = warehouse.connect()
    sink = warehouse.SourceSink(con, source="x", kind="vcard", system="android_backup")
    result = load(SourceConfig(name="x", kind="vcard", path=path, system="android_backup"), sink)
    sink.flush()
    return con, result


def rows(con, sql: str, *params) -> list[tuple]:
    return [tuple(r) for r in con.execute(sql, list(params)).fetchall()]


def records(con) -> list[tuple]:
    return rows(con, "SELECT record_ref, role, person_name, org_name, email, phone FROM records "
                     "ORDER BY record_ref")


def fields(con, ref: str) -> set[tuple]:
    return set(rows(con, "SELECT field, label, value FROM fields WHERE record_ref = ?", ref))


def rejects(con) -> list[tuple]:
    return rows(con, "SELECT record_ref, reason FROM rejects ORDER BY record_ref")


def test_registered():
    assert get_loader("vcard") is load


# -- own fixtures: per dialect, every property with its label -----------------------------

# file -> (read, loaded, rejected, format)
COUNTS = {
    "android_21_fi.vcf": (3, 3, 0, "vcard 2.1"),
    "google_30.vcf": (1, 1, 0, "vcard 3.0"),
    "ios_30_crcrlf.vcf": (1, 1, 0, "vcard 3.0"),
    "rfc6350_40.vcf": (1, 1, 0, "vcard 4.0"),
    "outlook_21_cp1252.vcf": (1, 1, 0, "vcard 2.1"),
    "utf16le_bom.vcf": (1, 1, 0, "vcard 3.0"),
    "malformed.vcf": (6, 2, 4, "vcard 2.1, vcard 3.0"),
    "folds_versions_fax.vcf": (3, 3, 0, "vcard 3.0, vcard 4.0"),
}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_counts_and_format(name):
    con, r = run(DATA / name)
    assert (r.records_read, r.records_loaded, r.records_rejected, r.format) == COUNTS[name]
    assert r.reconciles
    assert rows(con, "SELECT count(*) FROM records")[0][0] == r.records_loaded
    assert {x[0] for x in rows(con, "SELECT role FROM records")} <= {"phone_contact"}


# file -> card -> exact set of (field, label, value)
FIELDS = {
    "android_21_fi.vcf": {
        "card 1": {
            ("person_name", "N", "Väinö Mäkinen"),
            ("person_name", "FN", "Väinö Mäkinen"),
            ("org_name", "ORG", "Kiimingin Kone Oy"),
            ("mobile_phone", "TEL (cell)", "040-1234567"),
            ("home_phone", "TEL (home)", "08 5931 327"),
            ("work_phone", "TEL (work,pref)", "+358 20 123 4567"),
            ("email", "EMAIL (home)", "vaino.makinen@example.fi"),
            ("home_address", "ADR (home)", "Kirkkokatu 5 B 12, Oulu, 90100, Suomi"),
            # QP soft break in the middle of the note
            ("notes", "NOTE", "Tapasimme messuilla. Henkilötunnus 010190-9123, soita iltaisin."),
            ("hetu", "NOTE", "010190-9123"),
            ("birthday", "BDAY", "1990-01-01"),
            ("job_title", "TITLE", "Myyntipäällikkö"),
            ("person_name", "X-ANDROID-CUSTOM", "Vökä"),
            # never the bytes: 512 bytes of base64 folded over lines, ended by a blank line
            ("photo", "PHOTO (jpeg)", "present, 512 bytes"),
        },
        "card 2": {
            ("person_name", "N", "Päivi Jääskeläinen"),
            # QP soft break between =C3= and =A4 (inside one UTF-8 character)
            ("person_name", "FN", "Päivi Jääskeläinen"),
            ("mobile_phone", "TEL (cell,pref)", "+358 40 123 4567"),
            ("mobile_phone", "TEL", "0401234568"),  # unlabelled, mobile range
            ("phone", "TEL", "08 5931 328"),  # unlabelled, fixed line
            ("company_address", "ADR (work)", "Ratakatu 12, Oulu, 90100, Suomi"),
            ("email", "EMAIL (work)", "paivi.jaaskelainen@example.fi"),
            ("notes", "NOTE", "Asiakasnumero 131052-308A, ei tunnus."),  # no valid HETU
        },
        "card 3": {
            ("person_name", "FN", "Åsa Östman"),
            ("email", "EMAIL (internet)", "asa.ostman@example.fi"),
        },
    },
    "google_30.vcf": {
        "card 1": {
            ("person_name", "FN", "Öönä Kähkönen"),
            ("person_name", "N", "Öönä Kähkönen"),
            ("email", "EMAIL (internet,work)", "oona.kahkonen@example.fi"),
            ("mobile_phone", "TEL (cell)", "040 912 3456"),
            ("home_phone", "TEL (home)", "08 123 4567"),
            ("company_address", "ADR (work)", "Teknologiantie 1, Oulu, 90590, Suomi"),
            ("address", "ADR (Mökki)", "Kesämökkitie 3, Hailuoto, 90480, Suomi"),
            ("org_name", "ORG", "Hailuodon Hotelli Oy"),
            # 3.0 escapes (\, \n) and a folded line
            ("notes", "NOTE", "Pitkä muistiinpano, jossa on pilkku ja rivinvaihto\n"
                              "ja toinen rivi joka on niin pitkä että Google taittaa sen."),
            ("birthday", "BDAY", "1985-05-15"),
            ("url", "URL (PROFILE)", "https://example.fi/oona"),
        },
    },
    "ios_30_crcrlf.vcf": {
        "card 1": {
            ("person_name", "N", "Jyrki Törmänen"),
            ("person_name", "FN", "Jyrki Törmänen"),
            ("org_name", "ORG", "Raahen Rakennus Oy"),
            ("email", "EMAIL (internet,pref)", "jyrki.tormanen@example.fi"),
            ("mobile_phone", "TEL (Mobile)", "044 555 1212"),
            ("phone", "TEL (Mökki)", "08 555 1212"),
            ("home_phone", "TEL (home,voice)", "08 555 1313"),
            ("home_address", "ADR (home,pref)", "Koivukuja 4, Raahe, 92100, Finland"),
            ("birthday", "X-ABDATE (Anniversary)", "2001-06-16"),
            ("other_personal", "X-ABRELATEDNAMES (Spouse)", "Sirpa"),
        },
    },
    "rfc6350_40.vcf": {
        "card 1": {
            ("person_name", "FN", "Hannele Räsänen"),
            ("person_name", "N", "Hannele Räsänen"),
            ("org_name", "ORG (work)", "Oulun Tilitoimisto Oy"),
            ("work_phone", "TEL (work,voice)", "tel:+358-8-123-4567"),
            ("home_phone", "TEL (home,voice)", "tel:+358-8-765-4321"),
            ("mobile_phone", "TEL (cell)", "tel:+358-50-123-4567"),
            ("email", "EMAIL (work)", "hannele.rasanen@example.fi"),
            ("home_address", "ADR (home)", "Pöllökuja 7, Kempele, 90440, Suomi"),
            ("birthday", "BDAY", "--0203"),
            ("birthday", "ANNIVERSARY", "20090808"),
            ("other_personal", "GENDER", "F"),
            ("photo", "PHOTO", "present, 70 bytes"),  # data: URI
            ("job_title", "TITLE", "Kirjanpitäjä"),
            ("job_title", "ROLE", "Tilintarkastaja"),
        },
    },
    "outlook_21_cp1252.vcf": {
        "card 1": {
            # raw 8-bit Windows-1252 without a CHARSET parameter
            ("person_name", "N", "Sirpa Hämäläinen"),
            ("person_name", "FN", "Sirpa Hämäläinen"),
            ("org_name", "ORG", "Kajaanin Kirjapaino Oy"),
            # CHARSET=Windows-1252 + QP + soft break; Outlook's empty parameter in ADR;WORK;PREF;:
            ("company_address", "LABEL (work,pref)", "Työpäiväntie 4\r\n87100 Kajaani"),
            ("company_address", "ADR (work,pref)", "Työpäiväntie 4, Kajaani, 87100, Suomi"),
            ("email", "EMAIL (pref,internet)", "sirpa.hamalainen@example.fi"),
        },
    },
    "utf16le_bom.vcf": {
        "card 1": {
            ("person_name", "FN", "Jörö Jääskeläinen"),
            ("person_name", "N", "Jörö Jääskeläinen"),
            ("email", "EMAIL (internet)", "joro@example.fi"),
        },
    },
}


# RFC 6350 3.2: a line may be folded anywhere, before the colon too (card 1); VERSION:4
# is 4.0 (card 2); a number labelled only FAX is no mobile, whatever its range (card 3)
FIELDS["folds_versions_fax.vcf"] = {
    "card 1": {
        ("person_name", "FN", "Aino Mäki"),
        ("work_phone", "TEL (voice,msg,work)", "+358 8 123 4567"),
        ("email", "EMAIL (internet)", "aino.maki@example.fi"),
        ("notes", "NOTE", "Tavattu messuilla"),
    },
    "card 2": {
        ("person_name", "FN", "Eero Oja"),
        ("mobile_phone", "TEL (cell)", "tel:+358-40-123-4567"),
    },
    "card 3": {
        ("person_name", "FN", "Liisa Laine"),
        ("phone", "TEL (fax)", "040 765 4321"),
        ("home_phone", "TEL (home,fax)", "08 555 0000"),
        ("work_phone", "TEL (work,fax)", "08 555 0001"),
    },
}


@pytest.mark.parametrize(("name", "card"), [(n, c) for n, cs in FIELDS.items() for c in cs])
def test_every_property_lands_with_its_label(name, card):
    con, _ = run(DATA / name)
    assert fields(con, card) == FIELDS[name][card]


def test_android_records_phones_e164_and_lowercase_email():
    con, _ = run(DATA / "android_21_fi.vcf")
    assert records(con) == [
        ("card 1", "phone_contact", "Väinö Mäkinen", "Kiimingin Kone Oy",
         "vaino.makinen@example.fi", "+358401234567"),
        ("card 2", "phone_contact", "Päivi Jääskeläinen", None,
         "paivi.jaaskelainen@example.fi", "+358401234567"),
        ("card 3", "phone_contact", "Åsa Östman", None, "asa.ostman@example.fi", None),
    ]


def test_android_file_is_ascii_crlf_with_soft_breaks():
    """The fixture really has the quirks the tests claim (guards against a regenerated file)."""
    data = (DATA / "android_21_fi.vcf").read_bytes()
    assert data.isascii()
    assert data.count(b"\r\n") == data.count(b"\n")
    assert b"=\r\n=A4ivi" in data  # soft break inside the UTF-8 bytes of "ä"
    assert b"TEL;CELL:" in data and b"ADR;HOME;" in data


def test_raw_table_keeps_every_property():
    con, _ = run(DATA / "android_21_fi.vcf")
    got = rows(con, 'SELECT card, "group", property, params, value FROM src_x '
                    "WHERE record_ref = 'card 2' ORDER BY CAST(line AS INT)")
    assert got[0] == ("2", "", "VERSION", "", "2.1")
    assert ("2", "", "CATEGORIES", "", "My Contacts") in got
    assert ("2", "", "FN", "CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE", "Päivi Jääskeläinen") in got
    assert len(got) == 10
    photo = rows(con, "SELECT value FROM src_x WHERE property = 'PHOTO'")
    assert photo == [("present, 512 bytes",)]  # the bytes are not stored
    groups = rows(con, 'SELECT DISTINCT "group" FROM src_x')
    assert groups == [("",)]


def test_ios_groups_in_raw_table():
    con, _ = run(DATA / "ios_30_crcrlf.vcf")
    got = rows(con, "SELECT \"group\", property, value FROM src_x WHERE \"group\" = 'item2'")
    assert got == [("item2", "TEL", "044 555 1212"), ("item2", "X-ABLABEL", "_$!<Mobile>!$_")]
    # metadata is raw only
    assert not rows(con, "SELECT * FROM fields WHERE label LIKE 'X-ABUID%' OR label = 'PRODID'")


def test_metadata_is_not_a_field():
    con, _ = run(DATA / "rfc6350_40.vcf")
    assert {r[0] for r in rows(con, "SELECT property FROM src_x")} >= {"UID", "REV", "VERSION"}
    labels = {r[0] for r in rows(con, "SELECT label FROM fields")}
    assert not labels & {"UID", "REV", "VERSION"}


def test_malformed_cards_rejected_rest_loaded():
    con, _ = run(DATA / "malformed.vcf")
    assert rejects(con) == [
        ("card 2, line 6", "no END:VCARD before the next BEGIN:VCARD"),
        ("card 3, line 11", "broken quoted-printable value (= not followed by two hex digits)"),
        ("card 4, line 14", "unsupported vCard VERSION (expected 2.1, 3.0 or 4.0)"),
        ("card 6, line 22", "file ends before END:VCARD"),
    ]
    assert [r[:3] for r in records(con)] == [
        ("card 1", "phone_contact", "Aino Ahola"),
        ("card 5", "phone_contact", "Leena Leinonen"),
    ]
    # reasons never quote values
    assert not rows(con, "SELECT * FROM rejects WHERE reason LIKE '%Pekkala%' "
                         "OR reason LIKE '%ZZ%' OR reason LIKE '%5.0%'")


def test_folder_reads_every_vcf(tmp_path):
    for name in ("google_30.vcf", "utf16le_bom.vcf"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    (tmp_path / "readme.txt").write_text("not a card")
    con, r = run(tmp_path)
    assert (r.records_read, r.records_loaded, r.format) == (2, 2, "vcard 3.0")
    assert {x[0] for x in rows(con, "SELECT file FROM records")} == {
        str(tmp_path / "google_30.vcf"), str(tmp_path / "utf16le_bom.vcf")}


def test_not_a_vcard_is_input_error(tmp_path):
    p = tmp_path / "x.vcf"
    p.write_text("Nimi;Puhelin\nVäinö;040 123\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        run(p)
    assert "no BEGIN:VCARD" in str(exc.value) and "Väinö" not in str(exc.value)


def test_phones_normalise_to_the_same_e164(tmp_path):
    p = tmp_path / "p.vcf"
    p.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nTEL:040-1234567\r\nEND:VCARD\r\n"
                  b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:B\r\nTEL:+358 40 123 4567\r\nEND:VCARD\r\n"
                  b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:C\r\nTEL:08 5931 327\r\nEND:VCARD\r\n")
    con, _ = run(p)
    assert [r[5] for r in records(con)] == ["+358401234567", "+358401234567", "+35885931327"]
    assert fields(con, "card 3") == {("person_name", "FN", "C"), ("phone", "TEL", "08 5931 327")}


def test_decomposed_names_are_nfc(tmp_path):
    p = tmp_path / "nfd.vcf"
    p.write_bytes("BEGIN:VCARD\nVERSION:3.0\nFN:Va\u0308ino\u0308\nEND:VCARD\n".encode())
    con, _ = run(p)
    assert records(con)[0][2] == "Väinö"


# -- the shared corpus, read in place --------------------------------------------------

# file -> (read, loaded, rejected, format); every corpus card loads
CORPUS_COUNTS = {
    "aosp-vcard/v21_complicated.vcf": (1, 1, 0, "vcard 2.1"),
    "aosp-vcard/v21_invalid_comment_line.vcf": (1, 1, 0, "vcard 2.1"),
    "aosp-vcard/v21_adr_multiple_line.vcf": (1, 1, 0, "vcard 2.1"),
    "aosp-vcard/v21_android_custom_prop.vcf": (1, 1, 0, "vcard 2.1"),  # no VERSION line
    "aosp-vcard/v21_japanese_2.vcf": (1, 1, 0, "vcard 2.1"),
    "aosp-vcard/v21_multiple_entry.vcf": (3, 3, 0, "vcard 2.1"),
    "aosp-vcard/v30_ios_613_multiline.vcf": (1, 1, 0, "vcard 3.0"),
    "aosp-vcard/v40_sort_as.vcf": (1, 1, 0, "vcard 4.0"),
    "ez-vcard/John_Doe_ANDROID.vcf": (6, 6, 0, "vcard 2.1"),
    "ez-vcard/John_Doe_IPHONE.vcf": (1, 1, 0, "vcard 3.0"),
    "ez-vcard/John_Doe_LOTUS_NOTES.vcf": (1, 1, 0, "vcard 3.0"),
    "ez-vcard/gmail-single2.vcf": (1, 1, 0, "vcard 3.0"),
    "ez-vcard/rfc6350-example.vcf": (1, 1, 0, "vcard 4.0"),
    "folkerkinzel-vcards/AnsiIssue.vcf": (1, 1, 0, "vcard 2.1"),
    "folkerkinzel-vcards/v2_1.vcf": (1, 1, 0, "vcard 2.1"),
    "folkerkinzel-vcards/v3Utf16Bom.vcf": (2, 2, 0, "vcard 3.0"),
    "folkerkinzel-vcards/v4.vcf": (2, 2, 0, "vcard 4.0"),
    "kde-kcontacts/vcard10.vcf": (5, 5, 0, "vcard 2.1"),
    "kde-kcontacts/vcard4.vcf": (1, 1, 0, "vcard 2.1"),
    "roundcube/thebat.vcf": (1, 1, 0, "vcard 2.1"),
    "roundcube/utf-16_sample.vcf": (1, 1, 0, "vcard 3.0"),
}


@needs_corpus
@pytest.mark.parametrize("name", sorted(CORPUS_COUNTS))
def test_corpus_counts(name):
    _, r = run(CORPUS / name)
    assert (r.records_read, r.records_loaded, r.records_rejected, r.format) == CORPUS_COUNTS[name]


@needs_corpus
def test_corpus_whole_folder_loads_without_rejects():
    con, r = run(CORPUS)
    assert (r.records_read, r.records_loaded, r.records_rejected) == (73, 73, 0)  # BEGIN lines
    assert r.format == "vcard 2.1, vcard 3.0, vcard 4.0"


# (file, card, field, label, exact decoded value) that must be present
CORPUS_VALUES = [
    # Android 2.1 QP with soft breaks, N/FN in UTF-8 QP
    ("ez-vcard/John_Doe_ANDROID.vcf", "card 4", "person_name", "FN",
     "Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ Ñ"),
    ("ez-vcard/John_Doe_ANDROID.vcf", "card 4", "home_phone", "TEL (home)", "234567"),
    ("ez-vcard/John_Doe_ANDROID.vcf", "card 5", "photo", "PHOTO (jpeg)", "present, 876 bytes"),
    # a declared UTF-8 value with a stray byte: the declared charset wins, U+FFFD marks it
    ("ez-vcard/John_Doe_ANDROID.vcf", "card 6", "org_name", "ORG", "Ñ" * 44 + "\ufffd"),
    # AOSP: '#' comment lines ignored, but a QP continuation starting with '#' kept
    ("aosp-vcard/v21_invalid_comment_line.vcf", "card 1", "notes", "NOTE",
     "This is an (sharp ->#<- sharp) example. This message must NOT be ignored."),
    ("aosp-vcard/v21_complicated.vcf", "card 1", "notes", "NOTE",
     "Now's the time for all folk to come to the aid of their country."),
    ("aosp-vcard/v21_complicated.vcf", "card 1", "home_address", "LABEL (home)",
     "42 Plantation St.\r\nBaytown, LA 30314\r\nUnited  States of America"),
    ("aosp-vcard/v21_adr_multiple_line.vcf", "card 1", "home_address", "ADR (home)",
     "Hermann v. Brevern\n9999999\nPackstation 999, Hamburg, 99999, Deutschland"),
    # SHIFT_JIS, raw and quoted-printable
    ("aosp-vcard/v21_japanese_2.vcf", "card 1", "person_name", "FN", "安藤 ロイド 1"),
    ("aosp-vcard/v21_japanese_2.vcf", "card 1", "home_address", "ADR (home)",
     "東京都渋谷区桜丘町26-1セルリアンタワー6階, 150-8512"),
    # iOS 6 CR CR LF, X-ABLabel on a group
    ("aosp-vcard/v30_ios_613_multiline.vcf", "card 1", "url", "URL (HomePage)",
     "www.smithauto.com"),
    ("ez-vcard/John_Doe_IPHONE.vcf", "card 1", "phone", "TEL (AssistantPhone)", "905-222-1234"),
    ("ez-vcard/gmail-single2.vcf", "card 1", "email", "EMAIL (CustomEmailCategory)",
     "customcategory@example.com"),
    ("ez-vcard/gmail-single2.vcf", "card 1", "birthday", "X-ABDATE (Anniversary)", "1930-03-20"),
    # Windows-1252 QP, and Outlook's ADR;HOME;PREF;: with raw 8-bit text
    ("folkerkinzel-vcards/AnsiIssue.vcf", "card 1", "home_address", "LABEL (home,pref)",
     "Lämmerweg 12\r\n98765 Kleindorf"),
    ("folkerkinzel-vcards/AnsiIssue.vcf", "card 1", "home_address", "ADR (home,pref)",
     "Lämmerweg 12, Kleindorf, 98765, Deutschland"),
    ("folkerkinzel-vcards/German.vcf", "card 1", "person_name", "FN", "Sören Täve Nüßlebaum"),
    # UTF-8 QP split inside multi-byte sequences over many soft breaks
    ("folkerkinzel-vcards/v2_1.vcf", "card 1", "org_name", "ORG", "Firma, Führungsetage"),
    ("folkerkinzel-vcards/v3Utf16Bom.vcf", "card 2", "person_name", "FN", "KMS Außenstelle"),
    ("folkerkinzel-vcards/v3Ansi.vcf", "card 1", "photo", "PHOTO", "present, link"),
    ("folkerkinzel-vcards/v4.vcf", "card 2", "job_title", "ROLE", "Generalsekretär"),
    ("kde-kcontacts/vcard10.vcf", "card 2", "home_address", "ADR (home)",
     "AAAAAAA-AäAAAAA 11, Urt, 00000"),
    ("kde-kcontacts/vcard10.vcf", "card 2", "url", "URL", "http://some-webseite.com"),
    ("kde-kcontacts/vcard7.vcf", "card 1", "company_address", "LABEL (work)",
     "401 Park Drive  3 West\nBoston, MA 02215\nUSA\nHerecomesyetanotherline"),
    ("roundcube/utf-16_sample.vcf", "card 1", "person_name", "FN", "Ǽgean ĽdaMonté"),
    # The Bat!: QP without CHARSET; the Polish n-acute (ISO-8859-2 F1) cannot be told apart
    # from Windows-1252 F1, so it reads as ñ: the documented fallback, not a silent guess.
    ("roundcube/thebat.vcf", "card 1", "person_name", "FN", "Piotr Iksiñski"),
    ("roundcube/apple.vcf", "card 1", "company_address", "ADR (work,pref)",
     "Birgistrasse 4a, Wallisellen-Zürich, 8304, Switzerland"),
    ("ez-vcard/rfc6350-example.vcf", "card 1", "work_phone", "TEL (work,voice)",
     "tel:+1-418-656-9254;ext=102"),
]


@needs_corpus
@pytest.mark.parametrize(("name", "card", "cls", "label", "value"), CORPUS_VALUES)
def test_corpus_decoded_values(name, card, cls, label, value):
    con, _ = run(CORPUS / name)
    assert (cls, label, value) in fields(con, card)


@needs_corpus
def test_corpus_records_e164():
    con, _ = run(CORPUS / "ez-vcard" / "rfc6350-example.vcf")
    assert records(con) == [("card 1", "phone_contact", "Simon Perreault", "Viagenie",
                             "simon.perreault@viagenie.ca", "+14186569254")]


# -- a big file in ranges: the same tables as one pass ------------------------------------


def _tables(con) -> dict[str, list[tuple]]:
    """Every table the loader writes, in insertion order (rec_id is the insertion order)."""
    return {
        "records": rows(con, "SELECT * EXCLUDE (rec_id) FROM records ORDER BY rec_id"),
        "fields": rows(con, "SELECT * FROM fields"),
        "rejects": rows(con, "SELECT * FROM rejects"),
        "raw": rows(con, "SELECT * FROM src_x"),
    }


@pytest.mark.slow  # a process pool
def test_ranges_and_pool_give_the_single_pass_tables(tmp_path, monkeypatch):
    from audit_kit.loaders import vcard

    # every 8-bit fixture, twice, so cut-short and undecodable cards fall on range cuts
    # and in later ranges (card and line numbers must continue across the ranges)
    parts = [p.read_bytes().removeprefix(b"\xef\xbb\xbf")
             for p in [*sorted(DATA.glob("*.vcf")), *sorted((DATA.parent / "bad").glob("*.vcf"))]
             if b"\x00" not in p.read_bytes()[:4]]
    big = tmp_path / "big.vcf"
    big.write_bytes(b"\r\n".join(parts * 2))
    con, one = run(big)
    want = _tables(con)
    assert one.records_rejected >= 8 and len(want["rejects"]) == one.records_rejected
    assert any("no END:VCARD before the next BEGIN:VCARD" in r[4] for r in want["rejects"])
    monkeypatch.setattr(vcard, "CHUNK_BYTES", 200)  # a range per card or two
    for workers, pool_min in ((1, 1 << 40), (2, 0)):
        monkeypatch.setattr(vcard, "POOL_MIN_BYTES", pool_min)
        con = warehouse.connect()
        sink = warehouse.SourceSink(con, source="x", kind="vcard", system="android_backup")
        got = load(SourceConfig(name="x", kind="vcard", path=big, system="android_backup"), sink,
                   workers=workers)
        sink.flush()
        assert (got.records_read, got.records_loaded, got.records_rejected, got.format) == (
            one.records_read, one.records_loaded, one.records_rejected, one.format)
        assert _tables(con) == want, f"workers={workers}"


def test_range_cuts_only_at_card_starts():
    from audit_kit.loaders import vcard

    data = (b"BEGIN:VCARD\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=\r\nBEGIN:VCARD\r\n"
            b" BEGIN:VCARD\r\nEND:VCARD\r\nbegin:vcard \r\nEND:VCARD\rBEGIN:VCARD\nEND:VCARD\n")
    starts = [m.start() for m in vcard._CUT.finditer(data)]
    assert [data[s:s + 11].upper() for s in starts] == [b"BEGIN:VCARD"] * 3
    assert starts == [data.index(b"BEGIN:VCARD\r\n ", 1), data.index(b"begin"),
                      data.index(b"\rBEGIN") + 1]


def test_folded_head_card_keeps_its_mail_and_phone():
    con, _ = run(DATA / "folds_versions_fax.vcf")
    assert records(con)[0] == ("card 1", "phone_contact", "Aino Mäki", None,
                               "aino.maki@example.fi", "+35881234567")
