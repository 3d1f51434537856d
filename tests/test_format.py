"""Figures keep their qualifier from a CSV cell to a tooltip."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from c5map.format import QUALIFIERS, combine_qualifiers, format_quantity, format_usd, format_usd_many


@pytest.mark.parametrize(
    ("value", "qualifier", "text"),
    [
        (45e9, "over", "more than $45bn"),
        (15e9, "nearly", "nearly $15bn"),
        (12.4e9, "exact", "$12.4bn"),
        (66.1e9, "exact", "$66.1bn"),
        (129e9, "exact", "$129bn"),
        (8e9, "exact", "$8bn"),
        (1e9, "about", "about $1bn"),
        (850e6, "under", "less than $850m"),
        (1.5e12, "exact", "$1.5tn"),
        (5000, "exact", "$5,000"),
        (None, "undisclosed", "undisclosed value"),
        (float("nan"), "exact", "undisclosed value"),
    ],
)
def test_format_usd(value, qualifier, text):
    assert format_usd(value, qualifier) == text


def test_format_usd_rejects_unknown_qualifier_and_negative():
    with pytest.raises(ValueError, match="unknown qualifier"):
        format_usd(1e9, "roughly")
    with pytest.raises(ValueError, match="negative"):
        format_usd(-1e9)


money = st.floats(min_value=1, max_value=9.99e14, allow_nan=False, allow_infinity=False)


@given(value=money, qualifier=st.sampled_from([q for q in QUALIFIERS if q != "undisclosed"]))
def test_qualifier_is_never_lost(value, qualifier):
    text = format_usd(value, qualifier)
    expected_prefix = {
        "exact": "$",
        "about": "about $",
        "nearly": "nearly $",
        "over": "more than $",
        "under": "less than $",
    }[qualifier]
    assert text.startswith(expected_prefix)


@given(value=money)
def test_formatted_value_is_within_rounding_of_the_figure(value):
    text = format_usd(value)
    match = re.fullmatch(r"\$([\d,.]+)(tn|bn|m)?", text)
    assert match, text
    scale = {"tn": 1e12, "bn": 1e9, "m": 1e6, None: 1}[match.group(2)]
    shown = float(match.group(1).replace(",", "")) * scale
    assert math.isclose(shown, value, rel_tol=0.006), (value, text)


#: Values next to every rounding boundary format_usd has: ties at the third digit, powers of ten, suffixes.
EDGES = [
    0.0,
    -0.0,
    float("nan"),
    1e-5,
    0.000999,
    0.5,
    1.5,
    2.5,
    99.95,
    100.0,
    999.4999999,
    999.5,
    999.5000001,
    1e3,
    1234.5,
    1235.5,
    999_999.5,
    999_500.0,
    1e6,
    999.5e6,
    1.125e9,
    1.135e9,
    12.45e9,
    1e9,
    1e12,
    9.995e14,
    1e15 - 1,
    1e15,
    1.7e308,
    float("inf"),
    *(10.0**k * f for k in range(-6, 16) for f in (1 - 1e-16, 1.0, 1 + 1e-15, 1.005, 9.995)),
]


@given(
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(EDGES), st.floats(min_value=0, max_value=1e16), money.map(lambda v: round(v))),
            st.sampled_from(QUALIFIERS),
        ),
        max_size=40,
    )
)
def test_format_usd_many_writes_what_format_usd_writes_byte_for_byte(rows):
    values, qualifiers = [v for v, _ in rows], [q for _, q in rows]
    assert format_usd_many(values, qualifiers) == [format_usd(v, q) for v, q in rows]


def test_format_usd_many_formats_a_million_rows_as_format_usd_does():
    import numpy as np

    rng = np.random.default_rng(26)
    values = np.concatenate([rng.lognormal(18, 5, 200_000).round() / 10.0 ** rng.integers(-3, 4, 200_000), EDGES * 3])
    qualifiers = np.array(QUALIFIERS)[rng.integers(0, len(QUALIFIERS), len(values))]
    expected = [format_usd(v, q) for v, q in zip(values.tolist(), qualifiers.tolist(), strict=True)]
    assert format_usd_many(values, qualifiers) == expected


def test_format_usd_many_raises_what_format_usd_raises():
    with pytest.raises(ValueError, match="unknown qualifier"):
        format_usd_many([1e9, 2e9], ["exact", "roughly"])
    with pytest.raises(ValueError, match="negative"):
        format_usd_many([1e9, -1e9], ["exact", "exact"])


@given(st.lists(st.sampled_from(QUALIFIERS), min_size=1, max_size=6))
def test_combined_qualifier_is_a_qualifier_and_order_free(qualifiers):
    combined = combine_qualifiers(qualifiers)
    assert combined in QUALIFIERS
    assert combine_qualifiers(list(reversed(qualifiers))) == combined
    if "over" in qualifiers and not {"under", "nearly", "about"} & set(qualifiers):
        assert combined == "over"  # one lower bound makes the sum a lower bound
    if set(qualifiers) == {"exact"}:
        assert combined == "exact"
    if "about" in qualifiers:
        assert combined == "about"


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "text"),
    [
        (20e6, "tonnes", "over", "more than 20 million tonnes"),
        (44e6, "tonnes", "exact", "44 million tonnes"),
        (90, "percent_of_world_processing", "exact", "90% of world processing"),
        (12, "elements_of_17", "exact", "12 of the 17 rare-earth metals"),
        (3.2e9, "tonnes", "about", "about 3.2 billion tonnes"),
        (7, "mines", "exact", "7 mines"),
    ],
)
def test_format_quantity(value, unit, qualifier, text):
    assert format_quantity(value, unit, qualifier) == text
