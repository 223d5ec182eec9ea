"""``audit-kit``: audit a company's personal-data exports against its privacy statement.

Exit status: 0 no failing finding; 1 failing findings (errors not accepted, by default:
see :mod:`audit_kit.exitpolicy`); 2 unusable config or input (one line on stderr naming
the file; ``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys

from audit_kit import __version__, progress
from audit_kit.errors import AuditKitError, translate
from audit_kit.outdir import Interrupted, stop_on_signals
from audit_kit.safe_output import console, echo

#: subcommand -> module in audit_kit.cli with ``add_parser(sub)`` and ``main(args) -> int``
COMMANDS = ("init", "check", "run", "demo", "report", "suites", "kinds", "subject", "forget")


class _Parser(argparse.ArgumentParser):
    """argparse, with the arguments it quotes back (a file name) shown escaped."""

    def _print_message(self, message: str, file=None) -> None:
        if message:
            lines = message.splitlines()
            super()._print_message("\n".join(console(x) for x in lines) + "\n", file)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="audit-kit",
        description="Audit a company's personal-data exports (billing registers, phone contacts, "
        "mail) against its own GDPR privacy statement.",
        epilog="Exit status: 0 no failing finding, 1 failing findings (by default errors not "
        "accepted; see run --fail-on, --accepted), 2 unusable config or input.",
    )
    p.add_argument("--version", action="version", version=f"audit-kit {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"audit_kit.cli.{name}").add_parser(sub)
    for cmd in sub.choices.values():
        cmd.add_argument("-q", "--quiet", action="store_true",
                         help="no progress line on stderr (there is none in CI or a pipe)")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # SIGINT/SIGTERM: clean up, then exit 130/143; progress only on a terminal
        with stop_on_signals(), progress.enabled(progress.wanted(args.quiet)):
            return int(args.func(args))
    except AuditKitError as exc:
        if args.debug:
            raise
        echo(f"audit-kit: error: {exc.one_line()}", err=True)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        code = exc.exit_code if isinstance(exc, Interrupted) else 130
        what = "terminated" if code == 128 + signal.SIGTERM else "interrupted"
        echo(f"audit-kit: {what}; previous outputs are untouched", err=True)
        return code
    except Exception as exc:  # translate at the boundary; never a traceback by default
        if args.debug:
            raise
        echo(f"audit-kit: error: {translate(exc).one_line()}", err=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
