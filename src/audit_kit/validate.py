"""Run the rules through Great Expectations' SQL datasource on the warehouse.

One suite per (category, base table), generated from the policy; each rule is an
``UnexpectedRowsExpectation``. GX decides pass/fail and counts the unexpected rows (one
``COUNT(*)`` over the rule's SQL per rule: :mod:`audit_kit.gx_shim` leaves GX's 200
sample rows to result format COMPLETE, and the results here are SUMMARY); the finding
rows themselves are fetched by running the identical SQL in DuckDB, and the two counts
must agree.

A rule whose rows can have more than one severity (``Rule.severities``) is one
expectation per severity, each selecting its rule's rows of that severity, so GX's
verdict agrees with the audit's: an expectation fails with GX ``severity`` ``critical``
only for error findings (warning and info keep their names), and a validation result's
``get_max_severity_failure()`` is ``critical`` exactly when the suite has an error finding.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from audit_kit import gx_shim
from audit_kit.errors import RuleError
from audit_kit.rules import Rule, sql_str
from audit_kit.vocab import SEVERITIES

#: result keys that may quote personal values; removed before results are saved
_PERSONAL_KEYS = (
    "unexpected_rows",
    "partial_unexpected_list",
    "unexpected_list",
    "partial_unexpected_index_list",
    "unexpected_index_list",
    "partial_unexpected_counts",
)


def suite_name(category: str, table: str) -> str:
    return f"audit-kit.{category}.{table}"


#: the audit's severities as GX expectation severities (GX 1.x ``FailureSeverity``)
GX_SEVERITY = {"error": "critical", "warning": "warning", "info": "info"}


def expectation_specs(rule: Rule) -> list[dict[str, Any]]:
    """The GX expectations of *rule*, one per severity its rows can have: the keyword
    arguments of ``UnexpectedRowsExpectation`` (query, description, meta, severity)."""
    specs = []
    for severity in sorted(rule.severities, key=SEVERITIES.index):
        query, description = rule.sql, f"{rule.rule_id}: {rule.description}"
        if len(rule.severities) > 1:
            query = f"SELECT * FROM ({rule.sql}) r WHERE severity = {sql_str(severity)}"
            description = f"{rule.rule_id} ({severity}): {rule.description}"
        specs.append(
            {
                "unexpected_rows_query": query,
                "description": description,
                "meta": {
                    "rule_id": rule.rule_id,
                    "category": rule.category,
                    "section": rule.section,
                    "provision": rule.provision,
                    "severity": severity,
                },
                "severity": GX_SEVERITY[severity],
            }
        )
    return specs


def group_rules(rules: list[Rule]) -> dict[tuple[str, str], list[Rule]]:
    groups: dict[tuple[str, str], list[Rule]] = defaultdict(list)
    for r in rules:
        groups[(r.category, r.table)].append(r)
    return dict(groups)


def build_context(
    warehouse: Path | str,
    rules: list[Rule],
    *,
    mode: str = "ephemeral",
    project_root: Path | None = None,
):
    """A GX context with the warehouse datasource, the suites and validation definitions."""
    gx_shim.install()
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    if mode == "file":
        ctx = gx.get_context(mode="file", project_root_dir=str(project_root))
    else:
        ctx = gx.get_context(mode="ephemeral")
    try:
        ctx.variables.progress_bars = {"globally": False}
    except Exception:  # older/newer GX: progress bars are cosmetic only
        pass
    # read-only: validating never writes; GX keeps its connection open (the shim), and a
    # read-only open does not lock out the report kernel, which reads the same warehouse
    conn = f"duckdb:///{warehouse}?access_mode=read_only"
    ds = ctx.data_sources.add_or_update_sql(name="warehouse", connection_string=conn)
    vds = {}
    for (category, table), group in sorted(group_rules(rules).items()):
        asset = (
            ds.add_table_asset(name=table, table_name=table)
            if table not in [a.name for a in ds.assets]
            else ds.get_asset(table)
        )
        bd_name = f"{table}-whole"
        try:
            bd = asset.get_batch_definition(bd_name)
        except Exception:
            bd = asset.add_batch_definition_whole_table(bd_name)
        name = suite_name(category, table)
        suite = gx.ExpectationSuite(name=name, meta={"generated_by": "audit-kit"})
        for rule in group:
            for spec in expectation_specs(rule):
                suite.add_expectation(gx.expectations.UnexpectedRowsExpectation(**spec))
        suite = ctx.suites.add_or_update(suite)
        vds[(category, table)] = ctx.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=bd, suite=suite)
        )
    return ctx, vds


def _mask(result: dict[str, Any]) -> dict[str, Any]:
    def scrub(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: ("[masked]" if k in _PERSONAL_KEYS else scrub(v)) for k, v in obj.items()}
        if isinstance(obj, list):
            return [scrub(x) for x in obj]
        return obj

    return scrub(result)


def run_validations(warehouse: Path, rules: list[Rule], out_dir: Path) -> dict[str, int]:
    """Validate every suite; write masked results to *out_dir*; return rule_id -> count."""
    import gc

    # GX's objects hold the DuckDB instance until a collection finds their cycles; the
    # objects that existed before GX ran are none of them, so they are frozen out of the
    # collections (a whole-heap collection in a process holding a big run is slow)
    gc.freeze()
    try:
        return _run_validations(warehouse, rules, out_dir)
    finally:
        gc.collect()
        gc.unfreeze()


def _run_validations(warehouse: Path, rules: list[Rule], out_dir: Path) -> dict[str, int]:
    ctx, vds = build_context(warehouse, rules)
    counts: dict[str, int] = {}
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for (category, table), vd in sorted(vds.items()):
        res = vd.run(result_format={"result_format": "SUMMARY"})
        doc = _mask(res.to_json_dict())
        # GX's suite verdict counts a failed warning as a failure; say how severe it is
        worst = res.get_max_severity_failure()
        doc.setdefault("meta", {})["max_severity_failure"] = worst.value if worst else None
        for r in res.results:
            rule_id = r.expectation_config.meta["rule_id"]
            infos = r.exception_info or {}
            if infos.get("raised_exception") or any(
                isinstance(i, dict) and i.get("raised_exception") for i in infos.values()
            ):
                raise RuleError(
                    f"rule {rule_id} failed to evaluate in Great Expectations; rerun with --debug"
                )
            counts[rule_id] = counts.get(rule_id, 0) + int(r.result.get("observed_value") or 0)
        path = out_dir / f"{suite_name(category, table)}.json"
        fd = _open_private(path)
        with fd as f:
            json.dump(doc, f, indent=2, sort_keys=True, default=str)
    _close(ctx)
    return counts


def _close(ctx) -> None:
    """Release GX's persisted DuckDB connection so the warehouse can be reopened."""
    for vd in ctx.validation_definitions.all():
        engine = vd.data.data_asset.datasource.get_execution_engine()
        engine.close()
        engine.engine.dispose()


def _open_private(path: Path):
    import os

    return os.fdopen(
        os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8"
    )
