"""Text from the inputs on its way out: CSV cells, JSON, HTML and console lines.

Input files are untrusted, and so are their names: a file name, a zip member name, a
header or a value may hold carriage returns, terminal escape sequences, bidi overrides,
NULs or (on Linux) bytes that are not UTF-8. Everything the audit writes out for people
or for other programs passes through one function here:

=======================  ====================================================================
findings.csv (any CSV)   :func:`write_csv`: every cell through :func:`csv_cell`
manifest, internal.json  :func:`json_text`
report, letters, sheets  :func:`html_text`
stdout and stderr        :func:`echo` (the CLI's errors, warnings and results)
=======================  ====================================================================

What survives and what is shown escaped (:func:`shown`):

- Printable text survives as it is, every script and accent included, and so do TAB
  and LF outside the console (a line break inside a CSV cell is standard CSV: the cell
  is quoted, and csv, DuckDB, pandas and spreadsheets read it as part of the cell).
- Shown as its escape (``\\x1b``, ``\\r``, ``\\u202e``), so an auditor sees it is there:
  the C0 controls other than TAB and LF (CR too: a bare CR ends a row for some CSV
  readers and rewrites a terminal line), DEL, the C1 controls, the bidi formatting
  characters (LRM, RLM, ALM, the embeddings, overrides and isolates: they make a name
  read differently from what it holds) and the line and paragraph separators. A NUL is
  never written: it is shown as ``\\x00``.
- A byte that is not UTF-8 in a file name (Python holds it as a lone surrogate,
  U+DC80-U+DCFF) is shown as the byte, ``\\xe9``; any other lone surrogate as ``\\udXXX``.
- The console also shows TAB and LF escaped: one message is one line.

The escaped form is for reading, not a round trip (a name that holds a backslash and
``x1b`` reads the same); the warehouse keeps every value exactly as read, and JSON
keeps it exactly too, with JSON's own ``\\uXXXX`` escapes.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from html import escape as _html_escape
from pathlib import Path
from typing import Any, TextIO

_HIDDEN = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but TAB and LF, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi formatting characters
    "\u2028\u2029"  # line and paragraph separators
    "\ud800-\udfff"  # lone surrogates (a file name's undecodable bytes)
)
_HIDDEN_RE = re.compile(f"[{_HIDDEN}]")
_HIDDEN_CONSOLE_RE = re.compile(f"[{_HIDDEN}\t\n]")


_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(m: re.Match[str]) -> str:
    c = m.group()
    if c in _SHORT:
        return _SHORT[c]
    n = ord(c)
    if 0xDC80 <= n <= 0xDCFF:  # os.fsdecode's escape of one undecodable byte
        return f"\\x{n - 0xDC00:02x}"
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def shown(text: str) -> str:
    """*text* with control, bidi and undecodable characters shown as escapes.

    >>> shown("a\\rb\\x1b[2J\\u202eX\\tY\\nZ")
    'a\\\\rb\\\\x1b[2J\\\\u202eX\\tY\\nZ'
    """
    return _HIDDEN_RE.sub(_escaped, text)


_UNDECODABLE_RE = re.compile("[\udc80-\udcff]")


def stored_name(name: str) -> str:
    """A file name as the warehouse stores it: each byte that is not UTF-8 (a lone
    surrogate from ``os.fsdecode``) as ``\\xNN``, everything else exact (DuckDB and
    Arrow hold only valid UTF-8)."""
    return _UNDECODABLE_RE.sub(_escaped, name)


def console(text: str) -> str:
    """:func:`shown`, with TAB and LF escaped too: safe to print on a terminal as one line."""
    return _HIDDEN_CONSOLE_RE.sub(_escaped, text)


# -- CSV ---------------------------------------------------------------------------------------

#: OWASP CSV injection: a cell starting with these is a formula to a spreadsheet
_FORMULA = re.compile(r"[=+\-@\t\r]")
#: a signed number (an E.164 phone, ``-5``) is a number, not a formula
_SIGNED_NUMBER = re.compile(r"[+-][0-9 ]+")
#: what a spreadsheet may skip before it sees the ``=`` (spaces, controls, LRM and the like)
_LEADING = re.compile(f"[\\s{_HIDDEN}\u200b\ufeff]*")


def csv_cell(value: Any) -> str:
    """One CSV cell: formula-like text neutralised, hidden characters shown.

    A cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR, also after leading
    white space or control characters, gets a leading ``'`` (OWASP's advice); a signed
    number (``+358401234567``, ``-5``) stays a number. Quoting is the writer's
    (:func:`write_csv`)::

        >>> csv_cell(" =cmd|' /C calc'!A0"), csv_cell("\\x1b[2J"), csv_cell("+358401234567")
        ("' =cmd|' /C calc'!A0", '\\\\x1b[2J', '+358401234567')
    """
    text = "" if value is None else str(value)
    if text[:1] in ("\t", "\r"):
        text = "'" + text
    else:
        rest = text[_LEADING.match(text).end():]
        if _FORMULA.match(rest) and not _SIGNED_NUMBER.fullmatch(rest):
            text = "'" + text
    return shown(text)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a UTF-8 CSV, owner-only (0600): comma, LF rows, cells through :func:`csv_cell`.

    Every cell that holds a comma, a quote or a line break is quoted (a CR never reaches
    the writer: :func:`csv_cell` shows it as ``\\r``), so each row is one record for any
    standard CSV reader.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow([csv_cell(h) for h in header])
        w.writerows([csv_cell(v) for v in row] for row in rows)


# -- JSON and HTML -----------------------------------------------------------------------------

def json_text(obj: Any, **kw: Any) -> str:
    """``json.dumps`` readable (UTF-8, indented) with every hidden character as a JSON
    ``\\uXXXX`` escape: exact values, nothing raw. Ends with a newline."""
    text = json.dumps(obj, ensure_ascii=False, indent=2, **kw)
    # outside strings JSON is ASCII, so these characters can only be inside strings
    return _HIDDEN_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def html_text(value: Any) -> str:
    """HTML-escaped (quotes too) with hidden characters shown (:func:`shown`)."""
    return _html_escape(shown("" if value is None else str(value)))


# -- console -----------------------------------------------------------------------------------


def echo(text: str, *, err: bool = False, file: TextIO | None = None) -> None:
    """Print one message (on stdout, or stderr with *err*) as one safe line.

    Escape sequences, CRs and bidi overrides in a file name are shown escaped, not acted
    on by the terminal; text the stream cannot encode is backslash-escaped, not an error.
    """
    stream = file or (sys.stderr if err else sys.stdout)
    line = console(text)
    enc = getattr(stream, "encoding", None) or "utf-8"
    line = line.encode(enc, "backslashreplace").decode(enc)
    print(line, file=stream)
