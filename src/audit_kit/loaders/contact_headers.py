"""Localised contact-CSV headers: Outlook's and Thunderbird's exports in Finnish, Swedish
and German, each header cell mapped to the English column it stands for, so
:mod:`.contacts_csv` classifies one set of (English) names.

An exporter writes its headers in the language of its user interface. The tables are
built from the exporters' own column lists, not guessed:

* **Thunderbird** writes the address-book field names of its ``importMsgs.properties``
  (strings 2100-2136: First Name ... Notes, Screen Name) in the interface language;
  the fi, sv-SE and de strings are from mozilla's l10n repositories
  (thunderbird/thunderbird-l10n, ``<lang>/mail/chrome/messenger/importMsgs.properties``,
  MPL-2.0), the English ones from ``shared/corpora/contacts_csv/thunderbird``.
  Their translations are the exporter's, quirks included: Finnish 2136 (Screen Name)
  repeats 2102 "Näyttönimi"; Finnish and German "Syntymäpäivä"/"Geburtstag" are the
  *day* of the birth date (Birth Day), Swedish "Titel" is the job title.
* **Outlook** (Import/Export wizard, "Comma Separated Values") writes its 92 contact
  fields in the Office language. The fi, sv and de names are Outlook's per-language CSV
  field names as Microsoft Exchange's Outlook-CSV import reads them
  (``Microsoft.Exchange.Transport.Sync.Common.ImportContacts.OutlookCsvLanguageSelect``,
  one dictionary per Office culture, as published in public code indexes); the German
  names also match German Outlook exports quoted in open-source importers (Open-Xchange's
  CSV import tests, bytemine's Outlook-CSV writer). In these, too, one word may mean
  another column than in English: Swedish Outlook's "Hem" and "Arbete" are the home and
  business phone, Finnish Outlook's "Henkilötunnus" the Government ID Number.

The same localised word can mean different columns in the two exporters (German
"Geburtstag" is Outlook's Birthday but Thunderbird's Birth Day), so a file is translated
with the one table (exporter and language) that names most of its header cells:
:func:`translate`.
"""

from __future__ import annotations

#: English Thunderbird column names in importMsgs.properties order (2100-2136)
_TB_EN = (
    "First Name", "Last Name", "Display Name", "Nickname", "Primary Email",
    "Secondary Email", "Work Phone", "Home Phone", "Fax Number", "Pager Number",
    "Mobile Number", "Home Address", "Home Address 2", "Home City", "Home State",
    "Home ZipCode", "Home Country", "Work Address", "Work Address 2", "Work City",
    "Work State", "Work ZipCode", "Work Country", "Job Title", "Department",
    "Organization", "Web Page 1", "Web Page 2", "Birth Year", "Birth Month", "Birth Day",
    "Custom 1", "Custom 2", "Custom 3", "Custom 4", "Notes", "Screen Name",
)

_TB = {
    "fi": (
        "Etunimi", "Sukunimi", "Näyttönimi", "Lempinimi", "Ensisijainen sähköposti",
        "Toissijainen sähköposti", "Työpuhelin", "Kotipuhelin", "Faksin numero",
        "Hakulaitteen numero", "Matkapuhelinnumero", "Kotiosoite", "Kotiosoite 2",
        "Kotikaupunki", "Kodin lääni", "Kodin postinumero", "Kotimaa", "Työosoite",
        "Työosoite 2", "Työpaikan kaupunki", "Työpaikan lääni", "Työpaikan postinumero",
        "Työpaikan maa", "Ammattinimi", "Osasto", "Järjestö", "Verkkosivu 1", "Verkkosivu 2",
        "Syntymävuosi", "Syntymäkuukausi", "Syntymäpäivä", "Oma 1", "Oma 2", "Oma 3", "Oma 4",
        "Muistiinpanot", None,  # 2136 repeats "Näyttönimi" (2102): the first one wins
    ),
    "sv": (
        "Förnamn", "Efternamn", "Visa", "Smeknamn", "E-post", "Ytterligare e-post",
        "Telefon arbete", "Telefon privat", "Faxnummer", "Personsökare", "Mobiltelefon",
        "Adress privat (rad 1)", "Adress privat (rad 2)", "Stad privat",
        "Landsdel (Stat) privat", "Postnummer privat", "Land privat", "Adress arbete (rad 1)",
        "Adress arbete (rad 2)", "Stad arbete", "Landsdel (Stat) arbete", "Postnummer arbete",
        "Land arbete", "Titel", "Avdelning", "Organisation", "Webbplats privat",
        "Webbplats arbete", "Född år", "Född månad", "Född dag",
        "Annan uppgift 1", None, None, None,  # 2131-2134 are all "Annan uppgift 1"
        "Anteckningar", "Skärmnamn",
    ),
    "de": (
        "Vorname", "Nachname", "Anzeigename", "Spitzname", "Primäre E-Mail-Adresse",
        "Sekundäre E-Mail-Adresse", "Tel. dienstlich", "Tel. privat", "Fax-Nummer",
        "Pager-Nummer", "Mobil-Tel.-Nr.", "Privat: Adresse", "Privat: Adresse 2",
        "Privat: Ort", "Privat: Bundesland", "Privat: PLZ", "Privat: Land",
        "Dienstlich: Adresse", "Dienstlich: Adresse 2", "Dienstlich: Ort",
        "Dienstlich: Bundesland", "Dienstlich: PLZ", "Dienstlich: Land", "Arbeitstitel",
        "Abteilung", "Organisation", "Webseite 1", "Webseite 2", "Geburtsjahr",
        "Geburtsmonat", "Geburtstag", "Benutzerdef. 1", "Benutzerdef. 2", "Benutzerdef. 3",
        "Benutzerdef. 4", "Notizen", "Messenger-Name",
    ),
}

#: Outlook: English column -> (fi, sv, de); None where that Office language has no entry
_OUTLOOK: dict[str, tuple[str | None, str | None, str | None]] = {
    "Title": (None, "Titel", "Anrede"),
    "First Name": ("Etunimi", "Förnamn", "Vorname"),
    "Middle Name": ("Toinen nimi", "Mellannamn", "Weitere Vornamen"),
    "Last Name": ("Sukunimi", "Efternamn", "Nachname"),
    "Suffix": ("Jälkiliite", "Namnsuffix", "Suffix"),
    "Company": ("Yritys", "Företag", "Firma"),
    "Department": ("Osasto", "Avdelning", "Abteilung"),
    "Job Title": ("Tehtävänimike", "Befattning", "Position"),
    "Business Street": ("Lähiosoite (työ)", "Gatuadress, arbete", "Straße geschäftlich"),
    "Business Street 2": ("Lähiosoite (työ) 2", "Gatuadress 2, arbete", "Straße geschäftlich 2"),
    "Business Street 3": ("Lähiosoite (työ) 3", "Gatuadress 3, arbete", "Straße geschäftlich 3"),
    "Business City": ("Postitoimipaikka (työ)", "Ort, arbete", "Ort geschäftlich"),
    "Business State": ("Sijaintitiedot (työ)", "Region, arbete", "Region geschäftlich"),
    "Business Postal Code": ("Postinumero (työ)", "Postadress, arbete",
                             "Postleitzahl geschäftlich"),
    "Business Country/Region": ("Maa/alue (työ)", "Land, arbete", "Land/Region geschäftlich"),
    "Home Street": ("Lähiosoite (koti)", "Gatuadress, hem", "Straße privat"),
    "Home Street 2": ("Lähiosoite 2", "Gatuadress 2, hem", "Straße privat 2"),
    "Home Street 3": ("Lähiosoite 3", "Gatuadress 3, hem", "Straße privat 3"),
    "Home City": ("Postitoimipaikka (koti)", "Hemort", "Ort privat"),
    "Home State": ("Sijaintitiedot (koti)", "Region, hem", "Bundesland/Kanton privat"),
    "Home Postal Code": ("Postinumero (koti)", "Postnr, hem", "Postleitzahl privat"),
    "Home Country/Region": ("Maa/alue (koti)", "Land, hem", "Land/Region privat"),
    "Other Street": ("Lähiosoite (muu)", "Annan gata", "Weitere Straße"),
    "Other Street 2": ("Lähiosoite (muu) 2", "Annan gata 2", "Weitere Straße 2"),
    "Other Street 3": ("Lähiosoite (muu) 3", "Annan gata 3", "Weitere Straße 3"),
    "Other City": ("Postitoimipaikka (muu)", "Annan ort", "Weiterer Ort"),
    "Other State": ("Sijaintitiedot (muu)", "Annan region", "Weiteres/r Bundesland/Kanton"),
    "Other Postal Code": ("Postinumero (muu)", "Annat postnummer", "Weitere Postleitzahl"),
    "Other Country/Region": ("Maa/alue (muu)", "Annat land", "Weiteres/e Land/Region"),
    "Assistant's Phone": ("Avustajan puhelinnumero", "Telefon, assistent", "Telefon Assistent"),
    "Business Fax": ("Työfaksi", "Fax arbete", "Fax geschäftlich"),
    "Business Phone": ("Työpuhelin", "Arbete", "Telefon geschäftlich"),
    "Business Phone 2": ("Työpuhelin 2", "Telefon 2, arbete", "Telefon geschäftlich 2"),
    "Callback": ("Takaisinsoitto", "Motringning", "Rückmeldung"),
    "Car Phone": ("Autopuhelin", "Biltelefon", "Autotelefon"),
    "Company Main Phone": ("Yrityksen puhelinvaihde", "Företag, växel", "Telefon Firma"),
    "Home Fax": ("Kotifaksi", "Fax, hem", "Fax privat"),
    "Home Phone": ("Kotipuhelin", "Hem", "Telefon privat"),
    "Home Phone 2": ("Kotipuhelin 2", "Telefon 2, hem", "Telefon privat 2"),
    "ISDN": ("ISDN", "ISDN", "ISDN"),
    "Mobile Phone": ("Matkapuhelin", "Mobiltelefon", "Mobiltelefon"),
    "Other Fax": ("Muu faksi", "Fax, annan", "Weiteres Fax"),
    "Other Phone": ("Muu puhelin", "Telefon, annan", "Weiteres Telefon"),
    "Pager": ("Hakulaite", "Personsökare", "Pager"),
    "Primary Phone": ("Ensisijainen puhelin", "Telefon 1", "Haupttelefon"),
    "Radio Phone": ("Radiopuhelin", "Telefon 2", None),
    "TTY/TDD Phone": ("TTY/TDD-puhelin", "TTY/TDD-telefon", "Telefon für Hörbehinderte"),
    "Telex": ("Teleksi", "Telex", "Telex"),
    "Account": ("Tili", "Konto", "Konto"),
    "Anniversary": ("Vuosipäivä", "Årsdag", "Jahrestag"),
    "Assistant's Name": ("Avustajan nimi", "Namn, assistent", "Name Assistent"),
    "Billing Information": ("Laskutustiedot", "Fakturering", "Abrechnungsinformation"),
    "Birthday": ("Syntymäpäivä", "Födelsedag", "Geburtstag"),
    "Business Address PO Box": ("Yrityksen osoite (postilokero)", "Arbetsadress, box",
                                "Postfach geschäftlich"),
    "Categories": ("Luokat", "Kategorier", "Kategorien"),
    "Children": ("Lapset", "Barn", "Kinder"),
    "E-mail Address": ("Sähköpostiosoite", "E-postadress", "E-Mail-Adresse"),
    "E-mail Type": ("Sähköpostin laji", "E-posttyp", "E-Mail-Typ"),
    "E-mail Display Name": ("Näytettävä sähköpostinimi", "E-postnamn",
                            "E-Mail: Angezeigter Name"),
    "E-mail 2 Address": ("Sähköpostiosoite 2", "E-postadress 2", "E-Mail 2: Adresse"),
    "E-mail 2 Type": ("Sähköposti 2:n laji", "E-posttyp 2", "E-Mail 2: Typ"),
    "E-mail 2 Display Name": ("Näytettävä sähköpostinimi 2", "E-postnamn 2",
                              "E-Mail 2: Angezeigter Name"),
    "E-mail 3 Address": ("Sähköpostiosoite 3", "E-postadress 3", "E-Mail 3: Adresse"),
    "E-mail 3 Type": ("Sähköposti 3:n laji", "E-posttyp 3", "E-Mail 3: Typ"),
    "E-mail 3 Display Name": ("Näytettävä sähköpostinimi 3", "E-postnamn 3",
                              "E-Mail 3: Angezeigter Name"),
    "Gender": ("Sukupuoli", "Kön", "Geschlecht"),
    "Government ID Number": ("Henkilötunnus", "Personnummer", "Regierungs-Nr."),
    "Hobby": ("Harrastus", "Hobby", "Hobby"),
    "Home Address PO Box": ("Kotiosoite (postilokero)", "Hemadress, box", "Postfach privat"),
    "Initials": ("Nimikirjaimet", "Initialer", "Initialen"),
    "Internet Free Busy": ("Vapaat ja varatut ajat", "Ledig/upptagen-information för Internet",
                           "Internet-Frei/Gebucht"),
    "Keywords": (None, None, "Stichwörter"),
    "Language": (None, None, "Sprache"),
    "Location": ("Sijainti", "Plats", "Ort"),
    "Manager's Name": ("Vastuuhenkilön nimi", "Namn, chef", "Name des/der Vorgesetzten"),
    "Mileage": ("Matka", "Reseersättning (km)", "Reisekilometer"),
    "Notes": ("Muistilaput", "Anteckningar", "Notizen"),
    "Office Location": ("Toimisto", "Arbetsplats", "Büro"),
    "Organizational ID Number": (None, None, "Organisations-Nr."),
    "Other Address PO Box": ("Muu osoite (postilokero)", "Annan adress, box",
                             "Weiteres Postfach"),
    "Priority": ("Prioriteetti", "Prioritet", "Priorität"),
    "Private": (None, None, "Privat"),
    "Profession": ("Ammatti", "Yrke", "Beruf"),
    "Referred By": (None, None, "Empfohlen von"),
    "Sensitivity": ("Luottamuksellisuus", "Känslighet", "Vertraulichkeit"),
    "Spouse": ("Puoliso", "Make maka", "Partner"),
    "User 1": ("Käyttäjä 1", "Användare 1", "Benutzer 1"),
    "User 2": ("Käyttäjä 2", "Användare 2", "Benutzer 2"),
    "User 3": ("Käyttäjä 3", "Användare 3", "Benutzer 3"),
    "User 4": ("Käyttäjä 4", "Användare 4", "Benutzer 4"),
    "Web Page": ("Web-sivu", "Webbsida", "Webseite"),
    "Directory Server": (None, None, "Verzeichnisserver"),
    "Given Yomi": ("Etunimi Yomi", "Förnamn Yomi", None),
    "Surname Yomi": ("Sukunimi Yomi", "Efternamn Yomi", None),
    "Company Yomi": ("Yritys Yomi", "Företag Yomi", None),
}

LANGUAGES = ("fi", "sv", "de")


def _key(header: str) -> str:
    return header.strip().lower()


def _tables() -> dict[tuple[str, str], dict[str, str]]:
    out: dict[tuple[str, str], dict[str, str]] = {}
    for lang, names in _TB.items():
        out[("thunderbird", lang)] = {
            _key(loc): en for loc, en in zip(names, _TB_EN, strict=True) if loc
        }
    for i, lang in enumerate(LANGUAGES):
        out[("outlook", lang)] = {
            _key(locs[i]): en for en, locs in _OUTLOOK.items() if locs[i]
        }
    return out


#: (exporter, language) -> {lower-case localised header: English column}
TABLES = _tables()


def translate(header: list[str]) -> tuple[list[str], str | None]:
    """The English column for each header cell and the language found (None: English).

    The table naming most cells wins when it names more of them than are English
    already (``known``); cells it does not name stay as they are."""
    best, hits = None, 0
    for name, table in TABLES.items():
        n = sum(_key(h) in table for h in header)
        if n > hits:
            best, hits = name, n
    english = sum(_key(h) in _ENGLISH for h in header)
    if best is None or hits <= english:
        return list(header), None
    table = TABLES[best]
    return [table.get(_key(h), h) for h in header], best[1]


_ENGLISH = {_key(h) for h in (*_TB_EN, *_OUTLOOK)}
