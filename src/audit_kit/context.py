"""The run context: what one audit's rules (and the mail loaders) are built from.

Every date, domain, mailbox and system name a rule uses comes from here or from the
policy, never from library code or the clock: the audit date is ``as_of`` (the end of
the audited period, READING.md), the organisation's own mail domains and its role
mailboxes come from the policy. A context without ``as_of`` builds the rules' SQL only
(``audit-kit suites``): the SQL reads the date from the warehouse's ``audit_params``, so
the generated suites are the same for every audit date; what depends on the date (which
transfer mechanisms were valid, the statement checks) is written as facts per run
(:func:`audit_kit.rules.write_facts`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from audit_kit.policy import Policy
from audit_kit.vocab import ROLE_MAILBOXES


@dataclass(frozen=True)
class RunContext:
    policy: Policy
    as_of: dt.date | None = None
    #: the audited organisation's name (the config's ``organisation``; else the policy's)
    organisation: str = ""

    def __post_init__(self) -> None:
        if not self.organisation:
            object.__setattr__(self, "organisation", self.policy.organisation.name)

    @property
    def own_domains(self) -> tuple[str, ...]:
        """The organisation's own mail domains, lower case (staff are not data subjects)."""
        domains = (d.strip().lower().lstrip("@") for d in self.policy.organisation.own_domains)
        return tuple(dict.fromkeys(d for d in domains if d))

    @property
    def role_mailboxes(self) -> frozenset[str]:
        """Local parts of shared mailboxes on any domain: the common ones
        (:data:`audit_kit.vocab.ROLE_MAILBOXES`) and the policy's own."""
        return ROLE_MAILBOXES | {r.strip().lower() for r in self.policy.organisation.role_mailboxes}

    def audit_date(self) -> dt.date:
        """``as_of``; a context built for the suites alone has none."""
        if self.as_of is None:
            raise ValueError("this run context has no audit date (as_of)")
        return self.as_of
