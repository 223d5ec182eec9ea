"""Rules: each a SQL query over the warehouse, run as a GX ``UnexpectedRowsExpectation``.

A rule family is one module with a :class:`RuleFamily` named ``FAMILY``: its category,
a builder that turns a :class:`~audit_kit.context.RunContext` into :class:`Rule`
objects, the fi/en texts of its rules (what each checks, the owners' action), and the
facts it needs written into the warehouse for the run (:class:`Facts`: the statement
checks, the transfer verdicts as of the audit date). :data:`FAMILY_MODULES` lists the
families in report order; nothing registers itself on import.

Every rule's SQL selects the unexpected rows with the finding columns
(:data:`FINDING_COLUMNS`) from ``{batch}`` (the rule's base table; GX substitutes it),
reads the audit date from the one-row table ``audit_params`` and date-dependent
verdicts from its facts, so the generated suites do not depend on ``as_of``. Text
reaches the SQL only through :func:`sql_str`.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from audit_kit import clock
from audit_kit.context import RunContext
from audit_kit.errors import PolicyError
from audit_kit.policy import Policy
from audit_kit.schema import Table

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
    # the detail in Finnish, from the same values (a Finnish report shows it); last, so
    # a reader of the columns by position before it existed still reads the others
    "detail_fi",
)

AS_OF = "(SELECT as_of FROM audit_params)"


def deadline(start: str, months: int) -> str:
    """SQL: the deadline of "within *months* months after *start*" (a DATE expression):
    *start* + calendar months (READING.md; :func:`audit_kit.clock.deadline`)."""
    return clock.deadline_sql(start, months)


def past_deadline(start: str, months: int) -> str:
    """SQL: the deadline of "within *months* months after *start*" was missed, i.e. the
    audit date is after ``start + months`` (never ``start < as_of - months``: the two
    differ at month ends; :func:`audit_kit.clock.deadline_passed`)."""
    return clock.passed_sql(start, months, AS_OF)


def day(col: str, lang: str) -> str:
    """SQL: the DATE expression *col* as text, ``2026-06-30`` in English, ``30.6.2026``
    (d.m.yyyy) in Finnish."""
    return f"strftime({col}, '{'%-d.%-m.%Y' if lang == 'fi' else '%Y-%m-%d'}')"


def plural(n: str, one: str, many: str) -> str:
    """SQL: *one* or *many* (SQL text expressions) as the count *n* (SQL) is 1 or not."""
    return f"CASE WHEN {n} = 1 THEN {one} ELSE {many} END"


def months_fi(n: int) -> str:
    """*n* months in Finnish, as the subject of a sentence: ``1 kuukausi``, ``6 kuukautta``."""
    return f"{n} kuukausi" if n == 1 else f"{n} kuukautta"


#: record reference words (the loaders' record_ref: ``line 11``) in Finnish
REF_WORDS_FI = {"line": "rivi", "row": "rivi", "card": "kortti", "invoice": "lasku",
                "offset": "tavukohta", "whole file": "koko tiedosto"}


def ref_fi(col: str) -> str:
    """SQL: the record reference *col* in Finnish words (``line 11`` -> ``rivi 11``; what
    :func:`audit_kit.report.i18n.ref_text` shows), other references as they are."""
    words = [w for w in REF_WORDS_FI if " " not in w]
    head = f"split_part({col}, ' ', 1)"
    cases = " ".join(f"WHEN {sql_str(w)} THEN {sql_str(REF_WORDS_FI[w])}" for w in words)
    whole = " ".join(f"WHEN {col} = {sql_str(w)} THEN {sql_str(fi)}"
                     for w, fi in REF_WORDS_FI.items() if " " in w)
    return (f"CASE {whole} WHEN regexp_matches({col}, '^({'|'.join(words)}) [0-9]+$') "
            f"THEN (CASE {head} {cases} END) || ' ' || split_part({col}, ' ', 2) "
            f"ELSE {col} END")


_GDPR_ARTICLE = re.compile(r"GDPR (\d+(?:-\d+)?)((?:\(\w+\))*)")


def provision_text(provision: str, lang: str) -> str:
    """A provision as a finding cites it: "GDPR 13(1)(c)" is "tietosuoja-asetus 13 art.
    1 c" in Finnish; national provisions ("Tietosuojalaki 29 §") as written."""
    if lang != "fi":
        return provision

    def fi(m: re.Match) -> str:
        points = " ".join(re.findall(r"\((\w+)\)", m.group(2)))
        return f"tietosuoja-asetus {m.group(1)} art." + (f" {points}" if points else "")

    return _GDPR_ARTICLE.sub(fi, provision)


def cite_fi(section: str, provision: str = "") -> str:
    """The Finnish citation a detail ends with: ``seloste §6; tietosuoja-asetus 5 art. 1
    e`` (the statement's section, the provision: :func:`provision_text`)."""
    parts = [f"seloste §{section}" if section else "", provision_text(provision, "fi")]
    return "; ".join(p for p in parts if p)


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
    #: the family's category (:attr:`RuleFamily.category`), filled in by :func:`build_rules`
    category: str
    section: str
    table: str
    sql: str
    description: str
    #: every severity the rule's rows can have (its ``severity`` column); GX validates one
    #: expectation per severity, so a warning-only failure is a GX warning, not critical
    severities: tuple[str, ...] = field(kw_only=True)
    #: the provision every finding of the rule cites (READING.md "Findings and actions"):
    #: "GDPR 5(1)(e)", "GDPR 5(1)(c), Tietosuojalaki 29 §"; "" where none is set
    provision: str = field(default="", kw_only=True)
    #: a finding's ``field`` -> the provision it cites instead of :attr:`provision` (one
    #: rule with several checks, each under its own article: S-statement)
    field_provisions: Mapping[str, str] = field(default_factory=dict, kw_only=True)
    #: the ids of the checks the rule reports in its ``field`` with their statement
    #: sections (S-statement: the statement checks); the policy's coverage names them
    checks: Mapping[str, str] = field(default_factory=dict, kw_only=True)

    def provision_of(self, field_name: str) -> str:
        """The provision a finding of this rule with *field_name* cites."""
        return self.field_provisions.get(field_name, self.provision)

    def query(self, table: str | None = None) -> str:
        """The SQL over *table* (default: the rule's base table), substituted exactly as
        GX's UnexpectedRowsExpectation does (:meth:`str.format`)."""
        return self.sql.format(batch=table or self.table)


#: fi/en texts of one rule: ``checks`` (what it checks), ``action`` (what to do about
#: ``{n}`` findings ``{place}`` in ``{source}``; M-field: ``{what}``) and optionally
#: ``action_1`` (one finding)
RuleTexts = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Facts:
    """A table a family's rules read, written for each run from the context."""

    table: str
    #: (column, DuckDB type)
    columns: tuple[tuple[str, str], ...]
    rows: Callable[[RunContext], Sequence[tuple]]

    @property
    def schema(self) -> Table:
        """The table's declaration (listed by :func:`audit_kit.schema.tables`)."""
        return Table(self.table, self.columns)

    def write(self, con, ctx: RunContext | None) -> None:
        self.schema.create(con, replace=True)
        if ctx is not None:
            marks = ", ".join("?" for _ in self.columns)
            rows = list(self.rows(ctx))
            if rows:
                con.executemany(f"INSERT INTO {self.table} VALUES ({marks})", rows)


@dataclass(frozen=True)
class RuleFamily:
    name: str
    #: the category of the findings of the family's rules (see rule_category)
    category: str
    build: Callable[[RunContext], list[Rule]]
    #: rule id -> its texts (the ids audit-kit gives or the shipped policy uses)
    texts: Mapping[str, RuleTexts] = field(default_factory=dict)
    facts: tuple[Facts, ...] = ()
    #: the rules whose findings have another category than the family's (rule id ->
    #: category): a family about one source of data may check several promises
    rule_category: Mapping[str, str] = field(default_factory=dict)

    def category_of(self, rule_id: str) -> str:
        return self.rule_category.get(rule_id, self.category)


#: the rule families' modules, in the order the report and findings.csv list them
FAMILY_MODULES = ("retention", "minimisation", "transfers", "rights", "statement", "weblog",
                  "integrity")


@cache
def families() -> tuple[RuleFamily, ...]:
    return tuple(importlib.import_module(f"audit_kit.rules.{m}").FAMILY for m in FAMILY_MODULES)


def rule_texts() -> dict[str, RuleTexts]:
    """rule id -> texts, over every family."""
    return {rid: t for fam in families() for rid, t in fam.texts.items()}


def rule_categories() -> dict[str, str]:
    """rule id -> category, for every rule id a family has texts for."""
    return {rid: fam.category_of(rid) for fam in families() for rid in fam.texts}


def write_facts(con, ctx: RunContext | None) -> None:
    """Create every family's fact tables; fill them for *ctx* (empty without one)."""
    for fam in families():
        for facts in fam.facts:
            facts.write(con, ctx if ctx is not None and ctx.as_of is not None else None)


def build_rules(ctx: RunContext | Policy) -> list[Rule]:
    """Every family's rules for *ctx* (a bare policy: a context without an audit date)."""
    if isinstance(ctx, Policy):
        ctx = RunContext(ctx)
    policy = ctx.policy
    rules = [replace(r, category=fam.category_of(r.rule_id))
             for fam in families() for r in fam.build(ctx)]
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


def audited_ids(rules: Sequence[Rule]) -> dict[str, str]:
    """id -> statement section ("" for none) of every rule in *rules* and every check a
    rule reports in its field (:attr:`Rule.checks`): what a policy's coverage may name."""
    out: dict[str, str] = {}
    for r in rules:
        out[r.rule_id] = r.section
        out.update(r.checks)
    return out


def check_coverage(policy: Policy, rules: Sequence[Rule]) -> None:
    """The policy's ``coverage`` (if any) against the *rules* built from it: an entry
    naming an id no rule or check has, or a rule or check of a statement section that no
    entry names, is a :class:`PolicyError` naming the key."""
    from audit_kit.policy import AT_LOAD

    if policy.coverage is None:
        return
    known = audited_ids(rules)
    named: set[str] = set()
    for i, entry in enumerate(policy.coverage):
        for j, rid in enumerate(entry.audited_by):
            if rid != AT_LOAD and rid not in known:
                raise PolicyError(
                    f"no rule or statement check {rid!r}; the ids this policy builds: "
                    f"{', '.join(k for k, sec in known.items() if sec)} (or {AT_LOAD})",
                    file=policy.path or None, place=f"key coverage[{i}].audited_by[{j}]")
            named.add(rid)
    left = [f"{rid} (§{sec})" for rid, sec in known.items() if sec and rid not in named]
    if left:
        raise PolicyError(
            f"no entry names {', '.join(left)}; add each to the audited_by of its "
            "statement section", file=policy.path or None, place="key coverage")
