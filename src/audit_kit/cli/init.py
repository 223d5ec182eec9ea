"""``audit-kit init [DIR]``: write a starter project into a new or empty folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from audit_kit.safe_output import echo


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "init",
        help="write a starter project (audits/, data/) into a new or empty folder",
        description="Write audits/config.yaml, audits/policy.yaml (the packaged default "
        "policy, to edit), audits/accepted.yaml (accepted findings: none yet), "
        "data/README.md, data/raw/ and .gitignore into DIR. "
        "A folder that is not empty is refused: no file is ever overwritten.",
    )
    p.add_argument(
        "dir", nargs="?", type=Path, default=Path("."),
        help="the project folder, new or empty (default: the current folder)",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from audit_kit.starter import init_project

    init_project(args.dir)
    echo(f"starter project written to {args.dir}")
    echo("next: put the exports under data/raw/, list them in audits/config.yaml, check "
          "audits/policy.yaml against your privacy statement, see how each export is read "
          "with `audit-kit check audits/config.yaml`, then "
          "`audit-kit run audits/config.yaml --period 2026Q4` (or try `audit-kit demo`)")
    return 0
