"""Checks across tables and against the boundaries, on top of the per-file checks.

:func:`validate` is what ``c5map validate`` and ``c5map build`` run: every
problem of every file, located by file, line and column, in one list.

A table is read whole, so its size is checked first, before a byte of it is
read: a file over :data:`MAX_TABLE_BYTES` is refused (its stat, not its
content, tells), as is a story file over
:data:`c5map.story.MAX_STORY_BYTES`. The time of every check grows linearly
with the rows: each distinct bad value is judged, and given its hint, once.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from c5map.boundaries import country_names, load_countries, read_boundaries
from c5map.codes import CodeBook, build_code_book
from c5map.errors import DataError, Problem, display_path
from c5map.schema import table_schemas
from c5map.tables import Tables, read_tables

#: How far (degrees) a point may lie outside its country's 1:10m polygon: coastal
#: cities sit on generalised shorelines.
POINT_TOLERANCE_DEG = 0.05
#: Largest table file read, in bytes (2 GB: over ten million trade rows). A table is read whole, and reading
#: takes about three times its size in memory; a 6 GB file (sparse, all NUL bytes) took past 4 GB in 17 s
#: before a word was said. Bigger trade data goes through ``c5map import``, which streams and aggregates.
MAX_TABLE_BYTES = 2_000_000_000


def _rows(frame: pd.DataFrame, column: str) -> Iterator[tuple[int, str]]:
    for line, value in frame[column].items():
        if value is not pd.NA and value is not None:
            yield int(line), str(value)


def _bad_rows(frame: pd.DataFrame, column: str, is_bad) -> Iterator[tuple[int, str]]:
    """Rows whose value in ``column`` fails ``is_bad``, judged once per distinct value (tables repeat codes)."""
    values = frame[column].dropna()
    bad = {v for v in values.unique() if is_bad(str(v))}
    if bad:
        for line, value in values[values.isin(list(bad))].items():
            yield int(line), str(value)


def _check_codes(tables: Tables, book: CodeBook, names: dict[str, str]) -> list[Problem]:
    problems = []
    # one message per distinct code: its "did you mean" costs about a millisecond, and a table repeats its codes
    messages: dict[tuple[str, bool], str] = {}
    for table, schema in table_schemas().items():
        for spec in schema.fields:
            if spec.code is None:
                continue
            allow_region = spec.code == "country_or_region"

            def unknown(value: str, allow_region: bool = allow_region) -> bool:
                return not (book.is_country(value) or (allow_region and book.is_region(value)))

            for line, value in _bad_rows(tables[table], spec.name, unknown):
                if (value, allow_region) not in messages:
                    messages[value, allow_region] = _unknown_code(value, allow_region, book)
                problems.append(Problem(names[table], line, spec.name, messages[value, allow_region]))
    for line, region in _rows(tables.regions, "region"):
        if book.is_country(region):
            problems.append(
                Problem(
                    names["regions"],
                    line,
                    "region",
                    f"{region!r} is a country code; choose a region code that is not one",
                )
            )
    return problems


def _unknown_code(value: str, allow_region: bool, book: CodeBook) -> str:
    """Say why ``value`` is not a code the column takes, and which one was likely meant, and how they differ."""
    if book.is_region(value):
        return f"{value!r} is a region; this column takes a country code"
    guess = book.suggest(value)
    hint = ""
    if guess and (allow_region or book.is_country(guess)):
        differs = what_differs(value, guess)
        hint = f"; did you mean {guess!r}?" + (f" ({differs})" if differs else "")
    what = "country or region code" if allow_region else "country code"
    return f"{value!r} is not a known {what} (ISO 3166-1 alpha-3 / Natural Earth ADM0_A3){hint}"


def _ordinal(number: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``4th``, ``11th``, ``21st``."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _character(char: str) -> str:
    """Name a character by its script, itself and its code point: ``Cyrillic А (U+0410)``, ``Latin A (U+0041)``."""
    name = unicodedata.name(char, "")
    script = name.split(" LETTER ")[0].removesuffix(" CAPITAL").removesuffix(" SMALL") if " LETTER " in name else ""
    shown = char if char.isprintable() and not unicodedata.combining(char) else ""
    return " ".join(part for part in (script.title(), shown, f"(U+{ord(char):04X})") if part)


def _normal_form(text: str) -> str:
    if text == unicodedata.normalize("NFC", text):
        return "NFC (composed)"
    if text == unicodedata.normalize("NFD", text):
        return "NFD (decomposed)"
    return "neither NFC nor NFD"


def what_differs(text: str, other: str) -> str:
    r"""Say how ``text`` differs from ``other`` when they may look alike: Unicode normalisation, or lookalike letters.

    Returns ``""`` when they differ visibly (another letter, another length) or not at all.

    Examples
    --------
    >>> what_differs("Qarag\u0306an", "Qarag\u0306an".replace("g\u0306", "\u011f"))
    'they differ in Unicode normalisation: this one is NFD (decomposed), the other NFC (composed); save both as NFC'
    >>> what_differs("\u0410RE", "ARE")
    'the 1st letter is Cyrillic А (U+0410), not Latin A (U+0041)'
    >>> what_differs("UZZ", "UZB")
    ''
    """
    if text == other:
        return ""
    if unicodedata.normalize("NFC", text) == unicodedata.normalize("NFC", other):
        return (
            f"they differ in Unicode normalisation: this one is {_normal_form(text)}, the other "
            f"{_normal_form(other)}; save both as NFC"
        )
    if len(text) != len(other):
        return ""
    differing = [(i, a, b) for i, (a, b) in enumerate(zip(text, other, strict=True)) if a != b]
    if not all(a.isascii() != b.isascii() for _, a, b in differing):  # an ASCII typo, not a lookalike
        return ""
    return ", ".join(
        f"the {_ordinal(i + 1)} {'letter' if a.isalpha() else 'character'} is {_character(a)}, not {_character(b)}"
        for i, a, b in differing[:3]
    )


def _check_foreign_keys(
    tables: Tables, names: dict[str, str], fallbacks: set[str], unreadable: set[str]
) -> list[Problem]:
    problems = []
    for table, schema in table_schemas().items():
        if table in fallbacks:  # a bundled table is checked against the bundled sources, by the tests
            continue
        for fk in schema.foreign_keys:
            if fk.table in unreadable:  # its own problem says why; every row citing it would only repeat that
                continue
            (column,), (ref_column,) = fk.fields, fk.ref_fields
            known = set(tables[fk.table][ref_column].dropna())
            listed = sorted(str(k) for k in known)
            messages: dict[str, str] = {}  # one per distinct value
            for line, value in _bad_rows(tables[table], column, lambda v, known=known: v not in known):
                if value not in messages:
                    messages[value] = f"{value!r} is not listed in {names[fk.table]}{_lookalike(value, listed)}"
                problems.append(Problem(names[table], line, column, messages[value]))
    return problems


def _lookalike(value: str, listed: list[str]) -> str:
    """Return ``; did you mean 'X'? (how they differ)`` for a listed value ``value`` only looks like; or ``""``.

    Only text with a character beyond ASCII can look like another (a Cyrillic letter, a decomposed accent).
    """
    if value.isascii():
        return ""
    for other in listed:
        if differs := what_differs(value, other):
            return f"; did you mean {other!r}? ({differs})"
    return ""


def _check_rules(tables: Tables, names: dict[str, str]) -> list[Problem]:
    """Rules that tie two columns of one row together."""
    problems = []
    deals = tables.deals
    undisclosed = (deals["value_qualifier"] == "undisclosed").fillna(False)
    stated = deals["value_qualifier"].notna() & ~undisclosed
    for line in deals.index[undisclosed & deals["value_usd"].notna()]:
        problems.append(
            Problem(
                names["deals"],
                int(line),
                "value_usd",
                "a value is given but value_qualifier is 'undisclosed'",
            )
        )
    for line in deals.index[stated & deals["value_usd"].isna()]:
        problems.append(
            Problem(
                names["deals"],
                int(line),
                "value_usd",
                "value is empty; give it, or set value_qualifier to 'undisclosed'",
            )
        )
    trade = tables.trade
    for line in trade.index[(trade["origin"] == trade["destination"]).fillna(False)]:
        problems.append(Problem(names["trade"], int(line), "destination", "destination is the same as origin"))
    named: dict[str, tuple[str, int]] = {}
    for line, row in tables.regions.iterrows():
        if pd.isna(row["region"]) or pd.isna(row["region_name"]):
            continue
        first_name, first_line = named.setdefault(str(row["region"]), (str(row["region_name"]), int(line)))
        if str(row["region_name"]) != first_name:
            differs = what_differs(str(row["region_name"]), first_name)  # two names that look the same
            problems.append(
                Problem(
                    names["regions"],
                    int(line),
                    "region_name",
                    f"{row['region_name']!r} differs from {first_name!r} (line {first_line}) for region "
                    f"{row['region']!r}{f' ({differs})' if differs else ''}: give a region one name on every row",
                )
            )
    capitals = tables.places[tables.places["role"] == "capital"]
    seen: dict[str, int] = {}
    for line, country in _rows(capitals, "country"):
        first = seen.setdefault(country, line)
        if first != line:
            problems.append(Problem(names["places"], line, "role", f"{country} already has a capital (line {first})"))
    return problems


# Which location_precision values promise a point (lon/lat), per table.
_POINT_PRECISIONS = {"resources": {"exact", "approximate", "region"}, "events": {"city"}, "places": None}


def _check_points(tables: Tables, countries: gpd.GeoDataFrame, book: CodeBook, names: dict[str, str]) -> list[Problem]:
    problems = []
    shapes = dict(zip(countries["iso3"], countries.geometry, strict=True))
    for table, with_point in _POINT_PRECISIONS.items():
        frame = tables[table]
        for line, row in frame.iterrows():
            line = int(line)
            has_lon, has_lat = pd.notna(row["lon"]), pd.notna(row["lat"])
            if has_lon != has_lat:
                missing = "lat" if has_lon else "lon"
                problems.append(Problem(names[table], line, missing, "lon and lat go together; one is empty"))
                continue
            precision = row.get("location_precision")
            if with_point is not None and pd.notna(precision):
                if precision in with_point and not has_lon:
                    problems.append(
                        Problem(names[table], line, "lon", f"location_precision {precision!r} needs lon and lat")
                    )
                elif precision not in with_point and has_lon:
                    problems.append(
                        Problem(
                            names[table],
                            line,
                            "lon",
                            f"location_precision {precision!r} means no point; leave lon and lat empty",
                        )
                    )
                    continue
            if not has_lon or pd.isna(row["country"]) or not book.is_country(row["country"]):
                continue
            lon, lat, iso3 = float(row["lon"]), float(row["lat"]), str(row["country"])
            shape = shapes.get(iso3)
            if shape is None:
                continue
            if shape.distance(shapely.Point(lon, lat)) <= POINT_TOLERANCE_DEG:
                continue
            swapped = -90 <= lon <= 90 and shape.distance(shapely.Point(lat, lon)) <= POINT_TOLERANCE_DEG
            hint = "; lon and lat look swapped" if swapped else ""
            problems.append(Problem(names[table], line, "lon, lat", f"point ({lon}, {lat}) is not inside {iso3}{hint}"))
    return problems


def validate(
    data_dir: Path | None = None, *, countries: gpd.GeoDataFrame | None = None
) -> tuple[Tables, list[Problem]]:
    """Run every check on a data folder.

    Parameters
    ----------
    data_dir : pathlib.Path, optional
        A folder laid out like ``data/``; ``deals.csv`` and ``regions.csv`` are required.
        Default: the bundled data.
    countries : geopandas.GeoDataFrame, optional
        Boundaries that points must lie in (see
        :func:`c5map.boundaries.read_boundaries`); default the bundled 1:10m.

    Returns
    -------
    tables : Tables
        What could be read (cells with a problem are empty).
    problems : list of Problem
        Sorted by file, line and column; empty when the folder is clean.

    Examples
    --------
    >>> tables, problems = validate()
    >>> problems
    []
    """
    tables, _, problems = _validate(data_dir, countries, None)
    return tables, problems


def _validate(
    data_dir: Path | None, countries: gpd.GeoDataFrame | None, boundaries: Path | None
) -> tuple[Tables, gpd.GeoDataFrame | None, list[Problem]]:
    """Check a data folder and, if given, a boundary file of the user's against it.

    Returns the tables, the user's boundaries (None when not given or not
    usable: points are then checked against ``countries`` or the bundled
    1:10m) and every problem. The boundary file's warnings (repaired
    polygons, overlaps away from the data) go to ``tables.warnings``.
    """
    oversized = _oversized_tables(data_dir)
    if oversized:  # nothing read: every check needs every table
        return _no_tables(), None, oversized
    tables, problems = read_tables(data_dir)
    names = {name: display_path(path) if path else name + ".csv" for name, path in tables.paths.items()}
    bundled: set[str] = set()
    if data_dir is not None:
        bundled = {name for name, path in tables.paths.items() if path and path.parent != Path(data_dir)}
        names.update({name: f"{names[name]} (bundled; {Path(data_dir).name}/ has none)" for name in bundled})
    # Tables a file-level problem left empty (a folder for a file, another encoding): not a reference to check.
    unreadable = {t for t, path in tables.paths.items() if path is None} | {
        t for t in names if any(p.file == names[t] and p.line == 0 for p in problems)
    }
    book = build_code_book(country_names("10m"), tables.region_members())
    user, boundary_problems, boundary_warnings = None, [], []
    if boundaries is not None:
        user, boundary_problems, boundary_warnings = read_boundaries(boundaries, used=_used_countries(tables, book))
    countries = user if user is not None else load_countries("10m") if countries is None else countries
    from c5map.story import read_story_file, story_file

    path = story_file(tables) if data_dir is not None else None
    story_problems = read_story_file(path)[1] if path is not None else []
    across = (
        story_problems
        + _check_codes(tables, book, names)
        + _check_foreign_keys(tables, names, bundled, unreadable)
        + _check_rules(tables, names)
        + _check_points(tables, countries, book, names)
    )
    # A cell that failed its own check is empty in `tables`; rules about it would only repeat that.
    failed = {(p.file, p.line, p.column) for p in problems}
    # A column missing from, twice in or misspelled in a header fails every row; saying so per row buries the cause.
    failed_columns = {(p.file, p.voids_column) for p in problems if p.voids_column}
    problems += [
        p
        for p in across
        if (p.file, p.line, p.column) not in failed
        and not any((p.file, c.strip()) in failed_columns for c in p.column.split(","))
    ]
    problems += boundary_problems
    if boundary_warnings:
        tables = dataclasses.replace(tables, warnings=tables.warnings + tuple(boundary_warnings))
    return tables, user, sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.message))


def _oversized_tables(data_dir: Path | None) -> list[Problem]:
    """Return a problem for each table file of ``data_dir`` over :data:`MAX_TABLE_BYTES`, from its size alone."""
    if data_dir is None:
        return []
    problems = []
    for schema in table_schemas().values():
        path = Path(data_dir) / schema.path
        try:
            size = path.stat().st_size if path.is_file() else 0
        except OSError:  # unreadable: read_tables says why
            continue
        if size > MAX_TABLE_BYTES:
            message = (
                f"file is {size / 1e9:,.1f} GB; c5map reads tables of at most {MAX_TABLE_BYTES / 1e9:g} GB "
                "(MAX_TABLE_BYTES); for more trade rows use c5map import, which aggregates them; no table was read"
            )
            problems.append(Problem(display_path(path), 0, "", message))
    return problems


def _no_tables() -> Tables:
    """Return empty tables (nothing read)."""
    from c5map.tables import _empty_frame

    schemas = table_schemas()
    return Tables(**{name: _empty_frame(schema) for name, schema in schemas.items()}, paths=dict.fromkeys(schemas))


def _used_countries(tables: Tables, book: CodeBook) -> dict[str, str]:
    """Return every country code the tables use, each with where it is first used (``deals.csv:3``)."""
    used: dict[str, str] = {}
    for table, schema in table_schemas().items():
        file = tables.paths[table].name if tables.paths.get(table) else schema.path
        for spec in schema.fields:
            if spec.code is not None or (table, spec.name) == ("regions", "member"):
                for line, value in _rows(tables[table], spec.name):
                    if book.is_country(value):
                        used.setdefault(value, f"{file}:{line}")
    return dict(sorted(used.items()))


def drawing_warnings(tables: Tables) -> list[Problem]:
    """Return what valid tables hold that the maps cannot draw, as located warnings (a build goes on).

    The warnings found while checking the inputs (``tables.warnings``: a
    repaired boundary polygon, an overlap away from the data), and more: a
    deal or trade figure between two countries, one of which has no known
    capital (neither in ``places.csv`` nor in the bundled gazetteer), gets no
    arc or flow line. One warning per table, column and code, at its first
    row, saying how many more rows it concerns.
    """
    from c5map.layers import capitals

    known = set(capitals(tables)) | set(tables.region_members())
    warnings = list(tables.warnings)
    for table, ends in (("deals", ("partner", "country")), ("trade", ("origin", "destination"))):
        frame = tables[table]
        if frame.empty:
            continue
        name = display_path(tables.paths[table]) if tables.paths.get(table) else f"{table}.csv"
        a, b = (frame[c].astype("string") for c in ends)
        between = (a != b).fillna(False)
        for column, codes in zip(ends, (a, b), strict=True):
            missing = between & ~codes.isin(sorted(known)).fillna(True)
            for code, lines in codes[missing].groupby(codes[missing]).groups.items():
                first, more = int(min(lines)), len(lines) - 1
                also = f" (and {more:,} more row{'s' * (more != 1)})" if more else ""
                warnings.append(
                    Problem(
                        name,
                        first,
                        column,
                        f"no capital is known for {code!r}{also}: no line is drawn for it; "
                        "add its capital to places.csv (role capital)",
                    )
                )
    warnings += _screen_word_warnings(tables)
    return sorted(warnings, key=lambda p: (p.file, p.line, p.column))


def _screen_word_warnings(tables: Tables) -> list[Problem]:
    """Warn where a story subtitle speaks of a screen ("switch", "click"): images print another subtitle."""
    from c5map.story import _line_of, read_story_file, screen_words, story_file

    path = story_file(tables)
    if path is None:
        return []
    story, _ = read_story_file(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    warnings = []
    for page, words in sorted(story.get("maps", {}).items()):
        found = screen_words(words.get("subtitle", ""))
        if found and not words.get("print_subtitle"):
            warnings.append(Problem(
                display_path(path), _line_of(text, "subtitle", f"maps.{page}"), f"maps.{page}.subtitle",
                f"speaks of a screen ({', '.join(repr(w) for w in dict.fromkeys(found))}): the image of this map "
                "prints the derived subtitle instead; give print_subtitle for print",
            ))  # fmt: skip
    return warnings


def load_valid_tables(data_dir: Path | None = None, *, countries: gpd.GeoDataFrame | None = None) -> Tables:
    """Return the tables of a data folder, or raise :class:`DataError` with every problem."""
    tables, problems = validate(data_dir, countries=countries)
    if problems:
        raise DataError(problems)
    return tables


def load_inputs(data_dir: Path | None = None, boundaries: Path | None = None) -> tuple[Tables, gpd.GeoDataFrame | None]:
    """Read and check a data folder and, if given, a boundary file of your own; raise with every problem.

    Returns
    -------
    tables : Tables
    countries : geopandas.GeoDataFrame or None
        The user's boundaries (None: use the bundled Natural Earth).
    """
    tables, countries, problems = _validate(data_dir, None, boundaries)
    if problems:
        raise DataError(problems)
    return tables, countries
