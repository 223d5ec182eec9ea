"""The exit policy (audit_kit.exitpolicy): --fail-on, accepted findings and their expiry,
summary.json and the JUnit file (audit_kit.junit), validated against the Jenkins xUnit
plugin's junit-10.xsd."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from audit_kit.cli.main import main
from audit_kit.context import RunContext
from audit_kit.errors import ConfigError
from audit_kit.exitpolicy import Accepted, judge, load_accepted, summary
from audit_kit.findings import Finding, read_csv
from audit_kit.junit import junit_xml
from audit_kit.policy import load_policy
from audit_kit.rules import build_rules
from tests._support import DATA, POLICY, snapshot

SCHEMA = DATA / "junit" / "junit-10.xsd"
AS_OF = dt.date(2026, 12, 31)
ENTRY = "reason: r\n    accepted_by: the owner\n    expires: 2027-03-31\n"


def _finding(rule, category, severity, source, ref, subject, field="", *, file="a.csv",
             email="", detail="") -> Finding:
    return Finding(rule, category, severity, source, "customers_csv", file, ref, subject,
                   email, "", field, detail)


def test_stable_key_has_no_line_numbers_nor_file_names():
    a = _finding("R-customer", "retention", "error", "billing", "line 3", "S-00000000000000aa")
    b = _finding("R-customer", "retention", "error", "billing", "line 9", "S-00000000000000aa",
                 file="b.csv")
    assert a.stable_key == b.stable_key == "R-customer/billing/S-00000000000000aa"
    m = _finding("M-field", "minimisation", "error", "billing", "line 3", "S-00000000000000aa",
                 "hetu")
    assert m.stable_key == "M-field/billing/S-00000000000000aa/hetu"
    s = Finding("S-statement", "statement", "error", "statement", "statement",
                "tietosuojaseloste", "§10", "", "", "", "S-privacy-shield", "text")
    assert s.stable_key == "S-statement/statement/S-privacy-shield"
    i = Finding("I-empty", "integrity", "warning", "mail", "eml", "", "", "", "", "", "", "x")
    assert i.stable_key == "I-empty/mail"


def _write(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "accepted.yaml"
    p.write_text(body, encoding="utf-8")
    return p


BAD = {
    "unknown key": ("accepted:\n  - rule: R-x\n    subject: S-00000000000000aa\n    " + ENTRY
                    + "    why: x\n", "(key accepted[0].why): unknown key"),
    "no reason": ("accepted:\n  - rule: R-x\n    subject: S-00000000000000aa\n"
                  "    accepted_by: me\n    expires: 2027-01-01\n",
                  "(key accepted[0].reason): required key is missing"),
    "blank reason": ("accepted:\n  - rule: R-x\n    subject: S-00000000000000aa\n"
                     "    reason: '  '\n    accepted_by: me\n    expires: 2027-01-01\n",
                     "(key accepted[0].reason): empty; say why"),
    "key and subject": ("accepted:\n  - rule: R-x\n    key: R-x/a/S-00000000000000aa\n"
                        "    subject: S-00000000000000aa\n    " + ENTRY,
                        "(key accepted[0]): give either key"),
    "neither": ("accepted:\n  - rule: R-x\n    " + ENTRY, "(key accepted[0]): give either key"),
    "another rule's key": ("accepted:\n  - rule: R-x\n    key: R-y/a/S-00000000000000aa\n    "
                           + ENTRY, "is not a finding of rule 'R-x'"),
    "a subject that is an e-mail": ("accepted:\n  - rule: R-x\n    subject: a@b.fi\n    " + ENTRY,
                                    "(key accepted[0].subject): not a subject id"),
    "a line number key": ("accepted:\n  - rule: R-x\n    key: R-x/a/line 3\n    " + ENTRY,
                          "(key accepted[0].key): not a finding key"),
    "not a date": ("accepted:\n  - rule: R-x\n    subject: S-00000000000000aa\n    reason: r\n"
                   "    accepted_by: me\n    expires: soon\n",
                   "(key accepted[0].expires): not a date"),
    "not a real date": ("accepted:\n  - rule: R-x\n    subject: S-00000000000000aa\n"
                        "    reason: r\n    accepted_by: me\n    expires: 2027-02-30\n",
                        "not a real date"),
    "a list": ("- rule: R-x\n", "expected a mapping with the list `accepted:`"),
    "bad YAML": ("accepted: [\n", "not valid YAML"),
    "top-level typo": ("acepted: []\n", "(key acepted): unknown key; the file holds one list"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_bad_accepted_file_is_one_line_naming_file_and_key(tmp_path, case):
    body, expected = BAD[case]
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError) as e:
        load_accepted(path)
    line = e.value.one_line()
    assert line.startswith(str(path)), line
    assert expected in line, line
    assert "\n" not in line


def test_no_file_no_acceptances(tmp_path):
    assert load_accepted(None, default=tmp_path / "accepted.yaml") == Accepted()
    with pytest.raises(ConfigError, match="accepted-findings file not found"):
        load_accepted(tmp_path / "missing.yaml")
    assert load_accepted(_write(tmp_path, "# nothing yet\n")).entries == ()


SID = ("S-00000000000000aa", "S-00000000000000bb")
FINDINGS = [
    _finding("R-customer", "retention", "error", "billing", "line 3", SID[0],
             file="Matti Meikäläinen.csv", email="matti@example.fi", detail="Matti M"),
    _finding("R-customer", "retention", "error", "billing", "line 4", SID[1]),
    _finding("M-field", "minimisation", "error", "billing", "line 3", SID[0], "hetu"),
    _finding("M-field", "minimisation", "warning", "billing", "line 4", SID[1], "job_title"),
    Finding("S-statement", "statement", "error", "statement", "statement", "tietosuojaseloste",
            "§10", "", "", "", "S-privacy-shield", "relies on the Privacy Shield"),
    Finding("S-statement", "statement", "warning", "statement", "statement",
            "tietosuojaseloste", "§8", "", "", "", "S-portability", "not listed"),
]
ACCEPTED = f"""accepted:
  - rule: R-customer
    subject: {SID[0]}
    {ENTRY}  - rule: M-field
    key: M-field/billing/{SID[0]}/hetu
    reason: r
    accepted_by: me
    expires: 2026-12-30
  - rule: S-statement
    key: S-statement/statement/S-privacy-shield
    {ENTRY}  - rule: R-service
    subject: {SID[1]}
    {ENTRY}"""


def test_judge_marks_accepted_and_expired_and_warns_about_unused_entries(tmp_path):
    acc = load_accepted(_write(tmp_path, ACCEPTED))
    v = judge(FINDINGS, acc, as_of=AS_OF)
    assert [(f.rule_id, f.subject_id or f.field, f.accepted) for f in v.findings] == [
        ("R-customer", SID[0], "yes"), ("R-customer", SID[1], ""),
        ("M-field", SID[0], "expired"), ("M-field", SID[1], ""),
        ("S-statement", "S-privacy-shield", "yes"), ("S-statement", "S-portability", "")]
    where = str(tmp_path / "accepted.yaml")
    assert v.warnings == [
        f"{where} (accepted[1]): rule M-field: expired 2026-12-30, before the audit date "
        "2026-12-31; its 1 finding counts again",
        f"{where} (accepted[3]): rule R-service: matches no finding of this audit; remove it "
        "if the finding is gone"]
    assert v.exit_code == 1  # R-customer of SID[1], the expired M-field
    # an acceptance covers audit dates up to its expiry, inclusive
    assert judge(FINDINGS, acc, as_of=dt.date(2026, 12, 30)).findings[2].accepted == "yes"


@pytest.mark.parametrize(("fail_on", "failing", "code"), [
    ("error", ["R-customer"], 1), ("warning", ["R-customer", "M-field", "S-statement"], 1),
    ("never", [], 0)])
def test_fail_on(tmp_path, fail_on, failing, code):
    acc = load_accepted(_write(tmp_path, ACCEPTED.replace("2026-12-30", "2027-01-31")))
    v = judge(FINDINGS, acc, as_of=AS_OF, fail_on=fail_on)
    assert v.exit_code == code
    s = summary(v, [("R-customer", "retention"), ("R-service", "retention"),
                    ("M-field", "minimisation"), ("S-statement", "statement")],
                as_of=AS_OF, versions={"audit-kit": "x"})
    assert [r for r, c in s["by_rule"].items() if c["failing"]] == failing
    assert s["exit_code"] == code and s["fail_on"] == fail_on
    assert s["findings"]["accepted"] == 3
    assert s["acceptances"] == {"file": "accepted.yaml", "sha256": acc.sha256, "entries": 4,
                                "matching": 3, "expired": 0, "unmatched": 1}


def test_junit_validates_names_rules_and_checks_and_holds_no_personal_data(tmp_path):
    policy = load_policy(POLICY)
    ctx = RunContext(policy, as_of=AS_OF)
    acc = load_accepted(_write(tmp_path, ACCEPTED))
    v = judge(FINDINGS, acc, as_of=AS_OF)
    text = junit_xml(build_rules(ctx), v.findings, ctx, fail_on="error")
    schema = xmlschema.XMLSchema(str(SCHEMA))
    schema.validate(text)
    for private in ("matti", "Matti", "Meikäläinen", ".csv", "line 3", "Privacy Shield"):
        assert private not in text, private
    root = ET.fromstring(text)
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    rule_ids = [r.rule_id for r in build_rules(ctx) if r.rule_id != "S-statement"]
    from audit_kit.rules.statement import statement_checks

    checks = [c for c, _, _, _, _, _ in statement_checks(ctx)]  # every check is a test case
    assert sorted(n for _, n in cases) == sorted(rule_ids + checks)
    outcome = {n: next((ch.tag for ch in c if ch.tag in ("failure", "skipped")), "passed")
               for (_, n), c in cases.items()}
    assert {n: o for n, o in outcome.items() if o != "passed"} == {
        "R-customer": "failure", "M-field": "failure", "S-privacy-shield": "skipped"}
    rc = cases[("audit-kit.retention", "R-customer")]
    assert rc.find("failure").get("message") == "1 finding fails (1 error); 1 accepted"
    assert rc.find("failure").text == f"error R-customer/billing/{SID[1]}"
    assert rc.find("system-out").text == f"error R-customer/billing/{SID[0]} (accepted)"
    mf = cases[("audit-kit.minimisation", "M-field")].find("failure")
    assert mf.text == f"error M-field/billing/{SID[0]}/hetu (acceptance expired)"
    assert (root.get("tests"), root.get("failures")) == (str(len(cases)), "2")
    # the schema check can fail: a suite without its failure count is refused
    root.find("testsuite").attrib.pop("failures")
    assert not schema.is_valid(ET.tostring(root, encoding="unicode"))


# -- end to end: the CLI --------------------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project whose policy (a copy of the demo company's) has accepted.yaml beside it."""
    proj = tmp_path / "proj"
    (proj / "data").mkdir(parents=True)
    shutil.copyfile(DATA / "tabular" / "customers_english.csv", proj / "data" / "customers.csv")
    shutil.copyfile(POLICY, proj / "policy.yaml")
    (proj / "config.yaml").write_text(
        "organisation: Testi Oy\npolicy: policy.yaml\nas_of: '2026-12-31'\nsources:\n"
        "  - {name: customers, kind: customers_csv, path: data/customers.csv, system: billing}\n",
        encoding="utf-8")
    monkeypatch.chdir(proj)
    return proj


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_accepted_findings_do_not_fail_the_run_and_stay_in_every_output(project, capsys):
    run = ["run", "config.yaml", "--out", "out", "--no-report", "--junit", "ci/junit.xml"]
    assert main(run) == 1  # no accepted.yaml yet: the statement's errors fail
    capsys.readouterr()
    rows = _rows(project / "out" / "findings.csv")
    errors = [r for r in rows if r["severity"] == "error"]
    # 4 of the register's, 9 of the statement's (its checks of severity error)
    assert len(errors) == 13 and all(r["accepted"] == "" for r in rows)
    # accept every error by its key (one R-customer by its subject), one already expired
    entries = []
    for i, r in enumerate(errors):
        target = (f"subject: {r['subject_id']}" if r["rule_id"] == "R-customer" and i == 0
                  else f"key: {r['key']}")
        expires = "2026-12-30" if r["rule_id"] == "M-field" and i == 2 else "2027-03-31"
        entries.append(f"  - rule: {r['rule_id']}\n    {target}\n    reason: known\n"
                       f"    accepted_by: the owner\n    expires: {expires}\n")
    entries.append("  - rule: R-ban\n    subject: S-00000000000000aa\n    " + ENTRY)
    (project / "accepted.yaml").write_text("accepted:\n" + "".join(entries), encoding="utf-8")

    assert main(run) == 1  # the expired one fails again
    err = capsys.readouterr().err
    assert "accepted.yaml (accepted[2]): rule M-field: expired 2026-12-30" in err
    assert f"accepted.yaml (accepted[{len(errors)}]): rule R-ban: matches no finding" in err
    rows = _rows(project / "out" / "findings.csv")
    assert {(r["key"], r["accepted"]) for r in rows if r["accepted"]} == {
        (r["key"], "expired" if i == 2 else "yes") for i, r in enumerate(errors)}
    summ = json.loads((project / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summ["exit_code"] == 1 and summ["as_of"] == "2026-12-31" and summ["period"] == "2026-Q4"
    assert summ["findings"] == {"error": 13, "warning": 7, "info": 0, "total": 20,
                                "accepted": 12, "expired": 1, "failing": 1}
    assert {r: c["total"] for r, c in summ["by_rule"].items() if c["total"]} == {
        "R-customer": 2, "M-field": 2, "M-unclassified": 1, "S-statement": 14,
        "R-status": 1}  # a customer with no end date and no activity: status unknown
    assert summ["by_category"]["minimisation"]["failing"] == 1
    assert set(summ["versions"]) == {"audit-kit", "great-expectations", "duckdb", "python"}
    manifest = json.loads((project / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["outputs"]) == {"findings.csv", "summary.json"}
    assert manifest["accepted"]["entries"] == len(errors) + 1
    for name in ("findings.csv", "summary.json", "manifest.json"):
        assert (project / "out" / name).stat().st_mode & 0o777 == 0o600, name
    assert (project / "ci").stat().st_mode & 0o777 == 0o700  # made for it, owner-only
    assert (project / "ci" / "junit.xml").stat().st_mode & 0o777 == 0o600
    junit = (project / "ci" / "junit.xml").read_text(encoding="utf-8")
    xmlschema.XMLSchema(str(SCHEMA)).validate(junit)
    assert "karkkainen" not in junit and "vaananen" not in junit

    text = (project / "accepted.yaml").read_text(encoding="utf-8")
    (project / "accepted.yaml").write_text(text.replace("2026-12-30", "2027-03-31"),
                                           encoding="utf-8")
    assert main(run) == 0  # every error accepted
    out = capsys.readouterr().out
    assert f"accepted         {len(errors)} (they do not fail the run)" in out
    root = ET.parse(project / "ci" / "junit.xml").getroot()
    assert root.get("failures") == "0"
    assert read_csv(project / "out" / "findings.csv")[0].accepted == "yes"


def test_accepted_file_errors_stop_the_run_before_anything_is_written(project, capsys):
    (project / "accepted.yaml").write_text("accepted:\n  - rule: R-x\n", encoding="utf-8")
    before = snapshot(project)
    assert main(["run", "config.yaml", "--out", "out"]) == 2
    err = capsys.readouterr().err
    assert err == (f"audit-kit: error: {project / 'accepted.yaml'} (key accepted[0].reason): "
                   "required key is missing\n")
    assert snapshot(project) == before


@pytest.mark.parametrize(("target", "expected"), [
    ("data/customers.csv", "is or lies inside the input"),
    ("policy.yaml", "is or lies inside the input"),
    ("data", "is a folder"),
    ("out/junit.xml", "lies inside the run folder"),
    ("notes.xml", "exists and is not audit-kit's JUnit file"),
])
def test_junit_never_overwrites_what_is_not_ours(project, capsys, target, expected):
    (project / "notes.xml").write_text("<notes/>\n", encoding="utf-8")
    os.chmod(project / "notes.xml", 0o644)
    before = snapshot(project)
    assert main(["run", "config.yaml", "--out", "out", "--junit", target]) == 2
    assert expected in capsys.readouterr().err
    assert snapshot(project) == before
