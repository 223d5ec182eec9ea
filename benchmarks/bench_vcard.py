"""Benchmark the vcard loader (issue 9): ``python -m benchmarks.bench_vcard --scale 1``.

Loads the scaled company's Android vCard backup (``benchmarks/work/scale-<S>/phone/
yhteystiedot.vcf``; generate it first with ``python -m benchmarks --scale S --kinds vcard
--no-baselines``) and measures, in the same run and on the same file, interleaved
``--repeat`` times (median printed):

* raw read: the file in 8 MiB blocks (the floor);
* vobject: ``vobject.readComponents`` over the file (the plain baseline of the issue);
* line loop: a plain unfold-and-split loop (``bench_registers.plain_vcard_lines``);
* loader: ``audit_kit.loaders.vcard.load`` into a fresh in-memory warehouse, the final
  ``sink.flush()`` included, in-process (``workers=1``) and with the process pool
  (``workers=2``; spawning the workers is included).

Prints cards/s and the ratios to vobject and to the raw read. Not a test: the numbers
depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from benchmarks import runner
from benchmarks.bench_registers import HERE, INPUTS, load_into, plain_vcard_lines, warm_up


def ours(path: Path, workers: int) -> int:
    """Cards loaded by the vcard loader (the call and the final flush are what is timed)."""
    r, con = load_into("vcard", path, "android_backup", workers=workers)
    con.close()
    assert r.reconciles
    return r.records_loaded


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="0.25")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--no-plain", action="store_true", help="skip vobject and the line loop")
    a = ap.parse_args(argv)
    path = HERE / "work" / f"scale-{a.scale}" / INPUTS["vcard"]
    if not path.exists():
        print(f"{path} missing; run python -m benchmarks --scale {a.scale} --kinds vcard "
              "--no-baselines first")
        return 1
    warm_up("vcard", path)
    contenders = {"raw read": lambda: runner.raw_read(path)}
    if not a.no_plain:
        contenders["vobject"] = lambda: runner._plain_vcard(path)
        contenders["line loop"] = lambda: plain_vcard_lines(path)
    contenders["loader, 1 process"] = lambda: ours(path, 1)
    contenders["loader, 2 processes"] = lambda: ours(path, 2)
    times: dict[str, list[float]] = {k: [] for k in contenders}
    cards = 0
    for _ in range(a.repeat):
        for label, fn in contenders.items():
            t = time.perf_counter()
            got = fn()
            times[label].append(time.perf_counter() - t)
            if label.startswith("loader"):
                cards = got
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"scale {a.scale}: {path.stat().st_size / 1e6:.1f} MB, {cards} cards, "
          f"median of {a.repeat}")
    for label, t in med.items():
        ratios = []
        if label.startswith("loader"):
            if "vobject" in med:
                ratios.append(f"{med['vobject'] / t:.1f}x faster than vobject")
            ratios.append(f"{t / med['raw read']:.0f}x raw read")
        print(f"{label:<21}{t:9.3f} s{cards / t:12,.0f} cards/s   {', '.join(ratios)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
