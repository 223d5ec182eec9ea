"""The mail loaders: mbox, maildir, eml (fixtures in tests/data/mail, corpora in place)."""

from __future__ import annotations

import email
import email.policy
import email.utils
import hashlib
import mailbox
import sysconfig
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_kit import warehouse
from audit_kit.config import SourceConfig
from audit_kit.demo import OWN_DOMAIN
from audit_kit.errors import InputError
from audit_kit.loaders import get_loader
from audit_kit.loaders._mail import (
    addresses,
    date_strings,
    decode_words,
    parse_date,
    signature_phones,
)

DATA = Path(__file__).parent / "data" / "mail"
CORPORA = Path(__file__).parents[2] / "shared" / "corpora" / "mail"


def load(kind: str, path: Path, **kw):
    """The fixtures' company is the demo's: its own domain is passed as the pipeline would."""
    kw.setdefault("own_domains", (OWN_DOMAIN,))
    con = warehouse.connect()
    sink = warehouse.SourceSink(con, source="x", kind=kind, system="mail")
    cfg = SourceConfig(name="x", kind=kind, path=path, system="mail")
    result = get_loader(kind)(cfg, sink, **kw)
    sink.flush()
    assert result.reconciles
    return con, result


def rows(con, sql):
    return con.execute(sql).fetchall()


def corpus(sub: str) -> Path:
    p = CORPORA / sub
    if not p.exists():
        pytest.skip(f"corpus folder {p} is absent")
    return p


# -- the Thunderbird mbox fixture ---------------------------------------------------------


def test_thunderbird_mbox_messages():
    con, r = load("mbox", DATA / "thunderbird.mbox")
    # the last message is cut off inside its header (the file ends mid-line): a reject
    assert (r.records_read, r.records_loaded, r.records_rejected) == (7, 5, 2)
    assert r.format == "mbox"
    # the BOM shifts the first From line to offset 3; ">From" and "From here"/"From Russia"
    # body lines do not start messages
    assert rows(con, "SELECT record_ref, date, date_note, n_addresses, signature_phones "
                     "FROM src_x ORDER BY CAST(split_part(record_ref, ' ', 2) AS INT)") == [
        ("offset 3", "2026-03-03T10:00:00+02:00", "", "2", "+358409123456"),
        ("offset 495", None, "Date header not parseable", "4", ""),
        ("offset 888", "2025-06-15T09:30:00+03:00", "", "2", "+358501234567"),
        ("offset 1784", "2025-10-01T08:00:00+03:00", "", "2", ""),
        ("offset 2076", "2026-04-20T16:45:00+03:00", "", "2", "+358409123456"),
    ]
    assert rows(con, "SELECT record_ref, reason FROM rejects") == [
        ("offset 2012", "no header fields: not an e-mail message"),
        ("offset 2467", "truncated: the file ends inside the message header")]


def test_thunderbird_mbox_subject_is_hashed_not_kept():
    con, _ = load("mbox", DATA / "thunderbird.mbox")
    sha, n = rows(con, "SELECT subject_sha256, subject_len FROM src_x "
                       "WHERE record_ref = 'offset 3'")[0]
    assert sha == hashlib.sha256("Tarjous väriaineista".encode()).hexdigest()
    assert n == "20"
    # ISO-8859-1 base64 subject of offset 888; NUL bytes dropped from offset 1784
    assert rows(con, "SELECT subject_sha256 FROM src_x WHERE record_ref = 'offset 888'")[0][0] == \
        hashlib.sha256("Hinnasto tässä".encode()).hexdigest()
    assert rows(con, "SELECT subject_sha256 FROM src_x WHERE record_ref = 'offset 1784'")[0][0] == \
        hashlib.sha256(b"Tilaus 123").hexdigest()
    cols = [c[0] for c in con.execute("DESCRIBE src_x").fetchall()]
    assert "subject" not in cols


def test_thunderbird_mbox_addresses_decode_exactly():
    con, _ = load("mbox", DATA / "thunderbird.mbox")
    got = rows(con, "SELECT message_ref, role, display_name, email FROM src_x_addresses "
                    "WHERE message_ref IN ('offset 3', 'offset 495', 'offset 888') "
                    "ORDER BY message_ref, role, email")
    assert got == [
        ("offset 3", "from", "Väinö Mäkinen", "vaino.makinen@kiiminginkone.example.fi"),
        ("offset 3", "to", "Myynti", "myynti@oulunkonttori.fi"),
        ("offset 495", "cc", "", "info@raahenrakennus.example.fi"),
        ("offset 495", "cc", "Myynti", "myynti@oulunkonttori.fi"),
        ("offset 495", "from", "Päivi Räsänen", "paivi.rasanen@raahenrakennus.example.fi"),
        ("offset 495", "to", "", "vaino.makinen@kiiminginkone.example.fi"),
        ("offset 888", "from", "Jörö Östman", "joro.ostman@iiinsinoorit.example.fi"),
        ("offset 888", "to", "", "myynti@oulunkonttori.fi"),
    ]


def test_thunderbird_mbox_correspondents_and_records():
    con, _ = load("mbox", DATA / "thunderbird.mbox")
    # staff, info@ and noreply@ stay in the raw table, marked, but are not data subjects
    assert rows(con, "SELECT email, first_seen, last_seen, messages, latest_ref, excluded "
                     "FROM src_x_correspondents ORDER BY email") == [
        ("info@raahenrakennus.example.fi", None, None, "1", "offset 495", "role address"),
        ("joro.ostman@iiinsinoorit.example.fi", "2025-06-15", "2025-06-15", "1", "offset 888", ""),
        ("kari.lukkarila@oulunkonttori.fi", "2025-10-01", "2025-10-01", "1", "offset 1784",
         "own domain"),
        ("myynti@oulunkonttori.fi", "2025-06-15", "2026-04-20", "4", "offset 2076", "own domain"),
        ("noreply@pohjolanpaperi.example.fi", "2025-10-01", "2025-10-01", "1", "offset 1784",
         "role address"),
        ("paivi.rasanen@raahenrakennus.example.fi", None, None, "1", "offset 495", ""),
        ("vaino.makinen@kiiminginkone.example.fi", "2026-03-03", "2026-04-20", "3", "offset 2076",
         ""),
    ]
    assert rows(con, "SELECT record_ref, role, email, person_name, phone, "
                     "CAST(last_activity AS VARCHAR) FROM records ORDER BY email") == [
        ("offset 888", "correspondent", "joro.ostman@iiinsinoorit.example.fi", "Jörö Östman",
         "+358501234567", "2025-06-15"),
        # only her undated message (offset 495) loaded: no date, so no retention clock
        ("offset 495", "correspondent", "paivi.rasanen@raahenrakennus.example.fi",
         "Päivi Räsänen", None, None),
        # most recent display name; the phone quoted in the reply (044 ...) is not taken
        ("offset 2076", "correspondent", "vaino.makinen@kiiminginkone.example.fi", "Väinö M.",
         "+358409123456", "2026-04-20"),
    ]
    assert rows(con, "SELECT record_ref, field, label, value FROM fields ORDER BY record_ref, "
                     "field, value") == [
        ("offset 2076", "email", "From (address)", "vaino.makinen@kiiminginkone.example.fi"),
        ("offset 2076", "mobile_phone", "signature (phone)", "+358 40 912 3456"),
        ("offset 2076", "person_name", "From (display name)", "Väinö M."),
        ("offset 495", "email", "From (address)", "paivi.rasanen@raahenrakennus.example.fi"),
        ("offset 495", "person_name", "From (display name)", "Päivi Räsänen"),
        ("offset 888", "email", "From (address)", "joro.ostman@iiinsinoorit.example.fi"),
        ("offset 888", "mobile_phone", "signature (phone)", "050 123 4567"),
        ("offset 888", "person_name", "From (display name)", "Jörö Östman"),
    ]


def _message(sender: str, to: str, date: str | None, sig: str = "") -> str:
    head = f"From - Mon Jan 01 00:00:00 2026\nFrom: {sender}\nTo: {to}\n"
    if date:
        head += f"Date: {date}\n"
    return head + f"Subject: x\n\nHei,\n{sig}\n"


def test_correspondent_tie_breaks_follow_reading_order(tmp_path):
    """Latest message: by day, a same-day tie goes to the later one read, an undated one
    never beats a dated one; display name: the latest given; phones: every number the
    address signed with, the raw text last seen; each address once per message."""
    p = tmp_path / "ties.mbox"
    p.write_text("".join([
        _message("Anna <anna@asiakas.example.fi>", "myynti@oulunkonttori.fi",
                 "Mon, 02 Mar 2026 10:00:00 +0200", "-- \npuh. 040 111 2222"),
        _message("Anna A. <anna@asiakas.example.fi>", "anna@asiakas.example.fi",
                 "Mon, 02 Mar 2026 09:00:00 +0200", "-- \n+358 40 111 2222\n050 333 4444"),
        _message("Anna X <anna@asiakas.example.fi>", "myynti@oulunkonttori.fi", None),
        _message("myynti@oulunkonttori.fi", "Bertta <bertta@asiakas.example.fi>", None),
        _message("myynti@oulunkonttori.fi", "bertta@asiakas.example.fi", None),
    ]), encoding="utf-8")
    con, _ = load("mbox", p)
    offsets = [r for (r,) in rows(con, "SELECT record_ref FROM src_x ORDER BY CAST("
                                       "split_part(record_ref, ' ', 2) AS INT)")]
    assert rows(con, "SELECT email, first_seen, last_seen, messages, display_names, latest_ref, "
                     "phone FROM src_x_correspondents WHERE excluded = '' ORDER BY email") == [
        # the second message is read later on the same day: it is the latest, and it
        # names Anna once although she is both sender and recipient
        ("anna@asiakas.example.fi", "2026-03-02", "2026-03-02", "3",
         "Anna | Anna A. | Anna X", offsets[1], "+358401112222"),
        # never dated: the last one read
        ("bertta@asiakas.example.fi", None, None, "2", "Bertta", offsets[4], None),
    ]
    assert rows(con, "SELECT email, person_name FROM records ORDER BY email") == [
        ("anna@asiakas.example.fi", "Anna A."), ("bertta@asiakas.example.fi", "Bertta")]
    assert rows(con, "SELECT field, value FROM fields WHERE field LIKE '%phone' "
                     "ORDER BY value") == [
        ("mobile_phone", "+358 40 111 2222"), ("mobile_phone", "050 333 4444")]


def test_own_domains_is_a_parameter():
    con, _ = load("mbox", DATA / "thunderbird.mbox",
                  own_domains=("oulunkonttori.fi", "kiiminginkone.example.fi"))
    assert rows(con, "SELECT email FROM records ORDER BY email") == [
        ("joro.ostman@iiinsinoorit.example.fi",), ("paivi.rasanen@raahenrakennus.example.fi",)]


def test_content_length_mbox_is_trusted_when_it_lands_on_a_separator():
    con, r = load("mbox", DATA / "sysv-content-length.mbox")
    assert (r.records_read, r.records_loaded) == (2, 2)
    assert rows(con, "SELECT email, record_ref FROM records ORDER BY email") == [
        ("alice@example.fi", "offset 0"), ("carol@example.fi", "offset 218")]


def test_not_an_mbox_is_an_input_error(tmp_path):
    p = tmp_path / "x.mbox"
    p.write_bytes(b"Subject: hello\n\nbody\n")
    with pytest.raises(InputError, match="not an mbox file") as exc:
        load("mbox", p)
    assert exc.value.place == "offset 0"


def test_mmdf_mailbox_reads_as_python_mailbox_mmdf_does(tmp_path):
    """MMDF (messages between ^A^A^A^A lines), written and read back by the standard
    library's mailbox.MMDF: the same messages, senders and order; a From envelope line and
    body lines starting "From " are no headers and split nothing."""
    path = tmp_path / "Inbox.mmdf"
    box = mailbox.MMDF(path)
    for i, (sender, body) in enumerate([
        ("Aino Mäkelä <aino.makela@example.com>", "Hei,\nFrom now on we order monthly.\n"),
        ("eero.salo@paperi.example", "Tarjous liitteenä.\n"),
        ("=?iso-8859-1?q?V=E4in=F6_Aho?= <vaino@example.net>", "\x01\x01 kaksi ^A\n"),
    ]):
        msg = mailbox.MMDFMessage(f"From: {sender}\nTo: myynti@oulunkonttori.fi\n"
                                  f"Date: Mon, {i + 1} Jun 2026 10:00:00 +0300\n"
                                  f"Subject: viesti {i}\n\n{body}".encode())
        if i == 1:
            msg.set_from("eero.salo@paperi.example", True)
        box.add(msg)
    box.close()
    expected = [email.utils.parseaddr(str(m["From"]))[1].lower()
                for m in mailbox.MMDF(path, create=False)]
    con, r = load("mbox", path)
    assert (r.records_read, r.records_loaded, r.records_rejected) == (3, 3, 0)
    got = rows(con, "SELECT email FROM records ORDER BY CAST(split_part(record_ref, ' ', 2) "
                    "AS INT)")
    assert [e for (e,) in got] == expected == [
        "aino.makela@example.com", "eero.salo@paperi.example", "vaino@example.net"]
    offsets = [int(ref.split()[1]) for (ref,) in rows(con, "SELECT record_ref FROM records")]
    assert all(path.read_bytes()[o:o + 5] == b"\x01\x01\x01\x01\n" for o in offsets)


def test_empty_mbox_loads_nothing(tmp_path):
    p = tmp_path / "empty.mbox"
    p.write_bytes(b"")
    con, r = load("mbox", p)
    assert (r.records_read, r.records_rejected) == (0, 0)


@pytest.mark.slow  # a process pool
def test_mbox_pool_gives_the_same_rows(monkeypatch, tmp_path):
    from audit_kit.loaders import mbox

    p = tmp_path / "many.mbox"
    # the fixture ends in a truncated header line: end each copy with a newline
    p.write_bytes(((DATA / "thunderbird.mbox").read_bytes()[3:] + b"\n") * 40)
    monkeypatch.setattr(mbox, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(mbox, "CHUNK_BYTES", 10_000)
    con1, r1 = load("mbox", p, workers=1)
    con2, r2 = load("mbox", p, workers=2)
    assert (r1.records_read, r1.records_rejected) == (280, 40)
    assert (r2.records_read, r2.records_rejected) == (280, 40)
    q = "SELECT record_ref, date, n_addresses, signature_phones FROM src_x ORDER BY record_ref"
    assert rows(con1, q) == rows(con2, q)
    q = "SELECT * FROM records ORDER BY email"
    assert rows(con1, q) == rows(con2, q)


# -- Maildir and eml fixtures ------------------------------------------------------------------


def test_maildir_fixture():
    con, r = load("maildir", DATA / "Maildir")
    assert (r.records_read, r.records_loaded, r.records_rejected) == (5, 4, 1)
    # tmp/ and dovecot-uidlist/maildirfolder are skipped; flags come from the name
    assert rows(con, "SELECT record_ref, maildir_folder, maildir_flags, date, signature_phones "
                     "FROM src_x ORDER BY record_ref") == [
        (".Sent/cur/1767225603.M4P1.host:2,S", ".Sent", "S", "2025-06-02T09:00:00+03:00", ""),
        ("Archive/2025/cur/1767225604.M5P1.host:2,FS", "Archive/2025", "FS",
         "2025-06-02T09:05:00+03:00", ""),
        ("cur/1767225600.M1P1.host:2,RS", "", "RS", "2025-05-01T12:00:00+03:00", "+35881234567"),
        ("new/1767225601.M2P1.host", "", "", "2026-12-01T12:00:00+02:00", ""),
    ]
    assert rows(con, "SELECT record_ref, reason FROM rejects") == [
        ("cur/1767225605.M6P1.host:2,", "no header fields: not an e-mail message")]
    got = rows(con, "SELECT record_ref, email, person_name, phone, CAST(last_activity AS VARCHAR) "
                    "FROM records ORDER BY email")
    assert got == [
        ("new/1767225601.M2P1.host", "aino.salo@pohjolanpaperi.example.fi", "Aino Salo",
         "+35881234567", "2026-12-01"),
        (".Sent/cur/1767225603.M4P1.host:2,S", "asa.aberg@hailuodonhotelli.example.fi",
         "Åsa Åberg", None, "2025-06-02"),
    ]
    assert rows(con, "SELECT field, label, value FROM fields WHERE field = 'phone'") == [
        ("phone", "signature (phone)", "08 123 4567")]


def test_eml_fixture():
    con, r = load("eml", DATA / "eml")
    assert (r.records_read, r.records_loaded, r.records_rejected) == (3, 2, 1)
    assert rows(con, "SELECT record_ref, reason FROM rejects") == [
        ("notes.txt", "no header fields: not an e-mail message")]
    assert rows(con, "SELECT message_ref, role, display_name, email FROM src_x_addresses "
                     "WHERE role = 'reply-to'") == [
        ("tarjous.eml", "reply-to", "Kyösti Järvinen", "kj@tyrnavantuote.example.fi")]
    assert rows(con, "SELECT record_ref, email, person_name, phone FROM records "
                     "ORDER BY email") == [
        ("tarjous.eml", "kj@tyrnavantuote.example.fi", "Kyösti Järvinen", None),
        ("tarjous.eml", "kyosti.jarvinen@tyrnavantuote.example.fi", "Kyösti Järvinen",
         "+358201234567"),
    ]
    # the envelope "From " line of sub/envelope.eml is skipped, its headers load
    assert rows(con, "SELECT messages, first_seen FROM src_x_correspondents "
                     "WHERE email = 'kyosti.jarvinen@tyrnavantuote.example.fi'") == [
        ("2", "2026-01-10")]


# -- units ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "name"), [
    ("=?UTF-8?Q?V=C3=A4in=C3=B6_M=C3=A4kinen?=", "Väinö Mäkinen"),
    ("=?utf-8?b?UMOkaXZpIFLDpHPDpG5lbg==?=", "Päivi Räsänen"),
    ("=?ISO-8859-1?Q?P=E4ivi_R=E4s=E4nen?=", "Päivi Räsänen"),
    ("=?iso-8859-1?B?1vZu5CDFa2Vy?=", "Öönä Åker"),
    ("=?ISO-8859-1?Q?J=F6r=F6?= =?UTF-8?Q?_=C3=96stman?=", "Jörö Östman"),
    ("plain", "plain"),
    ("=?NONE?B?VEVTVA=?=", "TEST"),  # unknown charset: Latin-1
])
def test_rfc2047_names_decode_exactly(raw, name):
    assert decode_words(raw) == name


def _encoded_words(seed: int, n: int) -> list[str]:
    """Random single and double encoded words (B with and without padding, Q) in four
    charsets, over text with the characters that need escaping."""
    import base64
    import random

    rng = random.Random(seed)
    out = ["=?utf-8?q?abc=?=", "=?utf-8?q?a=c3=a4?=", "=?utf-8?b?//8=?=", "=?x-unknown?q?abc?=",
           "=?utf-8?q?a?=  =?iso-8859-1?q?b?=", "=?windows-1252?q?=80uro?=",
           "=?ISO-8859-1?Q?\x80P=E4ivi?=", "=?utf-8?b?w6Q\xe4?="]  # raw 8-bit (found by fuzzing)
    while len(out) < n:
        text = "".join(rng.choice("aäöå ÄÖ_=?-x.€") for _ in range(rng.randint(0, 12)))
        cs = rng.choice(["utf-8", "iso-8859-1", "UTF-8", "windows-1252"])
        try:
            raw = text.encode(cs)
        except UnicodeEncodeError:
            continue
        if rng.random() < 0.5:
            b64 = base64.b64encode(raw).decode()
            word = f"=?{cs}?b?{b64.rstrip('=') if rng.random() < 0.3 else b64}?="
        else:
            q = "".join(chr(c) if chr(c).isalnum() and c < 128 else "_" if c == 32 else f"={c:02X}"
                        for c in raw)
            word = f"=?{cs}?q?{q}?="
        out.append(word + (" " + word if rng.random() < 0.3 else ""))
    return out


def test_rfc2047_fast_path_agrees_with_the_stdlib():
    """decode_words' own decoder takes the common case; where it does, the result is the
    stdlib's ``make_header(decode_header())`` exactly (and where it does not, the stdlib runs)."""
    from email.header import decode_header, make_header

    from audit_kit.loaders._mail import _words_fast

    took = 0
    for value in _encoded_words(7, 2000):
        decode_words(value)  # never raises
        fast = _words_fast(value)
        if fast is None:
            continue
        took += 1
        assert fast == str(make_header(decode_header(value))), value
    assert took > 1900  # the fast path is really taken


def test_addresses_quoted_encoded_word_and_groups():
    assert addresses('"=?ISO-8859-1?Q?=C5sa_=C5berg?=" <asa@x.example.fi>, b@y.example.fi') == [
        ("Åsa Åberg", "asa@x.example.fi"), ("", "b@y.example.fi")]
    assert addresses("IETF-Announce:;") == []


@pytest.mark.parametrize(("value", "iso", "note"), [
    ("Tue, 03 Mar 2026 10:00:00 +0200", "2026-03-03T10:00:00+02:00", ""),
    ("01 Jan 2001 00:01+0000", "2001-01-01T00:01:00+00:00", ""),
    ("Wed, 15 Dec 2010    59:10 -0500", None, "Date header not parseable"),
    ("Pn, 29 paX 2007 21:13:00 +0100", None, "Date header not parseable"),
    ("Mon, 1 Jan 3609 10:00:00 +0000", None, "Date header has an implausible year"),
    ("", None, "no Date header"),
])
def test_broken_dates(value, iso, note):
    when, got_note = parse_date(value)
    assert (when.isoformat() if when else None, got_note) == (iso, note)


_DATE_HEADER = st.builds(
    lambda wd, d, mon, y, hh, mm, ss, zone: f"{wd}{d} {mon} {y} {hh}:{mm}{ss}{zone}",
    st.sampled_from(["", "Tue, ", "Tue,"]),
    st.sampled_from(["1", "01", "9", "28", "29", "30", "31", "32", "0", "\uff11"]),
    st.sampled_from(["Jan", "feb", "FEB", "Apr", "Jun", "Xyz", "Dec"]),
    st.sampled_from(["1969", "1970", "2024", "2025", "2100", "2101", "\uff12\uff10\uff12\uff14"]),
    st.sampled_from(["0", "00", "9", "23", "24"]),
    st.sampled_from(["00", "59", "60"]),
    st.sampled_from(["", ":00", ":59", ":60"]),
    st.sampled_from(["", " +0000", " +0200", " -0500", "+0130", " +2400", " -9999", " GMT"]),
)


@pytest.mark.slow  # 1,500 examples
@settings(max_examples=1500, deadline=None, derandomize=True)
@given(_DATE_HEADER)
def test_date_strings_equal_parse_date(value):
    """date_strings writes the usual RFC 5322 date from its own digits: the same strings
    as parse_date's datetime (its isoformat() and date().isoformat()) and the same note."""
    when, note = parse_date(value)
    expected = (when.isoformat(), when.date().isoformat(), note) if when else (None, None, note)
    assert date_strings(value) == expected


def test_signature_phones_skip_dates_and_quotes():
    text = "Hei 1.2.2024\n\nTerveisin\nPekka\np. 040-123 4567\n\n> puh 050 999 8888\n"
    assert signature_phones(text) == [("040-123 4567", "+358401234567")]


# -- corpora, read in place -------------------------------------------------------------------


@pytest.mark.parametrize(("name", "messages", "records"), [
    ("mbox/mimekit/content-length.mbox.txt", 29, 25),
    ("mbox/mimekit/issue1189.mbox.txt", 4, 2),
    ("mbox/mimekit/simple.mbox.txt", 3, 1),
    ("mbox/mimekit/unmunged.mbox.txt", 2, 1),
    ("roundcube/import.mbox", 3, 4),
])
def test_corpus_mbox(name, messages, records):
    con, r = load("mbox", corpus(name))
    assert (r.records_read, r.records_loaded, r.records_rejected) == (messages, messages, 0)
    assert rows(con, "SELECT count(*) FROM records")[0][0] == records


def test_corpus_mbox_matches_the_stdlib_count_and_mimekit_summary():
    path = corpus("mbox/mimekit/content-length.mbox.txt")
    con, r = load("mbox", path)
    assert r.records_read == len(mailbox.mbox(str(path), create=False))
    summary = (path.parent / "content-length-summary.txt").read_text()
    dates = [line[6:].strip() for line in summary.splitlines() if line.startswith("Date: ")]
    assert len(dates) == 29
    # the unmunged "From Russia with love" lines stay in their message
    con, r = load("mbox", corpus("mbox/mimekit/unmunged.mbox.txt"))
    assert rows(con, "SELECT record_ref, subject_len FROM src_x ORDER BY record_ref") == [
        ("offset 245", "47"), ("offset 3", "49")]


def test_corpus_roundcube_mboxrd_quoting():
    con, _ = load("mbox", corpus("roundcube/import.mbox"))
    assert rows(con, "SELECT record_ref, message_id FROM src_x ORDER BY record_ref") == [
        ("offset 0", "<de75@tester.local>"), ("offset 241", "<de75@tester.local>"),
        ("offset 488", "<de75@tester.local>")]


def test_corpus_maildir_notmuch():
    con, r = load("maildir", corpus("maildir/notmuch-default"))
    assert (r.records_read, r.records_loaded, r.records_rejected) == (53, 53, 0)
    assert rows(con, "SELECT count(*) FROM records")[0][0] == 19
    # messages in cur/, new/ and loose in each folder count for that folder
    assert rows(con, "SELECT maildir_folder, count(*) FROM src_x GROUP BY 1 ORDER BY 1") == [
        ("", 28), ("bar", 6), ("bar/baz", 7), ("foo", 6), ("foo/baz", 6)]
    con, r = load("maildir", corpus("maildir/notmuch-broken"))
    assert (r.records_read, r.records_loaded) == (4, 4)


def test_corpus_eml_mikel():
    con, r = load("eml", corpus("eml/mikel-mail"))
    assert (r.records_read, r.records_loaded, r.records_rejected) == (30, 28, 2)
    assert rows(con, "SELECT record_ref, reason FROM rejects ORDER BY record_ref") == [
        ("MIT-LICENSE", "no header fields: not an e-mail message"),
        ("fixtures.gitattributes", "no header fields: not an e-mail message"),
    ]
    notes = dict(rows(con, "SELECT record_ref, date_note FROM src_x WHERE date IS NULL"))
    assert notes["error_emails_bad_date_header2.eml"] == "Date header not parseable"
    assert notes["plain_emails_raw_email_bad_time.eml"] == "Date header has an implausible year"
    assert notes["error_emails_bad_encoded_subject.eml"] == "no Date header"
    # ISO-8859-1 Q-encoded Norwegian name decodes exactly
    assert rows(con, "SELECT display_name FROM src_x_addresses WHERE message_ref = "
                     "'error_emails_header_fields_with_empty_values.eml' AND role = 'from'") == [
        ("Jørn Støylen",)]


def test_corpus_lkml_finnish_iso_8859_1_name():
    con, r = load("eml", corpus("eml/lkml-public-inbox"))
    names = [n for (n,) in rows(con, "SELECT display_name FROM src_x_addresses WHERE role = 'cc'")]
    assert "Jaakko Hyvätti" in names


def test_cpython_email_test_data_as_one_mbox(tmp_path):
    data = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data"
    files = sorted(data.glob("msg_*.txt")) if data.exists() else []
    if not files:
        pytest.skip("CPython's test_email data is not installed with this interpreter")
    p = tmp_path / "cpython.mbox"
    with open(p, "wb") as out:
        for f in files:
            body = f.read_bytes().replace(b"\r\n", b"\n")
            if body.startswith(b"From "):  # some test messages carry their own envelope
                body = body.split(b"\n", 1)[1]
            body = body.replace(b"\nFrom ", b"\n>From ")
            out.write(b"From - Mon Jan 01 00:00:00 2026\n" + body.rstrip(b"\n") + b"\n\n")
    con, r = load("mbox", p)
    assert r.records_read == len(mailbox.mbox(str(p), create=False)) == len(files)
    assert r.records_loaded + r.records_rejected == r.records_read
    reasons = {reason for (reason,) in rows(con, "SELECT DISTINCT reason FROM rejects")}
    assert reasons <= {"no header fields: not an e-mail message",
                       "none of the headers From, To, Cc, Reply-To, Date, Message-ID, Subject"}
    assert rows(con, "SELECT count(*) FROM src_x")[0][0] == r.records_loaded


# -- the demo writer ----------------------------------------------------------------------------


def test_demo_mail_plants_what_it_expects(tmp_path):
    from audit_kit import normalise
    from audit_kit.demo import DemoContext
    from audit_kit.demo.mail import write

    ctx = DemoContext(root=tmp_path)
    live = [ctx.person(), ctx.person()]
    ctx.live_customer_contacts.extend(live)
    write(ctx)
    con = warehouse.connect()
    for s in ctx.sources:
        sink = warehouse.SourceSink(con, source=s["name"], kind=s["kind"], system=s["system"])
        cfg = SourceConfig(name=s["name"], kind=s["kind"], path=Path(s["path"]), system="mail")
        r = get_loader(s["kind"])(cfg, sink, own_domains=(OWN_DOMAIN,))
        sink.flush()
        assert r.records_rejected == 0
    assert [(s["name"], s["kind"]) for s in ctx.sources] == [
        ("mail-inbox", "mbox"), ("mail-maildir", "maildir"), ("mail-saved", "eml")]
    old = rows(con, "SELECT source, record_ref, email, phone FROM records "
                    "WHERE last_activity < DATE '2026-06-30' ORDER BY source, record_ref")
    live_emails = {p.email for p in live}
    live_phones = {normalise.phone(p.mobile) for p in live}
    findings = sorted((src, ref) for src, ref, email, phone in old
                      if email not in live_emails and phone not in live_phones)
    assert findings == sorted((e.source, e.record_ref) for e in ctx.expected)
    assert len(findings) == 6
    # the two live look-alikes are old correspondents too, matched by e-mail and by phone
    assert len(old) == 8
    assert rows(con, "SELECT count(*) FROM records WHERE email LIKE '%oulunkonttori.fi' "
                     "OR split_part(email, '@', 1) IN ('info', 'noreply', 'postmaster')") == [(0,)]


# -- header quirks against Python's parser (tests/data/mail/quirks) -------------------------


def test_quirks_counts_and_reasons():
    con, r = load("eml", DATA / "quirks")
    assert (r.records_read, r.records_loaded, r.records_rejected) == (3, 2, 1)
    # no header at all: Python's parser makes it a body-only message; no address, so no
    # correspondence, but read and rejected with its reason
    assert email.message_from_bytes((DATA / "quirks" / "no_headers.eml").read_bytes()).keys() == []
    assert rows(con, "SELECT record_ref, reason FROM rejects") == [
        ("no_headers.eml", "no header fields: not an e-mail message")]


def test_whitespace_line_before_the_headers_is_read_as_python_does():
    raw = (DATA / "quirks" / "leading_space_line.eml").read_bytes()
    assert raw.startswith(b" \r\nFrom: ")
    ref = email.message_from_bytes(raw, policy=email.policy.default)
    con, _ = load("eml", DATA / "quirks")
    got = rows(con, "SELECT role, display_name, email FROM src_x_addresses "
                    "WHERE message_ref = 'leading_space_line.eml' ORDER BY role")
    assert got == [("from", "Aino Mäki", "aino.maki@example.fi"),
                   ("to", "", "info@oulunkonttori.fi")]
    assert [a.addr_spec for h in ("from", "to") for a in ref[h].addresses] == [
        "aino.maki@example.fi", "info@oulunkonttori.fi"]


def test_utf8_header_with_one_bad_byte_stays_utf8():
    """From: is UTF-8 (an RFC 6532 address too) but for one Latin-1 byte in the name: the
    byte becomes U+FFFD and the address keeps its characters; To: is all Latin-1."""
    con, _ = load("eml", DATA / "quirks")
    assert rows(con, "SELECT role, display_name, email FROM src_x_addresses "
                     "WHERE message_ref = 'utf8_one_bad_byte.eml' ORDER BY role") == [
        ("from", "Jörg M\ufffdller", "jörg@müller.example"),
        ("to", "Päivi Räsänen", "paivi@example.fi"),
    ]


# -- possible personal identity codes in message bodies (READING.md §5) ------------------------

_BODIES = (
    # (sender, body): a code in the text (base64), one in lower case (quoted-printable),
    # one labelled as an order number; the first message also has a code in an
    # attachment, which is never read
    ("aino@asiakas.example.fi", "Hei,\nhenkilötunnukseni on 131052-308T.\n"),
    ("eino@asiakas.example.fi", "Hei,\nhetu 010101a123n, kiitos.\n"),
    ("saara@asiakas.example.fi", "Huoltotilaus 150324-0253 vahvistettu.\n"),
)


def _hetu_mail(sender: str, body: str, n: int) -> bytes:
    msg = email.message.EmailMessage()
    msg["From"] = sender
    msg["To"] = "myynti@oulunkonttori.fi"
    msg["Date"] = f"Mon, {n + 2:02d} Nov 2026 10:00:00 +0200"
    msg["Subject"] = "x"
    msg.set_content(body, cte="quoted-printable" if n % 2 else "base64")
    if n == 0:
        msg.add_attachment(b"311280-999J", maintype="text", subtype="plain", filename="a.txt")
    return msg.as_bytes(policy=email.policy.SMTP.clone(linesep="\n"))


@pytest.mark.parametrize("kind", ["mbox", "maildir", "eml"])
def test_a_hetu_in_a_message_body_is_a_field_of_the_message(tmp_path, kind):
    """The first text part is scanned (either case, order numbers by their label): a code
    there is a hetu field of the message, which joins the sender's record; an attachment
    is never read."""
    mails = [_hetu_mail(s, b, i) for i, (s, b) in enumerate(_BODIES)]
    if kind == "mbox":
        path = tmp_path / "in.mbox"
        path.write_bytes(b"".join(b"From - Mon Jan 01 00:00:00 2026\n" + m + b"\n" for m in mails))
    elif kind == "maildir":
        path = tmp_path / "md"
        for sub in ("cur", "new", "tmp"):
            (path / sub).mkdir(parents=True)
        for i, m in enumerate(mails):
            (path / "cur" / f"{i}.host:2,S").write_bytes(m)
    else:
        path = tmp_path / "eml"
        path.mkdir()
        for i, m in enumerate(mails):
            (path / f"{i}.eml").write_bytes(m)
    con, r = load(kind, path)
    assert (r.records_read, r.records_rejected) == (3, 0)
    got = rows(con, "SELECT r.email, f.label, f.value FROM fields f JOIN records r "
                    "USING (source, record_ref) WHERE f.field = 'hetu' ORDER BY r.email")
    # the code is found, not copied: the value is masked
    assert got == [("aino@asiakas.example.fi", "message body", "[identity code]"),
                   ("eino@asiakas.example.fi", "message body", "[identity code]")]


def test_the_mbox_pool_finds_the_same_hetus(monkeypatch, tmp_path):
    from audit_kit.loaders import mbox

    p = tmp_path / "many.mbox"
    p.write_bytes(b"".join(b"From - Mon Jan 01 00:00:00 2026\n" + _hetu_mail(s, b, i) + b"\n"
                           for i, (s, b) in enumerate(_BODIES * 30)))
    monkeypatch.setattr(mbox, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(mbox, "CHUNK_BYTES", 5_000)
    q = "SELECT record_ref, value FROM fields WHERE field = 'hetu' ORDER BY record_ref"
    one, two = (rows(load("mbox", p, workers=w)[0], q) for w in (1, 2))
    assert one == two and len(one) == 60
