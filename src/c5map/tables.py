"""Read a data folder into typed tables, reporting every problem with its place.

The contract of every table returned here:

* one column per field of :func:`c5map.schema.table_schemas`, in that order,
  including optional columns the file leaves out (then empty);
* ``string`` columns hold ``pd.NA`` for empty cells, ``number`` columns are
  ``float64`` (``NaN`` when empty), ``integer`` columns are ``Int64``;
* the index, named ``line``, is the line of the CSV file where each record
  starts, so that later checks can point at the row.

Cross-table checks (codes, foreign keys, points in polygons) live in
:mod:`c5map.validate`; this module knows one file at a time.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from c5map._paths import bundled_data_dir
from c5map.errors import DataError, Problem, display_path
from c5map.schema import (
    CONTROL_CHARACTERS,
    DATE_YEARS,
    DIRECTION_CONTROLS,
    LINE_CHARACTERS,
    MAX_CELL_CHARS,
    Field,
    TableSchema,
    table_schemas,
    unbalanced_direction_control,
)

# Tables a user's folder may leave out, and what stands in for them: sources fall
# back to the bundled ones; every other optional table is simply empty (capitals
# then come from the bundled gazetteer, c5map.gazetteer). regions.csv is required:
# it names the region the maps are about, which no bundled table may decide.
REFERENCE_TABLES = ("sources",)

_PARTIAL_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")  # ASCII digits: \d takes ٢٠٢٥

# Delimiters spreadsheets write instead of commas (Excel in many locales saves "CSV" with ';'), as a user names them.
_OTHER_DELIMITERS = {";": "semicolon-delimited (;)", "\t": "tab-delimited"}
_LEADING_LINE_ENDS = re.compile(r"[\r\n]*")


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


def parse_partial_date(text: str) -> tuple[int, int | None, int | None] | None:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ``None`` if it is not a real date.

    Examples
    --------
    >>> parse_partial_date("2025-11-06")
    (2025, 11, 6)
    >>> parse_partial_date("2025-02-30") is None
    True
    >>> parse_partial_date("٢٠٢٥") is None  # Arabic-Indic digits
    True
    """
    match = _PARTIAL_DATE.match(text)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return year, month, day


# Byte-order marks, longest first: UTF-32's little-endian one begins with UTF-16's.
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _wide_encoding(raw: bytes) -> str | None:
    """Name the encoding of text in UTF-16 or UTF-32 without a byte-order mark, judged by where its NULs fall.

    ASCII text in UTF-16 has a NUL in every other byte, in UTF-32 three in
    every four; a binary file has them anywhere.
    """
    sample = np.frombuffer(raw[: min(len(raw), 4096) // 4 * 4], dtype=np.uint8)
    if len(sample) < 8:
        return None
    nul = sample == 0
    for width, pattern, name in (
        (4, (False, True, True, True), "UTF-32 (little-endian)"),
        (4, (True, True, True, False), "UTF-32 (big-endian)"),
        (2, (False, True), "UTF-16 (little-endian)"),
        (2, (True, False), "UTF-16 (big-endian)"),
    ):
        if (nul.reshape(-1, width) == pattern).all(axis=1).mean() > 0.9:
            return name
    return None


def _decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            message = f"file is {encoding} text; c5map reads UTF-8: save it as UTF-8 (CSV UTF-8)"
            return None, [Problem(name, 0, "", message)]
    wide = _wide_encoding(raw) if b"\x00" in raw[:4096] else None
    if wide is not None:
        message = f"file looks like {wide} text without a byte-order mark; c5map reads UTF-8: save it as UTF-8"
        return None, [Problem(name, 0, "", message)]
    if raw.startswith(b"\xef\xbb\xbf"):  # Excel's "CSV UTF-8" writes a BOM: harmless, dropped
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Problem(
                name,
                line,
                "",
                f"byte 0x{raw[exc.start]:02X} is not UTF-8 text; save the file as UTF-8 (CSV UTF-8)",
            )
        ]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(name, line, "", "file holds a NUL character: it is not a CSV text file")]
    return text, []


def _split_header(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _other_delimiter(text: str, known: Sequence[str]) -> tuple[str, int] | None:
    """Return the delimiter other than a comma the header line is written with, and that line; None if commas.

    The header is the first non-blank line. It is taken as written with
    ``;`` or a tab when, split on commas, it is one field but splits on that
    delimiter; or when splitting on that delimiter gives more of the schema's
    column names than splitting on commas does.
    """
    start = _LEADING_LINE_ENDS.match(text).end()
    end = text.find("\n", start)
    line = text[start : end if end != -1 else len(text)].rstrip("\r")
    by_comma = _split_header(line, ",")
    for delimiter in _OTHER_DELIMITERS:
        fields = _split_header(line, delimiter)
        if len(fields) < 2:
            continue
        if len(by_comma) == 1 or _count_known(fields, known) > _count_known(by_comma, known):
            return delimiter, text.count("\n", 0, start) + 1
    return None


def _count_known(fields: list[str], known: Sequence[str]) -> int:
    return sum(field.strip() in known for field in fields)


def _empty_column(spec: Field, rows: int) -> object:
    """Return an all-empty column of ``rows`` cells, of the dtype the module contract gives ``spec``."""
    dtype = {"number": "float64", "integer": "Int64"}.get(spec.type, "string")
    return pd.array([None] * rows, dtype=dtype)


def _empty_frame(schema: TableSchema) -> pd.DataFrame:
    return pd.DataFrame(
        {f.name: _empty_column(f, 0) for f in schema.fields}, index=pd.Index([], name="line", dtype="int64")
    )


def _one_record_per_line(data: bytes) -> bool:
    r"""Tell whether every line is a whole record, so a record's line is its row number plus one.

    No ``\r``, no blank line, and an even number of quotes on every line (a
    quoted newline leaves an odd count on the line where its record starts).
    Counted with numpy over the bytes: a million lines take a few milliseconds.
    """
    if b"\r" in data or b"\n\n" in data or data.startswith(b"\n"):
        return False
    if b'"' not in data:
        return True
    buffer = np.frombuffer(data, dtype=np.uint8)
    quotes_before = np.concatenate([[0], np.cumsum(buffer == ord('"'))])
    ends = np.concatenate([np.flatnonzero(buffer == ord("\n")), [len(buffer)]])
    per_line = np.diff(np.concatenate([[0], quotes_before[ends]]))
    return not (per_line % 2).any()


def _parse_fast(data: bytes, header: list[str]) -> tuple[pd.DataFrame, list[int]] | None:
    r"""Parse with Arrow's CSV reader when every record is one line; None when line numbers would be lost.

    Why Arrow: it parses in C++ on every core and hands pandas its own string
    columns without a Python object per cell (a million rows: about 0.4 s
    against 2 s for pandas' C reader with ``dtype=str``). Records spanning
    lines, blank lines, ``\r`` line ends and ragged rows (Arrow refuses them)
    all go to :func:`_parse_exact`, which counts lines itself and names the row.
    """
    import pyarrow as pa
    import pyarrow.csv

    if not _one_record_per_line(data):
        return None
    try:
        table = pyarrow.csv.read_csv(
            pa.py_buffer(data),
            read_options=pyarrow.csv.ReadOptions(block_size=1 << 24),
            parse_options=pyarrow.csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pyarrow.csv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None  # ragged rows, broken quoting: the exact parser reports where
    body_lines = data.count(b"\n") + (not data.endswith(b"\n")) - 1
    if table.column_names != header or table.num_rows != body_lines:
        return None
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    return frame, list(range(2, len(frame) + 2))


def _parse_exact(
    text: str, name: str, problems: list[Problem]
) -> tuple[list[str], pd.DataFrame, list[int], int] | None:
    """Parse record by record with the csv module, keeping the line where each record starts."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for record in reader:
            start, next_line = next_line, reader.line_num + 1
            if record:  # blank lines between records carry nothing
                records.append((start, record))
    except csv.Error as exc:
        problems.append(Problem(name, reader.line_num, "", f"broken CSV quoting: {exc}"))
        return None
    header_line, header = records[0]
    rows, lines = [], []
    for line, record in records[1:]:
        if len(record) != len(header):
            problems.append(Problem(name, line, "", f"row has {len(record)} fields but the header has {len(header)}"))
            continue
        rows.append(record)
        lines.append(line)
    columns = {i: [r[i] for r in rows] for i in range(len(header))}
    frame = pd.DataFrame({i: pd.array(columns[i], dtype=object) for i in range(len(header))})
    frame.columns = header
    return header, frame, lines, header_line


def _to_float(raw: pd.Series, checkable: np.ndarray) -> np.ndarray:
    """Return the checkable cells as floats, NaN elsewhere and where a cell is not a number.

    Arrow casts a clean column in one pass (a million cells: about 0.05 s);
    only a column with a bad cell takes pandas' cell-by-cell ``to_numeric``,
    which marks exactly the bad ones. Whatever either accepts is then checked
    for finiteness and range, so the two agree on every verdict.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        cells = pc.if_else(pa.array(checkable), pa.array(raw.array, type=pa.string()), pa.scalar(None, pa.string()))
        return pc.cast(cells, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pd.to_numeric(raw.where(checkable, None), errors="coerce").to_numpy(dtype="float64")


def _check_column(raw: pd.Series, spec: Field, lines: np.ndarray, name: str) -> tuple[object, list[Problem]]:
    """Type one column and find every bad cell, vectorised (a million rows take about a second).

    ``raw`` holds the cells as text, ``""`` for empty. Returns the typed
    values (a bad cell becomes empty) and the problems, in row order.
    """
    problems: list[tuple[int, str]] = []
    empty = (raw == "").to_numpy()
    too_long = ~empty & (raw.str.len() > MAX_CELL_CHARS).to_numpy(dtype=bool)
    problems += [(i, "cell " + _too_long_message(raw.iat[i])) for i in np.flatnonzero(too_long)]
    forbidden = CONTROL_CHARACTERS if _free_text(spec) else f"{CONTROL_CHARACTERS}|{LINE_CHARACTERS}"
    control = ~empty & ~too_long & raw.str.contains(forbidden, regex=True).to_numpy(dtype=bool)
    problems += [(i, _control_message(raw.iat[i], forbidden)) for i in np.flatnonzero(control)]
    directed = ~empty & ~too_long & ~control & raw.str.contains(DIRECTION_CONTROLS, regex=True).to_numpy(dtype=bool)
    unbalanced = np.zeros(len(raw), dtype=bool)
    for i in np.flatnonzero(directed):
        position = unbalanced_direction_control(raw.iat[i])
        if position is not None:
            unbalanced[i] = True
            problems.append((i, _direction_message(raw.iat[i], position)))
    control |= unbalanced
    stripped = raw.str.strip()
    spaced = ~empty & ~too_long & ~control & (raw != stripped).to_numpy()
    bad = too_long | control | spaced
    problems += [(i, f"{raw.iat[i]!r} has spaces around it") for i in np.flatnonzero(spaced)]
    checkable = ~empty & ~spaced
    values: object
    if spec.type in ("number", "integer"):
        parsed = _to_float(raw, checkable)
        if spec.type == "integer":
            not_number = checkable & ~raw.str.fullmatch(r"[+-]?\d+").fillna(False).to_numpy()
            message = "{!r} is not a whole number"
        else:
            nan_literal = checkable & stripped.str.lower().isin(["nan", "+nan", "-nan"]).to_numpy()
            not_number = checkable & np.isnan(parsed) & ~nan_literal
            message = "{!r} is not a number (write plain digits, no currency signs or thousands separators)"
        problems += [(i, message.format(raw.iat[i])) for i in np.flatnonzero(not_number)]
        bad |= not_number
        not_finite = checkable & ~not_number & ~np.isfinite(parsed)
        problems += [(i, f"{raw.iat[i]!r} is not a finite number") for i in np.flatnonzero(not_finite)]
        bad |= not_finite
        ok = checkable & ~bad
        with np.errstate(invalid="ignore"):
            if spec.minimum is not None:
                low = ok & (parsed < spec.minimum)
                problems += [(i, f"{raw.iat[i]} is below the minimum {spec.minimum:g}") for i in np.flatnonzero(low)]
                bad |= low
            if spec.maximum is not None:
                high = ok & (parsed > spec.maximum)
                problems += [(i, f"{raw.iat[i]} is above the maximum {spec.maximum:g}") for i in np.flatnonzero(high)]
                bad |= high
        keep = checkable & ~bad
        if spec.type == "integer":
            values = pd.array(np.where(keep, parsed, np.nan), dtype="Float64").astype("Int64")
        else:
            values = pd.array(np.where(keep, parsed, np.nan), dtype="float64")
    else:
        failing = np.zeros(len(raw), dtype=bool)
        if spec.enum is not None:
            failing = checkable & ~raw.isin(spec.enum).to_numpy()
        elif spec.pattern is not None and not spec.partial_date:
            failing = checkable & ~raw.str.contains(spec.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
        elif spec.partial_date:  # dates repeat: parse each distinct value once
            wrong = [v for v in pd.unique(raw[checkable]) if _date_problem(v) is not None]
            failing = checkable & raw.isin(wrong).to_numpy()
        for i in np.flatnonzero(failing):
            value = raw.iat[i]
            if spec.enum is not None:
                close = difflib.get_close_matches(value.lower(), spec.enum, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append((i, f"{value!r} is not one of {', '.join(spec.enum)}{hint}"))
            elif spec.partial_date:
                problems.append((i, _date_problem(value)))
            else:
                problems.append((i, f"{value!r} does not match the pattern {spec.pattern}"))
        bad |= failing
        keep = checkable & ~bad
        values = pd.array(raw.where(keep, None), dtype="string")
    found = [Problem(name, int(lines[i]), spec.name, message) for i, message in sorted(problems)]
    if spec.unique:
        kept = pd.Series(values).where(pd.Series(keep), None)
        duplicated = (kept.notna() & kept.duplicated(keep="first")).to_numpy()
        if duplicated.any():
            first = {v: int(lines[i]) for i, v in kept[kept.notna() & ~kept.duplicated(keep="first")].items()}
            found += [
                Problem(
                    name, int(lines[i]), spec.name, f"duplicate {kept.iat[i]!r} (first at line {first[kept.iat[i]]})"
                )
                for i in np.flatnonzero(duplicated)
            ]
    return values, found


def _free_text(spec: Field) -> bool:
    """Whether a column holds free text (a name, a description), where tabs and line breaks may be."""
    return spec.type == "string" and not (spec.enum or spec.pattern or spec.code or spec.partial_date)


# Names of the control characters users meet (a pasted tab stop, a terminal's escape); others go by code point.
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x09: "TAB", 0x0A: "LF", 0x0B: "VT", 0x0C: "FF",
                  0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL", 0x85: "NEL"}  # fmt: skip


def free_text_problem(value: str) -> str | None:
    """Return what is wrong with one free text by the rules of free-text cells, or None.

    The same checks and words as a table's free-text column (:data:`c5map.schema.MAX_CELL_CHARS`, no
    control characters but tabs and line breaks, balanced direction controls), for text that is not in a
    table, such as ``story.toml``.
    """
    if len(value) > MAX_CELL_CHARS:
        return _too_long_message(value)
    if re.search(CONTROL_CHARACTERS, value):
        return _control_message(value, CONTROL_CHARACTERS)
    position = unbalanced_direction_control(value)
    return None if position is None else _direction_message(value, position)


def _too_long_message(value: str) -> str:
    return f"is {len(value):,} characters long; the limit is {MAX_CELL_CHARS:,}"


def _direction_message(value: str, position: int) -> str:
    char = value[position]
    return (
        f"U+{ord(char):04X} ({unicodedata.name(char)}) at character {position + 1} is "
        f"{'never closed' if char not in (chr(0x202C), chr(0x2069)) else 'closing nothing'}: "
        "an unbalanced direction control reorders the text after it; balance it or remove it"
    )


def _control_message(value: str, forbidden: str) -> str:
    position = re.search(forbidden, value).start()
    char = ord(value[position])
    label = _CONTROL_NAMES.get(char, "a control character")
    where = "" if len(value) == 1 else f" at character {position + 1} of {len(value)}"
    allowed = "" if char not in (0x09, 0x0A, 0x0D) else " (only free-text columns may hold tabs and line breaks)"
    return f"holds the control character U+{char:04X} ({label}){where}{allowed}; remove it"


def _date_problem(value: str) -> str | None:
    """Say what is wrong with a partial date; None when it is a real date in :data:`c5map.schema.DATE_YEARS`."""
    parsed = parse_partial_date(value)
    if parsed is None:
        other = next((c for c in value if c.isdigit() and not c.isascii()), None)
        if other is not None:
            return (
                f"{value!r} is written with {unicodedata.name(other, 'non-ASCII').rsplit(' ', 1)[0].lower()}s; "
                "write dates with the digits 0-9, as YYYY, YYYY-MM or YYYY-MM-DD"
            )
        return f"{value!r} is not a date as YYYY, YYYY-MM or YYYY-MM-DD"
    first, last = DATE_YEARS
    if not first <= parsed[0] <= last:
        return f"{value!r} is outside the years c5map accepts ({first}-{last})"
    return None


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
    first_line = text.split("\n", 1)[0].rstrip("\r")
    try:  # only to choose the parser: the exact one reports a broken header with its line
        header = next(csv.reader(io.StringIO(first_line, newline="")), [])
    except csv.Error:
        header = []
    body = raw_bytes.removeprefix(b"\xef\xbb\xbf")  # the bytes of `text`: valid UTF-8, so no re-encoding
    fast = _parse_fast(body, header) if header and len(set(header)) == len(header) else None
    header_line = 1
    if fast is not None:
        raw, lines = fast
    else:
        exact = _parse_exact(text, name, problems)
        if exact is None:
            return _empty_frame(schema), problems
        header, raw, lines, header_line = exact

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

    # A duplicated header name: the last of its columns counts, as a csv.DictReader would read it.
    last_position = {column: i for i, column in enumerate(header)}
    line_array = np.asarray(lines, dtype="int64")
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
            data[spec.name] = _empty_column(spec, len(lines))
    for spec in schema.fields:  # required where another column is empty: both empty is one problem
        present = [c for c in (spec.name, spec.required_unless) if c in last_position]
        if spec.required_unless is None or not present:
            continue
        empty = np.ones(len(lines), dtype=bool)
        for column in present:
            empty &= (raw.iloc[:, last_position[column]].astype(str) == "").to_numpy()
        message = f"value is required (or a {spec.required_unless}, for a figure derived from a dataset)"
        cell_problems += [Problem(name, int(line_array[i]), spec.name, message) for i in np.flatnonzero(empty)]
    frame = pd.DataFrame(data, index=pd.Index(line_array, name="line"))
    if len(schema.primary_key) > 1:
        key = frame[list(schema.primary_key)]
        complete = key.notna().all(axis=1)
        duplicated = complete & key.duplicated(keep="first")
        firsts = {tuple(r): int(line) for line, r in key[complete & ~duplicated].iterrows()}
        for line, row in key[duplicated].iterrows():
            values = tuple(row)
            cell_problems.append(
                Problem(
                    name,
                    int(line),
                    ", ".join(schema.primary_key),
                    f"duplicate row {values} (first at line {firsts[values]})",
                )
            )
    # problems in the order a reader meets them: line by line, then by column
    problems += sorted(
        cell_problems,
        key=lambda p: (p.line, schema.column_names.index(p.column) if p.column in schema.column_names else -1),
    )
    return frame, problems


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
