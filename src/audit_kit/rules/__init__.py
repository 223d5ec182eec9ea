"""Rules: each a SQL query over the warehouse, run as a GX ``UnexpectedRowsExpectation``.

A rule family module registers a builder in :data:`RULE_FAMILIES`; the builder reads
its parameters from the policy and returns :class:`Rule` objects. Every rule's SQL
selects the unexpected rows with the finding columns (:data:`FINDING_COLUMNS`) from
``{batch}`` (the rule's base table; GX substitutes it), and reads the audit date from
the one-row table ``audit_params`` so the generated suites do not depend on ``as_of``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from audit_kit.errors import PolicyError
from audit_kit.policy import Policy

#: what every rule's SELECT returns, in this order
FINDING_COLUMNS = (
    "source",
    "source_kind",
    "source_file",
    "record_ref",
    "rec_id",
    "email",
    "phone",
    "field",
    "detail",
    "severity",
)

AS_OF = "(SELECT as_of FROM audit_params)"


def months_before(months: int) -> str:
    """SQL for as_of minus calendar months (READING.md: ``as_of - INTERVAL 6 MONTH``), as
    a DATE: the same day (a DATE minus months is that day's midnight), and the DATE
    columns it is compared with stay DATEs instead of each being cast to TIMESTAMP."""
    return f"CAST({AS_OF} - INTERVAL {int(months)} MONTH AS DATE)"


def sql_str(value: str) -> str:
    """*value* (any text, typically from the policy) as a SQL string literal: the one way
    text reaches a rule's SQL.

    Quotes are doubled. Braces and control characters (newlines, NUL, ...) are written as
    ``chr(n)`` outside the literal: GX substitutes ``{batch}`` with :meth:`str.format`, so
    a brace in a literal would be read as a placeholder, and the literal stays one line
    in the generated suites. Backslashes, ``--`` and ``;`` are plain characters inside a
    DuckDB literal. The result is a constant expression, equal to *value*.
    """
    parts, lit = [], []
    for ch in value:
        if ch in "{}" or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0:
            if lit:
                parts.append("'" + "".join(lit).replace("'", "''") + "'")
                lit = []
            parts.append(f"chr({ord(ch)})")
        else:
            lit.append(ch)
    if lit or not parts:
        parts.append("'" + "".join(lit).replace("'", "''") + "'")
    return parts[0] if len(parts) == 1 else "(" + " || ".join(parts) + ")"


@dataclass(frozen=True)
class Rule:
    rule_id: str
    category: str
    section: str
    table: str
    sql: str
    description: str
    #: every severity the rule's rows can have (its ``severity`` column); GX validates one
    #: expectation per severity, so a warning-only failure is a GX warning, not critical
    severities: tuple[str, ...] = field(kw_only=True)

    def query(self, table: str | None = None) -> str:
        """The SQL over *table* (default: the rule's base table), substituted exactly as
        GX's UnexpectedRowsExpectation does (:meth:`str.format`)."""
        return self.sql.format(batch=table or self.table)


Builder = Callable[[Policy], list[Rule]]
RULE_FAMILIES: dict[str, Builder] = {}

_MODULES = ("retention", "minimisation", "transfers", "rights", "statement", "integrity")


def family(name: str) -> Callable[[Builder], Builder]:
    def deco(fn: Builder) -> Builder:
        RULE_FAMILIES[name] = fn
        return fn

    return deco


def build_rules(policy: Policy) -> list[Rule]:
    for mod in _MODULES:
        importlib.import_module(f"audit_kit.rules.{mod}")
    rules: list[Rule] = []
    # in _MODULES order, not in the order the modules happened to be imported first
    rank = {f"audit_kit.rules.{m}": i for i, m in enumerate(_MODULES)}
    for build in sorted(RULE_FAMILIES.values(), key=lambda b: rank.get(b.__module__, len(rank))):
        rules.extend(build(policy))
    # the policy's own ids are unique (policy.py); none may take one of the families' ids
    named = {rid: key for key, rid in policy.rule_ids()}
    own = sorted({r.rule_id for r in rules} - set(named))
    seen: set[str] = set()
    for r in rules:
        if r.rule_id in seen:
            raise PolicyError(
                f"rule id {r.rule_id!r} is taken by one of audit-kit's own rules "
                f"({', '.join(own)}); give the policy's rule another id",
                file=policy.path or None, place=f"key {named.get(r.rule_id, 'rule ' + r.rule_id)}")
        seen.add(r.rule_id)
    return rules
