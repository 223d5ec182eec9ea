"""The website's logs (statement §12): how long they keep visitors' IP addresses, and
personal data written into logged URLs.

Both rules read the ``records`` of the ``web_access_log`` kind
(:mod:`audit_kit.loaders.web_access_log`): a ``web_visitor`` record per visitor, day and
log file, whose ``detail`` starts with the visitor's keyed hash (``IP-...``), and a
``web_url`` record per log line and e-mail address or phone number found in its URL or
referrer. Their parameters come from the policy's ``web_logs`` (:class:`WebLogs`).

* **W-retention** (Art. 5(1)(e)), with the owners' period N months: a visitor-day D is
  past it when D + N months < the audit date (READING.md: "within N months"); one finding
  per log file holding such days, with the number of visitors and days and the oldest
  day. Without a period (the statement states none: S-weblog-retention stands): one
  finding per source saying how far back its logs keep IP addresses ("web logs keep IP
  addresses back to 2025-02-14: 22 months"), the months being the whole calendar months
  from that day to the audit date.
* **W-url** (Art. 5(1)(c)): an e-mail address or phone number in a logged request URL or
  referrer (a form sent by GET, a link with the address in its query): one finding per
  person (subject) and source, at the first line, with how many lines, where and when.
"""

from __future__ import annotations

from audit_kit.context import RunContext
from audit_kit.policy import WebLogs
from audit_kit.rules import AS_OF, Rule, RuleFamily, RuleTexts, cite_fi, day, plural, sql_str

CATEGORY = "retention"

#: SQL: first and last line number of a record_ref ``line A`` / ``lines A-B``
_FIRST = "CAST(regexp_extract(record_ref, '(\\d+)', 1) AS BIGINT)"
_LAST = "CAST(regexp_extract(record_ref, '(\\d+)$', 1) AS BIGINT)"
#: SQL: where in a logged line a web_url record's values were (its detail ends "in
#: request", "in referrer and request"), in Finnish
_WHERE_FI = ("replace(replace(replace(regexp_extract(b.detail, ' in (.*)$', 1), "
             "'request', 'pyyntö'), 'referrer', 'viittaava sivu'), ' and ', ' ja ')")
#: SQL: the visitor of a web_visitor record (the first word of its detail)
_VISITOR = "split_part(detail, ' ', 1)"


def whole_months(start: str) -> str:
    """SQL: the whole calendar months from *start* to the audit date (the largest N with
    start + N months <= as_of; DuckDB clamps 31.1. + 1 month to 28/29.2.)."""
    n = f"datediff('month', {start}, {AS_OF})"
    return f"({n} - CASE WHEN {start} + INTERVAL ({n}) MONTH > {AS_OF} THEN 1 ELSE 0 END)"


def _ip_addresses_fi(n: str) -> str:
    """SQL: "<n> kävijän IP-osoite/-osoitteet" for the count *n* (SQL)."""
    return (f"{n} || ' kävijän ' || "
            f"{plural(n, sql_str('IP-osoite'), sql_str('IP-osoitteet'))}")


def _retention(w: WebLogs) -> Rule:
    section = sql_str(f" (§{w.section})")
    section_fi = sql_str(f" ({cite_fi(w.section)})")
    if w.retention_months is not None:
        months = int(w.retention_months)
        sql = (
            "SELECT source, any_value(source_kind) AS source_kind, file AS source_file, "
            f"'lines ' || min({_FIRST}) || '-' || max({_LAST}) AS record_ref, NULL AS rec_id, "
            "NULL AS email, NULL AS phone, '' AS field, "
            f"count(DISTINCT {_VISITOR}) || ' visitor IP address' || "
            f"CASE WHEN count(DISTINCT {_VISITOR}) = 1 THEN '' ELSE 'es' END || ' on ' || "
            "count(*) || ' visitor-day' || CASE WHEN count(*) = 1 THEN '' ELSE 's' END || "
            f"{sql_str(f' past the {months}-month retention (the oldest ')} || "
            "strftime(min(last_activity), '%Y-%m-%d') || ', the newest ' || "
            "strftime(max(last_activity), '%Y-%m-%d') || "
            f"{sql_str('): delete those lines and rotate the logs')} || {section} AS detail, "
            f"{sql_str(w.severity)} AS severity, "
            f"{_ip_addresses_fi(f'count(DISTINCT {_VISITOR})')} || ' ' || count(*) || "
            f"{sql_str(f' kävijäpäivältä on säilytetty yli {months} kuukauden säilytysajan (vanhin ')} "
            f"|| {day('min(last_activity)', 'fi')} || ', uusin ' || "
            f"{day('max(last_activity)', 'fi')} || "
            f"{sql_str('): poista nämä rivit ja ota lokien kierrätys käyttöön')} || {section_fi} "
            "AS detail_fi "
            "FROM (SELECT * FROM {batch}) b WHERE role = 'web_visitor' "
            f"AND last_activity + INTERVAL {months} MONTH < {AS_OF} "
            "GROUP BY source, file"
        )
        desc = f"Web-log IP addresses kept past the owners' {months}-month period, per log file"
        sev = w.severity
    else:
        sql = (
            "SELECT source, o.source_kind, o.file AS source_file, o.record_ref, NULL AS rec_id, "
            "NULL AS email, NULL AS phone, '' AS field, "
            "'web logs keep IP addresses back to ' || strftime(oldest, '%Y-%m-%d') || ': ' || "
            f"{whole_months('oldest')} || ' month' || "
            f"CASE WHEN {whole_months('oldest')} = 1 THEN '' ELSE 's' END || "
            "' (' || visitors || ' visitor IP address' || "
            "CASE WHEN visitors = 1 THEN '' ELSE 'es' END || ' in ' "
            "|| files || ' log file' || CASE WHEN files = 1 THEN '' ELSE 's' END || "
            f"{sql_str('); no retention period is set: set one and rotate the logs')} || "
            f"{section} AS detail, {sql_str(w.unset_severity)} AS severity, "
            f"'verkkolokeissa on IP-osoitteita ' || {day('oldest', 'fi')} || ' alkaen: ' || "
            f"{whole_months('oldest')} || ' ' || "
            f"{plural(whole_months('oldest'), sql_str('kuukausi'), sql_str('kuukautta'))} || "
            f"' (' || {_ip_addresses_fi('visitors')} || ' ' || files || ' lokitiedostossa' || "
            f"{sql_str('); säilytysaikaa ei ole asetettu: päätä se ja ota lokien kierrätys käyttöön')}"
            f" || {section_fi} AS detail_fi FROM ("
            "SELECT source, min(last_activity) AS oldest, "
            f"count(DISTINCT {_VISITOR}) AS visitors, count(DISTINCT file) AS files, "
            # the oldest day's first record (file and line range; struct_pack: GX formats
            # the query, a {...} literal's braces and all)
            "arg_min(struct_pack(source_kind := source_kind, file := file, "
            f"record_ref := record_ref), (last_activity, file, {_FIRST})) AS o "
            "FROM (SELECT * FROM {batch}) b WHERE role = 'web_visitor' GROUP BY source)"
        )
        desc = "How far back the web logs keep IP addresses, with no retention period set"
        sev = w.unset_severity
    return Rule("W-retention", CATEGORY, w.section, "records", sql, desc, severities=(sev,),
                provision="GDPR 5(1)(e)")


def _url(w: WebLogs) -> Rule:
    # per person and source: the person's first line (provenance, its e-mail/phone) and
    # the counts; a record nobody else shares is its own subject
    sql = (
        "SELECT source, f.source_kind, f.file AS source_file, f.record_ref, f.rec_id, "
        "f.email, f.phone, kinds AS field, "
        "CASE WHEN kinds = 'email' THEN 'e-mail address' WHEN kinds = 'phone' "
        "THEN 'phone number' ELSE 'e-mail address and phone number' END || ' in ' || lines || "
        "' logged URL' || CASE WHEN lines = 1 THEN '' ELSE 's' END || ' (' || wheres || ', ' || "
        "strftime(d1, '%Y-%m-%d') || CASE WHEN d2 > d1 THEN '..' || strftime(d2, '%Y-%m-%d') "
        "ELSE '' END || "
        f"{sql_str('): stop putting personal data in URLs (send the form by POST) and delete those lines')}"
        f" || {sql_str(f' (§{w.section})')} AS detail, {sql_str(w.url_severity)} AS severity, "
        "CASE WHEN kinds = 'email' THEN 'sähköpostiosoite' WHEN kinds = 'phone' "
        "THEN 'puhelinnumero' ELSE 'sähköpostiosoite ja puhelinnumero' END || ' ' || lines || "
        "' lokiin tallentuneessa sivuosoitteessa (' || wheres_fi || ', ' || "
        f"{day('d1', 'fi')} || CASE WHEN d2 > d1 THEN '–' || {day('d2', 'fi')} ELSE '' END || "
        f"{sql_str('): älä välitä henkilötietoja sivuosoitteissa (lähetä lomake POST-pyyntönä) ja poista nämä rivit')}"
        f" || {sql_str(f' ({cite_fi(w.section)})')} AS detail_fi "
        "FROM (SELECT b.source, count(DISTINCT (b.file, b.record_ref)) AS lines, "
        "min(b.last_activity) AS d1, max(b.last_activity) AS d2, "
        "string_agg(DISTINCT CASE WHEN b.email IS NOT NULL THEN 'email' ELSE 'phone' END, "
        "'+' ORDER BY CASE WHEN b.email IS NOT NULL THEN 'email' ELSE 'phone' END) AS kinds, "
        "string_agg(DISTINCT regexp_extract(b.detail, ' in (.*)$', 1), ' and ' "
        "ORDER BY regexp_extract(b.detail, ' in (.*)$', 1)) AS wheres, "
        f"string_agg(DISTINCT {_WHERE_FI}, ' ja ' ORDER BY {_WHERE_FI}) AS wheres_fi, "
        "arg_min(struct_pack(source_kind := b.source_kind, file := b.file, "
        "record_ref := b.record_ref, rec_id := b.rec_id, email := b.email, phone := b.phone), "
        f"(b.file, {_FIRST.replace('record_ref', 'b.record_ref')}, b.rec_id)) AS f "
        "FROM (SELECT * FROM {batch}) b LEFT JOIN persons p ON p.rec_id = b.rec_id "
        "WHERE b.role = 'web_url' "
        "GROUP BY b.source, coalesce(p.subject_id, CAST(b.rec_id AS VARCHAR)))"
    )
    return Rule("W-url", "minimisation", w.section, "records", sql,
                "Personal data (e-mail addresses, phone numbers) in logged URLs, per person",
                severities=(w.url_severity,), provision="GDPR 5(1)(c)")


def build(ctx: RunContext) -> list[Rule]:
    w = ctx.policy.web_logs
    return [_retention(w), _url(w)]


#: what each rule checks and the owners' action, fi/en (see :data:`audit_kit.rules.RuleTexts`)
TEXTS: dict[str, RuleTexts] = {
    "W-retention": {
        "checks": {
            "fi": "Kuinka kauan verkkopalvelimen lokit säilyttävät kävijöiden IP-osoitteita.",
            "en": "How long the web server's logs keep visitors' IP addresses.",
        },
        "action": {
            "fi": "Päätä verkkolokien säilytysaika, poista sitä vanhemmat lokit ja ota "
                  "lokien kierrätys käyttöön ({source}: {n} lokitiedostoa).",
            "en": "Set a retention period for the web logs, delete the older logs and rotate "
                  "them ({source}: {n} log files).",
        },
        "action_1": {
            "fi": "Päätä verkkolokien säilytysaika, poista sitä vanhemmat lokit ja ota "
                  "lokien kierrätys käyttöön ({source}).",
            "en": "Set a retention period for the web logs, delete the older logs and rotate "
                  "them ({source}).",
        },
    },
    "W-url": {
        "checks": {
            "fi": "Sähköpostiosoitteet ja puhelinnumerot, jotka ovat päätyneet lokiin "
                  "sivuosoitteen mukana.",
            "en": "E-mail addresses and phone numbers written into the logs inside page "
                  "addresses.",
        },
        "action": {
            "fi": "Muuta lomakkeet lähettämään tiedot POST-pyyntönä ja poista {n} henkilön "
                  "tiedot {place}.",
            "en": "Make the forms send their data by POST and remove {n} people's data "
                  "{place}.",
        },
        "action_1": {
            "fi": "Muuta lomakkeet lähettämään tiedot POST-pyyntönä ja poista yhden henkilön "
                  "tiedot {place}.",
            "en": "Make the forms send their data by POST and remove one person's data "
                  "{place}.",
        },
    },
}

FAMILY = RuleFamily("weblog", CATEGORY, build, TEXTS, rule_category={"W-url": "minimisation"})
