"""The sink's row-by-row and columnar paths write the same rows."""

from __future__ import annotations

import datetime as dt

from audit_kit.warehouse import SourceSink, connect, raw_table_name


def _sink(tmp_path):
    con = connect()
    sink = SourceSink(con, source="s-1", kind="customers_csv", system="billing")
    f = tmp_path / "a.csv"
    f.write_text("x")
    return con, sink, sink.file(f)


def test_columns_equal_rows(tmp_path):
    con, sink, f = _sink(tmp_path)
    sink.record(
        f,
        "line 2",
        "customer_contact",
        person_name="Äänis",
        email="a@x.fi",
        ended_on=dt.date(2026, 1, 2),
    )
    sink.field(f, "line 2", "email", "Sähköposti", "a@x.fi")
    sink.raw_table(["Nimi", 'Huom"autus'])
    sink.raw(f, "line 2", ["Äänis", None])
    sink.reject(f, "line 3", "3 fields where the header has 2")
    sink.columns(
        "records",
        f,
        {
            "record_ref": ["line 4"],
            "role": ["customer_contact"],
            "person_name": ["Öönä"],
            "email": [None],
            "ended_on": [dt.date(2026, 3, 4)],
        },
    )
    sink.columns(
        "fields",
        f,
        {
            "record_ref": ["line 4", "line 4"],
            "field": ["email", "hetu"],
            "label": ["Sähköposti", "Lisätiedot"],
            "value": ["o@x.fi", "x"],
        },
    )
    sink.columns("raw", f, {"record_ref": ["line 4"], "Nimi": ["Öönä"], 'Huom"autus': ["k"]})
    sink.columns("rejects", f, {"record_ref": ["line 5"], "reason": ["not a date"]})
    sink.flush()
    assert con.execute(
        "SELECT source, source_kind, system, file, record_ref, role, person_name, "
        "email, ended_on, sha256 = ? FROM records ORDER BY rec_id",
        [f.sha256],
    ).fetchall() == [
        (
            "s-1",
            "customers_csv",
            "billing",
            f.name,
            "line 2",
            "customer_contact",
            "Äänis",
            "a@x.fi",
            dt.date(2026, 1, 2),
            True,
        ),
        (
            "s-1",
            "customers_csv",
            "billing",
            f.name,
            "line 4",
            "customer_contact",
            "Öönä",
            None,
            dt.date(2026, 3, 4),
            True,
        ),
    ]
    assert con.execute(
        "SELECT record_ref, field, label, value FROM fields ORDER BY ALL"
    ).fetchall() == [
        ("line 2", "email", "Sähköposti", "a@x.fi"),
        ("line 4", "email", "Sähköposti", "o@x.fi"),
        ("line 4", "hetu", "Lisätiedot", "x"),
    ]
    raw = raw_table_name("s-1")
    assert con.execute(
        f'SELECT record_ref, "Nimi", "Huom""autus" FROM {raw} ORDER BY 1'
    ).fetchall() == [("line 2", "Äänis", None), ("line 4", "Öönä", "k")]
    assert con.execute("SELECT record_ref, reason FROM rejects ORDER BY 1").fetchall() == [
        ("line 3", "3 fields where the header has 2"),
        ("line 5", "not a date"),
    ]
    assert sink.rejected == 2


def test_columns_take_any_header_text(tmp_path):
    con, sink, f = _sink(tmp_path)
    sink.raw_table(["\x00Nimi", "a b"])
    sink.columns("raw", f, {"record_ref": ["line 2"], "\x00Nimi": ["Aino"], "a b": ["x"]})
    assert con.execute(
        f"SELECT * EXCLUDE (source, source_kind, system, file, sha256) FROM {raw_table_name('s-1')}"
    ).fetchall() == [("line 2", "Aino", "x")]
