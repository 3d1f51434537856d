"""Natural Earth loaders: the contract, the bundled files, and fetching from a (local) server."""

from __future__ import annotations

import functools
import hashlib
import http.server
import subprocess
import sys
import threading
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from c5map._paths import bundled_data_dir
from c5map.boundaries import COUNTRY_COLUMNS, ChecksumError, bundled_path, fetch_naturalearth, load_countries
from c5map.errors import display_path

# SHA-256 recorded in data/naturalearth/README.md when the files were vendored.
BUNDLED_SHA256 = {
    "ne_110m_admin_0_countries.shp": "08e341606e8391e458c3f08deb312de664b56bfae376064c5aa0aee6681a5f55",
    "ne_110m_admin_0_countries.dbf": "1fee677cd4e03b367876e03861eb10197e4022a846bf92060e0313432863785b",
    "ne_110m_admin_0_countries.shx": "8b0be2ad97dd484aee5c2ebc98697d5372e832b8ae58a35a661aeef6b985668d",
    "ne_110m_admin_0_countries.prj": "3259f0e55290a82b1350646f604e8a7ee1e2136c0320a40fad838ab40819fff8",
    "ne_10m_admin_0_countries_deu.zip": "125fc4b1f425926b8bd22dce23af6f9f873543c2fe330915ccbe0aa7fa21ff82",
}


@pytest.mark.parametrize("name", sorted(BUNDLED_SHA256))
def test_bundled_file_is_the_vendored_one(name):
    data = (bundled_data_dir() / "naturalearth" / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == BUNDLED_SHA256[name]
    readme = (bundled_data_dir() / "naturalearth" / "README.md").read_text()
    assert BUNDLED_SHA256[name] in readme


@pytest.mark.parametrize(("scale", "rows"), [("110m", 177), ("10m", 250)])
def test_load_countries_contract(scale, rows):
    world = load_countries(scale)
    assert world.crs.to_epsg() == 4326
    assert len(world) == rows
    assert list(world.columns) == COUNTRY_COLUMNS
    assert world["iso3"].is_unique and world["iso3"].is_monotonic_increasing
    assert shapely.is_valid(world.geometry.values).all()
    assert set(world.geom_type) <= {"Polygon", "MultiPolygon"}
    lon_min, lat_min, lon_max, lat_max = world.total_bounds
    assert -180 <= lon_min and lon_max <= 180 and -90 <= lat_min and lat_max <= 90


@pytest.mark.parametrize("scale", ["110m", "10m"])
@pytest.mark.parametrize(
    ("iso3", "name"),
    [
        ("FRA", "France"),
        ("NOR", "Norway"),
        ("KAZ", "Kazakhstan"),
        ("KGZ", "Kyrgyzstan"),
        ("TJK", "Tajikistan"),
        ("TKM", "Turkmenistan"),
        ("UZB", "Uzbekistan"),
        ("IND", "India"),
        ("CHN", "China"),
        ("RUS", "Russia"),
    ],
)
def test_join_key_is_adm0_a3(scale, iso3, name):
    # ISO_A3 is -99 for France and Norway in Natural Earth; ADM0_A3 is not.
    world = load_countries(scale)
    assert world.loc[world.iso3 == iso3, "name"].item() == name


def test_10m_names_are_read_as_utf8():
    world = load_countries("10m")
    assert world.loc[world.iso3 == "CIV", "name"].item() == "Côte d'Ivoire"


def test_load_countries_returns_a_copy():
    first = load_countries("110m")
    first.loc[0, "name"] = "changed"
    assert load_countries("110m").loc[0, "name"] != "changed"


def test_unknown_scale_is_a_clear_error():
    with pytest.raises(ValueError, match="bundled scales are 110m, 10m"):
        load_countries("50m")


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def mirror(tmp_path: Path):
    """A local HTTP server laid out like the Natural Earth distribution, on 127.0.0.1."""
    root = tmp_path / "mirror"
    target = root / "110m" / "cultural"
    target.mkdir(parents=True)
    archive = target / "ne_110m_admin_0_countries.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in ("shp", "shx", "dbf", "prj", "cpg"):
            z.write(
                bundled_data_dir() / "naturalearth" / f"ne_110m_admin_0_countries.{part}",
                f"ne_110m_admin_0_countries.{part}",
            )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield (
        f"http://127.0.0.1:{server.server_address[1]}",
        hashlib.sha256(archive.read_bytes()).hexdigest(),
        server,
    )
    server.shutdown()


def test_fetch_downloads_verifies_and_caches(mirror, tmp_path):
    url, sha, server = mirror
    cache = tmp_path / "cache"
    path = fetch_naturalearth("ne_110m_admin_0_countries.zip", sha256=sha, scale="110m", base_url=url, cache_dir=cache)
    assert path.is_file() and path.is_relative_to(cache)
    world = load_countries(path=path)
    assert len(world) == 177 and world.crs.to_epsg() == 4326
    server.shutdown()  # a second call must not need the network
    again = fetch_naturalearth(
        "ne_110m_admin_0_countries.zip", sha256=sha, scale="110m", base_url=url, cache_dir=cache, timeout=2
    )
    assert again == path


def test_fetch_rejects_a_wrong_checksum_and_caches_nothing(mirror, tmp_path):
    url, _, _ = mirror
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumError, match="expected 0000"):
        fetch_naturalearth(
            "ne_110m_admin_0_countries.zip", sha256="0" * 64, scale="110m", base_url=url, cache_dir=cache
        )
    assert [p for p in cache.rglob("*") if p.is_file()] == []


def test_fetch_missing_file_raises_and_caches_nothing(mirror, tmp_path):
    url, sha, _ = mirror
    with pytest.raises(urllib.error.HTTPError):
        fetch_naturalearth("ne_110m_nothing.zip", sha256=sha, scale="110m", base_url=url, cache_dir=tmp_path / "c")
    assert [p for p in (tmp_path / "c").rglob("*") if p.is_file()] == []


def test_simplification_cache_gives_the_same_result_and_survives_damage(tmp_path, monkeypatch):
    import numpy as np

    from c5map.boundaries import simplified_coverage

    monkeypatch.setenv("C5MAP_CACHE", str(tmp_path))
    world = load_countries("10m")
    geometries = world[world.iso3.isin(["KAZ", "KGZ", "UZB"])].geometry.values
    first = simplified_coverage(geometries, 0.01, 3)  # computed, then written
    (cached,) = (tmp_path / "derived").glob("*.wkb")
    second = simplified_coverage(geometries, 0.01, 3)  # read back
    assert all(a.equals_exact(b, 0) for a, b in zip(first, second, strict=True))
    cached.write_bytes(cached.read_bytes()[:100])  # a truncated file, as a full disk would leave it
    third = simplified_coverage(geometries, 0.01, 3)
    assert all(a.equals_exact(b, 0) for a, b in zip(first, third, strict=True))
    other = simplified_coverage(geometries, 0.02, 3)  # another tolerance is another key
    assert len(list((tmp_path / "derived").glob("*.wkb"))) == 2
    assert np.sum([g.area for g in other]) > 0


@pytest.mark.parametrize("scale", ["110m", "10m"])
def test_countries_cache_reads_back_what_was_cleaned_and_survives_damage(tmp_path, monkeypatch, scale):
    from pandas.testing import assert_frame_equal

    from c5map.boundaries import _clean_countries, _read_countries, bundled_path

    monkeypatch.setenv("C5MAP_CACHE", str(tmp_path))
    path = str(bundled_path(scale))
    cleaned = _clean_countries(path)
    for state in ("written", "read back", "damaged"):
        _read_countries.cache_clear()
        if state == "damaged":
            (cached,) = (tmp_path / "derived").glob("*.parquet")
            cached.write_bytes(cached.read_bytes()[:1000])  # a truncated file, as a full disk would leave it
        frame = _read_countries(path)
        assert_frame_equal(frame.drop(columns="geometry"), cleaned.drop(columns="geometry"))
        assert frame.crs == cleaned.crs
        assert all(a.equals_exact(b, 0) for a, b in zip(frame.geometry, cleaned.geometry, strict=True)), state
    _read_countries.cache_clear()


@pytest.mark.parametrize("iso3", [["KAZ", "KGZ", "TJK", "TKM", "UZB"], ["CHN", "IND", "TUR", "KAZ"]])
def test_web_borders_stay_within_one_pixel_of_the_source(iso3):
    from c5map.boundaries import MAX_ZOOM, max_deviation, web_countries
    from c5map.simplify import screen_pixels

    page = web_countries(iso3).set_index("iso3").loc[iso3]
    source = load_countries("10m").set_index("iso3").loc[iso3]
    # in screen pixels at the deepest zoom, where Leaflet draws straight lines between projected vertices
    on_screen = max_deviation(
        screen_pixels(source.geometry.values, MAX_ZOOM), screen_pixels(page.geometry.values, MAX_ZOOM)
    )
    assert on_screen < 1
    assert (
        shapely.get_num_coordinates(page.geometry.values).sum()
        < shapely.get_num_coordinates(source.geometry.values).sum()
    )


# --- A boundary file of your own (issue 17) ---------------------------------------------------------------------

_DATA_COUNTRIES = ["KAZ", "KGZ", "TJK", "TKM", "UZB", "USA", "CHN", "RUS", "AUS", "UKR", "IND", "TUR", "AFG", "KOR"]


def _own_boundaries(extra: list[str] = ()):
    """The countries the bundled data uses, from the bundled 1:10m, as a user's file would hold them."""
    world = load_countries("10m")
    frame = world[world.iso3.isin(_DATA_COUNTRIES + list(extra))].reset_index(drop=True)
    return frame.rename(columns={"iso3": "ADM0_A3", "name": "NAME"})[["ADM0_A3", "NAME", "geometry"]]


@pytest.mark.parametrize("suffix", [".gpkg", ".shp"])
@pytest.mark.parametrize("crs", ["EPSG:4258", "EPSG:4269", "EPSG:4283", "OGC:CRS84", "EPSG:4807"])
def test_boundaries_in_any_geographic_crs_are_transformed_to_wgs84(tmp_path, crs, suffix):
    from c5map.boundaries import read_boundaries

    source = _own_boundaries()
    if crs == "EPSG:4807":  # NTF (Paris): grads from the Paris meridian, so the file's numbers really change
        source = source[~source["ADM0_A3"].isin(["RUS", "USA"])]  # moved off Greenwich, ±180 would cut Chukotka
        written = source.to_crs(crs)
    else:
        written = source.set_crs(crs, allow_override=True)
    path = tmp_path / f"own{suffix}"
    written.to_file(path)
    countries, problems, warnings = read_boundaries(path, used={code: "deals.csv:2" for code in source["ADM0_A3"]})
    assert problems == [] and warnings == []
    assert countries.crs.to_epsg() == 4326
    assert sorted(countries["iso3"]) == sorted(source["ADM0_A3"])
    expected = source.set_index("ADM0_A3").geometry
    for iso3, geometry in zip(countries["iso3"], countries.geometry, strict=True):
        # ETRS89, NAD83 and GDA94 are WGS 84 to PROJ without a grid; the NTF round trip is within a millimetre.
        # (A GeoPackage or shapefile may write a Polygon as a MultiPolygon: compare the vertices.)
        assert np.allclose(shapely.get_coordinates(geometry), shapely.get_coordinates(expected[iso3]), atol=1e-7), iso3


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "c5map.cli", *args], capture_output=True, text=True, check=False)


def test_validate_export_and_build_accept_a_shapefile_in_etrs89(tmp_path):
    path = tmp_path / "etrs89.shp"
    _own_boundaries().set_crs(4258, allow_override=True).to_file(path)
    validated = _run("validate", "--boundaries", str(path))
    assert validated.returncode == 0, validated.stderr
    exported = _run("export", "--boundaries", str(path), "--layer", "countries", "--out", str(tmp_path / "c.geojson"))
    assert exported.returncode == 0, exported.stderr
    layer = pyogrio.read_dataframe(tmp_path / "c.geojson")
    assert layer.crs.to_epsg() == 4326 and len(layer) > 0 and set(layer["iso3"]) <= set(_DATA_COUNTRIES)
    built = _run("build", "--boundaries", str(path), "--out", str(tmp_path / "out"), "--tiles", "none", "--no-images")
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in validated.stderr + exported.stderr + built.stderr
    assert (tmp_path / "out" / "maps" / "influence.html").is_file()


def test_natural_earths_own_10m_file_is_repaired_with_a_located_warning():
    from c5map.validate import drawing_warnings, load_inputs

    path = bundled_path("10m")
    tables, countries = load_inputs(None, path)
    assert len(countries) == 250 and shapely.is_valid(countries.geometry.values).all()
    (warning,) = [w for w in tables.warnings]
    assert warning.column == "geometry" and warning.line >= 1
    assert warning.message.startswith("EGY: invalid polygon (Ring Self-intersection")
    assert "repaired" in warning.message
    assert warning in drawing_warnings(tables)
    result = _run("validate", "--boundaries", str(path))
    assert result.returncode == 0, result.stderr
    assert f"warning: {display_path(path)}:{warning.line}: geometry: EGY: invalid polygon" in result.stderr


def test_an_invalid_polygon_is_refused_only_where_the_data_uses_it(tmp_path):
    from c5map.boundaries import read_boundaries

    frame = _own_boundaries(extra=["FRA"])
    bowtie = shapely.Polygon([(0, 44), (5, 49), (5, 44), (0, 49), (0, 44)])  # its halves cancel: area 0
    frame.loc[frame["ADM0_A3"] == "FRA", "geometry"] = bowtie
    path = tmp_path / "bowtie.gpkg"
    frame.to_file(path)
    used = {"FRA": "deals.csv:2"}
    countries, problems, warnings = read_boundaries(path)
    assert problems == [] and len(warnings) == 1 and "FRA: invalid polygon" in warnings[0].message
    assert countries.loc[countries.iso3 == "FRA"].geometry.item().area == pytest.approx(12.5)
    countries, problems, _ = read_boundaries(path, used=used)
    assert countries is None
    assert [p.message.split(";")[0] for p in problems] == ["FRA: invalid polygon (Self-intersection[2.5 46.5])"]
    assert "changes its area by 100.00%, and the data uses FRA (deals.csv:2)" in problems[0].message


def test_overlaps_away_from_the_data_are_a_warning(tmp_path):
    from c5map.boundaries import read_boundaries

    frame = _own_boundaries(extra=["FRA", "ESP"])
    spain = frame["ADM0_A3"] == "ESP"
    france = frame.loc[frame["ADM0_A3"] == "FRA"].geometry.item()
    frame.loc[spain, "geometry"] = frame.loc[spain].geometry.item().union(france)
    path = tmp_path / "overlap.gpkg"
    frame.to_file(path)
    countries, problems, warnings = read_boundaries(path, used={"KAZ": "deals.csv:3"})
    assert problems == [] and countries is not None
    assert [w.message for w in warnings] == ["ESP and FRA overlap (100.0% of the smaller one)"]


def test_grads_and_0_360_longitudes_get_their_own_messages(tmp_path):
    from c5map.boundaries import read_boundaries

    frame = _own_boundaries()
    labelled = tmp_path / "degrees-as-grads.gpkg"  # degrees in a file that says grads: latitudes stay within 100
    frame.set_crs("EPSG:4807", allow_override=True).to_file(labelled)
    countries, problems, _ = read_boundaries(labelled)
    assert problems == [] and countries.crs.to_epsg() == 4326  # grads are a CRS like any: transformed
    shifted = tmp_path / "lon-0-360.gpkg"
    frame.set_geometry(shapely.transform(frame.geometry.values, lambda xy: xy + [[360.0, 0]] * (xy < 0))).to_file(
        shifted
    )
    _, (problem,), _ = read_boundaries(shifted)
    assert "from 0 to 360 rather than -180 to 180" in problem.message and "projected" not in problem.message


def test_a_polygon_that_repairs_to_nothing_is_left_out_unless_the_data_uses_it(tmp_path):
    from c5map.boundaries import read_boundaries

    frame = _own_boundaries(extra=["FRA"])
    frame.loc[frame["ADM0_A3"] == "FRA", "geometry"] = shapely.Polygon([(0, 44), (1, 45), (2, 46), (0, 44)])  # flat
    path = tmp_path / "flat.gpkg"
    frame.to_file(path)
    countries, problems, warnings = read_boundaries(path)
    assert problems == [] and "FRA" not in set(countries["iso3"]) and len(countries) == len(_DATA_COUNTRIES)
    assert [w.message.endswith("repaired to nothing, and left out") for w in warnings] == [True]
    countries, problems, _ = read_boundaries(path, used={"FRA": "deals.csv:2"})
    assert countries is None and "the data uses FRA (deals.csv:2): fix it" in problems[0].message
