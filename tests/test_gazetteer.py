"""The bundled gazetteer (data/gazetteer/capitals.csv) row by row, and its loader."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
import shapely

from c5map._paths import bundled_data_dir
from c5map.boundaries import country_names, load_countries
from c5map.gazetteer import CAPITAL_COLUMNS, bundled_capitals, capitals_path

GAZETTEER = bundled_data_dir() / "gazetteer"
CAPITALS = bundled_capitals()
ROWS = list(CAPITALS.itertuples(index=False))
IDS = [row.iso3 for row in ROWS]

#: What scripts/vendor_capitals.py achieved; a lost row must fail.
COVERED = 236
BY_SOURCE = {"geonames": 236, "naturalearth": 0}
#: The Natural Earth 10m countries without a capital, each explained in data/gazetteer/README.md.
LEFT_OUT = {"ATA", "ATC", "BRI", "BRT", "CLP", "CSI", "ESB", "HMD", "IOA", "PGA", "SCR", "UMI", "USG", "WSB"}
#: Capitals more than 0.01 deg outside their country's 10m polygon (atolls, lagoons; East Jerusalem), see README.
OUTSIDE = {"IOT", "KIR", "MHL", "PSX", "TON", "TUV"}
TOLERANCE_DEG = 0.1


@pytest.fixture(scope="module")
def polygons():
    world = load_countries("10m")
    return dict(zip(world["iso3"].astype(str), world.geometry.values, strict=True))


def test_columns_and_types():
    assert list(CAPITALS.columns) == CAPITAL_COLUMNS
    assert str(CAPITALS["lon"].dtype) == "float64"
    assert str(CAPITALS["lat"].dtype) == "float64"
    with open(capitals_path(), encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == CAPITAL_COLUMNS


def test_iso3_unique_sorted_and_in_natural_earth_10m():
    iso3 = CAPITALS["iso3"].tolist()
    assert len(iso3) == len(set(iso3))
    assert iso3 == sorted(iso3)
    assert set(iso3) <= set(country_names("10m")["iso3"])


def test_coverage_is_what_was_vendored():
    assert len(CAPITALS) == COVERED
    assert CAPITALS["source"].value_counts().reindex(list(BY_SOURCE), fill_value=0).to_dict() == BY_SOURCE
    missing = set(country_names("10m")["iso3"]) - set(CAPITALS["iso3"])
    assert missing == LEFT_OUT


def test_readme_documents_coverage_and_every_country_left_out():
    readme = (GAZETTEER / "README.md").read_text(encoding="utf-8")
    assert f"{COVERED} of the 250" in readme
    for iso3 in sorted(LEFT_OUT | OUTSIDE):
        assert f"`{iso3}`" in readme, iso3


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_row_values(row):
    assert -180 <= row.lon <= 180 and -90 <= row.lat <= 90
    assert round(row.lon, 2) == row.lon and round(row.lat, 2) == row.lat
    assert row.name and row.name == row.name.strip()
    assert row.source in BY_SOURCE
    if row.source == "geonames":
        assert row.geonames_id > 0
    else:
        assert pd.isna(row.geonames_id)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_capital_lies_in_its_country(row, polygons):
    point = shapely.Point(row.lon, row.lat)
    distance = shapely.distance(point, polygons[row.iso3])
    assert distance <= TOLERANCE_DEG
    assert (distance > 0.01) == (row.iso3 in OUTSIDE), f"{row.iso3} {row.name}: {distance:.3f} deg from its polygon"


@pytest.mark.parametrize(
    ("iso3", "name", "lon", "lat"),
    [
        ("KAZ", "Astana", 71.45, 51.18),
        ("USA", "Washington", -77.04, 38.90),
        ("FRA", "Paris", 2.35, 48.85),  # Natural Earth ISO_A3 is -99 for France ...
        ("NOR", "Oslo", 10.75, 59.91),  # ... and Norway: matched through ISO_A2_EH
        ("RUS", "Moscow", 37.62, 55.75),
        ("FJI", "Suva", 178.43, -18.14),  # a country across the antimeridian
        ("KOS", "Pristina", 21.17, 42.67),  # XK, only in ISO_A2_EH
        ("TWN", "Taipei", 121.53, 25.05),  # ISO_A2 is CN-TW
        ("IND", "New Delhi", 77.21, 28.62),  # not Delhi, which lists "New Delhi" among its alternate names
        ("PLW", "Ngerulmud", 134.62, 7.50),  # GeoNames' countries.json still says Melekeok
    ],
)
def test_well_known_capitals(iso3, name, lon, lat):
    row = CAPITALS.set_index("iso3").loc[iso3]
    assert row["name"] == name
    assert row["lon"] == pytest.approx(lon, abs=0.011)
    assert row["lat"] == pytest.approx(lat, abs=0.011)
    assert row["source"] == "geonames"


def test_france_and_norway_have_no_iso_a3():
    names = country_names("10m").set_index("iso3")
    assert names.loc[["FRA", "NOR"], "ISO_A3"].tolist() == ["-99", "-99"]
    assert {"FRA", "NOR"} <= set(CAPITALS["iso3"])


def test_territories_do_not_inherit_their_sovereigns_capital():
    # ISO_A2_EH of Clipperton is FR, of the Indian Ocean Territories AU: neither gets Paris or Canberra.
    assert not {"CLP", "IOA", "CSI", "ATC", "BRI"} & set(CAPITALS["iso3"])
    assert CAPITALS["geonames_id"].dropna().is_unique


def test_agrees_with_the_capitals_in_places_csv():
    with open(bundled_data_dir() / "places.csv", encoding="utf-8", newline="") as handle:
        places = [row for row in csv.DictReader(handle) if row["role"] == "capital" and row["geonames_id"]]
    by_iso3 = CAPITALS.set_index("iso3")
    for place in places:
        row = by_iso3.loc[place["country"]]
        assert int(row["geonames_id"]) == int(place["geonames_id"]), place["name"]
        assert (row["lon"], row["lat"]) == (float(place["lon"]), float(place["lat"])), place["name"]


def test_returns_a_fresh_copy():
    first = bundled_capitals()
    first.loc[:, "name"] = "changed"
    assert bundled_capitals()["name"].ne("changed").all()
