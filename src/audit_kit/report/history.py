"""Earlier quarters beside a run: the trend, and what changed since last quarter.

What must stay true:

* Earlier runs are found by their manifests' ``as_of`` (:func:`audit_kit.runs.earlier_runs`),
  whatever their folders are called; one run per quarter.
* Findings are compared as **items**, matched by :func:`item_key`, a key that depends
  neither on line numbers nor on the rule that flags the person now: a person
  (``subject_id``) under one promise (category) is one item, however many records and
  rules show it; a finding without a person (a statement check, an unclassified column,
  an integrity check) is matched by its source, rule and field. So a mail-log address
  whose newest flagged line moved is the same item, and an erasure request that went from
  open to overdue (``R-erasure-open`` info -> ``R-erasure`` error) is one item that
  **escalated**, not one fixed and one new.
* An item is **fixed** only when its key is gone: no finding of that person under that
  promise (or of that source, rule and field) remains, and it was a fault (an error or a
  warning). An item that was information only (an open erasure request inside its
  deadline) and is gone is **closed**, not fixed: nothing was wrong, and the owners may
  have done nothing (a request past its date whose person is in no source).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from audit_kit.findings import Finding, read_csv
from audit_kit.runs import earlier_runs, quarter_of
from audit_kit.vocab import SEVERITIES

__all__ = ["Item", "Changes", "QuarterRow", "item_key", "items", "compare", "history"]


def item_key(f: Finding) -> tuple[str, ...]:
    """The identity of *f*'s condition across quarters (see the module docstring)."""
    if f.subject_id:
        return ("person", f.subject_id, f.category)
    return ("place", f.source, f.rule_id, f.field)


@dataclass(frozen=True)
class Item:
    """One condition: a person under one promise, or one person-less finding."""

    key: tuple[str, ...]
    category: str
    findings: tuple[Finding, ...]

    @property
    def severity(self) -> str:
        """The worst severity of its findings."""
        return min((f.severity for f in self.findings), key=SEVERITIES.index)

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.rule_id for f in self.findings))

    @property
    def subject_id(self) -> str:
        return self.key[1] if self.key[0] == "person" else ""


def items(findings: list[Finding]) -> dict[tuple[str, ...], Item]:
    """*findings* grouped into items, in the findings' order."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for f in findings:
        groups.setdefault(item_key(f), []).append(f)
    return {k: Item(k, fs[0].category, tuple(fs)) for k, fs in groups.items()}


@dataclass
class Changes:
    """Items new, escalated (worse severity than last quarter), fixed, closed (information
    only, gone) and still open (same or milder severity) between two quarters;
    ``escalated`` pairs (now, before)."""

    previous: str
    found: bool
    new: list[Item]
    escalated: list[tuple[Item, Item]]
    fixed: list[Item]
    persisting: list[Item]
    closed: list[Item] = field(default_factory=list)


def compare(before: list[Finding], now: list[Finding], previous: str = "") -> Changes:
    old, cur = items(before), items(now)
    escalated, persisting = [], []
    for k, it in cur.items():
        if k in old:
            if SEVERITIES.index(it.severity) < SEVERITIES.index(old[k].severity):
                escalated.append((it, old[k]))
            else:
                persisting.append(it)
    gone = [it for k, it in old.items() if k not in cur]
    return Changes(
        previous,
        True,
        new=[it for k, it in cur.items() if k not in old],
        escalated=escalated,
        fixed=[it for it in gone if it.severity != "info"],
        persisting=persisting,
        closed=[it for it in gone if it.severity == "info"],
    )


@dataclass
class QuarterRow:
    """One quarter of the trend: open items per category, and the changes since the
    quarter before it (None for the oldest quarter shown)."""

    quarter: str
    as_of: dt.date
    open_items: dict[str, int]
    changes: Changes | None


def _previous_label(quarter: str) -> str:
    y, q = int(quarter[:4]), int(quarter[-1])
    return f"{y - 1}-Q4" if q == 1 else f"{y}-Q{q - 1}"


def history(
    run_dir: Path, as_of: dt.date, findings: list[Finding], *, keep: int = 6
) -> list[QuarterRow]:
    """The earlier quarters beside *run_dir* and this run, oldest first (at most *keep*).

    Consecutive quarters are compared; a gap (a quarter without a run) is compared with
    the run before the gap. An earlier run whose findings cannot be read is left out."""
    runs: list[tuple[str, dt.date, list[Finding]]] = []
    for run in earlier_runs(run_dir, as_of):
        try:
            runs.append((run.quarter, run.as_of, read_csv(run.path / "findings.csv")))
        except (OSError, ValueError, KeyError):
            continue  # a damaged earlier run only drops that quarter from the trend
    runs.append((quarter_of(as_of), as_of, findings))
    runs = runs[-(keep + 1):]
    out = []
    for i, (quarter, when, fs) in enumerate(runs):
        ch = compare(runs[i - 1][2], fs, runs[i - 1][0]) if i else None
        counts = dict(Counter(it.category for it in items(fs).values()))
        out.append(QuarterRow(quarter, when, counts, ch))
    return out[-keep:]


def last_changes(rows: list[QuarterRow]) -> Changes:
    """The changes since the quarter just before this run's (``found`` False when that
    quarter has no run beside this one)."""
    current = rows[-1]
    prev = _previous_label(current.quarter)
    if current.changes is not None and current.changes.previous == prev:
        return current.changes
    return Changes(prev, False, [], [], [], [])
