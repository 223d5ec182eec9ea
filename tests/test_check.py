"""``audit-kit check CONFIG``: the dry run a newcomer fixes the config with.

Each case is a small register shaped as a billing export writes it (cp1252, semicolons,
Finnish headers); the printed lines are asserted exactly, and nothing is written."""

from __future__ import annotations

import pytest

from audit_kit.check import check_config, format_checks, shown_label
from audit_kit.cli.main import main
from tests._support import snapshot, write_config

HEADER = "Asiakasnumero;Yritys;Yhteyshenkilö;Sähköposti;Sopimus alkoi;Asiakkuus päättynyt"
ROWS = [
    "1001;Kone Oy;Aino Virtanen;aino@kone.example;1.2.2020;",
    "1002;Paperi Oy;Eero Salo;eero@paperi.example;3.4.2021;2025/03/15",
    "1003;Toimisto Oy;Liisa Koski;liisa@toimisto.example;5.6.2022;-",
    "1004;Extra Oy;Ville Aho;ville@extra.example;7.8.2023;1.1.2025;ylimääräinen",
]


def _register(tmp_path, rows=ROWS, columns: str = ""):
    data = tmp_path / "data"
    data.mkdir()
    (data / "asiakkaat.csv").write_bytes(
        ("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252"))
    src = {"name": "asiakkaat", "kind": "customers_csv", "path": "data/asiakkaat.csv",
           "system": "billing"}
    if columns:
        src["columns"] = columns
    return write_config(tmp_path, [src])


def test_check_shows_each_column_its_dates_and_rejects(tmp_path, capsys):
    cfg = _register(tmp_path)
    before = snapshot(tmp_path)
    assert main(["check", str(cfg)]) == 1  # a record was rejected
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        "  format: csv (cp1252, ';'); files: 1",
        "  columns:",
        "    Asiakasnumero       -> non_personal (3 values)",
        "    Yritys              -> org_name (3 values)",
        "    Yhteyshenkilö       -> person_name (3 values)",
        "    Sähköposti          -> email (3 values)",
        "    Sopimus alkoi       -> unclassified (3 values)",
        "    Asiakkuus päättynyt -> ended_on (2 values, 2 not a date)",
        "  records: 4 read, 3 loaded, 1 rejected",
        "    1 x 7 fields where the header has 6",
        "1 sources, 1 records rejected, 1 unclassified columns",
    ]
    assert out[0].startswith("asiakkaat (customers_csv): ")
    assert snapshot(tmp_path) == before  # a dry run writes nothing
    for value in ("aino@kone.example", "Aino Virtanen", "2025/03/15", "ylimääräinen"):
        assert value not in "\n".join(out)


def test_check_after_the_fix_is_clean(tmp_path, capsys):
    cfg = _register(tmp_path, ROWS[:1], columns='{"Sopimus alkoi": ignore}')
    assert main(["check", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "    Sopimus alkoi       -> ignore (1 value)" in out
    assert out.endswith("1 sources, 0 records rejected, 0 unclassified columns; "
                        "ready for `audit-kit run`\n")


def test_a_mapping_mistake_is_a_config_error_naming_the_closest_target(tmp_path, capsys):
    cfg = _register(tmp_path, columns='{"Sopimus alkoi": ignored}')
    before = snapshot(tmp_path)
    assert main(["check", str(cfg)]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    (line,) = cap.err.splitlines()
    assert line.startswith("audit-kit: error: ") and "'ignore'" in line and "asiakkaat" in line
    assert snapshot(tmp_path) == before


def test_check_config_is_a_library_call(tmp_path):
    (c,) = check_config(_register(tmp_path))
    assert (c.result.records_read, c.result.records_loaded, c.result.records_rejected) == (4, 3, 1)
    assert {col.label: col.read_as for col in c.columns}["Asiakkuus päättynyt"] == ["ended_on"]
    assert format_checks([c])[-1] == "    1 x 7 fields where the header has 6"


@pytest.mark.parametrize("header, shown", [
    ("Sähköposti", "Sähköposti"),
    ("aino@kone.example", "(a header that looks like an e-mail address; not shown)"),
    ("040 123 4567", "(a header that looks like a phone number; not shown)"),
    ("Lisätiedot 010190-123F", "(a header that looks like an identity code; not shown)"),
    ("Asiakkuus 2025", "Asiakkuus 2025"),
])
def test_a_header_that_is_personal_data_is_not_printed(header, shown):
    assert shown_label(header) == shown
