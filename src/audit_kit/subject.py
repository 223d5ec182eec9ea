"""Data-subject rights (statement §8): the access-request answer, the erasure plan, and
erasure tombstones.

Access (GDPR Art. 15): :func:`access_report` finds a person in an audit run's warehouse
by a normalised e-mail address or phone number (a name alone never identifies anyone;
it only narrows), follows :mod:`audit_kit.people`'s links to every record of theirs, and
lists what is held where, why (the policy's purpose for the role), until when (the
retention rule and its deadline from the record's dates) and where it is stored
(transfers). The same report carries the erasure plan: what to delete where, and what
the Accounting Act keeps, until when.

Tombstones: once a person is erased, :func:`forget` records keyed hashes (HMAC-SHA256
with :func:`audit_kit.people.subject_key`) of their normalised identifiers, never the
identifiers themselves, in a tombstone file. Every later audit loads the tombstones
(:func:`load_tombstones`) and rule ``R-tombstone`` flags the person's reappearance in
any source.

Where tombstones live (read by every run, in this order):

1. ``$AUDIT_KIT_TOMBSTONES`` if set, else ``tombstones.txt`` beside the key
   (``~/.config/audit-kit/tombstones.txt``): what ``audit-kit forget`` writes;
2. ``tombstones.txt`` beside the audit config, if present: a company keeps its own
   there, and the demo company writes one.

Each file names the key it was hashed with on a ``# key-id:`` line (an HMAC of a fixed
label, not the key). A run knows the user's key and the public demo key
(:data:`DEMO_KEY_ID`, for the fictitious demo company only); a file made with any other
key is an error, never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from audit_kit import normalise, people, schema
from audit_kit.clock import voucher_kept_until
from audit_kit.errors import ConfigError, InputError
from audit_kit.loaders import roles

TOMBSTONES_ENV = "AUDIT_KIT_TOMBSTONES"
TOMBSTONE_FILE = "tombstones.txt"
#: what :meth:`AccessReport.write` writes into its folder
ANSWER_FILES = ("subject.html", "subject.json")
_HEADER = ("# audit-kit tombstones: keyed hashes (HMAC-SHA256) of erased people's normalised\n"
           "# e-mail addresses and phone numbers. No identifiers are kept.\n"
           "# Written by `audit-kit forget`.\n")

#: the demo company's key: public, so only for fictitious people (``audit-kit demo``)
DEMO_KEY_ID = "demo"
DEMO_KEY = hashlib.sha256(b"audit-kit demo company key: public, fictitious people only").digest()


# -- tombstones ------------------------------------------------------------------------

def key_id(key: bytes) -> str:
    """Names a key without revealing it."""
    return hmac.new(key, b"audit-kit key id", hashlib.sha256).hexdigest()[:16]


def tombstone_path() -> Path:
    """Where ``audit-kit forget`` writes: ``$AUDIT_KIT_TOMBSTONES`` or beside the key."""
    if os.environ.get(TOMBSTONES_ENV):
        return Path(os.environ[TOMBSTONES_ENV])
    return people.key_path().parent / TOMBSTONE_FILE


def tombstone_hash(kind: str, value: str, key: bytes) -> str:
    """Keyed hash of one normalised identifier (``kind`` is ``email`` or ``phone``)."""
    return hmac.new(key, f"tombstone\0{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def identifiers(email: str | None = None, phone: str | None = None) -> list[tuple[str, str]]:
    """The normalised (kind, value) pairs of a person; ConfigError when none is usable."""
    out = []
    if email:
        e = normalise.email(email)
        if e is None:
            raise ConfigError("--email is not an e-mail address")
        if people.is_role_mailbox(e):
            raise ConfigError("--email is a shared role mailbox (info@, myynti@, ...), "
                              "not one person's address")
        out.append(("email", e))
    if phone:
        p = normalise.phone(phone)
        if p is None:
            raise ConfigError("--phone is not a phone number")
        out.append(("phone", p))
    if not out:
        raise ConfigError("give --email and/or --phone: a name alone never identifies a person")
    return out


@dataclass(frozen=True)
class Tombstone:
    hash: str
    kind: str
    erased_on: dt.date
    key_id: str
    file: str


def _file_key_id(path: Path) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s.startswith("#") and s[1:].strip().lower().startswith("key-id:"):
            return s.split(":", 1)[1].strip()
    return None


def read_tombstones(path: Path) -> list[Tombstone]:
    """Parse a tombstone file (``hash<TAB>kind<TAB>erased_on`` lines under a key-id header)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not a tombstone file (not UTF-8 text)", file=path) from None
    kid = None
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            if s[1:].strip().lower().startswith("key-id:"):
                kid = s.split(":", 1)[1].strip()
            continue
        parts = s.split("\t")
        if kid is None:
            raise InputError("no `# key-id:` line before the first tombstone", file=path,
                             place=f"line {n}")
        if (len(parts) != 3 or len(parts[0]) != 64 or parts[1] not in ("email", "phone")
                or not all(c in "0123456789abcdef" for c in parts[0])):
            raise InputError("expected `hash<TAB>email|phone<TAB>YYYY-MM-DD`", file=path,
                             place=f"line {n}")
        try:
            when = dt.date.fromisoformat(parts[2])
        except ValueError:
            raise InputError("erasure date is not YYYY-MM-DD", file=path,
                             place=f"line {n}") from None
        out.append(Tombstone(parts[0], parts[1], when, kid, str(path)))
    return out


def write_tombstones(path: Path, idents: list[tuple[str, str]], *, key: bytes, kid: str,
                     erased_on: dt.date) -> tuple[int, int]:
    """Append tombstones for *idents* to *path* (created 0600, folder 0700).

    Returns (added, already present). The file's key must be *kid*.
    """
    existing = read_tombstones(path) if path.exists() else []
    file_kid = _file_key_id(path) if path.exists() else None
    if file_kid is not None and file_kid != kid:
        raise ConfigError(f"the tombstone file was made with another key (key-id {file_kid}); "
                          "use that key (AUDIT_KIT_KEY_FILE) or another file (--tombstones)",
                          file=path)
    have = {t.hash for t in existing}
    new = [(tombstone_hash(k, v, key), k) for k, v in idents]
    add = [(h, k) for h, k in new if h not in have]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(_HEADER + f"# key-id: {kid}\n")
    elif file_kid is None:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"# key-id: {kid}\n")
    if add:
        with open(path, "a", encoding="utf-8") as f:
            for h, k in add:
                f.write(f"{h}\t{k}\t{erased_on.isoformat()}\n")
    os.chmod(path, 0o600)
    return len(add), len(new) - len(add)


@dataclass(frozen=True)
class ForgetResult:
    path: Path
    added: int
    already: int
    erased_on: dt.date

    def _repr_html_(self) -> str:
        import html

        return (f"<p>{self.added} tombstone(s) added, {self.already} already present, "
                f"in {html.escape(str(self.path))}</p>")


def forget(email: str | None = None, phone: str | None = None, *, path: Path | None = None,
           erased_on: dt.date | None = None) -> ForgetResult:
    """Record an erasure: tombstones for the person's e-mail and/or phone (user's key)."""
    idents = identifiers(email, phone)
    key = people.subject_key()
    target = Path(path) if path else tombstone_path()
    when = erased_on or dt.date.today()
    added, already = write_tombstones(target, idents, key=key, kid=key_id(key), erased_on=when)
    return ForgetResult(target, added, already, when)


def tombstone_files(config_dir: Path | None) -> list[Path]:
    """The tombstone files a run reads (see the module docstring), those that exist."""
    paths = [tombstone_path()]
    if config_dir is not None:
        paths.append(Path(config_dir) / TOMBSTONE_FILE)
    seen, out = set(), []
    for p in paths:
        r = p.resolve()
        if r not in seen and p.is_file():
            seen.add(r)
            out.append(p)
    return out


def load_tombstones(con: duckdb.DuckDBPyConnection, config_dir: Path | None) -> int:
    """Write ``tombstones`` and ``identifier_hashes`` into the warehouse; return #tombstones.

    ``identifier_hashes(kind, identifier, key_id, hash)`` holds the keyed hash of every
    distinct e-mail/phone in ``records`` under each key the tombstones use, so rule
    ``R-tombstone`` is a plain join (GX runs it on its own connection, without Python).
    """
    stones: list[Tombstone] = []
    for p in tombstone_files(config_dir):
        stones.extend(read_tombstones(p))
    schema.TOMBSTONES.create(con, replace=True)
    schema.IDENTIFIER_HASHES.create(con, replace=True)
    if not stones:
        return 0
    keys: dict[str, bytes] = {DEMO_KEY_ID: DEMO_KEY}
    user = people.subject_key()
    keys[key_id(user)] = user
    for t in stones:
        if t.key_id not in keys:
            raise InputError(f"tombstones made with an unknown key (key-id {t.key_id}); run with "
                             "the key they were made with (AUDIT_KIT_KEY_FILE)", file=t.file)
    _insert(con, "tombstones", ["hash", "kind", "erased_on", "key_id", "file"],
            [(t.hash, t.kind, t.erased_on, t.key_id, Path(t.file).name) for t in stones])
    idents = con.execute("SELECT DISTINCT 'email', email FROM records WHERE email IS NOT NULL "
                         "UNION SELECT DISTINCT 'phone', phone FROM records WHERE phone IS NOT NULL"
                         ).fetchall()
    rows = [(k, v, kid, tombstone_hash(k, v, keys[kid]))
            for kid in sorted({t.key_id for t in stones}) for k, v in idents]
    _insert(con, "identifier_hashes", ["kind", "identifier", "key_id", "hash"], rows)
    return len(stones)


def _insert(con: duckdb.DuckDBPyConnection, table: str, names: list[str],
            rows: list[tuple]) -> None:
    """Bulk insert through Arrow (executemany is row by row)."""
    if not rows:
        return
    import pyarrow as pa

    cols = list(zip(*rows, strict=True))
    batch = pa.table({n: list(c) for n, c in zip(names, cols, strict=True)})
    con.register("_ak_rows", batch)
    try:
        cols = ", ".join(names)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _ak_rows")
    finally:
        con.unregister("_ak_rows")


# -- the access-request answer (GDPR Art. 15) and the erasure plan ------------------------

_EMAIL_CLASSES = ("email",)
_PHONE_CLASSES = ("phone", "work_phone", "mobile_phone", "home_phone")
_IDENT_CLASSES = (*_EMAIL_CLASSES, *_PHONE_CLASSES, "person_name")
#: a role whose record is how a right is honoured: kept, never "data to erase" (READING §8)
_KEPT_ROLES = ("marketing_optout",)


@dataclass
class HeldRecord:
    """One place where the person appears, with everything the answer says about it.

    *findings*: the audit's findings (findings.csv) for this person at this place;
    *retention*: what the letter says of the retention, read from the policy and those
    findings (``status``: ``ended`` when a retention rule flags the record, else
    ``statutory``, ``period``, ``kept_for`` or ``unknown``)."""

    source: str
    source_kind: str
    system: str
    file: str
    record_ref: str
    role: str
    subject_id: str
    person_name: str | None
    org_name: str | None
    email: str | None
    phone: str | None
    dates: dict[str, str]
    fields: list[dict[str, str]]
    purpose: dict[str, str]
    findings: list[dict[str, str]]
    retention: dict[str, str | int | None]
    erasure: dict[str, str | None]


@dataclass
class AccessReport:
    """Everything a run's warehouse holds about one person, the audit's findings for
    them, and how to erase it.

    Two documents: :meth:`letter` (to the person, Finnish or English, every GDPR Art.
    15(1)-(2) item, nothing internal) and :meth:`internal` (for the company: how the
    search was done, the sources searched, the findings and the erasure plan).
    :meth:`write` stores them owner-only; in Jupyter the object shows its letter.
    """

    as_of: dt.date
    organisation: str
    run_dir: Path
    searched: dict[str, str | None]
    subject_ids: list[str]
    records: list[HeldRecord]
    #: the run's configured sources (manifest.json): name, kind, system, files, loaded
    sources_searched: list[dict]
    #: the run's findings (findings.csv) for the subject ids, each record's among them
    findings: list[dict[str, str]]
    policy: object
    lang: str = "fi"

    @property
    def sources(self) -> list[str]:
        return sorted({r.source for r in self.records})

    @property
    def erasure_plan(self) -> list[dict[str, str | None]]:
        return [{"source": r.source, "file": r.file, "record_ref": r.record_ref, **r.erasure}
                for r in self.records]

    def to_json(self) -> dict:
        from dataclasses import asdict

        return {
            "organisation": self.organisation,
            "as_of": self.as_of.isoformat(),
            "searched": self.searched,
            "subject_ids": self.subject_ids,
            "sources_searched": self.sources_searched,
            "sources": self.sources,
            "findings": self.findings,
            "records": [asdict(r) for r in self.records],
            "erasure_plan": self.erasure_plan,
        }

    def letter(self, lang: str | None = None) -> str:
        """The letter to the person (HTML), in *lang* (default: the report's)."""
        return _letter_html(self, lang or self.lang)

    def internal(self, lang: str | None = None) -> str:
        """The company's internal sheet (HTML), in *lang* (default: the policy's)."""
        return _internal_html(self, lang or self.policy.language)

    def _repr_html_(self) -> str:
        return self.letter()

    def write(self, out: Path, lang: str | None = None) -> tuple[Path, Path, Path]:
        """Write the letter (:func:`letter_name`: one file per language, so one language
        never replaces the other) and :data:`INTERNAL_FILES` into *out*; files 0600,
        folders it creates 0700 (an existing folder keeps its mode)."""
        from audit_kit.outdir import make_private_dirs, write_private
        from audit_kit.safe_output import json_text

        lang = lang or self.lang
        out = make_private_dirs(out)
        sheet, data = INTERNAL_FILES
        return (write_private(out / letter_name(lang), self.letter(lang)),
                write_private(out / sheet, self.internal()),
                write_private(out / data, json_text(self.to_json(), default=str)))


#: the internal sheet and its data, beside the letters in an answer folder
INTERNAL_FILES = ("internal.html", "internal.json")


def letter_name(lang: str) -> str:
    """The letter's file name: the language is in it (``letter.fi.html``)."""
    return f"letter.{lang}.html"


#: every name :meth:`AccessReport.write` writes (an answer folder holds only these)
ANSWER_FILES = (letter_name("fi"), letter_name("en"), *INTERNAL_FILES)


def _label_prefix(label: str) -> str:
    import re

    m = re.match(r"[A-Z]?[a-z]+|[^\s(]+", label or "")
    return m.group(0).lower() if m else ""


def _own_fields(rec: dict, rows: list[tuple[str, str, str]], shared: bool,
                others: list[dict]) -> list[dict[str, str]]:
    """The record's fields rows. At a place several people share (a message to many,
    an invoice's buyer and delivery contacts) only the values that are this person's:
    their own identifiers and name, and the other values under the same label prefix
    (``Buyer…``) when no other record at the place owns that prefix."""
    if not shared:
        return [{"field": f, "label": lab, "value": v} for f, lab, v in rows]

    def owns(r: dict, f: str, v: str) -> bool:
        if f in _EMAIL_CLASSES:
            return r["email"] is not None and normalise.email(v) == r["email"]
        if f in _PHONE_CLASSES:
            return r["phone"] is not None and normalise.phone(v) == r["phone"]
        if f == "person_name":
            return bool(r["person_name"]) and v.strip() == r["person_name"]
        return False

    mine = [(f, lab, v) for f, lab, v in rows if owns(rec, f, v)]
    prefixes = {_label_prefix(lab) for _, lab, _ in mine}
    theirs = {_label_prefix(lab) for o in others for f, lab, v in rows if owns(o, f, v)}
    extra = [(f, lab, v) for f, lab, v in rows if f not in _IDENT_CLASSES
             and _label_prefix(lab) in prefixes - theirs]
    keep = set(mine) | set(extra)
    return [{"field": f, "label": lab, "value": v} for f, lab, v in rows if (f, lab, v) in keep]


def _retention(rec: dict, found: list[dict[str, str]], policy) -> dict[str, str | int | None]:
    """What the letter says of a record's retention: the rules' verdict (a retention
    finding for this person at this place) first, else the period or criteria the
    policy gives the role. A statutory record's date is the policy's one voucher clock
    (:func:`audit_kit.clock.voucher_kept_until`), the one the retention rules read."""
    flagged = sorted({f["rule_id"] for f in found if f["category"] == "retention"})
    if flagged:
        return {"status": "ended", "rules": ", ".join(flagged)}
    for s in policy.statutory:
        if s.role == rec["role"]:
            until = (voucher_kept_until(rec["last_activity"], policy.accounting)
                     if rec["last_activity"] else None)
            return {"status": "statutory", "rule": s.rule, "law": s.law,
                    "years": policy.accounting.voucher_years,
                    "until": until.isoformat() if until else None}
    for r in policy.retention:
        if r.role == rec["role"]:
            return {"status": "period", "rule": r.rule, "months": r.months,
                    "counts_from": r.counts_from}
    kept = roles().get(rec["role"])
    if kept and kept.kept_for:
        return {"status": "kept_for", "fi": kept.kept_for["fi"], "en": kept.kept_for["en"]}
    return {"status": "unknown"}


def _erasure(rec: dict, retention: dict) -> dict[str, str | None]:
    """The erasure plan's step for a record: invoices inside their statutory window and
    ban records are kept; everything else is deleted."""
    if rec["role"] in _KEPT_ROLES:
        return {"action": "keep", "kept_until": None, "law": None, "why": "ban"}
    if retention["status"] == "statutory":
        return {"action": "keep", "kept_until": retention["until"], "law": retention["law"],
                "why": "statutory"}
    return {"action": "delete", "kept_until": None, "law": None, "why": None}


def _person_findings(run_dir: Path, sids: list[str]) -> list[dict[str, str]]:
    """The run's findings (findings.csv) for the subject ids *sids*."""
    from dataclasses import asdict

    from audit_kit.findings import read_csv

    path = run_dir / "findings.csv"
    if not path.is_file():
        raise ConfigError("not an audit run folder (no findings.csv); give the --out folder "
                          "of `audit-kit run`", file=run_dir)
    want = set(sids)
    return [asdict(f) for f in read_csv(path) if f.subject_id in want]


def access_report(run_dir: str | Path, *, email: str | None = None, phone: str | None = None,
                  name: str | None = None, lang: str | None = None,
                  policy: str | Path | None = None) -> AccessReport:
    """Everything audit run *run_dir* holds about the person with *email* / *phone*.

    The person is found by a normalised identifier (a record's own, or a contact-point
    value of a record), then every record linked to those (``persons.subject_id``). A
    *name* never finds anyone; it drops found subjects whose names all disagree with it.
    The verdicts are the run's own: its findings for the person's subject ids.
    """
    from audit_kit.outdir import read_manifest
    from audit_kit.people import names_agree
    from audit_kit.policy import default_policy_path, load_policy

    run_dir = Path(run_dir)
    idents = identifiers(email, phone)
    wh, manifest = run_dir / "warehouse.duckdb", read_manifest(run_dir)
    if not wh.is_file() or manifest is None:
        raise ConfigError("not an audit run folder (no warehouse.duckdb and manifest.json); "
                          "give the --out folder of `audit-kit run`", file=run_dir)
    pol = load_policy(policy or default_policy_path())
    if manifest.get("policy", {}).get("sha256") not in (None, pol.sha256):
        raise ConfigError("the run was made with another policy file; give it with --policy",
                          file=pol.path)
    if pol.access_answer is None:
        raise ConfigError("the policy has no `access_answer:` section (the controller's "
                          "contact details, the supervisory authority, data sources, "
                          "recipients); add it as in the packaged audits/policy.yaml",
                          file=pol.path)
    as_of = dt.date.fromisoformat(manifest["as_of"])
    con = duckdb.connect(str(wh), read_only=True)
    try:
        em = next((v for k, v in idents if k == "email"), None)
        ph = next((v for k, v in idents if k == "phone"), None)
        hits = {r for (r,) in con.execute(
            "SELECT rec_id FROM records WHERE email = ? OR phone = ?", [em, ph]).fetchall()}
        # contact points in fields rows (a vCard's second address); a place several
        # records share counts only through their own e-mail/phone (above)
        frows = con.execute(
            "SELECT f.field, f.value, list(r.rec_id) FROM fields f JOIN records r "
            "ON r.source = f.source AND r.record_ref = f.record_ref "
            f"WHERE f.field IN ({', '.join(repr(c) for c in (*_EMAIL_CLASSES, *_PHONE_CLASSES))}) "
            "GROUP BY f.source, f.record_ref, f.field, f.label, f.value").fetchall()
        for field, value, recs in frows:
            norm = normalise.email(value) if field in _EMAIL_CLASSES else normalise.phone(value)
            if norm is not None and norm in (em, ph) and len(recs) == 1:
                hits.add(recs[0])
        sids = sorted({s for (s,) in con.execute(
            "SELECT DISTINCT subject_id FROM persons WHERE list_contains(?, rec_id)",
            [sorted(hits)]).fetchall()}) if hits else []
        cols = ["rec_id", "source", "source_kind", "system", "file", "record_ref", "role",
                "person_name", "org_name", "email", "phone", "ended_on", "last_activity",
                "requested_on", "subject_id"]
        recs = [dict(zip(cols, row, strict=True)) for row in con.execute(
            f"SELECT {', '.join('r.' + c for c in cols[:-1])}, p.subject_id FROM records r "
            "JOIN persons p ON p.rec_id = r.rec_id WHERE list_contains(?, p.subject_id) "
            "ORDER BY r.source, r.file, r.record_ref, r.rec_id", [sids]).fetchall()
        ] if sids else []
        if name:
            keep = set()
            for sid in sids:
                names = [r["person_name"] for r in recs
                         if r["subject_id"] == sid and r["person_name"]]
                if not names or any(names_agree(name, n) for n in names):
                    keep.add(sid)
            sids = [s for s in sids if s in keep]
            recs = [r for r in recs if r["subject_id"] in keep]
        found = _person_findings(run_dir, sids)
        held = []
        for rec in recs:
            same_place = con.execute(
                "SELECT rec_id, person_name, email, phone FROM records "
                "WHERE source = ? AND record_ref = ?",
                [rec["source"], rec["record_ref"]]).fetchall()
            others = [dict(zip(("rec_id", "person_name", "email", "phone"), o, strict=True))
                      for o in same_place if o[0] != rec["rec_id"]]
            rows = con.execute(
                "SELECT field, label, value FROM fields WHERE source = ? AND record_ref = ? "
                "ORDER BY label, field", [rec["source"], rec["record_ref"]]).fetchall()
            here = [f for f in found if f["subject_id"] == rec["subject_id"]
                    and f["source"] == rec["source"] and f["record_ref"] == rec["record_ref"]
                    and f["source_file"] in ("", rec["file"])]
            ret = _retention(rec, here, pol)
            held.append(HeldRecord(
                source=rec["source"], source_kind=rec["source_kind"], system=rec["system"],
                file=rec["file"], record_ref=rec["record_ref"], role=rec["role"],
                subject_id=rec["subject_id"], person_name=rec["person_name"],
                org_name=rec["org_name"], email=rec["email"], phone=rec["phone"],
                dates={k: rec[k].isoformat() for k in
                       ("ended_on", "last_activity", "requested_on") if rec[k]},
                fields=_own_fields(rec, rows, bool(others), others),
                purpose={lg: pol.purpose(rec["role"], lg) for lg in ("fi", "en")},
                findings=here, retention=ret, erasure=_erasure(rec, ret)))
    finally:
        con.close()
    org = manifest.get("organisation", pol.organisation.name)
    searched = [{k: s.get(k) for k in ("name", "kind", "system", "records_loaded")}
                | {"files": len(s.get("files", []))} for s in manifest.get("sources", [])]
    return AccessReport(as_of=as_of, organisation=org, run_dir=run_dir,
                        searched={"email": em, "phone": ph, "name": name},
                        subject_ids=sids, records=held, sources_searched=searched,
                        findings=found, policy=pol, lang=lang or pol.language)


def answer_folder(rep: AccessReport) -> str:
    """The answer's folder name under ``RUN_DIR/subjects``: the subject id, or for a
    person not found a keyed hash of the identifiers searched (never the identifiers)."""
    if rep.subject_ids:
        return rep.subject_ids[0]
    idents = ",".join(f"{k}:{v}" for k, v in sorted(rep.searched.items()) if v)
    return "not-found-" + tombstone_hash("search", idents, people.subject_key())[:16]


def _letter_html(rep: AccessReport, lang: str) -> str:
    from audit_kit.subject_letter import letter_html

    return letter_html(rep, lang)


def _internal_html(rep: AccessReport, lang: str) -> str:
    from audit_kit.subject_letter import internal_html

    return internal_html(rep, lang)
