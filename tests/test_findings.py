"""Findings keep their file: two rotated logs' "line 1" are two findings, not one."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_kit import pipeline, warehouse
from audit_kit.config import SourceConfig
from audit_kit.errors import AuditKitError
from audit_kit.findings import Finding
from audit_kit.loaders.postfix import load
from audit_kit.policy import default_policy_path, load_policy
from audit_kit.rules import build_rules

POLICY = load_policy(default_policy_path())


def _line(addr: str) -> str:
    # the same day and the same count: R-maillog's detail is the same for both addresses
    return (
        "2026-01-10T10:00:00.000000+02:00 mx1 postfix/smtp[2101]: 4B1C2D3E4F: "
        f"to=<{addr}>, relay=mx.example.net[192.0.2.7]:25, delay=0.4, "
        "delays=0.1/0/0.2/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
    )


def test_rotated_logs_same_line_number_are_two_findings(tmp_path):
    (tmp_path / "maillog.1").write_text(_line("aino.virtanen@kauppa.example"), encoding="utf-8")
    (tmp_path / "maillog").write_text(_line("pekka.nieminen@rakennus.example"), encoding="utf-8")
    con = pipeline.open_warehouse(dt.date(2026, 12, 31))
    sink = warehouse.SourceSink(con, source="mail-log", kind="postfix_log", system="mail",
                                base=tmp_path)
    res = load(SourceConfig(name="mail-log", kind="postfix_log", path=tmp_path, system="mail"),
               sink)
    sink.flush()
    assert (res.records_read, res.records_loaded, res.records_rejected) == (2, 2, 0)
    pipeline.resolve_people(con, POLICY)
    ev = pipeline.evaluate(con, POLICY)
    assert len(ev.rows["R-maillog"]) == 2
    found = [f for f in pipeline.to_findings(ev, {r: len(rows) for r, rows in ev.rows.items()})
             if f.rule_id == "R-maillog"]
    assert sorted((f.source_file, f.record_ref, f.email) for f in found) == [
        ("maillog", "line 1", "pekka.nieminen@rakennus.example"),
        ("maillog.1", "line 1", "aino.virtanen@kauppa.example"),
    ]
    assert len({(f.detail, f.key) for f in found}) == 1  # what the old de-duplication merged


def test_identical_rule_rows_are_one_finding():
    rule = next(r for r in build_rules(POLICY) if r.rule_id == "R-maillog")
    row = ("mail-log", "postfix_log", "maillog", "line 1", "a@b.example", None, "",
           "1 log lines older than 6 months", "warning", "1 yli 6 kuukautta vanha lokirivi", "S-1")
    ev = pipeline.Evaluation([rule], {"R-maillog": [row, row]})
    found = pipeline.to_findings(ev, {"R-maillog": 2})
    assert found == [Finding("R-maillog", "retention", "warning", "mail-log", "postfix_log",
                             "maillog", "line 1", "S-1", "a@b.example", "", "",
                             "1 log lines older than 6 months",
                             detail_fi="1 yli 6 kuukautta vanha lokirivi",
                             provision="GDPR 5(1)(e)")]


def test_a_gx_count_that_differs_from_the_warehouse_stops_the_run():
    rule = next(r for r in build_rules(POLICY) if r.rule_id == "R-maillog")
    row = ("mail-log", "postfix_log", "maillog", "line 1", "a@b.example", None, "",
           "1 log lines older than 6 months", "warning", "1 yli 6 kuukautta vanha lokirivi", "S-1")
    ev = pipeline.Evaluation([rule], {"R-maillog": [row]})
    with pytest.raises(AuditKitError, match="rule R-maillog: GX counted 2 unexpected rows, "
                                            "the warehouse 1"):
        pipeline.to_findings(ev, {"R-maillog": 2})


def test_a_finding_carries_its_rules_provision_into_findings_csv(tmp_path):
    """findings.csv's last column is the provision the finding cites (a HETU: GDPR
    5(1)(c) and Tietosuojalaki 29 §); a findings.csv of an earlier quarter, written
    before the column existed, still reads (provision "")."""
    from audit_kit.findings import COLUMNS, read_csv, write_csv

    rule = next(r for r in build_rules(POLICY) if r.rule_id == "M-field")
    rows = [("phone-contacts", "vcard", "a.vcf", "card 1", None, None, field,
             "not allowed by §5: NOTE", "error", "tieto, jota seloste (§5) ei luettele: NOTE",
             "S-1") for field in ("hetu", "birthday")]
    found = pipeline.to_findings(pipeline.Evaluation([rule], {"M-field": rows}), {"M-field": 2})
    assert {(f.field, f.provision) for f in found} == {
        ("hetu", "GDPR 5(1)(c); Tietosuojalaki 29 §"), ("birthday", "GDPR 5(1)(c)")}
    assert COLUMNS[-2:] == ("provision", "detail_fi")
    write_csv(found, tmp_path / "findings.csv")
    assert read_csv(tmp_path / "findings.csv") == found
    old = tmp_path / "old.csv"
    old.write_text(",".join(COLUMNS[:-2]) + "\n" + ",".join(["x"] * (len(COLUMNS) - 2)) + "\n",
                   encoding="utf-8")
    assert [(f.provision, f.detail_fi) for f in read_csv(old)] == [("", "")]


def test_the_finnish_detail_goes_through_findings_csv_and_an_older_file_reads(tmp_path):
    """findings.csv's last column is the detail in Finnish (appended at the end, so a
    reader by position of the earlier columns still reads them); written and read back
    it is the same, and a findings.csv written before it existed reads with detail_fi ""
    and shows the English detail in a Finnish report (:meth:`Finding.detail_in`)."""
    import csv

    from audit_kit.findings import COLUMNS, read_csv, write_csv

    rule = next(r for r in build_rules(POLICY) if r.rule_id == "R-customer")
    row = ("customers", "customers_csv", "asiakkaat.csv", "line 4", None, None, "",
           "ended 2026-06-30, deadline 2026-12-30 passed (6 months, §6)", "error",
           "asiakkuus päättyi 30.6.2026, määräaika 30.12.2026 on kulunut (6 kuukautta, "
           "seloste §6)", "S-1")
    found = pipeline.to_findings(pipeline.Evaluation([rule], {"R-customer": [row]}),
                                 {"R-customer": 1})
    assert COLUMNS[-1] == "detail_fi"
    write_csv(found, tmp_path / "findings.csv")
    with open(tmp_path / "findings.csv", newline="", encoding="utf-8") as f:
        head, values = list(csv.reader(f))
    assert values[head.index("detail")] == row[7] and values[-1] == row[9]
    assert read_csv(tmp_path / "findings.csv") == found
    assert (found[0].detail_in("fi"), found[0].detail_in("en")) == (row[9], row[7])
    old = tmp_path / "old.csv"
    old.write_text(",".join(COLUMNS[:-1]) + "\n" + ",".join(["x"] * (len(COLUMNS) - 1)) + "\n",
                   encoding="utf-8")
    (before,) = read_csv(old)
    assert (before.provision, before.detail_fi, before.detail_in("fi")) == ("x", "", "x")


def _shipped_rules():
    from audit_kit.context import RunContext

    return build_rules(RunContext(load_policy(default_policy_path()), as_of=dt.date(2026, 12, 31)))


@pytest.mark.parametrize("rule", _shipped_rules(), ids=lambda r: r.rule_id)
def test_every_finding_about_the_data_cites_a_provision(rule):
    """READING.md "Findings and actions": every finding cites its section and provision.
    The integrity rules (the audit's own input: rejects, unreadable dates, empty sources)
    are about the evidence, not a duty of the company, and cite none."""
    if rule.category == "integrity":
        assert rule.provision == ""
        return
    assert rule.provision.startswith(("GDPR ", "Kirjanpitolaki ")), rule.rule_id
    # a rule's section, or (the statement's checks) one per check with its own provision
    assert rule.section or rule.field_provisions, rule.rule_id
    # a statutory voucher cites the law that keeps it unchanged as well
    if rule.rule_id in ("R-invoice", "M-voucher"):
        assert "Kirjanpitolaki 1336/1997 2:10" in rule.provision
