"""Trade totals from the standard datasets: UN Comtrade and CEPII BACI, at any size, on DuckDB.

:func:`import_trade` reads a dataset's files (CSV, zipped CSV or Parquet; a
file or a folder of them), keeps the years, parties and products asked for,
adds them up to origin–destination–year in DuckDB (only the aggregates reach
pandas) and writes ``trade.csv`` rows and a ``sources.csv`` row that
``c5map validate`` accepts, every row with its provenance in ``derivation``.

Modules: :mod:`~c5map.imports.baci` and :mod:`~c5map.imports.comtrade` (one
format each), :mod:`~c5map.imports.crosswalk` (codes to ``ADM0_A3``),
:mod:`~c5map.imports.engine` (DuckDB), :mod:`~c5map.imports.files` (files,
folders, zips), :mod:`~c5map.imports.selection` (the filter and the sums),
:mod:`~c5map.imports.write` (the tables written).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from c5map.errors import DataError, Problem
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

    Returns
    -------
    ImportResult

    Raises
    ------
    c5map.errors.DataError
        With every problem found, located; nothing is written then.

    Examples
    --------
    >>> from c5map.imports import import_trade
    >>> result = import_trade("baci", ["BACI_HS92_V202501/"], "my-folder/",
    ...                       between="C5", and_="USA,CHN,RUS", hs="2846,280530")  # doctest: +SKIP
    """
    from c5map.boundaries import country_names
    from c5map.imports import baci, comtrade
    from c5map.imports.engine import connect
    from c5map.imports.files import InputFile, gather
    from c5map.imports.write import source_id, source_row, trade_rows, write_tables

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
    selection = Selection(measure, parsed_years, origins, partners, products, used)

    with tempfile.TemporaryDirectory(prefix="c5map-import-") as scratch:
        scratch_path = Path(scratch)
        (scratch_path / "zip").mkdir()
        frames = [(f"data frame {i + 1}", p) for i, p in enumerate(paths) if isinstance(p, pd.DataFrame)]
        files, problems = gather([Path(p) for p in paths if not isinstance(p, pd.DataFrame)], scratch_path / "zip")
        if problems:
            raise DataError(problems)
        con = connect(scratch_path, threads=threads)
        try:
            inputs: list[InputFile | tuple[str, pd.DataFrame]] = [*files, *frames]
            if dataset == "baci":
                if frames:
                    raise DataError([Problem("c5map import", 0, "", "BACI is read from files, not data frames")])
                totals = baci.pair_totals(con, files, selection)
            else:
                totals = comtrade.pair_totals(con, inputs, selection, side=side)
        finally:
            con.close()
    names = [f.base for f in files] + [name for name, _ in frames]
    source = source_id(totals.dataset, names, selection, side if dataset == "comtrade" else "")
    rows = trade_rows(aggregate(totals.frame, selection), totals.dataset, selection, source)
    row = source_row(totals.dataset, source, names, selection)
    written, still = [], []
    if out is not None and len(rows):  # nothing matched: nothing to add, and no source to cite
        result = write_tables(Path(out), rows, row, selection)
        written, still = result.paths, result.still_needed
    return ImportResult(rows, row, totals.unmapped, totals.notes, written, still)
