"""``audit-kit report RUN_DIR``: re-render a run's HTML report."""

from __future__ import annotations

import argparse
from pathlib import Path

from audit_kit.safe_output import echo


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="render the HTML report of a finished run",
        description="Execute the report notebook (notebooks/report.ipynb) with "
        "nbconvert on RUN_DIR and write RUN_DIR/report.html (the run's language; "
        "report.en.html in another, report.revealed.html with --reveal).",
    )
    p.add_argument("run_dir", type=Path, help="output folder of `audit-kit run`")
    p.add_argument(
        "--lang",
        choices=("fi", "en"),
        help="report language (default: the one the run used, from the policy)",
    )
    p.add_argument("--reveal", action="store_true", help="show names and addresses")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from audit_kit.errors import InputError
    from audit_kit.outdir import is_run_folder
    from audit_kit.report import render_report, report_params

    # the report is rewritten in place: only in a folder an audit-kit run wrote
    if not is_run_folder(args.run_dir) or not (args.run_dir / "findings.csv").is_file():
        raise InputError(
            "not an audit-kit run folder (no manifest.json and findings.csv from a run); "
            "give the --out folder of `audit-kit run`", file=args.run_dir
        )
    lang = args.lang or report_params(args.run_dir).get("lang") or "fi"
    path = render_report(args.run_dir.resolve(), lang=lang, reveal=args.reveal)
    echo(f"report: {path}")
    return 0
