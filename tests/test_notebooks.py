"""The notebooks executed as JupyterLab users run them: papermill with parameters and
nbconvert with the defaults, in ``notebooks/`` or at the project root, on the planted
demo run (built once per session) and on a small run with source-level findings.

* ``auditor.ipynb`` walks every kind of finding back: record findings by source + file +
  place (rotated logs repeat ``line N``), source findings (integrity, unclassified
  columns) to their load counts and rejects, statement findings to their check and the
  policy's lines for the section; a rule without findings says so.
* ``overview.ipynb``: findings by category and rule, the trend over the earlier quarter
  (found by as_of), sources read / loaded / rejected, a chart per area.
* ``report.ipynb``: the owners' report.

No output of any of them names a demo person's e-mail address, phone or name unless
``reveal`` is set, and neither does ``run_audit()`` run in a cell.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import nbformat
import pytest

from tests._support import DATA, POLICY, REPO

pytestmark = pytest.mark.slow  # a real kernel per notebook

papermill = pytest.importorskip("papermill")

NOTEBOOKS = REPO / "notebooks"
AUDITOR_STEPS = ("Step 1: ", "Step 2: ", "Step 3: ", "Step 4: ")


def execute(name: str, out: Path, *, cwd: Path = NOTEBOOKS, **params) -> nbformat.NotebookNode:
    """*name* run by papermill with *params* in *cwd* (JupyterLab's: ``notebooks/``)."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{name.removesuffix('.ipynb')}-{len(list(out.iterdir()))}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / name), str(target), parameters=params, cwd=str(cwd),
        kernel_name="python3", progress_bar=False, log_output=False,
    )
    return nbformat.read(target, as_version=4)


def outputs(nb: nbformat.NotebookNode) -> str:
    """Every output of every cell as text: streams, plain text, HTML, errors."""
    out = []
    for c in nb.cells:
        stream = False
        for o in c.get("outputs", []):
            if o.output_type == "stream" and stream:
                # one print may arrive as two stream messages (a loaded kernel flushes
                # between them): they are one text
                out[-1] += o.text
            elif o.output_type == "stream":
                out.append(o.text)
            elif o.output_type in ("execute_result", "display_data"):
                out.append(o.data.get("text/plain", ""))
                out.append(o.data.get("text/html", ""))
            elif o.output_type == "error":
                out.append(f"ERROR {o.ename}: {o.evalue}")
            stream = o.output_type == "stream"
    return "\n".join(out)


def images(nb: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def findings_of(run: Path) -> list[dict]:
    with open(run / "findings.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def personal_values(run: Path) -> set[str]:
    """The e-mail addresses, phones and names the run's warehouse holds, as stored and
    as they appear in the raw tables."""
    con = duckdb.connect(str(run / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT email FROM records UNION SELECT phone FROM records "
            "UNION SELECT person_name FROM records UNION SELECT value FROM fields "
            "WHERE field IN ('email', 'phone', 'work_phone', 'mobile_phone', 'home_phone', "
            "'person_name')").fetchall()
    finally:
        con.close()
    return {v.strip() for (v,) in rows if v and len(v.strip()) >= 6}


# -- runs ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source_run(tmp_path_factory):
    """A small run whose findings include source-level ones: an unclassified column
    (M-unclassified), a date that is not a date (I-date) and a file in a vCard folder
    that holds no card (I-rejected)."""
    from audit_kit.pipeline import run_audit

    base = tmp_path_factory.mktemp("source-run")
    data = base / "data"
    (data / "phone").mkdir(parents=True)
    (data / "asiakkaat.csv").write_text(
        "Yritys;Yhteyshenkilö;Sähköposti;Puhelin;Asiakkuus päättynyt;Harrastukset\n"
        "Oy Testi Ab;Tiina Testaaja;tiina.testaaja@testi.example.fi;+358401112233;1.2.2026;golf\n"
        "Oy Koe Ab;Kalle Koe;kalle.koe@koe.example.fi;+358407654321;ei tiedossa;\n",
        encoding="utf-8")
    shutil.copy(DATA / "vcard" / "android_21_fi.vcf", data / "phone" / "ok.vcf")
    (data / "phone" / "notes.vcf").write_text("not a card\n", encoding="utf-8")
    (data / "config.yaml").write_text(
        f"organisation: Testi Oy\npolicy: {POLICY}\n"
        "as_of: 2026-12-31\nsources:\n"
        "  - {name: customers, kind: customers_csv, path: asiakkaat.csv, system: billing}\n"
        "  - {name: phone, kind: vcard, path: phone, system: android_backup}\n",
        encoding="utf-8")
    run_audit(data / "config.yaml", out=base / "run")
    return base / "run"


@pytest.fixture(scope="module")
def project(planted, tmp_path_factory):
    """A project folder as `audit-kit init` lays it out, with the notebooks and the planted
    Q3 and Q4 runs under names that sort the other way round from their as_of."""
    root = tmp_path_factory.mktemp("project")
    (root / "audits" / "reports").mkdir(parents=True)
    shutil.copy(REPO / "audits" / "policy.yaml", root / "audits" / "policy.yaml")
    shutil.copytree(NOTEBOOKS, root / "notebooks")
    shutil.copytree(planted.previous, root / "audits" / "reports" / "zz-before")
    shutil.copytree(planted.run, root / "audits" / "reports" / "latest")
    return root


# -- the auditor notebook -----------------------------------------------------------------


def test_every_demo_finding_walks_to_its_source(planted):
    """The notebook's steps as library calls, for every finding of the planted run: each
    record finding reaches its canonical and raw rows by source + file + place and a file
    whose SHA-256 is unchanged; each statement finding its check and policy lines."""
    from audit_kit import trace
    from audit_kit.findings import read_csv

    con = duckdb.connect(str(planted.run / "warehouse.duckdb"), read_only=True)
    kinds = set()
    try:
        for f in read_csv(planted.run / "findings.csv"):
            kind = trace.kind_of(f)
            kinds.add(kind)
            if kind == "record":
                rows = trace.canonical(con, f)
                assert set(rows.records["file"]) | set(rows.fields["file"]) == {f.source_file}
                raw = trace.raw(con, f)
                assert set(raw.rows["file"]) == {f.source_file}, f
                assert set(raw.rows["record_ref"]) == {f.record_ref}
                assert trace.check_files(trace.files_of(con, f), planted.data).verified, f
            elif f.source_kind == "policy":  # T-mechanism: a system of the inventory
                st = trace.statement(con, f, REPO / "audits" / "policy.yaml")
                assert list(st.check["system"]) == [f.source]
                # the system's entries (the inventory, the access answer's recipients)
                names = set(st.policy_lines["text"].str.strip().str.split(":").str[0])
                assert len(st.policy_lines) and names == {f.source}
            elif kind == "source":  # the website log's line cut short (I-rejected)
                src = trace.source(con, f)
                assert len(src.load_counts) == 1 and len(src.rejects) >= 1, f
                assert trace.check_files(trace.files_of(con, f), planted.data).verified, f
            else:
                st = trace.statement(con, f, REPO / "audits" / "policy.yaml")
                assert list(st.check["check_id"]) == [f.field]
                n = f.record_ref.removeprefix("§")
                cites = re.compile(rf'section: "{n}"|§{n}(?!\d)|{f.field}')
                assert len(st.policy_lines) and all(
                    cites.search(line) for line in st.policy_lines["text"]), f
    finally:
        con.close()
    assert kinds == {"record", "source", "statement"}


def _rotated_maillog_findings(run: Path) -> list[tuple[int, dict]]:
    return [(i, r) for i, r in enumerate(findings_of(run)) if r["rule_id"] == "R-maillog"]


def test_the_auditor_walks_each_rotated_log_finding_by_file_and_line(planted, tmp_path):
    rows = _rotated_maillog_findings(planted.run)
    assert {r["source_file"] for _, r in rows} == {"mail/log/maillog.1", "mail/log/maillog.2.gz"}
    for i, row in rows:
        text = outputs(execute("auditor.ipynb", tmp_path, run_dir=str(planted.run),
                               finding_index=i))
        where = f"{row['source']} / {row['source_file']} / {row['record_ref']}"
        assert f"Step 2: 1 record row(s), 1 field row(s) for {where}" in text
        assert (f"Step 3: 1 raw row(s) in src_mail_log for {row['source_file']} / "
                f"{row['record_ref']}") in text
        assert "Step 4: VERIFIED: the finding traces to unchanged input" in text
        assert "ERROR" not in text


@pytest.mark.parametrize("rule_id", ["M-field", "R-email", "R-tombstone", "R-erasure-open"])
def test_the_auditor_walks_a_record_finding_to_its_file(planted, tmp_path, rule_id):
    row = next(r for r in findings_of(planted.run) if r["rule_id"] == rule_id)
    text = outputs(execute("auditor.ipynb", tmp_path, run_dir=str(planted.run), rule_id=rule_id))
    assert all(step in text for step in AUDITOR_STEPS)
    assert f"for {row['source']} / {row['source_file']} / {row['record_ref']}" in text
    assert "raw row(s) in src_" in text
    assert "Step 4: VERIFIED: the finding traces to unchanged input" in text
    assert "ERROR" not in text


def test_the_auditor_walks_a_statement_finding_to_the_policy(planted, tmp_path):
    row = next(r for r in findings_of(planted.run) if r["rule_id"] == "S-statement")
    nb = execute("auditor.ipynb", tmp_path, run_dir=str(planted.run), rule_id="S-statement")
    text = outputs(nb)
    section = row["record_ref"]
    assert f"Step 2: statement check {row['field']} ({section}) as of 2026-12-31" in text
    assert f"line(s) of the policy cite {section} or {row['field']}; the finding: " \
           f"{row['detail']}" in text
    policy = (REPO / "audits" / "policy.yaml").read_text(encoding="utf-8").splitlines()
    cited = [line for line in policy if f'section: "{section[1:]}"' in line]
    assert cited and all(line.split("#")[0].strip()[:30] in text for line in cited)
    assert "Step 4: VERIFIED: the policy file is the one the run read" in text
    assert "ERROR" not in text


@pytest.mark.parametrize("rule_id, column", [
    ("M-unclassified", "Harrastukset"), ("I-date", "Asiakkuus päättynyt"),
    ("I-rejected", None)])
def test_the_auditor_walks_a_source_finding(source_run, tmp_path, rule_id, column):
    row = next(r for r in findings_of(source_run) if r["rule_id"] == rule_id)
    text = outputs(execute("auditor.ipynb", tmp_path, run_dir=str(source_run), rule_id=rule_id))
    assert f"Step 2: source {row['source']}: its load counts" in text
    if column:
        assert column in text
    else:
        assert "1 reject(s)" in text and "phone/notes.vcf" in text and "whole file" in text
    assert "Step 3: a source finding names no raw row" in text
    assert "Step 4: VERIFIED: the finding traces to unchanged input" in text
    assert "ERROR" not in text


def test_a_rule_without_findings_says_so(planted, tmp_path):
    assert not [r for r in findings_of(planted.run) if r["rule_id"] == "I-date"]
    text = outputs(execute("auditor.ipynb", tmp_path, run_dir=str(planted.run), rule_id="I-date"))
    assert "Step 1: rule I-date has no findings in this run: nothing to walk" in text
    assert "Step 2: no finding to walk" in text and "record row(s)" not in text


def test_an_unknown_rule_is_an_error_naming_the_rules(planted, tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="no rule 'R-nope'; known: "):
        execute("auditor.ipynb", tmp_path, run_dir=str(planted.run), rule_id="R-nope")


def test_the_auditor_detects_a_changed_file(planted, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(planted.data, data, ignore=shutil.ignore_patterns("reports"))
    row = next(r for r in findings_of(planted.run) if r["rule_id"] == "R-customer")
    with open(data / row["source_file"], "ab") as f:
        f.write(b"\n")
    text = outputs(execute("auditor.ipynb", tmp_path / "out", run_dir=str(planted.run),
                           data_dir=str(data), rule_id="R-customer"))
    assert "MISMATCH: the input file changed since the audit" in text
    assert "VERIFIED" not in text


# -- the overview and the report ----------------------------------------------------------


def test_the_overview_counts_trends_and_charts(planted, tmp_path):
    nb = execute("overview.ipynb", tmp_path, run_dir=str(planted.run))
    text = outputs(nb)
    n = len(findings_of(planted.run))
    assert f"audit as of 2026-12-31, policy 2026.4, {n} findings (run 2026-Q4)" in text
    # the previous run is found by its as_of; its folder is not named for its quarter
    assert "2 run(s), oldest first" in text and "2026-09-30" in text
    assert planted.previous.name in text
    # 229 records of the registers and mail, 994 lines of the website log (1 cut short)
    assert "1223 read = 1222 loaded + 1 rejected, in 17 sources" in text
    assert "R-maillog" in text and "I-empty" in text
    assert images(nb) == 1 + 6  # the sources, then one chart per area
    assert "ERROR" not in text


def test_the_report_notebook_runs_with_papermill(planted, tmp_path):
    text = outputs(execute("report.ipynb", tmp_path, run_dir=str(planted.run), lang="en"))
    assert "Quarterly privacy audit" in text and 'id="promise-retention"' in text
    assert "ERROR" not in text


# -- defaults: JupyterLab and nbconvert run a notebook in notebooks/ ----------------------


def nbconvert(project: Path, notebook: str, cwd: Path, out: Path) -> nbformat.NotebookNode:
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute", notebook,
         "--output", str(out)],
        cwd=cwd, check=True, capture_output=True, timeout=600)
    return nbformat.read(out, as_version=4)


def test_nbconvert_runs_the_notebooks_with_their_defaults_from_root_and_notebooks(
        project, tmp_path):
    latest = project / "audits" / "reports" / "latest"
    auditor = outputs(nbconvert(project, "notebooks/auditor.ipynb", project,
                                tmp_path / "auditor.ipynb"))
    assert "(run latest, as of 2026-12-31)" in auditor
    assert "Step 4: VERIFIED: the finding traces to unchanged input" in auditor
    ov = outputs(nbconvert(project, "overview.ipynb", project / "notebooks",
                           tmp_path / "overview.ipynb"))
    assert "(run latest)" in ov and "2 run(s), oldest first" in ov and "zz-before" in ov
    # the owners' report notebook opened in JupyterLab (working folder notebooks/): the
    # latest run by as_of, not a folder name relative to wherever the kernel runs
    report = outputs(nbconvert(project, "report.ipynb", project / "notebooks",
                               tmp_path / "report.ipynb"))
    assert "Tarkastuspäivä 31.12.2026" in report
    assert "ERROR" not in auditor + ov + report
    assert latest.is_dir()


def test_papermill_at_the_project_root_reads_the_default_run(project, tmp_path):
    text = outputs(execute("auditor.ipynb", tmp_path, cwd=project, rule_id="S-statement"))
    assert "(run latest, as of 2026-12-31)" in text
    assert "Step 4: VERIFIED: the policy file is the one the run read" in text


# -- no personal data in any output --------------------------------------------------------


def test_no_output_names_a_person_unless_revealed(planted, source_run, tmp_path):
    people = personal_values(planted.run)
    assert len(people) > 50 and any("@" in v for v in people)
    texts = [outputs(execute("auditor.ipynb", tmp_path, run_dir=str(planted.run),
                             rule_id=rule)) for rule in ("R-customer", "R-email", "T-system")]
    texts.append(outputs(execute("overview.ipynb", tmp_path, run_dir=str(planted.run))))
    texts.append(outputs(execute("report.ipynb", tmp_path, run_dir=str(planted.run))))
    leaked = sorted(v for v in people if any(v in t for t in texts))
    assert leaked == []
    # the check can fail: revealed, the same walk shows the person
    revealed = outputs(execute("auditor.ipynb", tmp_path, run_dir=str(planted.run),
                               rule_id="R-customer", reveal=True))
    row = next(r for r in findings_of(planted.run) if r["rule_id"] == "R-customer")
    assert row["email"] in revealed and row["email"] in people


def test_run_audit_in_a_cell_prints_no_personal_data(source_run, tmp_path):
    config = source_run.parent / "data" / "config.yaml"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from audit_kit import run_audit"),
        nbformat.v4.new_code_cell(f"result = run_audit({str(config)!r}, "
                                  f"out={str(tmp_path / 'run')!r}, report=False)\nresult"),
        nbformat.v4.new_code_cell("result.findings[:3]"),
        nbformat.v4.new_code_cell("print(result, result.findings[0])"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}})
    path = tmp_path / "cell.ipynb"
    nbformat.write(nb, path)
    papermill.execute_notebook(str(path), str(path), kernel_name="python3", cwd=str(tmp_path),
                               progress_bar=False)
    text = outputs(nbformat.read(path, as_version=4))
    people = personal_values(tmp_path / "run")
    assert "tiina.testaaja@testi.example.fi" in people and "+358401112233" in people
    assert "findings=" in text and "S-" in text
    assert sorted(v for v in people if v in text) == []
