"""``audit-kit check``: read every source of a config as the audit would and say, per
source, how it was read, so a newcomer fixes the config before the first audit.

Per source: the format the loader detected (for CSV registers the encoding and the
delimiter), each column or field label and what it was read as (``unclassified`` when
nothing classified it), the date columns and how many of their values could not be read,
the files, records read / loaded / rejected and the commonest reject reasons. No rules, no
GX, no output folder: the warehouse is in memory and gone afterwards.

What is printed is the export's structure, never its values: headers and labels (a header
that itself looks like an e-mail address, a phone number or an identity code is not
shown), counts and reject reasons (which never quote values, :meth:`SourceSink.reject`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from audit_kit import normalise
from audit_kit.config import load_config
from audit_kit.loaders import LoadResult
from audit_kit.loaders.tabular_sql import UNREAD_DATE
from audit_kit.policy import load_policy
from audit_kit.schema import PROVENANCE
from audit_kit.warehouse import connect, raw_table_name

#: how many reject reasons a source lists (the commonest first)
TOP_REASONS = 3


@dataclass
class Column:
    """One column (tabular kinds) or field label (the others) and what it was read as."""

    label: str
    #: what the loader read it as: a column target (``email``, ``ended_on``, ``ignore``),
    #: a field class, or ``unclassified``; several when the values differ (a HETU in notes)
    read_as: list[str]
    #: values per field class (cells with a value)
    values: dict[str, int] = field(default_factory=dict)
    #: a date column: values that could not be read as dates
    unread_dates: int = 0
    #: tabular kinds: cells with a value in the column (None: not known)
    cells: int | None = None


@dataclass
class SourceCheck:
    name: str
    kind: str
    path: str
    result: LoadResult
    files: int
    columns: list[Column]
    #: (reason, count), commonest first, at most TOP_REASONS
    reasons: list[tuple[str, int]]
    rejected_files: int = 0

    @property
    def reconciles(self) -> bool:
        return self.result.reconciles


def check_config(config: str | Path) -> list[SourceCheck]:
    """Load every source of *config* into an in-memory warehouse and describe each.

    Raises :class:`~audit_kit.errors.AuditKitError` (exit 2) for a config or input the
    audit could not use either, with the same one-line message."""
    from audit_kit.pipeline import load

    cfg = load_config(config)
    policy = load_policy(cfg.policy)
    con = connect()
    try:
        loaded = load(cfg, policy, con, base=Path(cfg.config_path).parent)
        return [_describe(con, s, loaded.results[s.name]) for s in cfg.sources]
    finally:
        con.close()


def _describe(con, source, res: LoadResult) -> SourceCheck:
    name = source.name
    counts: dict[str, dict[str, int]] = {}
    for label, cls, n in con.execute(
        "SELECT label, field, count(*) FROM fields WHERE source = ? GROUP BY ALL", [name]
    ).fetchall():
        counts.setdefault(label, {})[cls] = n
    columns: list[Column] = []
    if res.columns:  # tabular kinds: every header, in file order, with its target
        filled = _filled_cells(con, name, len(res.columns))
        for (header, target), cells in zip(res.columns.items(), filled, strict=False):
            per = counts.pop(header, {})
            bad = per.pop(UNREAD_DATE, 0)
            columns.append(Column(header, [target], per, bad, cells))
    for label in sorted(counts):  # other kinds: each label the loader wrote
        per = counts[label]
        bad = per.pop(UNREAD_DATE, 0)
        columns.append(Column(label, sorted(per) or [UNREAD_DATE], per, bad))
    reasons = con.execute(
        "SELECT reason, count(*) FROM rejects WHERE source = ? GROUP BY reason "
        "ORDER BY count(*) DESC, reason LIMIT ?", [name, TOP_REASONS]
    ).fetchall()
    (files,) = con.execute("SELECT count(*) FROM files WHERE source = ?", [name]).fetchone()
    (whole,) = con.execute(
        "SELECT count(*) FROM rejects WHERE source = ? AND record_ref = 'whole file'", [name]
    ).fetchone()
    return SourceCheck(name, source.kind, str(source.path), res, files, columns,
                       [(r, n) for r, n in reasons], whole)


def _filled_cells(con, source: str, n: int) -> list[int]:
    """Per column of the source's raw table (in header order): cells with a value."""
    table = raw_table_name(source)
    names = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()][len(PROVENANCE):]
    if not names:
        return []
    exprs = ", ".join('count(NULLIF(trim("' + c.replace('"', '""') + '"), \'\'))'
                      for c in names[:n])
    return list(con.execute(f'SELECT {exprs} FROM "{table}"').fetchone())


_HETU_LIKE = re.compile(r"\d{6}[-+A-Fa-fU-Yu-y]\d{3}[0-9A-Ya-y]")


def shown_label(label: str) -> str:
    """*label* as check prints it: a header that is itself personal data is not shown."""
    text = label.strip()
    if "@" in text and normalise.email(text):
        return "(a header that looks like an e-mail address; not shown)"
    if _HETU_LIKE.search(text):
        return "(a header that looks like an identity code; not shown)"
    digits = re.sub(r"[\s()+-]", "", text)
    if digits.isdigit() and len(digits) >= 7:
        return "(a header that looks like a phone number; not shown)"
    return label


def format_checks(checks: list[SourceCheck]) -> list[str]:
    """The lines ``audit-kit check`` prints."""
    lines: list[str] = []
    for c in checks:
        r = c.result
        lines.append(f"{c.name} ({c.kind}): {c.path}")
        lines.append(f"  format: {r.format or '-'}; files: {c.files}"
                     + (f" ({c.rejected_files} not read)" if c.rejected_files else ""))
        if c.columns:
            width = min(32, max(len(shown_label(col.label)) for col in c.columns))
            lines.append("  columns:" if r.columns else "  fields:")
            for col in c.columns:
                what = ", ".join(col.read_as)
                n = col.cells if col.cells is not None else sum(col.values.values())
                info = f"{n} value{'s' if n != 1 else ''}" if n else "no values"
                if col.unread_dates:
                    info += f", {col.unread_dates} not a date"
                lines.append(f"    {shown_label(col.label):<{width}} -> {what} ({info})")
        lines.append(f"  records: {r.records_read} read, {r.records_loaded} loaded, "
                     f"{r.records_rejected} rejected"
                     + ("" if r.reconciles else "  (DO NOT RECONCILE: report this)"))
        for reason, n in c.reasons:
            lines.append(f"    {n} x {reason}")
        for w in r.warnings:
            lines.append(f"  warning: {w}")
    return lines
