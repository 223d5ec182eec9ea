"""``audit-kit kinds``: the source kinds and whether this version loads them."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "kinds",
        help="list the source kinds and which are supported",
        description="List every source kind of the config contract.",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from audit_kit.config import SOURCE_KINDS
    from audit_kit.loaders import supported_kinds

    ok = set(supported_kinds())
    for k in SOURCE_KINDS:
        print(f"{k:<24} {'supported' if k in ok else 'not supported yet'}")
    return 0
