"""Source kind ``maildir``: a Maildir tree (Dovecot, Courier, notmuch, offlineimap).

Every message is a file in a folder's ``cur/`` or ``new/`` (``tmp/`` holds deliveries
in progress and is skipped), and nested folders are read too: Maildir++ ``.Folder``
directories and notmuch-style plain subfolders (``foo/bar/cur``), plus messages lying
loose in a folder. The file name carries the flags after ``:2,`` (``!2,`` on file
systems without colons): S seen, R replied, F flagged, T trashed, D draft, P passed.
Server bookkeeping files (dovecot*, courier*, maildirfolder, subscriptions) are not
messages.

``record_ref`` is the file's path relative to the Maildir root, e.g.
``cur/1700000000.M1P2.host:2,S``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from audit_kit.config import SourceConfig
from audit_kit.errors import FileRejected, InputError
from audit_kit.loaders import FuzzSeed, LoadResult, SourceKind, unlisted_reason, within
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
    "maildir", order=100, reads="Maildir trees (`cur/ new/`, nested folders)",
    place={"fi": "sähköpostista", "en": "from the mailbox"},
    roles=(CORRESPONDENT,), demo="audit_kit.demo.mail:write", fixtures=("mail/Maildir",),
    fuzz=(FuzzSeed("Maildir/cur/1771113600.M1P1.host:2,S", "mail/eml/tarjous.eml",
                   source="Maildir"),)),)

_NOT_MESSAGES = re.compile(
    r"^(dovecot.*|courier.*|maildirfolder|subscriptions|maildirsize|\.?uidvalidity|"
    r"\.mh_sequences|.*\.lock)$", re.I)
_FLAGS = re.compile(r"[:!]2,([A-Za-z]*)$")


def _walk(root: Path, unlisted: list[tuple[Path, str]]):
    """Message files under a Maildir root, in sorted order, as (path, relative name).

    Every entry that is not a folder is listed (a FIFO too: opening refuses it); a folder
    that cannot be listed is appended to *unlisted* with the reason.
    """
    resolved = root.resolve()

    def unreadable(exc: OSError) -> None:
        unlisted.append((Path(exc.filename), unlisted_reason(exc)))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        rel_dir = os.path.relpath(dirpath, root)
        parts = [] if rel_dir == "." else rel_dir.split(os.sep)
        # tmp/ holds half-written deliveries; dot-folders other than Maildir++ are hidden
        dirnames[:] = sorted(
            d for d in dirnames
            if d != "tmp" and not (d.startswith(".") and d in (".git", ".notmuch", ".svn"))
        )
        for name in sorted(filenames):
            if name.startswith(".") or _NOT_MESSAGES.match(name):
                continue
            yield within(Path(dirpath) / name, resolved), "/".join([*parts, name])


def _folder(rel: str) -> str:
    parts = rel.split("/")[:-1]
    if parts and parts[-1] in ("cur", "new"):
        parts = parts[:-1]
    return "/".join(parts)


def load(
    source: SourceConfig,
    sink: SourceSink,
    *,
    own_domains: tuple[str, ...] = DEFAULT_OWN_DOMAINS,
    role_mailboxes: tuple[str, ...] = tuple(ROLE_MAILBOXES),
) -> LoadResult:
    """Load every message of a Maildir tree (or one message file)."""
    root = Path(source.path)
    if not root.exists():
        raise InputError("input not found; check the source's path in the config", file=root)
    result = LoadResult(format="maildir")
    start_tables(sink)
    people = Correspondents(sink, own_domains, role_mailboxes)
    unlisted: list[tuple[Path, str]] = []
    entries = [(root, root.name)] if not root.is_dir() else _walk(root, unlisted)
    rows = Rows(per_file=True)
    for path, rel in entries:
        try:
            f, p = parse_file(sink, path, rel)
        except FileRejected as exc:
            result.file_rejected(sink, path, exc.message)
            continue
        m = _FLAGS.search(rel)
        rows.add(p, f, folder=_folder(rel), flags=m.group(1) if m else "")
        if rows.read >= BATCH_MESSAGES:
            write_batch(sink, rows, people, result)
            rows = Rows(per_file=True)
    write_batch(sink, rows, people, result)
    for path, why in unlisted:
        result.file_rejected(sink, path, why)
    people.write()
    return result
