"""Integrity: every input record loaded or rejected with a reason (nothing lost)."""

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
    ]
