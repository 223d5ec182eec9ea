"""The contacts demo writer: its files load cleanly and its ground truth matches the data."""

from __future__ import annotations

import random
from pathlib import Path

from audit_kit import warehouse
from audit_kit.config import SourceConfig
from audit_kit.demo import DemoContext
from audit_kit.demo.contacts import write
from audit_kit.loaders import contacts_csv, vcard

ERROR = {"home_address", "home_phone", "birthday", "hetu", "photo"}
WARNING = {"job_title", "other_personal"}


def _generate(tmp_path: Path) -> DemoContext:
    ctx = DemoContext(root=tmp_path, rng=random.Random(7))
    ctx.live_customer_contacts.append(ctx.person(first="Väinö", last="Mäkinen"))
    write(ctx)
    return ctx


def _load(ctx: DemoContext):
    con = warehouse.connect()
    results = {}
    for s in ctx.sources:
        sink = warehouse.SourceSink(con, source=s["name"], kind=s["kind"], system=s["system"])
        loader = vcard.load if s["kind"] == "vcard" else contacts_csv.load
        results[s["name"]] = loader(SourceConfig(name=s["name"], kind=s["kind"],
                                                 path=Path(s["path"]), system=s["system"]), sink)
        sink.flush()
    return con, results


def test_sources_and_files(tmp_path):
    ctx = _generate(tmp_path)
    assert [(s["name"], s["kind"], s["system"]) for s in ctx.sources] == [
        ("phone-contacts", "vcard", "android_backup"),
        ("google-contacts", "google_contacts_csv", "android_backup"),
    ]
    vcf = (tmp_path / "phone" / "yhteystiedot.vcf").read_bytes()
    assert vcf.isascii() and vcf.count(b"\r\n") == vcf.count(b"\n")
    assert b"ENCODING=QUOTED-PRINTABLE" in vcf and b"=\r\n" in vcf  # a soft line break
    assert b"TEL;CELL:" in vcf and b"ADR;HOME;" in vcf and b"TEL;HOME:" in vcf
    csv_bytes = (tmp_path / "phone" / "google_contacts.csv").read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbfFirst Name,Middle Name,Last Name,")


def test_files_load_without_rejects(tmp_path):
    ctx = _generate(tmp_path)
    _, results = _load(ctx)
    assert {k: (r.records_read, r.records_loaded, r.records_rejected, r.format)
            for k, r in results.items()} == {
        "phone-contacts": (8, 8, 0, "vcard 2.1"),
        "google-contacts": (8, 8, 0, "google csv (new)"),
    }


def test_ground_truth_matches_loaded_data(tmp_path):
    """What the M-field and T-system rules will find equals what the writer expects."""
    ctx = _generate(tmp_path)
    con, _ = _load(ctx)
    classes = ", ".join(f"'{c}'" for c in ERROR | WARNING)
    found = {("M-field", s, r, f) for s, r, f in con.execute(
        f"SELECT DISTINCT source, record_ref, field FROM fields WHERE field IN ({classes})"
    ).fetchall()}
    found |= {("T-system", s, r, "") for s, r in con.execute(
        "SELECT source, record_ref FROM records").fetchall()}
    expected = {(e.rule_id, e.source, e.record_ref, e.field) for e in ctx.expected
                if e.rule_id in ("M-field", "T-system")}
    assert found == expected
    # one live customer here (card 1, Google line 2): everyone else is known only from the
    # address book, once (the two shared people at their card)
    unknown = [(e.source, e.record_ref) for e in ctx.expected if e.rule_id == "R-purpose-unknown"]
    assert len(unknown) == 7 + 6 and len(set(unknown)) == 13
    assert ("phone-contacts", "card 1") not in unknown
    planted = sorted(e.field for e in ctx.expected if e.rule_id == "M-field")
    assert planted == sorted(["birthday", "home_address", "home_phone", "photo", "hetu",
                              "job_title"] * 2)


def test_same_person_in_both_sources_and_names_decode(tmp_path):
    ctx = _generate(tmp_path)
    con, _ = _load(ctx)
    got = con.execute("SELECT source, person_name, email, phone FROM records "
                      "WHERE person_name = 'Väinö Mäkinen' ORDER BY source").fetchall()
    assert [g[0] for g in got] == ["google-contacts", "phone-contacts"]
    assert got[0][1:] == got[1][1:]
    assert got[0][3].startswith("+35840")


def test_look_alikes_are_allowed_classes(tmp_path):
    ctx = _generate(tmp_path)
    con, _ = _load(ctx)
    allowed = {r[0] for r in con.execute(
        "SELECT DISTINCT field FROM fields WHERE field NOT IN "
        "('home_address','home_phone','birthday','hetu','photo','job_title')").fetchall()}
    assert allowed == {"person_name", "org_name", "email", "mobile_phone", "work_phone",
                       "company_address", "notes", "non_personal"}
