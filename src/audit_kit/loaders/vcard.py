"""vCard 2.1, 3.0 and 4.0 contact exports (kind ``vcard``): one file or a folder of them.

Why not vobject: it is installed and decodes a simple Android quoted-printable card, but
it stops a whole file at the first line it cannot parse (AOSP ``#`` comment lines,
``ADR;HOME;PREF;:``, a bare ``FN``, UTF-16 files, a base64 PHOTO with short padding),
it has no per-card recovery, it accepts broken quoted-printable (``=ZZ``) silently and it
keeps 2.1 bare parameters (``TEL;CELL``) apart from ``TYPE``. Audit input must load card
by card with a reject for each broken card, so this module reads the lines itself; the
grammar is small (RFC 2425/2426/6350 plus the vCard 2.1 spec) and each exporter quirk
below has a test in ``tests/test_vcard.py``:

* line ends CRLF, LF, CR and iOS 6's CR CR LF; a UTF-8 BOM; UTF-16 files with or without
  a BOM (LE and BE, detected from the NUL pattern);
* folded lines (leading space or tab), also folded before the colon (``TEL;TYPE=M`` +
  fold + ``SG,WORK:...``: RFC 6350 3.2 folds anywhere), and 2.1 quoted-printable soft
  line breaks (``=`` at the line end, the next line appended whatever it starts with,
  including ``#``);
* ``CHARSET=`` per property (UTF-8, Windows-1252, SHIFT_JIS, ...) applied to the decoded
  bytes; without a charset UTF-8 is tried, then Windows-1252 (Outlook/The Bat! write
  8-bit text without saying so);
* 2.1 bare parameters: ``TEL;CELL;PREF``, ``LABEL;QUOTED-PRINTABLE``, ``PHOTO;JPEG;B``;
  3.0 ``type=a;type=b`` and ``TYPE=a,b``; 4.0 quoted ``TYPE="work,voice"``;
* Apple/Google ``item1.`` groups whose ``X-ABLabel`` labels the group's values;
* base64 continuation lines without indentation ending at a blank line (2.1 PHOTO);
* 2.1 backslash-newline continued ADR values (AOSP); ``#`` comment lines; a property
  name without a colon (Evolution's bare ``FN``); lower-case ``begin:vcard``.

A card is rejected (``card N, line L``) when it has no ``END:VCARD`` before the next
``BEGIN:VCARD`` or the end of the file, when a quoted-printable value is broken, or when
its VERSION is not 2.1, 3.0 or 4.0 (``4`` and ``3`` are read as 4.0 and 3.0; a card
without VERSION is read as 2.1). The other
cards of the file still load. ``records_read`` counts cards.

Every property lands in the raw table ``src_<name>`` (card, line, group, property,
params, decoded value; binary values as ``present, N bytes``). Personal properties also
become ``fields`` rows:

=================================================  ===========================================
property                                           field class
=================================================  ===========================================
FN, N, NICKNAME, X-PHONETIC-*, SOUND;X-IRMC-N      person_name
ORG                                                org_name
EMAIL                                              email (lower-cased)
TEL                                                home_phone / work_phone / mobile_phone /
                                                   phone (see :mod:`.contact_points`)
ADR, LABEL                                         home_address / company_address / address
BDAY, ANNIVERSARY, X-ANNIVERSARY, X-ABDATE, ...    birthday
PHOTO, X-MS-CARDPICTURE                            photo (``present, N bytes``, never bytes)
NOTE                                               notes, plus ``hetu`` per valid code in it
TITLE, ROLE                                        job_title
URL                                                url
X-ANDROID-CUSTOM nickname / contact_event          person_name / birthday
GENDER, GEO, RELATED, X-ABRELATEDNAMES, IMPP,      other_personal
X-AIM/ICQ/SKYPE/..., other X- properties
VERSION, PRODID, UID, REV, CATEGORIES, CLASS,      raw table only
X-ABUID, X-ABLabel, X-ANDROID-* bookkeeping, ...
=================================================  ===========================================

One ``records`` row per loaded card: role ``phone_contact``, the name (FN, else N), the
first ORG, the first e-mail and the first phone that normalises to E.164.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from audit_kit import normalise
from audit_kit.config import SourceConfig
from audit_kit.errors import InputError
from audit_kit.limits import DEFAULT as DEFAULT_LIMITS
from audit_kit.limits import Limits, read_input
from audit_kit.loaders import FuzzSeed, LoadResult, SourceKind, input_files, per_file
from audit_kit.loaders._pool import cut_ranges, gc_paused, ordered_map, pool_size
from audit_kit.loaders.contact_points import (
    PHONE_CONTACT,
    ColumnSink,
    address_class,
    clean_label,
    label_words,
    nfc,
    notes_field,
    phone_class,
)
from audit_kit.warehouse import FileRef, SourceSink

KINDS = (SourceKind(
    "vcard", order=70,
    reads="vCard 2.1 (Android, quoted-printable, soft breaks), 3.0 (Google, iOS item groups), 4.0",
    notes="own thin parser (see `loaders/vcard.py` for why not vobject)",
    place={"fi": "puhelimen yhteystiedoista", "en": "from the phone contacts"},
    roles=(PHONE_CONTACT,), demo="audit_kit.demo.contacts:write", fixtures=("vcard/*",),
    fuzz=(FuzzSeed("contacts.vcf", "vcard/android_21_fi.vcf"),)),)

RAW_COLUMNS = ("card", "line", "group", "property", "params", "value")
VERSIONS = ("2.1", "3.0", "4.0")
#: VERSION values written without the minor number (``VERSION:4``)
_SHORT_VERSIONS = {"3": "3.0", "4": "4.0"}


def _version(text: str) -> str:
    """A VERSION value as one of :data:`VERSIONS` where it names one (``4`` is 4.0)."""
    v = text.strip()
    return _SHORT_VERSIONS.get(v, v)

_LINE_BREAK = re.compile(rb"\r*\n|\r")
_PROPERTY_START = re.compile(rb"^[A-Za-z0-9_./-]+[;:]")
_NAME_ONLY = re.compile(rb"^[A-Za-z0-9_./-]+$")
_BASE64_LINE = re.compile(rb"^[A-Za-z0-9+/=]+$")
_QP_BYTE = re.compile(rb"=([0-9A-Fa-f]{2})")
_ENCODINGS = {"QUOTED-PRINTABLE", "BASE64", "B", "8BIT", "7BIT"}

PERSON_NAME = {"FN", "N", "NICKNAME", "X-PHONETIC-FIRST-NAME", "X-PHONETIC-MIDDLE-NAME",
               "X-PHONETIC-LAST-NAME"}
BIRTHDAY = {"BDAY", "ANNIVERSARY", "X-ANNIVERSARY", "X-ABDATE", "X-EVOLUTION-ANNIVERSARY",
            "X-WAB-WEDDING_ANNIVERSARY", "X-MS-ANNIVERSARY", "DEATHDATE", "BIRTHPLACE"}
PHOTO = {"PHOTO", "X-MS-CARDPICTURE"}
JOB = {"TITLE", "ROLE"}
#: not about the person: bookkeeping of the exporting program; raw table only.
METADATA = {
    "BEGIN", "END", "VERSION", "PRODID", "UID", "REV", "CATEGORIES", "CLASS", "SOURCE",
    "NAME", "PROFILE", "SORT-STRING", "KIND", "MAILER", "AGENT", "X-ABUID", "X-ABLABEL",
    "X-ABADR", "X-ABSHOWAS", "X-CLASS", "X-GENERATOR", "X-REDUCTION", "X-NO", "LOGO",
    "CLIENTPIDMAP", "XML", "TZ", "KEY", "X-ATTRIBUTE", "X-LONG-STRING", "SOUND",
}
METADATA_PREFIXES = ("X-ANDROID-", "X-COUCHDB-", "X-GN", "X-MS-", "X-EVOLUTION-",
                     "X-MOZILLA-", "X-WAB-", "X-IRMC-", "X-NEC-", "X-AB", "X-FUNAMBOL-",
                     "X-GOOGLE-")
#: X- properties that are personal although their prefix says bookkeeping
PERSONAL_X = {"X-ABDATE", "X-ABRELATEDNAMES", "X-MS-CARDPICTURE", "X-EVOLUTION-ANNIVERSARY",
              "X-WAB-WEDDING_ANNIVERSARY", "X-MS-ANNIVERSARY", "X-WAB-GENDER",
              "X-WAB-SPOUSE_NAME", "X-MS-IMADDRESS", "X-EVOLUTION-SPOUSE",
              "X-EVOLUTION-MANAGER", "X-EVOLUTION-ASSISTANT", "X-GOOGLE-TALK",
              "X-ANDROID-CUSTOM"}


class _BadCard(Exception):
    """A card-level fault; the message names the place, never a value."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


@dataclass(slots=True)
class _Line:
    """One logical (unfolded) content line: its head (group.name;params) and value bytes."""

    number: int
    head: bytes
    value: bytes
    qp: bool = False
    b64: bool = False
    bare: bool = False  # a line that is neither a property nor a continuation
    open_head: bool = False  # no colon yet: a folded line may complete the head


def _fold_onto(last: _Line, cont: bytes) -> None:
    """Append a folded line's text to *last*. A line that had no colon (``TEL;TYPE=M``
    folded before its ``SG,WORK:...``) is split again once the fold brings the colon."""
    if not last.open_head:
        last.value += cont
        return
    raw = (last.value if last.bare else last.head) + cont
    split = _split_line(raw)
    if split is None:
        if _NAME_ONLY.match(raw.strip()):
            last.head, last.value, last.bare = raw.strip(), b"", False
        else:
            last.head, last.value, last.bare = b"", raw, True
        return
    head, last.value = split
    up = head.upper()
    last.head, last.bare, last.open_head = head, False, False
    last.qp, last.b64 = b"QUOTED-PRINTABLE" in up, bool(_B64_PARAM.search(up))


@dataclass
class _Card:
    number: int
    begin_line: int
    lines: list[_Line] = field(default_factory=list)


@dataclass
class Prop:
    """A decoded property."""

    line: int
    group: str
    name: str
    params: dict[str, list[str]]
    params_text: str
    text: str  # decoded text; binary as "present, N bytes"
    components: list[str]
    binary: int | None = None  # byte count of a binary value
    link: bool = False  # value is a URI (PHOTO by reference)
    label: tuple[str, frozenset[str]] | None = None  # (label, words), when the head decides

    @property
    def types(self) -> list[str]:
        return self.params.get("TYPE", [])


# -- reading the file --------------------------------------------------------------------


def _bytes_of(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, bool]:
    """The file's bytes, UTF-16 transcoded to UTF-8 (second item True when transcoded)."""
    data = read_input(path, limits)
    enc = None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        enc = "utf-16"
    elif len(data) >= 4 and data[0] == 0 and data[1] != 0:
        enc = "utf-16-be"
    elif len(data) >= 4 and data[1] == 0 and data[0] != 0:
        enc = "utf-16-le"
    if enc:
        try:
            return data.decode(enc).encode("utf-8"), True
        except UnicodeDecodeError:
            raise InputError("looks like UTF-16 but does not decode; re-export the contacts",
                             file=path) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    return data, False


def _split_head(line: bytes) -> tuple[bytes, bytes] | None:
    """Split at the first colon outside double quotes: (head, value), or None."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == 0x22:
            quoted = not quoted
        elif ch == 0x3A and not quoted:
            return line[:i], line[i + 1:]
    return None


def _split_line(line: bytes) -> tuple[bytes, bytes] | None:
    """:func:`_split_head`, without the byte loop when no quote precedes the first colon."""
    i = line.find(b":")
    if i < 0:
        return None
    if b'"' in line[:i]:
        return _split_head(line)
    return line[:i], line[i + 1:]


_B64_PARAM = re.compile(rb";(ENCODING=)?(B|BASE64)(;|$)")


def _split_lines(data: bytes) -> list[bytes]:
    """``_LINE_BREAK.split(data)``; bytes.split when every break is CRLF or every one LF
    (what nearly every export writes; four times faster than the regex)."""
    cr = data.count(b"\r")
    if not cr:
        return data.split(b"\n")
    if cr == data.count(b"\n") == data.count(b"\r\n"):
        return data.split(b"\r\n")
    return _LINE_BREAK.split(data)


def _continues(last: _Line, line: bytes, st: bytes, ust: bytes) -> bool:
    """Is *line* a continuation of *last* (then appended to its value)? In this order:
    a quoted-printable soft break, a folded line, a base64 line, a backslash-newline."""
    if last.qp and last.value.rstrip(b" \t").endswith(b"=") and not (
        ust == b"END:VCARD" or ust == b"BEGIN:VCARD"
    ):
        # a 2.1 quoted-printable soft line break: the next line belongs to the value
        last.value = last.value.rstrip(b" \t")[:-1] + line
        return True
    if line[:1] in (b" ", b"\t"):
        _fold_onto(last, line[1:])
        return True
    if last.b64 and st and _BASE64_LINE.match(st):
        last.value += st
        return True
    if (last.value.endswith(b"\\") and not last.value.endswith(b"\\\\")
            and st and not _PROPERTY_START.match(line)
            and not (ust == b"END:VCARD" or ust == b"BEGIN:VCARD")):
        # AOSP: a 2.1 ADR value continued with backslash-newline
        last.value = last.value[:-1] + b"\n" + line
        return True
    return False


def _scan(data: bytes, at_end: bool = True
          ) -> tuple[list[_Card], list[tuple[int, int, str]], int]:
    """Cut the file into cards of logical lines; also return card faults (card, line, why)
    and the number of line breaks.

    *at_end* False: *data* is a byte range that the next card's ``BEGIN:VCARD`` follows.
    """
    cards: list[_Card] = []
    faults: list[tuple[int, int, str]] = []
    card: _Card | None = None
    lines: list[_Line] = []
    last: _Line | None = None  # the card's last line, which a continuation line extends
    plain = True  # last can only be continued by folding (not QP, base64 or a backslash)
    flags: dict[bytes, tuple[bool, bool]] = {}  # head -> (quoted-printable, base64)
    n = 0
    for number, line in enumerate(_split_lines(data), 1):
        st = line.strip()
        # BEGIN:VCARD / END:VCARD, case-insensitive, surrounding whitespace ignored
        ust = st.upper() if len(st) <= 11 else b""
        if card is None:
            if ust == b"BEGIN:VCARD":
                n += 1
                card = _Card(n, number)
                lines = card.lines
                last = None
            continue
        if last is not None:
            if plain:
                if line[:1] in (b" ", b"\t"):
                    _fold_onto(last, line[1:])
                    plain = not (last.qp or last.b64 or last.value.endswith(b"\\"))
                    continue
            elif _continues(last, line, st, ust):
                plain = not (last.qp or last.b64 or last.value.endswith(b"\\"))
                continue
        if not st or st.startswith(b"#"):
            continue
        if ust == b"END:VCARD":
            cards.append(card)
            card = None
            continue
        if ust == b"BEGIN:VCARD":
            faults.append((card.number, card.begin_line,
                           "no END:VCARD before the next BEGIN:VCARD"))
            n += 1
            card = _Card(n, number)
            lines = card.lines
            last = None
            continue
        i = line.find(b":")
        if i < 0 or line.find(b'"', 0, i) >= 0:
            split = _split_line(line)  # no colon, or a quoted parameter value
            if split is None:
                if _NAME_ONLY.match(st):
                    last = _Line(number, st, b"", open_head=True)
                else:
                    last = _Line(number, b"", line, bare=True, open_head=True)
                lines.append(last)
                plain = not last.value.endswith(b"\\")
                continue
            head, value = split
        else:
            head, value = line[:i], line[i + 1:]
        fl = flags.get(head)
        if fl is None:
            up = head.upper()
            fl = flags[head] = (b"QUOTED-PRINTABLE" in up, bool(_B64_PARAM.search(up)))
        last = _Line(number, head, value, fl[0], fl[1])
        lines.append(last)
        plain = not (fl[0] or fl[1] or value.endswith(b"\\"))
    if card is not None:
        faults.append((card.number, card.begin_line, "file ends before END:VCARD" if at_end
                       else "no END:VCARD before the next BEGIN:VCARD"))
    return cards, faults, number - 1


# -- decoding one card -----------------------------------------------------------------


def _split_unquoted(s: str, sep: str) -> list[str]:
    out, cur, quoted = [], [], False
    for ch in s:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _params(head: str) -> tuple[str, str, dict[str, list[str]]]:
    """(group, NAME, params) of a head like ``item1.TEL;type=CELL;PREF``."""
    parts = _split_unquoted(head, ";")
    gname = parts[0].strip()
    group, _, name = gname.rpartition(".")
    params: dict[str, list[str]] = {}
    for p in parts[1:]:
        p = p.strip()
        if not p:
            continue  # ADR;HOME;PREF;: (Outlook's empty parameter)
        if "=" in p:
            k, _, v = p.partition("=")
            vals = [x.strip().strip('"') for x in _split_unquoted(v, ",")]
            key = k.strip().upper()
        else:
            vals = [p.strip('"')]
            up = p.upper()
            if up in _ENCODINGS:
                key = "ENCODING"
            elif _is_charset(p):
                key = "CHARSET"
            else:
                key = "TYPE"
        if key == "TYPE":
            vals = [v.upper() for v in vals if v]
        params.setdefault(key, []).extend(vals)
    return group, name.upper(), params


@lru_cache(maxsize=256)
def _is_charset(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _decode_text(raw: bytes, charset: str | None) -> str:
    """Bytes to text: a declared charset wins (bad bytes become U+FFFD); without one,
    UTF-8, then Windows-1252 (8-bit exports that do not name their charset)."""
    if charset and _is_charset(charset):
        return raw.decode(charset, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _qp_decode(raw: bytes, line: int) -> bytes:
    raw = raw.rstrip(b" \t")
    if raw.endswith(b"="):  # a soft break with nothing after it (cut before END:VCARD)
        raw = raw[:-1]
    if b"=" not in raw:
        return raw
    if _QP_BYTE.sub(b"", raw).count(b"="):
        raise _BadCard("broken quoted-printable value (= not followed by two hex digits)", line)
    # every "=" now starts "=XX": binascii decodes exactly those and copies the rest
    return binascii.a2b_qp(raw)


def _b64_len(raw: bytes) -> int:
    s = re.sub(rb"[^A-Za-z0-9+/]", b"", raw)
    s = s[: len(s) - len(s) % 4] if len(s) % 4 == 1 else s + b"=" * (-len(s) % 4)
    try:
        return len(base64.b64decode(s))
    except binascii.Error:
        return len(s) * 3 // 4


_ESC3 = re.compile(r"\\(.)", re.S)
_STRUCTURED = {"N", "ADR", "ORG", "GENDER", "X-ANDROID-CUSTOM", "CLIENTPIDMAP", "SOUND"}


def _unescape(s: str, version: str) -> str:
    if version == "2.1":
        return s.replace("\\;", ";")
    return _ESC3.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), s)


def _split_components(s: str) -> list[str]:
    """Split a structured value at semicolons not escaped by a backslash."""
    out, cur, i = [], [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            cur.append(s[i:i + 2])
            i += 2
            continue
        if ch == ";":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


@dataclass(slots=True)
class _Head:
    """What a content line's head says, worked out once per distinct head of a file (an
    export repeats a few dozen heads card after card)."""

    group: str
    name: str  # upper-cased
    params: dict[str, list[str]]
    params_text: str
    enc: str  # ENCODING, upper-cased, "" when none
    charset: str | None  # a declared CHARSET Python knows (not for transcoded UTF-16)
    structured: bool  # components split at ";" (N, ADR, ORG, ...)
    label: tuple[str, frozenset[str]] | None  # (label, words) when no group can relabel it


def _head(raw: bytes, transcoded: bool = False) -> _Head:
    """Parse a content line's head (``item1.TEL;type=CELL;PREF``)."""
    head = _decode_text(raw, None)
    group, name, params = _params(head)
    params_text = ";".join(_split_unquoted(head, ";")[1:])
    charset = None if transcoded else (params.get("CHARSET") or [None])[0]
    h = _Head(group, name, params, params_text, (params.get("ENCODING") or [""])[0].upper(),
              charset if charset and _is_charset(charset) else None, name in _STRUCTURED,
              None)
    if not group:  # no X-ABLabel applies: the label is the head's alone
        label, words = _label_of(h.name, False, h.params.get("TYPE", []), "")
        h.label = (label, frozenset(label_words(words)))
    return h


def _decode(line: _Line, version: str, transcoded: bool,
            heads: dict[bytes, _Head] | None = None) -> Prop:
    """One property; *heads* caches the parsed heads of a file (they repeat card to card)."""
    if line.bare:
        text = nfc(_decode_text(line.value, None)) or ""
        return Prop(line.number, "", "", {}, "", text, [text])
    if heads is None:
        heads = {}
    h = heads.get(line.head)
    if h is None:
        h = heads[line.head] = _head(line.head, transcoded)
    name = h.name
    value = line.value
    link = False
    photo = name in PHOTO
    if h.enc in ("B", "BASE64") or (photo and value.lower().startswith(b"data:")):
        if value.lower().startswith(b"data:"):
            value = value.partition(b",")[2]
        binary = _b64_len(value)
        text = f"present, {binary} bytes"
        return Prop(line.number, h.group, name, h.params, h.params_text, text, [text], binary,
                    label=h.label)
    if h.enc == "QUOTED-PRINTABLE":
        value = _qp_decode(value, line.number)
    text = _decode_text(value, h.charset)
    if photo and (
        (h.params.get("VALUE") or [""])[0].lower() in ("uri", "url")
        or re.match(r"^(https?|ftp|file|cid):", text.strip(), re.I)
    ):
        link = True
    if "\\" not in text:  # nothing escaped: plain split, nothing to unescape
        if text.isascii():  # NFC leaves ASCII as it is
            comps = text.split(";") if h.structured else [text]
        else:
            comps = [nfc(c) for c in text.split(";")] if h.structured else [nfc(text)]
    elif h.structured:
        comps = [nfc(_unescape(c, version)) or "" for c in _split_components(text)]
    else:
        comps = [nfc(_unescape(text, version)) or ""]
    text = ";".join(comps) if h.structured else comps[0]
    return Prop(line.number, h.group, name, h.params, h.params_text, text, comps, None, link,
                h.label)


# -- classifying properties ---------------------------------------------------------------


def _display_name(p: Prop) -> str:
    """N (Family;Given;Additional;Prefix;Suffix) as ``Prefix Given Additional Family Suffix``."""
    c = [*p.components, "", "", "", "", ""][:5]
    parts = [c[3], c[1], c[2], c[0], c[4]]
    return " ".join(x.replace(",", " ").strip() for x in parts if x.strip())


def _join(components: list[str], sep: str = ", ") -> str:
    return sep.join(c.strip() for c in components if c.strip())


def _label_of(name: str, grouped: bool, types: list[str], ablabel: str) -> tuple[str, str]:
    """(label for the field row, text used to classify): property name plus its type label
    (an Apple/Google group's X-ABLabel wins over the TYPE parameters)."""
    custom = clean_label(ablabel) if grouped else ""
    low = [t.lower() for t in types]
    shown = custom or ",".join(low)
    label = f"{name} ({shown})" if shown else name
    return label, " ".join([custom, *low])


def _is_metadata(name: str) -> bool:
    if name in PERSONAL_X:
        return False
    return name in METADATA or name.startswith(METADATA_PREFIXES)


@dataclass
class _Summary:
    name: str | None = None
    n_name: str | None = None
    org: str | None = None
    email: str | None = None
    phone: str | None = None


class _FileCache(dict):
    """Per file: what _label_of reads -> (label, label words); and the phones."""

    def __init__(self) -> None:
        super().__init__()
        self.phones: dict[str, str | None] = {}

    def e164(self, text: str) -> str | None:
        """``normalise.phone(text)``, once per distinct text. The number type is looked
        up only for a phone whose label does not decide its class (``phone_class``): an
        Android backup labels nearly every number."""
        try:
            return self.phones[text]
        except KeyError:
            got = self.phones[text] = normalise.phone(text)
            return got

    def label(self, p: Prop, ablabels: dict[str, str]) -> tuple[str, set[str]]:
        ablabel = ablabels.get(p.group.upper(), "") if p.group else ""
        key = (p.name, bool(p.group), ablabel, tuple(p.types))
        try:
            return self[key]
        except KeyError:
            label, words_text = _label_of(p.name, bool(p.group), p.types, ablabel)
            got = self[key] = (label, frozenset(label_words(words_text)))
            return got


def _emit(sink: SourceSink | ColumnSink, f: FileRef, ref: str, p: Prop,
          ablabels: dict[str, str], s: _Summary, cache: _FileCache | None = None) -> None:
    if cache is None:
        cache = _FileCache()
    label, words = p.label or cache.label(p, ablabels)
    name = p.name
    if name in PERSON_NAME:
        value = _display_name(p) if name == "N" else p.text
        sink.field(f, ref, "person_name", label, value)
        if name == "FN" and value.strip() and s.name is None:
            s.name = value.strip()
        if name == "N" and value.strip() and s.n_name is None:
            s.n_name = value
    elif name == "SOUND" and "X-IRMC-N" in p.types:  # AOSP: phonetic name
        sink.field(f, ref, "person_name", label, _join(p.components, " "))
    elif name in ("ORG", "X-DEPARTMENT"):
        value = _join(p.components)
        sink.field(f, ref, "org_name", label, value)
        if value and s.org is None:
            s.org = p.components[0].strip() or value
    elif name == "EMAIL":
        addr = normalise.email(p.text) or _email_in(p.text)
        sink.field(f, ref, "email", label, addr or p.text)
        if addr and s.email is None:
            s.email = addr
    elif name == "TEL":
        raw = p.text.strip()
        e164 = cache.e164(raw.removeprefix("tel:").split(";")[0])
        sink.field(f, ref, phone_class(words, e164), label, raw)
        if e164 and s.phone is None:
            s.phone = e164
    elif name in ("ADR", "LABEL"):
        value = _join(p.components) if name == "ADR" else p.text
        sink.field(f, ref, address_class(words), label, value)
    elif name in BIRTHDAY:
        sink.field(f, ref, "birthday", label, p.text)
    elif name in PHOTO:
        if p.link:
            sink.field(f, ref, "photo", label, "present, link")
        elif p.binary:
            sink.field(f, ref, "photo", label, p.text)
        elif p.binary is None and p.text.strip():
            sink.field(f, ref, "photo", label, "present, link")
    elif name == "NOTE":
        notes_field(sink, f, ref, label, p.text)
    elif name in JOB:
        sink.field(f, ref, "job_title", label, p.text)
    elif name in ("URL", "FBURL", "CALURI", "CALADRURI"):
        sink.field(f, ref, "url", label, p.text)
    elif name == "X-ANDROID-CUSTOM":
        mime = p.components[0] if p.components else ""
        data = _join(p.components[1:], " ")
        if mime.endswith("/nickname"):
            sink.field(f, ref, "person_name", label, p.components[1] if len(p.components) > 1
                       else data)
        elif mime.endswith("/contact_event"):
            when = p.components[1] if len(p.components) > 1 else data
            sink.field(f, ref, "birthday", label, when)
        elif mime.endswith("/relation"):
            sink.field(f, ref, "other_personal", label, data)
    elif name and not _is_metadata(name) and p.text.strip():
        # GENDER, GEO, RELATED, IMPP, LANG, X-ABRELATEDNAMES, X-AIM/ICQ/SKYPE, ...
        sink.field(f, ref, "other_personal", label, p.text)


_ADDR_IN = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


def _email_in(text: str) -> str | None:
    """The address inside ``"Omega" <omega@example.com>`` style values."""
    m = _ADDR_IN.search(text)
    return normalise.email(m.group(0)) if m else None


# -- the loader -------------------------------------------------------------------------

#: 8-bit/UTF-8 files at least this big are parsed by a process pool (below, starting the
#: workers costs more than it saves)
POOL_MIN_BYTES = 8 * 1024 * 1024
#: a file is parsed in ranges of about this many bytes (a pool task; bounds memory)
CHUNK_BYTES = 4 * 1024 * 1024

#: a line that starts a card whatever precedes it: ``BEGIN:VCARD`` at the line's start
#: (no fold, quoted-printable or base64 continuation takes it); ranges are cut there
_CUT = re.compile(rb"(?<=[\r\n])BEGIN:VCARD[ \t]*(?=[\r\n])", re.I)


@dataclass
class _Part:
    """The cards of one byte range, numbered from 1 within it; :func:`_write` renumbers.

    ``tables`` are Arrow columns per table whose record_ref is the card's index in the
    range (from 0) and, in ``raw``, whose ``line`` is the line number in the range.
    """

    cards: int  # BEGIN:VCARD lines that started a card (loaded or rejected)
    lines: int  # line breaks in the range
    faults: list[tuple[int, int, str]]  # (card, line, why): cut short
    bad: list[tuple[int, int, str]] = field(default_factory=list)  # (card, line, why): undecodable
    versions: set[str] = field(default_factory=set)
    loaded: int = 0
    tables: dict[str, dict[str, object]] = field(default_factory=dict)


def _parse(data: bytes, transcoded: bool, at_end: bool = True) -> _Part:
    """Scan, decode and classify the cards of *data* (a whole file or a range of one)."""
    with gc_paused():
        return _parse_cards(data, transcoded, at_end)


def _parse_cards(data: bytes, transcoded: bool, at_end: bool) -> _Part:
    """:func:`_parse` itself: rows kept as columns, card-local numbers (see :class:`_Part`)."""
    cards, faults, lines = _scan(data, at_end)
    part = _Part(len(cards) + len(faults), lines, faults)
    out = ColumnSink(None, None, RAW_COLUMNS[2:], limit=1 << 62)  # type: ignore[arg-type]
    line_numbers: list[int] = []
    heads: dict[bytes, _Head] = {}
    cache = _FileCache()
    for card in cards:
        try:
            props = _decode_card(card, transcoded, heads)
        except _BadCard as exc:
            part.bad.append((card.number, exc.line, str(exc)))
            continue
        part.versions.add(next((_version(p.text) for p in props if p.name == "VERSION"), "2.1"))
        idx = card.number - 1
        for p in props:
            out.raw(None, idx, [p.group, p.name, p.params_text, p.text])  # type: ignore[arg-type]
            line_numbers.append(p.line)
        ablabels = {p.group.upper(): p.text for p in props
                    if p.name == "X-ABLABEL" and p.group}
        s = _Summary()
        for p in props:
            _emit(out, None, idx, p, ablabels, s, cache)  # type: ignore[arg-type]
        out.record(None, idx, "phone_contact", person_name=s.name or s.n_name,  # type: ignore[arg-type]
                   org_name=s.org, email=s.email, phone=s.phone)
        part.loaded += 1
    part.tables = out.tables(pa.int64())
    if "raw" in part.tables:
        part.tables["raw"]["line"] = pa.array(line_numbers, pa.int64())
    return part


def _task(args: tuple[bytes, bool, bool]) -> _Part:
    """Pool task: :func:`_parse` of one range."""
    return _parse(*args)


def _write(sink: SourceSink, f: FileRef, part: _Part, card0: int, line0: int) -> None:
    """Write a range's tables with the file's numbering: its cards follow *card0* cards
    and its lines *line0* line breaks (so ``card N`` and lines are a single pass's).
    Arrow compute makes the texts: this runs in the parent, beside the pool."""
    for table, data in part.tables.items():
        number = pc.cast(pc.add(data["record_ref"], card0 + 1), pa.string())
        data["record_ref"] = pc.binary_join_element_wise("card ", number, "")
        if table == "raw":
            data["card"] = number
            data["line"] = pc.cast(pc.add(data["line"], line0), pa.string())
        sink.columns(table, f, data)


def _parts(data: bytes, transcoded: bool, workers: int | None) -> Iterator[_Part]:
    """The file's parts in file order: a process pool for big 8-bit files, else here."""
    size = len(data)

    def next_cut(pos: int) -> int:
        m = _CUT.search(data, pos)
        return m.start() if m else size

    ranges = cut_ranges(0, size, CHUNK_BYTES, next_cut)
    tasks = ((data[a:b], transcoded, b == size) for a, b in ranges)
    n = 1 if transcoded else pool_size(workers, size, POOL_MIN_BYTES)
    if n > 1 and len(ranges) > 1:
        yield from (rows for _, rows in ordered_map(_task, tasks, n))
    else:
        yield from map(_task, tasks)


def _load_file(path: Path, sink: SourceSink, workers: int | None = None) -> LoadResult:
    f = sink.file(path)
    data, transcoded = _bytes_of(path, sink.limits)
    result = LoadResult()
    versions: set[str] = set()
    faults: list[tuple[int, int, str]] = []
    bad: list[tuple[int, int, str]] = []
    card0 = line0 = 0
    for part in _parts(data, transcoded, workers):
        _write(sink, f, part, card0, line0)
        faults += [(card0 + c, line0 + line, why) for c, line, why in part.faults]
        bad += [(card0 + c, line0 + line, why) for c, line, why in part.bad]
        versions |= part.versions
        result.records_read += part.cards
        result.records_loaded += part.loaded
        card0 += part.cards
        line0 += part.lines
    if not result.records_read:
        raise InputError("no vCard found (no BEGIN:VCARD line); is this a .vcf export?",
                         file=path)
    for c, line, why in faults + bad:  # cut-short cards first, as a single pass finds them
        sink.reject(f, f"card {c}, line {line}", why)
        result.records_rejected += 1
    result.format = ", ".join(f"vcard {v}" for v in sorted(versions)) or "vcard"
    return result


def _decode_card(card: _Card, transcoded: bool,
                 heads: dict[bytes, _Head] | None = None) -> list[Prop]:
    """Decode every line; the VERSION decides the escaping rules."""
    version = "2.1"
    for line in card.lines:
        if (not line.bare and b"ERSION" in line.head.upper()
                and line.head.upper().rpartition(b".")[2] == b"VERSION"):
            version = _version(line.value.decode("ascii", "replace"))
            if version not in VERSIONS:
                raise _BadCard("unsupported vCard VERSION (expected 2.1, 3.0 or 4.0)",
                               line.number)
    if heads is None:
        heads = {}
    return [_decode(line, version, transcoded, heads) for line in card.lines]


def load(source: SourceConfig, sink: SourceSink, *, workers: int | None = None) -> LoadResult:
    """Load one vCard file or every ``.vcf``/``.vcard`` file of a folder.

    *workers*: processes for a big file (default one per CPU; see ``POOL_MIN_BYTES``).
    """
    sink.raw_table(RAW_COLUMNS)
    total = LoadResult()
    folder = Path(source.path).is_dir()
    for path in input_files(source.path, (".vcf", ".vcard"), rejected=total.rejecter(sink)):
        with per_file(sink, total, path, folder=folder):
            total += _load_file(path, sink, workers)
    return total
