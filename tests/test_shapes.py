"""A region's outline travels as stretches of its members' borders, and the page draws exactly the outline.

Parametrised over regions whose outlines differ in kind: one land mass (the bundled Central Asia), islands
across ±180° (the synthetic Pacific), and a region of neighbours with enclaves (the South Caucasus).
"""

from __future__ import annotations

import json
from pathlib import Path

import folium
import numpy as np
import pytest
import shapely

from c5map import layers
from c5map.boundaries import web_countries
from c5map.maps.assets import asset_text
from c5map.maps.common import page_view
from c5map.maps.shapes import SharedShapes, encoded_steps, wrap_geometry
from c5map.story import story_for
from c5map.validate import load_valid_tables

REPO = Path(__file__).resolve().parents[1]
REGIONS = {
    "bundled": REPO / "data",
    "pacific-synthetic": REPO / "tests" / "data" / "pacific-synthetic",
    "south-caucasus": REPO / "tests" / "data" / "south-caucasus",
}


def _members_and_outline(folder: Path):
    """The members and outline an influence page draws, and its seam, as the page computes them."""
    tables = load_valid_tables(folder)
    story = story_for(tables)
    countries = web_countries(list(story.members))
    outline = layers.region_outlines(tables, countries).query("region == @story.region")
    _, seam = page_view(countries, list(story.members), pad=3.0)
    return countries[countries["iso3"].isin(story.members)], outline, seam


@pytest.fixture(scope="module", params=sorted(REGIONS))
def region(request):
    return request.param, *_members_and_outline(REGIONS[request.param])


def test_an_outline_drawn_along_its_members_is_written_as_references_to_their_borders(region):
    _, members, outline, seam = region
    base = SharedShapes(members, seam=seam)
    alone = SharedShapes(outline, "region", seam=seam)
    along = SharedShapes(outline, "region", seam=seam, along=base)
    assert along.along is base and '"r":' in along.data_js
    assert len(along.data_js) < len(alone.data_js) / 3  # the shared borders are not written a second time


def test_a_shape_set_on_a_coarser_grid_is_never_referred_to():
    members, outline, seam = _members_and_outline(REGIONS["bundled"])
    coarse = members.assign(geometry=[shapely.transform(g, lambda xy: np.round(xy, 1)) for g in members.geometry])
    base = SharedShapes(coarse, seam=seam)
    along = SharedShapes(outline, "region", seam=seam, along=base)
    assert base.scale < SharedShapes(outline, "region", seam=seam).scale  # the outline's grid is finer
    assert along.along is None and '"r":' not in along.data_js  # so it is written whole


def _assert_decoded(decoded: list, frame, id_column: str, seam: float) -> None:
    """Each shape the page decoded is its geometry, every ring and vertex (as the page's grid holds it)."""
    assert [shape_id for shape_id, _ in decoded] == [str(k) for k in frame[id_column]]
    for (_, polygons), geometry in zip(decoded, frame.geometry, strict=True):
        geometry = wrap_geometry(geometry, seam)
        expected = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
        assert len(polygons) == len(expected)
        for rings, polygon in zip(polygons, expected, strict=True):
            wanted = [polygon.exterior, *polygon.interiors]
            assert len(rings) == len(wanted)
            for ring, want in zip(rings, wanted, strict=True):
                np.testing.assert_allclose(np.asarray(ring), np.asarray(want.coords)[:, :2], rtol=0, atol=1e-9)


def test_the_page_decodes_the_members_and_the_outline_to_exactly_their_geometry(region, tmp_path, chromium):
    name, members, outline, seam = region
    m = folium.Map(tiles=None)
    base = SharedShapes(members, seam=seam)
    along = SharedShapes(outline, "region", seam=seam, along=base)
    m.add_child(base)
    m.add_child(along)
    page = tmp_path / f"{name}.html"
    m.save(str(page))
    visit = chromium.open(page)
    decode = "JSON.stringify({}.features.map(f => [f.id, f.geometry.coordinates]))"
    decoded = visit.page.evaluate(f"() => [{decode.format(base.get_name())}, {decode.format(along.get_name())}]")
    assert not visit.page_errors
    _assert_decoded(json.loads(decoded[0]), members, "iso3", seam)
    _assert_decoded(json.loads(decoded[1]), outline, "region", seam)


def test_steps_past_two_to_the_31_survive_the_page(tmp_path, chromium):
    """The decoder does arithmetic, not 32-bit bit operations: a 7-decimal grid's steps reach 3.6e9 zigzagged."""
    steps = [0, 1, -1, 31, -32, 1_800_000_000, -1_800_000_000, 2**40, -(2**40) - 7]
    page = tmp_path / "steps.html"
    page.write_text(f"<script>{asset_text('shapes.js')}</script>")
    visit = chromium.open(page)
    assert visit.page.evaluate(f"c5mapSteps({json.dumps(encoded_steps(steps))})") == steps
