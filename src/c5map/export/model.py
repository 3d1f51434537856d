"""What an export is: its layers, tables and fields, and the constants every format follows."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from c5map.i18n import N_

#: Decimal places of every exported coordinate (0.001° is about 110 m; 1:10m boundaries are good to ~1 km).
COORDINATE_DECIMALS = 3
#: Boundaries are simplified together as a coverage at this tolerance (degrees) before export.
SIMPLIFY_TOLERANCE_DEG = 0.01
#: Every export layer, in the order it is written, and what it holds in a line (the atlas links them with it, in
#: the locale in use: the words are marked for the catalogs).
LAYER_SUMMARIES: dict[str, str] = {
    "countries": N_("countries with deal and trade figures as columns"),
    "regions": N_("the region's outline with its region-level figures"),
    "flows": N_("great-circle flows between capitals"),
    "resources": N_("deposits and reserves"),
    "events": N_("summits and meetings"),
}
LAYER_NAMES: tuple[str, ...] = tuple(LAYER_SUMMARIES)
#: The tables (no geometry) written with a layer, and what each holds in a line.
TABLE_SUMMARIES: dict[str, str] = {
    "country_figures": N_("every per-partner figure of the countries, one row each"),
    "region_figures": N_("every region-level figure, one row each"),
    "flow_figures": N_("every deal and trade figure of the flows, one row each, naming its pair"),
}
#: Most column groups (four columns each) of per-partner figures in the countries and regions layers. A big
#: table has thousands (GeoPackage holds at most 2,000 columns, and no one reads 2,000 in QGIS): the groups
#: with figures in the most places get columns, and every figure is in the layer's long table.
MAX_COLUMN_GROUPS = 50
FORMATS: tuple[str, ...] = ("geojson", "gpkg", "parquet")
#: GeoPackage stamps the time of writing into gpkg_contents; a fixed stamp keeps rebuilds byte-identical.
GPKG_TIMESTAMP = "2000-01-01T00:00:00.000Z"


@dataclass(frozen=True)
class ExportField:
    """A property of an exported layer: name, type (``string``, ``number``, ``integer``, ``boolean``), meaning."""

    name: str
    type: str
    description: str


@dataclass
class ExportTable:
    """A table with no geometry, written with its layer: rows that name a feature of it (``key``)."""

    name: str
    description: str
    frame: pd.DataFrame  # exactly ``fields``
    fields: list[ExportField]
    key: str  # the field naming the layer's feature (its ``id``)


@dataclass
class ExportLayer:
    """One exported layer: features with their id, the documented fields, what the layer is, its tables."""

    name: str
    description: str
    frame: gpd.GeoDataFrame  # an ``id`` column, then exactly ``fields``, then geometry
    fields: list[ExportField]
    tables: list[ExportTable] = field(default_factory=list)
