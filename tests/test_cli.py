"""The ``c5map`` command as a user meets it: help, misspellings, a file given as --data, other CSV dialects."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from c5map.schema import table_schemas
from c5map.tables import read_table

SAVE_AS_CSV = 'c5map reads comma-separated CSV: save it as "CSV UTF-8 (Comma delimited)"'


def c5map(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "c5map.cli", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )


def rewrite_with_delimiter(path: Path, delimiter: str) -> None:
    """Write a CSV file again the way a spreadsheet would with another delimiter (quoting what needs it)."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, delimiter=delimiter, lineterminator="\r\n").writerows(rows)


def test_help_describes_the_tool_with_examples():
    result = c5map("--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # argparse wraps the description
    assert "interactive web maps, print images (PNG, SVG) and GIS layers" in text
    assert "any region" in text
    for example in (
        "c5map validate --data my-folder/",
        "c5map build --region C5 --data my-folder/ --out site/",
        "c5map export --format gpkg --out c5map.gpkg",
    ):
        assert f"\n  {example}\n" in result.stdout  # the epilog keeps its lines as written
    for command in ("validate", "build", "export"):
        assert f"\n    {command} " in result.stdout


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("validate", "Check a data folder without writing anything"),
        ("build", "Validate a data folder, then write the interactive web maps"),
        ("export", "Validate a data folder, then write its GIS layers"),
    ],
)
def test_each_command_says_what_it_does(command, says):
    result = c5map(command, "--help")
    assert result.returncode == 0, result.stderr
    assert says in " ".join(result.stdout.split())
    assert ("--region CODE" in result.stdout) == (command != "validate")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--tile", "none"], "c5map build: unknown option '--tile'; did you mean '--tiles'?"),
        (["build", "--no-image"], "c5map build: unknown option '--no-image'; did you mean '--no-images'?"),
        (["build", "--self"], "c5map build: unknown option '--self'; did you mean '--self-contained'?"),
        (["export", "--lyaer=flows"], "c5map export: unknown option '--lyaer'; did you mean '--layer'?"),
        (
            ["validate", "--boundary", "x.gpkg"],
            "c5map validate: unknown option '--boundary'; did you mean '--boundaries'?",
        ),
        (["bulid"], "c5map: unknown command 'bulid'; did you mean 'build'?"),
        (["exprot", "--format", "gpkg"], "c5map: unknown command 'exprot'; did you mean 'export'?"),
        (["draw"], "c5map: unknown command 'draw'; the commands are validate, build, export"),
        (
            ["export", "--format", "gpk"],
            "invalid choice: 'gpk' (choose from geojson, gpkg, parquet); did you mean 'gpkg'?",
        ),
    ],
)
def test_a_misspelling_names_what_was_meant(args, message):
    result = c5map(*args)
    assert result.returncode == 2
    assert message in result.stderr.splitlines()[-1]
    assert result.stderr.startswith("usage: c5map")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_an_option_nothing_resembles_lists_the_options():
    result = c5map("build", "--zzz")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "c5map build: unknown option '--zzz'; its options are -h, --help, --data, --out, --region" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "c5map: error: the following arguments are required: COMMAND"),
        (["validate", "my-folder"], "c5map: error: unrecognized arguments: my-folder"),
        (["build", "--tiles"], "c5map build: error: argument --tiles: expected one argument"),
    ],
)
def test_other_usage_errors_are_argparse_s_own(args, message):
    result = c5map(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == message


@pytest.mark.parametrize("command", ["validate", "build", "export"])
def test_data_naming_a_file_points_at_its_folder(command, data_copy, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    writes_to = {"validate": [], "build": ["--out", str(out)], "export": ["--out", str(out / "flows.geojson")]}
    result = c5map(command, "--data", "data/deals.csv", *writes_to[command], cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.splitlines() == [
        "data/deals.csv: is a file, but --data takes the folder that holds the tables; did you mean --data data?",
        "1 problem in 1 file; nothing was written",
    ]
    assert list(out.iterdir()) == []


def test_data_naming_no_folder_says_so(tmp_path):
    result = c5map("validate", "--data", "missing", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == "missing: data folder does not exist"


@pytest.mark.parametrize(("delimiter", "named"), [(";", "semicolon-delimited (;)"), ("\t", "tab-delimited")])
def test_a_table_with_another_delimiter_is_one_problem(delimiter, named, data_copy, tmp_path):
    rewrite_with_delimiter(data_copy / "deals.csv", delimiter)
    result = c5map("validate", "--data", "data", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"data/deals.csv:1: file is {named}; {SAVE_AS_CSV}",
        "1 problem in 1 file; nothing was written",
    ]


def test_the_delimiter_is_read_from_the_header_after_blank_lines(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("\n\r\nevent_id;date;name\ne1;2025-11-06;summit\n", encoding="utf-8")
    frame, problems = read_table(path, table_schemas()["events"])
    assert len(frame) == 0
    assert [(p.line, p.column, p.message) for p in problems] == [
        (3, "", f"file is semicolon-delimited (;); {SAVE_AS_CSV}")
    ]


def test_semicolons_in_a_comma_separated_file_are_only_text(tmp_path):
    schema = table_schemas()["events"]
    path = tmp_path / "events.csv"
    # one column whose name holds no ';': an ordinary header problem, not a dialect
    path.write_text("event_id\ne1\n", encoding="utf-8")
    _, problems = read_table(path, schema)
    assert problems and not any("delimited" in p.message for p in problems)
    # a header that is mostly right, with one ';' typo: its columns are reported, not the dialect
    header = ",".join(schema.column_names).replace(",", ";", 1)
    path.write_text(header + "\n", encoding="utf-8")
    _, problems = read_table(path, schema)
    assert problems and not any("delimited" in p.message for p in problems)
