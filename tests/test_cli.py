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


SAHEL = Path(__file__).resolve().parent / "data" / "sahel-synthetic"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--scheme", "quantiles", "--k", "1"], "c5map build: --k 1: give 2 to 7 classes"),
        (["--scheme", "user", "--breaks", "5e9,1e9"], "c5map build: --breaks 5e9,1e9: not increasing: 1e9 comes "),
        (["--breaks", "1e9,5e9"], "c5map build: --breaks needs --scheme user"),
        (["--scheme", "quantiles", "--k", "6"], "c5map build: --k 6: the influence page has 4 distinct figures to "),
    ],
)
def test_bad_class_options_are_located_usage_errors_and_write_nothing(options, message, tmp_path):
    result = c5map("build", "--out", str(tmp_path / "out"), "--tiles", "none", "--no-images", *options)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith(message), result.stderr
    assert not (tmp_path / "out" / "maps").exists()


def test_a_scheme_classes_the_pages_and_their_print_images(tmp_path):
    """The web legend and the SVG's (drawn in forked workers) both say the scheme's classes."""
    from c5map.boundaries import web_countries
    from c5map.classify import using
    from c5map.format import format_usd
    from c5map.maps.style import class_labels
    from c5map.scenes.influence import influence_scene
    from c5map.story import story_for
    from c5map.validate import load_valid_tables

    result = c5map("build", "--data", str(SAHEL), "--out", str(tmp_path), "--tiles", "none",
                   "--scheme", "natural_breaks", "--k", "3")  # fmt: skip
    assert result.returncode == 0, result.stderr
    tables = load_valid_tables(SAHEL)
    story = story_for(tables)
    with using("natural_breaks", k=3):
        scene = influence_scene(tables, story, web_countries(list(story.members)))
    labels = class_labels(scene.breaks, format_usd)
    assert len(labels) == 3
    svg = (tmp_path / "maps" / "svg" / "influence.svg").read_text(encoding="utf-8")
    page = (tmp_path / "maps" / "influence.html").read_text(encoding="utf-8")
    for label in labels:
        assert label in svg
        assert label.replace("$", "\\u0026#36;") in page
    assert "less than $2bn" not in svg  # the 1-2-5 ladder's first class is not


def test_a_build_whose_pages_need_the_network_says_so_once(tmp_path):
    result = c5map("build", "--out", str(tmp_path), "--no-images")
    assert result.returncode == 0, result.stderr
    hints = [line for line in result.stderr.splitlines() if "--self-contained --tiles none" in line]
    assert len(hints) == 1 and hints[0].startswith("note: the pages load scripts or styles from cdn.jsdelivr.net")
    assert "map tiles from server.arcgisonline.com" in hints[0]


def test_a_self_contained_build_without_tiles_says_nothing_of_the_network(tmp_path):
    result = c5map("build", "--out", str(tmp_path), "--no-images", "--self-contained", "--tiles", "none")
    assert result.returncode == 0, result.stderr
    assert "network" not in result.stderr and "--self-contained" not in result.stderr
    result = c5map("build", "--out", str(tmp_path), "--no-images", "--self-contained")  # Leaflet inline, web tiles
    hints = [line for line in result.stderr.splitlines() if "--self-contained --tiles none" in line]
    assert len(hints) == 1 and "offline they show no base map" in hints[0] and "scripts" not in hints[0]
