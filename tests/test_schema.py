"""One schema: every table a run creates is declared in audit_kit.schema, and created
from that declaration (no module types DDL of its own)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

import audit_kit
from audit_kit import schema

SRC = Path(audit_kit.__file__).resolve().parent


def _columns(con, table: str) -> list[tuple[str, str]]:
    return [(c, t) for c, t in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [table]
    ).fetchall()]


def test_demo_warehouse_is_the_declared_schema(demo_run):
    _ctx, result = demo_run
    con = duckdb.connect(str(result.out / "warehouse.duckdb"), read_only=True)
    try:
        found = {t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()}
        declared = schema.by_name()
        raw = {t for t in found if t.startswith("src_")}
        assert raw, "the demo's sources have raw tables"
        # every table of the run is declared, and every declared table is there
        assert found - raw == set(declared)
        for name, table in declared.items():
            assert _columns(con, name) == list(table.columns), name
        for name in sorted(raw):
            cols = _columns(con, name)
            assert cols[:len(schema.RAW_PREFIX)] == list(schema.RAW_PREFIX), name
            assert {t for _, t in cols} == {"VARCHAR"}, name
    finally:
        con.close()


#: DDL of a persistent table (a TEMP table is a step's working table, not the schema's)
_DDL = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\b", re.IGNORECASE)


def test_no_module_types_ddl_but_the_schema():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "schema.py" and path.parent == SRC:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if _DDL.search(line):
                offenders.append(f"{path.relative_to(SRC)}:{n}")
    assert offenders == []


def test_create_all_makes_every_declared_table(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    schema.create_all(con)
    for name, table in schema.by_name().items():
        assert _columns(con, name) == list(table.columns), name
    con.execute("INSERT INTO record_rows (record_ref) VALUES ('a'), ('b')")
    assert con.execute("SELECT list(rec_id ORDER BY rec_id) FROM record_rows"
                       ).fetchone()[0] == [1, 2]


def test_provenance_once_per_file(demo_run):
    """Rows carry their file's id; the file's source, kind, system, path and hash are
    in ``files`` once, and the views show every row with them (none lost by the join)."""
    _ctx, result = demo_run
    con = duckdb.connect(str(result.out / "warehouse.duckdb"), read_only=True)
    try:
        for view in (schema.RECORDS, schema.FIELDS, schema.SIGNS):
            rows = view.rows.name
            assert [c for c, _ in _columns(con, rows)][:2] == ["file_id", "record_ref"]
            assert not set(schema.PROVENANCE) - {"record_ref"} & set(view.rows.names)
            (n_rows,) = con.execute(f"SELECT count(*) FROM {rows}").fetchone()
            (n_view,) = con.execute(f"SELECT count(*) FROM {view.name}").fetchone()
            assert n_rows == n_view > 0, view.name
        assert con.execute("SELECT count(*) = count(DISTINCT file_id) FROM files").fetchone()[0]
        # the views' provenance is the file's, as the manifest lists it
        listed = {(s["name"], f["file"], f["sha256"])
                  for s in result.manifest["sources"] for f in s["files"]}
        shown = set(con.execute("SELECT DISTINCT source, file, sha256 FROM records").fetchall())
        assert shown and shown <= listed
        # one source's kind and system on each of its files
        assert con.execute("SELECT count(*) FROM (SELECT source FROM files GROUP BY source "
                           "HAVING count(DISTINCT (source_kind, system)) > 1)").fetchone() == (0,)
    finally:
        con.close()
