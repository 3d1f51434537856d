"""Each region dissolved into one outline, and the figures coded to a region drawn on it.

Region-level figures stay on the region: they are never spread over member
countries nor added to a member's figures.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from c5map.format import format_usd
from c5map.layers.places import CRS
from c5map.tables import Tables


def _text(value: object) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


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
