"""The shared vocabulary every loader writes and every rule reads.

A loader maps what it reads onto two canonical tables (see :mod:`audit_kit.warehouse`):

* ``records``: one row per appearance of a person in a source, with a ``role`` that
  says which retention clock applies and the dates that drive it;
* ``fields``: one row per personal-data value of a record (a contact point or
  attribute) with its ``field`` class, so the minimisation rules see every value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping


class _Roles(Mapping[str, str]):
    """role -> meaning, read from the registered source kinds (each declares the roles
    its records carry: :class:`audit_kit.loaders.Role`), in the kinds' order."""

    def _roles(self) -> dict[str, str]:
        from audit_kit.loaders import roles

        return {name: r.doc for name, r in roles().items()}

    def __getitem__(self, role: str) -> str:
        return self._roles()[role]

    def __iter__(self) -> Iterator[str]:
        return iter(self._roles())

    def __len__(self) -> int:
        return len(self._roles())


#: role -> meaning. Rules select by role; a role picks the retention clock.
ROLES: Mapping[str, str] = _Roles()

#: field classes. The policy says which are allowed (statement §5).
FIELD_CLASSES: dict[str, str] = {
    "person_name": "a person's name",
    "org_name": "organisation name",
    "business_id": "business ID (Y-tunnus)",
    "email": "e-mail address",
    "work_phone": "phone labelled work, or a company number",
    "mobile_phone": "mobile phone, not labelled home",
    "phone": "phone without a label",
    "home_phone": "phone labelled home or personal",
    "company_address": "company (business) address",
    "address": "postal address without a label",
    "home_address": "home or personal address",
    "birthday": "birthday or birth date",
    "hetu": "personal identity code (henkilötunnus) with a valid check character",
    "photo": "photo of a person",
    "job_title": "job title or role",
    "url": "web address",
    "notes": "free text",
    "other_personal": "a personal field the policy does not name",
    "unclassified": "a column the loader could not classify (one finding per source and "
    "column; classify it with the source's columns:)",
    "unread_date": "a date cell that is not a date (kept as text; the record's date is empty)",
    "non_personal": "business data, not about a person",
}

CATEGORIES = ("retention", "minimisation", "transfer", "rights", "statement", "integrity")
SEVERITIES = ("error", "warning", "info")

#: the data-subject rights a statement can list (GDPR Art. 13(2)(b)-(d), 15-22, 77)
RIGHTS: dict[str, str] = {
    "access": "right of access (Art. 15)",
    "rectification": "right to rectification (Art. 16)",
    "erasure": "right to erasure (Art. 17)",
    "restriction": "right to restriction of processing (Art. 18)",
    "portability": "right to data portability (Art. 20)",
    "objection": "right to object (Art. 21(1))",
    "direct_marketing_ban": "right to object to direct marketing (Art. 21(2)-(3))",
    "automated_decisions": "rights on automated decision-making (Art. 22)",
    "withdraw_consent": "right to withdraw consent (Art. 7(3))",
    "complaint": "right to lodge a complaint with a supervisory authority (Art. 77)",
}

#: shared mailboxes on any domain (Finnish and English); never one person's address.
#: The policy's ``organisation.role_mailboxes`` adds to these
#: (:attr:`audit_kit.context.RunContext.role_mailboxes`).
ROLE_MAILBOXES: frozenset[str] = frozenset({
    "info", "noreply", "no-reply", "donotreply", "do-not-reply", "postmaster", "mailer-daemon",
    "root", "abuse", "webmaster", "hostmaster", "admin", "support", "sales", "office", "contact",
    "billing", "invoices", "invoice", "orders", "service", "helpdesk", "hr", "jobs", "careers",
    "marketing", "newsletter", "privacy", "gdpr", "security",
    # Finnish
    "myynti", "toimisto", "asiakaspalvelu", "laskutus", "laskut", "ostolaskut", "reskontra",
    "tilaukset", "tilaus", "huolto", "tuki", "asiakastuki", "tekninentuki", "posti", "palaute",
    "kirjaamo", "rekry", "rekrytointi", "hallinto", "talous", "kirjanpito", "markkinointi",
    "tietosuoja", "vaihde", "yhteystiedot", "varaus", "varaukset", "kauppa", "verkkokauppa",
    "palvelu", "palvelut", "toimitus", "toimitukset", "varasto", "henkilosto", "ict", "it",
})
