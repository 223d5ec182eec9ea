"""Benchmark the postfix_log loader (issue 9): ``python -m benchmarks.bench_postfix --lines N``.

Generates a realistic maillog of N lines (smtpd connect/disconnect, cleanup, qmgr from=,
smtp/local to= with status sent/deferred/bounced, NOQUEUE rejects, a few non-postfix lines)
and measures, in the same run:

* raw read: reading the file in 1 MiB blocks and counting lines (the floor);
* baseline: a plain-Python loop with precompiled regexes extracting the same fields
  (timestamp, host, program, pid, queue id, from, to, orig_to, relay, status);
* loader: ``audit_kit.loaders.postfix.load`` into an in-memory warehouse.

Prints lines/s, MB/s and the ratios (medians with ``--repeat N``), and the loader's CPU
time (all threads). ``--path`` measures existing logs instead (a file or a folder of
rotated logs, e.g. workload L's ``benchmarks/work/scale-1/maillog``); ``--warehouse``
loads into a DuckDB file in one transaction, as the pipeline does (the default is an
in-memory warehouse). Not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_QID_CHARS = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"


def generate(path: Path, lines: int, *, iso: bool = False, seed: int = 9) -> int:
    """Write *lines* log lines to *path*; returns the byte size."""
    rng = random.Random(seed)
    externals = [f"user{i}@customer{i % 97}.example.fi" for i in range(5000)]
    staff = [f"staff{i}@oulunkonttori.fi" for i in range(20)]
    t = 1_780_000_000.0  # 2026-05-28
    out: list[str] = []
    n = 0
    pid = 1000

    def stamp() -> str:
        tm = time.gmtime(t)
        if iso:
            return time.strftime("%Y-%m-%dT%H:%M:%S", tm) + f".{int(t * 1e6) % 1_000_000:06d}+03:00"
        return f"{MONTHS[tm.tm_mon - 1]} {tm.tm_mday:2d} {time.strftime('%H:%M:%S', tm)}"

    with open(path, "w", encoding="utf-8", newline="\n") as f:
        while n < lines:
            t += rng.random() * 2
            ts = stamp()
            pid = (pid + rng.randrange(1, 50)) % 60000 + 100
            ip = f"192.0.2.{rng.randrange(1, 255)}"
            r = rng.random()
            if r < 0.12:
                out.append(
                    f"{ts} mx1 postfix/smtpd[{pid}]: NOQUEUE: reject: RCPT from unknown[{ip}]: "
                    f"450 4.7.25 Client host rejected: cannot find your hostname, [{ip}]; "
                    f"from=<{rng.choice(externals)}> to=<{rng.choice(staff)}> proto=ESMTP "
                    f"helo=<x{pid}>"
                )
                n += 1
                continue
            if r < 0.14:
                out.append(f"{ts} mx1 CRON[{pid}]: (root) CMD (command -v debian-sa1 > /dev/null)")
                n += 1
                continue
            qid = (
                "".join(rng.choice(_QID_CHARS) for _ in range(15))
                if rng.random() < 0.3
                else (f"{rng.randrange(16**10):010X}")
            )
            inbound = rng.random() < 0.5
            sender = rng.choice(externals if inbound else staff)
            rcpts = [
                rng.choice(staff if inbound else externals) for _ in range(rng.choice((1, 1, 1, 2)))
            ]
            out.append(f"{ts} mx1 postfix/smtpd[{pid}]: connect from mail.example.net[{ip}]")
            out.append(f"{ts} mx1 postfix/smtpd[{pid}]: {qid}: client=mail.example.net[{ip}]")
            out.append(
                f"{ts} mx1 postfix/cleanup[{pid + 1}]: {qid}: message-id=<{qid}.{pid}@example.net>"
            )
            out.append(
                f"{ts} mx1 postfix/qmgr[812]: {qid}: from=<{sender}>, "
                f"size={rng.randrange(900, 90000)}, "
                f"nrcpt={len(rcpts)} (queue active)"
            )
            for rc in rcpts:
                st = rng.random()
                status = (
                    "sent (250 2.0.0 Ok: queued as 4Xz)"
                    if st < 0.9
                    else "deferred (connect to mx.example.net[192.0.2.9]:25: Connection timed out)"
                    if st < 0.97
                    else "bounced (host mx.example.net[192.0.2.9] said: 550 5.1.1 User unknown)"
                )
                dsn = "2.0.0" if st < 0.9 else "4.4.1" if st < 0.97 else "5.1.1"
                if inbound:
                    out.append(
                        f"{ts} mx1 postfix/local[{pid + 2}]: {qid}: to=<{rc}>, relay=local, "
                        "delay=0.12, "
                        f"delays=0.05/0.01/0/0.06, dsn={dsn}, status={status}"
                    )
                else:
                    out.append(
                        f"{ts} mx1 postfix/smtp[{pid + 2}]: {qid}: to=<{rc}>, "
                        "relay=mx.example.net[192.0.2.9]:25, "
                        f"delay=1.2, delays=0.1/0.02/0.5/0.58, dsn={dsn}, status={status}"
                    )
            out.append(f"{ts} mx1 postfix/qmgr[812]: {qid}: removed")
            out.append(
                f"{ts} mx1 postfix/smtpd[{pid}]: disconnect from mail.example.net[{ip}] ehlo=1 "
                "mail=1 "
                f"rcpt=1 data=1 quit=1 commands=5"
            )
            n += 6 + len(rcpts)
            if len(out) >= 100_000:
                f.write("\n".join(out) + "\n")
                out.clear()
        if out:
            f.write("\n".join(out) + "\n")
    # trim to exactly *lines* lines
    with open(path, "rb+") as f:
        data_len = 0
        count = 0
        for line in f:
            count += 1
            data_len += len(line)
            if count == lines:
                break
        f.truncate(data_len)
    return os.path.getsize(path)


_HEAD = re.compile(
    rb"^(\d{4}-\d\d-\d\dT\S+|[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d) (\S+) "
    rb"([^\s\[\]:]+)(?:\[(\d+)\])?: "
    rb"(?:([0-9A-F]{6,}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,}|NOQUEUE): )?(.*)$"
)
_FIELDS = {
    k: re.compile(rb"(?:^|[\s,;])" + k.encode() + rb"=(<[^>]*>|[^\s,]*)")
    for k in ("from", "to", "orig_to", "relay", "status")
}


def raw_read(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            n += block.count(b"\n")
    return n


def baseline(path: Path) -> int:
    """The plain regex loop: every field of every line, into a list of tuples."""
    rows = []
    fr, to, ot, rl, st = (_FIELDS[k] for k in ("from", "to", "orig_to", "relay", "status"))
    with open(path, "rb") as f:
        for line in f:
            m = _HEAD.match(line.rstrip(b"\n"))
            if m is None:
                rows.append(None)
                continue
            msg = m.group(6)
            vals = []
            for rx in (fr, to, ot, rl, st):
                mm = rx.search(msg)
                vals.append(mm.group(1) if mm else None)
            rows.append((*m.groups(), *vals))
    return len(rows)


def run_loader(path: Path, warehouse_dir: Path | None = None) -> int:
    from audit_kit import warehouse
    from audit_kit.config import SourceConfig
    from audit_kit.loaders.postfix import load

    db = None
    if warehouse_dir is not None:
        db = warehouse_dir / "bench.duckdb"
        for p in (db, db.with_name(db.name + ".wal")):
            p.unlink(missing_ok=True)
    con = warehouse.connect(db)
    _OPEN.append(con)  # closed after the measurement (a file's close is its checkpoint)
    sink = warehouse.SourceSink(con, source="bench", kind="postfix_log", system="mail")
    cfg = SourceConfig(name="bench", kind="postfix_log", path=path, system="mail", year=2026)
    with sink.transaction():  # as the pipeline loads a source
        res = load(cfg, sink)
    assert res.reconciles, res
    return res.records_read


_OPEN: list = []


def _files(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=5_000_000)
    ap.add_argument(
        "--iso", action="store_true", help="rsyslog ISO timestamps (default: traditional)"
    )
    ap.add_argument("--keep", type=Path, help="write the generated log here and keep it")
    ap.add_argument(
        "--path", type=Path,
        help="measure this log file or folder of rotated logs instead of generating one",
    )
    ap.add_argument(
        "--warehouse", action="store_true",
        help="load into a DuckDB file (memory_limit 1GB) in one transaction, as the pipeline",
    )
    ap.add_argument(
        "--repeat", type=int, default=1,
        help="run the three contenders N times, interleaved, and report the medians "
        "(the machine is shared: single runs vary by 2x)",
    )
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if args.path is not None:
            path = args.path
            size = sum(p.stat().st_size for p in _files(path))
            print(f"{path}: {size / 1e6:.1f} MB")
        else:
            path = args.keep or Path(tmp) / "maillog"
            t0 = time.perf_counter()
            size = generate(path, args.lines, iso=args.iso)
            print(
                f"generated {args.lines:,} lines, {size / 1e6:.1f} MB "
                f"in {time.perf_counter() - t0:.1f} s"
            )
        wh = Path(tmp) if args.warehouse else None
        for p in _files(path):
            raw_read(p)  # warm the page cache so every contender reads from memory
        warm = Path(tmp) / "warm"
        warm.mkdir()
        generate(warm / "maillog", 1000)
        run_loader(warm, wh)  # imports and DuckDB start-up are not part of the measurement
        _OPEN.pop().close()
        times: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        contenders = (
            ("raw read", lambda p: sum(raw_read(f) for f in _files(p))),
            ("baseline regex loop", lambda p: sum(baseline(f) for f in _files(p))),
            ("loader", lambda p: run_loader(p, wh)),
        )
        for _ in range(max(1, args.repeat)):
            for name, fn in contenders:
                t0, c0 = time.perf_counter(), time.process_time()
                n = fn(path)
                times.setdefault(name, []).append(time.perf_counter() - t0)
                cpu.setdefault(name, []).append(time.process_time() - c0)
                while _OPEN:
                    _OPEN.pop().close()
        results = {}
        for name, _fn in contenders:
            dt = statistics.median(times[name])
            results[name] = dt
            runs = "" if len(times[name]) == 1 else (
                "  runs " + " ".join(f"{t:.2f}" for t in times[name])
            )
            print(
                f"{name:22s} {dt:8.2f} s  CPU {statistics.median(cpu[name]):6.2f} s  "
                f"{n / dt:12,.0f} lines/s  {size / 1e6 / dt:8.1f} MB/s{runs}"
            )
        print(
            f"loader vs baseline: {results['baseline regex loop'] / results['loader']:.2f}x faster"
        )
        print(
            f"loader vs raw read: {results['loader'] / results['raw read']:.2f}x the raw read time"
        )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process (all contenders): {rss:,.0f} MB")


if __name__ == "__main__":
    main()
