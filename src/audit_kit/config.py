"""The audit config (YAML): which exports to read, from where, under which policy.

Paths are relative to the config file. The schema is a contract other tools read;
see README.md "Audit config".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from audit_kit.errors import ConfigError, FileRejected
from audit_kit.limits import Limits, read_input


class SourceConfig(BaseModel):
    """One export to audit: name, kind, path, system, and the options its kind takes.

    The options (``encoding``, ``year``, ...) are declared by the kind
    (:class:`audit_kit.loaders.SourceKind`), validated against it and read as
    attributes: ``source.encoding`` is the given value or None. A key the kind does not
    take is an error naming the source and the key.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str
    path: Path
    system: str

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str) -> str:
        from audit_kit.loaders import source_kinds

        if v not in source_kinds():
            raise ValueError(f"unknown source kind {v!r}; known: {', '.join(source_kinds())}")
        return v

    @model_validator(mode="before")
    @classmethod
    def _kind_options(cls, data: Any) -> Any:
        """Check the keys beside name/kind/path/system against the kind's options before
        the fields (a misspelt ``sytem:`` is named, not reported as ``system`` missing)."""
        from audit_kit.loaders import BASE_KEYS, source_kinds

        if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
            return data
        kind = source_kinds().get(data["kind"])
        if kind is None:  # the kind field's validator names the unknown kind
            return data
        given = {k: v for k, v in data.items() if k not in BASE_KEYS}
        base = {k: v for k, v in data.items() if k in BASE_KEYS}
        return {**base, **kind.parse_options(str(data.get("name")), given)}

    @property
    def options(self) -> dict[str, Any]:
        """The kind's options, None where not given."""
        return dict(self.__pydantic_extra__ or {})


class AuditConfig(BaseModel):
    """The whole audit config, paths already resolved against the config's folder."""

    model_config = ConfigDict(extra="forbid")

    organisation: str
    policy: Path
    as_of: dt.date | None = None
    sources: list[SourceConfig]
    #: per-file bounds on what the loaders read (see audit_kit.limits for the defaults)
    limits: Limits = Limits()
    config_path: Path | None = None

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, v: list[SourceConfig]) -> list[SourceConfig]:
        seen: set[str] = set()
        for s in v:
            if s.name in seen:
                raise ValueError(f"source name {s.name!r} is used twice; names must be unique")
            seen.add(s.name)
        return v


def key_place(loc: tuple[Any, ...]) -> str:
    """A pydantic error's location as the message names it: ``key sources[2].kind``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return f"key {out}" if out else "top level"


def parse_date(value: str | dt.date, *, what: str = "date") -> dt.date:
    """Parse an ISO date given on the command line or in a config."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{what} {value!r} is not a date; write it as YYYY-MM-DD") from None


def load_config(path: str | Path) -> AuditConfig:
    """Read and validate an audit config; relative paths resolve against its folder."""
    path = Path(path)
    try:
        raw = yaml.safe_load(read_input(path).decode("utf-8"))
    except FileRejected as exc:
        if not path.exists():
            raise ConfigError("config file not found", file=path) from None
        raise ConfigError(exc.message, file=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}" if mark is not None else None
        raise ConfigError("not valid YAML", file=path, place=place) from None
    except ValueError:  # PyYAML's timestamp constructor: an unquoted 2026-13-01
        raise ConfigError("a date-like value is not a real date; write dates as YYYY-MM-DD",
                          file=path) from None
    if not isinstance(raw, dict):
        raise ConfigError("expected a mapping with organisation, policy and sources", file=path)
    base = path.resolve().parent
    try:
        cfg = AuditConfig.model_validate({**raw, "config_path": path.resolve()})
    except ValidationError as exc:
        # an unknown key explains a "missing" one next to it: report it first
        err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key; see README.md 'Audit config' for the keys"
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif err["type"].startswith(("date_", "datetime_")):
            msg = f"{err['input']!r} is not a date; write it as YYYY-MM-DD"
        raise ConfigError(msg, file=path, place=key_place(err["loc"])) from None
    sources = [s.model_copy(update={"path": (base / s.path).resolve()}) for s in cfg.sources]
    return cfg.model_copy(update={"policy": (base / cfg.policy).resolve(), "sources": sources})
