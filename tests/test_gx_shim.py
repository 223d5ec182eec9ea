"""The persisted-connection shim is what makes GX's SQL datasource work on DuckDB."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from audit_kit import gx_shim
from audit_kit.rules import Rule
from tests._support import REPO


def _validation(db):
    """A 1,000-row DuckDB table with 100 unexpected rows and a GX validation definition of
    them: ``(datasource, validation definition)``. The probe builds it in a fresh
    interpreter (where the shim may or may not be installed), the tests in this one."""
    import duckdb
    import great_expectations as gx

    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE t AS SELECT i AS id, CASE WHEN i % 10 = 0 THEN 'x' END AS v "
                "FROM range(1000) r(i)")
    con.close()
    ctx = gx.get_context(mode="ephemeral")
    ds = ctx.data_sources.add_sql(name="w", connection_string=f"duckdb:///{db}")
    bd = ds.add_table_asset(name="t", table_name="t").add_batch_definition_whole_table("all")
    suite = ctx.suites.add(gx.ExpectationSuite(name="s"))
    suite.add_expectation(gx.expectations.UnexpectedRowsExpectation(
        unexpected_rows_query="SELECT * FROM {batch} WHERE v IS NOT NULL"))
    vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="v", data=bd, suite=suite))
    return ds, vd


PROBE = textwrap.dedent("""
    import sys
    from tests.test_gx_shim import _validation
    if sys.argv[2] == "shim":
        from audit_kit import gx_shim; gx_shim.install()
    _ds, vd = _validation(sys.argv[1])
    print("COUNT", vd.run().results[0].result.get("observed_value"))
""")


def _probe(tmp_path, mode: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / f"{mode}.duckdb"), mode],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,  # the probe imports _validation from tests/
    )
    return next((line for line in out.stdout.splitlines() if line.startswith("COUNT")), "")


@pytest.mark.slow  # a fresh process imports GX
def test_shim_makes_unexpected_rows_count(tmp_path):
    assert _probe(tmp_path, "shim") == "COUNT 100"


@pytest.mark.slow
def test_without_shim_gx_on_duckdb_counts_nothing(tmp_path):
    # documents the upstream bug (GX issues 10738, 11579): if this starts passing with
    # 100, GX fixed it and the shim can go
    got = _probe(tmp_path, "noshim")
    assert got.startswith("COUNT ")  # the probe ran (a crash would print no COUNT)
    assert got != "COUNT 100"


def test_run_validations_installs_shim_and_counts(tmp_path):
    from audit_kit.validate import run_validations
    from audit_kit.warehouse import connect

    db = tmp_path / "w.duckdb"
    con = connect(db)
    con.execute("INSERT INTO load_counts VALUES ('a','customers_csv','billing','csv',1,5,4,0,'')")
    con.close()
    rule = Rule(
        "I-test",
        "integrity",
        "",
        "load_counts",
        "SELECT * FROM (SELECT * FROM {batch}) b WHERE records_read <> records_loaded "
        "+ records_rejected",
        "test",
        severities=("error",),
    )
    counts = run_validations(db, [rule], tmp_path / "v")
    assert gx_shim.installed()
    assert counts == {"I-test": 1}


def test_unexpected_rows_are_fetched_only_for_complete(tmp_path):
    # GX asks for the unexpected rows (a second run of the rule's query) for every result
    # format; the shim leaves them to COMPLETE, the one format that returns them
    from sqlalchemy import event

    gx_shim.install()
    ds, vd = _validation(tmp_path / "r.duckdb")
    queries: list[str] = []
    engine = ds.get_execution_engine()
    event.listen(engine.engine, "before_cursor_execute",
                 lambda _c, _k, statement, *_a: queries.append(statement))
    try:
        for fmt in ("BOOLEAN_ONLY", "BASIC", "SUMMARY", "COMPLETE"):
            queries.clear()
            r = vd.run(result_format={"result_format": fmt}).results[0]
            ran = [q for q in queries if "v IS NOT NULL" in q]
            assert not r.success and not (r.exception_info or {}).get("raised_exception")
            if fmt == "COMPLETE":
                assert r.result["observed_value"] == 100
                assert len(r.result["details"]["unexpected_rows"]) == 100
                assert len(ran) == 2
            else:
                assert fmt == "BOOLEAN_ONLY" or r.result["observed_value"] == 100
                assert "details" not in (r.result or {})
                assert len(ran) == 1 and ran[0].startswith("SELECT COUNT(*)")
    finally:
        engine.close()
        engine.engine.dispose()
