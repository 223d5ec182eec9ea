"""Tabular registers: customer register, service contracts, marketing lists, opt-outs,
erasure requests. CSV (UTF-8 with or without BOM, cp1252; ``;`` ``,`` or tab) or XLSX.

Finnish and English headers are recognised by synonyms (:data:`SYNONYMS`); a source's
``columns:`` mapping overrides them. Unknown columns are kept in the raw table and
reported to the minimisation rules as ``other_personal`` fields, never dropped.

Finnish Excel writes "CSV" with ``;`` in cp1252 unless saved as UTF-8 (then with a
BOM); billing software (Procountor) may put a personal identity code in the business-ID
column for a private customer.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from audit_kit import normalise
from audit_kit.config import SourceConfig
from audit_kit.errors import InputError
from audit_kit.loaders import LoadResult, input_files, register
from audit_kit.warehouse import FileRef, SourceSink

#: semantic column -> header synonyms (compared case- and punctuation-insensitively)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "person_name": ("yhteyshenkilö", "yhteyshenkilo", "contact person", "contact", "pääkäyttäjä",
                    "paakayttaja", "main user", "henkilö", "kontaktihenkilö", "nimi", "name",
                    "full name", "koko nimi"),
    "first_name": ("etunimi", "first name", "given name"),
    "last_name": ("sukunimi", "last name", "surname", "family name"),
    "org_name": ("yritys", "yrityksen nimi", "asiakas", "asiakkaan nimi", "company", "organisation",
                 "organization", "customer", "customer name", "toiminimi", "firma"),
    "business_id": ("y-tunnus", "ytunnus", "business id", "y tunnus", "vat id", "alv-tunnus"),
    "email": ("sähköposti", "sähköpostiosoite", "sahkoposti", "email", "e-mail", "e-mail address",
              "email address", "s-posti"),
    "phone": ("puhelin", "puhelinnumero", "phone", "phone number", "työpuhelin", "work phone",
              "telephone", "puh"),
    "mobile_phone": ("matkapuhelin", "gsm", "mobile", "mobile phone", "kännykkä"),
    "home_phone": ("kotipuhelin", "home phone", "kotipuh"),
    "street": ("katuosoite", "osoite", "lähiosoite", "address", "street", "street address",
               "yrityksen osoite", "company address", "postiosoite"),
    "postcode": ("postinumero", "postal code", "postcode", "zip", "zip code"),
    "city": ("postitoimipaikka", "kaupunki", "city", "town", "paikkakunta"),
    "home_address": ("kotiosoite", "home address", "kotiosoite katu"),
    "birthday": ("syntymäaika", "syntymäpäivä", "birthday", "birth date", "date of birth", "synt"),
    "hetu": ("henkilötunnus", "hetu", "personal identity code", "ssn", "sotu"),
    "job_title": ("titteli", "tehtävä", "tehtävänimike", "asema", "job title", "title", "role"),
    "notes": ("lisätiedot", "lisätietoja", "notes", "note", "huomautukset", "kommentti", "comments",
              "muistiinpanot"),
    "ended_on": ("asiakkuus päättynyt", "asiakkuus päättyi", "asiakkuus paattynyt", "relationship ended",
                 "customer until", "ended", "päättymispäivä"),
    "device_retired": ("laite poistettu käytöstä", "laite poistettu", "device retired",
                       "retired", "käytöstä poisto"),
    "last_marketing": ("viimeisin markkinointi", "viimeisin markkinointitoimenpide", "last marketing",
                       "last marketed", "latest marketing"),
    "ban_date": ("kielto vastaanotettu", "kielto", "ban received", "opt-out date", "opted out"),
    "request_date": ("pyyntö vastaanotettu", "pyyntö", "request received", "request date",
                     "received"),
    "url": ("www", "kotisivu", "kotisivut", "website", "web"),
    # business data, not about a person
    "non_personal": ("asiakasnumero", "asiakaskoodi", "customer number", "customer id", "id",
                     "sopimusnumero", "sopimus", "contract", "contract number", "laite", "laitemalli",
                     "device", "device model", "sarjanumero", "serial", "serial number", "malli",
                     "asiakkuus alkanut", "customer since", "alkupäivä", "start date", "kampanja",
                     "campaign", "lähde", "source", "status", "tila", "kieli", "language",
                     "asiakasryhmä", "maksuehto", "sopimus alkanut", "käsittelijä", "handled by",
                     "laskutustapa", "verkkolaskuosoite", "operaattori", "maa", "country"),
}

_FIELD_OF = {  # semantic column -> field class
    "person_name": "person_name", "first_name": "person_name", "last_name": "person_name",
    "org_name": "org_name", "business_id": "business_id", "email": "email",
    "phone": "work_phone", "mobile_phone": "mobile_phone", "home_phone": "home_phone",
    "street": "company_address", "postcode": "company_address", "city": "company_address",
    "home_address": "home_address", "birthday": "birthday", "hetu": "hetu",
    "job_title": "job_title", "notes": "notes", "url": "url", "non_personal": "non_personal",
}

DATE_COLUMNS = ("ended_on", "device_retired", "last_marketing", "ban_date", "request_date")


@dataclass(frozen=True)
class KindSpec:
    kind: str
    role: str
    #: semantic date column -> records column
    dates: dict[str, str]


SPECS = {
    s.kind: s
    for s in (
        KindSpec("customers_csv", "customer_contact", {"ended_on": "ended_on"}),
        KindSpec("service_contracts_csv", "service_contact", {"device_retired": "ended_on"}),
        KindSpec("marketing_list", "prospect", {"last_marketing": "last_activity"}),
        KindSpec("marketing_optouts", "marketing_optout", {"ban_date": "requested_on"}),
        KindSpec("erasure_requests", "erasure_request", {"request_date": "requested_on"}),
    )
}


def _key(header: str) -> str:
    return re.sub(r"[\s_.:]+", " ", header.strip().lower()).strip()


_LOOKUP = {_key(syn): sem for sem, syns in SYNONYMS.items() for syn in syns}


def map_headers(headers: list[str], explicit: dict[str, str] | None) -> list[str | None]:
    """Semantic name for each header (None = unknown). ``explicit`` wins over synonyms."""
    explicit_k = {_key(k): v for k, v in (explicit or {}).items()}
    sem: list[str | None] = []
    for h in headers:
        k = _key(h)
        sem.append(explicit_k.get(k) or _LOOKUP.get(k))
    # A bare "Nimi"/"Name" is the organisation when a contact-person column exists too.
    if sem.count("person_name") > 1:
        for i, h in enumerate(headers):
            if sem[i] == "person_name" and _key(h) in ("nimi", "name") and h not in (explicit or {}):
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


def _csv_rows(path: Path, source: SourceConfig, f: FileRef, sink: SourceSink,
              res: LoadResult) -> tuple[list[str], Iterator[Row]]:
    data = path.read_bytes()
    if not data.strip():
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
            mixed = any(_UTF8_TEXT.search(ln) and not _UNDECODED.search(ln)
                        for ln in loose.splitlines())
            if mixed:
                enc, text = "utf-8", loose
            else:
                enc = "cp1252"
    if not mixed:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            raise InputError(f"cannot decode as {enc}; set `encoding:` in the source entry",
                             file=f.name) from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError("file is empty; export the register again", file=f.name)
    first_line = text.split("\n", 1)[0]
    delim = detect_delimiter(first_line, source.delimiter)
    res.format = (f"csv ({enc}{' with lines in another encoding' if mixed else ''}, "
                  f"{'tab' if delim == chr(9) else repr(delim)})")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    try:
        headers = [h.strip() for h in next(reader)]
    except csv.Error:
        raise InputError("header row is not valid CSV", file=f.name, place="line 1") from None
    if mixed and any(_UNDECODED.search(h) for h in headers):
        raise InputError("header row is not UTF-8 but later lines are; save the file again as "
                         "UTF-8", file=f.name, place="line 1")

    def rows() -> Iterator[Row]:
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error:
                # an unclosed quote swallows the rest of the file: one reject for it
                res.records_read += 1
                sink.reject(f, f"line {start}", "unclosed quote; the rest of the file is one field")
                return
            if not any(v.strip() for v in values):
                continue
            res.records_read += 1
            if len(values) != len(headers):
                sink.reject(f, f"line {start}",
                            f"{len(values)} fields where the header has {len(headers)}")
                continue
            if mixed and any(_UNDECODED.search(v) for v in values):
                sink.reject(f, f"line {start}", "not UTF-8 while the rest of the file is "
                            "(mixed encodings); save the file again as UTF-8")
                continue
            yield f"line {start}", list(values)

    return headers, rows()


def _sheet_rows(ws, f: FileRef) -> Iterator[tuple]:
    """The sheet's rows; a damaged sheet part (read lazily) stops the file with its row."""
    it = ws.iter_rows(values_only=True)
    n = 1
    while True:
        try:
            values = next(it)
        except StopIteration:
            return
        except Exception:  # see _xlsx_rows: damaged sheet XML
            raise InputError("the sheet's XML is damaged here; save the workbook again from "
                             "Excel", file=f.name, place=f"row {n}") from None
        yield values
        n += 1


def _xlsx_rows(path: Path, source: SourceConfig, f: FileRef, sink: SourceSink,
               res: LoadResult) -> tuple[list[str], Iterator[Row]]:
    import openpyxl

    # openpyxl raises a grab-bag on damaged parts (BadZipFile, KeyError, expat and etree
    # errors, ValueError, TypeError, AttributeError...): any of them means a damaged file
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise InputError("not a readable XLSX workbook; save it again from Excel",
                         file=f.name) from None
    if not wb.sheetnames:
        raise InputError("the workbook has no sheets; save it again from Excel", file=f.name)
    try:
        ws = wb[source.sheet] if source.sheet else wb.worksheets[0]
    except (KeyError, IndexError):
        raise InputError(f"no sheet named {source.sheet!r}; sheets: {', '.join(wb.sheetnames)}",
                         file=f.name) from None
    res.format = f"xlsx (sheet {ws.title!r})"
    it = _sheet_rows(ws, f)
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
            if any(v not in (None, "") for v in vals[len(headers):]):
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


@lru_cache(maxsize=65536)
def _phone_info(t: str) -> tuple[str | None, str | None]:
    """(E.164, phone kind) of a phone cell; registers repeat a contact's number often."""
    e164 = normalise.phone(t)
    return e164, normalise.phone_kind(e164)


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


def _load_file(path: Path, source: SourceConfig, sink: SourceSink, spec: KindSpec,
               raw_headers: list[str] | None) -> tuple[LoadResult, list[str]]:
    f = sink.file(path)
    res = LoadResult()
    reader = _xlsx_rows if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows
    headers, rows = reader(path, source, f, sink, res)
    sem = map_headers(headers, source.columns)
    if raw_headers is None:
        sink.raw_table(headers)
    elif [_key(h) for h in headers] != [_key(h) for h in raw_headers]:
        raise InputError("columns differ from the folder's first file; give each layout its own "
                         "source entry", file=f.name, place="line 1")
    for ref, values in rows:
        texts = [_text(v) for v in values]
        by_sem: dict[str, str] = {}
        dates: dict[str, dt.date | None] = {}
        bad = None
        for h, s, v, t in zip(headers, sem, values, texts, strict=True):
            if s in DATE_COLUMNS:
                try:
                    dates[s] = normalise.date(v if isinstance(v, dt.date) else t)
                except ValueError:
                    bad = f"column {h!r}: not a date (expected d.m.yyyy or yyyy-mm-dd)"
                    break
            elif s and t and s not in by_sem:
                by_sem[s] = t
        if bad:
            sink.reject(f, ref, bad)
            continue
        sink.raw(f, ref, texts)
        person = by_sem.get("person_name") or " ".join(
            x for x in (by_sem.get("first_name"), by_sem.get("last_name")) if x) or None
        phone_raw = by_sem.get("phone") or by_sem.get("mobile_phone")
        biz = by_sem.get("business_id")
        biz_is_hetu = bool(biz) and _is_hetu(biz)
        for h, s, t in zip(headers, sem, texts, strict=True):
            if not t or s in DATE_COLUMNS:
                continue
            cls = _FIELD_OF.get(s or "", "other_personal")
            if s == "business_id" and (biz_is_hetu if t == biz else _is_hetu(t)):
                cls = "hetu"  # Procountor: a private person's identity code in this column
            elif s in ("phone", "mobile_phone") and cls == "work_phone" and \
                    _phone_info(t)[1] == "mobile":
                cls = "mobile_phone"
            sink.field(f, ref, cls, h, t)
            if cls in ("notes", "other_personal", "company_address", "home_address"):
                for _ in normalise.find_hetus(t):
                    sink.field(f, ref, "hetu", h, "[identity code]")
        record_cols = {col: dates.get(sem_col) for sem_col, col in spec.dates.items()}
        sink.record(
            f, ref, spec.role,
            person_name=person,
            org_name=by_sem.get("org_name"),
            business_id=biz if biz and not biz_is_hetu else None,
            email=normalise.email(by_sem.get("email")),
            phone=_phone_info(phone_raw)[0] if phone_raw else None,
            **record_cols,
        )
        res.records_loaded += 1
    return res, headers


def load_tabular(source: SourceConfig, sink: SourceSink) -> LoadResult:
    spec = SPECS[source.kind]
    total = LoadResult()
    files = list(input_files(source.path, (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")))
    if not files:
        raise InputError("no CSV or XLSX files in the folder", file=source.path)
    raw_headers: list[str] | None = None
    for path in files:
        before = sink.rejected
        res, raw_headers = _load_file(path, source, sink, spec, raw_headers)
        res.records_rejected = sink.rejected - before
        total += res
    return total


for _kind in SPECS:
    register(_kind)(load_tabular)
