"""A source's ``columns:`` mapping: the names it may map a header to, and its check.

``columns: {"Puh.": phone, "Sopimus alkoi": ignore}`` classifies headers the loader's
synonym tables do not know (or overrides them). The targets are one list per kind,
:func:`targets`, shown by ``audit-kit kinds --columns`` and in the README
(``tests/test_columns.py`` keeps the two equal). A wrong entry is a config error naming
the source, the entry and the closest valid names; it is checked before any row is read.
"""

from __future__ import annotations

import difflib
import functools
import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator

from audit_kit.config import SourceConfig
from audit_kit.errors import ConfigError
from audit_kit.loaders import Option
from audit_kit.safe_output import stored_name
from audit_kit.vocab import FIELD_CLASSES

#: the tabular registers' targets (loaders/tabular.py); dates by kind below
TABULAR_TARGETS: dict[str, str] = {
    "person_name": "the contact person's full name (the record's name)",
    "first_name": "first name (with last_name, the name when no person_name column has one)",
    "last_name": "last name",
    "org_name": "organisation (customer) name",
    "business_id": "business ID (Y-tunnus); a personal identity code in it is a hetu",
    "email": "e-mail address (the record's e-mail)",
    "phone": "work phone (the record's phone; a number in a mobile range is a mobile_phone)",
    "work_phone": "the same as phone",
    "mobile_phone": "mobile phone",
    "home_phone": "home or personal phone",
    "street": "company (business) street address",
    "company_address": "the same as street",
    "postcode": "company postcode",
    "city": "company post office or town",
    "address": "postal address without a label",
    "home_address": "home or personal address",
    "birthday": "birthday or birth date",
    "hetu": "personal identity code (henkilötunnus)",
    "photo": "photo of a person",
    "job_title": "job title or role",
    "notes": "free text (searched for identity codes)",
    "url": "web address",
    "other_personal": "a personal field the policy does not name",
    "non_personal": "business data, not about a person (kept as a field)",
}

#: per tabular kind, its own columns (its date column, the rights registers' handling):
#: target -> meaning
TABULAR_DATES: dict[str, dict[str, str]] = {
    "customers_csv": {"ended_on": "date the customer relationship ended (R-customer)"},
    "service_contracts_csv": {"device_retired": "date the device was retired (R-service)"},
    "marketing_list": {
        "last_marketing": "date of the latest marketing (R-marketing)",
        "ban_marker": "the list marks a direct-marketing ban: a date or a mark such as "
                      "kyllä or x; empty, ei or no = none (R-ban-listed)",
    },
    "marketing_optouts": {"ban_date": "date the direct-marketing ban arrived (R-ban)"},
    "erasure_requests": {
        "request_date": "date the erasure request arrived (R-erasure)",
        "extended": "the deadline was extended (GDPR Art. 12(3)): a date or kyllä/yes",
        "decision": "the decision: erased (poistettu) or refused (hylätty, evätty)",
        "decided_on": "date of the decision (erased on)",
        "reason": "why the request was refused (GDPR Art. 17(3)); free text",
    },
    "retention_holds": {"held_until": "date a retention hold ends (holds on R-* findings)"},
}

#: the contact CSV kind's targets: field classes
CONTACT_KINDS = ("google_contacts_csv",)
_CONTACT_CLASSES = (
    "person_name", "org_name", "email", "work_phone", "mobile_phone", "phone", "home_phone",
    "company_address", "address", "home_address", "birthday", "hetu", "photo", "job_title",
    "url", "notes", "other_personal", "non_personal",
)
CONTACT_TARGETS: dict[str, str] = {c: FIELD_CLASSES[c] for c in _CONTACT_CLASSES}

IGNORE = {"ignore": "not about a person (contract dates, device models, amounts, codes): "
          "kept in the raw table only, no field and no finding"}


def targets(kind: str) -> dict[str, str]:
    """The ``columns:`` targets of *kind* (name -> meaning); empty: no ``columns:``."""
    if kind in TABULAR_DATES:
        return {**TABULAR_TARGETS, **TABULAR_DATES[kind], **IGNORE}
    if kind in CONTACT_KINDS:
        return {**CONTACT_TARGETS, **IGNORE}
    return {}


def header_key(header: str) -> str:
    """A header as compared: case, surrounding space and ``_ . :`` runs do not count."""
    return re.sub(r"[\s_.:]+", " ", header.strip().lower()).strip()


def _closest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.5)
    if not close:  # nothing alike: the start of the list beats no hint at all
        close = choices[:3]
    return ", ".join(repr(c) for c in close)


def check_columns(source: SourceConfig, headers: list[str], path: Path) -> dict[str, str]:
    """The source's ``columns:`` as {header as in *path*: target}, or a ConfigError for an
    unknown target, or a header *path* does not have (each with the closest valid names)."""
    if not source.columns:
        return {}
    valid = targets(source.kind)
    where = f"source {source.name!r}, columns:"
    if not valid:
        raise ConfigError(f"{where} kind {source.kind} has no columns to map; remove columns:")
    try:
        _check_targets(source.kind, source.columns)
    except ValueError as exc:
        raise ConfigError(f"{where} {exc}") from None
    by_key = {header_key(h): h for h in headers}
    out: dict[str, str] = {}
    for header, target in source.columns.items():
        found = by_key.get(header_key(header))
        if found is None:
            raise ConfigError(
                f"{where} no column {header!r} in this file; closest: "
                f"{_closest(header, [h for h in headers if h])}",
                file=path,
                place="line 1",
            )
        out[found] = target
    return out


def short_rows_note(path: Path, n: int) -> str:
    """The load note for *n* rows of *path* shorter than its header (read as padded)."""
    return (f"{stored_name(path.name)}: {n} row{'s' if n != 1 else ''} shorter than the "
            "header, the missing last cells read as empty")


def describe() -> list[str]:
    """The targets as ``audit-kit kinds --columns`` prints them: the tabular kinds' list
    once with each kind's date column, then the contact CSV kind's."""
    lines = [", ".join(TABULAR_DATES) + ":"]
    lines += [f"  {n:<16} {m}" for n, m in {**TABULAR_TARGETS, **IGNORE}.items()]
    lines.append("  and the kind's own columns:")
    for kind, dates in TABULAR_DATES.items():
        lines += [f"  {n:<16} {m} [{kind}]" for n, m in dates.items()]
    lines.append(", ".join(CONTACT_KINDS) + ":")
    lines += [f"  {n:<16} {m}" for n, m in {**CONTACT_TARGETS, **IGNORE}.items()]
    return lines


def _check_targets(kind: str, mapping: dict[str, str]) -> dict[str, str]:
    """The config's check of a ``columns:`` mapping's targets (the headers need the file:
    :func:`check_columns`)."""
    valid = targets(kind)
    for header, target in mapping.items():
        if target not in valid:
            raise ValueError(
                f"{header!r} -> {target!r} is not a column target of {kind}; closest: "
                f"{_closest(str(target), list(valid))} (all: audit-kit kinds --columns)"
            )
    return mapping


def columns_option(kind: str) -> Option:
    """The ``columns:`` option of *kind*, its targets checked when the config is read."""
    return Option(
        "columns",
        Annotated[dict[str, str], AfterValidator(functools.partial(_check_targets, kind))],
        'a mapping {"their header": target} (audit-kit kinds --columns)',
        "explicit header mapping, over the synonyms; ignore for data not about a person",
    )
