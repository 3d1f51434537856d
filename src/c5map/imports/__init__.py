"""Trade totals from the standard datasets: UN Comtrade and CEPII BACI, at any size, on DuckDB.

:func:`import_trade` reads a dataset's files (CSV, zipped CSV or Parquet; a
file or a folder of them), keeps the years, parties and products asked for,
adds them up to origin–destination–year in DuckDB (only the aggregates reach
pandas) and writes ``trade.csv`` rows and a ``sources.csv`` row that
``c5map validate`` accepts, every row with its provenance in ``derivation``.

Modules: :mod:`~c5map.imports.baci` and :mod:`~c5map.imports.comtrade` (one
format each), :mod:`~c5map.imports.crosswalk` (codes to ``ADM0_A3``),
:mod:`~c5map.imports.engine` (DuckDB), :mod:`~c5map.imports.files` (files and
folders, each read once), :mod:`~c5map.imports.archive` (zips, their limits),
:mod:`~c5map.imports.selection` (the filter and the sums),
:mod:`~c5map.imports.write` (the tables written), :mod:`~c5map.imports.lock`
(one import per folder at a time), :mod:`~c5map.imports.scratch` (the scratch
folder, removed after any end) and :mod:`~c5map.imports.interrupts` (Ctrl-C and
SIGTERM, even inside DuckDB).

An import is as safe as a build: the same file is counted once, archives are
checked whole before extracting, the tables are replaced whole under the
folder's lock, and Ctrl-C, SIGTERM or a kill leave the folder's old or new
rows and no scratch (a killed run's is reclaimed by the next).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from c5map.errors import DataError, Problem, printable
from c5map.imports.crosswalk import Unmapped
from c5map.imports.selection import MEASURES, Selection, aggregate, parse_products, parse_years, resolve_parties

__all__ = ["DATASETS", "ImportResult", "import_trade"]

DATASETS = ("baci", "comtrade")


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_trade` made.

    Attributes
    ----------
    trade : pandas.DataFrame
        The imported rows, in ``trade.csv``'s columns (as text).
    source : dict of str to str
        The ``sources.csv`` row.
    unmapped : list of Unmapped
        Codes with no country (World, areas nes, historical units), with counts.
    notes : list of str
        Rows left out on purpose, with counts (re-exports, other flows, breakdowns).
    written : list of pathlib.Path
        Files written (empty when ``out`` was not given or no row matched).
    still_needed : list of str
        Tables the folder still lacks for ``c5map build`` (``deals``, ``regions``).
    """

    trade: pd.DataFrame
    source: dict[str, str]
    unmapped: list[Unmapped]
    notes: list[str]
    written: list[Path]
    still_needed: list[str]


def _region_definitions(out: Path | None) -> dict[str, tuple[str, ...]]:
    """Return the regions codes may name: ``out/regions.csv`` if there is one, else the bundled regions."""
    from c5map._paths import bundled_data_dir
    from c5map.schema import table_schemas
    from c5map.tables import read_table

    path = Path(out) / "regions.csv" if out is not None else None
    if path is None or not path.is_file():
        path = bundled_data_dir() / "regions.csv"
    frame, problems = read_table(path, table_schemas()["regions"])
    if problems:
        raise DataError(problems)
    members: dict[str, list[str]] = {}
    for region, member in zip(frame["region"], frame["member"], strict=True):
        members.setdefault(str(region), []).append(str(member))
    return {region: tuple(sorted(codes)) for region, codes in sorted(members.items())}


def import_trade(
    dataset: str,
    paths: Sequence[str | Path | pd.DataFrame],
    out: str | Path | None = None,
    *,
    years: str | Sequence[int] | None = None,
    between: str | Sequence[str] | None = None,
    and_: str | Sequence[str] | None = None,
    hs: str | Sequence[str] | None = None,
    measure: str = "exports",
    side: str = "exporter",
    threads: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import trade totals from UN Comtrade or CEPII BACI files into a c5map data folder.

    Parameters
    ----------
    dataset : {"baci", "comtrade"}
    paths : sequence of str, pathlib.Path or pandas.DataFrame
        Files (``.csv``, ``.zip``, ``.parquet``) or folders of them; for
        Comtrade also data frames as ``comtradeapicall`` returns them. BACI
        needs its release's ``country_codes_V*.csv`` among them (a release's
        zip or folder has it).
    out : str or pathlib.Path, optional
        The data folder to write ``trade.csv`` and ``sources.csv`` into (and
        ``regions.csv`` if it has none and a region code is used). Rows of an
        earlier run of the same import are replaced; other rows are kept.
        ``None``: write nothing, return the rows.
    years : str or sequence of int, optional
        ``"2023"``, ``"2019-2023"``, ``"2019,2023"``; default every year.
    between, and_ : str or sequence of str, optional
        The two sides: country (``ADM0_A3``) or region codes, ``"C5"`` or
        ``"USA,CHN,RUS"``; a region adds up over its members (from
        ``out/regions.csv`` if there is one, else the bundled regions).
        Default: every country, one by one.
    hs : str or sequence of str, optional
        HS codes or prefixes, ``"2846,280530"``; default all products.
    measure : {"exports", "total_trade"}
        ``exports``: one row per direction between the two sides;
        ``total_trade``: both directions added, one row a pair.
    side : {"exporter", "importer"}
        Comtrade only: whose report a flow is taken from (default the
        exporter's; see :mod:`c5map.imports.comtrade`).
    threads : int, optional
        DuckDB's threads (default: every core).
    progress : callable, optional
        Told when the import waits for another one writing into ``out``
        (default: a line on stderr).

    Returns
    -------
    ImportResult

    Raises
    ------
    c5map.errors.DataError
        With every problem found, located; nothing is written then.
    c5map.errors.ResourceUnavailable
        Another import (or a build) held ``out`` for longer than
        ``C5MAP_LOCK_WAIT`` seconds (:mod:`c5map.imports.lock`).
    OSError
        ``out`` or a table in it is a device, a FIFO, or a file where a folder goes.

    Examples
    --------
    >>> from c5map.imports import import_trade
    >>> result = import_trade("baci", ["BACI_HS92_V202501/"], "my-folder/",
    ...                       between="C5", and_="USA,CHN,RUS", hs="2846,280530")  # doctest: +SKIP
    """
    from c5map.imports.interrupts import watched
    from c5map.imports.write import check_targets, source_id, source_row, trade_rows, write_tables

    selection = _selection(dataset, measure, side, years, between, and_, hs, out)
    if out is not None:  # a device, a FIFO, a file where the folder or a table goes: refused before any work
        check_targets(Path(out))
    with watched():  # Ctrl-C and SIGTERM end the import even inside DuckDB, scratch removed
        totals, names, notes = _pair_totals(dataset, paths, selection, side, threads)
        source = source_id(totals.dataset, names, selection, side if dataset == "comtrade" else "")
        sums = aggregate(totals.frame, selection)
        _check_sums(sums)
        rows = trade_rows(sums, totals.dataset, selection, source)
        row = source_row(totals.dataset, source, names, selection)
        if rows.empty and not totals.frame.empty:
            asked = "the years and products asked for"
            notes.append(f"no row matched {_parties(selection)}: the files hold no trade between them in {asked}")
        written, still = [], []
        if out is not None and len(rows):  # nothing matched: nothing to add, and no source to cite
            result = write_tables(Path(out), rows, row, selection, progress=progress or _say)
            written, still = result.paths, result.still_needed
    return ImportResult(rows, row, totals.unmapped, notes, written, still)


def _say(line: str) -> None:
    print(printable(line), file=sys.stderr)


def _selection(dataset, measure, side, years, between, and_, hs, out) -> Selection:
    """Check the options and resolve the parties; raise every problem at once."""
    from c5map.boundaries import country_names

    problems: list[Problem] = []
    if dataset not in DATASETS:
        problems.append(Problem("c5map import", 0, "", f"{dataset!r} is not one of {', '.join(DATASETS)}"))
    if measure not in MEASURES:
        problems.append(Problem("c5map import", 0, "--measure", f"{measure!r} is not one of {', '.join(MEASURES)}"))
    if dataset == "baci" and side != "exporter":
        problems.append(
            Problem("c5map import", 0, "--side", "BACI has one reconciled figure per flow: no side to choose")
        )
    parsed_years, found = parse_years(years)
    problems += found
    products, found = parse_products(hs)
    problems += found
    definitions = _region_definitions(Path(out) if out is not None else None)
    countries = frozenset(country_names("10m")["iso3"])
    origins, found = resolve_parties(between, "--between", countries, definitions)
    problems += found
    partners, found = resolve_parties(and_, "--and", countries, definitions)
    problems += found
    if problems:
        raise DataError(problems)
    used = {c: definitions[c] for c in (origins or ()) + (partners or ()) if c in definitions}
    return Selection(measure, parsed_years, origins, partners, products, used)


def _pair_totals(dataset, paths, selection, side, threads):
    """Read the files in a scratch folder of their own; return the pair totals, the files' names and notes."""
    from c5map.imports.engine import connect
    from c5map.imports.files import gather
    from c5map.imports.interrupts import raise_received, stopping
    from c5map.imports.scratch import scratch_folder

    frames = [(f"data frame {i + 1}", p) for i, p in enumerate(paths) if isinstance(p, pd.DataFrame)]
    if dataset == "baci" and frames:
        raise DataError([Problem("c5map import", 0, "", "BACI is read from files, not data frames")])
    with scratch_folder() as scratch:
        (scratch / "zip").mkdir()
        found = gather([Path(p) for p in paths if not isinstance(p, pd.DataFrame)], scratch / "zip")
        if found.problems:
            raise DataError(found.problems)
        con = connect(scratch, threads=threads)
        try:
            with stopping(con.interrupt):  # Ctrl-C or SIGTERM stops a query at once, not when DuckDB next looks
                totals = _totals(dataset, con, found.files, frames, selection, side)
        except Exception:
            raise_received()  # a query Ctrl-C stopped may have been taken for a bad file
            raise
        finally:
            con.close()
        raise_received()
    names = [f.base for f in found.files] + [name for name, _ in frames]
    return totals, names, [*found.notes, *totals.notes]


def _totals(dataset, con, files, frames, selection, side):
    """Run the dataset's own reading: BACI's files, or Comtrade's files and data frames."""
    from c5map.imports import baci, comtrade

    if dataset == "baci":
        return baci.pair_totals(con, files, selection)
    return comtrade.pair_totals(con, [*files, *frames], selection, side=side)


def _parties(selection: Selection) -> str:
    between = ",".join(selection.origins) if selection.origins else "every country"
    return f"--between {between} --and {','.join(selection.partners) if selection.partners else 'every country'}"


def _check_sums(sums: pd.DataFrame) -> None:
    """Refuse a figure trade.csv cannot take (more than US$ 1e14), naming the files its rows came from."""
    from c5map.schema import table_schemas

    most = int(table_schemas()["trade"].field("value_usd").maximum)
    big = sums[sums["cents"] > most * 100]
    problems = [
        Problem(
            files.split("; ")[0],
            0,
            "",
            f"{origin} to {destination}, {year}: the rows of {files} add up to US$ {int(cents) // 100:,}, more than "
            f"trade.csv takes (US$ {most:.0e}): a unit mistake?",
        )
        for year, origin, destination, cents, _, files in big.head(20).itertuples(index=False)
    ]
    if problems:
        raise DataError(problems)
