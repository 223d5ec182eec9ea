"""The policy: the privacy statement encoded as rules (``audits/policy.yaml``).

Loaded into a validated model; a wrong key or value is a :class:`PolicyError` naming the
file and the key. Entries that contradict each other are refused the same way: a field
class both allowed and not allowed, two rules with one id, two retention clocks for one
role, a role or right the vocabulary does not know, a key given twice in one mapping.
Policy texts may hold any characters (they reach SQL only through
:func:`audit_kit.rules.sql_str`); only control characters other than tab and newline
are refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from audit_kit.errors import FileRejected, PolicyError
from audit_kit.limits import read_input
from audit_kit.normalise import is_business_id
from audit_kit.reference import reference
from audit_kit.vocab import CATEGORIES, FIELD_CLASSES, RIGHTS, ROLES

Severity = Literal["error", "warning", "info"]
#: a rule id: cited in findings.csv and the report, one word
RuleId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=64)]
#: months or years of a period: 0 .. 100 years
Months = Annotated[int, Field(ge=0, le=1200)]
Years = Annotated[int, Field(ge=0, le=100)]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class PolicyConflict(ValueError):
    """Two entries of the policy contradict each other; *key* names the second one."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(message)


def _known(vocab: dict[str, str], what: str):
    """A validator: the value (a name, or the names of a list or mapping) is in *vocab*."""

    def check(value):
        for name in [value] if isinstance(value, str) else value:
            if name not in vocab:
                raise ValueError(f"unknown {what} {name!r}; known: {', '.join(vocab)}")
        return value

    return check


_known_role = _known(ROLES, "role")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Strict):
    name: str
    business_id: str
    own_domains: list[str]
    role_mailboxes: list[str]
    contact: str

    @field_validator("role_mailboxes")
    @classmethod
    def _local_parts(cls, v: list[str]) -> list[str]:
        for m in v:
            if "@" in m or not m.strip():
                raise ValueError(
                    f"role mailbox {m!r} must be a mailbox name without @domain (e.g. info)")
        return v

    @field_validator("own_domains")
    @classmethod
    def _domains(cls, v: list[str]) -> list[str]:
        for d in v:
            if not d.strip().lstrip("@"):
                raise ValueError("an own domain is empty")
        return v

    @field_validator("business_id")
    @classmethod
    def _check_digit(cls, v: str) -> str:
        if not is_business_id(v):
            raise ValueError(f"business ID {v!r} has an invalid check digit")
        return v


class FieldsPolicy(_Strict):
    section: str
    allowed: list[str]
    not_allowed: dict[str, Severity]

    _classes = field_validator("allowed", "not_allowed")(_known(FIELD_CLASSES, "field class"))


class RetentionRule(_Strict):
    rule: RuleId
    section: str
    role: str
    counts_from: Literal["ended_on", "last_activity", "requested_on"]
    months: Months
    severity: Severity

    _role = field_validator("role")(_known_role)


class StatutoryRule(_Strict):
    """A role whose records are accounting vouchers: kept by law for the window of
    :attr:`Policy.accounting` (:func:`audit_kit.clock.voucher_kept_until`)."""

    rule: RuleId
    section: str
    role: str
    law: str
    severity: Severity

    _role = field_validator("role")(_known_role)


_DAY_MONTH = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.?\s*$")


class Accounting(_Strict):
    """The one statutory clock of accounting vouchers (Kirjanpitolaki 2:10; READING.md
    §6): kept *voucher_years* from the end of the calendar year in which the voucher's
    financial period ended; the period ends on *financial_year_end* (``D.M.``, e.g.
    ``31.12.`` or ``30.6.``). See :mod:`audit_kit.clock`."""

    voucher_years: Years = 6
    financial_year_end: str = "31.12."

    @field_validator("financial_year_end")
    @classmethod
    def _day_month(cls, v: str) -> str:
        import datetime as dt

        m = _DAY_MONTH.match(v)
        try:
            # a leap year: 29.2. is a real (if odd) year end
            dt.date(2000, int(m.group(2)), int(m.group(1))) if m else None
        except ValueError:
            m = None
        if m is None:
            raise ValueError(f"financial_year_end {v!r} is not a day and month; write it as "
                             "D.M., e.g. 31.12. or 30.6.")
        return v

    @property
    def year_end(self) -> tuple[int, int]:
        """(month, day) of the financial year's last day."""
        m = _DAY_MONTH.match(self.financial_year_end)
        assert m is not None  # validated
        return int(m.group(2)), int(m.group(1))


class System(_Strict):
    provider: str
    country: str
    personal_data: bool
    section: str
    #: the transfer mechanism on record for a system outside the EU/EEA (a key of the
    #: reference data's ``mechanisms``: dpf, sccs_2021, ...); none is needed where an
    #: adequacy decision is in force on the audit date
    mechanism: str | None = None
    #: with ``mechanism: dpf``: the day the recipient's certification was checked on the
    #: DPF List (dataprivacyframework.gov); without it the DPF is not a valid basis
    dpf_checked_on: dt.date | None = None
    #: the statement says backups may be stored here (statement §10: S-backup-transfer)
    backup: bool = False
    #: an outside party (a processor) holds the data: the statement must name it as a
    #: recipient (GDPR Art. 13(1)(e); S-recipients), and the report's actions on this
    #: system's data are the provider's to carry out, on the §2 person's order
    processor: bool = False

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        if len(v) != 2 or not v.isalpha():
            raise ValueError(f"country {v!r} must be an ISO 3166-1 alpha-2 code")
        return v.upper()

    @field_validator("mechanism")
    @classmethod
    def _mechanism(cls, v: str | None) -> str | None:
        known = reference().mechanisms
        if v is not None and v not in known:
            raise ValueError(f"unknown transfer mechanism {v!r}; known: {', '.join(known)}")
        return v


class BanRule(_Strict):
    """A direct-marketing ban (GDPR Art. 21(3)) binds at once: marketing dated after it
    (``rule``), on the day it arrived (``rule``-same-day) and a banned person left on a
    marketing list without a ban marker (``rule``-listed)."""

    rule: RuleId
    section: str
    severity: Severity
    same_day_severity: Severity = "warning"
    listed_severity: Severity = "warning"


class ErasureRule(_Strict):
    """An erasure request (GDPR Art. 17) is due ``deadline_months`` after receipt, or
    ``extended_months`` when an extension is recorded (Art. 12(3))."""

    rule: RuleId
    section: str
    deadline_months: Annotated[int, Field(ge=1, le=1200)]
    extended_months: Annotated[int, Field(ge=1, le=1200)] = 3
    severity: Severity
    open_severity: Severity
    #: a refusal recorded with its reason (Art. 17(3)), per request
    refused_severity: Severity = "info"
    #: an erased person (a tombstone) who appears again: possibly a new relationship
    tombstone_severity: Severity = "warning"

    @model_validator(mode="after")
    def _extension_is_longer(self) -> ErasureRule:
        if self.extended_months < self.deadline_months:
            raise ValueError(
                f"extended_months ({self.extended_months}) is shorter than deadline_months "
                f"({self.deadline_months}); an extension lengthens the deadline")
        return self


class Rights(_Strict):
    direct_marketing_ban: BanRule
    erasure: ErasureRule


def _one_text_for_both(v):
    """A LangText given as one string: the same text in both languages."""
    return {"fi": v, "en": v} if isinstance(v, str) else v


class LangText(_Strict):
    """A text in both languages of the outputs (Finnish and English)."""

    fi: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.fi if lang == "fi" else self.en


class UnmentionedTransfer(_Strict):
    """A transfer of a system's data that the statement does not mention (a statement
    check, failed while the system holds personal data outside the EU/EEA)."""

    #: the statement check's id (an S-statement finding's field)
    check: RuleId
    system: str
    section: str
    severity: Severity
    #: the transfer, in words, for the finding's detail: fi and en, or one text for both
    what: LangText
    #: the check in plain words, as the report lists it (fi/en)
    text: LangText

    _what = field_validator("what", mode="before")(lambda v: _one_text_for_both(v))


class NoNewsletter(_Strict):
    """The statement's promise of no newsletter and no newsletter register (READING.md
    §6): any sign of one in the data is a finding (rule S-newsletter)."""

    rule: RuleId
    section: str
    severity: Severity
    #: words naming a newsletter register in a column's or sheet's name (lower case)
    names: Annotated[list[Annotated[str, Field(min_length=2)]], Field(min_length=1)]
    #: one message to this many external recipients or more is a bulk mailing
    bulk_recipients: Annotated[int, Field(ge=2, le=100000)]


class WebLogs(_Strict):
    """Statement §12: visitors' IP addresses in the website's server logs (rules W-retention
    and W-url). The statement states no retention; the owners' period, once they set one,
    is ``retention_months`` (a visitor-day is past it when day + months < the audit date).
    """

    section: str = "12"
    #: the owners' retention period for web-log IP addresses; None: none set
    retention_months: Months | None = None
    #: W-retention: IP addresses kept past the period (per log file)
    severity: Severity = "error"
    #: W-retention without a period: how far back the logs keep IP addresses (per source)
    unset_severity: Severity = "warning"
    #: W-url: e-mail addresses or phone numbers in logged URLs (per person)
    url_severity: Severity = "error"


class StatementClaims(_Strict):
    claims_no_transfers_outside_eu: bool
    mechanism_named: str | None
    unmentioned_transfers: list[UnmentionedTransfer] = []
    legal_basis_named: bool
    web_log_retention_stated: bool
    rights_listed: list[str]
    #: §6 says how long invoices are kept as accounting vouchers (GDPR 13(2)(a))
    accounting_retention_stated: bool
    #: §6 says the data are deleted when the customer relationship ends (which the
    #: accounting retention of invoices contradicts)
    deletes_when_relationship_ends: bool
    #: the roles (keys of ``purposes``) whose purpose the statement names (§4, GDPR
    #: 13(1)(c))
    purposes_stated: list[str]
    #: a legitimate interest is named for marketing to prospects (GDPR 13(1)(d))
    legitimate_interest_named: bool
    #: the recipients the statement names (providers of ``systems``; GDPR 13(1)(e))
    recipients_named: list[str]
    #: §7 says every person gives the data themselves
    data_from_person_only: bool
    #: roles whose data come from someone else than the person (GDPR 14(2)(f))
    sources_from_others: list[str] = []
    #: §8 makes the right to object conditional (GDPR 21(1), 21(2) give it outright)
    objection_conditional: bool
    #: the statement promises no newsletter (None: it says nothing of one)
    no_newsletter: NoNewsletter | None = None

    _others = field_validator("sources_from_others")(_known_role)

    @field_validator("mechanism_named")
    @classmethod
    def _mechanism(cls, v: str | None) -> str | None:
        return System._mechanism(v)

    _rights = field_validator("rights_listed")(_known(RIGHTS, "right"))


class Controller(_Strict):
    """The controller's contact details for the data subject (statement §1, §2, §8)."""

    address: str
    phone: str
    email: str


class SupervisoryAuthority(_Strict):
    """Where a data subject may complain (GDPR Art. 77; statement §8)."""

    name: LangText
    postal_address: str
    phone: str
    email: str
    web: str


class AccessAnswer(_Strict):
    """What the access-request letter (GDPR Art. 15) says beyond the rules: the
    controller's contact details, the supervisory authority, where data not collected
    from the person came from (per role), who processes each system's data for the
    company (per system; a system not named keeps the data in-house), and whether any
    automated decision-making takes place."""

    controller: Controller
    supervisory_authority: SupervisoryAuthority
    data_sources: dict[str, LangText] = {}
    recipients: dict[str, LangText] = {}
    automated_decisions: bool = False

    _source_roles = field_validator("data_sources")(_known_role)


#: the pseudo-id of a coverage entry checked by the policy's own validation at load (the
#: business ID's check digit, the own domains and role mailboxes)
AT_LOAD = "policy"


class CoverageSection(_Strict):
    """One section of the statement in the report's "what the audit covers" table: its
    title, the ids of the rules and statement checks that audit it (of the rules this
    policy builds; :data:`AT_LOAD` for the policy's own validation) and what is left to
    check by hand. Which ids exist is checked against the rules built
    (:func:`audit_kit.rules.check_coverage`)."""

    section: str
    title: LangText
    audited_by: list[RuleId] = []
    by_hand: LangText | None = None


class Policy(_Strict):
    policy_version: str
    language: Literal["fi", "en"]
    organisation: Organisation
    #: role -> its purpose (statement §4): fi and en (the letters), or one text for both
    purposes: dict[str, LangText]
    fields: FieldsPolicy
    retention: list[RetentionRule]
    statutory: list[StatutoryRule]
    accounting: Accounting = Accounting()
    #: §6 reading: a customer with no end date and no invoice, contract or mail this many
    #: months is "status unknown" (R-status)
    inactivity_months: Months = 24
    systems: dict[str, System]
    rights: Rights
    statement: StatementClaims
    #: the access-request letter's facts (``audit-kit subject`` needs them)
    access_answer: AccessAnswer | None = None
    #: §12: the website's server logs (optional: the defaults state no retention period)
    web_logs: WebLogs = WebLogs()
    #: per category of findings: the statement's promise in its own words, fi/en (the
    #: report's verdict cards; a category not given gets the library's generic words)
    promises: dict[str, LangText] = {}
    #: the report's coverage, per section of the statement (None: the policy maps none)
    coverage: list[CoverageSection] | None = None
    #: SHA-256 of the policy file, for the manifest
    sha256: str = ""
    path: str = ""

    _purpose_roles = field_validator("purposes")(_known_role)
    _promise_categories = field_validator("promises")(
        _known(dict.fromkeys(CATEGORIES, ""), "category"))

    @field_validator("purposes", mode="before")
    @classmethod
    def _one_text_each(cls, v):
        if isinstance(v, dict):
            return {k: _one_text_for_both(t) for k, t in v.items()}
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        for cls in self.fields.not_allowed:
            if cls in self.fields.allowed:
                raise PolicyConflict(
                    f"fields.not_allowed.{cls}",
                    f"field class {cls!r} is both allowed and not allowed; keep one")
        roles: dict[str, str] = {}
        clocks: list[tuple[str, RetentionRule | StatutoryRule]] = [
            *((f"retention[{i}]", r) for i, r in enumerate(self.retention)),
            *((f"statutory[{i}]", r) for i, r in enumerate(self.statutory)),
        ]
        for key, rule in clocks:
            if rule.role in roles:
                raise PolicyConflict(
                    f"{key}.role",
                    f"role {rule.role!r} already has a retention period ({roles[rule.role]}); "
                    "one role, one clock")
            roles[rule.role] = key
        for name in (self.access_answer.recipients if self.access_answer else ()):
            if name not in self.systems:
                raise PolicyConflict(
                    f"access_answer.recipients.{name}",
                    f"unknown system {name!r}; known: {', '.join(self.systems)}")
        for i, name in enumerate(self.statement.purposes_stated):
            if name not in self.purposes:
                raise PolicyConflict(
                    f"statement.purposes_stated[{i}]",
                    f"unknown purpose {name!r}; known (the roles of purposes): "
                    f"{', '.join(self.purposes)}")
        for i, u in enumerate(self.statement.unmentioned_transfers):
            if u.system not in self.systems:
                raise PolicyConflict(
                    f"statement.unmentioned_transfers[{i}].system",
                    f"unknown system {u.system!r}; known: {', '.join(self.systems)}")
        seen: dict[str, str] = {}
        for key, rid in self.rule_ids():
            if rid in seen:
                raise PolicyConflict(
                    key, f"rule id {rid!r} is already used by {seen[rid]}; rule ids are unique")
            seen[rid] = key
        return self

    def purpose(self, role: str, lang: str) -> str:
        """The purpose of *role*'s records in *lang* ("" when the policy names none)."""
        p = self.purposes.get(role)
        return p(lang) if p else ""

    def rule_ids(self) -> list[tuple[str, str]]:
        """(key, rule id) of every rule the policy names, in file order."""
        er, ban = self.rights.erasure, self.rights.direct_marketing_ban
        return [
            *((f"retention[{i}].rule", r.rule) for i, r in enumerate(self.retention)),
            *((f"statutory[{i}].rule", r.rule) for i, r in enumerate(self.statutory)),
            ("rights.direct_marketing_ban.rule", ban.rule),
            ("rights.direct_marketing_ban.rule", ban.rule + "-same-day"),
            ("rights.direct_marketing_ban.rule", ban.rule + "-listed"),
            ("rights.erasure.rule", er.rule),
            ("rights.erasure.rule", er.rule + "-open"),
            ("rights.erasure.rule", er.rule + "-refused"),
            *((("statement.no_newsletter.rule", self.statement.no_newsletter.rule),)
              if self.statement.no_newsletter else ()),
        ]


def default_policy_path() -> Path:
    """The packaged default policy (the demo company's; ``audit-kit init`` copies it).

    In the source tree it is the repository's ``audits/policy.yaml``, by symlink.
    """
    from audit_kit.starter import FILES

    return Path(str(resources.files("audit_kit.starter").joinpath(FILES["audits/policy.yaml"])))


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one mapping (PyYAML keeps the
    last one silently: two ``billing:`` systems would be one)."""

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise PolicyConflict(
                    str(key) if str(key).isprintable() else ascii(key),
                    f"key {key!r} is given twice in one mapping (line "
                    f"{key_node.start_mark.line + 1}); keep one")
            seen.add(key)
        return super().construct_mapping(node, deep)


def _control_chars(obj, loc: str = "") -> str | None:
    """The key of the first text holding a control character (tab and newline are fine)."""
    if isinstance(obj, str):
        return loc if _CONTROL.search(obj) else None
    items = (obj.items() if isinstance(obj, dict)
             else enumerate(obj) if isinstance(obj, list) else ())
    for k, v in items:
        if isinstance(obj, list):
            sub = f"{loc}[{k}]"
        else:
            name = str(k).encode("unicode_escape").decode("ascii") if _CONTROL.search(str(k)) else k
            sub = f"{loc}.{name}" if loc else str(name)
            if name != k:
                return sub
        if (found := _control_chars(v, sub)) is not None:
            return found
    return None


def load_policy(path: str | Path) -> Policy:
    path = Path(path)
    try:
        data = read_input(path)
    except FileRejected as exc:
        if not path.exists():
            raise PolicyError(
                "policy file not found; check `policy:` in the config", file=path
            ) from None
        raise PolicyError(exc.message, file=path) from None
    try:
        raw = yaml.load(data, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except PolicyConflict as exc:
        raise PolicyError(str(exc), file=path, place=f"key {exc.key}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PolicyError(
            "not valid YAML", file=path, place=f"line {mark.line + 1}" if mark else None
        ) from None
    except ValueError:  # PyYAML's timestamp constructor: an unquoted 2026-13-01
        raise PolicyError(
            "a date-like value is not a real date; write dates as YYYY-MM-DD", file=path
        ) from None
    if not isinstance(raw, dict):
        raise PolicyError("expected a mapping", file=path)
    if (where := _control_chars(raw)) is not None:
        raise PolicyError(
            "a control character in a text; only tab and newline are allowed", file=path,
            place=f"key {where}")
    try:
        pol = Policy.model_validate(raw)
    except ValidationError as exc:
        # an unknown key explains a "missing" one next to it: report it first
        err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        loc = ".".join(str(p) for p in err["loc"])
        conflict = (err.get("ctx") or {}).get("error")
        msg = err["msg"].removeprefix("Value error, ")
        if isinstance(conflict, PolicyConflict):
            loc = conflict.key
        elif err["type"] == "extra_forbidden":
            msg = "unknown key; see audits/policy.yaml for the keys a policy has"
        elif err["type"] == "missing":
            msg = "required key is missing"
        raise PolicyError(msg, file=path, place=f"key {loc}") from None
    pol = pol.model_copy(update={"sha256": hashlib.sha256(data).hexdigest(), "path": str(path)})

    from audit_kit.rules import build_rules, check_coverage

    # refuses a rule id the families use themselves, and a coverage naming a rule not
    # built or leaving one out, before any input is read
    check_coverage(pol, build_rules(pol))
    return pol
