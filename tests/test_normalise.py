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


# -- a possible personal identity code: context and case (READING.md "Findings and actions")


@pytest.mark.parametrize(("text", "found"), [
    ("Huoltotilaus 150324-0253", []),                 # a date-shaped order number
    ("Tilausnumero: 150324-0253", []),
    ("Lasku nro 150324-0253 maksettu", []),
    ("Asiakasviite 131052-308T", []),
    ("Order no. 131052-308T", []),
    ("Invoice 131052-308T", []),
    ("ref 131052-308T", []),
    ("Soitti 150324-0253 asiasta", ["150324-0253"]),   # no label: a possible code
    ("hetu 131052-308t", ["131052-308t"]),             # lower-case check character
    ("henkilötunnus 131052y308t", ["131052y308t"]),    # lower-case century sign too
    ("Laskutus: henkilötunnus 131052-308T", ["131052-308T"]),  # the nearer label decides
    ("Tilaus tehty. Soitettu ja sovittu asia, lisäksi 131052-308T", ["131052-308T"]),
    ("Soita nopeasti 131052-308T", ["131052-308T"]),   # 'no' is a word, not a prefix
])
def test_a_hetu_in_text_is_read_with_its_label(text, found):
    assert normalise.find_hetus(text) == found


def test_an_element_name_is_the_label_of_its_text():
    assert normalise.find_hetus("131052-308T", "OrderIdentifier") == []
    assert normalise.find_hetus("131052-308T", "BuyerReferenceIdentifier") == []
    assert normalise.find_hetus("131052-308T", "InvoiceFreeText") == []
    assert normalise.find_hetus("131052-308T", "FreeText") == ["131052-308T"]


_LABELS = ("Huoltotilaus", "Tilausnumero", "Tilaus nro", "Lasku", "Laskun numero", "Viite",
           "Asiakasviite", "Ref", "Order", "Invoice no.", "Nro")


@st.composite
def _order_number(draw):
    """A date-shaped order number: a real day as DDMMYY, a hyphen, four digits."""
    import datetime as dt

    day = draw(st.dates(dt.date(1950, 1, 1), dt.date(2049, 12, 31)))
    return f"{day:%d%m%y}-{draw(st.integers(0, 9999)):04d}"


@settings(max_examples=400, deadline=None)
@given(_order_number(), st.sampled_from(_LABELS), st.sampled_from((" ", ": ", " #")))
def test_a_labelled_order_number_is_never_a_hetu(number, label, sep):
    """With its label, no date-shaped order number is reported, checksum or not."""
    assert normalise.find_hetus(f"{label}{sep}{number}") == []
    assert normalise.find_hetus(f"{label.lower()}{sep}{number}") == []


def test_false_positive_rate_of_order_numbers_with_and_without_their_label():
    """Measured on 31 000 random date-shaped order numbers: without a label about one in
    31 passes the checksum (the check character is a digit for 10 of 31 remainders, and
    then the right one of 10), so it would be a finding; with its label, none is."""
    import datetime as dt
    import random

    rng = random.Random(16)
    start = dt.date(1950, 1, 1).toordinal()
    numbers = [f"{dt.date.fromordinal(start + rng.randrange(36500)):%d%m%y}-"
               f"{rng.randrange(10000):04d}" for _ in range(31_000)]
    bare = sum(bool(normalise.find_hetus(f"Soitti {n}")) for n in numbers)
    labelled = sum(bool(normalise.find_hetus(f"{rng.choice(_LABELS)} {n}")) for n in numbers)
    assert 800 < bare < 1200  # 1/31 of 31 000 = 1 000
    assert labelled == 0
