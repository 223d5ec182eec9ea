"""Walk one finding of a run back to what it came from (the auditor notebook's steps).

Three kinds of finding, three walks:

* **record** findings (retention, minimisation ``M-field``, transfers, rights) name a
  record by ``source`` + ``source_file`` + ``record_ref``. All three are the key: rotated
  logs (``maillog``, ``maillog.1``, ``maillog.2.gz``) each have a ``line 11``. The walk
  shows the canonical ``records`` / ``fields`` rows, the raw row(s) of ``src_<source>``
  (or a side table) and the input file's SHA-256 on disk now against the one recorded.
* **source** findings (integrity ``I-*``, ``M-unclassified``) are about a whole source:
  its load counts, its rejects with their reasons, the fields rows of the finding's
  field class per column, and every file's SHA-256.
* **statement** findings (``S-statement``) come from the policy, not from a file: the
  check's row of ``statement_checks`` and the policy lines that cite the section (the
  policy encodes the statement section by section; the statement's own text is not
  part of the run). A finding on a system of the policy's inventory (``T-mechanism``,
  source kind ``policy``) walks the same way: its row of ``transfer_checks`` and the
  policy lines of the system.

Every table is pseudonymised unless *reveal* (:mod:`audit_kit.notebook`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from audit_kit.errors import ConfigError
from audit_kit.findings import Finding
from audit_kit.notebook import masked
from audit_kit.schema import PROVENANCE
from audit_kit.warehouse import raw_table_name

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


def kind_of(finding: Finding) -> str:
    """``statement``, ``source`` (no record named) or ``record``."""
    if finding.source_kind in ("statement", "policy"):
        return "statement"
    return "record" if finding.record_ref else "source"


@dataclass
class Pick:
    """The finding to walk, or None with the reason there is none."""

    finding: Finding | None
    message: str


def pick(findings: list[Finding], *, rule_id: str | None = None,
         index: int | None = None) -> Pick:
    """The row *index* (0-based) of findings.csv, else the first finding of *rule_id*.

    A rule with no findings in this run is a :class:`Pick` without a finding that says
    so (never another rule's finding); an id no rule has, or an index past the end, is
    a :class:`ConfigError` listing the choices."""
    from audit_kit.rules import rule_categories

    if index is not None:
        if not 0 <= int(index) < len(findings):
            raise ConfigError(
                f"finding_index {index} is outside this run's findings (0..{len(findings) - 1})"
            )
        f = findings[int(index)]
        return Pick(f, f"finding {index}: {f.rule_id}")
    known = rule_categories()
    if rule_id not in known:
        raise ConfigError(f"no rule {rule_id!r}; known: {', '.join(sorted(known))}")
    mine = [f for f in findings if f.rule_id == rule_id]
    if not mine:
        found = sorted({f.rule_id for f in findings})
        return Pick(None, f"rule {rule_id} has no findings in this run: nothing to walk "
                          f"(rules with findings: {', '.join(found) or 'none'})")
    return Pick(mine[0], f"the first of {len(mine)} {rule_id} finding(s)")


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pd.DataFrame:
    return con.execute(sql, params).df()


@dataclass
class Canonical:
    records: pd.DataFrame
    fields: pd.DataFrame


def canonical(con, finding: Finding, *, reveal: bool = False) -> Canonical:
    """The ``records`` (with the subject_id) and ``fields`` rows of the finding's source,
    file and place; a :class:`ConfigError` when the warehouse has no such record."""
    key = [finding.source, finding.source_file, finding.record_ref]
    records = _df(
        con,
        "SELECT r.* EXCLUDE (rec_id), p.subject_id FROM records r "
        "LEFT JOIN persons p ON p.rec_id = r.rec_id "
        "WHERE r.source = ? AND r.file = ? AND r.record_ref = ?",
        key,
    )
    fields = _df(
        con,
        "SELECT field, label, value, file, record_ref, sha256 FROM fields "
        "WHERE source = ? AND file = ? AND record_ref = ? ORDER BY field, label",
        key,
    )
    if not len(records) and not len(fields):
        raise ConfigError(
            f"the warehouse has no record {finding.source} / {finding.source_file} / "
            f"{finding.record_ref}: is run_dir the run this finding came from?"
        )
    return Canonical(masked(records, reveal=reveal), masked(fields, reveal=reveal))


@dataclass
class Raw:
    table: str
    rows: pd.DataFrame


def raw(con, finding: Finding, *, reveal: bool = False) -> Raw:
    """The raw row(s) of the finding's source, file and place: the source's raw table
    first, then its side tables (a mail source's addresses and correspondents; a table
    of another source whose name extends this one's holds none of its rows)."""
    table = raw_table_name(finding.source)
    names = sorted(
        (r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
         if r[0] == table or r[0].startswith(table + "_")),
        key=lambda n: (n != table, n),
    )
    for name in names:
        rows = _df(con, f'SELECT * FROM "{name}" WHERE source = ? AND file = ? AND record_ref = ?',
                   [finding.source, finding.source_file, finding.record_ref])
        if len(rows):
            return Raw(name, masked(rows, reveal=reveal, plain=PROVENANCE))
    raise ConfigError(
        f"no raw row for {finding.source_file} / {finding.record_ref} in {', '.join(names)}"
    )


@dataclass
class SourceTrace:
    load_counts: pd.DataFrame
    rejects: pd.DataFrame
    fields: pd.DataFrame


def source(con, finding: Finding, *, reveal: bool = False) -> SourceTrace:
    """A source-level finding: the source's load counts, its rejects and, per column
    (label), how many fields rows of the finding's field class it holds."""
    counts = _df(con, "SELECT * FROM load_counts WHERE source = ?", [finding.source])
    if not len(counts):
        raise ConfigError(f"the warehouse has no source {finding.source}")
    rejects = _df(con, "SELECT file, record_ref, reason FROM rejects WHERE source = ? "
                       "ORDER BY file, record_ref", [finding.source])
    fields = _df(con, "SELECT label, count(*) AS rows, count(DISTINCT file) AS files "
                      "FROM fields WHERE source = ? AND field = ? GROUP BY label ORDER BY label",
                 [finding.source, finding.field])
    return SourceTrace(masked(counts), masked(rejects, reveal=reveal), masked(fields))


def files_of(con, finding: Finding) -> list[tuple[str, str]]:
    """(file, recorded SHA-256) the finding rests on: its own file, or every file of the
    source for a source-level finding."""
    if kind_of(finding) == "record":
        sql, params = "SELECT file, sha256 FROM files WHERE source = ? AND file = ?", [
            finding.source, finding.source_file]
    else:
        sql, params = "SELECT file, sha256 FROM files WHERE source = ? ORDER BY file", [
            finding.source]
    return con.execute(sql, params).fetchall()


@dataclass
class FileCheck:
    table: pd.DataFrame

    @property
    def verified(self) -> bool:
        return bool(len(self.table)) and bool(self.table["match"].all())

    @property
    def verdict(self) -> str:
        if not len(self.table):
            return "NO FILE: the finding names no input file of the run"
        if self.table["on disk now"].isna().any():
            return ("UNREADABLE: an input file is not where the run read it; set data_dir "
                    "to the folder the config's paths are relative to")
        return ("VERIFIED: the finding traces to unchanged input" if self.verified
                else "MISMATCH: the input file changed since the audit")


def check_files(files: list[tuple[str, str]], data_dir: Path) -> FileCheck:
    """Each file's SHA-256 on disk now (read from *data_dir*, the folder the config's
    paths are relative to; None when it cannot be read) against the one recorded at
    load time."""
    import pandas as pd

    rows = []
    for file, recorded in files:
        try:
            h = hashlib.sha256()
            with open(Path(data_dir) / file, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            now = h.hexdigest()
        except OSError:
            now = None
        rows.append({"file": file, "recorded": recorded, "on disk now": now,
                     "match": now == recorded})
    table = pd.DataFrame(rows, columns=["file", "recorded", "on disk now", "match"])
    return FileCheck(masked(table, plain=("file", "recorded", "on disk now")))


@dataclass
class StatementTrace:
    check: pd.DataFrame
    policy_lines: pd.DataFrame


def statement(con, finding: Finding, policy_file: Path) -> StatementTrace:
    """A statement finding: its check's row of ``statement_checks`` (as of the run's
    audit date) and the lines of *policy_file* that cite its section or name its check."""
    import pandas as pd

    if finding.source_kind == "policy":  # a system of the inventory: its transfer verdict
        check = _df(con, "SELECT * FROM transfer_checks WHERE system = ?", [finding.source])
        cites = re.compile(rf"^\s*{re.escape(finding.source)}\s*:")
    else:
        check = _df(con, "SELECT * FROM statement_checks WHERE check_id = ?", [finding.field])
        section = finding.record_ref.lstrip("§")
        cites = re.compile(
            rf"""section:\s*["']?{re.escape(section)}["']?(?!\d)|§{re.escape(section)}(?!\d)"""
            rf"|\b{re.escape(finding.field)}\b"
        )
    lines = [
        {"line": n, "text": text.rstrip()}
        for n, text in enumerate(policy_file.read_text(encoding="utf-8").splitlines(), 1)
        if cites.search(text)
    ]
    return StatementTrace(masked(check), masked(pd.DataFrame(lines, columns=["line", "text"]),
                                                plain=("text",)))
