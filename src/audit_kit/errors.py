"""The one error tree of audit-kit.

::

    AuditKitError                  exit 2, one line on stderr, never a traceback
    ├── ConfigError                the audit config: missing key, bad date, unknown kind
    │   └── OutputError            an output folder refused: not empty and not ours, a
    │                              file, or overlapping an input (nothing was touched)
    ├── PolicyError                audits/policy.yaml: wrong key or value
    ├── InputError                 a whole input file is unusable (not found, not a zip,
    │   │                          not well-formed XML, forbidden entity, corrupt XLSX)
    │   └── FileRejected           one file refused (not a regular file, permission
    │                              denied, over a limit of audit_kit.limits): inside a
    │                              source a file-level reject, and the audit goes on
    ├── RuleError                  a rule's SQL or GX validation failed
    └── ReportError                the report notebook failed to execute or render

Every error carries *where* (a file and, when known, a place in it: ``line 12``,
``offset 4096``, ``key sources[2].kind``) and its message says what to do about it.
Messages never contain personal data: they name files, places and column names,
never field values.

Per-record faults are not errors: loaders turn them into reject rows with a reason
(see :class:`audit_kit.loaders.LoadResult`).

Third-party exceptions are translated in one place, :func:`translate`, used by the
CLI boundary; ``tests/test_errors.py`` checks the mapping.
"""

from __future__ import annotations

from pathlib import Path

from audit_kit.safe_output import console


class AuditKitError(Exception):
    """Base class: a problem the user can fix, reported as one line."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | Path | None = None, place: str | None = None):
        self.message = message
        self.file = str(file) if file is not None else None
        self.place = place
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """Where and what, as one line: control characters in a file name (a newline, an
        escape sequence) are shown escaped (:func:`audit_kit.safe_output.console`)."""
        where = ""
        if self.file:
            where = self.file + (f" ({self.place})" if self.place else "") + ": "
        elif self.place:
            where = f"{self.place}: "
        return console(f"{where}{self.message}")


class ConfigError(AuditKitError):
    """The audit config is unusable."""


class OutputError(ConfigError):
    """An output folder that must not be written (see :mod:`audit_kit.outdir`)."""


class PolicyError(AuditKitError):
    """The policy file is unusable."""


class InputError(AuditKitError):
    """A whole input file cannot be read; the run stops (per-record faults are rejects)."""


class FileRejected(InputError):
    """One input file refused as a whole; a loader records it with
    ``SourceSink.reject_file`` and reads the source's other files (where it is not a
    source's file, as the config or the policy, the caller re-raises it as its own error)."""


class RuleError(AuditKitError):
    """A rule could not be evaluated."""


class ReportError(AuditKitError):
    """The report could not be produced."""


def translate(exc: BaseException, *, file: str | Path | None = None) -> AuditKitError:
    """Map a third-party exception to the tree, without echoing data values.

    Only the exception's type is used, never its message: messages from parsers and
    databases quote the offending input, which may be personal data.
    """
    if isinstance(exc, AuditKitError):
        return exc
    name = type(exc).__name__
    # duckdb's exceptions live in its C extension module ``_duckdb``
    module = type(exc).__module__.split(".")[0].lstrip("_")
    if isinstance(exc, FileNotFoundError):
        return InputError("file not found; check the path in the config", file=file or exc.filename)
    if isinstance(exc, PermissionError):
        return InputError("permission denied; check the file's owner and mode", file=file)
    if isinstance(exc, IsADirectoryError):
        return InputError("is a directory where a file was expected", file=file)
    if module == "defusedxml":
        return InputError(
            f"XML refused as unsafe ({name}); entities and external references are not allowed",
            file=file,
        )
    if module in {"xml", "pyexpat"}:
        return InputError(f"not well-formed XML ({name})", file=file)
    if module == "duckdb":
        return RuleError(
            f"warehouse query failed ({name}); rerun with --debug for the query", file=file
        )
    if module == "great_expectations":
        return RuleError(f"Great Expectations failed ({name}); rerun with --debug", file=file)
    if module in {"nbclient", "nbconvert", "nbformat", "jupyter_client"}:
        return ReportError(f"report notebook failed ({name}); rerun with --debug", file=file)
    if module == "yaml":
        return ConfigError(f"not valid YAML ({name})", file=file)
    if isinstance(exc, UnicodeEncodeError) and "surrogates" in str(exc.reason):
        # os.fsdecode keeps a name's undecodable bytes as lone surrogates
        return InputError(
            "a file or folder name here is not UTF-8; rename it", file=file
        )
    if isinstance(exc, UnicodeError):
        return InputError(
            "text could not be decoded; give the file's encoding in the source entry", file=file
        )
    if isinstance(exc, MemoryError):
        return InputError("input too large for memory", file=file)
    return AuditKitError(
        f"unexpected internal error ({name}); rerun with --debug and report it", file=file
    )
