"""``audit-kit subject RUN_DIR --email X``: answer an access request (GDPR Art. 15)."""

from __future__ import annotations

import argparse
from pathlib import Path

from audit_kit.safe_output import echo


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "subject",
        help="answer an access request: the letter to the person and the internal sheet",
        description="Find a person in an audit run's warehouse by e-mail and/or phone (a name "
        "only narrows) and write two documents: letter.<lang>.html, the answer to send "
        "(GDPR Art. 15: purposes, data, recipients, retention, rights, sources, "
        "transfers, the controller; nothing internal), and internal.html / "
        "internal.json for the company (how the search was done, the sources searched, "
        "the audit's findings for the person and the erasure plan).",
    )
    p.add_argument("run_dir", type=Path, help="the --out folder of `audit-kit run`")
    p.add_argument("--email", help="the person's e-mail address")
    p.add_argument("--phone", help="the person's phone number (any format)")
    p.add_argument("--name", help="narrows: drops found people whose names all differ")
    p.add_argument("--lang", choices=("fi", "en"),
                   help="the letter's language (default: the policy's); the letter of the "
                   "other language in the folder is kept")
    p.add_argument(
        "--out", type=Path,
        help="output folder (default: RUN_DIR/subjects/<subject_id>, or not-found-<hash>)"
    )
    p.add_argument(
        "--policy", type=Path, help="the policy the run used (default: the packaged one)"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from audit_kit.outdir import check_target, holds_only
    from audit_kit.subject import ANSWER_FILES, access_report, answer_folder

    rep = access_report(
        args.run_dir,
        email=args.email,
        phone=args.phone,
        name=args.name,
        lang=args.lang,
        policy=args.policy,
    )
    out = args.out or args.run_dir / "subjects" / answer_folder(rep)
    check_target(out, flag="--out", is_ours=holds_only(ANSWER_FILES),
                 ours="an earlier access-request answer (" + ", ".join(ANSWER_FILES) + ")",
                 homes=[args.run_dir])
    letter, sheet, data = rep.write(out, args.lang)
    kept = sum(1 for s in rep.erasure_plan if s["action"] == "keep")
    # counts and paths only: the answer itself is in the owner-only files
    echo(
        f"{len(rep.records)} records in {len(rep.sources)} of {len(rep.sources_searched)} "
        f"sources searched ({len(rep.subject_ids)} subject id(s)), "
        f"{len(rep.findings)} finding(s); erasure: delete {len(rep.records) - kept}, keep {kept}"
    )
    echo(f"letter to send: {letter}")
    echo(f"internal: {sheet} and {data}")
    return 0
