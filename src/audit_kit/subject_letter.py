"""The two documents of an access-request answer (:class:`audit_kit.subject.AccessReport`).

**The letter** goes to the person, in one language (fi or en), and carries every item
of GDPR Art. 15(1) and 15(2): the purposes per record, the categories of data (with a
copy of the values, Art. 15(3)), the recipients, the retention period or its criteria,
the rights (rectification, erasure, restriction, objection, portability) and the
complaint to the supervisory authority, the source of data not collected from the
person, automated decision-making, transfers outside the EU/EEA with the safeguard on
record, and the controller's contact details. Everything is in plain words: field
classes and source places have human labels, never a column name, file or record
reference. It holds nothing internal: no erasure plan, no commands, no rule ids, no
verdicts beyond what the rules' findings say ("no longer needed, we erase them").

**The internal sheet** is for the company: how the person was searched for, which
sources were searched, the findings for this person, and the erasure plan.

Every value from the inputs passes :func:`audit_kit.safe_output.html_text`.
"""

from __future__ import annotations

import datetime as dt

from audit_kit.safe_output import html_text as esc

_COUNTS_FROM = {
    "ended_on": {"fi": "sen päättymisestä", "en": "after it ends"},
    "last_activity": {"fi": "viimeisimmästä yhteydenpidosta", "en": "after the latest contact"},
    "requested_on": {"fi": "pyynnöstä", "en": "after the request"},
}

_L = {
    "title": {"fi": "Vastaus tietopyyntöönne", "en": "Answer to your access request"},
    "intro": {
        "fi": "Pyysitte tietoa siitä, mitä henkilötietoja {org} käsittelee teistä (EU:n yleinen "
              "tietosuoja-asetus, 15 artikla). Tässä vastauksemme. Tiedot ovat {date} "
              "tilanteen mukaiset.",
        "en": "You asked which personal data {org} processes about you (EU General Data "
              "Protection Regulation, Article 15). This is our answer. It shows the data as "
              "of {date}."},
    "searched": {
        "fi": "Haimme tietojanne tunnisteilla {idents} kaikista rekistereistämme: {places}.",
        "en": "We searched all our registers for {idents}, reading the data {places}."},
    "none": {
        "fi": "Näistä lähteistä ei löytynyt teihin liittyviä tietoja näillä tunnisteilla. Jos "
              "olette asioineet kanssamme toisella sähköpostiosoitteella tai puhelinnumerolla, "
              "kertokaa se meille, niin haemme myös sillä.",
        "en": "These sources hold no data linked to you under these identifiers. If you "
              "have dealt with us under another e-mail address or phone number, tell us and "
              "we will search for that too."},
    "held_h": {"fi": "Teistä käsittelemämme tiedot", "en": "The data we process about you"},
    "held": {"fi": "Löysimme teistä {n} merkintää. Jokaisesta kerromme, mistä se on, mihin "
                   "sitä käytetään, mitä tietoja siinä on ja kuinka kauan sitä säilytetään.",
             "en": "We found {n} entries about you. For each we say where it is, what it is "
                   "used for, which data it holds and how long it is kept."},
    "held_1": {"fi": "Löysimme teistä yhden merkinnän. Kerromme, mistä se on, mihin sitä "
                     "käytetään, mitä tietoja siinä on ja kuinka kauan sitä säilytetään.",
               "en": "We found one entry about you. We say where it is, what it is used for, "
                     "which data it holds and how long it is kept."},
    "purpose": {"fi": "Käyttötarkoitus", "en": "Purpose"},
    "categories": {"fi": "Tietoryhmät", "en": "Categories of data"},
    "values": {"fi": "Tiedot", "en": "The data"},
    "retention": {"fi": "Säilytysaika", "en": "Retention"},
    "origin": {"fi": "Mistä tiedot on saatu", "en": "Where the data came from"},
    "from_you": {"fi": "Olette antaneet tiedot itse.", "en": "You gave us these data yourself."},
    "stored": {"fi": "Tietoja käsittelee puolestamme", "en": "Processed for us by"},
    "in_house": {"fi": "Vain yrityksen omat järjestelmät.", "en": "Only our own systems."},
    "ended": {"fi": "Tietoja ei enää tarvita tähän käyttötarkoitukseen, ja poistamme ne.",
              "en": "These data are no longer needed for this purpose, and we are erasing "
                    "them."},
    "statutory": {
        "fi": "Kirjanpitolaki velvoittaa säilyttämään laskut {years} vuotta tilikauden "
              "päättymisestä ({law}).",
        "en": "The Accounting Act requires us to keep invoices for {years} years from the "
              "end of the financial year ({law})."},
    "statutory_until": {"fi": " Tämä lasku säilytetään {date} asti.",
                        "en": " This invoice is kept until {date}."},
    "period": {
        "fi": "Säilytämme tietoja niin kauan kuin jokin tässä vastauksessa mainituista "
              "käyttötarkoituksista on voimassa. Kun tämä käyttötarkoitus päättyy, poistamme "
              "tiedot viimeistään {months} kuukauden kuluttua {event}.",
        "en": "We keep these data while any purpose named in this answer lasts. When this "
              "purpose ends, we erase them at the latest {months} months {event}."},
    "kept_for": {"fi": "Säilytämme tietoja: {what}.", "en": "We keep these data: {what}."},
    "unknown": {"fi": "Säilytämme tietoja vain niin kauan kuin ne ovat tarpeen.",
                "en": "We keep these data only as long as they are needed."},
    "recipients_h": {"fi": "Vastaanottajat", "en": "Recipients"},
    "recipients": {
        "fi": "Emme luovuta tietojanne muille. Seuraavat palveluntarjoajat käsittelevät "
              "tietojanne puolestamme:",
        "en": "We do not disclose your data to others. These service providers process "
              "your data on our behalf:"},
    "no_recipients": {"fi": "Tietojanne käsitellään vain yrityksen omissa järjestelmissä.",
                      "en": "Your data are processed only in our own systems."},
    "transfers_h": {"fi": "Siirrot EU:n ja ETA-alueen ulkopuolelle",
                    "en": "Transfers outside the EU and the EEA"},
    "transfer": {"fi": "{who}: tietoja säilytetään EU:n ja ETA-alueen ulkopuolella. "
                       "Siirron suojatoimi: {mechanism}.",
                 "en": "{who}: the data are stored outside the EU and the EEA. The "
                       "safeguard for the transfer: {mechanism}."},
    "no_transfers": {"fi": "Tietojanne ei siirretä EU:n ja ETA-alueen ulkopuolelle.",
                     "en": "Your data are not transferred outside the EU and the EEA."},
    "automated_h": {"fi": "Automaattinen päätöksenteko", "en": "Automated decision-making"},
    "automated_no": {"fi": "Emme tee teitä koskevia automaattisia päätöksiä emmekä profiloi "
                           "teitä (22 artikla).",
                     "en": "We make no automated decisions about you and do not profile you "
                           "(Article 22)."},
    "automated_yes": {"fi": "Käsittelyyn sisältyy automaattista päätöksentekoa (22 artikla); "
                            "kerromme siitä lisää pyynnöstä.",
                      "en": "The processing includes automated decision-making (Article "
                            "22); ask us for details."},
    "rights_h": {"fi": "Oikeutenne", "en": "Your rights"},
    "rights": {
        "fi": [
            "Oikeus tarkastaa tietonne: tämä vastaus (15 artikla).",
            "Oikeus tietojen oikaisemiseen: voitte pyytää korjaamaan virheelliset ja "
            "täydentämään puutteelliset tietonne (16 artikla).",
            "Oikeus tietojen poistamiseen: voitte pyytää poistamaan tietonne (17 artikla). "
            "Tietoja, jotka laki velvoittaa säilyttämään, kuten kirjanpitoon kuuluvia "
            "laskuja, säilytämme lain vaatiman ajan.",
            "Oikeus käsittelyn rajoittamiseen: voitte pyytää rajoittamaan tietojenne "
            "käsittelyä esimerkiksi siksi ajaksi, kun tietojen paikkansapitävyyttä "
            "tarkistetaan (18 artikla).",
            "Vastustamisoikeus: voitte vastustaa tietojenne käsittelyä erityiseen "
            "tilanteeseenne liittyvällä perusteella (21 artiklan 1 kohta), ja voitte milloin "
            "tahansa kieltää käyttämästä tietojanne suoramarkkinointiin (21 artiklan 2 ja "
            "3 kohta).",
            "Oikeus siirtää tiedot järjestelmästä toiseen: voitte saada itse antamanne "
            "tiedot koneluettavassa muodossa ja siirtää ne toiselle rekisterinpitäjälle, "
            "kun käsittely perustuu suostumukseen tai sopimukseen (20 artikla).",
        ],
        "en": [
            "Right of access: this answer (Article 15).",
            "Right to rectification: you may ask us to correct inaccurate data and complete "
            "incomplete data (Article 16).",
            "Right to erasure: you may ask us to erase your data (Article 17). Data the law "
            "requires us to keep, such as invoices in the accounts, are kept for the period "
            "the law requires.",
            "Right to restriction of processing: you may ask us to restrict the processing "
            "of your data, for example while their accuracy is checked (Article 18).",
            "Right to object: you may object to the processing of your data on grounds "
            "relating to your particular situation (Article 21(1)), and you may at any time "
            "forbid us to use your data for direct marketing (Article 21(2) and (3)).",
            "Right to data portability: you may receive the data you gave us in a "
            "machine-readable format and have them moved to another controller, where the "
            "processing is based on consent or a contract (Article 20).",
        ]},
    "requests": {"fi": "Pyynnöt voitte lähettää osoitteeseen {email} tai {org}, {address}.",
                 "en": "Send requests to {email} or {org}, {address}."},
    "complaint": {
        "fi": "Teillä on oikeus tehdä valitus valvontaviranomaiselle, jos katsotte, että "
              "tietojenne käsittelyssä rikotaan tietosuojalainsäädäntöä (77 artikla):",
        "en": "You have the right to lodge a complaint with the supervisory authority if "
              "you consider that the processing of your data breaks data-protection law "
              "(Article 77):"},
    "controller_h": {"fi": "Rekisterinpitäjä", "en": "The controller"},
    "controller": {"fi": "{org} (Y-tunnus {bid}), {address}, puh. {phone}, {email}. "
                         "Tietosuoja-asioista vastaa {contact}.",
                   "en": "{org} (business ID {bid}), {address}, tel. {phone}, {email}. "
                         "The person responsible for data protection is {contact}."},
    "phone_label": {"fi": "puh.", "en": "tel."},
}


def _date(d: str | dt.date, lang: str) -> str:
    d = dt.date.fromisoformat(d) if isinstance(d, str) else d
    if lang == "fi":
        return f"{d.day}.{d.month}.{d.year}"
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _join(items: list[str], lang: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + (" ja " if lang == "fi" else " and ") + items[-1]


def _t(key: str, lang: str, **kw) -> str:
    """A letter text, the values escaped (the text itself is ours)."""
    return _L[key][lang].format(**{k: esc(str(v)) for k, v in kw.items()})


def _retention_text(ret: dict, lang: str) -> str:
    status = ret["status"]
    if status == "ended":
        return _t("ended", lang)
    if status == "statutory":
        text = _t("statutory", lang, years=ret["years"], law=ret["law"])
        if ret.get("until"):
            text += _t("statutory_until", lang, date=_date(ret["until"], lang))
        return text
    if status == "period":
        return _t("period", lang, months=ret["months"],
                  event=_COUNTS_FROM[ret["counts_from"]][lang])
    if status == "kept_for":
        return _t("kept_for", lang, what=ret[lang])
    return _t("unknown", lang)


def _place(kind: str, lang: str) -> str:
    from audit_kit.report.i18n import place

    return place(kind, lang)


def _label(cls: str, lang: str) -> str:
    """A field class as the letter names it: the report's words
    (:data:`audit_kit.report.i18n.FIELDS`), capitalised; a value of a column nobody
    classified (or of a class the table does not know) is "other data"."""
    from audit_kit.report.i18n import FIELDS

    text = FIELDS[cls if cls in FIELDS and cls != "unclassified" else "non_personal"][lang]
    return text[:1].upper() + text[1:]


def _values(rec, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs: the record's field rows under their class's label, or its
    own identifiers when it has no field rows."""
    if rec.fields:
        return [(_label(f["field"], lang), f["value"]) for f in rec.fields]
    own = (("person_name", rec.person_name), ("org_name", rec.org_name),
           ("email", rec.email), ("phone", rec.phone))
    return [(_label(c, lang), v) for c, v in own if v]


def _head(title: str, lang: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title><style>body{{font-family:sans-serif;max-width:48em;"
            "margin:2em auto;line-height:1.4}section.record{border-top:1px solid #ccc;"
            "padding:.5em 0}dt{font-weight:bold}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.3em;vertical-align:top;text-align:left}"
            "</style></head><body>")


def letter_html(rep, lang: str) -> str:
    """The letter to the person (see the module docstring)."""
    pol = rep.policy
    aa = pol.access_answer
    org = rep.organisation
    out = [_head(_L["title"][lang], lang), f"<h1>{esc(_L['title'][lang])}</h1>",
           f"<p>{_t('intro', lang, org=org, date=_date(rep.as_of, lang))}</p>"]
    idents = _join([esc(v) for k, v in rep.searched.items() if v and k != "name"], lang)
    places = []
    for s in rep.sources_searched:
        p = _place(s["kind"], lang)
        if p not in places:
            places.append(p)
    out.append("<p>" + _L["searched"][lang].format(idents=idents,
                                                    places=_join([esc(p) for p in places], lang))
               + "</p>")
    if not rep.records:
        out.append(f"<p>{_t('none', lang)}</p>")
    else:
        held = _t("held_1", lang) if len(rep.records) == 1 else _t("held", lang,
                                                                     n=len(rep.records))
        out.append(f"<h2>{_t('held_h', lang)}</h2><p>{held}</p>")
        for rec in rep.records:
            values = _values(rec, lang)
            cats = []
            for label, _ in values:
                if label not in cats:
                    cats.append(label)
            src = aa.data_sources.get(rec.role)
            origin = esc(src(lang)) if src else _t("from_you", lang)
            who = aa.recipients.get(rec.system)
            place = _place(rec.source_kind, lang)
            out.append(
                '<section class="record">'
                f"<h3>{esc(place[:1].upper() + place[1:])}</h3><dl>"
                f"<dt>{_t('purpose', lang)}</dt><dd>{esc(rec.purpose[lang])}</dd>"
                f"<dt>{_t('categories', lang)}</dt><dd>{esc(', '.join(cats))}</dd>"
                f"<dt>{_t('values', lang)}</dt><dd>"
                + "<br>".join(f"{esc(lab)}: {esc(v)}" for lab, v in values) + "</dd>"
                f"<dt>{_t('retention', lang)}</dt>"
                f'<dd class="retention">{_retention_text(rec.retention, lang)}</dd>'
                f"<dt>{_t('origin', lang)}</dt><dd>{origin}</dd>"
                f"<dt>{_t('stored', lang)}</dt>"
                f"<dd>{esc(who(lang)) if who else _t('in_house', lang)}</dd>"
                "</dl></section>")
    if rep.records:  # recipients, transfers and decisions: of the data found
        out.extend(_processing(rep, lang))
    c, sa = aa.controller, aa.supervisory_authority
    out.append(f"<h2>{_t('rights_h', lang)}</h2><ul>"
               + "".join(f"<li>{esc(r)}</li>" for r in _L["rights"][lang]) + "</ul>"
               f"<p>{_t('requests', lang, email=c.email, org=org, address=c.address)}</p>"
               f"<p>{_t('complaint', lang)} {esc(sa.name(lang))}, {esc(sa.postal_address)}, "
               f"{_L['phone_label'][lang]} {esc(sa.phone)}, {esc(sa.email)}, {esc(sa.web)}.</p>")
    out.append(f"<h2>{_t('controller_h', lang)}</h2><p>"
               + _t("controller", lang, org=org, bid=pol.organisation.business_id,
                    address=c.address, phone=c.phone, email=c.email,
                    contact=pol.organisation.contact)
               + "</p></body></html>\n")
    return "".join(out)


def _processing(rep, lang: str) -> list[str]:
    """Art. 15(1)(c), 15(2) and 15(1)(h) for the data found: who processes it for the
    company, the transfers outside the EU/EEA, automated decision-making."""
    aa = rep.policy.access_answer
    systems = list(dict.fromkeys(rec.system for rec in rep.records))
    who = [aa.recipients[s](lang) for s in systems if s in aa.recipients]
    out = [f"<h2>{_t('recipients_h', lang)}</h2>"]
    if who:
        out.append(f"<p>{_t('recipients', lang)}</p><ul>"
                   + "".join(f"<li>{esc(w)}</li>" for w in dict.fromkeys(who)) + "</ul>")
    else:
        out.append(f"<p>{_t('no_recipients', lang)}</p>")
    out.append(f"<h2>{_t('transfers_h', lang)}</h2>")
    transfers = _transfers(rep, systems, lang)
    if transfers:
        out.append("<ul>" + "".join(f"<li>{t}</li>" for t in transfers) + "</ul>")
    else:
        out.append(f"<p>{_t('no_transfers', lang)}</p>")
    out.append(f"<h2>{_t('automated_h', lang)}</h2><p>"
               + _t("automated_yes" if aa.automated_decisions else "automated_no", lang)
               + "</p>")
    return out


def _transfers(rep, systems: list[str], lang: str) -> list[str]:
    """Art. 15(2): each of the person's systems stored outside the EU/EEA, with the
    mechanism the policy records for it (its name as the reference data gives it)."""
    from audit_kit.reference import reference

    ref = reference()
    pol, aa = rep.policy, rep.policy.access_answer
    out = []
    for name in systems:
        sys = pol.systems.get(name)
        if sys is None or not sys.personal_data or ref.in_eea(sys.country):
            continue
        mech = ref.mechanisms.get(sys.mechanism or "none", ref.mechanisms["none"])
        who = aa.recipients[name](lang) if name in aa.recipients else sys.provider
        out.append(_t("transfer", lang, who=who,
                      mechanism=mech.get("name_fi", mech["name"]) if lang == "fi"
                      else mech["name"]))
    return out


_I = {
    "title": {"fi": "Tietopyyntö: sisäinen muistio (ei lähetetä henkilölle)",
              "en": "Access request: internal sheet (not for the person)"},
    "intro": {"fi": "{org}. Auditointi {date}, ajo {run}. Vastaa henkilölle kuukauden "
                    "kuluessa pyynnön saapumisesta (tietosuoja-asetus 12 art. 3 kohta); "
                    "kirje: letter.fi.html / letter.en.html.",
              "en": "{org}. Audit as of {date}, run {run}. Answer the person within one "
                    "month of receiving the request (GDPR Art. 12(3)); the letter: "
                    "letter.fi.html / letter.en.html."},
    "how_h": {"fi": "Miten haettiin", "en": "How the search was done"},
    "how": {"fi": "Tunnisteet normalisoitiin ({idents}) ja niitä verrattiin jokaisen "
                  "tietueen omaan sähköpostiosoitteeseen ja puhelinnumeroon sekä tietueiden "
                  "yhteystietokenttiin (paikka, jonka useampi tietue jakaa, vain tietueen "
                  "omilla tunnisteilla). Löydetyistä tietueista seurattiin henkilölinkit "
                  "(subject id: {sids}). {name}",
            "en": "The identifiers were normalised ({idents}) and matched against every "
                  "record's own e-mail address and phone number and the records' "
                  "contact-point fields (a place several records share only through the "
                  "record's own identifiers). The person links of the records found were "
                  "followed (subject id: {sids}). {name}"},
    "name": {"fi": "Nimi {name} vain rajasi tuloksia.",
             "en": "The name {name} only narrowed the result."},
    "sources_h": {"fi": "Haetut lähteet", "en": "Sources searched"},
    "cols_sources": {"fi": ["Lähde", "Tyyppi", "Järjestelmä", "Tiedostoja", "Tietueita"],
                     "en": ["Source", "Kind", "System", "Files", "Records"]},
    "records_h": {"fi": "Löydetyt tietueet", "en": "Records found"},
    "cols_records": {"fi": ["Lähde", "Tiedosto", "Kohta", "Rooli", "Säilytys"],
                     "en": ["Source", "File", "Place", "Role", "Retention"]},
    "findings_h": {"fi": "Auditoinnin havainnot tästä henkilöstä",
                   "en": "The audit's findings for this person"},
    "no_findings": {"fi": "Ei havaintoja.", "en": "No findings."},
    "cols_findings": {"fi": ["Sääntö", "Vakavuus", "Lähde", "Kohta", "Kenttä", "Tieto"],
                      "en": ["Rule", "Severity", "Source", "Place", "Field", "Detail"]},
    "plan_h": {"fi": "Poistosuunnitelma (jos henkilö pyytää poistoa)",
               "en": "Erasure plan (if the person asks for erasure)"},
    "delete": {"fi": "poista", "en": "delete"},
    "keep_law": {"fi": "säilytä {until} asti ({law})", "en": "keep until {until} ({law})"},
    "keep_ban": {"fi": "säilytä: suoramarkkinointikiellon kirjaus on se, jolla kieltoa "
                       "noudatetaan",
                 "en": "keep: the ban record is how the direct-marketing ban is honoured"},
    "then": {"fi": "Poiston jälkeen kirjaa se: audit-kit forget --email … --phone … "
                   "(tunnisteista tallennetaan vain avaintiiviste).",
             "en": "After erasing, record it: audit-kit forget --email … --phone … "
                   "(only keyed hashes of the identifiers are kept)."},
    "not_found": {"fi": "Henkilöä ei löytynyt. Kirjeessä luetellaan haetut lähteet.",
                  "en": "The person was not found. The letter names the sources searched."},
}


def _status(ret: dict) -> str:
    """A record's retention status for the sheet: the status and the rule or date."""
    detail = ret.get("rules") or ret.get("until") or ret.get("rule") or ""
    return f"{ret['status']} {detail}".strip()


def _table(head: list[str], rows: list[list[str]]) -> str:
    return ("<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in r) + "</tr>"
                      for r in rows) + "</table>")


def internal_html(rep, lang: str) -> str:
    """The company's internal sheet (see the module docstring)."""
    def t(key: str, **kw) -> str:
        return _I[key][lang].format(**{k: esc(str(v)) for k, v in kw.items()})

    idents = ", ".join(v for k, v in rep.searched.items() if v and k != "name")
    out = [_head(_I["title"][lang], lang), f"<h1>{t('title')}</h1>",
           "<p>" + t("intro", org=rep.organisation, date=_date(rep.as_of, lang),
                     run=rep.run_dir) + "</p>",
           f"<h2>{t('how_h')}</h2><p>"
           + t("how", idents=idents, sids=", ".join(rep.subject_ids) or "-",
               name=_I["name"][lang].format(name=esc(rep.searched["name"]))
               if rep.searched.get("name") else "") + "</p>",
           f"<h2>{t('sources_h')}</h2>",
           _table(_I["cols_sources"][lang],
                  [[s["name"], s["kind"], s["system"], s["files"], s["records_loaded"]]
                   for s in rep.sources_searched])]
    if not rep.records:
        out.append(f"<p>{t('not_found')}</p></body></html>\n")
        return "".join(out)
    out.append(f"<h2>{t('records_h')}</h2>")
    out.append(_table(_I["cols_records"][lang],
                      [[r.source, r.file, r.record_ref, r.role, _status(r.retention)]
                       for r in rep.records]))
    out.append(f"<h2>{t('findings_h')}</h2>")
    if rep.findings:
        out.append(_table(_I["cols_findings"][lang],
                          [[f["rule_id"], f["severity"], f["source"], f["record_ref"],
                            f["field"], f["detail_fi"] if lang == "fi" and f["detail_fi"]
                            else f["detail"]] for f in rep.findings]))
    else:
        out.append(f"<p>{t('no_findings')}</p>")
    out.append(f"<h2>{t('plan_h')}</h2><ul>")
    for step in rep.erasure_plan:
        if step["action"] == "delete":
            what = t("delete")
        elif step["why"] == "ban":
            what = t("keep_ban")
        else:
            what = t("keep_law", until=step["kept_until"] or "?", law=step["law"])
        out.append(f"<li>{esc(step['source'])}, {esc(step['file'])}, "
                   f"{esc(step['record_ref'])}: {what}</li>")
    out.append(f"</ul><p>{t('then')}</p></body></html>\n")
    return "".join(out)
