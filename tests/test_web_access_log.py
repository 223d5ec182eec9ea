"""The web server access-log loader (``web_access_log``): real logs from the shared
corpora read in place (exact counts, agreement with an independent parser), the
fixtures' formats line by line, and what is stored (never an IP address)."""

from __future__ import annotations

import datetime as dt
import gzip
import lzma
from collections import defaultdict
from pathlib import Path

import pytest

from audit_kit.config import SourceConfig
from audit_kit.errors import InputError
from audit_kit.loaders import get_loader
from audit_kit.loaders.web_access_log import normal_address, visitor_id
from tests._support import CORPORA, DATA, sink_for

ACCESSLOG = CORPORA / "accesslog"
WEBLOG = DATA / "weblog"


def _load(path: Path, **kw):
    con, sink = sink_for("web_access_log", source="w", system="web_server")
    res = get_loader("web_access_log")(
        SourceConfig(name="w", kind="web_access_log", path=path, system="web_server"), sink,
        **kw)
    sink.flush()
    return con, res


def _lines(path: Path) -> int:
    """Lines of a file, counted independently of the loader: newlines, plus a last line
    without one."""
    data = path.read_bytes()
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


# (file, read, loaded, rejected, of them blank, visitor-day records, bot requests)
CORPUS_COUNTS = [
    ("elastic-beats/apache_access_test.log", 7, 7, 0, 0, 6, 0),
    ("elastic-beats/nginx_access_test.log", 7, 7, 0, 0, 5, 1),
    ("elastic-examples/apache_logs.head500", 500, 500, 0, 0, 74, 130),
    ("fail2ban/apache-botsearch", 43, 0, 43, 5, 0, 0),
    ("fail2ban/apache-noscript", 31, 0, 31, 4, 0, 0),
    ("fail2ban/apache-overflows", 35, 0, 35, 7, 0, 0),
    ("fail2ban/nginx-bad-request", 23, 8, 15, 7, 3, 0),
    ("fail2ban/nginx-botsearch", 43, 8, 35, 14, 3, 0),
    ("fail2ban/nginx-http-auth", 49, 0, 49, 9, 0, 0),
    ("lnav/logfile_access_log.0", 3, 3, 0, 0, 1, 0),
    ("lnav/logfile_access_log.1", 1, 1, 0, 0, 1, 0),
    ("lnav/logfile_bad_access_log.0", 3, 2, 1, 0, 1, 0),
    ("lnav/logfile_shop_access_log.0", 1000, 1000, 0, 0, 43, 342),
    ("lnav/logfile_syslog_with_access_log.0", 5, 0, 5, 0, 0, 0),
    ("lnav/logfile_w3c.0", 5, 0, 5, 0, 0, 0),
    ("lnav/logfile_w3c.3", 10, 0, 10, 3, 0, 0),
]


@pytest.mark.parametrize("name, read, loaded, rejected, blank, visitors, bots", CORPUS_COUNTS,
                         ids=[c[0] for c in CORPUS_COUNTS])
def test_corpus_reconciles_with_exact_counts(name, read, loaded, rejected, blank, visitors,
                                             bots):
    path = ACCESSLOG / name
    con, res = _load(path)
    assert res.records_read == _lines(path) == read
    assert (res.records_loaded, res.records_rejected) == (loaded, rejected)
    assert res.records_read == res.records_loaded + res.records_rejected
    reasons = dict(con.execute("SELECT reason, count(*) FROM rejects GROUP BY ALL").fetchall())
    assert sum(reasons.values()) == rejected
    assert reasons.get("blank line", 0) == blank
    assert con.execute("SELECT count(*) FROM records WHERE role = 'web_visitor'"
                       ).fetchone()[0] == visitors
    got_bots, got_all = con.execute(
        "SELECT coalesce(sum(CASE WHEN bot = 'true' THEN requests::INT END), 0), "
        "coalesce(sum(requests::INT), 0) FROM src_w").fetchone()
    assert (got_bots, got_all) == (bots, loaded)  # every loaded line is in one raw row


def test_the_corpora_folder_reconciles_as_one_source():
    """Every file of the folder (licences and READMEs too: their lines are rejects)."""
    files = [p for p in sorted(ACCESSLOG.rglob("*")) if p.is_file()]
    _, res = _load(ACCESSLOG)
    assert res.records_read == sum(_lines(p) for p in files)
    assert res.records_loaded == sum(c[2] for c in CORPUS_COUNTS)
    assert res.reconciles


# -- agreement with an independent parser -----------------------------------------------

def _independent(path: Path):
    """(visitor id, local day) -> [requests, first UTC, last UTC] by apachelogs, a parser
    of Apache's LogFormat directives, over the combined/common/vhost formats (and nginx's
    combined + X-Forwarded-For). Lines starting with '[' or '#' are error-log lines and
    comments in both readings, never given to it (its %r pattern backtracks for minutes
    on the 580-character escaped requests of apache-overflows)."""
    apachelogs = pytest.importorskip("apachelogs")
    formats = (apachelogs.COMBINED, apachelogs.COMBINED + ' "%{X-Forwarded-For}i"',
               apachelogs.COMMON, apachelogs.VHOST_COMBINED, apachelogs.VHOST_COMMON)
    parsers = [apachelogs.LogParser(f) for f in formats]
    out: dict = defaultdict(lambda: [0, None, None])
    text = path.read_bytes().decode("utf-8", "replace").split("\n")
    for line in text:
        if not line or line[0] in "[#":
            continue
        for p in parsers:
            try:
                e = p.parse(line)
            except apachelogs.Error:
                continue
            host = e.remote_host.rstrip(",")  # an X-Forwarded-For list's first address
            utc = e.request_time.astimezone(dt.UTC).replace(tzinfo=None)
            agg = out[(visitor_id(normal_address(host)[0]), e.request_time.date().isoformat())]
            agg[0] += 1
            agg[1] = utc if agg[1] is None else min(agg[1], utc)
            agg[2] = utc if agg[2] is None else max(agg[2], utc)
            break
    return out


def _ours(con):
    out: dict = defaultdict(lambda: [0, None, None])
    for v, d, n, t1, t2 in con.execute(
            'SELECT visitor, "date", requests::INT, first_seen, last_seen FROM src_w').fetchall():
        agg = out[(v, d)]
        t1 = dt.datetime.fromisoformat(t1.rstrip("Z"))
        t2 = dt.datetime.fromisoformat(t2.rstrip("Z"))
        agg[0] += n
        agg[1] = t1 if agg[1] is None else min(agg[1], t1)
        agg[2] = t2 if agg[2] is None else max(agg[2], t2)
    return out


#: where the two readings differ, and why: (file, visitor as we read it, day) -> lines
KNOWN_DIFFERENCES = {
    # "vhost1.domaine.fr 123.123.123.123 - - [...": apachelogs reads the virtual host as
    # the client (its %u takes "123.123.123.123 - -"); the client is 123.123.123.123
    "elastic-beats/apache_access_test.log": {("123.123.123.123", "2019-07-04"): 1},
    # '"10.5.102.222, 199.96.1.1, 204.246.1.1" 10.2.1.185 - - [...': nginx's
    # "$http_x_forwarded_for" $remote_addr; no Apache LogFormat writes a quoted list first
    "elastic-beats/nginx_access_test.log": {("10.5.102.222", "2016-01-22"): 1},
}


@pytest.mark.parametrize("name", [c[0] for c in CORPUS_COUNTS])
def test_agrees_with_an_independent_parser(name):
    """Per visitor and day: the same requests and the same first and last UTC times as
    apachelogs, except the documented lines (KNOWN_DIFFERENCES)."""
    path = ACCESSLOG / name
    con, _ = _load(path)
    ours, theirs = _ours(con), _independent(path)
    differ = {k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k)}
    expected = {(visitor_id(a), d) for a, d in KNOWN_DIFFERENCES.get(name, {})}
    assert expected <= differ
    # a known line's key may also hold the other reading's client (the vhost): only
    # those keys, and the line counts there, differ
    agree = sum(min(ours[k][0], theirs.get(k, [0])[0]) for k in ours if k not in differ)
    assert agree + sum(KNOWN_DIFFERENCES.get(name, {}).values()) == sum(v[0] for v in ours.values())
    extra = differ - expected
    for k in extra:  # the library's reading of a known line, under its own client
        assert k not in ours and theirs[k][0] == 1, (name, k)
    assert len(extra) == (1 if name == "elastic-beats/apache_access_test.log" else 0)


# -- the fixtures, line by line -----------------------------------------------------------

def test_combined_fixture_rejects_and_records():
    con, res = _load(WEBLOG / "combined.log")
    assert (res.records_read, res.records_loaded, res.records_rejected) == (10, 6, 4)
    assert con.execute("SELECT record_ref, reason FROM rejects ORDER BY rowid").fetchall() == [
        ("line 7", "blank line"),
        ("line 8", "not an access-log line (common or combined format)"),  # no ident/user
        ("line 9", "unparseable timestamp"),  # 31 February
        ("line 10", "not an access-log line (common or combined format)"),  # error log
    ]
    a, b = visitor_id("192.0.2.10"), visitor_id("2001:db8::7")
    got = con.execute("SELECT record_ref, last_activity, detail FROM records "
                      "WHERE role = 'web_visitor' ORDER BY rec_id").fetchall()
    assert got == [
        ("lines 1-2", dt.date(2026, 12, 1),
         f"{a} 2 requests 2026-12-01T06:15:02Z..2026-12-01T06:15:03Z"),
        # the IPv6 address written in full on line 5 is the same visitor; 00:00:10 +0200
        # is the 2nd locally, the 1st in UTC
        ("line 3", dt.date(2026, 12, 1),
         f"{b} 1 request 2026-12-01T21:59:59Z..2026-12-01T21:59:59Z"),
        ("line 5", dt.date(2026, 12, 2),
         f"{b} 1 request 2026-12-01T22:00:10Z..2026-12-01T22:00:10Z"),
        ("line 6", dt.date(2026, 12, 2),
         f"{a} 1 request 2026-12-02T07:00:00Z..2026-12-02T07:00:00Z"),
    ]
    # Googlebot's line is counted apart: a raw row, no record
    assert con.execute("SELECT record_ref, visitor, requests FROM src_w WHERE bot = 'true'"
                       ).fetchall() == [("line 4", visitor_id("66.249.66.1"), "1")]


def test_personal_data_in_urls_are_fields_of_their_own_records():
    con, _ = _load(WEBLOG / "combined.log", own_domains=("oulunkonttori.fi",))
    assert con.execute("SELECT record_ref, email, phone, detail FROM records "
                       "WHERE role = 'web_url' ORDER BY rec_id").fetchall() == [
        ("line 2", "aino.tervo@example.fi", None, f"{visitor_id('192.0.2.10')} email in request"),
        ("line 3", None, "+358409123456", f"{visitor_id('2001:db8::7')} phone in referrer"),
    ]
    assert con.execute("SELECT record_ref, field, label, value FROM field_rows ORDER BY rowid"
                       ).fetchall() == [
        ("line 2", "email", "request", "aino.tervo@example.fi"),
        ("line 3", "phone", "referrer", "+358409123456"),
    ]
    # the raw side table: a row per line and value (what the auditor's walk shows)
    assert con.execute('SELECT record_ref, "where", field FROM src_w_url ORDER BY rowid'
                       ).fetchall() == [("line 2", "request", "email"),
                                        ("line 3", "referrer", "phone")]
    # line 5's logo@2x.png and line 6's info@ on the company's own domain and numeric
    # product id are no one's data


def test_own_domain_is_no_data_subject_only_when_the_run_says_so():
    con, _ = _load(WEBLOG / "combined.log")  # a bare loader knows no own domain
    assert "info@oulunkonttori.fi" not in {  # a role mailbox on any domain
        e for (e,) in con.execute("SELECT email FROM records WHERE email IS NOT NULL").fetchall()}


def test_forwarded_for_virtual_host_response_time_and_zones():
    con, res = _load(WEBLOG / "nginx_timed.log")
    assert res.format == ("access log combined + X-Forwarded-For + response time, "
                          "combined + extra fields")
    got = con.execute('SELECT record_ref, visitor, first_seen FROM src_w ORDER BY rowid'
                      ).fetchall()
    assert got == [
        ("line 1", visitor_id("198.51.100.7"), "2026-12-03T12:00:00Z"),  # first of the list
        ("line 2", visitor_id("203.0.113.9"), "2026-12-03T12:00:01Z"),  # quoted list first
        ("line 3", visitor_id("203.0.113.10"), "2026-12-03T17:00:02Z"),  # -0500
    ]
    assert con.execute("SELECT phone FROM records WHERE role = 'web_url'").fetchall() == [
        ("+358409123457",)]  # %2B358%2040... : an encoded plus is the number's own
    con, res = _load(WEBLOG / "vhost_common.log")
    assert res.format == "access log combined + virtual host, common"
    assert res.records_loaded == 4  # "-" 408 with bytes "-" is a logged visit too


def test_rotations_are_read_by_content(tmp_path):
    plain = (WEBLOG / "combined.log").read_text(encoding="utf-8").split("\n")[:4]
    (tmp_path / "access.log.1").write_bytes(gzip.compress(("\n".join(plain) + "\n").encode()))
    (tmp_path / "access.log.2.xz").write_bytes(
        lzma.compress((WEBLOG / "vhost_common.log").read_bytes()))
    (tmp_path / "access.log").write_bytes((WEBLOG / "nginx_timed.log").read_bytes())
    con, res = _load(tmp_path)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (11, 11, 0)
    assert "access.log.1: gzip-compressed (read by its content, not its name)" in "".join(
        res.notes)
    assert {f for (f,) in con.execute("SELECT DISTINCT file FROM records").fetchall()} == {
        str(tmp_path / n) for n in ("access.log", "access.log.1", "access.log.2.xz")}
    assert con.execute("SELECT count(*) FROM files").fetchone()[0] == 3


def test_a_corrupt_rotation_is_a_file_reject_in_a_folder(tmp_path):
    (tmp_path / "access.log").write_bytes((WEBLOG / "nginx_timed.log").read_bytes())
    (tmp_path / "access.log.2.gz").write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(7, 200)))
    con, res = _load(tmp_path)
    assert (res.records_read, res.records_loaded, res.records_rejected) == (4, 3, 1)
    assert con.execute("SELECT record_ref FROM rejects").fetchall() == [("whole file",)]
    with pytest.raises(InputError):  # alone as the source it stops the run
        _load(tmp_path / "access.log.2.gz")


def test_no_ip_address_is_stored_anywhere():
    """Every text cell of every table: no address of the fixtures, in any form."""
    con, _ = _load(WEBLOG)
    addresses = ("192.0.2.10", "2001:db8::7", "2001:0db8", "66.249.66.1", "198.51.100.7",
                 "203.0.113.9", "203.0.113.10", "10.2.1.185", "192.0.2.20", "192.0.2.21")
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
        cols = [c for c, t in con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?",
            [table]).fetchall() if t == "VARCHAR" and c not in ("file", "record_ref")]
        for c in cols:
            for a in addresses:
                n = con.execute(f'SELECT count(*) FROM "{table}" WHERE strpos("{c}", ?) > 0',
                                [a]).fetchone()[0]
                assert n == 0, (table, c, a)


def test_visitor_ids_are_keyed_and_separate_from_subject_ids():
    from audit_kit.people import pseudonym

    a = visitor_id("192.0.2.10", b"k" * 32)
    assert a.startswith("IP-") and len(a) == 19
    assert a != visitor_id("192.0.2.10", b"j" * 32)  # another key, another id
    assert a[3:] != pseudonym("192.0.2.10", b"k" * 32)[2:]
    assert normal_address("2001:0db8:0000::0007") == ("2001:db8::7", "6")
    assert normal_address("::ffff:192.0.2.1") == ("192.0.2.1", "4")
    assert normal_address("Monitoring-Server") == ("monitoring-server", "name")
