"""Data-subject rights (statement §8): direct-marketing bans, erasure requests, tombstones.

A request names a person by e-mail and/or phone; the person is every record
:mod:`audit_kit.people` linked to the request (``persons.subject_id``), so a phone-only
contact in a backup counts when the request gave only the e-mail address and the
customer register links the two. One finding per place the person still appears; the
detail names the request (its source and record_ref), never the person.

Direct-marketing bans (GDPR Art. 21(3): a ban binds at once, no grace period), on each
marketing-list entry of a banned person:

* ``R-ban``: marketing dated after the person's earliest ban.
* ``R-ban-same-day``: marketing dated the day the ban arrived (warning: which came first
  the data cannot tell).
* ``R-ban-listed``: the person is still on a marketing list, marketed before the ban (or
  never), and the list has no ban marker for them (warning: mark the ban in the list).

The ban record itself (``marketing_optout``) is how the ban is honoured: it is never data
to erase and never counts as "still present" for an erasure request or a tombstone.

Erasure requests (GDPR Art. 17; the time limit is Art. 12(3)): a request received on D
is due on D + ``deadline_months`` calendar months, D + ``extended_months`` when the
export records an extension (READING.md: "within N months" is D + N months, missed when
the audit date is after it). Its recorded decision (``records.decision``, read by
:mod:`audit_kit.loaders.tabular`) decides the verdict:

* ``R-erasure``: the person still appears (see :func:`_erasable`) although the request
  is recorded as erased (checked whatever its due date), or is past its due date with
  no decision recorded (a refusal without its reason is no decision).
* ``R-erasure-refused``: refused with a recorded reason (Art. 17(3)): info, per request.
* ``R-erasure-open``: no decision yet and not yet due: info with its due date.
* ``R-tombstone``: a person erased earlier (``audit-kit forget``; keyed-hash tombstones
  in the ``tombstones`` table, see :mod:`audit_kit.subject`) appears again (a warning:
  the person may have come back as a new customer), with the same exceptions as
  ``R-erasure``.

Every detail cites the section and the provision.
"""

from __future__ import annotations

from audit_kit.clock import voucher_kept_until_sql
from audit_kit.context import RunContext
from audit_kit.rules import AS_OF, Rule, RuleFamily, RuleTexts, cite_fi, day, ref_fi, sql_str

CATEGORY = "rights"

_COLS = (
    "r.source, r.source_kind, r.file AS source_file, r.record_ref, r.rec_id, "
    "r.email, r.phone, '' AS field, "
)

#: the records an erasure reaches: not the request register, not the direct-marketing
#: ban list (the ban record is kept to honour the ban), and not invoices the Accounting
#: Act still keeps (the policy's voucher window past the audit date; no date = kept).
#: A CASE, not ``NOT (role = ... OR ...)`` (the same truth table, NULLs included):
#: DuckDB must find nothing to push into the records scan, or it hashes every record
#: for the join (benchmarks/NOTES.md, "rules/rights.py").

#: the provisions the rights findings cite (READING.md "Findings and actions"): a
#: direct-marketing ban binds at once (Art. 21(3)); an erasure (Art. 17) is answered
#: within the time limit of Art. 12(3); a refusal is explained (Art. 17(3), 12(4))
OBJECTION = "GDPR 21(3)"
ERASURE = "GDPR 17(1)"
TIME_LIMIT = "GDPR 12(3)"

def _erasable(policy) -> str:
    """SQL: the records an erasure reaches (see the comment above); an invoice is kept
    while the policy's voucher window runs (:func:`audit_kit.clock.voucher_kept_until_sql`;
    no date = kept)."""
    kept = voucher_kept_until_sql("r.last_activity", policy.accounting)
    return ("CASE r.role WHEN 'erasure_request' THEN false WHEN 'marketing_optout' THEN false "
            f"WHEN 'invoice_party' THEN {kept} < {AS_OF} ELSE r.role IS NOT NULL END")


def _day(col: str) -> str:
    return day(col, "en")


def _bans() -> str:
    """Per subject: the earliest direct-marketing ban received by the audit date, and
    which record it is."""
    return (
        "SELECT p.subject_id, min(q.requested_on) AS requested_on, "
        "arg_min(q.source || ' ' || q.record_ref, q.requested_on) AS request, "
        f"arg_min(q.source || ' ' || {ref_fi('q.record_ref')}, q.requested_on) AS request_fi "
        "FROM records q JOIN persons p ON p.rec_id = q.rec_id "
        "WHERE q.role = 'marketing_optout' AND q.requested_on IS NOT NULL "
        f"AND q.requested_on <= {AS_OF} GROUP BY p.subject_id"
    )


def request_due_sql(deadline_months: int, extended_months: int, alias: str = "q") -> str:
    """SQL of an erasure request's due date (*alias*: the request's record): receipt + the
    deadline in calendar months, the extended one when an extension is recorded (Art.
    12(3)). The one formula: the rules and the report's due dates both use it."""
    months = (f"CASE WHEN coalesce({alias}.extended, false) THEN {int(extended_months)} "
              f"ELSE {int(deadline_months)} END")
    return f"CAST({alias}.requested_on + to_months({months}) AS DATE)"


def _due(er) -> str:
    """SQL of a request's due date (``q``: the request's record; :func:`request_due_sql`)."""
    return request_due_sql(er.deadline_months, er.extended_months)


def _state(er) -> str:
    """SQL of a request's state: erased, refused (with its reason), overdue or open."""
    return (
        "CASE WHEN q.decision = 'erased' THEN 'erased' "
        "WHEN q.decision = 'refused' AND nullif(trim(q.reason), '') IS NOT NULL THEN 'refused' "
        f"WHEN {_due(er)} < {AS_OF} THEN 'overdue' ELSE 'open' END"
    )


def _request_words(er, lang: str = "en") -> str:
    """SQL of what a finding says about its request ``q``: received, due (extended),
    and its decision (in English, or with *lang* ``fi`` in Finnish)."""
    if lang == "fi":
        return (
            f"'poistopyyntö saapunut ' || {day('q.requested_on', 'fi')} || ' (' || q.source "
            f"|| ' ' || {ref_fi('q.record_ref')} || '), määräpäivä ' || {day(_due(er), 'fi')} "
            "|| CASE WHEN coalesce(q.extended, false) THEN ' (määräaikaa jatkettu)' ELSE '' END "
            "|| CASE WHEN q.decision = 'erased' THEN ', kirjattu poistetuksi' || "
            f"coalesce(' ' || {day('q.decided_on', 'fi')}, '') "
            "WHEN q.decision = 'refused' AND nullif(trim(q.reason), '') IS NOT NULL "
            "THEN ', evätty, epäämisen peruste kirjattu' "
            "WHEN q.decision = 'refused' THEN ', evätty ilman kirjattua perustetta' "
            "ELSE ', päätöstä ei ole kirjattu' END"
        )
    return (
        f"'erasure requested ' || {_day('q.requested_on')} || ' (' || q.source || ' ' || "
        f"q.record_ref || '), due ' || {_day(_due(er))} || "
        "CASE WHEN coalesce(q.extended, false) THEN ' (deadline extended)' ELSE '' END || "
        "CASE WHEN q.decision = 'erased' THEN ', recorded as erased' || "
        f"coalesce(' on ' || {_day('q.decided_on')}, '') "
        "WHEN q.decision = 'refused' AND nullif(trim(q.reason), '') IS NOT NULL "
        "THEN ', refused with a recorded reason' "
        "WHEN q.decision = 'refused' THEN ', refused without a recorded reason' "
        "ELSE ', no decision recorded' END"
    )


def _requests(er) -> str:
    """Every erasure request received by the audit date, with its subject, state and
    words (``q`` is its record)."""
    return (
        f"SELECT p.subject_id, q.rec_id, q.requested_on, {_state(er)} AS state, "
        f"{_request_words(er)} AS words, {_request_words(er, 'fi')} AS words_fi "
        "FROM records q JOIN persons p ON p.rec_id = q.rec_id "
        "WHERE q.role = 'erasure_request' AND q.requested_on IS NOT NULL "
        f"AND q.requested_on <= {AS_OF}"
    )


def _subject_records(name: str, subjects: str, cols: str) -> str:
    """``WITH name AS (...)``: every record (``rec_id``) of the subjects the query
    *subjects* selects, with its columns *cols* (``s.<column>``).

    A plain CTE, not MATERIALIZED: GX's ``COUNT(*)`` over the rule can then drop the
    columns it does not count. It needs no fence as long as nothing is pushed into the
    records scan (see ``_erasable``)."""
    return (f"WITH {name} AS (SELECT p.rec_id, {cols} FROM persons p "
            f"JOIN ({subjects}) s ON s.subject_id = p.subject_id) ")


def build(ctx: RunContext) -> list[Rule]:
    policy = ctx.policy
    ban, er = policy.rights.direct_marketing_ban, policy.rights.erasure
    art21 = f"§{ban.section}, GDPR Art. 21(3)"
    art21_fi = cite_fi(ban.section, "GDPR 21(3)")

    def ban_sql(words: str, words_fi: str, where: str, severity: str) -> str:
        return (
            _subject_records("b", _bans(), "s.requested_on, s.request, s.request_fi")
            + f"SELECT {_COLS}{words} || ' a direct-marketing ban received ' || "
            f"{_day('b.requested_on')} || ' (' || b.request || {sql_str('; ' + art21 + ')')} "
            f"AS detail, {sql_str(severity)} AS severity, "
            f"{words_fi} || ' suoramarkkinointikielto saapui ' || {day('b.requested_on', 'fi')} "
            f"|| ' (' || b.request_fi || {sql_str('; ' + art21_fi + ')')} AS detail_fi "
            "FROM (SELECT * FROM {batch}) r JOIN b ON b.rec_id = r.rec_id "
            f"WHERE r.role = 'prospect' AND {where}"
        )

    marketed_fi = f"'markkinoitu ' || {day('r.last_activity', 'fi')} || "
    after_sql = ban_sql(f"'marketed on ' || {_day('r.last_activity')} || ' after'",
                        marketed_fi + "', vaikka'",
                        "r.last_activity > b.requested_on", ban.severity)
    same_day_sql = ban_sql(f"'marketed on ' || {_day('r.last_activity')} || ', the day of'",
                           marketed_fi + "' samana päivänä, jona'",
                           "r.last_activity = b.requested_on", ban.same_day_severity)
    listed_sql = ban_sql(
        "'still on the marketing list without a ban marker after'",
        "'yhä markkinointilistalla ilman kieltomerkintää, vaikka'",
        "(r.last_activity IS NULL OR r.last_activity < b.requested_on) "
        "AND r.decision IS DISTINCT FROM 'banned'",
        ban.listed_severity)

    art17 = f"§{er.section}, GDPR Art. 17; time limit Art. 12(3)"
    art17_fi = f"{cite_fi(er.section, 'GDPR 17')}, määräaika 12 art. 3"
    # per subject, the earliest request that demands the person be gone: recorded as
    # erased, or past its due date with no decision
    enforcing = (
        "SELECT subject_id, arg_min(words, requested_on) AS words, "
        "arg_min(words_fi, requested_on) AS words_fi "
        f"FROM ({_requests(er)}) WHERE state IN ('erased', 'overdue') GROUP BY subject_id"
    )
    present_sql = (
        _subject_records("e", enforcing, "s.words, s.words_fi")
        + f"SELECT {_COLS}'still present; ' || e.words || {sql_str(' (' + art17 + ')')} "
        f"AS detail, {sql_str(er.severity)} AS severity, "
        f"'yhä tallessa; ' || e.words_fi || {sql_str(' (' + art17_fi + ')')} AS detail_fi "
        "FROM (SELECT * FROM {batch}) r JOIN e ON e.rec_id = r.rec_id "
        f"WHERE {_erasable(policy)}"
    )

    def request_sql(state: str, words: str, words_fi: str, severity: str) -> str:
        return (
            "SELECT q.source, q.source_kind, q.file AS source_file, q.record_ref, q.rec_id, "
            f"q.email, q.phone, '' AS field, {words} AS detail, {sql_str(severity)} AS severity, "
            f"{words_fi} AS detail_fi "
            "FROM (SELECT * FROM {batch}) q WHERE q.role = 'erasure_request' "
            f"AND q.requested_on <= {AS_OF} AND {_state(er)} = {sql_str(state)}"
        )

    open_sql = request_sql(
        "open", f"'open: ' || {_request_words(er)} || {sql_str(' (' + art17 + ')')}",
        f"'avoin: ' || {_request_words(er, 'fi')} || {sql_str(' (' + art17_fi + ')')}",
        er.open_severity)
    refused_sql = request_sql(
        "refused", f"{_request_words(er)} || {sql_str(f' (§{er.section}, GDPR Art. 17(3))')}",
        f"{_request_words(er, 'fi')} || "
        f"{sql_str(' (' + cite_fi(er.section, 'GDPR 17(3)') + ')')}",
        er.refused_severity)
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
        f"'erased person appears again: erasure recorded ' || {_day('t.erased_on')} "
        f"|| {sql_str(f' (tombstone; §{er.section}, GDPR Art. 17)')} AS detail, "
        f"{sql_str(er.tombstone_severity)} AS severity, "
        f"'poistettu henkilö löytyy taas: poisto kirjattu ' || {day('t.erased_on', 'fi')} "
        f"|| {sql_str(' (poistomerkintä; ' + cite_fi(er.section, 'GDPR 17') + ')')} AS detail_fi "
        "FROM (SELECT * FROM {batch}) r JOIN t ON t.rec_id = r.rec_id "
        f"WHERE {_erasable(policy)}"
    )

    def rule(rid: str, section: str, sql: str, description: str, severity: str,
             provision: str) -> Rule:
        return Rule(rid, CATEGORY, section, "records", sql, description, severities=(severity,),
                    provision=provision)

    return [
        rule(ban.rule, ban.section, after_sql,
             "Marketing dated after the person's direct-marketing ban", ban.severity, OBJECTION),
        rule(ban.rule + "-same-day", ban.section, same_day_sql,
             "Marketing dated the day a direct-marketing ban arrived", ban.same_day_severity,
             OBJECTION),
        rule(ban.rule + "-listed", ban.section, listed_sql,
             "Banned people still on a marketing list without a ban marker",
             ban.listed_severity, OBJECTION),
        rule(er.rule, er.section, present_sql,
             "People still present after an erasure request's due date or recorded erasure",
             er.severity, f"{ERASURE}; {TIME_LIMIT}"),
        rule(er.rule + "-open", er.section, open_sql,
             "Erasure requests with no decision, not yet due", er.open_severity,
             f"{ERASURE}; {TIME_LIMIT}"),
        rule(er.rule + "-refused", er.section, refused_sql,
             "Erasure requests refused with a recorded reason", er.refused_severity,
             "GDPR 17(3); GDPR 12(4)"),
        rule("R-tombstone", er.section, tomb_sql,
             "Erased people (tombstones) who appear again in any source",
             er.tombstone_severity, ERASURE),
    ]


#: what each rule checks and the owners' action, fi/en (see :data:`audit_kit.rules.RuleTexts`).
#: No action tells the owners to delete a ban record: it is how the ban is honoured.
TEXTS: dict[str, RuleTexts] = {
    "R-ban": {
        "checks": {
            "fi": "Markkinointia suoramarkkinointikiellon saapumisen jälkeen (seloste §8; "
                  "tietosuoja-asetuksen 21 artiklan 3 kohta: kielto sitoo heti).",
            "en": "Marketing dated after a direct-marketing ban arrived (statement §8; GDPR "
                  "Art. 21(3): a ban binds at once).",
        },
        "action": {
            "fi": "Lopeta markkinointi näille {n} henkilölle heti ja merkitse kielto listaan ({source}).",
            "en": "Stop marketing to these {n} people at once and mark the ban in the list ({source}).",
        },
        "action_1": {
            "fi": "Lopeta markkinointi tälle henkilölle heti ja merkitse kielto listaan ({source}).",
            "en": "Stop marketing to this person at once and mark the ban in the list ({source}).",
        },
    },
    "R-ban-same-day": {
        "checks": {
            "fi": "Markkinointia samana päivänä, jona suoramarkkinointikielto saapui (seloste §8; "
                  "tietosuoja-asetuksen 21 artiklan 3 kohta).",
            "en": "Marketing dated the day a direct-marketing ban arrived (statement §8; GDPR "
                  "Art. 21(3)).",
        },
        "action": {
            "fi": "Tarkista, lähtikö markkinointi näille {n} henkilölle ennen kiellon saapumista, "
                  "ja merkitse kielto listaan ({source}).",
            "en": "Check whether the marketing to these {n} people went out before the ban "
                  "arrived, and mark the ban in the list ({source}).",
        },
        "action_1": {
            "fi": "Tarkista, lähtikö markkinointi tälle henkilölle ennen kiellon saapumista, "
                  "ja merkitse kielto listaan ({source}).",
            "en": "Check whether the marketing to this person went out before the ban arrived, "
                  "and mark the ban in the list ({source}).",
        },
    },
    "R-ban-listed": {
        "checks": {
            "fi": "Suoramarkkinoinnin kieltänyt henkilö on yhä markkinointilistalla ilman "
                  "kieltomerkintää (seloste §8; tietosuoja-asetuksen 21 artiklan 3 kohta).",
            "en": "People who banned direct marketing still on a marketing list without a ban "
                  "marker (statement §8; GDPR Art. 21(3)).",
        },
        "action": {
            "fi": "Merkitse kielto listaan näiden {n} henkilön kohdalle ({source}), jotta heille "
                  "ei enää markkinoida. Kieltolistaa ei poisteta.",
            "en": "Mark the ban in the list for these {n} people ({source}) so that they are "
                  "not marketed to again. Keep the ban list.",
        },
        "action_1": {
            "fi": "Merkitse kielto listaan tämän henkilön kohdalle ({source}), jotta hänelle "
                  "ei enää markkinoida. Kieltolistaa ei poisteta.",
            "en": "Mark the ban in the list for this person ({source}) so that they are not "
                  "marketed to again. Keep the ban list.",
        },
    },
    "R-erasure": {
        "checks": {
            "fi": "Poistopyynnön määräpäivä on ohi ilman kirjattua päätöstä, tai pyyntö on "
                  "kirjattu poistetuksi, ja henkilö on yhä tallessa (seloste §8; "
                  "tietosuoja-asetuksen 17 artikla, määräaika 12 artiklan 3 kohta).",
            "en": "Erasure requests past their due date with no decision recorded, or recorded "
                  "as erased, with the person still present (statement §8; GDPR Art. 17, time "
                  "limit Art. 12(3)).",
        },
        "action": {
            "fi": "Poista pyytäjien tiedot nyt {place} ({n} riviä) ja kirjaa poisto "
                  "poistopyyntölistalle, tai kirjaa sinne epäämisen peruste (17 artiklan 3 "
                  "kohta). Markkinointikieltoja ja kirjanpitolain mukaan säilytettäviä "
                  "laskuja ei poisteta.",
            "en": "Delete the requesters' data {place} now ({n} records) and record the "
                  "erasure in the erasure-request list, or record the reason for refusing "
                  "there (Art. 17(3)). Marketing bans and invoices kept under the Accounting "
                  "Act are not deleted.",
        },
        "action_1": {
            "fi": "Poista pyytäjän tiedot nyt {place} ja kirjaa poisto poistopyyntölistalle, "
                  "tai kirjaa sinne epäämisen peruste (17 artiklan 3 kohta). "
                  "Markkinointikieltoa ja kirjanpitolain mukaan säilytettäviä laskuja ei "
                  "poisteta.",
            "en": "Delete the requester's data {place} now and record the erasure in the "
                  "erasure-request list, or record the reason for refusing there "
                  "(Art. 17(3)). A marketing ban and invoices kept under the Accounting Act "
                  "are not deleted.",
        },
    },
    "R-erasure-open": {
        "checks": {
            "fi": "Avoin poistopyyntö, jonka määräpäivä ei ole vielä ohi (seloste §8; "
                  "tietosuoja-asetuksen 17 artikla, määräaika 12 artiklan 3 kohta).",
            "en": "Open erasure requests not yet due (statement §8; GDPR Art. 17, time limit "
                  "Art. 12(3)).",
        },
        "action": {
            "fi": "Käsittele nämä {n} poistopyyntöä viimeistään määräpäivänä, joka näkyy rivin "
                  "selitteessä, ja kirjaa päätös poistopyyntölistalle.",
            "en": "Handle these {n} erasure requests by their due dates (in each row's detail) "
                  "and record the decision in the erasure-request list.",
        },
        "action_1": {
            "fi": "Käsittele tämä poistopyyntö viimeistään määräpäivänä, joka näkyy rivin "
                  "selitteessä, ja kirjaa päätös poistopyyntölistalle.",
            "en": "Handle this erasure request by its due date (in the row's detail) and record "
                  "the decision in the erasure-request list.",
        },
    },
    "R-erasure-refused": {
        "checks": {
            "fi": "Poistopyyntö on evätty ja epäämisen peruste kirjattu (seloste §8; "
                  "tietosuoja-asetuksen 17 artiklan 3 kohta).",
            "en": "Erasure requests refused with a recorded reason (statement §8; GDPR "
                  "Art. 17(3)).",
        },
        "action": {
            "fi": "Varmista, että näille {n} pyytäjälle on kerrottu epäämisen syy ja oikeus "
                  "kannella tietosuojavaltuutetulle (12 artiklan 4 kohta), ja poista tiedot, "
                  "kun peruste päättyy.",
            "en": "Make sure these {n} requesters were told the reason for the refusal and "
                  "their right to complain to the Data Protection Ombudsman (Art. 12(4)), and "
                  "delete the data once the reason ends.",
        },
        "action_1": {
            "fi": "Varmista, että pyytäjälle on kerrottu epäämisen syy ja oikeus kannella "
                  "tietosuojavaltuutetulle (12 artiklan 4 kohta), ja poista tiedot, kun "
                  "peruste päättyy.",
            "en": "Make sure the requester was told the reason for the refusal and the right "
                  "to complain to the Data Protection Ombudsman (Art. 12(4)), and delete the "
                  "data once the reason ends.",
        },
    },
    "R-tombstone": {
        "checks": {
            "fi": "Aiemmin poistettu henkilö (poistomerkintä) löytyy taas lähteestä (seloste "
                  "§8; tietosuoja-asetuksen 17 artikla).",
            "en": "People erased earlier (tombstones) who appear again in a source (statement "
                  "§8; GDPR Art. 17).",
        },
        "action": {
            "fi": "Selvitä, miksi nämä {n} jo kerran poistetun henkilön riviä ovat taas "
                  "tallessa, ja poista ne {place}, ellei henkilö ole tullut uudelleen "
                  "asiakkaaksi.",
            "en": "Find out why these {n} records of people erased before are back, and "
                  "delete them {place} unless the person has become a customer again.",
        },
        "action_1": {
            "fi": "Selvitä, miksi jo kerran poistetun henkilön rivi on taas tallessa, ja poista "
                  "se {place}, ellei henkilö ole tullut uudelleen asiakkaaksi.",
            "en": "Find out why this record of a person erased before is back, and delete it "
                  "{place} unless the person has become a customer again.",
        },
    },
}

FAMILY = RuleFamily("rights", CATEGORY, build, TEXTS)
