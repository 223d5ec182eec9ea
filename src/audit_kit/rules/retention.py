"""Retention (statement §6): contact data kept past the policy's periods."""

from __future__ import annotations

from audit_kit.clock import voucher_kept_until_sql
from audit_kit.context import RunContext
from audit_kit.rules import AS_OF, Rule, RuleFamily, RuleTexts, deadline, past_deadline, sql_str

CATEGORY = "retention"

_BASE = (
    "SELECT source, source_kind, file AS source_file, record_ref, rec_id, email, phone, "
    "'' AS field, {detail} AS detail, {sev} AS severity FROM (SELECT * FROM {{batch}}) b{joins} "
    "WHERE role = {role} AND {passed}{extra}"
)

_PERSON_PRESENT = " AND (person_name IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL)"


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
        common = dict(
            detail=detail,
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
                f"{sql_str(f' (§{r.section})')} AS detail, {sql_str(r.severity)} AS severity FROM ("
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
        rules.append(
            Rule(r.rule, CATEGORY, r.section, "records", sql, desc, severities=(r.severity,))
        )
    kept_until = voucher_kept_until_sql("last_activity", policy.accounting)
    for s in policy.statutory:
        sql = (
            "SELECT source, source_kind, file AS source_file, record_ref, rec_id, email, phone, "
            "'' AS field, 'invoice of ' || strftime(last_activity, '%Y-%m-%d') || "
            f"{sql_str(f', statutory retention ({s.law}) ended ')} || "
            f"strftime({kept_until}, '%Y-%m-%d') AS detail, "
            f"{sql_str(s.severity)} AS severity FROM (SELECT * FROM {{batch}}) b "
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
            )
        )
    return rules


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

#: what each rule checks and the owners' action, fi/en (see :data:`audit_kit.rules.RuleTexts`)
TEXTS: dict[str, RuleTexts] = {
    "R-customer": {
        "checks": {
            "fi": "Päättyneen asiakkuuden yhteyshenkilö on yhä rekisterissä yli 6 kk päättymisen jälkeen.",
            "en": "Contact persons of customers whose relationship ended over 6 months ago.",
        },
        **_REMOVE_CONTACTS,
    },
    "R-service": {
        "checks": {
            "fi": "Käytöstä poistetun huoltosopimuslaitteen pääkäyttäjä on yhä listalla yli 6 kk jälkeen.",
            "en": "Main users of service-contract devices retired over 6 months ago.",
        },
        **_REMOVE_CONTACTS,
    },
    "R-marketing": {
        "checks": {
            "fi": "Markkinointilistalla henkilö, jota ei ole markkinoitu 6 kuukauteen.",
            "en": "Prospects not marketed to for over 6 months.",
        },
        "action": {
            "fi": "Poista nämä {n} henkilöä {place}.",
            "en": "Remove these {n} people {place}.",
        },
        "action_1": {"fi": "Poista tämä henkilö {place}.", "en": "Remove this person {place}."},
    },
    "R-email": {
        "checks": {
            "fi": "Vain sähköpostista tunnettu henkilö, jonka viimeisin viesti on yli 6 kk vanha.",
            "en": "Correspondents known only from mail whose latest message is over 6 months old.",
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
            "fi": "Postipalvelimen lokirivit ovat yli 6 kk vanhoja.",
            "en": "Mail-server log lines older than 6 months.",
        },
        "action": {
            "fi": "Pyydä Netplaza Oy:tä poistamaan yli 6 kk vanhat lokit ({n} osoitetta).",
            "en": "Ask Netplaza Oy to delete logs older than 6 months ({n} addresses).",
        },
    },
    "R-invoice": {
        "checks": {
            "fi": "Lasku on kirjanpitolain 6 vuoden säilytysajan ulkopuolella.",
            "en": "Invoices past the Accounting Act's six-year retention.",
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
}

FAMILY = RuleFamily("retention", CATEGORY, build, TEXTS)
