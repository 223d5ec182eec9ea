"""Transfers (statement §10): personal data stored outside the EU/EEA, judged as of
the audit date against what the policy has on record (READING.md §10).

For each system of the policy's inventory that holds personal data, the packaged
reference data gives its basis on the audit date (:meth:`audit_kit.reference.Reference.
transfer_basis`): in the EU/EEA; an adequacy decision in force (from its date: Brazil
from 26.1.2026); a valid mechanism on record (the DPF from 10.7.2023 for a recipient
whose certification check is recorded, SCCs 2021/914); or none. The verdicts are the
run's facts, ``transfer_checks``, and two rules read them:

* **T-mechanism**: one error per system without a valid mechanism on record whose data
  the audit read, saying what to record (the audit sees the record, not the provider's
  own terms: it never calls a transfer unlawful);
* **T-system**: each record in such a system, a warning (the evidence: who is
  affected); once a valid mechanism is on record, info.
"""

from __future__ import annotations

import datetime as dt

from audit_kit.context import RunContext
from audit_kit.policy import Policy
from audit_kit.reference import Basis, reference
from audit_kit.rules import Facts, Rule, RuleFamily, RuleTexts

CATEGORY = "transfer"
#: transfers to third countries (READING.md "Findings and actions")
TRANSFER_PROVISION = "GDPR 44-46"
#: what to record when no valid mechanism is on record
WHAT_TO_RECORD = (
    "record the mechanism relied on in the policy: the recipient's DPF certification, "
    "checked on the DPF List (mechanism: dpf, dpf_checked_on: the date checked), or SCCs "
    "2021/914 (mechanism: sccs_2021)"
)
WHAT_TO_RECORD_FI = (
    "kirjaa politiikkaan siirtoperuste, johon nojataan: vastaanottajan sertifiointi EU:n ja "
    "Yhdysvaltojen tietosuojakehykseen, tarkistettu kehyksen julkisesta luettelosta "
    "(mechanism: dpf, dpf_checked_on: tarkistuspäivä), tai vakiosopimuslausekkeet 2021/914 "
    "(mechanism: sccs_2021)"
)


def verdicts(policy: Policy, on: dt.date) -> list[tuple[str, Basis]]:
    """(system, its basis on *on*) for each system holding personal data, by name."""
    return [
        (name, reference().transfer_basis(sys.country, sys.mechanism, on,
                                          dpf_checked_on=sys.dpf_checked_on))
        for name, sys in sorted(policy.systems.items()) if sys.personal_data
    ]


def invalid_systems(policy: Policy, on: dt.date) -> dict[str, str]:
    """system name -> why it has no valid transfer basis on record on *on*."""
    return {name: f"{policy.systems[name].provider} ({policy.systems[name].country}): "
                  f"{b.reason}"
            for name, b in verdicts(policy, on) if not b.valid}


def _checks(ctx: RunContext) -> list[tuple[str, str, str, str, str, str]]:
    """Per system: (system, status, detail, mechanism_detail, detail_fi,
    mechanism_detail_fi)."""
    policy = ctx.policy
    rows = []
    for name, b in verdicts(policy, ctx.audit_date()):
        sys = policy.systems[name]
        where = f"stored by {sys.provider} ({sys.country}, §{sys.section})"
        where_fi = f"tiedot säilyttää {sys.provider} ({sys.country}, seloste §{sys.section})"
        if b.status == "missing":
            none_fi = f"pätevää siirtoperustetta ei ole kirjattu ({b.reason_fi})"
            rows.append((name, b.status,
                         f"{where}: no valid transfer mechanism on record ({b.reason})",
                         f"{sys.provider} ({sys.country}, §{sys.section}): no valid transfer "
                         f"mechanism on record ({b.reason}); {WHAT_TO_RECORD}",
                         f"{where_fi}: {none_fi}",
                         f"{sys.provider} ({sys.country}, seloste §{sys.section}): {none_fi}; "
                         f"{WHAT_TO_RECORD_FI}"))
        else:
            rows.append((name, b.status, f"{where}: {b.reason}", b.reason,
                         f"{where_fi}: {b.reason_fi}", b.reason_fi))
    return rows


TRANSFER_CHECKS = Facts(
    "transfer_checks",
    (("system", "VARCHAR"), ("status", "VARCHAR"), ("detail", "VARCHAR"),
     ("mechanism_detail", "VARCHAR"), ("detail_fi", "VARCHAR"),
     ("mechanism_detail_fi", "VARCHAR")),
    _checks,
)


def build(ctx: RunContext) -> list[Rule]:
    per_system = (
        "SELECT t.system AS source, 'policy' AS source_kind, '' AS source_file, "
        "'systems.' || t.system AS record_ref, NULL AS rec_id, NULL AS email, NULL AS phone, "
        "'' AS field, t.mechanism_detail AS detail, 'error' AS severity, "
        "t.mechanism_detail_fi AS detail_fi "
        "FROM (SELECT * FROM {batch}) t WHERE t.status = 'missing' "
        # with its evidence: a system of the inventory whose data this audit did not
        # read is the statement checks' matter (S-no-transfers-claim, S-backup-transfer)
        "AND t.system IN (SELECT system FROM records)"
    )
    per_record = (
        "SELECT b.source, b.source_kind, b.file AS source_file, b.record_ref, b.rec_id, "
        "b.email, b.phone, '' AS field, t.detail, "
        "CASE t.status WHEN 'missing' THEN 'warning' ELSE 'info' END AS severity, "
        "t.detail_fi "
        "FROM (SELECT * FROM {batch}) b JOIN transfer_checks t ON t.system = b.system "
        "WHERE t.status IN ('missing', 'recorded')"
    )
    return [
        Rule("T-mechanism", CATEGORY, "10", "transfer_checks", per_system,
             "Systems outside the EU/EEA with no valid transfer mechanism on record",
             severities=("error",), provision=TRANSFER_PROVISION),
        Rule("T-system", CATEGORY, "10", "records", per_record,
             "People whose data is stored outside the EU/EEA (warning: no valid mechanism "
             "on record; info: a valid one on record)",
             severities=("info", "warning"), provision=TRANSFER_PROVISION),
    ]


#: what each rule checks and the owners' action, fi/en (see :data:`audit_kit.rules.RuleTexts`)
TEXTS: dict[str, RuleTexts] = {
    "T-mechanism": {
        "checks": {
            "fi": "Järjestelmä säilyttää henkilötietoja EU/ETA-alueen ulkopuolella, eikä "
                  "pätevää siirtoperustetta ole kirjattu.",
            "en": "Systems keeping personal data outside the EU/EEA with no valid transfer "
                  "mechanism on record.",
        },
        "action": {
            "fi": "Kirjaa näiden {n} järjestelmän siirtoperuste politiikkaan (audits/policy.yaml): "
                  "vastaanottajan sertifiointi EU:n ja Yhdysvaltojen tietosuojakehykseen "
                  "(tarkistettu kehyksen julkisesta luettelosta, tarkistuspäivä merkittynä) "
                  "tai komission vakiosopimuslausekkeet 2021/914. Tekijä: selosteen §2 "
                  "vastuuhenkilö, seuraavaan tarkastukseen mennessä.",
            "en": "Record the transfer mechanism of these {n} systems in the policy: the "
                  "recipient's EU-US Data Privacy Framework certification (checked on the "
                  "DPF List, with the date checked) or the Commission's SCCs 2021/914. By: "
                  "the person responsible (statement §2), before the next audit.",
        },
        "action_1": {
            "fi": "Kirjaa järjestelmän {source} siirtoperuste politiikkaan (audits/policy.yaml): "
                  "vastaanottajan sertifiointi EU:n ja Yhdysvaltojen tietosuojakehykseen "
                  "(tarkistettu kehyksen julkisesta luettelosta, tarkistuspäivä merkittynä) "
                  "tai komission vakiosopimuslausekkeet 2021/914. Tekijä: selosteen §2 "
                  "vastuuhenkilö, seuraavaan tarkastukseen mennessä.",
            "en": "Record the transfer mechanism of system {source} in the policy: the "
                  "recipient's EU-US Data Privacy Framework certification (checked on the "
                  "DPF List, with the date checked) or the Commission's SCCs 2021/914. By: "
                  "the person responsible (statement §2), before the next audit.",
        },
    },
    "T-system": {
        "checks": {
            "fi": "Henkilön tiedot ovat järjestelmässä EU/ETA-alueen ulkopuolella: varoitus, "
                  "jos pätevää siirtoperustetta ei ole kirjattu; tiedoksi, kun se on kirjattu.",
            "en": "People whose data is kept outside the EU/EEA: a warning while no valid "
                  "mechanism is on record, info once one is.",
        },
        "action": {
            "fi": "Näiden {n} henkilön tiedot ovat EU/ETA-alueen ulkopuolella ({source}): "
                  "varmista, että järjestelmän siirtoperuste on kirjattu (ks. T-mechanism).",
            "en": "The data of these {n} people is kept outside the EU/EEA ({source}): make "
                  "sure the system's transfer mechanism is on record (see T-mechanism).",
        },
        "action_1": {
            "fi": "Tämän henkilön tiedot ovat EU/ETA-alueen ulkopuolella ({source}): "
                  "varmista, että järjestelmän siirtoperuste on kirjattu (ks. T-mechanism).",
            "en": "This person's data is kept outside the EU/EEA ({source}): make sure the "
                  "system's transfer mechanism is on record (see T-mechanism).",
        },
    },
}

FAMILY = RuleFamily("transfers", CATEGORY, build, TEXTS, (TRANSFER_CHECKS,))
