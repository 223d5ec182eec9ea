"""``audit-kit run CONFIG``: the quarterly audit end to end."""

from __future__ import annotations

import argparse
from pathlib import Path

from audit_kit.errors import ConfigError
from audit_kit.safe_output import echo


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run the audit and write findings, warehouse and report",
        description="Load every source of CONFIG into DuckDB, run the policy's "
        "rules through Great Expectations and write findings.csv, "
        "warehouse.duckdb, validation/, manifest.json, report.html "
        "and data_docs/ (GX Data Docs). With --period, the report "
        "compares with the previous quarter's folder beside it. Exit status: 0 no "
        "failing finding, 1 failing findings (see --fail-on, --accepted), 2 unusable "
        "config, policy, accepted file or input.",
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
    add_exit_policy_options(p)
    p.set_defaults(func=main)


def add_exit_policy_options(p: argparse.ArgumentParser) -> None:
    """``--fail-on``, ``--accepted`` and ``--junit`` (run and demo)."""
    p.add_argument(
        "--fail-on", choices=("error", "warning", "never"), default="error",
        help="exit 1 when a finding not accepted has this severity or worse (default: error)")
    p.add_argument(
        "--accepted", type=Path, metavar="FILE",
        help="accepted findings (default: accepted.yaml beside the policy, if it exists)")
    p.add_argument("--junit", type=Path, metavar="FILE",
                   help="also write the results as JUnit XML, one test case per rule")


def main(args: argparse.Namespace) -> int:
    from audit_kit.pipeline import run_audit

    as_of, out = args.as_of, args.out
    if args.period:
        as_of, out = period_run(args.period, as_of=as_of, out=out, config=args.config)
    result = run_audit(
        args.config,
        as_of=as_of,
        out=out,
        report=not args.no_report,
        lang=args.lang,
        reveal=args.reveal,
        fail_on=args.fail_on,
        accepted=args.accepted,
        junit=args.junit,
    )
    print_result(result, report=not args.no_report)
    return result.exit_code


def period_run(period: str, *, as_of: str | None, out: Path | None,
               config: Path) -> tuple[str, Path]:
    """``--period``'s audit date and output folder: its last day unless ``--as-of`` names
    a day inside it, ``reports/<2026-Q4>`` beside CONFIG unless ``--out``; refused when the
    two dates disagree or ``--out`` holds another quarter's run (which this one would
    replace)."""
    from audit_kit.config import parse_date
    from audit_kit.runs import check_period, parse_period, read_run

    end, label = parse_period(period)
    if as_of:
        check_period(label, parse_date(as_of, what="--as-of"))
    out = out or Path(config).resolve().parent / "reports" / label
    held = read_run(out)
    if held is not None and held.quarter != label:
        raise ConfigError(
            f"--out {out} holds the run of {held.quarter} (as of {held.as_of.isoformat()}); "
            f"--period {label} would replace it; give {label}'s own folder")
    return as_of or end.isoformat(), out


def print_result(result, *, report: bool = True) -> None:
    """What a run says: counts on stdout, never personal data; warnings on stderr."""
    for w in result.warnings:
        echo(f"audit-kit: warning: {w}", err=True)
    echo(f"audit as of {result.as_of}: {len(result.findings)} findings")
    for line in result.summary_lines():
        echo("  " + line)
    accepted = sum(f.accepted == "yes" for f in result.findings)
    if accepted:
        echo(f"  accepted      {accepted:>5} (they do not fail the run)")
    echo(f"report: {result.report}" if report and result.report else f"output: {result.out}")
