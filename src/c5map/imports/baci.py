"""CEPII BACI: one CSV per year (``BACI_HS92_Y2023_V202501.csv``), columns ``t,i,j,k,v,q``.

``t`` is the year, ``i`` the exporter and ``j`` the importer (BACI's numeric
codes, mapped to ISO 3 by the release's own ``country_codes_V*.csv``), ``k``
the HS 6-digit product, ``v`` the value in thousands of US dollars (FOB,
reconciled from both sides' reports) and ``q`` the quantity in tonnes, which
may be missing and is not read. Zipped releases, folders of years and the
same columns in Parquet are read alike.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

from c5map.errors import DataError, Problem
from c5map.imports.crosswalk import Unmapped, adm0_for_iso3
from c5map.imports.dataset import Dataset, PairTotals
from c5map.imports.engine import REJECTS_LIMIT, path_list, quote, rejected_rows
from c5map.imports.files import InputFile, renamed_copies
from c5map.imports.interrupts import raise_received
from c5map.imports.selection import PAIR_COLUMNS, Selection, unmatched_filter
from c5map.schema import table_schemas

COLUMNS = ("t", "i", "j", "k", "v", "q")
_DATA_NAME = re.compile(r"BACI_(HS\d{2})_Y(\d{4})_(V\d{6}[a-z]?)", re.IGNORECASE)
_CODES_NAME = re.compile(r"country_codes_V(\d{6}[a-z]?)", re.IGNORECASE)
URL = "https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
# v is DECIMAL, not DOUBLE: sums are exact, so the same files give the same figures whatever the thread count
# k is read as a number: HS codes are digits, and comparing integers costs a quarter less than strings over 100M
# rows (benchmarks/import_bench.py); "010121" and a tool's 10121 are then one code, as they are
#: The largest v (thousands of US dollars) one row may have: trade.csv takes at most US$ 1e14, above world GDP.
_MOST_THOUSANDS = 10**11
_CSV_TYPES = "{'t': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER', 'k': 'INTEGER', 'v': 'DECIMAL(18,3)', 'q': 'VARCHAR'}"


def _decoded(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # older releases wrote their codes file in Latin-1
        return raw.decode("latin-1")


def read_country_codes(file: InputFile) -> tuple[dict[int, tuple[str, str]], list[Problem]]:
    """Read a ``country_codes_V*.csv``: BACI code to (ISO 3, name).

    Both layouts are read: ``country_code,country_name,country_iso2,country_iso3``
    (2023 on) and ``country_code,country_name_abbreviation,country_name_full,
    iso_2digit_alpha,iso_3digit_alpha`` (before).
    """
    rows = list(csv.reader(io.StringIO(_decoded(file.path.read_bytes()), newline="")))
    if not rows:
        return {}, [Problem(file.name, 0, "", "file is empty")]
    header = [h.strip().lower() for h in rows[0]]
    iso_column = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in header), None)
    name_column = next((c for c in ("country_name", "country_name_abbreviation") if c in header), None)
    if "country_code" not in header or iso_column is None:
        return {}, [Problem(file.name, 1, "", "not a BACI country codes file: it needs country_code and country_iso3")]
    at = {name: header.index(name) for name in header}
    codes: dict[int, tuple[str, str]] = {}
    problems = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(file.name, line, "", f"row has {len(row)} fields but the header has {len(header)}"))
            continue
        code = row[at["country_code"]].strip()
        if not code.isdigit():
            problems.append(Problem(file.name, line, "country_code", f"{code!r} is not a numeric code"))
            continue
        name = row[at[name_column]].strip() if name_column else ""
        codes[int(code)] = (row[at[iso_column]].strip().upper(), name)
    return codes, problems


def _check_header(file: InputFile) -> list[Problem]:
    with file.path.open("rb") as handle:
        first = handle.readline(4096)
    text = first.decode("utf-8-sig", errors="replace").strip()
    header = [cell.strip().strip('"').strip().lower() for cell in text.split(",")]
    if tuple(header) == COLUMNS:
        return []
    return [Problem(file.name, 1, "", f"header is {text[:80]!r}; a BACI file starts with t,i,j,k,v,q")]


def _parquet_header(con, file: InputFile) -> list[Problem]:
    names = {
        str(r[0]).lower()
        for r in con.execute(
            f"DESCRIBE SELECT * FROM read_parquet({quote(file.path)}, hive_partitioning = true)"
        ).fetchall()
    }
    missing = [c for c in COLUMNS[:5] if c not in names]
    return (
        [Problem(file.name, 0, "", f"Parquet file lacks column(s) {', '.join(missing)} of BACI's t,i,j,k,v,q")]
        if missing
        else []
    )


def _product_filter(selection: Selection) -> str:
    if selection.products is None:
        return "TRUE"
    # a prefix of a 6-digit code is a range of numbers: "2846" is 284600-284699, "01" is 10000-19999
    # (k = 010121 read as 10121); a code of another length is in no range, as it was in no prefix before
    tests = []
    for prefix in selection.products:
        scale = 10 ** (6 - len(prefix))
        low, high = int(prefix) * scale, (int(prefix) + 1) * scale
        tests.append(f"(k = {low})" if scale == 1 else f"(k >= {low} AND k < {high})")
    return "(" + " OR ".join(tests) + ")"


def pair_totals(con, files: list[InputFile], selection: Selection) -> PairTotals:
    """Read BACI files and return their country-pair totals per year.

    Raises
    ------
    c5map.errors.DataError
        A file that is not in BACI's layout, a bad row (with its line), no
        country codes file, files of two releases, or a renamed copy of a file.
    """
    codes_files = [f for f in files if _CODES_NAME.search(f.base) or f.base.lower().startswith("country_codes")]
    data_files = [f for f in files if f not in codes_files and not f.base.lower().startswith("product_codes")]
    data_files = [f for f in data_files if not f.base.lower().startswith("readme")]
    problems = _file_problems(con, data_files, codes_files)
    codes: dict[int, tuple[str, str]] = {}
    for file in codes_files[:1]:
        codes, found = read_country_codes(file)
        problems += found
    if problems:
        raise DataError(problems)
    names = {str(f.path): f.name for f in data_files}
    raw = _read(con, data_files, selection, names)
    dataset = _dataset(data_files, codes_files)
    if raw.empty:  # valid files, but the filter matched nothing: say which filter
        note = unmatched_filter(selection, _present(con, data_files, selection))
        return PairTotals(pd.DataFrame({c: [] for c in PAIR_COLUMNS}), dataset, notes=[note] if note else [])
    raw["files"] = raw["filename"].map(lambda p: names.get(p, p).rsplit("/", 1)[-1])
    return _mapped(raw, codes, dataset)


def _file_problems(con, data_files: list[InputFile], codes_files: list[InputFile]) -> list[Problem]:
    """Check the files as a set: headers, a codes file, one release, one HS revision, each file once."""
    problems: list[Problem] = []
    for file in data_files:
        problems += _check_header(file) if file.kind == "csv" else _parquet_header(con, file)
    if not data_files:
        problems.append(Problem("c5map import", 0, "", "no BACI data file (BACI_HS.._Y...._V.......csv) was given"))
    if not codes_files:
        where = data_files[0].name if data_files else "c5map import"
        problems.append(
            Problem(
                where,
                0,
                "",
                "no country_codes_V*.csv was given: BACI's numeric codes need the release's own "
                "codes file (it comes in the same zip); pass it or its folder too",
            )
        )
    versions = {m.group(3).upper() for f in data_files if (m := _DATA_NAME.search(f.base))}
    versions |= {"V" + m.group(1).upper() for f in codes_files if (m := _CODES_NAME.search(f.base))}
    if len(versions) > 1:
        problems.append(
            Problem(
                "c5map import",
                0,
                "",
                f"files of several BACI releases: {', '.join(sorted(versions))}; import one release at a time",
            )
        )
    classes = {m.group(1).upper() for f in data_files if (m := _DATA_NAME.search(f.base))}
    if len(classes) > 1:
        problems.append(Problem("c5map import", 0, "", f"files of several HS revisions: {', '.join(sorted(classes))}"))
    return problems + renamed_copies(data_files)


def _read(con, data_files: list[InputFile], selection: Selection, names: dict[str, str]) -> pd.DataFrame:
    """Run the query; raise every bad row, negative value or out-of-range figure, located in the user's file."""
    try:
        raw = con.execute(_query(data_files, selection, rejects=False)).df()
    except Exception as exc:  # noqa: BLE001 - a bad row: read again, keeping every bad row with its line
        raise_received()  # or Ctrl-C, which DuckDB reports as an error of its own: stop, do not read again
        try:
            raw = con.execute(_query(data_files, selection, rejects=True)).df()
        except Exception as again:  # noqa: BLE001 - not a row's fault (unreadable file): say so, located
            raise_received()
            where = data_files[0].name if len(data_files) == 1 else "c5map import"
            raise DataError([Problem(where, 0, "", _short(again))]) from exc
    problems = rejected_rows(con, names)
    bad = raw[raw["negative"] > 0]
    problems += [
        Problem(names.get(f, f), 0, "v", f"{int(n):,} row{'s have' if n != 1 else ' has'} a negative value")
        for f, n in bad.groupby("filename")["negative"].sum().items()
    ]
    years = table_schemas()["trade"].field("year")
    outside = raw["year"].lt(years.minimum) | raw["year"].gt(years.maximum) | raw["largest"].gt(_MOST_THOUSANDS)
    if not problems and outside.any():
        problems += _out_of_range(con, data_files, (int(years.minimum), int(years.maximum)))
    if problems:
        raise DataError(problems)
    return raw


def _rows(data_files: list[InputFile], *, rejects: bool) -> str:
    """Return the query of every row of the files: ``t, i, j, k, v, filename``."""
    keep = f"store_rejects = true, rejects_limit = {REJECTS_LIMIT}, " if rejects else ""
    parts = []
    csv_files = [f.path for f in data_files if f.kind == "csv"]
    parquet_files = [f.path for f in data_files if f.kind == "parquet"]
    if csv_files:
        # one file needs no per-row filename (a tenth of the time at 100M rows); rejects need it to locate a row
        many = len(csv_files) > 1 or rejects
        filename = "filename" if many else f"{quote(str(csv_files[0]))} AS filename"
        parts.append(
            f"SELECT t, i, j, k, v, {filename} FROM read_csv({path_list(csv_files)}, header = true, "
            f"auto_detect = false, columns = {_CSV_TYPES}, quote = '\"', escape = '\"', {keep}"
            f"filename = {'true' if many else 'false'})"
        )
    if parquet_files:
        parts.append(
            "SELECT CAST(t AS INTEGER) AS t, CAST(i AS INTEGER) AS i, CAST(j AS INTEGER) AS j, "
            "CAST(k AS INTEGER) AS k, "
            f"CAST(v AS DECIMAL(18,3)) AS v, filename FROM read_parquet({path_list(parquet_files)}, filename = true, "
            "union_by_name = true, hive_partitioning = true)"  # t=2023/...: the year may be in the path alone
        )
    return " UNION ALL ".join(parts)


def _query(data_files: list[InputFile], selection: Selection, *, rejects: bool) -> str:
    """Return the one query that reads the files and sums v per year, exporter, importer and file.

    Without ``rejects`` a bad row stops it (the fast path: nearly every file is clean); with it,
    DuckDB keeps each bad row with its line in ``reject_errors`` and reads on.
    """
    years = "TRUE" if selection.years is None else f"t IN ({', '.join(str(y) for y in selection.years)})"
    return f"""
        SELECT t AS year, i, j, filename, CAST(sum(v) * 100000 AS BIGINT) AS cents, count(*) AS rows,
               count_if(v < 0) AS negative, max(v) AS largest
        FROM ({_rows(data_files, rejects=rejects)})
        WHERE {years} AND {_product_filter(selection)} AND t IS NOT NULL AND i IS NOT NULL AND j IS NOT NULL
              AND v IS NOT NULL
        GROUP BY ALL
    """


def _present(con, data_files: list[InputFile], selection: Selection) -> dict[int, tuple[int, int]]:
    """Rows per year in the files, and how many are of the products asked for (to say which filter failed)."""
    found = con.execute(
        f"SELECT t, count(*), count_if({_product_filter(selection)}) FROM ({_rows(data_files, rejects=False)}) "
        "WHERE t IS NOT NULL GROUP BY t"
    ).fetchall()
    return {int(t): (int(rows), int(products)) for t, rows, products in found}


def _out_of_range(con, data_files: list[InputFile], years: tuple[int, int]) -> list[Problem]:
    """Locate, in the user's own files, each row whose year or value ``trade.csv`` cannot take."""
    test = f"t < {years[0]} OR t > {years[1]} OR v > {_MOST_THOUSANDS}"
    problems = []
    con.execute("SET preserve_insertion_order = true")  # row_number() is the line only while rows keep their order
    try:
        for file in data_files:
            if file.kind == "csv":
                rows = f"""SELECT row_number() OVER () + 1 AS line, t, v FROM read_csv({quote(file.path)},
                    header = true, auto_detect = false, columns = {_CSV_TYPES}, quote = '"', escape = '"')"""
            else:
                rows = f"""SELECT file_row_number + 1 AS line, CAST(t AS INTEGER) AS t, CAST(v AS DECIMAL(18,3)) AS v
                    FROM read_parquet({quote(file.path)}, file_row_number = true, hive_partitioning = true)"""
            for line, t, v in con.execute(f"SELECT * FROM ({rows}) WHERE {test} ORDER BY line LIMIT 20").fetchall():
                row = int(line) if file.kind == "csv" else 0  # a Parquet row has no line: its number is said
                where = "" if file.kind == "csv" else f"row {int(line) - 1:,}: "
                if t < years[0] or t > years[1]:
                    message = f"{where}{t} is not a year trade.csv takes ({years[0]}-{years[1]})"
                    problems.append(Problem(file.name, row, "t", message))
                else:
                    message = f"{where}{v} thousand US dollars is more than trade.csv takes (US$ 1e14): a unit mistake?"
                    problems.append(Problem(file.name, row, "v", message))
    finally:
        con.execute("SET preserve_insertion_order = false")
    return problems


def _short(exc: Exception) -> str:
    return str(exc).split("\n", 1)[0][:300]


def _mapped(raw: pd.DataFrame, codes: dict[int, tuple[str, str]], dataset: Dataset) -> PairTotals:
    iso = {code: adm0_for_iso3(iso3) for code, (iso3, _) in codes.items()}
    unmapped: list[Unmapped] = []
    for role, column in (("exporter", "i"), ("importer", "j")):
        lost = raw[~raw[column].map(lambda c: iso.get(int(c)) is not None)]
        for code, rows in lost.groupby(column)["rows"].sum().items():
            iso3, name = codes.get(int(code), ("", ""))
            label = ", ".join(x for x in (name, iso3) if x) if int(code) in codes else "not in the country codes file"
            unmapped.append(Unmapped(role, str(code), label, int(rows)))
    raw["exporter"] = raw["i"].map(lambda c: iso.get(int(c)))
    raw["importer"] = raw["j"].map(lambda c: iso.get(int(c)))
    kept = raw.dropna(subset=["exporter", "importer"])
    frame = kept.groupby(["year", "exporter", "importer"], sort=True).agg(
        cents=("cents", "sum"), rows=("rows", "sum"), files=("files", lambda f: "; ".join(sorted(set(f))))
    )
    frame = frame.reset_index()
    frame["year"] = frame["year"].astype("int64")
    return PairTotals(frame[list(PAIR_COLUMNS)], dataset, unmapped)


def _dataset(data_files: list[InputFile], codes_files: list[InputFile]) -> Dataset:
    match = next((m for f in data_files if (m := _DATA_NAME.search(f.base))), None)
    hs = match.group(1).upper() if match else ""
    version = match.group(3).upper() if match else ""
    if not version:
        version = next(("V" + m.group(1).upper() for f in codes_files if (m := _CODES_NAME.search(f.base))), "")
    date = f"{version[1:5]}-{version[5:7]}" if re.fullmatch(r"V\d{6}[A-Z]?", version) else ""
    title = "BACI: international trade database at the product level" + (f", {hs}" if hs else "")
    title += f", version {version[1:]}" if version else ""
    return Dataset(
        key="baci",
        publisher="CEPII",
        title=title,
        url=URL,
        version=" ".join(x for x in (hs, version) if x),
        date=date,
        unit="v is in thousands of US dollars (FOB), multiplied by 1,000",
        side="BACI reconciles the exporter's and the importer's reports into one figure",
    )
