"""``audit-kit suites``: regenerate the GX file project (audits/gx/) from the policy."""

from __future__ import annotations

import argparse
from pathlib import Path

from audit_kit.safe_output import echo


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "suites",
        help="write the policy's expectation suites as a GX project",
        description="Generate the expectation suites and checkpoint from the policy "
        "and save them as a Great Expectations file project, so GX users "
        "can open it and build Data Docs.",
    )
    p.add_argument("--policy", type=Path, default=Path("audits/policy.yaml"))
    p.add_argument("--out", type=Path, default=Path("audits"), help="folder that gets gx/")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from audit_kit.errors import PolicyError
    from audit_kit.gx_project import write_project

    if not args.policy.is_file():
        raise PolicyError("policy file not found; run this in a project folder "
                          "(`audit-kit init` writes one) or give --policy", file=args.policy)
    path = write_project(args.policy, args.out)
    echo(f"GX project written to {path}")
    return 0
