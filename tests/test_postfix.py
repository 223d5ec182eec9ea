"""The postfix_log loader: fixtures in tests/data/maillog/, and the maillog corpus read in place."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_kit import warehouse
from audit_kit.config import SourceConfig
from audit_kit.demo import OWN_DOMAIN
from audit_kit.errors import InputError
from audit_kit.loaders import get_loader
from audit_kit.loaders.postfix import load

DATA = Path(__file__).parent / "data" / "maillog"
CORPUS = Path(__file__).parents[2] / "shared" / "corpora" / "maillog"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared maillog corpus not present")


def run(path: Path, *, year: int | None = None, transaction: bool = False, **kw):
    """The fixtures' company is the demo's: its own domain is passed as the pipeline would."""
    kw.setdefault("own_domains", (OWN_DOMAIN,))
    con = warehouse.connect()
    sink = warehouse.SourceSink(con, source="x", kind="postfix_log", system="mail")
    cfg = SourceConfig(name="x", kind="postfix_log", path=path, system="mail", year=year)
    if transaction:  # as the pipeline loads it
        with sink.transaction():
            res = load(cfg, sink, **kw)
    else:
        res = load(cfg, sink, **kw)
    sink.flush()
    assert res.reconciles
    return con, res


def q(con, sql):
    return con.execute(sql).fetchall()


def stamp(y, m, d, h=12):
    return dt.datetime(y, m, d, h).timestamp()


@pytest.mark.parametrize("log", ["iso/maillog", "traditional/maillog"])
def test_same_rows_inside_a_transaction(log):
    """The pipeline loads a source in one transaction, where new rows have provisional
    rowids: line numbers and the month sequence must not depend on them."""
    tables = ("src_x", "src_x_queue", "records", "fields", "rejects")
    got = []
    for transaction in (False, True):
        con, _ = run(DATA / log, year=2025, transaction=transaction)
        got.append([q(con, f"SELECT * EXCLUDE (rec_id) FROM {t} ORDER BY ALL" if t == "records"
                      else f"SELECT * FROM {t} ORDER BY ALL") for t in tables])
    assert got[0] == got[1]
    assert any(r[4] == "line 1" for r in got[1][0])  # numbered from 1, not from ~2**55


def test_registered():
    assert get_loader("postfix_log") is load


# -- ISO (rsyslog) fixture ---------------------------------------------------------------
def test_iso_lines_rejects_and_counts():
    con, res = run(DATA / "iso" / "maillog")
    assert (res.records_read, res.records_loaded, res.records_rejected) == (16, 13, 3)
    assert res.format == "postfix rsyslog ISO 8601"
    assert q(con, "SELECT record_ref, reason FROM rejects ORDER BY rowid") == [
        ("line 12", "not a syslog line"),
        ("line 13", "blank line"),
        ("line 14", "unparseable timestamp"),
    ]
    assert q(con, "SELECT count(*) FROM src_x") == [(13,)]


def test_iso_raw_columns():
    con, _ = run(DATA / "iso" / "maillog")
    rows = q(
        con,
        """SELECT record_ref, timestamp, date, host, program, pid, queue_id, "from", "to",
                     orig_to, relay, status FROM src_x
                     WHERE record_ref IN ('line 4', 'line 5', 'line 11')
                     ORDER BY rowid""",
    )
    assert rows == [
        (
            "line 4",
            "2026-06-01T10:00:00.423456+03:00",
            "2026-06-01",
            "mx1",
            "postfix/qmgr",
            "812",
            "4A1B2C3D4E",
            "<Aino.Makinen@Asiakas.example.fi>",
            None,
            None,
            None,
            None,
        ),
        (
            "line 5",
            "2026-06-01T10:00:01.000000+03:00",
            "2026-06-01",
            "mx1",
            "postfix/local",
            "2003",
            "4A1B2C3D4E",
            None,
            "<kari@oulunkonttori.fi>",
            "<info@oulunkonttori.fi>",
            "local",
            "sent",
        ),
        (
            "line 11",
            "2026-06-02T00:10:00.000000+03:00",
            "2026-06-02",
            "mx1",
            "CRON",
            "3000",
            None,
            None,
            None,
            None,
            None,
            None,
        ),
    ]
    assert q(con, "SELECT message FROM src_x WHERE record_ref = 'line 7'") == [("removed",)]


def test_iso_records_exclude_own_domain_role_and_null():
    con, _ = run(DATA / "iso" / "maillog")
    assert q(con, "SELECT record_ref, role, email, last_activity FROM record_rows "
                  "ORDER BY rowid") == [
        ("line 4", "maillog_address", "aino.makinen@asiakas.example.fi", dt.date(2026, 6, 1)),
        ("line 6", "maillog_address", "eino.rasanen@toimittaja.example.fi", dt.date(2026, 6, 1)),
        ("line 8", "maillog_address", "spam.sender@roskaposti.example.com", dt.date(2026, 6, 1)),
        ("line 10", "maillog_address", "sirpa.ylonen@asiakas.example.fi", dt.date(2026, 6, 2)),
    ]
    assert q(con, "SELECT record_ref, field, label, value FROM field_rows ORDER BY rowid") == [
        ("line 4", "email", "from", "Aino.Makinen@Asiakas.example.fi"),
        ("line 6", "email", "to", "eino.rasanen@toimittaja.example.fi"),
        ("line 8", "email", "from", "spam.sender@roskaposti.example.com"),
        ("line 10", "email", "to", "sirpa.ylonen@asiakas.example.fi"),
    ]


def test_iso_queue_summary():
    con, _ = run(DATA / "iso" / "maillog")
    assert q(
        con,
        """SELECT record_ref, queue_id, first_time, last_time, lines, "from", "to",
                     orig_to, status FROM src_x_queue ORDER BY rowid""",
    ) == [
        (
            "line 2",
            "4A1B2C3D4E",
            "2026-06-01T10:00:00.223456+03:00",
            "2026-06-01T10:00:01.200000+03:00",
            "6",
            "<Aino.Makinen@Asiakas.example.fi>",
            "<eino.rasanen@toimittaja.example.fi>, <kari@oulunkonttori.fi>",
            "<info@oulunkonttori.fi>",
            "sent",
        ),
        (
            "line 9",
            "5B2C3D4E5F",
            "2026-06-01T23:59:59.000000+03:00",
            "2026-06-02T00:20:00+03:00",
            "3",
            "<noreply@palvelu.example.fi>",
            "<sirpa.ylonen@asiakas.example.fi>",
            None,
            "deferred",
        ),
        (
            "line 16",
            "6C3D4E5F60",
            "2026-06-02T00:20:01Z",
            "2026-06-02T00:20:01Z",
            "1",
            None,
            "<MAILER-DAEMON@palvelu.example.fi>",
            None,
            "bounced",
        ),
    ]


@pytest.mark.parametrize("log", ["iso/maillog", "traditional/maillog"])
def test_queue_summary_when_hashes_collide(log, monkeypatch):
    """The queue summary reads a queue id's one value per column through its hash only
    when no two distinct values share one; else the string aggregates run for every
    queue id. A hash that collides (the length) takes that path: same rows."""
    from audit_kit.loaders import postfix

    sql = "SELECT * FROM src_x_queue ORDER BY rowid"
    want = q(run(DATA / log, year=2025)[0], sql)
    monkeypatch.setattr(postfix, "_QUEUE_HASH", "length")
    assert q(run(DATA / log, year=2025)[0], sql) == want
    assert len(want) > 1  # iso/maillog has a queue id with two "to" values


def test_own_domain_is_a_parameter():
    con, _ = run(DATA / "iso" / "maillog", own_domains=("asiakas.example.fi",))
    emails = [r[0] for r in q(con, "SELECT email FROM record_rows ORDER BY rowid")]
    # the company's domain is no longer "own": its staff become addresses; info@ and
    # myynti@ are role mailboxes (vocab.ROLE_MAILBOXES)
    assert emails == [
        "kari@oulunkonttori.fi",
        "eino.rasanen@toimittaja.example.fi",
        "spam.sender@roskaposti.example.com",
    ]


def test_role_mailboxes_are_a_parameter(tmp_path):
    p = tmp_path / "maillog"
    p.write_text(
        "2026-06-01T10:00:00+03:00 mx1 postfix/qmgr[1]: 4A1B2C3D4E: from=<info@kone.example.fi>,"
        " size=1, nrcpt=1 (queue active)\n"
        "2026-06-01T10:00:01+03:00 mx1 postfix/qmgr[1]: 4A1B2C3D4F: "
        "from=<NoReply+x@kone.example.fi>,"
        " size=1, nrcpt=1 (queue active)\n"
        "2026-06-01T10:00:02+03:00 mx1 postfix/qmgr[1]: 4A1B2C3D50: from=<sales@kone.example.fi>,"
        " size=1, nrcpt=1 (queue active)\n",
        encoding="utf-8",
    )
    con, _ = run(p)  # the common list (vocab.ROLE_MAILBOXES): all three
    assert q(con, "SELECT record_ref, email FROM records") == []
    con, _ = run(p, role_mailboxes=("info", "noreply"))
    assert q(con, "SELECT record_ref, email FROM records") == [("line 3", "sales@kone.example.fi")]
    con, _ = run(p, role_mailboxes=("sales",))
    assert q(con, "SELECT record_ref FROM record_rows ORDER BY rowid") == [("line 1",), ("line 2",)]


ADDRESSES = (
    "<Äiti.Ö@kone.example.fi>", "<info@ääkkönen.fi>", "<x@mail.oulunkonttori.fi>",
    "<x@OULUNKONTTORI.FI>", "<NoReply+x@kone.fi>", "<a@xoulunkonttori.fi>", "< sp@kone.fi >",
    "<mailto:m@kone.fi>", "<bad>", "<>", "<a@b@c.fi>", "<\u00a0nb@kone.fi>", "<ÅSA@KONE.FI>",
    "<root+x@x.fi>", "plain@kone.fi",
)


def test_address_rules_sql_and_python_agree(tmp_path):
    """ASCII addresses are normalised and ruled in SQL, the others in Python: one rule."""
    from audit_kit import normalise
    from audit_kit.loaders.postfix import ROLE_MAILBOXES, _is_subject

    p = tmp_path / "maillog"
    with open(p, "w", encoding="utf-8") as f:
        for i, a in enumerate(ADDRESSES):
            f.write(f"2026-06-01T10:00:00+03:00 mx1 postfix/smtp[1]: 4A1B2C3D{i:02X}: to={a}, "
                    f"orig_to={a}, relay=x, status=sent\n")
    con, _ = run(p)
    expected = []
    for i, a in enumerate(ADDRESSES):
        e = normalise.email(a)
        if _is_subject(e, (OWN_DOMAIN,), frozenset(ROLE_MAILBOXES)):
            expected.append((f"line {i + 1}", e))
    assert q(con, "SELECT record_ref, email FROM record_rows ORDER BY rowid") == expected
    emails = [e for _, e in expected]
    assert "äiti.ö@kone.example.fi" in emails and "åsa@kone.fi" in emails  # the Python path
    assert "a@xoulunkonttori.fi" in emails and "m@kone.fi" in emails  # the SQL path
    assert not any(e.endswith("oulunkonttori.fi") and e != "a@xoulunkonttori.fi" for e in emails)
    assert q(con, "SELECT count(*) FROM fields") == [(2 * len(expected),)]


# -- traditional syslog: year rollover ------------------------------------------------------
TRAD_DATES = [
    ("line 1", "2025-12-30"),
    ("line 2", "2025-12-30"),
    ("line 3", "2026-01-01"),
    ("line 4", "2025-12-31"),
    ("line 5", "2026-01-01"),
    ("line 7", "2026-02-03"),
    ("line 8", "2026-02-03"),
]


def test_traditional_year_from_source_and_rollover():
    con, res = run(DATA / "traditional" / "maillog", year=2025)
    assert res.format == "postfix syslog (year from source.year)"
    assert (res.records_read, res.records_loaded, res.records_rejected) == (8, 7, 1)
    assert q(con, "SELECT record_ref, date FROM src_x ORDER BY rowid") == TRAD_DATES
    assert q(con, "SELECT time FROM src_x WHERE record_ref = 'line 3'") == [
        ("2026-01-01T00:00:05",)
    ]
    # Feb 30 is no date in any year
    assert q(con, "SELECT record_ref, reason FROM rejects") == [("line 6", "unparseable timestamp")]
    assert "year 2025-2026 from the source's year: setting" in res.notes[0]


def test_traditional_records_noqueue_same_address_twice():
    con, _ = run(DATA / "traditional" / "maillog", year=2025)
    assert q(con, "SELECT record_ref, email, last_activity FROM record_rows ORDER BY rowid") == [
        ("line 1", "paivi.karkkainen@kone.example.fi", dt.date(2025, 12, 30)),
        ("line 2", "tuomas.hamalainen@paperi.example.fi", dt.date(2025, 12, 30)),
        ("line 3", "jyrki.poyhonen@kiinteisto.example.fi", dt.date(2026, 1, 1)),
        ("line 8", "kaisa.laitinen@rakennus.example.fi", dt.date(2026, 2, 3)),
    ]
    assert q(
        con,
        "SELECT record_ref, label, value FROM field_rows WHERE record_ref = 'line 8' "
        "ORDER BY rowid",
    ) == [
        ("line 8", "from", "kaisa.laitinen@rakennus.example.fi"),
        ("line 8", "to", "Kaisa.Laitinen@rakennus.example.fi"),
    ]


def test_traditional_year_from_mtime(tmp_path):
    p = tmp_path / "maillog"
    shutil.copy(DATA / "traditional" / "maillog", p)
    os.utime(p, (stamp(2026, 2, 10), stamp(2026, 2, 10)))
    con, res = run(p)
    assert res.format == "postfix syslog (year from mtime)"
    assert q(con, "SELECT record_ref, date FROM src_x ORDER BY rowid") == TRAD_DATES


def test_mtime_in_january_after_december_lines(tmp_path):
    p = tmp_path / "maillog"
    p.write_text("Dec 31 23:00:00 mx1 postfix/qmgr[1]: 4A1B2C3D4E: removed\n", encoding="utf-8")
    os.utime(p, (stamp(2027, 1, 1, 1), stamp(2027, 1, 1, 1)))
    con, _ = run(p)
    assert q(con, "SELECT date FROM src_x") == [("2026-12-31",)]


# -- rotation ------------------------------------------------------------------------------
def _rotation(tmp_path: Path) -> Path:
    d = tmp_path / "log"
    d.mkdir()
    (d / "maillog").write_text(
        "Jan 10 09:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: from=<uusi@asiakas.example.fi>, "
        "size=1, nrcpt=1 (queue active)\n"
        "Feb  2 09:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n",
        encoding="utf-8",
    )
    (d / "maillog.1").write_text(
        "Dec 28 09:00:00 mx1 postfix/qmgr[1]: 2A2B3C4D5E: from=<vanha@asiakas.example.fi>, "
        "size=1, nrcpt=1 (queue active)\n"
        "Jan  3 09:00:00 mx1 postfix/qmgr[1]: 2A2B3C4D5E: removed\n",
        encoding="utf-8",
    )
    with gzip.open(d / "maillog.2.gz", "wt", encoding="utf-8") as f:
        f.write(
            "Nov 20 09:00:00 mx1 postfix/qmgr[1]: 3A2B3C4D5E: from=<vanhin@asiakas.example.fi>, "
            "size=1, nrcpt=1 (queue active)\n"
            "Dec  5 09:00:00 mx1 postfix/qmgr[1]: 3A2B3C4D5E: removed\n"
            "garbage\n"
        )
    (d / "notes.txt").write_text("not a log\n", encoding="utf-8")
    os.utime(d / "maillog", (stamp(2027, 2, 3), stamp(2027, 2, 3)))
    # copied rotated files: their own mtimes say nothing; the rotation order decides
    for name in ("maillog.1", "maillog.2.gz"):
        os.utime(d / name, (stamp(2030, 6, 1), stamp(2030, 6, 1)))
    return d


def test_rotation_year_from_mtime_and_rotation(tmp_path):
    d = _rotation(tmp_path)
    con, res = run(d)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (7, 6, 1)
    assert res.format == "postfix syslog (year from rotation), postfix syslog (year from mtime)"
    assert q(con, "SELECT file, record_ref, date FROM src_x ORDER BY rowid") == [
        (str(d / "maillog.2.gz"), "line 1", "2026-11-20"),
        (str(d / "maillog.2.gz"), "line 2", "2026-12-05"),
        (str(d / "maillog.1"), "line 1", "2026-12-28"),
        (str(d / "maillog.1"), "line 2", "2027-01-03"),
        (str(d / "maillog"), "line 1", "2027-01-10"),
        (str(d / "maillog"), "line 2", "2027-02-02"),
    ]
    assert q(con, "SELECT file, record_ref, reason FROM rejects") == [
        (str(d / "maillog.2.gz"), "line 3", "not a syslog line")
    ]
    assert q(con, "SELECT file FROM files ORDER BY rowid") == [
        (str(d / "maillog.2.gz"),),
        (str(d / "maillog.1"),),
        (str(d / "maillog"),),
    ]
    assert q(con, "SELECT email, last_activity FROM record_rows ORDER BY rowid") == [
        ("vanhin@asiakas.example.fi", dt.date(2026, 11, 20)),
        ("vanha@asiakas.example.fi", dt.date(2026, 12, 28)),
        ("uusi@asiakas.example.fi", dt.date(2027, 1, 10)),
    ]
    assert any(
        "maillog.1: syslog timestamps without a year; year 2026-2027 from the rotation" in n
        for n in res.notes
    )


def test_rotation_with_source_year(tmp_path):
    d = _rotation(tmp_path)
    con, res = run(d, year=2020)
    assert q(con, "SELECT date FROM src_x ORDER BY rowid") == [
        ("2020-11-20",),
        ("2020-12-05",),
        ("2020-12-28",),
        ("2021-01-03",),
        ("2021-01-10",),
        ("2021-02-02",),
    ]
    assert res.format == "postfix syslog (year from source.year)"


@pytest.mark.slow  # past a row group: large files
def test_rotation_raw_rows_oldest_file_first_past_a_row_group(tmp_path):
    """The raw table reads in time order (oldest file first, by line) also when the files
    are bigger than a DuckDB row group (122,880 rows), where a join scrambled it."""
    d = tmp_path / "log"
    d.mkdir()
    n = 1 << 17
    for name, day in (("maillog.1", 1), ("maillog", 2)):
        with open(d / name, "w", encoding="utf-8") as f:
            f.writelines(
                f"2026-06-0{day}T10:00:00+03:00 mx1 postfix/qmgr[1]: {i:010X}: removed\n"
                for i in range(n)
            )
    con, _ = run(d)
    got = q(con, "SELECT file, record_ref FROM src_x ORDER BY rowid")
    assert got == [
        (str(d / name), f"line {i}") for name in ("maillog.1", "maillog") for i in range(1, n + 1)
    ]


def test_iso_file_anchors_older_traditional_file(tmp_path):
    d = tmp_path / "log"
    d.mkdir()
    (d / "maillog").write_text(
        "2027-01-05T10:00:00+02:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n", encoding="utf-8"
    )
    (d / "maillog.1").write_text(
        "Dec 30 10:00:00 mx1 postfix/qmgr[1]: 2A2B3C4D5E: removed\n", encoding="utf-8"
    )
    os.utime(d / "maillog.1", (stamp(2030, 1, 1), stamp(2030, 1, 1)))
    con, _ = run(d)
    assert q(con, "SELECT date FROM src_x ORDER BY rowid") == [("2026-12-30",), ("2027-01-05",)]


def test_iso_only_file_rejects_and_month_sequence(tmp_path):
    """An ISO-only file (loaded without the stage): its rejects, and a month sequence that
    counts the dated lines it rejected (June 31st steps back: one rollover), as for any file."""
    d = tmp_path / "log"
    d.mkdir()
    (d / "maillog.1").write_text(
        "2026-12-30T10:00:00+02:00 mx1 postfix/qmgr[1]: 4A1B2C3D4E: removed\n"
        "2026-06-31T10:00:00+02:00 mx1 postfix/qmgr[1]: 4A1B2C3D4E: removed\n"
        "2026-12-31T10:00:00+02:00\n"
        "2026-12-31T25:00:00+02:00 mx1 postfix/qmgr[1]: 4A1B2C3D4E: removed\n"
        "2026-12-31T10:00:00+02:00 mx1 postfix/qmgr[1]: 4A1B2C3D4E: removed\n",
        encoding="utf-8",
    )
    (d / "maillog").write_text(
        "Jan  5 10:00:00 mx1 postfix/qmgr[1]: 1A2B3C4D5E: removed\n", encoding="utf-8"
    )
    con, res = run(d, year=2020)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (6, 3, 3)
    assert q(con, "SELECT record_ref, reason FROM rejects ORDER BY rowid") == [
        ("line 2", "unparseable timestamp"),
        ("line 3", "not a syslog line"),
        ("line 4", "unparseable timestamp"),
    ]
    assert q(con, "SELECT record_ref, date FROM src_x ORDER BY rowid") == [
        ("line 1", "2026-12-30"),
        ("line 5", "2026-12-31"),
        ("line 1", "2028-01-05"),
    ]


def test_corrupt_gzip_is_an_input_error(tmp_path):
    p = tmp_path / "maillog.2.gz"
    p.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InputError, match="not a readable gzip file"):
        run(p)


def test_folder_without_maillogs(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="no maillog files"):
        run(tmp_path)


def test_crlf_no_final_newline_and_bad_bytes(tmp_path):
    p = tmp_path / "maillog"
    p.write_bytes(
        b"2026-06-01T10:00:00+03:00 mx1 postfix/qmgr[1]: 4A1B2C3D4E: from=<a.b@kone.example.fi>, "
        b"size=1\r\n"
        b"2026-06-01T10:00:01+03:00 mx1 kernel: caf\xe9\r\n"
        b"2026-06-01T10:00:02+03:00 mx1 postfix/qmgr[1]: 4A1B2C3D4E: removed"
    )
    con, res = run(p)
    assert (res.records_read, res.records_loaded) == (3, 3)
    assert q(con, 'SELECT "from", message FROM src_x ORDER BY rowid') == [
        ("<a.b@kone.example.fi>", "from=<a.b@kone.example.fi>, size=1"),
        (None, "caf\ufffd"),
        (None, "removed"),
    ]
    assert any("1 lines had bytes that are not UTF-8" in n for n in res.notes)


def test_plain_file_reads_as_the_gzip_path(tmp_path, monkeypatch):
    """A plain file is split by DuckDB's CSV reader, a .gz by the numpy path: same rows."""
    from audit_kit.loaders import postfix

    careful = []
    numpy_path = postfix._read_text_careful
    monkeypatch.setattr(
        postfix, "_read_text_careful", lambda con, info, limits: careful.append(info.path.name)
        or numpy_path(con, info, limits)
    )
    text = (
        "\n"
        '2026-06-01T10:00:00+03:00 mx1 postfix/qmgr[1]: 4A1B2C3D4E: from=<"a b"@kone.example.fi>,'
        " size=1\n"
        "\n\n"
        "2026-06-01T10:00:01+03:00 mx1 kernel: \tcafé € 'x' \\ ;,|\n"
        "   \n"
        "# not a log line\n"
        "2026-06-01T10:00:02+03:00 mx1 postfix/qmgr[1]: 4A1B2C3D4E: removed"
    )
    (tmp_path / "plain").mkdir()
    (tmp_path / "gz").mkdir()
    (tmp_path / "plain" / "maillog").write_text(text, encoding="utf-8")
    with gzip.open(tmp_path / "gz" / "maillog.gz", "wt", encoding="utf-8") as f:
        f.write(text)
    got = []
    for d in ("plain", "gz"):
        con, res = run(tmp_path / d)
        got.append((
            (res.records_read, res.records_loaded, res.records_rejected),
            q(con, "SELECT * EXCLUDE (file, sha256) FROM src_x ORDER BY rowid"),
            q(con, "SELECT record_ref, reason FROM rejects ORDER BY rowid"),
        ))
    assert careful == ["maillog.gz"]
    assert got[0] == got[1]
    assert got[0][0] == (8, 3, 5)


def test_plain_check_across_blocks(tmp_path, monkeypatch):
    """The first read checks UTF-8 across its blocks: a character cut by a block boundary
    is still plain (DuckDB's reader); a bad byte in a later block is not (numpy path)."""
    from audit_kit.loaders import postfix

    careful = []
    numpy_path = postfix._read_text_careful
    monkeypatch.setattr(
        postfix, "_read_text_careful", lambda con, info, limits: careful.append(info.path.name)
        or numpy_path(con, info, limits)
    )
    monkeypatch.setattr(postfix, "BLOCK", 7)
    line = "2026-06-01T10:00:00+03:00 mx1 kernel: café € ö\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "maillog").write_text(line * 3, encoding="utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "maillog").write_bytes((line * 3).encode() + b"x \xff\n")
    con, res = run(tmp_path / "a")
    assert careful == [] and res.records_loaded == 3
    assert q(con, "SELECT DISTINCT message FROM src_x") == [("café € ö",)]
    con, res = run(tmp_path / "b")
    assert careful == ["maillog"] and (res.records_read, res.records_loaded) == (4, 3)


_PIECES = ("from=", "to=", "orig_to=", "relay=", "status=", "mail_from=", "<", ">", ",", ", ",
           " ", ";", "\t", "(", "a@b.fi", "x", "sent", "_", "=")


@pytest.mark.slow  # a differential over generated logs
@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), min_size=1,
                max_size=40))
def test_key_values_equal_the_plain_regex(msgs):
    """_kv's strpos/anchored fast paths give what the unanchored regex alone gives."""
    from audit_kit.loaders import postfix

    con = duckdb.connect()
    con.execute("CREATE TABLE m AS SELECT unnest(?) AS msg, true AS pf", [msgs])
    for key, value, column in postfix._KEYS:
        rx = rf"(?:^|[\s,;]){key}=({value})"
        got = con.execute(
            f"SELECT msg, {postfix._kv(key, value, column)}, "
            f"nullif(regexp_extract(msg, '{rx}', 1), '') FROM (SELECT *, {postfix._KV_POS} FROM m)"
        ).fetchall()
        assert [(m, ref) for m, _, ref in got] == [(m, v) for m, v, _ in got], key


# -- the corpus, read in place ------------------------------------------------------------------
@needs_corpus
def test_corpus_msimerson_full_delivery():
    con, res = run(CORPUS / "msimerson-log-ship-elastic-postfix" / "mail.log", year=2015)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (6, 5, 1)
    assert q(con, "SELECT record_ref, reason FROM rejects") == [("line 1", "blank line")]
    assert q(
        con,
        """SELECT record_ref, program, queue_id, "from", "to", relay, status FROM src_x
                     ORDER BY rowid""",
    ) == [
        ("line 2", "spamd", None, None, None, None, None),
        ("line 3", "postfix/cleanup", "3mPVKl0Mhjz7sXv", None, None, None, None),
        ("line 4", "postfix/qmgr", "3mPVKl0Mhjz7sXv", "<>", None, None, None),
        (
            "line 5",
            "postfix/smtp",
            "3mPVKl0Mhjz7sXv",
            None,
            "<56597@continuity.delivery>",
            "10.2.2.85[10.2.2.85]:2527",
            "sent",
        ),
        ("line 6", "madeup", None, None, None, None, None),
    ]
    assert q(con, "SELECT record_ref, email, last_activity FROM records") == [
        ("line 5", "56597@continuity.delivery", dt.date(2015, 7, 5))
    ]
    assert q(con, 'SELECT queue_id, lines, "from", "to", status FROM src_x_queue') == [
        ("3mPVKl0Mhjz7sXv", "3", "<>", "<56597@continuity.delivery>", "sent")
    ]


@needs_corpus
def test_corpus_fail2ban_rejects_and_addresses():
    con, res = run(CORPUS / "fail2ban" / "postfix", year=2005)
    # 63 log lines; 88 "# failJSON" comment lines and 52 blank lines are rejected
    assert (res.records_read, res.records_loaded, res.records_rejected) == (203, 63, 140)
    assert q(con, "SELECT reason, count(*) FROM rejects GROUP BY ALL ORDER BY 1") == [
        ("blank line", 52),
        ("not a syslog line", 88),
    ]
    rows = q(
        con,
        """SELECT program, queue_id, "from", "to" FROM src_x
                     WHERE message LIKE '%Relay access denied; from=<john@example.com>%'""",
    )
    assert rows == [("postfix/smtpd", "NOQUEUE", "<john@example.com>", "<smtp@example.org>")]
    # postscreen separates with commas
    assert q(
        con,
        """SELECT "from", "to" FROM src_x WHERE program = 'postfix/postscreen'
                     AND "from" IS NOT NULL""",
    ) == [("<spammer@example.com>", "<goodguy@example.com>")]
    # the null sender and from=<> to=<> carry no address; postmaster/root are role mailboxes
    assert q(con, "SELECT count(*) FROM records WHERE email IS NULL OR email = ''") == [(0,)]
    emails = {r[0] for r in q(con, "SELECT email FROM records")}
    assert {
        "john@example.com",
        "smtp@example.org",
        "administrator@dom.tld",
        "lp@dom.tld",
        "some@example.com",
        "spammer@example.com",
    } <= emails
    assert q(con, """SELECT program, queue_id FROM src_x WHERE program LIKE 'postfix-smo%'""") == [
        ("postfix-smo/submission/smtpd", "44JCRG5tYPzCqt2")
    ]
    assert q(con, "SELECT count(*) FROM records") == q(
        con, "SELECT count(*) FROM (SELECT DISTINCT record_ref, email FROM records)"
    )


def _grok_cases():
    if not CORPUS.is_dir():
        return []
    cases = []
    for f in sorted((CORPUS / "postfix-grok-patterns" / "test").glob("*.yaml")):
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        data = doc.get("data")
        if not isinstance(data, str) or "\n" in data or "\r" in data:
            continue
        cases.append((f.stem, data, doc.get("results") or {}))
    return cases


@needs_corpus
def test_corpus_grok_queue_ids_and_statuses(tmp_path):
    """Each real postfix message behind a syslog prefix: queue id and status as grok reads them."""
    cases = _grok_cases()
    assert len(cases) > 150
    p = tmp_path / "maillog"
    with open(p, "w", encoding="utf-8") as f:
        for stem, data, _ in cases:
            f.write(f"Oct 26 18:13:50 mx1 postfix/{stem.rsplit('_', 1)[0]}[42]: {data}\n")
    con, res = run(p, year=2014)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (
        len(cases),
        len(cases),
        0,
    )
    got = q(con, "SELECT queue_id, status FROM src_x ORDER BY rowid")
    checked = 0
    for (stem, data, results), (qid, status) in zip(cases, got, strict=True):
        if data.startswith("warning: "):
            continue  # grok also takes a queue id after "warning: "; we take it at the start only
        if "postfix_queueid" in results:
            assert qid == str(results["postfix_queueid"]), stem
            checked += 1
        elif data.startswith(("statistics:", "warning:", "connect ", "disconnect ", "Deleted:")):
            assert qid is None, stem
        if "postfix_status" in results:
            assert status == results["postfix_status"], stem
    assert checked >= 40


@needs_corpus
def test_corpus_grok_local_delivery_without_brackets(tmp_path):
    line = next(d for s, d, _ in _grok_cases() if d.startswith("2A22C263F6: to=user@hostname"))
    p = tmp_path / "maillog"
    p.write_text(f"Oct 26 18:13:50 mx1 postfix/local[42]: {line}\n", encoding="utf-8")
    con, _ = run(p, year=2014)
    assert q(con, 'SELECT queue_id, "to", orig_to, relay, status FROM src_x') == [
        ("2A22C263F6", "user@hostname.example.com", "root@localhost", "local", "sent")
    ]
    # root@localhost is a role mailbox (and no valid address): one record, for to=
    assert q(con, "SELECT email FROM records") == [("user@hostname.example.com",)]


# -- the demo writer -------------------------------------------------------------------------
def test_demo_planted_r_maillog_equals_old_external_addresses(tmp_path):
    """R-maillog read by hand: per address with lines before as_of - 6 months, the newest."""
    from audit_kit.demo import DemoContext
    from audit_kit.demo.postfix import write

    ctx = DemoContext(root=tmp_path)
    write(ctx)
    (entry,) = ctx.sources
    assert (entry["name"], entry["kind"], entry["system"], entry["year"]) == (
        "mail-log",
        "postfix_log",
        "mail",
        2026,
    )
    names = sorted(p.name for p in Path(entry["path"]).iterdir())
    assert names == ["maillog", "maillog.1", "maillog.2.gz"]
    con = warehouse.connect()
    sink = warehouse.SourceSink(con, source="mail-log", kind="postfix_log", system="mail")
    res = load(SourceConfig(**{**entry, "path": Path(entry["path"])}), sink,
               own_domains=(OWN_DOMAIN,))
    sink.flush()
    assert res.records_rejected == 0
    assert res.format == ("postfix syslog (year from source.year), postfix rsyslog ISO 8601")
    found = q(
        con,
        """SELECT 'R-maillog', source, arg_max(record_ref, (last_activity, file, rec_id)), ''
           FROM records WHERE role = 'maillog_address'
                AND last_activity < DATE '2026-12-31' - INTERVAL 6 MONTH
           GROUP BY source, email ORDER BY 3""",
    )
    expected = sorted(
        ((e.rule_id, e.source, e.record_ref, e.field) for e in ctx.expected), key=lambda e: e[2]
    )
    assert len(expected) == 3
    assert found == expected
    # the look-alikes are loaded as addresses too, only never old: recent, own domain, roles
    assert q(con, "SELECT count(DISTINCT email) FROM records") == [(5,)]
    assert q(con, "SELECT count(*) FROM records WHERE email LIKE '%oulunkonttori.fi'") == [(0,)]
    # byte-identical on a second run
    ctx2 = DemoContext(root=tmp_path / "again")
    write(ctx2)
    for n in names:
        a = (Path(entry["path"]) / n).read_bytes()
        assert a == (tmp_path / "again" / "mail" / "log" / n).read_bytes()
