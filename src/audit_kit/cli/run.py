"""``audit-kit run CONFIG``: the quarterly audit end to end."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from audit_kit.errors import ConfigError
from audit_kit.safe_output import echo


def period_end(period: str) -> tuple[dt.date, str]:
    """``2026Q4`` -> (2026-12-31, '2026-Q4')."""
    p = period.upper().replace("-", "")
    if len(p) != 6 or p[4] != "Q" or not p[:4].isdigit() or p[5] not in "1234":
        raise ConfigError(f"period {period!r} is not a quarter; write it as 2026Q4")
    from audit_kit.pipeline import AS_OF_RANGE

    y, q = int(p[:4]), int(p[5])
    lo, hi = (d.year for d in AS_OF_RANGE)
    if not lo <= y <= hi:
        raise ConfigError(f"period {period!r} is outside the years {lo}..{hi}; "
                          "give the quarter the audit covers, e.g. 2026Q4")
    end = dt.date(y, 12, 31) if q == 4 else dt.date(y, 3 * q + 1, 1) - dt.timedelta(days=1)
    return end, f"{y}-Q{q}"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run the audit and write findings, warehouse and report",
        description="Load every source of CONFIG into DuckDB, run the policy's "
        "rules through Great Expectations and write findings.csv, "
        "warehouse.duckdb, validation/, manifest.json, report.html "
        "and data_docs/ (GX Data Docs). With --period, the report "
        "compares with the previous quarter's folder beside it.",
    )
    p.add_argument("config", type=Path, help="audit config (YAML)")
    p.add_argument("--as-of", help="audit date YYYY-MM-DD (overrides as_of in the config)")
    p.add_argument(
        "--period", help="quarter, e.g. 2026Q4: as-of = its last day, out = audits/reports/2026-Q4"
    )
    p.add_argument(
        "--out", type=Path, help="output folder (default: reports/<as-of> beside CONFIG)"
    )
    p.add_argument("--lang", choices=("fi", "en"), help="report language (default: the policy's)")
    p.add_argument(
        "--reveal",
        action="store_true",
        help="show names and addresses in the report (owners' eyes only)",
    )
    p.add_argument("--no-report", action="store_true", help="skip the HTML report")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from audit_kit.pipeline import run_audit

    as_of, out = args.as_of, args.out
    if args.period:
        end, label = period_end(args.period)
        as_of = as_of or end.isoformat()
        out = out or Path(args.config).resolve().parent / "reports" / label
    result = run_audit(
        args.config,
        as_of=as_of,
        out=out,
        report=not args.no_report,
        lang=args.lang,
        reveal=args.reveal,
    )
    print_result(result, report=not args.no_report)
    return result.exit_code


def print_result(result, *, report: bool = True) -> None:
    """What a run says: counts on stdout, never personal data; warnings on stderr."""
    for w in result.warnings:
        echo(f"audit-kit: warning: {w}", err=True)
    echo(f"audit as of {result.as_of}: {len(result.findings)} findings")
    for line in result.summary_lines():
        echo("  " + line)
    echo(f"report: {result.out / 'report.html'}" if report else f"output: {result.out}")
