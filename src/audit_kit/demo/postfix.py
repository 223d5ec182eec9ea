"""Demo mail-server log (Netplaza's postfix): ``mail/log/maillog``, ``maillog.1``, ``maillog.2.gz``.

``maillog`` is recent and in rsyslog's ISO format; the rotated ``maillog.1`` and
``maillog.2.gz`` are older and in traditional syslog format without a year, so the source
entry gives ``year: 2026`` (the year of the oldest line).

Rule R-maillog: every external address on a line older than 6 months (as_of 2026-12-31 →
lines before 2026-06-30) is a finding, one per address, at the newest such line. Planted:

* an address on old lines in both rotated files (finding at its line in ``maillog.1``);
* an address only in ``maillog.2.gz``;
* an address on old lines and again on recent ones (still a finding, at the old line);

next to look-alikes with no finding: addresses only on recent lines (including lines in
``maillog.1`` after the cut-off), staff on the company's own domain and ``info@`` /
``noreply@`` role mailboxes on old lines, and the null sender ``<>``.

Since a finding is keyed by ``line N`` without the file, the writer makes sure the newest
old line of each planted address has a line number no other planted address shares.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
from dataclasses import dataclass, field
from pathlib import Path

from audit_kit.clock import deadline_passed
from audit_kit.demo import OWN_DOMAIN, DemoContext

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SOURCE = "mail-log"
_QID = "0123456789ABCDEF"


@dataclass
class _Log:
    name: str
    iso: bool
    lines: list[tuple[dt.datetime, str, tuple[str, ...]]] = field(default_factory=list)

    def stamp(self, t: dt.datetime) -> str:
        if self.iso:
            off = "+03:00" if 4 <= t.month <= 10 else "+02:00"  # Helsinki summer/winter time
            return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{t.microsecond:06d}{off}"
        return f"{MONTHS[t.month - 1]} {t.day:2d} {t:%H:%M:%S}"

    def add(self, t: dt.datetime, text: str, addrs: tuple[str, ...] = ()) -> None:
        self.lines.append((t, f"{self.stamp(t)} mx1.netplaza.fi {text}", addrs))


def _qid(ctx: DemoContext) -> str:
    return "".join(ctx.rng.choice(_QID) for _ in range(10))


def _delivery(ctx: DemoContext, log: _Log, t: dt.datetime, sender: str, rcpt: str) -> None:
    """One message through postfix: smtpd, cleanup, qmgr from=, delivery to=, removed."""
    q = _qid(ctx)
    pid = ctx.rng.randrange(2000, 30000)
    ip = f"192.0.2.{ctx.rng.randrange(2, 250)}"
    s = dt.timedelta(seconds=1)
    outbound = sender.endswith("@" + OWN_DOMAIN)
    log.add(t, f"postfix/smtpd[{pid}]: connect from mail.example.net[{ip}]")
    log.add(t, f"postfix/smtpd[{pid}]: {q}: client=mail.example.net[{ip}]")
    log.add(t + s, f"postfix/cleanup[{pid + 1}]: {q}: message-id=<{q}.{pid}@mx1.netplaza.fi>")
    log.add(
        t + s,
        f"postfix/qmgr[812]: {q}: from=<{sender}>, size={ctx.rng.randrange(900, 90000)}, "
        "nrcpt=1 (queue active)",
        (sender,),
    )
    if outbound:
        log.add(
            t + 2 * s,
            f"postfix/smtp[{pid + 2}]: {q}: to=<{rcpt}>, relay=mx.example.net[192.0.2.9]:25, "
            "delay=1.2, delays=0.1/0.02/0.5/0.58, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
            (rcpt,),
        )
    else:
        log.add(
            t + 2 * s,
            f"postfix/local[{pid + 2}]: {q}: to=<{rcpt}>, relay=local, delay=0.12, "
            "delays=0.05/0.01/0/0.06, dsn=2.0.0, status=sent (delivered to mailbox)",
            (rcpt,),
        )
    log.add(t + 2 * s, f"postfix/qmgr[812]: {q}: removed")
    log.add(
        t + 3 * s,
        f"postfix/smtpd[{pid}]: disconnect from mail.example.net[{ip}] ehlo=1 "
        "mail=1 rcpt=1 data=1 quit=1 commands=5",
    )


def _at(d: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, hour, minute, 0, 250000)


def write(ctx: DemoContext) -> None:
    folder = ctx.root / "mail" / "log"
    folder.mkdir(parents=True, exist_ok=True)
    staff = [f"{n}@{OWN_DOMAIN}" for n in ("kari.lukkarila", "myynti", "huolto")]
    info = f"info@{OWN_DOMAIN}"
    both_files, only_oldest, old_and_recent = (ctx.person() for _ in range(3))
    recent_only, late_in_rotated = ctx.person(), ctx.person()
    role_elsewhere = f"noreply@{ctx.person().domain}"

    oldest = _Log("maillog.2.gz", iso=False)  # months 9-8 before as_of (Mar-Apr 2026)
    rotated = _Log("maillog.1", iso=False)  # months 7-5 (May-Jul 2026): spans the cut-off
    live = _Log("maillog", iso=True)  # months 2-0 (Oct-Dec 2026)

    oldest.add(_at(ctx.months_ago(9, 1), 0), 'rsyslogd: [origin software="rsyslogd"] start')
    _delivery(ctx, oldest, _at(ctx.months_ago(9, 3), 9), both_files.email, staff[1])
    _delivery(ctx, oldest, _at(ctx.months_ago(9, 10), 10), staff[0], only_oldest.email)
    _delivery(ctx, oldest, _at(ctx.months_ago(9, 12), 11), role_elsewhere, staff[2])
    _delivery(ctx, oldest, _at(ctx.months_ago(8, 5), 8), staff[0], staff[1])
    _delivery(ctx, oldest, _at(ctx.months_ago(8, 20), 14), only_oldest.email, info)
    oldest.add(_at(ctx.months_ago(8, 21), 3), "CRON[4411]: (root) CMD (/usr/sbin/logrotate)")

    _delivery(ctx, rotated, _at(ctx.months_ago(7, 4), 9), info, old_and_recent.email)
    _delivery(ctx, rotated, _at(ctx.months_ago(7, 18), 13), both_files.email, staff[0])
    rotated.add(
        _at(ctx.months_ago(6, 2), 4),
        "postfix/smtpd[7001]: NOQUEUE: reject: RCPT from unknown[192.0.2.77]: 450 4.7.25 "
        "Client host rejected: cannot find your hostname, [192.0.2.77]; from=<> "
        f"to=<{staff[1]}> proto=ESMTP helo=<unknown>",
    )
    _delivery(ctx, rotated, _at(ctx.months_ago(6, 10), 10), old_and_recent.email, staff[2])
    # inside the six months (deadline after as_of): no finding although the file is a rotated one
    _delivery(ctx, rotated, _at(ctx.months_ago(5, 8), 11), late_in_rotated.email, staff[0])

    _delivery(ctx, live, _at(ctx.months_ago(2, 6), 9), recent_only.email, staff[1])
    _delivery(ctx, live, _at(ctx.months_ago(1, 9), 15), staff[0], old_and_recent.email)
    _delivery(ctx, live, _at(ctx.months_ago(0, 2), 12), late_in_rotated.email, staff[0])
    _delivery(ctx, live, _at(ctx.months_ago(0, 14), 8), staff[2], recent_only.email)

    planted = (both_files.email, only_oldest.email, old_and_recent.email)
    logs = (oldest, rotated, live)
    while True:
        newest: dict[str, tuple[dt.datetime, int]] = {}
        for log in logs:
            for n, (t, _, addrs) in enumerate(log.lines, start=1):
                for a in addrs:
                    if (a in planted and deadline_passed(t.date(), 6, ctx.as_of)
                            and (a not in newest or t > newest[a][0])):
                        newest[a] = (t, n)
        refs = [newest[a][1] for a in planted]
        if len(set(refs)) == len(refs):
            break
        # two planted addresses would share "line N": shift the oldest file by one line
        first = oldest.lines[0][0]
        oldest.lines.insert(0, (first, f"{oldest.stamp(first)} mx1.netplaza.fi -- MARK --", ()))

    for log in logs:
        _write(folder / log.name, log)
    ctx.add_source(SOURCE, "postfix_log", folder, "mail", year=2026)
    for a in planted:
        ctx.expect("R-maillog", SOURCE, f"line {newest[a][1]}", "")


def _write(path: Path, log: _Log) -> None:
    data = "".join(text + "\n" for _, text, _ in log.lines).encode("utf-8")
    if path.name.endswith(".gz"):
        with open(path, "wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as gz:
            gz.write(data)  # no name, no time in the header: byte-identical demo
    else:
        path.write_bytes(data)
    last = log.lines[-1][0].timestamp()
    os.utime(path, (last, last))
