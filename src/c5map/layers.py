"""Joins of the tables with the boundaries: the layers maps and exports draw.

Every layer is a GeoDataFrame in EPSG:4326 whose columns are listed in its
function's docstring; maps, GeoJSON, GeoPackage and tooltips use the same
names. Region-level figures stay on the region: they are never spread over
member countries nor added to a member's figures.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from c5map.format import combine_qualifiers, format_usd
from c5map.geodesic import great_circle
from c5map.tables import Tables

CRS = "EPSG:4326"


def _text(value: object) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


def capitals(tables: Tables) -> dict[str, tuple[float, float]]:
    """Map each country with a capital in ``places.csv`` to its (lon, lat).

    Examples
    --------
    >>> from c5map.tables import load_tables
    >>> capitals(load_tables())["KAZ"]
    (71.45, 51.18)
    """
    rows = tables.places[tables.places["role"] == "capital"]
    return {str(c): (float(x), float(y)) for c, x, y in zip(rows["country"], rows["lon"], rows["lat"], strict=True)}


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
    totals = grouped["value_usd"].sum(min_count=1)
    counts = grouped.size()
    found: dict[tuple, set[str]] = {}
    for *key, qualifier in frame[[*keys, "value_qualifier"]].drop_duplicates().itertuples(index=False):
        found.setdefault(tuple(key), set()).add(qualifier)
    return {
        key: (None if pd.isna(totals[key]) else float(totals[key]), combine_qualifiers(found[key]), int(counts[key]))
        for key in counts.index
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


def partners(tables: Tables, region: str = "C5") -> list[str]:
    """Partners with at least one deal in ``region`` or one of its members, sorted.

    The region's own members (a domestic programme) are not partners.
    """
    members = set(tables.region_members().get(region, []))
    deals = tables.deals
    mask = deals["country"].isin(members | {region}) & ~deals["partner"].isin(members)
    return sorted(str(p) for p in deals.loc[mask, "partner"].unique())


def partner_country_figures(
    tables: Tables,
    countries: gpd.GeoDataFrame,
    partner: str,
    *,
    region: str = "C5",
    value_basis: str = "agreements",
) -> gpd.GeoDataFrame:
    """Return the members of ``region`` with the deals ``partner`` announced in each.

    A member with no deal is kept, with ``has_figure`` False: "no reported
    figure" is not zero.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per member: ``iso3, name, partner, value_basis, value_usd,
        value_qualifier, value_text, n_deals, deal_ids, has_figure, geometry``.
    """
    members = tables.region_members().get(region, [])
    deals = tables.deals
    totals = deal_totals(deals[((deals["partner"] == partner) & (deals["value_basis"] == value_basis)).to_numpy(bool)])
    shapes = countries[countries["iso3"].isin(members)][["iso3", "name", "geometry"]]
    out = shapes.merge(totals.drop(columns=["partner", "value_basis"]), left_on="iso3", right_on="country", how="left")
    out = out.drop(columns=["country"])
    out.insert(2, "partner", partner)
    out.insert(3, "value_basis", value_basis)
    out["has_figure"] = out["n_deals"].notna()
    out["n_deals"] = out["n_deals"].fillna(0).astype("int64")
    out["value_text"] = out["value_text"].fillna("no reported figure")
    out["value_qualifier"] = out["value_qualifier"].astype("string")
    out["deal_ids"] = out["deal_ids"].fillna("")
    columns = [
        "iso3",
        "name",
        "partner",
        "value_basis",
        "value_usd",
        "value_qualifier",
        "value_text",
        "n_deals",
        "deal_ids",
        "has_figure",
        "geometry",
    ]
    return gpd.GeoDataFrame(out[columns].sort_values("iso3").reset_index(drop=True), geometry="geometry", crs=CRS)


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
        ``date, value_usd, value_qualifier, value_text, attributed_to,
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


def flows(tables: Tables) -> gpd.GeoDataFrame:
    """Deals and trade between two countries as great-circle lines between their capitals.

    Region-level figures are not flows (see :func:`region_figures`); a row
    whose ends lack a capital in ``places.csv`` is left out.

    Returns
    -------
    geopandas.GeoDataFrame
        ``flow_id, kind`` (``deal`` or ``trade``), ``origin, destination,
        measure`` (value_basis for deals), ``date, value_usd,
        value_qualifier, value_text, attributed_to, source_id``;
        LineString or MultiLineString (split at ±180°), sorted by flow_id.
    """
    caps = capitals(tables)
    deals, trade = tables.deals, tables.trade
    candidates = pd.concat(
        [
            pd.DataFrame({
                "flow_id": deals["deal_id"], "kind": "deal", "origin": deals["partner"],
                "destination": deals["country"], "measure": deals["value_basis"], "date": deals["date"],
                "value_usd": deals["value_usd"], "value_qualifier": deals["value_qualifier"],
                "attributed_to": deals["attributed_to"], "source_id": deals["source_id"],
            }),
            pd.DataFrame({
                "flow_id": trade["flow_id"], "kind": "trade", "origin": trade["origin"],
                "destination": trade["destination"], "measure": trade["measure"], "date": trade["year"].astype(str),
                "value_usd": trade["value_usd"], "value_qualifier": trade["value_qualifier"],
                "attributed_to": trade["attributed_to"], "source_id": trade["source_id"],
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
    frame["value_text"] = [format_usd(v, q) for v, q in zip(frame["value_usd"], frame["value_qualifier"], strict=True)]
    frame["attributed_to"] = [_text(a) for a in frame["attributed_to"]]
    # one geodesic per pair of capitals: a bilateral table repeats each pair once a year
    pairs = {pair: None for pair in zip(frame["origin"], frame["destination"], strict=True)}
    for origin, destination in pairs:
        pairs[origin, destination] = great_circle(*caps[origin], *caps[destination])
    geometry = [pairs[pair] for pair in zip(frame["origin"], frame["destination"], strict=True)]
    columns = [
        "flow_id", "kind", "origin", "destination", "measure", "date", "value_usd", "value_qualifier", "value_text",
        "attributed_to", "source_id",
    ]  # fmt: skip
    frame = gpd.GeoDataFrame(frame[columns], geometry=geometry, crs=CRS)
    return frame.sort_values("flow_id").reset_index(drop=True)
