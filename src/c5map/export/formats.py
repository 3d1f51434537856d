"""The files of an export: RFC 7946 GeoJSON, CSV tables, GeoPackage, GeoParquet, and the data dictionary."""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from c5map.export.model import (
    COORDINATE_DECIMALS,
    GPKG_TIMESTAMP,
    SIMPLIFY_TOLERANCE_DEG,
    ExportField,
    ExportLayer,
    ExportTable,
)
from c5map.export.qgis_styles import QgisStyle, layer_styles_frame
from c5map.spreadsheet import spreadsheet_safe_column

#: Key of c5map's mark in the pandas metadata of every Parquet file it writes (the layer's or table's name).
MARK = "c5map"


def _none(value: object) -> object:
    """Cell -> JSON-ready value: None for every kind of missing, plain Python numbers."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    return str(value)


def rfc7946_geometries(geometries: np.ndarray) -> np.ndarray:
    """Orient polygons by the right-hand rule (RFC 7946 §3.1.6) and round coordinates, all at once."""
    present = shapely.is_geometry(geometries)
    out = np.array(geometries, dtype=object)
    oriented = shapely.orient_polygons(geometries[present], exterior_cw=False)  # points and lines unchanged
    out[present] = shapely.transform(oriented, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    return out


def geojson_text(layer: ExportLayer) -> str:
    """Return the layer as RFC 7946 GeoJSON text: one feature a line, stable order, no ``crs``.

    The collection's ``bbox`` spans every feature; because geometries never
    cross ±180°, west <= east always holds. A feature with no known place
    has a null geometry (RFC 7946 §3.2).
    """
    geometries = rfc7946_geometries(layer.frame.geometry.to_numpy())
    # GEOS writes the geometries (in C, the same text as json.dumps of their mapping: shortest round-trip numbers)
    present = shapely.is_geometry(geometries) & ~shapely.is_empty(geometries)
    texts = np.full(len(geometries), "null", dtype=object)
    if present.any():
        texts[present] = shapely.to_geojson(geometries[present])
    columns = {f.name: [_none(v) for v in layer.frame[f.name]] for f in layer.fields}
    lines = []
    for i, (feature_id, geometry) in enumerate(zip(layer.frame["id"], texts, strict=True)):
        properties = json.dumps({name: values[i] for name, values in columns.items()}, ensure_ascii=False,
                                separators=(",", ":"))  # fmt: skip
        head = json.dumps(str(feature_id), ensure_ascii=False)
        lines.append(f'{{"type":"Feature","id":{head},"geometry":{geometry},"properties":{properties}}}')
    header = {"type": "FeatureCollection", "name": layer.name}
    located = [g for g in geometries if g is not None and not g.is_empty]
    if located:
        west, south, east, north = shapely.total_bounds(np.array(located, dtype=object))
        header["bbox"] = [round(float(v), COORDINATE_DECIMALS) for v in (west, south, east, north)]
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    return head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def _typed(frame: pd.DataFrame, fields: list[ExportField]) -> pd.DataFrame:
    """Return ``frame`` with column types fixed from ``fields`` (GDAL infers nothing from an all-null column)."""
    frame = frame.copy()
    dtypes = {"number": "float64", "integer": "Int64", "boolean": "boolean", "string": "string"}
    for f in fields:
        frame[f.name] = frame[f.name].astype(dtypes[f.type])  # every kind of missing becomes null
    return frame


def _typed_frame(layer: ExportLayer) -> gpd.GeoDataFrame:
    """Return the layer with column types fixed from its fields."""
    frame = _typed(layer.frame, layer.fields)
    frame["id"] = frame["id"].astype("string")
    return frame


def table_csv(table: ExportTable) -> str:
    """Return a table as CSV text (UTF-8, a header line, LF line ends, an empty cell for null), in a stable order.

    Safe to open in a spreadsheet: a text cell that starts as a formula (``=``, ``+``, ``-``, ``@``, tab, CR)
    gets a leading apostrophe (:mod:`c5map.spreadsheet`); numbers stay numbers.
    """
    frame = _typed(table.frame, table.fields)
    for f in table.fields:
        if f.type == "string":
            frame[f.name] = spreadsheet_safe_column(frame[f.name])
    return frame.to_csv(index=False, lineterminator="\n")


def write_geojson(layer: ExportLayer, path: Path) -> None:
    """Write one layer as RFC 7946 GeoJSON (its tables are written apart: :func:`write_table`)."""
    path.write_text(geojson_text(layer), encoding="utf-8")


def write_table(table: ExportTable, path: Path) -> None:
    """Write a table as CSV (:func:`table_csv`) or, for a ``.parquet`` path, as Parquet."""
    if path.suffix == ".parquet":
        frame = _typed(table.frame, table.fields)
        frame.attrs[MARK] = table.name  # c5map's mark (:func:`written_by_c5map`), in the file's pandas metadata
        frame.to_parquet(path, index=False)
    else:
        path.write_text(table_csv(table), encoding="utf-8")


def write_gpkg(layers_: dict[str, ExportLayer], path: Path, styles: dict[str, list[QgisStyle]] | None = None) -> None:
    """Write layers and their tables into one GeoPackage (one table each), byte-identical for identical input.

    A layer's tables are attribute tables (no geometry), written after it. ``styles``
    (:func:`c5map.export.qgis_styles.qgis_styles`) of the layers written go last, into the
    table ``layer_styles`` as QGIS writes it, stamped :data:`GPKG_TIMESTAMP`: QGIS opens
    each layer with its default style.
    """
    path.unlink(missing_ok=True)
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_TIMESTAMP})
    try:
        for name, layer in layers_.items():
            # one geometry type per table, as GIS tools expect (GeoJSON keeps Polygon and MultiPolygon apart)
            pyogrio.write_dataframe(
                _typed_frame(layer),
                path,
                layer=name,
                driver="GPKG",
                promote_to_multi=True,
                append=path.exists(),
                layer_options={"FID": "fid"},
            )
            for table in layer.tables:
                # through Arrow: a million-row table is written in a second, not cell by cell
                pyogrio.write_dataframe(
                    _typed(table.frame, table.fields),
                    path,
                    layer=table.name,
                    driver="GPKG",
                    append=True,
                    layer_options={"FID": "fid"},
                    use_arrow=True,
                )
        chosen = {name: found for name, found in (styles or {}).items() if name in layers_}
        if any(chosen.values()):
            # QGIS's own table: its columns, "id" its key, looked up by f_table_name and f_geometry_column
            pyogrio.write_dataframe(layer_styles_frame(chosen, GPKG_TIMESTAMP), path, layer="layer_styles",
                                    driver="GPKG", append=True, layer_options={"FID": "id"})  # fmt: skip
            # GDAL writes 2000-01-01T00:00:00Z; GeoPackage's DATETIME has milliseconds, and GDAL before 3.7 (QGIS
            # 3.22's) warns "Non-conformant content" at every read of the table without them
            with contextlib.closing(sqlite3.connect(path)) as db, db:
                db.execute("UPDATE layer_styles SET update_time = ?", (GPKG_TIMESTAMP,))
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def write_parquet(layer: ExportLayer, path: Path) -> None:
    """Write one layer as GeoParquet 1.0 (with pyarrow, a core dependency); tables: :func:`write_table`."""
    frame = _typed_frame(layer)
    frame.attrs[MARK] = layer.name  # c5map's mark (:func:`written_by_c5map`), in the file's pandas metadata
    frame.to_parquet(path, index=False, schema_version="1.0.0")


def geo_files(layers_: dict[str, ExportLayer], styles: dict[str, list[QgisStyle]] | None = None) -> dict[str, bytes]:
    """Return every file of a build's ``geo/`` (name -> bytes).

    GeoJSON per layer, CSV per table, the GeoPackage with all of them, and
    the data dictionary ``README.md``. With ``styles``
    (:func:`c5map.export.qgis_styles.qgis_styles`), the GeoPackage carries
    them all and each GeoJSON layer gets its default style beside it
    (``countries.qml``: QGIS opens ``countries.geojson`` with it).
    """
    files = {f"{name}.geojson": geojson_text(layer).encode("utf-8") for name, layer in layers_.items()}
    files |= {f"{name}.qml": default_qml(styles, name).encode("utf-8") for name in layers_ if default_qml(styles, name)}
    files |= {f"{t.name}.csv": table_csv(t).encode("utf-8") for layer in layers_.values() for t in layer.tables}
    files["README.md"] = data_dictionary(layers_, styled=bool(styles)).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="c5map-gpkg-") as folder:
        write_gpkg(layers_, Path(folder) / "c5map.gpkg", styles)
        files["c5map.gpkg"] = (Path(folder) / "c5map.gpkg").read_bytes()
    return files


def default_qml(styles: dict[str, list[QgisStyle]] | None, layer: str) -> str:
    """Return the QML of ``layer``'s default style in ``styles``, or empty when it has none."""
    return next((style.qml for style in (styles or {}).get(layer, []) if style.default), "")


def write_qml(styles: dict[str, list[QgisStyle]], layer: str, path: Path) -> None:
    """Write ``layer``'s default QGIS style as a ``.qml`` file (beside a GeoJSON file of the same name)."""
    path.write_text(default_qml(styles, layer), encoding="utf-8")


def data_dictionary(layers_: dict[str, ExportLayer], *, styled: bool = False) -> str:
    """Markdown describing every layer, table and field (written as ``geo/README.md``); ``styled``: QGIS styles too."""
    out = [
        "# geo/ — GIS exports",
        "",
        "Generated by `c5map build` from the tables in `data/`; do not edit. Every layer is EPSG:4326 "
        "(WGS 84 longitude/latitude). GeoJSON follows RFC 7946 (no `crs` member, counter-clockwise exterior "
        f"rings, split at ±180°), coordinates rounded to {COORDINATE_DECIMALS} decimal places; boundaries are "
        f"Natural Earth 1:10m simplified as a coverage at {SIMPLIFY_TOLERANCE_DEG}°. `c5map.gpkg` holds every "
        "layer and table with the same fields. Each feature has a stable `id`.",
        "",
        "Tables have no geometry: each is an attribute table in `c5map.gpkg` and a CSV file here "
        "(`<table>.csv`: UTF-8, one header line, an empty cell is null). Each row names a feature of its layer "
        "by the field given; in QGIS, join the table to the layer on that field (Layer Properties → Joins for a "
        "one-to-one view, or a relation for one-to-many), in GDAL/SQL `JOIN ... USING (...)`. A big trade table "
        "keeps each line once: `flows` has one line per pair of countries, `flow_figures` one row per figure.",
        "",
        "Null in a figure column means *no reported figure*, never zero. Made with Natural Earth.",
        "",
    ]
    if styled:
        out += [
            "QGIS opens every layer with the web map's classes, colours, hatching and labels: `c5map.gpkg` carries "
            "them in its `layer_styles` table (the countries layer has one style per partner's view of the "
            "influence page; Layer Properties → Style → Load from database), and `<layer>.qml` beside each GeoJSON "
            "file is its default style.",
            "",
        ]
    for layer in layers_.values():
        out += [
            f"## {layer.name}",
            "",
            layer.description,
            "",
            f"{len(layer.frame)} features.",
            "",
            "| field | type | meaning |",
            "|---|---|---|",
        ]
        out += [f"| `{f.name}` | {f.type} | {f.description} |" for f in layer.fields]
        out.append("")
        for table in layer.tables:
            out += [
                f"### {table.name} (table, no geometry)",
                "",
                f"{table.description} Each row names its feature of `{layer.name}` by `{table.key}`. "
                f"`c5map.gpkg` table `{table.name}`, and `{table.name}.csv`.",
                "",
                f"{len(table.frame)} rows.",
                "",
                "| field | type | meaning |",
                "|---|---|---|",
            ]
            out += [f"| `{f.name}` | {f.type} | {f.description} |" for f in table.fields]
            out.append("")
    return "\n".join(out)
