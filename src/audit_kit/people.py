"""Person resolution: which records are the same person, with a pseudonymous subject_id.

Records link on a shared normalised e-mail address or E.164 phone number; names never
make a link (two Mikko Mäkinens are two people). Components are found by label
propagation in SQL, so it scales with the warehouse. ``subject_id`` is a keyed hash
(HMAC-SHA256) of the component's smallest identifier; the key lives outside the
repository, owner-only, created on first use (:func:`subject_key`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import duckdb

from audit_kit.policy import Policy
from audit_kit.rules import sql_str

KEY_ENV = "AUDIT_KIT_KEY_FILE"


def key_path() -> Path:
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "audit-kit" / "subject.key"


def subject_key() -> bytes:
    """The pseudonymisation key; created (0600, folder 0700) on first use."""
    p = key_path()
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return bytes.fromhex(p.read_text().strip())


def pseudonym(identifier: str, key: bytes | None = None) -> str:
    digest = hmac.new(key or subject_key(), identifier.encode("utf-8"), hashlib.sha256)
    return "S-" + digest.hexdigest()[:16]


def resolve(con: duckdb.DuckDBPyConnection, policy: Policy) -> int:
    """Build ``persons`` (rec_id -> subject_id, linked_by) and ``subjects``; return #people."""
    roles = ", ".join(sql_str(r) for r in policy.organisation.role_mailboxes)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ident AS
        SELECT rec_id, 'email:' || email AS ident, 'email' AS kind FROM records
        WHERE email IS NOT NULL AND split_part(email, '@', 1) NOT IN ({roles})
        UNION ALL
        SELECT rec_id, 'phone:' || phone, 'phone' FROM records WHERE phone IS NOT NULL
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _label AS
        SELECT rec_id, min(ident) AS label FROM _ident GROUP BY rec_id
    """)
    for _ in range(50):  # label propagation until stable (usually 2-3 rounds)
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _ilabel AS
            SELECT i.ident, min(l.label) AS label FROM _ident i JOIN _label l USING (rec_id)
            GROUP BY i.ident
        """)
        changed = con.execute("""
            CREATE OR REPLACE TEMP TABLE _label2 AS
            SELECT i.rec_id, min(il.label) AS label FROM _ident i JOIN _ilabel il USING (ident)
            GROUP BY i.rec_id;
            SELECT count(*) FROM _label2 JOIN _label USING (rec_id) WHERE _label2.label <> _label.label
        """).fetchone()[0]
        con.execute("DROP TABLE _label; ALTER TABLE _label2 RENAME TO _label")
        if not changed:
            break
    con.execute("""
        CREATE OR REPLACE TABLE persons AS
        SELECT r.rec_id, r.source, r.record_ref,
               coalesce(l.label, 'record:' || r.source || '|' || r.record_ref) AS cluster,
               CASE WHEN l.label IS NULL THEN 'own record (no e-mail or phone)'
                    ELSE 'shares ' || (SELECT string_agg(DISTINCT kind, ' and ' ORDER BY kind)
                                       FROM _ident i WHERE i.rec_id = r.rec_id) END AS linked_by,
               NULL::VARCHAR AS subject_id
        FROM records r LEFT JOIN _label l ON l.rec_id = r.rec_id
    """)
    key = subject_key()
    clusters = [c for (c,) in con.execute("SELECT DISTINCT cluster FROM persons").fetchall()]
    con.execute("CREATE OR REPLACE TEMP TABLE _sid (cluster VARCHAR, subject_id VARCHAR)")
    con.executemany("INSERT INTO _sid VALUES (?, ?)", [(c, pseudonym(c, key)) for c in clusters])
    con.execute("UPDATE persons SET subject_id = s.subject_id FROM _sid s WHERE s.cluster = persons.cluster")
    con.execute("ALTER TABLE persons DROP COLUMN cluster")
    con.execute("""
        CREATE OR REPLACE TABLE subjects AS
        SELECT p.subject_id, count(*) AS records,
               string_agg(DISTINCT r.source, ', ' ORDER BY r.source) AS sources,
               count(DISTINCT r.source) AS n_sources
        FROM persons p JOIN records r ON r.rec_id = p.rec_id GROUP BY p.subject_id
    """)
    return len(clusters)
