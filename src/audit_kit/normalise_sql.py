"""SQL twins of :mod:`audit_kit.normalise` for set-based loaders (DuckDB expressions).

A register of 200,000 rows has 200,000 distinct phone numbers and e-mail addresses:
normalising them one Python call at a time was most of its load time. These expressions
give the same answers as the Python functions on the inputs they cover, and say which
inputs they do not cover (the caller sends those, distinct, through Python):

* :func:`strip_sql`: ``str.strip()`` (every character Python calls whitespace);
* :func:`email_sql`: :func:`normalise.email` for ASCII text;
* :func:`fi_national_sql`, :func:`fi_phone_sql`: :func:`normalise.phone` and
  ``phone_kind`` for the usual Finnish shapes (``normalise._FI_SHAPE``), with
  possibility and number type decided by phonenumbers' own metadata patterns (RE2
  runs them as libphonenumber's C++ does); the metadata is read at import, so a
  phonenumbers update carries over.

tests/test_normalise_sql.py checks each against its Python original.
"""

from __future__ import annotations

import sys

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

#: every character ``str.strip()`` removes
WHITESPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
#: the same as an RE2 character-class body (Python's ``\s`` in str patterns)
WS_CLASS = "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE)
#: Python's ``\d`` (Unicode category Nd) in RE2
DIGIT = r"\p{Nd}"


def quote(text: str) -> str:
    """A SQL string literal (for patterns and constants built here, never for data)."""
    return "'" + text.replace("'", "''") + "'"


def _let(expr: str, var: str, body: str) -> str:
    """*body* with *var* bound to *expr*, computed once (a CASE repeats its operands)."""
    return f"list_transform([{expr}], lambda {var}: {body})[1]"


def strip_sql(expr: str, var: str = "ws_") -> str:
    """``expr.strip()``. DuckDB's trim with a character set is slow, so only text that
    starts or ends with whitespace pays for it."""
    edge = quote(f"^[{WS_CLASS}]|[{WS_CLASS}]$")
    return _let(
        expr,
        var,
        f"CASE WHEN regexp_matches({var}, {edge}) THEN trim({var}, {quote(WHITESPACE)}) "
        f"ELSE {var} END",
    )


def is_ascii_sql(expr: str) -> str:
    return f"NOT regexp_matches({expr}, '[^\\x{{0}}-\\x{{7f}}]')"


def email_sql(expr: str) -> str:
    """:func:`normalise.email` of *expr*, valid when *expr* is ASCII (:func:`is_ascii_sql`):
    there Python's ``lower()`` and ``\\s`` agree with DuckDB's ``lower`` and the class below."""
    part = f"[^@<>{WS_CLASS}]+"
    pattern = quote(part + "@" + part + "\\." + part)
    unbracketed = "trim(" + strip_sql(expr, "em1_") + ", '<>')"
    low = "lower(" + strip_sql(unbracketed, "em2_") + ")"
    bare = _let(low, "em3_", "CASE WHEN starts_with(em3_, 'mailto:') THEN em3_[8:] ELSE em3_ END")
    full = _let(bare, "em4_", f"CASE WHEN regexp_full_match(em4_, {pattern}) THEN em4_ END")
    # the usual address: nothing to strip, no "mailto:" (no colon), already a match
    return f"CASE WHEN regexp_full_match({expr}, {quote(_PLAIN_EMAIL)}) THEN lower({expr}) " \
        f"ELSE {full} END"


#: an address that normalise.email only lower-cases: one @, a dot after it, no space
_PLAIN_EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z0-9\-]+"


# -- phones --------------------------------------------------------------------------

#: normalise._FI_SHAPE in RE2 (its [0-9] and [ -] are ASCII there too)
_FI_SHAPE = r"(?:0|\+358)[ -]*[1-9](?:[ -]*[0-9])*"
_FI_CC = 358

_TYPES = (  # phonenumberutil._number_type_helper's order, before fixed line / mobile
    ("premium_rate", "PREMIUM_RATE"),
    ("toll_free", "TOLL_FREE"),
    ("shared_cost", "SHARED_COST"),
    ("voip", "VOIP"),
    ("personal_number", "PERSONAL_NUMBER"),
    ("pager", "PAGER"),
    ("uan", "UAN"),
    ("voicemail", "VOICEMAIL"),
)
#: phone_kind of a number type (normalise.phone_kind)
_KIND = {"MOBILE": "mobile", "FIXED_LINE_OR_MOBILE": "mobile", "FIXED_LINE": "fixed",
         "UAN": "corporate"}


def _desc_sql(nsn: str, desc) -> str:
    """phonenumberutil._is_number_matching_desc: length in the desc's lengths, full match."""
    if desc is None or not desc.national_number_pattern:
        return "FALSE"
    cond = f"regexp_full_match({nsn}, {quote(desc.national_number_pattern)})"
    if desc.possible_length:
        lengths = ", ".join(str(n) for n in desc.possible_length)
        cond = f"(length({nsn}) IN ({lengths}) AND {cond})"
    return cond


def _type_sql(nsn: str, meta) -> str:
    """phonenumberutil._number_type_helper as a CASE giving the type's name."""
    whens = [f"WHEN NOT {_desc_sql(nsn, meta.general_desc)} THEN 'UNKNOWN'"]
    whens += [f"WHEN {_desc_sql(nsn, getattr(meta, a))} THEN '{t}'" for a, t in _TYPES]
    mobile = _desc_sql(nsn, meta.mobile)
    both = "TRUE" if meta.same_mobile_and_fixed_line_pattern else mobile
    whens.append(
        f"WHEN {_desc_sql(nsn, meta.fixed_line)} THEN "
        f"CASE WHEN {both} THEN 'FIXED_LINE_OR_MOBILE' ELSE 'FIXED_LINE' END"
    )
    if not meta.same_mobile_and_fixed_line_pattern:
        whens.append(f"WHEN {mobile} THEN 'MOBILE'")
    return f"(CASE {' '.join(whens)} ELSE 'UNKNOWN' END)"


def _number_type_sql(nsn: str) -> str:
    """phonenumberutil.number_type for +358 numbers: the region by leading digits (or by a
    valid type), then that region's type."""
    regions = COUNTRY_CODE_TO_REGION_CODE[_FI_CC]
    metas = [PhoneMetadata.metadata_for_region(r) for r in regions]
    if len(metas) == 1:
        return _type_sql(nsn, metas[0])
    whens = []
    for meta in metas:
        if meta is None:
            continue
        if meta.leading_digits is not None:
            picks = f"regexp_matches({nsn}, {quote('^(?:' + meta.leading_digits + ')')})"
        else:
            picks = f"{_type_sql(nsn, meta)} <> 'UNKNOWN'"
        whens.append(f"WHEN {picks} THEN {_type_sql(nsn, meta)}")
    return f"(CASE {' '.join(whens)} ELSE 'UNKNOWN' END)"


def _possible_lengths() -> list[int]:
    """Lengths phonenumbers.is_possible_number accepts for +358 (main region's general
    desc, local-only lengths included)."""
    meta = PhoneMetadata.metadata_for_region(phonenumbers.region_code_for_country_code(_FI_CC))
    desc = meta.general_desc
    return sorted({*desc.possible_length, *(desc.possible_length_local_only or ())})


def fi_national_sql(expr: str) -> tuple[str, str]:
    """``(covered, national)`` for a stripped phone text *expr*: where *covered* is true the
    text has the usual Finnish shape and *national* is its national significant number;
    elsewhere the caller asks Python (:class:`contact_points.PhoneInfo`)."""
    nsn = f"replace(replace(regexp_replace({expr}, '^(?:0|\\+358)', ''), ' ', ''), '-', '')"
    covered = (
        f"(regexp_full_match({expr}, {quote(_FI_SHAPE)}) AND length({nsn}) BETWEEN 5 AND 12)"
    )
    return covered, nsn


def fi_phone_sql(nsn: str) -> tuple[str, str]:
    """``(e164, kind)``: :func:`normalise.phone` and ``normalise.phone_kind`` of a covered
    text, from the column *nsn* holding its national number (:func:`fi_national_sql`)."""
    lengths = ", ".join(str(n) for n in _possible_lengths())
    possible = f"length({nsn}) IN ({lengths})"
    e164 = f"(CASE WHEN {possible} THEN '+{_FI_CC}' || {nsn} END)"
    kinds = " ".join(f"WHEN '{t}' THEN '{k}'" for t, k in _KIND.items())
    kind = f"(CASE WHEN {possible} THEN CASE {_number_type_sql(nsn)} {kinds} ELSE 'other' END END)"
    return e164, kind
