"""Statement findings: the privacy statement's own gaps, once per run, and the signs in
the data of a newsletter it promises not to have (READING.md §6, §10, "GDPR Art. 13
completeness").

The statement checks are a table (:data:`CHECKS`): each reads the policy's
``statement`` claims and systems inventory as of the audit date and, when it fails,
gives the finding's detail; the policy's ``unmentioned_transfers`` add one check each.
The rows are written for each run into ``statement_checks`` (:data:`STATEMENT_CHECKS`);
rule S-statement selects the failed ones. Each check cites its own provision (the
finding's ``provision``).

Rule S-newsletter (with the policy's ``statement.no_newsletter``) reads the loaders'
``signs``: a column or sheet named for a newsletter, and mail from the organisation's
own domains with a List-Unsubscribe or Precedence: bulk header or to many external
recipients at once (a message, or a mail-server queue id).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from audit_kit.context import RunContext
from audit_kit.reference import reference
from audit_kit.rules import Facts, Rule, RuleFamily, RuleTexts, provision_text, sql_str
from audit_kit.rules.transfers import invalid_systems

CATEGORY = "statement"
#: the information a privacy statement must give (GDPR Art. 13; Art. 14 for data not
#: obtained from the person)
INFORMATION = "GDPR 13"
#: the transfers and their safeguards the statement must name
TRANSFER_INFORMATION = "GDPR 13(1)(f)"


@dataclass(frozen=True)
class Failure:
    """A failed check's detail, in English and in Finnish (from the same values)."""

    en: str
    fi: str


@dataclass(frozen=True)
class Check:
    """One statement check (an S-statement finding's ``field`` when it fails)."""

    check_id: str
    section: str
    provision: str
    severity: str
    #: the finding's detail when the check fails on the context's audit date, else None
    failure: Callable[[RunContext], Failure | None]


def _outside(ctx: RunContext) -> dict:
    return {n: s for n, s in ctx.policy.systems.items()
            if s.personal_data and not reference().in_eea(s.country)}


def _fi(provision: str) -> str:
    """The Finnish citation of *provision* ("GDPR 13(1)(c)": "tietosuoja-asetus 13 art. 1 c")."""
    return provision_text(provision, "fi")


def _privacy_shield(ctx: RunContext) -> Failure | None:
    shield_from = reference().mechanisms["privacy_shield"]["invalid_from"]
    if ctx.policy.statement.mechanism_named == "privacy_shield" and ctx.audit_date() >= shield_from:
        return Failure(
            "the statement relies on the EU-US Privacy Shield, invalid since 16 July 2020 "
            "(CJEU C-311/18 Schrems II); name a valid mechanism (DPF certification or "
            "SCCs 2021/914)",
            "seloste nojaa EU:n ja Yhdysvaltojen väliseen Privacy Shield -järjestelyyn, joka on "
            "ollut pätemätön 16.7.2020 alkaen (unionin tuomioistuimen tuomio C-311/18 Schrems "
            "II); nimeä pätevä siirtoperuste (sertifiointi EU:n ja Yhdysvaltojen "
            "tietosuojakehykseen tai vakiosopimuslausekkeet 2021/914)")
    return None


def _no_transfers_claim(ctx: RunContext) -> Failure | None:
    outside = _outside(ctx)
    if ctx.policy.statement.claims_no_transfers_outside_eu and outside:
        systems = ", ".join(f"{n} ({s.provider}, {s.country})" for n, s in sorted(outside.items()))
        return Failure(
            "the statement says no data leaves the EU, but systems are stored outside the "
            "EU/EEA: " + systems,
            "seloste sanoo, ettei tietoja siirretä EU:n ulkopuolelle, mutta nämä järjestelmät "
            "säilyttävät tietoja EU/ETA-alueen ulkopuolella: " + systems)
    return None


def _backup_transfer(ctx: RunContext) -> Failure | None:
    bad = invalid_systems(ctx.policy, ctx.audit_date())
    backups = ", ".join(sorted(n for n in bad if ctx.policy.systems[n].backup))
    if backups:
        return Failure(
            "backups may move data outside the EU/EEA without a valid named mechanism: "
            + backups,
            "varmuuskopiot voivat siirtää tietoja EU/ETA-alueen ulkopuolelle ilman nimettyä "
            "pätevää siirtoperustetta: " + backups)
    return None


def _accounting_retention(ctx: RunContext) -> Failure | None:
    st, laws = ctx.policy.statement, sorted({s.law for s in ctx.policy.statutory})
    if not laws or (st.accounting_retention_stated and not st.deletes_when_relationship_ends):
        return None
    en, fi = [], []
    if not st.accounting_retention_stated:
        en.append(f"invoices are accounting vouchers kept under {', '.join(laws)}, but "
                  "the statement does not say so")
        fi.append(f"laskut ovat kirjanpidon tositteita, jotka on säilytettävä ({', '.join(laws)}), "
                  "mutta seloste ei kerro sitä")
    if st.deletes_when_relationship_ends:
        en.append("it says the data are deleted when the customer relationship ends, "
                  "which the accounting retention of invoices contradicts")
        fi.append("seloste sanoo, että tiedot poistetaan asiakkuuden päätyttyä, mikä on "
                  "ristiriidassa laskujen säilyttämisen kanssa")
    return Failure("; ".join(en) + " (GDPR Art. 13(2)(a))",
                   "; ".join(fi) + f" ({_fi('GDPR 13(2)(a)')})")


def _purpose_name(text: str) -> str:
    """A purpose without its qualifiers in brackets: "e-mail correspondence (the mail
    server's log)" is the purpose "e-mail correspondence" (wherever the brackets stand:
    the policy's text is the user's)."""
    return re.sub(r"\s*\([^()]*\)", "", text).strip() or text


def _purposes(ctx: RunContext) -> Failure | None:
    stated = set(ctx.policy.statement.purposes_stated)
    # by role: the same order whatever the policy file's key order; each purpose once,
    # and not at all when the statement names it for another role
    purposes = sorted(ctx.policy.purposes.items())

    def missing(lang: str) -> list[str]:
        named = {_purpose_name(p(lang)) for role, p in purposes if role in stated}
        return [n for n in dict.fromkeys(_purpose_name(p(lang)) for role, p in purposes
                                         if role not in stated) if n not in named]

    if missing("en"):
        return Failure(
            "the data also serve purposes the statement does not name: "
            + ", ".join(missing("en")) + " (GDPR Art. 13(1)(c))",
            "tietoja käytetään myös tarkoituksiin, joita seloste ei mainitse: "
            + ", ".join(missing("fi")) + f" ({_fi('GDPR 13(1)(c)')})")
    return None


def _legitimate_interest(ctx: RunContext) -> Failure | None:
    if "prospect" in ctx.policy.purposes and not ctx.policy.statement.legitimate_interest_named:
        return Failure(
            "marketing to prospects rests on a legitimate interest the statement does not "
            "name (GDPR Art. 13(1)(d))",
            "markkinointi mahdollisille asiakkaille perustuu oikeutettuun etuun, jota seloste "
            f"ei nimeä ({_fi('GDPR 13(1)(d)')})")
    return None


def _recipients(ctx: RunContext) -> Failure | None:
    policy = ctx.policy
    named = set(policy.statement.recipients_named)
    unnamed = ", ".join(sorted({s.provider for s in policy.systems.values()
                                if s.processor and s.personal_data} - named))
    if unnamed:
        return Failure(
            "processors hold the data but the statement does not name them as recipients: "
            + unnamed + " (GDPR Art. 13(1)(e))",
            "henkilötietojen käsittelijät säilyttävät tietoja, mutta seloste ei nimeä niitä "
            f"vastaanottajiksi: {unnamed} ({_fi('GDPR 13(1)(e)')})")
    return None


def _sources(ctx: RunContext) -> Failure | None:
    policy, st = ctx.policy, ctx.policy.statement
    if st.data_from_person_only and st.sources_from_others:
        # in Finnish, where the policy says the data came from (the access-request
        # answer's words), else the role's purpose
        given = policy.access_answer.data_sources if policy.access_answer else {}
        fi = [given[r].fi if r in given else policy.purpose(r, "fi") or r
              for r in st.sources_from_others]
        return Failure(
            "the statement says every person gives the data themselves, but these come "
            "from others: " + ", ".join(st.sources_from_others) + " (GDPR Art. 14(2)(f))",
            "seloste sanoo, että jokainen antaa tietonsa itse, mutta osa tiedoista tulee "
            "muualta: " + "; ".join(fi) + f" ({_fi('GDPR 14(2)(f)')})")
    return None


def _objection(ctx: RunContext) -> Failure | None:
    if ctx.policy.statement.objection_conditional:
        return Failure(
            "the statement makes the right to object conditional on misuse; Art. 21(1) "
            "gives it against processing on legitimate interests and Art. 21(2) against "
            "direct marketing, without that condition",
            "seloste asettaa vastustamisoikeudelle ehdon (tietojen väärinkäyttö), mutta "
            "tietosuoja-asetuksen 21 artiklan 1 kohta antaa sen oikeutettuun etuun perustuvaa "
            "käsittelyä vastaan ja 2 kohta suoramarkkinointia vastaan ilman tätä ehtoa")
    return None


def _flag(ok: Callable[[RunContext], bool], en: str, fi: str
          ) -> Callable[[RunContext], Failure | None]:
    return lambda ctx: None if ok(ctx) else Failure(en, fi)


#: the statement checks, in report order; a family extends the statement's checks by
#: adding rows here (the report's words for each: :data:`CHECK_TEXTS`)
CHECKS: list[Check] = [
    Check("S-privacy-shield", "10", TRANSFER_INFORMATION, "error", _privacy_shield),
    Check("S-no-transfers-claim", "10", TRANSFER_INFORMATION, "error", _no_transfers_claim),
    Check("S-backup-transfer", "10", TRANSFER_INFORMATION, "error", _backup_transfer),
    Check("S-legal-basis", "4", "GDPR 13(1)(c)", "error", _flag(
        lambda ctx: ctx.policy.statement.legal_basis_named,
        "no legal basis is named for any purpose (GDPR Art. 13(1)(c))",
        f"yhdellekään käyttötarkoitukselle ei ole nimetty oikeusperustetta "
        f"({_fi('GDPR 13(1)(c)')})")),
    Check("S-purposes", "4", "GDPR 13(1)(c)", "error", _purposes),
    Check("S-legitimate-interest", "4", "GDPR 13(1)(d)", "error", _legitimate_interest),
    Check("S-accounting-retention", "6", "GDPR 13(2)(a)", "error", _accounting_retention),
    Check("S-recipients", "9", "GDPR 13(1)(e)", "error", _recipients),
    Check("S-sources", "7", "GDPR 14(2)(f)", "warning", _sources),
    Check("S-objection", "8", "GDPR 21(1); GDPR 21(2)", "error", _objection),
    Check("S-weblog-retention", "12", "GDPR 13(2)(a)", "warning", _flag(
        lambda ctx: ctx.policy.statement.web_log_retention_stated,
        "web logs hold IP addresses but no retention period is stated (GDPR Art. 13(2)(a))",
        f"verkkolokeissa on IP-osoitteita, mutta niiden säilytysaikaa ei kerrota "
        f"({_fi('GDPR 13(2)(a)')})")),
    Check("S-portability", "8", "GDPR 13(2)(b)", "warning", _flag(
        lambda ctx: "portability" in ctx.policy.statement.rights_listed,
        "the right to data portability (GDPR Art. 20) is not listed",
        f"oikeutta siirtää tiedot järjestelmästä toiseen ({_fi('GDPR 20')}) ei mainita")),
    Check("S-restriction", "8", "GDPR 13(2)(b)", "warning", _flag(
        lambda ctx: "restriction" in ctx.policy.statement.rights_listed,
        "the right to restriction of processing (GDPR Art. 18) is not listed",
        f"oikeutta rajoittaa käsittelyä ({_fi('GDPR 18')}) ei mainita")),
]


def _checks(ctx: RunContext) -> list[Check]:
    """:data:`CHECKS` and the policy's unmentioned transfers, each a check."""
    unmentioned = [
        Check(u.check, u.section, TRANSFER_INFORMATION, u.severity,
              lambda c, u=u: (Failure(f"{u.what.en}; the statement does not mention this "
                                      "transfer",
                                      f"{u.what.fi}; seloste ei mainitse tätä siirtoa")
                              if u.system in _outside(c) else None))
        for u in ctx.policy.statement.unmentioned_transfers
    ]
    return CHECKS[:3] + unmentioned + CHECKS[3:]


def check_texts(policy) -> dict[str, dict[str, str]]:
    """Every statement check of *policy* in plain words, fi/en: :data:`CHECK_TEXTS` and
    the policy's own checks' texts."""
    return CHECK_TEXTS | {u.check: {"fi": u.text.fi, "en": u.text.en}
                          for u in policy.statement.unmentioned_transfers}


def statement_checks(ctx: RunContext) -> list[tuple[str, str, bool, str, str, str]]:
    """(check_id, section, failed, severity, detail, detail_fi) for each statement check,
    as of the context's audit date."""
    rows = []
    for c in _checks(ctx):
        failure = c.failure(ctx)
        rows.append((c.check_id, c.section, failure is not None, c.severity,
                     failure.en if failure else "", failure.fi if failure else ""))
    return rows


STATEMENT_CHECKS = Facts(
    "statement_checks",
    (("check_id", "VARCHAR"), ("section", "VARCHAR"), ("failed", "BOOLEAN"),
     ("severity", "VARCHAR"), ("detail", "VARCHAR"), ("detail_fi", "VARCHAR")),
    statement_checks,
)


def _newsletter(ctx: RunContext) -> list[Rule]:
    nl = ctx.policy.statement.no_newsletter
    if nl is None:
        return []
    named = " OR ".join(f"contains(lower(b.label), {sql_str(w.lower())})" for w in nl.names)
    domain = "lower(split_part(b.label, '@', 2))"
    own = " OR ".join(f"{domain} = {sql_str(d)} OR ends_with({domain}, {sql_str('.' + d)})"
                      for d in ctx.own_domains) or "false"
    promise = f" (§{nl.section}: the statement promises no newsletter and no newsletter register)"
    promise_fi = (f" (seloste §{nl.section}: seloste lupaa, ettei uutiskirjettä eikä "
                  "uutiskirjerekisteriä ole)")
    sql = (
        "SELECT b.source, b.source_kind, b.file AS source_file, b.record_ref, NULL AS rec_id, "
        "NULL AS email, NULL AS phone, b.sign AS field, "
        "CASE b.sign "
        "WHEN 'column' THEN 'a column named ''' || b.label || ''': a newsletter register' "
        "WHEN 'sheet' THEN 'a sheet named ''' || b.label || ''': a newsletter register' "
        "WHEN 'list-unsubscribe' THEN 'a message from ' || b.label || "
        "' with a List-Unsubscribe header: a bulk mailing' "
        "WHEN 'precedence-bulk' THEN 'a message from ' || b.label || "
        "' with Precedence: bulk: a bulk mailing' "
        "ELSE 'one message from ' || b.label || ' to ' || b.n || "
        "' external recipients: a bulk mailing' END "
        f"|| {sql_str(promise)} AS detail, {sql_str(nl.severity)} AS severity, "
        "CASE b.sign "
        "WHEN 'column' THEN 'sarake nimeltä ''' || b.label || ''': uutiskirjerekisteri' "
        "WHEN 'sheet' THEN 'välilehti nimeltä ''' || b.label || ''': uutiskirjerekisteri' "
        "WHEN 'list-unsubscribe' THEN 'viesti osoitteesta ' || b.label || "
        "', jossa on List-Unsubscribe-otsake: joukkopostitus' "
        "WHEN 'precedence-bulk' THEN 'viesti osoitteesta ' || b.label || "
        "', jossa on otsake Precedence: bulk: joukkopostitus' "
        "ELSE 'yksi viesti osoitteesta ' || b.label || ' ' || b.n || "
        "' ulkoiselle vastaanottajalle: joukkopostitus' END "
        f"|| {sql_str(promise_fi)} AS detail_fi "
        "FROM (SELECT * FROM {batch}) b "
        f"WHERE (b.sign IN ('column', 'sheet') AND ({named})) "
        f"OR (b.sign IN ('list-unsubscribe', 'precedence-bulk', 'recipients') AND ({own}) "
        f"AND (b.sign <> 'recipients' OR b.n >= {int(nl.bulk_recipients)}))"
    )
    return [Rule(nl.rule, CATEGORY, nl.section, "signs", sql,
                 "Signs of a newsletter register or bulk mailing the statement promises not "
                 "to have", severities=(nl.severity,), provision="GDPR 5(1)(b); GDPR 13(1)(c)")]


def build(ctx: RunContext) -> list[Rule]:
    sql = (
        "SELECT 'statement' AS source, 'statement' AS source_kind, "
        "'tietosuojaseloste' AS source_file, '§' || section AS record_ref, NULL AS rec_id, "
        "NULL AS email, NULL AS phone, check_id AS field, "
        "detail, severity, detail_fi FROM (SELECT * FROM {batch}) b WHERE failed"
    )
    checks = _checks(ctx)
    return [
        Rule(
            "S-statement",
            CATEGORY,
            "",
            "statement_checks",
            sql,
            "Gaps and contradictions in the privacy statement itself",
            # the checks' severities (statement_checks), whatever the audit date
            severities=tuple(sorted({c.severity for c in checks})),
            provision=INFORMATION,
            field_provisions={c.check_id: c.provision for c in checks},
            checks={c.check_id: c.section for c in checks},
        ),
        *_newsletter(ctx),
    ]


#: what each rule checks and the owners' action, fi/en (see :data:`audit_kit.rules.RuleTexts`)
TEXTS: dict[str, RuleTexts] = {
    "S-statement": {
        "checks": {
            "fi": "Selosteen omat puutteet ja ristiriidat.",
            "en": "Gaps and contradictions in the statement itself.",
        },
        "action": {
            "fi": "Päivitä tietosuojaseloste: {n} kohtaa (ks. alla).",
            "en": "Update the privacy statement: {n} points (see below).",
        },
    },
    "S-newsletter": {
        "checks": {
            "fi": "Merkki uutiskirjeestä tai joukkopostituksesta, vaikka seloste lupaa, ettei "
                  "uutiskirjettä eikä sen rekisteriä ole (§6).",
            "en": "Signs of a newsletter register or bulk mailing, although the statement "
                  "promises none (§6).",
        },
        "action": {
            "fi": "Lopeta joukkopostitus tai poista uutiskirjerekisteri ({source}: {n} "
                  "merkkiä), tai kerro uutiskirjeestä selosteessa ja pyydä sille "
                  "suostumus. Tekijä: selosteen §2 vastuuhenkilö, heti.",
            "en": "Stop the bulk mailing or remove the newsletter register ({source}: {n} "
                  "signs), or describe the newsletter in the statement and ask consent for "
                  "it. By: the person responsible (statement §2), now.",
        },
        "action_1": {
            "fi": "Lopeta joukkopostitus tai poista uutiskirjerekisteri ({source}), tai "
                  "kerro uutiskirjeestä selosteessa ja pyydä sille suostumus. Tekijä: "
                  "selosteen §2 vastuuhenkilö, heti.",
            "en": "Stop the bulk mailing or remove the newsletter register ({source}), or "
                  "describe the newsletter in the statement and ask consent for it. By: the "
                  "person responsible (statement §2), now.",
        },
    },
}

FAMILY = RuleFamily("statement", CATEGORY, build, TEXTS, (STATEMENT_CHECKS,))

#: each of the library's statement checks (an S-statement finding's field) in plain words,
#: fi/en; a check the policy defines (``unmentioned_transfers``) has its own text there
#: (:func:`check_texts`). The texts name no system or provider: the finding's detail does.
CHECK_TEXTS: dict[str, dict[str, str]] = {
    "S-privacy-shield": {
        "fi": "Seloste vetoaa Privacy Shieldiin, joka on ollut pätemätön 16.7.2020 alkaen. Nimeä pätevä siirtoperuste.",
        "en": "The statement relies on Privacy Shield, invalid since 16 July 2020. Name a valid mechanism.",
    },
    "S-no-transfers-claim": {
        "fi": "Seloste sanoo, ettei tietoja siirretä EU:n ulkopuolelle, mutta osa järjestelmistä on EU/ETA-alueen ulkopuolella (ks. lisätiedot).",
        "en": "The statement says no data leaves the EU, but some systems are outside the EU/EEA (see the detail).",
    },
    "S-backup-transfer": {
        "fi": "Varmuuskopiot voivat siirtyä EU:n ulkopuolelle ilman nimettyä perustetta.",
        "en": "Backups may leave the EU/EEA without a named mechanism.",
    },
    "S-legal-basis": {
        "fi": "Käsittelyn oikeusperustetta ei ole nimetty yhdellekään tarkoitukselle.",
        "en": "No legal basis is named for any purpose.",
    },
    "S-purposes": {
        "fi": "Kaikkia käyttötarkoituksia ei kerrota (esimerkiksi laskutus ja kirjanpito, sähköpostikirjeenvaihto). Lisää ne selosteen kohtaan 4.",
        "en": "Not every purpose is named (e.g. invoicing and accounting, e-mail correspondence). Add them to section 4.",
    },
    "S-legitimate-interest": {
        "fi": "Mahdollisille asiakkaille suunnatun markkinoinnin oikeutettua etua ei nimetä. Kerro, mikä etu on.",
        "en": "No legitimate interest is named for marketing to prospects. Say what it is.",
    },
    "S-accounting-retention": {
        "fi": "Seloste ei kerro laskujen säilyttämisestä kirjanpitolain mukaan, ja sen lupaus poistaa tiedot asiakkuuden päätyttyä on ristiriidassa sen kanssa. Kerro kirjanpitoaineiston säilytysaika.",
        "en": "The statement says nothing of keeping invoices under the Accounting Act, and its promise to delete data when the customer relationship ends contradicts it. State the accounting retention.",
    },
    "S-recipients": {
        "fi": "Tietoja käsittelevät palveluntarjoajat (esimerkiksi postipalvelin, laskutusohjelma, varmuuskopiot) puuttuvat vastaanottajista. Nimeä ne.",
        "en": "The processors holding the data (e.g. mail server, billing software, backups) are not named as recipients. Name them.",
    },
    "S-sources": {
        "fi": "Seloste väittää, että jokainen antaa tietonsa itse, mutta osa tiedoista tulee muualta (esimerkiksi laskujen yhteyshenkilöt, markkinointilistat). Kerro tietolähteet.",
        "en": "The statement claims everyone gives their data themselves, but some come from others (e.g. invoice contacts, prospect lists). Name the sources.",
    },
    "S-objection": {
        "fi": "Vastustamisoikeus esitetään ehdollisena (vain väärinkäytöstä). Se on ehdoton suoramarkkinoinnissa ja koskee kaikkea oikeutettuun etuun perustuvaa käsittelyä. Korjaa kohta 8.",
        "en": "The right to object is presented as conditional (only on misuse). It is unconditional for direct marketing and covers all processing on legitimate interests. Correct section 8.",
    },
    "S-weblog-retention": {
        "fi": "Verkkosivun lokien (IP-osoitteet) säilytysaikaa ei kerrota.",
        "en": "No retention period is stated for web logs (IP addresses).",
    },
    "S-portability": {
        "fi": "Oikeutta siirtää tiedot järjestelmästä toiseen ei mainita.",
        "en": "The right to data portability is not listed.",
    },
    "S-restriction": {
        "fi": "Oikeutta rajoittaa käsittelyä ei mainita.",
        "en": "The right to restriction of processing is not listed.",
    },
}
