"""Person resolution on fixtures built for tricky matching (tests/data/people/):

* one e-mail in three cases, one landline in four formats (``08 5931 327``,
  ``+358 8 5931 327``, ``085931327``, ``+35885931327``) -> one person;
* two Mikko Mäkinens at different companies -> never linked;
* a shared role mailbox (``myynti@``) and a company switchboard (020) -> never linked;
* a different name on the same landline -> still linked (names never make or break a
  link) but flagged ``name_agrees = false``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from audit_kit import people, warehouse
from audit_kit.config import SourceConfig
from audit_kit.loaders.tabular import load_tabular
from audit_kit.policy import default_policy_path, load_policy

DATA = Path(__file__).parent / "data" / "people"
POLICY = load_policy(default_policy_path())

SOURCES = (("customers", "customers_csv", "asiakkaat.csv"),
           ("prospects", "marketing_list", "prospektit.csv"),
           ("contracts", "service_contracts_csv", "huolto.csv"))


def _warehouse():
    con = warehouse.connect()
    for name, kind, file in SOURCES:
        sink = warehouse.SourceSink(con, source=name, kind=kind, system="billing")
        res = load_tabular(SourceConfig(name=name, kind=kind, path=DATA / file, system="billing"),
                           sink)
        assert res.records_rejected == 0
        sink.flush()
    return con


@pytest.fixture()
def resolved():
    con = _warehouse()
    n = people.resolve(con, POLICY)
    return con, n


def _groups(con) -> set[frozenset[tuple[str, str]]]:
    rows = con.execute("SELECT subject_id, source, record_ref FROM persons").fetchall()
    by: dict[str, set] = {}
    for sid, src, ref in rows:
        by.setdefault(sid, set()).add((src, ref))
    return {frozenset(v) for v in by.values()}


def test_fixture_identifiers_normalise_as_expected(resolved):
    con, _ = resolved
    assert con.execute("SELECT source, record_ref, email, phone FROM records "
                       "ORDER BY rec_id").fetchall() == [
        ("customers", "line 2", "mikko.makinen@kiiminginkone.example.fi", "+35885931327"),
        ("customers", "line 3", "mikko.makinen@raahenrakennus.example.fi", "+358409112233"),
        ("customers", "line 4", "myynti@pohjolanpaperi.example.fi", None),
        ("customers", "line 5", "myynti@pohjolanpaperi.example.fi", None),
        ("customers", "line 6", None, "+358201234567"),
        ("customers", "line 7", None, "+358201234567"),
        ("prospects", "line 2", "mikko.makinen@kiiminginkone.example.fi", "+35885931327"),
        ("prospects", "line 3", None, "+35885931327"),
        ("prospects", "line 4", None, "+35885931327"),
        ("contracts", "line 2", "mikko.makinen@raahenrakennus.example.fi", None),
    ]


def test_exact_people(resolved):
    con, n = resolved
    assert _groups(con) == {
        frozenset({("customers", "line 2"), ("prospects", "line 2"), ("prospects", "line 3"),
                   ("prospects", "line 4")}),                # e-mail in 3 cases, phone in 4 formats
        frozenset({("customers", "line 3"), ("contracts", "line 2")}),  # the other Mikko Mäkinen
        frozenset({("customers", "line 4")}),                           # myynti@: shared mailbox
        frozenset({("customers", "line 5")}),
        frozenset({("customers", "line 6")}),                           # 020 switchboard
        frozenset({("customers", "line 7")}),
    }
    assert n == 6


def test_exact_links_with_name_support(resolved):
    con, _ = resolved
    got = con.execute("""
        SELECT a.source, a.record_ref, l.kind, l.identifier, l.linked_source,
               l.linked_record_ref, l.name_agrees
        FROM links l JOIN records a ON a.rec_id = l.rec_id ORDER BY a.rec_id, l.kind
    """).fetchall()
    kk, raahe, fixed = ("mikko.makinen@kiiminginkone.example.fi",
                        "mikko.makinen@raahenrakennus.example.fi", "+35885931327")
    assert got == [
        ("customers", "line 2", "email", kk, "prospects", "line 2", True),
        ("customers", "line 2", "phone", fixed, "prospects", "line 2", True),
        ("customers", "line 3", "email", raahe, "contracts", "line 2", True),
        ("prospects", "line 2", "email", kk, "customers", "line 2", True),  # "Mäkinen Mikko"
        ("prospects", "line 2", "phone", fixed, "customers", "line 2", True),
        ("prospects", "line 3", "phone", fixed, "customers", "line 2", True),
        ("prospects", "line 4", "phone", fixed, "customers", "line 2", False),  # Tiina Salo
        ("contracts", "line 2", "email", raahe, "customers", "line 3", True),
    ]


def test_why_each_record_is_linked(resolved):
    con, _ = resolved
    got = dict(((s, r), (w, a)) for s, r, w, a in con.execute(
        "SELECT source, record_ref, linked_by, name_agrees FROM persons").fetchall())
    assert got == {
        ("customers", "line 2"): ("email shared with prospects line 2; "
                                  "phone shared with prospects line 2", True),
        ("customers", "line 3"): ("email shared with contracts line 2", True),
        ("customers", "line 4"): ("own record: only a shared mailbox or company number", None),
        ("customers", "line 5"): ("own record: only a shared mailbox or company number", None),
        ("customers", "line 6"): ("own record: only a shared mailbox or company number", None),
        ("customers", "line 7"): ("own record: only a shared mailbox or company number", None),
        ("prospects", "line 2"): ("email shared with customers line 2; "
                                  "phone shared with customers line 2", True),
        ("prospects", "line 3"): ("phone shared with customers line 2", True),
        ("prospects", "line 4"): ("phone shared with customers line 2", False),
        ("contracts", "line 2"): ("email shared with customers line 3", True),
    }


def test_subjects_table(resolved):
    con, _ = resolved
    rows = con.execute("SELECT records, n_sources, sources, roles, person_data, name_conflict "
                       "FROM subjects ORDER BY records DESC, sources, roles").fetchall()
    assert rows == [
        (4, 2, "customers, prospects", "customer_contact, prospect", True, True),
        (2, 2, "contracts, customers", "customer_contact, service_contact", True, False),
        (1, 1, "customers", "customer_contact", True, False),
        (1, 1, "customers", "customer_contact", True, False),
        (1, 1, "customers", "customer_contact", True, False),
        (1, 1, "customers", "customer_contact", True, False),
    ]


def test_subject_ids_stable_across_runs_and_keyed(tmp_path, monkeypatch):
    first = _warehouse()
    people.resolve(first, POLICY)
    again = _warehouse()
    people.resolve(again, POLICY)
    q = "SELECT source, record_ref, subject_id FROM persons ORDER BY source, record_ref"
    ids = first.execute(q).fetchall()
    assert ids == again.execute(q).fetchall()
    assert all(sid.startswith("S-") and len(sid) == 18 for _, _, sid in ids)
    monkeypatch.setenv(people.KEY_ENV, str(tmp_path / "other" / "subject.key"))
    other = _warehouse()
    people.resolve(other, POLICY)
    assert {s for _, _, s in other.execute(q).fetchall()}.isdisjoint({s for _, _, s in ids})


def test_key_created_owner_only_on_first_use(tmp_path, monkeypatch):
    path = tmp_path / "cfg" / "audit-kit" / "subject.key"
    monkeypatch.setenv(people.KEY_ENV, str(path))
    key = people.subject_key()
    assert len(key) == 32 and people.subject_key() == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_identifier_in_a_fields_row_links_when_the_place_is_one_record():
    """A vCard's second address (a fields row) links; a shared place's values do not."""
    con = warehouse.connect()
    sink = warehouse.SourceSink(con, source="card", kind="vcard", system="android_backup")
    f = sink.file(DATA / "huolto.csv")
    sink.record(f, "card 1", "phone_contact", person_name="Eino Östman",
                email="eino@tyo.example.fi")
    sink.field(f, "card 1", "email", "EMAIL (home)", "Eino.Ostman@Koti.example.fi")
    sink.record(f, "msg 1", "correspondent", person_name="Aino Salo", email="aino@a.example.fi")
    sink.record(f, "msg 1", "correspondent", person_name="Timo Ahola", email="timo@b.example.fi")
    sink.field(f, "msg 1", "mobile_phone", "signature (phone)", "040 900 1111")
    sink.record(f, "line 9", "customer_contact", person_name="Eino Östman",
                email="eino.ostman@koti.example.fi")
    sink.record(f, "line 10", "customer_contact", person_name="Heli Tervo", phone="+358409001111")
    sink.flush()
    people.resolve(con, POLICY)
    got = con.execute("SELECT r.record_ref, r.person_name, count(*) OVER (PARTITION BY subject_id) "
                      "FROM persons p JOIN records r USING (rec_id) ORDER BY rec_id").fetchall()
    assert got == [("card 1", "Eino Östman", 2), ("msg 1", "Aino Salo", 1),
                   ("msg 1", "Timo Ahola", 1), ("line 9", "Eino Östman", 2),
                   ("line 10", "Heli Tervo", 1)]
    assert con.execute("SELECT linked_by FROM persons WHERE record_ref = 'card 1'").fetchall() == [
        ("email shared with card line 9",)]


@pytest.mark.parametrize(("a", "b", "agree"), [
    ("Mikko Mäkinen", "mäkinen, mikko", True),
    ("Mikko Mäkinen", "Mikko Makinen", True),
    ("Mikko Juhani Mäkinen", "Mikko Mäkinen", True),
    ("Mikko Mäkinen", "Mäkinen", False),
    ("Mikko Mäkinen", "Tiina Salo", False),
    ("Mikko Mäkinen", None, None),
    ("", "Tiina Salo", None),
])
def test_names_agree(a, b, agree):
    assert people.names_agree(a, b) is agree


@pytest.mark.parametrize(("email", "role"), [
    ("info@x.example.fi", True), ("Myynti@x.example.fi", True),
    ("asiakaspalvelu@x.example.fi", True), ("toimisto@x.example.fi", True),
    ("webmaster@x.example.fi", True), ("mikko.makinen@x.example.fi", False),
    ("myyntipaallikko@x.example.fi", False),
])
def test_role_mailboxes(email, role):
    assert people.is_role_mailbox(email, POLICY) is role


_RACE = """
import os, sys, time
from audit_kit import people
_open = os.open
def slow_open(path, flags, *args):  # a slow disk: creating a file takes a while
    if flags & os.O_CREAT:
        time.sleep(0.02)
        try:
            return _open(path, flags, *args)
        finally:
            time.sleep(0.02)
    return _open(path, flags, *args)
os.open = slow_open
out = []
for i in range(int(sys.argv[2])):
    os.environ[people.KEY_ENV] = sys.argv[1] + f".{i}"
    start = float(sys.argv[3]) + 0.2 * i  # every process starts round i at once
    time.sleep(max(0.0, start - time.time()))
    out.append(people.subject_key().hex())
print(" ".join(out))
"""


@pytest.mark.slow  # 16 processes race
def test_concurrent_first_runs_agree_on_one_complete_key(tmp_path):
    """16 processes x 10 fresh key paths, all racing to create each key on a slow disk: no
    crash, every process reads the same full-length key per path, no temporary file is
    left."""
    import subprocess
    import sys
    import time

    base = tmp_path / "keys" / "subject.key"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    start = str(time.time() + 3)
    procs = [subprocess.Popen([sys.executable, "-c", _RACE, str(base), "10", start], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(16)]
    results = [p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0] * 16, [e for _, e in results if e][:1]
    keys = [out.split() for out, _ in results]
    for i in range(10):
        seen = {k[i] for k in keys}
        assert len(seen) == 1 and len(next(iter(seen))) == 64
        on_disk = (tmp_path / "keys" / f"subject.key.{i}").read_text().strip()
        assert on_disk == next(iter(seen))
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == sorted(
        f"subject.key.{i}" for i in range(10))


@pytest.mark.parametrize(
    ("content", "mode", "says"),
    [
        (b"", 0o600, "is empty; delete it"),
        (b"\n", 0o600, "is empty; delete it"),
        (b"ab" * 16 + b"\n", 0o600, "too short (16 bytes"),
        (b"not a key at all", 0o600, "expected 64 hex digits"),
        (b"ab" * 2000, 0o600, "expected 64 hex digits"),
        (b"ab" * 32 + b"\n", 0o644, "chmod 600"),
        (b"ab" * 32 + b"\n", 0o640, "chmod 600"),
        (b"ab" * 32 + b"\n", 0o660, "chmod 600"),
    ],
)
def test_unusable_key_is_refused_naming_the_file_never_the_key(tmp_path, monkeypatch,
                                                                 content, mode, says):
    from audit_kit.errors import ConfigError

    path = tmp_path / "subject.key"
    path.write_bytes(content)
    os.chmod(path, mode)
    monkeypatch.setenv(people.KEY_ENV, str(path))
    with pytest.raises(ConfigError) as exc:
        people.subject_key()
    assert exc.value.file == str(path) and says in exc.value.message
    assert "abab" not in str(exc.value)
    assert path.read_bytes() == content and stat.S_IMODE(path.stat().st_mode) == mode


def test_key_folder_is_created_owner_only_whatever_the_umask(tmp_path, monkeypatch):
    path = tmp_path / "a" / "b" / "subject.key"
    monkeypatch.setenv(people.KEY_ENV, str(path))
    os.chmod(tmp_path, 0o751)  # an existing folder keeps its mode
    old = os.umask(0)
    try:
        people.subject_key()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {stat.S_IMODE(d.stat().st_mode) for d in (path.parent, path.parent.parent)} == {0o700}
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o751
