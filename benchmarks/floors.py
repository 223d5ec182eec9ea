"""Where a loader's time has to go: the floors under each loader (issue 9's profile).

``python -m benchmarks.floors --scale 1`` reads the warehouse a runner run left in
``benchmarks/work/out-<S>/staged/`` and the inputs in ``benchmarks/work/scale-<S>/`` and
measures, per source, in the same run:

* **hash**: the SHA-256 of its input files, as ``warehouse.sha256_file`` reads them
  (provenance every loader must compute; one core);
* **write**: the rows that source left in the warehouse -- its rows of ``record_rows``,
  ``field_rows``, ``rejects`` and ``files`` and its ``src_<name>*`` tables -- already parsed,
  in memory as Arrow, inserted into a new file warehouse (same settings as
  ``warehouse.connect``) in one transaction, its commit untimed as a loader's is: what
  storing the required output costs with no parsing at all.

``hash + write`` is a floor: no parser gets a loader under it without the warehouse
keeping less. Where ``floor > plain / 5`` the "5x its plain-Python baseline" target is
out of reach by construction (those baselines stop at Python tuples and write nothing),
and where ``floor > 5 x raw read`` so is "within 5x of the raw read".

With ``--json FILE`` (a runner result) the loader's own time, the plain baseline and the
raw read of that run are printed beside the floors. Not a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from audit_kit import schema, warehouse
from benchmarks import scale as S

HERE = Path(__file__).resolve().parent
#: the canonical rows a loader writes (signs, a handful, are left out)
_ROW_TABLES = (schema.RECORD_ROWS.name, schema.FIELD_ROWS.name)


def _hash_s(path: Path) -> tuple[float, int]:
    files = S.input_paths(path)
    t = time.perf_counter()
    for p in files:
        warehouse.sha256_file(p)
    return time.perf_counter() - t, len(files)


def _source_tables(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """target table -> query for this source's rows (canonical tables and src_ tables)."""
    lit = "'" + source.replace("'", "''") + "'"
    out = {t: f"SELECT * FROM {t} WHERE source = {lit}" for t in ("rejects", "files")}
    for t in _ROW_TABLES:  # rows of the source's files
        out[t] = (f"SELECT * FROM {t} WHERE file_id IN "
                  f"(SELECT file_id FROM files WHERE source = {lit})")
    prefix = warehouse.raw_table_name(source)
    for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "ORDER BY table_name"
    ).fetchall():
        if name == prefix or name.startswith(prefix + "_"):
            out[name] = f'SELECT * FROM "{name}"'
    return out


def write_floor(con: duckdb.DuckDBPyConnection, source: str, folder: Path) -> dict:
    """Rows and seconds to write this source's output rows from Arrow into a new file
    warehouse, in one transaction (the Arrow is fetched first, untimed)."""
    arrows = {t: con.sql(q).to_arrow_table() for t, q in _source_tables(con, source).items()}
    rows = {t: a.num_rows for t, a in arrows.items()}
    out = warehouse.connect(folder / f"floor-{source}.duckdb")
    try:
        for t, a in arrows.items():
            out.register(f"_a_{t}", a)
            if t not in (*_ROW_TABLES, "rejects", "files"):  # a raw table
                schema.Table(t, tuple((c, "VARCHAR") for c in a.schema.names)).create(out)
        # the inserts in one transaction; its commit is not timed, as a loader's is not
        # (the pipeline commits after the loader call the runner times)
        out.begin()
        t0 = time.perf_counter()
        for t in arrows:
            out.execute(f'INSERT INTO "{t}" SELECT * FROM _a_{t}')
        write_s = time.perf_counter() - t0
        out.commit()
    finally:
        out.close()
    return {"rows": rows, "write_s": write_s}


def floors(scale: float, log=print) -> dict[str, dict]:
    root = S.scale_dir(scale)
    wh = HERE / "work" / f"out-{scale:g}" / "staged" / "warehouse.duckdb"
    if not wh.exists():
        raise SystemExit(f"{wh}: no warehouse; run `python -m benchmarks --scale {scale:g}` first")
    result: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="ak-floor-") as tmp:
        try:
            con = duckdb.connect(str(wh), read_only=True)
        except (duckdb.ConnectionException, duckdb.IOException):
            # the runner's GX engine holds it open (and locked): read a copy (the run's
            # writes were committed and checkpointed when its pipeline closed it)
            copy = Path(tmp) / "copy" / wh.name
            copy.parent.mkdir()
            for p in (wh, wh.with_name(wh.name + ".wal")):
                if p.exists():
                    shutil.copyfile(p, copy.parent / p.name)
            con = duckdb.connect(str(copy), read_only=True)
        try:
            for name, kind, rel, _system in S.SOURCES:
                if not (root / rel).exists():
                    continue
                hash_s, nfiles = _hash_s(root / rel)
                w = write_floor(con, name, Path(tmp))
                for p in Path(tmp).glob("floor-*"):
                    p.unlink()
                result[name] = {
                    "kind": kind,
                    "files": nfiles,
                    "hash_s": hash_s,
                    **w,
                    "floor_s": hash_s + w["write_s"],
                }
                log(
                    f"  {name}: hash {hash_s:.2f} s, write {w['write_s']:.2f} s "
                    f"({sum(w['rows'].values()):,} rows)"
                )
        finally:
            con.close()
    return result


def summarise(fl: dict[str, dict], run: dict | None = None) -> str:
    """The floors, and beside them (from a runner result) ours, plain and raw."""
    loaders = (run or {}).get("loaders", {})
    head = (
        f"{'source':<20}{'rows':>11}{'hash s':>8}{'write s':>9}{'floor s':>9}"
        + (
            f"{'ours s':>9}{'plain s':>9}{'raw s':>8}{'plain/5':>9}{'raw x5':>8}  "
            "what the floor says"
            if loaders
            else ""
        )
        + "\n"
    )
    out = [head]
    for name, f in fl.items():
        line = (
            f"{name:<20}{sum(f['rows'].values()):>11,}{f['hash_s']:>8.2f}"
            f"{f['write_s']:>9.2f}{f['floor_s']:>9.2f}"
        )
        L = loaders.get(name)
        if L and L.get("ours_s"):
            plain5 = (L["plain_s"] or 0) / 5
            raw5 = L["raw_read_s"] * 5
            verdict = []
            verdict.append(
                "5x plain out of reach" if f["floor_s"] > plain5 else "5x plain possible"
            )
            verdict.append("5x raw out of reach" if f["floor_s"] > raw5 else "5x raw possible")
            line += (
                f"{L['ours_s']:>9.2f}{(L['plain_s'] or 0):>9.2f}{L['raw_read_s']:>8.3f}"
                f"{plain5:>9.3f}{raw5:>8.3f}  {', '.join(verdict)}"
            )
        out.append(line + "\n")
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.floors", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--json", type=Path, help="a runner result (python -m benchmarks --json)")
    ap.add_argument("--out", type=Path, help="write the floors here as JSON")
    args = ap.parse_args(argv)
    fl = floors(args.scale)
    run = None
    if args.json:
        doc = json.loads(args.json.read_text())
        run = next((r for r in doc["results"] if r["scale"] == args.scale), None)
    print(summarise(fl, run))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"scale": args.scale, "floors": fl}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
