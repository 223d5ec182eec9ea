"""Transfers (statement §10): personal data stored outside the EU/EEA without a valid
mechanism.

Which systems are affected is decided as of the audit date, from the policy's systems
inventory and the packaged reference data (an adequacy decision or the DPF counts from
its date, Privacy Shield is invalid from 16.7.2020): the verdicts are the run's facts,
``transfer_checks`` (one row per system holding personal data), and the rule selects
the records of the systems without a valid basis.
"""

from __future__ import annotations

import datetime as dt

from audit_kit.context import RunContext
from audit_kit.policy import Policy
from audit_kit.reference import reference
from audit_kit.rules import Facts, Rule, RuleFamily, RuleTexts

CATEGORY = "transfer"
#: transfers to third countries (READING.md "Findings and actions")
TRANSFER_PROVISION = "GDPR 44-46"


def invalid_systems(policy: Policy, on: dt.date) -> dict[str, str]:
    """system name -> why its storage location has no valid transfer basis on *on*."""
    return {name: why for name, ok, why in _verdicts(policy, on) if not ok}


def _verdicts(policy: Policy, on: dt.date) -> list[tuple[str, bool, str]]:
    """(system, valid on *on*, where and why) for each system holding personal data."""
    out = []
    for name, sys in sorted(policy.systems.items()):
        if sys.personal_data:
            ok, reason = reference().transfer_basis(sys.country, sys.mechanism, on)
            out.append((name, ok, f"{sys.provider} ({sys.country}): {reason}"))
    return out


TRANSFER_CHECKS = Facts(
    "transfer_checks",
    (("system", "VARCHAR"), ("valid", "BOOLEAN"), ("detail", "VARCHAR")),
    lambda ctx: [(name, ok, f"stored by {why} (§10)")
                 for name, ok, why in _verdicts(ctx.policy, ctx.audit_date())],
)


def build(ctx: RunContext) -> list[Rule]:
    sql = (
        "SELECT b.source, b.source_kind, b.file AS source_file, b.record_ref, b.rec_id, "
        "b.email, b.phone, '' AS field, t.detail, 'error' AS severity "
        "FROM (SELECT * FROM {batch}) b JOIN transfer_checks t ON t.system = b.system "
        "WHERE NOT t.valid"
    )
    return [
        Rule(
            "T-system",
            CATEGORY,
            "10",
            "records",
            sql,
            "People in systems stored outside the EU/EEA without a valid mechanism",
            severities=("error",),
            provision=TRANSFER_PROVISION,
        )
    ]


#: what each rule checks and the owners' action, fi/en (see :data:`audit_kit.rules.RuleTexts`)
TEXTS: dict[str, RuleTexts] = {
    "T-system": {
        "checks": {
            "fi": "Henkilö on järjestelmässä, jota säilytetään EU/ETA-alueen ulkopuolella ilman pätevää siirtoperustetta.",
            "en": "People in systems stored outside the EU/EEA without a valid transfer mechanism.",
        },
        "action": {
            "fi": "Lopeta {n} henkilön tietojen säilytys EU/ETA-alueen ulkopuolella ({source}) tai sovi pätevä siirtoperuste.",
            "en": "Stop keeping the data of {n} people outside the EU/EEA ({source}) or put a valid mechanism in place.",
        },
        "action_1": {
            "fi": "Lopeta yhden henkilön tietojen säilytys EU/ETA-alueen ulkopuolella ({source}) tai sovi pätevä siirtoperuste.",
            "en": "Stop keeping one person's data outside the EU/EEA ({source}) or put a valid mechanism in place.",
        },
    },
}

FAMILY = RuleFamily("transfers", CATEGORY, build, TEXTS, (TRANSFER_CHECKS,))
