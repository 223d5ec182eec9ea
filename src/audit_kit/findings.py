"""Findings: the audit's output rows, and findings.csv (the contract's columns)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, fields
from pathlib import Path

from audit_kit import safe_output
from audit_kit.vocab import CATEGORIES, SEVERITIES

COLUMNS = ("rule_id", "category", "severity", "source", "source_kind", "source_file",
           "record_ref", "subject_id", "email", "phone", "field", "detail", "accepted", "key",
           "provision", "detail_fi")


@dataclass(frozen=True)
class Finding:
    rule_id: str
    category: str
    severity: str
    source: str
    source_kind: str
    source_file: str
    record_ref: str
    subject_id: str
    # shown in findings.csv and a revealed report only: a notebook cell's repr of a
    # finding names the person by subject_id
    email: str = field(repr=False)
    phone: str = field(repr=False)
    field: str
    detail: str
    #: ``yes`` (an acceptance in force covers it), ``expired`` or ``""``
    #: (see :mod:`audit_kit.exitpolicy`)
    accepted: str = ""
    #: the provision the finding cites (its rule's :attr:`audit_kit.rules.Rule.provision`,
    #: e.g. "GDPR 5(1)(e)"); "" in a findings.csv written before the column existed
    provision: str = ""
    #: the detail in Finnish, from the same values (a Finnish report shows it); "" in a
    #: findings.csv written before the column existed
    detail_fi: str = ""

    def detail_in(self, lang: str) -> str:
        """The detail in *lang*: Finnish where the finding has it, else English."""
        return self.detail_fi if lang == "fi" and self.detail_fi else self.detail

    @property
    def stable_key(self) -> str:
        """The finding's name in ``audits/accepted.yaml``, without line numbers or file
        names: ``rule/source/subject_id[/field]`` for a record's finding (the person's
        findings of the rule in the source), ``rule/source[/field]`` for a source's or the
        statement's (``S-statement/statement/S-privacy-shield``)."""
        parts = [self.rule_id, self.source, self.subject_id, self.field]
        return "/".join(p for p in parts if p)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity of a finding across runs (used by ground truth and quarter diffs)."""
        return (self.rule_id, self.source, self.record_ref, self.field)

    def sort_key(self) -> tuple:
        return (CATEGORIES.index(self.category), SEVERITIES.index(self.severity), self.rule_id,
                self.source, self.source_file, _natural(self.record_ref), self.field, self.detail)


def _natural(ref: str) -> tuple:
    """``line 9`` sorts before ``line 10``."""
    head, _, tail = ref.rpartition(" ")
    return (head, int(tail), "") if tail.isdigit() else (ref, -1, ref)


def sort_findings(items: list[Finding]) -> list[Finding]:
    return sorted(items, key=Finding.sort_key)


def write_csv(items: list[Finding], path: Path) -> None:
    """findings.csv, sorted, owner-only; cells neutralised by :func:`safe_output.csv_cell`
    (so a value read back may start with the ``'`` that neutralised it)."""
    safe_output.write_csv(path, COLUMNS, (
        tuple(item.stable_key if c == "key" else getattr(item, c) for c in COLUMNS)
        for item in sort_findings(items)))


def read_csv(path: Path) -> list[Finding]:
    names = [fl.name for fl in fields(Finding)]
    # a detail may name a 200 kB header: csv's default limit is 128 KiB per field
    limit = csv.field_size_limit(2**31 - 1)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            # a findings.csv from before the accepted column reads as not accepted
            return [Finding(**{n: row.get(n) or "" for n in names})
                    for row in csv.DictReader(f)]
    finally:
        csv.field_size_limit(limit)
