"""The ``c5map`` command: argument parsing and exit codes, nothing else.

Exit status (:data:`EXIT_STATUSES`; one line on stderr, no traceback, except 1):
0 success; 1 a bug in c5map (with its traceback, to report); 2 bad input or a
usage mistake (every data problem printed as ``FILE:LINE: column: message``);
3 this machine's setup (a missing dependency); 4 a resource the run needs is
unavailable (the port, memory, disk space); 5 a forked worker crashed; 130
interrupted (Ctrl-C); 143 terminated (SIGTERM). The types behind them are in
:mod:`c5map.errors`.
"""

from __future__ import annotations

import argparse
import difflib
import errno
import gc
import os
import shlex
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from c5map.errors import (
    C5mapError,
    DataError,
    EnvironmentProblem,
    Problem,
    ResourceUnavailable,
    UsageError,
    WorkerCrashed,
    display_path,
    printable,
)

EXIT_OK = 0
EXIT_BUG = 1  # Python's own status for an uncaught exception: a bug, with its traceback
EXIT_BAD_INPUT = EXIT_USAGE = DataError.exit_status  # 2, argparse's status for usage mistakes too
EXIT_ENVIRONMENT = EnvironmentProblem.exit_status  # 3
EXIT_RESOURCE = ResourceUnavailable.exit_status  # 4
EXIT_WORKER_CRASHED = WorkerCrashed.exit_status  # 5
EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130, as a shell reports a process Ctrl-C ended
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143

#: Every exit status of the command and what it means (the README's table and ``c5map --help`` say the same).
EXIT_STATUSES = {
    EXIT_OK: "success",
    EXIT_BUG: "a bug in c5map: the traceback is printed, please report it",
    EXIT_BAD_INPUT: "bad input or a usage mistake: the data's problems, located, or the option to fix",
    EXIT_ENVIRONMENT: "this machine's setup: a missing or wrong dependency (the line says what to install)",
    EXIT_RESOURCE: "a resource is unavailable: the port is in use, memory or disk space ran out",
    EXIT_WORKER_CRASHED: "a worker process (images, GIS layers) crashed: the line says which and how",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_TERMINATED: "terminated (SIGTERM)",
}
#: A full disk, a quota, a file-size limit: the machine's resource, not the user's input.
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)

DESCRIPTION = """\
c5map turns sourced tables of deals, trade, resources and events about any
region into interactive web maps, print images (PNG, SVG) and GIS layers
(GeoJSON, GeoPackage, GeoParquet). The tables are validated first: every
problem is printed as FILE:LINE: column: message, and the exit status is 2."""

EPILOG = """\
examples:
  c5map validate --data my-folder/
      check your own tables: every problem, located, in one run
  c5map build
      the bundled data -> ./maps/ (web pages, PNG, SVG) and ./geo/ (GIS layers)
  c5map build --region C5 --data my-folder/ --out site/
      maps of region C5 from your tables -> site/maps/ and site/geo/
  c5map export --format gpkg --out c5map.gpkg
      every layer in one GeoPackage for QGIS, ArcGIS or GDAL

exit status:
  0 success; 2 bad input or usage; 3 a missing dependency; 4 port in use, out of
  memory or disk space; 5 a worker crashed; 130 Ctrl-C; 143 SIGTERM; 1 a bug (report it)

'c5map COMMAND --help' lists the options of each command."""


def _closest(word: str, known: Sequence[str]) -> str | None:
    """Return the known word ``word`` most likely misspells: the only one it begins, else the nearest by difflib."""
    # "--self" is far from "--self-contained" by difflib's ratio, but it can only have meant that
    beginning = [candidate for candidate in known if candidate.startswith(word)]
    if len(beginning) == 1:
        return beginning[0]
    close = difflib.get_close_matches(word, known, n=1)
    return close[0] if close else None


class _Parser(argparse.ArgumentParser):
    """An argument parser that names the closest known option, command or choice when one is misspelled.

    Python 3.14 has ``suggest_on_error`` for commands and choices; 3.11 has
    nothing, so this compares with :mod:`difflib` against what the parser
    knows. Abbreviations are off: ``--tile`` would otherwise silently mean
    ``--tiles``, and adding an option later could make an abbreviation that
    worked ambiguous.
    """

    def __init__(self, *args, allow_abbrev: bool = False, **kwargs):
        super().__init__(*args, allow_abbrev=allow_abbrev, **kwargs)

    def fail(self, message: str) -> None:
        """Print the usage and ``PROG: message`` to stderr; exit with status 2, as argparse does."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message}\n")

    def parse_args(self, args=None, namespace=None):
        """Parse like argparse; a misspelled option gets the closest one the command knows."""
        namespace, extras = self.parse_known_args(args, namespace)
        if extras:
            self._unknown_arguments(namespace, extras)
        return namespace

    def _check_value(self, action: argparse.Action, value: object) -> None:
        if action.choices is None or value in action.choices:
            return
        choices = [str(choice) for choice in action.choices]
        close = _closest(str(value), choices)
        if isinstance(action, argparse._SubParsersAction):
            hint = f"did you mean {close!r}?" if close else f"the commands are {', '.join(choices)}"
            self.fail(f"unknown command {value!r}; {hint}")
        hint = f"; did you mean {close!r}?" if close else ""
        raise argparse.ArgumentError(action, f"invalid choice: {value!r} (choose from {', '.join(choices)}){hint}")

    def _unknown_arguments(self, namespace: argparse.Namespace, extras: list[str]) -> None:
        # Options after the command are the command's: argparse hands its leftovers up to this parser.
        commands = next((a.choices for a in self._actions if isinstance(a, argparse._SubParsersAction)), {})
        parser = commands.get(getattr(namespace, "command", None), self)
        options = [option for action in parser._actions for option in action.option_strings]
        for extra in extras:
            if extra.startswith("-") and len(extra) > 1:
                name = extra.split("=", 1)[0]
                close = _closest(name, options)
                hint = f"did you mean {close!r}?" if close else f"its options are {', '.join(options)}"
                parser.fail(f"unknown option {name!r}; {hint}")
        self.error(f"unrecognized arguments: {' '.join(extras)}")  # argparse's own message for stray words


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
    from c5map.validate import drawing_warnings, load_inputs

    tables, _ = load_inputs(args.data, args.boundaries)
    counts = ", ".join(f"{len(tables[name])} {name}" for name in ("deals", "trade", "resources", "events", "places"))
    where = args.data if args.data is not None else "bundled data"
    print(printable(f"{where}: valid ({counts})"))
    for warning in drawing_warnings(tables):  # valid, but something the maps cannot draw: said, not fatal
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from c5map.build import build
    from c5map.classify import Classes

    _check_usage(args.tiles, args.base_url)
    build(
        args.data,
        args.out,
        tiles=args.tiles,
        boundaries=args.boundaries,
        self_contained=args.self_contained,
        images=not args.no_images,
        region=args.region,
        base_url=args.base_url,
        classes=Classes.of(args.scheme, args.k, args.breaks),  # a mistake: a UsageError naming the option
        locale=args.locale,
        progress=_progress,
    )
    return EXIT_OK


def _check_usage(tiles: str | None, base_url: str | None = None) -> None:
    """Raise :class:`UsageError` for an unusable ``--tiles`` name or ``--base-url``, before any work.

    Only these two: a ValueError from deeper in a build is a bug, and keeps its traceback (status 1).
    """
    from c5map.maps.page import tile_provider
    from c5map.maps.share import published_base

    try:
        if tiles is not None and tiles.lower() != "none":
            tile_provider(tiles)
        published_base(base_url)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _progress(line: str) -> None:
    """Print a build's progress line; names from the data in it are escaped (:func:`c5map.errors.printable`)."""
    print(printable(line), file=sys.stderr, flush=True)


def _cmd_export(args: argparse.Namespace) -> int:
    from c5map.export import export_command  # the command's body: its targets checked, its sidecars named

    return export_command(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    from c5map.classify import Classes
    from c5map.serve import serve

    _check_usage(args.tiles)
    serve(args.data, region=args.region, tiles=args.tiles, boundaries=args.boundaries, port=args.port,
          classes=Classes.of(args.scheme, args.k, args.breaks), locale=args.locale)  # fmt: skip
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from c5map.imports import import_trade

    result = import_trade(
        args.dataset,
        args.files,
        args.out,
        years=args.years,
        between=args.between,
        and_=args.and_,
        hs=args.hs,
        measure=args.measure,
        side=args.side,
    )
    for line in [*result.notes, *map(str, result.unmapped)]:
        print(printable(f"note: {line}"), file=sys.stderr)
    print(printable(f"{len(result.trade)} trade rows, source {result.source['source_id']}"), file=sys.stderr)
    if result.trade.empty:  # valid files, but the filter matched nothing
        print("no row matched the years, parties and products asked for; nothing was written", file=sys.stderr)
    for path in result.written:
        print(printable(f"wrote {display_path(path)}"), file=sys.stderr)
    for table in result.still_needed:  # valid, but a build needs these too
        need = {
            "deals": "at least one deal (deals.csv)",
            "regions": "regions.csv naming the region the maps are "
            "about (region,region_name,member), or import with a region code: --between C5",
        }[table]
        message = f"note: {display_path(args.out)} has no {table}.csv: c5map build needs {need}"
        print(printable(message), file=sys.stderr)
    return EXIT_OK


IMPORT_EPILOG = """\
examples:
  c5map import baci BACI_HS92_V202501.zip --out my-folder/ --between C5 --and USA,CHN,RUS --hs 2846,280530
      rare-earth exports between Central Asia and three partners, every year of the release
  c5map import comtrade TradeData.csv --out my-folder/ --between C5 --measure total_trade --years 2023
      Central Asia's total trade with every partner in 2023, from a Comtrade portal download

Comtrade figures are the exporter's own report (flowCode X, FOB) unless --side importer
(the importer's report, CIF); BACI's value v is in thousands of US dollars and is converted."""


def _data_option(parser: argparse.ArgumentParser) -> None:
    words = "folder with deals.csv, regions.csv and any other tables (default: the bundled data)"
    parser.add_argument("--data", type=Path, default=None, metavar="DIR", help=words)


def _check_data_folder(data: Path | None) -> None:
    """Raise :class:`DataError` when ``--data`` names a file: it takes the folder that holds the tables."""
    if data is not None and data.is_file():
        folder = shlex.quote(display_path(data.parent))
        message = f"is a file, but --data takes the folder that holds the tables; did you mean --data {folder}?"
        raise DataError([Problem(display_path(data), 0, "", message)])


def _region_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--region",
        default=None,
        metavar="CODE",
        help="the region the maps are about: a region code from regions.csv (default: the only region there)",
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


def _port(text: str) -> int:
    """Return the TCP port ``--port`` names, 0 to 65535; anything else is argparse's usage error (status 2)."""
    port = int(text) if text.strip().isdigit() else -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give a number from 0 to 65535")
    return port


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``c5map`` command: one sub-parser per command, in this order."""
    from c5map import __version__

    parser = _Parser(
        prog="c5map", description=DESCRIPTION, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"c5map {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")
    _add_validate(commands)
    _add_build(commands)
    _add_export(commands)
    _add_import(commands)
    _add_serve(commands)
    return parser


def _add_validate(commands: argparse._SubParsersAction) -> None:
    """Add ``c5map validate``."""
    validate = commands.add_parser(
        "validate",
        help="check a data folder: every problem, located, in one run",
        description="Check a data folder without writing anything: each table against its schema "
        "(data/datapackage.json), the country and region codes, the links between tables and every point "
        "against its country's boundary. Every problem is printed as FILE:LINE: column: message, all in one "
        "run; the exit status is 2 if there is any.",
    )
    _data_option(validate)
    _boundaries_option(validate)
    validate.set_defaults(run=_cmd_validate)


def _add_build(commands: argparse._SubParsersAction) -> None:
    """Add ``c5map build``."""
    from c5map.maps.page import DEFAULT_TILES

    build = commands.add_parser(
        "build",
        help="validate, then write the maps to OUT/maps/ and the GIS layers to OUT/geo/",
        description="Validate a data folder, then write the interactive web maps (OUT/maps/*.html), their "
        "print images (OUT/maps/png, OUT/maps/svg) and the GIS layers (OUT/geo/). Nothing is written unless "
        "the data is valid, and maps/ and geo/ are replaced only once every file was written.",
    )
    _data_option(build)
    build.add_argument(
        "--out",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="where maps/ and geo/ are written (default: the current folder)",
    )
    _region_option(build)
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
    build.add_argument(
        "--base-url",
        default=None,
        metavar="URL",
        help="where maps/ will be published (https://example.org/maps/): the pages' embed code, canonical link "
        "and share card use it; links between the pages stay relative and work anywhere",
    )
    _page_options(build)
    _boundaries_option(build)
    build.set_defaults(run=_cmd_build)


def _page_options(command: argparse.ArgumentParser) -> None:
    """Add the options of how pages class figures and what language they speak (build and serve share them)."""
    from c5map.classify import DEFAULT_K, SCHEMES

    command.add_argument("--scheme", choices=SCHEMES, default=None,
                         help="class the figures by mapclassify's quantiles, natural breaks (Fisher-Jenks), equal "
                         "intervals, or your --breaks (default: the 1-2-5 ladder, $1bn, $2bn, $5bn...)")  # fmt: skip
    command.add_argument("--k", type=int, default=None, metavar="N", help=f"classes of --scheme (default {DEFAULT_K})")
    command.add_argument("--breaks", default=None, metavar="X,Y,...",
                         help="with --scheme user: US dollars where each class starts, as 1e9,5e9,2e10")  # fmt: skip
    command.add_argument("--locale", choices=("en", "ru", "fr", "ar"), default="en",
                         help="the language of the pages' own words, numbers and dates (the data's words stay as "
                         "written); ar pages read right to left (default en)")  # fmt: skip


def _add_export(commands: argparse._SubParsersAction) -> None:
    """Add ``c5map export``."""
    from c5map.export import FORMATS, LAYER_NAMES

    export = commands.add_parser(
        "export",
        help="validate, then write GIS layers in one format (GeoJSON, GeoPackage, GeoParquet)",
        description=f"Validate a data folder, then write its GIS layers ({', '.join(LAYER_NAMES)}) in one "
        "format: GeoJSON (RFC 7946), GeoPackage or GeoParquet 1.0, for QGIS, ArcGIS or GDAL.",
    )
    export.add_argument("--format", choices=FORMATS, default="geojson", help="file format (default: geojson)")
    export.add_argument("--layer", choices=LAYER_NAMES, default=None, help="one layer (default: all)")
    export.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="PATH",
        help="file (one layer, or gpkg) or folder (several layers); default: ./LAYER.EXT, ./c5map.gpkg or ./geo/",
    )
    _region_option(export)
    _data_option(export)
    _boundaries_option(export)
    export.set_defaults(run=_cmd_export)


def _add_import(commands: argparse._SubParsersAction) -> None:
    """Add ``c5map import``."""
    from c5map.imports import DATASETS
    from c5map.imports.comtrade import SIDES
    from c5map.imports.selection import MEASURES

    trade_import = commands.add_parser(
        "import",
        help="turn UN Comtrade or CEPII BACI files into trade.csv rows with their provenance",
        description="Read UN Comtrade or CEPII BACI files (CSV, zipped CSV or Parquet; a file or a folder),\n"
        "keep the years, countries or regions and HS products asked for, add them up to\n"
        "origin-destination-year on DuckDB and write trade.csv rows (each with its derivation) and a\n"
        "sources.csv row into a data folder. Rows of an earlier run of the same import are replaced,\n"
        "others kept; nothing is written when a file has a problem.",
        epilog=IMPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    trade_import.add_argument("dataset", choices=DATASETS, help="the files' dataset")
    trade_import.add_argument("files", nargs="+", type=Path, metavar="FILE", help="files or folders to read")
    trade_import.add_argument("--out", type=Path, required=True, metavar="DIR", help="the data folder to write into")
    trade_import.add_argument(
        "--years", default=None, metavar="YEARS", help="2023, 2019-2023 or 2019,2023 (default: all)"
    )
    trade_import.add_argument(
        "--between",
        default=None,
        metavar="CODES",
        help="one side: country or region codes, C5 or KAZ,UZB (default: every country)",
    )
    trade_import.add_argument(
        "--and", dest="and_", default=None, metavar="CODES", help="the other side, USA,CHN,RUS (default: every country)"
    )
    trade_import.add_argument(
        "--hs", default=None, metavar="CODES", help="HS codes or prefixes, 2846,280530 (default: all)"
    )
    trade_import.add_argument("--measure", choices=MEASURES, default="exports", help="exports (default) or total_trade")
    trade_import.add_argument(
        "--side",
        choices=SIDES,
        default="exporter",
        help="Comtrade: whose report, the exporter's (default) or the importer's",
    )
    trade_import.set_defaults(run=_cmd_import, data=None)


def _add_serve(commands: argparse._SubParsersAction) -> None:
    """Add ``c5map serve``."""
    from c5map.maps.page import DEFAULT_TILES

    serve = commands.add_parser(
        "serve",
        help="preview the maps on 127.0.0.1: rebuilt and reloaded when a table or story.toml changes",
        description="Validate a data folder, build its pages in memory and serve them on 127.0.0.1 only. When a "
        "table or story.toml changes, the pages that read it are rebuilt and open pages reload; invalid data is "
        "printed here and shown on the pages, which keep the last good build. Nothing is written to the data "
        "folder, maps/ or geo/. Ctrl-C stops it.",
    )
    _data_option(serve)
    _region_option(serve)
    serve.add_argument(
        "--tiles",
        default=DEFAULT_TILES,
        metavar="NAME|none",
        help=f"xyzservices tile provider (default {DEFAULT_TILES}), or 'none' for Natural Earth land and sea only",
    )
    serve.add_argument(
        "--port", type=_port, default=8000, metavar="N", help="port on 127.0.0.1 (default 8000; 0: any free port)"
    )
    _page_options(serve)
    _boundaries_option(serve)
    serve.set_defaults(run=_cmd_serve)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``c5map`` command line; return the exit status (:data:`EXIT_STATUSES`)."""
    return _run(_parse(argv))


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line (which imports pandas, geopandas, folium); Ctrl-C meanwhile exits 130, one line."""
    try:
        return build_parser().parse_args(argv)
    except KeyboardInterrupt:
        print("c5map: interrupted", file=sys.stderr)
        raise SystemExit(EXIT_INTERRUPTED) from None


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
    args = _parse(None)  # imports pandas, geopandas, folium
    gc.freeze()
    gc.enable()
    status = _run(args)
    gc.freeze()
    sys.exit(status)


class _Terminated(BaseException):
    """SIGTERM, raised where the command is, so that it unwinds as on Ctrl-C (drafts removed, workers stopped)."""


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into :class:`_Terminated` while the command runs (only the main thread may set a handler)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace) -> int:
    """Run the command; map each kind of failure to its exit status with one line on stderr (:data:`EXIT_STATUSES`)."""
    command = f"c5map {args.command}"
    try:
        with _sigterm_raises():
            _check_data_folder(args.data)
            return args.run(args)
    except DataError as exc:  # the user's data: every problem, located
        return _report(exc.problems)
    except C5mapError as exc:  # usage, environment, resource, crashed worker: each type carries its status
        return _said(f"{command}: {exc}", exc.exit_status)
    except MemoryError:  # in this process, or sent back by a worker
        return _said(f"{command}: out of memory; free some memory and run it again", EXIT_RESOURCE)
    except RuntimeError as exc:  # from a module not yet on c5map.errors: a missing duckdb, a broken install
        return _said(f"{command}: {exc}", EXIT_ENVIRONMENT)
    except OSError as exc:  # a file that cannot be read or written: say which and why; a full disk is the machine's
        return _said(_os_error_message(exc), EXIT_RESOURCE if exc.errno in _DISK_FULL else EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        return _said(f"{command}: interrupted", EXIT_INTERRUPTED)
    except _Terminated:
        return _said(f"{command}: terminated", EXIT_TERMINATED)


def _said(line: str, status: int) -> int:
    print(printable(line), file=sys.stderr)
    return status


def _os_error_message(exc: OSError) -> str:
    """``PATH: reason``, and for a full disk what to do; never a bare ``: reason``."""
    where = display_path(Path(os.fsdecode(exc.filename))) if exc.filename else "c5map"
    message = f"{where}: {exc.strerror or exc}"
    if exc.errno in _DISK_FULL:
        message += " (free some space on that disk, or write to another one, and run it again)"
    return message


if __name__ == "__main__":
    console()
