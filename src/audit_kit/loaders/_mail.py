"""Shared e-mail reading for the mbox, maildir and eml loaders.

Mailboxes are years of mail, so nothing here parses a whole message with the stdlib
``email`` package (that builds a tree of every MIME part and decodes attachments).
Instead a message is a byte range ``[start, end)`` of a buffer (an ``mmap`` of the
mailbox, or a file's bytes):

* the header block (up to the first empty line) is searched with one regular
  expression for just the fields the audit needs: From, To, Cc, Reply-To, Date,
  Message-ID, Subject, and Content-Type / Content-Transfer-Encoding / Content-Length;
* only those few values go through ``email.utils.getaddresses``,
  ``email.header.decode_header`` (RFC 2047) and a date parser;
* for phone numbers in signatures and possible personal identity codes in the text,
  the first ``text/plain`` part is located by scanning for MIME boundary lines
  (``bytes.find``), and only that part is decoded (quoted-printable or base64, then its
  charset). Attachments are skipped unread. A code found there is a ``hetu`` field of the
  message (label ``message body``, the value masked), for the minimisation rule (§5).
* the signs of bulk mailing the no-newsletter rule reads (statement §6), as ``signs`` rows
  labelled with the sender's address: a List-Unsubscribe header, Precedence: bulk (or
  list), and the number of To/Cc recipients on another domain than the sender's.

The subject is kept only as a SHA-256 and a length, never as text.

:func:`parse_message` returns a :class:`Parsed` tuple, which is plain data so a
process pool can send it back cheaply (see :mod:`audit_kit.loaders.mbox`).
:class:`Correspondents` folds messages into one entry per address, and
:func:`write_message` / :meth:`Correspondents.write` hold the table layout shared by
the three loaders.
"""

from __future__ import annotations

import binascii
import datetime as dt
import functools
import hashlib
import re
from collections.abc import Iterable
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any, NamedTuple

import pyarrow as pa

from audit_kit import normalise, normalise_sql
from audit_kit.limits import open_input
from audit_kit.loaders import LoadResult, Role
from audit_kit.safe_output import stored_name
from audit_kit.vocab import ROLE_MAILBOXES
from audit_kit.warehouse import FileRef, SourceSink

#: the role of every address the mail kinds load (mbox, maildir, eml)
CORRESPONDENT = Role("correspondent", "e-mail correspondent; last_activity = latest message")

#: the organisation's own mail domains (statement §2: staff there are not data subjects)
#: come from the run context (the pipeline passes the policy's); a bare loader has none
DEFAULT_OWN_DOMAINS: tuple[str, ...] = ()

#: the text/plain part is decoded up to this many bytes (a signature sits near its start
#: in a fresh message, or before the quoted text in a reply)
TEXT_CAP = 256 * 1024

ADDRESS_ROLES = ("from", "to", "cc", "reply-to")

MESSAGE_COLUMNS = (
    "date", "date_note", "message_id", "subject_sha256", "subject_len",
    "n_addresses", "content_type", "signature_phones", "maildir_folder", "maildir_flags",
)
ADDRESS_COLUMNS = ("message_ref", "role", "display_name", "address", "email")
CORRESPONDENT_COLUMNS = (
    "email", "first_seen", "last_seen", "messages", "display_names", "latest_ref",
    "phone", "excluded",
)

# -- header block ------------------------------------------------------------------------

_HEADER = re.compile(
    rb"^(from|to|cc|reply-to|date|message-id|subject|content-type|"
    rb"content-transfer-encoding|content-length|content-disposition|list-unsubscribe|"
    rb"precedence)[ \t]*:"
    rb"([^\n]*(?:\n[ \t][^\n]*)*)",
    re.M | re.I,
)
#: a line that looks like a header field (RFC 5322 field name, then a colon)
_ANY_HEADER = re.compile(rb"[!-9;-~]+[ \t]*:")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_TIME = re.compile(rb"\d\d?:\d\d")


def header_end(buf: Any, start: int, end: int) -> tuple[int, int]:
    """(end of the header block, start of the body) within ``[start, end)``."""
    i = buf.find(b"\n\n", start, end)
    j = buf.find(b"\n\r\n", start, end if i < 0 else i)
    if j >= 0:
        return j + 1, j + 3
    if i >= 0:
        return i + 1, i + 2
    if start < end and buf[start:start + 1] == b"\n":  # no headers at all, body follows
        return start, start + 1
    if start + 1 < end and buf[start:start + 2] == b"\r\n":
        return start, start + 2
    return end, end


#: a byte that is not UTF-8, as ``surrogateescape`` decodes it / any other non-ASCII
_BAD_BYTE = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")


def _text(raw: bytes) -> str:
    """Header bytes as text: RFC 6532 UTF-8; UTF-8 with U+FFFD for the odd bad byte when
    the value is UTF-8 but for a few bytes (a name cut mid-character by a client); else
    Latin-1 (raw 8-bit from old clients: Latin-1 text hardly ever forms UTF-8 sequences).
    Decoding such a value wholly as Latin-1 turned every UTF-8 character into two, in the
    name and in an RFC 6532 address alike."""
    if b"\x00" in raw:
        raw = raw.replace(b"\x00", b"")
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError:
        loose = raw.decode("utf-8", errors="surrogateescape")
        good = len(_NON_ASCII.findall(loose))
        if good and good >= len(_BAD_BYTE.findall(loose)):
            s = raw.decode("utf-8", errors="replace")
        else:
            s = raw.decode("latin-1")
    return (_FOLD.sub("", s) if "\n" in s else s).strip()


#: :data:`_HEADER` on text (ASCII-only case folding: a ``str`` pattern would also take
#: U+017F for "s")
_HEADER_TEXT = re.compile(_HEADER.pattern.decode("ascii"), re.M | re.I | re.A)


def headers(block: bytes) -> dict[str, str]:
    """The needed header fields of a header block, first occurrence wins, unfolded."""
    out: dict[str, str] = {}
    if b"\x00" not in block:
        # the usual block: all UTF-8, so each value is too (its ends are ASCII bytes);
        # one decode for the block instead of one a value
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            for name, value in _HEADER_TEXT.findall(text):
                key = name.lower()
                if key not in out:
                    out[key] = (_FOLD.sub("", value) if "\n" in value else value).strip()
            return out
    for name, value in _HEADER.findall(block):
        key = name.lower().decode("ascii")
        if key not in out:
            out[key] = _text(value)
    return out


#: a value made of nothing but encoded words (the usual name or subject)
_ONLY_WORDS = re.compile(r"=\?[^?\s*]+\?[bBqQ]\?[^?\s]*\?=(?:\s+=\?[^?\s*]+\?[bBqQ]\?[^?\s]*\?=)*")
_WORD = re.compile(r"=\?([^?\s*]+)\?([bBqQ])\?([^?\s]*)\?=")
#: a Q-encoded '=' that is not an escape (the stdlib keeps it; binascii would not)
_Q_ODD = re.compile(r"=(?![0-9A-Fa-f]{2})")


def _words_fast(s: str) -> str | None:
    """``s`` decoded when it is only encoded words in one charset, all well-formed; None
    sends every other case to the stdlib. Same result as ``email.header`` (the adjacent
    words' bytes joined, then decoded strictly), at a tenth of its cost: every message has
    a subject and most names are encoded."""
    if not s.isascii() or not _ONLY_WORDS.fullmatch(s):  # raw 8-bit inside: the stdlib's
        return None
    words = _WORD.findall(s)
    charset = words[0][0].lower()
    chunks = []
    for cs, enc, text in words:
        if cs.lower() != charset:
            return None
        if enc in "qQ":
            if _Q_ODD.search(text):
                return None
            chunks.append(binascii.a2b_qp(text, header=True))
        else:
            try:
                chunks.append(binascii.a2b_base64(text + "==="[:(4 - len(text) % 4) % 4]))
            except (binascii.Error, ValueError):
                return None
    try:
        return b"".join(chunks).decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None


def decode_words(s: str) -> str:
    """RFC 2047 encoded words decoded (unknown charsets fall back to Latin-1)."""
    if "=?" not in s:
        return s
    fast = _words_fast(s)
    if fast is not None:
        return fast
    try:
        parts = decode_header(s)
    except Exception:  # malformed encoded word: keep the text as written
        return s
    try:
        return str(make_header(parts))
    except Exception:  # unknown charset label or bad bytes for it
        out = []
        for chunk, charset in parts:
            if isinstance(chunk, str):
                out.append(chunk)
                continue
            try:
                out.append(chunk.decode(charset or "ascii"))
            except LookupError:  # unknown charset label: Latin-1 maps every byte
                out.append(chunk.decode("latin-1"))
            except UnicodeDecodeError:  # bytes wrong for the declared charset: mark, never guess
                out.append(chunk.decode(charset or "ascii", errors="replace"))
        return "".join(out)


_SIMPLE_ADDR = re.compile(r'^\s*(?:"([^"\\]*)"|([^",<>()@:;\\]*?))\s*<([^<>\s,;"()]+)>\s*$')
_BARE_ADDR = re.compile(r"^\s*<?([^\s<>,;\"()]+@[^\s<>,;\"()]+)>?\s*$")


def addresses(value: str) -> list[tuple[str, str]]:
    """(display name, address) pairs of an address header, names RFC 2047-decoded."""
    m = _BARE_ADDR.match(value)
    if m:
        return [("", m.group(1))]
    m = _SIMPLE_ADDR.match(value)
    if m:
        pairs = [(m.group(1) if m.group(1) is not None else m.group(2), m.group(3))]
    else:
        try:
            pairs = getaddresses([value])
        except Exception:  # the stdlib parser gave up on a broken header
            return []
    return [(_name(n), a.strip()) for n, a in pairs if n or a]


_NAMES: dict[str, str] = {}


def _name(raw: str) -> str:
    """A display name RFC 2047-decoded and trimmed; cached (a mailbox has few names, most
    of them encoded)."""
    got = _NAMES.get(raw)
    if got is None:
        if len(_NAMES) > 65536:
            _NAMES.clear()
        got = _NAMES[raw] = decode_words(raw).strip()
    return got


_ADDRESSES: dict[str, tuple[tuple[str, str, str | None], ...]] = {}


def _addresses(value: str) -> tuple[tuple[str, str, str | None], ...]:
    """(name, address, normalised e-mail) of an address header; cached, as the same
    correspondents write again and again."""
    got = _ADDRESSES.get(value)
    if got is None:
        if len(_ADDRESSES) > 65536:
            _ADDRESSES.clear()
        got = _ADDRESSES[value] = tuple(
            (name, addr, normalise.email(addr)) for name, addr in addresses(value))
    return got


_Roled = tuple[tuple[str, str, str, str | None], ...]  # role, name, address, e-mail
_ROLE_ADDRESSES: dict[tuple[str, str], tuple[_Roled, bool]] = {}


def _role_addresses(role: str, value: str) -> tuple[_Roled, bool]:
    """(role, name, address, e-mail) of each address of a header, and whether any is an
    e-mail address; cached like :func:`_addresses`."""
    got = _ROLE_ADDRESSES.get((role, value))
    if got is None:
        if len(_ROLE_ADDRESSES) > 65536:
            _ROLE_ADDRESSES.clear()
        pairs = tuple((role, *a) for a in _addresses(value))
        got = _ROLE_ADDRESSES[role, value] = (pairs, any(a[3] for a in pairs))
    return got


# -- dates ---------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH_DIGITS = {m: f"{i:02d}" for m, i in _MONTHS.items()}
_RFC_DATE = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d\d)(?::(\d\d))?"
    r"\s*([+-]\d{4})?"
)


@functools.lru_cache(maxsize=256)
def _zone(zone: str) -> dt.timezone:
    """The fixed offset of a ``+hhmm`` zone (a mailbox has a handful: cached)."""
    sign = -1 if zone[0] == "-" else 1
    return dt.timezone(sign * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:])))


def parse_date(value: str | None) -> tuple[dt.datetime | None, str]:
    """(datetime, "") for a usable Date header, else (None, a note saying why)."""
    if not value:
        return None, "no Date header"
    when: dt.datetime | None = None
    m = _RFC_DATE.match(value)
    if m:
        d, mon, y, hh, mm, ss, zone = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is not None:
            try:
                tz = _zone(zone) if zone else dt.UTC
                when = dt.datetime(int(y), month, int(d), int(hh), int(mm), int(ss or 0), tzinfo=tz)
            except ValueError:
                when = None
    if when is None:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None, "Date header not parseable"
        if when is None:
            return None, "Date header not parseable"
    if not 1970 <= when.year <= 2100:
        return None, "Date header has an implausible year"
    return when, ""


@functools.lru_cache(maxsize=256)
def _zone_suffix(zone: str | None) -> str | None:
    """``isoformat()``'s offset of a ``+hhmm`` zone (None: one datetime cannot hold)."""
    try:
        return dt.datetime(2000, 1, 1, tzinfo=_zone(zone) if zone else dt.UTC).isoformat()[19:]
    except ValueError:
        return None


def date_strings(value: str | None) -> tuple[str | None, str | None, str]:
    """(ISO 8601 date-time, ISO day, note) of a Date header: :func:`parse_date`'s
    ``isoformat()`` and ``date().isoformat()``, the usual RFC 5322 date written from its
    own digits (a datetime and two isoformat calls per message cost more than the rest of
    the date). ASCII only: ``\\d`` also takes other scripts' digits, which int() reads
    and isoformat() writes as ASCII."""
    if value and value.isascii():
        m = _RFC_DATE.match(value)
        if m:
            d, mon, y, hh, mm, ss, zone = m.groups()
            month = _MONTH_DIGITS.get(mon.lower())
            suffix = _zone_suffix(zone)
            if len(d) == 1:
                d = "0" + d
            if len(hh) == 1:
                hh = "0" + hh
            if ss is None:
                ss = "00"
            # two-digit (four for the year) strings compare as their numbers
            if (month is not None and suffix is not None and "1970" <= y <= "2100"
                    and "01" <= d <= "28" and hh < "24" and mm < "60" and ss < "60"):
                day = y + "-" + month + "-" + d
                return day + "T" + hh + ":" + mm + ":" + ss + suffix, day, ""
    when, note = parse_date(value)
    if when is None:
        return None, None, note
    return when.isoformat(), when.date().isoformat(), note


# -- the first text/plain part -------------------------------------------------------------

_PARAM_CACHE: dict[str, dict[str, str]] = {}


def _ctype(value: str | None) -> tuple[str, str, str]:
    """(mime type, boundary, charset) of a Content-Type value."""
    if not value:
        return "text/plain", "", ""
    cached = _PARAM_CACHE.get(value)
    if cached is None:
        msg = Message()
        try:
            msg["Content-Type"] = value
            cached = {
                "type": msg.get_content_type(),
                "boundary": msg.get_boundary() or "",
                "charset": msg.get_content_charset() or "",
            }
        except Exception:  # a header the stdlib cannot even tokenise
            cached = {"type": "text/plain", "boundary": "", "charset": ""}
        if len(_PARAM_CACHE) > 4096:
            _PARAM_CACHE.clear()
        _PARAM_CACHE[value] = cached
    return cached["type"], cached["boundary"], cached["charset"]


def _decode_part(raw: bytes, cte: str, charset: str) -> str:
    cte = cte.strip().lower()
    try:
        if cte == "quoted-printable":
            raw = binascii.a2b_qp(raw)
        elif cte == "base64":
            raw = binascii.a2b_base64(raw)
    except (binascii.Error, ValueError):
        pass  # keep the undecoded bytes; a signature may still be readable
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")


_PART_HEADER = re.compile(
    rb"^(content-type|content-transfer-encoding|content-disposition)[ \t]*:"
    rb"([^\n]*(?:\n[ \t][^\n]*)*)",
    re.M | re.I,
)


def first_text(buf: Any, start: int, end: int, hdr: dict[str, str], depth: int = 0) -> str | None:
    """The decoded first text/plain part of the entity at ``[start, end)`` (the body)."""
    ctype, boundary, charset = _ctype(hdr.get("content-type"))
    disposition = hdr.get("content-disposition", "").lower()
    if ctype == "text/plain" and not disposition.startswith("attachment"):
        return _decode_part(buf[start:min(end, start + TEXT_CAP)],
                            hdr.get("content-transfer-encoding", ""), charset)
    if not ctype.startswith("multipart/") or not boundary or depth > 8:
        return None
    delim = b"--" + boundary.encode("latin-1", errors="replace")
    # the first delimiter line (at the body start or after a newline)
    if buf[start:start + len(delim)] == delim:
        pos = start
    else:
        pos = buf.find(b"\n" + delim, start, end)
        if pos < 0:
            return None
        pos += 1
    while pos < end:
        line_end = buf.find(b"\n", pos, end)
        if line_end < 0:
            return None
        if buf[pos + len(delim):pos + len(delim) + 2] == b"--":  # closing delimiter
            return None
        part_start = line_end + 1
        nxt = buf.find(b"\n" + delim, part_start, end)
        part_end = end if nxt < 0 else nxt
        h_end, b_start = header_end(buf, part_start, part_end)
        part_hdr = {
            k.lower().decode("ascii"): _text(v)
            for k, v in reversed(_PART_HEADER.findall(buf[part_start:h_end]))
        }
        text = first_text(buf, b_start, part_end, part_hdr, depth + 1)
        if text is not None:
            return text
        if nxt < 0:
            return None
        pos = nxt + 1
    return None


# -- phone numbers in a signature ------------------------------------------------------------

_QUOTE = (
    r"(>|-+ ?(original message|alkuperäinen viesti|forwarded message)|"
    r"(on|le|am|\d{1,2}\.\d{1,2}\.\d{4}) .*(wrote|kirjoitti|schrieb|a écrit)\s*:?\s*$|"
    r"(from|lähettäjä|lähetetty|sent):\s)"
)
_QUOTE_START = re.compile(_QUOTE, re.I)
#: where a reply's quoted message starts: "\n>", "-----", and these four, each found from
#: its colon (``str.find`` of one character is a memchr, not a substring search per
#: marker over every text)
_COLON_MARKS = (("wrote:", 5), ("kirjoitti:", 9), ("\nFrom: ", 5), ("\nLähettäjä: ", 10))
#: a phone-number candidate in a message text (no group: ``findall`` gives whole candidates)
_PHONE_WHOLE = re.compile(r"(?<![\w+])(?:\+|\(?0)[\d ()\-./]{5,22}\d(?!\w)")
_DATE_LIKE = re.compile(r"^\d{1,2}\.\d{1,2}\.(\d{2}|\d{4})$")
_PHONES: dict[str, str | None] = {}
_MBOX_QUOTED = re.compile(r"^>(>*From )", re.M)


def _own_end(text: str) -> int:
    """Offset of the line where the quoted or forwarded message starts (or the end):
    the line of the first of "\n>" (the line after its newline), "wrote:",
    "kirjoitti:", "-----", "\nFrom: ", "\nLähettäjä: "."""
    if text.startswith(">"):
        return 0
    end = first = len(text)
    find = text.find
    p = find(">")
    while p >= 0:
        if p > 0 and text[p - 1] == "\n":
            first = p - 1
            break
        p = find(">", p + 1)
    p = find("-----", 0, first)
    if p >= 0:
        first = p
    p = find(":", 0, first)
    while p >= 0:
        for mark, k in _COLON_MARKS:
            i = p - k
            if 0 <= i < first and text.startswith(mark, i):
                first = i
        p = find(":", p + 1, first)
    if first == end:
        return end
    if text[first] == "\n":
        return first + 1
    return text.rfind("\n", 0, first) + 1


def signature(text: str) -> list[str]:
    """The signature lines of a text part: up to 15 lines after a ``-- `` line, else
    the last 8 non-empty lines of the author's own text (before the quoted message)."""
    own_end = _own_end(text)
    if text.startswith(("-- \n", "--\n", "-- \r\n", "--\r\n")):
        sig_at = 0
    else:
        sig_at = -1
        i = text.find("\n--", 0, own_end)
        while i >= 0:
            rest = text[i + 3:i + 6]
            if rest.startswith(("\n", " \n", "\r\n", " \r\n")) or not rest:
                sig_at = i + 1
                break
            i = text.find("\n--", i + 3, own_end)
    if sig_at >= 0:
        sig = []
        for s in text[sig_at:sig_at + 2000].replace("\r", "").split("\n")[1:16]:
            if _QUOTE_START.match(s.strip()):
                break
            sig.append(s)
        return sig
    tail = text[max(0, own_end - 1200):own_end].replace("\r", "").split("\n")
    return [s for s in tail if s.strip()][-8:]


def _phone(raw: str) -> str | None:
    e164 = _PHONES.get(raw, "")
    if e164 == "":
        if len(_PHONES) > 65536:
            _PHONES.clear()
        e164 = _PHONES[raw] = normalise.phone(raw)
    return e164


def signature_phones(text: str | None) -> list[tuple[str, str]]:
    """(raw text, E.164) of each distinct phone number in the signature of a text."""
    if not text:
        return []
    if ">From " in text:  # mbox quoting of body lines, not a quoted reply
        text = _MBOX_QUOTED.sub(r"\1", text)
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    # the lines joined: a candidate holds no newline, and a newline is neither a word
    # character nor "+" for the look-arounds, so the same matches as line by line
    lines = "\n".join(signature(text))
    if "0" not in lines and "+" not in lines:  # every candidate starts "+", "0" or "(0"
        return out
    for raw in _PHONE_WHOLE.findall(lines):
        raw = raw.strip()
        if _DATE_LIKE.match(raw):
            continue
        e164 = _phone(raw)
        if e164 and e164 not in seen:
            seen.add(e164)
            out.append((raw, e164))
    return out[:4]


# -- one message ---------------------------------------------------------------------------


class Parsed(NamedTuple):
    """What the audit keeps of one message (plain data, picklable)."""

    ref: str
    reject: str  # a reason, or "" for a loaded message
    date: str | None  # ISO 8601 with the writer's zone
    day: str | None  # ISO date (as written, in the writer's zone)
    date_note: str
    message_id: str
    subject_sha256: str
    subject_len: int
    content_type: str
    addresses: tuple[tuple[str, str, str, str | None], ...]  # role, name, address, email
    phones: tuple[tuple[str, str], ...]  # (raw, E.164) from the From address's signature
    #: possible personal identity codes in the first text part (normalise.find_hetus)
    hetus: tuple[str, ...] = ()
    #: bulk-mail headers present: "list-unsubscribe", "precedence-bulk"
    bulk: tuple[str, ...] = ()


#: lines of nothing but spaces and tabs (not empty: an empty line ends the header block)
_BLANKISH = re.compile(rb"(?:[ \t]+\r?\n)+")

#: a message needs at least one of these to be one
_IDENTIFYING = frozenset(("from", "to", "cc", "reply-to", "date", "message-id", "subject"))


def parse_message(
    buf: Any, start: int, end: int, ref: str, *, skip_envelope: bool = False,
    in_mbox: bool = False,
) -> Parsed:
    """Parse the message at ``buf[start:end]`` (no mbox ``From `` line unless told)."""
    if skip_envelope and buf[start:start + 5] == b"From ":
        nl = buf.find(b"\n", start, end)
        start = end if nl < 0 else nl + 1
    h_end, b_start = header_end(buf, start, end)
    return parse_headers(buf, start, end, ref, h_end, b_start, buf[start:h_end], None,
                         in_mbox=in_mbox)


def parse_headers(
    buf: Any, start: int, end: int, ref: str, h_end: int, b_start: int, block: bytes,
    hdr: dict[str, str] | None, *, in_mbox: bool = False,
) -> Parsed:
    """:func:`parse_message` once the header block ``block`` (``buf[start:h_end]``, the
    body from ``b_start``) is found; ``hdr``: its :func:`headers` if already read."""
    # lines of only spaces or tabs before the first field: Python's parser reads on (a
    # FirstHeaderLineIsContinuationDefect), so does this
    first = _BLANKISH.match(block)
    if first:
        block = block[first.end():]
    if not block.strip(b"\x00\r\n\t ") or not _ANY_HEADER.match(block.lstrip(b"\xef\xbb\xbf\x00")):
        # no header at all (an empty line first, or text that is no field): Python's
        # parser makes it a message of body only (MissingHeaderBodySeparatorDefect); with
        # no address it is no correspondence: read, and rejected with this reason
        return Parsed(ref, "no header fields: not an e-mail message", None, None, "", "", "", 0,
                      "", (), ())
    if in_mbox and h_end == end == len(buf) and buf[end - 1:end] != b"\n":
        # the mailbox file stops mid-line inside this message's header: a cut-off export
        return Parsed(ref, "truncated: the file ends inside the message header", None, None,
                      "", "", "", 0, "", (), ())
    if hdr is None:
        hdr = headers(block)
    if hdr.keys().isdisjoint(_IDENTIFYING):
        return Parsed(ref, "none of the headers From, To, Cc, Reply-To, Date, Message-ID, Subject",
                      None, None, "", "", "", 0, "", (), ())
    when, day, note = date_strings(hdr.get("date"))
    subject = decode_words(hdr.get("subject", ""))
    subj_sha = ""
    if "subject" in hdr:
        subj_sha = hashlib.sha256(subject.encode("utf-8", errors="replace")).hexdigest()
    addrs: tuple[tuple[str, str, str, str | None], ...] = ()
    sender = False  # a From address that is an e-mail address
    for role in ADDRESS_ROLES:
        value = hdr.get(role)
        if value:
            got, emails = _role_addresses(role, value)
            addrs += got
            sender = sender or (emails and role == "from")
    phones: tuple[tuple[str, str], ...] = ()
    hetus: tuple[str, ...] = ()
    try:
        text = first_text(buf, b_start, end, hdr)
    except Exception:  # a broken MIME structure only costs the signature and the scan
        text = None
    if text:
        if sender:
            try:
                phones = tuple(signature_phones(text))
            except Exception:
                phones = ()
        if normalise._HETU_CANDIDATE.search(text):
            hetus = tuple(dict.fromkeys(normalise.find_hetus(text)))
    bulk = tuple(sign for sign, there in (
        ("list-unsubscribe", "list-unsubscribe" in hdr),
        ("precedence-bulk", hdr.get("precedence", "").strip().lower() in ("bulk", "list")),
    ) if there)
    return Parsed(
        ref, "",
        when, day, note,
        hdr.get("message-id", "").strip(),
        subj_sha, len(subject) if "subject" in hdr else 0,
        _ctype(hdr.get("content-type"))[0],
        addrs, phones, hetus, bulk,
    )


# -- correspondents --------------------------------------------------------------------------


class Correspondents:
    """One entry per address of a source: first/last seen, count, names, latest message.

    Computed set-based at the end of the load: every batch of messages appends one row
    per (message, address) to a temporary staging table (:meth:`merge`), and :meth:`write`
    aggregates it in DuckDB (no Python object per address, pickled from the pool workers
    and merged in the parent). The rules are those of reading the messages one by one, in
    file order:

    * the first occurrence of an address in a message counts (From before To, Cc,
      Reply-To), later ones in the same message are ignored;
    * "latest" is by the Date header's day; ties and undated messages: the later one read
      wins, and a dated message always beats an undated one;
    * the display name is the latest one given (undated counts as oldest), the names
      list the first 20 distinct ones in reading order;
    * signature phones come from messages the address sent (From): the phone of the
      latest such message, and every distinct number with the raw text last seen for it.
    """

    def __init__(self, sink: SourceSink, own_domains: Iterable[str] = DEFAULT_OWN_DOMAINS,
                 role_mailboxes: Iterable[str] = ROLE_MAILBOXES):
        self.sink = sink
        self.own = tuple(d.lower().lstrip("@") for d in own_domains)
        self.roles = sorted({r.lower() for r in role_mailboxes})
        self.table = f"_ak_corr_{abs(hash(sink.source)):x}"
        self.seq = 0
        # a batch's file as a number into self.files, not a name and a 64-character hash
        # on every staged row
        self.files: dict[tuple[str, str], int] = {}
        sink.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self.table} (seq BIGINT, fidx INTEGER, "
            "file VARCHAR, sha256 VARCHAR, ref VARCHAR, day VARCHAR, role VARCHAR, "
            "name VARCHAR, email VARCHAR, e164 VARCHAR[], raw VARCHAR[])"
        )

    def merge(self, rows: Rows, f: FileRef | None = None) -> None:
        """Stage the address rows of a batch read after the previous ones (``f``: the
        file of them all, unless the rows are per file)."""
        cols = rows.stage
        if not len(cols[0]):
            self.seq += rows.read
            return
        batch = pa.Table.from_arrays(rows.arrow().stage, names=list(_STAGE_COLUMNS))
        con = self.sink.con
        con.register("_ak_corr_batch", batch)
        try:
            fidx = None if f is None else self.files.setdefault((f.name, f.sha256),
                                                                  len(self.files))
            con.execute(
                f"INSERT INTO {self.table} SELECT seq + ?, ?, file, sha256, ref, day, role, "
                "name, email, e164, raw FROM _ak_corr_batch", [self.seq, fidx])
        finally:
            con.unregister("_ak_corr_batch")
        self.seq += rows.read

    def rename_file(self, old: FileRef, new: FileRef) -> None:
        """The rows staged for ``old`` (a provisional file: an mbox written while it was
        still being hashed) are ``new``'s."""
        key, new_key = (old.name, old.sha256), (new.name, new.sha256)
        if key not in self.files:
            return
        if new_key in self.files:  # the same file twice: its first number, the old unused
            self.sink.con.execute(f"UPDATE {self.table} SET fidx = ? WHERE fidx = ?",
                                  [self.files[new_key], self.files[key]])
            return
        # in place: a file's number is its position (see write)
        self.files = {new_key if k == key else k: v for k, v in self.files.items()}

    def _excluded_sql(self) -> tuple[str, list[str]]:
        """SQL saying why ``email`` is not a data subject ("" when it is one): its domain
        (after the last ``@``) is an own domain or a subdomain of one, else its local part
        is a role mailbox (the run context's list, :data:`audit_kit.vocab.ROLE_MAILBOXES`
        by default)."""
        own = " OR ".join(["(domain = ? OR ends_with(domain, ?))"] * len(self.own)) or "false"
        params = [v for d in self.own for v in (d, "." + d)]
        roles = ", ".join(["?"] * len(self.roles)) or "NULL"
        return (f"CASE WHEN {own} THEN 'own domain' WHEN local IN ({roles}) "
                "THEN 'role address' ELSE '' END", [*params, *self.roles])

    def write(self) -> int:
        """Raw correspondents table, then a record (+ fields) per external address."""
        con, t = self.sink.con, self.table
        why, params = self._excluded_sql()
        names = [n for n, _ in self.files]
        con.register("_ak_corr_files", pa.table({
            "fidx": pa.array(range(len(names)), type=pa.int32()),
            "name": pa.array(names, type=pa.string()),
            "sha256": pa.array([h for _, h in self.files], type=pa.string()),
        }))
        try:
            self._aggregate(why, params)
        finally:
            con.unregister("_ak_corr_files")
        n = self._write_rows()
        con.execute(f"DROP TABLE IF EXISTS {t}_agg")
        con.execute(f"DROP TABLE IF EXISTS {t}")
        return n

    def _aggregate(self, why: str, params: list[str]) -> None:
        """``<table>_agg``: one row per address with its latest message's provenance."""
        con, t = self.sink.con, self.table
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {t}_agg AS
            WITH a AS (
                SELECT email,
                    min(day) AS first_seen, max(day) AS last_seen, count(*) AS messages,
                    arg_max({{'ref': ref, 'fidx': fidx, 'file': file, 'sha256': sha256,
                              'role': role}},
                            (day IS NOT NULL, coalesce(day, ''), seq)) AS latest,
                    arg_max(name, (coalesce(day, ''), seq)) FILTER (WHERE name <> '') AS name,
                    arg_max(e164[1], (coalesce(day, ''), seq))
                        FILTER (WHERE role = 'from' AND len(e164) > 0) AS phone
                FROM {t} GROUP BY email
            ), n AS (
                SELECT email, string_agg(name, ' | ' ORDER BY first) AS names FROM (
                    SELECT email, name, min(seq) AS first FROM {t} WHERE name <> ''
                    GROUP BY email, name
                    QUALIFY row_number() OVER (PARTITION BY email ORDER BY first) <= 20
                ) GROUP BY email
            ), d AS (
                SELECT *,
                    CASE WHEN contains(email, '@') THEN regexp_extract(email, '@([^@]*)$', 1)
                         ELSE email END AS domain,
                    CASE WHEN contains(email, '@') THEN regexp_extract(email, '^(.*)@[^@]*$', 1)
                         ELSE '' END AS local
                FROM a
            )
            SELECT d.email, d.first_seen, d.last_seen, d.messages, coalesce(n.names, '') AS names,
                d.latest.ref AS ref, coalesce(d.latest.file, cf.name) AS file,
                coalesce(d.latest.sha256, cf.sha256) AS sha256,
                d.latest.role AS role, d.name, d.phone, {why} AS excluded
            FROM d LEFT JOIN n USING (email) LEFT JOIN _ak_corr_files cf ON cf.fidx = d.latest.fidx
        """, params)

    def _write_rows(self) -> int:
        """Raw correspondents, records and fields from ``<table>_agg``; the records."""
        sink, con, t = self.sink, self.sink.con, self.table
        # straight from the aggregate into the tables, never through Python (an Arrow copy
        # would grow with the correspondents)
        sink.raw_table(CORRESPONDENT_COLUMNS, table="correspondents")
        sink.insert_query("raw", None, f"""
            SELECT file, sha256, ref AS record_ref, email, first_seen, last_seen,
                CAST(messages AS VARCHAR) AS messages, names AS display_names,
                ref AS latest_ref, phone, excluded
            FROM {t}_agg""", order_by="b.email", raw="correspondents")
        n = sink.insert_query("records", None, f"""
            SELECT file, sha256, ref AS record_ref, 'correspondent' AS role,
                nullif(name, '') AS person_name, email, phone,
                CAST(last_seen AS DATE) AS last_activity,
                'messages=' || messages || '; first_seen=' || coalesce(first_seen, '') AS detail
            FROM {t}_agg WHERE excluded = ''""", order_by="b.email")
        # the number type of Finnish numbers in SQL (phonenumbers' own metadata patterns,
        # normalise_sql); the others, few, through phonenumbers
        _, fi_kind = normalise_sql.fi_phone_sql("substr(e164, 5)")
        kinds = con.execute(f"""
            SELECT e164, CASE WHEN regexp_full_match(e164, '\\+358[1-9][0-9]{{4,11}}')
                              THEN {fi_kind} END AS kind
            FROM (SELECT DISTINCT unnest(e164) AS e164 FROM {t} WHERE role = 'from')
        """).fetchall()
        con.register("_ak_phone_kind", pa.table({
            "e164": pa.array([e for e, _ in kinds], type=pa.string()),
            "field": pa.array(["mobile_phone" if (k or normalise.phone_kind(e)) == "mobile"
                               else "phone" for e, k in kinds], type=pa.string()),
        }))
        try:
            sink.insert_query("fields", None, f"""
                WITH p AS (
                    SELECT email, e164, arg_max(raw, (seq, i)) AS raw, min((seq, i)) AS first
                    FROM (SELECT email, seq, unnest(e164) AS e164, unnest(raw) AS raw,
                                 generate_subscripts(e164, 1) AS i
                          FROM {t} WHERE role = 'from' AND e164 IS NOT NULL)
                    GROUP BY email, e164
                ), f AS (
                    SELECT email, 0 AS k, NULL AS first, 'email' AS field,
                        {_ROLE_TITLE} || ' (address)' AS label, email AS value
                    FROM {t}_agg WHERE excluded = ''
                    UNION ALL
                    SELECT email, 1, NULL, 'person_name', {_ROLE_TITLE} || ' (display name)', name
                    FROM {t}_agg WHERE excluded = '' AND trim(name) <> ''
                    UNION ALL
                    SELECT p.email, 2, p.first, k.field, 'signature (phone)', p.raw
                    FROM p JOIN _ak_phone_kind k USING (e164) JOIN {t}_agg g USING (email)
                    WHERE g.excluded = '' AND trim(p.raw) <> ''
                )
                SELECT g.file, g.sha256, g.ref AS record_ref, f.field, f.label, f.value,
                    f.email AS o_email, f.k AS o_k, f.first AS o_first
                FROM f JOIN {t}_agg g USING (email)
            """, order_by="b.o_email, b.o_k, b.o_first")
        finally:
            con.unregister("_ak_phone_kind")
        return n


_STAGE_COLUMNS = ("seq", "file", "sha256", "ref", "day", "role", "name", "email", "e164", "raw")
_STAGE_TYPES = (pa.int64(), *[pa.string()] * 7, pa.list_(pa.string()), pa.list_(pa.string()))

#: the address header's name as written in a label ("Reply-To (address)")
_ROLE_TITLE = ("CASE role WHEN 'from' THEN 'From' WHEN 'to' THEN 'To' WHEN 'cc' THEN 'Cc' "
               "WHEN 'reply-to' THEN 'Reply-To' ELSE role END")


def start_tables(sink: SourceSink) -> None:
    sink.raw_table(MESSAGE_COLUMNS)
    sink.raw_table(ADDRESS_COLUMNS, table="addresses")


def _strings(values: list[Any]) -> pa.Array:
    return pa.array(values, type=pa.string())


class Rows:
    """The raw rows of many messages, column by column, plus their correspondents.

    Built where messages are parsed (in a pool worker for a big mbox) and written with
    :meth:`SourceSink.columns`, one INSERT per table per batch: the per-row tuples of
    ``sink.raw`` cost more than the parse. With ``per_file`` (Maildir, .eml: a file per
    message) each row names its own file; otherwise :meth:`write` is given the file.
    """

    def __init__(self, per_file: bool = False):
        self.per_file = per_file
        self.msg: list[Any] = [[] for _ in range(len(MESSAGE_COLUMNS) + 1)]  # ref + columns
        self.addr: list[Any] = [[] for _ in ADDRESS_COLUMNS]
        self.rej: list[Any] = [[], []]  # record_ref, reason
        self.files: list[Any] = [[], [], [], []]  # msg file, msg sha256, addr file, addr sha256
        self.rej_files: list[Any] = []
        # possible identity codes in message bodies: message ref, code, file, sha256
        self.hetu: list[Any] = [[], [], [], []]
        # signs of bulk mail: message ref, sign, sender, n, file, sha256
        self.sign: list[Any] = [[], [], [], [], [], []]
        # per (message, address): seq, file, sha256, ref, day, role, name, email, E.164s,
        # raw phones; staged for Correspondents (file and sha256 only when per file)
        self.stage: list[list[Any]] = [[] for _ in range(10)]
        self.read = 0
        self.rejected = 0

    def add(self, p: Parsed, f: FileRef | None = None, folder: str = "", flags: str = "") -> None:
        self.read += 1
        (ref, reject, date, day, note, message_id, subject_sha256, subject_len, content_type,
         addresses, phones, hetus, bulk) = p
        if reject:
            self.rejected += 1
            self.rej[0].append(ref)
            self.rej[1].append(reject)
            if self.per_file:
                assert f is not None
                self.rej_files.append(f.name)
            return
        (c_ref, c_date, c_note, c_id, c_sha, c_len, c_n, c_type, c_phones, c_folder,
         c_flags) = self.msg
        c_ref.append(ref)
        c_date.append(date)
        c_note.append(note)
        c_id.append(message_id)
        c_sha.append(subject_sha256)
        c_len.append(str(subject_len))
        c_n.append(str(len(addresses)))
        c_type.append(content_type)
        c_phones.append(" ".join([e for _, e in phones]) if phones else "")
        c_folder.append(folder)
        c_flags.append(flags)
        a_ref, a_role, a_name, a_addr, a_email = self.addr
        for role, name, addr, email in addresses:
            a_ref.append(ref)
            a_role.append(role)
            a_name.append(name)
            a_addr.append(addr)
            a_email.append(email)
        fname = fsha = None
        if self.per_file:
            assert f is not None
            fname, fsha = f.name, f.sha256
        for code in hetus:
            self.hetu[0].append(ref)
            self.hetu[1].append(code)
            self.hetu[2].append(fname)
            self.hetu[3].append(fsha)
        self._signs(ref, addresses, bulk, fname, fsha)
        if self.per_file:
            self.files[0].append(fname)
            self.files[1].append(fsha)
            k = len(addresses)
            self.files[2].extend([fname] * k)
            self.files[3].extend([fsha] * k)
        # the message's addresses for Correspondents: each address once, its first
        # occurrence (From before To, Cc, Reply-To), the sender's phones on From rows
        seen: set[str] = set()
        seq = self.read - 1
        (s_seq, s_file, s_sha, s_ref, s_day, s_role, s_name, s_email, s_e164,
         s_raw) = self.stage
        for role, name, _addr, email in addresses:
            if not email or email in seen:
                continue
            seen.add(email)
            s_seq.append(seq)
            s_file.append(fname)
            s_sha.append(fsha)
            s_ref.append(ref)
            s_day.append(day)
            s_role.append(role)
            s_name.append(name)
            s_email.append(email)
            if role == "from" and phones:
                s_e164.append([e for _, e in phones])
                s_raw.append([r for r, _ in phones])
            else:
                s_e164.append(None)
                s_raw.append(None)

    def _signs(self, ref: str, addresses, bulk: tuple[str, ...], fname, fsha) -> None:
        """The message's signs of bulk mail, labelled with its sender's address (the rule
        decides which senders are the organisation's own)."""
        sender = next((e for role, _, _, e in addresses if role == "from" and e), None)
        if sender is None:
            return
        domain = sender.rpartition("@")[2]
        outside = {e for role, _, _, e in addresses
                   if role in ("to", "cc") and e and e.rpartition("@")[2] != domain}
        signs = [(b, None) for b in bulk]
        if len(outside) >= 2:
            signs.append(("recipients", len(outside)))
        for sign, n in signs:
            for col, v in zip(self.sign, (ref, sign, sender, n, fname, fsha), strict=True):
                col.append(v)

    def __len__(self) -> int:
        return self.read

    @classmethod
    def concat(cls, batches: list[Rows]) -> Rows:
        """One batch of several read one after another (fewer, bigger INSERTs: a
        statement's fixed cost does not grow with its rows)."""
        if len(batches) == 1:
            return batches[0]
        parts = [b.arrow() for b in batches]
        out = cls(per_file=parts[0].per_file)
        for name in ("msg", "addr", "rej", "files", "hetu", "sign"):
            cols = [getattr(b, name) for b in parts]
            setattr(out, name, [pa.concat_arrays(c) for c in zip(*cols, strict=True)])
        out.rej_files = pa.concat_arrays([b.rej_files for b in parts])
        seqs, read = [], 0
        for b in parts:  # each batch numbers its messages from 0
            seq = b.stage[0]  # int64, no nulls (pyarrow.compute: 0.2 s to import)
            seqs.append(pa.array(seq.to_numpy() + read) if read and len(seq) else seq)
            read += b.read
        out.stage = [pa.concat_arrays(seqs)] + [
            pa.concat_arrays(c) for c in zip(*[b.stage[1:] for b in parts], strict=True)]
        out.read = read
        out.rejected = sum(b.rejected for b in parts)
        return out

    def arrow(self) -> Rows:
        """Convert the columns to Arrow arrays (in the worker: they pickle as buffers)."""
        for cols in (self.msg, self.addr, self.rej, self.files, self.hetu, self.sign):
            cols[:] = [c if isinstance(c, pa.Array)
                       else pa.array(c, pa.int64()) if cols is self.sign and i == 3
                       else _strings(c) for i, c in enumerate(cols)]
        if not isinstance(self.rej_files, pa.Array):
            self.rej_files = _strings(self.rej_files)
        self.stage[:] = [c if isinstance(c, pa.Array) else pa.array(c, type=t)
                         for c, t in zip(self.stage, _STAGE_TYPES, strict=True)]
        return self

    def write(self, sink: SourceSink, f: FileRef | None = None) -> None:
        """Append the rows (``f``: the file of them all, unless ``per_file``)."""
        self.arrow()
        per_file = {}
        if self.per_file:
            per_file = {"file": self.files[0], "sha256": self.files[1]}
        sink.columns("raw", f, {**per_file, **dict(zip(("record_ref", *MESSAGE_COLUMNS),
                                                       self.msg, strict=True))})
        if self.per_file:
            per_file = {"file": self.files[2], "sha256": self.files[3]}
        sink.columns("raw", f, {**per_file, "record_ref": self.addr[0],
                                **dict(zip(ADDRESS_COLUMNS, self.addr, strict=True))},
                     raw="addresses")
        if self.per_file:
            per_file = {"file": self.rej_files}
        sink.columns("rejects", f, {**per_file, "record_ref": self.rej[0], "reason": self.rej[1]})
        if len(self.hetu[0]):
            n = len(self.hetu[0])
            if self.per_file:
                per_file = {"file": self.hetu[2], "sha256": self.hetu[3]}
            # the code itself is not copied into the warehouse (as the tabular loaders)
            sink.columns("fields", f, {**per_file, "record_ref": self.hetu[0],
                                       "field": ["hetu"] * n, "label": ["message body"] * n,
                                       "value": ["[identity code]"] * n})
        if len(self.sign[0]):
            if self.per_file:
                per_file = {"file": self.sign[4], "sha256": self.sign[5]}
            sink.columns("signs", f, {**per_file, "record_ref": self.sign[0],
                                      "sign": self.sign[1], "label": self.sign[2],
                                      "n": self.sign[3]})


#: files up to this size are read whole; bigger ones are memory-mapped
_READ_WHOLE = 1024 * 1024


def parse_file(sink: SourceSink, path: Any, ref: str) -> tuple[FileRef, Parsed]:
    """Register and parse a file holding one message (Maildir entry, .eml); a file that
    cannot be read raises :class:`~audit_kit.errors.FileRejected`.

    The file is hashed from the same bytes that are parsed, so it is read once.
    """
    import mmap
    import os

    ref = stored_name(ref)  # a Maildir/.eml file name is the record's ref
    with open_input(path, sink.limits) as fh:  # a FIFO or a device: FileRejected, at once
        size = os.fstat(fh.fileno()).st_size
        if size <= _READ_WHOLE:
            data = fh.read()
            f = sink.file(path, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
            return f, parse_message(data, 0, len(data), ref, skip_envelope=True)
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            f = sink.file(path, sha256=hashlib.sha256(buf).hexdigest(), size=size)
            return f, parse_message(buf, 0, size, ref, skip_envelope=True)


#: rows are written every this many messages
BATCH_MESSAGES = 5000


def write_batch(sink: SourceSink, rows: Rows, people: Correspondents, result: LoadResult,
                f: FileRef | None = None) -> None:
    """Write a batch of messages and count it into *result* (``f``: the file of them all,
    an mbox's; None for per-file rows, Maildir and .eml)."""
    rows.write(sink, f)
    people.merge(rows, f)
    result.records_read += rows.read
    result.records_rejected += rows.rejected
    result.records_loaded += rows.read - rows.rejected
