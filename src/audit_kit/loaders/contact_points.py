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
none of these              by number range:      ``address``
                           mobile -> ``mobile_phone``, else ``phone``
=========================  ====================  ===================================

A home label wins over the others (``TEL;HOME;CELL`` is a home phone).
"""

from __future__ import annotations

import re
import unicodedata

from audit_kit import normalise
from audit_kit.warehouse import FileRef, SourceSink

HOME_WORDS = frozenset({"HOME", "HOMEFAX", "PERSONAL", "PRIVATE", "PRIVAT", "KOTI", "HOME2"})
WORK_WORDS = frozenset({"WORK", "WORKFAX", "BUSINESS", "COMPANY", "OFFICE", "WORK2", "TYÖ"})
MOBILE_WORDS = frozenset({"CELL", "MOBILE", "IPHONE", "MOBIILI", "MATKAPUHELIN", "GSM"})

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


def phone_class(words: set[str], e164: str | None) -> str:
    """Field class of a phone number from its label words and its number range."""
    if words & HOME_WORDS:
        return "home_phone"
    if words & WORK_WORDS:
        return "work_phone"
    if words & MOBILE_WORDS:
        return "mobile_phone"
    return "mobile_phone" if normalise.phone_kind(e164) == "mobile" else "phone"


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
