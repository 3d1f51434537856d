"""Country and region codes: what users type, resolved to the codes c5map joins on.

Countries are identified by Natural Earth's ``ADM0_A3`` (called ``iso3``):
ISO 3166-1 alpha-3 where one exists, and a code for every mapped unit where it
does not (``ISO_A3`` is ``-99`` for France and Norway; ``ADM0_A3`` is not).
Regions (``C5``) come from ``regions.csv``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

# Names in common use that Natural Earth 5.1.1 does not carry in any name column.
EXTRA_NAMES: dict[str, str] = {
    "Turkiye": "TUR",
    "Türkiye": "TUR",
    "Kirghizia": "KGZ",
    "Kyrgyzia": "KGZ",
    "Tadjikistan": "TJK",
    "Turkmenia": "TKM",
    "US": "USA",
    "U.S.": "USA",
    "USA": "USA",
    "America": "USA",
    "UK": "GBR",
    "PRC": "CHN",
    "Mainland China": "CHN",
    "Korea, South": "KOR",
    "Czech Republic": "CZE",
}


def normalise_name(text: str) -> str:
    """Fold a country name for matching: no accents, case, punctuation or leading "the".

    Examples
    --------
    >>> normalise_name("  The Kyrgyz-Republic ")
    'kyrgyz republic'
    >>> normalise_name("Türkiye")
    'turkiye'
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()
    folded = re.sub(r"[^a-z0-9]+", " ", folded).strip()
    return re.sub(r"^the ", "", folded)


@dataclass(frozen=True)
class CodeBook:
    """Known codes and the names that lead to them.

    Parameters
    ----------
    countries : frozenset of str
        Country codes (``iso3``).
    regions : Mapping of str to tuple of str
        Region code to member codes.
    names : Mapping of str to str
        Normalised name (see :func:`normalise_name`) to code.
    """

    countries: frozenset[str]
    regions: Mapping[str, tuple[str, ...]]
    names: Mapping[str, str]

    def is_country(self, code: str) -> bool:
        """Whether ``code`` is a known country code."""
        return code in self.countries

    def is_region(self, code: str) -> bool:
        """Whether ``code`` is a region code."""
        return code in self.regions

    def resolve(self, text: str) -> str | None:
        """Return the code for a code or a name, or ``None``.

        Examples
        --------
        >>> book = code_book()
        >>> book.resolve("Kyrgyz Republic"), book.resolve("kaz"), book.resolve("C5")
        ('KGZ', 'KAZ', 'C5')
        >>> book.resolve("Atlantis") is None
        True
        """
        if text in self.countries or text in self.regions:
            return text
        upper = text.strip().upper()
        if upper in self.countries or upper in self.regions:
            return upper
        return self.names.get(normalise_name(text))

    def suggest(self, text: str) -> str | None:
        """Return the most likely code for a mistyped code or name, or ``None``.

        Examples
        --------
        >>> code_book().suggest("Kazakstan")
        'KAZ'
        """
        exact = self.resolve(text)
        if exact is not None:
            return exact
        key = normalise_name(text)
        close = difflib.get_close_matches(key, list(self.names), n=1, cutoff=0.8)
        if close:
            return self.names[close[0]]
        # A mistyped code ("UZZ"): suggest only a single best match, never a coin toss.
        typed = text.strip().upper()
        if re.fullmatch(r"[A-Z0-9]{2,4}", typed):
            scored = sorted(
                (
                    (difflib.SequenceMatcher(None, typed, code).ratio(), code)
                    for code in self.countries | set(self.regions)
                ),
                reverse=True,
            )
            if scored and scored[0][0] >= 0.6 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
                return scored[0][1]
        return None


def build_code_book(country_names: pd.DataFrame, regions: Mapping[str, Iterable[str]]) -> CodeBook:
    """Build a :class:`CodeBook` from a table of country names and the regions.

    Parameters
    ----------
    country_names : pandas.DataFrame
        An ``iso3`` column and any columns of names or other codes for the
        same country (see :func:`c5map.boundaries.country_names`).
    regions : Mapping of str to iterable of str
        Region code to member ``iso3`` codes.
    """
    names: dict[str, str] = {}
    for column in country_names.columns:
        for code, name in zip(country_names["iso3"], country_names[column], strict=True):
            if isinstance(name, str) and name.strip() and name != "-99":
                names.setdefault(normalise_name(name), str(code))
    countries = frozenset(str(c) for c in country_names["iso3"])
    for name, code in EXTRA_NAMES.items():
        if code in countries:
            names.setdefault(normalise_name(name), code)
    region_map = {str(r): tuple(sorted(str(m) for m in members)) for r, members in regions.items()}
    for region in region_map:
        names.setdefault(normalise_name(region), region)
    return CodeBook(countries=countries, regions=region_map, names=names)


def code_book(regions: Mapping[str, Iterable[str]] | None = None) -> CodeBook:
    """Return the code book of the bundled 1:10m countries and the given regions.

    Parameters
    ----------
    regions : Mapping of str to iterable of str, optional
        Default: the bundled ``regions.csv``.
    """
    from c5map.boundaries import country_names  # boundaries reads files; codes itself does not
    from c5map.tables import load_tables

    if regions is None:
        regions = load_tables().region_members()
    return build_code_book(country_names("10m"), regions)
