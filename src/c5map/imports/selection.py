"""What an import keeps and how it adds up: years, parties, products, measure.

The format modules reduce their files to country-pair totals per year
(:data:`PAIR_COLUMNS`); :func:`aggregate` turns those into the rows of
``trade.csv``: origin–destination–year, a region code adding up over its
members. Only like is added to like: one measure, one dataset, one side of
the report, per import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from c5map.errors import Problem

MEASURES = ("exports", "total_trade")

#: The columns of a pair-totals frame: one row per year, exporter and importer (ADM0_A3 codes).
#: ``cents`` is the exact sum in US cents; ``rows`` counts the source rows; ``files`` names them.
PAIR_COLUMNS = ("year", "exporter", "importer", "cents", "rows", "files")

_OPTION = "c5map import"


@dataclass(frozen=True)
class Selection:
    """The filter of one import.

    Attributes
    ----------
    measure : str
        ``"exports"`` (origin to destination, both directions between the
        two sides) or ``"total_trade"`` (both directions added, one row a pair).
    years : tuple of int or None
        ``None``: every year in the files.
    origins, partners : tuple of str or None
        Country (``ADM0_A3``) or region codes; ``None``: every country, one by one.
    products : tuple of str or None
        HS codes or prefixes (digits); ``None``: all products.
    regions : Mapping of str to tuple of str
        The members of every region code used.
    """

    measure: str = "exports"
    years: tuple[int, ...] | None = None
    origins: tuple[str, ...] | None = None
    partners: tuple[str, ...] | None = None
    products: tuple[str, ...] | None = None
    regions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def members(self, code: str) -> tuple[str, ...]:
        """Return the countries a code stands for: a region's members, or the country itself."""
        return self.regions.get(code, (code,))

    def describe_products(self) -> str:
        """Return the product scope in words: ``HS 2846*, 280530``."""
        if self.products is None:
            return "all products"
        return "HS " + ", ".join(p if len(p) >= 6 else f"{p}*" for p in self.products)

    def describe_party(self, code: str) -> str:
        """Return a code with its members spelled out when it is a region: ``C5 (KAZ+KGZ+TJK+TKM+UZB)``."""
        return f"{code} ({'+'.join(self.regions[code])})" if code in self.regions else code


def parse_years(text: str | Sequence[int] | None) -> tuple[tuple[int, ...] | None, list[Problem]]:
    """Parse ``2023``, ``2019-2023`` or ``2019,2021,2023`` (or a sequence of ints).

    Examples
    --------
    >>> parse_years("2019-2021,2023")
    ((2019, 2020, 2021, 2023), [])
    """
    if text is None:
        return None, []
    if not isinstance(text, str):
        return tuple(sorted({int(y) for y in text})), []
    years: set[int] = set()
    problems = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        match = re.fullmatch(r"(\d{4})(?:\s*-\s*(\d{4}))?", part)
        if not match or (match.group(2) and int(match.group(2)) < int(match.group(1))):
            problems.append(Problem(_OPTION, 0, "--years", f"{part!r} is not a year or a range like 2019-2023"))
            continue
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        years.update(range(first, last + 1))
    if not years and not problems:
        problems.append(Problem(_OPTION, 0, "--years", "no year given"))
    return tuple(sorted(years)) or None, problems


def parse_products(text: str | Sequence[str] | None) -> tuple[tuple[str, ...] | None, list[Problem]]:
    """Parse HS codes or prefixes: ``2846,2805.30`` -> ``('280530', '2846')``; ``None`` or ``all``: all products.

    A code inside another one given (``28`` and ``2846``) is dropped, so that no
    row is counted twice.

    Examples
    --------
    >>> parse_products("2846, 2805.30, 284610")
    (('280530', '2846'), [])
    """
    if text is None or (isinstance(text, str) and text.strip().lower() in ("", "all")):
        return None, []
    parts = [p.strip() for p in (text.split(",") if isinstance(text, str) else text) if str(p).strip()]
    codes, problems = set(), []
    for part in parts:
        digits = str(part).replace(".", "").replace(" ", "")
        if not re.fullmatch(r"\d{2,6}", digits) or len(digits) % 2:
            problems.append(
                Problem(
                    _OPTION, 0, "--hs", f"{part!r} is not an HS code or prefix (2, 4 or 6 digits, e.g. 2846 or 280530)"
                )
            )
            continue
        codes.add(digits)
    kept = sorted(c for c in codes if not any(c != o and c.startswith(o) for o in codes))
    return (tuple(kept) or None), problems


def resolve_parties(
    text: str | Sequence[str] | None, option: str, countries: frozenset[str], regions: Mapping[str, Sequence[str]]
) -> tuple[tuple[str, ...] | None, list[Problem]]:
    """Resolve ``C5,USA`` to codes: every one a country (``ADM0_A3``) or a region code."""
    if text is None:
        return None, []
    from c5map.boundaries import country_names
    from c5map.codes import build_code_book

    parts = [p.strip() for p in (text.split(",") if isinstance(text, str) else text) if str(p).strip()]
    book = build_code_book(country_names("10m"), regions)
    codes, problems = [], []
    for part in parts:
        code = book.resolve(part)
        if code is None:
            guess = book.suggest(part)
            hint = f"; did you mean {guess!r}?" if guess else ""
            problems.append(
                Problem(
                    _OPTION,
                    0,
                    option,
                    f"{part!r} is not a known country or region code (ADM0_A3, or a region in regions.csv){hint}",
                )
            )
        elif code not in codes:
            codes.append(code)
    if not parts:
        problems.append(Problem(_OPTION, 0, option, "no country or region code given"))
    return (tuple(codes) or None), problems


def _groups(codes: tuple[str, ...] | None, selection: Selection, present: pd.Index) -> pd.DataFrame:
    """Membership of each group (a region, or a country standing for itself): columns ``group, member``."""
    if codes is None:
        return pd.DataFrame({"group": present, "member": present})
    pairs = [(code, member) for code in codes for member in selection.members(code)]
    return pd.DataFrame(pairs, columns=["group", "member"])


def _directed(pairs: pd.DataFrame, sources: pd.DataFrame, sinks: pd.DataFrame) -> pd.DataFrame:
    frame = pairs.merge(sources.rename(columns={"group": "origin", "member": "exporter"}), on="exporter")
    frame = frame.merge(sinks.rename(columns={"group": "destination", "member": "importer"}), on="importer")
    return frame[frame["origin"] != frame["destination"]]


def _sum(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = frame.groupby(keys, sort=True)
    out = grouped[["cents", "rows"]].sum()
    out["files"] = grouped["files"].agg(lambda files: "; ".join(sorted({f for fs in files for f in fs.split("; ")})))
    return out.reset_index()


def aggregate(pairs: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """Add country-pair totals up to the rows of ``trade.csv``.

    Parameters
    ----------
    pairs : pandas.DataFrame
        Columns :data:`PAIR_COLUMNS`.
    selection : Selection

    Returns
    -------
    pandas.DataFrame
        Columns ``year, origin, destination, cents, rows, files``, sorted by
        year, origin and destination. A pair with no source row has no row
        (no trade reported is not zero trade).
    """
    columns = ["year", "origin", "destination", "cents", "rows", "files"]
    if pairs.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c in ("year", "cents", "rows") else "object") for c in columns}
        )
    present = pd.Index(sorted(set(pairs["exporter"]) | set(pairs["importer"])))
    first = _groups(selection.origins, selection, present)
    second = _groups(selection.partners, selection, present)
    keys = ["year", "origin", "destination"]
    both = pd.concat([_directed(pairs, first, second), _directed(pairs, second, first)], ignore_index=True)
    # the same source row reached in both directions (both sides every country): count it once
    both = both.drop_duplicates(["year", "exporter", "importer", "origin", "destination"])
    if selection.measure == "total_trade":
        # one row a pair, its first party from the side the user named (alphabetical when both or neither)
        named = set(selection.origins or selection.partners or ())
        rank_origin = (~both["origin"].isin(named)).astype(int).astype(str) + both["origin"]
        rank_destination = (~both["destination"].isin(named)).astype(int).astype(str) + both["destination"]
        swap = (rank_destination < rank_origin).to_numpy()
        both.loc[swap, ["origin", "destination"]] = both.loc[swap, ["destination", "origin"]].to_numpy()
    out = _sum(both, keys)
    return out[columns].sort_values(keys, kind="stable").reset_index(drop=True)


def year_ranges(years: Sequence[int]) -> str:
    """``2019-2021, 2023``: years as ranges.

    Examples
    --------
    >>> year_ranges([2023, 2019, 2020, 2021])
    '2019-2021, 2023'
    """
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def unmatched_filter(selection: Selection, present: Mapping[int, tuple[int, int]]) -> str | None:
    """Say which filter matched no row, from the rows the files hold per year; None when years and products did.

    Parameters
    ----------
    selection : Selection
    present : Mapping of int to (int, int)
        Per year in the files: its rows, and how many of them are of the products asked for.

    Examples
    --------
    >>> unmatched_filter(Selection(years=(1999,)), {2022: (4, 4), 2023: (10, 10)})
    'no row matched --years 1999: the files hold 2022-2023'
    >>> unmatched_filter(Selection(products=("9999",)), {2023: (10, 0)})
    'no row matched --hs 9999*: no product code in the rows of 2023 starts with it'
    """
    if not present:
        return "no row matched: the files hold no rows"
    chosen = {y: counts for y, counts in present.items() if selection.years is None or y in selection.years}
    if not chosen:
        return f"no row matched --years {year_ranges(selection.years or ())}: the files hold {year_ranges(present)}"
    if selection.products is not None and not any(products for _, products in chosen.values()):
        asked = selection.describe_products().removeprefix("HS ")
        return f"no row matched --hs {asked}: no product code in the rows of {year_ranges(chosen)} starts with it"
    return None
