"""UN Comtrade: CSV downloads from its portal and the data frames of its Python client ``comtradeapicall``.

Both have the same columns (``refYear``, ``reporterISO``, ``partnerISO``,
``flowCode``, ``cmdCode``, ``primaryValue``, ...); a frame may be given
directly or saved as CSV or Parquet. ``primaryValue`` is in US dollars.

Whose report: a Comtrade row is one country's report of its own trade. By
default an export from A to B is A's own report of its exports (``flowCode``
``X``, valued FOB, as BACI is), so that ``exports`` means what the exporter
declared; ``side="importer"`` takes B's report of its imports from A instead
(``M``, valued CIF: freight and insurance included), the mirror figure, for
exporters that do not report (Turkmenistan has not for years). The two are
never mixed. ``X`` already includes re-exports, so re-export rows (``RX``) and
the other sub-flows are not added again; breakdowns by second partner, mode of
transport or customs procedure are left out where their total row is there;
an HS code whose parent code is in the same report is not added to it.
"""

from __future__ import annotations

import pandas as pd

from c5map.errors import DataError, Problem
from c5map.imports.crosswalk import Unmapped, adm0_for_iso3, iso3_for_m49, m49_label
from c5map.imports.dataset import Dataset, PairTotals
from c5map.imports.engine import MAX_PROBLEMS_PER_FILE, quote
from c5map.imports.files import InputFile
from c5map.imports.interrupts import raise_received
from c5map.imports.selection import PAIR_COLUMNS, Selection, unmatched_filter
from c5map.schema import table_schemas

SIDES = ("exporter", "importer")
URL = "https://comtradeplus.un.org/"
REQUIRED = ("refYear", "flowCode", "cmdCode", "primaryValue")
# a breakdown column and the value its total row has
_TOTALS = {"partner2Code": "0", "motCode": "0", "customsCode": "C00", "mosCode": "0"}
_FLOW_NAMES = {"RX": "re-exports", "RM": "re-imports", "DX": "domestic exports", "FM": "foreign imports"}


def _columns(con, relation: str) -> dict[str, str]:
    """Return the relation's column names by their lowercase form."""
    names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    return {str(n).lower(): str(n) for n in names}


def _relation(con, file: InputFile | tuple[str, pd.DataFrame], number: int) -> tuple[str, str]:
    """Register one input; return its name in SQL and the name a user knows it by."""
    if isinstance(file, tuple):
        name, frame = file
        con.register(f"frame{number}", frame)
        return f"frame{number}", name
    if file.kind == "parquet":
        return f"read_parquet({quote(file.path)})", file.name
    raw = file.path.read_bytes()
    try:
        raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:  # the portal's CSV can come in Latin-1 ("Côte d'Ivoire")
        encoding = "latin-1"
    return (
        f"read_csv({quote(file.path)}, header = true, all_varchar = true, auto_detect = true, "
        f"encoding = {quote(encoding)}, quote = '\"', escape = '\"', null_padding = false)"
    ), file.name


def _text(columns: dict[str, str], name: str) -> str:
    real = columns.get(name.lower())
    return f"nullif(trim(CAST({quote_identifier(real)} AS VARCHAR)), '')" if real else "NULL"


def quote_identifier(name: str) -> str:
    """Quote a column name for SQL."""
    return '"' + name.replace('"', '""') + '"'


def _normalised(con, relation: str, name: str, number: int) -> list[Problem]:
    """Create view ``rows{number}``: one Comtrade row in c5map's terms, with its line."""
    columns = _columns(con, relation)
    missing = [c for c in REQUIRED if c.lower() not in columns]
    if not any(c in columns for c in ("reporteriso", "reportercode")):
        missing.append("reporterISO")
    if not any(c in columns for c in ("partneriso", "partnercode")):
        missing.append("partnerISO")
    if missing:
        return [Problem(name, 1, c, "required Comtrade column is missing") for c in missing]
    checks = []
    for column, total in _TOTALS.items():
        if column.lower() in columns:
            value = _text(columns, column)
            test = f"upper({value}) = {quote(total)}" if total.startswith("C") else f"TRY_CAST({value} AS DOUBLE) = 0"
            checks.append(f"({value} IS NULL OR {test})")
    totals = " AND ".join(checks) or "TRUE"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW rows{number} AS
        SELECT {quote(name)} AS file, row_number() OVER () + 1 AS line,
               {_text(columns, "refYear")} AS year_text,
               {_text(columns, "freqCode")} AS freq,
               upper({_text(columns, "reporterISO")}) AS reporter_iso,
               {_text(columns, "reporterCode")} AS reporter_code,
               {_text(columns, "reporterDesc")} AS reporter_desc,
               upper({_text(columns, "partnerISO")}) AS partner_iso, {_text(columns, "partnerCode")} AS partner_code,
               {_text(columns, "partnerDesc")} AS partner_desc,
               upper({_text(columns, "flowCode")}) AS flow,
               upper(replace({_text(columns, "cmdCode")}, '.', '')) AS cmd,
               {_text(columns, "primaryValue")} AS value_text,
               ({totals}) AS is_total
        FROM {relation}
        """
    )
    return []


def _row_problems(con, views: list[str]) -> list[Problem]:
    """Every row whose year or value is not one (or not one trade.csv takes), or that is monthly, located."""
    union = " UNION ALL ".join(f"SELECT * FROM {v}" for v in views)
    trade = table_schemas()["trade"]
    first, last = int(trade.field("year").minimum), int(trade.field("year").maximum)
    most = int(trade.field("value_usd").maximum)  # larger, its cents would not fit a BIGINT (1e300 did not)
    rows = con.execute(
        f"""
        SELECT file, line, column_name, message FROM (
            SELECT file, line, 'refYear' AS column_name,
                   CASE WHEN year_text IS NULL THEN 'value is empty'
                        ELSE '''' || year_text || ''' is not a year' END AS message
            FROM ({union}) WHERE TRY_CAST(year_text AS INTEGER) IS NULL
            UNION ALL
            SELECT file, line, 'primaryValue',
                   CASE WHEN value_text IS NULL THEN 'value is empty'
                        ELSE '''' || value_text || ''' is not a number' END
            FROM ({union}) WHERE TRY_CAST(value_text AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(value_text AS DOUBLE))
            UNION ALL
            SELECT file, line, 'primaryValue', value_text || ' is negative'
            FROM ({union}) WHERE TRY_CAST(value_text AS DOUBLE) < 0
            UNION ALL
            SELECT file, line, 'primaryValue',
                   value_text || ' US dollars is more than trade.csv takes (US$ 1e14, above world GDP): a unit mistake?'
            FROM ({union}) WHERE TRY_CAST(value_text AS DOUBLE) > {most}
                                 AND isfinite(TRY_CAST(value_text AS DOUBLE))
            UNION ALL
            SELECT file, line, 'refYear', year_text || ' is not a year trade.csv takes ({first}-{last})'
            FROM ({union}) WHERE TRY_CAST(year_text AS INTEGER) NOT BETWEEN {first} AND {last}
            UNION ALL
            SELECT file, line, 'freqCode', 'monthly data (freqCode ' || freq || '): download annual data (freqCode A)'
            FROM ({union}) WHERE freq IS NOT NULL AND upper(freq) <> 'A'
        ) ORDER BY file, line, column_name
        """
    ).fetchall()
    problems, per_file = [], {}
    for file, line, column, message in rows:
        per_file[file] = per_file.get(file, 0) + 1
        if per_file[file] <= MAX_PROBLEMS_PER_FILE:
            problems.append(Problem(file, int(line), column, message))
    for file, count in per_file.items():
        if count > MAX_PROBLEMS_PER_FILE:
            problems.append(Problem(file, 0, "", f"and {count - MAX_PROBLEMS_PER_FILE:,} more bad rows not listed"))
    return problems


def pair_totals(
    con, files: list[InputFile | tuple[str, pd.DataFrame]], selection: Selection, *, side: str = "exporter"
) -> PairTotals:
    """Read Comtrade files or frames and return their country-pair totals per year.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    files : list of InputFile or (name, pandas.DataFrame)
    selection : Selection
    side : {"exporter", "importer"}
        Whose report a flow is taken from (see the module's docstring).
    """
    if side not in SIDES:
        raise DataError([Problem("c5map import", 0, "--side", f"{side!r} is not one of {', '.join(SIDES)}")])
    views = _read_files(con, files)
    union = " UNION ALL ".join(f"SELECT * FROM {v}" for v in views)
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW comtrade AS SELECT *, CAST(year_text AS INTEGER) AS year, "
        f"CAST(round(CAST(value_text AS DOUBLE) * 100) AS BIGINT) AS cents FROM ({union})"
    )
    years = "TRUE" if selection.years is None else f"year IN ({', '.join(str(y) for y in selection.years)})"
    flow = "X" if side == "exporter" else "M"
    notes = _left_out(con, years, flow)
    _refuse_duplicates(con, years, flow)
    raw = _leaf_totals(con, years, flow, selection)
    if raw.empty:  # valid files, but the filter matched nothing: say which filter
        note = unmatched_filter(selection, _present(con, flow, selection))
        notes += [note] if note else []
    return _mapped(raw, side, _dataset(side), notes)


def _present(con, flow: str, selection: Selection) -> dict[int, tuple[int, int]]:
    """Total rows of this side per year in the files, and how many are of the products asked for."""
    code = "CASE WHEN cmd IN ('TOTAL', 'AG0') THEN '' ELSE cmd END"
    asked = " OR ".join(f"starts_with({code}, {quote(p)})" for p in selection.products or ("",))
    found = con.execute(
        f"SELECT year, count(*), count_if({asked}) FROM comtrade WHERE flow = {quote(flow)} AND is_total "
        "AND year IS NOT NULL GROUP BY year"
    ).fetchall()
    return {int(year): (int(rows), int(products)) for year, rows, products in found}


def _read_files(con, files: list[InputFile | tuple[str, pd.DataFrame]]) -> list[str]:
    """Register every file or frame as a view of normalised rows; return the views, or raise every problem."""
    problems: list[Problem] = []
    views = []
    # row_number() gives each row its line only while rows keep their order; Comtrade files are small
    con.execute("SET preserve_insertion_order = true")
    for number, file in enumerate(files):
        relation, name = _relation(con, file, number)
        try:
            found = _normalised(con, relation, name, number)
        except Exception as exc:  # noqa: BLE001 - an unreadable file: say which and why
            raise_received()  # or Ctrl-C, which DuckDB reports as an error of its own
            found = [Problem(name, 0, "", str(exc).split("\n", 1)[0][:300])]
        problems += found
        if not found:
            views.append(f"rows{number}")
    if not problems and views:
        problems += _row_problems(con, views)
    if not files:
        problems.append(Problem("c5map import", 0, "", "no Comtrade file was given"))
    if problems:
        raise DataError(problems)
    return views


def _refuse_duplicates(con, years: str, flow: str) -> None:
    """Raise when the same total figure (reporter, partner, HS code, year) is in more than one file."""
    duplicated = con.execute(
        f"""
        SELECT reporter_iso, reporter_code, partner_iso, partner_code, cmd, year, string_agg(DISTINCT file, ', ')
        FROM comtrade WHERE {years} AND flow = {quote(flow)} AND is_total
        GROUP BY ALL HAVING count(DISTINCT file) > 1 LIMIT 20
        """
    ).fetchall()
    if duplicated:
        raise DataError(
            [
                Problem(
                    str(d[6]).split(", ")[-1],
                    0,
                    "",
                    f"reporter {d[0] or d[1]}, partner {d[2] or d[3]}, HS {d[4]}, "
                    f"{d[5]}: the same figure is in {d[6]}; give each report once",
                )
                for d in duplicated
            ]
        )


def _leaf_totals(con, years: str, flow: str, selection: Selection) -> pd.DataFrame:
    """Sum the selected products per year, reporter, partner and file, each figure counted once."""
    prefixes = ["''"] if selection.products is None else [quote(p) for p in selection.products]
    # TOTAL is the root of every code; a code counts only when no ancestor of it is in the same report
    return con.execute(
        f"""
        WITH picked AS (
            SELECT c.*, CASE WHEN cmd IN ('TOTAL', 'AG0', '') THEN '' ELSE cmd END AS code, p.prefix
            FROM comtrade c JOIN (SELECT unnest([{", ".join(prefixes)}]) AS prefix) p
              ON starts_with(CASE WHEN cmd IN ('TOTAL', 'AG0') THEN '' ELSE cmd END, p.prefix)
            WHERE {years} AND flow = {quote(flow)} AND is_total
        ),
        leaves AS (
            SELECT * FROM picked a WHERE NOT EXISTS (
                SELECT 1 FROM picked b
                WHERE b.file = a.file AND b.year = a.year AND b.prefix = a.prefix
                  AND b.reporter_iso IS NOT DISTINCT FROM a.reporter_iso
                  AND b.reporter_code IS NOT DISTINCT FROM a.reporter_code
                  AND b.partner_iso IS NOT DISTINCT FROM a.partner_iso
                  AND b.partner_code IS NOT DISTINCT FROM a.partner_code
                  AND length(b.code) < length(a.code) AND starts_with(a.code, b.code))
        )
        SELECT year, reporter_iso, reporter_code, any_value(reporter_desc) AS reporter_desc,
               partner_iso, partner_code, any_value(partner_desc) AS partner_desc, file,
               sum(cents) AS cents, count(*) AS rows
        FROM leaves GROUP BY year, reporter_iso, reporter_code, partner_iso, partner_code, file
        """
    ).df()


def _dataset(side: str) -> Dataset:
    """Describe the Comtrade dataset as read from ``side``'s reports."""
    return Dataset(
        key="comtrade",
        publisher="United Nations Statistics Division (UN Comtrade)",
        title="UN Comtrade database, annual goods trade by HS code",
        url=URL,
        unit="primaryValue in US dollars, summed in cents and rounded to whole dollars",
        side=(
            "exporters' own reports of their exports (flowCode X, FOB)"
            if side == "exporter"
            else "importers' reports of their imports (flowCode M, CIF), as mirror exports"
        ),
    )


def _left_out(con, years: str, flow: str) -> list[str]:
    notes = []
    for other, count in con.execute(
        f"SELECT flow, count(*) FROM comtrade WHERE {years} AND flow IS DISTINCT FROM {quote(flow)} "
        "GROUP BY flow ORDER BY flow"
    ).fetchall():
        what = _FLOW_NAMES.get(str(other), "")
        if other in ("X", "M"):
            why = "the other side's report; --side " + ("importer" if other == "M" else "exporter") + " uses it"
        elif other in ("RX", "DX"):
            why = "X already includes them"
        else:
            why = "not a total flow of this side"
        label = f"{other} ({what})" if what else str(other)
        notes.append(f"flowCode {label}: {count:,} row{'s' * (count != 1)} not counted: {why}")
    (breakdown,) = con.execute(
        f"SELECT count(*) FROM comtrade WHERE {years} AND flow = {quote(flow)} AND NOT is_total"
    ).fetchone()
    if breakdown:
        notes.append(
            f"{breakdown:,} breakdown rows (by second partner, mode of transport or customs procedure) "
            "not counted: their total rows are"
        )
    return notes


def _country(iso: object, code: object) -> str | None:
    if isinstance(iso, str) and iso:
        return adm0_for_iso3(iso)
    if isinstance(code, str) and code:
        found = iso3_for_m49(code)
        return adm0_for_iso3(found) if found else None
    return None


def _mapped(raw: pd.DataFrame, side: str, dataset: Dataset, notes: list[str]) -> PairTotals:
    raw["reporter"] = [_country(i, c) for i, c in zip(raw["reporter_iso"], raw["reporter_code"], strict=True)]
    raw["partner"] = [_country(i, c) for i, c in zip(raw["partner_iso"], raw["partner_code"], strict=True)]
    unmapped = []
    for role in ("reporter", "partner"):
        lost = raw[raw[role].isna()]
        keys = [f"{role}_iso", f"{role}_code"]
        for (iso, code), group in lost.groupby(keys, dropna=False):
            shown = iso if isinstance(iso, str) else code
            label = next((d for d in group[f"{role}_desc"] if isinstance(d, str) and d), "") or m49_label(code or "")
            unmapped.append(Unmapped(role, str(shown), label, int(group["rows"].sum())))
    kept = raw.dropna(subset=["reporter", "partner"]).copy()
    exporter, importer = ("reporter", "partner") if side == "exporter" else ("partner", "reporter")
    kept["exporter"], kept["importer"] = kept[exporter], kept[importer]
    frame = (
        kept.groupby(["year", "exporter", "importer"], sort=True)
        .agg(
            cents=("cents", "sum"),
            rows=("rows", "sum"),
            files=("file", lambda f: "; ".join(sorted({x.rsplit("/", 1)[-1] for x in f}))),
        )
        .reset_index()
    )
    frame = frame[frame["exporter"] != frame["importer"]]
    frame["year"] = frame["year"].astype("int64")
    frame["cents"] = frame["cents"].astype("int64")
    return PairTotals(frame[list(PAIR_COLUMNS)].reset_index(drop=True), dataset, unmapped, notes)
