"""The owners' report: the notebook template executed by nbconvert, exported as HTML.

The template ships in this package (``report.ipynb``; in the source tree a symlink to the
repository's ``notebooks/report.ipynb``, where JupyterLab users open it). It has a cell
tagged ``parameters`` (papermill users can run it too); :func:`render_report` injects
the run's parameters after it, executes it with nbconvert's ExecutePreprocessor and
exports the outputs only (no code cells) into one self-contained page: styles inline,
nothing fetched from the network.

What must stay true: the reports of one run never overwrite each other. ``report.html``
is the run's language (the policy's, or the run's ``--lang``), pseudonymised; another
language is ``report.<lang>.html``; a revealed copy (names and contact details) is
``report[.<lang>].revealed.html``, never ``report.html``. Every report rendered is listed
in the manifest's ``reports``.
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

    from audit_kit.report.i18n import t
    from audit_kit.runs import quarter_of

    try:
        m = json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))
        quarter = quarter_of(dt.date.fromisoformat(m["as_of"]))
        return f"{m['organisation']} · {t('title', lang)} {quarter}"
    except (OSError, ValueError, KeyError):
        return t("title", lang)


PARAMS_FILE = "report_params.json"


def save_report_params(run_dir: Path, *, lang: str, data_dir: Path, policy=None) -> Path:
    """Remember the run's report language and input folder (``audit-kit report`` and the
    auditor notebook read them: the warehouse names input files relative to *data_dir*),
    and what the report's actions need from the *policy* (:class:`audit_kit.policy.Policy`):
    the §2 person responsible, the systems inventory's providers and processors, the
    erasure deadlines in months (plain and extended), the statement checks' texts, the
    statement's promises in its own words, the coverage per statement section
    (:func:`audit_kit.report.coverage.entries`), the sections each category and rule
    audits (:class:`audit_kit.report.coverage.Cited`) and the retention clocks per role
    (the age chart's periods)."""
    import json

    from audit_kit.report.coverage import Cited, entries
    from audit_kit.rules import build_rules
    from audit_kit.rules.statement import check_texts

    params: dict = {"lang": lang, "data_dir": str(data_dir)}
    if policy is not None:
        params["policy"] = {
            "check_texts": check_texts(policy),
            "promises": {c: {"fi": p.fi, "en": p.en} for c, p in policy.promises.items()},
            "coverage": entries(policy),
            "sections": Cited.from_rules(build_rules(policy)).as_params(),
            "retention_clocks": {r.role: {"counts_from": r.counts_from, "months": r.months}
                                 for r in policy.retention},
            "responsible": policy.organisation.contact,
            "erasure_months": policy.rights.erasure.deadline_months,
            "erasure_extended_months": policy.rights.erasure.extended_months,
            "systems": {
                name: {"provider": s.provider, "processor": s.processor}
                for name, s in policy.systems.items()
            },
        }
    text = json.dumps(params, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return write_private(Path(run_dir) / PARAMS_FILE, text)


def report_params(run_dir: Path) -> dict:
    """What :func:`save_report_params` wrote, or {} for a run made without it."""
    import json

    try:
        return json.loads((Path(run_dir) / PARAMS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def report_name(lang: str, reveal: bool, run_lang: str) -> str:
    """``report.html`` in the run's language *run_lang*, else ``report.<lang>.html``;
    ``.revealed`` before ``.html`` for a copy with names."""
    parts = ["report"] + ([lang] if lang != run_lang else []) + (["revealed"] if reveal else [])
    return ".".join(parts) + ".html"


def _list_in_manifest(run_dir: Path, name: str, lang: str, reveal: bool) -> None:
    """Add report *name* to the manifest's ``reports`` (a run folder without a readable
    manifest is left alone)."""
    import json

    from audit_kit.safe_output import json_text

    path = Path(run_dir) / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    reports = dict(manifest.get("reports") or {})
    reports[name] = {"lang": lang, "revealed": bool(reveal)}
    manifest["reports"] = dict(sorted(reports.items()))
    write_private(path, json_text(manifest))


def render_report(
    run_dir: Path,
    *,
    lang: str = "fi",
    reveal: bool = False,
    template: Path = TEMPLATE,
    out_name: str | None = None,
) -> Path:
    """Render the report of *run_dir* into ``out_name`` (default :func:`report_name`,
    the run's language from ``report_params.json``) and list it in the manifest."""
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
    if out_name is None:
        out_name = report_name(lang, reveal, report_params(run_dir).get("lang") or lang)
    path = write_private(Path(run_dir) / out_name, html_text)
    _list_in_manifest(run_dir, out_name, lang, reveal)
    return path
