"""Statement findings: the privacy statement's own gaps, once per run (READING.md).

The facts come from the policy's ``statement`` claims and systems inventory, written
by the pipeline into the one-row-per-check table ``statement_checks``; the rule
selects the checks that fail.
"""

from __future__ import annotations

from audit_kit.policy import Policy
from audit_kit.rules import Rule, family


@family("statement")
def build(policy: Policy) -> list[Rule]:
    sql = (
        "SELECT 'statement' AS source, 'statement' AS source_kind, "
        "'tietosuojaseloste' AS source_file, '§' || section AS record_ref, NULL AS rec_id, "
        "NULL AS email, NULL AS phone, check_id AS field, "
        "detail, severity FROM (SELECT * FROM {batch}) b WHERE failed"
    )
    return [
        Rule(
            "S-statement",
            "statement",
            "",
            "statement_checks",
            sql,
            "Gaps and contradictions in the privacy statement itself",
            severities=tuple(sorted({c[3] for c in statement_checks(policy)})),
        )
    ]


def statement_checks(policy: Policy) -> list[tuple[str, str, bool, str, str]]:
    """(check_id, section, failed, severity, detail) for each statement check."""
    import datetime as dt

    from audit_kit.rules.transfers import invalid_systems

    st = policy.statement
    outside = {
        n: s for n, s in policy.systems.items() if s.personal_data and not _in_eea(s.country)
    }
    bad = invalid_systems(policy, dt.date(2026, 1, 1))
    backups = [n for n in bad if "backup" in n]
    # Wordfence (Defiant Inc., US) is named by the provider, whatever the system is called
    wordfence = [n for n, s in outside.items() if "wordfence" in s.provider.lower()]
    return [
        (
            "S-privacy-shield",
            "10",
            st.mechanism_named == "privacy_shield",
            "error",
            "the statement relies on the EU-US Privacy Shield, invalid since 16 July 2020 "
            "(CJEU C-311/18 Schrems II); name a valid mechanism (DPF certification or SCCs 2021/914)",
        ),
        (
            "S-no-transfers-claim",
            "10",
            st.claims_no_transfers_outside_eu and bool(outside),
            "error",
            "the statement says no data leaves the EU, but systems are stored outside the EU/EEA: "
            + ", ".join(f"{n} ({s.provider}, {s.country})" for n, s in sorted(outside.items())),
        ),
        (
            "S-backup-transfer",
            "10",
            bool(backups),
            "error",
            "backups may move data outside the EU/EEA without a valid named mechanism: "
            + ", ".join(sorted(backups)),
        ),
        (
            "S-wordfence",
            "12",
            not st.mentions_wordfence_transfer and bool(wordfence),
            "warning",
            "the Wordfence plugin (Defiant Inc., US) can send visitors' IP addresses to the US; "
            "the statement does not mention this transfer",
        ),
        (
            "S-legal-basis",
            "4",
            not st.legal_basis_named,
            "error",
            "no legal basis is named for any purpose (GDPR Art. 13(1)(c))",
        ),
        (
            "S-weblog-retention",
            "12",
            not st.web_log_retention_stated,
            "warning",
            "web logs hold IP addresses but no retention period is stated (GDPR Art. 13(2)(a))",
        ),
        (
            "S-portability",
            "8",
            "portability" not in st.rights_listed,
            "warning",
            "the right to data portability (GDPR Art. 20) is not listed",
        ),
        (
            "S-restriction",
            "8",
            "restriction" not in st.rights_listed,
            "warning",
            "the right to restriction of processing (GDPR Art. 18) is not listed",
        ),
    ]


def _in_eea(country: str) -> bool:
    from audit_kit.reference import reference

    return reference().in_eea(country)
