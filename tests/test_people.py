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
