"""Files that blow up, hang or read nothing (issue 14 items 4, 5, 8): exact outcomes.

* Bombs (small files standing for gigabytes of work) are file-level rejects with the
  limit's reason (``audit_kit.limits``) and the rest of the audit is done: the run with
  the bombs beside good files finds what the run of the good files alone finds. The bomb
  run is a subprocess under an address-space limit, timed, with its peak RSS measured.
* Only regular files are opened: a FIFO in a Maildir, a FIFO or a device as a source is a
  file reject at once; a FIFO or a device as the policy or the config is exit 2, one line.
* A source that reads nothing is an ``I-empty`` warning; a file or folder that cannot be
  read (permission denied) is a file reject with its reason, never skipped silently.

Every bomb is generated here. Runs that could hang on a regression are subprocesses with
a timeout, so a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

import duckdb
import pytest

from audit_kit.warehouse import WHOLE_FILE
from tests._support import DATA, POLICY, REPO, write_config

RATIO = ("{what} decompresses to more than 100 times its size (limits.max_compression_ratio): "
         "a compression bomb?")
FIFO = "not a regular file (a FIFO (named pipe)); only regular files are read"
CHAR_DEVICE = "not a regular file (a character device); only regular files are read"
EMPTY = "no records read: check the path and kind of the source"


# -- the bombs ----------------------------------------------------------------------------

def _deflated(parts: list[tuple[bytes, int]], wbits: int) -> tuple[bytes, int, int]:
    """Deflate each ``unit * count`` in turn without building the whole: (data, crc, size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    out, crc, size = [], 0, 0
    for unit, count in parts:
        block = unit * max(1, (1 << 20) // len(unit))
        per = len(block) // len(unit)
        while count > 0:
            k = min(per, count)
            piece = block if k == per else unit * k
            crc = zlib.crc32(piece, crc)
            size += len(piece)
            out.append(c.compress(piece))
            count -= k
    out.append(c.flush())
    return b"".join(out), crc, size


def _one_member_zip(name: str, parts: list[tuple[bytes, int]]) -> bytes:
    data, crc, size = _deflated(parts, -15)
    fn = name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size,
                        len(fn), 0) + fn
    cd = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), size,
                     len(fn), 0, 0, 0, 0, 0, 0) + fn
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(cd), len(local) + len(data),
                       0)
    return local + data + cd + eocd


def finvoice_elements_zip() -> bytes:
    """32 KB: one Finvoice member of 8.4 million ``<x/>`` elements (33.6 MB)."""
    return _one_member_zip("lasku.xml", [
        (b'<?xml version="1.0" encoding="UTF-8"?>\n<Finvoice Version="3.0">', 1),
        (b"<x/>", 8_400_000), (b"</Finvoice>\n", 1)])


def overlapping_zip(copies: int = 3000) -> bytes:
    """One valid invoice (padded with a 1 MB comment) and *copies* central-directory
    entries all pointing at it: 170 KB that unpack to 2.8 GiB (the simple form of David
    Fifield's overlapped-entries zip bomb)."""
    inv = (DATA / "finvoice" / "utf8_3.0_aakkoset.xml").read_bytes()
    inv = inv.replace(b"<Finvoice", b"<!--" + b" " * 1_000_000 + b"--><Finvoice", 1)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("invoice.xml", inv)
    raw = buf.getvalue()
    cd_at, eocd_at = raw.index(b"PK\x01\x02"), raw.index(b"PK\x05\x06")
    entry = raw[cd_at:eocd_at]
    cd = entry * copies
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, copies, copies, len(cd), cd_at, 0)
    return raw[:cd_at] + cd + eocd


def blank_lines_gz() -> bytes:
    """65 KB of gzip: 67 million blank lines."""
    return _deflated([(b"\n", 67_000_000)], 31)[0]


def _xlsx_header(path: Path) -> list:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    header = list(next(wb.worksheets[0].iter_rows(values_only=True)))
    wb.close()
    return header


def far_cell_xlsx(header: list) -> bytes:
    """5 KB: the register's header and a cell at XFD1048576 (dimension A1:XFD1048576)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    ws.cell(row=1_048_576, column=16_384, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def shared_strings_xlsx(header: list, n: int = 10_000_000) -> bytes:
    """A workbook whose shared-strings table holds *n* entries (10 M: 417 KB)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append([str(h) for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                      compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename != "xl/sharedStrings.xml":
                dst.writestr(info, src.read(info))
        with dst.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.'
                       b'openxmlformats.org/spreadsheetml/2006/main" count="%d" '
                       b'uniqueCount="%d">' % (n, n))
            block = b"<si><t>a</t></si>" * 65536
            for _ in range(n // 65536):
                part.write(block)
            part.write(b"<si><t>a</t></si>" * (n % 65536) + b"</sst>")
    return out.getvalue()


# -- running the CLI ----------------------------------------------------------------------

#: the child runs' address-space limit. DuckDB and GX reserve far more address space than
#: they touch (allocator and per-thread arenas, GX's imports): a run of the good files
#: alone needs about 2-2.5 GiB (measured: imports fail at 1.5 GiB, and at 2.5 GiB one run
#: of three could not allocate DuckDB's thread-local data), so 4 GiB leaves a margin.
#: Each bomb took 4.4 to 11.8 GB before. The bound asserted is the peak RSS (< 1 GiB).
ADDRESS_SPACE = 4 << 30


#: the child: an address-space limit, the CLI, then its peak RSS (its own and its pool's)
_CHILD = """
import resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from audit_kit.cli.main import main
try:
    rc = main(sys.argv[3:])
finally:
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    open(sys.argv[2], "w").write(str(peak * 1024))
sys.exit(rc)
"""


def cli(args: list[str], *, timeout: float = 120, no_override: bool = False
        ) -> tuple[int, str, str, float, int]:
    """``audit-kit ARGS`` in a child process under :data:`ADDRESS_SPACE` (a regression
    that reads ``/dev/zero`` whole fails instead of taking the machine's memory):
    (rc, stdout, stderr, seconds, peak RSS).

    *no_override*: the child cannot read past file modes even as root (root's
    CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped), as an ordinary user cannot.
    """
    fd, peak_file = tempfile.mkstemp(prefix="ak-peak-")
    os.close(fd)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    prefix: list[str] = []
    if no_override and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: file modes cannot be tested")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(
            [*prefix, sys.executable, "-c", _CHILD, str(ADDRESS_SPACE), peak_file, *args],
            capture_output=True, text=True, timeout=timeout, env=env)
        secs = time.perf_counter() - t0
        peak = int(Path(peak_file).read_text() or 0)
    finally:
        os.unlink(peak_file)
    return p.returncode, p.stdout, p.stderr, secs, peak


def _con(out: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(out / "warehouse.duckdb"), read_only=True)


def _findings(out: Path) -> list[dict[str, str]]:
    with open(out / "findings.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _q(out: Path, sql: str) -> list[tuple]:
    with _con(out) as con:
        return con.execute(sql).fetchall()


# -- bombs: rejected, the rest of the audit done, bounded -----------------------------------



def _bomb_inputs(root: Path) -> tuple[list[dict], dict[str, bytes]]:
    """Sources (folders with good files) and the bombs to drop into them."""
    fin, logs, xlsx = root / "finvoice", root / "logs", root / "xlsx"
    for d in (fin, logs, xlsx):
        d.mkdir()
    shutil.copyfile(DATA / "finvoice" / "utf8_3.0_aakkoset.xml", fin / "a_good.xml")
    shutil.copyfile(DATA / "maillog" / "iso" / "maillog", logs / "maillog")
    shutil.copyfile(DATA / "tabular" / "prospektit.xlsx", xlsx / "a_good.xlsx")
    header = _xlsx_header(xlsx / "a_good.xlsx")
    sources = [
        {"name": "invoices", "kind": "finvoice", "path": "finvoice", "system": "billing"},
        {"name": "maillog", "kind": "postfix_log", "path": "logs", "system": "mail"},
        {"name": "prospects", "kind": "marketing_list", "path": "xlsx",
         "system": "workstations"},
    ]
    bombs = {
        "finvoice/b_elements.zip": finvoice_elements_zip(),
        "finvoice/c_overlapping.zip": overlapping_zip(),
        "logs/maillog.1.gz": blank_lines_gz(),
        "xlsx/b_far_cell.xlsx": far_cell_xlsx(header),
        "xlsx/c_shared_strings.xlsx": shared_strings_xlsx(header),
    }
    return sources, bombs


BOMB_REJECTS = [
    ("invoices", "finvoice/b_elements.zip", RATIO.format(what="archive")),
    ("invoices", "finvoice/c_overlapping.zip",
     "zip entries overlap (one member's data listed several times): a zip bomb; re-create "
     "the archive"),
    ("maillog", "logs/maillog.1.gz", RATIO.format(what="file")),
    ("prospects", "xlsx/b_far_cell.xlsx",
     "the sheet spans more than 20,000,000 cells (rows x columns, row 1048576; "
     "limits.max_xlsx_cells); delete the stray cells far right or below the data and save "
     "again, or raise the limit"),
    ("prospects", "xlsx/c_shared_strings.xlsx", RATIO.format(what="archive")),
]


def test_bombs_are_file_rejects_and_the_audit_goes_on_in_bounded_memory_and_time(tmp_path):
    from audit_kit.cli.main import main

    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    sources, bombs = _bomb_inputs(good)
    shutil.copytree(good, bad)
    sizes = {}
    for rel, data in bombs.items():
        (bad / rel).write_bytes(data)
        sizes[rel] = len(data)
    assert max(sizes.values()) < 420_000  # each bomb is small
    write_config(good, sources)
    write_config(bad, sources)
    assert main(["run", str(good / "audit.yaml"), "--out", str(good / "out"),
                 "--no-report"]) == 1

    rc, out, err, secs, peak = cli(["run", str(bad / "audit.yaml"), "--out", str(bad / "out"),
                                    "--no-report"], timeout=300)
    assert (rc, err) == (1, ""), err
    print(f"bomb run: {secs:.1f} s, peak RSS {peak / 2**20:.0f} MiB")
    assert secs < 60, f"{secs:.1f} s"
    assert peak < 1 << 30, f"peak RSS {peak / 2**20:.0f} MiB"

    rejects = _q(bad / "out", "SELECT source, file, record_ref, reason FROM rejects "
                              f"WHERE record_ref = '{WHOLE_FILE}' ORDER BY source, file")
    assert rejects == [(s, f, WHOLE_FILE, r) for s, f, r in BOMB_REJECTS]
    # the rest is exactly the good files' audit: every table but the bombs' rows
    counts_sql = ("SELECT source, records_read, records_loaded, records_rejected, files "
                  "FROM load_counts ORDER BY source")
    n_bombs = {s: sum(1 for b in BOMB_REJECTS if b[0] == s) for s, *_ in BOMB_REJECTS}
    assert _q(bad / "out", counts_sql) == [
        (s, read + n_bombs[s], loaded, rej + n_bombs[s], files + n_bombs[s])
        for s, read, loaded, rej, files in _q(good / "out", counts_sql)]
    for table in ("records", "fields"):
        sql = f"SELECT * EXCLUDE (rec_id) FROM {table} ORDER BY ALL" if table == "records" \
            else f"SELECT * FROM {table} ORDER BY ALL"
        assert _q(bad / "out", sql) == _q(good / "out", sql)
    assert _q(bad / "out", f"SELECT * FROM rejects WHERE record_ref <> '{WHOLE_FILE}' "
                           "ORDER BY ALL") == _q(good / "out", "SELECT * FROM rejects ORDER BY ALL")
    # the findings: the good files' ones; integrity: an I-rejected warning per bombed source
    def others(out: Path) -> list[tuple]:
        return [tuple(v for k, v in f.items() if k != "subject_id")
                for f in _findings(out) if f["category"] != "integrity"]

    assert others(bad / "out") == others(good / "out")
    assert [(f["rule_id"], f["source"], f["detail"]) for f in _findings(bad / "out")
            if f["category"] == "integrity"] == [
        ("I-rejected", s, f"{n_bombs[s] + rej} of {read + n_bombs[s]} records rejected; see "
                          "the rejects table for each reason")
        for s, read, _, rej, _ in _q(good / "out", counts_sql)]
    # the manifest lists every bomb with its hash and a note with the reason
    manifest = json.loads((bad / "out" / "manifest.json").read_text(encoding="utf-8"))
    by_source = {s["name"]: s for s in manifest["sources"]}
    for source, rel, reason in BOMB_REJECTS:
        files = {f["file"]: f for f in by_source[source]["files"]}
        assert files[rel]["bytes"] == sizes[rel]
        assert f"{rel}: file not read: {reason}" in by_source[source]["notes"]


# -- each limit, from the config ----------------------------------------------------------

def _run(tmp_path: Path, capsys, cfg: Path) -> tuple[int, str, Path]:
    from audit_kit.cli.main import main

    out = tmp_path / "out"
    rc = main(["run", str(cfg), "--out", str(out), "--no-report"])
    return rc, capsys.readouterr().err, out


@pytest.mark.parametrize("limit,kind,system,fixture,reason", [
    ("max_file_bytes: 100", "vcard", "android_backup", "vcard/google_30.vcf",
     "file is larger than 100 bytes (limits.max_file_bytes); split the export or raise "
     "the limit"),
    ("max_xml_elements: 20", "finvoice", "billing", "finvoice/utf8_3.0_aakkoset.xml",
     "more than 20 XML elements (limits.max_xml_elements); split the file or raise the limit"),
    ("max_xlsx_shared_strings: 3", "marketing_list", "workstations", "shared_strings.xlsx",
     "more than 3 shared strings (limits.max_xlsx_shared_strings); save the workbook again or "
     "raise the limit"),
    ("max_xlsx_cells: 10", "marketing_list", "workstations", "tabular/prospektit.xlsx",
     "the sheet spans more than 10 cells (rows x columns, row 3; limits.max_xlsx_cells); "
     "delete the stray cells far right or below the data and save again, or raise the limit"),
    ("max_lines: 3", "postfix_log", "mail", "maillog/iso/maillog",
     "more than 3 lines (limits.max_lines); split the file or raise the limit"),
], ids=lambda v: v.split(":")[0] if isinstance(v, str) and v.startswith("max_") else None)
def test_each_limit_from_the_config_rejects_the_file(tmp_path, capsys, limit, kind, system,
                                                    fixture, reason):
    name = Path(fixture).name
    (tmp_path / "in").mkdir()
    if fixture == "shared_strings.xlsx":  # 10 entries (the fixtures have inline strings)
        header = _xlsx_header(DATA / "tabular" / "prospektit.xlsx")
        (tmp_path / "in" / name).write_bytes(shared_strings_xlsx(header, 10))
    else:
        shutil.copyfile(DATA / fixture, tmp_path / "in" / name)
    cfg = write_config(tmp_path, [{"name": "s", "kind": kind, "path": f"in/{name}",
                                   "system": system}], extra=f"limits:\n  {limit}\n")
    rc, err, out = _run(tmp_path, capsys, cfg)
    assert (rc, err) == (1, "")
    assert _q(out, "SELECT file, record_ref, reason FROM rejects") == [
        (f"in/{name}", WHOLE_FILE, reason)]
    assert _q(out, "SELECT records_read, records_loaded, records_rejected FROM load_counts") \
        == [(1, 0, 1)]
    assert _q(out, "SELECT count(*) FROM records") == [(0,)]


def test_unknown_limit_is_a_config_error(tmp_path, capsys):
    cfg = write_config(tmp_path, [], extra="limits:\n  max_bytes: 5\n")
    rc, err, _ = _run(tmp_path, capsys, cfg)
    assert (rc, err) == (2, f"audit-kit: error: {cfg} (key limits.max_bytes): unknown key; see "
                            "README.md 'Audit config' for the keys\n")


# -- only regular files are opened --------------------------------------------------------

def test_fifo_in_a_maildir_is_a_reject_and_the_rest_loads(tmp_path):
    md = tmp_path / "Maildir"
    shutil.copytree(DATA / "mail" / "Maildir", md)
    os.mkfifo(md / "cur" / "1767225699.M9P9.host:2,S")
    cfg = write_config(tmp_path, [{"name": "m", "kind": "maildir", "path": "Maildir",
                                   "system": "mail"}])
    rc, out, err, secs, _ = cli(["run", str(cfg), "--out", str(tmp_path / "out"),
                                 "--no-report"], timeout=120)
    assert (rc, err) == (1, ""), err
    assert _q(tmp_path / "out", "SELECT file, record_ref, reason FROM rejects "
                                f"WHERE record_ref = '{WHOLE_FILE}'") == [
        ("Maildir/cur/1767225699.M9P9.host:2,S", WHOLE_FILE, FIFO)]
    (read, loaded, rejected), = _q(tmp_path / "out", "SELECT records_read, records_loaded, "
                                                     "records_rejected FROM load_counts")
    n_messages = sum(1 for p in (DATA / "mail" / "Maildir").rglob("*")
                     if p.is_file() and p.parent.name in ("cur", "new"))
    assert (read, loaded) == (n_messages + 1, n_messages + 1 - rejected)


@pytest.mark.parametrize("what", ["fifo", "/dev/zero"])
@pytest.mark.parametrize("kind,system", [("vcard", "android_backup"),
                                         ("google_contacts_csv", "android_backup"),
                                         ("mbox", "mail"), ("eml", "mail")])
def test_fifo_or_device_as_a_source_is_a_file_reject_at_once(tmp_path, what, kind, system):
    if what == "fifo":
        path = tmp_path / "contacts"
        os.mkfifo(path)
        reason = FIFO
    else:
        path, reason = Path(what), CHAR_DEVICE
    cfg = write_config(tmp_path, [{"name": "s", "kind": kind, "path": str(path),
                                   "system": system}])
    rc, _, err, _, _ = cli(["run", str(cfg), "--out", str(tmp_path / "out"), "--no-report"],
                           timeout=120)
    assert (rc, err) == (1, ""), err
    name = "contacts" if what == "fifo" else os.path.relpath(what, tmp_path)
    assert _q(tmp_path / "out", "SELECT file, record_ref, reason FROM rejects") == [
        (name, WHOLE_FILE, reason)]
    assert [(f["rule_id"], f["severity"], f["detail"]) for f in _findings(tmp_path / "out")
            if f["category"] == "integrity"] == [
        ("I-rejected", "warning", "1 of 1 records rejected; see the rejects table for each "
                                  "reason")]


@pytest.mark.parametrize("which", ["policy", "config"])
@pytest.mark.parametrize("device", ["/dev/urandom", "/dev/zero", "fifo"])
def test_device_or_fifo_as_policy_or_config_is_refused_at_once(tmp_path, which, device):
    if device == "fifo":
        device = str(tmp_path / "named-pipe")
        os.mkfifo(device)
        why = FIFO
    else:
        why = CHAR_DEVICE
    cfg = write_config(tmp_path, [{"name": "s", "kind": "vcard", "path": "x.vcf",
                                   "system": "android_backup"}],
                       policy=Path(device) if which == "policy" else POLICY)
    target = device if which == "config" else str(cfg)
    rc, out, err, secs, _ = cli(["run", target, "--out", str(tmp_path / "out")], timeout=60)
    assert (rc, out, err) == (2, "", f"audit-kit: error: {device}: {why}\n")
    assert not (tmp_path / "out").exists()


# -- nothing read is a finding; nothing unreadable is skipped -------------------------------

def test_sources_that_read_nothing_are_integrity_warnings(tmp_path, capsys):
    kinds = [("vcard", "android_backup"), ("google_contacts_csv", "android_backup"),
             ("mbox", "mail"), ("maildir", "mail"), ("eml", "mail")]
    for kind, _ in kinds:
        (tmp_path / kind).mkdir()
    shutil.copyfile(DATA / "vcard" / "google_30.vcf", tmp_path / "good.vcf")
    cfg = write_config(tmp_path, [{"name": k, "kind": k, "path": k, "system": s}
                                  for k, s in kinds]
                       + [{"name": "good", "kind": "vcard", "path": "good.vcf",
                           "system": "android_backup"}])
    rc, err, out = _run(tmp_path, capsys, cfg)
    assert (rc, err) == (1, "")
    assert sorted((f["rule_id"], f["severity"], f["source"], f["detail"])
                  for f in _findings(out) if f["category"] == "integrity") == sorted(
        ("I-empty", "warning", k, EMPTY) for k, _ in kinds)


def test_unreadable_file_and_folder_are_rejects_with_the_reason(tmp_path):
    inp = tmp_path / "cards"
    (inp / "locked").mkdir(parents=True)
    shutil.copyfile(DATA / "vcard" / "google_30.vcf", inp / "a.vcf")
    shutil.copyfile(DATA / "vcard" / "android_21_fi.vcf", inp / "locked" / "b.vcf")
    shutil.copyfile(DATA / "vcard" / "rfc6350_40.vcf", inp / "c.vcf")
    cfg = write_config(tmp_path, [{"name": "cards", "kind": "vcard", "path": "cards",
                                   "system": "android_backup"}])
    os.chmod(inp / "c.vcf", 0)
    os.chmod(inp / "locked", 0)
    try:
        modes = {p: p.stat().st_mode for p in (tmp_path, *tmp_path.rglob("*"))}
        rc, _, err, _, _ = cli(["run", str(cfg), "--out", str(tmp_path / "out"), "--no-report"],
                               no_override=True)
        assert (rc, err) == (1, ""), err
        assert {p: p.stat().st_mode for p in modes} == modes  # nothing re-permissioned
    finally:
        os.chmod(inp / "locked", 0o700)  # for pytest's clean-up
    out = tmp_path / "out"
    assert _q(out, "SELECT file, reason FROM rejects WHERE record_ref = "
                   f"'{WHOLE_FILE}' ORDER BY file") == [
        ("cards/c.vcf", "permission denied; check the file's owner and mode"),
        ("cards/locked", "permission denied: the folder cannot be listed; check its "
                         "owner and mode")]
    assert _q(out, "SELECT DISTINCT file FROM records") == [("cards/a.vcf",)]
    assert _q(out, "SELECT records_read, records_rejected FROM load_counts") == [
        (_q(out, "SELECT count(DISTINCT record_ref) FROM records")[0][0] + 2, 2)]


# -- one file a loader cannot read, inside a folder, is a reject (issue 17 item 3) --------

_MORK = b'// <!-- <mdb:mork:z v="1.4"/> -->\n< <(a=c)> // (f=iso-8859-1)\n'

#: (source, kind, system, good files, bad files as name -> bytes or a fixture, the reason)
FOLDER_CASES = [
    ("cards", "vcard", "android_backup", ["vcard/google_30.vcf"],
     {"notes.vcf": b"just some notes\n"},
     "no vCard found (no BEGIN:VCARD line); is this a .vcf export?"),
    ("mail", "mbox", "mail", ["mail/thunderbird.mbox"],
     {"Inbox.msf": _MORK},
     "a Thunderbird index file (.msf, Mork), not a mailbox; the mailbox it indexes holds the "
     "messages (offset 0)"),
    ("mail", "mbox", "mail", [], {"readme.txt": b"These are the office's mailboxes.\n"},
     "not an mbox file: it does not start with a 'From ' separator line; for single messages "
     "use kind eml (offset 0)"),
    ("invoices", "finvoice", "billing", ["finvoice/utf8_3.0_aakkoset.xml"],
     {"ubl.xml": "bad/finvoice_wrong_root.xml"},
     "no Finvoice element found; is this a Finvoice file?"),
    ("register", "customers_csv", "billing", ["tabular/asiakkaat_utf8_tab.csv"],
     {"empty.csv": b""}, "file is empty; export the register again"),
]


def test_a_file_the_loader_cannot_read_in_a_folder_is_a_reject_and_the_rest_loads(
        tmp_path, capsys):
    good, bad = tmp_path / "good", tmp_path / "bad"
    sources: dict[str, dict] = {}
    expected = []
    for name, kind, system, goods, bads, reason in FOLDER_CASES:
        sources[name] = {"name": name, "kind": kind, "path": name, "system": system}
        for base in (good, bad):
            (base / name).mkdir(parents=True, exist_ok=True)
            for g in goods:
                shutil.copyfile(DATA / g, base / name / Path(g).name)
        for fname, data in bads.items():
            target = bad / name / fname
            if isinstance(data, str):
                shutil.copyfile(DATA / data, target)
            else:
                target.write_bytes(data)
            expected.append((name, f"{name}/{fname}", reason))
    for base in (good, bad):
        write_config(base, list(sources.values()))
    rc_good, err_good, _ = _run(good, capsys, good / "audit.yaml")
    rc, err, out = _run(bad, capsys, bad / "audit.yaml")
    assert (rc, err) == (rc_good, err_good) == (1, "")
    assert _q(out, "SELECT source, file, reason FROM rejects WHERE record_ref = "
                   f"'{WHOLE_FILE}' ORDER BY source, file") == sorted(expected)
    counts_sql = ("SELECT source, records_read, records_loaded, records_rejected, files "
                  "FROM load_counts ORDER BY source")
    n_bad = {s: sum(1 for e in expected if e[0] == s) for s in sources}
    assert _q(out, counts_sql) == [
        (s, read + n_bad[s], loaded, rej + n_bad[s], files + n_bad[s])
        for s, read, loaded, rej, files in _q(good / "out", counts_sql)]
    for sql in ("SELECT * EXCLUDE (rec_id) FROM records ORDER BY ALL",
                "SELECT * FROM fields ORDER BY ALL"):
        assert _q(out, sql) == _q(good / "out", sql)


def test_a_file_the_loader_cannot_read_alone_still_stops_the_run(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "Inbox.msf").write_bytes(_MORK)
    cfg = write_config(tmp_path, [{"name": "m", "kind": "mbox", "path": "in/Inbox.msf",
                                   "system": "mail"}])
    rc, err, out = _run(tmp_path, capsys, cfg)
    assert (rc, err) == (2, "audit-kit: error: in/Inbox.msf (offset 0): a Thunderbird index "
                            "file (.msf, Mork), not a mailbox; the mailbox it indexes holds the "
                            "messages\n")
    assert not out.exists()


# -- compressed rotations, read by content (issue 17 item 4) -------------------------------

def _compressors() -> dict[str, object]:
    import bz2
    import gzip
    import lzma

    zstandard = pytest.importorskip("zstandard")
    return {".xz": lzma.compress, ".bz2": bz2.compress,
            ".zst": zstandard.ZstdCompressor().compress, "": gzip.compress}


def _postfix(path: Path):
    from audit_kit.config import SourceConfig
    from audit_kit.loaders import get_loader
    from tests._support import sink_for

    con, sink = sink_for("postfix_log", system="mail")
    res = get_loader("postfix_log")(
        SourceConfig(name="x", kind="postfix_log", path=path, system="mail"), sink)
    rows = con.execute("SELECT * EXCLUDE (file, sha256) FROM src_x ORDER BY rowid").fetchall()
    return res, rows, sorted(f.name for f in sink.files)


def test_compressed_rotations_are_read_by_content_in_a_folder_and_alone(tmp_path):
    text = (DATA / "maillog" / "iso" / "maillog").read_bytes()
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    plain.mkdir()
    packed.mkdir()
    (plain / "maillog").write_bytes(text)
    (packed / "maillog").write_bytes(text)
    for n, (suffix, compress) in enumerate(_compressors().items(), start=1):
        (plain / f"maillog.{n}").write_bytes(text)
        (packed / f"maillog.{n}{suffix}").write_bytes(compress(text))  # type: ignore[operator]
    res_plain, rows_plain, _ = _postfix(plain)
    res, rows, files = _postfix(packed)
    assert [Path(f).name for f in files] == ["maillog", "maillog.1.xz", "maillog.2.bz2",
                                             "maillog.3.zst", "maillog.4"]
    assert (res.records_read, res.records_loaded, res.records_rejected) == (
        res_plain.records_read, res_plain.records_loaded, res_plain.records_rejected)
    assert res.records_read == 5 * text.count(b"\n")
    assert rows == rows_plain
    assert [n.split(": ", 1)[1] for n in res.notes] == [
        "gzip-compressed (read by its content, not its name)"]
    # given as a file, a compressed rotation is decompressed too
    alone = _postfix(packed / "maillog.1.xz")
    assert alone[1] == _postfix(plain / "maillog.1")[1]


def test_a_corrupt_rotation_is_a_reject_in_a_folder_and_an_error_alone(tmp_path):
    import lzma

    from audit_kit.errors import InputError

    (tmp_path / "logs").mkdir()
    text = (DATA / "maillog" / "iso" / "maillog").read_bytes()
    (tmp_path / "logs" / "maillog").write_bytes(text)
    (tmp_path / "logs" / "maillog.1.xz").write_bytes(lzma.compress(text)[:-20])
    res, _, _ = _postfix(tmp_path / "logs")
    good = _postfix(tmp_path / "logs" / "maillog")[0]
    assert (res.records_read, res.records_loaded, res.records_rejected) == (
        good.records_read + 1, good.records_loaded, good.records_rejected + 1)
    assert f"{tmp_path}/logs/maillog.1.xz: file not read: not a readable xz file (corrupt or " \
           "truncated)" in res.notes
    with pytest.raises(InputError, match=r"not a readable xz file \(corrupt or truncated\)"):
        _postfix(tmp_path / "logs" / "maillog.1.xz")
