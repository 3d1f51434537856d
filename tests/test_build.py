"""`c5map build`: validates first, writes maps/ only when everything succeeded."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from conftest import replace_line

from c5map.build import build
from c5map.cli import main


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "c5map.cli", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_build_writes_maps_with_progress(tmp_path):
    result = run_cli("build", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == [
        ".c5map-manifest",
        "data",
        "index.html",
        "influence.html",
        "png",
        "resources.html",
        "svg",
        "timeline.html",
        "trade.html",
    ]
    lines = result.stderr.splitlines()
    assert lines[0].startswith("validated bundled data: 9 deals")
    assert any(line.startswith("[1/5] maps/influence.html: ") for line in lines)
    assert any(line.startswith("geo/: 5 layers as GeoJSON and GeoPackage") for line in lines)
    assert lines[-1].startswith("wrote 38 files")  # maps/: 5 pages, 4 CSV, 12 images; geo/: 10, 5 .qml; 2 manifests
    assert sorted(p.name for p in (tmp_path / "geo").iterdir()) == [
        ".c5map-manifest",
        "README.md",
        "c5map.gpkg",
        "countries.geojson",
        "countries.qml",
        "country_figures.csv",
        "events.geojson",
        "events.qml",
        "flow_figures.csv",
        "flows.geojson",
        "flows.qml",
        "region_figures.csv",
        "regions.geojson",
        "regions.qml",
        "resources.geojson",
        "resources.qml",
    ]
    assert not any(p.name.startswith(".c5map-build") for p in tmp_path.iterdir())  # staging cleaned up


def test_invalid_data_stops_the_build_and_keeps_previous_outputs(tmp_path, data_copy):
    out = tmp_path / "out"
    assert main(["build", "--data", str(data_copy), "--out", str(out), "--no-images"]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    replace_line(data_copy / "deals.csv", 3, "2025-09", "2025-13")
    result = run_cli("build", "--data", str(data_copy), "--out", str(out))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "deals.csv:3: date: '2025-13' is not a date" in result.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_unknown_tiles_is_a_clear_error_and_writes_nothing(tmp_path):
    result = run_cli("build", "--out", str(tmp_path), "--tiles", "NoSuch.Provider")
    assert result.returncode == 2
    assert "unknown tile provider 'NoSuch.Provider'" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_tiles_that_need_a_key_give_way_to_keyless_ones_and_the_build_says_so(tmp_path):
    """Issue 25: a folium user's 'CartoDB.Positron' builds; with no key in C5MAP_TILES_KEY, on keyless tiles."""
    result = run_cli("build", "--out", str(tmp_path), "--tiles", "CartoDB.Positron", "--no-images")
    said = result.stdout + result.stderr
    assert result.returncode == 0, said
    assert said.count("needs an API key") == 1 and "C5MAP_TILES_KEY" in said


def test_users_own_data_folder_builds(tmp_path, data_copy):
    mine = tmp_path / "mine"
    mine.mkdir()
    deals = (data_copy / "deals.csv").read_text(encoding="utf-8").splitlines()
    # only deals, plus one more partner: India with Kyrgyzstan
    row = deals[3].replace("usa-kaz-wabtec-locomotives-2025", "ind-kgz-example").replace(",USA,KAZ,", ",IND,KGZ,")
    (mine / "deals.csv").write_text("\n".join([*deals, row]) + "\n", encoding="utf-8")
    result = run_cli("build", "--data", str(mine), "--out", str(tmp_path / "out"), "--tiles", "none", "--no-images")
    # the region is the user's to name: no bundled table decides it
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "regions.csv: required table is missing" in result.stderr
    (mine / "regions.csv").write_bytes((data_copy / "regions.csv").read_bytes())
    result = run_cli("build", "--data", str(mine), "--out", str(tmp_path / "out"), "--tiles", "none", "--no-images")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "maps" / "influence.html").read_text()
    assert "India: deals" in html


def _snapshot(out):
    return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and ".c5map-build-" not in str(p)}


def test_build_killed_midway_leaves_previous_outputs(tmp_path):
    import os
    import signal
    import time

    out = tmp_path / "out"
    assert main(["build", "--out", str(out), "--tiles", "none", "--no-images"]) == 0
    before = _snapshot(out)
    # a different build (other tiles), killed the moment it starts writing its outputs aside
    process = subprocess.Popen(
        [sys.executable, "-m", "c5map.cli", "build", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(out.glob(".c5map-build-*/maps/*")):
        time.sleep(0.001)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert any(out.glob(".c5map-build-*")), "the build was not caught while writing"
    assert _snapshot(out) == before  # maps/ and geo/ as they were
    # the next build cleans up the dead one's staging folder and swaps in complete outputs
    assert main(["build", "--out", str(out), "--tiles", "none", "--no-images"]) == 0
    assert not any(out.glob(".c5map-build-*"))
    assert _snapshot(out) == before


def test_recovery_puts_back_an_output_moved_aside(tmp_path):
    from c5map.build import recover_interrupted

    staging = tmp_path / ".c5map-build-dead"
    (staging / "maps.retired").mkdir(parents=True)
    (staging / "maps.retired" / "index.html").write_text("previous")
    (staging / "geo").mkdir()
    recover_interrupted(tmp_path)
    assert (tmp_path / "maps" / "index.html").read_text() == "previous"
    assert not staging.exists()


def test_forked_workers_write_the_same_files_as_one_process(tmp_path, monkeypatch):
    forked = run_cli("build", "--out", str(tmp_path / "forked"))  # a fresh single-threaded process: it forks
    assert forked.returncode == 0, forked.stderr
    assert "GeoPackage (" in forked.stderr and "s in a forked process)" in forked.stderr
    assert "images (" in forked.stderr and "in 2 forked processes)" in forked.stderr
    lines: list[str] = []
    monkeypatch.setattr(os, "cpu_count", lambda: 1)  # one core: everything runs in turn, in this process
    hold = threading.Event()
    other = threading.Thread(target=hold.wait)  # (a thread: fork server workers, tests/test_parallel_workers.py)
    other.start()
    try:
        build(None, tmp_path / "in-turn", progress=lines.append)
    finally:
        hold.set()
        other.join()
    assert sum(line.endswith("in this process)") for line in lines) == 2, lines  # the exports and the images
    for folder in ("maps", "geo"):
        forked_files = sorted(p for p in (tmp_path / "forked" / folder).rglob("*") if p.is_file())
        in_turn = tmp_path / "in-turn" / folder
        assert len(forked_files) == sum(1 for p in in_turn.rglob("*") if p.is_file()) >= 7
        for path in forked_files:
            twin = in_turn / path.relative_to(tmp_path / "forked" / folder)
            assert path.read_bytes() == twin.read_bytes(), path
