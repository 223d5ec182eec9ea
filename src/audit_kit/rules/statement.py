"""Statement findings: the privacy statement's own gaps, once per run (READING.md).

The facts come from the policy's ``statement`` claims and systems inventory as of the
audit date, written for each run into the one-row-per-check table ``statement_checks``
(:data:`STATEMENT_CHECKS`); the rule selects the checks that fail.
"""

from __future__ import annotations

from audit_kit.context import RunContext
from audit_kit.reference import reference
from audit_kit.rules import Facts, Rule, RuleFamily, RuleTexts
from audit_kit.rules.transfers import invalid_systems

CATEGORY = "statement"
#: the information a privacy statement must give (GDPR Art. 13; Art. 14 for data not
#: obtained from the person)
INFORMATION = "GDPR 13"
#: the transfers and their safeguards the statement must name
TRANSFER_INFORMATION = "GDPR 13(1)(f)"
#: statement check -> the provision it cites
PROVISIONS = {
    "S-privacy-shield": TRANSFER_INFORMATION,
    "S-no-transfers-claim": TRANSFER_INFORMATION,
    "S-backup-transfer": TRANSFER_INFORMATION,
    "S-legal-basis": "GDPR 13(1)(c)",
    "S-weblog-retention": "GDPR 13(2)(a)",
    "S-portability": "GDPR 13(2)(b)",
    "S-restriction": "GDPR 13(2)(b)",
}


def build(ctx: RunContext) -> list[Rule]:
    sql = (
        "SELECT 'statement' AS source, 'statement' AS source_kind, "
        "'tietosuojaseloste' AS source_file, '§' || section AS record_ref, NULL AS rec_id, "
        "NULL AS email, NULL AS phone, check_id AS field, "
        "detail, severity FROM (SELECT * FROM {batch}) b WHERE failed"
    )
    return [
        Rule(
            "S-statement",
            CATEGORY,
            "",
            "statement_checks",
            sql,
            "Gaps and contradictions in the privacy statement itself",
            # the checks' severities (statement_checks), whatever the audit date
            severities=tuple(sorted({"error", "warning", *(
                u.severity for u in ctx.policy.statement.unmentioned_transfers)})),
            provision=INFORMATION,
            field_provisions={
                **PROVISIONS,
                **{u.check: TRANSFER_INFORMATION
                   for u in ctx.policy.statement.unmentioned_transfers},
            },
        )
    ]


def statement_checks(ctx: RunContext) -> list[tuple[str, str, bool, str, str]]:
    """(check_id, section, failed, severity, detail) for each statement check, as of the
    context's audit date."""
    policy, on = ctx.policy, ctx.audit_date()
    st = policy.statement
    outside = {
        n: s for n, s in policy.systems.items() if s.personal_data and not reference().in_eea(s.country)
    }
    bad = invalid_systems(policy, on)
    shield_from = reference().mechanisms["privacy_shield"]["invalid_from"]
    backups = [n for n in bad if policy.systems[n].backup]
    return [
        (
            "S-privacy-shield",
            "10",
            st.mechanism_named == "privacy_shield" and on >= shield_from,
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
        *(
            (u.check, u.section, u.system in outside, u.severity,
             f"{u.what}; the statement does not mention this transfer")
            for u in st.unmentioned_transfers
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


STATEMENT_CHECKS = Facts(
    "statement_checks",
    (("check_id", "VARCHAR"), ("section", "VARCHAR"), ("failed", "BOOLEAN"),
     ("severity", "VARCHAR"), ("detail", "VARCHAR")),
    statement_checks,
)


#: what each rule checks and the owners' action, fi/en (see :data:`audit_kit.rules.RuleTexts`)
TEXTS: dict[str, RuleTexts] = {
    "S-statement": {
        "checks": {
            "fi": "Selosteen omat puutteet ja ristiriidat.",
            "en": "Gaps and contradictions in the statement itself.",
        },
        "action": {
            "fi": "Päivitä tietosuojaseloste: {n} kohtaa (ks. alla).",
            "en": "Update the privacy statement: {n} points (see below).",
        },
    },
}

FAMILY = RuleFamily("statement", CATEGORY, build, TEXTS, (STATEMENT_CHECKS,))

#: each statement check (an S-statement finding's field) in plain words, fi/en
CHECK_TEXTS: dict[str, dict[str, str]] = {
    "S-privacy-shield": {
        "fi": "Seloste vetoaa Privacy Shieldiin, joka on ollut pätemätön 16.7.2020 alkaen. Nimeä pätevä siirtoperuste.",
        "en": "The statement relies on Privacy Shield, invalid since 16 July 2020. Name a valid mechanism.",
    },
    "S-no-transfers-claim": {
        "fi": "Seloste sanoo, ettei tietoja siirretä EU:n ulkopuolelle, mutta Googlen varmuuskopio ja Wordfence ovat Yhdysvalloissa.",
        "en": "The statement says no data leaves the EU, but the Google backup and Wordfence are in the US.",
    },
    "S-backup-transfer": {
        "fi": "Varmuuskopiot voivat siirtyä EU:n ulkopuolelle ilman nimettyä perustetta.",
        "en": "Backups may leave the EU/EEA without a named mechanism.",
    },
    "S-wordfence": {
        "fi": "Wordfence-lisäosa voi lähettää kävijöiden IP-osoitteita Yhdysvaltoihin; seloste ei kerro siitä.",
        "en": "The Wordfence plugin may send visitors' IP addresses to the US; the statement does not say so.",
    },
    "S-legal-basis": {
        "fi": "Käsittelyn oikeusperustetta ei ole nimetty yhdellekään tarkoitukselle (13 art. 1 c).",
        "en": "No legal basis is named for any purpose (Art. 13(1)(c)).",
    },
    "S-weblog-retention": {
        "fi": "Verkkosivun lokien (IP-osoitteet) säilytysaikaa ei kerrota.",
        "en": "No retention period is stated for web logs (IP addresses).",
    },
    "S-portability": {
        "fi": "Oikeutta siirtää tiedot järjestelmästä toiseen (20 art.) ei mainita.",
        "en": "The right to data portability (Art. 20) is not listed.",
    },
    "S-restriction": {
        "fi": "Oikeutta rajoittaa käsittelyä (18 art.) ei mainita.",
        "en": "The right to restriction of processing (Art. 18) is not listed.",
    },
}
