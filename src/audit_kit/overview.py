"""The quarter's overview (``notebooks/overview.ipynb``): one run's findings by category
and rule, the trend over the earlier runs beside it, its sources read / loaded /
rejected, and a chart per area.

Tables are pandas DataFrames of counts (no person appears in them); charts are PNG
images drawn with matplotlib when it is installed (the ``lab`` extra) and None
otherwise, so the notebook shows the tables alone. Earlier runs are found by their
manifests' ``as_of`` (:mod:`audit_kit.runs`), whatever their folders are called; a
run's counts per category and severity come from its manifest.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from audit_kit.findings import Finding, read_csv
from audit_kit.notebook import masked
from audit_kit.runs import RunInfo, earlier_runs, read_run
from audit_kit.vocab import CATEGORIES, SEVERITIES

if TYPE_CHECKING:
    import pandas as pd


def load(run_dir: str | Path) -> tuple[RunInfo, list[Finding]]:
    """The run in *run_dir* (a folder :func:`audit_kit.notebook.run_folder` returned)
    and its findings."""
    from audit_kit.errors import ConfigError

    run = read_run(run_dir)
    if run is None:
        raise ConfigError("not an audit-kit run folder (no readable manifest.json)",
                          file=run_dir)
    return run, read_csv(Path(run_dir) / "findings.csv")


def by_category(findings: list[Finding]) -> pd.DataFrame:
    """Findings per category (rows, every category) and severity (columns), with totals."""
    import pandas as pd

    table = pd.DataFrame(0, index=list(CATEGORIES), columns=list(SEVERITIES))
    for f in findings:
        table.loc[f.category, f.severity] += 1
    table["total"] = table.sum(axis=1)
    table.index.name = "category"
    return table


def by_rule(findings: list[Finding], lang: str = "en") -> pd.DataFrame:
    """Findings per rule and severity, every rule of every family (a rule without
    findings shows zeros), with what the rule checks."""
    import pandas as pd

    from audit_kit.rules import rule_categories, rule_texts

    cats, texts = rule_categories(), rule_texts()
    rows = []
    for rid, cat in sorted(cats.items(), key=lambda kv: (CATEGORIES.index(kv[1]), kv[0])):
        mine = [f for f in findings if f.rule_id == rid]
        rows.append({"rule": rid, "category": cat,
                     **{s: sum(f.severity == s for f in mine) for s in SEVERITIES},
                     "total": len(mine),
                     "checks": texts[rid].get("checks", {}).get(lang, "")})
    return pd.DataFrame(rows).set_index("rule")


def _per_category(manifest: dict) -> dict[str, int]:
    out = dict.fromkeys(CATEGORIES, 0)
    for key, n in (manifest.get("findings") or {}).items():
        cat = key.split("/", 1)[0]
        if cat in out:
            out[cat] += int(n)
    return out


def trend(run: RunInfo, *, keep: int = 8) -> pd.DataFrame:
    """Findings per category (columns) for the earlier quarters' runs beside *run* (one
    per quarter, :func:`audit_kit.runs.earlier_runs`) and *run* itself: rows by as_of,
    oldest first, the last *keep*, with each run's folder name."""
    import pandas as pd

    runs = [*earlier_runs(run.path, run.as_of), run][-keep:]
    rows = [{"as_of": r.as_of.isoformat(), "run": r.path.name, **_per_category(r.manifest)}
            for r in runs]
    table = pd.DataFrame(rows).set_index("as_of")
    table["total"] = table[list(CATEGORIES)].sum(axis=1)
    return masked(table, plain=("run",))


def sources(manifest: dict) -> pd.DataFrame:
    """Per source: kind, system, format, files, records read / loaded / rejected, and
    whether read = loaded + rejected."""
    import pandas as pd

    rows = [{"source": s["name"], "kind": s["kind"], "system": s["system"],
             "format": s.get("format", ""), "files": len(s.get("files", [])),
             "records_read": s["records_read"], "records_loaded": s["records_loaded"],
             "records_rejected": s["records_rejected"]}
            for s in manifest.get("sources", [])]
    table = pd.DataFrame(rows, columns=["source", "kind", "system", "format", "files",
                                        "records_read", "records_loaded", "records_rejected"])
    table["reconciles"] = table["records_read"] == (
        table["records_loaded"] + table["records_rejected"])
    return masked(table.set_index("source"),
                  plain=("kind", "system", "format", "source"))


# -- charts ----------------------------------------------------------------------------------


def _matplotlib():
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    return Figure, FigureCanvasAgg


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def area_chart(area: str, rules: pd.DataFrame, trend_table: pd.DataFrame):
    """One area (category): this run's findings per rule and severity (stacked bars)
    beside the area's findings over the runs. An ``IPython.display.Image`` (PNG), or
    None without matplotlib."""
    from audit_kit.report.charts import COLOURS

    mpl = _matplotlib()
    if mpl is None:
        return None
    from IPython.display import Image
    from matplotlib.ticker import MaxNLocator

    Figure, Canvas = mpl
    fig = Figure(figsize=(9, 2.8))
    Canvas(fig)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    mine = rules[rules["category"] == area]
    bottom = [0] * len(mine)
    shades = {"error": "#b3261e", "warning": "#E69F00", "info": "#59636e"}
    for sev in SEVERITIES:
        values = list(mine[sev])
        left.barh(list(mine.index), values, left=bottom, color=shades[sev], label=sev)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    left.set_title(f"{area}: findings per rule")
    left.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.invert_yaxis()
    left.legend(loc="lower right", fontsize="small")
    right.plot(list(trend_table.index), list(trend_table[area]), marker="o",
               color=COLOURS.get(area, "#59636e"))
    right.set_title(f"{area}: findings per run (as_of)")
    right.set_ylim(bottom=0)
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.tick_params(axis="x", labelrotation=30, labelsize="small")
    return Image(data=_png(fig), format="png")


def sources_chart(table: pd.DataFrame):
    """Records loaded and rejected per source (stacked bars), or None without matplotlib."""
    mpl = _matplotlib()
    if mpl is None:
        return None
    from IPython.display import Image

    Figure, Canvas = mpl
    fig = Figure(figsize=(9, 0.35 * len(table) + 1))
    Canvas(fig)
    ax = fig.subplots()
    names = list(table.index)
    ax.barh(names, list(table["records_loaded"]), color="#1b7f3b", label="loaded")
    ax.barh(names, list(table["records_rejected"]), left=list(table["records_loaded"]),
            color="#b3261e", label="rejected")
    ax.invert_yaxis()
    ax.set_title("records read per source: loaded + rejected")
    ax.legend(loc="lower right", fontsize="small")
    return Image(data=_png(fig), format="png")
