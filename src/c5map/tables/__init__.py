"""Read a data folder, or DataFrames in memory (:meth:`Tables.from_frames`), into typed tables, problems located.

The contract of every table returned here:

* one column per field of :func:`c5map.schema.table_schemas`, in that order,
  including optional columns the file leaves out (then empty);
* ``string`` columns hold ``pd.NA`` for empty cells, ``number`` columns are
  ``float64`` (``NaN`` when empty), ``integer`` columns are ``Int64``;
* the index, named ``line``, is the line of the CSV file where each record
  starts, so that later checks can point at the row (for a table given as a
  DataFrame, the row's position counting from 1: :class:`RowProblem`).

Cross-table checks (codes, foreign keys, points in polygons) live in
:mod:`c5map.validate`; this package knows one file at a time.

Modules: :mod:`~c5map.tables.parsing` (a file's bytes to records: encoding,
delimiter, each record's line) and :mod:`~c5map.tables.cells` (one column's
cells typed and checked against its field); what they offer the rest of c5map
(:func:`parse_partial_date`, :func:`free_text_problem`) is importable from here.
"""

from __future__ import annotations

import csv
import difflib
import importlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from c5map._paths import bundled_data_dir
from c5map.errors import DataError, Problem, UsageError, display_path, printable
from c5map.schema import Field, TableSchema, table_schemas
from c5map.tables.cells import _check_column, free_text_problem, parse_partial_date
from c5map.tables.parsing import _OTHER_DELIMITERS, _decode, _other_delimiter, _parse_exact, _parse_fast

__all__ = [
    "REFERENCE_TABLES",
    "RowProblem",
    "Tables",
    "free_text_problem",
    "load_tables",
    "parse_partial_date",
    "read_frame",
    "read_frames",
    "read_table",
    "read_tables",
]

# Tables a user's folder may leave out, and what stands in for them: sources fall
# back to the bundled ones; every other optional table is simply empty (capitals
# then come from the bundled gazetteer, c5map.gazetteer). regions.csv is required:
# it names the region the maps are about, which no bundled table may decide.
REFERENCE_TABLES = ("sources",)


@dataclass(frozen=True)
class Tables:
    """The input tables of one data folder, typed and checked one file at a time.

    Attributes
    ----------
    deals, trade, resources, events, places, regions, sources : pandas.DataFrame
        One frame per table, following the module's contract.
    paths : dict of str to pathlib.Path or None
        The file each table was read from (``None``: not given, left empty).
    warnings : tuple of Problem
        Located warnings about the inputs that do not stop a build (a
        boundary polygon repaired, see :func:`c5map.validate.load_inputs`).
    """

    deals: pd.DataFrame
    trade: pd.DataFrame
    resources: pd.DataFrame
    events: pd.DataFrame
    places: pd.DataFrame
    regions: pd.DataFrame
    sources: pd.DataFrame
    paths: dict[str, Path | None]
    warnings: tuple[Problem, ...] = ()

    def __getitem__(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    @classmethod
    def from_frames(
        cls,
        deals: pd.DataFrame,
        regions: pd.DataFrame,
        *,
        trade: pd.DataFrame | None = None,
        resources: pd.DataFrame | None = None,
        events: pd.DataFrame | None = None,
        places: pd.DataFrame | None = None,
        sources: pd.DataFrame | None = None,
    ) -> Tables:
        """Build the tables from DataFrames in memory, checked as files are; raise on any problem.

        Every cell is checked as if it were read from a CSV file (:func:`read_table`: types, codes, dates,
        allowed values, required columns, keys), then, once every table passes, across tables as
        :func:`c5map.validate.validate` checks a folder (codes, foreign keys, rules, points in their country).
        Problems are located by table and row: ``deals.iloc[2]: value_usd: ...`` (:class:`RowProblem`).

        Parameters
        ----------
        deals, regions : pandas.DataFrame
            The two required tables, with the columns of their CSV files (:func:`c5map.schema.table_schemas`).
        trade, resources, events, places : pandas.DataFrame, optional
            Left out: empty.
        sources : pandas.DataFrame, optional
            Left out: the bundled sources, as for a folder without ``sources.csv``.

        Returns
        -------
        Tables
            As :func:`load_tables` returns them, except that each frame's index (``line``) is the row's
            position counting from 1 (row 1 is ``.iloc[0]``), and ``paths`` are ``None`` (no file).

        Raises
        ------
        c5map.errors.DataError
            With every problem found.

        Examples
        --------
        >>> bundled = load_tables()
        >>> tables = Tables.from_frames(bundled.deals, bundled.regions, sources=bundled.sources)
        >>> len(tables.deals) == len(bundled.deals)
        True
        >>> Tables.from_frames(bundled.deals.assign(value_usd="lots"), bundled.regions)
        Traceback (most recent call last):
        ...
        c5map.errors.DataError: deals.iloc[0]: value_usd: ...
        """
        given = {"deals": deals, "regions": regions, "trade": trade, "resources": resources, "events": events,
                 "places": places, "sources": sources}  # fmt: skip
        tables, problems = read_frames(given)
        if problems:
            raise DataError(problems)
        return tables

    def region_members(self) -> dict[str, list[str]]:
        """Map each region code to its sorted member ISO3 codes.

        Examples
        --------
        >>> load_tables().region_members()["C5"]
        ['KAZ', 'KGZ', 'TJK', 'TKM', 'UZB']
        """
        members: dict[str, list[str]] = {}
        for region, member in zip(self.regions["region"], self.regions["member"], strict=True):
            members.setdefault(str(region), []).append(str(member))
        return {region: sorted(codes) for region, codes in sorted(members.items())}


def _empty_column(spec: Field, rows: int) -> object:
    """Return an all-empty column of ``rows`` cells, of the dtype the module contract gives ``spec``."""
    dtype = {"number": "float64", "integer": "Int64"}.get(spec.type, "string")
    return pd.array([None] * rows, dtype=dtype)


def _empty_frame(schema: TableSchema) -> pd.DataFrame:
    return pd.DataFrame(
        {f.name: _empty_column(f, 0) for f in schema.fields}, index=pd.Index([], name="line", dtype="int64")
    )


def read_table(path: Path, schema: TableSchema) -> tuple[pd.DataFrame, list[Problem]]:
    """Read one CSV file against its schema.

    Parameters
    ----------
    path : pathlib.Path
        The CSV file (UTF-8, comma-separated, one header line). A file
        delimited with ``;`` or tabs, or in UTF-16 or UTF-32, is one problem,
        named as such. Every cell is held to the limits of
        :mod:`c5map.schema` (``MAX_CELL_CHARS``, ``DATE_YEARS``, no control
        characters, balanced direction controls).
    schema : TableSchema
        The table it should hold.

    Returns
    -------
    frame : pandas.DataFrame
        The rows that could be read, typed per the module contract; a cell
        with a problem is left empty.
    problems : list of Problem
        Everything wrong with the file; empty when it is clean.
    """
    name = display_path(path)
    raw_bytes = path.read_bytes()
    text, problems = _decode(raw_bytes, name)
    if text is None:
        return _empty_frame(schema), problems
    if not text.strip():
        return _empty_frame(schema), [Problem(name, 0, "", "file is empty; it needs at least a header line")]
    other = _other_delimiter(text, schema.column_names)
    if other is not None:  # one problem: read with commas, every row and column would be wrong the same way
        delimiter, line = other
        message = (
            f"file is {_OTHER_DELIMITERS[delimiter]}; c5map reads comma-separated CSV: "
            'save it as "CSV UTF-8 (Comma delimited)"'
        )
        return _empty_frame(schema), [Problem(name, line, "", message)]
    parsed = _records(text, raw_bytes, name, problems)
    if parsed is None:
        return _empty_frame(schema), problems
    header, raw, lines, header_line = parsed
    problems += _header_problems(header, schema, name, header_line)
    line_array = np.asarray(lines, dtype="int64")
    frame, cell_problems = _typed_columns(raw, header, schema, line_array, name)
    cell_problems += _duplicate_keys(frame, schema, name)
    # problems in the order a reader meets them: line by line, then by column
    problems += sorted(
        cell_problems,
        key=lambda p: (p.line, schema.column_names.index(p.column) if p.column in schema.column_names else -1),
    )
    return frame, problems


def _records(
    text: str, raw_bytes: bytes, name: str, problems: list[Problem]
) -> tuple[list[str], pd.DataFrame, list[int], int] | None:
    """Parse the records: ``(header, cells as text, each record's line, the header's line)``; None if unreadable.

    Arrow's parser when the header is clean and every record is one line, else the exact one (whose
    problems are added to ``problems``).
    """
    first_line = text.split("\n", 1)[0].rstrip("\r")
    try:  # only to choose the parser: the exact one reports a broken header with its line
        header = next(csv.reader(io.StringIO(first_line, newline="")), [])
    except csv.Error:
        header = []
    body = raw_bytes.removeprefix(b"\xef\xbb\xbf")  # the bytes of `text`: valid UTF-8, so no re-encoding
    fast = _parse_fast(body, header) if header and len(set(header)) == len(header) else None
    if fast is not None:
        raw, lines = fast
        return header, raw, lines, 1
    return _parse_exact(text, name, problems)


def _header_problems(header: list[str], schema: TableSchema, name: str, header_line: int) -> list[Problem]:
    """Columns named twice, unknown columns (with the likely name) and required columns missing."""
    problems: list[Problem] = []
    known = schema.column_names
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(
                Problem(name, header_line, column, "column appears twice in the header", voids_column=column)
            )
        seen.add(column)
        if column not in known:
            close = difflib.get_close_matches(column.strip().lower(), known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"expected columns: {', '.join(known)}"
            meant = close[0] if close and close[0] not in header else ""  # a misspelling leaves that column empty
            problems.append(Problem(name, header_line, column, f"unknown column; {hint}", voids_column=meant))
    for spec in schema.fields:
        either = spec.required_unless is not None and spec.required_unless in header
        if (spec.required or spec.required_unless) and spec.name not in header and not either:
            problems.append(
                Problem(
                    name, header_line, spec.name, "required column is missing from the header", voids_column=spec.name
                )
            )
    return problems


def _typed_columns(
    raw: pd.DataFrame, header: list[str], schema: TableSchema, line_array: np.ndarray, name: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Type every column of the schema (empty when the file lacks it); return the frame and the cells' problems."""
    # A duplicated header name: the last of its columns counts, as a csv.DictReader would read it.
    last_position = {column: i for i, column in enumerate(header)}
    data: dict[str, object] = {}
    cell_problems: list[Problem] = []
    for spec in schema.fields:
        if spec.name in last_position:
            column = raw.iloc[:, last_position[spec.name]].astype(str)
            data[spec.name], found = _check_column(column, spec, line_array, name)
            cell_problems += found
            if spec.required:
                cell_problems += [
                    Problem(name, int(line_array[i]), spec.name, "value is required")
                    for i in np.flatnonzero((column == "").to_numpy())
                ]
        else:
            data[spec.name] = _empty_column(spec, len(line_array))
    for spec in schema.fields:  # required where another column is empty: both empty is one problem
        present = [c for c in (spec.name, spec.required_unless) if c in last_position]
        if spec.required_unless is None or not present:
            continue
        empty = np.ones(len(line_array), dtype=bool)
        for column in present:
            empty &= (raw.iloc[:, last_position[column]].astype(str) == "").to_numpy()
        message = f"value is required (or a {spec.required_unless}, for a figure derived from a dataset)"
        cell_problems += [Problem(name, int(line_array[i]), spec.name, message) for i in np.flatnonzero(empty)]
    return pd.DataFrame(data, index=pd.Index(line_array, name="line")), cell_problems


def _duplicate_keys(frame: pd.DataFrame, schema: TableSchema, name: str) -> list[Problem]:
    """Return a problem for every row whose composite primary key an earlier row already has."""
    if len(schema.primary_key) <= 1:
        return []
    problems: list[Problem] = []
    key = frame[list(schema.primary_key)]
    complete = key.notna().all(axis=1)
    duplicated = complete & key.duplicated(keep="first")
    firsts = {tuple(r): int(line) for line, r in key[complete & ~duplicated].iterrows()}
    for line, row in key[duplicated].iterrows():
        values = tuple(row)
        problems.append(
            Problem(
                name,
                int(line),
                ", ".join(schema.primary_key),
                f"duplicate row {values} (first at line {firsts[values]})",
            )
        )
    return problems


def _table_files(data_dir: Path) -> tuple[dict[str, Path | None], list[Problem]]:
    """Find each table's file in a user's folder, with fallbacks and a hint for misnamed files."""
    problems: list[Problem] = []
    bundled = bundled_data_dir()
    schemas = table_schemas()
    files: dict[str, Path | None] = {}
    present = {p.name for p in data_dir.glob("*.csv")}
    for name, schema in schemas.items():
        path = data_dir / schema.path
        if path.is_file():
            files[name] = path
        elif path.exists():  # a folder, a fifo: never a reason to use the bundled table instead
            files[name] = None
            what = "a folder" if path.is_dir() else "not a regular file"
            problems.append(Problem(display_path(path), 0, "", f"is {what}; {schema.path} must be a CSV file"))
        elif name in REFERENCE_TABLES:
            files[name] = bundled / schema.path
        else:
            files[name] = None
            if schema.required_table:
                strays = sorted(present - {s.path for s in schemas.values()})
                close = difflib.get_close_matches(schema.path, strays, n=1, cutoff=0.6)
                hint = f"; found {close[0]!r}: rename it?" if close else ""
                what = hint or f" ({schema.description[:1].lower()}{schema.description[1:].rstrip('.')})"
                problems.append(Problem(display_path(path), 0, "", f"required table is missing{what}"))
    return files, problems


def read_tables(data_dir: Path | None = None) -> tuple[Tables, list[Problem]]:
    """Read every table of a data folder, collecting all problems.

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        A folder with ``deals.csv``, ``regions.csv`` and any of the other
        tables. A missing ``sources.csv`` falls back to the bundled one;
        other missing tables are empty. Default: the bundled data.

    Returns
    -------
    tables : Tables
    problems : list of Problem
    """
    data_dir = bundled_data_dir() if data_dir is None else Path(data_dir)
    if not data_dir.is_dir():
        raise DataError([Problem(display_path(data_dir), 0, "", "data folder does not exist")])
    files, problems = _table_files(data_dir)
    frames: dict[str, pd.DataFrame] = {}
    for name, schema in table_schemas().items():
        path = files[name]
        if path is None:
            frames[name] = _empty_frame(schema)
            continue
        frames[name], found = read_table(path, schema)
        problems.extend(found)
        if schema.required_table and not found and len(frames[name]) == 0:
            problems.append(Problem(display_path(path), 1, "", f"no rows: {schema.path} needs at least one record"))
    return Tables(**frames, paths=files), problems


def load_tables(data_dir: Path | None = None) -> Tables:
    """Read and check every table of a data folder; raise on any problem.

    Only per-file checks run here. :func:`c5map.validate.validate` adds the
    checks across tables and against the boundaries.

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        Default: the bundled data.

    Returns
    -------
    Tables

    Raises
    ------
    c5map.errors.DataError
        With every problem found.

    Examples
    --------
    >>> tables = load_tables()
    >>> tables.deals.loc[tables.deals.deal_id == "usa-kaz-wabtec-locomotives-2025", "value_usd"].item()
    4200000000.0
    """
    tables, problems = read_tables(data_dir)
    if problems:
        raise DataError(problems)
    return tables


class RowProblem(Problem):
    """A problem in a table given as a DataFrame (:meth:`Tables.from_frames`): located by table and row.

    ``file`` is the table's name and ``line`` the row's position counting from 1 (0: the table as a whole);
    it reads ``deals.iloc[2]: value_usd: value must be a number``, a row a pandas user can look up.
    """

    def __str__(self) -> str:
        where = f"{self.file}.iloc[{self.line - 1}]" if self.line else f"{self.file} (DataFrame)"
        return printable(f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}")


def _cell_text(value: object) -> str:
    """Return a cell as a CSV file would hold it: empty for a missing value, numbers without a needless ``.0``."""
    if isinstance(value, str):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(float(value))
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.strftime("%Y-%m-%d")  # a date read by pandas as a timestamp: the day it names
    return str(value)


def _frame_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the cells of ``frame`` as text, columns by position (a header may name a column twice, as a file may)."""
    texts = [pd.Series([_cell_text(v) for v in frame.iloc[:, i]], dtype=object) for i in range(frame.shape[1])]
    return pd.concat(texts, axis=1, ignore_index=True) if texts else pd.DataFrame(index=range(len(frame)))


def read_frame(name: str, frame: pd.DataFrame, schema: TableSchema) -> tuple[pd.DataFrame, list[Problem]]:
    """Check one table given as a DataFrame as :func:`read_table` checks a file; problems are :class:`RowProblem`.

    Returns the typed frame (index: the row's position counting from 1) and every problem found.
    """
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"{name}= takes a pandas.DataFrame, not a {type(frame).__name__}")
    header = [str(column) for column in frame.columns]
    lines = np.arange(1, len(frame) + 1, dtype="int64")
    problems = _header_problems(header, schema, name, 0)
    typed, cell_problems = _typed_columns(_frame_as_text(frame), header, schema, lines, name)
    cell_problems += _duplicate_keys(typed, schema, name)
    problems += sorted(
        cell_problems,
        key=lambda p: (p.line, schema.column_names.index(p.column) if p.column in schema.column_names else -1),
    )
    if schema.required_table and not problems and len(typed) == 0:
        problems.append(Problem(name, 0, "", "no rows: it needs at least one record"))
    return typed, problems


def read_frames(frames: dict[str, pd.DataFrame | None]) -> tuple[Tables, list[Problem]]:
    """Check tables given as DataFrames (``None``: not given), each alone and then across tables.

    What :meth:`Tables.from_frames` raises with; the problems of the frames given are :class:`RowProblem`.
    """
    schemas = table_schemas()
    unknown = sorted(set(frames) - set(schemas))
    if unknown:
        raise UsageError(f"no table named {', '.join(unknown)}; the tables are {', '.join(schemas)}")
    typed: dict[str, pd.DataFrame] = {}
    paths: dict[str, Path | None] = dict.fromkeys(schemas)
    problems: list[Problem] = []
    for name, schema in schemas.items():
        frame = frames.get(name)
        if frame is not None:
            typed[name], found = read_frame(name, frame, schema)
        elif name in REFERENCE_TABLES:  # as for a folder without it: the bundled table
            paths[name] = bundled_data_dir() / schema.path
            typed[name], found = read_table(paths[name], schema)
        elif schema.required_table:
            typed[name], found = _empty_frame(schema), [Problem(name, 0, "", "required table is missing")]
        else:
            typed[name], found = _empty_frame(schema), []
        problems += found
    tables = Tables(**typed, paths=paths)
    given = {n for n, f in frames.items() if f is not None}
    if not problems:  # a cell that failed its own check is empty: rules across tables would only repeat it
        problems = _problems_across(tables, given)
    return tables, [RowProblem(p.file, p.line, p.column, p.message, p.voids_column) if p.file in given else p
                    for p in problems]  # fmt: skip


def _problems_across(tables: Tables, given: set[str]) -> list[Problem]:
    """Run :mod:`c5map.validate`'s checks across tables (codes, foreign keys, rules, points) on in-memory tables."""
    # the module, imported here (it imports this package); c5map.validate names its function validate()
    checks = importlib.import_module("c5map.validate")
    from c5map.boundaries import country_names, load_countries
    from c5map.codes import build_code_book

    bundled = {name for name in table_schemas() if name not in given and tables.paths[name] is not None}
    names = {name: f"{name} (bundled)" if name in bundled else name for name in table_schemas()}
    book = build_code_book(country_names("10m"), tables.region_members())
    return (
        checks._check_codes(tables, book, names)
        + checks._check_foreign_keys(tables, names, bundled, set())
        + checks._check_rules(tables, names)
        + checks._check_points(tables, load_countries("10m"), book, names)
    )
