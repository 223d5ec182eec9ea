"""Run folders (audit_kit.runs): a run's quarter is its manifest's as_of, whatever the
folder is called; ``--period`` and ``--as-of`` that disagree are refused."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil

import pytest

from audit_kit.cli.main import main
from audit_kit.errors import ConfigError
from audit_kit.runs import check_period, earlier_runs, parse_period, previous_run, read_run
from tests._support import DATA, POLICY, snapshot


def _run_folder(path, as_of: str, **extra) -> None:
    path.mkdir(parents=True)
    doc = {"tool": "audit-kit", "as_of": as_of, **extra}
    (path / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")


def test_earlier_runs_are_found_by_as_of_not_by_folder_name(tmp_path):
    reports = tmp_path / "reports"
    _run_folder(reports / "kesa", "2026-06-30")                # Q2, any name
    _run_folder(reports / "2026-Q3", "2026-12-31")             # misnamed: it is Q4's
    _run_folder(reports / "syyskuu-alku", "2026-09-01")        # Q3, earlier date
    _run_folder(reports / "syyskuu-loppu", "2026-09-30")       # Q3, later date: wins
    _run_folder(reports / "2025-Q4", "2025-12-31")
    _run_folder(reports / ".2026-Q1.partial-1-x", "2026-03-31")  # a run's staging: hidden
    _run_folder(reports / "rikki", "not a date")
    (reports / "muistiinpanot").mkdir()
    (reports / "muistiinpanot" / "manifest.json").write_text('{"as_of": "2026-03-31"}',
                                                            encoding="utf-8")  # not ours
    (reports / "tiedosto.txt").write_text("x", encoding="utf-8")
    here = reports / "nyt"
    _run_folder(here, "2026-12-31")

    runs = earlier_runs(here, dt.date(2026, 12, 31))
    assert [(r.quarter, r.path.name) for r in runs] == [
        ("2025-Q4", "2025-Q4"), ("2026-Q2", "kesa"), ("2026-Q3", "syyskuu-loppu")]
    assert previous_run(here, dt.date(2026, 12, 31)).path.name == "syyskuu-loppu"
    assert previous_run(here, dt.date(2026, 6, 30)) is None  # no 2026-Q1 run
    assert read_run(reports / "rikki") is None
    assert read_run(reports / "muistiinpanot") is None
    assert read_run(reports / "2026-Q3").quarter == "2026-Q4"


@pytest.mark.parametrize(("period", "end", "label"), [
    ("2026Q4", dt.date(2026, 12, 31), "2026-Q4"),
    ("2026-q1", dt.date(2026, 3, 31), "2026-Q1"),
    ("2024Q1", dt.date(2024, 3, 31), "2024-Q1"),
    ("2026Q2", dt.date(2026, 6, 30), "2026-Q2"),
])
def test_parse_period(period, end, label):
    assert parse_period(period) == (end, label)


@pytest.mark.parametrize("bad", ["2026Q5", "2026", "Q4", "26Q4", "0001Q4"])
def test_parse_period_refuses(bad):
    with pytest.raises(ConfigError, match="--period"):
        parse_period(bad)


def test_check_period():
    check_period("2026-Q4", dt.date(2026, 11, 15))  # a day inside the quarter is fine
    with pytest.raises(ConfigError, match=r"--period 2026-Q3 and the audit date 2026-12-31 "
                                          r"\(2026-Q4\) disagree"):
        check_period("2026-Q3", dt.date(2026, 12, 31))


@pytest.fixture
def project(tmp_path, monkeypatch):
    proj = tmp_path / "proj"
    (proj / "data").mkdir(parents=True)
    shutil.copyfile(DATA / "tabular" / "customers_english.csv", proj / "data" / "customers.csv")
    (proj / "config.yaml").write_text(
        f"organisation: Testi Oy\npolicy: {POLICY}\nsources:\n"
        "  - {name: customers, kind: customers_csv, path: data/customers.csv, system: billing}\n",
        encoding="utf-8")
    os.chmod(tmp_path, 0o755)
    monkeypatch.chdir(proj)
    return proj


def test_period_and_as_of_that_disagree_are_refused(project, capsys):
    before = snapshot(project)
    assert main(["run", "config.yaml", "--period", "2026Q3", "--as-of", "2026-12-31"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "--period 2026-Q3 and the audit date 2026-12-31 (2026-Q4) disagree" in err
    assert snapshot(project) == before  # no reports/2026-Q3


def test_period_does_not_replace_another_quarters_run(project, capsys):
    assert main(["run", "config.yaml", "--period", "2026Q3", "--no-report"]) in (0, 1)
    q3 = project / "reports" / "2026-Q3"
    assert json.loads((q3 / "manifest.json").read_text(encoding="utf-8"))["as_of"] == "2026-09-30"
    capsys.readouterr()
    before = snapshot(project)
    assert main(["run", "config.yaml", "--period", "2026Q4", "--out", "reports/2026-Q3",
                 "--no-report"]) == 2
    err = capsys.readouterr().err
    assert "holds the run of 2026-Q3 (as of 2026-09-30); --period 2026-Q4 would replace it" in err
    assert snapshot(project) == before
    # the same quarter again (a day inside it) replaces it as before
    assert main(["run", "config.yaml", "--period", "2026Q3", "--as-of", "2026-08-31",
                 "--out", "reports/2026-Q3", "--no-report"]) in (0, 1)
    assert read_run(q3).as_of == dt.date(2026, 8, 31)
