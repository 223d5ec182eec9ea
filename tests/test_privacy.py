"""Personal data stays in its place.

The demo audit (CLI, subprocess) must not print any demo person's name, e-mail or phone
on stdout/stderr, nor write one into validation/ (GX results) or manifest.json; every
file of the run folder is owner-only (0600, folders 0700); findings.csv neutralises
formula-like cells.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from audit_kit import normalise
from audit_kit.findings import COLUMNS, Finding, read_csv, write_csv
from audit_kit.loaders.tabular import detect_delimiter, detect_encoding, map_headers
from audit_kit.safe_output import csv_cell

pytestmark = pytest.mark.slow

PERSON_COLS = {"person_name", "first_name", "last_name", "email", "phone", "mobile_phone",
               "home_phone"}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("privacy")
    env = {**os.environ, "AUDIT_KIT_KEY_FILE": str(base / "audit.key")}
    proc = subprocess.run(
        [sys.executable, "-m", "audit_kit.cli.main", "demo", "--data", str(base / "data"),
         "--out", str(base / "out")],
        env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return base / "data", base / "out", proc.stdout, proc.stderr


def _table(path: Path) -> tuple[list[str], list[list[str]]]:
    if path.suffix == ".xlsx":
        rows = [["" if v is None else str(v) for v in r]
                for r in openpyxl.load_workbook(path, read_only=True).worksheets[0]
                .iter_rows(values_only=True)]
        return rows[0], rows[1:]
    data = path.read_bytes()
    text = data.decode(detect_encoding(data[:65536], None)).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline=""),
                           delimiter=detect_delimiter(text.split("\n", 1)[0], None)))
    return rows[0], rows[1:]


def demo_people(data: Path) -> set[str]:
    """Names, e-mails and phones (as written and E.164) of the demo's tabular files."""
    values: set[str] = set()
    files = sorted(p for p in data.rglob("*") if p.suffix in (".csv", ".xlsx")
                   and p.name != "ground_truth.csv")
    for path in files:
        header, rows = _table(path)
        if path.name == "google_contacts.csv":  # Google's own header
            sem = ["person_name" if h in ("First Name", "Last Name") else
                   "email" if h.startswith("E-mail") and h.endswith("Value") else
                   "phone" if h.startswith("Phone") and h.endswith("Value") else None
                   for h in header]
        else:
            sem = map_headers(header, None)
        for row in rows:
            first = last = ""
            for s, v in zip(sem, row, strict=False):
                v = v.strip()
                if s not in PERSON_COLS or not v:
                    continue
                if s == "first_name" or (path.name == "google_contacts.csv" and not first
                                         and s == "person_name"):
                    first = v
                elif s == "last_name" or (path.name == "google_contacts.csv"
                                          and s == "person_name"):
                    last = v
                else:
                    values.add(v)
                if s.endswith("phone"):
                    for part in v.split(":::"):
                        if normalise.phone(part.strip()):
                            values.add(normalise.phone(part.strip()))
                            values.add(part.strip())
                if s == "email":
                    values.add(v.lower())
            if first and last:
                values.add(f"{first} {last}")
    return values


def test_the_demo_has_people_to_look_for(demo_run):
    data, out, *_ = demo_run
    people = demo_people(data)
    assert len(people) > 100
    # the search works: findings.csv carries e-mails and phones by contract
    findings = (out / "findings.csv").read_text(encoding="utf-8")
    assert sum(v in findings for v in people) > 10
    assert any("@" in v for v in people) and any(v.startswith("+358") for v in people)
    assert any(" " in v and "@" not in v and not v[0].isdigit() for v in people)


def _texts(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    out = [text]
    if path.suffix == ".json":  # json.dump escapes non-ASCII by default: compare decoded too
        out.append(json.dumps(json.loads(text), ensure_ascii=False))
    return out


def test_no_personal_data_on_the_terminal_or_in_validation_results(demo_run):
    data, out, stdout, stderr = demo_run
    people = demo_people(data)
    places = {"stdout": [stdout], "stderr": [stderr],
              "manifest.json": _texts(out / "manifest.json")}
    vfiles = sorted(p for p in (out / "validation").rglob("*") if p.is_file())
    assert len(vfiles) >= 5
    for p in vfiles:
        places[str(p.relative_to(out))] = _texts(p)
    leaks = sorted((where, v) for where, texts in places.items() for v in people
                   if any(v in t for t in texts))
    assert leaks == []


def test_every_output_is_owner_only(demo_run):
    _, out, *_ = demo_run
    bad = []
    for p in [out, *sorted(out.rglob("*"))]:
        mode = stat.S_IMODE(p.lstat().st_mode)
        want = 0o700 if p.is_dir() else 0o600
        if mode != want:
            bad.append((str(p.relative_to(out)), oct(mode)))
    assert bad == []
    names = {p.name for p in out.iterdir()}
    assert {"findings.csv", "warehouse.duckdb", "manifest.json", "report.html",
            "validation"} <= names


def test_the_report_hides_people_unless_revealed(demo_run):
    data, out, *_ = demo_run
    html = (out / "report.html").read_text(encoding="utf-8")
    people = demo_people(data)
    assert sorted(v for v in people if v in html and "@" not in v and v[0] not in "+0") == []


# -- formula-like cells ---------------------------------------------------------------------

@pytest.mark.parametrize("value,cell", [
    ("=HYPERLINK(\"http://x.example\",\"a\")", "'=HYPERLINK(\"http://x.example\",\"a\")"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("+cmd@example.com", "'+cmd@example.com"),
    ("-2+3", "'-2+3"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\\r=1"),  # neutralised, and the CR shown
    ("+358401234567", "+358401234567"),  # an E.164 phone is not a formula
    ("-5", "-5"),
    ("aino@example.com", "aino@example.com"),
    ("", ""),
])
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


def test_findings_csv_neutralises_every_column(tmp_path):
    evil = "=1+2"
    f = Finding("M-field", "minimisation", "error", *(evil,) * 9, provision=evil, detail_fi=evil)
    path = tmp_path / "findings.csv"
    write_csv([f], path)
    rows = list(csv.reader(path.open(newline="", encoding="utf-8")))
    assert rows[0] == list(COLUMNS)
    # accepted (empty), the key (it starts with the rule id: no formula), the provision,
    # the Finnish detail
    assert rows[1] == ["M-field", "minimisation", "error", *("'=1+2",) * 9, "",
                       "M-field/=1+2/=1+2/=1+2", "'=1+2", "'=1+2"]
    assert read_csv(path)[0].email == "'=1+2"
