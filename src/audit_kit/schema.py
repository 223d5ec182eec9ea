"""The warehouse's schema: every table audit-kit creates, declared once.

Every module that creates a table creates it from its declaration here
(:meth:`Table.create`, :meth:`Table.fill`); no module types DDL of its own. A test
compares a demo run's warehouse with :func:`tables`: every table, column and type.

What is declared where:

* the canonical tables the loaders write and ``load_counts``: :data:`CANONICAL`, written
  through :class:`audit_kit.warehouse.SourceSink`. Provenance is kept once per file:
  ``files`` holds each input file's source, kind, system, path and SHA-256; the rows of
  ``record_rows``, ``field_rows`` and ``sign_rows`` carry only its ``file_id`` and their
  ``record_ref``; ``records``, ``fields`` and ``signs`` are views that show each row with
  its provenance columns (:data:`PROVENANCE`), what every reader reads;
* ``audit_params`` (the audit date every rule reads): :func:`audit_kit.pipeline.open_warehouse`;
* ``links``, ``persons``, ``subjects``: :func:`audit_kit.people.resolve`;
* ``tombstones``, ``identifier_hashes``: :func:`audit_kit.subject.load_tombstones`;
* each rule family's fact tables (``transfer_checks``, ``statement_checks``): declared by
  the family (:class:`audit_kit.rules.Facts`, a :class:`Table`) and listed here by
  :func:`tables`;
* one raw table per source, ``src_<name>`` (and ``src_<name>_<part>``): the
  :data:`RAW_PREFIX` columns, then the source's own columns as read, all VARCHAR
  (:meth:`audit_kit.warehouse.SourceSink.raw_table`).

Loaders' and people resolution's working tables are TEMP tables, gone when their step ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa

#: DuckDB type -> Arrow type, for the types the schema uses
_ARROW = {"VARCHAR": pa.string(), "DATE": pa.date32(), "BIGINT": pa.int64(),
          "BOOLEAN": pa.bool_()}


def quote(name: str) -> str:
    """*name* as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Table:
    """One table: its name and (column, DuckDB type) pairs, in order."""

    name: str
    columns: tuple[tuple[str, str], ...]
    #: (column, SQL default expression)
    defaults: tuple[tuple[str, str], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    def ddl(self, *, replace: bool = False) -> str:
        default = dict(self.defaults)
        cols = ", ".join(f"{quote(c)} {t}" + (f" DEFAULT {default[c]}" if c in default else "")
                         for c, t in self.columns)
        head = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
        return f"{head} {quote(self.name)} ({cols})"

    def create(self, con, *, replace: bool = False) -> None:
        """Create the table (empty; *replace*: drop a table of that name first)."""
        con.execute(self.ddl(replace=replace))

    def fill(self, con, query: str, params: list | None = None) -> None:
        """Create the table anew and insert *query*'s rows, matched by column name (a
        column the query does not give is NULL; one it gives that the table does not
        have is an error), in the query's order."""
        self.create(con, replace=True)
        con.execute(f"INSERT INTO {quote(self.name)} BY NAME {query}", params or [])

    def arrow(self) -> pa.Schema:
        return pa.schema([(c, _ARROW[t]) for c, t in self.columns])


def _varchar(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, "VARCHAR") for n in names)


#: the provenance a row of records, fields, signs or a raw table is read with: where it
#: was read (the file's SHA-256 names its content). The raw tables start with these
#: columns; ``records``, ``fields`` and ``signs`` are views showing them (:class:`View`)
#: over rows that carry only ``file_id`` and ``record_ref``.
PROVENANCE = ("source", "source_kind", "system", "file", "record_ref", "sha256")
#: the columns a raw table ``src_<name>`` starts with (then the source's own, VARCHAR)
RAW_PREFIX = _varchar(*PROVENANCE)

#: every input file, once: its source (with the source's kind and system), its path as
#: shown (relative to the config's folder), SHA-256 and size. ``file_id`` is drawn from
#: ``file_seq`` (:meth:`audit_kit.warehouse.SourceSink.file`).
FILES = Table("files", (
    ("file_id", "BIGINT"), *_varchar("source", "source_kind", "system", "file", "sha256"),
    ("bytes", "BIGINT"),
))
#: the columns a row of record_rows, field_rows and sign_rows starts with: its file and
#: where in the file (``line 12``, ``offset 4096``, ``card 3``, a Maildir file name)
ROW_PREFIX = (("file_id", "BIGINT"), ("record_ref", "VARCHAR"))

#: one row per appearance of a person in a source (see vocab.ROLES); ``rec_id`` is
#: drawn from the sequence ``rec_seq`` (a stable id: GX substitutes tables by
#: subqueries, where rowid is gone)
RECORD_ROWS = Table("record_rows", (
    *ROW_PREFIX,
    ("role", "VARCHAR"),
    ("person_name", "VARCHAR"),
    ("org_name", "VARCHAR"),
    ("business_id", "VARCHAR"),
    ("email", "VARCHAR"),
    ("phone", "VARCHAR"),
    ("ended_on", "DATE"),
    ("last_activity", "DATE"),
    ("requested_on", "DATE"),
    ("detail", "VARCHAR"),
    # a rights record's recorded handling (loaders/tabular.py): an erasure request's
    # decision (erased / refused), its date, whether its deadline was extended and the
    # reason given; a marketing-list entry's ban marker (decision = banned)
    ("decision", "VARCHAR"),
    ("decided_on", "DATE"),
    ("extended", "BOOLEAN"),
    ("reason", "VARCHAR"),
    ("rec_id", "BIGINT"),
), defaults=(("rec_id", "nextval('rec_seq')"),))

#: one row per personal-data value of a record (see vocab.FIELD_CLASSES)
FIELD_ROWS = Table("field_rows", (*ROW_PREFIX, *_varchar("field", "label", "value")))

#: what a source shows that is no person's value. ``sign``: column, sheet (``label`` its
#: name), list-unsubscribe, precedence-bulk (a message from the organisation's own
#: domain), recipients (``n`` external recipients of one message or queue id)
SIGN_ROWS = Table("sign_rows", (*ROW_PREFIX, ("sign", "VARCHAR"), ("label", "VARCHAR"),
                                ("n", "BIGINT")))


@dataclass(frozen=True)
class View:
    """A table of rows (``file_id``, ``record_ref``, ...) shown with its provenance: the
    :data:`PROVENANCE` columns (from ``files``), then the rows' own columns. What the
    rules, people resolution, the report and the notebooks read."""

    name: str
    rows: Table

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        own = self.rows.columns[len(ROW_PREFIX):]
        return (*RAW_PREFIX, *own)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.columns)

    def ddl(self) -> str:
        own = ", ".join(f"r.{quote(c)}" for c, _ in self.rows.columns[len(ROW_PREFIX):])
        return (f"CREATE VIEW IF NOT EXISTS {quote(self.name)} AS SELECT f.source, "
                "f.source_kind, f.system, f.file, r.record_ref, f.sha256, "
                f"{own} FROM {quote(self.rows.name)} r JOIN files f USING (file_id)")

    def create(self, con, *, replace: bool = False) -> None:
        con.execute(self.ddl())


RECORDS = View("records", RECORD_ROWS)
FIELDS = View("fields", FIELD_ROWS)
SIGNS = View("signs", SIGN_ROWS)

#: input records that could not be loaded, with the reason
REJECTS = Table("rejects", _varchar("source", "source_kind", "file", "record_ref", "reason"))

#: per source: records read, loaded, rejected, and the format detected
LOAD_COUNTS = Table("load_counts", (
    *_varchar("source", "source_kind", "system", "format"),
    ("files", "BIGINT"), ("records_read", "BIGINT"), ("records_loaded", "BIGINT"),
    ("records_rejected", "BIGINT"), ("note", "VARCHAR"),
))

#: the tables and views :func:`audit_kit.warehouse.connect` creates
CANONICAL = (FILES, RECORD_ROWS, FIELD_ROWS, SIGN_ROWS, RECORDS, FIELDS, SIGNS, REJECTS,
             LOAD_COUNTS)

#: one row: the audit date every rule reads (rules.AS_OF)
AUDIT_PARAMS = Table("audit_params", (("as_of", "DATE"),))

#: per record and identifier, the record it links to (people.resolve)
LINKS = Table("links", (
    ("rec_id", "BIGINT"), ("kind", "VARCHAR"), ("identifier", "VARCHAR"),
    ("linked_rec_id", "BIGINT"), ("linked_source", "VARCHAR"),
    ("linked_record_ref", "VARCHAR"), ("name_agrees", "BOOLEAN"),
))
#: per record, its person (subject_id: a keyed pseudonym) and why
PERSONS = Table("persons", (
    ("rec_id", "BIGINT"), ("source", "VARCHAR"), ("record_ref", "VARCHAR"),
    ("linked_by", "VARCHAR"), ("name_agrees", "BOOLEAN"), ("person_data", "BOOLEAN"),
    ("subject_id", "VARCHAR"),
))
#: per person: records, sources, roles
SUBJECTS = Table("subjects", (
    ("subject_id", "VARCHAR"), ("records", "BIGINT"), ("n_sources", "BIGINT"),
    ("sources", "VARCHAR"), ("roles", "VARCHAR"), ("person_data", "BOOLEAN"),
    ("name_conflict", "BOOLEAN"),
))

#: erased people, by keyed hash (subject.load_tombstones)
TOMBSTONES = Table("tombstones", (
    ("hash", "VARCHAR"), ("kind", "VARCHAR"), ("erased_on", "DATE"), ("key_id", "VARCHAR"),
    ("file", "VARCHAR"),
))
#: the keyed hash of every distinct e-mail/phone in records under each tombstone key
IDENTIFIER_HASHES = Table("identifier_hashes", _varchar("kind", "identifier", "key_id", "hash"))

#: the tables of the run's other stages, in the order they are written
STAGES = (AUDIT_PARAMS, LINKS, PERSONS, SUBJECTS, TOMBSTONES, IDENTIFIER_HASHES)


def tables() -> tuple[Table | View, ...]:
    """Every table a run creates but the raw ``src_`` tables: the canonical tables, the
    stages' and the rule families' fact tables."""
    from audit_kit.rules import families

    return (*CANONICAL, *STAGES, *(f.schema for fam in families() for f in fam.facts))


#: the sequences the tables' defaults draw from
SEQUENCES = ("rec_seq", "file_seq")


def create_canonical(con) -> None:
    """The sequences and :data:`CANONICAL` tables (if not there yet)."""
    for s in SEQUENCES:
        con.execute(f"CREATE SEQUENCE IF NOT EXISTS {s}")
    for t in CANONICAL:
        t.create(con)


def create_all(con) -> None:
    """Every table of :func:`tables`, empty (the GX project's test warehouse)."""
    create_canonical(con)
    for t in tables():
        t.create(con)


def by_name() -> dict[str, Table | View]:
    return {t.name: t for t in tables()}


def raw_columns(columns) -> Iterator[str]:
    """A raw table's column names: :data:`RAW_PREFIX`, then *columns*; duplicates
    (case-insensitive) get a ``_2`` suffix, an empty name is ``column``."""
    seen: dict[str, int] = {}
    for c in (*PROVENANCE, *columns):
        base = str(c) if str(c).strip() else "column"
        n = seen.get(base.lower(), 0) + 1
        seen[base.lower()] = n
        yield base if n == 1 else f"{base}_{n}"
