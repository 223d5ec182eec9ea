"""The notebooks' library side without a kernel: paths from the project root, the latest
run by its manifest's as_of, pseudonymised tables, picking the finding to walk, the
overview's tables and its charts with and without matplotlib; and the committed
notebooks themselves (no outputs, one parameters cell)."""

from __future__ import annotations

import json
import sys

import nbformat
import pytest

from audit_kit import notebook, overview, trace
from audit_kit.errors import ConfigError
from audit_kit.findings import Finding
from audit_kit.pipeline import AuditResult
from tests._support import REPO

NOTEBOOKS = REPO / "notebooks"


def _finding(rule_id="R-customer", category="retention", severity="error", **kw) -> Finding:
    row = dict(rule_id=rule_id, category=category, severity=severity, source="crm",
               source_kind="customers_csv", source_file="crm.csv", record_ref="line 2",
               subject_id="S-0123456789abcdef", email="aino.ahola@example.fi",
               phone="+358409998877", field="", detail="ended 2026-01-01")
    row.update(kw)
    return Finding(**row)


def _run(folder, as_of: str):
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(
        {"tool": "audit-kit", "as_of": as_of, "findings": {"retention/error": 2}}))
    return folder


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_committed_notebooks_have_no_outputs_and_one_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.outputs for c in code] == [[]] * len(code), "clear the outputs before committing"
    assert {c.execution_count for c in code} <= {None}
    assert [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])] == [code[0]]


def test_the_notebooks_are_the_auditor_the_overview_and_the_report():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == [
        "auditor.ipynb", "overview.ipynb", "report.ipynb"]


def test_paths_resolve_from_the_project_root_whatever_the_working_folder(tmp_path, monkeypatch):
    (tmp_path / "audits").mkdir()
    (tmp_path / "audits" / "policy.yaml").write_text("x: 1\n")
    deep = tmp_path / "notebooks" / "drafts"
    deep.mkdir(parents=True)
    for cwd in (tmp_path, tmp_path / "notebooks", deep):
        monkeypatch.chdir(cwd)
        assert notebook.project_root() == tmp_path
        assert notebook.project_path("audits/reports/q4") == tmp_path / "audits/reports/q4"
    assert notebook.project_path(tmp_path / "elsewhere") == tmp_path / "elsewhere"


def test_no_project_above_is_an_error_naming_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="no audit-kit project here or above") as exc:
        notebook.project_path("audits/reports/q4")
    assert str(tmp_path) in str(exc.value)


def test_the_default_run_is_the_latest_as_of_whatever_the_folder_names(tmp_path, monkeypatch):
    (tmp_path / "audits").mkdir()
    (tmp_path / "audits" / "config.yaml").write_text("x: 1\n")
    reports = tmp_path / "audits" / "reports"
    _run(reports / "zz-q3-rerun", "2026-09-30")
    latest = _run(reports / "a-latest", "2026-12-31")
    _run(reports / ".staging-2027", "2027-03-31")  # another run's staging folder
    (reports / "notes").mkdir()  # not a run
    monkeypatch.chdir(tmp_path / "audits")
    assert notebook.run_folder() == latest
    assert notebook.run_folder("audits/reports/zz-q3-rerun") == reports / "zz-q3-rerun"
    with pytest.raises(ConfigError, match="not an audit-kit run folder"):
        notebook.run_folder("audits/reports/notes")


def test_no_run_yet_says_how_to_make_one(tmp_path, monkeypatch):
    (tmp_path / "audits").mkdir()
    (tmp_path / "audits" / "config.yaml").write_text("x: 1\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="run `audit-kit demo` or `audit-kit run`"):
        notebook.run_folder()


def test_findings_table_shows_the_subject_id_not_the_e_mail_or_phone():
    f = _finding()
    shown = notebook.findings_table([f]).to_string() + notebook.findings_table([f])._repr_html_()
    assert "S-0123456789abcdef" in shown and "crm.csv" in shown and "line 2" in shown
    assert "aino" not in shown and "9998877" not in shown
    assert "‹21 chars›" in shown and "‹13 chars›" in shown
    revealed = notebook.findings_table([f], reveal=True).to_string()
    assert "aino.ahola@example.fi" in revealed and "+358409998877" in revealed


def test_masked_masks_every_column_not_known_to_be_plain():
    import pandas as pd

    df = pd.DataFrame({"file": ["a\x1b.csv"], "Yhteyshenkilö": ["Aino Ahola"], "n": [3]})
    out = notebook.masked(df)
    assert out.loc[0, "file"] == "a\\x1b.csv"  # names shown, controls escaped
    assert out.loc[0, "Yhteyshenkilö"] == "‹10 chars›"
    assert out.loc[0, "n"] == 3


def test_a_finding_and_an_audit_result_repr_name_no_e_mail_or_phone(tmp_path):
    import datetime as dt

    f = _finding()
    result = AuditResult(out=tmp_path, as_of=dt.date(2026, 12, 31), findings=[f], manifest={})
    for text in (repr(f), repr(result), repr([f]), str(result)):
        assert "aino.ahola@example.fi" not in text and "+358409998877" not in text
    assert "S-0123456789abcdef" in repr(f)
    assert repr(result) == (f"AuditResult(out={str(tmp_path)!r}, as_of=2026-12-31, "
                            "findings=1, exit_code=1)")


def test_pick_names_a_rule_without_findings_instead_of_walking_another():
    found = [_finding(), _finding("S-statement", "statement", source_kind="statement")]
    picked = trace.pick(found, rule_id="I-date")
    assert picked.finding is None
    assert picked.message.startswith("rule I-date has no findings in this run")
    assert "R-customer, S-statement" in picked.message
    assert trace.pick(found, rule_id="S-statement").finding is found[1]
    assert trace.pick(found, index=1).finding is found[1]


def test_pick_refuses_an_unknown_rule_and_an_index_past_the_end():
    with pytest.raises(ConfigError, match=r"no rule 'R-nope'; known: .*I-date.*S-statement"):
        trace.pick([_finding()], rule_id="R-nope")
    with pytest.raises(ConfigError, match=r"finding_index 1 is outside .* \(0\.\.0\)"):
        trace.pick([_finding()], index=1)


@pytest.mark.parametrize("f, kind", [
    (_finding(), "record"),
    (_finding("I-date", "integrity", "warning", source_file="", record_ref=""), "source"),
    (_finding("S-statement", "statement", source="statement", source_kind="statement",
              source_file="tietosuojaseloste", record_ref="§10"), "statement"),
])
def test_kind_of(f, kind):
    assert trace.kind_of(f) == kind


def test_overview_tables_count_every_rule_and_category():
    fs = [_finding(), _finding(), _finding("M-field", "minimisation", "warning", field="job_title")]
    cats = overview.by_category(fs)
    assert cats.loc["retention"].to_dict() == {"error": 2, "warning": 0, "info": 0, "total": 2}
    assert cats["total"].sum() == 3 and list(cats.index)[-1] == "integrity"
    rules = overview.by_rule(fs)
    assert rules.loc["R-customer", "total"] == 2 and rules.loc["M-field", "warning"] == 1
    assert rules.loc["I-empty", "total"] == 0  # every rule, with or without findings


def test_overview_trend_finds_earlier_quarters_by_as_of(tmp_path):
    _run(tmp_path / "b-first", "2026-06-30")
    _run(tmp_path / "a-second", "2026-09-30")
    now = _run(tmp_path / "0-now", "2026-12-31")
    from audit_kit.runs import read_run

    table = overview.trend(read_run(now))
    assert list(table.index) == ["2026-06-30", "2026-09-30", "2026-12-31"]
    assert list(table["run"]) == ["b-first", "a-second", "0-now"]
    assert list(table["retention"]) == [2, 2, 2]


def test_overview_charts_need_matplotlib_and_show_tables_without_it(monkeypatch):
    rules = overview.by_rule([_finding()])
    import pandas as pd

    trend = pd.DataFrame({"retention": [1]}, index=["2026-12-31"])
    png = overview.area_chart("retention", rules, trend)
    assert png is not None and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    assert overview.area_chart("retention", rules, trend) is None


def test_raw_rows_come_from_the_findings_own_source_not_a_similarly_named_one():
    """Sources crm and crm-2 have raw tables src_crm and src_crm_2: a side table of crm
    would be src_crm_<x>, so src_crm_2's rows must not answer for crm."""
    import duckdb

    con = duckdb.connect()
    cols = "source VARCHAR, file VARCHAR, record_ref VARCHAR, name VARCHAR"
    con.execute(f"CREATE TABLE src_crm ({cols})")
    con.execute(f"CREATE TABLE src_crm_2 ({cols})")
    con.execute("INSERT INTO src_crm_2 VALUES ('crm-2', 'crm.csv', 'line 2', 'Aino Ahola')")
    with pytest.raises(ConfigError, match="no raw row for crm.csv / line 2"):
        trace.raw(con, _finding())
    con.execute("INSERT INTO src_crm VALUES ('crm', 'crm.csv', 'line 2', 'Aino Ahola')")
    found = trace.raw(con, _finding())
    assert found.table == "src_crm" and list(found.rows["name"]) == ["‹10 chars›"]
