"""Person resolution: which records are the same person, with a pseudonymous subject_id.

Records link on a shared identifier: a normalised e-mail address or an E.164 phone
number, from the record itself or from a contact-point ``fields`` row of that record
(a vCard's second address). Names never make a link: two Mikko Mäkinens are two
people. A name only *supports* a link: each link records ``name_agrees`` (true, false,
or NULL when one side has no name), and a subject whose links disagree on the name is
flagged ``name_conflict`` for a human to look at.

Identifiers that belong to no one person never link (statement §3 reading): role
mailboxes (``info@``, ``myynti@``, ``asiakaspalvelu@``… on any domain: the policy's
list plus :data:`audit_kit.vocab.ROLE_MAILBOXES`) and Finnish corporate numbers (010, 020, 029, 030:
a company's switchboard, shared by its staff).

Components are found by label propagation in SQL, so it scales with the warehouse.
``subject_id`` is a keyed hash (HMAC-SHA256) of the component's smallest identifier;
the key lives outside the repository, owner-only, created on first use
(:func:`subject_key`), so the same data and key give the same ids on every run.

Tables written:

``links``     one row per (record, shared identifier): the identifier, the record it is
              shared with (the identifier's first other record), and ``name_agrees``
``persons``   one row per record: ``subject_id``, ``linked_by`` (why, in words, without
              personal data: "email shared with billing-customers line 4") and
              ``name_agrees`` (false if any of its links disagrees)
``subjects``  one row per subject: records, sources, roles, whether it holds person data
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

import duckdb
import pyarrow as pa

from audit_kit import normalise, schema
from audit_kit.context import RunContext
from audit_kit.errors import ConfigError
from audit_kit.policy import Policy
from audit_kit.rules import sql_str
from audit_kit.vocab import ROLE_MAILBOXES

KEY_ENV = "AUDIT_KIT_KEY_FILE"

#: field classes whose value is an identifier that can link records
_EMAIL_FIELDS = ("email",)
_PHONE_FIELDS = ("phone", "work_phone", "mobile_phone", "home_phone")

#: SQL: a person's name as a sorted list of lower-case ASCII tokens
#: ("Mäkinen, Mikko" and "mikko makinen" give the same key)
def _name_key(col: str) -> str:
    return (f"list_sort(list_filter(string_split_regex(regexp_replace(lower(strip_accents({col})), "
            f"'[^a-z]+', ' ', 'g'), ' '), lambda t: t <> ''))")


def key_path() -> Path:
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "audit-kit" / "subject.key"


#: a key shorter than this is refused (HMAC-SHA256 keys shorter than the hash are weak)
KEY_BYTES = 32
#: a key file longer than this is not one of ours
_KEY_FILE_MAX = 1024


def subject_key() -> bytes:
    """The pseudonymisation key (HMAC-SHA256), 64 hex digits in :func:`key_path`.

    Created on first use, owner-only (file 0600, folders it creates 0700). Creation is
    atomic: the key is written and synced to a temporary file beside it and hard-linked
    into place, so concurrent first runs all end up reading the one complete key, never
    an empty or partial one. An empty, short, malformed or group/world-accessible key is
    refused with a :class:`ConfigError` naming the file and the fix; no message ever
    shows the key.
    """
    p = key_path()
    if not os.path.lexists(p):
        _create_key(p)
    return _read_key(p)


def _private_parents(folder: Path) -> None:
    """Create *folder* and missing parents owner-only; existing folders keep their mode."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:  # a concurrent first run made it
            continue
        os.chmod(d, 0o700)


def _create_key(p: Path) -> None:
    _private_parents(p.parent)
    tmp = p.parent / f".{p.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(KEY_BYTES) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, p)  # fails if another run linked its key first: that one wins
        except FileExistsError:
            return
        except OSError:  # a file system without hard links: rename, unless a key appeared
            if os.path.lexists(p):
                return
            os.rename(tmp, p)
        dfd = os.open(p.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def _read_key(p: Path) -> bytes:
    fix = (f"delete it to create a new key (subject ids and tombstones made with the old "
           f"one will no longer match) or restore the key from its backup ({KEY_ENV} "
           f"names another key file)")
    try:
        st = os.stat(p)
    except OSError:
        raise ConfigError(f"pseudonymisation key cannot be read; {fix}", file=p) from None
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError(f"pseudonymisation key is not a regular file; {fix}", file=p)
    if st.st_mode & 0o077:
        raise ConfigError(
            f"pseudonymisation key is accessible to other users (mode "
            f"{stat.S_IMODE(st.st_mode):04o}); make it owner-only: chmod 600 {p}", file=p)
    try:
        with open(p, "rb") as f:
            data = f.read(_KEY_FILE_MAX + 1)
    except OSError:
        raise ConfigError(f"pseudonymisation key cannot be read; {fix}", file=p) from None
    text = data.strip() if len(data) <= _KEY_FILE_MAX else b"-"  # too long: not a key
    if not text:
        raise ConfigError(f"pseudonymisation key file is empty; {fix}", file=p)
    try:
        key = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise ConfigError(
            f"not a pseudonymisation key (expected {2 * KEY_BYTES} hex digits); {fix}", file=p
        ) from None
    if len(key) < KEY_BYTES:
        raise ConfigError(
            f"pseudonymisation key is too short ({len(key)} bytes, at least {KEY_BYTES} "
            f"needed); {fix}", file=p)
    return key


def pseudonym(identifier: str, key: bytes | None = None) -> str:
    digest = hmac.new(key or subject_key(), identifier.encode("utf-8"), hashlib.sha256)
    return "S-" + digest.hexdigest()[:16]


def role_mailboxes(policy: Policy | None = None) -> frozenset[str]:
    """Local parts that name a shared mailbox, not a person (the run context's list)."""
    return RunContext(policy).role_mailboxes if policy is not None else ROLE_MAILBOXES


def is_role_mailbox(email: str | None, policy: Policy | None = None) -> bool:
    if not email or "@" not in email:
        return False
    return email.rsplit("@", 1)[0].lower() in role_mailboxes(policy)


def is_shared_phone(e164: str | None) -> bool:
    """A Finnish corporate (UAN) number: a company's switchboard, not one person's."""
    return normalise.phone_kind(e164) == "corporate"


def names_agree(a: str | None, b: str | None) -> bool | None:
    """Python twin of the SQL name comparison (None when a name is missing)."""
    import re
    import unicodedata

    def key(s: str) -> list[str]:
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
        return sorted(t for t in re.split(r"[^a-z]+", s.lower()) if t)

    if not a or not b or not key(a) or not key(b):
        return None
    ka, kb = key(a), key(b)
    if ka == kb:
        return True
    small, big = (ka, kb) if len(ka) <= len(kb) else (kb, ka)
    return len(small) >= 2 and set(small) <= set(big)


def _identifier_table(con: duckdb.DuckDBPyConnection, policy: Policy) -> None:
    """``_ident(rec_id, kind, ident)``: every linking identifier of every record."""
    roles = ", ".join(sql_str(r) for r in sorted(role_mailboxes(policy)))
    # identifiers in fields rows belong to a record only when (source, record_ref) names one
    # record (a mail message names several correspondents: its fields are not theirs alone)
    classes = ", ".join(sql_str(c) for c in (*_EMAIL_FIELDS, *_PHONE_FIELDS))
    emails = ", ".join(sql_str(c) for c in _EMAIL_FIELDS)
    values = con.execute(f"""
        SELECT DISTINCT field IN ({emails}) AS is_email, value
        FROM fields WHERE field IN ({classes})
    """).fetchall()
    mapped = []
    for is_email, value in values:
        norm = normalise.email(value) if is_email else normalise.phone(value)
        if norm:
            mapped.append((is_email, value, ("email" if is_email else "phone"), norm))
    _table_from_rows(con, "_fnorm", (("is_email", pa.bool_()), ("value", pa.string()),
                                     ("kind", pa.string()), ("ident", pa.string())), mapped)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ident_all AS
        SELECT rec_id, 'email' AS kind, email AS ident FROM records WHERE email IS NOT NULL
        UNION
        SELECT rec_id, 'phone', phone FROM records WHERE phone IS NOT NULL
        UNION
        SELECT r.rec_id, n.kind, n.ident
        FROM fields f
        JOIN _fnorm n ON n.value = f.value AND n.is_email = (f.field IN ({emails}))
        JOIN (SELECT source, record_ref, min(rec_id) AS rec_id FROM records
              GROUP BY source, record_ref HAVING count(*) = 1) r
          ON r.source = f.source AND r.record_ref = f.record_ref
        WHERE f.field IN ({classes})
    """)
    # only Finnish 010/020/029/030 numbers can be corporate (UAN); phonenumbers confirms
    phones = [p for (p,) in con.execute(
        "SELECT DISTINCT ident FROM _ident_all WHERE kind = 'phone' "
        "AND regexp_matches(ident, '^\\+358(10|20|29|30)')").fetchall()]
    shared = [(p,) for p in phones if is_shared_phone(p)]
    _table_from_rows(con, "_shared_phone", (("ident", pa.string()),), shared)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ident AS
        SELECT rec_id, kind, kind || ':' || ident AS ident, ident AS value FROM _ident_all
        WHERE NOT (kind = 'email' AND split_part(ident, '@', 1) IN ({roles}))
          AND NOT (kind = 'phone' AND ident IN (SELECT ident FROM _shared_phone))
    """)
    # each identifier as an integer in its sort order (the label propagation and the
    # links join and take min() on integers, not on "email:..." strings); the smallest
    # id of a component is its smallest identifier
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _iid AS
        SELECT ident, row_number() OVER (ORDER BY ident) AS iid
        FROM (SELECT DISTINCT ident FROM _ident)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _ident AS
        SELECT i.rec_id, i.kind, i.value, n.iid FROM _ident i JOIN _iid n USING (ident)
    """)


def _table_from_rows(con: duckdb.DuckDBPyConnection, name: str,
                     columns: tuple[tuple[str, pa.DataType], ...], rows: list[tuple]) -> None:
    """``CREATE OR REPLACE TEMP TABLE name`` from Python rows via one Arrow table
    (``executemany`` inserts a row at a time: minutes for a few hundred thousand rows)."""
    schema = pa.schema(list(columns))
    cols = list(zip(*rows, strict=True)) if rows else [[] for _ in columns]
    batch = pa.Table.from_arrays([pa.array(c, type=t) for c, (_, t) in zip(cols, columns,
                                                                           strict=True)],
                                 schema=schema)
    con.register("_ak_rows", batch)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _ak_rows")
    finally:
        con.unregister("_ak_rows")


def resolve(con: duckdb.DuckDBPyConnection, policy: Policy) -> int:
    """Build ``links``, ``persons`` and ``subjects``; return how many people the data holds.

    A "person" is a subject with person data: a name, a personal e-mail address (not a
    role mailbox) or a phone number. Organisation-only rows get a subject_id too (every
    record has one) but are not counted.
    """
    _identifier_table(con, policy)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _label AS
        SELECT rec_id, min(iid) AS label FROM _ident GROUP BY rec_id
    """)
    for _ in range(100):  # label propagation until stable (usually 2-3 rounds)
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _ilabel AS
            SELECT i.iid, min(l.label) AS label FROM _ident i JOIN _label l USING (rec_id)
            GROUP BY i.iid
        """)
        changed = con.execute("""
            CREATE OR REPLACE TEMP TABLE _label2 AS
            SELECT i.rec_id, min(il.label) AS label FROM _ident i JOIN _ilabel il USING (iid)
            GROUP BY i.rec_id;
            SELECT count(*) FROM _label2 JOIN _label USING (rec_id)
            WHERE _label2.label <> _label.label
        """).fetchall()[0][0]
        con.execute("DROP TABLE _label; ALTER TABLE _label2 RENAME TO _label")
        if not changed:
            break
    # links: per identifier, every record points at the identifier's first other record
    # (a star, not all pairs: an address in 10 000 log lines gives 10 000 links, not 10^8).
    # The first two records of an identifier by aggregates, not a window sort, and each
    # record's name key computed once, not per comparison.
    k = _name_key("person_name")
    schema.LINKS.fill(con, f"""
        WITH anchors AS (
            SELECT iid, min(rec_id) AS first_rec FROM _ident GROUP BY iid
        ),
        seconds AS (
            SELECT i.iid, a.first_rec, min(i.rec_id) AS second_rec
            FROM _ident i JOIN anchors a USING (iid)
            WHERE i.rec_id > a.first_rec GROUP BY i.iid, a.first_rec
        ),
        pairs AS (
            SELECT i.rec_id, i.kind, i.value,
                   CASE WHEN i.rec_id = s.first_rec THEN s.second_rec ELSE s.first_rec END
                     AS linked_rec_id
            FROM _ident i JOIN seconds s USING (iid)
        ),
        names AS (
            SELECT rec_id, source, record_ref,
                   CASE WHEN person_name IS NULL THEN NULL ELSE {k} END AS k
            FROM records
            WHERE rec_id IN (SELECT rec_id FROM pairs UNION SELECT linked_rec_id FROM pairs)
        )
        SELECT p.rec_id, p.kind, p.value AS identifier, p.linked_rec_id,
               b.source AS linked_source, b.record_ref AS linked_record_ref,
               CASE WHEN a.k IS NULL OR b.k IS NULL OR len(a.k) = 0 OR len(b.k) = 0 THEN NULL
                    WHEN a.k = b.k THEN true
                    WHEN least(len(a.k), len(b.k)) >= 2
                         AND (list_has_all(a.k, b.k) OR list_has_all(b.k, a.k)) THEN true
                    ELSE false END AS name_agrees
        FROM pairs p JOIN names a ON a.rec_id = p.rec_id
        JOIN names b ON b.rec_id = p.linked_rec_id
        ORDER BY p.rec_id, p.kind, b.source, b.record_ref
    """)
    roles = ", ".join(sql_str(r) for r in sorted(role_mailboxes(policy)))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _persons AS
        -- most records have one link: the ordered string_agg (a sort per group) only
        -- for the others halves this step
        WITH g AS (
            SELECT rec_id, count(*) AS n,
                   any_value(kind || ' shared with ' || linked_source || ' ' || linked_record_ref)
                     AS one,
                   CASE WHEN bool_or(name_agrees = false) THEN false
                        WHEN bool_or(name_agrees) THEN true END AS name_agrees
            FROM links GROUP BY rec_id
        ),
        m AS (
            SELECT rec_id,
                   string_agg(kind || ' shared with ' || linked_source || ' ' || linked_record_ref,
                              '; ' ORDER BY kind, linked_source, linked_record_ref) AS linked_by
            FROM links WHERE rec_id IN (SELECT rec_id FROM g WHERE n > 1) GROUP BY rec_id
        ),
        why AS (
            SELECT g.rec_id, CASE WHEN g.n = 1 THEN g.one ELSE m.linked_by END AS linked_by,
                   g.name_agrees
            FROM g LEFT JOIN m USING (rec_id)
        )
        SELECT r.rec_id, r.source, r.record_ref,
               -- no linking identifier: the record is its own subject (stable across runs)
               coalesce(n.ident, 'record:' || r.source || '|' || r.record_ref || '|' || r.role
                        || '|' || coalesce(r.person_name, '') || '|' || coalesce(r.email, '')
                        || '|' || coalesce(r.phone, '')) AS cluster,
               coalesce(w.linked_by,
                        CASE WHEN l.label IS NOT NULL
                             THEN 'own record: its e-mail/phone appears nowhere else'
                             WHEN r.email IS NOT NULL OR r.phone IS NOT NULL
                             THEN 'own record: only a shared mailbox or company number'
                             ELSE 'own record: no e-mail or phone' END) AS linked_by,
               w.name_agrees,
               (r.person_name IS NOT NULL OR r.phone IS NOT NULL
                OR (r.email IS NOT NULL AND split_part(r.email, '@', 1) NOT IN ({roles})))
                 AS person_data
        FROM records r LEFT JOIN _label l ON l.rec_id = r.rec_id
        LEFT JOIN _iid n ON n.iid = l.label
        LEFT JOIN why w ON w.rec_id = r.rec_id
    """)
    key = subject_key()
    clusters = [c for (c,) in con.execute("SELECT DISTINCT cluster FROM _persons").fetchall()]
    _table_from_rows(con, "_sid", (("cluster", pa.string()), ("subject_id", pa.string())),
                     [(c, pseudonym(c, key)) for c in clusters])
    # a join into a new table, not UPDATE + DROP COLUMN (each rewrites every row)
    schema.PERSONS.fill(con, """
        SELECT p.rec_id, p.source, p.record_ref, p.linked_by, p.name_agrees, p.person_data,
               s.subject_id
        FROM _persons p JOIN _sid s USING (cluster) ORDER BY p.rec_id
    """)
    schema.SUBJECTS.fill(con, """
        SELECT p.subject_id, count(*) AS records,
               count(DISTINCT r.source) AS n_sources,
               string_agg(DISTINCT r.source, ', ' ORDER BY r.source) AS sources,
               string_agg(DISTINCT r.role, ', ' ORDER BY r.role) AS roles,
               bool_or(p.person_data) AS person_data,
               coalesce(bool_or(p.name_agrees = false), false) AS name_conflict
        FROM persons p JOIN records r ON r.rec_id = p.rec_id GROUP BY p.subject_id
        ORDER BY p.subject_id
    """)
    for t in ("_ident_all", "_ident", "_iid", "_label", "_ilabel", "_sid", "_fnorm",
              "_shared_phone", "_persons"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return con.execute("SELECT count(*) FROM subjects WHERE person_data").fetchall()[0][0]
