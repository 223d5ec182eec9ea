"""audit-kit's Great Expectations plugin (written by `audit-kit suites`; do not edit).

great_expectations.yml names this module as the checkpoint store's module, so GX imports
it from plugins/ when it opens the project. Importing it installs audit_kit.gx_shim:
without it GX's SQL datasource keeps no connection open on DuckDB and every expectation
fails with "'NoneType' object is not subscriptable" (GX issues 10738, 11579).
"""

from great_expectations.data_context.store import CheckpointStore  # the store GX builds

try:
    from audit_kit import gx_shim
except ImportError as e:  # pragma: no cover - a GX user without audit-kit installed
    raise ImportError(
        "the audit-kit GX project needs the audit-kit package: pip install audit-kit"
    ) from e

gx_shim.install()

__all__ = ["CheckpointStore"]
