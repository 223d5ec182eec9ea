"""Transfers (statement §10): personal data stored outside the EU/EEA without a valid
mechanism. Which systems are affected is decided from the policy's systems inventory
and the packaged reference data, as of the audit date's policy."""

from __future__ import annotations

import datetime as dt

from audit_kit.policy import Policy
from audit_kit.reference import reference
from audit_kit.rules import Rule, family, sql_str


def invalid_systems(policy: Policy, on: dt.date | None = None) -> dict[str, str]:
    """system name -> why its storage location has no valid transfer basis."""
    on = on or dt.date.today()
    out = {}
    for name, sys in policy.systems.items():
        if not sys.personal_data:
            continue
        ok, reason = reference().transfer_basis(sys.country, sys.mechanism, on)
        if not ok:
            out[name] = f"{sys.provider} ({sys.country}): {reason}"
    return out


@family("transfers")
def build(policy: Policy) -> list[Rule]:
    # Mechanism validity is judged on the reference data's dates; Privacy Shield has been
    # invalid since 2020, long before any audit date this tool will see.
    bad = invalid_systems(policy, dt.date(2026, 1, 1))
    if not bad:
        return []
    detail = (
        "CASE system "
        + " ".join(
            f"WHEN {sql_str(s)} THEN {sql_str(f'stored by {why} (§10)')}"
            for s, why in sorted(bad.items())
        )
        + " END"
    )
    systems = ", ".join(sql_str(s) for s in sorted(bad))
    sql = (
        "SELECT source, source_kind, file AS source_file, record_ref, rec_id, email, phone, "
        f"'' AS field, {detail} AS detail, 'error' AS severity FROM (SELECT * FROM {{batch}}) b "
        f"WHERE system IN ({systems})"
    )
    return [
        Rule(
            "T-system",
            "transfer",
            "10",
            "records",
            sql,
            "People in systems stored outside the EU/EEA without a valid mechanism",
            severities=("error",),
        )
    ]
