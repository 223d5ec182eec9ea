"""Demo mail: the sales mailbox as a Thunderbird mbox and as a Maildir tree.

Planted R-email findings (a correspondent known only from mail, latest message more than
six months before as_of), each next to a clean look-alike:

* old correspondents, one with an ISO-8859-1 encoded name and a signature phone;
* an old correspondent who appears in both the mbox and the Maildir: one record, and one
  finding, per source;
* an old sender from the same company domain as a live customer's contact person (a
  shared domain is not a match, so still a finding);
* clean: recent correspondents (under six months), the live customer's contact person
  (matched by e-mail), another live contact writing from a different address but with the
  customer's phone in the signature (matched by phone), staff on the company's own domain,
  info@/noreply@/postmaster@ role addresses.
"""

from __future__ import annotations

import datetime as dt
from email.header import Header
from email.utils import format_datetime

from audit_kit.demo import OWN_DOMAIN, DemoContext, Person, _ascii

SEPARATOR = b"From - Mon Jan 01 00:00:00 2026\n"
SALES = f"Myynti <myynti@{OWN_DOMAIN}>"
STAFF = f"Kari Lukkarila <kari.lukkarila@{OWN_DOMAIN}>"
TZ = dt.timezone(dt.timedelta(hours=2))

BODIES = [
    "Hei,\n\nkiitos tarjouksesta. Palaan asiaan ensi viikolla.",
    "Hei,\n\nkopiokone ilmoittaa taas paperitukoksesta. Voisitteko lähettää huoltomiehen?",
    "Moi,\n\nlasku on maksettu. Tarvitsemme vielä kaksi laatikkoa A4-paperia.",
    "Hei,\n\nsopisiko kokous torstaina klo 10? Käydään läpi väriainesopimus.",
]


def _name(p: Person, charset: str | None) -> str:
    """An RFC 2047 encoded display name (UTF-8 or ISO-8859-1), or a quoted one."""
    if charset is None:
        return f'"{p.name}"'
    return Header(p.name, charset).encode()


def _message(
    ctx: DemoContext,
    n: int,
    when: dt.date,
    sender: str,
    to: str,
    *,
    signature: str = "",
    subject: str = "Tarjous",
) -> bytes:
    hour, minute = 8 + ctx.rng.randrange(9), ctx.rng.randrange(60)
    stamp = format_datetime(dt.datetime(when.year, when.month, when.day, hour, minute, tzinfo=TZ))
    body = ctx.rng.choice(BODIES)
    if signature:
        body += "\n\n-- \n" + signature
    head = (
        f"From: {sender}\nTo: {to}\nDate: {stamp}\n"
        f"Subject: {Header(subject, 'utf-8').encode()}\n"
        f"Message-ID: <demo.{n}@mail.{OWN_DOMAIN}>\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    )
    return (head + body + "\n").encode("utf-8")


def _addr(p: Person, charset: str | None = "utf-8", email: str | None = None) -> str:
    return f"{_name(p, charset)} <{email or p.email}>"


def _sig(p: Person, phone: bool = True) -> str:
    return f"{p.name}\n{p.org}" + (f"\npuh. {p.mobile}" if phone else "")


def write(ctx: DemoContext) -> None:
    folder = ctx.root / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    live = ctx.live_customer_contacts
    by_email = live[0] if live else ctx.person()
    by_phone = live[1] if len(live) > 1 else ctx.person()

    old_a = ctx.person()       # old, in the mbox and in the Maildir
    old_b = ctx.person()       # old, ISO-8859-1 name, phone in signature
    old_shared = ctx.person(org=by_email.org)  # same company domain as a live contact
    recent_c = ctx.person()
    recent_d = ctx.person()
    old_e = ctx.person()       # old, Maildir only
    recent_g = ctx.person()    # recent, in both
    # the live contact writing from a private address: matched by phone only
    private_addr = f"{_ascii(by_phone.first)}.{_ascii(by_phone.last)}@kotiposti.example.fi"

    # -- the Thunderbird mbox -----------------------------------------------------------
    src = "mail-inbox"
    path = folder / "Inbox.mbox"
    out = bytearray()
    refs: dict[str, str] = {}

    def add(key: str, when: dt.date, sender: str, to: str, **kw) -> None:
        refs[key] = f"offset {len(out)}"
        out.extend(SEPARATOR + _message(ctx, len(refs), when, sender, to, **kw) + b"\n")

    add("a1", ctx.months_ago(14), _addr(old_a), SALES)
    add("a2", ctx.months_ago(9), SALES, _addr(old_a))                 # latest: staff wrote to A
    add("b1", ctx.months_ago(20), _addr(old_b, "iso-8859-1"), SALES, signature=_sig(old_b))
    add("sh", ctx.months_ago(11), _addr(old_shared), SALES, signature=_sig(old_shared, False))
    add("c1", ctx.months_ago(13), _addr(recent_c, "iso-8859-1"), SALES)
    add("c2", ctx.months_ago(2), _addr(recent_c, "iso-8859-1"), STAFF)  # recent: clean
    add("d1", ctx.months_ago(5), _addr(recent_d, None), SALES, signature=_sig(recent_d))
    add("le", ctx.months_ago(12), _addr(by_email), SALES)               # live customer: clean
    add("lp", ctx.months_ago(10), _addr(by_phone, "utf-8", private_addr), SALES,
        signature=_sig(by_phone))                                       # live by phone: clean
    add("st", ctx.months_ago(18), STAFF, SALES)                         # staff only: clean
    add("in", ctx.months_ago(16), f"info@{old_a.domain}", SALES)        # role address: clean
    add("nr", ctx.months_ago(15), f"noreply@{recent_c.domain}", STAFF)  # role address: clean
    add("g1", ctx.months_ago(1), _addr(recent_g), SALES)
    path.write_bytes(bytes(out))
    ctx.add_source(src, "mbox", path, "mail")
    for key in ("a2", "b1", "sh"):
        ctx.expect("R-email", src, refs[key])

    # -- the Maildir --------------------------------------------------------------------
    src = "mail-maildir"
    root = folder / "Maildir"
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp",
                "Arkisto/2025/cur", "Arkisto/2025/new"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / ".Sent" / "maildirfolder").write_bytes(b"")
    serial = 0

    def deliver(sub: str, flags: str | None, when: dt.date, sender: str, to: str, **kw) -> str:
        nonlocal serial
        serial += 1
        stamp = int(dt.datetime(when.year, when.month, when.day, tzinfo=dt.UTC).timestamp())
        name = f"{stamp}.M{serial}P4242.posti" + (f":2,{flags}" if flags is not None else "")
        (root / sub / name).write_bytes(_message(ctx, 100 + serial, when, sender, to, **kw))
        return f"{sub}/{name}"

    a_ref = deliver("Arkisto/2025/cur", "RS", ctx.months_ago(10), _addr(old_a, "iso-8859-1"),
                    SALES, signature=_sig(old_a))
    e_ref = deliver("cur", "S", ctx.months_ago(8), _addr(old_e), SALES)
    deliver(".Sent/cur", "S", ctx.months_ago(3), SALES, _addr(recent_g))   # recent: clean
    deliver("new", None, ctx.months_ago(0), _addr(recent_g), SALES)
    deliver("cur", "S", ctx.months_ago(9), f"postmaster@{old_e.domain}", SALES)  # role: clean
    deliver(".Sent/cur", "S", ctx.months_ago(19), SALES, STAFF)             # staff: clean
    (root / "tmp" / "1790000000.M999P4242.posti").write_bytes(b"From: half@written\n")
    ctx.add_source(src, "maildir", root, "mail")
    ctx.expect("R-email", src, a_ref)
    ctx.expect("R-email", src, e_ref)

    # -- a folder of .eml files (messages saved from the mail client) ---------------------
    src = "mail-saved"
    saved = folder / "tallennetut"
    saved.mkdir(parents=True, exist_ok=True)
    old_f = ctx.person()       # old, known only from a saved message
    recent_h = ctx.person()    # recent: clean
    (saved / "tarjouspyynto.eml").write_bytes(
        _message(ctx, 200, ctx.months_ago(7), _addr(old_f, "iso-8859-1"), SALES,
                 signature=_sig(old_f)).replace(b"\n", b"\r\n"))
    (saved / "huoltopyynto.eml").write_bytes(
        _message(ctx, 201, ctx.months_ago(1), _addr(recent_h), SALES).replace(b"\n", b"\r\n"))
    ctx.add_source(src, "eml", saved, "mail")
    ctx.expect("R-email", src, "tarjouspyynto.eml")
