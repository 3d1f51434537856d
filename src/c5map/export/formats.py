"""The files of an export: RFC 7946 GeoJSON, CSV tables, GeoPackage, GeoParquet, and the data dictionary."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import json
import math
import sqlite3
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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
    return geojson_bytes(layer).decode("utf-8")


def geojson_bytes(layer: ExportLayer) -> bytes:
    """:func:`geojson_text` as UTF-8 bytes.

    Each property is a column of JSON texts made at once (:func:`_json_texts`), and Arrow joins them with the
    geometries into the features: the same text as ``json.dumps`` of each feature's properties
    (``separators=(",", ":")``, ``ensure_ascii=False``), without a dict and a call per feature. The features
    are made :data:`_CHUNK_ROWS` at a time: the working copies stay small whatever the layer.
    """
    geometries = rfc7946_geometries(layer.frame.geometry.to_numpy())
    # GEOS writes the geometries (in C, the same text as json.dumps of their mapping: shortest round-trip numbers)
    present = shapely.is_geometry(geometries) & ~shapely.is_empty(geometries)
    header = {"type": "FeatureCollection", "name": layer.name}
    if present.any():
        west, south, east, north = shapely.total_bounds(geometries[present])
        header["bbox"] = [round(float(v), COORDINATE_DECIMALS) for v in (west, south, east, north)]
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"features":[\n'
    if not len(geometries):
        return (head + "\n]}\n").encode("utf-8")

    def words(text: str) -> pa.Scalar:
        return pa.scalar(text, _TEXT)

    ids_are_text = isinstance(layer.frame["id"].dtype, pd.StringDtype) and not layer.frame["id"].isna().any()
    names = [
        words((',"properties":{' if i == 0 else ",") + json.dumps(f.name, ensure_ascii=False) + ":")
        for i, f in enumerate(layer.fields)
    ]
    end = words(("}}" if layer.fields else ',"properties":{}}') + ",\n")  # each feature, then its separator
    out = io.BytesIO()
    out.write(head.encode("utf-8"))
    for start in range(0, len(geometries), _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        frame, located = layer.frame.iloc[rows], present[rows]
        texts = np.full(len(frame), "null", dtype=object)
        if located.any():
            texts[located] = shapely.to_geojson(geometries[rows][located])
        if ids_are_text:
            ids = _json_texts(frame["id"])
        else:  # the id as text, whatever it is
            ids = pa.array([json.dumps(str(v), ensure_ascii=False) for v in frame["id"]], type=_TEXT)
        pieces = [words('{"type":"Feature","id":'), ids, words(',"geometry":'), pa.array(texts, type=_TEXT)]
        for name, f in zip(names, layer.fields, strict=True):
            pieces += [name, _json_texts(frame[f.name])]
        for part in _values(pc.binary_join_element_wise(*pieces, end, words(""))):
            out.write(part)
    out.seek(-2, io.SEEK_END)  # no separator after the last feature
    out.write(b"\n]}\n")
    return out.getvalue()


#: Rows of a table or layer made into text at once: Arrow's working copies stay a few MB, however many rows.
_CHUNK_ROWS = 65_536


def _values(texts: pa.Array | pa.ChunkedArray) -> list[pa.Buffer]:
    """Return the bytes of every text (none null), back to back: slices of Arrow's own buffers, not copies."""
    out = []
    for chunk in texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]:
        if len(chunk):
            offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
            out.append(chunk.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0])))
    return out


def _json_float(value: float) -> str:
    return "Infinity" if value == math.inf else "-Infinity" if value == -math.inf else float.__repr__(value)


def _json_texts(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """JSON text of every cell, as ``json.dumps(_none(cell), ensure_ascii=False)`` writes it, a column at once."""
    dtype = values.dtype
    if dtype == "float64":
        texts = _float_texts(values.to_numpy(), _json_float)
    elif dtype in ("int64", "Int64"):
        texts = pc.cast(pa.array(values.array), _TEXT)
    elif dtype in ("bool", "boolean"):
        texts = pc.if_else(pa.array(values.array), pa.scalar("true", _TEXT), pa.scalar("false", _TEXT))
    elif isinstance(dtype, pd.StringDtype):  # each distinct text written once (codes, qualifiers repeat)
        codes = pa.chunked_array([pa.array(values.array)]).combine_chunks().cast(_TEXT).dictionary_encode()
        written = [json.dumps(v, ensure_ascii=False) for v in codes.dictionary.to_pylist()]
        texts = pa.array(written, type=_TEXT).take(codes.indices)
    else:  # anything else, cell by cell
        return pa.array([json.dumps(_none(v), ensure_ascii=False) for v in values], type=_TEXT)
    return pc.fill_null(texts, pa.scalar("null", _TEXT))


def _typed(frame: pd.DataFrame, fields: list[ExportField]) -> pd.DataFrame:
    """Return ``frame`` with column types fixed from ``fields`` (GDAL infers nothing from an all-null column)."""
    frame = frame.copy(deep=False)  # copy on write: a column already of its type is not copied (a million rows)
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
    return table_csv_bytes(table).decode("utf-8")


def table_csv_bytes(table: ExportTable) -> bytes:
    """:func:`table_csv` as UTF-8 bytes, made without the text (a million-row table is 130 MB of it)."""
    frame = _typed(table.frame, table.fields)
    for f in table.fields:
        if f.type == "string":
            frame[f.name] = spreadsheet_safe_column(frame[f.name])
    fast = _csv_bytes(frame)
    return fast if fast is not None else frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


_TEXT = pa.large_string()


def _csv_quoted(cells: pa.ChunkedArray) -> pa.ChunkedArray:
    """Quote the cells Python's csv module quotes (QUOTE_MINIMAL, LF lines): those with ``"``, ``,`` or LF."""
    needs = pc.match_substring_regex(cells, '[",\n]')
    if not pc.any(needs).as_py():
        return cells
    quote, empty = pa.scalar('"', _TEXT), pa.scalar("", _TEXT)
    quoted = pc.binary_join_element_wise(quote, pc.replace_substring(cells, '"', '""'), quote, empty)
    return pc.if_else(needs, quoted, cells)


def _float_texts(values: np.ndarray, one=float.__repr__) -> pa.Array:
    """``one`` of every float (default ``repr``; null for NaN), as Arrow text.

    The whole numbers below 1e16 (dollars, mostly) are written by Arrow at once, as ``repr`` writes them.
    """
    whole = np.isfinite(values) & (np.abs(values) < 1e16) & (values == np.trunc(values))
    whole &= ~((values == 0) & np.signbit(values))  # -0.0
    digits = pc.cast(pa.array(np.where(whole, values, 0).astype(np.int64)), _TEXT)
    texts = pc.binary_join_element_wise(digits, pa.scalar(".0", _TEXT), pa.scalar("", _TEXT))
    rest = ~whole
    if rest.any():  # fractions, NaN, infinities and the largest numbers, one by one
        others = pa.array(list(map(one, values[rest].tolist())), type=_TEXT, mask=np.isnan(values[rest]))
        texts = pc.replace_with_mask(texts, pa.array(rest), others)
    return texts


def _csv_cells(column: pd.Series) -> pa.ChunkedArray | None:
    """One column's cells as ``DataFrame.to_csv`` writes them (missing: empty), as Arrow text; None if unknown."""
    dtype = column.dtype
    if dtype == "float64":  # pandas writes numpy's str of each float, the shortest repr (the same as Python's)
        array = _float_texts(column.to_numpy())
    elif dtype == "boolean":  # True, False
        array = pc.if_else(pa.array(column.array), pa.scalar("True", _TEXT), pa.scalar("False", _TEXT))
    elif dtype in ("Int64", "int64"):
        array = pc.cast(pa.array(column.array), _TEXT)
    elif isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return _csv_quoted(pc.fill_null(pc.cast(pa.chunked_array(pa.array(column.array)), _TEXT), ""))
    else:
        return None
    return pa.chunked_array([pc.fill_null(array, "")])


def _csv_bytes(frame: pd.DataFrame) -> bytes | None:
    """``frame.to_csv(index=False, lineterminator=LF)`` as UTF-8 bytes, byte for byte: a column at once, by Arrow.

    pandas hands Python's csv module a million rows of Python objects, cell by cell; here each column becomes its
    cells' text in Arrow (numbers as pandas writes them, text quoted where csv quotes it), and Arrow joins the rows,
    :data:`_CHUNK_ROWS` at a time. None for a frame this does not know how to write (a column of another type, or
    one column: csv quotes an empty row then), which pandas writes instead.
    """
    if len(frame.columns) < 2 or not frame.columns.is_unique:
        return None
    if any(_csv_cells(frame[c].iloc[:0]) is None for c in frame.columns):
        return None
    header = ",".join(str(_csv_quoted(pa.chunked_array([[str(c)]], _TEXT))[0]) for c in frame.columns) + "\n"
    out = io.BytesIO()
    out.write(header.encode("utf-8"))
    comma, line_end, empty = pa.scalar(",", _TEXT), pa.scalar("\n", _TEXT), pa.scalar("", _TEXT)
    for start in range(0, len(frame), _CHUNK_ROWS):
        rows = frame.iloc[start : start + _CHUNK_ROWS]
        cells = [_csv_cells(rows[c]) for c in rows.columns]
        cells[-1] = pc.binary_join_element_wise(cells[-1], line_end, empty)  # each line's end
        for part in _values(pc.binary_join_element_wise(*cells, comma)):
            out.write(part)  # and Arrow's copy is let go: a chunk's working memory serves the next
    return out.getvalue()


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


def write_gpkg(
    layers_: dict[str, ExportLayer],
    path: Path,
    styles: dict[str, list[QgisStyle]] | None = None,
    *,
    scratch: bool = False,
) -> None:
    """Write layers and their tables into one GeoPackage (one table each), byte-identical for identical input.

    A layer's tables are attribute tables (no geometry), written after it. ``styles``
    (:func:`c5map.export.qgis_styles.qgis_styles`) of the layers written go last, into the
    table ``layer_styles`` as QGIS writes it, stamped :data:`GPKG_TIMESTAMP`: QGIS opens
    each layer with its default style.

    ``scratch``: the file is read back at once and deleted (a build's ``geo/``), so SQLite does not wait for
    the disk at each commit (``synchronous=OFF``; the bytes are the same).
    """
    path.unlink(missing_ok=True)
    options = {"OGR_CURRENT_DATE": GPKG_TIMESTAMP} | ({"OGR_SQLITE_SYNCHRONOUS": "OFF"} if scratch else {})
    previous = {name: pyogrio.get_gdal_config_option(name) for name in options}
    pyogrio.set_gdal_config_options(options)
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
            with contextlib.closing(sqlite3.connect(path)) as db:
                if scratch:
                    db.execute("PRAGMA synchronous = OFF")
                with db:
                    db.execute("UPDATE layer_styles SET update_time = ?", (GPKG_TIMESTAMP,))
    finally:
        pyogrio.set_gdal_config_options(previous)


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
    files = {f"{name}.geojson": geojson_bytes(layer) for name, layer in layers_.items()}
    files |= {f"{name}.qml": default_qml(styles, name).encode("utf-8") for name in layers_ if default_qml(styles, name)}
    files |= {f"{t.name}.csv": table_csv_bytes(t) for layer in layers_.values() for t in layer.tables}
    files["README.md"] = data_dictionary(layers_, styled=bool(styles)).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="c5map-gpkg-") as folder:
        write_gpkg(layers_, Path(folder) / "c5map.gpkg", styles, scratch=True)
        _give_back()  # the working copies of the files made so far, before the largest is read
        files["c5map.gpkg"] = (Path(folder) / "c5map.gpkg").read_bytes()
    return files


def _give_back() -> None:
    """Return the memory freed so far to the system: Arrow's pool, and glibc's heap (where there is one).

    A build's geo/ worker holds every file it made when it reads the GeoPackage, its largest: freed memory
    kept by the allocators would count in its size on top of them.
    """
    gc.collect()  # pandas' frames in reference cycles are freed only by the collector
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            pass


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
