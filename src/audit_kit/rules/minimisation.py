"""Minimisation (statement §5): values in fields the statement does not allow, and the
columns a loader could not classify (one warning per source and column).

A not-allowed value in an accounting voucher inside its statutory window (an invoice the
Accounting Act keeps, :mod:`audit_kit.clock`) is ``M-voucher``, not ``M-field``: the
voucher must stay unchanged, so the action is to keep it, restrict access to it and stop
writing such values on new invoices, never to delete the value.
"""

from __future__ import annotations

from audit_kit.clock import voucher_kept_until_sql
from audit_kit.context import RunContext
from audit_kit.rules import AS_OF, Rule, RuleFamily, RuleTexts, day, sql_str

CATEGORY = "minimisation"
#: what a value the statement does not list breaks (READING.md "Findings and actions")
DATA_MINIMISATION = "GDPR 5(1)(c)"
#: a personal identity code: minimisation and the Data Protection Act's own HETU rule
HETU_PROVISION = "GDPR 5(1)(c); Tietosuojalaki 29 §"


def _voucher_law(policy) -> str:
    """The statutory retention of vouchers the policy names (its ``statutory`` rules'
    laws, e.g. "Kirjanpitolaki 1336/1997 2:10"): why a voucher is kept unchanged."""
    return "; ".join(sorted({s.law for s in policy.statutory}))


def build(ctx: RunContext) -> list[Rule]:
    policy = ctx.policy
    # READING §5: a column the loader cannot classify is one warning per source and
    # column with the number of rows holding a value in it, not a finding on every row
    unclassified = Rule(
        "M-unclassified",
        CATEGORY,
        policy.fields.section,
        "fields",
        "SELECT source, any_value(source_kind) AS source_kind, '' AS source_file, "
        "'' AS record_ref, NULL AS rec_id, NULL AS email, NULL AS phone, "
        "'unclassified' AS field, 'unclassified column ''' || label || ''', values in ' "
        "|| count(DISTINCT (file, record_ref)) || ' row' || CASE WHEN count(DISTINCT "
        "(file, record_ref)) = 1 THEN '' ELSE 's' END || ': classify it in the config "
        "(columns:)' AS detail, 'warning' AS severity, "
        "'luokittelematon sarake ''' || label || ''', ' || CASE WHEN count(DISTINCT "
        "(file, record_ref)) = 1 THEN 'arvo 1 rivillä' ELSE 'arvoja ' || count(DISTINCT "
        "(file, record_ref)) || ' rivillä' END || ': luokittele se asetuksissa (columns:)' "
        "AS detail_fi "
        "FROM (SELECT * FROM {batch}) b WHERE field = 'unclassified' GROUP BY source, label",
        "Columns the loader could not classify, one per source and column",
        severities=("warning",),
        provision=DATA_MINIMISATION,
    )
    na = policy.fields.not_allowed
    if not na:
        return [unclassified]
    classes = ", ".join(sql_str(c) for c in sorted(na))
    severity = (
        "CASE f.field "
        + " ".join(f"WHEN {sql_str(c)} THEN {sql_str(s)}" for c, s in sorted(na.items()))
        + " END"
    )
    # a record of a statutory role (an invoice) still inside the voucher window
    kept = voucher_kept_until_sql("x.last_activity", policy.accounting)
    statutory = ", ".join(sql_str(s.role) for s in policy.statutory) or "NULL"
    voucher = f"CASE WHEN x.role IN ({statutory}) AND {kept} >= {AS_OF} THEN {kept} END"
    law = _voucher_law(policy)  # why a voucher is kept unchanged: M-voucher cites it

    def field_sql(in_voucher: bool) -> str:
        return _field_sql(classes, severity, policy.fields.section, voucher, in_voucher)

    return [
        Rule(
            "M-field",
            CATEGORY,
            policy.fields.section,
            "fields",
            field_sql(False),
            "Values in fields the statement does not allow",
            severities=tuple(sorted(set(na.values()))),
            provision=DATA_MINIMISATION,
            field_provisions={"hetu": HETU_PROVISION},
        ),
        Rule(
            "M-voucher",
            CATEGORY,
            policy.fields.section,
            "fields",
            field_sql(True),
            "Values the statement does not allow in vouchers the Accounting Act keeps",
            severities=tuple(sorted(set(na.values()))),
            # kept unchanged under the Accounting Act (2:10): why it is not deleted
            provision=f"{DATA_MINIMISATION}; {law}",
            field_provisions={"hetu": f"{HETU_PROVISION}; {law}"},
        ),
        unclassified,
    ]


#: the labels audit-kit itself gives a value's place (a possible identity code in a mail
#: body: :mod:`audit_kit.loaders._mail`), in Finnish
OWN_LABELS_FI = {"message body": "viestin runko"}


def _field_sql(classes: str, severity: str, section: str, voucher: str, in_voucher: bool) -> str:
    """M-field's rows (*in_voucher* false) or M-voucher's: the not-allowed values of the
    records outside, or inside, a voucher's statutory window (*voucher*: the SQL of the
    record's kept-until date, NULL outside a window)."""
    # The shape keeps the work proportional to the few not-allowed values, not to the
    # warehouse: the field rows first and only their records after (MATERIALIZED fences),
    # the classes as a semi join, the e-mail and phone fetched by rec_id, the labels made
    # distinct before the join and sorted as a list. Any rewrite must give the same rows;
    # the plans it avoids: benchmarks/NOTES.md, "rules/minimisation.py".
    until = ("|| '; voucher kept unchanged until ' || strftime(max(r.kept), '%Y-%m-%d') "
             "|| ' (KPL 2:10)' " if in_voucher else "")
    until_fi = (f"|| '; tosite säilytetään muuttamattomana ' || {day('max(r.kept)', 'fi')} "
                "|| ' asti (KPL 2:10)' " if in_voucher else "")
    labels = "list_aggr(list_sort(list(f.label)), 'string_agg', ', ') "
    # a label audit-kit gives (not a column of the user's file) in Finnish
    label_fi = ("CASE f.label " + " ".join(f"WHEN {sql_str(en)} THEN {sql_str(fi)}"
                                           for en, fi in OWN_LABELS_FI.items())
                + " ELSE f.label END")
    labels_fi = f"list_aggr(list_sort(list({label_fi})), 'string_agg', ', ') "
    return (
        f"WITH f AS MATERIALIZED (SELECT * FROM (SELECT * FROM {{batch}}) b "
        f"WHERE field IN (SELECT unnest([{classes}]))), "
        "k AS MATERIALIZED (SELECT source, record_ref, rec_id FROM records "
        "WHERE (source, record_ref) IN (SELECT source, record_ref FROM f)), "
        f"r AS MATERIALIZED (SELECT k.source, k.record_ref, k.rec_id, x.email, x.phone, "
        f"{voucher} AS kept "
        "FROM k JOIN records x ON x.rec_id = k.rec_id) "
        "SELECT f.source, any_value(f.source_kind) AS source_kind, f.file AS source_file, f.record_ref, "
        "min(r.rec_id) AS rec_id, any_value(r.email) AS email, any_value(r.phone) AS phone, f.field, "
        f"{sql_str(f'not allowed by §{section}: ')} || {labels}"
        f"{until}AS detail, any_value({severity}) AS severity, "
        f"{sql_str(f'tieto, jota seloste (§{section}) ei luettele: ')} || {labels_fi}"
        f"{until_fi}AS detail_fi "
        "FROM (SELECT DISTINCT source, source_kind, file, record_ref, field, label FROM f) f "
        "LEFT JOIN r ON r.source = f.source AND r.record_ref = f.record_ref "
        "GROUP BY f.source, f.file, f.record_ref, f.field "
        f"HAVING max(r.kept) IS {'NOT ' if in_voucher else ''}NULL"
    )


#: what each rule checks and the owners' action, fi/en (see :data:`audit_kit.rules.RuleTexts`)
TEXTS: dict[str, RuleTexts] = {
    "M-field": {
        "checks": {
            "fi": "Tieto, jota seloste (§5) ei luettele kerättäviin tietoihin: kotiosoite, kotipuhelin, syntymäaika, mahdollinen henkilötunnus, valokuva (virhe); ammattinimike (varoitus).",
            "en": "Data the statement (§5) does not allow: home address, home phone, birthday, identity code, photo (error); job title (warning).",
        },
        "action": {
            "fi": "Poista nämä {n} tietoa, joita seloste ei luettele, {place}: {what}.",
            "en": "Delete these {n} values the statement does not allow {place}: {what}.",
        },
        "action_1": {
            "fi": "Poista tämä tieto, jota seloste ei luettele, {place}: {what}.",
            "en": "Delete this value the statement does not allow {place}: {what}.",
        },
    },
    "M-voucher": {
        "checks": {
            "fi": "Tieto, jota seloste (§5) ei salli, on kirjanpitolain mukaan säilytettävässä tositteessa (laskussa); "
                  "tositetta ei saa muuttaa säilytysaikana (kirjanpitolaki 2 luku 10 §).",
            "en": "Data the statement (§5) does not allow is in an accounting voucher (an invoice) the Accounting Act "
                  "keeps; the voucher must not be altered during its retention (KPL 2:10).",
        },
        "action": {
            "fi": "Säilytä nämä {n} tositetta muuttamattomina {until} asti, rajaa pääsy niihin äläkä kirjoita tällaisia tietoja ({what}) uusiin laskuihin.",
            "en": "Keep these {n} vouchers unchanged until {until}, restrict access to them and stop writing such data ({what}) on new invoices.",
        },
        "action_1": {
            "fi": "Säilytä tämä tosite muuttamattomana {until} asti, rajaa pääsy siihen äläkä kirjoita tällaisia tietoja ({what}) uusiin laskuihin.",
            "en": "Keep this voucher unchanged until {until}, restrict access to it and stop writing such data ({what}) on new invoices.",
        },
    },
    "M-unclassified": {
        "checks": {
            "fi": "Sarake, jota työkalu ei tunnistanut: sen tiedot eivät ole minkään säännön piirissä.",
            "en": "Columns the tool could not classify: their data is outside every rule.",
        },
        "action": {
            "fi": "Luokittele nämä {n} saraketta lähteen {source} asetuksissa kohdassa columns: (tietoluokka, tai ignore, jos sarake ei sisällä henkilötietoa).",
            "en": "Classify these {n} columns with the columns: setting of {source} (a field class or ignore).",
        },
        "action_1": {
            "fi": "Luokittele tämä sarake lähteen {source} asetuksissa kohdassa columns: (tietoluokka, tai ignore, jos sarake ei sisällä henkilötietoa).",
            "en": "Classify this column with the columns: setting of {source} (a field class or ignore).",
        },
    },
}

FAMILY = RuleFamily("minimisation", CATEGORY, build, TEXTS)
