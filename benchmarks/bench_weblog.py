"""Benchmark the web_access_log loader (issue 20): ``python -m benchmarks.bench_weblog``.

Generates an Apache combined access log of ``--lines`` lines (default 2,000,000: a busy
small site's year) and measures, in the same run:

* raw read: DuckDB reading the lines into a table (its CSV reader, one VARCHAR column,
  as the loader's line reader does for a plain file): the floor;
* baseline: a plain-Python loop with a precompiled regex extracting the client,
  timestamp, request, status, referrer and user agent, and aggregating per visitor and
  day (what the loader computes, without bots, URL data or hashing);
* loader: ``audit_kit.loaders.web_access_log.load`` into an in-memory warehouse.

Prints seconds, lines/s and the ratios (medians with ``--repeat N``). The traffic:
20,000 visitors (a tenth IPv6) in visits of 3-15 requests, a quarter of the visits a
crawler's single request, one request in 2,000 with an e-mail address in its query
string. Not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PAGES = ("/", "/tuotteet/kopiokoneet", "/tuotteet/tulostimet", "/huolto", "/yhteystiedot",
         "/tarjouspyynto", "/ajankohtaista", "/wp-content/themes/okp/style.css",
         "/wp-content/themes/okp/img/hero.jpg", "/favicon.ico", "/tuotteet?sivu=2&tuote=48213")
AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
)
BOTS = ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)")


def generate(path: Path, lines: int, seed: int = 20) -> int:
    """Write *lines* combined-format lines to *path*, a year from 1.1.2026; the byte size.

    Visits, not lines, are drawn: a person's visit is 3-15 requests (pages and their
    assets) within a few minutes, a crawler's one request."""
    rng = random.Random(seed)
    visitors = [f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}."
                f"{rng.randrange(1, 255)}" for _ in range(18_000)]
    visitors += [f"2001:db8:{rng.randrange(65536):x}::{rng.randrange(65536):x}"
                 for _ in range(2_000)]
    bots = [f"66.249.{rng.randrange(64, 80)}.{rng.randrange(1, 255)}" for _ in range(200)]
    t = 1_767_225_600.0  # 2026-01-01 00:00 UTC
    step = 365 * 86400 / lines
    n = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        out: list[str] = []
        while n < lines:
            if rng.random() < 0.25:
                visit = [(rng.choice(bots), rng.choice(BOTS), "-", rng.choice(PAGES))]
            else:
                ip, ua = rng.choice(visitors), rng.choice(AGENTS)
                ref = "https://www.google.com/"
                visit = []
                for _ in range(rng.randrange(3, 16)):
                    page = rng.choice(PAGES)
                    if rng.random() < 0.0005:
                        page = f"/yhteystiedot/kiitos?lahettaja=user{n % 97}%40example.fi"
                    visit.append((ip, ua, ref, page))
                    ref = "https://www.oulunkonttori.fi" + page
            for ip, ua, ref, page in visit[:lines - n]:
                t += rng.random() * 2 * step
                tm = time.gmtime(t + 7200)  # +0200
                stamp = (f"{tm.tm_mday:02d}/{MONTHS[tm.tm_mon - 1]}/{tm.tm_year}:"
                         f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} +0200")
                out.append(f'{ip} - - [{stamp}] "GET {page} HTTP/1.1" '
                           f'{rng.choice((200, 200, 304, 404))} {rng.randrange(100, 90000)} '
                           f'"{ref}" "{ua}"\n')
                n += 1
            if len(out) >= 50_000:
                f.write("".join(out))
                out.clear()
        f.write("".join(out))
    return path.stat().st_size


def raw_read(path: Path) -> int:
    """DuckDB's CSV reader splitting the file into a one-column table (the loader's
    line reader for a plain file); the line count."""
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT line FROM read_csv(?, columns = {'line': 'VARCHAR'}, "
                "delim = chr(1), quote = '', escape = '', header = false, auto_detect = false, "
                "new_line = '\\n', max_line_size = 1073741824, compression = 'none')",
                [str(path)])
    return con.execute("SELECT count(*) FROM t").fetchone()[0]


_LINE = re.compile(
    r'^(\S+) (\S+) (\S+) \[(\d{2})/(\w{3})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\] '
    r'"((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?')


def baseline(path: Path) -> int:
    """A plain-Python loop: the regex per line, then per (client, day) the count and the
    first and last time; returns the lines parsed."""
    agg: dict[tuple[str, str], list] = {}
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = _LINE.match(line)
            if m is None:
                continue
            n += 1
            key = (m.group(1), m.group(6) + m.group(5) + m.group(4))
            hms = m.group(7) + m.group(8) + m.group(9)
            a = agg.get(key)
            if a is None:
                agg[key] = [1, hms, hms]
            else:
                a[0] += 1
                a[1] = min(a[1], hms)
                a[2] = max(a[2], hms)
    return n


def run_loader(path: Path) -> int:
    from audit_kit.config import SourceConfig
    from audit_kit.loaders.web_access_log import load
    from audit_kit.warehouse import SourceSink, connect

    con = connect()
    sink = SourceSink(con, source="web", kind="web_access_log", system="web_server")
    res = load(SourceConfig(name="web", kind="web_access_log", path=path, system="web_server"),
               sink)
    sink.flush()
    assert res.reconciles and res.records_rejected == 0, res
    return res.records_loaded


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--path", type=Path, help="an existing access log instead")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("AUDIT_KIT_KEY_FILE", str(Path(tmp) / "key" / "subject.key"))
        path = args.path
        if path is None:
            path = Path(tmp) / "access.log"
            t0 = time.perf_counter()
            size = generate(path, args.lines)
            print(f"generated {args.lines:,} lines, {size / 1e6:.0f} MB in "
                  f"{time.perf_counter() - t0:.1f} s")
        times: dict[str, list[float]] = {"raw read (DuckDB)": [], "baseline (Python re)": [],
                                         "loader": []}
        counts = {}
        for _ in range(args.repeat):
            for name, fn in (("raw read (DuckDB)", raw_read), ("baseline (Python re)", baseline),
                             ("loader", run_loader)):
                t0 = time.perf_counter()
                counts[name] = fn(path)
                times[name].append(time.perf_counter() - t0)
        raw = statistics.median(times["raw read (DuckDB)"])
        for name, ts in times.items():
            s = statistics.median(ts)
            print(f"{name:<22} {s:7.2f} s  {counts[name] / s:>12,.0f} lines/s  "
                  f"{s / raw:5.1f} x raw read")


if __name__ == "__main__":
    main()
