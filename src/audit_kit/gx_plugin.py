"""audit-kit's Great Expectations plugin: what makes the GX project in audits/gx/ run.

``audits/gx/great_expectations.yml`` names this module as its checkpoint store's
``module_name``, so GX imports it when it opens the project (before any datasource is
built) and builds the store from the class re-exported here, GX's own. Importing it
installs :mod:`audit_kit.gx_shim`: without it GX's SQL datasource keeps no connection
open on DuckDB and every expectation fails with "'NoneType' object is not subscriptable"
(GX issues 10738, 11579). audit-kit must therefore be installed where GX runs.
"""

from __future__ import annotations

from great_expectations.data_context.store import CheckpointStore

from audit_kit import gx_shim

gx_shim.install()

__all__ = ["CheckpointStore"]
