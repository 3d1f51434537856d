"""Joins of the tables with the boundaries: the layers maps and exports draw.

Every layer is a GeoDataFrame in EPSG:4326 whose columns are listed in its
function's docstring; maps, GeoJSON, GeoPackage and tooltips use the same
names. Region-level figures stay on the region: they are never spread over
member countries nor added to a member's figures.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from c5map.format import combine_qualifiers, format_usd
from c5map.geodesic import great_circle
from c5map.tables import Tables

CRS = "EPSG:4326"


def _text(value: object) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def capitals(tables: Tables) -> dict[str, tuple[float, float]]:
    """Map every country with a known capital to its (lon, lat): ``places.csv`` first, then the bundled gazetteer.

    The gazetteer (:func:`c5map.gazetteer.bundled_capitals`) has a capital for
    nearly every Natural Earth country; a capital in ``places.csv`` wins.

    Examples
    --------
    >>> from c5map.tables import load_tables
    >>> capitals(load_tables())["KAZ"]
    (71.45, 51.18)
    """
    from c5map.gazetteer import bundled_capitals

    gazetteer = bundled_capitals()
    found = {
        str(c): (float(x), float(y))
        for c, x, y in zip(gazetteer["iso3"], gazetteer["lon"], gazetteer["lat"], strict=True)
    }
    rows = tables.places[tables.places["role"] == "capital"]
    found |= {str(c): (float(x), float(y)) for c, x, y in zip(rows["country"], rows["lon"], rows["lat"], strict=True)}
    return found


def capital_names(tables: Tables) -> dict[str, str]:
    """Map every country with a known capital to the capital's name (as :func:`capitals`)."""
    from c5map.gazetteer import bundled_capitals

    gazetteer = bundled_capitals()
    found = {str(c): str(n) for c, n in zip(gazetteer["iso3"], gazetteer["name"], strict=True)}
    rows = tables.places[tables.places["role"] == "capital"]
    return found | {str(c): str(n) for c, n in zip(rows["country"], rows["name"], strict=True)}


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
    counts = grouped.size().to_dict()
    found: dict[tuple, set[str]] = {}
    for *key, qualifier in frame[[*keys, "value_qualifier"]].drop_duplicates().itertuples(index=False):
        found.setdefault(tuple(key), set()).add(qualifier)
    return {
        key: (None if pd.isna(totals[key]) else float(totals[key]), combine_qualifiers(found[key]), int(count))
        for key, count in counts.items()
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


def partners(tables: Tables, region: str | None = None) -> list[str]:
    """Everyone outside ``region`` with a deal or trade figure with it or a member, the story's weight first.

    A member dealing with another member, or running its own programme, is
    not a partner courting its own region: its deals are "within the region"
    (:func:`within_region_figures`). See :func:`c5map.story.region_partners`.
    """
    from c5map.story import choose_region, region_partners

    return region_partners(tables, choose_region(tables, region))


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


#: Columns of :func:`partner_country_figures` and :func:`within_region_figures`, in order.
MEMBER_FIGURE_COLUMNS = [
    "iso3", "name", "partner", "value_basis", "value_usd", "value_qualifier", "value_text", "deals_text",
    "n_deals", "deal_ids", "has_deal", "has_figure", "geometry",
]  # fmt: skip


def _member_figures(
    deals: pd.DataFrame, shapes: gpd.GeoDataFrame, partner: str, value_basis: str | None
) -> gpd.GeoDataFrame:
    """One row per member of ``shapes`` with the figure ``deals`` give it (see :func:`partner_country_figures`)."""
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
            f"{r.value_text} ({BASIS_WORDS.get(r.value_basis, r.value_basis)}"
            + (f", from {r.partner}" if several else "")
            + ")"
            for r in ordered
        )
        rows.append({
            "iso3": iso3, "partner": partner, "value_basis": basis, "value_usd": value,
            "value_qualifier": qualifier, "value_text": format_usd(value, qualifier) if has_figure else (
                deals_text or "no reported figure"),
            "deals_text": deals_text or "no reported figure",
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


def partner_trade(tables: Tables, partner: str, region: str | None = None) -> pd.DataFrame:
    """Trade figures between ``partner`` and ``region`` or its members, as the trade table has them.

    Trade is never added to deals: the influence page lists these beside a
    partner's deals. Sorted by year (latest first), then value (largest first), then flow_id.
    """
    from c5map.story import choose_region

    region = choose_region(tables, region)
    inside = [*tables.region_members().get(region, []), region]
    trade = tables.trade
    mine = ((trade["origin"] == partner) & trade["destination"].isin(inside)) | (
        (trade["destination"] == partner) & trade["origin"].isin(inside)
    )
    rows = trade[mine.to_numpy(bool)]
    return rows.sort_values(["year", "value_usd", "flow_id"], ascending=[False, False, True], kind="stable")


def region_outlines(tables: Tables, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each region dissolved into one outline.

    Returns
    -------
    geopandas.GeoDataFrame
        ``region, region_name, members`` (``"; "``-joined ISO3), ``geometry``.
    """
    rows = []
    for region, members in tables.region_members().items():
        shapes = countries.loc[countries["iso3"].isin(members), "geometry"].values
        name = tables.regions.loc[tables.regions["region"] == region, "region_name"].iloc[0]
        rows.append(
            {
                "region": region,
                "region_name": str(name),
                "members": "; ".join(members),
                "geometry": shapely.coverage_union_all(shapes),
            }
        )
    return gpd.GeoDataFrame(rows, columns=["region", "region_name", "members", "geometry"], crs=CRS)


def region_figures(tables: Tables, countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Region-level figures (deals and trade coded to a region), drawn on the region's outline.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per figure: ``figure_id, kind`` (``deal`` or ``trade``),
        ``region, region_name, partner, measure`` (value_basis for deals),
        ``date, value_usd, value_qualifier, value_text, attributed_to, note,
        source_id, geometry``.
    """
    outlines = region_outlines(tables, countries).set_index("region")
    rows = []
    for _, deal in tables.deals.iterrows():
        if deal["country"] in outlines.index:
            rows.append(
                {
                    "figure_id": deal["deal_id"],
                    "kind": "deal",
                    "region": deal["country"],
                    "partner": deal["partner"],
                    "measure": deal["value_basis"],
                    "date": deal["date"],
                    "value_usd": deal["value_usd"],
                    "value_qualifier": deal["value_qualifier"],
                    "attributed_to": _text(deal["attributed_to"]),
                    "note": _text(deal["note"]),
                    "source_id": deal["source_id"],
                }
            )
    trade = tables.trade
    # only rows coded to a region are figures here: select them first (a million-row table has a handful)
    touching = trade["destination"].isin(outlines.index) | trade["origin"].isin(outlines.index)
    for _, flow in trade[touching.to_numpy(dtype=bool)].iterrows():
        for end, other in (("destination", "origin"), ("origin", "destination")):
            if flow[end] in outlines.index:
                rows.append(
                    {
                        "figure_id": flow["flow_id"],
                        "kind": "trade",
                        "region": flow[end],
                        "partner": flow[other],
                        "measure": flow["measure"],
                        "date": str(flow["year"]),
                        "value_usd": flow["value_usd"],
                        "value_qualifier": flow["value_qualifier"],
                        "attributed_to": _text(flow["attributed_to"]),
                        "note": _text(flow["note"]),
                        "source_id": flow["source_id"],
                    }
                )
                break
    columns = [
        "figure_id",
        "kind",
        "region",
        "region_name",
        "partner",
        "measure",
        "date",
        "value_usd",
        "value_qualifier",
        "value_text",
        "attributed_to",
        "note",
        "source_id",
        "geometry",
    ]
    frame = pd.DataFrame(rows, columns=[c for c in columns if c not in ("region_name", "value_text", "geometry")])
    frame["region_name"] = [outlines.loc[r, "region_name"] for r in frame["region"]]
    frame["value_text"] = [format_usd(v, q) for v, q in zip(frame["value_usd"], frame["value_qualifier"], strict=True)]
    frame["geometry"] = [outlines.loc[r, "geometry"] for r in frame["region"]]
    frame = frame.astype({"value_usd": "float64"}).sort_values("figure_id").reset_index(drop=True)
    return gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=CRS)


def _points(frame: pd.DataFrame, columns: list[str], include_unlocated: bool = False) -> gpd.GeoDataFrame:
    located = frame["lon"].notna() & frame["lat"].notna()
    rows = frame if include_unlocated else frame[located]
    geometry = [
        shapely.Point(x, y) if has else None
        for x, y, has in zip(rows["lon"].to_numpy(float), rows["lat"].to_numpy(float), located[rows.index], strict=True)
    ]
    return gpd.GeoDataFrame(rows[columns].reset_index(drop=True), geometry=geometry, crs=CRS)


#: Columns of :func:`resource_points`, in order (geometry last).
RESOURCE_COLUMNS = [
    "resource_id", "name", "country", "commodity", "elements", "location_precision", "quantity", "unit",
    "value_qualifier", "quantity_text", "status", "date", "attributed_to", "note", "source_id",
]  # fmt: skip
#: Columns of :func:`event_points`, in order (geometry last).
EVENT_COLUMNS = [
    "event_id", "date", "name", "kind", "place", "country", "location_precision", "participants", "source_id",
]  # fmt: skip


def resource_points(tables: Tables, *, include_unlocated: bool = False) -> gpd.GeoDataFrame:
    """Resources as points; country-level figures have none.

    Parameters
    ----------
    tables : Tables
    include_unlocated : bool
        Keep rows without lon/lat too, with a null geometry (GIS exports do).

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`RESOURCE_COLUMNS` (the resources columns without lon/lat and
        source_passage, plus ``quantity_text``); Point geometry.
    """
    from c5map.format import format_quantity

    resources = tables.resources.assign(quantity_text=[
        format_quantity(q, u, v) for q, u, v in
        zip(tables.resources["quantity"], tables.resources["unit"], tables.resources["value_qualifier"], strict=True)
    ])  # fmt: skip
    return _points(resources, RESOURCE_COLUMNS, include_unlocated)


def event_points(tables: Tables, *, include_unlocated: bool = False) -> gpd.GeoDataFrame:
    """Events as points: those that happened in a known city (all of them with ``include_unlocated``).

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`EVENT_COLUMNS`; Point geometry, null where the source names no city.
    """
    return _points(tables.events, EVENT_COLUMNS, include_unlocated)


def place_points(tables: Tables) -> gpd.GeoDataFrame:
    """Places as points: ``place_id, name, country, role, geonames_id``."""
    return _points(tables.places, ["place_id", "name", "country", "role", "geonames_id"])


#: Columns of :func:`flow_figures`, in order.
FLOW_FIGURE_COLUMNS = [
    "figure_id", "pair_id", "kind", "origin", "destination", "measure", "date", "value_usd", "value_qualifier",
    "value_text", "attributed_to", "note", "source_id",
]  # fmt: skip
#: Columns of :func:`flow_pairs`, in order (geometry last).
FLOW_PAIR_COLUMNS = [
    "pair_id", "origin", "destination", "kinds", "n_deals", "n_trade", "first_date", "last_date",
    "latest_exports_year", "latest_exports_usd", "latest_exports_qualifier", "latest_exports_text",
]  # fmt: skip


def _formatted(values, qualifiers) -> list[str]:
    """:func:`~c5map.format.format_usd` of every row, each distinct (value, qualifier) formatted once."""
    cache: dict[tuple, str] = {}
    out = []
    values = pd.Series(values).to_numpy(dtype=float, na_value=np.nan)  # numpy, not Arrow scalars: 1M rows
    qualifiers = pd.Series(qualifiers).to_numpy(dtype=object)
    for value, qualifier in zip(values.tolist(), qualifiers.tolist(), strict=True):
        key = (value, qualifier)
        if key not in cache:
            cache[key] = format_usd(value, qualifier)
        out.append(cache[key])
    return out


#: Spacing of the points along flow lines, and the most points all of a layer's lines may hold: beyond, the
#: spacing grows (40,000 pairs of capitals at 50 km made 8 million points and a 107 MB GeoJSON). At 150 km a
#: line strays at most about 0.5 km from the true great circle.
FLOW_SPACING_KM = 50.0
FLOW_MAX_POINTS = 2_000_000


def flow_spacing_km(ends: np.ndarray) -> float:
    """Return the spacing (km) of the points of these lines.

    :data:`FLOW_SPACING_KM`, or more (in steps of 10 km) to keep within :data:`FLOW_MAX_POINTS` points in all.
    """
    from c5map.geodesic import _geod

    ends = np.asarray(ends, dtype=float).reshape(-1, 4)
    if not len(ends):
        return FLOW_SPACING_KM
    _, _, distance = _geod().inv(*ends.T)
    total_km = float(np.sum(distance)) / 1000.0
    return max(FLOW_SPACING_KM, math.ceil(total_km / FLOW_MAX_POINTS / 10) * 10)


def great_circles(ends: np.ndarray, spacing_km: float = 50.0) -> list:
    """Return :func:`~c5map.geodesic.great_circle` of every row of ``ends`` (lon1, lat1, lon2, lat2), together.

    The points of every arc come from one vectorised call to pyproj (a
    bilateral table has tens of thousands of pairs, and a Python loop over
    their points took a minute); the few arcs that cross ±180° are split by
    :func:`~c5map.geodesic.great_circle` itself.
    """
    ends = np.asarray(ends, dtype=float).reshape(-1, 4)
    if len(ends) > 2000:  # in chunks: a few hundred points per arc, and memory stays small
        return [line for k in range(0, len(ends), 2000) for line in great_circles(ends[k : k + 2000], spacing_km)]
    if not len(ends):
        return []
    from c5map.geodesic import _geod

    lon1, lat1, lon2, lat2 = ends.T
    geod = _geod()
    azimuth, _, distance = geod.inv(lon1, lat1, lon2, lat2)
    counts = np.maximum((distance / (spacing_km * 1000.0)).astype(int) - 1, 0) + 2  # as arc_points spaces them
    which = np.repeat(np.arange(len(ends)), counts)
    starts = np.cumsum(counts) - counts
    step = np.arange(counts.sum()) - starts[which]
    x, y, _ = geod.fwd(lon1[which], lat1[which], azimuth[which], distance[which] * step / (counts - 1)[which])
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    first, last = step == 0, step == (counts - 1)[which]
    x[first], y[first], x[last], y[last] = lon1, lat1, lon2, lat2
    jump = (np.diff(x, prepend=x[0]) + 180.0) % 360.0 - 180.0  # unwrapped: no step of more than 180°
    jump[first] = 0.0
    run = np.cumsum(jump)
    x = (x[first] - run[first])[which] + run
    crosses = np.zeros(len(ends), dtype=bool)
    np.logical_or.at(crosses, which, np.abs(x) > 180.0)
    x[first], x[last] = lon1, lon2  # the ends as given, free of rounding
    lines = np.array(shapely.linestrings(np.column_stack([x, y]), indices=which), dtype=object)
    for index in np.flatnonzero(crosses):
        lines[index] = great_circle(*ends[index], spacing_km=spacing_km)
    return list(lines)


def flow_figures(tables: Tables) -> pd.DataFrame:
    """Every deal and trade figure between two countries with known capitals: one row each, no geometry.

    The rows :func:`flow_pairs` draws, each referencing its pair by
    ``pair_id``. Region-level figures are not flows (see
    :func:`region_figures`); a row whose ends lack a capital (see
    :func:`capitals`), or whose ends are one country, is left out.

    Returns
    -------
    pandas.DataFrame
        :data:`FLOW_FIGURE_COLUMNS`: ``figure_id`` (deal_id or flow_id),
        ``pair_id`` (``"ORIGIN-DESTINATION"``), ``kind`` (``deal`` or ``trade``), ``origin, destination,
        measure`` (value_basis for deals), ``date`` (a trade figure's year as
        text), ``value_usd, value_qualifier, value_text, attributed_to, note,
        source_id``; sorted by figure_id.
    """
    caps = capitals(tables)
    deals, trade = tables.deals, tables.trade
    candidates = pd.concat(
        [
            pd.DataFrame({
                "figure_id": deals["deal_id"], "kind": "deal", "origin": deals["partner"],
                "destination": deals["country"], "measure": deals["value_basis"], "date": deals["date"],
                "value_usd": deals["value_usd"], "value_qualifier": deals["value_qualifier"],
                "attributed_to": deals["attributed_to"], "note": deals["note"], "source_id": deals["source_id"],
            }),
            pd.DataFrame({
                "figure_id": trade["flow_id"], "kind": "trade", "origin": trade["origin"],
                "destination": trade["destination"], "measure": trade["measure"], "date": trade["year"].astype(str),
                "value_usd": trade["value_usd"], "value_qualifier": trade["value_qualifier"],
                "attributed_to": trade["attributed_to"], "note": trade["note"], "source_id": trade["source_id"],
            }),
        ],
        ignore_index=True,
    )  # fmt: skip
    drawable = (
        candidates["origin"].isin(caps)
        & candidates["destination"].isin(caps)
        & (candidates["origin"] != candidates["destination"])
    )
    frame = candidates[drawable.to_numpy(dtype=bool)].reset_index(drop=True)
    frame["value_usd"] = frame["value_usd"].astype("float64")
    frame["value_text"] = _formatted(frame["value_usd"], frame["value_qualifier"])
    for column in ("attributed_to", "note"):
        frame[column] = frame[column].fillna("")
    frame["pair_id"] = frame["origin"].astype(str) + "-" + frame["destination"].astype(str)
    return frame[FLOW_FIGURE_COLUMNS].sort_values("figure_id", kind="stable").reset_index(drop=True)


def flow_pairs(tables: Tables, figures: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """One great-circle line per origin-destination pair of :func:`flow_figures`, drawn once however many rows.

    A pair is directed: exports from A to B and from B to A are two pairs
    (on one line, drawn in each direction). A bilateral trade table repeats
    each pair once a year; the figures stay in :func:`flow_figures`.

    Parameters
    ----------
    figures : pandas.DataFrame, optional
        :func:`flow_figures` of ``tables``, if already computed.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`FLOW_PAIR_COLUMNS`: ``pair_id, origin, destination, kinds``
        (``deal``, ``trade`` or ``deal; trade``), ``n_deals, n_trade`` (rows
        in flow_figures), ``first_date, last_date``, and the exports from
        origin to destination in their latest year (``latest_exports_year,
        latest_exports_usd`` (the sum; NaN when none), ``_qualifier, _text``);
        LineString or MultiLineString (split at ±180°), sorted by pair_id; a
        point every :data:`FLOW_SPACING_KM`, or coarser for very many pairs
        (:func:`flow_spacing_km`; ``frame.attrs["spacing_km"]``).
    """
    figures = flow_figures(tables) if figures is None else figures
    caps = capitals(tables)
    grouped = figures.groupby("pair_id", sort=True)
    pairs = grouped[["origin", "destination"]].first()
    kinds = figures.groupby(["pair_id", "kind"], sort=True).size().unstack(fill_value=0)
    pairs["n_deals"] = kinds["deal"].astype("int64") if "deal" in kinds else 0
    pairs["n_trade"] = kinds["trade"].astype("int64") if "trade" in kinds else 0
    pairs["kinds"] = [
        "; ".join(k for k, n in (("deal", d), ("trade", t)) if n) for d, t in zip(pairs["n_deals"], pairs["n_trade"],
                                                                                   strict=True)
    ]  # fmt: skip
    pairs["first_date"] = grouped["date"].min()
    pairs["last_date"] = grouped["date"].max()
    exports = figures[(figures["kind"] == "trade") & (figures["measure"] == "exports")]
    exports = exports[exports["date"] == exports.groupby("pair_id")["date"].transform("max")]
    latest = group_figures(exports, ["pair_id", "date"])
    year, usd, qualifier, words = [], [], [], []
    latest_of = {key[0]: (int(key[1]), figure) for key, figure in latest.items()}
    for pair in pairs.index:
        if pair in latest_of:
            when, (total, how, _) = latest_of[pair]
            year.append(when)
            usd.append(float("nan") if total is None else total)
            qualifier.append(how)
            words.append(format_usd(total, how))
        else:
            year.append(None)
            usd.append(float("nan"))
            qualifier.append(None)
            words.append("")
    pairs["latest_exports_year"] = pd.array(year, dtype="Int64")
    pairs["latest_exports_usd"] = pd.array(usd, dtype="float64")
    pairs["latest_exports_qualifier"] = pd.array(qualifier, dtype="string")
    pairs["latest_exports_text"] = words
    pairs = pairs.reset_index()
    ends = np.array([(*caps[o], *caps[d]) for o, d in zip(pairs["origin"], pairs["destination"], strict=True)])
    spacing = flow_spacing_km(ends)
    frame = gpd.GeoDataFrame(pairs[FLOW_PAIR_COLUMNS], geometry=great_circles(ends, spacing), crs=CRS)
    frame.attrs["spacing_km"] = spacing  # said in the export's data dictionary
    return frame


def flows(tables: Tables) -> gpd.GeoDataFrame:
    """Deals and trade between two countries as great-circle lines between their capitals, one row per figure.

    The rows of :func:`flow_figures` with their pair's line (one shared
    geometry object per pair, so a bilateral table costs one geodesic per
    pair). GIS exports write the pairs (:func:`flow_pairs`) and the figures
    apart instead: repeating a line per row makes gigabytes of a big table.

    Returns
    -------
    geopandas.GeoDataFrame
        ``flow_id, kind`` (``deal`` or ``trade``), ``origin, destination,
        measure`` (value_basis for deals), ``date, value_usd,
        value_qualifier, value_text, attributed_to, note, source_id``;
        LineString or MultiLineString (split at ±180°), sorted by flow_id.
    """
    figures = flow_figures(tables)
    caps = capitals(tables)
    ends = figures[["pair_id", "origin", "destination"]].drop_duplicates("pair_id")
    lines = dict(zip(ends["pair_id"], great_circles([(*caps[o], *caps[d]) for o, d in
                                                     zip(ends["origin"], ends["destination"], strict=True)]),
                     strict=True))  # fmt: skip
    geometry = [lines[p] for p in figures["pair_id"]]
    frame = figures.drop(columns="pair_id").rename(columns={"figure_id": "flow_id"})
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)
