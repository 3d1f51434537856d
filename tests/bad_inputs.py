"""A corpus of broken inputs, made in code from the bundled tables (one mutation each).

Each case names what a user did wrong and every problem c5map must report for
it, as (file, line, column, words of the message). ``tests/test_bad_inputs.py``
runs ``c5map build`` on each and checks the report, the exit status, that no
traceback is shown and that nothing is written.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shapely

from c5map._paths import bundled_data_dir
from c5map.boundaries import load_countries

Expected = tuple[str, int, str, str]  # file name, line (0: whole file), column ("" for none), message words


@dataclass(frozen=True)
class BadInput:
    name: str
    break_it: Callable[[Path], None]
    expected: tuple[Expected, ...]
    boundaries: Callable[[Path], Path] | None = None
    extra_args: tuple[str, ...] = field(default=())


def edit(file: str, line: int, old: str, new: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / file
        lines = path.read_text(encoding="utf-8").split("\n")
        assert old in lines[line - 1], f"{old!r} not on {file}:{line}"
        lines[line - 1] = lines[line - 1].replace(old, new, 1)
        path.write_text("\n".join(lines), encoding="utf-8")

    return apply


def write(file: str, content: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / file).write_bytes(content)


def append(file: str, text: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        with (folder / file).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return apply


def remove(file: str) -> Callable[[Path], None]:
    return lambda folder: (folder / file).unlink()


def header_of(file: str) -> bytes:
    return (bundled_data_dir() / file).read_bytes().split(b"\n", 1)[0] + b"\n"


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        for step in steps:
            step(folder)

    return apply


def _c5_boundaries(folder: Path, how: str) -> Path:
    world = load_countries("10m")
    keep = world[
        world.iso3.isin(
            ["KAZ", "KGZ", "TJK", "TKM", "UZB", "USA", "CHN", "RUS", "AUS", "UKR", "IND", "TUR", "AFG", "KOR"]
        )
    ]
    frame = keep.rename(columns={"iso3": "ADM0_A3", "name": "NAME"})[["ADM0_A3", "NAME", "geometry"]]
    path = folder.parent / f"boundaries-{how}.gpkg"
    if how == "projected-but-labelled-4326":
        frame = frame.to_crs(3857).set_crs(4326, allow_override=True)
    elif how == "no-code-column":
        frame = frame.drop(columns=["ADM0_A3"])
    elif how == "bowtie":
        frame = frame.reset_index(drop=True)
        frame.loc[2, "geometry"] = shapely.Polygon([(60, 40), (70, 50), (70, 40), (60, 50), (60, 40)])
    elif how == "no-crs":  # a shapefile without its .prj (GeoJSON would always mean WGS 84)
        shp = folder.parent / "boundaries-no-crs.shp"
        frame.set_crs(None, allow_override=True).to_file(shp)
        return shp
    elif how == "not-gis":
        path = folder.parent / "boundaries.gpkg"
        path.write_text("this is not a GeoPackage")
        return path
    elif how == "lacks-countries":  # a file cut to the partners, two members forgotten
        frame = frame[~frame["ADM0_A3"].isin(["KGZ", "TJK"])]
    elif how == "empty-codes":
        frame = frame.reset_index(drop=True)
        frame.loc[[2, 3], "ADM0_A3"] = None
    elif how == "lon-0-360":  # longitudes as some climate and ocean tools write them
        frame = frame.set_geometry(shapely.transform(frame.geometry.values, lambda xy: xy + [[360.0, 0]] * (xy < 0)))
    elif how == "overlap":  # Turkmenistan drawn over Uzbekistan
        frame = frame.reset_index(drop=True)
        tkm, uzb = (frame.index[frame["ADM0_A3"] == code][0] for code in ("TKM", "UZB"))
        frame.loc[tkm, "geometry"] = frame.geometry[tkm].union(frame.geometry[uzb])
    elif how == "etrs89-shapefile":  # ETRS89 (EPSG:4258): a geographic CRS other than WGS 84
        shp = folder.parent / "boundaries-etrs89.shp"
        frame.set_crs(4258, allow_override=True).to_file(shp)
        return shp
    frame.to_file(path)
    return path


def make_folder(file: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        (folder / file).unlink()
        (folder / file).mkdir()

    return apply


def boundaries(how: str) -> Callable[[Path], Path]:
    return lambda folder: _c5_boundaries(folder, how)


NO_CHANGE = lambda folder: None  # noqa: E731

CASES: list[BadInput] = [
    # bytes that are not UTF-8, as Excel's plain "CSV" writes é in a Western locale
    BadInput(
        "latin-1 bytes",
        lambda folder: (folder / "deals.csv").write_bytes(
            (folder / "deals.csv").read_bytes().replace(b"Temir Zholy", "Temir Zholy caf\xe9".encode("latin-1"), 1)
        ),
        (("deals.csv", 4, "", "byte 0xE9 is not UTF-8 text"),),
    ),
    BadInput(
        "utf-16 file",
        write("trade.csv", "flow_id,year\n".encode("utf-16")),
        (("trade.csv", 0, "", "file is UTF-16 text"),),
    ),
    BadInput("empty file", write("deals.csv", b""), (("deals.csv", 0, "", "file is empty"),)),
    BadInput(
        "header only",
        write("deals.csv", header_of("deals.csv")),
        (("deals.csv", 1, "", "no rows: deals.csv needs at least one record"),),
    ),
    BadInput(
        "missing required column",
        edit("deals.csv", 1, ",value_qualifier,", ",qualifier,"),
        (
            ("deals.csv", 1, "value_qualifier", "required column is missing"),
            ("deals.csv", 1, "qualifier", "unknown column; did you mean 'value_qualifier'?"),
        ),
    ),
    BadInput(
        "extra column",
        edit("events.csv", 1, "participants", "participants,notes"),
        (("events.csv", 1, "notes", "unknown column"),)
        + tuple(("events.csv", line, "", "row has 12 fields but the header has 13") for line in range(2, 12)),
    ),
    BadInput(
        "duplicate column",
        edit("places.csv", 1, ",lat,", ",lon,"),
        (("places.csv", 1, "lon", "column appears twice"), ("places.csv", 1, "lat", "required column is missing")),
    ),
    BadInput(
        "text in a number column",
        edit("deals.csv", 3, "8000000000", "eight billion"),
        (("deals.csv", 3, "value_usd", "'eight billion' is not a number"),),
    ),
    BadInput(
        "decimal year",
        edit("trade.csv", 2, ",2024,", ",2024.5,"),
        (("trade.csv", 2, "year", "'2024.5' is not a whole number"),),
    ),
    BadInput(
        "day-first date",
        edit("events.csv", 11, "2025-11-06", "06/11/2025"),
        (("events.csv", 11, "date", "'06/11/2025' is not a date as YYYY, YYYY-MM or YYYY-MM-DD"),),
    ),
    BadInput(
        "impossible date",
        edit("deals.csv", 5, "2025-09", "2025-02-30"),
        (("deals.csv", 5, "date", "'2025-02-30' is not a date"),),
    ),
    BadInput(
        "NaN value",
        edit("trade.csv", 3, "129000000000", "NaN"),
        (("trade.csv", 3, "value_usd", "'NaN' is not a finite number"),),
    ),
    BadInput(
        "infinite value",
        edit("resources.csv", 3, "44000000", "inf"),
        (("resources.csv", 3, "quantity", "'inf' is not a finite number"),),
    ),
    BadInput(
        "absurd value",
        edit("deals.csv", 3, "8000000000", "8000000000000000"),
        (("deals.csv", 3, "value_usd", "above the maximum 1e+14"),),
    ),
    BadInput(
        "negative value",
        edit("trade.csv", 4, "66100000000", "-66100000000"),
        (("trade.csv", 4, "value_usd", "below the minimum 0"),),
    ),
    BadInput(
        "duplicate id",
        edit("events.csv", 3, "us-withdrawal-afghanistan-2021", "c5plus1-founded-samarkand-2015"),
        (("events.csv", 3, "event_id", "duplicate 'c5plus1-founded-samarkand-2015' (first at line 2)"),),
    ),
    BadInput(
        "unknown code",
        edit("trade.csv", 4, ",RUS,IND,", ",RUS,XYZ,"),
        (("trade.csv", 4, "destination", "'XYZ' is not a known country or region code"),),
    ),
    BadInput(
        "name instead of code",
        edit("deals.csv", 4, ",USA,KAZ,", ",USA,Kazakhstan,"),
        (("deals.csv", 4, "country", "did you mean 'KAZ'?"),),
    ),
    BadInput(
        "lowercase code",
        edit("deals.csv", 5, ",CHN,KAZ,", ",chn,KAZ,"),
        (("deals.csv", 5, "partner", "did you mean 'CHN'?"),),
    ),
    BadInput(
        "swapped lat/lon",
        edit("places.csv", 5, "71.45,51.18", "51.18,71.45"),
        (("places.csv", 5, "lon, lat", "lon and lat look swapped"),),
    ),
    BadInput(
        "point outside its country",
        edit("events.csv", 2, "66.96,39.65", "76.96,39.65"),
        (("events.csv", 2, "lon, lat", "is not inside UZB"),),
    ),
    BadInput(
        "latitude out of range",
        edit("places.csv", 2, "38.90", "98.90"),
        (("places.csv", 2, "lat", "above the maximum 90"),),
    ),
    BadInput(
        "unknown qualifier",
        edit("trade.csv", 2, ",over,", ",exceeded,"),
        (("trade.csv", 2, "value_qualifier", "'exceeded' is not one of"),),
    ),
    BadInput(
        "undisclosed with a value",
        edit("deals.csv", 9, ",,undisclosed,", ",5,undisclosed,"),
        (("deals.csv", 9, "value_usd", "a value is given but value_qualifier is 'undisclosed'"),),
    ),
    BadInput(
        "missing value",
        edit("deals.csv", 6, "8500000000", ""),
        (("deals.csv", 6, "value_usd", "value is empty; give it, or set value_qualifier to 'undisclosed'"),),
    ),
    BadInput(
        "unknown source",
        edit("resources.csv", 2, "aljazeera-2025-c5plus1", "ministry-2025"),
        (("resources.csv", 2, "source_id", "'ministry-2025' is not listed in"),),
    ),
    BadInput(
        "ragged row",
        append("trade.csv", "extra-flow,2024,RUS,KAZ,exports,1,exact\n"),
        (("trade.csv", 8, "", "row has 7 fields but the header has 12"),),
    ),
    BadInput(
        "broken quoting",
        append("deals.csv", 'broken,2025,USA,KAZ,1,exact,agreements,trade,,"unclosed\n'),
        (("deals.csv", 11, "", "broken CSV quoting"),),
    ),
    BadInput(
        "spaces around a code",
        edit("deals.csv", 3, ",USA,UZB,", ",USA, UZB,"),
        (("deals.csv", 3, "country", "' UZB' has spaces around it"),),
    ),
    BadInput(
        "region where a country is needed",
        edit("events.csv", 2, ",UZB,", ",C5,"),
        (("events.csv", 2, "country", "'C5' is a region; this column takes a country code"),),
    ),
    BadInput(
        "trade with itself",
        edit("trade.csv", 5, ",RUS,TUR,", ",TUR,TUR,"),
        (("trade.csv", 5, "destination", "destination is the same as origin"),),
    ),
    BadInput(
        "two capitals",
        edit("places.csv", 17, ",city,", ",capital,"),
        (("places.csv", 17, "role", "USA already has a capital (line 2)"),),
    ),
    BadInput(
        "region code that is a country code",
        edit("regions.csv", 2, "C5,", "KAZ,"),
        (("regions.csv", 2, "region", "'KAZ' is a country code"),),
    ),
    BadInput(
        "deals.csv misnamed",
        lambda f: (f / "deals.csv").rename(f / "Deals.csv"),
        (("deals.csv", 0, "", "required table is missing; found 'Deals.csv': rename it?"),),
    ),
    BadInput(
        "several problems in several files",
        both(edit("deals.csv", 3, "2025-09", "2025-9"), edit("trade.csv", 2, ",C5,", ",CA,")),
        (
            ("deals.csv", 3, "date", "'2025-9' is not a date"),
            ("trade.csv", 2, "destination", "'CA' is not a known country or region code"),
        ),
    ),
    BadInput(
        "boundaries in metres labelled as degrees",
        NO_CHANGE,
        (("boundaries-projected-but-labelled-4326.gpkg", 0, "geometry", "looks projected"),),
        boundaries("projected-but-labelled-4326"),
    ),
    BadInput(
        "boundaries without a CRS",
        NO_CHANGE,
        (("boundaries-no-crs.shp", 0, "", "file has no CRS"),),
        boundaries("no-crs"),
    ),
    BadInput(
        "boundaries without codes",
        NO_CHANGE,
        (("boundaries-no-code-column.gpkg", 0, "ADM0_A3", "no 'ADM0_A3' or 'iso3' column"),),
        boundaries("no-code-column"),
    ),
    BadInput(
        "invalid boundary polygon",
        NO_CHANGE,
        (("boundaries-bowtie.gpkg", 3, "geometry", "invalid polygon (Self-intersection"),),
        boundaries("bowtie"),
    ),
    BadInput(
        "boundary file that is not GIS",
        NO_CHANGE,
        (("boundaries.gpkg", 0, "", "not a boundary file GDAL can read"),),
        boundaries("not-gis"),
    ),
    # issue 17: valid-looking data that was accepted, crashed or was misnamed
    BadInput(
        "boundaries lacking countries the data uses",
        NO_CHANGE,
        (
            (
                "boundaries-lacks-countries.gpkg",
                0,
                "ADM0_A3",
                "lacks 2 countries the data uses: KGZ (places.csv:6), TJK (events.csv:7)",
            ),
        ),
        boundaries("lacks-countries"),
    ),
    BadInput(
        "boundaries with empty codes",
        NO_CHANGE,
        (
            ("boundaries-empty-codes.gpkg", 3, "ADM0_A3", "empty code"),
            ("boundaries-empty-codes.gpkg", 4, "ADM0_A3", "empty code"),
        ),
        boundaries("empty-codes"),
    ),
    BadInput(
        "boundaries with longitudes 0-360",
        NO_CHANGE,
        (("boundaries-lon-0-360.gpkg", 0, "geometry", "from 0 to 360 rather than -180 to 180"),),
        boundaries("lon-0-360"),
    ),
    BadInput(
        "overlapping boundaries",
        NO_CHANGE,
        (("boundaries-overlap.gpkg", 14, "geometry", "TKM and UZB overlap (100.0% of the smaller one), and the data"),),
        boundaries("overlap"),
    ),
    BadInput(
        "point in another country, boundaries in ETRS89",
        edit("events.csv", 2, "66.96,39.65", "-47.93,-15.78"),  # Brasília, coded UZB
        (("events.csv", 2, "lon, lat", "point (-47.93, -15.78) is not inside UZB"),),
        boundaries("etrs89-shapefile"),
    ),
    BadInput(
        "vertical tab in a cell",
        edit("deals.csv", 3, "Boeing", "Boe\x0bing"),
        (("deals.csv", 3, "parties", "holds the control character U+000B (VT)"),),
    ),
    BadInput(
        "terminal escape in a cell",
        edit("events.csv", 2, "Samarkand", "\x1b[8mSamarkand"),
        (("events.csv", 2, "place", "holds the control character U+001B (ESC) at character 1"),),
    ),
    BadInput(
        "unterminated right-to-left override",
        edit("sources.csv", 2, "Al Jazeera", "Al \u202eJazeera"),
        (("sources.csv", 2, "publisher", "U+202E (RIGHT-TO-LEFT OVERRIDE) at character 4 is never closed"),),
    ),
    BadInput(
        "cell too long",
        edit("events.csv", 2, "Samarkand", "S" * 6000),
        (("events.csv", 2, "place", "cell is 6,000 characters long; the limit is 5,000"),),
    ),
    BadInput(
        "implausible year",
        edit("deals.csv", 5, "2025-09", "9999"),
        (("deals.csv", 5, "date", "'9999' is outside the years c5map accepts (1900-2100)"),),
    ),
    BadInput(
        "arabic-indic digits in a date",
        edit("events.csv", 11, "2025-11-06", "\u0662\u0660\u0662\u0665-\u0661\u0661-\u0660\u0666"),
        (("events.csv", 11, "date", "is written with arabic-indic digits; write dates with the digits 0-9"),),
    ),
    BadInput(
        "utf-32 file",
        write("trade.csv", "flow_id,year\n".encode("utf-32")),
        (("trade.csv", 0, "", "file is UTF-32 text; c5map reads UTF-8"),),
    ),
    BadInput(
        "utf-16 without a byte-order mark",
        write("trade.csv", "flow_id,year\nx,2024\n".encode("utf-16-le")),
        (("trade.csv", 0, "", "looks like UTF-16 (little-endian) text without a byte-order mark; c5map reads UTF-8"),),
    ),
    BadInput(
        "sources.csv is a folder",
        make_folder("sources.csv"),
        (("sources.csv", 0, "", "is a folder; sources.csv must be a CSV file"),),
    ),
    BadInput(
        "one region, two names",
        edit("regions.csv", 4, "Central Asia (C5)", "Central Asia"),
        (("regions.csv", 4, "region_name", "'Central Asia' differs from 'Central Asia (C5)' (line 2)"),),
    ),
]


def materialise(case: BadInput, root: Path) -> tuple[Path, Path | None]:
    """Write the bundled CSV tables to root/data, break them as the case says; return (data, boundaries)."""
    data = root / "data"
    data.mkdir(parents=True)
    for csv in bundled_data_dir().glob("*.csv"):
        shutil.copy(csv, data / csv.name)
    case.break_it(data)
    return data, case.boundaries(data) if case.boundaries else None
