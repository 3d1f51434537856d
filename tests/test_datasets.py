"""The dataset strategy of tests/datasets.py draws valid data, and reaches every case it promises."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import shapely
from datasets import (
    DEAL_QUALIFIERS,
    EVENT_PRECISIONS,
    INSIDE_EPSILON_DEG,
    RESOURCE_PRECISIONS,
    TRADE_QUALIFIERS,
    VALUE_BASES,
    Dataset,
    datasets,
    profile,
    world,
)
from hypothesis import HealthCheck, Phase, find, given, settings

import c5map
from c5map.boundaries import load_countries
from c5map.schema import table_schemas


def _validate(dataset: Dataset) -> c5map.Tables:
    """Write the dataset to a fresh folder, assert it validates cleanly and reads back as written."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        dataset.write(folder)
        assert sorted(p.name for p in folder.iterdir()) == sorted(dataset.files)
        tables, problems = c5map.validate(folder)
        assert not problems, "generated dataset is invalid:\n" + "\n".join(str(p) for p in problems)
        for table, schema in table_schemas().items():
            if table in dataset.absent:
                path = tables.paths[table]
                assert path is None or path.parent != folder, table  # empty, or a bundled fallback
                if table == "places":
                    continue
            assert len(tables[table]) == len(dataset.rows[table]), table
            key = schema.primary_key[0]
            if table != "regions":
                assert list(tables[table][key]) == [row[key] for row in dataset.rows[table]], table
        assert tables.region_members() == dict(sorted(dataset.regions.items()))
        return tables


@cache
def _shapes() -> dict:
    countries = load_countries("10m")
    return dict(zip(countries["iso3"], countries.geometry, strict=True))


def _check_cells_and_points(dataset: Dataset) -> None:
    """What the validator does not check as strictly as the strategy promises."""
    for table, rows in dataset.rows.items():
        for row in rows:
            for column, cell in row.items():
                assert cell == cell.strip(), (table, column, cell)
                bad = {c for c in cell if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")}
                assert not bad, (table, column, cell)
    shapes = _shapes()
    for table in ("resources", "events", "places"):
        for row in dataset.rows[table]:
            if row.get("lon") and row.get("country"):
                point = shapely.Point(float(row["lon"]), float(row["lat"]))
                assert shapes[row["country"]].distance(point) <= INSIDE_EPSILON_DEG, (table, row)


@profile()
@given(datasets())
def test_every_generated_dataset_is_valid(dataset):
    _check_cells_and_points(dataset)
    tables = _validate(dataset)
    assert dataset.region not in world().codes
    assert set(dataset.regions[dataset.region]) == set(dataset.members)
    inside = {*dataset.members, dataset.region}
    courting = {d["partner"] for d in tables.deals.to_dict("records") if d["country"] in inside}
    assert set(dataset.partners) <= courting <= set(dataset.partners) | inside  # partners court; no other outsider


# ---- the strategy reaches what it promises: one fixed-seed sweep, then each case's first example is validated

SWEEP = 300  # examples drawn (not validated) to look for every case


def _cells(dataset: Dataset) -> str:
    return "\n".join(v for rows in dataset.rows.values() for row in rows for v in row.values())


def _lons(dataset: Dataset) -> list[float]:
    return [float(r["lon"]) for t in ("resources", "events", "places") for r in dataset.rows[t] if r.get("lon")]


def _cited(dataset: Dataset) -> set[str]:
    return {r["source_id"] for t in ("deals", "trade", "resources", "events", "places") for r in dataset.rows[t]}


SCRIPTS = {
    "Cyrillic": "[\u0400-\u04ff]",
    "Georgian": "[\u10a0-\u10ff]",
    "Arabic": "[\u0600-\u06ff]",
    "CJK": "[\u4e00-\u9fff]",
    "emoji": "[\U0001f300-\U0001faff]",
}

CASES = {
    "RUS is a member": lambda d: "RUS" in d.members,
    "FJI is a member": lambda d: "FJI" in d.members,
    "a point on lon 180": lambda d: 180.0 in _lons(d),
    "a point on lon -180": lambda d: -180.0 in _lons(d),
    "a point west of -179": lambda d: any(-180 < lon < -179 for lon in _lons(d)),
    "15 members": lambda d: len(d.members) == 15,
    "one member": lambda d: len(d.members) == 1,
    "no partner": lambda d: not d.partners,
    "8 partners": lambda d: len(d.partners) == 8,
    "a member is a partner": lambda d: bool(set(d.partners) & set(d.members)),
    "a non-member partner whose deals are all undisclosed": lambda d: bool(
        set(d.undisclosed_partners) - set(d.members)
    ),
    "every value_basis": lambda d: {r["value_basis"] for r in d.deals} == set(VALUE_BASES),
    "every deal value_qualifier": lambda d: {r["value_qualifier"] for r in d.deals} == set(DEAL_QUALIFIERS),
    "every trade value_qualifier": lambda d: {r["value_qualifier"] for r in d.trade} == set(TRADE_QUALIFIERS),
    "a region-level deal": lambda d: any(r["country"] == d.region for r in d.deals),
    "a region-level trade figure": lambda d: any(d.region in (r["origin"], r["destination"]) for r in d.trade),
    "exports between two countries": lambda d: any(
        r["measure"] == "exports" and {r["origin"], r["destination"]} <= set(world().codes) for r in d.trade
    ),
    "a second region": lambda d: len(d.regions) == 2,
    "a region code of 5 or more characters": lambda d: len(d.region) >= 5,
    "a region code that is an ISO 3166 code but no ADM0_A3": lambda d: d.region in world().other_iso_codes,
    "every resource location_precision": lambda d: (
        {r["location_precision"] for r in d.resources} == set(RESOURCE_PRECISIONS)
    ),
    "every event location_precision": lambda d: {r["location_precision"] for r in d.events} == set(EVENT_PRECISIONS),
    "no places.csv": lambda d: "places" in d.absent,
    "a header-only places.csv": lambda d: d.places_mode == "empty",
    "a capital for every country, and a city": lambda d: (
        d.places_mode == "capitals" and any(r["role"] != "capital" for r in d.places)
    ),
    "partial places": lambda d: d.places_mode == "partial" and len(d.places) > 0,
    "one deal only": lambda d: len(d.deals) == 1,
    "one-row trade": lambda d: len(d.trade) == 1,
    "one-row resources": lambda d: len(d.resources) == 1,
    "one-row events": lambda d: len(d.events) == 1,
    "one-row places": lambda d: len(d.places) == 1,
    "an optional table left out": lambda d: bool({"trade", "resources", "events"} & d.absent),
    "an optional table header-only": lambda d: any(
        not d.rows[t] and t not in d.absent for t in ("trade", "resources", "events")
    ),
    "an optional column left out": lambda d: "attributed_to" not in d.columns["deals"],
    "columns in another order": lambda d: d.columns["deals"][0] != "deal_id",
    "a source nobody cites": lambda d: len(d.sources) > len(_cited(d)),
    **{f"{script} text": (lambda d, p=pattern: bool(re.search(p, _cells(d)))) for script, pattern in SCRIPTS.items()},
    "CRLF line ends": lambda d: d.style.line_end == "\r\n",
    "a byte-order mark": lambda d: d.style.bom,
    "every cell quoted": lambda d: d.style.quote_all,
    "no final newline": lambda d: not d.style.final_newline,
}


@cache
def _sweep() -> dict[str, Dataset]:
    """The first example of every case in a fixed-seed run of the strategy."""
    found: dict[str, Dataset] = {}

    @settings(
        max_examples=SWEEP,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(datasets())
    def collect(dataset):
        for case, reached in CASES.items():
            if case not in found and reached(dataset):
                found[case] = dataset

    collect()
    return found


@pytest.mark.parametrize("case", CASES)
def test_strategy_reaches(case):
    """The sweep finds nearly every case; a case it missed is searched for on its own.

    A fixed seed does not fix what Hypothesis draws: it also draws the literals of the local modules imported so
    far, so the sweep depends on which tests ran before it in the process (a pytest-xdist worker missed "15
    members" in 300 examples). ``find`` looks for the missed case alone, and fails if the strategy cannot reach it.
    """
    found = _sweep()
    alone = settings(max_examples=2000, database=None, deadline=None, phases=[Phase.generate],
                     suppress_health_check=list(HealthCheck))  # fmt: skip
    dataset = found[case] if case in found else find(datasets(), CASES[case], settings=alone)
    _validate(dataset)


def test_profile_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("C5MAP_HYPOTHESIS_PROFILE", raising=False)
    assert profile().max_examples == 12 and profile().derandomize and profile().deadline is None
    monkeypatch.setenv("C5MAP_HYPOTHESIS_PROFILE", "long")
    assert profile().max_examples == 500 and profile().deadline is None


def test_every_country_has_a_point_inside_it():
    points = world().points
    assert len(points) == 250
    assert all(points[iso3] for iso3 in world().codes)
