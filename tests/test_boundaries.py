"""Natural Earth loaders: the contract, the bundled files, and fetching from a (local) server."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
import urllib.error
import zipfile
from pathlib import Path

import pytest
import shapely

from c5map._paths import bundled_data_dir
from c5map.boundaries import COUNTRY_COLUMNS, ChecksumError, fetch_naturalearth, load_countries

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
