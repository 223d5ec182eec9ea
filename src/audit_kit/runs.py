"""Run folders as data: a run's audit date and quarter from its ``manifest.json``, and the
earlier quarters' runs beside it, found by the manifests' ``as_of`` whatever the folders
are called.

What must stay true:

* A run's quarter is the quarter its ``as_of`` falls in (:func:`quarter_of`), never its
  folder's name: ``audit-kit run --period`` writes ``reports/2026-Q4`` but a user may call
  a folder anything, and the pipeline renders inside a hidden staging folder.
* :func:`earlier_runs` reads only audit-kit run folders (:func:`audit_kit.outdir.read_manifest`)
  beside the run, skips hidden folders (other runs' staging and swap folders), the run
  itself and anything unreadable, and keeps one run per quarter: the latest audit date
  (then the folder name) wins.
* ``--period`` and the audit date must name the same quarter (:func:`check_period`).

The report's trend and quarter-to-quarter changes, the overview notebook and the CLI read
earlier runs through here, so they agree on which folder is "last quarter".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from audit_kit.errors import ConfigError
from audit_kit.outdir import read_manifest

_PERIOD = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


def quarter_of(day: dt.date) -> str:
    """``2026-11-15`` -> ``'2026-Q4'``."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def parse_period(period: str) -> tuple[dt.date, str]:
    """``2026Q4`` (or ``2026-Q4``, ``2026q4``) -> (its last day, ``'2026-Q4'``); a
    :class:`ConfigError` for anything else or a year outside the audit dates accepted."""
    from audit_kit.pipeline import AS_OF_RANGE

    m = _PERIOD.match(period.strip())
    if not m:
        raise ConfigError(f"--period {period!r} is not a quarter; write it as 2026Q4")
    y, q = int(m.group(1)), int(m.group(2))
    lo, hi = (d.year for d in AS_OF_RANGE)
    if not lo <= y <= hi:
        raise ConfigError(f"--period {period!r} is outside the years {lo}..{hi}; "
                          "give the quarter the audit covers, e.g. 2026Q4")
    end = dt.date(y, 12, 31) if q == 4 else dt.date(y, 3 * q + 1, 1) - dt.timedelta(days=1)
    return end, f"{y}-Q{q}"


def check_period(period: str, as_of: dt.date) -> None:
    """A :class:`ConfigError` unless the audit date *as_of* lies in the quarter *period*
    (a label of :func:`parse_period`): a Q3 folder audited as of 31.12. would be read as
    Q3 by the next quarter's report."""
    if quarter_of(as_of) != period:
        raise ConfigError(
            f"--period {period} and the audit date {as_of.isoformat()} ({quarter_of(as_of)}) "
            f"disagree; give one of them, or an --as-of inside {period}")


@dataclass(frozen=True)
class RunInfo:
    """One audit-kit run folder: where, its audit date and quarter, its manifest."""

    path: Path
    as_of: dt.date
    manifest: dict

    @property
    def quarter(self) -> str:
        return quarter_of(self.as_of)


def read_run(path: str | Path) -> RunInfo | None:
    """The run in folder *path*, or None if it is not an audit-kit run folder or its
    manifest has no readable ``as_of``."""
    manifest = read_manifest(Path(path))
    if manifest is None:
        return None
    try:
        as_of = dt.date.fromisoformat(str(manifest.get("as_of")))
    except ValueError:
        return None
    return RunInfo(Path(path), as_of, manifest)


def earlier_runs(run_dir: str | Path, as_of: dt.date) -> list[RunInfo]:
    """The runs beside *run_dir* (in its parent folder) of quarters before *as_of*'s,
    one per quarter, oldest first."""
    here = Path(run_dir).resolve()
    current = quarter_of(as_of)
    best: dict[str, RunInfo] = {}
    try:
        entries = sorted(here.parent.iterdir())
    except OSError:
        return []
    for entry in entries:
        if entry.name.startswith(".") or entry.resolve() == here or not entry.is_dir():
            continue
        run = read_run(entry)
        if run is None or run.quarter >= current:
            continue
        kept = best.get(run.quarter)
        if kept is None or (run.as_of, entry.name) > (kept.as_of, kept.path.name):
            best[run.quarter] = run
    return [best[q] for q in sorted(best)]


def previous_run(run_dir: str | Path, as_of: dt.date) -> RunInfo | None:
    """The run of the quarter just before *as_of*'s beside *run_dir*, or None."""
    y, q = as_of.year, (as_of.month - 1) // 3 + 1
    want = f"{y - 1}-Q4" if q == 1 else f"{y}-Q{q - 1}"
    runs = [r for r in earlier_runs(run_dir, as_of) if r.quarter == want]
    return runs[0] if runs else None


def latest_run(folder: str | Path) -> RunInfo | None:
    """The run directly in *folder* with the latest audit date (then the latest folder
    name), hidden folders (staging, swap) skipped; None when there is none. The notebooks'
    default run (:func:`audit_kit.notebook.run_folder`)."""
    try:
        entries = sorted(Path(folder).iterdir())
    except OSError:
        return None
    runs = [run for entry in entries
            if not entry.name.startswith(".") and entry.is_dir()
            and (run := read_run(entry)) is not None]
    return max(runs, key=lambda r: (r.as_of, r.path.name), default=None)
