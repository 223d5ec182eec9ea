"""What the audit covers, section by section of the statement.

The sections, their titles and what is left to check by hand are the policy's
(``coverage``: the statement encoded); the run keeps them in ``report_params.json``
(:func:`entries`, saved by :func:`audit_kit.report.save_report_params`) and the report
renders them (:func:`sections`). What must stay true: a section's "audited by" list holds
only ids of rules and statement checks the run built (:func:`audit_kit.rules.audited_ids`;
the policy refuses an unknown id and a rule of a section no entry names when it loads,
:func:`audit_kit.rules.check_coverage`), and its status is computed, never claimed:
``checked`` when something audits it and nothing is left by hand, ``partly`` when the rest
is by hand, ``manual`` (not checkable from the data) when nothing audits it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from audit_kit.report.i18n import t


@dataclass(frozen=True)
class Section:
    #: the statement's section as the policy numbers it ("6")
    section: str
    title: dict[str, str]
    #: ids of the rules and statement checks that audit it (``policy``: the policy's load)
    audited_by: tuple[str, ...]
    #: what is left to check by hand, fi/en (None: nothing)
    by_hand: dict[str, str] | None = None

    @property
    def label(self) -> str:
        return f"§{self.section}"

    @property
    def status(self) -> str:
        if not self.audited_by:
            return "manual"
        return "partly" if self.by_hand else "checked"

    def how(self, lang: str) -> str:
        from audit_kit.policy import AT_LOAD

        parts = []
        if self.audited_by:
            ids = [t("cov_at_load", lang) if i == AT_LOAD else i for i in self.audited_by]
            parts.append(t("cov_by", lang, ids=", ".join(ids)))
        if self.by_hand:
            parts.append(t("cov_by_hand", lang, text=self.by_hand[lang]))
        return " ".join(parts)


def entries(policy, rules: Sequence | None = None) -> list[dict] | None:
    """The policy's coverage as the run keeps it for the report (JSON-ready), each
    entry's ``audited_by`` limited to the ids the *rules* built from *policy* have
    (default: :func:`audit_kit.rules.build_rules`); None when the policy maps no
    sections."""
    from audit_kit.policy import AT_LOAD
    from audit_kit.rules import audited_ids, build_rules

    if policy.coverage is None:
        return None
    built = audited_ids(build_rules(policy) if rules is None else rules)
    return [
        {
            "section": e.section,
            "title": {"fi": e.title.fi, "en": e.title.en},
            "audited_by": [i for i in e.audited_by if i == AT_LOAD or i in built],
            "by_hand": {"fi": e.by_hand.fi, "en": e.by_hand.en} if e.by_hand else None,
        }
        for e in policy.coverage
    ]


def sections(params: dict) -> list[Section] | None:
    """The sections of a run's ``report_params.json`` (*params*); None when its policy
    maps none (or the run kept none)."""
    kept = (params.get("policy") or {}).get("coverage")
    if not kept:
        return None
    return [
        Section(str(e["section"]), dict(e["title"]), tuple(e.get("audited_by") or ()),
                dict(e["by_hand"]) if e.get("by_hand") else None)
        for e in kept
    ]


def _section_key(s: str) -> tuple:
    return (0, int(s), s) if s.isdigit() else (1, 0, s)


@dataclass(frozen=True)
class Cited:
    """The statement sections each category's and each rule's findings audit, from the
    rules the run built (a rule's ``section``; S-statement: its checks' sections). The
    report cites them on the verdict cards, actions and rules; none is a literal of the
    library."""

    #: category -> sections, in the statement's order
    categories: dict[str, list[str]]
    #: rule id -> sections
    rules: dict[str, list[str]]

    @classmethod
    def from_rules(cls, rules: Sequence) -> Cited:
        by_rule: dict[str, set[str]] = {}
        by_cat: dict[str, set[str]] = {}
        for r in rules:
            secs = {r.section, *r.checks.values()} - {""}
            by_rule.setdefault(r.rule_id, set()).update(secs)
            by_cat.setdefault(r.category, set()).update(secs)
        return cls({c: sorted(s, key=_section_key) for c, s in by_cat.items()},
                   {r: sorted(s, key=_section_key) for r, s in by_rule.items()})

    @classmethod
    def from_params(cls, params: dict) -> Cited:
        kept = (params.get("policy") or {}).get("sections") or {}
        return cls(dict(kept.get("categories") or {}), dict(kept.get("rules") or {}))

    def as_params(self) -> dict:
        return {"categories": self.categories, "rules": self.rules}

    def category(self, cat: str) -> str:
        """``§5, §12`` (``—`` for none: integrity, or a run that kept none)."""
        return ", ".join(f"§{s}" for s in self.categories.get(cat, ())) or "—"

    def rule(self, rule_id: str) -> str:
        return ", ".join(f"§{s}" for s in self.rules.get(rule_id, ()))
