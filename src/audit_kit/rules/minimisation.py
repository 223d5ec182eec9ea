"""Minimisation (statement §5): values in fields the statement does not allow, and the
columns a loader could not classify (one warning per source and column)."""

from __future__ import annotations

from audit_kit.context import RunContext
from audit_kit.rules import Rule, RuleFamily, RuleTexts, sql_str

CATEGORY = "minimisation"
#: what a value the statement does not list breaks (READING.md "Findings and actions")
DATA_MINIMISATION = "GDPR 5(1)(c)"
#: a personal identity code: minimisation and the Data Protection Act's own HETU rule
HETU_PROVISION = "GDPR 5(1)(c); Tietosuojalaki 29 §"


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
        "(columns:)' AS detail, 'warning' AS severity "
        "FROM (SELECT * FROM {batch}) b WHERE field = 'unclassified' GROUP BY source, label",
        "Columns the loader could not classify, one per source and column",
        severities=("warning",),
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
    # The shape keeps the work proportional to the few not-allowed values, not to the
    # warehouse: the field rows first and only their records after (MATERIALIZED fences),
    # the classes as a semi join, the e-mail and phone fetched by rec_id, the labels made
    # distinct before the join and sorted as a list. Any rewrite must give the same rows;
    # the plans it avoids: benchmarks/NOTES.md, "rules/minimisation.py".
    sql = (
        f"WITH f AS MATERIALIZED (SELECT * FROM (SELECT * FROM {{batch}}) b "
        f"WHERE field IN (SELECT unnest([{classes}]))), "
        "k AS MATERIALIZED (SELECT source, record_ref, rec_id FROM records "
        "WHERE (source, record_ref) IN (SELECT source, record_ref FROM f)), "
        "r AS MATERIALIZED (SELECT k.source, k.record_ref, k.rec_id, x.email, x.phone "
        "FROM k JOIN records x ON x.rec_id = k.rec_id) "
        "SELECT f.source, any_value(f.source_kind) AS source_kind, f.file AS source_file, f.record_ref, "
        "min(r.rec_id) AS rec_id, any_value(r.email) AS email, any_value(r.phone) AS phone, f.field, "
        f"{sql_str(f'not allowed by §{policy.fields.section}: ')} || "
        "list_aggr(list_sort(list(f.label)), 'string_agg', ', ') "
        f"AS detail, any_value({severity}) AS severity "
        "FROM (SELECT DISTINCT source, source_kind, file, record_ref, field, label FROM f) f "
        "LEFT JOIN r ON r.source = f.source AND r.record_ref = f.record_ref "
        "GROUP BY f.source, f.file, f.record_ref, f.field"
    )
    return [
        Rule(
            "M-field",
            CATEGORY,
            policy.fields.section,
            "fields",
            sql,
            "Values in fields the statement does not allow",
            severities=tuple(sorted(set(na.values()))),
            provision=DATA_MINIMISATION,
            field_provisions={"hetu": HETU_PROVISION},
        ),
        unclassified,
    ]


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
