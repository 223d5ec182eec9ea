"""Benchmark of the mbox loader against the stdlib and the physical floor (issues 5, 9).

    python -m benchmarks.bench_mail --messages 20000
    python -m benchmarks.bench_mail --files benchmarks/work/scale-0.5/mail/Inbox.mbox \
        benchmarks/work/scale-1/mail/Inbox.mbox          # the workload's N and 2N

Generates a Thunderbird-style mbox with a realistic size mix (most messages 2-10 KB of
plain or HTML text, 1 in 50 with a base64 attachment of 50-500 KB), then at N and 2N
messages measures, in the same run:

* raw read: reading the file in 8 MB blocks (the physical floor; the file was just
  written, so this is the page-cache rate);
* stdlib: ``mailbox.mbox`` iteration + ``email`` parsing, reading the same header
  fields and the first text/plain part as the loader;
* ours: the ``mbox`` loader into an in-memory warehouse, in a subprocess, whose peak
  RSS (and its pool workers', via ``resource.getrusage(RUSAGE_CHILDREN)``) shows the
  memory does not grow with the mailbox.

Not a test: the numbers depend on the machine. Fictitious data only.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import mailbox
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from email.header import Header
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from pathlib import Path

WORDS = (
    "tulostin kopiokone huolto sopimus lasku toimitus väriaine paperi tarjous kokous "
    "laite asennus viikko kiitos terveisin ystävällisin hinta kuukausi vuosi printer "
    "service contract invoice delivery meeting toner offer quote device next week"
).split()
FIRST = ["Aino", "Väinö", "Päivi", "Jörö", "Sanna", "Åsa", "Kyösti", "Öönä", "Timo", "Leena"]
LAST = ["Mäkinen", "Räsänen", "Kärkkäinen", "Östman", "Salo", "Åberg", "Määttä", "Tervo"]


def _text(rng: random.Random, size: int) -> str:
    out, n = [], 0
    while n < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
        out.append(line)
        n += len(line) + 1
    return "\n".join(out)


def _name(rng: random.Random) -> str:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    charset = rng.choice(("utf-8", "iso-8859-1", None))
    return Header(name, charset).encode() if charset else f'"{name}"'


def generate(path: Path, messages: int, seed: int = 5) -> int:
    """Write the mbox; returns its size in bytes."""
    rng = random.Random(seed)
    blob = os.urandom(600_000)
    # 3000 correspondents, each with one display name and one signature phone
    people = [f"user{i}@firm{i % 300}.example.fi" for i in range(3000)]
    names = [_name(rng) for _ in people]
    t0 = 1_600_000_000
    with open(path, "wb") as out:
        for i in range(messages):
            k = rng.randrange(len(people))
            sender = people[k]
            when = format_datetime(dt.datetime.fromtimestamp(t0 + i * 600, tz=dt.UTC))
            body = _text(rng, rng.randint(2000, 10000))
            sig = f"\n\n-- \n{sender.split('@')[0]}\npuh. 040 {100 + k % 900} {1000 + k}\n"
            head = (
                f"From - Mon Jan 01 00:00:00 2026\nX-Mozilla-Status: 0001\n"
                f"From: {names[k]} <{sender}>\nTo: myynti@oulunkonttori.fi\n"
                f"Cc: {rng.choice(people)}\nDate: {when}\n"
                f"Message-ID: <{i}.{rng.randrange(10**9)}@example.fi>\n"
                f"Subject: {rng.choice(WORDS)} {rng.choice(WORDS)} {i}\nMIME-Version: 1.0\n"
            )
            html = rng.random() < 0.3
            if i % 50 == 0:
                att = base64.encodebytes(blob[: rng.randint(50_000, 500_000)]).decode()
                msg = (
                    head + 'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\n'
                    'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n'
                    + body + sig + "\n--b1\nContent-Type: application/pdf; name=\"a.pdf\"\n"
                    "Content-Transfer-Encoding: base64\nContent-Disposition: attachment\n\n"
                    + att + "--b1--\n"
                )
            elif html:
                msg = (
                    head + 'Content-Type: multipart/alternative; boundary="b2"\n\n--b2\n'
                    "Content-Type: text/plain; charset=utf-8\n\n" + body + sig
                    + "\n--b2\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>"
                    + body.replace("\n", "</p><p>") + "</p></body></html>\n--b2--\n"
                )
            else:
                msg = head + "Content-Type: text/plain; charset=utf-8\n\n" + body + sig
            msg = msg.replace("\nFrom ", "\n>From ")
            out.write(msg.encode("utf-8") + b"\n")
    return path.stat().st_size


def raw_read(path: Path) -> float:
    t = time.perf_counter()
    with open(path, "rb") as f:
        while f.read(8 << 20):
            pass
    return time.perf_counter() - t


def stdlib(path: Path) -> tuple[float, int]:
    """mailbox.mbox + email: the same header fields and the first text/plain part."""
    t = time.perf_counter()
    n = 0
    for msg in mailbox.mbox(str(path), create=False):
        n += 1
        getaddresses(msg.get_all("from", []) + msg.get_all("to", []) + msg.get_all("cc", []))
        try:
            parsedate_to_datetime(msg.get("date", ""))
        except (TypeError, ValueError):
            pass
        str(msg.get("subject", ""))
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                part.get_payload(decode=True)
                break
    return time.perf_counter() - t, n


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process (all its threads) and of its ended
    children (the pool's workers, once the pool is closed)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def child(path: str, workers: int | None) -> None:
    """Run our loader (in a subprocess) and print JSON timings and peak RSS."""
    from audit_kit import warehouse
    from audit_kit.config import SourceConfig
    from audit_kit.loaders import mbox

    with tempfile.TemporaryDirectory() as tmp:
        # a file warehouse, as `audit-kit run` has (an in-memory one grows with the data)
        con = warehouse.connect(Path(tmp) / "warehouse.duckdb")
        sink = warehouse.SourceSink(con, source="bench", kind="mbox", system="mail")
        t = time.perf_counter()
        cpu0 = _cpu()
        r = mbox.load(SourceConfig(name="bench", kind="mbox", path=Path(path), system="mail"),
                      sink, workers=workers)
        sink.flush()
        elapsed = time.perf_counter() - t
        cpu = [b - a for a, b in zip(cpu0, _cpu(), strict=True)]
        con.close()
    print(json.dumps({
        "seconds": elapsed, "read": r.records_read, "rejected": r.records_rejected,
        "cpu_parent": cpu[0], "cpu_workers": cpu[1],
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))


def ours(path: Path, workers: int | None) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.bench_mail", "--child", str(path)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=None, help="loader pool size (default: CPUs)")
    ap.add_argument("--no-stdlib", action="store_true", help="skip the (slow) stdlib baseline")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run our loader this many times, report the median run (default 1)")
    ap.add_argument("--files", nargs="+", type=Path,
                    help="measure these existing mboxes instead of generating two (e.g. the "
                         "workload's benchmarks/work/scale-0.5 and scale-1 Inbox.mbox)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.workers)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = [(p, None) for p in args.files] if args.files else [
            (Path(tmp) / f"bench-{n}.mbox", n) for n in (args.messages, 2 * args.messages)]
        for path, n in inputs:
            size = generate(path, n) if n is not None else path.stat().st_size
            mb = size / 1e6
            raw = min(raw_read(path) for _ in range(3))
            runs = sorted((ours(path, args.workers) for _ in range(args.repeat)),
                          key=lambda r: r["seconds"])
            res = runs[len(runs) // 2]  # the median run (by wall time)
            assert n is None or res["read"] == n, res
            n = res["read"]
            std = stdlib(path) if not args.no_stdlib else (float("nan"), n)
            assert std[1] == n, (std[1], n)
            rows.append((n, mb, raw, res, std[0]))
            if not args.files:
                path.unlink()
    print(f"{'messages':>9} {'MB':>7} {'raw s':>6} {'ours s':>7} {'CPU s':>6} {'msg/s':>8} "
          f"{'MB/s':>7} {'stdlib s':>8} {'std msg/s':>9} {'x stdlib':>8} {'x raw':>7} "
          f"{'RSS MB':>7} {'wrk MB':>7}")
    for n, mb, raw, res, std in rows:
        s = res["seconds"]
        cpu = res["cpu_parent"] + res["cpu_workers"]
        print(f"{n:>9} {mb:>7.0f} {raw:>6.2f} {s:>7.2f} {cpu:>6.1f} {n / s:>8.0f} {mb / s:>7.0f} "
              f"{std:>8.2f} {n / std:>9.0f} {std / s:>8.1f} {s / raw:>7.1f} "
              f"{res['rss_mb']:>7.0f} {res['workers_rss_mb']:>7.0f}")
    print("CPU s: the loader's, parent (all its threads) + pool workers; with --repeat, the "
          "median run by wall time")


if __name__ == "__main__":
    main()
