"""Transfers are judged as of the audit date: the same data, audited on either side of
the Privacy Shield's end (invalid from 16.7.2020) and the DPF's start (in force from
11.7.2023, the day after its adoption), gets different verdicts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from audit_kit import warehouse
from audit_kit.context import RunContext
from audit_kit.policy import System, default_policy_path, load_policy
from audit_kit.rules import build_rules, write_facts
from audit_kit.rules.statement import statement_checks

POLICY = load_policy(default_policy_path())
#: the demo policy plus a US CRM relying on the DPF
DPF_POLICY = POLICY.model_copy(update={"systems": {
    **POLICY.systems,
    "crm": System(provider="CRM Inc.", country="US", mechanism="dpf", personal_data=True,
                  section="10"),
}})


def _transfer_rows(as_of: dt.date) -> set[tuple[str, str]]:
    con = warehouse.connect()
    for ref, system in (("1", "android_backup"), ("2", "crm"), ("3", "billing")):
        sink = warehouse.SourceSink(con, source=system, kind="customers_csv", system=system)
        sink.record(sink.file(Path(f"{system}.csv"), sha256="0", size=0), f"line {ref}",
                    "customer_contact", person_name="Aino", email=f"a{ref}@x.example.fi")
        sink.flush()
    con.execute("CREATE TABLE audit_params AS SELECT ?::DATE AS as_of", [as_of])
    ctx = RunContext(DPF_POLICY, as_of)
    write_facts(con, ctx)
    (rule,) = [r for r in build_rules(ctx) if r.rule_id == "T-system"]
    return set(con.execute(f"SELECT record_ref, detail FROM ({rule.query()})").fetchall())


@pytest.mark.parametrize(("as_of", "refs"), [
    (dt.date(2020, 7, 15), {"line 2"}),               # Privacy Shield valid, DPF not yet
    (dt.date(2020, 7, 16), {"line 1", "line 2"}),     # Schrems II
    (dt.date(2023, 7, 10), {"line 1", "line 2"}),
    (dt.date(2023, 7, 11), {"line 1"}),               # the DPF in force
    (dt.date(2026, 12, 31), {"line 1"}),
])
def test_transfer_verdicts_follow_the_audit_date(as_of, refs):
    rows = _transfer_rows(as_of)
    assert {ref for ref, _ in rows} == refs
    details = dict(rows)
    if "line 2" in details:
        assert "not in force before 2023-07-11" in details["line 2"]
    if "line 1" in details:
        assert "Privacy Shield (Decision 2016/1250) invalid since 2020-07-16" in details["line 1"]


def test_the_statement_relies_on_privacy_shield_only_after_it_ended():
    def failed(day):
        ctx = RunContext(POLICY, day)
        return {c for c, _, f, _, _ in statement_checks(ctx) if f}

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
    """The as-of date given to run reaches the transfer rule: the demo's data audited the
    day before and the day Privacy Shield ended."""
    from audit_kit.pipeline import run_audit

    ctx, result = demo_run
    config = ctx.root / "config.yaml"
    before = run_audit(config, as_of="2020-07-15", out=tmp_path / "a", report=False)
    after = run_audit(config, as_of="2020-07-16", out=tmp_path / "b", report=False)

    def transfers(r):
        return {(f.source, f.record_ref) for f in r.findings if f.category == "transfer"}

    assert transfers(before) == set()
    assert transfers(after) == transfers(result) != set()
