"""DuckDB, the engine of every import: embedded, streaming, bounded in memory.

A query reads the files itself, filters and aggregates in SQL and hands pandas
only its aggregates, so the memory an import needs depends on how many
country pairs and years it keeps, not on how many rows the files hold.
DuckDB spills to the scratch folder rather than exceed its memory limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from c5map.errors import Problem

#: The most memory DuckDB may hold; past it, it spills to disk (the scratch folder).
MEMORY_LIMIT = "1GB"

#: How many bad rows are named per file; the rest are counted.
MAX_PROBLEMS_PER_FILE = 50


def connect(scratch: Path, *, threads: int | None = None):
    """Return an in-memory DuckDB connection that spills to ``scratch``."""
    try:
        import duckdb
    except ImportError as exc:  # a core dependency, so only a broken install gets here
        raise RuntimeError("c5map import needs duckdb: pip install duckdb") from exc

    config = {"memory_limit": MEMORY_LIMIT, "temp_directory": str(scratch / "duckdb-spill")}
    if threads is not None:
        config["threads"] = threads
    con = duckdb.connect(":memory:", config=config)
    # aggregates do not depend on the order rows are read in; letting it go saves memory
    con.execute("SET preserve_insertion_order = false")
    try:  # a library prints nothing of its own; in Jupyter without ipywidgets DuckDB refuses to change it
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:
        pass  # the bar is off there already: it needs ipywidgets to draw
    return con


def quote(text: str | Path) -> str:
    """Quote a string for SQL: ``'it''s'``."""
    return "'" + str(text).replace("'", "''") + "'"


def path_list(paths: Iterable[Path]) -> str:
    """Return a SQL list of file paths: ``['a.csv', 'b.csv']``."""
    return "[" + ", ".join(quote(p) for p in paths) + "]"


#: Most rows the CSV reader keeps of those it rejects (``rejects_limit``); past it the count is a lower bound.
REJECTS_LIMIT = 1000


def rejected_rows(con, names: dict[str, str]) -> list[Problem]:
    """Return the rows the CSV reader rejected (``store_rejects``), located, at most a few per file.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The connection that ran the reading query.
    names : dict of str to str
        DuckDB's path of each file to the name the user knows it by.
    """
    try:
        rows = con.execute(
            """
            SELECT s.file_path, e.line, e.column_name, e.error_type, e.error_message
            FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id)
            ORDER BY s.file_path, e.line, e.column_idx
            """
        ).fetchall()
    except Exception:  # noqa: BLE001 - no reject tables: nothing was rejected
        return []
    problems: list[Problem] = []
    per_file: dict[str, int] = {}
    seen: set[tuple[str, int]] = set()
    for path, line, column, kind, message in rows:
        name = names.get(path, path)
        if (name, line) in seen:  # a short row is one problem, not one per missing column
            continue
        seen.add((name, line))
        per_file[name] = per_file.get(name, 0) + 1
        if per_file[name] > MAX_PROBLEMS_PER_FILE:
            continue
        if kind == "MISSING COLUMNS" or kind == "TOO MANY COLUMNS":
            problems.append(Problem(name, int(line), "", message.replace("Expected Number of Columns", "expected")))
        elif kind == "CAST":
            value = message.split('Could not convert string "', 1)[-1].split('"', 1)[0]
            problems.append(Problem(name, int(line), column or "", f"{value!r} is not a number"))
        else:
            problems.append(Problem(name, int(line), column or "", message))
    capped = len(rows) >= REJECTS_LIMIT  # DuckDB stops storing rejects there: the true count may be far higher
    for name, count in per_file.items():
        if count > MAX_PROBLEMS_PER_FILE:
            more = count - MAX_PROBLEMS_PER_FILE
            words = f"and {more:,} more bad row{'s' * (more != 1)} not listed"
            if capped:
                words = f"and at least {more:,} more bad rows not listed (counting stops at {REJECTS_LIMIT:,})"
            problems.append(Problem(name, 0, "", words))
    return problems
