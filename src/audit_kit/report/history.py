"""Earlier quarters beside a run: the trend of findings and the change since last quarter.

Quarterly runs live side by side (``audits/reports/2026-Q3``, ``audits/reports/2026-Q4``,
written by ``audit-kit run --period``). The quarter of a run comes from its ``as_of``
(not its folder name: the pipeline renders inside a temporary folder). Findings are
matched across quarters by :attr:`audit_kit.findings.Finding.key`
(rule_id, source, record_ref, field).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from audit_kit.findings import Finding, read_csv

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def quarter_of(d: dt.date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def previous_quarter(label: str) -> str:
    m = QUARTER.match(label)
    if not m:
        raise ValueError(f"not a quarter label: {label!r}")
    y, q = int(m.group(1)), int(m.group(2))
    return f"{y - 1}-Q4" if q == 1 else f"{y}-Q{q - 1}"


def _categories(manifest: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, n in (manifest.get("findings") or {}).items():
        cat = key.split("/", 1)[0]
        out[cat] = out.get(cat, 0) + int(n)
    return out


def trend(run_dir: Path, manifest: dict, *, keep: int = 6) -> list[tuple[str, dict[str, int]]]:
    """(quarter, findings per category) for earlier sibling quarters and this run, oldest first."""
    current = quarter_of(dt.date.fromisoformat(manifest["as_of"]))
    seen: dict[str, dict[str, int]] = {}
    parent = Path(run_dir).resolve().parent
    if parent.is_dir():
        for d in parent.iterdir():
            if QUARTER.match(d.name) and d.name < current and (d / "manifest.json").is_file():
                try:
                    seen[d.name] = _categories(json.loads((d / "manifest.json").read_text("utf-8")))
                except (OSError, ValueError):
                    continue  # a damaged earlier manifest only drops that quarter from the chart
    seen[current] = _categories(manifest)
    return sorted(seen.items())[-keep:]


@dataclass
class Changes:
    previous: str
    found: bool
    new: list[Finding]
    resolved: list[Finding]
    persisting: list[Finding]


def changes(run_dir: Path, manifest: dict, findings: list[Finding]) -> Changes:
    """New, resolved and persisting findings against the previous quarter's folder."""
    prev = previous_quarter(quarter_of(dt.date.fromisoformat(manifest["as_of"])))
    path = Path(run_dir).resolve().parent / prev / "findings.csv"
    if not path.is_file():
        return Changes(prev, False, [], [], [])
    before = read_csv(path)
    old = {f.key: f for f in before}
    now = {f.key: f for f in findings}
    return Changes(
        prev,
        True,
        new=[f for k, f in now.items() if k not in old],
        resolved=[f for k, f in old.items() if k not in now],
        persisting=[f for k, f in now.items() if k in old],
    )
