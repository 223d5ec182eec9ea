"""Minimisation (statement §5): values in fields the statement does not allow."""

from __future__ import annotations

from audit_kit.policy import Policy
from audit_kit.rules import Rule, family, sql_str


@family("minimisation")
def build(policy: Policy) -> list[Rule]:
    na = policy.fields.not_allowed
    if not na:
        return []
    classes = ", ".join(sql_str(c) for c in sorted(na))
    severity = (
        "CASE f.field "
        + " ".join(f"WHEN {sql_str(c)} THEN {sql_str(s)}" for c, s in sorted(na.items()))
        + " END"
    )
    # the few not-allowed field rows first, then only their records (fences: DuckDB hashed
    # all 1.7M records for the join otherwise; 0.35 -> 0.12 s at L, same rows). The classes
    # as a semi join, not IN (list): DuckDB made that a mark join over all 5M field rows
    # with their text columns; this way the scan filters them. Records by their keys with
    # rec_id only (k), then the e-mail and phone of those few by rec_id (unique): the scan
    # skips the rest by rec_id instead of reading every address (count 0.23 -> 0.17 s at L
    # on a fresh DuckDB instance, same rows). The labels distinct before the join, not
    # string_agg(DISTINCT): DuckDB split a DISTINCT aggregate into a second grouping joined
    # back to the first; the same labels, one grouping. They are sorted as a list, not with
    # string_agg(... ORDER BY): an ordered aggregate keeps a sort per group (18k groups at
    # L); the same string, NULLs skipped, NULL if all are (count 0.34 -> 0.28 s at L)
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
            "minimisation",
            policy.fields.section,
            "fields",
            sql,
            "Values in fields the statement does not allow",
            severities=tuple(sorted(set(na.values()))),
        )
    ]
