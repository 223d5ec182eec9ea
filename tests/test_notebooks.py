"""Both notebooks execute top to bottom on the demo run (nbclient, a real kernel).

* ``notebooks/report.ipynb``: the owners' report template (parameters cell, papermill style).
* ``notebooks/auditor.ipynb``: walks one finding back to its source record and checks the
  input file's SHA-256 on disk.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow  # a real kernel per notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def execute(name: str, cwd: Path, **params) -> nbformat.NotebookNode:
    """Inject *params* after the ``parameters`` cell (as papermill does) and run all cells."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    idx = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(idx) == 1, "exactly one cell tagged parameters"
    src = "\n".join(f"{k} = {v!r}" for k, v in params.items())
    nb.cells.insert(idx[0] + 1, nbformat.v4.new_code_cell(src, metadata={"tags": ["injected"]}))
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()
    return nb


def outputs(nb) -> str:
    out = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            if o.output_type == "stream":
                out.append(o.text)
            elif o.output_type in ("execute_result", "display_data"):
                out.append(o.data.get("text/plain", ""))
                out.append(o.data.get("text/html", ""))
            elif o.output_type == "error":
                out.append(f"ERROR {o.ename}")
    return "\n".join(out)


def test_report_notebook_executes(planted, tmp_path):
    nb = execute("report.ipynb", tmp_path, run_dir=str(planted.run), lang="en", reveal=False)
    html = next(
        o.data["text/html"]
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.output_type in ("execute_result", "display_data") and "text/html" in o.data
    )
    assert "Quarterly privacy audit" in html and 'id="promise-retention"' in html
    assert "ERROR" not in outputs(nb)


def _finding_row(run: Path, rule_id: str) -> dict:
    with open(run / "findings.csv", encoding="utf-8") as f:
        return next(r for r in csv.DictReader(f) if r["rule_id"] == rule_id)


@pytest.mark.parametrize("rule_id", ["M-field", "R-email", "T-system", "R-customer"])
def test_auditor_notebook_walks_a_finding_to_its_file(planted, tmp_path, rule_id):
    nb = execute("auditor.ipynb", tmp_path, run_dir=str(planted.run), rule_id=rule_id)
    text = outputs(nb)
    row = _finding_row(planted.run, rule_id)
    assert "Step 2: " in text and f"for {row['source']} / {row['record_ref']}" in text
    assert "Step 3: " in text and "raw row(s) in src_" in text
    assert "VERIFIED: the finding traces to unchanged input" in text
    assert row["source_file"].split("/")[0] in text
    # personal values stay masked by default
    if row["email"]:
        assert row["email"] not in text
    assert "alert(1)" not in text


def test_auditor_notebook_detects_a_changed_file(planted, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(planted.data, data, ignore=shutil.ignore_patterns("reports"))
    row = _finding_row(planted.run, "R-customer")
    with open(data / row["source_file"], "ab") as f:
        f.write(b"\n")
    nb = execute(
        "auditor.ipynb",
        tmp_path,
        run_dir=str(planted.run),
        data_dir=str(data),
        rule_id="R-customer",
    )
    text = outputs(nb)
    assert "MISMATCH: the input file changed since the audit" in text
    assert "VERIFIED" not in text
