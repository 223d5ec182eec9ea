"""Contact CSV exports (kind ``google_contacts_csv``): Google Contacts, Outlook, Thunderbird.

An Android owner can get their phone contacts out of Google as CSV in two header styles
(see ``shared/corpora/contacts_csv/google_contacts_csv_formats.md``), and the same people
often also sit in an Outlook or Thunderbird CSV export. The header decides the style:

==================  =======================================================================
format              recognised by (header cells)
==================  =======================================================================
google csv (new)    ``First Name`` with ``E-mail 1 - Label`` style pairs, ``Labels``,
                    ``File As`` or ``Organization Name``
google csv (old)    ``Given Name``, ``Family Name``, ``Group Membership`` or ``… - Type`` pairs
thunderbird csv     ``Primary Email``, ``Mobile Number``, ``Work ZipCode``, ``Home ZipCode``
outlook csv         ``E-mail Address``, ``Business Phone``, ``Home Street``, ...
==================  =======================================================================

Outlook and Thunderbird write their headers in the user's language: Finnish, Swedish and
German headers are translated to the English columns first (:mod:`.contact_headers`, the
format then says the language, ``outlook csv (fi)``). A source's ``columns:`` names a
header's field class directly (:mod:`.columns`), before any table.

Encoding: ``source.encoding`` when given; else a BOM (UTF-8 or UTF-16, as Google's
"Outlook CSV" sometimes is), UTF-16 without BOM from the NUL pattern, UTF-8, and
Windows-1252 as the last resort. The delimiter is ``source.delimiter`` or the most common
of ``,`` ``;`` and tab in the header line.

Column -> field class (case-insensitive; ``n`` is any number; the label of a pair comes
from its ``Label``/``Type`` cell, Google's ``* `` prefix removed):

=========================================================  ====================================
columns                                                    field class
=========================================================  ====================================
Name, First/Middle/Last Name, Given/Additional/Family      person_name
Name, Yomi/Phonetic names, Name Prefix/Suffix, Nickname,
File As, Display Name, Title (Outlook), Suffix, Initials
Organization Name/Department, Organization n - Name/       org_name
Department, Company, Department, Organization
Organization Title, Organization n - Title/Job             job_title
Description, Job Title, Occupation, Profession
E-mail n - Value, E-mail Address, E-mail 2/3 Address,      email (lower-cased, `` ::: `` split)
Primary/Secondary Email, Email Home/Work/Other
Phone n - Value (by its label), Home/Business/Mobile/      home_phone / work_phone /
Other/Car/Primary Phone, Pager, Fax, Work/Home Phone,      mobile_phone / phone
Mobile Number, ...                                         (see :mod:`.contact_points`)
Address n - Formatted/Street/City/... (one value per       home_address / company_address /
address, by its label); Home/Business/Work/Other           address
Street/City/State/Zip/Postal Code/Country/PO Box;
Thunderbird Home/Work Address, Address 2, ZipCode
Birthday, Anniversary, Event n (label Birthday or          birthday
Anniversary), Birth Year/Month/Day (one value)
Photo                                                      photo (``present, link``)
Notes                                                      notes, plus ``hetu`` per valid code
Website n - Value, Web Page 1/2, Website *, Personal       url
Web Page
Labels, Group Membership, Categories, Sensitivity,         non_personal
Priority, Directory Server, Keywords, Organization n -
Symbol/Type
Relation n, IM n, Custom Field n, Event n (other),         other_personal
Gender, Maiden Name, Spouse, Hobby, Manager's Name, ...
Government ID Number (fi: Henkilötunnus)                   hetu when a valid code, else
                                                           other_personal
any other column that holds a value (Custom 1-4, User 1-4  unclassified (one finding per
and columns no exporter writes)                            column, not per row)
=========================================================  ====================================

Outlook's empty values are no value: ``0/0/00`` in a birthday or anniversary, ``Unspecified``
in Gender.

One ``records`` row per data row (role ``phone_contact``, ``record_ref`` ``line N`` where N
is the physical line the row starts on, so multi-line quoted notes and addresses keep the
count right). A row with more non-empty cells than the header is rejected with the two
counts (surplus empty cells at the end are not a fault: Thunderbird ends every data row
with a comma its header line lacks); a shorter row (Excel and Outlook re-saves drop empty
last cells) reads as padded with empty cells, and a load note counts them. The raw table
``src_<name>`` keeps every non-empty cell as (line, column, value), so files with
different headers can share it and nothing is lost.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from audit_kit import normalise
from audit_kit.config import SourceConfig
from audit_kit.errors import InputError
from audit_kit.limits import DEFAULT as DEFAULT_LIMITS
from audit_kit.limits import Limits, read_input
from audit_kit.loaders import (
    DELIMITER,
    ENCODING,
    FuzzSeed,
    LoadResult,
    SourceKind,
    contact_headers,
    input_files,
    per_file,
)
from audit_kit.loaders._pool import gc_paused
from audit_kit.loaders.columns import check_columns, columns_option, short_rows_note
from audit_kit.loaders.contact_points import (
    PHONE_CONTACT,
    ColumnSink,
    PhoneInfo,
    address_class,
    clean_label,
    label_words,
    nfc,
    notes_field,
    phone_class,
)
from audit_kit.warehouse import FileRef, SourceSink

KINDS = (SourceKind(
    "google_contacts_csv", order=80,
    options=(columns_option("google_contacts_csv"), ENCODING, DELIMITER),
    reads="Google Contacts CSV (new and old headers), Outlook, Thunderbird",
    notes="Outlook and Thunderbird headers in English, Finnish, Swedish or German (the "
          "exporters' own column lists); short rows read as padded",
    place={"fi": "yhteystietoluettelosta", "en": "from the contacts list"},
    roles=(PHONE_CONTACT,), demo="audit_kit.demo.contacts:write", fixtures=("contacts_csv/*",),
    fuzz=(FuzzSeed("contacts.csv", "contacts_csv/google_new.csv"),)),)

RAW_COLUMNS = ("line", "column", "value")
MULTI = " ::: "  # Google: several values in one cell

_PAIR = re.compile(
    r"^(?P<kind>e-mail|email|phone|address|website|relation|im|event|custom field|"
    r"organization|external id|location) (?P<n>\d+) - (?P<part>.+)$",
    re.I,
)
_ADDRESS_PART = re.compile(
    r"^(?P<where>home|business|work|other) (?P<part>street|street 2|street 3|city|state|"
    r"zip|zipcode|postal code|country|country/region|po box|address|address 2|"
    r"address po box)$",
    re.I,
)
_BIRTH_PART = re.compile(r"^birth (year|month|day)$", re.I)

PERSON_NAME = {
    "name", "display name", "first name", "middle name", "last name", "given name",
    "additional name", "family name", "yomi name", "given name yomi", "additional name yomi",
    "family name yomi", "phonetic first name", "phonetic middle name", "phonetic last name",
    "name prefix", "name suffix", "nickname", "short name", "initials", "file as", "title",
    "suffix", "prefix", "e-mail display name", "e-mail 2 display name", "e-mail 3 display name",
}
ORG_NAME = {"organization name", "organization department", "company", "department",
            "organization", "company yomi"}
JOB_TITLE = {"organization title", "job title", "occupation", "profession"}
EMAIL = {"e-mail address", "e-mail 2 address", "e-mail 3 address", "primary email",
         "secondary email", "email home", "email work", "email other", "email", "e-mail"}
PHONE = {
    "home phone", "home phone 2", "home fax", "business phone", "business phone 2",
    "business fax", "company main phone", "work phone", "mobile phone", "mobile number",
    "home mobile", "car phone", "pager", "pager number", "fax number", "primary phone",
    "other phone", "other fax", "phone video", "assistant's phone", "callback",
    "radio phone", "telex", "tty/tdd phone", "isdn",
}
BIRTHDAY = {"birthday", "anniversary"}
URL = {"web page", "web page 1", "web page 2", "website home page", "website blog",
       "website other", "website profile", "website work", "personal web page",
       "business web page"}
NON_PERSONAL = {"labels", "group membership", "categories", "sensitivity", "priority",
                "directory server", "keywords", "private", "e-mail type", "e-mail 2 type",
                "e-mail 3 type", "billing information", "mileage", "account",
                "internet free busy", "organizational id number", "language"}
#: known columns about the person that the policy names no class for
OTHER_PERSONAL = {"gender", "maiden name", "spouse", "children", "hobby", "schools",
                  "manager's name", "assistant's name", "referred by", "location",
                  "office location", "screen name", "chat name", "imaddress",
                  "given yomi", "surname yomi",
                  # Roundcube's own CSV export: instant-messaging handles
                  "im aim", "im icq", "im jabber", "im msn", "im skype", "im yahoo"}
#: an identity-number column (Outlook's Government ID Number; Finnish "Henkilötunnus")
GOVERNMENT_ID = "government id number"
#: field class of a column no table or ``columns:`` entry names (one finding per column)
UNCLASSIFIED = "unclassified"

_ADDRESS_ORDER = ("po box", "extended address", "street", "street 2", "street 3", "address",
                  "address 2", "city", "region", "state", "postal code", "zip", "zipcode",
                  "country", "country/region")


def _style(header: list[str]) -> str | None:
    cols = {h.strip().lower() for h in header}
    pair_parts = {m.group("part").lower() for h in header if (m := _PAIR.match(h.strip()))}
    if "first name" in cols and ("label" in pair_parts or {"labels", "file as",
                                                           "organization name"} & cols):
        return "google csv (new)"
    if {"given name", "family name", "group membership"} & cols or "type" in pair_parts:
        return "google csv (old)"
    if {"primary email", "mobile number", "work zipcode", "home zipcode"} & cols:
        return "thunderbird csv"
    if {"e-mail address", "business phone", "home street", "e-mail 2 address",
        "business street", "email home", "email work"} & cols:
        return "outlook csv"
    return None


def _known(column: str) -> bool:
    c = column.strip().lower()
    return bool(
        c in PERSON_NAME | ORG_NAME | JOB_TITLE | EMAIL | PHONE | BIRTHDAY | URL | NON_PERSONAL
        or c in OTHER_PERSONAL or c in {"notes", "photo", GOVERNMENT_ID}
        or _PAIR.match(c) or _ADDRESS_PART.match(c) or _BIRTH_PART.match(c)
    )


# -- reading the file --------------------------------------------------------------------


def _text_of(path: Path, encoding: str | None,
             limits: Limits = DEFAULT_LIMITS) -> tuple[str, str]:
    data = read_input(path, limits)
    if encoding:
        enc = encoding
    elif data.startswith(codecs.BOM_UTF8):
        enc = "utf-8-sig"
    elif data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        enc = "utf-16"
    elif len(data) >= 4 and data[0] == 0 and data[1] != 0:
        enc = "utf-16-be"
    elif len(data) >= 4 and data[1] == 0 and data[0] != 0:
        enc = "utf-16-le"
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            enc = "cp1252"
    try:
        return data.decode(enc), enc
    except (UnicodeDecodeError, LookupError):
        raise InputError(f"text does not decode as {enc}; give the file's encoding in the "
                         "source entry", file=path) from None


def _delimiter(text: str, given: str | None) -> str:
    if given:
        return given
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class _Row:
    ref: str
    cells: dict[str, str]  # column -> value, non-empty only
    header: list[str]
    values: list[str]
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


def _split_multi(value: str) -> list[str]:
    return [v.strip() for v in value.split(MULTI) if v.strip()]


def _join_address(parts: dict[str, str]) -> str:
    order = {p: i for i, p in enumerate(_ADDRESS_ORDER)}
    items = sorted(parts.items(), key=lambda kv: order.get(kv[0], 99))
    return ", ".join(v.strip() for _, v in items if v.strip())


# -- one row ---------------------------------------------------------------------------


_NO_PHONES = PhoneInfo()


def _phone(sink: SourceSink | ColumnSink, f: FileRef, row: _Row, label: str,
           words: set[str], value: str, phones: PhoneInfo = _NO_PHONES) -> None:
    for v in _split_multi(value):
        e164, kind = phones[v] if phones is not _NO_PHONES else (normalise.phone(v), None)
        sink.field(f, row.ref, phone_class(words, e164, kind), label, v)
        if e164:
            row.phones.append(e164)


def _email(sink: SourceSink, f: FileRef, row: _Row, label: str, value: str) -> None:
    for v in _split_multi(value):
        addr = normalise.email(v)
        sink.field(f, row.ref, "email", label, addr or v)
        if addr:
            row.emails.append(addr)


def _pair_group(sink: SourceSink | ColumnSink, f: FileRef, row: _Row, kind: str, n: str,
                parts: dict[str, tuple[str, str]], phones: PhoneInfo = _NO_PHONES) -> None:
    """One ``Kind n - Part`` group: parts maps lower part name -> (column, value)."""
    lab = clean_label((parts.get("label") or parts.get("type") or ("", ""))[1])
    words = label_words(lab)
    kind_l = kind.lower()
    title = {"e-mail": "E-mail", "email": "Email"}.get(kind_l, kind.title())

    def label_for(part: str = "Value") -> str:
        base = f"{title} {n} - {part}"
        return f"{base} ({lab})" if lab else base

    value = (parts.get("value") or ("", ""))[1]
    if kind_l in ("e-mail", "email"):
        _email(sink, f, row, label_for(), value)
    elif kind_l == "phone":
        _phone(sink, f, row, label_for(), words, value, phones)
    elif kind_l == "address":
        formatted = (parts.get("formatted") or ("", ""))[1]
        comps = {p: v for p, (_, v) in parts.items()
                 if p not in ("label", "type", "formatted")}
        text = formatted.strip() or _join_address(comps)
        sink.field(f, row.ref, address_class(words),
                   f"Address {n} ({lab})" if lab else f"Address {n}", text)
    elif kind_l == "website":
        for v in _split_multi(value):
            sink.field(f, row.ref, "url", label_for(), v)
    elif kind_l == "event":
        cls = "birthday" if words & {"BIRTHDAY", "ANNIVERSARY"} else "other_personal"
        sink.field(f, row.ref, cls, label_for(), value)
    elif kind_l == "organization":
        for part, (col, v) in parts.items():
            if part in ("name", "yomi name", "department"):
                sink.field(f, row.ref, "org_name", col, v)
            elif part in ("title", "job description"):
                sink.field(f, row.ref, "job_title", col, v)
            elif part == "location":
                sink.field(f, row.ref, "company_address", col, v)
            elif part in ("symbol", "type", "label"):
                sink.field(f, row.ref, "non_personal", col, v)
            else:
                sink.field(f, row.ref, "other_personal", col, v)
    elif kind_l == "external id":
        sink.field(f, row.ref, "non_personal", label_for(), value)
    else:  # relation, im, custom field, location
        service = (parts.get("service") or ("", ""))[1]
        shown = ", ".join(x for x in (lab, clean_label(service)) if x)
        base = f"{title} {n} - Value"
        for part, (col, v) in parts.items():
            if part not in ("label", "type", "service"):
                sink.field(f, row.ref, "other_personal",
                           f"{base} ({shown})" if shown and part == "value" else col, v)


_Column = tuple  # what a column is: see _column()


def _column(col: str, name: str | None = None) -> _Column:
    """Classify a header cell (once per file) by its English *name* (the cell itself, or
    what :func:`.contact_headers.translate` made of a localised one): ("pair", kind, n,
    part), ("address", where, part), ("birth", part), ("email",), ("phone", words),
    ("notes",), ("photo",), ("govid",) or ("field", class, label); labels are *col*."""
    name = (name or col).strip()
    c = name.lower()
    if m := _PAIR.match(name):
        return ("pair", m.group("kind"), m.group("n"), m.group("part").strip().lower())
    if m := _ADDRESS_PART.match(name):
        where = {"business": "work"}.get(m.group("where").lower(), m.group("where").lower())
        return ("address", where, m.group("part").lower())
    if m := _BIRTH_PART.match(name):
        return ("birth", m.group(1).lower())
    for names, cls in ((PERSON_NAME, "person_name"), (ORG_NAME, "org_name"),
                       (JOB_TITLE, "job_title")):
        if c in names:
            return ("field", cls, col)
    if c in EMAIL:
        return ("email",)
    if c in PHONE:
        return ("phone", label_words(name))
    if c in BIRTHDAY:
        return ("field", "birthday", col)
    if c in URL:
        return ("field", "url", col)
    if c == "notes":
        return ("notes",)
    if c == "photo":
        return ("photo",)
    if c in NON_PERSONAL:
        return ("field", "non_personal", col)
    if c == "gender":
        return ("gender", col)
    if c in OTHER_PERSONAL:
        return ("field", "other_personal", col)
    if c == GOVERNMENT_ID:
        return ("govid",)
    return ("field", UNCLASSIFIED, col or "column")


def _explicit(col: str, target: str) -> _Column:
    """A header cell the source's ``columns:`` names (see :data:`.columns.CONTACT_TARGETS`)."""
    if target == "email":
        return ("email",)
    if target in ("work_phone", "mobile_phone", "home_phone", "phone"):
        return ("phone_as", target)
    if target == "notes":
        return ("notes",)
    if target == "ignore":
        return ("ignore",)
    return ("field", target, col)


class _Columns(dict):
    """Per file: header cell -> :func:`_column` of its English name (*names*) or the
    ``columns:`` entry (*explicit*); and the phones seen."""

    def __init__(self, names: dict[str, str] | None = None,
                 explicit: dict[str, str] | None = None) -> None:
        super().__init__()
        self.phones = PhoneInfo()
        self.names = names or {}
        self.explicit = explicit or {}

    def __missing__(self, col: str) -> _Column:
        target = self.explicit.get(col)
        got = self[col] = (_explicit(col, target) if target
                           else _column(col, self.names.get(col)))
        return got


def _load_row(sink: SourceSink | ColumnSink, f: FileRef, row: _Row,
              columns: _Columns | None = None) -> None:
    if columns is None:
        columns = _Columns()
    phones = columns.phones
    pairs: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    addresses: dict[str, dict[str, str]] = {}
    birth: dict[str, str] = {}
    for col, value in row.cells.items():
        what = columns[col]
        how = what[0]
        if how == "field":
            if what[1] == "birthday" and normalise.is_empty_date(value):
                continue  # Outlook's 0/0/00: no birthday (READING §5)
            sink.field(f, row.ref, what[1], what[2], value)
        elif how == "pair":
            pairs.setdefault((what[1], what[2]), {})[what[3]] = (col, value)
        elif how == "address":
            addresses.setdefault(what[1], {})[what[2]] = value
        elif how == "birth":
            birth[what[1]] = value
        elif how == "email":
            _email(sink, f, row, col, value)
        elif how == "phone":
            _phone(sink, f, row, col, what[1], value, phones)
        elif how == "notes":
            notes_field(sink, f, row.ref, col, value)
        elif how == "phone_as":
            for v in _split_multi(value):
                sink.field(f, row.ref, what[1], col, v)
                if e164 := phones[v][0]:
                    row.phones.append(e164)
        elif how == "govid":  # a valid identity code is a hetu, other text other_personal
            codes = normalise.find_hetus(value)
            for code in codes:
                sink.field(f, row.ref, "hetu", col, code)
            if not codes:
                sink.field(f, row.ref, "other_personal", col, value)
        elif how == "photo":
            sink.field(f, row.ref, "photo", col, "present, link")
        elif how == "gender":
            if value.strip().lower() != "unspecified":  # Outlook's value for no gender
                sink.field(f, row.ref, "other_personal", col, value)
        # ("ignore",): not about a person; the raw table keeps it
    for (kind, n), parts in pairs.items():
        _pair_group(sink, f, row, kind, n, parts, phones)
    for where, parts in addresses.items():
        cls = {"home": "home_address", "work": "company_address"}.get(where, "address")
        sink.field(f, row.ref, cls, f"{where.title()} address", _join_address(parts))
    if birth:
        when = "-".join(birth[k] for k in ("year", "month", "day") if birth.get(k))
        sink.field(f, row.ref, "birthday", "Birth Year/Month/Day", when)


def _person(cells: dict[str, str], columns: _Columns) -> tuple[str | None, str | None]:
    """The record's person and organisation name, from the English column names (and
    the ``columns:`` entries naming a person_name or org_name)."""
    low: dict[str, str] = {}
    for k, v in cells.items():
        target = columns.explicit.get(k)
        key = {"person_name": "name", "org_name": "organization name"}.get(
            target or "", columns.names.get(k, k) if not target else "")
        if key and key.strip().lower() not in low:
            low[key.strip().lower()] = v.strip()
    name = low.get("name") or low.get("display name")
    if not name:
        parts = [low.get(k) for k in ("first name", "given name", "middle name",
                                      "additional name", "last name", "family name")]
        name = " ".join(p for p in parts if p) or low.get("file as") or None
    org = (low.get("organization name") or low.get("organization 1 - name")
           or low.get("company") or low.get("organization") or None)
    return name, org


def _load_file(path: Path, source: SourceConfig, sink: SourceSink) -> LoadResult:
    f = sink.file(path)
    text, enc = _text_of(path, source.encoding, sink.limits)
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, source.delimiter))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty file: no header line", file=path) from None
    except csv.Error:
        raise InputError("header line is not valid CSV", file=path, place="line 1") from None
    header = [h.strip().removeprefix("\ufeff") for h in header]
    explicit = check_columns(source, header, path)
    english, lang = contact_headers.translate(header)
    style = _style(english)
    if style is None and not explicit and not any(_known(h) for h in english):
        raise InputError(
            "header not recognised as a Google, Outlook or Thunderbird contacts export "
            "(English, Finnish, Swedish or German headers); check the delimiter and encoding "
            "in the source entry, or name the columns with columns:",
            file=path, place="line 1")
    fmt = style or "contacts csv"
    result = LoadResult(format=f"{fmt} ({lang})" if lang else fmt)
    out = ColumnSink(sink, f, RAW_COLUMNS)  # rejects go straight to the sink
    columns = _Columns(dict(zip(header, english, strict=True)), explicit)
    padded = 0
    end = reader.line_num
    while True:
        start = end + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            result.records_read += 1
            result.records_rejected += 1
            sink.reject(f, f"line {start}", "not valid CSV from here on (unbalanced quote or "
                        "NUL byte); the rest of the file is not read")
            break
        end = reader.line_num
        if not values or not "".join(values).strip():
            continue  # blank line or a row of empty cells: not a contact
        ref = f"line {start}"
        result.records_read += 1
        for i, v in enumerate(values):
            if v and v.strip():
                col = header[i] if i < len(header) else f"cell {i + 1}"
                out.raw(f, ref, [str(start), col, nfc(v)])
        if len(values) > len(header) and not any(v.strip() for v in values[len(header):]):
            values = values[: len(header)]  # Thunderbird ends every data row with a comma
        if len(values) > len(header):
            sink.reject(f, ref, f"row has {len(values)} cells, the header has {len(header)}")
            result.records_rejected += 1
            continue
        if len(values) < len(header):  # Outlook and Excel re-saves drop empty last cells
            values = values + [""] * (len(header) - len(values))
            padded += 1
        cells = {h: nfc(v) or "" for h, v in zip(header, values, strict=True)
                 if v and v.strip()}
        row = _Row(ref, cells, header, values)
        _load_row(out, f, row, columns)
        name, org = _person(cells, columns)
        out.record(f, ref, "phone_contact", person_name=name, org_name=org,
                   email=row.emails[0] if row.emails else None,
                   phone=row.phones[0] if row.phones else None)
        result.records_loaded += 1
    out.flush()
    if padded:
        result.notes.append(short_rows_note(path, padded))
    if enc.startswith("utf-16"):
        result.notes.append(f"{path.name}: read as UTF-16")
    return result


def load(source: SourceConfig, sink: SourceSink) -> LoadResult:
    """Load one contacts CSV or every ``.csv`` file of a folder."""
    sink.raw_table(RAW_COLUMNS)
    total = LoadResult()
    folder = Path(source.path).is_dir()
    for path in input_files(source.path, (".csv",), rejected=total.rejecter(sink)):
        # gc paused: a row's dicts and lists set off full collections, 20 % of the load
        with per_file(sink, total, path, folder=folder), gc_paused():
            total += _load_file(path, source, sink)
    return total
