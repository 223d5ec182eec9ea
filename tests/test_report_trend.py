"""The report's trend across quarters (issue 19): the unchanged demo files audited as of
three quarter ends show nothing fixed and the overdue erasure request as an escalation;
deleting one planted record shows exactly that one fixed the next quarter.

The runs' folders are not named for their quarters: earlier quarters are found by their
manifests' ``as_of``.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from audit_kit.findings import read_csv
from audit_kit.report import history
from audit_kit.report.build import build_report_html

pytestmark = pytest.mark.slow

#: the planted R-service record deleted before the next quarter's audit (its person has no
#: other record, so the person's retention item is gone with it)
DELETED = "HS-2007"


@pytest.fixture(scope="module")
def quarters(tmp_path_factory):
    from audit_kit.demo import generate
    from audit_kit.pipeline import run_audit

    base = tmp_path_factory.mktemp("trend")
    data = base / "data"
    generate(data)
    runs = base / "runs"
    for name, as_of in (("kevat", "2026-06-30"), ("audit-b", "2026-09-30"), ("zz", "2026-12-31")):
        run_audit(data / "config.yaml", as_of=as_of, out=runs / name, report=False)
    return data, runs


def _rows(run, as_of):
    return history.history(run, as_of, read_csv(run / "findings.csv"))


def test_unchanged_files_show_nothing_fixed_and_the_escalation(quarters):
    _, runs = quarters
    rows = _rows(runs / "zz", dt.date(2026, 12, 31))
    assert [r.quarter for r in rows] == ["2026-Q2", "2026-Q3", "2026-Q4"]
    assert rows[0].changes is None
    for r in rows[1:]:
        assert r.changes.fixed == [], r.quarter
    q4 = rows[2].changes
    # the customer's erasure request, open as of 30.9., is overdue as of 31.12.; the
    # customer whose retention hold ran until 30.9.2026 is past its deadline again
    assert sorted((now.rules, before.rules) for now, before in q4.escalated) == [
        (("R-customer",), ("R-held",)),
        (("R-erasure",), ("R-erasure-open",)),
    ]
    for now, before in q4.escalated:
        assert now.subject_id == before.subject_id
    html = build_report_html(runs / "zz", "fi")
    section = html[html.index('id="changes"') : html.index('id="coverage"')]
    assert "<b>0</b><span>Korjattu</span>" in section
    assert "<b>2</b><span>Pahentuneita</span>" in section
    assert "<code>R-erasure-open → R-erasure</code>" in section
    assert "<code>R-held → R-customer</code>" in section


def test_deleting_one_planted_record_shows_exactly_that_one_fixed(quarters):
    from audit_kit.pipeline import run_audit

    data, runs = quarters
    q4 = read_csv(runs / "zz" / "findings.csv")
    path = data / "billing" / "huoltosopimukset.csv"
    lines = path.read_bytes().split(b"\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(DELETED.encode()))
    gone = next(f for f in q4 if f.rule_id == "R-service" and f.record_ref == f"line {at + 1}")
    assert [f for f in q4 if f.subject_id == gone.subject_id] == [gone]  # the person's only one
    del lines[at]
    path.write_bytes(b"\n".join(lines))
    run_audit(data / "config.yaml", as_of="2027-03-31", out=runs / "next", report=False)
    ch = _rows(runs / "next", dt.date(2027, 3, 31))[-1].changes
    assert ch.previous == "2026-Q4"
    assert [it.key for it in ch.fixed] == [("person", gone.subject_id, "retention")]
    # the record after it moved up a line: the same item, not one fixed and one new
    moved = {f.subject_id for f in q4 if f.rule_id == "R-service"} - {gone.subject_id}
    assert moved and all(("person", s, "retention") in {it.key for it in ch.persisting}
                         for s in moved)
    html = build_report_html(runs / "next", "fi")
    section = html[html.index('id="changes"') : html.index('id="coverage"')]
    assert "<b>1</b><span>Korjattu</span>" in section
    fixed = section[section.index("<h3>Korjatut</h3>") :]
    assert re.search(rf"<code>{re.escape(gone.subject_id)}</code>", fixed)
