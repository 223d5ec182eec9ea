"""normalise: the Finnish phone shortcut equals phonenumbers' parser; HETU and Y-tunnus."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_kit import normalise

_PHONE_TEXT = st.builds(
    lambda pre, body, pad: pad + pre + body + pad,
    st.sampled_from(["", "0", "00", "+358", "00358", "+358 ", "0 ", "+3580", "358", "+46 ",
                     "+358-", "0-"]),
    st.text(alphabet="0123456789 -", max_size=16),
    st.sampled_from(["", " ", "\t"]),
)


@pytest.mark.slow  # 3,000 examples
@settings(max_examples=3000, deadline=None, derandomize=True)
@given(_PHONE_TEXT)
def test_finnish_shortcut_equals_the_parser(text):
    assert normalise.phone(text) == normalise.phone_by_parser(text)


@pytest.mark.parametrize("text, e164", [
    ("08 5931 327", "+35885931327"), ("+358 8 5931 327", "+35885931327"),
    ("085931327", "+35885931327"), ("+35885931327", "+35885931327"),
    ("040-1234567", "+358401234567"), ("+358 40 123 4567", "+358401234567"),
    ("00358401234567", "+358401234567"), ("041", None), ("+46 8 123 456 78", "+46812345678"),
])
def test_phone_examples(text, e164):
    assert normalise.phone(text) == e164 == normalise.phone_by_parser(text)


def test_identifiers():
    assert normalise.find_hetus("asiakas 131052-308T, ei 131052-308U") == ["131052-308T"]
    assert normalise.is_hetu("131052Y308T") and not normalise.is_hetu("290201A002C")
    assert normalise.is_business_id("0729081-3") and not normalise.is_business_id("1000008-0")
