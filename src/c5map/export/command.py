"""``c5map export``: what it writes, and what it never touches.

It writes only regular files and folders (never a device or FIFO), names the
tables it writes beside a single-layer file after that file, and never
replaces a file it did not write (:func:`written_by_c5map`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from c5map.errors import DataError, Problem, UsageError, display_path, printable
from c5map.export.formats import MARK, write_geojson, write_gpkg, write_parquet, write_qml, write_table
from c5map.export.layer_builders import export_layers
from c5map.export.model import LAYER_NAMES, ExportLayer, ExportTable
from c5map.export.qgis_styles import QgisStyle, qgis_styles, qml_is_for
from c5map.publish import check_target, replace_file

SUFFIXES = {"geojson": ".geojson", "gpkg": ".gpkg", "parquet": ".parquet"}
#: Names that say "a file": several layers are never written into a folder named like this (issue #25).
FILE_SUFFIXES = (".geojson", ".json", ".gpkg", ".parquet", ".geoparquet", ".csv", ".qml")
#: The format each file suffix names: ``--out x.parquet`` with ``--format geojson`` is refused, not written as GeoJSON.
SUFFIX_FORMATS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".parquet": "parquet",
                  ".geoparquet": "parquet", ".csv": "a CSV table", ".qml": "a QGIS style"}  # fmt: skip
#: What each format writes, in a user's words.
FORMAT_WORDS = {"geojson": "GeoJSON", "gpkg": "a GeoPackage", "parquet": "GeoParquet"}
NOT_OURS = "exists and was not written by c5map; move it away or export to another --out"


def default_out(fmt: str, layer: str | None) -> Path:
    """Where ``c5map export`` writes without ``--out``: ``LAYER.EXT``, ``c5map.gpkg`` or the folder ``geo/``."""
    if fmt == "gpkg":
        return Path(f"{layer or 'c5map'}.gpkg")
    return Path(f"{layer}{SUFFIXES[fmt]}") if layer else Path("geo")


def export_out(fmt: str, layer: str | None, out: Path | None) -> Path:
    """Return the path ``c5map export`` writes, refused before any work if it cannot be written.

    A device, a FIFO or a folder named as a file (and a file named as the
    folder of several layers) is refused with :func:`c5map.publish.check_target`.

    Raises
    ------
    c5map.errors.UsageError
        Several layers to a path named like a file (``sahel.geojson``): say
        a folder, one ``--layer``, or ``--format gpkg`` (a ValueError too).
        One file whose suffix names another format (``--format gpkg --out
        a.geojson``): say the name or the format that agree.
    OSError
        The path (or a part of it) is a device, a FIFO, or a file where a folder is needed.
    """
    target = Path(out) if out is not None else default_out(fmt, layer)
    one_file = fmt == "gpkg" or layer is not None
    if not one_file and target.suffix.lower() in FILE_SUFFIXES and not target.is_dir():
        raise UsageError(
            f"{display_path(target)} names a file, but {len(LAYER_NAMES)} layers go into a folder of one file "
            f"each: give a folder (--out {display_path(target.with_suffix(''))}/), one layer (--layer NAME), "
            "or every layer in one file (--format gpkg)"
        )
    named = SUFFIX_FORMATS.get(target.suffix.lower(), fmt)
    if one_file and named != fmt:
        fix = f"--format {named} or " if named in SUFFIXES else ""
        raise UsageError(
            f"{display_path(target)} names {FORMAT_WORDS.get(named, named)}, but --format {fmt} writes "
            f"{FORMAT_WORDS[fmt]}: give {fix}--out {display_path(target.with_suffix(SUFFIXES[fmt]))}"
        )
    check_target(target, "file" if one_file else "folder")
    return target


def beside(target: Path, table: ExportTable, fmt: str) -> Path:
    """Where a single-layer export writes one of its tables: named after ``target``.

    ``exp/myflows.geojson`` -> ``exp/myflows.flow_figures.csv`` (CSV beside
    GeoJSON, Parquet beside Parquet), so that no file of yours beside it that is
    called ``flow_figures.csv`` is ever in the way.
    """
    extension = ".csv" if fmt == "geojson" else SUFFIXES[fmt]
    return target.with_name(f"{target.stem}.{table.name}{extension}")


def style_beside(target: Path) -> Path:
    """Where the QGIS style of a GeoJSON file goes: beside it, named after it (QGIS opens ``x.geojson`` with ``x.qml``).

    ``exp/myflows.geojson`` -> ``exp/myflows.qml``.
    """
    return target.with_name(f"{target.stem}.qml")


def written_by_c5map(path: Path, name: str, columns: list[str]) -> bool:
    """Whether the file at ``path`` is one c5map wrote for the layer or table ``name`` (whose fields are ``columns``).

    Recognised by what c5map writes at its start, so that no extra file (a
    manifest) is needed beside an export, and exports of earlier versions are
    recognised too: a CSV whose first line is the table's header; a GeoJSON
    that starts ``{"type":"FeatureCollection","name":"NAME"`` (c5map's compact
    form; GDAL and geopandas write spaces and new lines); a QML file that
    starts with c5map's mark and the layer's name; a Parquet file with
    c5map's mark (:data:`MARK`) in its pandas metadata, or exactly the columns
    c5map writes. A file of yours that merely has the same name is none of these.
    """
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet

            schema = pyarrow.parquet.read_schema(path)
            attrs = json.loads((schema.metadata or {}).get(b"PANDAS_ATTRS", b"{}"))
            return (isinstance(attrs, dict) and attrs.get(MARK) == name) or schema.names == columns
        with open(path, "rb") as file:
            head = file.read(64 * 1024)
    except Exception:  # unreadable, or not a Parquet file: not recognisably c5map's
        return False
    if path.suffix == ".csv":
        return head.split(b"\n", 1)[0] == ",".join(columns).encode("utf-8")
    if path.suffix == ".qml":
        return qml_is_for(head, name)
    prefix = f'{{"type":"FeatureCollection","name":{json.dumps(name, ensure_ascii=False)}'.encode()
    return head.startswith(prefix) and head[len(prefix) : len(prefix) + 1] in (b",", b"}")


def _writes(
    layers_: dict[str, ExportLayer], fmt: str, out: Path, styles: dict[str, list[QgisStyle]]
) -> list[tuple[Path, Callable[[Path], None], tuple]]:
    """Every file an export writes: (path, writer of a draft, what it must be if it exists: None or (name, columns)).

    The file ``--out`` names is written as asked; every other one (a table
    or style beside it, each file in a folder) must be absent or c5map's.
    """
    if fmt == "gpkg":
        return [(out, lambda draft: _gpkg_draft(layers_, draft, styles), None)]
    writer = write_geojson if fmt == "geojson" else write_parquet
    extension = ".csv" if fmt == "geojson" else SUFFIXES[fmt]
    writes = []
    for name, layer in layers_.items():
        columns = ["id", *[f.name for f in layer.fields], "geometry"]
        if len(layers_) == 1:
            path, expected = out, None  # named by the user
        else:
            path, expected = out / f"{name}{SUFFIXES[fmt]}", (name, columns)
        writes.append((path, lambda draft, layer=layer: writer(layer, draft), expected))
        if fmt == "geojson" and styles.get(name):
            style_path = style_beside(path)
            writes.append((style_path, lambda draft, name=name: write_qml(styles, name, draft), (name, [])))
        for table in layer.tables:
            beside_it = beside(out, table, fmt) if len(layers_) == 1 else out / f"{table.name}{extension}"
            expected = (table.name, [f.name for f in table.fields])
            writes.append((beside_it, lambda draft, table=table: write_table(table, draft), expected))
    return writes


def write_export(
    layers_: dict[str, ExportLayer], fmt: str, out: Path, styles: dict[str, list[QgisStyle]] | None = None
) -> list[Path]:
    """Write layers in one format as ``c5map export`` does; return every file written, in order.

    One layer (or ``gpkg``): the file ``out``, with the layer's tables beside it
    named after it (:func:`beside`). Several layers: the folder ``out``, one file
    per layer and table. Each file is written aside and renamed over the
    previous one when complete (:func:`c5map.publish.replace_file`). ``styles``
    (:func:`c5map.export.qgis_styles.qgis_styles`): in the GeoPackage, or as a
    ``.qml`` file beside each GeoJSON file, named after it (:func:`style_beside`).

    Raises
    ------
    OSError
        A path is a device, a FIFO, a folder where a file goes (or a file where
        a folder goes); nothing was written. Or writing failed: the file
        named, and it is as it was.
    c5map.errors.DataError
        A file c5map did not write is where it would write one (a table beside
        ``out``, a file in the folder): every such file named, nothing written.
    """
    out = Path(out)
    folder = len(layers_) > 1 and fmt != "gpkg"
    check_target(out, "folder" if folder else "file")
    writes = _writes(layers_, fmt, out, styles or {})
    for path, _, _ in writes:
        check_target(path, "file")
    problems = [
        Problem(display_path(path), 0, "", NOT_OURS)
        for path, _, expected in writes
        if expected is not None and path.exists() and not written_by_c5map(path, *expected)
    ]
    if problems:
        raise DataError(problems)
    if folder:
        out.mkdir(parents=True, exist_ok=True)
    for path, write, _ in writes:
        replace_file(path, write)
    return [path for path, _, _ in writes]


def _gpkg_draft(layers_: dict[str, ExportLayer], draft: Path, styles: dict[str, list[QgisStyle]]) -> None:
    """Write the GeoPackage draft; GDAL's "Failed to commit transaction" (said of a full disk) names the folder."""
    import pyogrio.errors

    try:
        write_gpkg(layers_, draft, styles)
    except pyogrio.errors.DataSourceError as exc:
        message = f"GDAL could not write a GeoPackage draft here ({exc}); if this disk is full, set TMPDIR elsewhere"
        raise OSError(None, message, str(draft.parent)) from exc


def export_command(args: argparse.Namespace) -> int:
    """Run ``c5map export`` (parsed by :func:`c5map.cli.build_parser`); return its exit status.

    The target is checked before the data is read; every file written (the
    QGIS styles beside GeoJSON too) is listed on stderr, escaped for the terminal (:func:`c5map.errors.printable`).
    A usage mistake (:class:`c5map.errors.UsageError`), a device or FIFO
    target (OSError), or a file c5map did not write in the way
    (:class:`c5map.errors.DataError`) raises: ``c5map.cli`` prints it in its
    words, exit status 2, and nothing was written.
    """
    from c5map.validate import load_inputs

    out = export_out(args.format, args.layer, args.out)
    tables, countries = load_inputs(args.data, args.boundaries)
    for warning in tables.warnings:  # a repaired boundary polygon: said, not fatal
        print(printable(f"warning: {warning}"), file=sys.stderr)
    exported = export_layers(tables, countries, region=args.region)
    names = [args.layer] if args.layer else list(LAYER_NAMES)
    styles = qgis_styles(tables, exported, region=args.region) if args.format != "parquet" else {}
    for path in write_export({name: exported[name] for name in names}, args.format, out, styles):
        print(printable(f"wrote {display_path(path)}"), file=sys.stderr)
    return 0
