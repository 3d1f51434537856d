"""c5map: sourced maps and GIS exports of who is courting a region, from tables about any region.

The public API: load and validate the tables, load boundaries, build layers.

>>> import c5map
>>> tables = c5map.load_tables()
>>> world = c5map.load_countries("110m")
>>> m = c5map.explore(world, "pop_est", label="name", tiles="none")  # any GeoDataFrame, c5map's cartography
"""

from importlib.metadata import PackageNotFoundError, version

from c5map.boundaries import fetch_naturalearth, load_countries
from c5map.errors import DataError, Problem
from c5map.format import format_quantity, format_usd
from c5map.geodesic import great_circle
from c5map.layers import (
    deal_totals,
    event_points,
    flows,
    partner_country_figures,
    region_figures,
    region_outlines,
    resource_points,
)
from c5map.tables import Tables, load_tables
from c5map.validate import load_valid_tables, validate

try:
    __version__ = version("c5map")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0+unknown"


def __getattr__(name: str):
    """Import :func:`c5map.choropleth.explore` on first use (PEP 562): ``import c5map`` stays free of folium."""
    if name == "explore":
        from c5map.choropleth import explore

        return explore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DataError",
    "Problem",
    "Tables",
    "__version__",
    "deal_totals",
    "event_points",
    "explore",
    "fetch_naturalearth",
    "flows",
    "format_quantity",
    "format_usd",
    "great_circle",
    "load_countries",
    "load_tables",
    "load_valid_tables",
    "partner_country_figures",
    "region_figures",
    "region_outlines",
    "resource_points",
    "validate",
]
