"""Legal reference data: EU/EEA membership, adequacy decisions, transfer mechanisms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Basis:
    """The transfer basis of a system as of an audit date."""

    #: ``eea`` (no transfer), ``adequacy`` (a decision in force), ``recorded`` (a valid
    #: mechanism on record: DPF certification checked, SCCs) or ``missing``
    status: str
    #: why, a short English phrase for findings
    reason: str
    #: the same in Finnish (dates d.m.yyyy), for a Finnish report
    reason_fi: str = ""

    @property
    def valid(self) -> bool:
        return self.status != "missing"


@dataclass(frozen=True)
class Reference:
    version: str
    eea: frozenset[str]
    adequacy: dict[str, dict[str, Any]]
    mechanisms: dict[str, dict[str, Any]]
    aliases: dict[str, str]

    def country(self, code: str) -> str:
        code = code.strip().upper()
        return self.aliases.get(code, code)

    def in_eea(self, code: str) -> bool:
        return self.country(code) in self.eea

    def adequacy_on(self, country: str, on: dt.date) -> dict[str, Any] | None:
        """The adequacy decision (GDPR Art. 45) for *country* in force on *on*, if any: a
        decision counts from its date (Brazil's 2026/179 from 26.1.2026) until it expires.
        The United States has none of its own: the DPF covers certified recipients only."""
        dec = self.adequacy.get(self.country(country))
        if dec and dt.date.fromisoformat(str(dec["adopted"])) <= on and (
            "expires" not in dec or on <= dt.date.fromisoformat(str(dec["expires"]))
        ):
            return dec
        return None

    def transfer_basis(self, country: str, mechanism: str | None, on: dt.date, *,
                       dpf_checked_on: dt.date | None = None) -> Basis:
        """The basis for storing personal data in *country* on *on*, the audit date, with
        the mechanism the policy records for the system (*mechanism*; for the DPF, the
        day the recipient's certification was checked on the DPF List).

        The audit can see what is on record, not what a provider's own terms say: a
        missing basis is "no valid mechanism on record", never a verdict on the transfer.
        """
        c = self.country(country)
        if c in self.eea:
            return Basis("eea", f"{c} is in the EU/EEA", f"{c} kuuluu EU:hun/ETA:han")
        if (dec := self.adequacy_on(c, on)) is not None:
            return Basis("adequacy", f"adequacy decision for {c} ({dec['act']}, "
                                     f"from {dec['adopted']})",
                         f"tietosuojan riittävyyttä koskeva päätös, {c} ({dec['act']}, "
                         f"{_fi(dec['adopted'])} alkaen)")
        mech = mechanism or "none"
        info = self.mechanisms.get(mech)
        if info is None:
            return Basis("missing", f"unknown transfer mechanism {mech!r}",
                         f"tuntematon siirtoperuste {mech!r}")
        if mech == "adequacy":
            return Basis("missing", f"no adequacy decision for {c} in force on {on}",
                         f"maalle {c} ei ole voimassa riittävyyspäätöstä {_fi(on)}")
        if mech == "none":
            return Basis("missing", f"none named for {c}", f"maalle {c} ei ole nimetty")
        name_fi = info.get("name_fi", info["name"])
        valid_from = info.get("valid_from")
        if valid_from and on < dt.date.fromisoformat(str(valid_from)):
            return Basis("missing", f"the mechanism on record, {info['name']}, "
                                    f"applies only from {valid_from}",
                         f"kirjattu siirtoperuste, {name_fi}, on voimassa vasta "
                         f"{_fi(valid_from)} alkaen")
        invalid_from = info.get("invalid_from")
        if invalid_from and on >= dt.date.fromisoformat(str(invalid_from)):
            by_fi = info.get("invalidated_by_fi", info["invalidated_by"])
            return Basis("missing", f"the mechanism on record, {info['name']}, is invalid "
                                    f"since {invalid_from} ({info['invalidated_by']})",
                         f"kirjattu siirtoperuste, {name_fi}, on ollut pätemätön "
                         f"{_fi(invalid_from)} alkaen ({by_fi})")
        if info.get("countries") and c not in info["countries"]:
            return Basis("missing", f"the mechanism on record, {info['name']}, does not "
                                    f"cover {c}",
                         f"kirjattu siirtoperuste, {name_fi}, ei kata maata {c}")
        if info.get("certified"):
            if dpf_checked_on is None:
                return Basis("missing", f"{info['name']} is on record, but not the date the "
                                        "recipient's certification was checked on the DPF List",
                             f"{name_fi} on kirjattu, mutta ei päivää, jona vastaanottajan "
                             "sertifiointi tarkistettiin kehyksen luettelosta")
            if valid_from and dpf_checked_on < dt.date.fromisoformat(str(valid_from)):
                return Basis("missing", f"{info['name']}: the certification check on record "
                                        f"({dpf_checked_on}) predates the framework",
                             f"{name_fi}: kirjattu sertifioinnin tarkistus "
                             f"({_fi(dpf_checked_on)}) on tehty ennen kehyksen voimaantuloa")
            if dpf_checked_on > on:
                return Basis("missing", f"{info['name']}: the certification check on record "
                                        f"({dpf_checked_on}) is after the audit date",
                             f"{name_fi}: kirjattu sertifioinnin tarkistus "
                             f"({_fi(dpf_checked_on)}) on tarkastuspäivän jälkeen")
            return Basis("recorded", f"{info['name']}, the recipient's certification checked "
                                     f"on the DPF List on {dpf_checked_on}",
                         f"{name_fi}, vastaanottajan sertifiointi tarkistettu kehyksen "
                         f"luettelosta {_fi(dpf_checked_on)}")
        return Basis("recorded", f"{info['name']} on record", f"{name_fi} kirjattu")


def _fi(day: dt.date | str) -> str:
    """A date as a Finnish text writes it (d.m.yyyy)."""
    d = dt.date.fromisoformat(str(day))
    return f"{d.day}.{d.month}.{d.year}"


@cache
def reference() -> Reference:
    """The packaged reference data (``audit_kit/data/gdpr_reference.yaml``)."""
    text = resources.files("audit_kit").joinpath("data/gdpr_reference.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    eea = frozenset(raw["eu_member_states"]) | frozenset(raw["eea_efta_states"]) | frozenset(
        raw["eu_territories"]
    )
    return Reference(
        version=str(raw["version"]),
        eea=eea,
        adequacy={a["iso"]: a for a in raw["adequacy"]},
        mechanisms=raw["mechanisms"],
        aliases=raw["aliases"],
    )
