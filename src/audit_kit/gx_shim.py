"""Make Great Expectations' SQL datasource work on DuckDB (via duckdb-engine).

GX opens a fresh SQLAlchemy connection per query and closes it before fetching for
dialects it does not know need a persisted connection; on DuckDB that returns empty
metric results ("list index out of range"). Upstream: GX issues 10738 and 11579; a
native DuckDB engine is PR 12084 (unmerged). GX keeps one connection for the dialects
in ``_PERSISTED_CONNECTION_DIALECTS`` (SQLite, SQL Server, ...): adding duckdb there is
the whole fix. ``tests/test_gx_shim.py`` fails if this shim is removed.

Also: ``UnexpectedRowsExpectation`` asks for two metrics, the row count and the first 200
unexpected rows (``unexpected_rows_query.table``), for every result format, but only
``COMPLETE`` returns the rows (GX 1.x ``_validate``; the count was added in GX PR 10604,
"this will increase runtimes"). Each rule's query ran twice, the second time in full for
any join or aggregate before its 200 rows were kept and dropped. :func:`install` makes
the rows metric a dependency only when the result format returns it: the count, the
pass/fail and every result stay GX's own.
"""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


class _Dialect(str):
    """A dialect name that also has ``.value``, like GX's ``GXSqlDialect`` enum members."""

    @property
    def value(self) -> str:
        return str(self)


DUCKDB = _Dialect("duckdb")


def install() -> None:
    """Idempotently add duckdb to GX's persisted-connection dialects, and fetch the
    unexpected rows only for the result format that returns them."""
    from great_expectations.execution_engine import sqlalchemy_execution_engine as sae

    if DUCKDB not in sae._PERSISTED_CONNECTION_DIALECTS:
        sae._PERSISTED_CONNECTION_DIALECTS = (*sae._PERSISTED_CONNECTION_DIALECTS, DUCKDB)
    _rows_only_when_returned()


#: the metric with the unexpected rows themselves (GX keeps at most 200 of them)
ROWS_METRIC = "unexpected_rows_query.table"


def _rows_only_when_returned() -> None:
    from great_expectations.expectations.core.unexpected_rows_expectation import (
        UnexpectedRowsExpectation as URE,
    )

    if getattr(URE, "_audit_kit_rows_on_demand", False):
        return
    dependencies, validate = URE.get_validation_dependencies, URE._validate

    def get_validation_dependencies(self, execution_engine=None, runtime_configuration=None):
        deps = dependencies(
            self, execution_engine=execution_engine, runtime_configuration=runtime_configuration
        )
        returned = (deps.result_format or {}).get("result_format") == "COMPLETE"
        if not returned and deps.get_metric_configuration(ROWS_METRIC) is not None:
            deps.remove_metric_configuration(ROWS_METRIC)
        return deps

    def _validate(self, metrics, runtime_configuration=None, execution_engine=None):
        # GX's _validate reads the rows metric first, whatever it returns
        return validate(
            self, {ROWS_METRIC: None, **metrics}, runtime_configuration, execution_engine
        )

    URE.get_validation_dependencies = get_validation_dependencies
    URE._validate = _validate
    URE._audit_kit_rows_on_demand = True


def installed() -> bool:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as sae
    from great_expectations.expectations.core.unexpected_rows_expectation import (
        UnexpectedRowsExpectation as URE,
    )

    return "duckdb" in sae._PERSISTED_CONNECTION_DIALECTS and bool(
        getattr(URE, "_audit_kit_rows_on_demand", False)
    )
