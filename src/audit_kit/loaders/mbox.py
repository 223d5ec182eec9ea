"""Source kind ``mbox``: a Unix mailbox file (Thunderbird, Google Takeout, mutt, ...) or an
MMDF mailbox (each message between two lines of four ^A bytes).

The file is memory-mapped and scanned for separator lines, never read into memory.
A separator is a line ``From <token> ...`` at the start of the file or after a newline:
Thunderbird's ``From - Mon Jan 01 00:00:00 2026`` or bare ``From - ``; or a token that
contains ``@`` (``From jane@example.fi Tue ...``; Takeout writes
``From 1844347792267117879@xxx``) or is followed by an asctime-like time, *and* whose
next line is a header field. So an unescaped body line such as ``From Russia with
love`` (mboxo writers do not quote them) does not split a message, and ``>From ``
(mboxrd quoting) never does. A ``Content-Length`` header (SysV/Solaris mboxes) is
trusted when it lands exactly on a separator or the end of the file.

``record_ref`` is ``offset N``: the byte offset of the message's ``From `` line.

Big files are parsed by a process pool over byte ranges split at separators (one
worker per CPU), while this process writes the rows; see ``POOL_MIN_BYTES``.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import re
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from audit_kit.config import SourceConfig
from audit_kit.errors import FileRejected, InputError
from audit_kit.limits import open_input
from audit_kit.loaders import FuzzSeed, LoadResult, SourceKind, input_files, reject_reason
from audit_kit.loaders._mail import (
    _ANY_HEADER,
    _TIME,
    BATCH_MESSAGES,
    CORRESPONDENT,
    DEFAULT_OWN_DOMAINS,
    Correspondents,
    Rows,
    header_end,
    headers,
    parse_headers,
    start_tables,
    write_batch,
)
from audit_kit.loaders._pool import cut_ranges, gc_paused, ordered_map, pool_size
from audit_kit.vocab import ROLE_MAILBOXES
from audit_kit.warehouse import FileRef, SourceSink, raw_table_name

KINDS = (SourceKind(
    "mbox", order=90, reads="Thunderbird/Takeout mbox; MMDF (^A^A^A^A-delimited)",
    notes="streamed, headers + first text part only",
    place={"fi": "sähköpostista", "en": "from the mailbox"},
    roles=(CORRESPONDENT,), demo="audit_kit.demo.mail:write", fixtures=("mail/*.mbox",),
    fuzz=(FuzzSeed("Inbox.mbox", "mail/thunderbird.mbox"),)),)

#: files at least this big are parsed by a process pool (below, start-up costs more)
POOL_MIN_BYTES = 64 * 1024 * 1024
#: the rows are committed every this many messages (see SourceSink.commit_point)
COMMIT_MESSAGES = 50_000
#: a pool task: about this many bytes of mailbox
CHUNK_BYTES = 16 * 1024 * 1024
#: the pool's batches are written this many messages at a time (or more)
WRITE_MESSAGES = 10_000

#: a line starting "From " (a regex, not bytes.find: the regex engine finds its "\n" by
#: memchr, bytes.find's skip loop keys on the needle's last byte, a space)
_FROM_LINE = re.compile(rb"\nFrom ")
#: MMDF's message delimiter: a line of four ^A bytes before and after each message
_MMDF = b"\x01\x01\x01\x01"
_CL = re.compile(rb"^content-length[ \t]*:[ \t]*(\d+)", re.M | re.I)


#: Thunderbird separator lines seen (after "From "): a mailbox repeats a few
_THUNDERBIRD: set[bytes] = set()


def _is_separator(buf: Any, pos: int, size: int) -> bool:
    """Is the line at ``pos`` (starting ``From ``) an mbox separator?"""
    nl = buf.find(b"\n", pos, min(size, pos + 1024))
    if nl < 0:
        return False
    line = buf[pos + 5:nl]
    if line in _THUNDERBIRD:
        return True
    token = line.split(None, 1)[0] if line.strip() else b""
    if token == b"-" and (len(line.split()) == 1 or _TIME.search(line)):
        if len(_THUNDERBIRD) < 1024:
            _THUNDERBIRD.add(line)
        return True  # Thunderbird: "From - " or "From - Mon Jan 01 00:00:00 2026"
    if not (b"@" in token or (token and _TIME.search(line))):
        return False
    return bool(_ANY_HEADER.match(buf[nl + 1:nl + 81]))


def _next_separator(buf: Any, pos: int, size: int) -> int:
    """Offset of the first separator line starting after ``pos``, or ``size``."""
    while True:
        m = _FROM_LINE.search(buf, pos, size)
        if m is None:
            return size
        i = m.start()
        if _is_separator(buf, i + 1, size):
            return i + 1
        pos = i + 1


def _first_separator(buf: Any, size: int) -> int:
    """Offset of the first message's ``From `` line (after a BOM and blank lines)."""
    pos = 3 if buf[:3] == b"\xef\xbb\xbf" else 0
    while pos < size and buf[pos:pos + 1] in (b"\n", b"\r", b" ", b"\t"):
        pos += 1
    if pos >= size:
        return size
    if buf[pos:pos + 4] == _MMDF:
        return pos  # an MMDF mailbox: _parse_mmdf
    if buf[pos:pos + 17] == b"// <!-- <mdb:mork":
        raise InputError(
            "a Thunderbird index file (.msf, Mork), not a mailbox; the mailbox it indexes "
            "holds the messages", place=f"offset {pos}")
    if buf[pos:pos + 5] != b"From ":
        raise InputError(
            "not an mbox file: it does not start with a 'From ' separator line; "
            "for single messages use kind eml", place=f"offset {pos}")
    return pos


def _parse_mmdf(buf: Any, start: int, size: int, limit: int = 0) -> Iterator[Rows]:
    """Rows of an MMDF mailbox: each message between a line of four ^A (Ctrl-A) bytes and
    the next such line, as Python's ``mailbox.MMDF`` reads it (a ``From `` line opening a
    message is its envelope, not a header). ``record_ref`` is the offset of the message's
    opening ^A line. Text between messages is skipped; a last message without its closing
    line ends at the end of the file."""
    rows = Rows()
    pos = start
    while pos < size:
        nl = buf.find(b"\n", pos, size)
        body_from = size if nl < 0 else nl + 1
        close = buf.find(b"\n" + _MMDF, body_from - 1, size)
        end = size if close < 0 else close + 1
        if buf[body_from:body_from + 5] == b"From ":
            eol = buf.find(b"\n", body_from, end)
            body_from = end if eol < 0 else eol + 1
        h_end, b_start = header_end(buf, body_from, end)
        block = buf[body_from:h_end]
        rows.add(parse_headers(buf, body_from, end, f"offset {pos}", h_end, b_start, block,
                               None, in_mbox=True))
        after = buf.find(b"\n", end, size)  # past the closing ^A line
        nxt = buf.find(_MMDF, size if after < 0 else after + 1, size)
        pos = size if nxt < 0 else nxt
        if limit and rows.read >= limit:
            yield rows
            rows = Rows()
    yield rows


def _content_length_end(buf: Any, cl_end: int, nxt: int, size: int) -> int:
    """The message's end given its Content-Length's (``cl_end``) and the scan's (``nxt``):
    the Content-Length's when it lands on a separator (or the end of the file)."""
    if cl_end != nxt and nxt < cl_end <= size:
        k = cl_end
        while k < size and k < cl_end + 2 and buf[k:k + 1] in (b"\n", b"\r"):
            k += 1
        if k >= size:
            return size
        if buf[k:k + 5] == b"From " and _is_separator(buf, k, size):
            return k
    return nxt


def _parse(buf: Any, start: int, stop: int, size: int, limit: int = 0) -> Iterator[Rows]:
    """Rows of the messages whose ``From `` lines lie in ``[start, stop)`` (a batch every
    *limit* messages; 0: one batch). A message ends at the next separator, or where its
    ``Content-Length`` says when that lands on one; its header block is found and read
    once, for the Content-Length and for :func:`parse_headers`."""
    rows = Rows()
    add = rows.add
    pos = start
    while pos < stop:
        nl = buf.find(b"\n", pos, size)
        body_from = size if nl < 0 else nl + 1
        nxt = _next_separator(buf, pos, size)
        h_end, b_start = header_end(buf, body_from, nxt)
        block = buf[body_from:h_end]
        hdr = headers(block)
        if "content-length" in hdr:  # else _CL finds none either: the same lines
            m = _CL.search(buf, body_from, h_end)
            if m:
                scanned = nxt
                nxt = _content_length_end(buf, b_start + int(m.group(1)), nxt, size)
                if nxt != scanned:  # the message is longer: its header block may be too
                    h_end, b_start = header_end(buf, body_from, nxt)
                    block = buf[body_from:h_end]
                    hdr = headers(block)
        add(parse_headers(buf, body_from, nxt, f"offset {pos}", h_end, b_start, block, hdr,
                          in_mbox=True))
        pos = nxt
        if limit and rows.read >= limit:
            yield rows
            rows = Rows()
            add = rows.add
    yield rows


def _parse_range(path: str, start: int, stop: int) -> Rows:
    """Pool task: the rows of the messages whose separators lie in ``[start, stop)``."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf, \
            gc_paused():
        (rows,) = _parse(buf, start, stop, len(buf))
        return rows.arrow()


def _ranges(buf: Any, first: int, size: int) -> list[tuple[int, int]]:
    return cut_ranges(first, size, CHUNK_BYTES, lambda pos: _next_separator(buf, pos, size))


def _batches(path: Path, buf: Any, size: int, workers: int | None) -> Iterator[Rows]:
    """The file's rows, a batch at a time, in file order."""
    first = _first_separator(buf, size)
    if buf[first:first + 4] == _MMDF:
        yield from _parse_mmdf(buf, first, size, BATCH_MESSAGES)
        return
    n = pool_size(workers, size, POOL_MIN_BYTES)
    if n > 1:
        pending: list[Rows] = []
        count = 0
        for _, rows in ordered_map(_task, [(str(path), a, b) for a, b in _ranges(buf, first, size)],
                                n):
            pending.append(rows)
            count += rows.read
            if count >= WRITE_MESSAGES:
                yield Rows.concat(pending)
                pending, count = [], 0
        if pending:
            yield Rows.concat(pending)
        return
    yield from _parse(buf, first, size, size, BATCH_MESSAGES)


def _task(args: tuple[str, int, int]) -> Rows:
    return _parse_range(*args)


def _hash(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file (hashlib drops the GIL: runs beside the parsing); read
    into one reused buffer, not a new 8 MiB bytes per read."""
    h = hashlib.sha256()
    block = bytearray(8 << 20)
    view = memoryview(block)
    size = 0
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(block):
            h.update(view[:n])
            size += n
    return h.hexdigest(), size


def load(
    source: SourceConfig,
    sink: SourceSink,
    *,
    own_domains: tuple[str, ...] = DEFAULT_OWN_DOMAINS,
    role_mailboxes: tuple[str, ...] = tuple(ROLE_MAILBOXES),
    workers: int | None = None,
) -> LoadResult:
    """Load one mbox file, or every file of a folder (each an mbox)."""
    with sink.transaction():  # a batch every 16 MiB: one commit, not three a batch
        return _load(source, sink, own_domains, role_mailboxes, workers)


def _load(source: SourceConfig, sink: SourceSink, own_domains: tuple[str, ...],
          role_mailboxes: tuple[str, ...],
          workers: int | None) -> LoadResult:
    from concurrent.futures import ThreadPoolExecutor

    result = LoadResult(format="mbox")
    since = 0  # messages written since the last commit
    start_tables(sink)
    people = Correspondents(sink, own_domains, role_mailboxes)
    with ThreadPoolExecutor(1) as hasher, _one_thread(sink, workers):
        folder = Path(source.path).is_dir()
        for path in input_files(source.path, rejected=result.rejecter(sink)):
            try:
                fh = open_input(path, sink.limits)
            except FileRejected as exc:
                result.file_rejected(sink, path, exc.message)
                continue
            digest = hasher.submit(_hash, path)
            f: FileRef | None = None
            pending: FileRef | None = None  # the file's rows written before its hash is known
            with fh:
                size = os.fstat(fh.fileno()).st_size
                if size == 0:
                    sink.file(path, sha256=digest.result()[0], size=0)
                    continue
                with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
                    try:
                        for rows in _batches(path, buf, size, workers):
                            if f is None and digest.done():
                                f = _settle(sink, people, path, digest, pending)
                            if f is None and pending is None:
                                pending = sink.pending_file(path, size)
                            write_batch(sink, rows, people, result, f or pending)
                            since += rows.read
                            if since >= COMMIT_MESSAGES:  # memory flat with the mailbox
                                sink.commit_point()
                                since = 0
                    except InputError as exc:
                        if f is None:
                            f = _settle(sink, people, path, digest, pending, size)
                        if not folder:
                            raise InputError(exc.message, file=f.name, place=exc.place) from None
                        result.file_rejected(sink, f, reject_reason(exc))
                        continue
            if f is None:  # the hash came after the last batch, or no messages at all
                _settle(sink, people, path, digest, pending)
    people.write()
    return result


@contextlib.contextmanager
def _one_thread(sink: SourceSink, workers: int | None) -> Iterator[None]:
    """DuckDB on one thread while the batches are written (restored for the aggregation
    after): beside a pool that keeps every CPU busy, a second thread only adds its
    overhead."""
    if workers == 1:
        yield
        return
    (threads,) = sink.con.execute("SELECT current_setting('threads')").fetchone()
    sink.con.execute("SET threads = 1")
    try:
        yield
    finally:
        sink.con.execute(f"SET threads = {int(threads)}")


def _settle(sink: SourceSink, people: Correspondents, path: Path, digest: Future[Any],
            pending: FileRef | None, size: int | None = None) -> FileRef:
    """Register the file once its hash is known (waiting for it); rows written under
    ``pending`` meanwhile get the hash. The hash no longer holds up the first rows: the
    parent writes from the first batch on, beside the hashing (one UPDATE of the rows
    before it, in place: their order stays)."""
    sha, n = digest.result()
    f = sink.file(path, sha256=sha, size=n if size is None else size, pending=pending)
    if pending is not None:
        for table in (sink.source, f"{sink.source}_addresses"):
            sink.con.execute(f'UPDATE "{raw_table_name(table)}" SET sha256 = ? '
                             "WHERE file = ? AND sha256 = ''", [sha, f.name])
        people.rename_file(pending, f)
    return f
