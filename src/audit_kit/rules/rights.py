"""Data-subject rights (statement §8): direct-marketing bans, erasure requests, tombstones.

A request names a person by e-mail and/or phone; the person is every record
:mod:`audit_kit.people` linked to the request (``persons.subject_id``), so a phone-only
contact in a backup counts when the request gave only the e-mail address and the
customer register links the two. One finding per place the person still appears; the
detail names the request (its source and record_ref), never the person.

* ``R-ban``: marketing dated after the person's earliest direct-marketing ban.
* ``R-erasure``: an erasure request older than the deadline (one month, GDPR Art. 12(3))
  and the person still present anywhere, except invoices inside their statutory
  retention (Accounting Act) and the request register itself.
* ``R-erasure-open``: a request still inside its deadline (info), one per request.
* ``R-tombstone``: a person erased earlier (``audit-kit forget``; keyed-hash tombstones
  in the ``tombstones`` table, see :mod:`audit_kit.subject`) appears again, with the
  same exceptions as ``R-erasure``.
"""

from __future__ import annotations

from audit_kit.context import RunContext
from audit_kit.rules import AS_OF, Rule, RuleFamily, RuleTexts, months_before, sql_str

CATEGORY = "rights"

_COLS = (
    "r.source, r.source_kind, r.file AS source_file, r.record_ref, r.rec_id, "
    "r.email, r.phone, '' AS field, "
)

#: the records an erasure reaches: not the request register, and not invoices the
#: Accounting Act still keeps (a kept_until past the audit date; unknown = kept).
#: A CASE, not ``NOT (role = ... OR ...)`` (the same truth table, NULLs included):
#: DuckDB must find nothing to push into the records scan, or it hashes every record
#: for the join (benchmarks/NOTES.md, "rules/rights.py").
_ERASABLE = (
    "CASE r.role WHEN 'erasure_request' THEN false "
    f"WHEN 'invoice_party' THEN r.kept_until < {AS_OF} ELSE r.role IS NOT NULL END"
)


def _requests(role: str, where: str = "") -> str:
    """Per subject: the earliest request of *role*, and which record it is."""
    return (
        "SELECT p.subject_id, min(q.requested_on) AS requested_on, "
        "arg_min(q.source || ' ' || q.record_ref, q.requested_on) AS request "
        "FROM records q JOIN persons p ON p.rec_id = q.rec_id "
        f"WHERE q.role = {sql_str(role)} AND q.requested_on IS NOT NULL {where}"
        "GROUP BY p.subject_id"
    )


def _subject_records(name: str, subjects: str, cols: str) -> str:
    """``WITH name AS (...)``: every record (``rec_id``) of the subjects the query
    *subjects* selects, with its columns *cols* (``s.<column>``).

    A plain CTE, not MATERIALIZED: GX's ``COUNT(*)`` over the rule can then drop the
    columns it does not count. It needs no fence as long as nothing is pushed into the
    records scan (see ``_ERASABLE``)."""
    return (f"WITH {name} AS (SELECT p.rec_id, {cols} FROM persons p "
            f"JOIN ({subjects}) s ON s.subject_id = p.subject_id) ")


def build(ctx: RunContext) -> list[Rule]:
    policy = ctx.policy
    ban, er = policy.rights.direct_marketing_ban, policy.rights.erasure
    ban_sql = (
        _subject_records("b", _requests("marketing_optout"), "s.requested_on, s.request")
        + f"SELECT {_COLS}"
        "'marketed on ' || strftime(r.last_activity, '%Y-%m-%d') || ' after a ban received ' || "
        "strftime(b.requested_on, '%Y-%m-%d') || ' (' || b.request || "
        f"{sql_str(f', §{ban.section})')} AS detail, {sql_str(ban.severity)} AS severity "
        "FROM (SELECT * FROM {batch}) r JOIN b ON b.rec_id = r.rec_id "
        "WHERE r.role = 'prospect' AND r.last_activity > b.requested_on"
    )
    deadline = months_before(er.deadline_months)
    overdue_sql = (
        _subject_records("e", _requests("erasure_request", f"AND q.requested_on < {deadline} "),
                         "s.requested_on, s.request")
        + f"SELECT {_COLS}"
        "'still present; erasure requested ' || strftime(e.requested_on, '%Y-%m-%d') || "
        "' (' || e.request || "
        + sql_str(f"), over {er.deadline_months} month(s) before the audit date "
                  f"(§{er.section}, GDPR Art. 12(3))")
        + f" AS detail, {sql_str(er.severity)} AS severity "
        "FROM (SELECT * FROM {batch}) r JOIN e ON e.rec_id = r.rec_id "
        f"WHERE {_ERASABLE}"
    )
    open_sql = (
        "SELECT source, source_kind, file AS source_file, record_ref, rec_id, email, phone, "
        "'' AS field, 'open erasure request received ' || strftime(requested_on, '%Y-%m-%d') || "
        + sql_str(f" (answer within {er.deadline_months} month(s), §{er.section})")
        + " AS detail, "
        f"{sql_str(er.open_severity)} AS severity FROM (SELECT * FROM {{batch}}) b "
        f"WHERE role = 'erasure_request' AND requested_on >= {deadline} AND requested_on <= {AS_OF}"
    )
    # a tombstone matches a record's own e-mail/phone hash; the person is then every
    # record linked to that one (a phone-only contact of an erased e-mail address too)
    hits = (
        "SELECT p.subject_id, min(t.erased_on) AS erased_on FROM ("
        "SELECT r.rec_id, h.key_id, h.hash FROM records r JOIN identifier_hashes h "
        "ON h.kind = 'email' AND h.identifier = r.email "
        "UNION ALL SELECT r.rec_id, h.key_id, h.hash FROM records r JOIN identifier_hashes h "
        "ON h.kind = 'phone' AND h.identifier = r.phone) m "
        "JOIN tombstones t ON t.hash = m.hash AND t.key_id = m.key_id "
        "JOIN persons p ON p.rec_id = m.rec_id "
        f"WHERE t.erased_on <= {AS_OF} GROUP BY p.subject_id"
    )
    tomb_sql = (
        _subject_records("t", hits, "s.erased_on")
        + f"SELECT {_COLS}"
        "'erased person appears again: erasure recorded ' || strftime(t.erased_on, '%Y-%m-%d') "
        f"|| {sql_str(f' (tombstone; §{er.section}, GDPR Art. 17)')} AS detail, "
        f"{sql_str(er.severity)} AS severity "
        "FROM (SELECT * FROM {batch}) r JOIN t ON t.rec_id = r.rec_id "
        f"WHERE {_ERASABLE}"
    )
    return [
        Rule(
            ban.rule,
            CATEGORY,
            ban.section,
            "records",
            ban_sql,
            "Marketing dated after the person's direct-marketing ban",
            severities=(ban.severity,),
        ),
        Rule(
            er.rule,
            CATEGORY,
            er.section,
            "records",
            overdue_sql,
            "People still present after an erasure request's deadline",
            severities=(er.severity,),
        ),
        Rule(
            er.rule + "-open",
            CATEGORY,
            er.section,
            "records",
            open_sql,
            "Erasure requests still inside their deadline",
            severities=(er.open_severity,),
        ),
        Rule(
            "R-tombstone",
            CATEGORY,
            er.section,
            "records",
            tomb_sql,
            "Erased people (tombstones) who appear again in any source",
            severities=(er.severity,),
        ),
    ]


#: what each rule checks and the owners' action, fi/en (see :data:`audit_kit.rules.RuleTexts`)
TEXTS: dict[str, RuleTexts] = {
    "R-ban": {
        "checks": {
            "fi": "Markkinointia suoramarkkinointikiellon jälkeen.",
            "en": "Marketing dated after a direct-marketing ban.",
        },
        "action": {
            "fi": "Lopeta markkinointi näille {n} henkilölle ja merkitse kielto listaan ({source}).",
            "en": "Stop marketing to these {n} people and mark the ban in the list ({source}).",
        },
        "action_1": {
            "fi": "Lopeta markkinointi tälle henkilölle ja merkitse kielto listaan ({source}).",
            "en": "Stop marketing to this person and mark the ban in the list ({source}).",
        },
    },
    "R-erasure": {
        "checks": {
            "fi": "Poistopyynnön määräaika (1 kk) on umpeutunut ja henkilö on yhä tallessa.",
            "en": "Erasure requests past their one-month deadline with the person still present.",
        },
        "action": {
            "fi": "Poista pyytäjien tiedot nyt {place}: {n} riviä.",
            "en": "Delete the requesters' data {place} now: {n} records.",
        },
        "action_1": {
            "fi": "Poista pyytäjän tiedot nyt {place}; määräaika on jo umpeutunut.",
            "en": "Delete the requester's data {place} now; the deadline has passed.",
        },
    },
    "R-tombstone": {
        "checks": {
            "fi": "Aiemmin poistettu henkilö (poistomerkintä) on palannut johonkin lähteeseen.",
            "en": "People erased earlier (tombstones) who appear again in a source.",
        },
        "action": {
            "fi": "Poista nämä {n} jo kerran poistetun henkilön riviä {place} ja selvitä, mistä tiedot palasivat.",
            "en": "Delete these {n} records of people erased before {place} and find out how they came back.",
        },
        "action_1": {
            "fi": "Poista tämä jo kerran poistetun henkilön rivi {place} ja selvitä, mistä tieto palasi.",
            "en": "Delete this record of a person erased before {place} and find out how it came back.",
        },
    },
    "R-erasure-open": {
        "checks": {
            "fi": "Avoin poistopyyntö, määräaika ei vielä umpeutunut.",
            "en": "Open erasure requests still inside their deadline.",
        },
        "action": {
            "fi": "Käsittele nämä {n} poistopyyntöä kuukauden kuluessa saapumisesta.",
            "en": "Handle these {n} erasure requests within a month of receipt.",
        },
        "action_1": {
            "fi": "Käsittele tämä poistopyyntö kuukauden kuluessa saapumisesta.",
            "en": "Handle this erasure request within a month of receipt.",
        },
    },
}

FAMILY = RuleFamily("rights", CATEGORY, build, TEXTS)
