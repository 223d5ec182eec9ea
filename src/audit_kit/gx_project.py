"""Save the policy's generated suites as a Great Expectations file project (audits/gx/).

The project's datasource reads the warehouse named by the environment variable
``AUDIT_KIT_WAREHOUSE`` (GX substitutes ``${...}`` in connection strings), so a GX user
can point it at any run's ``warehouse.duckdb`` and build Data Docs. The suites are the
same objects a run validates; ``tests/test_gx_project.py`` fails when the committed
project no longer matches the policy (regenerate with ``audit-kit suites``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from audit_kit.policy import load_policy
from audit_kit.rules import build_rules
from audit_kit.validate import group_rules, suite_name


def suites_json(policy_path: Path) -> dict[str, dict]:
    """suite name -> its expectations (type, query, meta), deterministic."""
    rules = build_rules(load_policy(policy_path))
    out = {}
    for (category, table), group in sorted(group_rules(rules).items()):
        out[suite_name(category, table)] = {
            "name": suite_name(category, table),
            "expectations": [
                {
                    "type": "unexpected_rows_expectation",
                    "kwargs": {"unexpected_rows_query": r.sql},
                    "description": f"{r.rule_id}: {r.description}",
                    "meta": {"rule_id": r.rule_id, "category": r.category, "section": r.section},
                }
                for r in group
            ],
            "meta": {"generated_by": "audit-kit", "batch_table": table},
        }
    return out


def write_project(policy_path: Path, out: Path) -> Path:
    """Write ``out/gx/``: a GX file project with the suites, validation definitions and
    a checkpoint over all of them."""
    import os

    import great_expectations as gx

    from audit_kit.validate import build_context
    from audit_kit.warehouse import connect

    rules = build_rules(load_policy(policy_path))
    dest = out / "gx"
    with tempfile.TemporaryDirectory() as tmp:
        # an empty warehouse with every table, so GX can test the datasource and assets
        empty = Path(tmp) / "empty.duckdb"
        con = connect(empty)
        con.execute(
            "CREATE TABLE audit_params (as_of DATE); CREATE TABLE persons (rec_id BIGINT, "
            "subject_id VARCHAR); CREATE TABLE statement_checks (check_id VARCHAR, section "
            "VARCHAR, failed BOOLEAN, severity VARCHAR, detail VARCHAR)"
        )
        con.close()
        old = os.environ.get("AUDIT_KIT_WAREHOUSE")
        os.environ["AUDIT_KIT_WAREHOUSE"] = str(empty)
        try:
            ctx, vds = build_context(
                "${AUDIT_KIT_WAREHOUSE}", rules, mode="file", project_root=Path(tmp)
            )
            ctx.checkpoints.add_or_update(
                gx.Checkpoint(name="audit-kit", validation_definitions=list(vds.values()))
            )
        finally:
            if old is None:
                os.environ.pop("AUDIT_KIT_WAREHOUSE", None)
            else:
                os.environ["AUDIT_KIT_WAREHOUSE"] = old
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(
            Path(tmp) / "gx", dest, ignore=shutil.ignore_patterns("uncommitted", "*.lock")
        )
    # GX writes ids that change on every generation; suites.json is the stable contract
    (dest / "suites.json").write_text(
        json.dumps(suites_json(policy_path), indent=2, ensure_ascii=False, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    return dest
