"""Legal reference data: EU/EEA membership, adequacy decisions, transfer mechanisms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


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

    def transfer_basis(self, country: str, mechanism: str | None, on: dt.date) -> tuple[bool, str]:
        """Is storing personal data in *country* under *mechanism* lawful on date *on*?

        Returns (valid, reason); the reason is a short English phrase for findings.
        """
        c = self.country(country)
        if c in self.eea:
            return True, f"{c} is in the EU/EEA"
        mech = mechanism or "none"
        info = self.mechanisms.get(mech)
        if info is None:
            return False, f"unknown transfer mechanism {mech!r}"
        if mech == "adequacy":
            dec = self.adequacy.get(c)
            if dec and dt.date.fromisoformat(str(dec["adopted"])) <= on and (
                "expires" not in dec or on <= dt.date.fromisoformat(str(dec["expires"]))
            ):
                return True, f"adequacy decision for {c} ({dec['act']})"
            return False, f"no adequacy decision in force for {c}"
        valid_from = info.get("valid_from")
        if valid_from and on < dt.date.fromisoformat(str(valid_from)):
            return False, f"{info['name']} not in force before {valid_from}"
        invalid_from = info.get("invalid_from")
        if invalid_from and on >= dt.date.fromisoformat(str(invalid_from)):
            return False, f"{info['name']} invalid since {invalid_from} ({info['invalidated_by']})"
        if mech == "none":
            return False, f"storage in {c} (outside the EU/EEA) with no transfer mechanism named"
        if info.get("countries") and c not in info["countries"]:
            return False, f"{info['name']} does not cover {c}"
        return True, info["name"]


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
