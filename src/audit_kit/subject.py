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

from audit_kit import normalise, people
from audit_kit.errors import ConfigError, InputError

TOMBSTONES_ENV = "AUDIT_KIT_TOMBSTONES"
TOMBSTONE_FILE = "tombstones.txt"
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
    con.execute("CREATE OR REPLACE TABLE tombstones (hash VARCHAR, kind VARCHAR, erased_on DATE, "
                "key_id VARCHAR, file VARCHAR)")
    con.execute("CREATE OR REPLACE TABLE identifier_hashes (kind VARCHAR, identifier VARCHAR, "
                "key_id VARCHAR, hash VARCHAR)")
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
