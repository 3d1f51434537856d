"""Money and quantities as readers see them, with the source's qualifier kept.

A figure never loses its qualifier: "exceeded $45 billion" stays "more than
$45bn" in a tooltip, "nearly $15bn" stays "nearly".
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from c5map.i18n import N_, direction, gettext, locale_in_use, ngettext

QUALIFIERS: tuple[str, ...] = ("exact", "about", "nearly", "over", "under", "undisclosed")

_PREFIX = {"exact": "", "about": "about ", "nearly": "nearly ", "over": "more than ", "under": "less than "}


#: From this size on a number is written as a power of ten: "1.7 × 10³⁰⁸", not 300 digits.
SCIENTIFIC_FROM = 1e15
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _scientific(number: float) -> str:
    """Three significant digits times a power of ten: ``1.7 × 10³⁰⁸``."""
    mantissa, exponent = f"{number:.3g}".split("e") if "e" in f"{number:.3g}" else (f"{number:.3g}", "0")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def _plain(value: float) -> float:
    """-0 is 0 (a cell of "-0" is no negative figure, and must not read "$-0")."""
    return 0.0 if value == 0 else value


def _trim(number: float) -> str:
    """Up to three significant digits, no trailing zeros: 12.4, 129, 66.2, 8."""
    text = f"{number:.3g}" if number < 1000 else f"{number:,.0f}"
    if "e" in text:  # .3g switches to exponent from 1000 on; handled above, kept as a guard
        text = f"{number:,.0f}"
    return text


def format_usd(value: float | None, qualifier: str = "exact") -> str:
    """Format a dollar figure the way the article would write it.

    Parameters
    ----------
    value : float or None
        US dollars; ``None`` or NaN when undisclosed.
    qualifier : str
        One of :data:`QUALIFIERS`.

    Returns
    -------
    str

    Examples
    --------
    >>> format_usd(45e9, "over")
    'more than $45bn'
    >>> format_usd(15e9, "nearly")
    'nearly $15bn'
    >>> format_usd(12.4e9)
    '$12.4bn'
    >>> format_usd(850e6, "about")
    'about $850m'
    >>> format_usd(None, "undisclosed")
    'undisclosed value'
    >>> format_usd(-0.0), format_usd(1.7e308)
    ('$0', '$1.7 × 10³⁰⁸')
    """
    if qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}")
    if locale_in_use() != "en":
        return _localised_usd(value, qualifier)
    if value is None or (isinstance(value, float) and math.isnan(value)) or qualifier == "undisclosed":
        return "undisclosed value"
    if value < 0:
        raise ValueError("negative amounts are not figures c5map shows")
    value = _plain(value)
    if value >= SCIENTIFIC_FROM:
        return f"{_PREFIX[qualifier]}${_scientific(value)}"
    for size, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
        if value >= size:
            return f"{_PREFIX[qualifier]}${_trim(value / size)}{suffix}"
    return f"{_PREFIX[qualifier]}${_trim(value)}"


def format_usd_many(values, qualifiers) -> list[str]:
    """Return :func:`format_usd` of every (value, qualifier) pair, calling it once per distinct text.

    A bilateral table of a million rows has a million distinct values but a
    few thousand distinct texts: each value is keyed by what its text depends
    on (qualifier, suffix and the figure rounded as :func:`format_usd` rounds
    it) and one value of each key is formatted. A value too close to a
    rounding boundary for that key to be sure (a tie at the third digit, a
    power of ten) gets a key of its own, so every text is the one
    :func:`format_usd` writes, byte for byte.

    Parameters
    ----------
    values : array-like of float
        US dollars; NaN when undisclosed.
    qualifiers : array-like of str
        One of :data:`QUALIFIERS` each.

    Examples
    --------
    >>> format_usd_many([45e9, 45.1e9, 850e6], ["over", "over", "about"])
    ['more than $45bn', 'more than $45.1bn', 'about $850m']
    """
    import numpy as np
    import pandas as pd

    numbers = pd.array(values, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    qualifier_code, qualifier_words = pd.factorize(pd.Index(qualifiers, dtype=object), use_na_sentinel=False)
    if len(numbers) != len(qualifier_code):
        raise ValueError("as many qualifiers as values are needed")
    tier = np.select([numbers >= 1e12, numbers >= 1e9, numbers >= 1e6], [3, 2, 1], 0)
    scaled = numbers / np.choose(tier, [1.0, 1e6, 1e9, 1e12])  # as format_usd divides
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(scaled))
        digits = scaled / 10.0 ** np.where(scaled >= 1000, 0, exponent - 2)  # 3 digits, or whole dollars
        rounded = np.floor(digits + 0.5)
        unsure = (np.abs(digits - np.floor(digits) - 0.5) < 1e-6) | (np.abs(digits / 100 - 1) < 1e-9)
        unsure |= (scaled < 1000) & ((digits < 100) | (digits >= 1000))  # log10 one off next to a power of ten
        unsure |= ~np.isfinite(digits) | (numbers <= 0) | (numbers >= SCIENTIFIC_FROM) | (scaled < 1e-3)
    undisclosed = np.isnan(numbers)
    # one int64 per text: (qualifier, suffix, exponent, rounded digits); undisclosed and unsure rows apart
    sure = np.where(unsure, 0, rounded).astype(np.int64)  # digits < 2**20 (whole dollars below 1e6)
    key = ((qualifier_code * 4 + tier) * 64 + np.where(unsure, 0, exponent + 20).astype(np.int64)) * 2**21 + sure
    key[unsure] = -1 - np.flatnonzero(unsure)
    key[undisclosed] = -(2**62) + qualifier_code[undisclosed]
    code, _ = pd.factorize(key)  # numbered in order of first appearance
    first = np.flatnonzero(code > np.maximum.accumulate(np.concatenate([[-1], code[:-1]])))
    # in row order: a bad row raises what format_usd of every row would
    texts = [format_usd(numbers[i], qualifier_words[qualifier_code[i]]) for i in first.tolist()]
    return np.array(texts, dtype=object)[code].tolist()


_UNIT_WORDS = {
    "tonnes": N_("tonnes"),
    "barrels": N_("barrels"),
    "percent_of_world_processing": N_("% of world processing"),
    "elements_of_17": N_("of the 17 rare-earth metals"),
}


def format_quantity(value: float | None, unit: str, qualifier: str = "exact") -> str:
    """Format a physical quantity with its unit and qualifier.

    Examples
    --------
    >>> format_quantity(20e6, "tonnes", "over")
    'more than 20 million tonnes'
    >>> format_quantity(90, "percent_of_world_processing")
    '90% of world processing'
    >>> format_quantity(12, "elements_of_17")
    '12 of the 17 rare-earth metals'
    >>> format_quantity(1.7e308, "tonnes")
    '1.7 × 10³⁰⁸ tonnes'
    """
    if qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}")
    if locale_in_use() != "en":
        return _localised_quantity(value, unit, qualifier)
    if value is None or (isinstance(value, float) and math.isnan(value)) or qualifier == "undisclosed":
        return "undisclosed quantity"
    value = _plain(value)
    if value >= SCIENTIFIC_FROM:
        number = _scientific(value)
    elif value >= 1e12:
        number = f"{_trim(value / 1e12)} trillion"
    elif value >= 1e9:
        number = f"{_trim(value / 1e9)} billion"
    else:
        number = f"{_trim(value / 1e6)} million" if value >= 1e6 else _trim(value)
    words = _UNIT_WORDS.get(unit, unit.replace("_", " "))
    joiner = "" if words.startswith("%") else " "
    return f"{_PREFIX[qualifier]}{number}{joiner}{words}"


def format_count(count: int) -> str:
    """Return a count as the locale in use writes it: ``1,234`` in English, ``1 234`` in Russian (CLDR).

    Examples
    --------
    >>> format_count(1234)
    '1,234'
    """
    if locale_in_use() == "en":
        return f"{count:,}"
    from babel.numbers import format_decimal

    return format_decimal(count, locale=locale_in_use())


def localised_date(year: int, month: int, day: int | None = None) -> str:
    """Return a date known to the month or the day as CLDR writes it in the locale in use ("май 2023", "1 мая 2023").

    A month alone takes its stand-alone form (Russian's nominative), a day the month's form in a date.
    """
    import datetime

    from babel.dates import format_date

    when = datetime.date(year, month, day or 1)
    return format_date(when, "LLLL y" if day is None else "d MMMM y", locale=locale_in_use())


#: A figure with its qualifier, in the locale in use ("more than 45 млрд $"); ``{amount}`` is the figure.
QUALIFIER_WORDS = {
    "exact": "{amount}",
    "about": N_("about {amount}"),
    "nearly": N_("nearly {amount}"),
    "over": N_("more than {amount}"),
    "under": N_("less than {amount}"),
}


def _rounded(value: float) -> float:
    """Return ``value`` rounded as the English text rounds it (three significant digits of its tier)."""
    for size in (1e12, 1e9, 1e6):
        if value >= size:
            return float(_trim(value / size).replace(",", "")) * size
    return float(_trim(value).replace(",", ""))


def _qualified(amount: str, qualifier: str) -> str:
    """Return a localised figure with its qualifier's words, the figure isolated in a right-to-left locale."""
    return gettext(QUALIFIER_WORDS[qualifier]).format(amount=amount)  # (gettext's format isolates it)


def _localised_usd(value: float | None, qualifier: str) -> str:
    """:func:`format_usd` in a locale other than English: CLDR's compact currency ("66,2 млрд $"), through Babel.

    The figure is rounded as the English text rounds it, so texts of equal English figures are equal
    (which :func:`format_usd_many` relies on).
    """
    from babel.numbers import format_compact_currency, format_currency, get_decimal_symbol

    if value is None or (isinstance(value, float) and math.isnan(value)) or qualifier == "undisclosed":
        return gettext("undisclosed value")
    if value < 0:
        raise ValueError("negative amounts are not figures c5map shows")
    name, value = locale_in_use(), _plain(value)
    if value >= SCIENTIFIC_FROM:
        number = _scientific(value).replace(".", get_decimal_symbol(name))
        amount = format_currency(1, "USD", locale=name, currency_digits=False).replace("1", number, 1)
    elif value >= 1000:
        amount = format_compact_currency(_rounded(value), "USD", locale=name, fraction_digits=2)
    else:
        amount = format_currency(_rounded(value), "USD", locale=name, currency_digits=False)
    if direction() == "rtl":  # "US$" in right-to-left text: isolated, else its "$" moves before "US"
        amount = amount.replace("US$", "\u2066US$\u2069")
    return _qualified(amount, qualifier)


def _localised_quantity(value: float | None, unit: str, qualifier: str) -> str:
    """:func:`format_quantity` in a locale other than English: CLDR's numbers and plural forms, through Babel."""
    from babel.numbers import format_compact_decimal, format_decimal, format_percent

    if value is None or (isinstance(value, float) and math.isnan(value)) or qualifier == "undisclosed":
        return gettext("undisclosed quantity")
    name, value = locale_in_use(), _plain(value)
    if value >= SCIENTIFIC_FROM:
        number = _scientific(value)
    elif value >= 1e6:
        number = format_compact_decimal(_rounded(value), format_type="long", locale=name, fraction_digits=2)
    else:
        number = format_decimal(_rounded(value), locale=name)
    if unit == "tonnes":
        count = 1_000_000 if value >= 1e6 else int(value)  # "20 миллионов тонн", "20 millions de tonnes"
        amount = ngettext("{number} tonne", "{number} tonnes", count).format(number=number)
    elif unit == "barrels":
        count = 1_000_000 if value >= 1e6 else int(value)
        amount = ngettext("{number} barrel", "{number} barrels", count).format(number=number)
    elif unit == "percent_of_world_processing":
        percent = format_percent(_rounded(value) / 100, locale=name)
        amount = gettext("{percent} of world processing").format(percent=percent)
    elif unit == "elements_of_17":
        amount = gettext("{number} of the 17 rare-earth metals").format(number=number)
    else:  # the data's own unit: its words as written
        amount = f"{number} {unit.replace('_', ' ')}"
    return _qualified(amount, qualifier)


def combine_qualifiers(qualifiers: Iterable[str]) -> str:
    """Return the qualifier of a sum of figures, kept honest.

    A sum is only as exact as its least exact part: one ``over`` (a lower
    bound) makes the sum a lower bound; ``under`` and ``nearly`` (upper
    bounds) likewise make it an upper bound; bounds in both directions, or
    any ``about``, make it ``about``. ``undisclosed`` parts add an unknown
    positive amount, so the known total is a lower bound; a sum of nothing
    but undisclosed parts is ``undisclosed``.

    Examples
    --------
    >>> combine_qualifiers(["exact", "over"])
    'over'
    >>> combine_qualifiers(["nearly", "exact"])
    'nearly'
    >>> combine_qualifiers(["nearly", "under"])
    'under'
    >>> combine_qualifiers(["over", "under"])
    'about'
    >>> combine_qualifiers(["exact", "undisclosed"])
    'over'
    """
    found = set(qualifiers)
    unknown = found - set(QUALIFIERS)
    if unknown:
        raise ValueError(f"unknown qualifiers {sorted(unknown)}")
    if not found:
        raise ValueError("no figures to combine")
    if found == {"undisclosed"}:
        return "undisclosed"
    if "undisclosed" in found:
        found = (found - {"undisclosed"}) | {"over"}
    lower, upper = "over" in found, bool(found & {"under", "nearly"})
    if "about" in found or (lower and upper):
        return "about"
    if lower:
        return "over"
    if "under" in found:
        return "under"
    if "nearly" in found:
        return "nearly"
    return "exact"
