"""GIS exports: read back by GDAL, checked against RFC 7946 by an independent checker."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from c5map.boundaries import load_countries
from c5map.export import COORDINATE_DECIMALS, LAYER_NAMES, export_layers, write_gpkg, write_parquet
from c5map.tables import load_tables

TABLES = load_tables()
LAYERS = export_layers(TABLES)
JSON_TYPES = {"string": str, "number": float, "integer": int, "boolean": bool}


@pytest.fixture(scope="module")
def geo(fresh_build) -> Path:
    return fresh_build / "geo"


def _positions(geometry):
    """Every [lon, lat] position of a GeoJSON geometry."""

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            yield coords
        else:
            for c in coords:
                yield from walk(c)

    yield from walk(geometry["coordinates"])


def _signed_area(ring) -> float:
    """Shoelace formula: positive for counter-clockwise rings (lon east, lat north)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True)) / 2


def _polygons(geometry):
    if geometry["type"] == "Polygon":
        yield geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        yield from geometry["coordinates"]


def _lines(geometry):
    if geometry["type"] == "LineString":
        yield geometry["coordinates"]
    elif geometry["type"] == "MultiLineString":
        yield from geometry["coordinates"]
    for polygon in _polygons(geometry):
        yield from polygon


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_geojson_is_rfc7946(geo, name):
    document = json.loads((geo / f"{name}.geojson").read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document  # §4: no crs member
    features = document["features"]
    assert len(features) == len(LAYERS[name].frame)
    ids = [f["id"] for f in features]
    assert len(set(ids)) == len(ids) and all(isinstance(i, str) for i in ids)
    keys = [tuple(f["properties"]) for f in features]
    assert len(set(keys)) == 1, "every feature has the same properties, in the same order"
    for field in LAYERS[name].fields:
        seen = {type(f["properties"][field.name]) for f in features} - {type(None)}
        assert seen <= {JSON_TYPES[field.type]}, (field.name, seen)
        assert all(not isinstance(v, (dict, list)) for v in (f["properties"][field.name] for f in features))
    west, south, east, north = document["bbox"]
    assert west <= east and south <= north
    for feature in features:
        geometry = feature["geometry"]
        if geometry is None:
            continue
        for lon, lat in _positions(geometry):
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            assert west <= lon <= east and south <= lat <= north
            assert lon == round(lon, COORDINATE_DECIMALS) and lat == round(lat, COORDINATE_DECIMALS)
        for line in _lines(geometry):
            for (x0, _), (x1, _) in zip(line[:-1], line[1:], strict=True):
                assert abs(x1 - x0) < 180, "a segment crosses the antimeridian instead of being split"
        for polygon in _polygons(geometry):
            exterior, *holes = polygon
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1]
            assert _signed_area(exterior) > 0, f"{feature['id']}: exterior ring is not counter-clockwise"
            for hole in holes:
                assert _signed_area(hole) < 0, f"{feature['id']}: hole is not clockwise"


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_geojson_reads_back_with_gdal(geo, name):
    info = pyogrio.read_info(geo / f"{name}.geojson")
    frame = pyogrio.read_dataframe(geo / f"{name}.geojson")
    layer = LAYERS[name]
    assert info["crs"] == "EPSG:4326"
    assert list(info["fields"]) == ["id", *[f.name for f in layer.fields]]
    assert len(frame) == len(layer.frame)
    assert shapely.is_valid(frame.geometry.dropna().values).all()
    numeric = [f.name for f in layer.fields if f.type == "number"]
    for column in numeric:
        assert str(frame[column].dtype) == "float64", column


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_geopackage_reads_back_with_gdal(geo, name):
    assert name in [row[0] for row in pyogrio.list_layers(geo / "c5map.gpkg")]
    frame = pyogrio.read_dataframe(geo / "c5map.gpkg", layer=name)
    geojson = pyogrio.read_dataframe(geo / f"{name}.geojson")
    assert frame.crs.to_epsg() == 4326
    assert list(frame.columns) == list(geojson.columns)
    assert len(frame) == len(geojson)
    assert list(frame["id"]) == list(geojson["id"])
    located = geojson.geometry.notna()
    # same shapes: their symmetric difference is empty (areas in square degrees, only compared)
    difference = shapely.symmetric_difference(frame.geometry[located].values, geojson.geometry[located].values)
    assert (shapely.area(difference) < 1e-9).all()


def read_parquet(path: Path):
    """GeoParquet back as a GeoDataFrame. pyogrio's bundled GDAL has no Parquet driver (it asks for libduckdb),
    so pyarrow reads it, and the GeoParquet metadata is checked by hand."""
    import geopandas
    import pyarrow.parquet

    metadata = json.loads(pyarrow.parquet.read_schema(path).metadata[b"geo"])
    assert metadata["version"] == "1.0.0" and metadata["primary_column"] == "geometry"
    assert metadata["columns"]["geometry"]["encoding"] == "WKB"
    return geopandas.read_parquet(path)


@pytest.mark.parametrize("name", LAYER_NAMES)
def test_geoparquet_round_trip(tmp_path, name):
    path = tmp_path / f"{name}.parquet"
    write_parquet(LAYERS[name], path)
    frame = read_parquet(path)
    assert len(frame) == len(LAYERS[name].frame) and frame.crs.to_epsg() == 4326
    assert list(frame.columns[:-1]) == ["id", *[f.name for f in LAYERS[name].fields]]


def test_geopackage_is_byte_identical_twice(tmp_path):
    write_gpkg(LAYERS, tmp_path / "a.gpkg")
    write_gpkg(LAYERS, tmp_path / "b.gpkg")
    assert (tmp_path / "a.gpkg").read_bytes() == (tmp_path / "b.gpkg").read_bytes()


WORLD = load_countries("10m").set_index("iso3")


@pytest.mark.parametrize("layer", ["resources", "events"])
def test_points_lie_in_their_country(geo, layer):
    frame = pyogrio.read_dataframe(geo / f"{layer}.geojson")
    located = frame[frame.geometry.notna()]
    assert len(located)
    for _, row in located.iterrows():
        assert WORLD.loc[row["country"]].geometry.distance(row.geometry) < 0.05, row["id"]


def test_flows_start_and_end_at_capitals(geo):
    capitals = TABLES.places[TABLES.places.role == "capital"].set_index("country")
    document = json.loads((geo / "flows.geojson").read_text())
    for feature in document["features"]:
        lines = list(_lines(feature["geometry"]))
        start, end = lines[0][0], lines[-1][-1]
        origin = capitals.loc[feature["properties"]["origin"]]
        destination = capitals.loc[feature["properties"]["destination"]]
        assert math.isclose(start[0], origin["lon"]) and math.isclose(start[1], origin["lat"])
        assert math.isclose(end[0], destination["lon"]) and math.isclose(end[1], destination["lat"])


def test_antimeridian_flow_is_split(geo):
    document = json.loads((geo / "flows.geojson").read_text())
    canberra = {f["id"]: f for f in document["features"]}["USA-AUS"]
    assert canberra["geometry"]["type"] == "MultiLineString"
    ends = [part[-1][0] for part in canberra["geometry"]["coordinates"][:-1]]
    assert all(abs(x) == 180 for x in ends)


def test_countries_carry_figures_and_no_figure_is_null(geo):
    frame = pyogrio.read_dataframe(geo / "countries.geojson").set_index("iso3")
    assert frame.loc["KAZ", "deals_usa_agreements_usd"] == 4.2e9
    assert frame.loc["KAZ", "deals_chn_agreements_text"] == "nearly $15bn"
    assert math.isnan(frame.loc["KGZ", "deals_usa_agreements_usd"])
    assert frame.loc["KGZ", "deals_usa_agreements_text"] == "no reported figure"
    assert frame.loc["IND", "exports_rus_2023_usd"] == 66.1e9
    assert set(frame.loc[frame.region == "C5"].index) == set(TABLES.region_members()["C5"])
    # the region-level $12.4bn is on the region, not on any member
    assert 12.4e9 not in set(frame["deals_usa_agreements_usd"].dropna())
    regions = pyogrio.read_dataframe(geo / "regions.geojson").set_index("region")
    assert regions.loc["C5", "deals_usa_agreements_usd"] == 12.4e9
    assert regions.loc["C5", "total_trade_rus_2024_text"] == "more than $45bn"


def test_country_level_resources_have_no_geometry(geo):
    document = json.loads((geo / "resources.geojson").read_text())
    by_id = {f["id"]: f for f in document["features"]}
    assert by_id["chn-rare-earth-reserves"]["geometry"] is None
    assert by_id["kaz-karagandy-rare-earths"]["properties"]["location_precision"] == "region"


def test_data_dictionary_lists_every_field(geo):
    readme = (geo / "README.md").read_text()
    for layer in LAYERS.values():
        assert f"## {layer.name}" in readme
        for field in layer.fields:
            assert f"| `{field.name}` |" in readme
        for table in layer.tables:
            assert f"### {table.name} (table, no geometry)" in readme
            for field in table.fields:
                assert f"| `{field.name}` |" in readme


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--format", "geojson", "--layer", "flows"], ["flows.flow_figures.csv", "flows.geojson", "flows.qml"]),
        (["--format", "gpkg"], ["c5map.gpkg"]),
        (["--format", "parquet", "--layer", "events"], ["events.parquet"]),
        (["--format", "geojson"], ["geo"]),
    ],
)
def test_export_command(tmp_path, args, expected):
    result = subprocess.run(
        [sys.executable, "-m", "c5map.cli", "export", *args], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == expected
    for path in tmp_path.rglob("*.*"):
        if path.suffix == ".csv":
            assert len(pd.read_csv(path)) > 0
        elif path.suffix == ".parquet":
            assert len(read_parquet(path)) > 0
        elif path.suffix == ".qml":  # the layer's QGIS style, named after it (tests/test_qgis_styles.py)
            assert path.with_suffix(".geojson").exists()
        else:
            for layer, _ in pyogrio.list_layers(path):
                assert len(pyogrio.read_dataframe(path, layer=layer)) > 0


def _bilateral_trade(folder: Path, economies: list[str], years: range) -> int:
    """Write a synthetic bilateral exports table (every ordered pair, every year) over the bundled trade.csv."""
    header = "flow_id,year,origin,destination,measure,value_usd,value_qualifier,attributed_to,source_id,source_passage"
    lines = [header]
    for year in years:
        for i, origin in enumerate(economies):
            for j, destination in enumerate(economies):
                if origin != destination:
                    value = 1e6 * (1 + i + j * year % 7)
                    flow_id = f"f{year}-{origin.lower()}-{destination.lower()}"
                    lines.append(
                        f"{flow_id},{year},{origin},{destination},exports,{value},exact,,aljazeera-2025-c5plus1,synthetic"
                    )
    (folder / "trade.csv").write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def test_bilateral_table_exports_each_exporters_latest_year(data_copy, tmp_path):
    """12 economies x 40 years made 480 column groups (1,920 columns): GeoPackage refused them (max 2,000)."""
    economies = ["KAZ", "KGZ", "TJK", "TKM", "UZB", "USA", "CHN", "RUS", "TUR", "IND", "DEU", "JPN"]
    rows = _bilateral_trade(data_copy, economies, range(1985, 2025))
    assert rows == 12 * 11 * 40
    exported = export_layers(load_tables(data_copy))
    fields = [f.name for f in exported["countries"].fields]
    assert sorted(f for f in fields if f.endswith("_usd") and f.startswith("exports_")) == sorted(
        f"exports_{code.lower()}_2024_usd" for code in economies
    )
    write_gpkg(exported, tmp_path / "big.gpkg")  # raised "Error adding field" before
    countries = pyogrio.read_dataframe(tmp_path / "big.gpkg", layer="countries").set_index("iso3")
    # KAZ exported to CHN in 2024: 1e6 * (1 + 0 + 6 * 2024 % 7); one figure, exact
    assert countries.loc["CHN", "exports_kaz_2024_usd"] == 1e6 * (1 + 0 + 6 * 2024 % 7)
    assert countries.loc["CHN", "exports_kaz_2024_count"] == 1
    assert countries.loc["KAZ", "exports_kaz_2024_text"] == "no reported figure"
    figures = exported["flows"].tables[0].frame
    # every year stays in flow_figures; the 12 x 11 pairs are each one line
    assert ((figures["kind"] == "trade") & figures["figure_id"].str.startswith("f")).sum() == rows
    pairs = exported["flows"].frame.set_index("pair_id")
    assert {f"{o}-{d}" for o in economies for d in economies if o != d} <= set(pairs.index)
    assert pairs.loc["KAZ-CHN", "n_trade"] == 40 and pairs.loc["KAZ-CHN", "latest_exports_year"] == 2024
    assert pairs.loc["KAZ-CHN", "latest_exports_usd"] == 1e6 * (1 + 0 + 6 * 2024 % 7)


def test_figures_of_all_groups_at_once_equal_each_group_alone():
    from c5map.format import QUALIFIERS, combine_qualifiers
    from c5map.layers import group_figures

    rng = np.random.default_rng(7)
    n = 400
    frame = pd.DataFrame(
        {
            "a": rng.choice(["x", "y", "z"], n),
            "b": rng.choice(["p", "q", "r", "s"], n),
            "value_usd": np.where(rng.random(n) < 0.3, np.nan, rng.lognormal(20, 2, n)),
            "value_qualifier": rng.choice(list(QUALIFIERS), n),
        }
    )
    frame.loc[frame["a"] == "z", "value_usd"] = np.nan  # groups with nothing disclosed: no total
    together = group_figures(frame, ["a", "b"])
    assert len(together) == 12
    for key, group in frame.groupby(["a", "b"]):
        total, qualifier, count = together[key]
        disclosed = group["value_usd"].dropna()
        assert (qualifier, count) == (combine_qualifiers(group["value_qualifier"]), len(group))
        assert total == pytest.approx(disclosed.sum()) if len(disclosed) else total is None


def test_flows_are_one_line_per_pair_and_every_figure_names_its_pair(geo):
    from conftest import expected_flow_ids, expected_flow_pairs

    flows = pyogrio.read_dataframe(geo / "flows.geojson")
    assert sorted(flows["id"]) == sorted(flows["pair_id"]) == sorted(expected_flow_pairs(TABLES))
    figures = pyogrio.read_dataframe(geo / "c5map.gpkg", layer="flow_figures")
    assert sorted(zip(figures["kind"], figures["figure_id"], strict=True)) == expected_flow_ids(TABLES)
    assert set(figures["pair_id"]) == set(flows["pair_id"])
    counts = figures.groupby(["pair_id", "kind"]).size().unstack(fill_value=0)
    by_pair = flows.set_index("pair_id")
    for pair, row in counts.iterrows():
        assert by_pair.loc[pair, "n_deals"] == row.get("deal", 0) and by_pair.loc[pair, "n_trade"] == row.get("trade")
        origin, destination = pair.split("-")
        assert (by_pair.loc[pair, "origin"], by_pair.loc[pair, "destination"]) == (origin, destination)
    # the figure as the article gives it, with its pair's line once
    deal = figures.set_index("figure_id").loc["usa-uzb-boeing-dreamliners-2025"]
    assert (deal["pair_id"], deal["value_usd"], deal["value_text"]) == ("USA-UZB", 8e9, "$8bn")
    assert by_pair.loc["RUS-CHN", "latest_exports_text"] == "$129bn"


def test_tables_are_geopackage_attribute_tables_and_csv_with_the_same_rows(tmp_path):
    from c5map.export import geo_files, table_csv

    files = geo_files(LAYERS)
    (tmp_path / "c5map.gpkg").write_bytes(files["c5map.gpkg"])
    listed = {name: kind for name, kind in pyogrio.list_layers(tmp_path / "c5map.gpkg")}
    for layer in LAYERS.values():
        for table in layer.tables:
            assert listed[table.name] is None  # no geometry: a GeoPackage attribute table
            in_gpkg = pyogrio.read_dataframe(tmp_path / "c5map.gpkg", layer=table.name)
            csv = pd.read_csv(io.StringIO(files[f"{table.name}.csv"].decode()), keep_default_na=False, dtype=str)
            assert list(in_gpkg.columns) == list(csv.columns) == [f.name for f in table.fields]
            assert len(in_gpkg) == len(csv) == len(table.frame) > 0
            assert list(in_gpkg[table.key]) == list(csv[table.key])
            # every row names a feature of its layer
            assert set(csv[table.key]) <= set(layer.frame["id"])
            assert files[f"{table.name}.csv"].decode() == table_csv(table)
    assert geo_files(LAYERS) == files  # byte-identical twice, the GeoPackage too


def _append_rows(path: Path, rows: list[dict]) -> None:
    """Append rows to a CSV table under its own header (columns a row does not name are empty)."""
    header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    with open(path, "a", encoding="utf-8", newline="") as out:
        csv.DictWriter(out, fieldnames=header, restval="").writerows(rows)


def _wide_data(folder: Path, partners: list[str], deals: int, years: range) -> None:
    """Deals from many partners, and 100 partners' total trade with the region over several years (SYNTHETIC)."""
    members = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    bases = ["agreements", "investment", "financing", "pipeline"]
    source = {"source_id": "aljazeera-2025-c5plus1", "source_passage": "synthetic"}
    _append_rows(folder / "deals.csv", [
        {"deal_id": f"w{i}", "date": "2024", "partner": partners[i % len(partners)], "country": members[i % 5],
         "value_usd": f"{1e6 * (1 + i % 9):.0f}", "value_qualifier": "exact", "value_basis": bases[i % 4],
         "sector": "trade", "parties": "synthetic", "description": "synthetic deal", **source}
        for i in range(deals)
    ])  # fmt: skip
    _append_rows(folder / "trade.csv", [
        {"flow_id": f"t{i}-{year}", "year": year, "origin": partner, "destination": "C5", "measure": "total_trade",
         "value_usd": f"{1e8 * (1 + i):.0f}", "value_qualifier": "exact", **source}
        for i, partner in enumerate(partners[:100]) for year in years
    ])  # fmt: skip


def test_wide_tables_fit_a_geopackage_and_every_figure_is_in_the_long_tables(data_copy, tmp_path):
    """5,000 deals from 200 partners, or 100 partners' trade over 6 years: "Error adding field" before."""
    from c5map.export import MAX_COLUMN_GROUPS

    world = load_countries("10m")
    partners = [c for c in world["iso3"] if c not in {"KAZ", "KGZ", "TJK", "TKM", "UZB"}][:200]
    _wide_data(data_copy, partners, 5000, range(2019, 2025))
    tables = load_tables(data_copy)
    exported = export_layers(tables)
    write_gpkg(exported, tmp_path / "wide.gpkg")
    for name, table_name in (("countries", "country_figures"), ("regions", "region_figures")):
        layer = exported[name]
        groups = [f.name[: -len("_usd")] for f in layer.fields if f.name.endswith("_usd")]
        assert len(groups) == MAX_COLUMN_GROUPS  # bounded: 4 columns a group
        frame = pyogrio.read_dataframe(tmp_path / "wide.gpkg", layer=name)
        assert list(frame.columns) == ["id", *[f.name for f in layer.fields], "geometry"]
        long = pyogrio.read_dataframe(tmp_path / "wide.gpkg", layer=table_name)
        assert set(long.loc[long["column_group"] != "", "column_group"]) == set(groups)
        assert f"Columns for {MAX_COLUMN_GROUPS} of its" in layer.description
    # every deal with a country is a row of country_figures, summed by partner, basis and country
    long = pyogrio.read_dataframe(tmp_path / "wide.gpkg", layer="country_figures")
    deals = tables.deals[tables.deals["country"].isin(set(exported["countries"].frame["iso3"]))]
    expected = deals.groupby(["country", "partner", "value_basis"])["value_usd"].sum(min_count=1)
    found = long[long["kind"] == "deals"].set_index(["iso3", "partner", "measure"])["value_usd"]
    assert len(found) == len(expected)
    assert np.allclose(found.loc[expected.index].to_numpy(), expected.to_numpy(), equal_nan=True)
    # every year of every partner's trade with the region, in region_figures
    regional = pyogrio.read_dataframe(tmp_path / "wide.gpkg", layer="region_figures")
    trade = regional[regional["kind"] == "total_trade"]
    rows = tables.trade[(tables.trade["destination"] == "C5") & (tables.trade["measure"] == "total_trade")]
    expected = rows.groupby(["origin", "year"])["value_usd"].sum()  # with the bundled figures of Russia and China
    assert len(expected) >= 600
    found = trade.set_index(["partner", "year"])["value_usd"]
    assert len(found) == len(expected)
    assert np.allclose(found.loc[expected.index].to_numpy(), expected.to_numpy())


def test_layers_of_a_small_table_have_a_column_group_per_partner():
    """Below the bound nothing changes for GIS users: one column group per partner and basis, as before."""
    countries = LAYERS["countries"]
    groups = {f.name for f in countries.fields if f.name.endswith("_usd")}
    deals = TABLES.deals
    expected = {f"deals_{p.lower()}_{b}_usd" for p, b in zip(deals["partner"], deals["value_basis"], strict=True)}
    assert expected <= groups
    assert "country_figures" in countries.description
