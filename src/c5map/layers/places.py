"""Where things are: capitals, and the resources, events and places of the tables as points."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from c5map.tables import Tables

#: Every layer's coordinate reference system: WGS 84 longitude/latitude.
CRS = "EPSG:4326"


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
