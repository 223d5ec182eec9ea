"""``audit-kit check CONFIG``: a dry run that reads every source and says how."""

from __future__ import annotations

import argparse
from pathlib import Path

from audit_kit.safe_output import echo


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="read every source of CONFIG and show how it was read (no audit, no outputs)",
        description="A dry run before the first audit: each source's detected format "
        "(encoding, delimiter), every column and what it was read as (or unclassified), "
        "date columns with values that are not dates, records read / loaded / rejected "
        "and the commonest reject reasons. Nothing is written. Exit 0 when every source "
        "was read, 1 when a source has rejected records, 2 for a config error.",
    )
    p.add_argument("config", type=Path, help="audit config (YAML)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from audit_kit.check import check_config, format_checks

    checks = check_config(args.config)
    for line in format_checks(checks):
        echo(line)
    rejected = sum(c.result.records_rejected for c in checks)
    unclassified = sum(1 for c in checks for col in c.columns if "unclassified" in col.read_as)
    echo(f"{len(checks)} sources, {rejected} records rejected, {unclassified} unclassified "
         "columns" + ("" if unclassified else "; ready for `audit-kit run`"))
    return 1 if rejected else 0
