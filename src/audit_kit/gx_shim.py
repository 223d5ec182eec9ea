"""Make Great Expectations' SQL datasource work on DuckDB (via duckdb-engine).

GX opens a fresh SQLAlchemy connection per query and closes it before fetching for
dialects it does not know need a persisted connection; on DuckDB that returns empty
metric results ("list index out of range"). Upstream: GX issues 10738 and 11579; a
native DuckDB engine is PR 12084 (unmerged). GX keeps one connection for the dialects
in ``_PERSISTED_CONNECTION_DIALECTS`` (SQLite, SQL Server, ...): adding duckdb there is
the whole fix. ``tests/test_gx_shim.py`` fails if this shim is removed.
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
    """Idempotently add duckdb to GX's persisted-connection dialects."""
    from great_expectations.execution_engine import sqlalchemy_execution_engine as sae

    if DUCKDB not in sae._PERSISTED_CONNECTION_DIALECTS:
        sae._PERSISTED_CONNECTION_DIALECTS = (*sae._PERSISTED_CONNECTION_DIALECTS, DUCKDB)


def installed() -> bool:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as sae

    return "duckdb" in sae._PERSISTED_CONNECTION_DIALECTS
