"""The SQL twins (audit_kit.normalise_sql) give the Python functions' answers."""

from __future__ import annotations

import itertools

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_kit import normalise, normalise_sql
from audit_kit.loaders.contact_points import PhoneInfo

_CON = duckdb.connect()  # one for the module: a connection per hypothesis example is slow


def _column(texts: list[str], select: str) -> list:
    """*select* (over column ``t``) for each text, in order."""
    _CON.register("t", pa.table({"t": pa.array(texts, pa.string())}))
    try:
        return _CON.execute(select).fetchall()
    finally:
        _CON.unregister("t")


def _sql_phones(texts: list[str]) -> dict[str, tuple[str | None, str | None] | None]:
    """text -> (e164, kind) where the SQL covers it, else None."""
    covered, nsn = normalise_sql.fi_national_sql("t")
    e164, kind = normalise_sql.fi_phone_sql("nsn")
    rows = _column(
        texts, f"SELECT t, ok, {e164}, {kind} FROM (SELECT t, {covered} AS ok, {nsn} AS nsn FROM t)"
    )
    return {t: (e, k) if ok else None for t, ok, e, k in rows}


def _finnish_numbers() -> list[str]:
    """Every 1-3 digit prefix of a national number, at every length the shortcut takes."""
    out = []
    for prefix_len in (1, 2, 3):
        for prefix in itertools.product("0123456789", repeat=prefix_len):
            p = "".join(prefix)
            if p[0] == "0":
                continue
            for length in range(4, 14):
                if length >= prefix_len:
                    body = (p + "1234567890123")[:length]
                    out += ["0" + body, "+358 " + body[:2] + " " + body[2:]]
    return out


def test_fi_phone_sql_equals_phone_info_on_every_prefix():
    texts = _finnish_numbers()
    got = _sql_phones(texts)
    covered = [t for t in texts if got[t] is not None]
    assert len(covered) > len(texts) // 2  # the shortcut covers the usual shapes
    info = PhoneInfo()
    assert [(t, got[t]) for t in covered] == [(t, info[t]) for t in covered]


_PHONE_TEXT = st.builds(
    lambda pre, body: pre + body,
    st.sampled_from(["", "0", "00", "+358", "00358", "+358 ", "0 ", "+3580", "358", "+46 "]),
    st.text(alphabet="0123456789 -", max_size=16),
)


@pytest.mark.slow  # a differential, SQL per example
@settings(max_examples=100, deadline=None)
@given(st.lists(_PHONE_TEXT.map(str.strip), max_size=20))
def test_fi_phone_sql_equals_phone_info(texts):
    got = _sql_phones(texts)
    info = PhoneInfo()
    for t in texts:
        if got[t] is not None:
            assert got[t] == info[t], t


def _sql_emails(texts: list[str]) -> list[str | None]:
    return [r[0] for r in _column(texts, f"SELECT {normalise_sql.email_sql('t')} FROM t")]


@pytest.mark.parametrize("text", ["Aino@Example.FI", "<mailto:X@y.fi>", "  a@b.c ", "a b@c.d",
                                  "a@b", "MAILTO:a@b.fi", "<a@b.fi", "\x1ca@b.fi\x1f", "a\x0b@b.c",
                                  "a@@b.c", "mailto: a@b.c", "<>", ""])
def test_email_sql_examples(text):
    assert _sql_emails([text]) == [normalise.email(text) or None]


@pytest.mark.slow  # a differential, SQL per example
@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(max_codepoint=127), max_size=12)
                | st.lists(st.sampled_from(["a", "B", "@", ".", " ", "<", ">", "mailto:", "\t",
                                            "\x1c", "\n", "MAILTO:"]), max_size=10).map("".join)))
def test_email_sql_equals_email_on_ascii(texts):
    assert _sql_emails(texts) == [normalise.email(t) or None for t in texts]


@pytest.mark.slow  # a differential, SQL per example
@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=8)))
def test_strip_sql_equals_str_strip(texts):
    got = [r[0] for r in _column(texts, f"SELECT {normalise_sql.strip_sql('t')} FROM t")]
    assert got == [t.strip() for t in texts]
