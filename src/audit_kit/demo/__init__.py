"""The demo company: a fictitious Oulun Konttoripiste Oy with planted violations.

Each source kind names its demo writer in its declaration
(``SourceKind(demo="audit_kit.demo.finvoice:write")``), a function that writes the
kind's exports::

    def write(ctx: DemoContext) -> None:
        path = ctx.root / "billing" / "invoices"
        ...                                    # write the files, exactly as the exporter does
        ctx.add_source("billing-invoices", "finvoice", path, "billing")
        ctx.expect("R-invoice", "billing-invoices", "invoice 3", field="")

``ctx.expect`` records a planted finding in the ground truth; a test checks that the
audit's findings equal the ground truth exactly, keyed by (rule_id, source, record_ref,
field). Writers run in the registry's order (see :func:`writers`) with one seeded RNG, so
the demo is byte-identical on every machine.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEMO_AS_OF = dt.date(2026, 12, 31)
ORGANISATION = "Oulun Konttoripiste Oy"
OWN_DOMAIN = "oulunkonttori.fi"

FIRST_NAMES = [
    "Aino",
    "Eino",
    "Väinö",
    "Äänis",
    "Sanna",
    "Jyrki",
    "Päivi",
    "Tuomas",
    "Sirpa",
    "Jörö",
    "Marjatta",
    "Kyösti",
    "Hannele",
    "Ilkka",
    "Leena",
    "Mikko",
    "Riitta",
    "Pekka",
    "Tiina",
    "Öönä",
    "Satu",
    "Harri",
    "Kaisa",
    "Jussi",
    "Anneli",
    "Timo",
    "Heli",
    "Esa",
    "Minna",
    "Åsa",
    "Markku",
    "Pirjo",
    "Juha",
    "Outi",
    "Arto",
    "Sari",
    "Veli",
    "Merja",
    "Kari",
    "Eija",
]
LAST_NAMES = [
    "Mäkinen",
    "Räsänen",
    "Kärkkäinen",
    "Hämäläinen",
    "Pöyhönen",
    "Väänänen",
    "Lähteenmäki",
    "Nieminen",
    "Östman",
    "Ylönen",
    "Koskela",
    "Järvinen",
    "Salo",
    "Heikkilä",
    "Törmänen",
    "Kähkönen",
    "Laitinen",
    "Rönkkö",
    "Åberg",
    "Lukkari",
    "Tervo",
    "Pekkala",
    "Kinnunen",
    "Jääskeläinen",
    "Leinonen",
    "Härkönen",
    "Kemppainen",
    "Ahola",
    "Määttä",
    "Niskanen",
]
ORG_STEMS = [
    "Pohjolan Paperi",
    "Kiimingin Kone",
    "Oulun Tilitoimisto",
    "Raahen Rakennus",
    "Kempeleen Kiinteistö",
    "Limingan Lakitoimisto",
    "Haukiputaan Huolto",
    "Iin Insinöörit",
    "Tyrnävän Tuote",
    "Muhoksen Maansiirto",
    "Kuusamon Kuljetus",
    "Ylivieskan Yrityspalvelu",
    "Nivalan Nosturi",
    "Kajaanin Kirjapaino",
    "Hailuodon Hotelli",
    "Pudasjärven Puu",
    "Utajärven Urakointi",
    "Vaalan Vesihuolto",
]


def _ascii(s: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)
    ).lower()


@dataclass
class Person:
    """A fictitious person; phone numbers are in ranges unlikely to be real subscribers."""

    first: str
    last: str
    org: str
    domain: str
    email: str
    mobile: str  # national format, e.g. 040 912 3456
    business_id: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class Expected:
    rule_id: str
    source: str
    record_ref: str
    field: str = ""


@dataclass
class DemoContext:
    root: Path
    as_of: dt.date = DEMO_AS_OF
    rng: random.Random = field(default_factory=lambda: random.Random(20261231))
    sources: list[dict[str, Any]] = field(default_factory=list)
    expected: list[Expected] = field(default_factory=list)
    #: contact persons of customers whose relationship is live (look-alike material)
    live_customer_contacts: list[Person] = field(default_factory=list)
    #: findings the second demo policy's clock (financial year ending 30.6.,
    #: :data:`audit_kit.demo.retention.FY_0630`) takes away: (rule_id, source, record_ref,
    #: field)
    clock_moves: list[tuple[str, str, str, str]] = field(default_factory=list)
    _used: set[str] = field(default_factory=set)
    _serial: int = 0

    def person(
        self, *, org: str | None = None, first: str | None = None, last: str | None = None
    ) -> Person:
        """A new fictitious person with a unique e-mail address and mobile number."""
        while True:
            f = first or self.rng.choice(FIRST_NAMES)
            la = last or self.rng.choice(LAST_NAMES)
            o = org or f"{self.rng.choice(ORG_STEMS)} Oy"
            domain = _ascii(o.replace(" Oy", "")).replace(" ", "") + ".example.fi"
            email = f"{_ascii(f)}.{_ascii(la)}@{domain}"
            if email not in self._used:
                break
            first = last = None  # a clash: draw again
        self._used.add(email)
        self._serial += 1
        n = self._serial
        d1, d2 = self.rng.randrange(10), self.rng.randrange(10)
        mobile = f"040 9{n // 1000 % 10}{n // 100 % 10} {n % 100:02d}{d1}{d2}"
        return Person(f, la, o, domain, email, mobile, business_id(self.rng))

    def months_ago(self, months: int, day: int = 15) -> dt.date:
        """A date *months* calendar months before as_of (day clamped to 28)."""
        y, m = self.as_of.year, self.as_of.month - months
        while m <= 0:
            m += 12
            y -= 1
        return dt.date(y, m, min(day, 28))

    def add_source(self, name: str, kind: str, path: Path, system: str, **extra: Any) -> None:
        entry = {"name": name, "kind": kind, "path": str(path), "system": system, **extra}
        self.sources.append(entry)

    def expect(self, rule_id: str, source: str, record_ref: str, field: str = "") -> None:
        self.expected.append(Expected(rule_id, source, record_ref, field))


def business_id(rng: random.Random) -> str:
    """A random Y-tunnus with a valid check digit (7 digits, weights 7 9 10 5 8 4 2)."""
    while True:
        body = f"{rng.randrange(10**7):07d}"
        r = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
        if r != 1:
            return f"{body}-{0 if r == 0 else 11 - r}"


Writer = Callable[[DemoContext], None]

#: the demo's scenarios that belong to no one source kind, written after the kinds'
#: writers: the statement's own gaps, the rights scenario, the retention plants and what
#: leaves the company (each draws its people after every kind's writer has drawn theirs;
#: the outbound plants run last)
SCENARIOS = ("audit_kit.demo.tabular:statement", "audit_kit.demo.people:write",
             "audit_kit.demo.retention:write", "audit_kit.demo.outbound:write")


def _writer(ref: str) -> Writer:
    module, _, name = ref.partition(":")
    fn = getattr(importlib.import_module(module), name, None)
    if not callable(fn):
        raise ValueError(f"demo writer {ref!r} is not a function of {module}")
    return fn


def writers() -> list[Writer]:
    """The source kinds' demo writers in the registry's order (a writer several kinds
    share runs once, at its first kind), then :data:`SCENARIOS`. Later writers use what
    earlier ones planted (the mail writer the live customers' contacts) and all draw from
    one seeded generator, so this order is the demo's bytes; it does not depend on which
    module was imported first."""
    from audit_kit.loaders import source_kinds

    refs = [k.demo for k in source_kinds().values() if k.demo]
    return [_writer(ref) for ref in dict.fromkeys([*refs, *SCENARIOS])]


#: the first line of a demo's config.yaml: how ``demo --data`` recognises an earlier demo
CONFIG_HEADER = "# Generated by `audit-kit demo`: the fictitious demo company.\n"


def is_demo_folder(path: Path) -> bool:
    """Whether *path* holds a demo company this command wrote (its config.yaml says so)."""
    try:
        with open(Path(path) / "config.yaml", encoding="utf-8") as f:
            return f.readline(len(CONFIG_HEADER) + 1) == CONFIG_HEADER
    except (OSError, UnicodeError):
        return False


def generate(root: Path, as_of: dt.date = DEMO_AS_OF) -> DemoContext:
    """Write the demo company's exports, config, policy link and ground truth under *root*
    (created owner-only if missing; callers check it first, ``outdir.check_target``)."""
    from audit_kit.outdir import make_private_dirs

    make_private_dirs(root)
    ctx = DemoContext(root=root.resolve(), as_of=as_of)
    for writer in writers():
        writer(ctx)
    from audit_kit.policy import default_policy_path

    config = {
        "organisation": ORGANISATION,
        "policy": str(default_policy_path()),
        "as_of": as_of.isoformat(),
        "sources": [{**s, "path": str(Path(s["path"]).relative_to(ctx.root))} for s in ctx.sources],
    }
    (root / "config.yaml").write_text(
        CONFIG_HEADER
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    with open(root / "ground_truth.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["rule_id", "source", "record_ref", "field"])
        for e in sorted(ctx.expected, key=lambda e: (e.rule_id, e.source, e.record_ref, e.field)):
            w.writerow([e.rule_id, e.source, e.record_ref, e.field])
    return ctx
