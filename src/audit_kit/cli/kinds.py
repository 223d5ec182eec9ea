"""``audit-kit kinds``: the source kinds this installation loads, from the registry; with
``--columns``, the names a source's ``columns:`` may map a header to, per kind."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "kinds",
        help="list the source kinds, what they read and the options they take",
        description="List every registered source kind (built in or added by an installed "
        "package), what it reads and the options a source entry of that kind may give.",
    )
    p.add_argument("--markdown", action="store_true",
                   help="print the README's formats table instead")
    p.add_argument("--columns", action="store_true",
                   help="list the targets a source's columns: may map a header to, per kind")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from audit_kit.loaders import formats_table, source_kinds

    if args.markdown:
        print(formats_table(), end="")
        return 0
    if args.columns:
        from audit_kit.loaders.columns import describe

        print("\n".join(describe()))
        return 0
    for k in source_kinds().values():
        print(f"{k.name:<24} {k.reads}")
        if k.options:
            print(f"{'':<24} options: {', '.join(o.name for o in k.options)}")
    return 0
