"""What the notebooks in ``notebooks/`` call: paths from the project root whatever the
working folder, and tables that pseudonymise like the report.

JupyterLab, ``jupyter nbconvert --execute`` and papermill run a notebook with the
notebook's own folder (``notebooks/``) or the caller's as the working folder, so a
notebook never opens a relative path itself: :func:`project_path` reads it from the
project root (the nearest folder above the working folder that holds
``audits/config.yaml`` or ``audits/policy.yaml``: this repository, or a folder made by
``audit-kit init``), and :func:`run_folder` finds the latest run when none is named.

What a notebook shows is pseudonymised unless the user sets ``reveal = True``: a person
is their ``subject_id``, and every other value that may be personal (a name, an e-mail
address, a phone number, a raw cell) is shown as its length only (:func:`mask`). Names
of sources, files, places, columns and rules are shown as read, with control and bidi
characters escaped (:func:`audit_kit.safe_output.shown`). Tables are pandas DataFrames
(the ``lab`` extra), which Jupyter renders HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit_kit.errors import ConfigError
from audit_kit.safe_output import shown
from audit_kit.schema import PROVENANCE

if TYPE_CHECKING:
    import pandas as pd

    from audit_kit.findings import Finding

#: a folder holding one of these is a project root (``audit-kit init`` writes both)
PROJECT_MARKERS = ("audits/config.yaml", "audits/policy.yaml")
#: where ``audit-kit run --period`` and ``audit-kit demo`` put run folders
REPORTS = "audits/reports"

#: columns of the warehouse and findings.csv that never hold a person's data
PLAIN_COLUMNS = frozenset(PROVENANCE) | {
    "rule_id", "category", "severity", "source_file", "subject_id", "field", "label",
    "role", "format", "files", "records_read", "records_loaded", "records_rejected",
    "note", "reason", "bytes", "check_id", "section", "failed", "detail", "table",
}


def project_root(start: str | Path | None = None) -> Path:
    """The nearest folder at or above *start* (default: the working folder) holding one
    of :data:`PROJECT_MARKERS`; a :class:`ConfigError` when there is none."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).is_file() for marker in PROJECT_MARKERS):
            return folder
    raise ConfigError(
        "no audit-kit project here or above (a folder with audits/config.yaml or "
        "audits/policy.yaml); open the notebook inside the project or give absolute paths",
        file=here,
    )


def project_path(path: str | Path, *, start: str | Path | None = None) -> Path:
    """*path* as given when absolute, else read from the :func:`project_root`."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else project_root(start) / p


def run_folder(run_dir: str | Path | None = None, *, start: str | Path | None = None) -> Path:
    """The run folder a notebook reads: *run_dir* (relative: from the project root) or,
    when None, the run under ``audits/reports/`` with the latest ``as_of`` in its
    manifest. A folder without ``manifest.json`` is a :class:`ConfigError`."""
    from audit_kit.runs import latest_run

    if run_dir is None:
        reports = project_root(start) / REPORTS
        latest = latest_run(reports)
        if latest is None:
            raise ConfigError(
                "no run folder here; run `audit-kit demo` or `audit-kit run`, or set run_dir",
                file=reports,
            )
        return latest.path
    path = project_path(run_dir, start=start)
    if not (path / "manifest.json").is_file():
        raise ConfigError(
            "not an audit-kit run folder (no manifest.json); set run_dir to the --out "
            "folder of `audit-kit run`",
            file=path,
        )
    return path


# -- pseudonymised display ---------------------------------------------------------------


def mask(value: Any, reveal: bool = False) -> Any:
    """A possibly personal *value* as its length only (``‹12 chars›``) unless *reveal*;
    None, empty strings and non-strings (counts, dates) as they are."""
    if not isinstance(value, str) or value == "":
        return value
    return shown(value) if reveal else f"‹{len(value)} chars›"


def masked(df: pd.DataFrame, *, reveal: bool = False,
           plain: Iterable[str] = PLAIN_COLUMNS) -> pd.DataFrame:
    """A copy of *df* with every string column not in *plain* masked (:func:`mask`) and
    the plain ones shown with controls escaped."""
    out = df.copy()
    keep = set(plain)
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith("str"):
            if col in keep:
                out[col] = out[col].map(lambda v: shown(v) if isinstance(v, str) else v)
            else:
                out[col] = out[col].map(lambda v: mask(v, reveal))
    return out


def findings_table(findings: Iterable[Finding], *, reveal: bool = False) -> pd.DataFrame:
    """Findings as a table, a person shown by subject_id (e-mail and phone masked unless
    *reveal*), as the report shows them."""
    import pandas as pd

    from audit_kit.findings import COLUMNS

    rows = [[getattr(f, c) for c in COLUMNS] for f in findings]
    return masked(pd.DataFrame(rows, columns=list(COLUMNS)), reveal=reveal)
