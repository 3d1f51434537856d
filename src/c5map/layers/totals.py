"""Figures summed per group, qualifiers kept honest, and the value basis a layer prefers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from c5map.format import combine_qualifiers, format_usd


def group_figures(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, tuple[float | None, str, int]]:
    """Sum the figures of every group of ``frame`` by ``keys``, keeping qualifiers honest.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``value_usd`` (NaN when undisclosed) and ``value_qualifier``.
    keys : list of str
        Columns to group by.

    Returns
    -------
    dict
        Group key (a tuple) -> (sum of the disclosed US dollars, or None when
        none is disclosed; :func:`~c5map.format.combine_qualifiers` of the
        group's qualifiers; number of rows). Computed by pandas for all groups
        at once: a bilateral table has tens of thousands of groups.
    """
    if frame.empty:
        return {}
    grouped = frame.groupby(keys, sort=False)
    totals = grouped["value_usd"].sum(min_count=1).to_dict()  # plain dicts: a lookup per group, not per Series
    sizes = grouped.size()
    counts = sizes.to_dict()
    codes, kinds = pd.factorize(frame["value_qualifier"], use_na_sentinel=False)
    if len(kinds) > 60:  # (never: six qualifiers) each group's set of them, row by row
        found: dict[tuple, set[str]] = {}
        for *key, qualifier in frame[[*keys, "value_qualifier"]].drop_duplicates().itertuples(index=False):
            found.setdefault(tuple(key), set()).add(qualifier)
        combined = [combine_qualifiers(found[key]) for key in counts]
    else:  # which qualifiers each group has, as bits: all groups at once, each set of them combined once
        has = pd.DataFrame({k: codes == i for i, k in enumerate(range(len(kinds)))}, index=frame.index)
        present = has.groupby([frame[k] for k in keys], sort=False).any().to_numpy()
        masks = present @ (1 << np.arange(len(kinds), dtype=np.int64))
        words: dict[int, str] = {}
        for mask in np.unique(masks).tolist():
            words[mask] = combine_qualifiers({kinds[i] for i in range(len(kinds)) if mask >> i & 1})
        combined = [words[m] for m in masks.tolist()]
    return {
        key: (None if pd.isna(totals[key]) else float(totals[key]), qualifier, int(count))
        for (key, count), qualifier in zip(counts.items(), combined, strict=True)
    }


def deal_totals(deals: pd.DataFrame) -> pd.DataFrame:
    """Sum deals per partner, counterpart and value basis, keeping qualifiers honest.

    Only figures of the same ``value_basis`` are added (an investment pledge
    is never added to the value of agreements). Undisclosed deals are
    counted, not summed, and make the total a lower bound.

    Parameters
    ----------
    deals : pandas.DataFrame
        The deals table.

    Returns
    -------
    pandas.DataFrame
        Columns ``partner, country, value_basis, value_usd`` (NaN when every
        deal is undisclosed), ``value_qualifier, value_text, n_deals,
        n_undisclosed, deal_ids`` (``"; "``-joined), ``first_date, last_date``;
        sorted by partner, country, value_basis.

    Examples
    --------
    >>> from c5map.tables import load_tables
    >>> totals = deal_totals(load_tables().deals)
    >>> totals.loc[(totals.partner == "CHN") & (totals.country == "KAZ"), "value_text"].item()
    'nearly $15bn'
    """
    columns = [
        "partner",
        "country",
        "value_basis",
        "value_usd",
        "value_qualifier",
        "value_text",
        "n_deals",
        "n_undisclosed",
        "deal_ids",
        "first_date",
        "last_date",
    ]
    keys = ["partner", "country", "value_basis"]
    figures = group_figures(deals, keys)
    rows = []
    for (partner, country, basis), group in deals.groupby(keys, sort=True):
        total, qualifier, count = figures[partner, country, basis]
        value = float("nan") if total is None else total
        rows.append({
            "partner": partner, "country": country, "value_basis": basis,
            "value_usd": value, "value_qualifier": qualifier, "value_text": format_usd(value, qualifier),
            "n_deals": count, "n_undisclosed": int((group["value_qualifier"] == "undisclosed").sum()),
            "deal_ids": "; ".join(sorted(group["deal_id"])),
            "first_date": min(group["date"]), "last_date": max(group["date"]),
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"n_deals": "int64", "n_undisclosed": "int64", "value_usd": "float64"})


#: Value bases in the order a layer prefers them when a partner has as many deals on several.
BASIS_ORDER: tuple[str, ...] = ("agreements", "investment", "financing", "pipeline")


def layer_basis(deals: pd.DataFrame) -> str:
    """Return the value basis most of these deals have (ties broken by :data:`BASIS_ORDER`).

    Used where one basis must be named for deals with no disclosed figure at all.
    """
    counts = deals["value_basis"].value_counts()
    if counts.empty:
        return BASIS_ORDER[0]
    return min(counts.index, key=lambda b: (-int(counts[b]), BASIS_ORDER.index(b) if b in BASIS_ORDER else 99, b))


def _basis_rank(basis: str) -> int:
    return BASIS_ORDER.index(basis) if basis in BASIS_ORDER else len(BASIS_ORDER)
