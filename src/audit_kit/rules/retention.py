"""Retention (statement §6, GDPR Art. 5(1)(e)): personal data kept past its purpose.

* one rule per clock of the policy (``R-customer``, ``R-service``, ``R-marketing``,
  ``R-email``, ``R-maillog``; ``R-invoice`` for the Accounting Act's voucher window,
  :mod:`audit_kit.clock`): a record past its deadline (D + N months);
* ``R-person``: the purpose ends for the person, not for one row. Once every purpose
  record of a person (the policy's clocked roles) is past its deadline, each of the
  person's records of a role without a clock of its own (phone-contact backups, Google
  contacts: whatever kept them, the person's purpose has ended) is a finding. Invoices
  are the voucher clock's; ban lists, erasure requests and holds are kept for their own
  reason (:data:`KEPT_ROLES`) and never count;
* ``R-purpose-unknown`` (info): a person with no recorded purpose at all (known only from
  a phone backup or Google contacts), one row per person at their first record: the
  audit cannot tell when a purpose it never saw ends;
* ``R-status`` (warning): status unknown, never silently clean: a customer row with no
  end date and no invoice, contract or mail in the policy's ``inactivity_months``, a
  prospect with no marketing date.

**Holds** (the statement's agreed longer retention, legal claims) are records of role
``retention_hold`` (a ``retention_holds`` source: e-mail, phone or customer number, until,
reason). While a hold on a person runs (until >= the audit date) their rows leave the
rules above for ``R-held`` (info, the detail names the rule and the hold); after it the
rows are the rules' findings again, the detail naming the hold that ended.
"""

from __future__ import annotations

from dataclasses import replace

from audit_kit.clock import voucher_kept_until_sql
from audit_kit.context import RunContext
from audit_kit.rules import (
    AS_OF,
    Rule,
    RuleFamily,
    RuleTexts,
    cite_fi,
    day,
    deadline,
    months_fi,
    past_deadline,
    plural,
    ref_fi,
    sql_str,
)

CATEGORY = "retention"

_BASE = (
    "SELECT source, source_kind, file AS source_file, record_ref, rec_id, email, phone, "
    "'' AS field, {detail} AS detail, {sev} AS severity, {detail_fi} AS detail_fi "
    "FROM (SELECT * FROM {{batch}}) b{joins} "
    "WHERE role = {role} AND {passed}{extra}"
)

_PERSON_PRESENT = " AND (person_name IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL)"


#: a hold: agreed longer retention or a legal claim (statement §6), recorded
HOLD_ROLE = "retention_hold"
#: records kept for a reason of their own, never "an appearance" of a person to remove:
#: the ban list (how a ban is honoured, §8), the erasure-request log, the holds
KEPT_ROLES = ("marketing_optout", "erasure_request", HOLD_ROLE)
#: labels (lower case) of a customer-number column, how a hold names a customer
CUSTOMER_NUMBER_LABELS = ("asiakasnumero", "asiakasnro", "asiakaskoodi", "customer number",
                          "customer no", "customer id")



#: the provision every retention finding cites (READING.md "Findings and actions"); an
#: invoice's statutory rule cites its law first
STORAGE_LIMITATION = "GDPR 5(1)(e)"
#: a person kept for no recorded purpose: purpose limitation, then storage limitation
PURPOSE_LIMITATION = "GDPR 5(1)(b)"

def _roles(roles) -> str:
    return ", ".join(sql_str(r) for r in sorted(roles)) or "NULL"


def holds() -> str:
    """SQL: per subject, the latest hold on them (``until``) and which record it is
    (``hold``): holds naming the person (linked by e-mail or phone, :mod:`audit_kit.people`)
    and holds naming a customer number, reaching every person of that customer's rows."""
    labels = _roles(CUSTOMER_NUMBER_LABELS)
    return (
        "SELECT subject_id, max(until) AS until, arg_max(hold, until) AS hold, "
        "arg_max(hold_fi, until) AS hold_fi FROM ("
        "SELECT p.subject_id, h.ended_on AS until, h.source || ' ' || h.record_ref AS hold, "
        f"h.source || ' ' || {ref_fi('h.record_ref')} AS hold_fi "
        "FROM records h JOIN persons p ON p.rec_id = h.rec_id "
        f"WHERE h.role = {sql_str(HOLD_ROLE)} AND h.ended_on IS NOT NULL "
        "UNION ALL SELECT p.subject_id, h.ended_on, h.source || ' ' || h.record_ref, "
        f"h.source || ' ' || {ref_fi('h.record_ref')} "
        "FROM records h JOIN fields hf ON hf.source = h.source AND hf.record_ref = h.record_ref "
        f"AND lower(trim(hf.label)) IN ({labels}) "
        f"JOIN fields cf ON cf.value = hf.value AND lower(trim(cf.label)) IN ({labels}) "
        "AND cf.source <> hf.source "
        "JOIN records c ON c.source = cf.source AND c.record_ref = cf.record_ref "
        "JOIN persons p ON p.rec_id = c.rec_id "
        f"WHERE h.role = {sql_str(HOLD_ROLE)} AND h.ended_on IS NOT NULL"
        ") GROUP BY subject_id"
    )


def _held(sql: str, running: bool, rule_id: str = "") -> str:
    """*sql* (a rule's finding rows) split by the person's hold: with *running*, only the
    rows a hold covers on the audit date (the detail prefixed with *rule_id*, for
    ``R-held``); else only the others, a hold that ended named in the detail."""
    cols = ", ".join(f"q.{c}" for c in ("source", "source_kind", "source_file", "record_ref",
                                         "rec_id", "email", "phone", "field"))
    prefix = f"{sql_str(rule_id + ': ')} || " if running else ""
    note = "'; held until '" if running else "'; hold ended '"
    keep = f"h.until >= {AS_OF}" if running else f"h.until IS NULL OR h.until < {AS_OF}"
    note_fi = ("'; säilytysperuste voimassa ' || " + day("h.until", "fi") + " || ' asti"
               if running else "'; säilytysperuste päättyi ' || " + day("h.until", "fi") + " || '")
    return (
        f"SELECT {cols}, {prefix}q.detail || coalesce({note} || strftime(h.until, '%Y-%m-%d') "
        "|| ' (' || h.hold || ')', '') AS detail, "
        f"{sql_str('info') if running else 'q.severity'} AS severity, "
        f"{prefix}q.detail_fi || coalesce({note_fi} (' || h.hold_fi || ')', '') AS detail_fi "
        f"FROM ({sql}) q LEFT JOIN persons hp ON hp.rec_id = q.rec_id "
        f"LEFT JOIN ({holds()}) h ON h.subject_id = hp.subject_id WHERE {keep}"
    )


#: what starts a clock, in a Finnish detail: by the records' role, else by the date column
_EVENT_FI = {
    "customer_contact": "asiakkuus päättyi",
    "service_contact": "laite poistettiin käytöstä",
    "prospect": "viimeksi markkinoitu",
    "correspondent": "viimeisin viesti",
    "ended_on": "päättyi",
    "last_activity": "viimeisin tapahtuma",
}


def _older_fi(months: int) -> str:
    """"older than *months* months" in Finnish, before vanha/vanhaa."""
    return "yli kuukauden" if months == 1 else f"yli {months} kuukautta"


def live_contacts(prospect_months: int) -> str:
    """People the company may keep: contacts of current customers and live service
    contracts, and prospects marketed to within the period (READING.md R-email)."""
    return (
        "SELECT email, phone FROM records WHERE "
        f"(role IN ('customer_contact', 'service_contact') AND (ended_on IS NULL OR ended_on > {AS_OF})) "
        f"OR (role = 'prospect' AND {deadline('last_activity', prospect_months)} >= {AS_OF})"
    )


def build(ctx: RunContext) -> list[Rule]:
    policy = ctx.policy
    rules: list[Rule] = []
    # what a rule checks follows from its role (the policy names and numbers the rules)
    by_role = {r.role: r for r in policy.retention}
    prospect_months = by_role["prospect"].months if "prospect" in by_role else 6
    for r in policy.retention:
        passed = past_deadline(r.counts_from, r.months)
        what = {"ended_on": "ended", "last_activity": "last activity"}.get(
            r.counts_from, r.counts_from
        )
        detail = (
            f"{sql_str(what + ' ')} || strftime({r.counts_from}, '%Y-%m-%d') || ', deadline ' || "
            f"strftime({deadline(r.counts_from, r.months)}, '%Y-%m-%d') || "
            + sql_str(f" passed ({r.months} months, §{r.section})")
        )
        event_fi = _EVENT_FI.get(r.role) or _EVENT_FI.get(r.counts_from, r.counts_from)
        detail_fi = (
            f"{sql_str(event_fi + ' ')} || {day(r.counts_from, 'fi')} || ', määräaika ' || "
            f"{day(deadline(r.counts_from, r.months), 'fi')} || "
            + sql_str(f" on kulunut ({months_fi(r.months)}, {cite_fi(r.section)})")
        )
        common = dict(
            detail=detail,
            detail_fi=detail_fi,
            sev=sql_str(r.severity),
            role=sql_str(r.role),
            passed=passed,
        )
        if r.role == "correspondent":
            sql = _BASE.format(
                **common,
                # two ANTI JOINs: one join with OR is a nested loop, and a correlated NOT
                # EXISTS (the same rows: a NULL address matches nothing either way) is
                # planned over every column of the correspondents (benchmarks/NOTES.md)
                joins=(
                    f" ANTI JOIN ({live_contacts(prospect_months)}) le ON le.email = b.email"
                    f" ANTI JOIN ({live_contacts(prospect_months)}) lp ON lp.phone = b.phone"
                ),
                extra="",
            )
            desc = "E-mail correspondents known only from mail, last message over the period"
        elif r.role == "maillog_address":
            sql = (
                # the newest line per address: one arg_max of a struct on a (day, line
                # number) key
                "SELECT source, n.source_kind, n.file AS source_file, n.record_ref, n.rec_id, email, "
                "NULL AS phone, '' AS field, "
                f"c || ' log lines older than {r.months} months, newest ' || "
                "strftime(newest, '%Y-%m-%d') || "
                f"{sql_str(f' (§{r.section})')} AS detail, {sql_str(r.severity)} AS severity, "
                f"c || {sql_str(' ' + _older_fi(r.months) + ' ')} || "
                f"{plural('c', sql_str('vanha lokirivi'), sql_str('vanhaa lokiriviä'))} || "
                f"', uusin ' || {day('newest', 'fi')} || {sql_str(f' ({cite_fi(r.section)})')} "
                "AS detail_fi FROM ("
                "SELECT source, email, count(*) AS c, max(last_activity) AS newest, "
                # (struct_pack, not a {...} literal: GX formats the query, braces and all)
                "arg_max(struct_pack(source_kind := source_kind, file := file, "
                "record_ref := record_ref, rec_id := rec_id), "
                "(last_activity, coalesce(TRY_CAST(regexp_extract(record_ref, "
                # the file last: two rotated logs' same line number on the same day is a
                # tie arg_max would break by row order, differently between runs
                "'(\\d+)$', 1) AS BIGINT), 0), file)) AS n "
                f"FROM (SELECT * FROM {{batch}}) b WHERE role = {sql_str(r.role)} AND {passed} "
                "GROUP BY source, email)"
            )
            desc = "Mail-server log lines older than the period, per external address"
        else:
            sql = _BASE.format(**common, joins="", extra=_PERSON_PRESENT)
            desc = f"Records of role {r.role} whose {what} date is over {r.months} months old"
        rules.append(Rule(r.rule, CATEGORY, r.section, "records", sql, desc,
                          severities=(r.severity,), provision=STORAGE_LIMITATION))
    kept_until = voucher_kept_until_sql("last_activity", policy.accounting)
    for s in policy.statutory:
        sql = (
            "SELECT source, source_kind, file AS source_file, record_ref, rec_id, email, phone, "
            "'' AS field, 'invoice of ' || strftime(last_activity, '%Y-%m-%d') || "
            f"{sql_str(f', statutory retention ({s.law}) ended ')} || "
            f"strftime({kept_until}, '%Y-%m-%d') AS detail, "
            f"{sql_str(s.severity)} AS severity, 'lasku ' || {day('last_activity', 'fi')} || "
            f"{sql_str(f', lakisääteinen säilytysaika ({s.law}) päättyi ')} || "
            f"{day(kept_until, 'fi')} AS detail_fi FROM (SELECT * FROM {{batch}}) b "
            f"WHERE role = {sql_str(s.role)} AND {kept_until} < {AS_OF}"
        )
        rules.append(
            Rule(
                s.rule,
                CATEGORY,
                s.section,
                "records",
                sql,
                "Invoices past the Accounting Act's retention period",
                severities=(s.severity,),
                provision=f"{s.law}; {STORAGE_LIMITATION}",
            )
        )
    rules += _person_rules(ctx)
    # a hold (statement §6: agreed longer retention, a legal claim) takes a person's rows
    # out of every rule above into R-held (info) while it runs
    section = policy.retention[0].section if policy.retention else "6"
    held = " UNION ALL ".join(_held(r.sql, True, r.rule_id) for r in rules
                              if r.rule_id not in _NOT_HELD)
    out = [replace(r, sql=_held(r.sql, False)) if r.rule_id not in _NOT_HELD else r
           for r in rules]
    if held:
        out.append(Rule("R-held", CATEGORY, section, "records", held,
                        "Retention findings a recorded hold covers until its date",
                        severities=("info",), provision=STORAGE_LIMITATION))
    return out


#: rules a hold does not change: they ask to record something, not to delete
_NOT_HELD = ("R-purpose-unknown", "R-status")


def _person_rules(ctx: RunContext) -> list[Rule]:
    """R-person, R-purpose-unknown, R-status (see the module's docstring)."""
    policy = ctx.policy
    purposes = {r.role: r for r in policy.retention}
    clocked = set(purposes) | {s.role for s in policy.statutory}
    section = policy.retention[0].section if policy.retention else "6"
    ended = ("CASE q.role " + " ".join(
        f"WHEN {sql_str(role)} THEN {past_deadline(f'q.{r.counts_from}', r.months)}"
        for role, r in purposes.items()) + " END") if purposes else "NULL"
    due = ("CASE q.role " + " ".join(
        f"WHEN {sql_str(role)} THEN {deadline(f'q.{r.counts_from}', r.months)}"
        for role, r in purposes.items()) + " END") if purposes else "NULL"
    # every purpose record past its deadline; a record whose clock has not started (a
    # live customer, a prospect without a date) is a live purpose
    expired = (
        f"SELECT p.subject_id, max({due}) AS deadline FROM records q "
        "JOIN persons p ON p.rec_id = q.rec_id "
        f"WHERE q.role IN ({_roles(purposes)}) GROUP BY p.subject_id "
        f"HAVING bool_and(coalesce({ended}, false))"
    )
    cols = ("r.source, r.source_kind, r.file AS source_file, r.record_ref, r.rec_id, r.email, "
            "r.phone, '' AS field, ")
    person_sql = (
        f"WITH e AS ({expired}) SELECT {cols}"
        "'every purpose ended, the last deadline ' || strftime(e.deadline, '%Y-%m-%d') || "
        + sql_str(f" passed (§{section}, GDPR Art. 5(1)(e))")
        + " AS detail, 'error' AS severity, "
        "'kaikki käyttötarkoitukset ovat päättyneet, viimeinen määräaika ' || "
        f"{day('e.deadline', 'fi')} || "
        + sql_str(f" on kulunut ({cite_fi(section, 'GDPR 5(1)(e)')})")
        + " AS detail_fi "
        "FROM (SELECT * FROM {batch}) r JOIN persons p ON p.rec_id = r.rec_id "
        "JOIN e ON e.subject_id = p.subject_id "
        f"WHERE r.role NOT IN ({_roles(clocked | set(KEPT_ROLES))})"
    )
    unknown_sql = (
        "WITH k AS (SELECT DISTINCT p.subject_id FROM records q JOIN persons p "
        f"ON p.rec_id = q.rec_id WHERE q.role IN ({_roles(clocked | set(KEPT_ROLES))})), "
        "u AS (SELECT subject_id, min(rec_id) AS rec_id, count(*) AS n FROM persons "
        "GROUP BY subject_id HAVING bool_or(person_data)) "
        f"SELECT {cols}'no recorded purpose (never a customer, contract contact, prospect or "
        "correspondent), ' || u.n || ' record' || CASE WHEN u.n = 1 THEN '' ELSE 's' END || "
        + sql_str(f": when it ends cannot be told (§{section})")
        + " AS detail, 'info' AS severity, "
        "'ei kirjattua käyttötarkoitusta (henkilö ei ole asiakas, sopimuksen yhteyshenkilö, "
        "markkinoinnin kohde eikä kirjeenvaihtaja), ' || u.n || ' ' || "
        f"{plural('u.n', sql_str('rivi'), sql_str('riviä'))} || "
        + sql_str(f": säilytyksen päättymistä ei voi päätellä ({cite_fi(section)})")
        + " AS detail_fi "
        "FROM (SELECT * FROM {batch}) r JOIN u ON u.rec_id = r.rec_id "
        "ANTI JOIN k ON k.subject_id = u.subject_id"
    )
    months = policy.inactivity_months
    activity = (
        "SELECT p.subject_id, max(CASE WHEN q.role = 'service_contact' "
        f"THEN coalesce(q.ended_on, {AS_OF}) ELSE q.last_activity END) AS last_seen "
        "FROM records q JOIN persons p ON p.rec_id = q.rec_id "
        "WHERE q.role IN ('invoice_party', 'service_contact', 'correspondent', "
        "'maillog_address') GROUP BY p.subject_id"
    )
    status_sql = (
        f"WITH a AS ({activity}) SELECT {cols}"
        "CASE WHEN r.role = 'prospect' THEN 'no marketing date' "
        "WHEN a.last_seen IS NULL THEN 'no end date and no invoice, contract or mail' "
        "ELSE 'no end date, last invoice, contract or mail ' || strftime(a.last_seen, '%Y-%m-%d') "
        f"END || {sql_str(f': status unknown, record the end date (§{section})')} AS detail, "
        "'warning' AS severity, "
        "CASE WHEN r.role = 'prospect' THEN 'ei markkinointipäivää: tila tuntematon, kirjaa "
        "viimeisimmän markkinoinnin päivä' "
        "WHEN a.last_seen IS NULL THEN 'ei päättymispäivää eikä laskuja, sopimuksia tai "
        "sähköpostia: tila tuntematon, kirjaa päättymispäivä' "
        "ELSE 'ei päättymispäivää, viimeisin lasku, sopimus tai sähköposti ' || "
        f"{day('a.last_seen', 'fi')} || ': tila tuntematon, kirjaa päättymispäivä' "
        f"END || {sql_str(f' ({cite_fi(section)})')} AS detail_fi "
        "FROM (SELECT * FROM {batch}) r JOIN persons p ON p.rec_id = r.rec_id "
        "LEFT JOIN a ON a.subject_id = p.subject_id "
        "WHERE (r.person_name IS NOT NULL OR r.email IS NOT NULL OR r.phone IS NOT NULL) AND ("
        "(r.role = 'prospect' AND r.last_activity IS NULL) OR "
        "(r.role = 'customer_contact' AND r.ended_on IS NULL AND (a.last_seen IS NULL OR "
        f"{past_deadline('a.last_seen', months)})))"
    )
    return [
        Rule("R-person", CATEGORY, section, "records", person_sql,
             "Every purpose of the person ended: their other records (phone contacts, ...)",
             severities=("error",), provision=STORAGE_LIMITATION),
        Rule("R-purpose-unknown", CATEGORY, section, "records", unknown_sql,
             "People with no recorded purpose at all, one row per person",
             severities=("info",), provision=f"{PURPOSE_LIMITATION}; {STORAGE_LIMITATION}"),
        Rule("R-status", CATEGORY, section, "records", status_sql,
             "Customers with no end date and no recent activity, prospects with no date",
             severities=("warning",), provision=STORAGE_LIMITATION),
    ]


_REMOVE_CONTACTS: RuleTexts = {
    "action": {
        "fi": "Poista nämä {n} yhteyshenkilöä {place}.",
        "en": "Remove these {n} contact persons {place}.",
    },
    "action_1": {
        "fi": "Poista tämä yhteyshenkilö {place}.",
        "en": "Remove this contact person {place}.",
    },
}

#: the citation every retention text ends with (READING.md "Findings and actions")
_FI, _EN = "seloste §6; tietosuoja-asetuksen 5 artiklan 1 kohdan e alakohta", \
    "statement §6; GDPR Art. 5(1)(e)"

#: what each rule checks and the owners' action, fi/en (see :data:`audit_kit.rules.RuleTexts`)
TEXTS: dict[str, RuleTexts] = {
    "R-customer": {
        "checks": {
            "fi": f"Asiakkuus on päättynyt ja säilytysaika on kulunut, mutta yhteyshenkilö on yhä rekisterissä ({_FI}).",
            "en": f"The customer relationship ended and its retention period has passed, but the contact person is still listed ({_EN}).",
        },
        **_REMOVE_CONTACTS,
    },
    "R-service": {
        "checks": {
            "fi": f"Huoltosopimuksen laite on poistettu käytöstä ja säilytysaika on kulunut, mutta pääkäyttäjä on yhä listalla ({_FI}).",
            "en": f"The service-contract device was retired and its retention period has passed, but the main user is still listed ({_EN}).",
        },
        **_REMOVE_CONTACTS,
    },
    "R-marketing": {
        "checks": {
            "fi": f"Henkilöä ei ole markkinoitu säilytysajan kuluessa, mutta hän on yhä markkinointilistalla ({_FI}).",
            "en": f"The person has not been marketed to for the retention period but is still on the marketing list ({_EN}).",
        },
        "action": {
            "fi": "Poista nämä {n} henkilöä {place}.",
            "en": "Remove these {n} people {place}.",
        },
        "action_1": {"fi": "Poista tämä henkilö {place}.", "en": "Remove this person {place}."},
    },
    "R-email": {
        "checks": {
            "fi": f"Vain sähköpostista tunnettu henkilö, jonka viimeisimmästä viestistä on kulunut säilytysaikaa kauemmin ({_FI}).",
            "en": f"A correspondent known only from mail whose latest message is older than the retention period ({_EN}).",
        },
        "action": {
            "fi": "Poista näiden {n} henkilön viestit ja osoitteet {place} ({source}).",
            "en": "Delete the mail and addresses of these {n} correspondents {place} ({source}).",
        },
        "action_1": {
            "fi": "Poista tämän henkilön viestit ja osoite {place} ({source}).",
            "en": "Delete this correspondent's mail and address {place} ({source}).",
        },
    },
    "R-maillog": {
        "checks": {
            "fi": f"Postipalvelimen lokirivit ovat säilytysaikaa vanhempia ({_FI}).",
            "en": f"Mail-server log lines older than the retention period ({_EN}).",
        },
        "action": {
            "fi": "Poista postipalvelimen lokista rivit, joiden säilytysaika on kulunut ({n} osoitetta).",
            "en": "Delete the mail-server log lines past the retention period ({n} addresses).",
        },
        "action_1": {
            "fi": "Poista postipalvelimen lokista rivit, joiden säilytysaika on kulunut (1 osoite).",
            "en": "Delete the mail-server log lines past the retention period (1 address).",
        },
    },
    "R-invoice": {
        "checks": {
            "fi": "Laskun säilytysaika kirjanpitolain mukaan (2 luku 10 §: vuodet sen vuoden lopusta, jona tilikausi päättyi) on päättynyt "
                  "(seloste §6; tietosuoja-asetuksen 5 artiklan 1 kohdan e alakohta).",
            "en": "The invoice's retention under the Accounting Act (KPL 2:10: years from the end of the year in which its financial "
                  f"period ended) is over ({_EN}).",
        },
        "action": {
            "fi": "Poista tai anonymisoi nämä {n} laskua {place}.",
            "en": "Delete or anonymise these {n} invoices {place}.",
        },
        "action_1": {
            "fi": "Poista tai anonymisoi tämä lasku {place}.",
            "en": "Delete or anonymise this invoice {place}.",
        },
    },
    "R-person": {
        "checks": {
            "fi": "Henkilön kaikki käyttötarkoitukset ovat päättyneet ja niiden määräajat kuluneet, mutta hänen tietonsa ovat "
                  f"yhä muualla, esimerkiksi puhelimen yhteystiedoissa ({_FI}).",
            "en": "Every purpose of the person has ended and its deadline passed, yet the person is still kept elsewhere, "
                  f"e.g. in the phone's contacts ({_EN}).",
        },
        "action": {
            "fi": "Poista nämä {n} henkilöä {place}: tietojen säilyttämiselle ei ole enää perustetta.",
            "en": "Remove these {n} people {place}: there is no longer a reason to keep them.",
        },
        "action_1": {
            "fi": "Poista tämä henkilö {place}: tietojen säilyttämiselle ei ole enää perustetta.",
            "en": "Remove this person {place}: there is no longer a reason to keep the data.",
        },
    },
    "R-purpose-unknown": {
        "checks": {
            "fi": "Henkilö, jolle ei ole kirjattu käyttötarkoitusta: hän ei ole asiakas, sopimuksen yhteyshenkilö, "
                  "markkinoinnin kohde eikä kirjeenvaihtaja, joten säilytysajan päättymistä ei voi laskea (seloste §6).",
            "en": "A person with no recorded purpose: not a customer, contract contact, prospect or correspondent, "
                  "so when the retention ends cannot be counted (statement §6).",
        },
        "action": {
            "fi": "Selvitä, miksi nämä {n} henkilöä ovat tallessa (lähde {source}): kirjaa käyttötarkoitus, esimerkiksi asiakkuus, tai poista henkilö {place}.",
            "en": "Find out why these {n} people are kept (source {source}): record the purpose, e.g. the customer relationship, or remove them {place}.",
        },
        "action_1": {
            "fi": "Selvitä, miksi tämä henkilö on tallessa (lähde {source}): kirjaa käyttötarkoitus, esimerkiksi asiakkuus, tai poista henkilö {place}.",
            "en": "Find out why this person is kept (source {source}): record the purpose, e.g. the customer relationship, or remove them {place}.",
        },
    },
    "R-status": {
        "checks": {
            "fi": "Tila tuntematon: asiakkaalla ei ole päättymispäivää eikä laskuja, sopimuksia tai sähköpostia tarkastussäännöissä asetettuna aikana, "
                  "tai markkinointilistan henkilöllä ei ole markkinointipäivää (seloste §6).",
            "en": "Status unknown: a customer with no end date and no invoice, contract or mail for the policy's inactivity period, "
                  "or a prospect with no marketing date (statement §6).",
        },
        "action": {
            "fi": "Kirjaa näille {n} riville (lähde {source}) asiakkuuden päättymispäivä tai viimeisimmän markkinoinnin päivä, jotta säilytysaika voidaan laskea.",
            "en": "Record the end of the customer relationship or the date of the latest marketing for these {n} rows (source {source}), so that the retention period can be counted.",
        },
        "action_1": {
            "fi": "Kirjaa tälle riville (lähde {source}) asiakkuuden päättymispäivä tai viimeisimmän markkinoinnin päivä, jotta säilytysaika voidaan laskea.",
            "en": "Record the end of the customer relationship or the date of the latest marketing for this row (source {source}), so that the retention period can be counted.",
        },
    },
    "R-held": {
        "checks": {
            "fi": "Määräaika on kulunut, mutta kirjattu säilytysperuste (sovittu pidempi säilytys tai oikeusvaade) on voimassa (seloste §6).",
            "en": "The deadline has passed, but a recorded hold (agreed longer retention or a legal claim) still runs (statement §6).",
        },
        "action": {
            "fi": "Älä poista näitä {n} tietoa vielä (lähde {source}): peruste on voimassa havainnon tiedoissa mainittuun päivään asti. Poista ne, kun se päättyy.",
            "en": "Do not delete these {n} records yet (source {source}): the hold runs until the date in the finding's details. Delete them when it ends.",
        },
        "action_1": {
            "fi": "Älä poista tätä tietoa vielä (lähde {source}): peruste on voimassa havainnon tiedoissa mainittuun päivään asti. Poista se, kun peruste päättyy.",
            "en": "Do not delete this record yet (source {source}): the hold runs until the date in the finding's details. Delete it when it ends.",
        },
    },
}

FAMILY = RuleFamily("retention", CATEGORY, build, TEXTS)
