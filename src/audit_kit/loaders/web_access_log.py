"""Web server access logs (``web_access_log``): Apache and nginx, statement §12.

The website records visitors' IP addresses, times, pages, browser types and referrers
(§12). This kind reads the server's access logs as they lie on the host: ``access.log``,
``access.log.1``, ``access.log.2.gz``, ``access_log-20261201.xz`` ... (a file or a
folder; every file of a folder is read, rotations compressed with gzip, xz, bzip2 or
zstd recognised by content, not name: :mod:`audit_kit.limits`).

Line formats (one regex, RE2, in DuckDB; the format of each file is reported):

* NCSA common ``%h %l %u %t "%r" %>s %b`` and combined (``"%{Referer}i"
  "%{User-Agent}i"`` after it): Apache's defaults and nginx's ``combined``;
* a virtual host before the client (Apache ``vhost_combined``: ``%v:%p %h ...``);
* anything after the user agent (nginx's ``"$http_x_forwarded_for"``, a response time
  ``%D``/``$request_time``): kept out of the parse, named in the format;
* an X-Forwarded-For list as the client field (``10.0.0.2, 10.0.0.1, 127.0.0.1 - - [``)
  or before it (``"198.51.100.7, 10.0.0.1" 10.2.1.185 - - [`` or unquoted): the visitor
  is the list's first address, the one the first proxy was asked by;
* IPv4, IPv6 (compressed or not: one visitor), a host name when the server logs names;
* ``[10/Oct/2000:13:55:36 -0700]``: the day is the server's local day as written, the
  first and last seen times are UTC.

Nothing is lost: every line is loaded or rejected with its reason (a blank line, a line
that is not an access-log line: an error-log line, a W3C header, a line cut short; a
timestamp that is no date). ``read = loaded + rejected``, per file.

What is stored, and what is not. An IP address is personal data (CJEU C-582/14
Breyer): it never reaches the warehouse. Each visitor is its keyed hash
(:func:`visitor_id`, the pseudonymisation key of :mod:`audit_kit.people`, a separate
namespace from subject ids), so the same address is the same ``IP-...`` in every run
with the same key, and the report counts visitors and dates without an address.

* ``src_<name>``: one row per file, visitor, day and bot flag: first and last seen
  (UTC), requests, the line range (provenance), IP version;
* ``records``: one ``web_visitor`` record per visitor and day (not per line), per file,
  ``record_ref`` = ``lines A-B`` (``line A``), ``last_activity`` = the day, ``detail`` =
  ``IP-<hash> N requests ...`` (the first word is the visitor: W-retention counts
  distinct visitors by it). Bots (by user agent: crawlers, monitors, scripts) are
  counted apart: rows in the raw table with ``bot`` = true, no records;
* ``records``/``fields`` and ``src_<name>_url``: one ``web_url`` record (and raw row)
  per line and e-mail address or phone
  number found in the request URL or the referrer (URL-decoded; the company's own domains
  and role mailboxes are not data subjects, as in the mail loaders), with its ``email``
  or ``phone`` field labelled ``request`` or ``referrer``: people resolution links them
  to the registers (rule W-url). The URL itself is not stored.

A WordPress security plugin's own records (Wordfence's Live Traffic and login records)
are not read. They are rows of the WordPress database (``wp_wfhits``, ``wp_wflogins``)
shown on the plugin's admin pages; the plugin's source offers no CSV export of them (its
Import/Export tool exports the plugin's settings), and no real export of them exists to
test a reader against. What such a plugin sends abroad is the policy's: a system of its
inventory and, where the statement is silent, an ``unmentioned_transfers`` check. A
database dump of those tables would be a kind of its own, written against a real dump.

How: each file's lines are split by the postfix loader's line reader (DuckDB's CSV
reader for plain UTF-8 files, a numpy split for compressed or odd ones: the same line
numbers), parsed by one ``regexp_extract`` into a struct of groups, and aggregated in
SQL; Python only hashes the distinct visitors and normalises the few e-mail addresses
and phone numbers found. Measurements: benchmarks/NOTES.md.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from audit_kit import normalise, vocab
from audit_kit.config import SourceConfig
from audit_kit.errors import FileRejected, InputError
from audit_kit.loaders import FuzzSeed, LoadResult, Role, SourceKind, input_files, reject_reason
from audit_kit.loaders.postfix import _FileInfo, _read_text, _scan
from audit_kit.normalise_sql import quote
from audit_kit.warehouse import FileRef, SourceSink

WEB_VISITOR = Role(
    "web_visitor", "a visitor's IP address on one day in a web server's access log; "
    "last_activity = the day",
    kept_for={"fi": "verkkosivun ylläpito ja tietoturva (palvelimen lokit)",
              "en": "running and securing the website (server logs)"})
WEB_URL = Role(
    "web_url", "an e-mail address or phone number in a logged request URL or referrer; "
    "last_activity = the line's day",
    kept_for={"fi": "ei tarkoitusta: tieto päätyi lokiin osoiterivillä",
              "en": "no purpose: the data reached the log in a URL"})

KINDS = (SourceKind(
    "web_access_log", order=130,
    reads="Apache/nginx access logs: common, combined, with virtual host, X-Forwarded-For "
          "or response time; `access.log`, `access.log.1`, `.gz`/`.xz` rotations by content",
    notes="one record per visitor IP and day (keyed hash, never the address); e-mails and "
          "phones in URLs and referrers are fields; bots counted apart; Wordfence not read",
    place={"fi": "verkkopalvelimen lokeista", "en": "from the web server's logs"},
    roles=(WEB_VISITOR, WEB_URL), demo="audit_kit.demo.weblog:write",
    fixtures=("weblog/*",),
    fuzz=(FuzzSeed("access.log", "weblog/combined.log"),)),)

#: the organisation's own mail domains and role mailboxes (the run context's)
OWN_DOMAINS: tuple[str, ...] = ()
ROLE_MAILBOXES: tuple[str, ...] = tuple(sorted(vocab.ROLE_MAILBOXES))

RAW_COLUMNS = ("date", "visitor", "ip_version", "bot", "first_seen", "last_seen", "requests",
               "first_line", "last_line")
#: ``src_<name>_url``: one row per line and value found in its URL or referrer
URL_COLUMNS = ("date", "visitor", "where", "field", "value")

_Q = r'"(?:[^"\\]|\\.)*"'  # a quoted field; Apache and nginx escape '"' as \" or \x22
#: one address or an X-Forwarded-For list (no '[' starts an element: the first " [" of
#: a line is its timestamp's)
_HOSTS = r'[^\s,"\[]+(?:, [^\s,"\[]+)*'
_QG = r'"((?:[^"\\]|\\.)*)"'  # the same, its text as a group
_CLIENT = rf'(?:"[^"\[]*" |{_HOSTS} )?{_HOSTS}'  # [prefix] client
#: an access-log line: [prefix] client ident user [time] "request" status bytes
#: ["referrer" "agent"] [anything]. Validated whole by RE2's DFA, without capture groups
#: (a capturing match of this pattern costs several times the validation); a valid line
#: is then cut where its quotes are (_PARSE), or, when it has a backslash (an escaped
#: quote) or quotes before its timestamp other than a quoted prefix, by LINE_GROUPS.
LINE_RE = (
    rf'^{_CLIENT} [^\s\[]\S* [^\s\[]\S* '
    r"\[\d{1,2}/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d(?: [+-]\d\d\d\d)?\] "
    rf"{_Q} \d{{3}} (?:\d+|-)(?: {_Q} {_Q})?.*$"
)
#: LINE_RE with groups: client, time, request, status and bytes, the optional referrer
#: and agent (whole, then each), the rest
LINE_GROUPS = (
    rf'^({_CLIENT}) [^\s\[]\S* [^\s\[]\S* \[([^\]]*)\] {_QG} (\d{{3}} (?:\d+|-))'
    rf"( {_QG} {_QG})?(.*)$"
)
_GROUP_NAMES = "['client', 'ts', 'req', 'sb', 'opt', 'ref', 'ua', 'rest']"
#: an IP-literal list (what makes a prefix an X-Forwarded-For and not a virtual host)
_IP_LIST = r'^"?[0-9A-Fa-f:.]+(?:, [0-9A-Fa-f:.]+)*"?$'
#: a user agent that is a program, not a person's browser (case-insensitive)
BOT_RE = (
    r"(?i)bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|bingpreview|"
    r"mediapartners|feedfetcher|yandex|baidu|semrush|ahrefs|petalbot|pingdom|uptime|"
    r"monitor|headless|curl/|wget/|python-requests|python-urllib|go-http-client|"
    r"libwww-perl|java/|okhttp|scrapy|httpclient|zgrab|masscan|nmap"
)
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
#: an e-mail-shaped file name (``logo@2x.png``) is not an address
_FILE_TLD = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|avif|ico|css|js|map|pdf|html?|php|txt|"
                       r"xml|json|woff2?|ttf|mp4|webm)$", re.IGNORECASE)
#: a phone number as a whole query parameter value (after '=' up to '&', '#' or the end),
#: written with its prefix: international (+ or 00) or national (0); a bare run of digits
#: (``?t=2003644``, ``&v=133247963``: ids, versions) is no phone number
_PHONE = (r"[?&][^=&#]*=((?:\+|00)[1-9][0-9 ().-]{5,18}[0-9]|0[1-9][0-9 ().-]{4,16}[0-9])"
          r"(?:[&#]|$)")
_MONTHS = "['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec']"

_PARSE = f"""
SELECT n, blank, pre, host, d_local, t_utc, req, ref, ua, rest,
       CASE WHEN blank THEN 'blank line'
            WHEN NOT ok THEN 'not an access-log line (common or combined format)'
            WHEN t_utc IS NULL THEN 'unparseable timestamp' END AS reason
FROM (
  SELECT *, CASE WHEN d_local IS NOT NULL AND CAST(hh AS INTEGER) < 24
                      AND CAST(mi AS INTEGER) < 60 AND CAST(ss AS INTEGER) < 61
                 THEN make_timestamp(year(d_local), month(d_local), day(d_local),
                                     CAST(hh AS INTEGER), CAST(mi AS INTEGER),
                                     least(CAST(ss AS INTEGER), 59))
                      - to_minutes(CASE WHEN zone = '' THEN 0 ELSE
                                   CAST(substr(zone, 1, 3) AS INTEGER) * 60
                                   + CASE WHEN left(zone, 1) = '-' THEN -1 ELSE 1 END
                                     * CAST(substr(zone, 4, 2) AS INTEGER) END)
            END AS t_utc
  FROM (
    SELECT *, try(make_date(CAST(substr(ts, p + 5, 4) AS INTEGER),
                            coalesce(list_position({_MONTHS}, lower(substr(ts, p + 1, 3))), 0),
                            CAST(left(ts, p - 1) AS INTEGER))) AS d_local,
              substr(ts, p + 10, 2) AS hh, substr(ts, p + 13, 2) AS mi,
              substr(ts, p + 16, 2) AS ss, substr(ts, p + 19) AS zone,
              CASE WHEN length(host) < length(client)
                   THEN left(client, length(client) - length(host) - 1) ELSE '' END AS pre
    FROM (
      SELECT n, blank, ok, client, ts, req, strpos(ts, '/') AS p,
             regexp_extract(client, '{_HOSTS}$', 0) AS host,
             CASE WHEN NOT fast THEN nullif(m.ref, '') WHEN comb THEN q[4] END AS ref,
             CASE WHEN NOT fast THEN CASE WHEN m.opt <> '' THEN m.ua END
                  WHEN comb THEN q[6] END AS ua,
             CASE WHEN NOT fast THEN m.rest
                  WHEN comb THEN array_to_string(q[7:], '"')
                  ELSE substr(array_to_string(q[3:], '"'), length(sb) + 2) END AS rest
      FROM (
        SELECT *, fast AND len(q) >= 7 AND q[5] = ' ' AND q[3] = ' ' || sb || ' ' AS comb
        FROM (
          SELECT n, blank, ok, fast, q, m,
                 CASE WHEN fast THEN array_to_string(string_split(head, ' ')[1:-3], ' ')
                      ELSE m.client END AS client,
                 CASE WHEN fast THEN substr(q[1], 3, length(q[1]) - 4) ELSE m.ts END AS ts,
                 CASE WHEN fast THEN q[2] ELSE m.req END AS req,
                 CASE WHEN fast THEN substr(regexp_extract(q[3], '^ \\d{{3}} (?:\\d+|-)', 0), 2)
                      ELSE m.sb END AS sb
          FROM (
            SELECT n, blank, ok, fast, head,
                   CASE WHEN fast THEN string_split(substr(line, b), '"') END AS q,
                   CASE WHEN ok AND NOT fast
                        THEN regexp_extract(line, {quote(LINE_GROUPS)}, {_GROUP_NAMES}) END AS m
            FROM (
              -- the quick cut: no backslash (escaped quotes) in the line, no quote before
              -- the timestamp but a quoted prefix's two
              SELECT *, ok AND strpos(line, chr(92)) = 0
                        AND (strpos(head, '"') = 0 OR (starts_with(head, '"')
                             AND length(head) - length(replace(head, '"', '')) = 2)) AS fast
              FROM (
                SELECT n, line, line = '' AS blank, ok, b,
                       CASE WHEN ok THEN left(line, b - 1) END AS head
                FROM (
                  SELECT n, line, regexp_full_match(line, {quote(LINE_RE)}) AS ok,
                         strpos(line, ' [') AS b
                  FROM (SELECT rowid - (SELECT min(rowid) FROM _pf_text) + 1 AS n,
                               coalesce(line, '') AS line FROM _pf_text))))))))))
"""


def _url_sql(col: str) -> str:
    """SQL: the URL of a request line (``GET /x?y HTTP/1.1``), else the whole value."""
    return f"coalesce(nullif(regexp_extract({col}, '^[A-Za-z]+ (\\S+)', 1), ''), {col})"


def _may_hold(col: str) -> str:
    """SQL: could the value carry an e-mail address (an '@', encoded or not) or a phone
    number (a query value starting 0, + or %2B)? String searches only: every line pays it."""
    tests = ("@", "%40", "=0", "=+", "=%2B", "=%2b")
    return "(" + " OR ".join(f"strpos({col}, '{t}') > 0" for t in tests) + ")"


#: SQL: the loaded lines that may hold personal data in their URL or referrer (few)
_CANDIDATES = f"""
SELECT n, d_local, {{visitor}} AS visitor, req, ref FROM _wl_p
WHERE reason IS NULL AND ({_may_hold("req")} OR coalesce({_may_hold("ref")}, false))
"""


def _hits_sql(idx: int) -> str:
    """SQL: each e-mail/phone-shaped value in a candidate line (``_wl_c``)."""
    parts = []
    for where, col in (("request", _url_sql("req")), ("referrer", "ref")):
        dec = f"try(url_decode({col}))"
        # in a query string '+' is a space; an encoded plus (%2B) is the number's own
        plus = f"try(url_decode(replace({col}, '+', ' ')))"
        parts.append(f"""
          SELECT {idx} AS file_idx, n, d_local, where_, kind, unnest(vals) AS value, visitor
          FROM (
            SELECT n, d_local, visitor, '{where}' AS where_, 'email' AS kind,
                   regexp_extract_all(coalesce({dec}, {col}), {quote(_EMAIL)}) AS vals
            FROM _wl_c WHERE {col} IS NOT NULL
            UNION ALL
            SELECT n, d_local, visitor, '{where}', 'phone',
                   regexp_extract_all(coalesce({plus}, {col}), {quote(_PHONE)}, 1)
            FROM _wl_c WHERE {col} IS NOT NULL AND strpos({col}, '=') > 0)""")
    return " UNION ALL ".join(parts)


def visitor_id(address: str, key: bytes | None = None) -> str:
    """The keyed hash a visitor's normalised address is stored as (``IP-`` + 16 hex).

    The pseudonymisation key of :func:`audit_kit.people.subject_key`, over ``ip:`` +
    the address: never equal to a subject id of the same text.
    """
    from audit_kit.people import pseudonym

    return "IP-" + pseudonym("ip:" + address, key)[2:]


def normal_address(raw: str) -> tuple[str, str]:
    """(normalised address, ``4``/``6``/``name``) of a client field's first entry:
    ``2a03:0000::8000`` and ``2a03::8000`` are one visitor, ``::ffff:192.0.2.1`` is
    ``192.0.2.1``, a host name is compared without case."""
    first = raw.strip('"').split(",")[0].strip()
    try:
        ip = ipaddress.ip_address(first.split("%")[0])
    except ValueError:
        return first.lower(), "name"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip), str(ip.version)


def load(
    source: SourceConfig,
    sink: SourceSink,
    *,
    own_domains: Iterable[str] = OWN_DOMAINS,
    role_mailboxes: Iterable[str] = ROLE_MAILBOXES,
) -> LoadResult:
    """Load an access log or a folder of them (see the module docstring)."""
    con = sink.con
    result = LoadResult()
    path = Path(source.path)
    folder = path.is_dir()
    raw_name = sink.raw_table(RAW_COLUMNS)
    sink.raw_table(URL_COLUMNS, table="url")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _wl_agg (file_idx INTEGER, visitor VARCHAR, day DATE,
            bot BOOLEAN, first_line BIGINT, last_line BIGINT, requests BIGINT,
            first_seen TIMESTAMP, last_seen TIMESTAMP)""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _wl_hits (file_idx INTEGER, n BIGINT, d_local DATE,
            where_ VARCHAR, kind VARCHAR, value VARCHAR, visitor VARCHAR)""")
    refs: dict[int, FileRef] = {}
    seen = 0
    try:
        for idx, p in enumerate(input_files(path, rejected=result.rejecter(sink))):
            seen += 1
            info = _FileInfo(idx, p, (0, 0))
            try:
                bad = _read_text(con, info, _scan_now(p, sink), sink.limits)
            except InputError as exc:
                if not (folder or isinstance(exc, FileRejected)):
                    raise
                con.execute("DROP TABLE IF EXISTS _pf_text")
                result.file_rejected(sink, p, reject_reason(exc))
                continue
            except (PermissionError, IsADirectoryError):
                raise InputError("file cannot be read; check its mode", file=p) from None
            ref = refs[idx] = sink.file(p, sha256=info.sha256, size=info.size)
            result += _load_file(con, sink, ref, idx, info, bad)
            con.execute("DROP TABLE IF EXISTS _pf_text")
        _write(con, sink, raw_name, refs, own_domains, role_mailboxes)
    finally:
        for t in ("_pf_text", "_wl_p", "_wl_c", "_wl_agg", "_wl_hits", "_wl_ip", "_wl_vals",
                  "_wl_days"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
    if folder and not seen:
        raise InputError("no files in the folder; give the folder of the access logs",
                         file=path)
    return result


def _visitor_sql(alias: str) -> str:
    """SQL: the client field of a parsed line (*alias*: its table's, e.g. ``p.``): the
    X-Forwarded-For list before the client when there is one, else the client field."""
    pre, host = alias + "pre", alias + "host"
    return (f"CASE WHEN {pre} <> '' AND regexp_matches({pre}, {quote(_IP_LIST)}) THEN {pre} "
            f"ELSE {host} END")


def _scan_now(p: Path, sink: SourceSink):
    """The plain-file check of the line reader, done now (a completed future)."""
    from concurrent.futures import Future

    fut: Future = Future()
    try:
        fut.set_result(_scan(p, sink.limits))
    except BaseException as exc:  # refused by open_input: the reader raises it
        fut.set_exception(exc)
    return fut


def _load_file(con, sink: SourceSink, ref: FileRef, idx: int, info: _FileInfo,
               bad: int) -> LoadResult:
    """Parse one file's lines (``_pf_text``): rejects, per visitor-day aggregates, URL hits."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _wl_p AS {_PARSE}")
    sink.insert_query("rejects", ref, "SELECT n, 'line ' || n AS record_ref, reason FROM _wl_p "
                      "WHERE reason IS NOT NULL", order_by="b.n")
    visitor = _visitor_sql("")
    con.execute(f"""
        INSERT INTO _wl_agg
        SELECT {idx}, v, d_local, bot, min(n), max(n), count(*), min(t_utc), max(t_utc)
        FROM (SELECT n, d_local, t_utc, {visitor} AS v,
                     coalesce(regexp_matches(ua, {quote(BOT_RE)}), false) AS bot
              FROM _wl_p WHERE reason IS NULL)
        GROUP BY ALL""")
    con.execute("CREATE OR REPLACE TEMP TABLE _wl_c AS "
                + _CANDIDATES.format(visitor=_visitor_sql("")))
    con.execute(f"""
        INSERT INTO _wl_hits
        SELECT file_idx, n, d_local, where_, kind, value, visitor FROM ({_hits_sql(idx)})
        WHERE value IS NOT NULL AND value <> ''""")
    con.execute("DROP TABLE _wl_c")
    lines, rejected, shapes = con.execute(f"""
        SELECT count(*), count(reason),
               list_distinct(list(CASE WHEN reason IS NULL THEN
                   concat_ws('+', CASE WHEN ua IS NULL OR ua = '' THEN 'common' ELSE 'combined' END,
                             CASE WHEN pre <> '' AND regexp_matches(pre, {quote(_IP_LIST)})
                                  THEN 'X-Forwarded-For'
                                  WHEN pre <> '' THEN 'virtual host' END,
                             CASE WHEN strpos(host, ',') > 0 THEN 'X-Forwarded-For' END,
                             CASE WHEN regexp_matches(rest, '^ (\\d+|\\d+\\.\\d+)$')
                                  THEN 'response time'
                                  WHEN trim(rest) <> '' THEN 'extra fields' END) END))
        FROM _wl_p""").fetchone()
    con.execute("DROP TABLE _wl_p")
    notes = []
    if bad:
        notes.append(f"{ref.name}: {bad} lines had bytes that are not UTF-8 (shown as U+FFFD)")
    if info.packed and not ref.name.lower().endswith(_SUFFIX[info.packed]):
        notes.append(f"{ref.name}: {info.packed}-compressed (read by its content, not its name)")
    fmt = "access log " + (", ".join(sorted({s.replace("+", " + ") for s in shapes or () if s}))
                           or "(no access-log lines)")
    if info.packed:
        fmt += f" ({info.packed})"
    return LoadResult(lines, lines - rejected, rejected, fmt, notes)


_SUFFIX = {"gzip": ".gz", "xz": ".xz", "bzip2": ".bz2", "zstd": ".zst"}


def _visitor_table(con) -> None:
    """``_wl_ip``: every raw client value -> (visitor id, IP version); Python hashes the
    distinct values only (a log's visitors, not its lines)."""
    from audit_kit.people import subject_key

    raws = [v for (v,) in con.execute(
        "SELECT DISTINCT visitor FROM _wl_agg UNION SELECT DISTINCT visitor FROM _wl_hits"
    ).fetchall()]
    key = subject_key() if raws else b""
    norm = [normal_address(v) for v in raws]
    ids = {a: visitor_id(a, key) for a in {a for a, _ in norm}}
    tbl = pa.table({"raw": pa.array(raws, pa.string()),
                    "id": pa.array([ids[a] for a, _ in norm], pa.string()),
                    "version": pa.array([v for _, v in norm], pa.string())})
    con.register("_wl_ip_arrow", tbl)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _wl_ip AS SELECT * FROM _wl_ip_arrow")
    finally:
        con.unregister("_wl_ip_arrow")


def _files_sql(refs: dict[int, FileRef]) -> str:
    rows = " UNION ALL ".join(f"SELECT {i} AS file_idx, {quote(r.name)} AS file, "
                              f"{quote(r.sha256)} AS sha256" for i, r in refs.items())
    return rows or "SELECT NULL::INTEGER AS file_idx, NULL AS file, NULL AS sha256 LIMIT 0"


def _write(con, sink: SourceSink, raw_name: str, refs: dict[int, FileRef],
           own_domains: Iterable[str], role_mailboxes: Iterable[str]) -> None:
    """Raw rows and records per file, visitor and day; records and fields of the URL hits."""
    _visitor_table(con)
    files = _files_sql(refs)
    ts = "strftime({}, '%Y-%m-%dT%H:%M:%SZ')"
    lines = ("CASE WHEN a1 = a2 THEN 'line ' || a1 ELSE 'lines ' || a1 || '-' || a2 END")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _wl_days AS
        SELECT f.file, f.sha256, a.file_idx, i.id, any_value(i.version) AS version, a.day,
               a.bot, min(a.first_line) AS a1, max(a.last_line) AS a2,
               sum(a.requests) AS requests, min(a.first_seen) AS t1, max(a.last_seen) AS t2
        FROM _wl_agg a JOIN _wl_ip i ON i.raw = a.visitor JOIN ({files}) f USING (file_idx)
        GROUP BY ALL""")
    sink.insert_query("raw", None, f"""
        SELECT file, sha256, {lines} AS record_ref, CAST(day AS VARCHAR) AS "date",
               id AS visitor, version AS ip_version, CAST(bot AS VARCHAR) AS bot,
               {ts.format('t1')} AS first_seen, {ts.format('t2')} AS last_seen,
               CAST(requests AS VARCHAR) AS requests, CAST(a1 AS VARCHAR) AS first_line,
               CAST(a2 AS VARCHAR) AS last_line, file_idx, a1
        FROM _wl_days""", order_by="b.file_idx, b.a1, b.visitor, b.bot")
    sink.insert_query("records", None, f"""
        SELECT file, sha256, {lines} AS record_ref, 'web_visitor' AS role,
               day AS last_activity,
               id || ' ' || requests || ' request' || CASE WHEN requests = 1 THEN '' ELSE 's' END
                  || ' ' || {ts.format('t1')} || '..' || {ts.format('t2')} AS detail,
               file_idx, a1, id
        FROM _wl_days WHERE NOT bot""", order_by="b.file_idx, b.a1, b.id")
    con.execute("DROP TABLE _wl_days")
    _url_records(con, sink, files, own_domains, role_mailboxes)


def _url_records(con, sink: SourceSink, files: str, own_domains: Iterable[str],
                 role_mailboxes: Iterable[str]) -> None:
    """Normalise the distinct e-mail/phone values found in URLs (Python: few), drop the
    ones that are no data subject's, write a record and a field per line and value."""
    own = tuple(d.lower().lstrip("@") for d in own_domains)
    roles = frozenset(r.lower() for r in role_mailboxes)
    vals = con.execute("SELECT DISTINCT kind, value FROM _wl_hits").fetchall()
    rows: list[tuple[str, str, str | None]] = []
    for kind, value in vals:
        if kind == "email":
            e = normalise.email(value)
            if e is None or _FILE_TLD.search(e):
                continue
            local, domain = e.rsplit("@", 1)
            if any(domain == d or domain.endswith("." + d) for d in own) or local in roles:
                continue
            rows.append((kind, value, e))
        else:
            p = normalise.phone(value)
            if p is not None:
                rows.append((kind, value, p))
    con.register("_wl_vals_arrow", pa.table({
        "kind": pa.array([r[0] for r in rows], pa.string()),
        "value": pa.array([r[1] for r in rows], pa.string()),
        "norm": pa.array([r[2] for r in rows], pa.string())}))
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _wl_vals AS SELECT * FROM _wl_vals_arrow")
    finally:
        con.unregister("_wl_vals_arrow")
    hits = f"""
        SELECT DISTINCT h.file_idx, f.file, f.sha256, 'line ' || h.n AS record_ref, h.n, h.kind,
               h.where_, v.norm, h.d_local, i.id
        FROM _wl_hits h JOIN _wl_vals v USING (kind, value) JOIN ({files}) f USING (file_idx)
        JOIN _wl_ip i ON i.raw = h.visitor"""
    sink.insert_query("records", None, f"""
        SELECT file, sha256, record_ref, 'web_url' AS role,
               CASE WHEN kind = 'email' THEN norm END AS email,
               CASE WHEN kind = 'phone' THEN norm END AS phone, d_local AS last_activity,
               id || ' ' || kind || ' in ' || string_agg(DISTINCT where_, ' and '
                                                          ORDER BY where_) AS detail,
               file_idx, n, kind, norm
        FROM ({hits}) GROUP BY file_idx, file, sha256, record_ref, n, kind, norm, d_local, id""",
        order_by="b.file_idx, b.n, b.kind, b.norm")
    sink.insert_query("fields", None, f"""
        SELECT file, sha256, record_ref, kind AS field, where_ AS label, norm AS value,
               file_idx, n
        FROM ({hits})""", order_by="b.file_idx, b.n, b.field, b.value, b.label")
    sink.insert_query("raw", None, f"""
        SELECT file, sha256, record_ref, CAST(d_local AS VARCHAR) AS "date", id AS visitor,
               where_ AS "where", kind AS field, norm AS value, file_idx, n
        FROM ({hits})""", raw="url", order_by="b.file_idx, b.n, b.field, b.value, b.where")
