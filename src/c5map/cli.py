"""The ``c5map`` command: argument parsing and exit codes, nothing else.

Exit status: 0 success, 2 bad input (every problem printed as
``FILE:LINE: column: message``, no traceback).
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path

from c5map.errors import DataError, Problem

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _report(problems: list[Problem]) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    files = len({p.file for p in problems})
    print(
        f"{len(problems)} problem{'s' * (len(problems) != 1)} in {files} file{'s' * (files != 1)}; nothing was written",
        file=sys.stderr,
    )
    return EXIT_BAD_INPUT


def _cmd_validate(args: argparse.Namespace) -> int:
    from c5map.validate import load_inputs

    tables, _ = load_inputs(args.data, args.boundaries)
    counts = ", ".join(f"{len(tables[name])} {name}" for name in ("deals", "trade", "resources", "events", "places"))
    where = args.data if args.data is not None else "bundled data"
    print(f"{where}: valid ({counts})")
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from c5map.build import build

    try:
        build(
            args.data,
            args.out,
            tiles=args.tiles,
            boundaries=args.boundaries,
            self_contained=args.self_contained,
            images=not args.no_images,
        )
    except ValueError as exc:  # an unusable --tiles name
        print(f"c5map build: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from c5map.export import LAYER_NAMES, export_layers, write_geojson, write_gpkg, write_parquet
    from c5map.validate import load_inputs

    names = [args.layer] if args.layer else list(LAYER_NAMES)
    exported = export_layers(*load_inputs(args.data, args.boundaries))
    chosen = {name: exported[name] for name in names}
    suffix = {"geojson": ".geojson", "gpkg": ".gpkg", "parquet": ".parquet"}[args.format]
    if args.format == "gpkg":
        target = args.out or Path(f"{args.layer or 'c5map'}.gpkg")
        write_gpkg(chosen, target)
        written = [target]
    elif len(chosen) == 1:
        target = args.out or Path(f"{names[0]}{suffix}")
        (write_geojson if args.format == "geojson" else write_parquet)(chosen[names[0]], target)
        written = [target]
    else:
        folder = args.out or Path("geo")
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for name, layer in chosen.items():
            (write_geojson if args.format == "geojson" else write_parquet)(layer, folder / f"{name}{suffix}")
            written.append(folder / f"{name}{suffix}")
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder with deals.csv and any other tables (default: the bundled data)",
    )


def _boundaries_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--boundaries",
        type=Path,
        default=None,
        metavar="FILE",
        help="country polygons of your own (GeoPackage, shapefile, GeoJSON; an ADM0_A3 or iso3 "
        "column) instead of the bundled Natural Earth",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``c5map`` command."""
    from c5map import __version__

    parser = argparse.ArgumentParser(prog="c5map", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"c5map {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check a data folder: every problem, located, in one run")
    _data_option(validate)
    _boundaries_option(validate)
    validate.set_defaults(run=_cmd_validate)
    from c5map.maps.frame import DEFAULT_TILES

    build = commands.add_parser("build", help="validate, then write every map to OUT/maps/")
    _data_option(build)
    build.add_argument(
        "--out",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="where maps/ is written (default: the current folder)",
    )
    build.add_argument(
        "--tiles",
        default=DEFAULT_TILES,
        metavar="NAME|none",
        help=f"xyzservices tile provider (default {DEFAULT_TILES}), or 'none' for Natural Earth land and sea only",
    )
    build.add_argument(
        "--self-contained",
        action="store_true",
        help="inline Leaflet into every page so it works with no network (needs c5map[offline]); "
        "with --tiles none a page makes no request at all",
    )
    build.add_argument(
        "--no-images", action="store_true", help="skip the static PNG/SVG images (maps/png, maps/svg), the slowest step"
    )
    _boundaries_option(build)
    build.set_defaults(run=_cmd_build)
    from c5map.export import FORMATS, LAYER_NAMES

    export = commands.add_parser("export", help="write layers for GIS tools in one format")
    export.add_argument("--format", choices=FORMATS, default="geojson")
    export.add_argument("--layer", choices=LAYER_NAMES, default=None, help="one layer (default: all)")
    export.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="PATH",
        help="file (one layer, or gpkg) or folder (several layers); default: ./LAYER.EXT, ./c5map.gpkg or ./geo/",
    )
    _data_option(export)
    _boundaries_option(export)
    export.set_defaults(run=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``c5map`` command line; return the exit status."""
    return _run(build_parser().parse_args(argv))


def console() -> None:
    """Run the installed ``c5map`` command: :func:`main` in a process that exits right after it.

    Nearly everything the command allocates (about a thousand imported
    modules, the loaded tables) lives until the process ends, so the cyclic
    garbage collector walking it again and again is wasted work: about 0.1 s
    while importing and 0.3 s in the full collections the interpreter runs at
    exit, a sixth of a cold build. The imports run with the collector off, and
    what exists after them, and again at the end, is frozen (moved out of
    every future collection). Garbage made while working is still collected.
    """
    gc.disable()
    args = build_parser().parse_args()  # imports pandas, geopandas, folium
    gc.freeze()
    gc.enable()
    status = _run(args)
    gc.freeze()
    sys.exit(status)


def _run(args: argparse.Namespace) -> int:
    try:
        return args.run(args)
    except DataError as exc:
        return _report(exc.problems)
    except RuntimeError as exc:  # an optional dependency is missing: say which
        print(f"c5map: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:  # unreadable folder or file: say which, no traceback
        name = exc.filename if exc.filename else ""
        print(f"{name}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    console()
