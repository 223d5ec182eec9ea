"""``audit-kit demo``: generate the demo company's exports and audit them."""

from __future__ import annotations

import argparse
from pathlib import Path

from audit_kit.safe_output import echo

DEFAULT_DATA = Path("data/demo")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="generate the fictitious demo company and audit it",
        description="Write the demo company's exports (every supported source kind, "
        "planted violations, ground_truth.csv) under --data, then run "
        "the audit on them into --out.",
    )
    p.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="where the exports go (data/demo)"
    )
    p.add_argument(
        "--out", type=Path, default=None, help="audit output folder (default: audits/reports/demo)"
    )
    p.add_argument("--lang", choices=("fi", "en"), help="report language")
    p.add_argument("--no-run", action="store_true", help="only generate the exports")
    p.add_argument("--junit", type=Path, metavar="FILE",
                   help="also write the results as JUnit XML, one test case per rule")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from audit_kit.demo import generate, is_demo_folder
    from audit_kit.outdir import check_run_folder, check_target

    out = args.out or Path("audits/reports/demo")
    # both folders checked before either is written
    check_target(args.data, flag="--data", is_ours=is_demo_folder,
                 ours="an earlier demo company (its config.yaml from audit-kit demo)")
    if not args.no_run:  # not the data's folder, nor holding it
        check_run_folder(out, homes=[args.data])
    ctx = generate(args.data)
    echo(
        f"demo company written to {args.data} ({len(ctx.sources)} sources, "
        f"{len(ctx.expected)} planted findings in ground_truth.csv)"
    )
    if args.no_run:
        return 0
    from audit_kit.cli.run import print_result
    from audit_kit.pipeline import run_audit

    result = run_audit(args.data / "config.yaml", out=out, lang=args.lang, junit=args.junit)
    print_result(result)
    return 0  # the demo's findings are planted: finding them is success
