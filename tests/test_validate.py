"""`c5map validate`: clean on the bundled data, precise on broken copies."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import replace_line

from c5map.cli import main
from c5map.validate import validate


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "c5map.cli", *args], capture_output=True, text=True, check=False)


def test_bundled_data_is_valid():
    _, problems = validate()
    assert problems == []


def test_cli_clean_exit_0():
    result = run_cli("validate")
    assert result.returncode == 0, result.stderr
    assert "valid (9 deals" in result.stdout


def test_copy_is_valid(data_copy):
    assert validate(data_copy)[1] == []


# (file, line, old text, new text, expected column, expected message fragment)
BREAKAGES = [
    ("deals.csv", 3, "2025-09", "2025-13", "date", "'2025-13' is not a date"),
    ("deals.csv", 3, ",USA,UZB,", ",USA,Uzbekstan,", "country", "did you mean 'UZB'?"),
    ("deals.csv", 4, ",USA,KAZ,", ",Kyrgyz Republic,KAZ,", "partner", "did you mean 'KGZ'?"),
    ("deals.csv", 4, "4200000000", "-4200000000", "value_usd", "below the minimum 0"),
    ("deals.csv", 4, "4200000000", "$4.2bn", "value_usd", "is not a number"),
    ("deals.csv", 4, "4200000000", "inf", "value_usd", "not a finite number"),
    ("deals.csv", 4, "4200000000", "nan", "value_usd", "not a finite number"),
    ("deals.csv", 4, ",exact,", ",exactly,", "value_qualifier", "did you mean 'exact'?"),
    (
        "deals.csv",
        4,
        "usa-kaz-wabtec-locomotives-2025",
        "usa-uzb-boeing-dreamliners-2025",
        "deal_id",
        "duplicate 'usa-uzb-boeing-dreamliners-2025' (first at line 3)",
    ),
    (
        "deals.csv",
        4,
        "aljazeera-2025-c5plus1",
        "aljazeera-2024",
        "source_id",
        "'aljazeera-2024' is not listed in",
    ),
    ("deals.csv", 9, ",undisclosed,", ",exact,", "value_usd", "value is empty"),
    ("trade.csv", 3, ",2023,", ",twenty,", "year", "is not a whole number"),
    ("trade.csv", 3, ",RUS,CHN,", ",RUS,RUS,", "destination", "same as origin"),
    ("trade.csv", 3, ",exports,", ",imports,", "measure", "not one of exports, total_trade"),
    ("resources.csv", 2, "73.10,49.80", "49.80,73.10", "lon, lat", "lon and lat look swapped"),
    ("resources.csv", 2, "73.10,49.80", "60.00,60.00", "lon, lat", "is not inside KAZ"),
    ("resources.csv", 2, "73.10,49.80", "73.10,", "lat", "lon and lat go together"),
    ("events.csv", 2, "66.96,39.65", "266.96,39.65", "lon", "above the maximum 180"),
    ("events.csv", 3, ",AFG,,,country,", ",AFG,69.17,34.53,country,", "lon", "means no point"),
    ("events.csv", 2, ",UZB,", ",C5,", "country", "is a region; this column takes a country code"),
    ("places.csv", 3, ",capital,", ",capitol,", "role", "did you mean 'capital'?"),
    ("regions.csv", 2, ",KAZ", ",KAZAKHSTAN", "member", "did you mean 'KAZ'?"),
]


@pytest.mark.parametrize(
    ("file", "line", "old", "new", "column", "message"),
    BREAKAGES,
    ids=[f"{b[0]}:{b[1]}:{b[4]}" for b in BREAKAGES],
)
def test_breakage_is_reported_at_its_place(data_copy, file, line, old, new, column, message):
    replace_line(data_copy / file, line, old, new)
    _, problems = validate(data_copy)
    located = [p for p in problems if p.file.endswith(file) and p.line == line and p.column == column]
    assert located, f"nothing at {file}:{line} {column}; got {[str(p) for p in problems]}"
    assert any(message in p.message for p in located), [p.message for p in located]
    # nothing else is reported: the breakage is named once, where it is
    assert len(problems) == 1, [str(p) for p in problems]


def test_cli_reports_every_problem_in_one_run(data_copy):
    replace_line(data_copy / "deals.csv", 3, "2025-09", "2025-13")
    replace_line(data_copy / "trade.csv", 4, ",exact,", ",precise,")
    replace_line(data_copy / "events.csv", 2, ",UZB,", ",UZZ,")
    result = run_cli("validate", "--data", str(data_copy))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "3 problems in 3 files; nothing was written"
    assert lines[0].endswith("deals.csv:3: date: '2025-13' is not a date as YYYY, YYYY-MM or YYYY-MM-DD")
    assert any(
        line.endswith(
            "events.csv:2: country: 'UZZ' is not a known country code "
            "(ISO 3166-1 alpha-3 / Natural Earth ADM0_A3); did you mean 'UZB'?"
        )
        for line in lines
    )
    assert any(
        line.endswith("trade.csv:4: value_qualifier: 'precise' is not one of exact, about, nearly, over, under")
        for line in lines
    )


def test_only_deals_and_regions_are_required(tmp_path, data_copy):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "deals.csv").write_bytes((data_copy / "deals.csv").read_bytes())
    _, problems = validate(user)
    # the region a build is about is the user's to name: no bundled table stands in for regions.csv
    assert (
        "regions.csv",
        "required table is missing (region codes and their member countries: one membership a row)",
    ) in [(p.file.split("/")[-1], p.message) for p in problems]
    (user / "regions.csv").write_bytes((data_copy / "regions.csv").read_bytes())
    tables, problems = validate(user)
    assert problems == []
    # no bundled story places either: capitals come from the gazetteer (c5map.gazetteer)
    assert len(tables.trade) == 0 and len(tables.places) == 0


def test_missing_deals_suggests_a_misnamed_file(tmp_path, data_copy):
    (data_copy / "deals.csv").rename(data_copy / "deal.csv")
    assert main(["validate", "--data", str(data_copy)]) == 2
    _, problems = validate(data_copy)
    assert len(problems) == 1 and "required table is missing; found 'deal.csv': rename it?" in problems[0].message


def test_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["validate", "--data", str(tmp_path / "nope")]) == 2
    assert "data folder does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"deal_id,date\xe9\n", "byte 0xE9 is not UTF-8 text"),
        ("deal_id,date".encode("utf-16"), "file is UTF-16 text"),
        (b'deal_id,date\n"x1,2025\n', "broken CSV quoting"),
    ],
)
def test_unreadable_files(data_copy, content, message):
    (data_copy / "deals.csv").write_bytes(content)
    _, problems = validate(data_copy)
    assert any(message in p.message for p in problems), [str(p) for p in problems]


def test_header_problems(data_copy):
    path = data_copy / "deals.csv"
    text = (
        path.read_text(encoding="utf-8")
        .replace("value_usd,", "value_usdd,", 1)
        .replace(",sector,", ",sector,sector,", 1)
    )
    path.write_text(text, encoding="utf-8")
    _, problems = validate(data_copy)
    messages = {(p.line, p.column, p.message) for p in problems if p.file.endswith("deals.csv")}
    assert (1, "value_usdd", "unknown column; did you mean 'value_usd'?") in messages
    assert (1, "sector", "column appears twice in the header") in messages


def test_excel_bom_is_accepted(data_copy):
    path = data_copy / "deals.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert validate(data_copy)[1] == []


def test_wrong_field_count_names_the_line(data_copy):
    path = data_copy / "trade.csv"
    with path.open("a", encoding="utf-8") as f:
        f.write("extra-row,2024,RUS\n")
    _, problems = validate(data_copy)
    assert [(p.line, p.message) for p in problems] == [(8, "row has 3 fields but the header has 12")]


def test_multiline_cell_keeps_line_numbers(data_copy):
    path = data_copy / "deals.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("collective value", "collective\nvalue", 1)
    lines[2] = lines[2].replace("2025-09", "2025-99")
    path.write_text("\n".join(lines), encoding="utf-8")
    _, problems = validate(data_copy)
    assert [(p.line, p.column) for p in problems] == [(4, "date")]


def test_own_sources_without_places(tmp_path, data_copy):
    """A folder with its own sources.csv and no places.csv is valid: capitals come from the gazetteer."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "regions.csv").write_bytes((data_copy / "regions.csv").read_bytes())
    (mine / "sources.csv").write_text("source_id,publisher,title,date,url,note\nmine,Me,My notes,2025,,\n")
    deals = (data_copy / "deals.csv").read_text(encoding="utf-8").replace("aljazeera-2025-c5plus1", "mine")
    (mine / "deals.csv").write_text(deals, encoding="utf-8")
    assert validate(mine)[1] == []


def test_misspelled_column_is_one_problem_wherever_the_header_is(data_copy):
    """The header says 'value_usdd': one problem, not one more per row for the empty value_usd it leaves."""
    path = data_copy / "deals.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",value_usd,", ",value_usdd,", 1), encoding="utf-8")
    _, on_line_one = validate(data_copy)
    assert [str(p).split("deals.csv")[-1] for p in on_line_one] == [
        ":1: value_usdd: unknown column; did you mean 'value_usd'?"
    ]
    path.write_text("\n\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    _, below_blank_lines = validate(data_copy)
    assert [(p.line, p.column, p.message) for p in below_blank_lines] == [
        (3, "value_usdd", "unknown column; did you mean 'value_usd'?")
    ]
