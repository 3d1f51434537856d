"""The region's members with a partner's deals in each, the members' own deals, and a partner's trade."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from c5map.format import format_usd
from c5map.layers.places import CRS
from c5map.layers.totals import _basis_rank, deal_totals, layer_basis
from c5map.tables import Tables


def partners(tables: Tables, region: str | None = None) -> list[str]:
    """Everyone outside ``region`` with a deal or trade figure with it or a member, the story's weight first.

    A member dealing with another member, or running its own programme, is
    not a partner courting its own region: its deals are "within the region"
    (:func:`within_region_figures`). See :func:`c5map.story.region_partners`.
    """
    from c5map.story import choose_region, region_partners

    return region_partners(tables, choose_region(tables, region))


#: Columns of :func:`partner_country_figures` and :func:`within_region_figures`, in order.
MEMBER_FIGURE_COLUMNS = [
    "iso3", "name", "partner", "value_basis", "value_usd", "value_qualifier", "value_text", "deals_text",
    "n_deals", "deal_ids", "has_deal", "has_figure", "geometry",
]  # fmt: skip


def _member_figures(
    deals: pd.DataFrame, shapes: gpd.GeoDataFrame, partner: str, value_basis: str | None
) -> gpd.GeoDataFrame:
    """One row per member of ``shapes`` with the figure ``deals`` give it (see :func:`partner_country_figures`)."""
    from c5map.i18n import gettext
    from c5map.story import BASIS_WORDS

    totals = deal_totals(deals)
    fallback = value_basis or layer_basis(deals)
    rows = []
    for iso3 in shapes["iso3"]:
        here = totals[totals["country"] == iso3]
        candidates = here if value_basis is None else here[here["value_basis"] == value_basis]
        disclosed = candidates[candidates["value_usd"].notna()]
        if len(disclosed):  # the largest figure of one partner on one basis: never a sum across either
            best = min(disclosed.itertuples(), key=lambda r: (-r.value_usd, _basis_rank(r.value_basis), r.partner))
            basis, value, qualifier = best.value_basis, float(best.value_usd), best.value_qualifier
        else:
            basis, value, qualifier = fallback, float("nan"), None
        has_figure = not pd.isna(value)
        ordered = sorted(here.itertuples(), key=lambda r: (r.value_basis != basis, _basis_rank(r.value_basis),
                                                           r.partner))  # fmt: skip
        several = here["partner"].nunique() > 1  # deals within a region: say whose figure is whose
        deals_text = "; ".join(
            f"{r.value_text} ({gettext(BASIS_WORDS[r.value_basis]) if r.value_basis in BASIS_WORDS else r.value_basis}"
            + (gettext(", from {partner}").format(partner=r.partner) if several else "")
            + ")"
            for r in ordered
        )
        rows.append({
            "iso3": iso3, "partner": partner, "value_basis": basis, "value_usd": value,
            "value_qualifier": qualifier, "value_text": format_usd(value, qualifier) if has_figure else (
                deals_text or gettext("no reported figure")),
            "deals_text": deals_text or gettext("no reported figure"),
            "n_deals": int(here["n_deals"].sum()),
            "deal_ids": "; ".join(sorted(i for ids in here["deal_ids"] for i in ids.split("; "))),
            "has_deal": bool(len(here)), "has_figure": has_figure,
        })  # fmt: skip
    figures = pd.DataFrame(rows, columns=[c for c in MEMBER_FIGURE_COLUMNS if c not in ("name", "geometry")])
    out = shapes[["iso3", "name", "geometry"]].merge(figures, on="iso3", how="left")
    out["value_qualifier"] = out["value_qualifier"].astype("string")
    out = out.astype({"value_usd": "float64", "n_deals": "int64", "has_deal": bool, "has_figure": bool})
    frame = out[MEMBER_FIGURE_COLUMNS].sort_values("iso3").reset_index(drop=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS)


def partner_country_figures(
    tables: Tables,
    countries: gpd.GeoDataFrame,
    partner: str,
    *,
    region: str | None = None,
    value_basis: str | None = None,
) -> gpd.GeoDataFrame:
    """Return the members of ``region`` with the deals ``partner`` announced in each.

    Every member is kept. ``has_deal`` says whether the partner has any deal
    there (any basis, disclosed or not); ``has_figure`` whether it has a
    disclosed value. Figures on different value bases are never added: each
    member carries the largest disclosed sum of one basis (``value_basis``
    says which), so no disclosed figure is hidden by another basis. A member
    with no deal is "no reported figure", never zero.

    Parameters
    ----------
    region : str, optional
        Default: the only region of the tables (see :func:`c5map.story.choose_region`).
    value_basis : str, optional
        Only figures on this basis; default every basis, the largest per member.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per member: ``iso3, name, partner, value_basis`` (the basis of
        ``value_usd``), ``value_usd`` (the disclosed sum on that basis, NaN
        when none), ``value_qualifier, value_text`` (that sum as a reader sees
        it, or what the deals are when none is disclosed), ``deals_text`` (every
        basis: ``"$4.2bn (agreements signed); undisclosed value (investment
        committed)"``), ``n_deals, deal_ids`` (every basis), ``has_deal,
        has_figure, geometry``.
    """
    from c5map.story import choose_region

    region = choose_region(tables, region)
    members = tables.region_members().get(region, [])
    deals = tables.deals
    theirs = deals[((deals["partner"] == partner) & deals["country"].isin(members)).to_numpy(bool)]
    return _member_figures(theirs, _member_shapes(countries, members), partner, value_basis)


def within_region_figures(
    tables: Tables,
    countries: gpd.GeoDataFrame,
    *,
    region: str | None = None,
    value_basis: str | None = None,
) -> gpd.GeoDataFrame:
    """Return the members of ``region`` with the deals members announced in them (their own programmes too).

    A member is not a partner courting its own region: deals whose partner
    is a member are within the region, domestic when partner and country are
    one. Columns as :func:`partner_country_figures`, with ``partner`` the
    region code; ``deals_text`` names each figure's member when there are several.
    """
    from c5map.story import choose_region

    region = choose_region(tables, region)
    members = tables.region_members().get(region, [])
    deals = tables.deals
    inside = deals[(deals["partner"].isin(members) & deals["country"].isin(members)).to_numpy(bool)]
    return _member_figures(inside, _member_shapes(countries, members), region, value_basis)


def _member_shapes(countries: gpd.GeoDataFrame, members: list[str]) -> gpd.GeoDataFrame:
    """``iso3, name, geometry`` of every member, in code order; an empty geometry where ``countries`` has none.

    Coarse boundaries (Natural Earth 1:110m) lack small island states: a member is still a row of its
    figures, never dropped for want of a shape.
    """
    found = countries[countries["iso3"].isin(members)][["iso3", "name", "geometry"]]
    missing = sorted(set(members) - set(found["iso3"]))
    if not missing:
        return found
    extra = gpd.GeoDataFrame({"iso3": missing, "name": missing, "geometry": [None] * len(missing)}, crs=CRS)
    return gpd.GeoDataFrame(pd.concat([found, extra], ignore_index=True), geometry="geometry", crs=CRS)


def region_trade(tables: Tables, region: str | None = None) -> pd.DataFrame:
    """Trade figures with ``region`` or one of its members at an end, in table order.

    Every partner's :func:`partner_trade` is among them: a page of twelve partners scans a million-row table
    once, not twelve times (``partner_trade(..., near=region_trade(...))``).
    """
    from c5map.story import choose_region

    region = choose_region(tables, region)
    inside = [*tables.region_members().get(region, []), region]
    trade = tables.trade
    return trade[(trade["origin"].isin(inside) | trade["destination"].isin(inside)).to_numpy(bool)]


def partner_trade(
    tables: Tables, partner: str, region: str | None = None, *, near: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Trade figures between ``partner`` and ``region`` or its members, as the trade table has them.

    Trade is never added to deals: the influence page lists these beside a
    partner's deals. Sorted by year (latest first), then value (largest first), then flow_id.
    ``near``: :func:`region_trade` of the same region, if already found (the same rows, sooner).
    """
    from c5map.story import choose_region

    region = choose_region(tables, region)
    inside = [*tables.region_members().get(region, []), region]
    trade = tables.trade if near is None else near
    mine = ((trade["origin"] == partner) & trade["destination"].isin(inside)) | (
        (trade["destination"] == partner) & trade["origin"].isin(inside)
    )
    rows = trade[mine.to_numpy(bool)]
    return rows.sort_values(["year", "value_usd", "flow_id"], ascending=[False, False, True], kind="stable")
