"""``audit-kit forget --email X``: record an erasure as keyed-hash tombstones."""

from __future__ import annotations

import argparse
from pathlib import Path

from audit_kit.safe_output import echo


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "forget",
        help="record an erasure so later audits flag the person's reappearance",
        description="Append keyed hashes (HMAC-SHA256 with the pseudonymisation key) of the "
        "person's normalised e-mail and/or phone to the tombstone file; no plain "
        "identifiers are kept. Every later `audit-kit run` reads it (rule "
        "R-tombstone). Default file: $AUDIT_KIT_TOMBSTONES, else tombstones.txt "
        "beside the key (~/.config/audit-kit/).",
    )
    p.add_argument("--email", help="the erased person's e-mail address")
    p.add_argument("--phone", help="the erased person's phone number (any format)")
    p.add_argument("--tombstones", type=Path, help="tombstone file (default: see above)")
    p.add_argument("--date", help="erasure date YYYY-MM-DD (default: today)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from audit_kit.config import parse_date
    from audit_kit.subject import forget

    when = parse_date(args.date, what="--date") if args.date else None
    res = forget(args.email, args.phone, path=args.tombstones, erased_on=when)
    echo(
        f"{res.added} tombstone(s) added, {res.already} already present, erasure date "
        f"{res.erased_on}: {res.path}"
    )
    return 0
