"""Findings: the audit's output rows, and findings.csv (the contract's columns)."""

from __future__ import annotations

import csv
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from audit_kit.vocab import CATEGORIES, SEVERITIES

COLUMNS = ("rule_id", "category", "severity", "source", "source_kind", "source_file",
           "record_ref", "subject_id", "email", "phone", "field", "detail")


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
    email: str
    phone: str
    field: str
    detail: str

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


_FORMULA_START = ("=", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection): prefix a quote.

    A leading ``+``/``-`` is a formula only when not followed by a number, so E.164
    phones (``+358...``) stay as they are.
    """
    if not value:
        return value
    if value.startswith(_FORMULA_START) or (
        value[0] in "+-" and not value[1:].replace(" ", "").isdigit()
    ):
        return "'" + value
    return value


def sort_findings(items: list[Finding]) -> list[Finding]:
    return sorted(items, key=Finding.sort_key)


def write_csv(items: list[Finding], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for item in sort_findings(items):
            w.writerow([safe_cell(v) for v in astuple(item)])


def read_csv(path: Path) -> list[Finding]:
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        names = [fl.name for fl in fields(Finding)]
        return [Finding(**{n: row[n] for n in names}) for row in r]
