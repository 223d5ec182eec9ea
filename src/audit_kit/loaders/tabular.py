"""Tabular registers: customer register, service contracts, marketing lists, opt-outs,
erasure requests, retention holds. CSV (UTF-8 with or without BOM, cp1252; ``;`` ``,``
or tab) or XLSX.

Finnish and English headers are recognised by synonyms (:data:`SYNONYMS`); a source's
``columns:`` mapping overrides them. Unknown columns are kept in the raw table and
reported to the minimisation rules as ``other_personal`` fields, never dropped.

Finnish Excel writes "CSV" with ``;`` in cp1252 unless saved as UTF-8 (then with a
BOM); billing software (Procountor) may put a personal identity code in the business-ID
column for a private customer.

Two paths write the same tables: CSV is loaded set-based in DuckDB
(:mod:`audit_kit.loaders.tabular_sql`; DuckDB splits a CSV without quote characters,
the csv module reads the others); XLSX (and CSV holding a NUL) goes row by row here
(:func:`_load_rows`).
"""

from __future__ import annotations

import bisect
import codecs
import csv
import datetime as dt
import functools
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from audit_kit import normalise
from audit_kit.config import SourceConfig
from audit_kit.errors import FileRejected, InputError
from audit_kit.limits import Limits, SheetExtent, check_xlsx, read_input
from audit_kit.loaders import (
    DELIMITER,
    ENCODING,
    FuzzSeed,
    LoadResult,
    Option,
    Role,
    SourceKind,
    input_files,
    reject_reason,
    tabular_sql,
)
from audit_kit.loaders.columns import (
    check_columns,
    columns_option,
    header_key,
    short_rows_note,
)
from audit_kit.loaders.contact_points import PhoneInfo
from audit_kit.schema import PROVENANCE
from audit_kit.warehouse import FileRef, SourceSink, raw_table_name

_SHEET = Option("sheet", Annotated[str, Field(min_length=1)],
                "a worksheet's name (quoted if a number)",
                "the XLSX worksheet (default: the first)")

CUSTOMER_CONTACT = Role("customer_contact",
                        "contact person of a customer; ended_on = relationship end")
SERVICE_CONTACT = Role("service_contact",
                       "main user/contact of a service contract; ended_on = device retired")
PROSPECT = Role("prospect", "marketing list entry; last_activity = latest marketing")
MARKETING_OPTOUT = Role(
    "marketing_optout", "direct-marketing ban; requested_on = ban received",
    {"fi": "niin kauan kuin kielto on voimassa (§8)",
     "en": "while the direct-marketing ban applies (§8)"})
ERASURE_REQUEST = Role(
    "erasure_request", "erasure request; requested_on = request received",
    {"fi": "pyynnön käsittelyn kirjaus (§8)", "en": "record of handling the request (§8)"})
RETENTION_HOLD = Role(
    "retention_hold", "agreed longer retention or a legal claim; ended_on = held until",
    {"fi": "sovittu pidempi säilytys tai oikeusvaateen peruste (§6)",
     "en": "agreed longer retention or a legal claim (§6)"})


def _kind(name: str, order: int, role: Role, reads: str, notes: str, place: dict[str, str],
          fuzz: FuzzSeed) -> SourceKind:
    """A tabular kind: they share the loader, options, demo writer and fixtures."""
    options = (columns_option(name), ENCODING, DELIMITER, _SHEET)
    return SourceKind(name, order=order, loader="load_tabular", options=options, reads=reads,
                      notes=notes, place=place, roles=(role,), demo="audit_kit.demo.tabular:write",
                      fixtures=("tabular/*", "people/*"), fuzz=(fuzz,))


KINDS = (
    _kind("customers_csv", 10, CUSTOMER_CONTACT, "customer register, CSV or XLSX",
          "UTF-8 (BOM or not) or cp1252; `;` `,` tab; Finnish/English headers by synonym; "
          "`d.m.yyyy` and ISO dates; unknown columns kept",
          {"fi": "asiakasrekisteristä", "en": "from the customer register"},
          FuzzSeed("register.csv", "bad/csv_formula.csv")),
    _kind("service_contracts_csv", 20, SERVICE_CONTACT, "service-contract list",
          'as above; "Laite poistettu käytöstä" drives R-service',
          {"fi": "huoltosopimuslistalta", "en": "from the service-contract list"},
          FuzzSeed("contracts.csv", "bad/csv_ragged.csv")),
    _kind("marketing_list", 30, PROSPECT, "prospects, CSV or XLSX",
          '"Viimeisin markkinointi" drives R-marketing; a "Markkinointikielto" marker '
          "column marks a ban (R-ban-listed)",
          {"fi": "markkinointilistalta", "en": "from the marketing list"},
          FuzzSeed("prospects.csv", "bad/csv_formula.csv")),
    _kind("marketing_optouts", 40, MARKETING_OPTOUT, "direct-marketing bans",
          '"Kielto vastaanotettu"',
          {"fi": "markkinointikieltolistalta", "en": "from the marketing-ban list"},
          FuzzSeed("optouts.csv", "bad/csv_ragged.csv")),
    _kind("erasure_requests", 50, ERASURE_REQUEST, "erasure requests",
          '"Pyyntö vastaanotettu"; "Jatkettu" (a date or kyllä), "Päätös" (poistettu / '
          'hylätty), "Päätöspäivä", "Peruste" drive R-erasure',
          {"fi": "poistopyyntölistalta", "en": "from the erasure-request list"},
          FuzzSeed("erasure.csv", "bad/csv_ragged.csv")),
    _kind("retention_holds", 60, RETENTION_HOLD,
          "retention holds: agreed longer retention, legal claims (statement §6)",
          'e-mail, phone or "Asiakasnumero", "Säilytetään asti" (until), "Peruste" (reason): '
          "the person's retention findings are R-held (info) until that date",
          {"fi": "säilytyssopimusten listalta", "en": "from the retention-hold list"},
          FuzzSeed("holds.csv", "bad/csv_ragged.csv")),
)

#: semantic column -> header synonyms (compared case- and punctuation-insensitively)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "person_name": (
        "yhteyshenkilö",
        "yhteyshenkilo",
        "contact person",
        "contact",
        "pääkäyttäjä",
        "paakayttaja",
        "main user",
        "henkilö",
        "kontaktihenkilö",
        "nimi",
        "name",
        "full name",
        "koko nimi",
    ),
    "first_name": ("etunimi", "first name", "given name"),
    "last_name": ("sukunimi", "last name", "surname", "family name"),
    "org_name": (
        "yritys",
        "yrityksen nimi",
        "asiakas",
        "asiakkaan nimi",
        "company",
        "organisation",
        "organization",
        "customer",
        "customer name",
        "toiminimi",
        "firma",
    ),
    "business_id": ("y-tunnus", "ytunnus", "business id", "y tunnus", "vat id", "alv-tunnus"),
    "email": (
        "sähköposti",
        "sähköpostiosoite",
        "sahkoposti",
        "email",
        "e-mail",
        "e-mail address",
        "email address",
        "s-posti",
    ),
    "phone": (
        "puhelin",
        "puhelinnumero",
        "phone",
        "phone number",
        "työpuhelin",
        "work phone",
        "telephone",
        "puh",
    ),
    "mobile_phone": ("matkapuhelin", "gsm", "mobile", "mobile phone", "kännykkä"),
    "home_phone": ("kotipuhelin", "home phone", "kotipuh"),
    "street": (
        "katuosoite",
        "osoite",
        "lähiosoite",
        "address",
        "street",
        "street address",
        "yrityksen osoite",
        "company address",
        "postiosoite",
    ),
    "postcode": ("postinumero", "postal code", "postcode", "zip", "zip code"),
    "city": ("postitoimipaikka", "kaupunki", "city", "town", "paikkakunta"),
    "home_address": ("kotiosoite", "home address", "kotiosoite katu"),
    "birthday": ("syntymäaika", "syntymäpäivä", "birthday", "birth date", "date of birth", "synt"),
    "hetu": ("henkilötunnus", "hetu", "personal identity code", "ssn", "sotu"),
    "job_title": ("titteli", "tehtävä", "tehtävänimike", "asema", "job title", "title", "role"),
    "notes": (
        "lisätiedot",
        "lisätietoja",
        "notes",
        "note",
        "huomautukset",
        "kommentti",
        "comments",
        "muistiinpanot",
        "peruste",
        "säilytyksen peruste",
        "reason",
    ),
    "ended_on": (
        "asiakkuus päättynyt",
        "asiakkuus päättyi",
        "asiakkuus paattynyt",
        "relationship ended",
        "customer until",
        "ended",
        "päättymispäivä",
    ),
    "device_retired": (
        "laite poistettu käytöstä",
        "laite poistettu",
        "device retired",
        "retired",
        "käytöstä poisto",
    ),
    "last_marketing": (
        "viimeisin markkinointi",
        "viimeisin markkinointitoimenpide",
        "last marketing",
        "last marketed",
        "latest marketing",
    ),
    "held_until": (
        "säilytetään asti",
        "säilytys päättyy",
        "voimassa asti",
        "held until",
        "hold until",
        "keep until",
    ),
    "ban_date": ("kielto vastaanotettu", "kielto", "ban received", "opt-out date", "opted out"),
    "request_date": (
        "pyyntö vastaanotettu",
        "pyyntö",
        "request received",
        "request date",
        "received",
    ),
    "url": ("www", "kotisivu", "kotisivut", "website", "web"),
    # business data, not about a person
    "non_personal": (
        "asiakasnumero",
        "asiakaskoodi",
        "customer number",
        "customer id",
        "id",
        "sopimusnumero",
        "sopimus",
        "contract",
        "contract number",
        "laite",
        "laitemalli",
        "device",
        "device model",
        "sarjanumero",
        "serial",
        "serial number",
        "malli",
        "asiakkuus alkanut",
        "customer since",
        "alkupäivä",
        "start date",
        "kampanja",
        "campaign",
        "lähde",
        "source",
        "status",
        "tila",
        "kieli",
        "language",
        "asiakasryhmä",
        "maksuehto",
        "sopimus alkanut",
        "käsittelijä",
        "handled by",
        "laskutustapa",
        "verkkolaskuosoite",
        "operaattori",
        "maa",
        "country",
    ),
}

#: per kind, semantic columns only that kind has (looked up before :data:`SYNONYMS`): the
#: rights registers' handling of a request (READING.md §8)
KIND_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "erasure_requests": {
        "request_date": (
            "saapunut",
            "vastaanotettu",
            "pyyntö saapunut",
            "saapumispäivä",
            "received on",
            "date received",
        ),
        # Art. 12(3): one month, extendable by two; a date or a yes
        "extended": (
            "jatkettu",
            "pidennetty",
            "määräaikaa jatkettu",
            "määräaikaa pidennetty",
            "määräaika jatkettu",
            "jatkoaika",
            "extended",
            "extension",
            "deadline extended",
        ),
        "decision": ("päätös", "ratkaisu", "decision", "outcome"),
        "decided_on": (
            "päätöspäivä",
            "päätös tehty",
            "päätetty",
            "käsitelty",
            "poistettu",
            "poistopäivä",
            "decision date",
            "decided",
            "decided on",
            "erased on",
            "deleted on",
        ),
        # Art. 17(3): why a request was refused
        "reason": (
            "peruste",
            "perustelu",
            "syy",
            "epäämisen peruste",
            "hylkäyksen syy",
            "hylkäyksen peruste",
            "reason",
            "grounds",
            "refusal reason",
        ),
    },
    "marketing_list": {
        # a column marking a direct-marketing ban on the list itself (a date or a mark)
        "ban_marker": (
            "markkinointikielto",
            "suoramarkkinointikielto",
            "kielto",
            "kielletty",
            "ei markkinointia",
            "marketing ban",
            "opt-out",
            "opted out",
            "do not market",
            "do not contact",
        ),
    },
    "marketing_optouts": {
        "ban_date": ("markkinointikielto", "suoramarkkinointikielto", "kielto saapunut",
                     "kielto päivämäärä"),
    },
}

#: a yes / a no in a register's marker cell (an extension, a ban marker), compared lower case
_YES = frozenset(("k", "kyllä", "kylla", "joo", "x", "y", "yes", "true", "1", "jatkettu",
                  "pidennetty", "extended", "kielto", "kielletty", "banned", "opted out"))
_NO = frozenset(("e", "ei", "n", "no", "false", "0", "-"))


def _is_date(t: str) -> bool:
    try:
        normalise.date(t)
    except ValueError:
        return False
    return True


def extended_value(text: str) -> bool | None:
    """An extension cell: a date or a yes is an extension, a no is none, other text is
    not read as one (None; the request keeps the one-month deadline)."""
    t = text.strip().lower()
    if t in _NO:
        return False
    return True if t in _YES or _is_date(t) else None


def decision_value(text: str) -> str | None:
    """A decision cell as ``erased`` / ``refused`` (Finnish and English words); other
    text (``käsittelyssä``, pending) is no decision."""
    t = text.strip().lower()
    if t.startswith(("poist", "erase", "delet", "remov")):
        return "erased"
    if t.startswith(("hyl", "evä", "evat", "kielt", "refus", "reject", "denied", "declin")):
        return "refused"
    return None


def ban_marker_value(text: str) -> str | None:
    """A ban-marker cell: any mark but a no (a date, kyllä, x) marks the ban."""
    t = text.strip().lower()
    return None if not t or t in _NO else "banned"


def reason_value(text: str) -> str | None:
    return text.strip() or None


@dataclass(frozen=True)
class TextColumn:
    """A records column read from a semantic column's text (the first non-empty)."""

    column: str
    read: Callable[[str], object]
    type: pa.DataType


#: semantic column -> the records column its text gives (the rights registers)
TEXT_COLUMNS: dict[str, TextColumn] = {
    "extended": TextColumn("extended", extended_value, pa.bool_()),
    "decision": TextColumn("decision", decision_value, pa.string()),
    "reason": TextColumn("reason", reason_value, pa.string()),
    "ban_marker": TextColumn("decision", ban_marker_value, pa.string()),
}

_FIELD_OF = {  # semantic column -> field class
    "person_name": "person_name",
    "first_name": "person_name",
    "last_name": "person_name",
    "org_name": "org_name",
    "business_id": "business_id",
    "email": "email",
    "phone": "work_phone",
    "mobile_phone": "mobile_phone",
    "home_phone": "home_phone",
    "street": "company_address",
    "postcode": "company_address",
    "city": "company_address",
    "home_address": "home_address",
    "birthday": "birthday",
    "hetu": "hetu",
    "job_title": "job_title",
    "notes": "notes",
    "url": "url",
    "non_personal": "non_personal",
    # the rights registers' handling columns: business data, a reason is free text
    "extended": "non_personal",
    "decision": "non_personal",
    "ban_marker": "non_personal",
    "reason": "notes",
    # columns: targets that are field classes only
    "address": "address",
    "photo": "photo",
    "other_personal": "other_personal",
}

DATE_COLUMNS = (
    "ended_on", "device_retired", "last_marketing", "ban_date", "request_date", "decided_on",
    "held_until")


@dataclass(frozen=True)
class KindSpec:
    kind: str
    role: str
    #: semantic date column -> records column
    dates: dict[str, str]
    #: semantic text columns read into records columns (:data:`TEXT_COLUMNS`)
    texts: tuple[str, ...] = ()


SPECS = {
    s.kind: s
    for s in (
        KindSpec("customers_csv", CUSTOMER_CONTACT.name, {"ended_on": "ended_on"}),
        KindSpec("service_contracts_csv", SERVICE_CONTACT.name, {"device_retired": "ended_on"}),
        KindSpec("marketing_list", PROSPECT.name, {"last_marketing": "last_activity"},
                 ("ban_marker",)),
        KindSpec("marketing_optouts", MARKETING_OPTOUT.name, {"ban_date": "requested_on"}),
        KindSpec("erasure_requests", ERASURE_REQUEST.name,
                 {"request_date": "requested_on", "decided_on": "decided_on"},
                 ("extended", "decision", "reason")),
        KindSpec("retention_holds", RETENTION_HOLD.name, {"held_until": "ended_on"}),
    )
}


_key = header_key


_LOOKUP = {_key(syn): sem for sem, syns in SYNONYMS.items() for syn in syns}
_KIND_LOOKUP = {
    kind: {_key(syn): sem for sem, syns in by_sem.items() for syn in syns}
    for kind, by_sem in KIND_SYNONYMS.items()
}


#: ``columns:`` targets that name a semantic column under another name
_ALIASES = {"work_phone": "phone", "company_address": "street"}


def map_headers(
    headers: list[str], explicit: dict[str, str] | None, kind: str | None = None
) -> list[str | None]:
    """Semantic name for each header (None = unknown). ``explicit`` ({header: target},
    :func:`.columns.check_columns`) wins over the *kind*'s own synonyms
    (:data:`KIND_SYNONYMS`), which win over the common ones."""
    explicit_k = {_key(k): _ALIASES.get(v, v) for k, v in (explicit or {}).items()}
    own = _KIND_LOOKUP.get(kind or "", {})
    sem: list[str | None] = []
    for h in headers:
        k = _key(h)
        sem.append(explicit_k.get(k) or own.get(k) or _LOOKUP.get(k))
    # A bare "Nimi"/"Name" is the organisation when a contact-person column exists too.
    if sem.count("person_name") > 1:
        for i, h in enumerate(headers):
            if (
                sem[i] == "person_name"
                and _key(h) in ("nimi", "name")
                and h not in (explicit or {})
            ):
                sem[i] = "org_name"
    return sem


# -- reading -------------------------------------------------------------------------


def detect_encoding(head: bytes, declared: str | None) -> str:
    """BOM, then strict UTF-8, then cp1252 (what Finnish Excel writes)."""
    if declared:
        return declared
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start >= len(head) - 3 and exc.reason.startswith("unexpected end"):
            return "utf-8"
        return "cp1252"


def detect_delimiter(header_line: str, declared: str | None) -> str:
    if declared:
        return "\t" if declared in ("\\t", "tab") else declared
    counts = {d: header_line.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


Row = tuple[str, list[object]]  # (record_ref, values)

#: a non-ASCII character decoded from valid UTF-8 / a byte that was not valid UTF-8
_UTF8_TEXT = re.compile("[^\x00-\x7f\udc80-\udcff]")
_UNDECODED = re.compile("[\udc80-\udcff]")


def _csv_text(
    path: Path, source: SourceConfig, f: FileRef, res: LoadResult, limits: Limits
) -> tuple[str, str, bool]:
    """The decoded text, its delimiter and whether it mixes encodings (``res.format`` set)."""
    data = read_input(path, limits)
    if not data or data.isspace():  # (not data.strip(): without copying 30 MB)
        raise InputError("file is empty; export the register again", file=f.name)
    enc = detect_encoding(data[:65536], source.encoding)
    # Lines appended by another program (or pasted from a cp1252 file) into a UTF-8 export:
    # keep the UTF-8 lines and reject the others rather than guess (mojibake either way).
    mixed = False
    if enc in ("utf-8", "cp1252") and not source.encoding:
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            loose = data.decode("utf-8", errors="surrogateescape")
            # one scan first: a cp1252 file has no valid UTF-8 text at all (no line loop)
            mixed = bool(_UTF8_TEXT.search(loose)) and any(
                _UTF8_TEXT.search(ln) and not _UNDECODED.search(ln) for ln in loose.splitlines()
            )
            if mixed:
                enc, text = "utf-8", loose
            else:
                enc = "cp1252"
    if not mixed:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            raise InputError(
                f"cannot decode as {enc}; set `encoding:` in the source entry", file=f.name
            ) from None
    text = text.lstrip("\ufeff")
    if not text or text.isspace():
        raise InputError("file is empty; export the register again", file=f.name)
    end = text.find("\n")  # the first line without copying the rest (split did)
    first_line = text if end < 0 else text[:end]
    delim = detect_delimiter(first_line, source.delimiter)
    res.format = (
        f"csv ({enc}{' with lines in another encoding' if mixed else ''}, "
        f"{'tab' if delim == chr(9) else repr(delim)})"
    )
    return text, delim, mixed


def _csv_rows(
    text: str,
    delim: str,
    mixed: bool,
    f: FileRef,
    sink: SourceSink | tabular_sql.Rejects,
    res: LoadResult,
) -> tuple[list[str], Iterator[Row]]:
    """The csv module's rows (any CSV, quotes and mixed encodings too); what it rejects
    goes to *sink* (``reject``)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    try:
        headers = [h.strip() for h in next(reader)]
    except csv.Error:
        raise InputError("header row is not valid CSV", file=f.name, place="line 1") from None
    if mixed and any(_UNDECODED.search(h) for h in headers):
        raise InputError(
            "header row is not UTF-8 but later lines are; save the file again as UTF-8",
            file=f.name,
            place="line 1",
        )

    def rows() -> Iterator[Row]:
        padded = 0
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error:
                # an unclosed quote swallows the rest of the file: one reject for it
                res.records_read += 1
                sink.reject(f, f"line {start}", "unclosed quote; the rest of the file is one field")
                break
            if not "".join(values).strip():
                continue
            res.records_read += 1
            if len(values) > len(headers):
                sink.reject(
                    f, f"line {start}", f"{len(values)} fields where the header has {len(headers)}"
                )
                continue
            if len(values) < len(headers):  # Outlook and Excel re-saves drop empty last cells
                values += [""] * (len(headers) - len(values))
                padded += 1
            if mixed and any(_UNDECODED.search(v) for v in values):
                sink.reject(
                    f,
                    f"line {start}",
                    "not UTF-8 while the rest of the file is "
                    "(mixed encodings); save the file again as UTF-8",
                )
                continue
            yield f"line {start}", list(values)
        if padded:
            res.notes.append(short_rows_note(f.path, padded))

    return headers, rows()


def _sheet_rows(ws, f: FileRef, limits: Limits) -> Iterator[tuple]:
    """The sheet's rows; a damaged sheet part (read lazily) stops the file with its row,
    a sheet wider and longer than ``limits.max_xlsx_cells`` refuses it (FileRejected).

    openpyxl's read-only mode believes the sheet's ``<dimension>``: it pads every row to
    its width and yields its every row. A dimension over the limit is not believed (the
    rows come as they are), and the rows that come are measured as they do.
    """
    extent = SheetExtent(limits)
    if not extent.fits(ws.max_row, ws.max_column):
        ws.reset_dimensions()
    it = ws.iter_rows(values_only=True)
    n = 1
    while True:
        try:
            values = next(it)
        except StopIteration:
            return
        except Exception:  # see _xlsx_rows: damaged sheet XML
            raise InputError(
                "the sheet's XML is damaged here; save the workbook again from Excel",
                file=f.name,
                place=f"row {n}",
            ) from None
        extent.row(n, len(values))
        yield values
        n += 1


def _xlsx_rows(
    path: Path, source: SourceConfig, f: FileRef, sink: SourceSink, res: LoadResult
) -> tuple[list[str], Iterator[Row]]:
    import openpyxl

    # openpyxl raises a grab-bag on damaged parts (BadZipFile, KeyError, expat and etree
    # errors, ValueError, TypeError, AttributeError...): any of them means a damaged file
    data = read_input(path, sink.limits)
    check_xlsx(io.BytesIO(data), len(data), sink.limits)  # bombs before openpyxl reads
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise InputError(
            "not a readable XLSX workbook; save it again from Excel", file=f.name
        ) from None
    if not wb.sheetnames:
        raise InputError("the workbook has no sheets; save it again from Excel", file=f.name)
    try:
        ws = wb[source.sheet] if source.sheet else wb.worksheets[0]
    except (KeyError, IndexError):
        raise InputError(
            f"no sheet named {source.sheet!r}; sheets: {', '.join(wb.sheetnames)}", file=f.name
        ) from None
    res.format = f"xlsx (sheet {ws.title!r})"
    for name in wb.sheetnames:  # every sheet's name is a sign (a "tilaajat" sheet, §6)
        sink.sign(f, "workbook", "sheet", name)
    it = _sheet_rows(ws, f, sink.limits)
    try:
        headers = ["" if h is None else str(h).strip() for h in next(it)]
    except StopIteration:
        raise InputError("workbook sheet is empty", file=f.name) from None
    while headers and not headers[-1]:
        headers.pop()

    def rows() -> Iterator[Row]:
        for n, values in enumerate(it, start=2):
            vals = list(values)
            if not any(v not in (None, "") for v in vals):
                continue
            res.records_read += 1
            if any(v not in (None, "") for v in vals[len(headers) :]):
                sink.reject(f, f"row {n}", f"values beyond the {len(headers)} header columns")
                continue
            vals = (vals + [None] * len(headers))[: len(headers)]
            yield f"row {n}", ["" if v is None else v for v in vals]

    return headers, rows()


#: what stdnum's HETU validator can accept after strip/upper; other text skips the
#: (costly) stdnum call: a Y-tunnus (7 digits, dash, digit) never has this shape
_HETU_SHAPE = re.compile(r"\s*\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y]\s*$")


def _is_hetu(t: str) -> bool:
    return bool(_HETU_SHAPE.match(t)) and normalise.is_hetu(t)


def _text(v: object) -> str:
    if type(v) is str:
        return v.strip()
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


#: rows per columnar batch (memory stays bounded on a 200k-row register)
CHUNK_ROWS = 50_000
#: field classes whose free text is searched for identity codes
_HETU_TEXT = ("notes", "other_personal", "unclassified", "company_address", "home_address")
#: a column no synonym or ``columns:`` entry names (one minimisation warning per column)
UNCLASSIFIED = "unclassified"
UNREAD_DATE = tabular_sql.UNREAD_DATE


@dataclass
class _Plan:
    """What each column means, decided once per file (not per cell)."""

    headers: list[str]
    sem: list[str | None]
    spec: KindSpec
    raw_names: list[str]

    def __post_init__(self) -> None:
        self.phones = PhoneInfo()
        self.date_cols = [
            (j, s, h)
            for j, (h, s) in enumerate(zip(self.headers, self.sem, strict=True))
            if s in DATE_COLUMNS
        ]
        self.field_cols = [
            j for j, s in enumerate(self.sem) if s not in DATE_COLUMNS and s != "ignore"
        ]
        #: semantic -> its columns in header order (for "the first non-empty one")
        self.by_sem: dict[str, list[int]] = {}
        for j in self.field_cols:
            s = self.sem[j]
            if s:
                self.by_sem.setdefault(s, []).append(j)
        self.classes = [_FIELD_OF.get(s or "", UNCLASSIFIED) for s in self.sem]
        names = sorted({*self.classes, "hetu", "mobile_phone", UNREAD_DATE})
        self.class_code = {c: i for i, c in enumerate(names)}
        self.class_names = pa.array(names, pa.string())
        self.header_names = pa.array(self.headers, pa.string())


def _first(texts: list[list[str]], cols: list[int] | None, n: int) -> list[str | None]:
    """Per row, the first non-empty text of *cols* (None when all are empty)."""
    if not cols:
        return [None] * n
    if len(cols) == 1:
        return [t or None for t in texts[cols[0]]]
    return [next((t for t in ts if t), None) for ts in zip(*(texts[j] for j in cols), strict=True)]


def _hetu_cells(col: list[str]) -> list[int]:
    """Rows whose text has an identity-code candidate: one regex pass over the column."""
    joined = "\n".join(col)  # "\n" is a word boundary like the start or end of a cell
    hits = [m.start() for m in normalise._HETU_CANDIDATE.finditer(joined)]
    if not hits:
        return []
    starts = list(itertools.accumulate((len(t) + 1 for t in col), initial=0))
    return sorted({bisect.bisect_right(starts, pos) - 1 for pos in hits})


def _write_chunk(
    sink: SourceSink,
    f: FileRef,
    plan: _Plan,
    refs: list[str],
    values: list[list[object]],
    dates: dict[str, list[dt.date | None]],
    csv_values: bool,
    unread: list[tuple[int, int]],
) -> None:
    """Write the loaded rows of one chunk column by column: raw, fields, records.

    *unread* lists the (row, column) date cells that are not dates: each becomes an
    ``unread_date`` field with its text, in the fields' (row, column) order."""
    n = len(refs)
    columns = list(zip(*values, strict=True)) if values else []
    if csv_values:
        texts = [[v.strip() for v in col] for col in columns]
    else:
        texts = [[_text(v) for v in col] for col in columns]
    arrays = [pa.array(col, pa.string()) for col in texts]
    sink.columns("raw", f, {"record_ref": refs, **dict(zip(plan.raw_names, arrays, strict=True))})

    biz = _first(texts, plan.by_sem.get("business_id"), n)
    biz_hetu = [bool(b) and _is_hetu(b) for b in biz]
    # fields: per column, then sorted back into row order (row, column, code after value);
    # class and label as small codes into _Plan.class_names / headers
    stride = 2 * len(plan.headers)
    keys, classes, vals = [], [], []
    for j in plan.field_cols:
        s, col, arr = plan.sem[j], texts[j], arrays[j]
        mask = pc.not_equal(arr, "")
        rows = pc.indices_nonzero(mask)
        k = len(rows)
        if not k:
            continue
        keys.append(pc.add(pc.multiply(rows.cast(pa.int64()), stride), 2 * j))
        vals.append(arr.filter(mask))
        cls = plan.classes[j]
        code = plan.class_code[cls]
        if s == "business_id":
            # Procountor: a private person's identity code in the business-ID column
            hetu = plan.class_code["hetu"]
            classes.append(pa.array([hetu if _is_hetu(t) else code for t in col if t], pa.int8()))
        elif s in ("phone", "mobile_phone") and cls == "work_phone":
            mobile = plan.class_code["mobile_phone"]
            classes.append(
                pa.array(
                    [mobile if plan.phones[t][1] == "mobile" else code for t in col if t], pa.int8()
                )
            )
        else:
            classes.append(pa.array([code] * k, pa.int8()))
        if cls in _HETU_TEXT:
            extra = [i for i in _hetu_cells(col) for _ in normalise.find_hetus(col[i])]
            if extra:
                keys.append(pa.array([i * stride + 2 * j + 1 for i in extra], pa.int64()))
                vals.append(pa.array(["[identity code]"] * len(extra), pa.string()))
                classes.append(pa.array([plan.class_code["hetu"]] * len(extra), pa.int8()))
    if unread:
        keys.append(pa.array([i * stride + 2 * j for i, j in unread], pa.int64()))
        vals.append(pa.array([texts[j][i] for i, j in unread], pa.string()))
        classes.append(pa.array([plan.class_code[UNREAD_DATE]] * len(unread), pa.int8()))
    if keys:
        key = pa.concat_arrays(keys)
        order = pc.sort_indices(key)  # stable: several codes of one cell keep their order
        key = pc.take(key, order)
        row = pc.divide(key, stride)
        col = pc.divide(pc.subtract(key, pc.multiply(row, stride)), 2)
        # small dictionaries: DuckDB decodes them while inserting
        sink.columns(
            "fields",
            f,
            {
                "record_ref": pa.DictionaryArray.from_arrays(row, pa.array(refs, pa.string())),
                "field": pa.DictionaryArray.from_arrays(
                    pc.take(pa.concat_arrays(classes), order), plan.class_names
                ),
                "label": pa.DictionaryArray.from_arrays(col, plan.header_names),
                "value": pc.take(pa.concat_arrays(vals), order),
            },
        )

    person = _first(texts, plan.by_sem.get("person_name"), n)
    if not plan.by_sem.get("person_name") or not all(person):
        first = _first(texts, plan.by_sem.get("first_name"), n)
        last = _first(texts, plan.by_sem.get("last_name"), n)
        person = [
            p or " ".join(x for x in (a, b) if x) or None
            for p, a, b in zip(person, first, last, strict=True)
        ]
    phone_raw = [
        p or m
        for p, m in zip(
            _first(texts, plan.by_sem.get("phone"), n),
            _first(texts, plan.by_sem.get("mobile_phone"), n),
            strict=True,
        )
    ]
    record: dict[str, object] = {
        "record_ref": refs,
        "role": pa.array([plan.spec.role] * n, pa.string()),
        "person_name": pa.array(person, pa.string()),
        "org_name": pa.array(_first(texts, plan.by_sem.get("org_name"), n), pa.string()),
        "business_id": pa.array(
            [b if b and not bh else None for b, bh in zip(biz, biz_hetu, strict=True)], pa.string()
        ),
        "email": pa.array(
            [normalise.email(e) for e in _first(texts, plan.by_sem.get("email"), n)], pa.string()
        ),
        "phone": pa.array([plan.phones[p][0] if p else None for p in phone_raw], pa.string()),
    }
    for sem_col, col in plan.spec.dates.items():
        record[col] = pa.array(dates.get(sem_col) or [None] * n, pa.date32())
    for sem_col in plan.spec.texts:
        tc = TEXT_COLUMNS[sem_col]
        read = functools.cache(tc.read)
        vals = _first(texts, plan.by_sem.get(sem_col), n)
        record[tc.column] = pa.array([read(v) if v else None for v in vals], tc.type)
    sink.columns("records", f, record)


def _load_file(
    path: Path,
    source: SourceConfig,
    sink: SourceSink,
    spec: KindSpec,
    raw_headers: list[str] | None,
    res: LoadResult,
) -> list[str]:
    f = sink.file(path)
    xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
    utf8, found = None, None  # set-based from the lines / from the csv module's rows
    if xlsx:
        headers, rows = _xlsx_rows(path, source, f, sink, res)
    else:
        text, delim, mixed = _csv_text(path, source, f, res, sink.limits)
        utf8 = tabular_sql.utf8_if_applies(text, delim, mixed)
        if utf8 is not None:
            headers, rows = tabular_sql.header(text, delim), iter(())
        elif tabular_sql.takes_rows(text):
            found = tabular_sql.Rejects()
            headers, rows = _csv_rows(text, delim, mixed, f, found, res)
        else:
            headers, rows = _csv_rows(text, delim, mixed, f, sink, res)
    sem = map_headers(headers, check_columns(source, headers, path), source.kind)
    for h, s in zip(headers, sem, strict=True):
        res.columns.setdefault(h, s or UNCLASSIFIED)
    for h in headers:  # a column's name is a sign (an "Uutiskirje" column, §6)
        if h:
            sink.sign(f, "row 1" if xlsx else "line 1", "column", h)
    table = raw_table_name(sink.source)
    if raw_headers is None:
        sink.raw_table(headers)
    elif [_key(h) for h in headers] != [_key(h) for h in raw_headers]:
        raise InputError(
            "columns differ from the folder's first file; give each layout its own source entry",
            file=f.name,
            place="line 1",
        )
    raw_names = [r[0] for r in sink.con.execute(f'DESCRIBE "{table}"').fetchall()]
    plan = _Plan(headers, sem, spec, raw_names[len(PROVENANCE) :])
    if utf8 is not None:
        tabular_sql.load(utf8, delim, plan, sink, f, res, _is_hetu, _HETU_TEXT, TEXT_COLUMNS)
    elif found is not None:
        tabular_sql.load((rows, found), delim, plan, sink, f, res, _is_hetu, _HETU_TEXT,
                         TEXT_COLUMNS)
    else:
        _load_rows(rows, plan, sink, f, res, xlsx)
    return headers


def _load_rows(
    rows: Iterator[Row], plan: _Plan, sink: SourceSink, f: FileRef, res: LoadResult, xlsx: bool
) -> None:
    """The row path: dates per row (cached per text), columns written per chunk."""
    spec = plan.spec
    date_cache: dict[str, dt.date | None] = {}
    refs: list[str] = []
    kept: list[list[object]] = []
    dates: dict[str, list[dt.date | None]] = {s: [] for s in spec.dates}
    unread: list[tuple[int, int]] = []  # (row in the chunk, column) of unreadable dates
    for ref, values in rows:
        row_dates: dict[str, dt.date | None] = {}
        for j, s, _h in plan.date_cols:
            v = values[j]
            t = v.strip() if type(v) is str else _text(v)
            try:
                if type(v) is str:
                    try:
                        d = date_cache[t]
                    except KeyError:
                        d = date_cache[t] = normalise.date(t)
                else:
                    d = normalise.date(v if isinstance(v, dt.date) else t)
            except ValueError:
                # the record stays (every rule not needing this date still sees the
                # person); the text is kept as an unread_date field, the date is empty
                d = None  # (not cached: the next such text must be counted too)
                unread.append((len(refs), j))
            row_dates[s] = d
        refs.append(ref)
        kept.append(values)
        for s, lst in dates.items():
            lst.append(row_dates.get(s))
        if len(refs) >= CHUNK_ROWS:
            _write_chunk(sink, f, plan, refs, kept, dates, not xlsx, unread)
            res.records_loaded += len(refs)
            refs, kept, unread = [], [], []
            dates = {s: [] for s in spec.dates}
    if refs:
        _write_chunk(sink, f, plan, refs, kept, dates, not xlsx, unread)
        res.records_loaded += len(refs)


def load_tabular(source: SourceConfig, sink: SourceSink) -> LoadResult:
    spec = SPECS[source.kind]
    total = LoadResult()
    files = list(input_files(source.path, (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"),
                             rejected=total.rejecter(sink)))
    if not files and not total.records_read:
        raise InputError("no CSV or XLSX files in the folder", file=source.path)
    raw_headers: list[str] | None = None
    folder = Path(source.path).is_dir()
    for path in files:
        before = sink.rejected
        res = LoadResult()
        try:
            raw_headers = _load_file(path, source, sink, spec, raw_headers, res)
        except InputError as exc:
            if not (folder or isinstance(exc, FileRejected)):
                raise
            # rows read but not written yet (a chunk's worth) go with the rest of the file
            res.records_read = res.records_loaded + sink.rejected - before
            res.file_rejected(sink, path, reject_reason(exc))
        res.records_rejected = sink.rejected - before
        total += res
    return total

