# ruff: noqa: E501  (a text catalogue: one entry per line reads best)
"""Every label and action text of the report, in Finnish and English (one catalogue).

The owners read Finnish; the English texts say the same. ``tests/test_report.py``
checks that every entry has both languages and that the action templates format.
"""

from __future__ import annotations

from audit_kit.rules import REF_WORDS_FI, RuleTexts, rule_texts
from audit_kit.rules.statement import CHECK_TEXTS

CATALOGUE: dict[str, dict[str, str]] = {
    "title": {"fi": "Tietosuojan neljännesvuositarkastus", "en": "Quarterly privacy audit"},
    "as_of": {"fi": "Tarkastuspäivä", "en": "Audit date"},
    "period": {"fi": "Jakso", "en": "Period"},
    "headline_broken": {"fi": "{b}/{n} lupausta ei pidä", "en": "{b} of {n} promises broken"},
    "headline_warn": {
        "fi": "Lupaukset pitävät, {w} kohtaa vaatii huomiota",
        "en": "Promises kept, {w} need attention",
    },
    "headline_ok": {"fi": "Kaikki lupaukset pitävät", "en": "Every promise is kept"},
    "headline_sub": {
        "fi": "{e} virhettä, {w} varoitusta.",
        "en": "{e} errors, {w} warnings.",
    },
    "affected_line": {
        "fi": "Havainnot koskevat {a} henkilöä {p}:stä.",
        "en": "The findings concern {a} of {p} people.",
    },
    "people_affected": {"fi": "henkilöä, joita havainnot koskevat", "en": "people the findings concern"},
    "people_n": {"fi": "{n} henkilöä", "en": "{n} people"},
    "people_col": {"fi": "Henkilöitä", "en": "People"},
    "todo_intro": {
        "fi": "Jokaisella toimenpiteellä on määräaika, tekijä ja rivit, joita se koskee (tiedosto ja rivi, kortti, lasku tai viestin kohta; linkki vie havaintoriviin). Nimiä ei näytetä.",
        "en": "Each action has a deadline, who does it and the records it concerns (file and line, card, invoice or message offset; the link goes to the finding's row). No names are shown.",
    },
    "due": {"fi": "Määräaika", "en": "Due"},
    "due_now": {"fi": "heti", "en": "now"},
    "due_now_since": {"fi": "heti (määräaika umpeutui {d})", "en": "now (the deadline passed on {d})"},
    "due_on": {"fi": "viimeistään {d}", "en": "by {d}"},
    "due_next_audit": {"fi": "ennen seuraavaa tarkastusta ({d})", "en": "before the next audit ({d})"},
    "due_next": {"fi": "ennen seuraavaa tarkastusta", "en": "before the next audit"},
    "who": {"fi": "Tekijä", "en": "Who"},
    "who_person": {"fi": "{r} (rekisteriasioista vastaava, §2)", "en": "{r} (the person responsible, §2)"},
    "who_processor": {
        "fi": "{p} (käsittelijä); toimeksiantaja {r} (§2)",
        "en": "{p} (processor), on the order of {r} (§2)",
    },
    "who_unknown": {
        "fi": "rekisteriasioista vastaava (§2; ajon tiedoista puuttuu nimi)",
        "en": "the person responsible (§2; the run does not record the name)",
    },
    "records": {"fi": "Rivit ({n})", "en": "Records ({n})"},
    "quarter": {"fi": "Neljännes", "en": "Quarter"},
    "open_items": {"fi": "Avoimia kohtia", "en": "Open items"},
    "escalated": {"fi": "Pahentuneita", "en": "Escalated"},
    "closed_line": {
        "fi": "Lisäksi {n} tiedoksi merkittyä kohtaa poistui (esim. avoimen poistopyynnön määräaika kului eikä henkilöä löydy mistään): niitä ei lasketa korjatuiksi.",
        "en": "Also {n} information-only items are gone (e.g. an open erasure request's date passed and the person is in no source): they are not counted as fixed.",
    },
    "escalated_list": {
        "fi": "Pahentuneet (esim. avoin poistopyyntö on nyt myöhässä)",
        "en": "Escalated (e.g. an open erasure request is now overdue)",
    },
    "trend_caption": {
        "fi": "Kohta = yksi henkilö yhden lupauksen osalta (henkilötön havainto: lähde, sääntö ja tieto). Kohta on korjattu vasta, kun sitä ei enää löydy; rivinumero tai sääntö voi vaihtua kohdan pysyessä samana.",
        "en": "An item is one person under one promise (a finding without a person: source, rule and field). An item is fixed only when it is gone; its line number or rule may change while it stays the same item.",
    },
    "coverage": {"fi": "Mitä tarkastus kattaa", "en": "What the audit covers"},
    "coverage_intro": {
        "fi": "Selosteen jokainen kohta: tarkistettu aineistosta, osittain (loput käsin) tai ei tarkistettavissa aineistosta.",
        "en": "Every section of the statement: checked from the data, partly (the rest by hand) or not checkable from the data.",
    },
    "cov_topic": {"fi": "Aihe", "en": "Topic"},
    "cov_status": {"fi": "Tila", "en": "Status"},
    "cov_how": {"fi": "Miten / mitä käsin", "en": "How / what by hand"},
    "cov_checked": {"fi": "tarkistettu", "en": "checked"},
    "cov_partly": {"fi": "osittain", "en": "partly checked"},
    "cov_manual": {"fi": "ei aineistosta", "en": "not checkable from data"},
    "cov_by": {"fi": "Tarkistaa: {ids}.", "en": "Audited by: {ids}."},
    "cov_by_hand": {"fi": "Käsin: {text}", "en": "By hand: {text}"},
    "cov_at_load": {"fi": "tarkastussäännöt ladattaessa (policy)", "en": "the policy's checks at load (policy)"},
    "coverage_none": {
        "fi": "Tarkastussäännöt (policy) eivät jaa tarkastusta selosteen kohtiin (coverage puuttuu): kaikki kohdat, joita säännöt eivät tarkista, on tarkistettava käsin.",
        "en": "The policy maps no sections of the statement (no coverage): every section its rules do not check must be checked by hand.",
    },
    "verdicts": {
        "fi": "Pitääkö seloste lupauksensa?",
        "en": "Does the statement keep its promises?",
    },
    "kept": {"fi": "Pitää", "en": "Kept"},
    "broken": {"fi": "Ei pidä", "en": "Broken"},
    "warn": {"fi": "Huomioitavaa", "en": "Attention"},
    "promise": {"fi": "Lupaus", "en": "Promise"},
    "todo": {"fi": "Tee nämä", "en": "What to do"},
    "first": {"fi": "Tee ensin", "en": "Do first"},
    "todo_none": {"fi": "Ei toimenpiteitä tällä kertaa.", "en": "Nothing to do this time."},
    "key_figures": {"fi": "Tunnusluvut", "en": "Key figures"},
    "people": {"fi": "Henkilöitä rekistereissä", "en": "People in the registers"},
    "people_multi": {
        "fi": "joista useammassa kuin yhdessä lähteessä",
        "en": "of whom in more than one source",
    },
    "n_sources": {"fi": "Lähteitä", "en": "Sources"},
    "records_total": {"fi": "Rivejä luettu", "en": "Records read"},
    "errors_total": {"fi": "Virheitä", "en": "Errors"},
    "people_by_sources": {
        "fi": "Henkilöt lähteiden määrän mukaan",
        "en": "People by number of sources",
    },
    "in_n_sources": {"fi": "{n} lähteessä", "en": "in {n} source(s)"},
    "people_per_source": {"fi": "Henkilöt lähteittäin", "en": "People per source"},
    "sources": {"fi": "Lähteet", "en": "Sources"},
    "source": {"fi": "Lähde", "en": "Source"},
    "kind": {"fi": "Tyyppi", "en": "Kind"},
    "system": {"fi": "Järjestelmä", "en": "System"},
    "format": {"fi": "Muoto", "en": "Format"},
    "read": {"fi": "Luettu", "en": "Read"},
    "loaded": {"fi": "Ladattu", "en": "Loaded"},
    "rejected": {"fi": "Hylätty", "en": "Rejected"},
    "integrity_line": {
        "fi": "Aineisto: {s} lähdettä, {r} riviä luettu, {j} hylätty.",
        "en": "Data: {s} sources, {r} records read, {j} rejected.",
    },
    "rules": {"fi": "Säännöt ja toimenpiteet", "en": "Rules and actions"},
    "rule": {"fi": "Sääntö", "en": "Rule"},
    "section": {"fi": "Kohta", "en": "Section"},
    "checks": {"fi": "Mitä tarkistetaan", "en": "What it checks"},
    "count": {"fi": "Havaintoja", "en": "Findings"},
    "findings_n": {"fi": "havaintoa", "en": "findings"},
    "action": {"fi": "Toimenpide", "en": "Action"},
    "findings": {"fi": "Havainnot säännöittäin", "en": "Findings by rule"},
    "severity": {"fi": "Vakavuus", "en": "Severity"},
    # a finding an entry of the accepted-findings file covers (audit_kit.exitpolicy)
    "accepted_yes": {"fi": "hyväksytty", "en": "accepted"},
    "accepted_expired": {"fi": "hyväksyntä vanhentunut", "en": "acceptance expired"},
    "category": {"fi": "Luokka", "en": "Category"},
    "subject": {"fi": "Henkilö", "en": "Person"},
    "place": {"fi": "Sijainti lähteessä", "en": "Place in source"},
    "detail": {"fi": "Tekninen selite", "en": "Technical detail"},
    "field": {"fi": "Tieto", "en": "Field"},
    "pseudonymised": {
        "fi": "Henkilöt näytetään tunnisteina (S-…). Nimet ja yhteystiedot näkyvät vain, kun raportti tehdään --reveal -valinnalla.",
        "en": "People are shown as pseudonyms (S-…). Names and contact details are shown only when the report is made with --reveal.",
    },
    "revealed": {
        "fi": "Tämä raportti näyttää nimet ja yhteystiedot (--reveal). Älä lähetä sitä eteenpäin.",
        "en": "This report shows names and contact details (--reveal). Do not forward it.",
    },
    "none": {"fi": "Ei havaintoja.", "en": "No findings."},
    "error": {"fi": "virhe", "en": "error"},
    "warning": {"fi": "varoitus", "en": "warning"},
    "info": {"fi": "tieto", "en": "info"},
    "retention": {"fi": "Säilytysaika", "en": "Retention"},
    "minimisation": {"fi": "Vain tarpeelliset tiedot", "en": "Only the data needed"},
    "transfer": {"fi": "Ei siirtoja EU:n ulkopuolelle", "en": "No transfers outside the EU"},
    "rights": {"fi": "Rekisteröidyn oikeudet", "en": "Data-subject rights"},
    "statement": {"fi": "Selosteen omat puutteet", "en": "Gaps in the statement itself"},
    "integrity": {"fi": "Aineiston eheys", "en": "Data integrity"},
    "manual": {
        "fi": "Osa selosteen lupauksista on tarkistettava käsin, koska aineisto ei näytä niitä:",
        "en": "Some of the statement's promises must be checked by hand, the data cannot show them:",
    },
    "charts": {"fi": "Kuvina", "en": "At a glance"},
    "age_title": {
        "fi": "Yhteystietojen ikä ja säilytysaika",
        "en": "Age of contact data against the retention period",
    },
    "age_caption": {
        "fi": "Jokainen pylväs on yksi kuukausi ennen tarkastuspäivää; korkeus = rivien määrä. Punaiset ovat säilytysaikaa (katkoviiva) vanhempia: ne on poistettava, ellei henkilö ole voimassa olevan asiakkuuden tai sopimuksen yhteyshenkilö. Voimassa olevia, päivämäärättömiä rivejä: {n}.",
        "en": "Each bar is one month before the audit date; height = number of records. Red bars are older than the retention period (the dashed line): they must go unless the person is a contact of a live customer or contract. Live records without a date: {n}.",
    },
    "age_axis": {"fi": "kuukautta ennen tarkastuspäivää", "en": "months before the audit date"},
    "age_old": {"fi": "{old}/{n} yli {m} kk", "en": "{old} of {n} over {m} mo"},
    "months_line": {"fi": "{m} kk", "en": "{m} mo"},
    "age_none": {
        "fi": "Aineistossa ei ole päivättyjä yhteystietoja.",
        "en": "No dated contact data.",
    },
    "trend_title": {
        "fi": "Avoimet kohdat lupauksittain neljänneksittäin",
        "en": "Open items per promise by quarter",
    },
    "trend_only_one": {
        "fi": "Aiempia neljänneksiä ei löytynyt tämän kansion vierestä; vertailu alkaa seuraavasta tarkastuksesta.",
        "en": "No earlier quarters found beside this folder; the comparison starts with the next audit.",
    },
    "changes": {
        "fi": "Muutokset edelliseen neljännekseen ({prev})",
        "en": "Changes since the previous quarter ({prev})",
    },
    "changes_none": {
        "fi": "Edellisen neljänneksen ({prev}) tuloksia ei löytynyt; muutoksia ei voi verrata.",
        "en": "No results for the previous quarter ({prev}); changes cannot be compared.",
    },
    "new": {"fi": "Uusia", "en": "New"},
    "resolved": {"fi": "Korjattu", "en": "Fixed"},
    "persisting": {"fi": "Edelleen korjaamatta", "en": "Still open"},
    "new_list": {"fi": "Uudet", "en": "New"},
    "resolved_list": {"fi": "Korjatut", "en": "Fixed"},
    "evidence": {"fi": "Liite: aineisto ja versiot", "en": "Appendix: evidence and versions"},
    "evidence_intro": {
        "fi": "Tarkastuksen toistamiseen tarvittavat tiedot. Tiedostojen SHA-256-tiivisteet todistavat, mitä aineistoa luettiin.",
        "en": "What is needed to repeat the audit. The SHA-256 digests prove which files were read.",
    },
    "file": {"fi": "Tiedosto", "en": "File"},
    "bytes": {"fi": "Tavua", "en": "Bytes"},
    "tool": {"fi": "Työkalu ja versiot", "en": "Tool and versions"},
    "policy": {"fi": "Tarkastussäännöt (policy)", "en": "Policy"},
    "policy_sha": {"fi": "Tarkastussääntöjen SHA-256", "en": "Policy SHA-256"},
    "data_docs": {
        "fi": "Great Expectations -raportti (Data Docs) tarkastajille: kansio data_docs/ tämän tiedoston vieressä.",
        "en": "Great Expectations Data Docs for auditors: the data_docs/ folder beside this file.",
    },
    "more": {"fi": "… ja {n} muuta", "en": "… and {n} more"},
    "ok_mark": {"fi": "✓", "en": "✓"},
}

#: the promise each verdict card checks, in plain words, where the policy gives none in the
#: statement's own words (``promises:``): generic, naming no statement's fields or periods
PROMISES: dict[str, dict[str, str]] = {
    "minimisation": {
        "fi": "Rekisteriin tallennetaan vain selosteessa luetellut tiedot.",
        "en": "Only the data the statement lists are kept.",
    },
    "retention": {
        "fi": "Tiedot poistetaan, kun selosteen mukainen säilytysaika päättyy.",
        "en": "Data is deleted when the retention period the statement gives ends.",
    },
    "rights": {
        "fi": "Suoramarkkinointikielto sitoo heti sen saavuttua; poistopyyntöön vastataan "
              "kuukaudessa, jatkettuna enintään kolmessa.",
        "en": "A direct-marketing ban binds as soon as it arrives; an erasure request is "
              "answered within a month, at most three when extended.",
    },
    "transfer": {
        "fi": "Tietoja ei siirretä EU/ETA-alueen ulkopuolelle ilman pätevää perustetta.",
        "en": "No data leaves the EU/EEA without a valid mechanism.",
    },
    "statement": {
        "fi": "Seloste kertoo kaiken, mitä tietosuoja-asetus vaatii (13 artikla).",
        "en": "The statement says everything GDPR Art. 13 requires.",
    },
    "integrity": {"fi": "Kaikki aineisto saatiin luettua.", "en": "All data could be read."},
}

#: where findings that belong to no source kind are, as the end of "remove them ...";
#: a source kind's own place is declared with the kind (SourceKind.place)
PLACES: dict[str, dict[str, str]] = {
    "statement": {"fi": "tietosuojaselosteesta", "en": "in the privacy statement"},
    "": {"fi": "lähteestä", "en": "from the source"},
}

#: field classes in plain words (singular), the one table: the report's actions and
#: field cells, the access-request letter's labels (capitalised there)
FIELDS: dict[str, dict[str, str]] = {
    "hetu": {"fi": "henkilötunnus", "en": "personal identity code"},
    "home_address": {"fi": "kotiosoite", "en": "home address"},
    "home_phone": {"fi": "kotipuhelin", "en": "home phone"},
    "birthday": {"fi": "syntymäpäivä", "en": "birthday"},
    "photo": {"fi": "valokuva", "en": "photo"},
    "job_title": {"fi": "ammattinimike", "en": "job title"},
    "other_personal": {"fi": "muu henkilötieto", "en": "other personal data"},
    "unclassified": {"fi": "luokittelematon sarake", "en": "unclassified column"},
    "unread_date": {"fi": "lukukelvoton päivämäärä", "en": "unreadable date"},
    "person_name": {"fi": "nimi", "en": "name"},
    "org_name": {"fi": "yritys", "en": "organisation"},
    "business_id": {"fi": "Y-tunnus", "en": "business ID"},
    "email": {"fi": "sähköpostiosoite", "en": "e-mail address"},
    "work_phone": {"fi": "työpuhelin", "en": "work phone"},
    "mobile_phone": {"fi": "matkapuhelin", "en": "mobile phone"},
    "phone": {"fi": "puhelinnumero", "en": "phone number"},
    "company_address": {"fi": "yrityksen osoite", "en": "company address"},
    "address": {"fi": "osoite", "en": "address"},
    "url": {"fi": "verkko-osoite", "en": "web address"},
    "notes": {"fi": "lisätiedot", "en": "notes"},
    "non_personal": {"fi": "muu tieto", "en": "other data"},
}

#: the roles drawn in the age chart (each with its retention clock from the policy): labels
AGE_ROLES: dict[str, dict[str, str]] = {
    "customer_contact": {"fi": "Päättyneet asiakkuudet", "en": "Ended customers"},
    "service_contact": {"fi": "Poistetut sopimuslaitteet", "en": "Retired contract devices"},
    "prospect": {"fi": "Markkinointi", "en": "Marketing"},
    "correspondent": {"fi": "Sähköposti", "en": "E-mail"},
    "maillog_address": {"fi": "Postipalvelimen loki", "en": "Mail-server log"},
}

#: per rule: what it checks, and the action; ``action_1`` is used when n == 1.
#: ``{n}`` = findings in one source, ``{place}`` = place(kind), ``{source}`` = source name,
#: ``{what}`` = FIELDS (M-field only, one action per field class and source).
#: The texts live with each rule family (``TEXTS`` in ``audit_kit/rules/<family>.py``).
RULES: dict[str, RuleTexts] = rule_texts()

#: statement checks (S-statement findings' field) in plain words
STATEMENT_CHECKS: dict[str, dict[str, str]] = CHECK_TEXTS


def t(key: str, lang: str, **kw: object) -> str:
    text = CATALOGUE[key][lang]
    return text.format(**kw) if kw else text


def place(kind: str, lang: str) -> str:
    """Where a source kind keeps people (fi: elative/ablative), from the kind's declaration."""
    from audit_kit.loaders import source_kinds

    k = source_kinds().get(kind)
    return k.place[lang] if k else PLACES.get(kind, PLACES[""])[lang]


#: record reference prefixes (the loaders' record_ref) in Finnish
REF_WORDS = REF_WORDS_FI


def ref_text(ref: str, lang: str) -> str:
    """A record reference as the report shows it (``line 11`` is ``rivi 11`` in Finnish)."""
    if lang != "fi":
        return ref
    if ref in REF_WORDS:
        return REF_WORDS[ref]
    head, sep, tail = ref.partition(" ")
    return REF_WORDS[head] + sep + tail if head in REF_WORDS and tail.isdigit() else ref


def field_name(cls: str, lang: str) -> str:
    return FIELDS[cls][lang] if cls in FIELDS else cls


#: for a rule the catalogue does not know yet (tests/test_report.py fails for those)
FALLBACK = {
    "checks": {
        "fi": "Sääntö {rule} (kuvaus puuttuu raportin tekstiluettelosta).",
        "en": "Rule {rule} (no description in the report's catalogue yet).",
    },
    "action": {
        "fi": "Käsittele nämä {n} havaintoa (sääntö {rule}, lähde {source}).",
        "en": "Handle these {n} findings (rule {rule}, source {source}).",
    },
}


def rule_action(
    rule_id: str, lang: str, *, n: int, kind: str = "", source: str = "", what: str = "",
    until: str = "",
) -> str:
    """The concrete action for *n* findings of *rule_id* in one source (*until*: the
    date M-voucher's vouchers are kept to)."""
    spec = RULES.get(rule_id)
    if spec is None:
        return FALLBACK["action"][lang].format(n=n, rule=rule_id, source=source)
    tmpl = spec["action_1"][lang] if n == 1 and "action_1" in spec else spec["action"][lang]
    return tmpl.format(
        n=n, place=place(kind, lang), source=source, what=field_name(what, lang) if what else "",
        until=until,
    )


def rule_checks(rule_id: str, lang: str) -> str:
    spec = RULES.get(rule_id)
    return spec["checks"][lang] if spec else FALLBACK["checks"][lang].format(rule=rule_id)
