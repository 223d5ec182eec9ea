"""The policy: the privacy statement encoded as rules (``audits/policy.yaml``).

Loaded into a validated model; a wrong key or value is a :class:`PolicyError` naming it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from audit_kit.errors import PolicyError
from audit_kit.normalise import is_business_id
from audit_kit.reference import reference
from audit_kit.vocab import FIELD_CLASSES, ROLES

Severity = Literal["error", "warning", "info"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Strict):
    name: str
    business_id: str
    own_domains: list[str]
    role_mailboxes: list[str]
    contact: str

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

    @field_validator("allowed")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        for f in v:
            if f not in FIELD_CLASSES:
                raise ValueError(f"unknown field class {f!r}; known: {', '.join(FIELD_CLASSES)}")
        return v

    @field_validator("not_allowed")
    @classmethod
    def _known_na(cls, v: dict[str, str]) -> dict[str, str]:
        cls._known(list(v))
        return v


class RetentionRule(_Strict):
    rule: str
    section: str
    role: str
    counts_from: Literal["ended_on", "last_activity", "requested_on"]
    months: int
    severity: Severity

    @field_validator("role")
    @classmethod
    def _role(cls, v: str) -> str:
        if v not in ROLES:
            raise ValueError(f"unknown role {v!r}; known: {', '.join(ROLES)}")
        return v


class StatutoryRule(_Strict):
    rule: str
    section: str
    role: str
    law: str
    years_after_year_end: int
    severity: Severity


class System(_Strict):
    provider: str
    country: str
    personal_data: bool
    section: str
    mechanism: str | None = None

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
    rule: str
    section: str
    severity: Severity


class ErasureRule(_Strict):
    rule: str
    section: str
    deadline_months: int
    severity: Severity
    open_severity: Severity


class Rights(_Strict):
    direct_marketing_ban: BanRule
    erasure: ErasureRule


class StatementClaims(_Strict):
    claims_no_transfers_outside_eu: bool
    mechanism_named: str | None
    mentions_wordfence_transfer: bool
    legal_basis_named: bool
    web_log_retention_stated: bool
    rights_listed: list[str]


class Policy(_Strict):
    policy_version: str
    language: Literal["fi", "en"]
    organisation: Organisation
    purposes: dict[str, str]
    fields: FieldsPolicy
    retention: list[RetentionRule]
    statutory: list[StatutoryRule]
    systems: dict[str, System]
    rights: Rights
    statement: StatementClaims
    #: SHA-256 of the policy file, for the manifest
    sha256: str = ""
    path: str = ""


def default_policy_path() -> Path:
    """The repository's ``audits/policy.yaml`` (the demo company's policy)."""
    return Path(__file__).resolve().parents[2] / "audits" / "policy.yaml"


def load_policy(path: str | Path) -> Policy:
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError(
            "policy file not found; check `policy:` in the config", file=path
        ) from None
    try:
        raw = yaml.safe_load(data)
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
    try:
        pol = Policy.model_validate(raw)
    except ValidationError as exc:
        # an unknown key explains a "missing" one next to it: report it first
        err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key; see audits/policy.yaml for the keys a policy has"
        elif err["type"] == "missing":
            msg = "required key is missing"
        raise PolicyError(msg, file=path, place=f"key {loc}") from None
    return pol.model_copy(update={"sha256": hashlib.sha256(data).hexdigest(), "path": str(path)})
