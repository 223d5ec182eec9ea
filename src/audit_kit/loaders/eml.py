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
from audit_kit.errors import FileRejected
from audit_kit.loaders import FuzzSeed, LoadResult, SourceKind, input_files
from audit_kit.loaders._mail import (
    BATCH_MESSAGES,
    CORRESPONDENT,
    DEFAULT_OWN_DOMAINS,
    Correspondents,
    Rows,
    parse_file,
    start_tables,
    write_batch,
)
from audit_kit.vocab import ROLE_MAILBOXES
from audit_kit.warehouse import SourceSink

KINDS = (SourceKind(
    "eml", order=110, reads="a folder of .eml files",
    place={"fi": "sähköpostiviesteistä", "en": "from the saved mail"},
    roles=(CORRESPONDENT,), demo="audit_kit.demo.mail:write", fixtures=("mail/eml",),
    fuzz=(FuzzSeed("message.eml", "mail/eml/tarjous.eml"),)),)


def load(
    source: SourceConfig,
    sink: SourceSink,
    *,
    own_domains: tuple[str, ...] = DEFAULT_OWN_DOMAINS,
    role_mailboxes: tuple[str, ...] = tuple(ROLE_MAILBOXES),
) -> LoadResult:
    """Load one .eml file or every file of a folder."""
    root = Path(source.path)
    result = LoadResult(format="eml")
    start_tables(sink)
    people = Correspondents(sink, own_domains, role_mailboxes)
    rows = Rows(per_file=True)
    for path in input_files(root, rejected=result.rejecter(sink)):
        rel = path.name if not root.is_dir() else path.relative_to(root).as_posix()
        try:
            f, p = parse_file(sink, path, rel)
        except FileRejected as exc:
            result.file_rejected(sink, path, exc.message)
            continue
        rows.add(p, f)
        if rows.read >= BATCH_MESSAGES:
            write_batch(sink, rows, people, result)
            rows = Rows(per_file=True)
    write_batch(sink, rows, people, result)
    people.write()
    return result
