"""The report's actions: what to do, by when, who does it, and on which records.

What must stay true:

* One action per (rule, source) (minimisation: per field class too), carrying every
  record it is about as a **reference** (source file and record_ref: a line, a vCard, an
  invoice number, a message offset), never a name: the owners can find and delete the
  rows from a pseudonymised report.
* The deadline: a direct-marketing ban binds at once (GDPR Art. 21(3)); an erasure
  request is due its deadline after receipt (the policy's months, D + N months as DuckDB
  computes it), so an overdue one is due now and says since when, an open one gives its
  date; every other error is past its deadline already (due now); warnings, info and the
  statement's own text are due by the next audit (the end of the next quarter).
* Who: the §2 person responsible (the policy's ``organisation.contact``), or, for a
  source whose system the policy marks ``processor: true``, that system's provider, on
  the responsible person's order. Read from the policy's systems inventory, which the
  run saved in ``report_params.json`` (:func:`audit_kit.report.save_report_params`).
* Order ("Tee ensin" is its head): legal weight, then lateness: bans, overdue erasures
  and erased people who came back, then open erasure requests by due date, then other
  errors by promise, then the statement, warnings and info.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from audit_kit.findings import Finding
from audit_kit.report.i18n import FIELDS, field_name, rule_action

SEV_ORDER = ("error", "warning", "info")
#: the promises in the owners' reading order (also the order of actions of equal weight)
PROMISE_ORDER = ("minimisation", "retention", "rights", "transfer", "statement")

#: legal weight, lower first: rule id -> weight (others: by severity, see _weight)
WEIGHTS = {"R-ban": 0, "R-erasure": 1, "R-tombstone": 1, "R-erasure-open": 2}


@dataclass(frozen=True)
class Due:
    """``kind``: ``now`` (``since``: the deadline that passed, if known), ``date``
    (``on``: a deadline still ahead) or ``next_audit`` (``on``: the next quarter's end)."""

    kind: str
    on: dt.date | None = None
    since: dt.date | None = None


@dataclass
class Action:
    category: str
    rule_id: str
    severity: str
    source: str
    n: int
    text: str
    findings: list[Finding] = field(default_factory=list)
    due: Due = Due("next_audit")
    who: str = ""
    processor: bool = False
    weight: float = 9

    def sort_key(self) -> tuple:
        when = self.due.since or self.due.on or dt.date.max
        return (
            self.weight,
            when,
            PROMISE_ORDER.index(self.category) if self.category in PROMISE_ORDER else 99,
            -self.n,
            self.rule_id,
            self.source,
        )


@dataclass
class Responsible:
    """The policy's answer to "who": the §2 person and the processors per system."""

    person: str = ""
    #: system name -> (provider, is a processor)
    systems: dict[str, tuple[str, bool]] = field(default_factory=dict)
    #: source name -> system name (from the manifest)
    source_system: dict[str, str] = field(default_factory=dict)
    erasure_months: int | None = None
    #: the deadline when an extension is recorded (Art. 12(3)); None in an older run
    erasure_extended_months: int | None = None

    @classmethod
    def from_params(cls, params: dict, manifest: dict) -> Responsible:
        pol = params.get("policy") or {}
        return cls(
            person=str(pol.get("responsible", "")),
            systems={
                k: (str(v.get("provider", "")), bool(v.get("processor")))
                for k, v in (pol.get("systems") or {}).items()
            },
            source_system={s["name"]: s.get("system", "") for s in manifest.get("sources", [])},
            erasure_months=pol.get("erasure_months"),
            erasure_extended_months=pol.get("erasure_extended_months"),
        )

    def who(self, source: str, category: str) -> tuple[str, bool]:
        """(who does it, whether that is a processor)."""
        if category not in ("statement", "transfer"):
            provider, processor = self.systems.get(self.source_system.get(source, ""), ("", False))
            if processor and provider:
                return provider, True
        return self.person, False


def erasure_dues(run_dir: Path, months: int | None, extended_months: int | None = None,
                 ) -> tuple[dict, dict]:
    """From the warehouse: subject_id -> the earliest due date among the person's erasure
    requests already past it (an overdue request's deadline; none for a request recorded as
    erased but still present before its due date), and (source, record_ref) of each
    request -> its due date. The due date is the rights rules' own formula
    (:func:`audit_kit.rules.rights.request_due_sql`: D + *months*, D + *extended_months*
    when an extension is recorded)."""
    import duckdb

    from audit_kit.rules import AS_OF
    from audit_kit.rules.rights import request_due_sql

    path = Path(run_dir) / "warehouse.duckdb"
    if months is None or not path.exists():
        return {}, {}
    due = request_due_sql(months, extended_months or months, alias="r")
    con = duckdb.connect(str(path), read_only=True)
    try:
        per_person = dict(
            con.execute(
                f"SELECT p.subject_id, min({due}) FROM records r JOIN persons p "
                "ON p.rec_id = r.rec_id WHERE r.role = 'erasure_request' "
                f"AND r.requested_on IS NOT NULL AND {due} < {AS_OF} GROUP BY 1"
            ).fetchall()
        )
        per_record = {
            (s, ref): d
            for s, ref, d in con.execute(
                f"SELECT r.source, r.record_ref, {due} FROM records r "
                "WHERE r.role = 'erasure_request' AND r.requested_on IS NOT NULL"
            ).fetchall()
        }
    except duckdb.Error:
        return {}, {}
    finally:
        con.close()
    return per_person, per_record


def next_quarter_end(as_of: dt.date) -> dt.date:
    """The last day of the quarter after *as_of*'s (the next audit's date)."""
    q = (as_of.month - 1) // 3 + 1
    y, nq = (as_of.year + 1, 1) if q == 4 else (as_of.year, q + 1)
    end = 3 * nq
    return dt.date(y + (end == 12), end % 12 + 1, 1) - dt.timedelta(days=1)


def _due(rule_id: str, category: str, severity: str, fs: list[Finding], as_of: dt.date,
         dues: tuple[dict, dict]) -> Due:
    per_person, per_record = dues
    if rule_id == "R-ban":
        return Due("now")
    if rule_id == "R-erasure":
        known = [per_person[f.subject_id] for f in fs if f.subject_id in per_person]
        return Due("now", since=min(known) if known else None)
    if rule_id == "R-erasure-open":
        known = [per_record[(f.source, f.record_ref)] for f in fs
                 if (f.source, f.record_ref) in per_record]
        if known:
            return Due("date", on=min(known))
        return Due("next_audit", on=next_quarter_end(as_of))
    if severity == "error" and category != "statement":
        return Due("now")
    return Due("next_audit", on=next_quarter_end(as_of))


#: rules whose findings name a field class (one action per class list and severity)
FIELD_RULES = ("M-field", "M-voucher")


def _kept_until(fs: list[Finding], lang: str) -> str:
    """The latest "kept unchanged until" date of M-voucher findings (fi: d.m.yyyy)."""
    found = sorted(m.groups() for f in fs
                   if (m := re.search(r"until (\d{4})-(\d\d)-(\d\d)", f.detail)))
    if not found:
        return ""
    y, mo, d = found[-1]
    return f"{int(d)}.{int(mo)}.{y}" if lang == "fi" else f"{y}-{mo}-{d}"


def _weight(rule_id: str, category: str, severity: str) -> float:
    if rule_id in WEIGHTS:
        return WEIGHTS[rule_id]
    if severity == "error":
        return 4 if category == "statement" else 3
    return 5 if severity == "warning" else 6


def actions(
    findings: list[Finding],
    lang: str,
    *,
    as_of: dt.date,
    responsible: Responsible | None = None,
    dues: tuple[dict, dict] = ({}, {}),
) -> list[Action]:
    """One action per (rule, source), ranked (see the module docstring)."""
    responsible = responsible or Responsible()
    groups: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        # minimisation: errors and warnings (job titles) are separate actions
        groups[(f.rule_id, f.source, f.severity if f.rule_id in FIELD_RULES else "")].append(f)
    out = []
    for (rule_id, source, _), fs in groups.items():
        sev = min((f.severity for f in fs), key=SEV_ORDER.index)
        kind, cat = fs[0].source_kind, fs[0].category
        if rule_id in FIELD_RULES:
            classes = sorted(
                {f.field for f in fs},
                key=lambda c: (list(FIELDS).index(c) if c in FIELDS else 99, c),
            )
            what = ", ".join(field_name(c, lang) for c in classes)
            text = rule_action(rule_id, lang, n=len(fs), kind=kind, source=source, what=what,
                               until=_kept_until(fs, lang))
        else:
            text = rule_action(rule_id, lang, n=len(fs), kind=kind, source=source)
        who, processor = responsible.who(source, cat)
        out.append(
            Action(
                cat, rule_id, sev, source, len(fs), text or rule_id, fs,
                due=_due(rule_id, cat, sev, fs, as_of, dues),
                who=who, processor=processor, weight=_weight(rule_id, cat, sev),
            )
        )
    out.sort(key=Action.sort_key)
    return out
