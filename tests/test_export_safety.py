"""`c5map export` and the build's geo/ meet the build's bar (issue #24, rows 1, 2, 8, 13, 17).

No test writes to /dev/null or any real device: a FIFO, and a character device node made in tmp_path where
this user may (root), stand in for it. Code from before these fixes replaced the node itself by a regular file.
"""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

import pyarrow.parquet
import pyogrio
import pytest

from c5map.cli import _run, build_parser, main
from c5map.spreadsheet import FORMULA_STARTS

# The payloads: each would run in Excel, LibreOffice or Sheets if a CSV cell started with it.
FORMULAS = ['=HYPERLINK("https://example.invalid/?leak","Source")', "@SUM(1+1)", "+1+1", "-1+1"]


def _export(*argv: str) -> int:
    """Run ``c5map export ARGV`` as the command does: c5map's parser, cli's error handling and exit statuses."""
    args = build_parser().parse_args(["export", *argv])
    return _run(args)


def _special(tmp_path: Path, kind: str) -> Path:
    """A FIFO, or a character device node like /dev/null (1, 3) made in tmp_path; skip where it cannot be made."""
    path = tmp_path / kind
    if kind == "fifo":
        os.mkfifo(path)
        return path
    if os.geteuid() != 0:
        pytest.skip("only root may make a device node; the FIFO case covers the rest")
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:  # a container without CAP_MKNOD
        pytest.skip("this container may not make device nodes; the FIFO case covers the rest")
    return path


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` with its file type and inode: what a refused command must leave as it was."""
    return {str(p.relative_to(folder)): (stat.S_IFMT(p.lstat().st_mode), p.lstat().st_ino) for p in folder.rglob("*")}


# -- row 1: a device or FIFO as the target ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "device"])
@pytest.mark.parametrize(
    "args",
    [["--layer", "flows"], ["--format", "parquet", "--layer", "countries"], ["--format", "gpkg"], []],
    ids=["geojson-layer", "parquet-layer", "gpkg", "all-layers"],
)
def test_export_refuses_a_device_or_fifo_and_writes_nothing(tmp_path, monkeypatch, capsys, kind, args):
    """Row 1: exit 0 before, the node replaced by a regular file and ``flow_figures.csv`` written beside it."""
    target = _special(tmp_path, kind)
    mode = target.lstat().st_mode
    monkeypatch.chdir(tmp_path)
    before = _listing(tmp_path)
    assert _export(*args, "--out", kind) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line
    what = "named pipe (FIFO)" if kind == "fifo" else "character device"
    assert err.startswith(f"{kind}: is a {what}, not a "), err
    assert target.lstat().st_mode == mode  # still the node it was
    assert _listing(tmp_path) == before  # nothing written beside it


def test_build_refuses_a_fifo_as_an_output_folder(tmp_path, capsys):
    """Row 1 for the build: a FIFO at ``OUT/geo`` was swapped away and deleted before; now refused, one line."""
    out = tmp_path / "site"
    out.mkdir()
    os.mkfifo(out / "geo")
    before = _listing(tmp_path)
    assert main(["build", "--out", str(out), "--no-images", "--tiles", "none"]) == 2
    err = capsys.readouterr().err
    assert f"{out / 'geo'}: is a named pipe (FIFO), not a folder" in err
    assert "wrote" not in err
    assert _listing(tmp_path) == before


# -- row 2: every CSV is safe in a spreadsheet; GeoPackage and Parquet keep the exact text ------------------------


def _with_formulas(data: Path) -> None:
    """Put the formula payloads in every free-text cell of the trade and deals figures that reach flow_figures."""
    n = 0
    for name, columns in (("trade.csv", ["attributed_to", "note"]), ("deals.csv", ["attributed_to", "note"])):
        with (data / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            for column in columns:
                row[column] = f"{FORMULAS[n % len(FORMULAS)]} #{n}"
                n += 1
        with (data / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def _check_csv(path: Path) -> set[str]:
    """Assert that no text cell of ``path`` starts as a formula and numbers are numbers; return the payloads seen."""
    seen = set()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows, path
    for row in rows:
        float(row["value_usd"] or 0)  # a number column stays a number, never "'..."
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS), (path.name, column, cell)
            seen |= {payload for payload in FORMULAS if cell.startswith("'" + payload)}
    return seen


def test_every_csv_marks_formulas_as_text_and_gis_files_keep_them(data_copy, tmp_path):
    """Row 2: ``geo/flow_figures.csv`` and export's CSV kept ``=HYPERLINK(...)`` and the rest live before."""
    _with_formulas(data_copy)
    out = tmp_path / "out"
    assert main(["build", "--data", str(data_copy), "--out", str(out), "--no-images", "--tiles", "none"]) == 0
    assert _check_csv(out / "geo" / "flow_figures.csv") == set(FORMULAS)
    for path in (out / "geo").glob("*.csv"):
        _check_csv(path)
    # the GeoPackage keeps the exact text, apostrophe-free
    table = pyogrio.read_dataframe(out / "geo" / "c5map.gpkg", layer="flow_figures")
    texts = [*table["attributed_to"], *table["note"]]
    assert {p for p in FORMULAS if any(t.startswith(p) for t in texts)} == set(FORMULAS)
    assert not any(t.startswith("'") for t in texts)

    exp = tmp_path / "exp"
    exp.mkdir()
    assert _export("--data", str(data_copy), "--layer", "flows", "--out", str(exp / "f.geojson")) == 0
    assert _check_csv(exp / "f.flow_figures.csv") == set(FORMULAS)
    parquet = ["--format", "parquet", "--layer", "flows", "--out", str(exp / "f.parquet")]
    assert _export("--data", str(data_copy), *parquet) == 0
    table = pyarrow.parquet.read_table(exp / "f.flow_figures.parquet")
    texts = table.column("attributed_to").to_pylist() + table.column("note").to_pylist()
    assert {p for p in FORMULAS if any(t.startswith(p) for t in texts)} == set(FORMULAS)


# -- row 8: tables beside --out are named after it, and a file of yours is never replaced -------------------------


def test_export_names_its_tables_after_out_and_never_replaces_your_file(tmp_path, capsys):
    """Row 8: ``exp/flow_figures.csv`` (yours) was overwritten by ``export --layer flows --out exp/myflows.geojson``."""
    exp = tmp_path / "exp"
    exp.mkdir()
    yours = exp / "flow_figures.csv"
    yours.write_text("my own notes\n")
    assert _export("--layer", "flows", "--out", str(exp / "myflows.geojson")) == 0
    assert yours.read_text() == "my own notes\n"
    assert sorted(p.name for p in exp.iterdir()) == [
        "flow_figures.csv", "myflows.flow_figures.csv", "myflows.geojson", "myflows.qml"
    ]  # fmt: skip
    assert len(pyogrio.read_dataframe(exp / "myflows.geojson")) > 0
    err = capsys.readouterr().err
    assert err.splitlines() == [f"wrote {exp / 'myflows.geojson'}", f"wrote {exp / 'myflows.qml'}",
                                f"wrote {exp / 'myflows.flow_figures.csv'}"]  # fmt: skip
    # run again: its own files are recognised and replaced
    assert _export("--layer", "flows", "--out", str(exp / "myflows.geojson")) == 0
    capsys.readouterr()

    # a file of yours that happens to have the table's new name: refused, named, nothing written
    (exp / "myflows.flow_figures.csv").write_text("also mine\n")
    before = {p.name: p.read_bytes() for p in exp.iterdir()}
    assert _export("--layer", "flows", "--out", str(exp / "myflows.geojson")) == 2
    err = capsys.readouterr().err
    assert f"{exp / 'myflows.flow_figures.csv'}: exists and was not written by c5map" in err
    assert {p.name: p.read_bytes() for p in exp.iterdir()} == before

    # a QGIS style of yours where c5map's would go (QGIS opens myflows.geojson with myflows.qml): refused too
    (exp / "myflows.flow_figures.csv").unlink()
    (exp / "myflows.qml").write_text("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis/>\n")
    before = {p.name: p.read_bytes() for p in exp.iterdir()}
    assert _export("--layer", "flows", "--out", str(exp / "myflows.geojson")) == 2
    assert f"{exp / 'myflows.qml'}: exists and was not written by c5map" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in exp.iterdir()} == before


def test_export_never_replaces_your_parquet_or_your_files_in_its_folder(tmp_path, capsys):
    """Row 8 for Parquet (``country_figures.parquet``) and for every layer into a folder."""
    exp = tmp_path / "exp"
    exp.mkdir()
    (exp / "country_figures.parquet").write_bytes(b"mine")
    args = ["--format", "parquet", "--layer", "countries", "--out", str(exp / "c.parquet")]
    assert _export(*args) == 0
    assert (exp / "country_figures.parquet").read_bytes() == b"mine"
    assert _export(*args) == 0  # its own Parquet is recognised (c5map's mark in the pandas metadata)
    assert pyarrow.parquet.read_table(exp / "c.country_figures.parquet").num_rows > 0

    folder = tmp_path / "geo"
    assert _export("--out", str(folder)) == 0
    assert _export("--out", str(folder)) == 0  # again: every file in it is c5map's
    (folder / "flows.geojson").write_text('{"type": "FeatureCollection", "name": "flows", "features": []}\n')
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert _export("--out", str(folder)) == 2
    assert f"{folder / 'flows.geojson'}: exists and was not written by c5map" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_all_layers_to_a_geojson_path_is_an_error_that_suggests_a_folder(tmp_path, capsys):
    """Issue #25: ``export --out sahel.geojson`` made a folder named ``sahel.geojson``."""
    assert _export("--out", str(tmp_path / "sahel.geojson")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "names a file" in err and f"--out {tmp_path / 'sahel'}/" in err
    assert "--format gpkg" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "out", "advice"),
    [
        (["--format", "gpkg"], "sahel.geojson", "give --format geojson or --out {dir}/sahel.gpkg"),
        (["--layer", "flows"], "flows.parquet", "give --format parquet or --out {dir}/flows.geojson"),
        (["--format", "parquet", "--layer", "flows"], "flows.gpkg", "give --format gpkg or --out {dir}/flows.parquet"),
        (["--layer", "flows"], "flows.qml", "names a QGIS style, but --format geojson writes GeoJSON"),
        (["--layer", "flows"], "flows.csv", "give --out {dir}/flows.geojson"),
    ],
    ids=["gpkg-as-geojson", "geojson-as-parquet", "parquet-as-gpkg", "geojson-as-qml", "geojson-as-csv"],
)
def test_a_file_named_as_another_format_is_an_error_that_says_which(tmp_path, capsys, args, out, advice):
    """Issue #25 item 6: ``--format gpkg --out sahel.geojson`` wrote a GeoPackage named .geojson."""
    assert _export(*args, "--out", str(tmp_path / out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and advice.format(dir=tmp_path) in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


# -- row 13: a symlinked output folder that points at OUT itself ---------------------------------------------------


def test_build_refuses_a_maps_link_to_out_itself(tmp_path, capsys):
    """Row 13: ``ln -s . site/maps`` gave exit 0 and "wrote … site/geo", with site/ replaced by the pages."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine\n")
    (site / "maps").symlink_to(".")
    before = _listing(tmp_path)
    assert main(["build", "--out", str(site), "--no-images", "--tiles", "none"]) == 2
    err = capsys.readouterr().err
    assert f"{site / 'maps'}: is a symbolic link to {site}, the --out folder itself" in err
    assert "wrote" not in err
    assert _listing(tmp_path) == before
    assert (site / "notes.txt").read_text() == "mine\n"


@pytest.mark.parametrize(("link", "to"), [("maps", "geo"), ("geo", "maps/sub"), ("maps", "..")])
def test_build_refuses_output_folders_that_overlap(tmp_path, capsys, link, to):
    """One output folder linked into the other, or around OUT: either swap would replace the other's files."""
    site = tmp_path / "site"
    site.mkdir()
    for name in {"maps", "geo"} - {link}:
        (site / name).mkdir()
    if link != "maps":
        (site / "maps" / "sub").mkdir()
    (site / link).symlink_to(to)
    assert main(["build", "--out", str(site), "--no-images", "--tiles", "none"]) == 2
    assert f"{site / link}: is a symbolic link to " in capsys.readouterr().err


# -- row 17: paths printed escaped ---------------------------------------------------------------------------------


def test_export_escapes_the_paths_it_prints(tmp_path, capsys):
    """Row 17: the "wrote" lines printed a folder name's raw ESC and new line."""
    folder = tmp_path / "d\x1b[31m\nx"
    folder.mkdir()
    assert _export("--layer", "events", "--out", str(folder / "ev.geojson")) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert err.splitlines() == [
        f"wrote {tmp_path}/d\\x1b[31m\\nx/ev.geojson",
        f"wrote {tmp_path}/d\\x1b[31m\\nx/ev.qml",
    ]
    assert len(pyogrio.read_dataframe((folder / "ev.geojson").read_bytes())) > 0  # GDAL drops the ESC from a path
