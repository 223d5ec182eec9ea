"""The DuckDB warehouse: one raw table per source plus the canonical tables rules read.

Tables (declared in :mod:`audit_kit.schema`):

``files``        every input file once: source, kind, system, path, SHA-256 and size
``src_<name>``   one per source: every column/property as read, nothing dropped
``records``      one row per appearance of a person in a source (see vocab.ROLES)
``fields``       one row per personal-data value of a record (see vocab.FIELD_CLASSES)
``signs``        what a source shows that is no person's value: its column and sheet
                 names, a message's bulk-mail headers or external recipients (the
                 statement's no-newsletter promise, §6)
``rejects``      input records that could not be loaded, with the reason
``load_counts``  per source: records read, loaded, rejected, and the format detected

``records``, ``fields`` and ``signs`` are views of ``record_rows``, ``field_rows`` and
``sign_rows``, whose rows carry their file's id and their ``record_ref``; the views show
the file's provenance (source, source_kind, system, file, sha256) beside them.

Loaders never write SQL: they get a :class:`SourceSink` and call ``record``, ``field``,
``raw`` and ``reject``; rows are buffered and written in Arrow batches.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from audit_kit import schema
from audit_kit.errors import InputError
from audit_kit.limits import DEFAULT as DEFAULT_LIMITS
from audit_kit.limits import Limits, open_input
from audit_kit.safe_output import stored_name

RECORDS_SCHEMA = schema.RECORD_ROWS.arrow().remove(len(schema.RECORD_ROWS.columns) - 1)  # no rec_id
FIELDS_SCHEMA = schema.FIELD_ROWS.arrow()
SIGNS_SCHEMA = schema.SIGN_ROWS.arrow()
REJECTS_SCHEMA = schema.REJECTS.arrow()
FILES_SCHEMA = schema.FILES.arrow()
#: the loaders' name of a table of rows -> the table they go into
_ROWS = {"records": schema.RECORD_ROWS.name, "fields": schema.FIELD_ROWS.name,
         "signs": schema.SIGN_ROWS.name}
#: file ids are drawn from file_seq this many at a time (one query per block, not per file)
_ID_BLOCK = 1024

BATCH_ROWS = 50_000


def sha256_file(path: Path, chunk: int = 1 << 20,
                limits: Limits = DEFAULT_LIMITS) -> tuple[str, int]:
    """SHA-256 and size of a regular file, streamed (see :func:`open_input`)."""
    h = hashlib.sha256()
    size = 0
    with open_input(path, limits) as f:
        while block := f.read(chunk):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def raw_table_name(source_name: str) -> str:
    return "src_" + re.sub(r"[^0-9A-Za-z_]", "_", source_name).lower()


def connect(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open (or create) a warehouse with the canonical tables in place."""
    con = duckdb.connect(str(path) if path else ":memory:")
    if path:
        # a file warehouse spills to disk beside itself instead of growing into RAM
        # (DuckDB's default limit is 80 % of the machine); AUDIT_KIT_MEMORY_LIMIT overrides
        limit = os.environ.get("AUDIT_KIT_MEMORY_LIMIT", "1GB")
        con.execute(f"SET memory_limit = '{limit.replace(chr(39), '')}'")
    # no bars on the owner's terminal or in CI logs; in a Jupyter kernel without
    # ipywidgets DuckDB refuses to change the setting, which is already off there
    if con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0]:
        con.execute("SET enable_progress_bar = false")
    schema.create_canonical(con)
    return con


@dataclass(frozen=True)
class FileRef:
    """An input file as the warehouse names it: its id in ``files``, display path and
    SHA-256."""

    path: Path
    name: str
    sha256: str
    size: int
    id: int


class _Buffer:
    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, schema: pa.Schema):
        self.con, self.table, self.schema = con, table, schema
        self.rows: list[tuple[Any, ...]] = []
        #: called with the number of rows each flush wrote (the records' progress)
        self.on_flush: Callable[[int], None] | None = None

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        cols = list(zip(*self.rows, strict=True))
        batch = pa.Table.from_arrays(
            [pa.array(c, type=f.type) for c, f in zip(cols, self.schema, strict=True)],
            schema=self.schema,
        )
        self.con.register("_ak_batch", batch)
        try:
            cols = ", ".join('"' + n.replace('"', '""') + '"' for n in self.schema.names)
            self.con.execute(f'INSERT INTO "{self.table}" ({cols}) SELECT * FROM _ak_batch')
        finally:
            self.con.unregister("_ak_batch")
        if self.on_flush is not None:
            self.on_flush(len(self.rows))
        self.rows.clear()


#: ``record_ref`` of a reject that stands for a whole file (SourceSink.reject_file)
WHOLE_FILE = "whole file"


class SourceSink:
    """What a loader writes into. One per source, created by the pipeline.

    Every method takes the :class:`FileRef` and a ``record_ref`` (``line 12``,
    ``offset 4096``, ``card 3``, a Maildir file name) so each row keeps its provenance.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        source: str,
        kind: str,
        system: str,
        base: Path | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ):
        self.con, self.source, self.kind, self.system = con, source, kind, system
        self.base = base
        #: what a loader may read of one file (audit_kit.limits; the config's ``limits:``)
        self.limits = limits
        self._records = _Buffer(con, schema.RECORD_ROWS.name, RECORDS_SCHEMA)
        self._fields = _Buffer(con, schema.FIELD_ROWS.name, FIELDS_SCHEMA)
        self._rejects = _Buffer(con, "rejects", REJECTS_SCHEMA)
        self._signs = _Buffer(con, schema.SIGN_ROWS.name, SIGNS_SCHEMA)
        self._files = _Buffer(con, "files", FILES_SCHEMA)
        #: display name -> file id, the first registered under that name (rows given
        #: with a file name per row, :meth:`columns`)
        self._ids: dict[str, int] = {}
        self._id_next = self._id_end = 0
        self._raw: dict[str, _Buffer] = {}
        self.rejected = 0
        self.files: list[FileRef] = []
        self._in_transaction = False
        self._base_prefix: str | None = None
        #: one line each, for the owner: a file read under a name that is not UTF-8
        self.warnings: list[str] = []
        self._progress = None

    def show_progress(self, bar) -> None:
        """Report files registered and records written to *bar*
        (:class:`audit_kit.progress.SourceProgress`; None: nothing)."""
        self._progress = bar
        self._records.on_flush = (lambda n: bar.update(records=n)) if bar else None

    # -- files ---------------------------------------------------------------------
    def display_name(self, path: Path) -> str:
        """*path* relative to the base, as stored (:func:`safe_output.stored_name`)."""
        name = self._relative_name(path)
        if name.isascii():
            return name
        stored = stored_name(name)
        if stored != name:
            self.warnings.append(
                f"{stored}: the file name is not UTF-8 (shown with \\xNN for those bytes); "
                "rename the file"
            )
        return stored

    def _relative_name(self, path: Path) -> str:
        if self.base is not None:
            # a file under the base: its path after the base's prefix (a slice: this runs
            # once per input file, and a folder may hold 100,000)
            if self._base_prefix is None:
                self._base_prefix = os.path.join(os.path.abspath(self.base), "")
            full = os.path.abspath(path)
            if full.startswith(self._base_prefix):
                return full[len(self._base_prefix):]
            try:
                return os.path.relpath(path, self.base)
            except ValueError:
                pass
        return str(path)

    def _new_id(self) -> int:
        if self._id_next >= self._id_end:
            ((end,),) = self.con.execute(
                f"SELECT max(nextval('file_seq')) FROM range({_ID_BLOCK})").fetchall()
            self._id_next, self._id_end = end - _ID_BLOCK + 1, end + 1
        self._id_next += 1
        return self._id_next - 1

    def pending_file(self, path: Path, size: int) -> FileRef:
        """A file whose rows are written before its hash is known: its id, for
        :meth:`file` to register it under (``file(path, ..., pending=ref)``)."""
        return FileRef(path=path, name=self.display_name(path), sha256="", size=size,
                       id=self._new_id())

    def file(self, path: Path, *, sha256: str | None = None, size: int | None = None,
             pending: FileRef | None = None) -> FileRef:
        """Register an input file (hashing it unless the hash is given); *pending*: the
        :meth:`pending_file` whose id its rows were written with."""
        if sha256 is None or size is None:
            sha256, size = sha256_file(path, limits=self.limits)
        return self._register(FileRef(
            path=path, name=pending.name if pending else self.display_name(path),
            sha256=sha256, size=size, id=pending.id if pending else self._new_id()))

    def _register(self, ref: FileRef) -> FileRef:
        self.files.append(ref)
        self._ids.setdefault(ref.name, ref.id)
        if self._progress is not None:
            self._progress.update(files=1)
        # buffered like the rows: an INSERT per file would dominate a big folder's load
        self._files.add((ref.id, self.source, self.kind, self.system, ref.name, ref.sha256,
                         ref.size))
        return ref

    def reject_file(self, f: FileRef | Path, reason: str) -> str:
        """A whole input file not read (refused, over a limit): one reject row with
        ``record_ref`` :data:`WHOLE_FILE`, the file listed in ``files`` (hashed when it is
        a regular file that can be read, else with an empty hash and size 0). Returns its
        display name.
        """
        if not isinstance(f, FileRef):
            # already registered (the file was hashed before a limit stopped its reading)
            f = next((r for r in reversed(self.files[-8:]) if r.path == f), f)
        if not isinstance(f, FileRef):
            sha = ""
            size = 0
            try:
                sha, size = sha256_file(f, limits=Limits(max_file_bytes=1 << 62))
            except (OSError, InputError):
                sha, size = "", 0
            f = self._register(FileRef(path=f, name=self.display_name(f), sha256=sha,
                                       size=size, id=self._new_id()))
        self.reject(f, WHOLE_FILE, reason)
        return f.name

    def _provenance(self, f: FileRef, record_ref: str) -> tuple[str, ...]:
        """The provenance columns a raw row starts with (:data:`schema.PROVENANCE`)."""
        return (self.source, self.kind, self.system, f.name, record_ref, f.sha256)

    def _raw_name(self, table: str | None) -> str:
        return raw_table_name(self.source if table is None else f"{self.source}_{table}")

    # -- raw table -------------------------------------------------------------------
    def raw_table(self, columns: Sequence[str], *, table: str | None = None) -> str:
        """Create the source's raw table (``src_<name>`` or ``src_<name>_<table>``).

        Columns are VARCHAR, kept exactly as read; duplicates get a ``_2`` suffix.
        """
        name = self._raw_name(table)
        t = schema.Table(name, tuple((c, "VARCHAR") for c in schema.raw_columns(columns)))
        t.create(self.con, replace=True)
        self._raw[name] = _Buffer(self.con, name, t.arrow())
        return name

    def raw(
        self, f: FileRef, record_ref: str, values: Sequence[Any], *, table: str | None = None
    ) -> None:
        name = self._raw_name(table)
        self._raw[name].add(
            (
                *self._provenance(f, record_ref),
                *(None if v is None else str(v) for v in values),
            )
        )

    # -- canonical tables ----------------------------------------------------------
    def record(
        self,
        f: FileRef,
        record_ref: str,
        role: str,
        *,
        person_name: str | None = None,
        org_name: str | None = None,
        business_id: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        ended_on: Any = None,
        last_activity: Any = None,
        requested_on: Any = None,
        detail: str | None = None,
        decision: str | None = None,
        decided_on: Any = None,
        extended: bool | None = None,
        reason: str | None = None,
    ) -> None:
        self._records.add(
            (
                f.id,
                record_ref,
                role,
                person_name,
                org_name,
                business_id,
                email,
                phone,
                ended_on,
                last_activity,
                requested_on,
                detail,
                decision,
                decided_on,
                extended,
                reason,
            )
        )

    def field(self, f: FileRef, record_ref: str, field: str, label: str, value: Any) -> None:
        """A personal-data value of a record; empty values are not fields."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        self._fields.add(
            (
                f.id,
                record_ref,
                field,
                label,
                str(value),
            )
        )

    def sign(self, f: FileRef, record_ref: str, sign: str, label: str = "",
             n: int | None = None) -> None:
        """What the source shows that is no person's value (:data:`SIGNS_SCHEMA`)."""
        self._signs.add((f.id, record_ref, sign, label, n))

    def reject(self, f: FileRef | str, record_ref: str, reason: str) -> None:
        """An input record that could not be loaded. ``reason`` must not quote values."""
        name = f.name if isinstance(f, FileRef) else f
        self._rejects.add((self.source, self.kind, name, record_ref, reason))
        self.rejected += 1

    def columns(
        self, table: str, f: FileRef | None, data: dict[str, Any], *, raw: str | None = None
    ) -> int:
        """Append many rows at once, column by column (the fast path for big inputs).

        *table* is ``records``, ``fields``, ``signs``, ``rejects`` or ``raw`` (the raw
        table made by :meth:`raw_table`; *raw* is its ``table=`` suffix). *data* maps
        column names to equal-length lists or Arrow arrays; the provenance comes from *f*
        unless ``file`` (a registered file's name; and ``sha256``) is given per row, and
        columns not given are NULL. Returns the number of rows::

            sink.columns("fields", f, {"record_ref": refs, "field": classes,
                                       "label": labels, "value": values})
        """
        if not data:
            return 0
        arrays = {
            k: v if isinstance(v, (pa.Array, pa.ChunkedArray)) else pa.array(v)
            for k, v in data.items()
        }
        n = len(next(iter(arrays.values())))
        if any(len(a) != n for a in arrays.values()):
            raise ValueError("columns of different lengths")
        if n == 0:
            return 0
        if table in _ROWS and "file" in arrays:
            # rows carry their file's id; the name and hash are the file's, in ``files``
            self._files.flush()
            names = pc.cast(arrays.pop("file"), pa.string())
            arrays.pop("sha256", None)
            idx = pc.index_in(names, value_set=pa.array(list(self._ids), pa.string()))
            if idx.null_count:
                raise ValueError("a row's file is not one of the source's files")
            arrays = {"file_id": pc.take(pa.array(list(self._ids.values()), pa.int64()), idx),
                      **arrays}
        # the batch's columns get positional names: a header may hold any character
        # (a NUL byte in a column name is a DuckDB binder error when referenced by name)
        pos = {name: f"c{i}" for i, name in enumerate(arrays)}
        batch = pa.Table.from_arrays(list(arrays.values()), names=list(pos.values()))
        self.con.register("_ak_cols", batch)
        try:
            return self._insert(table, f, {c: f"b.{p}" for c, p in pos.items()}, "_ak_cols",
                                raw=raw)
        finally:
            self.con.unregister("_ak_cols")

    def insert_query(self, table: str, f: FileRef | None, query: str, *,
                     order_by: str = "", raw: str | None = None) -> int:
        """Append the rows of a SQL query whose column names are the target's, as
        :meth:`columns` appends Arrow columns, without bringing them into Python (rows
        derived in DuckDB, such as the mail loaders' correspondents, stay there).
        *order_by* orders the insert (columns of the query, as ``b.x``)."""
        names = [d[0] for d in self.con.execute(f"SELECT * FROM ({query}) LIMIT 0").description]
        given = {c: 'b."' + c.replace('"', '""') + '"' for c in names}
        return self._insert(table, f, given, f"({query})", raw=raw, order_by=order_by)

    def _insert(self, table: str, f: FileRef | None, given: dict[str, str], source: str, *,
                raw: str | None = None, order_by: str = "") -> int:
        """``INSERT INTO`` the table from *source* (aliased ``b``): *given* maps target
        columns to expressions; provenance constants fill the rest, or NULL."""
        if table == "raw":
            name = self._raw_name(raw)
            buf = self._raw[name]
        else:
            buf = {"records": self._records, "fields": self._fields, "rejects": self._rejects,
                   "signs": self._signs}[table]
            name = buf.table
        buf.flush()  # keep row order: what was added row by row goes first
        consts: dict[str, Any] = {
            "source": self.source,
            "source_kind": self.kind,
            "system": self.system,
        }
        if f is not None:
            consts.update(file=f.name, sha256=f.sha256, file_id=f.id)
        select, params = [], []
        if table in _ROWS and "file" in given and "file_id" not in given:
            # the file's id by its name, among this source's files
            self._files.flush()
            lit = "'" + self.source.replace("'", "''") + "'"
            given = {**given, "file_id": "(SELECT min(i.file_id) FROM files i WHERE "
                                         f"i.source = {lit} AND i.file = {given['file']})"}
        target = list(buf.schema.names)
        for c in target:
            if c in given:
                select.append(given[c])
            elif c in consts:
                select.append("?")
                params.append(consts[c])
            else:
                select.append("NULL")
        cols = ", ".join('"' + c.replace('"', '""') + '"' for c in target)
        order = f" ORDER BY {order_by}" if order_by else ""
        got = self.con.execute(
            f'INSERT INTO "{name}" ({cols}) SELECT {", ".join(select)} FROM {source} b{order}',
            params,
        ).fetchone()
        n = int(got[0]) if got else 0
        if table == "rejects":
            self.rejected += n
        elif table == "records" and self._progress is not None:
            self._progress.update(records=n)
        return n

    def flush(self) -> None:
        for buf in (self._files, self._records, self._fields, self._rejects, self._signs,
                    *self._raw.values()):
            buf.flush()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Write everything inside as one transaction (rolled back on an error).

        A file warehouse commits, and flushes its write-ahead log, after every statement
        otherwise. The pipeline loads every source in one; a loader may open its own,
        which then joins it. Rows added
        in a transaction have provisional rowids (from about 2**55) until it commits: a
        loader that numbers rows by ``rowid`` counts from the table's ``min(rowid)``.
        """
        if self._in_transaction:
            yield
            return
        self.con.begin()
        self._in_transaction = True
        try:
            yield
            self.flush()
        except BaseException:
            self.con.rollback()
            raise
        else:
            self.con.commit()
        finally:
            self._in_transaction = False

    def commit_point(self) -> None:
        """Inside :meth:`transaction`: commit what is written so far and go on in a new
        transaction. A transaction holds its rows' buffers until it commits, so a loader of
        an unbounded input commits at points to keep its memory bounded. (A failed run
        loses its whole output folder anyway, so nothing needs the rollback.)"""
        if self._in_transaction:
            self.flush()
            self.con.commit()
            self.con.begin()

