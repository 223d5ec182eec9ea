"""safe_output: what reaches CSV, JSON, HTML and the console from hostile text.

The exact escapes are checked here; tests/test_bad_input.py runs hostile files through
the CLI and checks that nothing raw comes out anywhere.
"""

from __future__ import annotations

import csv
import io
import json
import re

import duckdb
import pandas as pd
import pytest

from audit_kit.safe_output import (
    console,
    csv_cell,
    echo,
    html_text,
    json_text,
    shown,
    stored_name,
    write_csv,
)

#: every character the module promises never to write raw (TAB and LF aside)
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                 "\u2028\u2029\ud800-\udfff]")

HOSTILE = [
    "a\rb", "c\nd", "e\r\nf", 'q"uote', "x,y", "\x00nul", "=cmd|' /C calc'!A0",
    "\t=1", " \n=2", "\u202eevil", "\x1b[2J\x1b[31mFAKE", "caf\udce9", "\x85nel",
    "\u2028ls", "+358401234567", "-5", "-2+3", ";semi", "\x7fdel", "\u061c\u200e\u2066iso",
    "\x1b]0;title\x07", "", "plain Äö",
]


@pytest.mark.parametrize("text,expected", [
    ("a\rb", "a\\rb"),
    ("tab\tand\nline", "tab\tand\nline"),
    ("\x00", "\\x00"),
    ("\x1b[2J", "\\x1b[2J"),
    ("\x7f\x85\x9f", "\\x7f\\x85\\x9f"),
    ("\u202eabc\u202c", "\\u202eabc\\u202c"),
    ("\u2066\u2069\u200e\u200f\u061c", "\\u2066\\u2069\\u200e\\u200f\\u061c"),
    ("\u2028\u2029", "\\u2028\\u2029"),
    ("caf\udce9.csv", "caf\\xe9.csv"),  # os.fsdecode's escape of the byte 0xe9
    ("\ud800", "\\ud800"),
    ("Mäkelä עברית 日本", "Mäkelä עברית 日本"),  # scripts, accents, RTL letters survive
])
def test_shown(text, expected):
    assert shown(text) == expected


def test_console_is_one_line():
    assert console("a\tb\nc\rd\x1b[2J") == "a\\tb\\nc\\rd\\x1b[2J"


def test_stored_name_escapes_only_undecodable_bytes():
    assert stored_name("a\x1b\u202e\udcff.csv") == "a\x1b\u202e\\xff.csv"


@pytest.mark.parametrize("value,cell", [
    ("=1+2", "'=1+2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("+cmd", "'+cmd"),
    ("-2+3", "'-2+3"),
    ("\t=1", "'\t=1"),
    ("\tabc", "'\tabc"),  # a leading TAB or CR is neutralised whatever follows
    ("\rabc", "'\\rabc"),
    ("  =1+2", "'  =1+2"),  # after leading white space
    ("\n=1+2", "'\n=1+2"),
    ("\x1b=1+2", "'\\x1b=1+2"),  # after leading control characters
    ("\u200e\u202e=1", "'\\u200e\\u202e=1"),
    ("\u00a0@x", "'\u00a0@x"),
    ("+358401234567", "+358401234567"),  # a signed number is a number
    ("-5", "-5"),
    ("+358 40 123", "+358 40 123"),
    ("a=1", "a=1"),
    ("", ""),
    (None, ""),
])
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_write_csv_one_record_per_row_for_every_reader(tmp_path):
    rows = [[v, "fixed", str(i)] for i, v in enumerate(HOSTILE)]
    path = tmp_path / "t.csv"
    write_csv(path, ["value", "k", "i"], rows)
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_bytes().decode("utf-8")
    assert RAW.findall(text) == []
    assert "\r" not in text and "\x00" not in text
    # Python's csv, DuckDB's read_csv and pandas: one record per row, columns in place
    got = list(csv.reader(path.open(newline="", encoding="utf-8")))
    assert got[0] == ["value", "k", "i"]
    assert [r[1:] for r in got[1:]] == [["fixed", str(i)] for i in range(len(HOSTILE))]
    assert [r[0] for r in got[1:]] == [csv_cell(v) for v in HOSTILE]
    con = duckdb.connect()
    d = con.execute("SELECT value, k, i FROM read_csv(?, all_varchar = true) ORDER BY i::INT",
                    [str(path)]).fetchall()
    assert [(v or "", k, i) for v, k, i in d] == [(csv_cell(v), "fixed", str(i))
                                                  for i, v in enumerate(HOSTILE)]
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert df.values.tolist() == [[csv_cell(v), "fixed", str(i)] for i, v in enumerate(HOSTILE)]


def test_json_text_keeps_values_exactly_and_writes_nothing_raw():
    obj = {"names": HOSTILE}
    text = json_text(obj)
    assert RAW.findall(text) == []
    assert text.endswith("}\n") and "Äö" in text  # readable: UTF-8, not \u escapes
    assert json.loads(text) == obj


def test_html_text():
    assert html_text('<b a="1">\u202e&\x00</b>') == (
        "&lt;b a=&quot;1&quot;&gt;\\u202e&amp;\\x00&lt;/b&gt;")
    assert html_text(None) == ""


def test_echo_prints_one_safe_line():
    buf = io.StringIO()
    echo("in/\x1b[2J\x1b[31mFAKE.xml\r\nok\u202e", file=buf)
    assert buf.getvalue() == "in/\\x1b[2J\\x1b[31mFAKE.xml\\r\\nok\\u202e\n"


def test_echo_backslash_escapes_what_the_stream_cannot_encode():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    echo("Mäkelä caf\udce9", file=stream)
    stream.flush()
    assert raw.getvalue() == b"M\\xe4kel\\xe4 caf\\xe9\n"
