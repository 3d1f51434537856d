"""Screen simplification: the error bound, shared borders, repairs (c5map.simplify)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from c5map.boundaries import CONTEXT_ZOOM, MAX_ZOOM, load_countries, max_deviation, screen_simplified, web_countries
from c5map.simplify import screen_pixels, simplify_shared_arcs, web_mercator_pixels

C5 = ["KAZ", "KGZ", "TJK", "TKM", "UZB"]

# The country sets and zooms the shipped pages draw, and one that needs repairs (Greece's islands at zoom 2).
SETS = {
    "influence": ("10m", C5, MAX_ZOOM),
    "resources": ("10m", ["CHN", *C5], CONTEXT_ZOOM),
    "trade": ("10m", ["CHN", "IND", "RUS", "TUR", *C5], CONTEXT_ZOOM),
    "enclaves": ("10m", ["ZAF", "LSO", "SWZ", "MOZ"], MAX_ZOOM),
    "islands": ("10m", ["GRC", "TUR", "ALB", "MKD", "BGR"], 2),
    "world 110m": ("110m", None, 2),
}


def _simplified(name: str) -> tuple[np.ndarray, np.ndarray, int]:
    scale, iso3, zoom = SETS[name]
    world = load_countries(scale)
    source = (world if iso3 is None else world[world.iso3.isin(iso3)]).geometry.values
    return source, simplify_shared_arcs(source, 0.5, lambda xy: web_mercator_pixels(xy, zoom)), zoom


@pytest.mark.parametrize("name", list(SETS))
def test_borders_move_at_most_the_tolerance_in_screen_pixels(name):
    source, simplified, zoom = _simplified(name)
    assert shapely.is_valid(simplified).all()
    assert max_deviation(screen_pixels(source, zoom), screen_pixels(simplified, zoom)) <= 0.5 + 1e-9
    assert shapely.get_num_coordinates(simplified).sum() < shapely.get_num_coordinates(source).sum()


@pytest.mark.parametrize("name", list(SETS))
def test_every_vertex_is_a_source_vertex(name):
    source, simplified, _ = _simplified(name)
    kept = shapely.get_coordinates(simplified)
    known = {tuple(xy) for xy in shapely.get_coordinates(source)}
    assert all(tuple(xy) in known for xy in kept)


@pytest.mark.parametrize("name", list(SETS))
def test_neighbours_keep_one_border_no_gap_no_overlap(name):
    source, simplified, _ = _simplified(name)
    assert shapely.coverage_is_valid(source)  # the premise: Natural Earth is a clean coverage here
    assert shapely.coverage_is_valid(simplified)
    left, right = shapely.STRtree(source).query(source, predicate="touches")
    pairs = [(a, b) for a, b in zip(left, right, strict=True) if a < b]
    for a, b in pairs:
        shared = shapely.intersection(source[a].boundary, source[b].boundary).length
        if shared > 0:
            assert shapely.intersection(simplified[a].boundary, simplified[b].boundary).length > 0
            assert shapely.intersection(simplified[a], simplified[b]).area == 0
            # no gap: the two together have no hole the source pair had not
            holes = shapely.get_num_interior_rings(shapely.get_parts(shapely.union(source[a], source[b]))).sum()
            holes_now = shapely.get_num_interior_rings(
                shapely.get_parts(shapely.union(simplified[a], simplified[b]))
            ).sum()
            assert holes_now <= holes


def test_an_enclave_is_the_same_ring_as_the_hole_around_it():
    world = load_countries("10m").set_index("iso3")
    source = world.loc[["ZAF", "LSO"]].geometry.values
    south_africa, lesotho = simplify_shared_arcs(source, 0.5, lambda xy: web_mercator_pixels(xy, MAX_ZOOM))
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(south_africa) for ring in part.interiors]
    assert any(hole.normalize().equals_exact(lesotho.normalize(), 0) for hole in holes)
    assert shapely.get_num_coordinates(lesotho) < shapely.get_num_coordinates(source[1])


def test_rings_that_would_cross_or_collapse_are_simplified_less():
    # Greece at 1:10m drawn at zoom 2: simplifying every ring on its own at half a pixel leaves most islands
    # with fewer than four points and parts that overlap; the repairs must leave a valid MultiPolygon.
    greece = load_countries("10m").set_index("iso3").loc[["GRC"]].geometry.values
    to_screen = screen_pixels(greece, 2)
    naive = []
    for part in shapely.get_parts(to_screen):
        rings = [shapely.simplify(ring, 0.5) for ring in (part.exterior, *part.interiors)]
        coordinates = [shapely.get_coordinates(ring) for ring in rings]
        if min(len(c) for c in coordinates) < 4:
            naive = None
            break
        naive.append(shapely.Polygon(coordinates[0], coordinates[1:]))
    assert naive is None or not shapely.MultiPolygon(naive).is_valid  # the premise
    (ours,) = simplify_shared_arcs(greece, 0.5, lambda xy: web_mercator_pixels(xy, 2))
    assert ours.is_valid
    assert max_deviation(to_screen, screen_pixels(np.array([ours]), 2)) <= 0.5 + 1e-9


def test_web_mercator_pixels_match_leaflet():
    points = np.array([[0.0, 0.0], [180.0, 0.0], [-180.0, 85.0511287798], [0.0, -89.0]])
    assert np.allclose(web_mercator_pixels(points, 0), [[128, 128], [256, 128], [0, 0], [128, 256]], atol=1e-6)
    assert np.allclose(web_mercator_pixels(points, 3), web_mercator_pixels(points, 0) * 8)


def test_screen_simplification_is_cached_per_zoom(tmp_path, monkeypatch):
    monkeypatch.setenv("C5MAP_CACHE", str(tmp_path))
    source = load_countries("10m").set_index("iso3").loc[C5].geometry.values
    first = screen_simplified(source, MAX_ZOOM, 3)
    (cached,) = (tmp_path / "derived").glob("*.wkb")
    again = screen_simplified(source, MAX_ZOOM, 3)
    assert all(a.equals_exact(b, 0) for a, b in zip(first, again, strict=True))
    cached.write_bytes(cached.read_bytes()[:100])  # damaged: recomputed
    assert all(a.equals_exact(b, 0) for a, b in zip(first, screen_simplified(source, MAX_ZOOM, 3), strict=True))
    coarser = screen_simplified(source, 4, 3)
    assert len(list((tmp_path / "derived").glob("*.wkb"))) == 2
    assert shapely.get_num_coordinates(coarser).sum() < shapely.get_num_coordinates(first).sum()


@pytest.mark.parametrize(("iso3", "zoom"), [("CHN", 5), ("IDN", 4)])
def test_repairs_lower_the_tolerance_only_near_the_problem(iso3, zoom):
    # Simplifying every ring on its own ignores crossings; the repaired result may keep only a few more points.
    source = load_countries("10m").set_index("iso3").loc[[iso3]].geometry.values
    on_screen = screen_pixels(source, zoom)
    unrepaired = sum(
        int(shapely.get_num_coordinates(shapely.simplify(ring, 0.5)))
        for part in shapely.get_parts(on_screen)
        for ring in (part.exterior, *part.interiors)
    )
    ours = shapely.get_num_coordinates(simplify_shared_arcs(source, 0.5, lambda xy: web_mercator_pixels(xy, zoom)))
    assert int(ours.sum()) <= 1.25 * unrepaired


@pytest.mark.parametrize(
    "context", [[], ["CHN", "IND", "TUR", "RUS"]], ids=["region alone", "region among its context"]
)
def test_pages_draw_the_regions_borders_within_a_pixel_at_every_allowed_zoom(context):
    """The region's members as a page draws them (true to MAX_ZOOM, context coarser): every source vertex of
    their 1:10m borders within one screen pixel at MAX_ZOOM, hence at every shallower zoom too."""
    assert MAX_ZOOM >= 8
    world = load_countries("10m")
    page = web_countries([*C5, *context], max_zoom=CONTEXT_ZOOM if context else MAX_ZOOM, detail=C5,
                         detail_zoom=MAX_ZOOM).set_index("iso3")  # fmt: skip
    source = world.set_index("iso3").loc[C5].geometry.values
    drawn = page.loc[C5].geometry.values
    assert max_deviation(screen_pixels(source, MAX_ZOOM), screen_pixels(drawn, MAX_ZOOM)) < 1.0
    if context:  # the context is lighter: fewer vertices than if it were as fine as the region
        fine = web_countries(context, max_zoom=MAX_ZOOM)
        assert shapely.get_num_coordinates(page.loc[context].geometry.values).sum() < shapely.get_num_coordinates(
            fine.geometry.values).sum()  # fmt: skip
