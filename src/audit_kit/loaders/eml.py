"""Source kind ``eml``: one message per file (``.eml`` saved from a mail client).

A folder is read recursively, every non-hidden file. A file that is not a message
(a README, an attachment saved beside the mails) becomes a reject row, so the counts
show it. An mbox-style ``From `` envelope line at the top (some clients save one) is
skipped. ``record_ref`` is the file's path relative to the folder (its name for a
single file).
"""

from __future__ import annotations

from pathlib import Path

from audit_kit.config import SourceConfig
from audit_kit.loaders import LoadResult, input_files, register
from audit_kit.loaders._mail import (
    DEFAULT_OWN_DOMAINS,
    Correspondents,
    Rows,
    parse_file,
    start_tables,
)
from audit_kit.warehouse import SourceSink

#: rows are written every this many messages
BATCH_MESSAGES = 5000


def _write(sink: SourceSink, rows: Rows, people: Correspondents, result: LoadResult) -> None:
    rows.write(sink)
    people.merge(rows.people)
    result.records_read += rows.read
    result.records_rejected += rows.rejected
    result.records_loaded += rows.read - rows.rejected


@register("eml")
def load(
    source: SourceConfig,
    sink: SourceSink,
    *,
    own_domains: tuple[str, ...] = DEFAULT_OWN_DOMAINS,
) -> LoadResult:
    """Load one .eml file or every file of a folder."""
    root = Path(source.path)
    result = LoadResult(format="eml")
    start_tables(sink)
    people = Correspondents(own_domains)
    rows = Rows(per_file=True)
    for path in input_files(root):
        rel = path.name if root.is_file() else path.relative_to(root).as_posix()
        f, p = parse_file(sink, path, rel)
        rows.add(p, f)
        if rows.read >= BATCH_MESSAGES:
            _write(sink, rows, people, result)
            rows = Rows(per_file=True)
    _write(sink, rows, people, result)
    people.write(sink)
    return result
