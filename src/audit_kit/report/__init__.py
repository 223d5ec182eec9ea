"""The owners' report: the notebook template executed by nbconvert, exported as HTML.

The template ships in this package (``report.ipynb``; in the source tree a symlink to the
repository's ``notebooks/report.ipynb``, where JupyterLab users open it). It has a cell
tagged ``parameters`` (papermill users can run it too); :func:`render_report` injects
the run's parameters after it, executes it with nbconvert's ExecutePreprocessor and
exports the outputs only (no code cells) into one self-contained page: styles inline,
nothing fetched from the network.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from audit_kit.errors import ReportError
from audit_kit.outdir import write_private
from audit_kit.report.page import page

TEMPLATE = Path(str(resources.files(__name__).joinpath("report.ipynb")))


def _title(run_dir: Path, lang: str) -> str:
    import datetime as dt
    import json

    from audit_kit.report.history import quarter_of
    from audit_kit.report.i18n import t

    try:
        m = json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))
        quarter = quarter_of(dt.date.fromisoformat(m["as_of"]))
        return f"{m['organisation']} · {t('title', lang)} {quarter}"
    except (OSError, ValueError, KeyError):
        return t("title", lang)


PARAMS_FILE = "report_params.json"


def save_report_params(run_dir: Path, *, lang: str, data_dir: Path) -> Path:
    """Remember the run's report language and input folder (``audit-kit report`` and the
    auditor notebook read them: the warehouse names input files relative to *data_dir*)."""
    import json

    text = json.dumps({"lang": lang, "data_dir": str(data_dir)}, indent=2) + "\n"
    return write_private(Path(run_dir) / PARAMS_FILE, text)


def report_params(run_dir: Path) -> dict:
    """What :func:`save_report_params` wrote, or {} for a run made without it."""
    import json

    try:
        return json.loads((Path(run_dir) / PARAMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def render_report(
    run_dir: Path,
    *,
    lang: str = "fi",
    reveal: bool = False,
    template: Path = TEMPLATE,
    out_name: str = "report.html",
) -> Path:
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor

    if not template.exists():
        raise ReportError("report notebook template not found", file=template)
    nb = nbformat.read(template, as_version=4)
    params = f"run_dir = {str(run_dir)!r}\nlang = {lang!r}\nreveal = {bool(reveal)!r}\n"
    idx = next(
        (i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), -1
    )
    cell = nbformat.v4.new_code_cell(params, metadata={"tags": ["injected-parameters"]})
    cell.id = "injected-parameters"  # a fixed id: the page is byte-identical run to run
    nb.cells.insert(idx + 1, cell)
    ep = ExecutePreprocessor(
        timeout=300, kernel_name="python3", extra_arguments=["--IPKernelApp.log_level=ERROR"]
    )
    try:
        ep.preprocess(nb, {"metadata": {"path": str(run_dir)}})
    except CellExecutionError as exc:
        raise ReportError(
            f"report notebook failed ({exc.ename}); rerun with --debug", file=template
        ) from exc
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_markdown=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )
    body, _ = exporter.from_notebook_node(nb)
    html_text = page(body, lang=lang, title=_title(run_dir, lang))
    return write_private(Path(run_dir) / out_name, html_text)
