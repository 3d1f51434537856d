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


#: Value bases in the order a layer prefers them when a partner has as many deals on several.
BASIS_ORDER: tuple[str, ...] = ("agreements", "investment", "financing", "pipeline")


def partners(tables: Tables, region: str | None = None) -> list[str]:
    """Everyone with a deal or trade figure with ``region`` or a member, most deals first, then by code.

    A member dealing with another member, or running its own programme, is a
    partner too (see :func:`c5map.story.region_partners`).
    """
    from c5map.story import choose_region, region_partners

    return region_partners(tables, choose_region(tables, region))


def layer_basis(deals: pd.DataFrame) -> str:
    """Return the value basis a partner's layer colours by: that of most of its deals (then :data:`BASIS_ORDER`).

    Only like is added to like, so one layer shows one basis; deals on other
    bases are listed in the tooltip and drawn as "deal on another basis".
    """
    counts = deals["value_basis"].value_counts()
    if counts.empty:
        return BASIS_ORDER[0]
    return min(counts.index, key=lambda b: (-int(counts[b]), BASIS_ORDER.index(b) if b in BASIS_ORDER else 99, b))


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
    disclosed value on ``value_basis``, the basis the layer is coloured by.
    A member with no deal is "no reported figure", never zero.

    Parameters
    ----------
    region : str, optional
        Default: the only region of the tables (see :func:`c5map.story.choose_region`).
    value_basis : str, optional
        Default: :func:`layer_basis` of the partner's deals in the region.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per member: ``iso3, name, partner, value_basis, value_usd``
        (the disclosed sum on ``value_basis``, NaN when none), ``value_qualifier,
        value_text`` (that sum as a reader sees it, or what the deals are when
        it is not on the scale), ``deals_text`` (every basis: ``"$4.2bn
        (agreements signed); undisclosed (investment committed)"``),
        ``n_deals, deal_ids`` (every basis), ``has_deal, has_figure, geometry``.
    """
    from c5map.story import BASIS_WORDS, choose_region

    region = choose_region(tables, region)
    members = tables.region_members().get(region, [])
    deals = tables.deals
    theirs = deals[((deals["partner"] == partner) & deals["country"].isin(members)).to_numpy(bool)]
    basis = value_basis or layer_basis(theirs)
    totals = deal_totals(theirs)
    shapes = countries[countries["iso3"].isin(members)][["iso3", "name", "geometry"]]
    rows = []
    for iso3 in shapes["iso3"]:
        here = totals[totals["country"] == iso3]
        on_basis = here[here["value_basis"] == basis]
        value = float(on_basis["value_usd"].iloc[0]) if len(on_basis) else float("nan")
        qualifier = on_basis["value_qualifier"].iloc[0] if len(on_basis) else None
        has_figure = bool(len(on_basis)) and not pd.isna(value)
        ordered = sorted(here.itertuples(), key=lambda r: (r.value_basis != basis, r.value_basis))
        deals_text = "; ".join(f"{r.value_text} ({BASIS_WORDS.get(r.value_basis, r.value_basis)})" for r in ordered)
        rows.append({
            "iso3": iso3, "partner": partner, "value_basis": basis, "value_usd": value,
            "value_qualifier": qualifier, "value_text": format_usd(value, qualifier) if has_figure else (
                deals_text or "no reported figure"),
            "deals_text": deals_text or "no reported figure",
            "n_deals": int(here["n_deals"].sum()),
            "deal_ids": "; ".join(sorted(i for ids in here["deal_ids"] for i in ids.split("; "))),
            "has_deal": bool(len(here)), "has_figure": has_figure,
        })  # fmt: skip
    figures = pd.DataFrame(
        rows,
        columns=["iso3", "partner", "value_basis", "value_usd", "value_qualifier", "value_text", "deals_text",
                 "n_deals", "deal_ids", "has_deal", "has_figure"],
    )  # fmt: skip
    out = shapes.merge(figures, on="iso3", how="left")
    out["value_qualifier"] = out["value_qualifier"].astype("string")
    out = out.astype({"value_usd": "float64", "n_deals": "int64", "has_deal": bool, "has_figure": bool})
    columns = [
        "iso3", "name", "partner", "value_basis", "value_usd", "value_qualifier", "value_text", "deals_text",
        "n_deals", "deal_ids", "has_deal", "has_figure", "geometry",
    ]  # fmt: skip
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


def flows(tables: Tables) -> gpd.GeoDataFrame:
    """Deals and trade between two countries as great-circle lines between their capitals.

    Region-level figures are not flows (see :func:`region_figures`); a row
    whose ends lack a capital in ``places.csv`` is left out.

    Returns
    -------
    geopandas.GeoDataFrame
        ``flow_id, kind`` (``deal`` or ``trade``), ``origin, destination,
        measure`` (value_basis for deals), ``date, value_usd,
        value_qualifier, value_text, attributed_to, note, source_id``;
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
                "attributed_to": deals["attributed_to"], "note": deals["note"], "source_id": deals["source_id"],
            }),
            pd.DataFrame({
                "flow_id": trade["flow_id"], "kind": "trade", "origin": trade["origin"],
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
    frame["value_text"] = [format_usd(v, q) for v, q in zip(frame["value_usd"], frame["value_qualifier"], strict=True)]
    frame["attributed_to"] = [_text(a) for a in frame["attributed_to"]]
    frame["note"] = [_text(a) for a in frame["note"]]
    # one geodesic per pair of capitals: a bilateral table repeats each pair once a year
    pairs = {pair: None for pair in zip(frame["origin"], frame["destination"], strict=True)}
    for origin, destination in pairs:
        pairs[origin, destination] = great_circle(*caps[origin], *caps[destination])
    geometry = [pairs[pair] for pair in zip(frame["origin"], frame["destination"], strict=True)]
    columns = [
        "flow_id", "kind", "origin", "destination", "measure", "date", "value_usd", "value_qualifier", "value_text",
        "attributed_to", "note", "source_id",
    ]  # fmt: skip
    frame = gpd.GeoDataFrame(frame[columns], geometry=geometry, crs=CRS)
    return frame.sort_values("flow_id").reset_index(drop=True)
