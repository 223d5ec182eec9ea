"""The committed GX project (audits/gx/) is what `audit-kit suites` writes, byte for byte,
and a GX user can run its checkpoint on a run's warehouse with nothing but GX."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections import Counter

import pytest

from audit_kit.cli.main import main
from audit_kit.gx_project import PLUGIN_MODULE, write_project
from audit_kit.policy import load_policy
from audit_kit.rules import build_rules
from audit_kit.validate import GX_SEVERITY
from tests._support import POLICY, REPO

COMMITTED = REPO / "audits" / "gx"


def _files(root):
    return {
        p.relative_to(root): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] != "uncommitted"
        and "__pycache__" not in p.parts
    }


def test_committed_project_is_what_suites_writes(tmp_path):
    fresh = _files(write_project(POLICY, tmp_path))
    committed = _files(COMMITTED)
    assert sorted(map(str, fresh)) == sorted(map(str, committed)), (
        "audits/gx is stale: run `audit-kit suites` and commit")
    stale = [str(p) for p in fresh if fresh[p] != committed[p]]
    assert stale == [], "audits/gx is stale: run `audit-kit suites` and commit"


def test_regenerating_changes_no_byte_and_keeps_uncommitted(tmp_path):
    first = _files(write_project(POLICY, tmp_path))
    mine = tmp_path / "gx" / "uncommitted" / "data_docs" / "index.html"
    mine.parent.mkdir(parents=True)
    mine.write_text("a GX user's own site", encoding="utf-8")
    assert _files(write_project(POLICY, tmp_path)) == first
    assert mine.read_text(encoding="utf-8") == "a GX user's own site"


def test_suites_out_never_removes_what_it_did_not_write(tmp_path):
    """A stale generated suite goes; a user's file beside the suites stays; a gx/ folder
    that is not an audit-kit project is refused whole (exit 2) and left untouched."""
    first = _files(write_project(POLICY, tmp_path))
    gx = tmp_path / "gx"
    stale = gx / "expectations" / "audit-kit" / "retired" / "records.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}", encoding="utf-8")
    notes = [gx / "NOTES.md", gx / "expectations" / "README.txt", gx / "plugins" / "mine.py"]
    for n in notes:
        n.parent.mkdir(parents=True, exist_ok=True)
        n.write_text("the user's own", encoding="utf-8")
    again = _files(write_project(POLICY, tmp_path))
    assert not stale.exists() and not stale.parent.exists()
    assert all(n.read_text(encoding="utf-8") == "the user's own" for n in notes)
    assert {p: b for p, b in again.items() if gx / p not in notes} == first

    theirs = tmp_path / "theirs"
    (theirs / "gx" / "expectations").mkdir(parents=True)
    (theirs / "gx" / "expectations" / "suite.json").write_text("{}", encoding="utf-8")
    before = _files(theirs)
    assert main(["suites", "--policy", str(POLICY), "--out", str(theirs)]) == 2
    assert _files(theirs) == before


def _findings(run):
    with (run / "findings.csv").open(encoding="utf-8", newline="") as f:
        return Counter((r["rule_id"], r["severity"]) for r in csv.DictReader(f))


def _suites() -> int:
    """One suite per rule family and base table (integrity has two: load_counts, fields)."""
    return len({(r.category, r.table) for r in build_rules(load_policy(POLICY))})


def test_each_rule_declares_the_severities_of_its_rows(demo_run):
    _ctx, result = demo_run
    declared = {r.rule_id: set(r.severities) for r in build_rules(load_policy(POLICY))}
    for (rule_id, severity), _n in _findings(result.out).items():
        assert severity in declared[rule_id], (rule_id, severity)


def test_run_validation_verdicts_agree_with_severity(demo_run):
    # one expectation per (rule, severity): it fails with GX severity critical only for
    # errors, and the suite's max_severity_failure is critical only if it has errors
    _ctx, result = demo_run
    found = _findings(result.out)
    seen = Counter()
    docs = sorted((result.out / "validation").glob("*.json"))
    assert len(docs) == _suites()
    for path in docs:
        doc = json.loads(path.read_text(encoding="utf-8"))
        worst = None
        for r in doc["results"]:
            meta, n = r["expectation_config"]["meta"], r["result"]["observed_value"]
            key = (meta["rule_id"], meta["severity"])
            seen[key] += n
            assert r["expectation_config"]["severity"] == GX_SEVERITY[meta["severity"]]
            assert r["success"] is (n == 0)
            if n and (worst is None or ["info", "warning", "critical"].index(
                    GX_SEVERITY[meta["severity"]]) > ["info", "warning", "critical"].index(worst)):
                worst = GX_SEVERITY[meta["severity"]]
        assert doc["meta"]["max_severity_failure"] == worst, path.name
    assert +seen == found
    assert {s for _, s in found} == {"error", "warning", "info"}


# what a GX user types: no audit_kit import, only GX and the committed project
GX_USER = textwrap.dedent("""
    import json, sys
    import great_expectations as gx
    ctx = gx.get_context(project_root_dir=sys.argv[1])
    result = ctx.checkpoints.get("audit-kit").run()
    counts = {}
    for vr in result.run_results.values():
        for r in vr.results:
            meta = r.expectation_config.meta
            key = meta["rule_id"] + "/" + meta["severity"]
            failed = bool((r.exception_info or {}).get("raised_exception"))
            counts[key] = "raised" if failed else r.result.get("observed_value")
    print("COUNTS " + json.dumps(counts))
""")


def _gx_user_run(project_root, warehouse):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GX_")}
    env["AUDIT_KIT_WAREHOUSE"] = str(warehouse)
    out = subprocess.run(
        [sys.executable, "-c", GX_USER, str(project_root)],
        capture_output=True, text=True, timeout=600, cwd=project_root, env=env,
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("COUNTS ")), None)
    assert line, out.stderr[-2000:]
    return json.loads(line.removeprefix("COUNTS "))


@pytest.fixture(scope="module")
def user_copy(demo_run, tmp_path_factory):
    """The committed project and the demo run's warehouse, copied where a GX user has them."""
    _ctx, result = demo_run
    root = tmp_path_factory.mktemp("gx-user")
    shutil.copytree(COMMITTED, root / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    shutil.copyfile(result.out / "warehouse.duckdb", root / "warehouse.duckdb")
    return root, result.out


def test_gx_user_runs_the_checkpoint_and_counts_the_findings(user_copy):
    root, run = user_copy
    counts = _gx_user_run(root, root / "warehouse.duckdb")
    expected = {f"{rule}/{sev}": n for (rule, sev), n in _findings(run).items()}
    assert {k: v for k, v in counts.items() if v} == expected
    assert len(counts) == sum(len(r.severities) for r in build_rules(load_policy(POLICY)))
    # the checkpoint's action built Data Docs; the project's own files are unchanged
    site = root / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert len(list((site / "validations").rglob("*.html"))) == _suites()
    assert _files(root / "gx") == _files(COMMITTED)


def test_without_the_plugin_the_checkpoint_counts_nothing(user_copy, tmp_path):
    # the plugin named in great_expectations.yml is what installs the shim
    root, _run = user_copy
    shutil.copytree(COMMITTED, tmp_path / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    yml = tmp_path / "gx" / "great_expectations.yml"
    text = yml.read_text(encoding="utf-8")
    line = f"    module_name: {PLUGIN_MODULE}\n"
    assert line in text
    yml.write_text(text.replace(line, ""), encoding="utf-8")
    counts = _gx_user_run(tmp_path, root / "warehouse.duckdb")
    assert counts and not any(isinstance(v, int) and v > 0 for v in counts.values())
