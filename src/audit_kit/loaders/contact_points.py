"""Contact-point classification shared by the ``vcard`` and ``google_contacts_csv`` loaders.

A phone-contact backup labels each value: vCard TYPE parameters (``TEL;CELL``,
``TYPE=HOME``), Apple/iOS ``X-ABLabel`` texts (``_$!<Mobile>!$_``, custom text) and the
Google CSV ``Phone 1 - Label`` cells (``* Home``, ``Mobile``). The statement (§5) allows
work and mobile numbers and company addresses but not home ones, so the label decides
the field class:

=========================  ====================  ===================================
label words                phone                 address
=========================  ====================  ===================================
HOME, PERSONAL, PRIVATE    ``home_phone``        ``home_address``
WORK, BUSINESS, COMPANY    ``work_phone``        ``company_address``
CELL, MOBILE, IPHONE       ``mobile_phone``      ``address``
FAX (only)                 ``phone``             ``address``
none of these              by number range:      ``address``
                           mobile -> ``mobile_phone``, else ``phone``
=========================  ====================  ===================================

A home label wins over the others (``TEL;HOME;CELL`` is a home phone).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import pyarrow as pa

from audit_kit import normalise
from audit_kit.loaders import Role
from audit_kit.warehouse import FileRef, SourceSink

#: the role of every contact the contact kinds load (vcard, google_contacts_csv)
PHONE_CONTACT = Role("phone_contact", "contact in a phone-contact backup",
                     {"fi": "asiakassuhteen ajan (§6)", "en": "for the customer relationship (§6)"})

HOME_WORDS = frozenset({"HOME", "HOMEFAX", "PERSONAL", "PRIVATE", "PRIVAT", "KOTI", "HOME2"})
WORK_WORDS = frozenset({"WORK", "WORKFAX", "BUSINESS", "COMPANY", "OFFICE", "WORK2", "TYÖ"})
MOBILE_WORDS = frozenset({"CELL", "MOBILE", "IPHONE", "MOBIILI", "MATKAPUHELIN", "GSM"})
FAX_WORDS = frozenset({"FAX", "FAKSI", "TELEFAX"})

_WORD_SPLIT = re.compile(r"[^0-9A-Za-zÀ-ÖØ-öø-ÿ]+")
_APPLE_LABEL = re.compile(r"^_\$!<(.*)>!\$_$")


def clean_label(text: str | None) -> str:
    """``_$!<Mobile>!$_`` -> ``Mobile``; Google's ``* Home`` -> ``Home``; trimmed."""
    if not text:
        return ""
    t = text.strip()
    m = _APPLE_LABEL.match(t)
    if m:
        t = m.group(1)
    return t.removeprefix("* ").strip().strip("*").strip()


def label_words(*labels: str) -> set[str]:
    """The upper-cased words of one or more labels (``Home Fax`` -> {HOME, FAX})."""
    out: set[str] = set()
    for label in labels:
        out.update(w.upper() for w in _WORD_SPLIT.split(clean_label(label)) if w)
    return out


def phone_class(words: set[str], e164: str | None, kind: str | None = None) -> str:
    """Field class of a phone number from its label words and its number range.

    *kind* is ``normalise.phone_kind(e164)`` when the caller has it (:func:`phone_info`).
    """
    if words & HOME_WORDS:
        return "home_phone"
    if words & WORK_WORDS:
        return "work_phone"
    if words & MOBILE_WORDS:
        return "mobile_phone"
    if words & FAX_WORDS:  # a fax is no mobile, whatever the number's range
        return "phone"
    if kind is None and e164:
        kind = normalise.phone_kind(e164)
    return "mobile_phone" if kind == "mobile" else "phone"


#: A Finnish number in the two shapes registers and phones write nearly always:
def _phone_info_uncached(value: str) -> tuple[str | None, str | None]:
    e164 = normalise.phone(value)  # the usual Finnish shapes skip phonenumbers.parse there
    return e164, normalise.phone_kind(e164)


class PhoneInfo(dict):
    """``phones[text]`` -> ``(normalise.phone(text), normalise.phone_kind(of that))``.

    One per input file: each distinct text is normalised once. The usual Finnish shapes
    skip phonenumbers' parser (two parses per number were most of a register's load
    time); phonenumbers still decides possibility and number type.
    """

    def __missing__(self, value: str) -> tuple[str | None, str | None]:
        info = self[value] = _phone_info_uncached(value)
        return info


def address_class(words: set[str]) -> str:
    """Field class of a postal address from its label words."""
    if words & HOME_WORDS:
        return "home_address"
    if words & WORK_WORDS:
        return "company_address"
    return "address"


def nfc(text: str | None) -> str | None:
    """Unicode NFC, so a decomposed ``a`` + combining diaeresis compares equal to ``ä``."""
    return None if text is None else unicodedata.normalize("NFC", text)


def notes_field(sink: SourceSink, f: FileRef, ref: str, label: str, text: str | None) -> None:
    """A free-text note, plus one ``hetu`` row per valid identity code found in it."""
    if not text or not text.strip():
        return
    sink.field(f, ref, "notes", label, text)
    for code in normalise.find_hetus(text):
        sink.field(f, ref, "hetu", label, code)


_RECORD_TEXT = ("person_name", "org_name", "business_id", "email", "phone", "detail")
_RECORD_DATES = ("ended_on", "last_activity", "requested_on")


class ColumnSink:
    """One input file's rows, kept column by column and written with ``SourceSink.columns``.

    ``field``, ``raw`` and ``record`` take the same arguments as :class:`SourceSink`'s
    (so the classification code can write to either) and keep each table's row order;
    ``flush`` writes what is kept (also every *limit* field rows, to bound memory).
    """

    def __init__(self, sink: SourceSink, f: FileRef, raw_columns: Sequence[str], *,
                 limit: int = 200_000):
        self.sink, self.f, self.limit = sink, f, limit
        self.raw_columns = list(raw_columns)
        self._clear()

    def _clear(self) -> None:
        self.f_ref: list[str] = []
        self.f_field: list[str] = []
        self.f_label: list[str] = []
        self.f_value: list[str] = []
        self.raw_ref: list[str] = []
        self.raw_rows: list[Sequence[object]] = []
        self.rec_ref: list[str] = []
        self.rec_role: list[str] = []
        self.rec: dict[str, list[object]] = {c: [] for c in (*_RECORD_TEXT, *_RECORD_DATES)}

    def field(self, f: FileRef, record_ref: str, field: str, label: str, value: object) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        self.f_ref.append(record_ref)
        self.f_field.append(field)
        self.f_label.append(label)
        self.f_value.append(str(value))

    def raw(self, f: FileRef, record_ref: str, values: Sequence[object]) -> None:
        if len(values) != len(self.raw_columns):
            raise ValueError("raw row of a different width than the raw table")
        self.raw_ref.append(record_ref)
        self.raw_rows.append(values)

    def record(self, f: FileRef, record_ref: str, role: str, **values: object) -> None:
        self.rec_ref.append(record_ref)
        self.rec_role.append(role)
        for c, lst in self.rec.items():
            lst.append(values.pop(c, None))
        if values:
            raise TypeError(f"unknown record columns: {', '.join(values)}")
        if len(self.f_ref) >= self.limit or len(self.raw_ref) >= self.limit:
            self.flush()

    def tables(self, ref_type: pa.DataType | None = None) -> dict[str, dict[str, object]]:
        """What is kept, as Arrow columns per table (``raw``, ``fields``, ``records``), and
        forget it. *ref_type* is the record_ref type: a pool worker keeps card numbers
        (``pa.int64()``) that the parent turns into its refs (:mod:`.vcard`)."""
        ref_type = ref_type or pa.string()
        out: dict[str, dict[str, object]] = {}
        if self.raw_ref:
            data = {"record_ref": pa.array(self.raw_ref, ref_type)}
            rows = self.raw_rows
            for k, c in enumerate(self.raw_columns):
                try:
                    data[c] = pa.array([r[k] for r in rows], pa.string())  # str, None as is
                except (pa.ArrowTypeError, pa.ArrowInvalid):
                    data[c] = pa.array([None if r[k] is None else str(r[k]) for r in rows],
                                       pa.string())
            out["raw"] = data
        if self.f_ref:
            out["fields"] = {"record_ref": pa.array(self.f_ref, ref_type),
                             "field": pa.array(self.f_field, pa.string()),
                             "label": pa.array(self.f_label, pa.string()),
                             "value": pa.array(self.f_value, pa.string())}
        if self.rec_ref:
            data = {"record_ref": pa.array(self.rec_ref, ref_type),
                    "role": pa.array(self.rec_role, pa.string())}
            for c in _RECORD_TEXT:
                if any(v is not None for v in self.rec[c]):
                    data[c] = pa.array(self.rec[c], pa.string())
            for c in _RECORD_DATES:
                if any(v is not None for v in self.rec[c]):
                    data[c] = pa.array(self.rec[c], pa.date32())
            out["records"] = data
        self._clear()
        return out

    def flush(self) -> None:
        for table, data in self.tables().items():
            self.sink.columns(table, self.f, data)
