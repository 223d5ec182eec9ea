"""Every label and action text of the report, in Finnish and English (one catalogue)."""

from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    "title": {"fi": "Tietosuojan neljännesvuositarkastus", "en": "Quarterly privacy audit"},
    "as_of": {"fi": "Tarkastuspäivä", "en": "Audit date"},
    "verdicts": {"fi": "Pitääkö seloste lupauksensa?", "en": "Does the statement keep its promises?"},
    "kept": {"fi": "Lupaus pitää", "en": "Promise kept"},
    "broken": {"fi": "Lupaus ei pidä", "en": "Promise broken"},
    "warn": {"fi": "Huomioitavaa", "en": "Needs attention"},
    "key_figures": {"fi": "Tunnusluvut", "en": "Key figures"},
    "people": {"fi": "Henkilöitä rekistereissä", "en": "People in the registers"},
    "sources": {"fi": "Lähteet", "en": "Sources"},
    "source": {"fi": "Lähde", "en": "Source"},
    "kind": {"fi": "Tyyppi", "en": "Kind"},
    "read": {"fi": "Luettu", "en": "Read"},
    "loaded": {"fi": "Ladattu", "en": "Loaded"},
    "rejected": {"fi": "Hylätty", "en": "Rejected"},
    "rules": {"fi": "Säännöt ja toimenpiteet", "en": "Rules and actions"},
    "rule": {"fi": "Sääntö", "en": "Rule"},
    "checks": {"fi": "Mitä tarkistetaan", "en": "What it checks"},
    "count": {"fi": "Havaintoja", "en": "Findings"},
    "action": {"fi": "Toimenpide", "en": "Action"},
    "findings": {"fi": "Havainnot", "en": "Findings"},
    "severity": {"fi": "Vakavuus", "en": "Severity"},
    "category": {"fi": "Luokka", "en": "Category"},
    "subject": {"fi": "Henkilö", "en": "Person"},
    "place": {"fi": "Sijainti", "en": "Place"},
    "detail": {"fi": "Selite", "en": "Detail"},
    "field": {"fi": "Kenttä", "en": "Field"},
    "evidence": {"fi": "Liite: aineisto ja versiot", "en": "Appendix: evidence and versions"},
    "file": {"fi": "Tiedosto", "en": "File"},
    "pseudonymised": {"fi": "Henkilöt on pseudonymisoitu. Nimet ja osoitteet näkyvät vain --reveal -valinnalla.",
                      "en": "People are pseudonymised. Names and addresses are shown only with --reveal."},
    "none": {"fi": "Ei havaintoja.", "en": "No findings."},
    "error": {"fi": "virhe", "en": "error"},
    "warning": {"fi": "varoitus", "en": "warning"},
    "info": {"fi": "tieto", "en": "info"},
    "retention": {"fi": "Säilytysaika", "en": "Retention"},
    "minimisation": {"fi": "Tarpeellisuus (kerättävät tiedot)", "en": "Minimisation (fields kept)"},
    "transfer": {"fi": "Siirrot EU/ETA-alueen ulkopuolelle", "en": "Transfers outside the EU/EEA"},
    "rights": {"fi": "Rekisteröidyn oikeudet", "en": "Data-subject rights"},
    "statement": {"fi": "Selosteen omat puutteet", "en": "Gaps in the statement itself"},
    "integrity": {"fi": "Aineiston eheys", "en": "Data integrity"},
    "manual": {"fi": "Käsin tarkistettavat (§11): salasanojen vaihto 3 kk välein, tulosteiden hävitys, lukitut kaapit.",
               "en": "Manual checks (§11): passwords changed every 3 months, printouts destroyed, locked cabinets."},
    "tool": {"fi": "Työkalu ja versiot", "en": "Tool and versions"},
    "policy": {"fi": "Käytäntö (policy)", "en": "Policy"},
}

#: per category: the statement section it audits
SECTIONS = {"minimisation": "§5", "retention": "§6", "rights": "§8", "transfer": "§10",
            "statement": "§4, §8, §10, §12", "integrity": "—"}

RULES: dict[str, dict[str, dict[str, str]]] = {
    "R-customer": {
        "checks": {"fi": "Päättyneen asiakkuuden yhteyshenkilö on yhä rekisterissä yli 6 kk päättymisen jälkeen.",
                   "en": "Contact persons of customers whose relationship ended over 6 months ago."},
        "action": {"fi": "Poista nämä {n} yhteyshenkilöä asiakasrekisteristä.",
                   "en": "Remove these {n} contact persons from the customer register."}},
    "R-service": {
        "checks": {"fi": "Käytöstä poistetun huoltosopimuslaitteen pääkäyttäjä on yhä listalla yli 6 kk jälkeen.",
                   "en": "Main users of service-contract devices retired over 6 months ago."},
        "action": {"fi": "Poista nämä {n} yhteyshenkilöä huoltosopimuslistalta.",
                   "en": "Remove these {n} contact persons from the service-contract list."}},
    "R-marketing": {
        "checks": {"fi": "Markkinointilistalla henkilö, jota ei ole markkinoitu 6 kuukauteen.",
                   "en": "Prospects not marketed to for over 6 months."},
        "action": {"fi": "Poista nämä {n} henkilöä markkinointilistalta.",
                   "en": "Remove these {n} people from the marketing list."}},
    "R-email": {
        "checks": {"fi": "Vain sähköpostista tunnettu henkilö, jonka viimeisin viesti on yli 6 kk vanha.",
                   "en": "Correspondents known only from mail whose latest message is over 6 months old."},
        "action": {"fi": "Poista näiden {n} henkilön viestit ja osoitteet postilaatikoista.",
                   "en": "Delete the mail and addresses of these {n} correspondents."}},
    "R-maillog": {
        "checks": {"fi": "Postipalvelimen lokirivit ovat yli 6 kk vanhoja.",
                   "en": "Mail-server log lines older than 6 months."},
        "action": {"fi": "Pyydä Netplaza Oy:tä siivoamaan lokit ({n} osoitetta).",
                   "en": "Ask Netplaza Oy to clean the logs ({n} addresses)."}},
    "R-invoice": {
        "checks": {"fi": "Lasku on kirjanpitolain 6 vuoden säilytysajan ulkopuolella.",
                   "en": "Invoices past the Accounting Act's six-year retention."},
        "action": {"fi": "Poista tai anonymisoi nämä {n} laskua.",
                   "en": "Delete or anonymise these {n} invoices."}},
    "M-field": {
        "checks": {"fi": "Tieto, jota seloste (§5) ei salli: kotiosoite, kotipuhelin, syntymäaika, henkilötunnus, valokuva.",
                   "en": "Data the statement (§5) does not allow: home address, home phone, birthday, identity code, photo."},
        "action": {"fi": "Poista nämä {n} tietoa lähteistään.",
                   "en": "Delete these {n} values from their sources."}},
    "T-system": {
        "checks": {"fi": "Henkilö on järjestelmässä, jota säilytetään EU/ETA-alueen ulkopuolella ilman pätevää siirtoperustetta.",
                   "en": "People in systems stored outside the EU/EEA without a valid transfer mechanism."},
        "action": {"fi": "Siirrä puhelimien varmuuskopiot EU-palveluun tai sovi pätevästä siirtoperusteesta ({n} henkilöä).",
                   "en": "Move the phone backups to an EU service or put a valid mechanism in place ({n} people)."}},
    "R-ban": {
        "checks": {"fi": "Markkinointia suoramarkkinointikiellon jälkeen.",
                   "en": "Marketing dated after a direct-marketing ban."},
        "action": {"fi": "Lopeta markkinointi näille {n} henkilölle ja merkitse kielto listaan.",
                   "en": "Stop marketing to these {n} people and mark the ban in the list."}},
    "R-erasure": {
        "checks": {"fi": "Poistopyynnön määräaika (1 kk) on umpeutunut ja henkilö on yhä tallessa.",
                   "en": "Erasure requests past their one-month deadline with the person still present."},
        "action": {"fi": "Poista henkilön tiedot näistä {n} paikasta.",
                   "en": "Delete the person's data from these {n} places."}},
    "R-erasure-open": {
        "checks": {"fi": "Avoin poistopyyntö, määräaika ei vielä umpeutunut.",
                   "en": "Open erasure requests still inside their deadline."},
        "action": {"fi": "Käsittele nämä {n} pyyntöä kuukauden kuluessa.",
                   "en": "Handle these {n} requests within the month."}},
    "S-statement": {
        "checks": {"fi": "Selosteen omat puutteet ja ristiriidat.",
                   "en": "Gaps and contradictions in the statement itself."},
        "action": {"fi": "Päivitä tietosuojaseloste ({n} kohtaa).",
                   "en": "Update the privacy statement ({n} points)."}},
    "I-rejected": {
        "checks": {"fi": "Lähteen rivejä, joita ei voitu lukea.",
                   "en": "Source records that could not be read."},
        "action": {"fi": "Tarkista hylätyt rivit ({n} lähdettä) ja vie aineisto uudelleen.",
                   "en": "Check the rejected records ({n} sources) and export again."}},
    "I-reconcile": {
        "checks": {"fi": "Luetut = ladatut + hylätyt jokaisessa lähteessä.",
                   "en": "Read = loaded + rejected in every source."},
        "action": {"fi": "Ilmoita virheestä työkalun ylläpitäjälle.",
                   "en": "Report this to the tool's maintainers."}},
}


def t(key: str, lang: str) -> str:
    return CATALOGUE[key][lang]
