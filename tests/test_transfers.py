"""Transfers are judged as of the audit date, against what the policy has on record:
the same data, audited on either side of the Privacy Shield's end (invalid from
16.7.2020), the DPF's start (10.7.2023, for a recipient whose certification check is on
record) and Brazil's adequacy decision (26.1.2026), gets different verdicts. One
T-mechanism error per system without a valid mechanism on record; each person in it a
T-system warning (the evidence), info once a valid mechanism is on record."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from audit_kit import schema, warehouse
from audit_kit.context import RunContext
from audit_kit.policy import System, default_policy_path, load_policy
from audit_kit.reference import reference
from audit_kit.rules import build_rules, write_facts
from audit_kit.rules.statement import statement_checks

POLICY = load_policy(default_policy_path())
#: the demo policy plus a US CRM relying on the DPF (certification checked 10.7.2023),
#: a Brazilian helpdesk with no mechanism of its own and a US tool under SCCs
DPF_POLICY = POLICY.model_copy(update={"systems": {
    **POLICY.systems,
    "crm": System(provider="CRM Inc.", country="US", mechanism="dpf", personal_data=True,
                  section="10", dpf_checked_on=dt.date(2023, 7, 10)),
    "helpdesk": System(provider="Helpdesk Ltda", country="BR", personal_data=True,
                       section="10"),
    "survey": System(provider="Survey LLC", country="US", mechanism="sccs_2021",
                     personal_data=True, section="10"),
}})
SYSTEMS = {"1": "android_backup", "2": "crm", "3": "billing", "4": "helpdesk", "5": "survey"}


def _run(as_of: dt.date, policy=DPF_POLICY) -> dict[str, set[tuple]]:
    """rule id -> its rows' (record_ref, severity, detail) over one record per system."""
    con = warehouse.connect()
    for ref, system in SYSTEMS.items():
        sink = warehouse.SourceSink(con, source=system, kind="customers_csv", system=system)
        sink.record(sink.file(Path(f"{system}.csv"), sha256="0", size=0), f"line {ref}",
                    "customer_contact", person_name="Aino", email=f"a{ref}@x.example.fi")
        sink.flush()
    schema.AUDIT_PARAMS.fill(con, "SELECT ?::DATE AS as_of", [as_of])
    ctx = RunContext(policy, as_of)
    write_facts(con, ctx)
    return {r.rule_id: set(con.execute(
                f"SELECT record_ref, severity, detail FROM ({r.query()})").fetchall())
            for r in build_rules(ctx) if r.category == "transfer"}


W, INFO = "warning", "info"


@pytest.mark.parametrize(("as_of", "people", "systems"), [
    # Privacy Shield valid; the DPF, the SCCs of 2021 and Brazil's adequacy not yet
    (dt.date(2020, 7, 15), {"line 1": INFO, "line 2": W, "line 4": W, "line 5": W},
     {"crm", "helpdesk", "survey"}),
    # Schrems II
    (dt.date(2020, 7, 16), {"line 1": W, "line 2": W, "line 4": W, "line 5": W},
     {"android_backup", "crm", "helpdesk", "survey"}),
    # the day before the DPF: a DPF mechanism is no basis yet
    (dt.date(2023, 7, 9), {"line 1": W, "line 2": W, "line 4": W, "line 5": INFO},
     {"android_backup", "crm", "helpdesk"}),
    (dt.date(2023, 7, 10), {"line 1": W, "line 2": INFO, "line 4": W, "line 5": INFO},
     {"android_backup", "helpdesk"}),
    # the day before Brazil's adequacy decision 2026/179, and its day
    (dt.date(2026, 1, 25), {"line 1": W, "line 2": INFO, "line 4": W, "line 5": INFO},
     {"android_backup", "helpdesk"}),
    (dt.date(2026, 1, 26), {"line 1": W, "line 2": INFO, "line 5": INFO},
     {"android_backup"}),
])
def test_transfer_verdicts_follow_the_audit_date(as_of, people, systems):
    rows = _run(as_of)
    assert {ref: sev for ref, sev, _ in rows["T-system"]} == people
    assert {ref.removeprefix("systems.") for ref, _, _ in rows["T-mechanism"]} == systems
    assert {sev for _, sev, _ in rows["T-mechanism"]} == {"error"}
    details = {ref: d for ref, _, d in rows["T-system"] | rows["T-mechanism"]}
    if people.get("line 1") == W:
        assert "Privacy Shield (Decision 2016/1250), is invalid since 2020-07-16" in details[
            "line 1"]
    if people["line 2"] == W:
        assert "applies only from 2023-07-10" in details["line 2"]
    else:
        assert "certification checked on the DPF List on 2023-07-10" in details["line 2"]
    for ref, detail in details.items():
        # the audit sees what is on record, not the provider's own terms
        assert "unlawful" not in detail
        assert ("no valid transfer mechanism on record" in detail) == (people.get(ref) != INFO), ref


def test_a_mechanism_error_says_what_to_record():
    (row,) = [r for r in _run(dt.date(2026, 12, 31))["T-mechanism"]
              if r[0] == "systems.android_backup"]
    assert row[2] == (
        "Google LLC (US, §10): no valid transfer mechanism on record (the mechanism on record, "
        "EU-US Privacy Shield (Decision 2016/1250), is invalid since "
        "2020-07-16 (CJEU C-311/18 Schrems II, ECLI:EU:C:2020:559)); record the mechanism relied "
        "on in the policy: the recipient's DPF certification, checked on the DPF List "
        "(mechanism: dpf, dpf_checked_on: the date checked), or SCCs 2021/914 "
        "(mechanism: sccs_2021)")


@pytest.mark.parametrize(("checked", "why"), [
    (None, "not the date the recipient's certification was checked on the DPF List"),
    (dt.date(2023, 7, 9), "the certification check on record (2023-07-09) predates the framework"),
    (dt.date(2027, 1, 5), "the certification check on record (2027-01-05) is after the audit date"),
])
def test_the_dpf_counts_only_with_a_certification_check_on_record(checked, why):
    basis = reference().transfer_basis("US", "dpf", dt.date(2026, 12, 31), dpf_checked_on=checked)
    assert (basis.status, basis.reason) == (
        "missing", f"EU-US Data Privacy Framework (Implementing Decision (EU) 2023/1795): {why}"
        if checked else f"EU-US Data Privacy Framework (Implementing Decision (EU) 2023/1795) "
        f"is on record, but {why}")


def test_an_adequacy_decision_counts_from_its_date_without_a_mechanism():
    on = reference().transfer_basis
    assert on("BR", None, dt.date(2026, 1, 25)).status == "missing"
    assert on("BR", None, dt.date(2026, 1, 26)).status == "adequacy"
    # the United States have no adequacy of their own: the DPF covers certified recipients
    assert on("US", "adequacy", dt.date(2026, 12, 31)).status == "missing"
    assert on("GB", None, dt.date(2031, 12, 28)).status == "missing"  # expired


def test_the_statement_relies_on_privacy_shield_only_after_it_ended():
    def failed(day):
        ctx = RunContext(POLICY, day)
        return {c for c, _, f, _, _, _ in statement_checks(ctx) if f}

    assert "S-privacy-shield" not in failed(dt.date(2020, 7, 15))
    assert "S-backup-transfer" not in failed(dt.date(2020, 7, 15))
    assert {"S-privacy-shield", "S-backup-transfer"} <= failed(dt.date(2020, 7, 16))


def test_the_suites_do_not_depend_on_the_audit_date():
    """What depends on the date is the run's facts; the rules' SQL (the GX suites) is the
    same for every date and for a context without one (``audit-kit suites``)."""
    sql = [[r.sql for r in build_rules(RunContext(DPF_POLICY, d))]
           for d in (dt.date(2020, 1, 1), dt.date(2026, 12, 31), None)]
    assert sql[0] == sql[1] == sql[2]


def test_no_rule_reads_the_clock_or_a_literal_date():
    rules = Path(__file__).resolve().parents[1] / "src" / "audit_kit" / "rules"
    for path in sorted(rules.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\btoday\(", r"\bnow\(", r"\bdate\(\s*\d", r"current_date",
                        r"DATE\s+'\d", r"\d{4}-\d\d-\d\d'"):
            assert not re.search(pattern, text, re.IGNORECASE), (path.name, pattern)


@pytest.mark.slow
def test_run_as_of_two_dates_changes_the_transfer_findings(demo_run, tmp_path):
    """The as-of date given to run reaches the transfer rules: the demo's data audited the
    day before and the day Privacy Shield ended."""
    from collections import Counter

    from audit_kit.pipeline import run_audit

    ctx, result = demo_run
    config = ctx.root / "config.yaml"
    before = run_audit(config, as_of="2020-07-15", out=tmp_path / "a", report=False)
    after = run_audit(config, as_of="2020-07-16", out=tmp_path / "b", report=False)

    def systems(r):
        return {f.source for f in r.findings if f.rule_id == "T-mechanism"}

    def people(r):
        return Counter((f.source, f.severity) for f in r.findings if f.rule_id == "T-system")

    # the people in the Google backup per source: the demo's planted T-system findings
    backup = Counter(e.source for e in ctx.expected if e.rule_id == "T-system")
    assert set(backup) == {"phone-contacts", "google-contacts"}
    assert systems(before) == set()
    assert people(before) == Counter({(s, "info"): n for s, n in backup.items()})
    assert systems(after) == systems(result) == {"android_backup"}
    assert people(after) == people(result) == Counter(
        {(s, "warning"): n for s, n in backup.items()})
