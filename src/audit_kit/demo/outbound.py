"""Demo plants of what leaves the company: transfers as of the audit date and the sales
mailbox's sent mail (runs last; draws its people after every other writer).

Each plant is a function named for its case:

* :func:`transfers_on_record`: the statement's system outside the EU/EEA with no valid
  mechanism on record whose data the demo holds (Google's backup under Privacy Shield):
  one ``T-mechanism`` error (each person in the backup is a ``T-system`` warning, planted
  with the contacts; the website's Wordfence has no data in the demo);
* :func:`sent_mail`: the sales mailbox's "Sent" folder, an mbox: a possible identity code
  in a customer's message body, one written in lower case, and a date-shaped order number
  with its label (``Huoltotilaus``: no finding); a mailing with a List-Unsubscribe header,
  and one message to 22 external recipients (``S-newsletter``: the statement promises no
  newsletter).
"""

from __future__ import annotations

import datetime as dt
import email.policy
from email.message import EmailMessage
from email.utils import format_datetime

from audit_kit.demo import OWN_DOMAIN, DemoContext, Person

SENT_SOURCE = "mail-sent"
_TZ = dt.timezone(dt.timedelta(hours=2))
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def transfers_on_record(ctx: DemoContext) -> None:
    """Case: systems outside the EU/EEA with no valid transfer mechanism on record."""
    ctx.expect("T-mechanism", "android_backup", "systems.android_backup")


def _hetu(ctx: DemoContext) -> str:
    """A valid temporary-range (900-999) identity code of the 1970s."""
    d, m, y = ctx.rng.randrange(1, 29), ctx.rng.randrange(1, 13), ctx.rng.randrange(70, 80)
    n = ctx.rng.randrange(900, 1000)
    return f"{d:02d}{m:02d}{y:02d}-{n}{_HETU_CHECK[int(f'{d:02d}{m:02d}{y:02d}{n}') % 31]}"


def _mail(when: dt.date, sender: str, to: list[str], body: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = format_datetime(dt.datetime(when.year, when.month, when.day, 10, 0,
                                              tzinfo=_TZ))
    msg["Subject"] = "Kopiokoneet"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body, cte="quoted-printable")
    return msg.as_bytes(policy=email.policy.SMTP.clone(linesep="\n"))


def _addr(p: Person) -> str:
    return f"{p.name} <{p.email}>"


def sent_mail(ctx: DemoContext) -> None:
    """Cases: identity codes in mail bodies (one in lower case), an order number shaped
    like one with its label; a List-Unsubscribe mailing and a message to 22 recipients."""
    sales = f"Myynti <myynti@{OWN_DOMAIN}>"
    live = ctx.live_customer_contacts
    out = bytearray()
    refs: dict[str, str] = {}

    def add(key: str, message: bytes) -> None:
        refs[key] = f"offset {len(out)}"
        out.extend(b"From - Mon Jan 01 00:00:00 2026\n" + message + b"\n")

    recent = ctx.months_ago(1)
    # the order number passes the checksum (about one in 31 do): its label says what it is
    add("order", _mail(recent, _addr(live[4]), [sales],
                       "Hei,\n\nHuoltotilaus 150324-0253 on vastaanotettu, kiitos.\n"))
    add("hetu", _mail(recent, _addr(live[5]), [sales],
                      f"Hei,\n\nlaskutusta varten henkilötunnukseni on {_hetu(ctx)}.\n"))
    add("lower", _mail(recent, _addr(live[6]), [sales],
                       f"Moi,\n\nhetu {_hetu(ctx).lower()} puuttui lomakkeelta.\n"))
    # a newsletter the statement says does not exist: unsubscribe header, and a mass send
    add("unsub", _mail(recent, sales, [live[7].email], "Joulukuun tarjoukset: väriaineet -20 %.\n",
                       List_Unsubscribe=f"<mailto:myynti@{OWN_DOMAIN}?subject=unsubscribe>"))
    many = [ctx.person() for _ in range(22)]
    add("bulk", _mail(recent, sales, [p.email for p in many],
                      "Hei,\n\ntervetuloa tutustumaan uusiin monitoimilaitteisiin.\n"))
    path = ctx.root / "mail" / "Sent.mbox"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    ctx.add_source(SENT_SOURCE, "mbox", path, "mail")
    ctx.expect("M-field", SENT_SOURCE, refs["hetu"], "hetu")
    ctx.expect("M-field", SENT_SOURCE, refs["lower"], "hetu")
    ctx.expect("S-newsletter", SENT_SOURCE, refs["unsub"], "list-unsubscribe")
    ctx.expect("S-newsletter", SENT_SOURCE, refs["bulk"], "recipients")


def write(ctx: DemoContext) -> None:
    transfers_on_record(ctx)
    sent_mail(ctx)
