"""Finvoice e-invoices (versions 1.2/1.3, 2.0/2.01, 3.0): the persons on each invoice.

Inputs: a file, a folder of ``.xml``/``.zip`` files, or a ``.zip`` of them. A file may hold
one invoice, several (a batch: concatenated documents, each with its own XML declaration,
or one wrapper element around several ``Finvoice`` elements), or an operator delivery: an
ebXML SOAP envelope followed by the Finvoice document in the same file (its elements are
kept with the invoice that follows). Each document is decoded with the encoding its own
declaration names (ISO-8859-15 is the traditional one); a document declared as a
single-byte encoding whose bytes are valid UTF-8 with non-ASCII characters is read as
UTF-8 and a note says so (operators re-encode without fixing the declaration).

Parsing is done only with :mod:`defusedxml`: entity declarations (billion laughs, XXE) and
external references are refused and the whole file is an :class:`InputError`. A plain
``<!DOCTYPE Finvoice SYSTEM "Finvoice.dtd">`` (Finvoice 1.x) is allowed; the DTD is never
loaded. When a document is not well-formed the loader falls back to parsing each
``<Finvoice>`` element on its own, so in a batch one broken invoice is a reject row while
the rest load; when nothing in the file can be read it is an :class:`InputError` with
the line and column.

``record_ref``: ``invoice <InvoiceNumber>`` (invoice numbers are unique per seller, so
findings stay distinct across the files of a folder); an invoice without a number is
``invoice <k>`` (its position in the file), prefixed by the member name inside a zip.
Rejects of a whole zip member use the member name.

Tables: ``src_<name>`` has one row per invoice with the mapped elements (column = element
path below ``Finvoice``, repeated elements joined by a newline), ``src_<name>_elements``
every other element text and every attribute as ``(path, value)``. Canonical rows, role
``invoice_party``: the buyer's contact person (or the buyer itself when the buyer
identifier is a personal identity code: a private person), and the delivery and invoice
recipient contact persons when they are different persons. ``last_activity`` is the
invoice date; how long the Accounting Act keeps the invoice is the policy's statutory
clock (:mod:`audit_kit.clock`), applied by the rules, never fixed here.
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import hashlib
import itertools
import operator
import os
import re
import zipfile
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLParser

import defusedxml.ElementTree as DET
import pyarrow as pa
from defusedxml.common import DefusedXmlException

from audit_kit import normalise
from audit_kit.config import SourceConfig
from audit_kit.errors import FileRejected, InputError
from audit_kit.limits import (
    Limits,
    check_xml_elements,
    check_zip,
    open_input,
    zip_member_problem,
)
from audit_kit.loaders import FuzzSeed, LoadResult, Role, SourceKind, input_files, reject_reason
from audit_kit.loaders._pool import gc_paused, ordered_map
from audit_kit.normalise import _HETU_CANDIDATE  # the prefilter must match find_hetus
from audit_kit.warehouse import SourceSink

INVOICE_PARTY = Role("invoice_party",
                     "person on an invoice (accounting voucher); last_activity = invoice date")

KINDS = (SourceKind(
    "finvoice", order=60,
    reads="Finvoice 1.2/1.3/2.01/3.0 XML: file, folder or zip; batches; SOAP-framed",
    notes="defusedxml only; statutory retention (Accounting Act 2:10)",
    place={"fi": "laskuarkistosta", "en": "from the invoice archive"},
    roles=(INVOICE_PARTY,), demo="audit_kit.demo.finvoice:write", fixtures=("finvoice/*",),
    fuzz=(FuzzSeed("invoice.xml", "finvoice/utf8_3.0_aakkoset.xml"),)),)

#: a single file or zip member larger than this is refused (memory bound)
MAX_FILE_BYTES = 256 * 1024 * 1024
#: below this many files the loader parses in-process; above, in a process pool
POOL_MIN_FILES = 2000
#: files per pool task (smaller chunks spend more on per-chunk Arrow arrays, pickles, futures)
POOL_CHUNK = 1024

ROLE = INVOICE_PARTY.name

# The mapped elements: raw-table column = path below /Finvoice ("@Version" = root attribute).
_P = "BuyerPartyDetails/BuyerPostalAddressDetails/"
_D = "DeliveryPartyDetails/DeliveryPostalAddressDetails/"
_R = "InvoiceRecipientPartyDetails/InvoiceRecipientPostalAddressDetails/"
COLUMNS: tuple[str, ...] = (
    "@Version",
    "InvoiceDetails/InvoiceNumber",
    "InvoiceDetails/InvoiceDate",
    "InvoiceDetails/PaymentTermsDetails/InvoiceDueDate",
    "InvoiceDetails/InvoiceTypeCode",
    "InvoiceDetails/OrderIdentifier",
    "InvoiceDetails/BuyerReferenceIdentifier",
    "InvoiceDetails/AgreementIdentifier",
    "InvoiceDetails/InvoiceTotalVatExcludedAmount",
    "InvoiceDetails/InvoiceTotalVatAmount",
    "InvoiceDetails/InvoiceTotalVatIncludedAmount",
    "InvoiceDetails/InvoiceFreeText",
    "SellerPartyDetails/SellerPartyIdentifier",
    "SellerPartyDetails/SellerOrganisationName",
    "SellerPartyDetails/SellerOrganisationTaxCode",
    "BuyerPartyDetails/BuyerPartyIdentifier",
    "BuyerPartyDetails/BuyerOrganisationName",
    "BuyerPartyDetails/BuyerOrganisationDepartment",
    "BuyerPartyDetails/BuyerOrganisationTaxCode",
    _P + "BuyerStreetName",
    _P + "BuyerPostOfficeBoxIdentifier",
    _P + "BuyerPostCodeIdentifier",
    _P + "BuyerTownName",
    _P + "CountryCode",
    _P + "CountryName",
    "BuyerOrganisationUnitNumber",
    "BuyerContactPersonName",
    "BuyerContactPersonFunction",
    "BuyerContactPersonDepartment",
    "BuyerCommunicationDetails/BuyerPhoneNumberIdentifier",
    "BuyerCommunicationDetails/BuyerEmailaddressIdentifier",
    "DeliveryPartyDetails/DeliveryPartyIdentifier",
    "DeliveryPartyDetails/DeliveryOrganisationName",
    _D + "DeliveryStreetName",
    _D + "DeliveryPostofficeBoxIdentifier",
    _D + "DeliveryPostCodeIdentifier",
    _D + "DeliveryTownName",
    _D + "CountryCode",
    _D + "CountryName",
    "DeliveryContactPersonName",
    "DeliveryContactPersonFunction",
    "DeliveryCommunicationDetails/DeliveryPhoneNumberIdentifier",
    "DeliveryCommunicationDetails/DeliveryEmailaddressIdentifier",
    "InvoiceRecipientPartyDetails/InvoiceRecipientPartyIdentifier",
    "InvoiceRecipientPartyDetails/InvoiceRecipientOrganisationName",
    _R + "InvoiceRecipientStreetName",
    _R + "InvoiceRecipientPostOfficeBoxIdentifier",
    _R + "InvoiceRecipientPostCodeIdentifier",
    _R + "InvoiceRecipientTownName",
    _R + "CountryCode",
    _R + "CountryName",
    "InvoiceRecipientContactPersonName",
    "InvoiceRecipientContactPersonFunction",
    "InvoiceRecipientCommunicationDetails/InvoiceRecipientPhoneNumberIdentifier",
    "InvoiceRecipientCommunicationDetails/InvoiceRecipientEmailaddressIdentifier",
    "SellerInformationDetails/InvoiceRecipientDetails/InvoiceRecipientAddress",
    "SellerInformationDetails/InvoiceRecipientDetails/InvoiceRecipientIntermediatorAddress",
    "MessageTransmissionDetails/MessageReceiverDetails/ToIdentifier",
)
_COLUMN_INDEX = {c: i for i, c in enumerate(COLUMNS)}
#: raw-table columns after the mapped ones
EXTRA_COLUMNS = ("invoice_position", "encoding", "status")

# The three party shapes that can carry a contact person (prefix, party details element).
_PARTIES = (
    ("Buyer", "BuyerPartyDetails", "BuyerPostalAddressDetails", "BuyerStreetName",
     "BuyerPostOfficeBoxIdentifier", "BuyerPostCodeIdentifier", "BuyerTownName"),
    ("Delivery", "DeliveryPartyDetails", "DeliveryPostalAddressDetails", "DeliveryStreetName",
     "DeliveryPostofficeBoxIdentifier", "DeliveryPostCodeIdentifier", "DeliveryTownName"),
    ("InvoiceRecipient", "InvoiceRecipientPartyDetails", "InvoiceRecipientPostalAddressDetails",
     "InvoiceRecipientStreetName", "InvoiceRecipientPostOfficeBoxIdentifier",
     "InvoiceRecipientPostCodeIdentifier", "InvoiceRecipientTownName"),
)

_NS_PREFIX = {
    "http://schemas.xmlsoap.org/soap/envelope/": "SOAP-ENV",
    "http://www.oasis-open.org/committees/ebxml-msg/schema/msg-header-2_0.xsd": "eb",
    "http://www.w3.org/1999/xlink": "xlink",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
}

_DECL = re.compile(rb"<\?xml[ \t\r\n]+version")
_DECL_TEXT = re.compile(r"<\?xml[ \t\r\n]+version")
_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding[ \t\r\n]*=[ \t\r\n]*["']([A-Za-z0-9._:-]+)["']""")
_FINVOICE_START = re.compile(r"<Finvoice[\s>]")
_FINVOICE_END = re.compile(r"</Finvoice\s*>")
_YTUNNUS_SHAPE = re.compile(r"^(?:FI)?\d{6,7}-?\d$", re.I)
_SINGLE_BYTE = {"iso-8859-15", "iso8859-15", "latin-9", "latin9", "iso-8859-1", "iso8859-1",
                "latin-1", "latin1", "l1", "windows-1252", "cp1252", "us-ascii", "ascii"}
_FINVOICE_NAME = "Finvoice"


class _Unsafe(Exception):
    """A document uses DTD entities or external references."""


class _Broken(Exception):
    """A whole file (or zip member) cannot be read; message and place, no values."""

    def __init__(self, message: str, place: str | None = None):
        super().__init__(message)
        self.message, self.place = message, place


# -- parsed results (plain data: they cross process boundaries) ---------------------------
@dataclass
class Person:
    person_name: str | None
    org_name: str | None
    business_id: str | None
    email: str | None
    phone: str | None
    detail: str | None


@dataclass
class Invoice:
    ref: str
    position: int
    encoding: str
    version: str
    columns: list[str | None]
    elements: list[tuple[str, str]]
    people: list[Person] = field(default_factory=list)
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    invoice_date: dt.date | None = None
    reject: str | None = None


@dataclass
class ParsedFile:
    invoices: list[Invoice] = field(default_factory=list)
    #: (record_ref, reason) for invoices that could not be parsed at all
    rejects: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- decoding and splitting ------------------------------------------------------------------
@dataclass
class _Segment:
    text: str
    line: int  # 0-based line of the segment's start in the file
    col: int  # 0-based column of the segment's start
    encoding: str


def _line_col(data: bytes | str, offset: int) -> tuple[int, int]:
    nl = b"\n" if isinstance(data, bytes) else "\n"
    line = data.count(nl, 0, offset)  # type: ignore[arg-type]
    last = data.rfind(nl, 0, offset)  # type: ignore[arg-type]
    return line, offset - (last + 1)


def _decode(seg: bytes, notes: list[str], place: str) -> tuple[str, str]:
    m = _ENCODING.match(seg)
    declared = m.group(1).decode("ascii") if m else "UTF-8"
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise _Broken(f"unknown encoding {declared!r} declared; re-export as UTF-8 or ISO-8859-15",
                      place) from None
    if declared.lower() in _SINGLE_BYTE and not seg.isascii():
        try:
            text = seg.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            notes.append(f"{place}: declared {declared} but the bytes are UTF-8; read as UTF-8")
            return text, "UTF-8"
    try:
        return seg.decode(codec), declared.upper()
    except UnicodeDecodeError as exc:
        raise _Broken(f"bytes do not match the declared encoding {declared} "
                      f"(byte offset {exc.start})", place) from None


def _segments(data: bytes, notes: list[str]) -> list[_Segment]:
    """Split a file into XML documents at each XML declaration and decode each one."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
        starts = [m.start() for m in _DECL_TEXT.finditer(text)]
        bounds = ([0] if not starts or text[: starts[0]].strip() else []) + starts
        out = []
        for i, s in enumerate(bounds):
            e = bounds[i + 1] if i + 1 < len(bounds) else len(text)
            line, col = _line_col(text, s)
            out.append(_Segment(text[s:e], line, col, "UTF-16"))
        return out
    if data.startswith(codecs.BOM_UTF8):
        data = b" " * 3 + data[3:]
    starts = [m.start() for m in _DECL.finditer(data)]
    bounds = ([0] if not starts or data[: starts[0]].strip() else []) + starts
    out = []
    for i, s in enumerate(bounds):
        e = bounds[i + 1] if i + 1 < len(bounds) else len(data)
        line, col = _line_col(data, s)
        text, enc = _decode(data[s:e], notes, f"line {line + 1}")
        out.append(_Segment(text, line, col, enc))
    return out


def _parse(text: str) -> Element:
    if "<!DOCTYPE" not in text:
        # Without a document type declaration nothing can declare an entity or name an
        # external resource, so expat's C tree builder is as safe as defusedxml's Python
        # one (same expat, same tree, same errors) and several times faster.
        parser = XMLParser()
        parser.feed(text)
        return parser.close()
    try:
        return DET.fromstring(text, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise _Unsafe(type(exc).__name__) from None


def _where(exc: ParseError, line0: int, col0: int) -> str:
    line, col = exc.position
    return f"line {line0 + line}, column {(col0 if line == 1 else 0) + col + 1}"


def _expat_reason(exc: ParseError) -> str:
    # the message starts with expat's description ("mismatched tag: line 3, column 4")
    return str(exc).split(":", 1)[0]


# -- element walking ---------------------------------------------------------------------
def _local(tag: str) -> str:
    if tag[:1] == "{":
        uri, name = tag[1:].split("}", 1)
        prefix = _NS_PREFIX.get(uri)
        return f"{prefix}:{name}" if prefix else tag
    return tag


def _walk(el: Element, xpath: str, mapped: dict[str, list[str]] | None,
           elements: list[tuple[str, str]]) -> None:
    """Append *el*'s texts and attributes: mapped ones to *mapped*, the rest to *elements*.

    *mapped* is None for a frame (an envelope or wrapper: nothing is mapped, and the
    Finvoice elements inside are skipped, they are walked as invoices). Rows come in
    document order; per element its text, then its attributes.

    The hot loop of the loader: which element goes where depends only on the shape of the
    tree (tags and child counts in document order), and the invoices of one exporter
    repeat a handful of shapes, so each shape is worked out once (:func:`_plan`) and an
    invoice then costs a few C-level passes over its elements plus one step per kept text.
    """
    nodes = list(el.iter())
    frame = mapped is None
    key = (xpath, frame, *map(_TAG, nodes), *map(len, nodes))
    plan = _PLANS.get(key)
    if plan is None:
        plan = _plan(el, nodes, xpath, frame)
        if len(_PLANS) < _PLANS_MAX and len(nodes) <= _PLAN_NODES_MAX:
            _PLANS[key] = plan
    paths, mapped_at, texts_at = plan
    texts = list(map(_TEXT, nodes))
    if mapped is not None:
        for i, crel in mapped_at:
            text = texts[i]
            if text and (text := text.strip()):
                got = mapped.get(crel)
                if got is None:
                    mapped[crel] = [text]
                else:
                    got.append(text)
    attrs = list(map(type(el).items, nodes))  # the unbound method: 5x methodcaller's speed
    with_attrs = [i for i in itertools.compress(range(len(nodes)), attrs)
                  if paths[i] is not None]
    if not with_attrs:
        for i, cx in texts_at:
            text = texts[i]
            if text and (text := text.strip()):
                elements.append((cx, text))
        return
    pending = deque(with_attrs)
    for i, cx in texts_at:
        while pending and pending[0] < i:
            _attributes(paths, attrs, pending.popleft(), elements)
        text = texts[i]
        if text and (text := text.strip()):
            elements.append((cx, text))
    while pending:
        _attributes(paths, attrs, pending.popleft(), elements)


def _attributes(paths: list[str | None], attrs: list[list[tuple[str, str]]], i: int,
                elements: list[tuple[str, str]]) -> None:
    """Append node *i*'s attributes as ``<its path>/@<name>`` rows."""
    cx = paths[i]
    for k, v in attrs[i]:
        elements.append((f"{cx}/@{_local(k)}", v))


#: a walk plan: per node (document order) its path or None (skipped with its subtree);
#: (node, path below Finvoice) of the mapped nodes; (node, path) of the unmapped leaves
_Plan = tuple[list[str | None], list[tuple[int, str]], list[tuple[int, str]]]


def _plan(root: Element, nodes: list[Element], xpath: str, frame: bool) -> _Plan:
    """Where each node of this tree shape goes (per parent: :func:`_layout`)."""
    at = {id(n): i for i, n in enumerate(nodes)}
    paths: list[str | None] = [None] * len(nodes)
    paths[0] = xpath
    mapped: list[tuple[int, str]] = []
    texts: list[tuple[int, str]] = []
    todo = [(root, xpath, "")]
    while todo:
        el, px, prel = todo.pop()
        if not len(el):
            continue
        for c, (cx, crel, is_mapped) in zip(el, _layout(tuple(map(_TAG, el)), px, prel, frame),
                                            strict=True):
            if cx is None:
                continue
            i = at[id(c)]
            paths[i] = cx
            if is_mapped:
                mapped.append((i, crel))
            elif not len(c):
                texts.append((i, cx))
            todo.append((c, cx, crel))
    mapped.sort()
    texts.sort()
    return paths, mapped, texts


def _layout(tags: tuple[Any, ...], xpath: str, rel: str, frame: bool
            ) -> list[tuple[str | None, str, bool]]:
    """Per child: its path (None: skipped), its path below Finvoice, whether it is mapped."""
    counts = Counter(tags) if len(set(tags)) < len(tags) else None
    seen: dict[str, int] = {}
    out: list[tuple[str | None, str, bool]] = []
    for tag in tags:
        if not isinstance(tag, str):  # comments / processing instructions
            out.append((None, "", False))
            continue
        if frame and tag == _FINVOICE_NAME:
            out.append((None, "", False))  # walking a frame: the invoices are walked on their own
            continue
        name = _local(tag)
        if counts is not None and counts[tag] > 1:
            n = seen.get(tag, 0) + 1
            seen[tag] = n
            cx = f"{xpath}/{name}[{n}]"
        else:
            cx = f"{xpath}/{name}"
        crel = f"{rel}/{name}" if rel else name
        out.append((cx, crel, not frame and crel in _COLUMN_INDEX))
    return out


#: (root path, frame?, tags..., child counts...) -> _plan(...); tags and child counts in
#: document order describe the tree exactly
_PLANS: dict[tuple[Any, ...], _Plan] = {}
_PLANS_MAX = 4096
_PLAN_NODES_MAX = 2048  # a whole batch wrapper's shape is not worth keeping
_TAG = operator.attrgetter("tag")
_TEXT = operator.attrgetter("text")


def _finvoices(root: Element) -> list[Element]:
    if root.tag == _FINVOICE_NAME:
        return [root]
    return [e for e in root.iter()
            if isinstance(e.tag, str) and e.tag.rsplit("}", 1)[-1] == _FINVOICE_NAME]


# -- interpretation ------------------------------------------------------------------------
def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    v = value.strip()
    if len(v) == 8 and v.isdigit():
        try:
            return dt.date(int(v[:4]), int(v[4:6]), int(v[6:]))
        except ValueError:
            return None
    try:
        return normalise.date(v)
    except ValueError:
        return None


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _address(g: dict[str, list[str]], base: str, street: str, pobox: str, code: str,
             town: str) -> str:
    parts = [*g.get(base + street, []), *g.get(base + pobox, [])]
    place = " ".join(x for x in (*g.get(base + code, [])[:1], *g.get(base + town, [])[:1]) if x)
    country = g.get(base + "CountryCode", [])[:1]
    return ", ".join(x for x in (*parts, place, *country) if x)


# Per-process caches of the normalisers (pure functions of the text; the same buyers,
# phones and e-mail addresses recur on invoice after invoice).
_CACHE_MAX = 65536
_phones: dict[str | None, Any] = {}
_emails: dict[str | None, Any] = {}
_is_hetu: dict[str | None, Any] = {}
_is_business_id: dict[str | None, Any] = {}


def _cached(cache: dict[str | None, Any], fn: Any, value: str | None) -> Any:
    try:
        return cache[value]
    except KeyError:
        pass
    out = fn(value)
    if len(cache) >= _CACHE_MAX:
        cache.clear()
    cache[value] = out
    return out


def _interpret(inv: Invoice, g: dict[str, list[str]]) -> None:
    """Fill the invoice's people and fields from its mapped elements (no I/O)."""
    first = {k: v[0] for k, v in g.items()}
    inv.invoice_date = _date(first.get("InvoiceDetails/InvoiceDate"))
    if inv.invoice_date is None:
        inv.reject = "InvoiceDetails/InvoiceDate is missing or not a date (CCYYMMDD)"
        return
    ident = first.get("BuyerPartyDetails/BuyerPartyIdentifier")
    private = _cached(_is_hetu, normalise.is_hetu, ident)
    add = inv.fields.append
    buyer_person: str | None = None
    for prefix, party, postal, street, pobox, code, town in _PARTIES:
        contact_label = f"{prefix}ContactPersonName"
        contact = first.get(contact_label)
        org_label = f"{prefix}OrganisationName"
        orgs = g.get(f"{party}/{org_label}", [])
        is_buyer = prefix == "Buyer"
        if is_buyer and private:
            name = contact or (" ".join(orgs) or None)
            name_label = contact_label if contact else org_label
        else:
            name, name_label = contact, contact_label
        if not name:
            continue
        if not is_buyer and (_same(name, buyer_person)):
            continue  # the same person as the buyer's contact: one record per person
        details: list[str] = []
        comm = f"{prefix}CommunicationDetails/{prefix}"
        raw_email = first.get(comm + "EmailaddressIdentifier")
        raw_phone = first.get(comm + "PhoneNumberIdentifier")
        email = _cached(_emails, normalise.email, raw_email)
        phone = _cached(_phones, normalise.phone, raw_phone)
        if raw_email and not email:
            details.append(f"{prefix}EmailaddressIdentifier is not an e-mail address")
        if raw_phone and not phone:
            details.append(f"{prefix}PhoneNumberIdentifier is not a phone number")
        bid = None
        pid_label = f"{prefix}PartyIdentifier"
        pid = first.get(f"{party}/{pid_label}")
        if pid and not (is_buyer and private) and _YTUNNUS_SHAPE.match(pid.strip()):
            bid = pid.strip()
            if not _cached(_is_business_id, normalise.is_business_id, bid):
                details.append(f"{pid_label}: business ID check digit is not valid")
            add(("business_id", pid_label, pid))
        if is_buyer and private:
            add(("hetu", "BuyerPartyIdentifier", ident or ""))
            org = None
        else:
            org = orgs[0] if orgs else None
            for o in orgs:
                add(("org_name", org_label, o))
            if is_buyer:
                tax = first.get("BuyerPartyDetails/BuyerOrganisationTaxCode")
                if tax:
                    add(("business_id", "BuyerOrganisationTaxCode", tax))
        add(("person_name", name_label, name))
        if raw_email and "@" in raw_email:
            # text without an @ ("ei sähköpostia", "-") is a placeholder, not an address:
            # no field (the record's detail says it is not an e-mail address)
            add(("email", f"{prefix}EmailaddressIdentifier", raw_email))
        if raw_phone:
            add(("phone" if private else "work_phone", f"{prefix}PhoneNumberIdentifier", raw_phone))
        addr = _address(g, f"{party}/{postal}/", street, pobox, code, town)
        if addr:
            add(("address" if private else "company_address", postal, addr))
        for fn in g.get(f"{prefix}ContactPersonFunction", []):
            add(("job_title", f"{prefix}ContactPersonFunction", fn))
        inv.people.append(Person(name, org, bid, email, phone, "; ".join(details) or None))
        if is_buyer:
            buyer_person = name
    # personal identity codes anywhere in the invoice's texts (free text, references ...);
    # one search over all the texts first: a code never spans the newline that joins them
    # (and is 11 characters, so the shorter texts the loop skips cannot hold one either)
    joined = "\n".join([*(v for vs in g.values() for v in vs), *(v for _, v in inv.elements)])
    if _HETU_CANDIDATE.search(joined) is None:
        return
    seen = {(f[1], f[2]) for f in inv.fields if f[0] == "hetu"}
    texts = [(k.rsplit("/", 1)[-1], v) for k, vs in g.items() for v in vs]
    texts += [(p.rsplit("/", 1)[-1].split("[", 1)[0], v) for p, v in inv.elements]
    for label, v in texts:
        if len(v) >= 11:
            # an element naming an order, invoice or reference number is its context
            for code in normalise.find_hetus(v, label.lstrip("@")):
                if (label, code) not in seen:
                    seen.add((label, code))
                    add(("hetu", label.lstrip("@"), code))


def _invoice(el: Element, *, position: int, encoding: str, member: str | None,
             frame: Element | None) -> Invoice:
    g: dict[str, list[str]] = {}
    elements: list[tuple[str, str]] = []
    if frame is not None:
        _walk(frame, "/" + _local(frame.tag), None, elements)
    version = el.attrib.get("Version", "").strip()
    if version:
        g["@Version"] = [version]
    for k, v in el.attrib.items():
        if k != "Version":
            elements.append((f"/Finvoice/@{_local(k)}", v))
    _walk(el, "/Finvoice", g, elements)
    number = (g.get("InvoiceDetails/InvoiceNumber") or [""])[0]
    number = " ".join(number.split())[:40]
    if number:
        ref = f"invoice {number}"
    else:
        ref = f"{member}: invoice {position}" if member else f"invoice {position}"
    # every key of g is a column (the mapped paths and @Version): ~20 set, the rest stay None
    columns: list[str | None] = [None] * len(COLUMNS)
    for c, texts in g.items():
        columns[_COLUMN_INDEX[c]] = texts[0] if len(texts) == 1 else "\n".join(texts)
    inv = Invoice(ref, position, encoding, version, columns, elements)
    _interpret(inv, g)
    return inv


def parse_bytes(data: bytes, *, member: str | None = None) -> ParsedFile:
    """Parse one file's (or zip member's) bytes into invoices; raises _Unsafe / _Broken."""
    out = ParsedFile()
    segments = _segments(data, out.notes)
    position = 0
    frame: Element | None = None
    failures: list[tuple[int, str, str]] = []  # (position, reason, place)
    for seg in segments:
        try:
            root = _parse(seg.text)
        except ParseError as exc:
            first_error = (_expat_reason(exc), _where(exc, seg.line, seg.col))
            # fall back to the Finvoice elements one by one
            starts = [m.start() for m in _FINVOICE_START.finditer(seg.text)]
            if not starts:
                position += 1
                failures.append((position, *first_error))
                continue
            for i, s in enumerate(starts):
                e = starts[i + 1] if i + 1 < len(starts) else len(seg.text)
                ends = list(_FINVOICE_END.finditer(seg.text, s, e))
                if ends:
                    e = ends[-1].end()
                position += 1
                line, col = _line_col(seg.text, s)
                line0 = seg.line + line
                col0 = (seg.col if line == 0 else 0) + col
                try:
                    inv_el = _parse(seg.text[s:e])
                except ParseError as exc2:
                    failures.append((position, _expat_reason(exc2), _where(exc2, line0, col0)))
                    continue
                out.invoices.append(_invoice(inv_el, position=position, encoding=seg.encoding,
                                             member=member, frame=frame))
                frame = None
            continue
        found = _finvoices(root)
        if not found:
            frame = root  # e.g. the ebXML SOAP envelope before the invoice document
            continue
        for inv_el in found:
            position += 1
            out.invoices.append(_invoice(inv_el, position=position, encoding=seg.encoding,
                                         member=member, frame=frame))
            frame = None
        if root.tag != _FINVOICE_NAME and out.invoices:
            # a wrapper or envelope around the invoices: keep its other elements too
            _walk(root, "/" + _local(root.tag), None, out.invoices[-len(found)].elements)
    if failures and not out.invoices:
        _, reason, place = failures[0]
        raise _Broken(f"not well-formed XML ({reason}); fix or re-export the file", place)
    if not out.invoices:
        raise _Broken("no Finvoice element found; is this a Finvoice file?")
    for pos, reason, place in failures:
        ref = f"{member}: invoice {pos}" if member else f"invoice {pos}"
        out.rejects.append((ref, f"not well-formed XML ({reason}) at {place}"))
    return out


# -- files, zips, the pool ---------------------------------------------------------------
@dataclass
class _FileOutcome:
    path: Path
    sha256: str
    size: int
    parsed: list[tuple[str | None, ParsedFile]] = field(default_factory=list)  # (member, parsed)
    member_rejects: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: tuple[str, str | None] | None = None  # InputError (message, place)
    rejected: str | None = None  # FileRejected: the reason (a file-level reject)


def _read_file(path: Path, limits: Limits) -> _FileOutcome:
    try:
        with open_input(path, limits) as fh:  # one open, its fstat and one read
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return _FileOutcome(path, "", size, rejected=(
                    f"file is larger than {MAX_FILE_BYTES // 2**20} MiB; split the export"))
            data = fh.read()
    except FileRejected as exc:
        return _FileOutcome(path, "", 0, rejected=exc.message)
    except OSError as exc:
        return _FileOutcome(path, "", 0, rejected=f"cannot be read ({type(exc).__name__})")
    res = _FileOutcome(path, hashlib.sha256(data).hexdigest(), len(data))
    try:
        if data[:4] == b"PK\x03\x04" or path.suffix.lower() == ".zip":
            _read_zip(path, data, res, limits)
            return res
        check_xml_elements(data, limits)
    except FileRejected as exc:
        res.rejected = exc.message
        return res
    try:
        res.parsed.append((None, parse_bytes(data)))
    except _Unsafe as exc:
        res.error = (f"XML refused as unsafe ({exc}); entities and external references "
                     "are not allowed", None)
    except _Broken as exc:
        res.error = (exc.message, exc.place)
    return res


def _read_zip(path: Path, data: bytes, res: _FileOutcome, limits: Limits) -> None:
    """The members of a zip delivery; an archive over the limits raises FileRejected,
    a member over them is a member reject."""
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError):
        res.error = ("not a readable zip archive; re-create the archive", None)
        return
    check_zip(infos, len(data), limits)
    skipped = 0
    for info in infos:
        name = info.filename
        base = name.rsplit("/", 1)[-1]
        if info.is_dir() or not base or base.startswith(".") or name.startswith("__MACOSX/"):
            continue
        if not base.lower().endswith(".xml"):
            skipped += 1
            continue
        if info.flag_bits & 0x1:
            res.member_rejects.append((name, "zip member is encrypted"))
            continue
        if info.file_size > MAX_FILE_BYTES:
            res.member_rejects.append((name, "zip member is too large"))
            continue
        why = zip_member_problem(info, limits)
        if why:
            res.member_rejects.append((name, why))
            continue
        try:
            with zf.open(info) as fh:
                member = fh.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            res.member_rejects.append((name, f"zip member cannot be read ({type(exc).__name__})"))
            continue
        if len(member) > MAX_FILE_BYTES:
            res.member_rejects.append((name, "zip member is too large"))
            continue
        try:
            check_xml_elements(member, limits)
        except FileRejected as exc:
            res.member_rejects.append((name, exc.message))
            continue
        try:
            res.parsed.append((name, parse_bytes(member, member=name)))
        except _Unsafe as exc:
            res.error = (f"XML refused as unsafe ({exc}); entities and external references "
                         "are not allowed", f"member {name}")
            return
        except _Broken as exc:
            where = f" at {exc.place}" if exc.place else ""
            res.member_rejects.append((name, exc.message.split(";")[0] + where))
    if skipped:
        res.notes.append(f"{path.name}: {skipped} zip member(s) that are not .xml skipped")


# -- columns: what a chunk of files becomes before it reaches the warehouse --------------
#: raw-table columns of the invoice table (all distinct, so raw_table keeps the names)
_RAW_NAMES = (*COLUMNS, *EXTRA_COLUMNS)
_REC_NAMES = ("person_name", "org_name", "business_id", "email", "phone", "detail",
              "last_activity")
_STR = pa.string()
#: (table, column names after the file index and record_ref, their Arrow types)
_TABLES: dict[str, tuple[tuple[str, ...], tuple[pa.DataType, ...]]] = {
    "raw": (_RAW_NAMES, (_STR,) * len(_RAW_NAMES)),
    "elements": (("path", "value"), (_STR, _STR)),
    "fields": (("field", "label", "value"), (_STR, _STR, _STR)),
    "rejects": (("reason",), (_STR,)),
    "records": (_REC_NAMES, (_STR,) * 6 + (pa.date32(),)),
}
#: write to the warehouse every this many invoices (one INSERT per table); a trade of the
#: parent's CPU for memory, bounded by the whole run's peak RSS target (benchmarks/NOTES.md)
FLUSH_INVOICES = 8192


@dataclass
class _FileMeta:
    sha256: str
    size: int
    error: tuple[str, str | None] | None
    rejected: str | None


@dataclass
class _Chunk:
    """A chunk of files parsed: per-table Arrow columns with a file index (into *files*).

    Built in the pool workers, so the main process only registers the files, adds the
    file names and concatenates (no per-row tuples in the parent).
    """

    paths: list[Path] | None  # None when it comes back from a worker (the parent has them)
    files: list[_FileMeta]
    tables: dict[str, dict[str, pa.Array]]
    notes: list[str]
    versions: set[str]
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    invoices: int = 0


def _read_chunk(paths: list[Path], limits: Limits) -> _Chunk:
    with gc_paused():  # ~100 containers per invoice, no cycles
        return _read_chunk_body(paths, limits)


def _read_chunk_body(paths: list[Path], limits: Limits) -> _Chunk:
    files: list[_FileMeta] = []
    notes: list[str] = []
    versions: set[str] = set()
    raw: list[tuple[Any, ...]] = []
    el_file: list[int] = []
    el_ref: list[str] = []
    el_rows: list[tuple[str, str]] = []
    fl: list[tuple[Any, ...]] = []
    rej: list[tuple[Any, ...]] = []
    rec: list[tuple[Any, ...]] = []
    read = loaded = rejected = invoices = 0
    for i, path in enumerate(paths):
        out = _read_file(path, limits)
        files.append(_FileMeta(out.sha256, out.size, out.error, out.rejected))
        if out.error or out.rejected:
            continue
        notes += out.notes
        for name, reason in out.member_rejects:
            rej.append((i, name, reason))
            read += 1
            rejected += 1
        for _member, parsed in out.parsed:
            notes += parsed.notes
            for ref, reason in parsed.rejects:
                rej.append((i, ref, reason))
                read += 1
                rejected += 1
            for inv in parsed.invoices:
                read += 1
                invoices += 1
                ref = inv.ref
                status = "rejected" if inv.reject else "loaded"
                raw.append((i, ref, *inv.columns, str(inv.position), inv.encoding, status))
                k = len(inv.elements)
                if k:
                    el_file += [i] * k
                    el_ref += [ref] * k
                    el_rows += inv.elements
                for cls, label, value in inv.fields:
                    # as SourceSink.field: empty values are not fields
                    if value is None or (isinstance(value, str) and not value.strip()):
                        continue
                    fl.append((i, ref, cls, label, str(value)))
                if inv.reject:
                    rej.append((i, ref, inv.reject))
                    rejected += 1
                else:
                    d = inv.invoice_date
                    assert d is not None
                    for p in inv.people:
                        rec.append((i, ref, p.person_name, p.org_name, p.business_id, p.email,
                                    p.phone, p.detail, d))
                    loaded += 1
                versions.add(inv.version or "unknown version")
    tables = {
        "raw": _arrays("raw", raw),
        "elements": _arrays("elements", None, el_file, el_ref, el_rows),
        "fields": _arrays("fields", fl),
        "rejects": _arrays("rejects", rej),
        "records": _arrays("records", rec),
    }
    return _Chunk(paths, files, tables, notes, versions, read, loaded, rejected, invoices)


def _read_chunk_remote(paths: list[Path], limits: Limits) -> _Chunk:
    chunk = _read_chunk(paths, limits)
    chunk.paths = None  # unpickling 256 Paths again in the parent costs more than keeping them
    return chunk


def _arrays(table: str, rows: list[tuple[Any, ...]] | None, file_idx: list[int] | None = None,
            refs: list[str] | None = None, values: list[tuple[Any, ...]] | None = None
            ) -> dict[str, pa.Array]:
    names, types = _TABLES[table]
    if rows is not None:
        cols: list[Any] = list(zip(*rows, strict=True)) if rows else [()] * (len(names) + 2)
        file_idx, refs, rest = cols[0], cols[1], cols[2:]
    else:
        rest = list(zip(*values, strict=True)) if values else [()] * len(names)
    out = {"_file": pa.array(file_idx, pa.int32()), "record_ref": pa.array(refs, _STR)}
    for name, typ, col in zip(names, types, rest, strict=True):
        out[name] = pa.array(col, typ)
    return out


def _batches(paths: Any, size: int) -> Any:
    batch: list[Path] = []
    for p in paths:
        batch.append(p)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _chunks(paths: Any, workers: int, limits: Limits) -> Any:
    """Parsed chunks of *paths* (an iterator, consumed as the chunks are sent out), in order.

    A process pool once there are POOL_MIN_FILES files: the listing of a big folder then
    overlaps with the workers' start-up and parsing.
    """
    head: list[Path] = []
    if workers > 1:
        for p in paths:
            head.append(p)
            if len(head) >= POOL_MIN_FILES:
                break
    if workers <= 1 or len(head) < POOL_MIN_FILES:
        for chunk in _batches(itertools.chain(head, paths), POOL_CHUNK):
            yield _read_chunk(chunk, limits)
        return
    task = functools.partial(_read_chunk_remote, limits=limits)
    for chunk, done in ordered_map(task, _batches(itertools.chain(head, paths), POOL_CHUNK),
                                   workers):
        done.paths = chunk
        yield done


class _Writer:
    """Collects chunks' columns and writes them with :meth:`SourceSink.columns`."""

    def __init__(self, sink: SourceSink):
        self.sink = sink
        self.parts: dict[str, list[dict[str, pa.Array]]] = {t: [] for t in _TABLES}
        self.invoices = 0

    def add(self, chunk: _Chunk, names: list[str], shas: list[str], ids: list[int]) -> None:
        name_arr, sha_arr = pa.array(names, _STR), pa.array(shas, _STR)
        id_arr = pa.array(ids, pa.int64())
        for table, cols in chunk.tables.items():
            if not len(cols["_file"]):
                continue
            idx = cols.pop("_file")
            if table in ("records", "fields"):  # rows of the file's id (no name or hash)
                cols["file_id"] = id_arr.take(idx)
            else:
                # dictionary-encoded (no copy; DuckDB stores plain VARCHAR)
                cols["file"] = pa.DictionaryArray.from_arrays(idx, name_arr)
                if table != "rejects":
                    cols["sha256"] = pa.DictionaryArray.from_arrays(idx, sha_arr)
            self.parts[table].append(cols)
        self.invoices += chunk.invoices
        if self.invoices >= FLUSH_INVOICES:
            self.flush()

    def flush(self) -> None:
        for table, parts in self.parts.items():
            if not parts:
                continue
            data = {k: pa.chunked_array([p[k] for p in parts]) for k in parts[0]}
            if table == "records":
                data["role"] = pa.chunked_array([pa.array([ROLE] * len(data["record_ref"]), _STR)])
            if table in ("raw", "elements"):
                self.sink.columns("raw", None, data, raw=None if table == "raw" else "elements")
            else:
                self.sink.columns(table, None, data)
            parts.clear()
        self.invoices = 0


def workers_default() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def load(source: SourceConfig, sink: SourceSink, *, workers: int | None = None) -> LoadResult:
    """Load Finvoice invoices from a file, a folder or a zip (see the module docstring)."""
    path = Path(source.path)
    result = LoadResult()
    folder = path.is_dir()
    if not folder:
        paths: Any = iter([path])
    else:
        # streamed: a big folder's listing overlaps with the parsing
        paths = input_files(path, suffixes=(".xml", ".zip"), rejected=result.rejecter(sink))
        first = next(paths, None)
        if first is None and not result.records_read:
            raise InputError("no .xml or .zip files in the folder", file=path)
        paths = itertools.chain([first] if first else [], paths)
    sink.raw_table([*COLUMNS, *EXTRA_COLUMNS])
    sink.raw_table(["path", "value"], table="elements")
    versions: set[str] = set()
    writer = _Writer(sink)
    n_workers = workers if workers is not None else workers_default()
    for chunk in _chunks(paths, n_workers, sink.limits):
        names, shas, ids = [], [], []
        assert chunk.paths is not None
        for file_path, meta in zip(chunk.paths, chunk.files, strict=True):
            if meta.error and not folder:
                message, place = meta.error
                for _ in paths:  # the listing's own errors (a link out of the folder) come first
                    pass
                raise InputError(message, file=sink.display_name(file_path), place=place)
            if meta.error:  # in a folder: this file is a reject, the others load
                message, place = meta.error
                meta.rejected = reject_reason(InputError(message, place=place))
            if meta.rejected and not meta.sha256:  # not read: reject_file hashes what it can
                result.file_rejected(sink, file_path, meta.rejected)
                names.append(sink.files[-1].name)
                shas.append(sink.files[-1].sha256)
                ids.append(sink.files[-1].id)
                continue
            f = sink.file(file_path, sha256=meta.sha256, size=meta.size)
            if meta.rejected:
                result.file_rejected(sink, f, meta.rejected)
            names.append(f.name)
            shas.append(f.sha256)
            ids.append(f.id)
        writer.add(chunk, names, shas, ids)
        result.notes += chunk.notes
        result.records_read += chunk.read
        result.records_loaded += chunk.loaded
        result.records_rejected += chunk.rejected
        versions |= chunk.versions
    writer.flush()
    result.format = ", ".join(f"finvoice {v}" for v in sorted(versions)) or "finvoice"
    return result
