"""Valid input never crashes: every generated valid dataset builds every page, image and export, truthfully.

Datasets come from ``tests/datasets.py`` (any region of 1-15 members, 0-8 partners, every basis and
qualifier, the antimeridian, non-Latin text, missing and one-row tables). CI runs the ``ci`` profile (fixed
seed, a dozen examples); ``C5MAP_HYPOTHESIS_PROFILE=long pytest tests/test_valid_data_builds.py`` runs 500.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pyogrio
from conftest import expected_flow_ids, expected_flow_pairs
from datasets import Dataset, datasets, profile
from hypothesis import given

from c5map.boundaries import load_countries
from c5map.build import build
from c5map.maps import MAPS
from c5map.maps.common import display_names, region_view
from c5map.maps.safety import escape_text, json_for_script
from c5map.story import story_for
from c5map.validate import load_valid_tables

WORLD = load_countries("10m")


def _opening_view(html: str) -> tuple[float, float, float, float]:
    (south, west), (north, east) = json.loads(re.search(r"\.fitBounds\(\s*(\[\[.*?\]\])", html, re.S).group(1))
    return west, south, east, north


def _check_pages(dataset: Dataset, tables, out: Path) -> None:
    story = story_for(tables, dataset.region)
    names = display_names(tables)
    pages = {name: (out / "maps" / name).read_text(encoding="utf-8") for name in [*MAPS, "index.html"]}
    # every page opens with the region in view
    west, south, east, north = region_view(WORLD, story.members, pad=0)
    for name in MAPS:
        view = _opening_view(pages[name])
        # longitudes compare on the circle: a page's world copy may start anywhere (0..360 across the antimeridian)
        width = view[2] - view[0]
        assert (east - west) <= width + 1e-6, (name, view, (west, east))
        for lon in (west, east):
            assert (lon - view[0] + 1e-6) % 360 <= width + 2e-6, (name, view, (west, east))
        assert view[1] <= max(south, -85) + 1e-6 and view[3] >= min(north, 85) - 1e-6, (name, view)
        title = re.search(r"<title>(.*?)</title>", pages[name], re.S).group(1)
        assert escape_text(story.region_name) in title or story.maps, (name, title)
    # no partner-member pair with a deal reads "no reported figure"; every such deal is listed with its date
    influence = pages["influence.html"]
    calls = r"c5mapShapeLayer\([^,]+, [^,]+, \{.*?\}, (\{.*?\})(?:,\s*\"[\w-]*\")?\);"  # pane, if any, last
    tips = [json.loads(m) for m in re.findall(calls, influence)]
    members = set(story.members)
    deals = tables.deals[tables.deals["country"].isin(members)]
    for (partner, member), _ in deals.groupby(["partner", "country"]):
        # a member's deals in its own region are "within" it, never a partner courting it
        label = (
            f"Deals within {story.region_name}" if partner in members else (f"Deals with {names.get(partner, partner)}")
        )
        found = [t[member] for t in tips if member in t and escape_text(label) in t[member]]
        assert found, (partner, member)
        assert "reports no deal here" not in found[0], (partner, member)
    # legends promise only what is drawn
    if "no reported figure (not zero)" in influence:
        assert "url(#c5-hatch)" in influence.split("c5mapPanel")[0] or '"fillColor":"url(#c5-hatch)"' in influence
    for name in ("influence.html", "trade.html", "resources.html"):
        if re.search(r"arc from |flow from the capital", pages[name]):
            assert "c5mapArc(" in pages[name], name
    # the timeline lists every event and deal (searched as the page's script writes them)
    timeline = pages["timeline.html"]
    for event in tables.events.itertuples():
        assert json_for_script(event.name)[1:-1] in timeline, event.event_id
    for deal in tables.deals.itertuples():
        assert json_for_script(deal.deal_id) in timeline, deal.deal_id


def _check_exports(tables, out: Path) -> None:
    geo = out / "geo"

    def ids(layer: str, column: str) -> list[str]:  # GDAL reads a layer with no feature as no columns at all
        if not pyogrio.read_info(geo / f"{layer}.geojson")["features"]:
            return []
        return sorted(pyogrio.read_dataframe(geo / f"{layer}.geojson")[column])

    assert ids("resources", "resource_id") == sorted(tables.resources["resource_id"])
    assert ids("events", "event_id") == sorted(tables.events["event_id"])
    # one line per pair of countries; every figure a row of the flow_figures table, naming its pair
    assert set(ids("flows", "pair_id")) == expected_flow_pairs(tables)
    figures = pyogrio.read_dataframe(geo / "c5map.gpkg", layer="flow_figures")
    assert sorted(zip(figures["kind"], figures["figure_id"], strict=True)) == expected_flow_ids(tables)
    assert set(figures["pair_id"]) == set(ids("flows", "pair_id"))
    for layer in pyogrio.list_layers(geo / "c5map.gpkg")[:, 0]:
        pyogrio.read_info(geo / "c5map.gpkg", layer=layer)  # GDAL opens every layer


@profile()
@given(datasets())
def test_every_valid_dataset_builds_every_page_image_and_export(dataset):
    with tempfile.TemporaryDirectory(prefix="c5map-hypothesis-") as name:
        folder, out = Path(name) / "data", Path(name) / "out"
        folder.mkdir()
        dataset.write(folder)
        tables = load_valid_tables(folder)
        build(folder, out, tiles="none", region=dataset.region, progress=lambda line: None)
        for still in ("influence", "trade", "resources", "timeline"):
            assert (out / "maps" / "png" / f"{still}.png").stat().st_size > 0
            assert (out / "maps" / "svg" / f"{still}.svg").stat().st_size > 0
        _check_pages(dataset, tables, out)
        _check_exports(tables, out)
