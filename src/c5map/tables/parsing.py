"""A CSV file's bytes to text and records: its encoding and delimiter checked, each record's line kept."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from c5map.errors import Problem

# Delimiters spreadsheets write instead of commas (Excel in many locales saves "CSV" with ';'), as a user names them.
_OTHER_DELIMITERS = {";": "semicolon-delimited (;)", "\t": "tab-delimited"}
_LEADING_LINE_ENDS = re.compile(r"[\r\n]*")


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
