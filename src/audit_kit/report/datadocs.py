"""Great Expectations Data Docs for a run, for auditors who know GX.

The suites and validation definitions are the ones the run validated
(:func:`audit_kit.validate.build_context`), put in a file-mode GX project in a
temporary folder, validated again with ``result_format`` SUMMARY (for
``UnexpectedRowsExpectation`` that is the count of unexpected rows and no row data, so
no personal value reaches the docs), rendered, and the static site is copied to
``RUN_DIR/data_docs`` once its pages load only files inside it
(:mod:`audit_kit.report.offline_docs`). The temporary project (with its stored results
and its copy of the warehouse: all the personal data) lives inside *run_dir* (the run's
private staging folder, whose removal on any exit :mod:`audit_kit.outdir` sees to) and
is deleted.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path

from audit_kit.errors import ReportError
from audit_kit.report.offline_docs import make_offline

RESULT_FORMAT = {"result_format": "SUMMARY"}


def build_data_docs(run_dir: Path, rules: list, *, warehouse: Path | None = None) -> Path:
    """Build the Data Docs site of *run_dir*'s warehouse into ``run_dir/data_docs``."""
    from audit_kit.validate import _close, build_context

    run_dir = Path(run_dir)
    warehouse = Path(warehouse) if warehouse else run_dir / "warehouse.duckdb"
    dest = run_dir / "data_docs"
    with tempfile.TemporaryDirectory(prefix=".gx-docs-", dir=run_dir) as td:
        # GX reads a private copy: the run's own GX validation may still hold DuckDB
        # connections to the warehouse in this process (DuckDB refuses a second instance
        # of one file with another configuration), and the docs must not depend on that
        copy = Path(td) / "warehouse.duckdb"
        shutil.copyfile(warehouse, copy)
        os.chmod(copy, 0o600)
        ctx, vds = build_context(copy, rules, mode="file", project_root=Path(td) / "project")
        try:
            for _, vd in sorted(vds.items()):
                vd.run(result_format=RESULT_FORMAT)
            ctx.build_data_docs()
        finally:
            _close(ctx)
        site = Path(td) / "project" / "gx" / "uncommitted" / "data_docs" / "local_site"
        if not (site / "index.html").exists():
            raise ReportError("Great Expectations built no Data Docs site", file=site)
        make_offline(site)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(site, dest)
        del ctx, vds
    gc.collect()  # GX objects hold the DuckDB instance until collected
    for root, _dirs, files in os.walk(dest):
        os.chmod(root, 0o700)
        for name in files:
            os.chmod(Path(root) / name, 0o600)
    return dest / "index.html"
