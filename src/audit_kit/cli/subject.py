"""``audit-kit subject RUN_DIR --email X``: answer an access request (GDPR Art. 15)."""

from __future__ import annotations

import argparse
from pathlib import Path

from audit_kit.safe_output import echo


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "subject",
        help="what a run holds about one person, and the erasure plan",
        description="Find a person in an audit run's warehouse by e-mail and/or phone (a name "
        "only narrows), and write subject.html and subject.json: every record of "
        "theirs with its source, purpose, retention deadline and storage, and what "
        "to delete where (invoices are kept under the Accounting Act).",
    )
    p.add_argument("run_dir", type=Path, help="the --out folder of `audit-kit run`")
    p.add_argument("--email", help="the person's e-mail address")
    p.add_argument("--phone", help="the person's phone number (any format)")
    p.add_argument("--name", help="narrows: drops found people whose names all differ")
    p.add_argument("--lang", choices=("fi", "en"), help="language (default: the policy's)")
    p.add_argument(
        "--out", type=Path, help="output folder (default: RUN_DIR/subjects/<subject_id>)"
    )
    p.add_argument(
        "--policy", type=Path, help="the policy the run used (default: the packaged one)"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from audit_kit.outdir import check_target, holds_only
    from audit_kit.subject import ANSWER_FILES, access_report

    rep = access_report(
        args.run_dir,
        email=args.email,
        phone=args.phone,
        name=args.name,
        lang=args.lang,
        policy=args.policy,
    )
    out = args.out or args.run_dir / "subjects" / (
        rep.subject_ids[0] if rep.subject_ids else "not-found"
    )
    check_target(out, flag="--out", is_ours=holds_only(ANSWER_FILES),
                 ours="an earlier access-request answer (subject.html, subject.json)",
                 homes=[args.run_dir])
    html, js = rep.write(out, args.lang)
    kept = sum(1 for s in rep.erasure_plan if s["action"] == "keep")
    # counts and paths only: the answer itself is in the owner-only files
    echo(
        f"{len(rep.records)} records in {len(rep.sources)} sources "
        f"({len(rep.subject_ids)} subject id(s)); erasure: delete "
        f"{len(rep.records) - kept}, keep {kept} under statutory retention"
    )
    echo(f"written: {html} and {js}")
    return 0
