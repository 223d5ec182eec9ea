"""Demo web server logs (the company's website, Apache combined format): ``www/logs/``.

``access.log`` is December 2026 (a month of the site), ``access.log.1`` November 2026;
two rotations nobody deleted lie beside them: ``access.log.2.gz`` (June 2025, gzip) and
``access.log.3.xz`` (from 14 February 2025, xz). The policy states no retention for web
logs, so W-retention says how far back the logs go. Planted:

* old IP addresses: the rotations of 2025 (W-retention, one finding for the source, at the
  oldest visitor-day: "back to 2025-02-14: 22 months");
* an e-mail address in a query string (the contact form's GET redirect, URL-encoded) of a
  live customer's contact person (W-url, field ``email``);
* a phone number in a referrer (a business directory's search page linking to the site,
  spaces encoded) of another (W-url, field ``phone``);
* a line cut short when the server stopped (``access.log.1``'s last line: a reject,
  I-rejected);

next to look-alikes with no finding: the company's own ``info@`` in a query, a retina
image ``logo@2x.png``, a numeric product id in a query, bots (Googlebot, bingbot,
AhrefsBot, an uptime monitor: counted apart, no records), IPv6 visitors written in two
forms (one visitor).

The writer draws from its own seeded generator, not the demo's shared one, so the other
kinds' demo files do not change with it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import lzma
import random
from dataclasses import dataclass, field
from urllib.parse import quote

from audit_kit.demo import OWN_DOMAIN, DemoContext

SOURCE = "website-log"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SITE = "https://www.oulunkonttori.fi"
_PAGES = ("/", "/tuotteet/kopiokoneet", "/tuotteet/tulostimet", "/huolto", "/yhteystiedot",
          "/tarjouspyynto", "/ajankohtaista", "/tuotteet/monitoimilaitteet")
_ASSETS = ("/wp-content/themes/okp/style.css", "/wp-content/themes/okp/img/hero.jpg",
           "/favicon.ico")
_BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
)
_BOTS = (
    ("66.249.66.1", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    ("40.77.167.5", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
    ("54.36.148.7", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"),
    ("198.51.100.250", "UptimeRobot/2.0 (http://www.uptimerobot.com/)"),
)


@dataclass
class _Log:
    name: str
    lines: list[str] = field(default_factory=list)
    #: (visitor, day) -> [first line, last line] of the non-bot lines
    days: dict[tuple[str, dt.date], list[int]] = field(default_factory=dict)

    def add(self, t: dt.datetime, ip: str, request: str, status: int, size: int,
            referrer: str = "-", agent: str = _BROWSERS[0], *, bot: bool = False) -> int:
        off = "+0300" if 4 <= t.month <= 10 else "+0200"  # Helsinki summer/winter time
        stamp = f"{t.day:02d}/{_MONTHS[t.month - 1]}/{t.year}:{t:%H:%M:%S} {off}"
        self.lines.append(f'{ip} - - [{stamp}] "{request}" {status} {size} "{referrer}" '
                          f'"{agent}"')
        n = len(self.lines)
        if not bot:
            key = (ip, t.date())
            self.days.setdefault(key, [n, n])[1] = n
        return n


def _visit(rng: random.Random, log: _Log, t: dt.datetime, ip: str, agent: str,
           pages: int = 2) -> dt.datetime:
    """A person browsing: a page and its assets, then more pages, a minute apart."""
    ref = "https://www.google.com/"
    for _ in range(pages):
        page = rng.choice(_PAGES)
        log.add(t, ip, f"GET {page} HTTP/1.1", 200, rng.randrange(8000, 40000), ref, agent)
        for a in _ASSETS[:rng.randrange(1, 3)]:
            log.add(t, ip, f"GET {a} HTTP/1.1", 200, rng.randrange(300, 90000),
                    _SITE + page, agent)
        ref = _SITE + page
        t += dt.timedelta(seconds=rng.randrange(20, 200))
    return t


def _bots(rng: random.Random, log: _Log, t: dt.datetime) -> None:
    for ip, agent in _BOTS:
        log.add(t + dt.timedelta(minutes=rng.randrange(60)), ip,
                f"GET {rng.choice(_PAGES)} HTTP/1.1", 200, rng.randrange(8000, 40000),
                "-", agent, bot=True)


def _month(rng: random.Random, log: _Log, year: int, month: int, days: range,
           visitors: list[str]) -> None:
    """Ordinary traffic: every other day a few visitors and the crawlers."""
    for day in days:
        if day % 2:
            continue
        t = dt.datetime(year, month, day, 8, rng.randrange(60), rng.randrange(60))
        _bots(rng, log, t)
        for ip in rng.sample(visitors, 3):
            t = _visit(rng, log, t + dt.timedelta(minutes=rng.randrange(5, 90)), ip,
                       rng.choice(_BROWSERS), pages=rng.randrange(1, 4))


def _ips(rng: random.Random, n: int, net: str) -> list[str]:
    return [f"{net}.{rng.randrange(2, 250)}" for _ in range(n)]


def write(ctx: DemoContext) -> None:
    rng = random.Random(20261212)  # its own: the shared generator stays as it was
    folder = ctx.root / "www" / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    contacts = ctx.live_customer_contacts
    by_mail, by_phone = contacts[-1], contacts[-2]
    visitors = _ips(rng, 12, "91.152.40") + _ips(rng, 6, "88.193.7") + [
        "2001:db8:41::17", "2001:db8:52::9"]

    # access.log.3.xz: 14.-28.2.2025, the oldest rotation nobody deleted
    oldest = _Log("access.log.3.xz")
    first = visitors[0]
    _visit(rng, oldest, dt.datetime(2025, 2, 14, 9, 12, 5), first, _BROWSERS[1], pages=2)
    _month(rng, oldest, 2025, 2, range(15, 29), visitors)
    # access.log.2.gz: June 2025
    old = _Log("access.log.2.gz")
    _month(rng, old, 2025, 6, range(1, 31), visitors)
    # access.log.1: November 2026, its last line cut short when the server stopped
    rotated = _Log("access.log.1")
    _month(rng, rotated, 2026, 11, range(1, 31), visitors)
    rotated.lines.append('91.152.40.77 - - [30/Nov/2026:23:59:59 +0200] "GET /huolto HTT')
    # access.log: December 2026, a month of the site, with the planted cases
    live = _Log("access.log")
    _month(rng, live, 2026, 12, range(1, 16), visitors)
    t = dt.datetime(2026, 12, 16, 10, 4, 31)
    # the contact form redirects with the sender's address in the query string
    ip = visitors[3]
    live.add(t, ip, "POST /yhteystiedot HTTP/1.1", 302, 0, _SITE + "/yhteystiedot")
    mail_line = live.add(
        t + dt.timedelta(seconds=1), ip,
        f"GET /yhteystiedot/kiitos?lahettaja={quote(by_mail.email, safe='')}&aihe=huolto "
        "HTTP/1.1", 200, 9120, _SITE + "/yhteystiedot")
    # a business directory's search page, with the phone number in its address, links here
    phone_line = live.add(
        t + dt.timedelta(minutes=8), visitors[5], "GET /huolto HTTP/1.1", 200, 30122,
        f"https://hakemisto.example.fi/haku?puh={quote(by_phone.mobile)}&kaupunki=Oulu",
        _BROWSERS[2])
    # look-alikes: the company's own mailbox, a retina image, a product id, IPv6 twice
    live.add(t + dt.timedelta(minutes=20), visitors[7],
             f"GET /yhteystiedot?to=info%40{OWN_DOMAIN} HTTP/1.1", 200, 9120)
    live.add(t + dt.timedelta(minutes=21), visitors[7],
             "GET /wp-content/themes/okp/img/logo@2x.png HTTP/1.1", 200, 14022,
             _SITE + "/yhteystiedot")
    live.add(t + dt.timedelta(minutes=22), visitors[7],
             "GET /tuotteet/kopiokoneet?sivu=2&tuote=48213 HTTP/1.1", 200, 28100)
    live.add(t + dt.timedelta(minutes=30), "2001:0db8:0041:0000:0000:0000:0000:0017",
             "GET / HTTP/1.1", 200, 31200)
    _month(rng, live, 2026, 12, range(17, 31), visitors)

    (folder / "access.log").write_text("\n".join(live.lines) + "\n", encoding="utf-8")
    (folder / "access.log.1").write_text("\n".join(rotated.lines) + "\n", encoding="utf-8")
    (folder / "access.log.2.gz").write_bytes(
        gzip.compress(("\n".join(old.lines) + "\n").encode(), mtime=0))
    (folder / "access.log.3.xz").write_bytes(
        lzma.compress(("\n".join(oldest.lines) + "\n").encode()))
    ctx.add_source(SOURCE, "web_access_log", folder, "web_server")

    a, b = oldest.days[(first, dt.date(2025, 2, 14))]
    ctx.expect("W-retention", SOURCE, f"lines {a}-{b}" if a != b else f"line {a}")
    ctx.expect("W-url", SOURCE, f"line {mail_line}", "email")
    ctx.expect("W-url", SOURCE, f"line {phone_line}", "phone")
    ctx.expect("I-rejected", SOURCE, "")
