"""Integrity: every input record loaded or rejected with a reason (nothing lost), no
source silently empty (a wrong path or kind reads nothing and would pass every rule), and
the dates a loader could not read."""

from __future__ import annotations

from audit_kit.context import RunContext
from audit_kit.rules import Rule, RuleFamily, RuleTexts, ref_fi

CATEGORY = "integrity"

_COLS = (
    "SELECT source, source_kind, '' AS source_file, '' AS record_ref, NULL AS rec_id, "
    "NULL AS email, NULL AS phone, '' AS field, "
)


def build(ctx: RunContext) -> list[Rule]:
    return [
        Rule(
            "I-reconcile",
            CATEGORY,
            "",
            "load_counts",
            _COLS
            + "records_read || ' read, ' || records_loaded || ' loaded, ' || records_rejected "
            "|| ' rejected: counts do not reconcile' AS detail, 'error' AS severity, "
            "'luettu ' || records_read || ', ladattu ' || records_loaded || ', hylätty ' "
            "|| records_rejected || ': määrät eivät täsmää' AS detail_fi "
            "FROM (SELECT * FROM {batch}) b WHERE records_read <> records_loaded + records_rejected "
            "OR records_rejected <> (SELECT count(*) FROM rejects j WHERE j.source = b.source)",
            "Records read = loaded + rejected, per source",
            severities=("error",),
        ),
        Rule(
            "I-rejected",
            CATEGORY,
            "",
            "load_counts",
            _COLS + "records_rejected || ' of ' || records_read || ' records rejected; see the "
            "rejects table for each reason' AS detail, 'warning' AS severity, "
            "records_read || ' rivistä ' || records_rejected || ' hylättiin; kunkin rivin syy on "
            "hylättyjen rivien taulukossa' AS detail_fi "
            "FROM (SELECT * FROM {batch}) b WHERE records_rejected > 0",
            "Sources with records that could not be loaded",
            severities=("warning",),
        ),
        # an unreadable date keeps its record (the person still meets every rule not
        # needing it); one finding per source and column says how many, with two examples
        # pseudonymised to their shape (digits 9, letters x: the format, not the value)
        Rule(
            "I-date",
            CATEGORY,
            "",
            "fields",
            "SELECT source, any_value(source_kind) AS source_kind, '' AS source_file, "
            "'' AS record_ref, NULL AS rec_id, NULL AS email, NULL AS phone, "
            "'unread_date' AS field, count(*) || ' value' || CASE WHEN count(*) = 1 THEN '' ELSE 's' END "
            "|| ' in date column ''' || label || ''' could not be read as a date (' "
            f"|| {_examples('record_ref')} "
            "|| '): the records are kept without it; write dates as d.m.yyyy or yyyy-mm-dd' "
            "AS detail, 'warning' AS severity, "
            "'päivämääräsarakkeen ''' || label || ''' ' || count(*) || ' arvoa ei voitu lukea "
            f"päivämääränä (' || {_examples(ref_fi('record_ref'))} || '): rivit säilyvät ilman "
            "päivämäärää; kirjoita päivämäärät muodossa p.k.vvvv tai vvvv-kk-pp' AS detail_fi "
            "FROM (SELECT * FROM {batch}) b WHERE field = 'unread_date' GROUP BY source, label",
            "Date cells that are not dates, per source and column",
            severities=("warning",),
        ),
        Rule(
            "I-empty",
            CATEGORY,
            "",
            "load_counts",
            _COLS + "'no records read: check the path and kind of the source' AS detail, "
            "'warning' AS severity, 'yhtään riviä ei luettu: tarkista lähteen polku ja laji' "
            "AS detail_fi FROM (SELECT * FROM {batch}) b WHERE records_read = 0",
            "Sources from which no record was read",
            severities=("warning",),
        ),
    ]


def _examples(ref: str) -> str:
    """SQL: the first two unreadable values of a group, each as ``<ref>: '<shape>'``
    (*ref*: the SQL of the record reference in the detail's language)."""
    return (
        f"list_aggr(list_slice(list({ref} || ': ''' || regexp_replace("
        "regexp_replace(value, '[0-9]', '9', 'g'), '\\pL', 'x', 'g') || '''' "
        "ORDER BY file, length(record_ref), record_ref), 1, 2), 'string_agg', ', ')"
    )


#: what each rule checks and the owners' action, fi/en (see :data:`audit_kit.rules.RuleTexts`)
TEXTS: dict[str, RuleTexts] = {
    "I-empty": {
        "checks": {
            "fi": "Lähteet, joista ei luettu yhtään riviä.",
            "en": "Sources from which no record was read.",
        },
        "action": {
            "fi": "Tarkista lähteen {source} polku ja laji asetuksissa.",
            "en": "Check the path and kind of {source} in the config.",
        },
    },
    "I-date": {
        "checks": {
            "fi": "Päivämääräsarakkeen arvoja, joita ei voitu lukea päivämääränä (rivi säilyy ilman päivämäärää).",
            "en": "Date-column values that could not be read as dates (the record is kept without the date).",
        },
        "action": {
            "fi": "Korjaa päivämäärät muotoon p.k.vvvv lähteessä {source} ({n} saraketta).",
            "en": "Correct the dates to d.m.yyyy in {source} ({n} columns).",
        },
        "action_1": {
            "fi": "Korjaa päivämäärät muotoon p.k.vvvv lähteessä {source}.",
            "en": "Correct the dates to d.m.yyyy in {source}.",
        },
    },
    "I-rejected": {
        "checks": {
            "fi": "Lähteen rivejä, joita ei voitu lukea.",
            "en": "Source records that could not be read.",
        },
        "action": {
            "fi": "Tarkista hylätyt rivit lähteessä {source} ja vie aineisto uudelleen.",
            "en": "Check the rejected records of {source} and export it again.",
        },
    },
    "I-reconcile": {
        "checks": {
            "fi": "Luetut = ladatut + hylätyt jokaisessa lähteessä.",
            "en": "Read = loaded + rejected in every source.",
        },
        "action": {
            "fi": "Ilmoita virheestä työkalun ylläpitäjälle (lähde {source}).",
            "en": "Report this to the tool's maintainers (source {source}).",
        },
    },
}

FAMILY = RuleFamily("integrity", CATEGORY, build, TEXTS)
