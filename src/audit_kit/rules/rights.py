"""Data-subject rights (statement §8): direct-marketing bans and erasure requests."""

from __future__ import annotations

from audit_kit.policy import Policy
from audit_kit.rules import AS_OF, Rule, family, months_before, sql_str

_MATCH = ("((q.email IS NOT NULL AND q.email = r.email) OR "
          "(q.phone IS NOT NULL AND q.phone = r.phone))")


@family("rights")
def build(policy: Policy) -> list[Rule]:
    ban, er = policy.rights.direct_marketing_ban, policy.rights.erasure
    ban_sql = (
        "SELECT r.source, r.source_kind, r.file AS source_file, r.record_ref, r.rec_id, "
        "r.email, r.phone, '' AS field, "
        "'marketed on ' || strftime(r.last_activity, '%Y-%m-%d') || ' after a ban received ' || "
        f"strftime(max(q.requested_on), '%Y-%m-%d') || ' (§{ban.section})' AS detail, "
        f"{sql_str(ban.severity)} AS severity "
        "FROM (SELECT * FROM {batch}) r JOIN records q ON q.role = 'marketing_optout' AND " + _MATCH + " "
        "WHERE r.role = 'prospect' AND r.last_activity > q.requested_on "
        "GROUP BY r.source, r.source_kind, r.file, r.record_ref, r.rec_id, r.email, r.phone, r.last_activity"
    )
    deadline = months_before(er.deadline_months)
    overdue_sql = (
        "SELECT r.source, r.source_kind, r.file AS source_file, r.record_ref, r.rec_id, "
        "r.email, r.phone, '' AS field, "
        "'still present; erasure requested ' || strftime(min(q.requested_on), '%Y-%m-%d') || "
        f"', over {er.deadline_months} month(s) before the audit date (§{er.section}, GDPR Art. 12(3))' "
        f"AS detail, {sql_str(er.severity)} AS severity "
        "FROM (SELECT * FROM {batch}) r JOIN records q ON q.role = 'erasure_request' AND " + _MATCH + " "
        f"AND q.requested_on < {deadline} "
        "WHERE r.role NOT IN ('erasure_request', 'invoice_party') "
        "GROUP BY r.source, r.source_kind, r.file, r.record_ref, r.rec_id, r.email, r.phone"
    )
    open_sql = (
        "SELECT source, source_kind, file AS source_file, record_ref, rec_id, email, phone, "
        "'' AS field, 'open erasure request received ' || strftime(requested_on, '%Y-%m-%d') || "
        f"' (answer within {er.deadline_months} month(s), §{er.section})' AS detail, "
        f"{sql_str(er.open_severity)} AS severity FROM (SELECT * FROM {{batch}}) b "
        f"WHERE role = 'erasure_request' AND requested_on >= {deadline} AND requested_on <= {AS_OF}"
    )
    return [
        Rule(ban.rule, "rights", ban.section, "records", ban_sql,
             "Marketing dated after the person's direct-marketing ban"),
        Rule(er.rule, "rights", er.section, "records", overdue_sql,
             "People still present after an erasure request's deadline"),
        Rule(er.rule + "-open", "rights", er.section, "records", open_sql,
             "Erasure requests still inside their deadline"),
    ]
