"""Time render_report (notebook execution + HTML export) on a demo run.

    AUDIT_KIT_KEY_FILE=/tmp/bench.key python benchmarks/bench_report.py [--repeats 5]

Generates the demo company in a temporary folder, audits it once without a report, then
renders the report --repeats times (fi, en, reveal alternating) and prints each time and the
median. The budget is 15 s per render. Also times the GX Data Docs build once.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as td:
        os.environ.setdefault("AUDIT_KIT_KEY_FILE", str(Path(td) / "subject.key"))
        from audit_kit.config import load_config
        from audit_kit.demo import generate
        from audit_kit.pipeline import run_audit
        from audit_kit.policy import load_policy
        from audit_kit.report import render_report
        from audit_kit.report.datadocs import build_data_docs
        from audit_kit.rules import build_rules

        base = Path(td)
        generate(base / "data")
        result = run_audit(base / "data" / "config.yaml", out=base / "out", report=False)
        print(
            f"demo run: {len(result.findings)} findings, "
            f"{sum(s['records_read'] for s in result.manifest['sources'])} records"
        )
        times = []
        for i in range(args.repeats):
            lang, reveal = (("fi", False), ("en", False), ("fi", True))[i % 3]
            t0 = time.perf_counter()
            render_report(result.out, lang=lang, reveal=reveal)
            times.append(time.perf_counter() - t0)
            print(
                f"render_report #{i + 1} ({lang}{', reveal' if reveal else ''}): {times[-1]:.2f} s"
            )
        med = statistics.median(times)
        print(
            f"render_report median {med:.2f} s, max {max(times):.2f} s "
            f"(budget 15 s: {'OK' if max(times) < 15 else 'OVER'})"
        )
        policy = load_policy(load_config(base / "data" / "config.yaml").policy)
        t0 = time.perf_counter()
        build_data_docs(result.out, build_rules(policy))
        print(f"build_data_docs: {time.perf_counter() - t0:.2f} s")
    return 0 if max(times) < 15 else 1


if __name__ == "__main__":
    raise SystemExit(main())
