"""GIS exports: RFC 7946 GeoJSON, GeoPackage and GeoParquet of every layer.

Layers (one file each in ``geo/``, all of them in ``geo/c5map.gpkg``):

``countries``
    The region's members and every country named in deals or trade, with the
    joined figures as flat columns (one column group per partner and value
    basis, per exporter's latest year: at most :data:`MAX_COLUMN_GROUPS`), and
    every one of them, long, in the table ``country_figures``.
``regions``
    The region dissolved into one outline, with its region-level figures (flat
    columns as for countries, and long in ``region_figures``).
``flows``
    One great-circle line between capitals per origin-destination pair of the
    deals and trade between two countries; every figure is a row of the table
    ``flow_figures`` that names its pair.
``resources``
    Deposits and reserves; country-level figures have no geometry.
``events``
    Summits, meetings, policy moves; those without a city have no geometry.

Tables (no geometry) are written in the GeoPackage as attribute tables and
beside the GeoJSON as CSV (``geo/flow_figures.csv``, :func:`write_table`);
a layer carries its tables (:attr:`ExportLayer.tables`). The CSV is safe to
open in a spreadsheet (:mod:`c5map.spreadsheet`: a text cell such as
``=HYPERLINK(...)`` gets a leading apostrophe); GeoJSON, GeoPackage and
Parquet keep the exact text.

``c5map export`` (:func:`export_command`, :func:`write_export`) writes only
regular files and folders (never a device or FIFO), names the tables it
writes beside a single-layer file after that file (``myflows.geojson`` ->
``myflows.flow_figures.csv``), and never replaces a file it did not write
(:func:`written_by_c5map`).

QGIS opens every layer with the web map's classes, colours, "no reported
figure" hatching and labels: :func:`qgis_styles` makes the styles from the
web's own scenes; the GeoPackage carries them in its ``layer_styles`` table
and each GeoJSON file gets its default style beside it, named after it
(``countries.geojson`` -> ``countries.qml``, :func:`style_beside`).
``c5map export`` lists every file it writes, styles too, and refuses a name
that says another format (``--format gpkg --out sahel.geojson``) or a file
where a folder of several layers goes.

GeoJSON follows RFC 7946: WGS 84 longitude/latitude with no ``crs`` member,
exterior rings counter-clockwise and holes clockwise, nothing crossing ±180°
(lines and polygons are split there), coordinates rounded to
:data:`COORDINATE_DECIMALS` places, a ``bbox``, a stable ``id`` per feature,
and the same flat properties with the same types in every feature.

Modules, each importable from here: :mod:`~c5map.export.model` (the layer,
table and field types, and the constants every format follows),
:mod:`~c5map.export.layer_builders` (the five layers made from the tables),
:mod:`~c5map.export.formats` (GeoJSON, CSV, GeoPackage, GeoParquet and the
data dictionary ``geo/README.md``), :mod:`~c5map.export.qgis_styles`
(QGIS styles as QML, from the web's decisions), :mod:`~c5map.export.command`
(``c5map export``: its targets, and the files it writes beside them).
"""

from c5map.export.command import (
    FILE_SUFFIXES,
    NOT_OURS,
    SUFFIXES,
    beside,
    default_out,
    export_command,
    export_out,
    style_beside,
    write_export,
    written_by_c5map,
)
from c5map.export.formats import (
    MARK,
    data_dictionary,
    geo_files,
    geojson_text,
    rfc7946_geometries,
    table_csv,
    write_geojson,
    write_gpkg,
    write_parquet,
    write_qml,
    write_table,
)
from c5map.export.layer_builders import (
    countries_layer,
    events_layer,
    export_boundaries,
    export_layers,
    flows_layer,
    regions_layer,
    resources_layer,
)
from c5map.export.model import (
    COORDINATE_DECIMALS,
    FORMATS,
    GPKG_TIMESTAMP,
    LAYER_NAMES,
    LAYER_SUMMARIES,
    MAX_COLUMN_GROUPS,
    SIMPLIFY_TOLERANCE_DEG,
    TABLE_SUMMARIES,
    ExportField,
    ExportLayer,
    ExportTable,
)
from c5map.export.qgis_styles import QgisStyle, qgis_styles

__all__ = [
    "COORDINATE_DECIMALS",
    "ExportField",
    "ExportLayer",
    "ExportTable",
    "FILE_SUFFIXES",
    "FORMATS",
    "GPKG_TIMESTAMP",
    "LAYER_NAMES",
    "LAYER_SUMMARIES",
    "MARK",
    "MAX_COLUMN_GROUPS",
    "NOT_OURS",
    "QgisStyle",
    "SIMPLIFY_TOLERANCE_DEG",
    "SUFFIXES",
    "TABLE_SUMMARIES",
    "beside",
    "countries_layer",
    "data_dictionary",
    "default_out",
    "events_layer",
    "export_boundaries",
    "export_command",
    "export_layers",
    "export_out",
    "flows_layer",
    "geo_files",
    "geojson_text",
    "qgis_styles",
    "regions_layer",
    "resources_layer",
    "rfc7946_geometries",
    "style_beside",
    "table_csv",
    "write_export",
    "write_geojson",
    "write_gpkg",
    "write_parquet",
    "write_qml",
    "write_table",
    "written_by_c5map",
]
