"""Normalising identifiers: phones to E.164, e-mails, Finnish dates, identity codes.

Well-kept libraries do the work: phonenumbers for phones, python-stdnum for the Finnish
personal identity code (henkilötunnus) and business ID (Y-tunnus).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import phonenumbers
from stdnum.fi import hetu as _hetu
from stdnum.fi import ytunnus as _ytunnus

DEFAULT_REGION = "FI"

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def email(value: str | None) -> str | None:
    """Lower-cased, trimmed address, or None when it is not an address."""
    if not value:
        return None
    v = value.strip().strip("<>").strip().lower()
    if v.startswith("mailto:"):
        v = v[7:]
    return v if _EMAIL.match(v) else None


@lru_cache(maxsize=65536)
def _parse_phone(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        num = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return num if phonenumbers.is_possible_number(num) else None


def _phone_text(value: str | None) -> str | None:
    """Trimmed text with an ``00`` international prefix as ``+``; None under 5 digits."""
    if not value:
        return None
    raw = value.strip()
    if not raw or sum(c.isdigit() for c in raw) < 5:
        return None
    return "+" + raw[2:] if raw.startswith("00") else raw


def phone(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of a phone number (``040-1234567`` -> ``+358401234567``), or None."""
    raw = _phone_text(value)
    if raw is None:
        return None
    if region == "FI":
        national = _fi_national(raw)
        if national is not None:
            # the usual Finnish shapes: possible by length alone, and E.164 is "+358" and
            # the digits (no phonenumbers parse, is_possible_number and format_number)
            return "+358" + national if len(national) in _FI_LENGTHS else None
    num = _parse_phone(raw, region)
    if num is None:
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


#: ``0`` + digits (national) or ``+358`` + digits not starting with 0, separated by spaces
#: or dashes only. For these phonenumbers.parse(text, "FI") is exactly
#: PhoneNumber(358, digits after the prefix): no IDD, no extension, the national prefix 0
#: stripped, no Italian leading zero. Parsing was most of a register's load time and of
#: person resolution; tests/test_normalise.py checks the shortcut against the parser.
_FI_SHAPE = re.compile(r"(?:0|\+358)[ -]*([1-9](?:[ -]*[0-9])*)")


#: national number lengths phonenumbers deems possible in Finland (its metadata: 5-12)
_FI_LENGTHS = frozenset(phonenumbers.PhoneMetadata.metadata_for_region("FI")
                        .general_desc.possible_length)


def _fi_national(raw: str) -> str | None:
    """The national significant number of a usual Finnish shape (see _FI_SHAPE)."""
    m = _FI_SHAPE.fullmatch(raw)
    if not m:
        return None
    national = m.group(1).replace(" ", "").replace("-", "")
    return national if 5 <= len(national) <= 12 else None


def _fi_number(raw: str) -> phonenumbers.PhoneNumber | None:
    national = _fi_national(raw)
    if national is None:
        return None
    return phonenumbers.PhoneNumber(country_code=358, national_number=int(national))


def phone_by_parser(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """:func:`phone` without the Finnish shortcut: phonenumbers.parse for every text
    (the reference the shortcut is tested against)."""
    raw = _phone_text(value)
    num = None if raw is None else _parse_phone(raw, region)
    return (
        None
        if num is None
        else phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    )


@lru_cache(maxsize=65536)
def phone_kind(e164: str | None) -> str | None:
    """'mobile', 'fixed', 'corporate' (Finnish UAN 010/020/029/030), or 'other'."""
    if not e164:
        return None
    num = _fi_number(e164) or _parse_phone(e164, DEFAULT_REGION)
    if num is None:
        return None
    t = phonenumbers.number_type(num)
    if t == phonenumbers.PhoneNumberType.MOBILE:
        return "mobile"
    if t == phonenumbers.PhoneNumberType.FIXED_LINE:
        return "fixed"
    if t == phonenumbers.PhoneNumberType.UAN:
        return "corporate"
    if t == phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE:
        return "mobile"
    return "other"


_FI_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
#: an exporter's "no date": Outlook writes 0/0/00 (0.0.00 in Finnish) for an empty
#: birthday or anniversary, others 00.00.0000 or 0000-00-00
_EMPTY_DATE = re.compile(r"^\s*0{1,4}(?P<sep>[./-])0{1,2}(?P=sep)0{1,4}\s*$")


def is_empty_date(value: str | None) -> bool:
    """True for an exporter's all-zero placeholder date (``0/0/00``): no value."""
    return bool(value) and bool(_EMPTY_DATE.match(value))
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")


def date(value: str | dt.date | dt.datetime | None) -> dt.date | None:
    """Finnish ``d.m.yyyy`` or ISO ``yyyy-mm-dd`` (a time part is ignored); None if empty
    or an all-zero placeholder (:func:`is_empty_date`).

    Raises ValueError for text that is neither, so the caller can reject the record.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    if not s or _EMPTY_DATE.match(s):
        return None
    m = _FI_DATE.match(s)
    if m:
        d, mo, y = (int(g) for g in m.groups())
        return dt.date(y, mo, d)
    m = _ISO_DATE.match(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return dt.date(y, mo, d)
    raise ValueError("not a date (expected d.m.yyyy or yyyy-mm-dd)")


# A henkilötunnus candidate: DDMMYY, century sign, 3 digits, check character, in either
# case (a code typed in lower case, 131052-308t, is the same code).
_HETU_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])([0-3]\d[01]\d\d\d[-+A-FYXWVUa-fyxwvu]\d{3}[0-9A-Ya-y])(?![0-9A-Za-z])"
)

#: words (lower case) that, just before a date-shaped code, mark it as an order, invoice
#: or reference number: a word containing one of the first (Finnish compounds:
#: huoltotilaus, laskunumero, asiakasviite), starting with one of the second, or one of
#: the third
NUMBER_LABELS_IN = ("tilau", "lasku", "viite", "viitte", "numero")
NUMBER_LABELS_AT = ("ref", "order", "invoice")
NUMBER_WORDS = frozenset(("no", "nr", "nro", "id"))
#: words that mark a personal identity code (they win when nearer to the code)
HETU_LABELS_IN = ("henkilötun", "hetu", "sotu", "syntym")
HETU_LABELS_AT = ("ssn", "personal", "identity")
#: how many words before a code are read for a label
LABEL_WORDS = 3
_WORD = re.compile(r"[^\W\d_]+")
_CAMEL = re.compile(r"(?<=[a-zäö])(?=[A-ZÄÖ])")


def number_label(before: str) -> bool:
    """Whether the text *before* a code ends in a label marking an order, invoice or
    reference number (``Huoltotilaus 150324-0253``, ``Lasku nro 150324-0253``) rather
    than an identity code: the nearest of the last :data:`LABEL_WORDS` words that is a
    label decides (``Laskutus: henkilötunnus 010171-...`` is an identity code)."""
    for word in reversed(_WORD.findall(before[-80:].lower())[-LABEL_WORDS:]):
        if any(k in word for k in HETU_LABELS_IN) or word.startswith(HETU_LABELS_AT):
            return False
        if (any(k in word for k in NUMBER_LABELS_IN) or word.startswith(NUMBER_LABELS_AT)
                or word in NUMBER_WORDS):
            return True
    return False


def is_hetu(value: str | None) -> bool:
    """True for a personal identity code with a valid date and check character, in either
    case.

    Temporary codes (individual number 900-999) count: they identify a person too.
    """
    if not value:
        return False
    try:
        _hetu.validate(value.strip().upper(), allow_temporary=True)
    except Exception:  # stdnum raises its ValidationError subclasses
        return False
    return True


def find_hetus(text: str | None, label: str = "") -> list[str]:
    """Every possible personal identity code in free text (notes, addresses, a mail
    body): a valid date and check character (either case), not labelled as an order,
    invoice or reference number (:func:`number_label`). *label* names the text (a column,
    an XML element: ``OrderIdentifier``) and is read as the words before it."""
    if not text:
        return []
    label = _CAMEL.sub(" ", label)
    return [m.group(1) for m in _HETU_CANDIDATE.finditer(text)
            if is_hetu(m.group(1))
            and not number_label(label + " " + text[max(0, m.start() - 80):m.start()])]


def is_business_id(value: str | None) -> bool:
    """True for a Y-tunnus with a valid check digit (``0729081-3``)."""
    if not value:
        return False
    return bool(_ytunnus.is_valid(value.strip()))
