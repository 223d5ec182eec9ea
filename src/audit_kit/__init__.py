"""audit-kit: audit a company's personal-data exports against its own privacy statement.

Library first: everything the CLI does is a function here that a notebook can call.

>>> from audit_kit import run_audit            # doctest: +SKIP
>>> result = run_audit("audits/config.yaml", as_of="2026-12-31", out="audits/reports/2026-Q4")
>>> result                                     # renders as a table in Jupyter
"""

__version__ = "0.1.0"

__all__ = ["AuditResult", "__version__", "run_audit"]


def __getattr__(name: str):  # lazy: importing the package must not import GX
    if name in ("AuditResult", "run_audit"):
        from audit_kit import pipeline

        return getattr(pipeline, name)
    raise AttributeError(name)
