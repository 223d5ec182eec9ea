# ruff: noqa: E501  (a text table: one entry per line reads best)
"""What the audit covers, section by section of the statement (READING.md's sections).

What must stay true: a section's status is computed from the rules this installation
has (:func:`audit_kit.rules.rule_categories` and the statement checks), never claimed:
``checked`` when a rule checks it and nothing is left to do by hand, ``partly`` when a
rule checks part of it and the rest (``manual``) is by hand, ``manual`` (not checkable
from the data) when no rule checks it. The no-newsletter promise of §6 counts as checked
only once a rule whose id names a newsletter exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    section: str
    title: dict[str, str]
    #: rule ids or statement-check ids (or, ending in ``*``, an id fragment) that check it
    rules: tuple[str, ...]
    checked: dict[str, str]
    manual: dict[str, str]
    status: str = ""
    #: what to do by hand while no rule checks it (default: ``manual``)
    unchecked: dict[str, str] | None = None

    def how(self, lang: str) -> str:
        if self.status == "manual":
            return (self.unchecked or self.manual)[lang]
        return " ".join(p for p in (self.checked[lang], self.status == "partly" and self.manual[lang]) if p)


SECTIONS: tuple[Section, ...] = (
    Section("§1", {"fi": "Rekisterinpitäjä", "en": "Controller"}, ("policy",),
            {"fi": "Y-tunnuksen tarkiste tarkistetaan.", "en": "The business ID's check digit is verified."},
            {"fi": "Käsin: osoite ja puhelin ovat ajan tasalla.", "en": "By hand: address and phone are current."}),
    Section("§2", {"fi": "Vastuuhenkilö", "en": "Person responsible"}, (),
            {"fi": "", "en": ""},
            {"fi": "Käsin: nimetty henkilö hoitaa yhä rekisteriasiat ja info@-osoite toimii.", "en": "By hand: the person named still handles the registers and the info@ mailbox works."}),
    Section("§3", {"fi": "Kenen tietoja", "en": "Whose data"}, ("policy",),
            {"fi": "Oman verkkotunnuksen ja yhteisten postilaatikoiden osoitteet eivät ole rekisteröityjä.", "en": "Addresses on the own domain and shared mailboxes are not data subjects."},
            {"fi": "Käsin: rekistereissä ei ole muita ryhmiä (työntekijät, työnhakijat).", "en": "By hand: the registers hold no other groups (staff, job applicants)."}),
    Section("§4", {"fi": "Käyttötarkoitukset", "en": "Purposes"}, ("S-legal-basis",),
            {"fi": "Oikeusperusteen puuttuminen (S-legal-basis).", "en": "A missing legal basis (S-legal-basis)."},
            {"fi": "Käsin: tietoja ei käytetä muuhun kuin selosteen tarkoituksiin.", "en": "By hand: data is used for the stated purposes only."}),
    Section("§5", {"fi": "Kerättävät tiedot", "en": "Data kept"}, ("M-field", "M-unclassified"),
            {"fi": "Jokainen tietokenttä luokitellaan (M-field, M-unclassified).", "en": "Every field is classified (M-field, M-unclassified)."},
            {"fi": "", "en": ""}),
    Section("§6", {"fi": "Säilytysaika", "en": "Retention"}, ("R-customer", "R-service", "R-marketing", "R-email", "R-maillog", "R-invoice"),
            {"fi": "Säilytysajat rooleittain ja kirjanpitolain säilytys (R-…).", "en": "Retention per role and the Accounting Act's (R-…)."},
            {"fi": "", "en": ""}),
    Section("§6", {"fi": "Ei uutiskirjettä", "en": "No newsletter"}, ("*newsletter*",),
            {"fi": "Merkit uutiskirjerekisteristä tai joukkopostituksesta.", "en": "Signs of a newsletter register or bulk mailing."},
            {"fi": "", "en": ""},
            unchecked={"fi": "Ei vielä sääntöä: tarkista käsin, ettei uutiskirjeitä lähetetä eikä tilaajalistaa pidetä.", "en": "No rule yet: check by hand that no newsletter is sent and no subscriber list kept."}),
    Section("§7", {"fi": "Tietolähteet", "en": "Sources of data"}, ("S-sources",),
            {"fi": "Seloste vs. muualta saadut tiedot (S-sources).", "en": "The statement against data from others (S-sources)."},
            {"fi": "Käsin: mistä kukin rekisteri on saatu.", "en": "By hand: where each register came from."}),
    Section("§8", {"fi": "Rekisteröidyn oikeudet", "en": "Data-subject rights"}, ("R-ban", "R-erasure", "R-tombstone", "S-portability", "S-restriction"),
            {"fi": "Kiellot, poistopyynnöt ja poistettujen paluu (R-ban, R-erasure, R-tombstone); selosteen oikeusluettelo.", "en": "Bans, erasure requests and erased people returning (R-ban, R-erasure, R-tombstone); the statement's list of rights."},
            {"fi": "Käsin: tarkastus- ja oikaisupyynnöt on vastattu ajallaan (audit-kit subject).", "en": "By hand: access and rectification requests answered in time (audit-kit subject)."}),
    Section("§9", {"fi": "Luovutukset", "en": "Disclosures"}, (),
            {"fi": "", "en": ""},
            {"fi": "Käsin: tietoja ei luovuteta; käsittelijäsopimus (Netplaza Oy) on voimassa.", "en": "By hand: no disclosures; the processor agreement (Netplaza Oy) is in force."}),
    Section("§10", {"fi": "Siirrot EU:n ulkopuolelle", "en": "Transfers outside the EU"}, ("T-system", "S-privacy-shield", "S-no-transfers-claim"),
            {"fi": "Järjestelmäluettelo ja siirtoperusteet tarkastuspäivänä (T-…, S-…).", "en": "The systems inventory and transfer mechanisms as of the audit date (T-…, S-…)."},
            {"fi": "", "en": ""}),
    Section("§11", {"fi": "Suojaus", "en": "Security"}, (),
            {"fi": "", "en": ""},
            {"fi": "Käsin: salasanat vaihdetaan 3 kk välein, tulosteet hävitetään, paperit lukitussa kaapissa.", "en": "By hand: passwords changed every 3 months, printouts destroyed, paper locked away."}),
    Section("§12", {"fi": "Evästeet ja verkkosivu", "en": "Cookies and website"}, ("S-wordfence", "S-weblog-retention"),
            {"fi": "Selosteen puutteet (S-wordfence, S-weblog-retention).", "en": "The statement's gaps (S-wordfence, S-weblog-retention)."},
            {"fi": "Käsin: verkkosivun lokit eivät ole aineistossa.", "en": "By hand: the website's logs are not in the data."}),
)


def known_checks() -> set[str]:
    """Every rule id and statement-check id this installation has (and ``policy``: the
    policy's own validation at load)."""
    from audit_kit.rules import rule_categories
    from audit_kit.rules.statement import CHECK_TEXTS

    return set(rule_categories()) | set(CHECK_TEXTS) | {"policy"}


def _present(rule: str, known: set[str]) -> bool:
    if rule.startswith("*") and rule.endswith("*"):
        return any(rule.strip("*").lower() in k.lower() for k in known)
    return rule in known


def sections(known: set[str] | None = None) -> list[Section]:
    """:data:`SECTIONS` with each one's status computed from *known* (default: the rules
    installed)."""
    known = known_checks() if known is None else known
    out = []
    for s in SECTIONS:
        has = any(_present(r, known) for r in s.rules)
        status = ("partly" if s.manual["fi"] else "checked") if has else "manual"
        out.append(Section(s.section, s.title, s.rules, s.checked, s.manual, status, s.unchecked))
    return out
