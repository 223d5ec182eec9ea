"""Benchmark the register and contact loaders (issue 9): ``python -m benchmarks.bench_registers``.

Loads the scaled company's customer register (``customers_csv``), phone-contact vCard
backup (``vcard``) and Google contacts CSV (``google_contacts_csv``) from
``benchmarks/work/scale-<S>/`` (generate them first with ``python -m benchmarks --scale S
--kinds customers_csv,vcard,google_contacts_csv --no-baselines``) into an in-memory
warehouse and measures, in the same run and on the same file:

* raw read: the file in 8 MiB blocks (the floor);
* plain: the obvious plain-Python loader (stdlib ``csv``: decode, split, a tuple per row
  with the e-mail lower-cased, as ``benchmarks.runner`` does; for the vCard both
  ``vobject.readComponents`` and a plain line loop that unfolds lines and splits
  ``NAME;PARAMS:VALUE`` into tuples per card);
* loader: the registered loader into a fresh in-memory warehouse, ``sink.flush()``
  included.

Each is repeated ``--repeat`` times (default 3); the median is printed with rows/s and
the ratios (loader / plain, loader / raw). Not a test: the numbers depend on the machine.
``--profile KIND`` prints a cProfile of one loader run instead.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from benchmarks import runner

HERE = Path(__file__).resolve().parent

INPUTS = {  # kind -> input under scale-<S>
    "customers_csv": "billing/asiakasrekisteri.csv",
    "vcard": "phone/yhteystiedot.vcf",
    "google_contacts_csv": "phone/google_contacts.csv",
}


def plain_vcard_lines(path: Path) -> int:
    """A plain line loop: unfold, split each content line, one list of tuples per card."""
    n = 0
    card: list[tuple[str, str, str]] | None = None
    cards = []
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().splitlines()
    prev: list[str] | None = None
    for line in lines:
        if line[:1] in (" ", "\t") and prev is not None:
            prev[0] += line[1:]
            continue
        if prev is not None and card is not None:
            head, _, value = prev[0].partition(":")
            name, _, params = head.partition(";")
            card.append((name.upper(), params, value))
        prev = None
        up = line.upper()
        if up == "BEGIN:VCARD":
            card = []
        elif up == "END:VCARD":
            if card is not None:
                cards.append(card)
                n += 1
            card = None
        elif card is not None and line:
            prev = [line]
    return n


def load(kind: str, path: Path) -> tuple[float, int, int]:
    """(seconds, records loaded, field rows): the loader call and the final flush only."""
    # every run starts cold: no number or text seen before (functools caches cleared)
    import sys

    for name, mod in list(sys.modules.items()):
        if name == "audit_kit.normalise" or name.startswith("audit_kit.loaders."):
            for fn in vars(mod).values():
                if callable(getattr(fn, "cache_clear", None)):
                    fn.cache_clear()
    t = time.perf_counter()
    res, con = load_into(kind, path, "billing")
    took = time.perf_counter() - t
    fields = con.execute("SELECT count(*) FROM fields").fetchone()[0]
    con.close()
    return took, res.records_loaded, fields


def load_into(kind: str, path: Path, system: str, **kw):
    """(LoadResult, connection): one loader call into a fresh in-memory warehouse, flushed."""
    from audit_kit import warehouse
    from audit_kit.config import SourceConfig
    from audit_kit.loaders import get_loader

    con = warehouse.connect()
    sink = warehouse.SourceSink(con, source="bench", kind=kind, system=system)
    res = get_loader(kind)(SourceConfig(name="bench", kind=kind, path=path, system=system),
                           sink, **kw)
    sink.flush()
    return res, con


def parse(ap: argparse.ArgumentParser, argv: list[str] | None) -> tuple[argparse.Namespace, Path]:
    """The parsed options and the cached inputs' folder of their ``--scale``."""
    a = ap.parse_args(argv)
    return a, HERE / "work" / f"scale-{a.scale}"


def parser(doc: str, inputs: dict) -> argparse.ArgumentParser:
    """The options every loader benchmark over the workload's cached inputs has."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--scale", default="0.25")
    ap.add_argument("--kinds", default=",".join(inputs))
    ap.add_argument("--repeat", type=int, default=3)
    return ap


def warm_up(kind: str, path: Path) -> None:
    """Load the first ~200 records once (imports, phonenumbers metadata), untimed."""
    import tempfile

    data = path.read_bytes()
    cut = data.find(b"END:VCARD", 0)
    for _ in range(200):
        nxt = data.find(b"END:VCARD" if kind == "vcard" else b"\n", cut + 1)
        cut = nxt if nxt > 0 else len(data)
    with tempfile.TemporaryDirectory() as d:
        small = Path(d) / path.name
        small.write_bytes(data[: data.find(b"\n", cut) + 1 if kind == "vcard" else cut + 1])
        load(kind, small)


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__, INPUTS)
    ap.add_argument("--no-plain", action="store_true", help="skip the plain-Python baselines")
    ap.add_argument("--profile", metavar="KIND", help="cProfile one loader run of KIND")
    a, root = parse(ap, argv)
    from audit_kit.loaders import source_kinds

    source_kinds()  # import every loader before timing
    if a.profile:
        import cProfile
        import pstats

        path = root / INPUTS[a.profile]
        pr = cProfile.Profile()
        pr.enable()
        load(a.profile, path)
        pr.disable()
        pstats.Stats(pr).sort_stats("cumulative").print_stats(35)
        pstats.Stats(pr).sort_stats("tottime").print_stats(25)
        return 0
    print(f"scale {a.scale}, median of {a.repeat}")
    print(f"{'kind':<22}{'what':<14}{'seconds':>9}{'rows/s':>11}   ratio")
    for kind in a.kinds.split(","):
        path = root / INPUTS[kind]
        if not path.exists():
            print(f"{kind}: {path} missing; run python -m benchmarks --scale {a.scale} "
                  f"--kinds {kind} --no-baselines first")
            continue
        warm_up(kind, path)
        raw_t, plain_t, load_t = [], {}, []
        rows = fields = 0
        for _ in range(a.repeat):
            raw_t.append(timed(runner.raw_read, path)[0])
            if not a.no_plain:
                for name in (["vobject", "line loop"] if kind == "vcard" else [None]):
                    t = time.perf_counter()
                    if name == "line loop":
                        plain_vcard_lines(path)
                    elif name == "vobject":
                        runner._plain_vcard(path)
                    else:
                        name = runner.PLAIN[kind][0]
                        runner.PLAIN[kind][1](path)
                    plain_t.setdefault(name, []).append(time.perf_counter() - t)
            t, rows, fields = load(kind, path)
            load_t.append(t)
        raw = statistics.median(raw_t)
        lt = statistics.median(load_t)
        mb = path.stat().st_size / 1e6
        print(f"{kind:<22}{'raw read':<14}{raw:>9.3f}{rows / raw:>11,.0f}   ({mb:.1f} MB)")
        for name, ts in plain_t.items():
            pt = statistics.median(ts)
            print(f"{'':<22}{name:<14}{pt:>9.3f}{rows / pt:>11,.0f}   loader/plain {lt / pt:.2f}x")
        print(f"{'':<22}{'loader':<14}{lt:>9.3f}{rows / lt:>11,.0f}   loader/raw "
              f"{lt / raw:.0f}x  ({rows} records, {fields} fields; runs "
              f"{', '.join(f'{x:.2f}' for x in load_t)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
