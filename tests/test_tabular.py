"""Tabular registers: encodings, delimiters, Finnish/English headers, dates, rejects."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_kit import normalise
from audit_kit.config import SourceConfig
from audit_kit.loaders import get_loader
from audit_kit.loaders.contact_points import PhoneInfo
from tests._support import DATA, sink_for

T = DATA / "tabular"
D = dt.date

SAME_REGISTER = [
    "asiakkaat_cp1252_semicolon.csv",
    "asiakkaat_utf8bom_comma.csv",
    "asiakkaat_utf8_tab.csv",
    "customers_english.csv",
]


def _load(path, kind="customers_csv", **extra):
    con, sink = sink_for(kind)
    res = get_loader(kind)(
        SourceConfig(name="x", kind=kind, path=path, system="billing", **extra), sink
    )
    sink.flush()
    return con, res


@pytest.mark.parametrize("name", SAME_REGISTER)
def test_every_dialect_lands_the_same_records(name):
    con, res = _load(T / name)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (3, 3, 0)
    rows = con.execute(
        "SELECT record_ref, person_name, org_name, business_id, email, phone, ended_on "
        "FROM records ORDER BY record_ref"
    ).fetchall()
    assert rows == [
        (
            "line 2",
            "Äänis Pöyhönen",
            "Pöyhösen Paperi Oy",
            "2077474-0",
            "aanis.poyhonen@paperi.example.fi",
            "+35885931327",
            None,
        ),
        (
            "line 3",
            "Jörö Kärkkäinen",
            "Kärkkäinen Tmi",
            None,
            "joro@karkkainen.example.fi",
            "+358401234567",
            dt.date(2026, 5, 3),
        ),
        (
            "line 4",
            "Sirpa Väänänen",
            "Väänänen Oy",
            "0729081-3",
            "sirpa@vaananen.example.fi",
            "+358407654321",
            dt.date(2026, 1, 15),
        ),
    ]


def test_detected_format_is_reported():
    assert _load(T / "asiakkaat_cp1252_semicolon.csv")[1].format == "csv (cp1252, ';')"
    assert _load(T / "asiakkaat_utf8bom_comma.csv")[1].format == "csv (utf-8-sig, ',')"
    assert _load(T / "asiakkaat_utf8_tab.csv")[1].format == "csv (utf-8, tab)"


def test_field_classes_and_unknown_column_kept():
    con, _ = _load(T / "asiakkaat_cp1252_semicolon.csv")
    got = con.execute(
        "SELECT record_ref, field, label FROM fields WHERE field IN "
        "('hetu', 'unclassified', 'mobile_phone', 'work_phone') ORDER BY ALL"
    ).fetchall()
    assert got == [
        ("line 2", "unclassified", "Toimiala"),  # unknown column: kept, one finding per column
        ("line 2", "work_phone", "Puhelin"),  # 08 = fixed line, Oulu
        ("line 3", "hetu", "Y-tunnus"),  # private person's identity code (Procountor)
        ("line 3", "mobile_phone", "Puhelin"),
        ("line 4", "hetu", "Lisätiedot"),  # identity code in free text
        ("line 4", "mobile_phone", "Puhelin"),
    ]
    raw = con.execute(
        "SELECT \"Toimiala\", file, sha256 FROM src_x WHERE record_ref = 'line 2'"
    ).fetchone()
    assert (
        raw[0] == "Tukkukauppa"
        and raw[1].endswith("asiakkaat_cp1252_semicolon.csv")
        and len(raw[2]) == 64
    )


def test_short_row_is_padded_and_bad_date_kept_raw():
    """A short row (Excel and Outlook drop empty last cells) loads with empty cells and a
    note; an unreadable date keeps its record: the date is NULL, the text an unread_date."""
    con, res = _load(T / "ragged_and_bad_date.csv")
    assert (res.records_read, res.records_loaded, res.records_rejected) == (4, 4, 0)
    assert res.notes == [
        "ragged_and_bad_date.csv: 1 row shorter than the header, the missing last cells "
        "read as empty"
    ]
    assert con.execute(
        "SELECT record_ref, org_name, business_id, ended_on FROM records ORDER BY record_ref"
    ).fetchall() == [
        ("line 2", "Pöyhösen Paperi Oy", "2077474-0", None),
        ("line 3", "Kärkkäinen Tmi", "x", None),
        ("line 4", "Väänänen Oy", "0729081-3", dt.date(2026, 1, 15)),
        ("line 5", "Rönkkö Oy", "2077474-0", None),
    ]
    assert con.execute(
        "SELECT record_ref, label, value FROM fields WHERE field = 'unread_date'"
    ).fetchall() == [("line 5", "Asiakkuus päättynyt", "31.2.2026")]
    assert con.execute(
        'SELECT "Y-tunnus", "Asiakkuus päättynyt" FROM src_x WHERE record_ref = \'line 3\''
    ).fetchall() == [("x", "")]


def test_surplus_cells_are_still_a_reject(tmp_path):
    path = tmp_path / "surplus.csv"
    path.write_text("Nimi;Sähköposti\nAino;aino@a.fi;extra\nEero;eero@e.fi\n", encoding="utf-8")
    con, res = _load(path)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (2, 1, 1)
    assert con.execute("SELECT record_ref, reason FROM rejects").fetchall() == [
        ("line 2", "3 fields where the header has 2")
    ]


@pytest.mark.parametrize("text", ["-", "15.03.25", "2025/03/15", "31.2.2026"])
def test_unreadable_dates_keep_the_person(tmp_path, text):
    path = tmp_path / "sopimukset.csv"
    path.write_text(
        "Pääkäyttäjä;Sähköposti;Laite poistettu käytöstä\n"
        f"Aino Mäki;aino@maki.fi;{text}\nEero Oja;eero@oja.fi;1.2.2026\n",
        encoding="utf-8",
    )
    con, res = _load(path, kind="service_contracts_csv")
    assert (res.records_read, res.records_loaded, res.records_rejected) == (2, 2, 0)
    assert con.execute(
        "SELECT record_ref, person_name, email, ended_on FROM records ORDER BY record_ref"
    ).fetchall() == [
        ("line 2", "Aino Mäki", "aino@maki.fi", None),
        ("line 3", "Eero Oja", "eero@oja.fi", dt.date(2026, 2, 1)),
    ]
    assert con.execute(
        "SELECT record_ref, field, label, value FROM fields WHERE field = 'unread_date'"
    ).fetchall() == [("line 2", "unread_date", "Laite poistettu käytöstä", text)]


def test_xlsx_marketing_list_with_date_cells_and_finnish_dates():
    con, res = _load(T / "prospektit.xlsx", kind="marketing_list")
    assert res.format == "xlsx (sheet 'Prospektit')"
    assert con.execute(
        "SELECT record_ref, person_name, org_name, last_activity, role FROM records "
        "ORDER BY record_ref"
    ).fetchall() == [
        ("row 2", "Öönä Östman", "Östmanin Öljy Oy", dt.date(2026, 2, 3), "prospect"),
        ("row 3", "Åsa Åberg", "Åbergs Ab", dt.date(2026, 11, 15), "prospect"),
    ]


def test_explicit_columns_mapping_overrides_synonyms():
    con, _ = _load(T / "customers_english.csv", columns={"Industry": "non_personal"})
    assert con.execute("SELECT count(*) FROM fields WHERE field = 'other_personal'").fetchone() == (
        0,
    )
    assert con.execute("SELECT count(*) FROM fields WHERE label = 'Industry'").fetchone() == (1,)


# -- the phone fast path (contact_points.PhoneInfo) agrees with normalise -----------------


_PHONE_TEXT = st.builds(
    lambda pre, body, pad: pad + pre + body + pad,
    st.sampled_from(["", "0", "00", "+358", "00358", "+358 ", "0 ", "+3580", "358", "+46 "]),
    st.text(alphabet="0123456789 -", max_size=16),
    st.sampled_from(["", " ", "\t"]),
)


@pytest.mark.slow  # 3,000 examples
@settings(max_examples=3000, deadline=None)
@given(_PHONE_TEXT)
def test_phone_info_equals_normalise(text):
    e164 = normalise.phone(text)
    assert PhoneInfo()[text] == (e164, normalise.phone_kind(e164))


@pytest.mark.parametrize("text", ["040-1234567", "040 900 00001", "+358 40 123 4567",
                                  "00358401234567", "09 1234 5678", "08 555 1005",
                                  "020 123 4567", "0401234", "041", "+358 0 40 123", "0100100"])
def test_phone_info_examples(text):
    e164 = normalise.phone(text)
    assert PhoneInfo()[text] == (e164, normalise.phone_kind(e164))


# -- the set-based path (loaders/tabular_sql.py) writes the row path's tables -------------

_TRICKY = (
    "Asiakasnumero;Yritys;Y-tunnus;Nimi;Etunimi;Sukunimi;Sähköposti;Puhelin;GSM;Kotipuhelin;"
    "Katuosoite;Asiakkuus päättynyt;Päättymispäivä;Lisätiedot;Toimiala\r\n"
    "1; Pöyhösen Paperi Oy ;2077474-0;;Äänis;Pöyhönen;AANIS@Paperi.Example.FI;08 5593 1327;;;"
    "Isokatu 1;;;;Tukku\r\n"
    "\r\n"
    " ; ;\t;;;;;;;;;;;;\r\n"
    "2;Kärkkäinen Tmi;131052-308T;Jörö K;;;<mailto:Joro@Karkkainen.example.fi>;040-1234567;;"
    "09 1234 5678;Koti 2 131052-308T;3.5.2026;4.5.2026;hetu 131052-308T ja 131052-308T;\r\n"
    "3;Väänänen Oy;0729081-3;\u00a0Sirpa\u00a0;;;sirpa@väänänen.example.fi;+46 70 123 45 67;"
    "0401112223;;Tie 3;15.1.2026;;;\r"
    "4;Ragged Oy;1\r\n"
    "5;Bad Date Oy;;;;;x@y.fi;;;;;31.2.2026;;;\n"
    "6;Second Bad Oy;;;;;not-an-address;00358 40 123 4567;;;;;2026-13-01;;\n"
    "7;Ok Oy;;Ä Ö;;;ÄÖ@EXAMPLE.FI;+358 0 40 123;0100100;041;;2026-02-03;;\u3000x\u3000;\n"
    ";;;;;;;;;;;;;;\n"
)


def _tables(con) -> dict[str, list]:
    return {
        t: con.execute(f"SELECT * FROM {t}").fetchall()
        for t in ("src_x", "records", "fields", "rejects", "files")
    }


def _both_paths(monkeypatch, path, kind="customers_csv", via_csv_module=False):
    """(set-based, row path) loads of *path*; *via_csv_module*: the set-based path fed
    by the csv module's rows even where DuckDB could split the lines."""
    from audit_kit.loaders import tabular_sql

    with monkeypatch.context() as m:
        if via_csv_module:
            m.setattr(tabular_sql, "utf8_if_applies", lambda *a: None)
        con, res = _load(path, kind)
    with monkeypatch.context() as m:
        m.setattr(tabular_sql, "utf8_if_applies", lambda *a: None)
        m.setattr(tabular_sql, "takes_rows", lambda *a: False)
        row_con, row_res = _load(path, kind)
    return (con, res), (row_con, row_res)


@pytest.mark.parametrize(
    "path",
    sorted(T.glob("*.csv")) + sorted((DATA / "bad").glob("csv_*.csv")),
    ids=lambda p: p.name,
)
@pytest.mark.parametrize("via_csv_module", [False, True], ids=["lines", "csv rows"])
def test_set_based_path_writes_the_row_paths_tables(monkeypatch, path, via_csv_module):
    from audit_kit.errors import InputError

    kind = "customers_csv"
    try:
        (con, res), (row_con, row_res) = _both_paths(monkeypatch, path, kind, via_csv_module)
    except InputError:
        return  # unreadable files stop both paths before either loads a row
    assert vars(res) == vars(row_res)
    assert _tables(con) == _tables(row_con)


@pytest.mark.parametrize("via_csv_module", [False, True], ids=["lines", "csv rows"])
@pytest.mark.parametrize("kind", ["customers_csv", "service_contracts_csv"])
def test_set_based_path_on_whitespace_endings_hetus_phones_and_bad_dates(
    monkeypatch, tmp_path, kind, via_csv_module
):
    from audit_kit.loaders import tabular_sql

    path = tmp_path / "tricky.csv"
    path.write_text(_TRICKY, encoding="utf-8")
    assert tabular_sql.utf8_if_applies(path.read_text(encoding="utf-8"), ";", False)
    (con, res), (row_con, row_res) = _both_paths(monkeypatch, path, kind, via_csv_module)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (7, 7, 0)
    assert vars(res) == vars(row_res)
    assert _tables(con) == _tables(row_con)
    assert con.execute("SELECT count(*) FROM fields WHERE field = 'hetu'").fetchone()[0] == 4
    unread = "SELECT record_ref, value FROM fields WHERE field = 'unread_date' ORDER BY ALL"
    # (every date column is read, whichever the kind's retention clock uses)
    assert con.execute(unread).fetchall() == [("line 8", "31.2.2026"), ("line 9", "2026-13-01")]


def test_set_based_path_on_a_folder_keeps_file_order_and_provenance(monkeypatch, tmp_path):
    """Two files of one layout: rows the row path buffered go before the next file's."""
    folder = tmp_path / "rekisteri"
    folder.mkdir()
    (folder / "a.csv").write_bytes((T / "ragged_and_bad_date.csv").read_bytes())
    (folder / "b.csv").write_bytes((T / "ragged_and_bad_date.csv").read_bytes())
    (con, res), (row_con, row_res) = _both_paths(monkeypatch, folder)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (8, 8, 0)
    assert vars(res) == vars(row_res)
    assert _tables(con) == _tables(row_con)
    files = [r[0].rsplit("/", 1)[-1] for r in con.execute("SELECT file FROM records").fetchall()]
    assert files == ["a.csv"] * 4 + ["b.csv"] * 4


@pytest.mark.parametrize("derived_order", ["in line order", "out of order"])
def test_set_based_path_pairs_derived_columns_by_line_number(derived_order):
    """Cells and derived columns side by side by position, by a sorted join if a side
    ever comes out of line order (then the positional pairing would be wrong)."""
    from audit_kit.loaders import tabular_sql

    con, sink = sink_for("customers_csv")
    run = tabular_sql._Run(sink, None, None)
    con.execute("CREATE TEMP TABLE c AS FROM (VALUES (2, 'a'), (3, 'b'), (5, 'c')) t(n, c0)")
    pairs = [(2, "x"), (3, "y"), (5, "z")]
    if derived_order == "out of order":
        pairs = pairs[::-1]
    con.execute("CREATE TEMP TABLE d (n BIGINT, bad VARCHAR)")
    con.executemany("INSERT INTO d VALUES (?, ?)", pairs)
    good = tabular_sql._good(run, "c", "d")
    assert con.execute(f"SELECT n, c0, bad FROM {good}").fetchall() == [
        (2, "a", "x"), (3, "b", "y"), (5, "c", "z")
    ]
    run.close()


_QUOTED = (
    'Nimi;Yritys;Sähköposti;Puhelin;Asiakkuus päättynyt;Lisätiedot\r\n'
    '"Aino ""Aikku"" Mäki";"Mäki; Oy";AINO@MAKI.FI;040 123 4567;;"rivi 1\r\nrivi 2 131052-308T"\r\n'
    '" Eero ";Eeron Oy;eero@eero.fi;"09 1234 5678";1.2.2026;\r\n'
    'liian;paljon;1;2;3;4;5\r\n'
    'Liisa;Liisan Oy;liisa@l.fi;;32.1.2026;\r\n'
    '\r\n'
    'Ville;Villen Oy;ville@v.fi;0401112223;;"auki jäänyt\r\nlainaus\r\n'
)


def test_set_based_path_on_quotes_multiline_fields_and_an_unclosed_quote(monkeypatch, tmp_path):
    """The csv module reads a quoted file; the set-based path takes its rows and merges
    its rejects (surplus cells, unclosed quote) in line order; a bad date is kept."""
    path = tmp_path / "quoted.csv"
    path.write_text(_QUOTED, encoding="utf-8")
    (con, res), (row_con, row_res) = _both_paths(monkeypatch, path)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (5, 3, 2)
    assert vars(res) == vars(row_res)
    assert _tables(con) == _tables(row_con)
    assert [r[0] for r in con.execute("SELECT record_ref FROM rejects").fetchall()] == [
        "line 5", "line 8"
    ]


# -- the rights registers' handling columns (READING.md §8) --------------------------------

_ERASURE_EN = (
    'Name,Email,Received on,Extension,Outcome,Erased on,Reason\r\n'
    'Aino M,aino@am.example.fi,2026-10-31,,,,\r\n'
    'Eino R,eino@er.example.fi,2026-10-15,yes,,,\r\n'
    'Väinö S,vaino@vs.example.fi,2026-09-01,Y,Refused,2026-09-20,"a live service contract"\r\n'
    'Sanna N,sanna@sn.example.fi,2026-08-01,no,erased,2026-08-05,\r\n'
    'Jyrki Ö,jyrki@jo.example.fi,2026-08-02,2 months,pending,,\r\n'
)
_ERASURE_ROWS = [
    (D(2026, 10, 31), None, None, None, None),
    (D(2026, 10, 15), True, None, None, None),
    (D(2026, 9, 1), True, "refused", D(2026, 9, 20), "a live service contract"),
    (D(2026, 8, 1), False, "erased", D(2026, 8, 5), None),
    (D(2026, 8, 2), None, None, None, None),   # "2 months", "pending": not read as either
]


@pytest.mark.parametrize("via_csv_module", [False, True], ids=["lines", "csv rows"])
@pytest.mark.parametrize("lang", ["fi", "en"])
def test_erasure_requests_read_extension_decision_and_reason(monkeypatch, tmp_path, lang,
                                                              via_csv_module):
    """Finnish and English headers (Saapunut, Jatkettu, Päätös, Päätöspäivä, Peruste),
    the same records through both paths; the fields keep the texts, none unclassified."""
    if lang == "fi":
        path = T / "poistopyynnot_paatokset.csv"
        rows = [(*r[:4], "voimassa oleva huoltosopimus" if r[4] else None)
                for r in _ERASURE_ROWS]
    else:
        path = tmp_path / "erasure.csv"
        path.write_bytes(_ERASURE_EN.encode("utf-8"))
        rows = _ERASURE_ROWS
    (con, res), (row_con, _) = _both_paths(monkeypatch, path, "erasure_requests",
                                           via_csv_module)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (5, 5, 0)
    assert _tables(con) == _tables(row_con)
    q = ("SELECT requested_on, extended, decision, decided_on, reason FROM records "
         "ORDER BY length(record_ref), record_ref")
    assert con.execute(q).fetchall() == rows
    assert con.execute("SELECT DISTINCT field FROM fields ORDER BY 1").fetchall() == [
        ("email",), ("non_personal",), ("notes",), ("person_name",)]


def test_marketing_list_ban_marker(tmp_path):
    """A marketing list's ban-marker column (a date or a mark) sets the entry's decision;
    empty and "ei" are no marker."""
    path = tmp_path / "prospektit.csv"
    path.write_text("Nimi;Sähköposti;Viimeisin markkinointi;Markkinointikielto\n"
                    "A;a@a.example.fi;1.9.2026;15.10.2026\nB;b@b.example.fi;1.9.2026;x\n"
                    "C;c@c.example.fi;1.9.2026;ei\nD;d@d.example.fi;1.9.2026;\n", encoding="utf-8")
    con, _ = _load(path, "marketing_list")
    assert con.execute("SELECT record_ref, decision FROM records ORDER BY record_ref").fetchall() \
        == [("line 2", "banned"), ("line 3", "banned"), ("line 4", None), ("line 5", None)]
    # "Kielto" on a marketing list is its marker; on the ban list, the ban's date
    path.write_text("Nimi;Sähköposti;Kielto\nA;a@a.example.fi;kyllä\n", encoding="utf-8")
    con, _ = _load(path, "marketing_list")
    assert con.execute("SELECT decision FROM records").fetchall() == [("banned",)]
    path.write_text("Nimi;Sähköposti;Markkinointikielto\nA;a@a.example.fi;15.10.2026\n",
                    encoding="utf-8")
    con, _ = _load(path, "marketing_optouts")
    assert con.execute("SELECT requested_on, decision FROM records").fetchall() == [
        (D(2026, 10, 15), None)]


def test_rights_columns_are_classifiable_with_columns(tmp_path):
    path = tmp_path / "pyynnot.csv"
    path.write_text("Nimi;Sähköposti;Tullut;Lisäaika;Lopputulos;Milloin;Miksi\n"
                    "A;a@a.example.fi;1.9.2026;kyllä;evätty;2.9.2026;riita laskusta\n",
                    encoding="utf-8")
    con, _ = _load(path, "erasure_requests", columns={
        "Tullut": "request_date", "Lisäaika": "extended", "Lopputulos": "decision",
        "Milloin": "decided_on", "Miksi": "reason"})
    assert con.execute("SELECT requested_on, extended, decision, decided_on, reason "
                       "FROM records").fetchall() == [
        (D(2026, 9, 1), True, "refused", D(2026, 9, 2), "riita laskusta")]


@pytest.mark.parametrize("via_csv_module", [False, True], ids=["lines", "csv rows"])
def test_hetus_in_notes_in_either_case_and_not_order_numbers_on_both_paths(
    monkeypatch, tmp_path, via_csv_module
):
    """A code in lower case is a hetu (the set-based path's prefilter takes either case);
    a date-shaped order number with its label is not, on both paths."""
    path = tmp_path / "rekisteri.csv"
    path.write_text(
        "Asiakasnumero;Yritys;Nimi;Sähköposti;Lisätiedot\r\n"
        "1;A Oy;Aino;aino@a.example.fi;hetu 131052-308t\r\n"
        "2;B Oy;Eino;eino@b.example.fi;Huoltotilaus 150324-0253\r\n"
        "3;C Oy;Saara;saara@c.example.fi;soitti 150324-0253\r\n", encoding="utf-8")
    (con, _), (row_con, _) = _both_paths(monkeypatch, path, via_csv_module=via_csv_module)
    q = "SELECT record_ref FROM fields WHERE field = 'hetu' ORDER BY ALL"
    assert con.execute(q).fetchall() == row_con.execute(q).fetchall() == [
        ("line 2",), ("line 4",)]
