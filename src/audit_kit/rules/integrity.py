"""Integrity: every input record loaded or rejected with a reason (nothing lost), and the
dates a loader could not read."""

from __future__ import annotations

from audit_kit.policy import Policy
from audit_kit.rules import Rule, family

_COLS = (
    "SELECT source, source_kind, '' AS source_file, '' AS record_ref, NULL AS rec_id, "
    "NULL AS email, NULL AS phone, '' AS field, "
)


@family("integrity")
def build(policy: Policy) -> list[Rule]:
    return [
        Rule(
            "I-reconcile",
            "integrity",
            "",
            "load_counts",
            _COLS
            + "records_read || ' read, ' || records_loaded || ' loaded, ' || records_rejected "
            "|| ' rejected: counts do not reconcile' AS detail, 'error' AS severity "
            "FROM (SELECT * FROM {batch}) b WHERE records_read <> records_loaded + records_rejected "
            "OR records_rejected <> (SELECT count(*) FROM rejects j WHERE j.source = b.source)",
            "Records read = loaded + rejected, per source",
            severities=("error",),
        ),
        Rule(
            "I-rejected",
            "integrity",
            "",
            "load_counts",
            _COLS + "records_rejected || ' of ' || records_read || ' records rejected; see the "
            "rejects table for each reason' AS detail, 'warning' AS severity "
            "FROM (SELECT * FROM {batch}) b WHERE records_rejected > 0",
            "Sources with records that could not be loaded",
            severities=("warning",),
        ),
        # an unreadable date keeps its record (the person still meets every rule not
        # needing it); one finding per source and column says how many, with two examples
        # pseudonymised to their shape (digits 9, letters x: the format, not the value)
        Rule(
            "I-date",
            "integrity",
            "",
            "fields",
            "SELECT source, any_value(source_kind) AS source_kind, '' AS source_file, "
            "'' AS record_ref, NULL AS rec_id, NULL AS email, NULL AS phone, "
            "'unread_date' AS field, count(*) || ' value' || CASE WHEN count(*) = 1 THEN '' ELSE 's' END "
            "|| ' in date column ''' || label || ''' could not be read as a date (' "
            "|| list_aggr(list_slice(list(record_ref || ': ''' || regexp_replace("
            "regexp_replace(value, '[0-9]', '9', 'g'), '\\pL', 'x', 'g') || '''' "
            "ORDER BY file, length(record_ref), record_ref), 1, 2), 'string_agg', ', ') "
            "|| '): the records are kept without it; write dates as d.m.yyyy or yyyy-mm-dd' "
            "AS detail, 'warning' AS severity "
            "FROM (SELECT * FROM {batch}) b WHERE field = 'unread_date' GROUP BY source, label",
            "Date cells that are not dates, per source and column",
            severities=("warning",),
        ),
    ]
