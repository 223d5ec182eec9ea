"""Postfix mail-server logs (``postfix_log``): ``maillog``, ``maillog.1``, ``maillog.2.gz``.

Rotations may be compressed with gzip, xz, bzip2 or zstd (``maillog.2.xz``,
``mail.log.3.zst``): the content decides, not the name (a ``maillog.1`` that is gzip is
read decompressed, and a note says so), within the config's limits.

Statement §6 (rule R-maillog): contact details that came by e-mail leave at the mail-log
clean-up, within six months. Every external address in a log line is a contact point.

Two timestamp styles are read, also mixed in one source:

* rsyslog ISO 8601 (``RSYSLOG_FileFormat``):
  ``2026-06-01T10:00:00.123456+03:00 mx1 postfix/smtp[123]: 4Xz...: to=<a@b.fi>, ...``
* traditional syslog, without a year: ``Jun  1 10:00:00 mx1 postfix/smtp[123]: ...``.
  The year comes from ``source.year`` (the year of the oldest line), or else from the
  newest file's mtime carried back through the rotation (``maillog`` → ``maillog.1`` →
  ``maillog.2.gz``); inside a file, a month that goes backwards by two or more (Dec → Jan)
  starts the next year (a one-month step back is syslog jitter at a month boundary). The
  format and the notes say which source of the year was used for each file.

Every line is either loaded into ``src_<name>`` (one row per line, ``record_ref`` =
``line N`` counted per file) or rejected (blank line, not a syslog line, unparseable
timestamp). Non-postfix programs' lines are loaded but carry no addresses. Each external
``from=``/``to=``/``orig_to=`` address of a postfix line is one ``maillog_address`` record
(per line and address) with an ``email`` field row labelled by the key. Not data subjects:
the company's own domains (and their subdomains), role mailboxes (``info@``, ``noreply@``,
``postmaster@`` ...) on any domain, and the null sender ``<>``. A per-queue-id summary goes
to ``src_<name>_queue``.

How: a plain file (UTF-8, no CR/NUL/chr(1); most logs) is hashed and checked in Python,
one file ahead in a thread, and split into lines by DuckDB's CSV reader (one VARCHAR
column, rowid = line number - 1); compressed files (``.gz``, ``.xz``, ``.bz2``,
``.zst``, by content), CRLF and bad bytes go through a numpy split, with the same lines
and line numbers. The parse is RE2 (one DFA pass for the header, anchored calls for
key=value) and string functions in SQL. An ISO-only file goes straight into the raw
table; other files through a stage table until the rotation's years are known. Every
line is inserted and the undated ones (rejects) deleted after (a filter in the insert is
pushed below the parse, which then computes the timestamp twice). Records, fields and
the queue summary are set-based from the raw table (the queue's one value per column
through its hash). Measurements: benchmarks/NOTES.md.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, BinaryIO

import numpy as np
import pyarrow as pa
from pydantic import Field

from audit_kit import normalise, vocab
from audit_kit.config import SourceConfig
from audit_kit.errors import FileRejected, InputError
from audit_kit.limits import Limits, check_lines, compression, decompressed_blocks, open_input
from audit_kit.loaders import (
    FuzzSeed,
    LoadResult,
    Option,
    Role,
    SourceKind,
    input_files,
    reject_reason,
)
from audit_kit.normalise_sql import email_sql, is_ascii_sql, quote
from audit_kit.warehouse import FileRef, SourceSink

MAILLOG_ADDRESS = Role("maillog_address",
                       "external address in a mail-server log; last_activity = line time")

KINDS = (SourceKind(
    "postfix_log", order=120,
    options=(Option("year", Annotated[int, Field(ge=1970, le=2100)],
                    "a year between 1970 and 2100",
                    "the year of the oldest line, for syslog lines without one"),),
    reads="`maillog`, `maillog.1`, `maillog.2.gz`; rotations compressed with gzip, xz, "
          "bzip2 or zstd, recognised by content; rsyslog ISO or traditional syslog",
    notes="year from ISO lines, else `year:` (the year of the oldest line), else the newest "
          "file's mtime carried back through the rotation; the manifest says which",
    place={"fi": "postipalvelimen lokeista", "en": "from the mail-server logs"},
    roles=(MAILLOG_ADDRESS,), demo="audit_kit.demo.postfix:write", fixtures=("maillog/*",),
    fuzz=(FuzzSeed("maillog", "maillog/traditional/maillog"),)),)

#: the organisation's own mail domains (statement §2) come from the run context (the
#: pipeline passes the policy's); a bare loader has none
OWN_DOMAINS: tuple[str, ...] = ()
#: role mailboxes on any domain, not data subjects (statement §3): the run context's list
ROLE_MAILBOXES: tuple[str, ...] = tuple(sorted(vocab.ROLE_MAILBOXES))

COLUMNS = (
    "timestamp", "time", "date", "host", "program", "pid", "queue_id",
    "from", "to", "orig_to", "relay", "status", "message",
)
QUEUE_COLUMNS = (
    "queue_id", "first_time", "last_time", "lines", "from", "to", "orig_to", "relay", "status",
)

BLOCK = 64 << 20
#: the usual file-name suffix of each compression (a note when the name does not say it)
_SUFFIX = {"gzip": ".gz", "xz": ".xz", "bzip2": ".bz2", "zstd": ".zst"}
_NAME = re.compile(r"^(?:maillog|mail\.log)(?:\.(\d+)|-(\d{8,10}))?(?:\.(?:gz|xz|bz2|zst))?$",
                   re.IGNORECASE)

_TS = (
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"  # rsyslog ISO 8601
    r"|[A-Za-z]{3} +\d{1,2} \d\d:\d\d:\d\d"  # traditional, no year
)
# Postfix queue ids: short = upper-case hex; long (enable_long_queue_ids) = base-52
# without vowels; NOQUEUE for mail rejected before a queue file existed.
_QID = r"[0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,}|NOQUEUE"
_HEAD = rf"^({_TS}) (\S+)(?: ([^\s\[\]:]+)(?:\[(\d+)\])?:)?(?: (?:({_QID}): )?(.*))?$"
_ADDR = r"<[^>]*>|[^\s,]*"
_WORD = r"[^\s,]*"
_STATUS = r"[^\s,(]*"


def _kv(key: str, value: str, column: str) -> str:
    """SQL: the value of ``key=`` in a postfix message (the first one), else NULL.

    RE2 has no look-behind: the key starts the message or follows a separator, so
    ``mail_from=`` and ``orig_to=`` never match as ``from=`` / ``to=``. ``p_<column>``
    (see _KV_POS) is where ``key=`` first occurs, 0 if nowhere or not a postfix line.
    When that first occurrence starts the message or follows a space, comma or
    semicolon, it is where the regex's leftmost match is, and the value is read there by
    an anchored RE2 call on the rest of the message (a quarter of the unanchored search
    with a group); otherwise (a tab, ``orig_to=`` before ``to=`` ...) the full regex.
    """
    rx = rf"(?:^|[\s,;]){key}=({value})"
    p, start = f"p_{column}", len(key) + 2
    fast = ""
    if value == _ADDR:
        # qmgr's "from=<...>, size=..." and smtp's "to=<...>, relay=...": the value runs
        # to the first '>' (what ``<[^>]*>`` takes); a plain substr, no RE2 call
        fast = (f"WHEN {p} = 1 AND substr(msg, {start - 1}, 1) = '<' AND strpos(msg, '>') > 0 "
                f"THEN substr(msg, {start - 1}, strpos(msg, '>') - {start - 2}) ")
    return (
        f"CASE {fast}"
        f"WHEN {p} = 1 OR ({p} > 1 AND substr(msg, {p} - 1, 1) IN (' ', ',', ';')) "
        f"THEN nullif(regexp_extract(substr(msg, {p} + {start - 1}), '^(?:{value})', 0), '') "
        f"WHEN {p} > 1 THEN nullif(regexp_extract(msg, '{rx}', 1), '') END AS {column}"
    )


#: the keys read from a postfix message: (key, value pattern, column)
_KEYS = (
    ("from", _ADDR, "from_"), ("to", _ADDR, "to_"), ("orig_to", _ADDR, "orig_to"),
    ("relay", _WORD, "relay"), ("status", _STATUS, "status"),
)
_KV_POS = ", ".join(
    f"CASE WHEN pf THEN strpos(msg, '{key}=') ELSE 0 END AS p_{column}" for key, _, column in _KEYS
)


_MONTHS = "['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec']"

# The header without its groups: RE2 finds only where the header ends (its DFA), far
# cheaper than extracting six groups. ``(?: |$)`` at the end stands for
# the message part of _HEAD (``(?: ...(.*))?$``: a space or the end of the line), so the
# leftmost-first match is the same and so are the groups, which are then cut out by
# position (strpos/left/substr, not split_part, which splits the whole line): a
# traditional timestamp ends 5 characters after its first ':', an ISO one at its first
# space; the host is the next run of non-spaces; what follows is '' or ' ' (no
# program) or ' prog[pid]:' plus '', ' ' or ' QID: ' (a queue id right after the host
# would have matched as the program, so it only ever follows one).
_HEAD0 = rf"^(?:{_TS}) \S+(?: [^\s\[\]:]+(?:\[\d+\])?:)?(?: (?:(?:{_QID}): )?|$)"

_PARSE_SQL = f"""
SELECT file_idx, n, blank, ts, host, prog, pid, qid, msg,
       {", ".join(_kv(*k) for k in _KEYS)}, iso,
       CASE WHEN iso AND try_cast(substr(ts, 12, 8) AS TIME) IS NOT NULL
            THEN try_cast(substr(ts, 1, 10) AS DATE) END AS d_iso
FROM (SELECT *, {_KV_POS}, substr(ts, 5, 1) = '-' AS iso FROM (
  SELECT *, starts_with(prog, 'postfix') AS pf FROM (
    SELECT file_idx, n, blank, ts, host, msg,
           CASE WHEN b = 0 THEN tag ELSE left(tag, b - 1) END AS prog,
           CASE WHEN b > 0 THEN substr(tag, b + 1, length(tag) - b - 1) END AS pid,
           CASE WHEN la > length(tag) + 3
                THEN substr(a, length(tag) + 4, la - length(tag) - 5) END AS qid
    FROM (
      SELECT *, strpos(tag, '[') AS b FROM (
        SELECT *, CASE WHEN la > 1 THEN substr(a, 2, strpos(a, ':') - 2) END AS tag FROM (
          SELECT *, length(a) AS la FROM (
            SELECT *, CASE WHEN p = 0 THEN r ELSE left(r, p - 1) END AS host,
                      CASE WHEN p = 0 THEN '' ELSE substr(r, p) END AS a FROM (
              SELECT *, strpos(r, ' ') AS p FROM (
                SELECT *, substr(h, length(ts) + 2) AS r FROM (
                  SELECT file_idx, n, line = '' AS blank, h,
                         CASE WHEN h = '' THEN '' ELSE substr(line, length(h) + 1) END AS msg,
                         CASE WHEN h = '' THEN NULL
                              WHEN substr(h, 5, 1) = '-' THEN left(h, strpos(h, ' ') - 1)
                              ELSE left(h, strpos(h, ':') + 5) END AS ts
                  FROM (SELECT $idx AS file_idx,
                               rowid - (SELECT min(rowid) FROM _pf_text) + 1 AS n,
                               coalesce(line, '') AS line,
                               regexp_extract(coalesce(line, ''), '{_HEAD0}', 0) AS h
                        FROM _pf_text)))))))))))
"""


@dataclass
class _FileInfo:
    idx: int
    path: Path
    rank: tuple[int, int]
    ref: FileRef | None = None
    packed: str | None = None  # its compression, by content (gzip, xz, bzip2, zstd)
    lines: int = 0
    rejected: int = 0
    mtime: float = 0.0
    # filled from the staged rows
    first_month: int | None = None
    last_month: int | None = None
    rollovers: int = 0
    anchor: int | None = None  # base year implied by the file's ISO lines
    trad_lines: int = 0
    iso_lines: int = 0
    base_year: int | None = None
    sha256: str = ""
    size: int = 0
    year_from: str = ""
    notes: list[str] = field(default_factory=list)
    # rel (see _summarise) as (first line, value) where it changes, or a per-line table
    rel_points: list[tuple[int, int]] | None = field(default_factory=list)
    rel_table: pa.Table | None = None
    rel_min: int = 0
    rel_max: int = 0


def _rank(path: Path) -> tuple[int, int]:
    """Position in the rotation: (0, 0) for the live file, larger = older."""
    m = _NAME.match(path.name)
    if m is None:
        return (2, 0)
    if m.group(1):
        return (1, int(m.group(1)))
    if m.group(2):
        return (1, -int(m.group(2)))  # dateext: a later date is newer
    return (0, 0)


def _log_files(path: Path, result: LoadResult, sink: SourceSink) -> list[Path]:
    if not path.is_dir():
        return [path]
    files = [p for p in input_files(path, rejected=result.rejecter(sink)) if _NAME.match(p.name)]
    if not files and not result.records_read:
        raise InputError(
            "no maillog files in the folder (expected maillog, maillog.1, maillog.2.gz ...)",
            file=path,
        )
    return files


class _HashingReader:
    """Wraps the file on disk so its SHA-256 is computed while a decompressor reads it."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.sha, self.size = raw, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        b = self.raw.read(n)
        self.sha.update(b)
        self.size += len(b)
        return b

    def readable(self) -> bool:
        return True


def _blocks(path: Path, reader: _HashingReader, packed: str | None,
            limits: Limits) -> Iterator[bytes]:
    """The file's text: decompressed when it is compressed (*packed*, by its content)."""
    if packed:
        yield from decompressed_blocks(reader, packed, lambda: reader.size,  # type: ignore[arg-type]
                                       limits, BLOCK, path)
    else:
        while block := reader.read(BLOCK):
            yield block
    while reader.read(BLOCK):  # hash whatever the decompressor left unread (trailing garbage)
        pass


def _lines_table(data: bytes) -> tuple[pa.Table, int]:
    """Arrow table (line) of the complete lines in *data* (no newlines); bad-byte count."""
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    bad = 0
    if not data.isascii():  # isascii is a fast scan; most logs never get further
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="replace")
            bad = sum(1 for ln in text.split("\n") if "\ufffd" in ln)
            data = text.encode("utf-8")
    # Line starts from the newline positions (numpy, no bytes object per line): line k
    # starts after newline k-1; in the text without newlines it starts k bytes earlier.
    nl = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    count = len(nl) + (1 if data and data[-1] != 10 else 0)  # a last line without "\n"
    starts = np.empty(count + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:len(nl) + 1] = nl + 1
    if count > len(nl):
        starts[count] = len(data) + 1  # as if the last line ended with a newline
    offsets = starts - np.arange(count + 1, dtype=np.int64)
    # Arrow offsets are contiguous: the text without its newlines (bytes.replace is C-fast).
    body = data.replace(b"\n", b"")
    lines = pa.LargeStringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(body))
    return pa.table({"line": lines}), bad


def _chunks(path: Path, reader: _HashingReader, packed: str | None,
            limits: Limits) -> Iterator[bytes]:
    """The file's text in blocks cut after a newline (the last one may lack it)."""
    rest = b""
    for block in _blocks(path, reader, packed, limits):
        data = rest + block
        cut = data.rfind(b"\n") + 1
        rest, data = data[cut:], data[:cut]
        if data:
            yield data
    if rest:
        yield rest


def _plain(chunk: bytes) -> bool:
    """Can DuckDB's CSV reader split this text exactly as _lines_table would?

    It reads one VARCHAR column per line with chr(1) as the delimiter and no quoting; a
    line holding chr(1) would be two columns, a CR ends a line there (here only CRLF is
    folded), NUL is left to the careful path, and bytes that are not UTF-8 are an error
    there (here U+FFFD plus a note). (UTF-8 is checked by _scan across blocks.)
    """
    return not (b"\r" in chunk or b"\x00" in chunk or b"\x01" in chunk)


@dataclass
class _Scan:
    """A plain file's first read (see _scan): SHA-256, size, lines, newlines; or not plain."""

    plain: bool
    sha256: str = ""
    size: int = 0
    lines: int = 0
    newlines: int = 0


def _scan(path: Path, limits: Limits) -> _Scan:
    """Hash a file and check that it is plain (see _plain), in blocks as read: no block
    is cut at a newline or copied (UTF-8 is decoded incrementally, only past ASCII).

    Runs in a thread ahead of the loader (load's prefetch): hashlib releases the GIL and
    DuckDB's statements release it, so the next file is hashed while this one is parsed.
    """
    sha = hashlib.sha256()
    size = newlines = 0
    last = 10
    utf8 = None
    with open_input(path, limits) as raw:
        while block := raw.read(BLOCK):
            sha.update(block)
            if not _plain(block) or (size == 0 and compression(block[:10])):
                return _Scan(False)
            if utf8 is not None or not block.isascii():
                utf8 = utf8 or codecs.getincrementaldecoder("utf-8")()
                try:
                    utf8.decode(block)
                except UnicodeDecodeError:
                    return _Scan(False)
            size += len(block)
            newlines += block.count(b"\n")
            last = block[-1]
    if utf8 is not None:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            return _Scan(False)
    lines = newlines + (last != 10)
    return _Scan(True, sha.hexdigest(), size, lines, newlines)


_READ_CSV = (
    "read_csv(?, columns = {'line': 'VARCHAR'}, delim = chr(1), quote = '', escape = '', "
    "header = false, auto_detect = false, new_line = '\\n', max_line_size = 1073741824, "
    "compression = 'none')"
)


def _read_text(con, info: _FileInfo, scan: Future[_Scan] | None, limits: Limits) -> int:
    """The file's lines into ``_pf_text`` (line number = rowid - first rowid + 1); returns
    bad-byte lines.

    A plain file (see _plain; most logs) is read a first time only for its SHA-256 and
    the check (*scan*, prefetched in a thread), and split by DuckDB's parallel CSV
    reader, which keeps the file's order (insertion order is preserved), in a fraction of
    the numpy split's time. Anything else (compressed, CRLF, bytes that are not UTF-8)
    goes through _lines_table. A live log that grew between the two reads fails the
    line/byte count check and takes the careful path.
    """
    if scan is None:
        return _read_text_careful(con, info, limits)
    got_scan = scan.result()
    if not got_scan.plain:
        return _read_text_careful(con, info, limits)
    check_lines(got_scan.lines, limits)
    info.sha256, info.size = got_scan.sha256, got_scan.size
    con.execute(f"CREATE OR REPLACE TEMP TABLE _pf_text AS SELECT line FROM {_READ_CSV}",
                [str(info.path)])
    got = con.execute("SELECT count(*), coalesce(sum(strlen(line)), 0) FROM _pf_text").fetchone()
    if got == (got_scan.lines, got_scan.size - got_scan.newlines):
        info.lines = got_scan.lines
        return 0
    return _read_text_careful(con, info, limits)


def _read_text_careful(con, info: _FileInfo, limits: Limits) -> int:
    """_read_text for any file: compressed, CRLF, bad bytes (U+FFFD), split with numpy."""
    con.execute("CREATE OR REPLACE TEMP TABLE _pf_text (line VARCHAR)")
    bad = lines = 0
    with open_input(info.path, limits) as raw:
        info.packed = compression(raw.peek(10)[:10])
        reader = _HashingReader(raw)
        for chunk in _chunks(info.path, reader, info.packed, limits):
            check_lines(lines + chunk.count(b"\n"), limits)
            tbl, b = _lines_table(chunk)
            con.register("_pf_chunk", tbl)
            try:
                con.execute("INSERT INTO _pf_text SELECT line FROM _pf_chunk")
            finally:
                con.unregister("_pf_chunk")
            bad, lines = bad + b, lines + tbl.num_rows
    info.lines = lines
    info.sha256, info.size = reader.sha.hexdigest(), reader.size
    return bad


def _parse_sql(info: _FileInfo) -> str:
    """SQL: the parse of the file's lines in ``_pf_text``."""
    return _PARSE_SQL.replace("$idx", str(info.idx))


def _iso_shaped(con) -> bool:
    """Does every line have '-' fifth, as ``2026-...`` (no blank or traditional line)?

    Then every dated line is ISO, its date is the parse's ``d_iso``, and no year has to
    be inferred: the file can go straight to the raw table (see _load_direct).
    """
    return con.execute(
        "SELECT count(*) = 0 FROM _pf_text WHERE line IS NULL OR substr(line, 5, 1) <> '-'"
    ).fetchone()[0]


_REASON = """CASE WHEN blank THEN 'blank line' WHEN ts IS NULL THEN 'not a syslog line'
                  WHEN d IS NULL THEN 'unparseable timestamp' END"""


#: _REASON for a line known to be undated (no ``d``; of a stage row)
_REASON_UNDATED = """CASE WHEN blank THEN 'blank line' WHEN ts IS NULL THEN 'not a syslog line'
                          ELSE 'unparseable timestamp' END"""


def _load_direct(con, sink: SourceSink, info: _FileInfo, raw_name: str) -> None:
    """An ISO-shaped file: parsed straight into the raw table, no stage (a second copy of
    every line, which a big log spills under the memory limit).

    Every line is inserted, and the few without a date (rejects: their ``date`` is NULL,
    no loaded line's is) are deleted after: ``WHERE d_iso IS NOT NULL`` in the insert is
    pushed by DuckDB below the parse, which then computes the timestamp twice. The new
    rows are those past the table's last rowid before the insert (rows added inside a
    transaction, as the pipeline loads a source, have provisional rowids until it
    commits). The month sequence (_summarise) is read back
    from the raw rows when every line was loaded; with rejects, the parse runs again for
    them and for the sequence (which counts dated lines that were rejected).
    """
    assert info.ref is not None
    last = con.execute(f'SELECT max(rowid) FROM "{raw_name}"').fetchone()[0]
    new = "true" if last is None else f"rowid > {last}"
    con.execute(f"""
        INSERT INTO "{raw_name}"
        SELECT ?, ?, ?, ?, 'line ' || n, ?, ts, ts, CAST(d_iso AS VARCHAR), host, prog, pid,
               qid, from_, to_, orig_to, relay, status, msg
        FROM ({_parse_sql(info)})
    """, [sink.source, sink.kind, sink.system, info.ref.name, info.ref.sha256])
    undated = f'FROM "{raw_name}" WHERE {new} AND "date" IS NULL'
    info.rejected = con.execute(f"SELECT count(*) {undated}").fetchone()[0]
    if info.rejected == 0:
        first = f'(SELECT min(rowid) FROM "{raw_name}" WHERE {new})'
        _summarise(con, f'SELECT rowid - {first} + 1 AS n, "timestamp" AS ts '
                        f'FROM "{raw_name}" WHERE {new}', info)
        return
    con.execute(f"DELETE {undated}")
    parsed = f"SELECT *, d_iso AS d FROM ({_parse_sql(info)})"
    rejects = con.execute(
        f"SELECT n, {_REASON} FROM ({parsed}) WHERE d IS NULL ORDER BY n").fetchall()
    for n, reason in rejects:
        sink.reject(info.ref, f"line {n}", reason)
    _summarise(con, f"SELECT n, ts FROM ({parsed})", info)


#: more changes of rel than this in one file: join a per-line table instead of a CASE
_MAX_CASE = 64


def _month_sql(ts: str) -> str:
    return (
        f"CASE WHEN substr({ts}, 5, 1) = '-' THEN try_cast(substr({ts}, 6, 2) AS INTEGER) "
        f"ELSE list_position({_MONTHS}, lower(substr({ts}, 1, 3))) END"
    )


def _summarise(con, lines: str, info: _FileInfo) -> None:
    """Month sequence of a file (*lines*: SQL giving n, ts): rollovers, months, ISO anchor.

    ``rel`` (years since the file's first dated line) is a running sum over the lines in
    order: +1 when the month goes back by two or more, -1 when it jumps forward by 11 or
    more (jitter back over a new year). numpy computes it from the month column (a SQL
    window sorted the whole file); it changes only at a few lines, which ``_resolve``
    turns into a CASE instead of joining a per-line table.
    """
    got = con.execute(f"""
        SELECT n, month, iso, coalesce(year, -1) AS year FROM (
            SELECT n, {_month_sql('ts')} AS month, substr(ts, 5, 1) = '-' AS iso,
                   CASE WHEN substr(ts, 5, 1) = '-'
                        THEN try_cast(substr(ts, 1, 4) AS INTEGER) END AS year
            FROM ({lines}) WHERE ts IS NOT NULL)
        WHERE month BETWEEN 1 AND 12
    """).fetchnumpy()
    n = np.asarray(got["n"], dtype=np.int64)
    month = np.asarray(got["month"], dtype=np.int64)
    iso = np.asarray(got["iso"], dtype=bool)
    year = np.asarray(got["year"], dtype=np.int64)
    if len(n) > 1 and not bool(np.all(n[1:] > n[:-1])):
        order = np.argsort(n, kind="stable")
        n, month, iso, year = n[order], month[order], iso[order], year[order]
    info.trad_lines, info.iso_lines = int((~iso).sum()), int(iso.sum())
    if len(n) == 0:
        info.first_month = info.last_month = info.anchor = None
        info.rollovers, info.rel_points = 0, []
        return
    step = np.zeros(len(n), dtype=np.int64)
    back = month[:-1] - month[1:]
    step[1:] = np.where(back >= 2, 1, np.where(back <= -11, -1, 0))
    rel = np.cumsum(step)
    info.rel_min, info.rel_max = int(rel.min()), int(rel.max())  # rel[0] is 0
    info.first_month, info.last_month = int(month[0]), int(month[-1])
    info.rollovers = int(rel[-1])
    dated = np.flatnonzero(iso & (year != -1))
    info.anchor = int(year[dated[0]] - rel[dated[0]]) if len(dated) else None
    changes = np.flatnonzero(np.diff(rel, prepend=0) != 0)
    if len(changes) <= _MAX_CASE:
        info.rel_points = [(int(n[i]), int(rel[i])) for i in changes]
    else:  # many rollovers (jitter around many new years): a per-line table as before
        info.rel_points = None
        info.rel_table = pa.table({"n": pa.array(n), "rel": pa.array(rel)})


def _assign_years(files: list[_FileInfo], year: int | None) -> None:
    """Base year (year of rel 0) of each file; files are ordered oldest first."""
    dated = [f for f in files if f.first_month is not None]
    if year is not None:
        prev: tuple[int, int] | None = None
        for f in dated:
            assert f.first_month is not None and f.last_month is not None
            if f.anchor is not None:
                f.base_year, f.year_from = f.anchor, "ISO lines"
            elif prev is None:
                f.base_year, f.year_from = year, "source.year"
            else:
                f.base_year = prev[0] + (1 if prev[1] - f.first_month >= 2 else 0)
                f.year_from = "source.year"
            prev = (f.base_year + f.rollovers, f.last_month)
        return
    nxt: tuple[int, int] | None = None
    for f in reversed(dated):
        assert f.first_month is not None and f.last_month is not None
        if f.anchor is not None:
            f.base_year, f.year_from = f.anchor, "ISO lines"
        else:
            if nxt is None:
                mt = dt.datetime.fromtimestamp(f.mtime)
                last = mt.year if f.last_month <= mt.month else mt.year - 1
                f.year_from = "mtime"
            else:
                last = nxt[0] - (1 if f.last_month - nxt[1] >= 2 else 0)
                f.year_from = "rotation"
            f.base_year = last - f.rollovers
        nxt = (f.base_year, f.first_month)


def _format(f: _FileInfo) -> str:
    if f.trad_lines == 0:
        return "postfix rsyslog ISO 8601" if f.iso_lines else "postfix log (no timestamps)"
    fmt = f"postfix syslog (year from {f.year_from})"
    if f.iso_lines:
        fmt = f"postfix syslog + rsyslog ISO 8601 (year from {f.year_from})"
    return fmt


def _note(f: _FileInfo, newer: str | None) -> str | None:
    if f.trad_lines == 0:
        return None
    first = f.base_year
    last = (f.base_year or 0) + f.rollovers
    span = f"{first}" if first == last else f"{first}-{last}"
    why = {
        "source.year": "the source's year: setting (the year of the oldest line)",
        "mtime": "the file's modification time",
        "rotation": f"the rotation (it precedes {newer})" if newer else "the rotation",
        "ISO lines": "the file's own ISO-dated lines",
    }[f.year_from]
    name = f.ref.name if f.ref else f.path.name
    return f"{name}: syslog timestamps without a year; year {span} from {why}"


def _resolve(con, sink: SourceSink, stage: str, f: _FileInfo, raw_name: str) -> None:
    """Date every staged line of a file: loaded lines into the raw table, the rest rejected.

    One pass writes the raw rows straight from the stage (no table of resolved lines in
    between: it cost a second copy of every line), every line: the undated ones (their
    ``date`` is NULL, no loaded line's is) are the rejects, read back and deleted. (A
    ``WHERE reason IS NULL`` was pushed by DuckDB below the date's computation, which
    then ran twice, and a second scan of the same query read the rejects.)
    """
    base = f.base_year if f.base_year is not None else 0
    month = _month_sql("s.ts")
    join = ""
    if f.rel_points is None:
        con.register("_pf_rel", f.rel_table)
        join, rel = "LEFT JOIN _pf_rel m USING (n)", "coalesce(m.rel, 0)"
    elif f.rel_points:  # the value at the latest change at or before the line
        whens = " ".join(f"WHEN s.n >= {n} THEN {r}" for n, r in reversed(f.rel_points))
        rel = f"CASE {whens} ELSE 0 END"
    else:
        rel = "0"
    fast = 1000 <= base + f.rel_min and base + f.rel_max <= 9999
    lines = _resolved(stage, f, (_resolve_fast if fast else _resolve_sql)(base, month, rel), join)
    assert f.ref is not None
    last = con.execute(f'SELECT max(rowid) FROM "{raw_name}"').fetchone()[0]
    undated = (f'FROM "{raw_name}" WHERE {"true" if last is None else f"rowid > {last}"} '
               'AND "date" IS NULL')
    try:
        con.execute(f"""
            INSERT INTO "{raw_name}"
            SELECT ?, ?, ?, ?, 'line ' || n, ?, ts, t, CAST(d AS VARCHAR), host, prog, pid,
                   qid, from_, to_, orig_to, relay, status, msg
            FROM ({lines})
        """, [sink.source, sink.kind, sink.system, f.ref.name, f.ref.sha256])
        rejects = con.execute(f"""
            SELECT n, {_REASON_UNDATED} FROM {stage}
            WHERE file_idx = {f.idx}
              AND n IN (SELECT CAST(substr(record_ref, 6) AS BIGINT) {undated})
            ORDER BY n
        """).fetchall()
        if rejects:
            con.execute(f"DELETE {undated}")
    finally:
        if f.rel_points is None:
            con.unregister("_pf_rel")
            f.rel_table = None
    for n, reason in rejects:
        sink.reject(f.ref, f"line {n}", reason)
    f.rejected = len(rejects)


#: SQL: the day of the month of a traditional timestamp ``Mmm dd hh:mm:ss``
_DAY = "try_cast(trim(substr(s.ts, 5, length(s.ts) - 13)) AS INTEGER)"


def _resolve_fast(base: int, month: str, rel: str) -> tuple[list[tuple[str, str]], str, str]:
    """_resolve_sql for years 1000-9999, where ``printf`` + cast equals ``make_date``.

    printf ran three times a line (DuckDB inlines the CTE into d, t and reason) and cost
    most of the step. A traditional date is made with make_date when the day exists in
    the month (else NULL, as the cast of the printed string was); ``t`` of a dated line
    is the date as text, 'YYYY-MM-DD', which is what printf wrote (for a line without a
    date t is never read: only loaded lines reach the raw and queue tables).
    """
    cols = [
        ("y", f"{base} + {rel}"),
        ("mo", month),
        ("dd", _DAY),
    ]
    day = ("CASE WHEN dd BETWEEN 1 AND day(last_day(make_date(y, mo, 1))) "
           "THEN make_date(y, mo, dd) END")
    return cols, day, "CAST(d AS VARCHAR) || 'T' || right(ts, 8)"


def _resolve_sql(base: int, month: str, rel: str) -> tuple[list[tuple[str, str]], str, str]:
    """Traditional lines' date columns, date and time text (see _resolved), any year."""
    dstr = f"printf('%04d-%02d-%02d', {base} + {rel}, {month}, {_DAY})"
    return [("dstr", dstr)], "try_cast(dstr AS DATE)", "dstr || 'T' || right(ts, 8)"


def _resolved(stage: str, f: _FileInfo, trad: tuple[list[tuple[str, str]], str, str],
              join: str) -> str:
    """SQL: the staged lines of a file with their date ``d``, time text ``t``, reason.

    An ISO line's date (``d_iso``) was made by the parse; only traditional lines need
    the file's year, so their columns are computed under ``NOT iso`` (DuckDB evaluates a
    CASE branch only for its rows). A dated line is loaded; the rest are rejected.
    """
    cols, day, t = trad
    gated = ", ".join(f"CASE WHEN NOT s.iso THEN {e} END AS {c}" for c, e in cols)
    return f"""
        SELECT n, ts, host, prog, pid, qid, msg, from_, to_, orig_to, relay, status, d,
               CASE WHEN iso THEN ts ELSE {t} END AS t, {_REASON} AS reason
        FROM (SELECT *, CASE WHEN iso THEN d_iso
                             WHEN try_cast(right(ts, 8) AS TIME) IS NOT NULL THEN {day} END AS d
              FROM (SELECT s.*, {gated} FROM {stage} s {join} WHERE s.file_idx = {f.idx}))
    """


def _distinct(col: str) -> str:
    """SQL aggregate: the distinct values of *col* in a group, sorted, joined by ', '."""
    return (f"nullif(array_to_string(list_sort(list_distinct("
            f"string_split(string_agg({col}, chr(10)), chr(10)))), ', '), '')")


def _is_subject(email: str | None, own: tuple[str, ...], roles: frozenset[str]) -> bool:
    """A data subject's address: not on an own domain (or its subdomain), not a role."""
    if email is None:
        return False
    local, domain = email.rsplit("@", 1)
    return not (
        any(domain == d or domain.endswith("." + d) for d in own)
        or local.split("+", 1)[0] in roles
    )


def _is_subject_sql(e: str, own: tuple[str, ...], roles: frozenset[str]) -> str:
    """SQL twin of _is_subject for an address made by ``email_sql`` (exactly one '@')."""
    domain, local = f"split_part({e}, '@', 2)", f"split_part({e}, '@', 1)"
    tests = [f"{domain} = {quote(d)} OR ends_with({domain}, {quote('.' + d)})" for d in own]
    if roles:
        tests.append(f"split_part({local}, '+', 1) IN ({', '.join(map(quote, sorted(roles)))})")
    return f"{e} IS NOT NULL AND NOT ({' OR '.join(tests) or 'false'})"


def _address_map(con, raw_name: str, own_domains: Iterable[str], roles: Iterable[str]) -> None:
    """``_pf_addr``: every distinct raw address value → (normalised e-mail, subject?).

    Set-based: ASCII values (nearly all) are normalised by ``normalise_sql.email_sql``
    in DuckDB; the rest, distinct, by ``normalise.email`` (Python only for what SQL has
    no exact twin for).
    """
    own = tuple(d.lower().lstrip("@") for d in own_domains)
    role = frozenset(r.lower() for r in roles)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pf_vals AS SELECT DISTINCT v FROM (
            SELECT "from" AS v FROM "{raw_name}" WHERE "from" IS NOT NULL
            UNION ALL SELECT "to" FROM "{raw_name}" WHERE "to" IS NOT NULL
            UNION ALL SELECT orig_to FROM "{raw_name}" WHERE orig_to IS NOT NULL)
    """)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pf_addr AS
        SELECT v, email, {_is_subject_sql("email", own, role)} AS subject
        FROM (SELECT v, {email_sql("v")} AS email FROM _pf_vals WHERE {is_ascii_sql("v")})
    """)
    other = [v for (v,) in con.execute(
        f"SELECT v FROM _pf_vals WHERE NOT {is_ascii_sql('v')}").fetchall()]
    if other:
        emails = [normalise.email(v) for v in other]
        con.register("_pf_addr_arrow", pa.table({
            "v": pa.array(other, pa.string()),
            "email": pa.array(emails, pa.string()),
            "subject": pa.array([_is_subject(e, own, role) for e in emails], pa.bool_()),
        }))
        try:
            con.execute("INSERT INTO _pf_addr SELECT v, email, subject FROM _pf_addr_arrow")
        finally:
            con.unregister("_pf_addr_arrow")
    con.execute("DROP TABLE _pf_vals")


def load(
    source: SourceConfig,
    sink: SourceSink,
    *,
    own_domains: Iterable[str] = OWN_DOMAINS,
    role_mailboxes: Iterable[str] = ROLE_MAILBOXES,
) -> LoadResult:
    """Load a postfix log file or a folder of rotated logs (see the module docstring)."""
    con = sink.con
    result = LoadResult()
    paths = _log_files(Path(source.path), result, sink)
    folder = Path(source.path).is_dir()
    files = [_FileInfo(i, p, _rank(p)) for i, p in enumerate(paths)]
    # oldest first: highest rotation number first, the live file last
    files.sort(key=lambda f: (-f.rank[0], -f.rank[1], str(f.path)))
    for f in files:
        try:
            f.mtime = f.path.stat().st_mtime
        except OSError:
            raise InputError("file cannot be read; check it exists", file=f.path) from None

    raw_name = sink.raw_table(COLUMNS)
    queue_name = sink.raw_table(QUEUE_COLUMNS, table="queue")
    tag = re.sub(r"\W", "_", raw_name)
    stage = f"_pf_stage_{tag}"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {stage} (file_idx INTEGER, n BIGINT, blank BOOLEAN,
            ts VARCHAR, host VARCHAR, prog VARCHAR, pid VARCHAR, qid VARCHAR, msg VARCHAR,
            from_ VARCHAR, to_ VARCHAR, orig_to VARCHAR, relay VARCHAR, status VARCHAR,
            iso BOOLEAN, d_iso DATE)
    """)
    # the plain files' first read (hash + check), one file ahead in a thread
    prefetch = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postfix-scan")
    scans = {f.idx: prefetch.submit(_scan, f.path, sink.limits) for f in files}
    try:
        staged: set[int] = set()  # once a file is staged, the newer ones are too (order)
        kept: list[_FileInfo] = []
        for f in files:  # oldest first, so the raw table reads in time order
            try:
                bad = _read_text(con, f, scans.get(f.idx), sink.limits)
            except InputError as exc:
                # not a file, unreadable, over a limit; in a folder also corrupt: the rest goes on
                if not (folder or isinstance(exc, FileRejected)):
                    raise
                con.execute("DROP TABLE IF EXISTS _pf_text")
                result.file_rejected(sink, f.path, reject_reason(exc))
                continue
            except (PermissionError, IsADirectoryError):
                raise InputError("file cannot be read; check its mode", file=f.path) from None
            kept.append(f)
            f.ref = sink.file(f.path, sha256=f.sha256, size=f.size)
            if bad:
                f.notes.append(
                    f"{f.ref.name}: {bad} lines had bytes that are not UTF-8 (shown as U+FFFD)"
                )
            if f.packed and not f.path.name.lower().endswith(_SUFFIX[f.packed]):
                f.notes.append(f"{f.ref.name}: {f.packed}-compressed (read by its content, "
                               "not its name)")
            if not staged and _iso_shaped(con):
                _load_direct(con, sink, f, raw_name)
            else:
                staged.add(f.idx)
                con.execute(f"INSERT INTO {stage} {_parse_sql(f)}")
                _summarise(con, f"SELECT n, ts FROM {stage} WHERE file_idx = {f.idx}", f)
            con.execute("DROP TABLE _pf_text")
        files = kept
        _assign_years(files, source.year)
        for pos, f in enumerate(files):
            if f.idx in staged:
                _resolve(con, sink, stage, f, raw_name)
            newer = files[pos + 1].ref if pos + 1 < len(files) else None
            note = _note(f, newer.name if newer else None)
            if note:
                f.notes.insert(0, note)
        con.execute(f"DROP TABLE IF EXISTS {stage}")
        _write(con, sink, raw_name, queue_name, own_domains, role_mailboxes)
        for f in files:
            result += LoadResult(f.lines, f.lines - f.rejected, f.rejected, _format(f), f.notes)
    finally:
        prefetch.shutdown(wait=True, cancel_futures=True)
        for t in (stage, "_pf_text", "_pf_vals", "_pf_addr", "_pf_subj", "_pf_hits",
                  "_pf_qdict", "_pf_q", "_pf_qm"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
    return result


def _write(con, sink: SourceSink, raw_name: str, queue_name: str,
           own_domains: Iterable[str], role_mailboxes: Iterable[str]) -> None:
    """From the raw table: records and fields of the external addresses, the queue summary.

    The raw table holds the loaded lines in load order (oldest file first, by line), so
    its rowid orders them; provenance (file, record_ref, sha256) is read from it.
    """
    _address_map(con, raw_name, own_domains, role_mailboxes)
    _addresses(con, sink, raw_name)
    _queue(con, sink, raw_name, queue_name)
    _recipients(con, sink, raw_name)


def _recipients(con, sink: SourceSink, raw_name: str) -> None:
    """A ``recipients`` sign per queue id (one message) with two or more recipients on
    another domain than its sender's, labelled with the sender's address, at the queue
    id's first line: the no-newsletter rule reads them (statement §6)."""
    bare = ("lower(CASE WHEN starts_with({0}, '<') AND ends_with({0}, '>') "
            "THEN substr({0}, 2, length({0}) - 2) ELSE {0} END)")
    sink.insert_query("signs", None, f"""
        SELECT file, record_ref, 'recipients' AS sign, sender AS label, n, r0 FROM (
            SELECT q.queue_id, arg_min(t.file, t.rowid) AS file,
                   arg_min(t.record_ref, t.rowid) AS record_ref,
                   any_value(q.sender) AS sender,
                   count(DISTINCT {bare.format('t."to"')}) FILTER (
                       WHERE split_part({bare.format('t."to"')}, '@', 2)
                             <> split_part(q.sender, '@', 2)) AS n,
                   min(t.rowid) AS r0
            FROM (SELECT rowid, * FROM "{raw_name}" WHERE {_QUEUE_WHERE}) t
            JOIN (SELECT queue_id, min({bare.format('"from"')}) AS sender
                  FROM "{raw_name}" WHERE {_QUEUE_WHERE} AND "from" IS NOT NULL
                        AND "from" <> '<>'
                  GROUP BY queue_id) q USING (queue_id)
            GROUP BY q.queue_id)
        WHERE n >= 2
    """, order_by="b.r0")


#: the address keys of a line, in the order their records and fields are written
_ADDR_KEYS = (("from", '"from"'), ("to", '"to"'), ("orig_to", "orig_to"))


def _addresses(con, sink: SourceSink, raw_name: str) -> None:
    """Records (one per line and distinct subject address, at its first key) and fields
    (one per key holding a subject's address), in line order.

    One row per line with a subject's address (``_pf_hits``: the line's three values and
    their e-mails, NULL unless a subject's), unnested into up to three rows in key order.
    A line's second and third address are a record only when their e-mail differs from
    the earlier keys' (what grouping by line and e-mail did, without the grouping and
    without a copy of the provenance per address). A field's value is the address without
    its angle brackets (substr, as ``regexp_replace(v, '^<(.*)>$', '\\1')`` did: values
    hold no newline).
    """
    joins = " ".join(
        f"LEFT JOIN _pf_subj a{i} ON a{i}.v = t.{col}" for i, (_, col) in enumerate(_ADDR_KEYS)
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _pf_subj AS SELECT v, email FROM _pf_addr "
                "WHERE subject")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pf_hits AS
        SELECT * FROM (
            SELECT t.rowid AS r, t.file, t.record_ref, t."date" AS d,
                   t."from" AS v0, t."to" AS v1, t.orig_to AS v2,
                   a0.email AS e0, a1.email AS e1, a2.email AS e2
            FROM (SELECT rowid, * FROM "{raw_name}" WHERE "from" IS NOT NULL
                  OR "to" IS NOT NULL OR orig_to IS NOT NULL) t {joins})
        WHERE e0 IS NOT NULL OR e1 IS NOT NULL OR e2 IS NOT NULL
    """)
    sink.insert_query("records", None, """
        SELECT file, record_ref, 'maillog_address' AS role, email,
               CAST(d AS DATE) AS last_activity, r, o
        FROM (SELECT r, file, record_ref, d, unnest([1, 2, 3]) AS o,
                     unnest([e0, CASE WHEN e1 IS DISTINCT FROM e0 THEN e1 END,
                             CASE WHEN e2 IS DISTINCT FROM e0 AND e2 IS DISTINCT FROM e1
                                  THEN e2 END]) AS email
              FROM _pf_hits)
        WHERE email IS NOT NULL
    """, order_by="b.r, b.o")
    labels = ", ".join(f"'{k}'" for k, _ in _ADDR_KEYS)
    sink.insert_query("fields", None, f"""
        SELECT file, record_ref, 'email' AS field, label,
               CASE WHEN starts_with(v, '<') AND ends_with(v, '>') AND length(v) >= 2
                    THEN substr(v, 2, length(v) - 2) ELSE v END AS value, r, o
        FROM (SELECT r, file, record_ref, unnest([1, 2, 3]) AS o,
                     unnest([{labels}]) AS label,
                     unnest([CASE WHEN e0 IS NOT NULL THEN v0 END,
                             CASE WHEN e1 IS NOT NULL THEN v1 END,
                             CASE WHEN e2 IS NOT NULL THEN v2 END]) AS v
              FROM _pf_hits)
        WHERE v IS NOT NULL
    """, order_by="b.r, b.o")
    con.execute("DROP TABLE _pf_hits")  # its memory, for the queue summary


#: the queue summary's columns of distinct values (raw column, hash column)
_QUEUE_SETS = ('"from"', '"to"', "orig_to", "relay", "status")
#: SQL function hashing a value for the queue summary's one-value test (a test swaps it)
_QUEUE_HASH = "hash"
_QUEUE_WHERE = "queue_id IS NOT NULL AND queue_id <> 'NOQUEUE' AND starts_with(program, 'postfix')"


def _queue(con, sink: SourceSink, raw_name: str, queue_name: str) -> None:
    """The per-queue-id summary: first line's provenance, first and last time, lines, and
    per column the distinct values, sorted, joined by ', '.

    The distinct values were a string aggregate per queue id and column, most of the
    step, although nearly every queue id has one value per column: now each column's
    values are aggregated as their hashes (min and max, integers), and where they are
    equal the one value is read from the table of distinct values and their hashes
    (``_pf_qdict``). That is exact when no two distinct values share a hash, which is
    checked (else the string aggregates run for every queue id, as before); queue ids
    with two or more values in a column get the string aggregates, over their lines only.
    """
    params = [sink.source, sink.kind, sink.system]
    sets = ", ".join(_distinct(c) + f" AS s{i}" for i, c in enumerate(_QUEUE_SETS))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pf_qdict AS SELECT v, {_QUEUE_HASH}(v) AS h FROM (
            {" UNION ".join(f'SELECT {c} AS v FROM "{raw_name}" WHERE {c} IS NOT NULL'
                            for c in _QUEUE_SETS)})
    """)
    unique = con.execute("SELECT count(*) = count(DISTINCT h) FROM _pf_qdict").fetchone()[0]
    first = ("arg_min(file, rowid) AS file, arg_min(record_ref, rowid) AS record_ref, "
             "arg_min(sha256, rowid) AS sha256, queue_id, arg_min(time, rowid) AS t0, "
             "arg_max(time, rowid) AS t1, CAST(count(*) AS VARCHAR) AS n, min(rowid) AS r0")
    if not unique:  # two values with one hash: the string aggregates for every queue id
        con.execute(f"""
            INSERT INTO "{queue_name}"
            SELECT ?, ?, ?, file, record_ref, sha256, queue_id, t0, t1, n,
                   s0, s1, s2, s3, s4
            FROM (SELECT {first}, {sets} FROM "{raw_name}" WHERE {_QUEUE_WHERE}
                  GROUP BY queue_id)
            ORDER BY r0
        """, params)
        return
    hashes = ", ".join(
        f"min(CASE WHEN {c} IS NOT NULL THEN {_QUEUE_HASH}({c}) END) AS lo{i}, "
        f"max(CASE WHEN {c} IS NOT NULL THEN {_QUEUE_HASH}({c}) END) AS hi{i}"
        for i, c in enumerate(_QUEUE_SETS)
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pf_q AS
        SELECT {first}, {hashes} FROM "{raw_name}" WHERE {_QUEUE_WHERE} GROUP BY queue_id
    """)
    several = " OR ".join(f"lo{i} <> hi{i}" for i in range(len(_QUEUE_SETS)))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _pf_qm AS
        SELECT queue_id, {sets} FROM "{raw_name}"
        WHERE {_QUEUE_WHERE} AND queue_id IN (SELECT queue_id FROM _pf_q WHERE {several})
        GROUP BY queue_id
    """)
    values = ", ".join(
        f"CASE WHEN m.queue_id IS NULL THEN d{i}.v ELSE m.s{i} END"
        for i in range(len(_QUEUE_SETS))
    )
    joins = " ".join(
        f"LEFT JOIN _pf_qdict d{i} ON d{i}.h = q.lo{i}" for i in range(len(_QUEUE_SETS))
    )
    con.execute(f"""
        INSERT INTO "{queue_name}"
        SELECT ?, ?, ?, q.file, q.record_ref, q.sha256, q.queue_id, q.t0, q.t1, q.n, {values}
        FROM _pf_q q LEFT JOIN _pf_qm m ON m.queue_id = q.queue_id {joins}
        ORDER BY q.r0
    """, params)
