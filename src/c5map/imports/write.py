"""The tables an import writes: ``trade.csv`` rows with their provenance, a ``sources.csv`` row, ``regions.csv``.

An import adds to a data folder without losing what is there: rows an
earlier run of the same import wrote (same ``source_id``) are replaced,
every other row is kept as it was. Every table is written aside, checked
against its schema and flushed first, then renamed over the old one; nothing
is written when anything is wrong. One import writes into a folder at a time
(:mod:`c5map.imports.lock`), so a concurrent import's rows are never lost,
and an import killed at any moment leaves each table old or new, never a mix.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from c5map._paths import bundled_data_dir
from c5map.errors import DataError, Problem, display_path
from c5map.imports.dataset import Dataset
from c5map.imports.interrupts import deferred
from c5map.imports.lock import folder_locked
from c5map.imports.selection import Selection
from c5map.publish import _fsync_dir, _write_new_file, check_target
from c5map.schema import table_schemas

#: The tables an import writes, in the order they are renamed in: ``trade.csv``, which cites the others, last.
_WRITTEN = ("regions", "sources", "trade")


def source_id(dataset: Dataset, file_names: list[str], selection: Selection, side: str) -> str:
    """Return a stable id for one import: the dataset and release, and a digest of its files and filter.

    The same files and filter give the same id, so importing again replaces
    the rows of the earlier run instead of adding them twice.
    """
    key = repr(
        (
            dataset.key,
            dataset.version,
            sorted(file_names),
            selection.measure,
            selection.years,
            selection.origins,
            selection.partners,
            selection.products,
            side,
        )
    )
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    version = "-".join(dataset.version.lower().split())
    return "-".join(x for x in (dataset.key, version, digest) if x)


def _some(names: list[str], shown: int = 10) -> str:
    """Name at most ``shown`` files, then count the rest: a cell holds at most 5,000 characters."""
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more:,} more" if more > 0 else "")


def _value_text(cents: int) -> str:
    return str((int(cents) + 50) // 100)  # whole US dollars; cents round half up


def trade_rows(totals: pd.DataFrame, dataset: Dataset, selection: Selection, source: str) -> pd.DataFrame:
    """Return the ``trade.csv`` rows of aggregated totals, each with its provenance in ``derivation``."""
    measure = {
        "exports": "exports of the origin to the destination",
        "total_trade": "exports both ways between the two, added",
    }[selection.measure]
    rows = []
    for year, origin, destination, cents, count, files in totals.itertuples(index=False):
        derivation = (
            f"dataset: {dataset.title} ({dataset.publisher}); files: {_some(files.split('; '))}; products: "
            f"{selection.describe_products()}; filter: {year}, {selection.describe_party(origin)} and "
            f"{selection.describe_party(destination)}, {measure}; aggregation: sum of {int(count):,} source "
            f"row{'s' * (int(count) != 1)}; unit: {dataset.unit}; side: {dataset.side}"
        )
        rows.append(
            {
                "flow_id": f"{source}-{origin}-{destination}-{year}".lower(),
                "year": str(int(year)),
                "origin": origin,
                "destination": destination,
                "measure": selection.measure,
                "value_usd": _value_text(cents),
                "value_qualifier": "exact",
                "attributed_to": f"{dataset.publisher}, {dataset.title}",
                "note": "",
                "source_id": source,
                "source_passage": "",
                "derivation": derivation,
            }
        )
    columns = table_schemas()["trade"].column_names
    return pd.DataFrame(rows, columns=columns)


def source_row(dataset: Dataset, source: str, file_names: list[str], selection: Selection) -> dict[str, str]:
    """Return the ``sources.csv`` row of one import."""
    scope = selection.describe_products()
    years = "all years" if selection.years is None else f"years {selection.years[0]}-{selection.years[-1]}"
    return {
        "source_id": source,
        "publisher": dataset.publisher,
        "title": dataset.title,
        "date": dataset.date,
        "url": dataset.url,
        "note": f"Imported with c5map import from {_some(sorted(file_names))}; {scope}, {years}, "
        f"{selection.measure}. {dataset.unit}; {dataset.side}.",
    }


@dataclass(frozen=True)
class Written:
    """What :func:`write_tables` wrote: the paths, and the tables a build still needs from the user."""

    paths: list[Path]
    still_needed: list[str]


def _read_rows(path: Path, table: str) -> tuple[list[str], list[dict[str, str]]]:
    from c5map.tables import read_table

    _, problems = read_table(path, table_schemas()[table])
    if problems:  # a table of the user's with problems: they fix it first; it is not rewritten
        raise DataError(problems)
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), [dict(r) for r in reader]


def _csv_bytes(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: ("" if row.get(c) is None else row.get(c)) for c in columns})
    return out.getvalue().encode("utf-8")


def check_targets(out: Path) -> None:
    """Refuse an ``out`` that is not a folder, or a table in it that is not a file (a device, a FIFO).

    Raises
    ------
    OSError
        From :func:`c5map.publish.check_target`: what is there, and what to name instead.
    """
    check_target(out, "folder")
    for name in _WRITTEN:
        check_target(out / table_schemas()[name].path, "file")


def write_tables(
    out: Path,
    trade: pd.DataFrame,
    source: dict[str, str],
    selection: Selection,
    progress: Callable[[str], None] = print,
) -> Written:
    """Merge the imported rows into ``out`` and write it; on any problem raise :class:`DataError`, writing nothing.

    The tables are read, merged and replaced under the folder's lock
    (:mod:`c5map.imports.lock`), so two imports into one folder keep both
    their rows. Each table is written aside, flushed and renamed over the old
    one; ``trade.csv`` last, so that at every moment the folder's
    ``trade.csv`` cites only sources its ``sources.csv`` has.

    Parameters
    ----------
    out : pathlib.Path
        The data folder (made if missing).
    trade : pandas.DataFrame
        Rows from :func:`trade_rows`.
    source : dict of str to str
        The row from :func:`source_row`.
    selection : Selection
        For the regions it used: written to ``regions.csv`` when the folder has none.
    progress : callable
        Told when the import waits for the folder's lock.
    """
    out = Path(out)
    check_targets(out)
    made = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        with folder_locked(out, progress):
            for name in _WRITTEN:  # drafts of an import killed before its rename: ours, and stale under the lock
                (out / _draft_name(name)).unlink(missing_ok=True)
            tables = _merged(out, trade, source, selection)
            _replace(out, tables)
    except BaseException:
        if made:  # made for nothing: leave no empty folder behind
            with contextlib.suppress(OSError):
                out.rmdir()
        raise
    still = [name for name in ("deals", "regions") if not (out / table_schemas()[name].path).is_file()]
    return Written([out / table_schemas()[n].path for n in reversed(_WRITTEN) if n in tables], still)


def _draft_name(name: str) -> str:
    return f".{name}.csv.c5map-import"


def _merged(out: Path, trade: pd.DataFrame, source: dict[str, str], selection: Selection) -> dict[str, bytes]:
    """Return the tables to write: the folder's rows of other imports and the user's, with this import's."""
    schemas = table_schemas()
    ours = source["source_id"]
    new_rows = trade.to_dict("records")
    tables: dict[str, bytes] = {}

    trade_path = out / "trade.csv"
    kept = []
    if trade_path.is_file():
        _, existing = _read_rows(trade_path, "trade")
        kept = [r for r in existing if r.get("source_id") != ours]
        taken = {r["flow_id"]: i + 2 for i, r in enumerate(existing) if r.get("source_id") != ours}
        clashes = [r["flow_id"] for r in new_rows if r["flow_id"] in taken]
        if clashes:
            raise DataError(
                [
                    Problem(
                        display_path(trade_path),
                        taken[f],
                        "flow_id",
                        f"{f!r} is also an id this import writes; rename it",
                    )
                    for f in clashes[:20]
                ]
            )
    tables["trade"] = _csv_bytes(schemas["trade"].column_names, kept + new_rows)

    sources_path = out / "sources.csv"
    if sources_path.is_file():
        _, existing_sources = _read_rows(sources_path, "sources")
    else:  # the folder used the bundled sources: keep them, or its other tables' source ids would dangle
        existing_sources = _read_rows(bundled_data_dir() / "sources.csv", "sources")[1]
    merged = [r for r in existing_sources if r.get("source_id") != ours] + [source]
    tables["sources"] = _csv_bytes(schemas["sources"].column_names, merged)

    regions_path = out / "regions.csv"
    if not regions_path.is_file() and selection.regions:
        from c5map.tables import load_tables

        bundled = load_tables().regions
        names = dict(zip(bundled["region"], bundled["region_name"], strict=True))
        rows = [
            {"region": r, "region_name": names.get(r, r), "member": m}
            for r in sorted(selection.regions)
            for m in selection.regions[r]
        ]
        tables["regions"] = _csv_bytes(schemas["regions"].column_names, rows)
    return tables


def _replace(out: Path, tables: dict[str, bytes]) -> None:
    """Write each table aside, check it, then rename it in: ``trade.csv`` last; nothing replaced on a problem."""
    from c5map.tables import read_table

    schemas = table_schemas()
    staged: dict[str, Path] = {}
    try:
        for name in (n for n in _WRITTEN if n in tables):
            path = out / _draft_name(name)
            _write_new_file(path, tables[name], shown_as=out / schemas[name].path)
            staged[name] = path
        problems = [
            replace(p, file=display_path(out / schemas[name].path))  # named as the table it would have become
            for name, path in staged.items()
            for p in read_table(path, schemas[name])[1]
        ]
        if problems:  # a bug, not the user's: the rows are made to fit the schema
            raise DataError(problems)
        with deferred():  # Ctrl-C or SIGTERM now waits until every table is in: never sources new, trade half
            for name, path in staged.items():
                os.replace(path, out / schemas[name].path)
            _fsync_dir(out)
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)
