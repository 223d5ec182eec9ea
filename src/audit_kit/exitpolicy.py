"""The exit policy: which findings fail a run (``--fail-on``) and the accepted findings
that do not (``audits/accepted.yaml``).

Exit status of ``audit-kit run``: **0** no failing finding, **1** failing findings,
**2** unusable config, policy, accepted file or input. A finding fails when its severity
is at or above ``--fail-on`` (``error``, the default: errors only; ``warning``: errors and
warnings; ``never``: nothing fails) and no acceptance in force covers it.

The accepted file (default ``accepted.yaml`` beside the policy, read when it exists;
``--accepted FILE`` names another, which must exist)::

    accepted:
      - rule: S-statement
        key: S-statement/statement/S-privacy-shield   # one finding (see Finding.stable_key)
        reason: the statement is being rewritten; the lawyer's draft is due in March
        accepted_by: Matti Meikäläinen (owner)
        expires: 2027-03-31
      - rule: R-customer
        subject: S-939f0cea1aea1a37                  # every R-customer finding of the person
        reason: ongoing dispute, records kept on the lawyer's advice
        accepted_by: Matti Meikäläinen (owner)
        expires: 2027-06-30

What must stay true:

* An entry names its ``rule`` and either the finding's ``key`` or a ``subject`` id, a
  ``reason``, who ``accepted_by`` and when it ``expires``; anything else is a
  :class:`ConfigError` naming the file and the key (``key accepted[1].expires``).
* A finding's key does not depend on line numbers (``rule/source/subject[/field]`` for a
  record's finding, ``rule/source[/field]`` for a source's or the statement's):
  :attr:`audit_kit.findings.Finding.stable_key`. Subject ids are keyed hashes, so an
  acceptance by subject or by a record's key holds only while the pseudonymisation key is
  the same (CI keeps it as a secret).
* ``expires`` is the last audit date the acceptance covers: a run as of a later date
  fails on the finding again and says so (one warning line, no personal data). Dates are
  the audit's, not the clock's, so a run is reproducible.
* Accepted findings stay in every output, marked (``accepted`` column: ``yes`` or
  ``expired``); an entry that matches nothing is a warning line, never an error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from audit_kit.errors import ConfigError, FileRejected
from audit_kit.findings import Finding
from audit_kit.limits import read_input
from audit_kit.vocab import SEVERITIES

FailOn = Literal["error", "warning", "never"]
FAIL_ON: tuple[str, ...] = ("error", "warning", "never")
#: the accepted file looked for beside the policy
DEFAULT_NAME = "accepted.yaml"

_Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]


class Acceptance(BaseModel):
    """One entry of the accepted file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=64)]
    key: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*(/[^/\s]+){1,3}$")] | None = None
    subject: Annotated[str, Field(pattern=r"^S-[0-9a-f]{16}$")] | None = None
    reason: _Text
    accepted_by: _Text
    expires: dt.date

    @model_validator(mode="after")
    def _one_target(self) -> Acceptance:
        if (self.key is None) == (self.subject is None):
            raise ValueError("give either key (one finding) or subject (a person's "
                             "findings of the rule), not both or neither")
        if self.key is not None and self.key.split("/", 1)[0] != self.rule:
            raise ValueError(f"key {self.key!r} is not a finding of rule {self.rule!r} "
                             f"(a key starts with its rule: {self.rule}/...)")
        return self

    def covers(self, f: Finding) -> bool:
        if f.rule_id != self.rule:
            return False
        return f.stable_key == self.key if self.key is not None else f.subject_id == self.subject


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    accepted: list[Acceptance] = []


@dataclass(frozen=True)
class Accepted:
    """The accepted file as read: its entries, path and SHA-256 (None: no file)."""

    entries: tuple[Acceptance, ...] = ()
    path: Path | None = None
    sha256: str | None = None


def default_path(policy_path: str | Path) -> Path:
    """``accepted.yaml`` beside the policy."""
    return Path(policy_path).parent / DEFAULT_NAME


def load_accepted(path: str | Path | None, *, default: str | Path | None = None) -> Accepted:
    """Read and validate the accepted file *path*; without *path*, *default* if it exists
    (else no acceptances). A bad file is a :class:`ConfigError` naming it and the key."""
    from audit_kit.config import key_place

    if path is None:
        if default is None or not Path(default).exists():
            return Accepted()
        path = default
    path = Path(path)
    try:
        data = read_input(path)
    except FileRejected as exc:
        if not path.exists():
            raise ConfigError("accepted-findings file not found; check --accepted",
                              file=path) from None
        raise ConfigError(exc.message, file=path) from None
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError("not valid YAML", file=path,
                          place=f"line {mark.line + 1}" if mark else None) from None
    except ValueError:  # PyYAML's timestamp constructor: an unquoted 2026-13-01
        raise ConfigError("a date-like value is not a real date; write dates as YYYY-MM-DD",
                          file=path) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError("expected a mapping with the list `accepted:`", file=path)
    try:
        doc = _File.model_validate(raw)
    except ValidationError as exc:
        err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = ("unknown key; an entry has rule, key or subject, reason, accepted_by "
                   "and expires" if len(err["loc"]) > 1 else "unknown key; the file holds "
                   "one list, accepted:")
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif err["type"].startswith(("date_", "datetime_")):
            msg = "not a date; write it as YYYY-MM-DD"
        elif err["type"] == "string_pattern_mismatch":
            msg = _PATTERN_HINT.get(str(err["loc"][-1]), msg)
        raise ConfigError(msg, file=path, place=key_place(err["loc"])) from None
    return Accepted(tuple(doc.accepted), path, hashlib.sha256(data).hexdigest())


_PATTERN_HINT = {
    "key": "not a finding key; copy it from findings.csv's key column (rule/source/...)",
    "subject": "not a subject id; copy it from findings.csv's subject_id column (S- and 16 "
               "hex digits)",
    "rule": "not a rule id; copy it from findings.csv's rule_id column",
    "reason": "empty; say why the finding is accepted",
    "accepted_by": "empty; say who accepted the finding",
}


@dataclass
class Verdict:
    """What the exit policy made of a run's findings."""

    #: the findings, each marked in ``accepted``: ``yes``, ``expired`` or ``""``
    findings: list[Finding]
    fail_on: str
    exit_code: int
    #: one line each, no personal data: expired acceptances, entries matching nothing
    warnings: list[str] = field(default_factory=list)
    #: entry index -> findings it covers (expired ones included)
    matched: dict[int, int] = field(default_factory=dict)
    expired: frozenset[int] = frozenset()
    #: the accepted file judged by
    accepted: Accepted = field(default_factory=Accepted)


def fails(f: Finding, fail_on: str) -> bool:
    """Whether finding *f* fails a run under ``--fail-on fail_on`` (accepted ones never)."""
    if fail_on == "never" or f.accepted == "yes":
        return False
    return SEVERITIES.index(f.severity) <= SEVERITIES.index(fail_on)


def judge(findings: list[Finding], accepted: Accepted, *, as_of: dt.date,
          fail_on: str = "error") -> Verdict:
    """Mark *findings* accepted or expired by *accepted*'s entries as of the audit date
    *as_of*, and decide the exit status under *fail_on*."""
    if fail_on not in FAIL_ON:
        raise ConfigError(f"--fail-on {fail_on!r} is not one of {', '.join(FAIL_ON)}")
    where = str(accepted.path) if accepted.path else "accepted"
    expired = frozenset(i for i, a in enumerate(accepted.entries) if a.expires < as_of)
    matched: Counter[int] = Counter()
    marked = []
    for f in findings:
        hits = [i for i, a in enumerate(accepted.entries) if a.covers(f)]
        matched.update(hits)
        state = "" if not hits else ("yes" if any(i not in expired for i in hits) else "expired")
        marked.append(replace(f, accepted=state))
    warnings = []
    for i, a in enumerate(accepted.entries):
        if not matched[i]:
            warnings.append(f"{where} (accepted[{i}]): rule {a.rule}: matches no finding of "
                            "this audit; remove it if the finding is gone")
        elif i in expired:
            n = matched[i]
            warnings.append(
                f"{where} (accepted[{i}]): rule {a.rule}: expired {a.expires.isoformat()}, "
                f"before the audit date {as_of.isoformat()}; its {n} finding"
                f"{' counts' if n == 1 else 's count'} again")
    code = 1 if any(fails(f, fail_on) for f in marked) else 0
    return Verdict(marked, fail_on, code, warnings, dict(matched), expired, accepted)


def summary(verdict: Verdict, rules, *, as_of: dt.date, versions: dict[str, str]) -> dict:
    """``summary.json``: counts per rule, category and severity (accepted and failing
    among them), the acceptances, the exit status, the audit date and its quarter, and
    the *versions* that made it. *rules*: (rule_id, category) of every rule run."""
    from audit_kit.runs import quarter_of

    accepted = verdict.accepted
    def counts(items: list[Finding]) -> dict[str, int]:
        sev = Counter(f.severity for f in items)
        return {**{s: sev[s] for s in SEVERITIES}, "total": len(items),
                "accepted": sum(f.accepted == "yes" for f in items),
                "expired": sum(f.accepted == "expired" for f in items),
                "failing": sum(fails(f, verdict.fail_on) for f in items)}

    fs = verdict.findings
    categories = dict.fromkeys(c for _, c in rules)
    return {
        "tool": "audit-kit",
        "as_of": as_of.isoformat(),
        "period": quarter_of(as_of),
        "exit_code": verdict.exit_code,
        "fail_on": verdict.fail_on,
        "findings": counts(fs),
        "by_category": {c: counts([f for f in fs if f.category == c]) for c in categories},
        "by_rule": {r: {"category": c, **counts([f for f in fs if f.rule_id == r])}
                    for r, c in rules},
        "acceptances": {
            "file": accepted.path.name if accepted.path else None,
            "sha256": accepted.sha256,
            "entries": len(accepted.entries),
            "matching": sum(1 for n in verdict.matched.values() if n),
            "expired": len([i for i in verdict.expired if verdict.matched.get(i)]),
            "unmatched": len(accepted.entries) - sum(1 for n in verdict.matched.values() if n),
        },
        "versions": versions,
    }
