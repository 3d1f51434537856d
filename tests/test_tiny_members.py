"""Members too small to see at the opening zoom get a point symbol (#23 item 11).

The scene decides which members and where (``c5map.scenes.tiny``); the influence page draws each as a disc of
at least 12 px in the member's class colour, on top of the fills and arcs, with the member's own tooltip. Tried
in headless Chromium at 1400x900 and 390x844 on the Pacific islands, which straddle ±180°.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builds import shared_build

from c5map.boundaries import load_countries, web_countries
from c5map.maps.common import display_names
from c5map.scenes.influence import influence_scene
from c5map.scenes.tiny import CLEAR_PX, SYMBOL_PX, opening_zoom, tiny_members
from c5map.story import story_for
from c5map.tables import load_tables

REPO = Path(__file__).resolve().parents[1]
PACIFIC = REPO / "tests" / "data" / "pacific-synthetic"
SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"

# Each drawn tiny symbol of the open view: its box, the fill of the member's own polygon, and what is on top at
# its centre (the symbol itself when a reader can tap it).
DRAWN = """(iso3) => {
    const map = MAP, out = {};
    map.eachLayer(l => {
        if (l.feature && l.feature.id === iso3 && l._path) out.polygon = l._path.getAttribute('fill');
    });
    const path = document.querySelector('path.c5-tiny-' + iso3);
    if (!path) return out;
    const r = path.getBoundingClientRect(), x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    return Object.assign(out, {box: [r.left, r.top, r.right, r.bottom], fill: path.getAttribute('fill'),
                               stroke: path.getAttribute('stroke'), on_top: document.elementFromPoint(x, y) === path,
                               centre: [x, y]});
}""".replace("MAP", FIND_MAP)
OPEN_TIP_TEXT = """() => [...document.querySelectorAll('.leaflet-tooltip')]
    .filter(t => !t.classList.contains('c5-figure-label') && t.offsetParent !== null
            && getComputedStyle(t).opacity !== '0').map(t => t.textContent.replace(/\\s+/g, ' '))"""


@pytest.fixture(scope="module")
def pacific():
    """The Pacific tables, story and influence scene."""
    tables = load_tables(PACIFIC)
    story = story_for(tables)
    return tables, story, influence_scene(tables, story, web_countries(list(story.members)))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The Pacific pages, built once without tiles."""
    return shared_build(tmp_path_factory, PACIFIC, tiles="none", images=False) / "maps"


def test_every_pacific_member_is_a_point_and_no_central_asian_one_is(pacific):
    _, story, scene = pacific
    assert sorted(p.iso3 for p in scene.tiny) == sorted(story.members)  # atolls: specks on a phone at zoom 3.5
    assert all(p.size_px < SYMBOL_PX for p in scene.tiny)
    bundled = load_tables()
    central = story_for(bundled)
    assert influence_scene(bundled, central, web_countries(list(central.members))).tiny == ()


def test_the_threshold_is_the_symbols_size_at_the_phones_opening_zoom():
    world = load_countries("10m")
    view = (165.0, -45.0, 190.0, -10.0)
    assert opening_zoom(view) == 4.0
    sizes = {p.iso3: p.size_px for p in tiny_members(world, ["TON", "FJI", "NZL"], view)}
    assert set(sizes) == {"TON", "FJI"}  # New Zealand's South Island is hundreds of pixels across
    assert sizes["TON"] < 3 < sizes["FJI"] < SYMBOL_PX


def test_a_symbol_goes_on_its_capitals_island_and_off_an_event_there(pacific):
    tables, _, scene = pacific
    kiribati = next(p for p in scene.tiny if p.iso3 == "KIR")
    assert abs(kiribati.lon - 173.0) < 0.5 and abs(kiribati.lat - 1.4) < 0.5  # Tarawa, where the arcs end
    assert kiribati.offset_px == (0.0, 0.0)  # no event there
    tonga = next(p for p in scene.tiny if p.iso3 == "TON")
    event = scene.events[scene.events["country"] == "TON"].geometry.iloc[0]
    assert abs(tonga.lon - event.x) < 0.5 and abs(tonga.lat - event.y) < 0.5  # Tongatapu, with the summit's marker
    assert 10 < (tonga.offset_px[0] ** 2 + tonga.offset_px[1] ** 2) ** 0.5 <= CLEAR_PX  # set beside it, in pixels


@pytest.mark.parametrize("size", list(SIZES))
def test_each_tiny_member_has_a_visible_tappable_symbol_in_its_class_colour(chromium, built, pacific, size):
    tables, _, scene = pacific
    names = display_names(tables)
    opening = scene.views[scene.opening].figures.set_index("iso3")
    width, height = SIZES[size]
    visit = chromium.open(built / "influence.html", width=width, height=height)
    visit.page.wait_for_timeout(300)
    for point in scene.tiny:
        drawn = visit.page.evaluate(DRAWN, point.iso3)
        assert "box" in drawn, (point.iso3, drawn)
        left, top, right, bottom = drawn["box"]
        assert right - left >= SYMBOL_PX and bottom - top >= SYMBOL_PX, (point.iso3, drawn)
        assert 0 <= left and right <= width and 0 <= top and bottom <= height, (point.iso3, drawn)
        assert drawn["fill"] == drawn["polygon"], (point.iso3, drawn)  # colour, hatching or undisclosed tint
        assert drawn["on_top"], (point.iso3, drawn)
        visit.page.evaluate(f"void {FIND_MAP}.eachLayer(l => l.closeTooltip && l.closeTooltip())")
        visit.page.mouse.move(1, 1)
        x, y = drawn["centre"]
        if size == "phone":
            visit.page.mouse.click(x, y)
        else:
            visit.page.mouse.move(x, y)
        visit.page.wait_for_timeout(150)
        tips = visit.page.evaluate(OPEN_TIP_TEXT)
        assert len(tips) == 1, (point.iso3, tips)
        assert names[point.iso3] in tips[0] and str(opening.loc[point.iso3, "deals_text"]) in tips[0], tips
    assert visit.page_errors == []
    visit.page.close()


def test_a_view_switched_to_gets_its_symbols_with_their_own_tooltips(chromium, built):
    visit = chromium.open(built / "influence.html", width=1400, height=900)
    page = visit.page
    page.wait_for_timeout(300)
    page.get_by_label("Australia: deals").check()
    page.wait_for_timeout(150)
    drawn = page.evaluate(DRAWN, "TUV")
    assert drawn["on_top"] and drawn["fill"] == drawn["polygon"], drawn
    page.mouse.move(*drawn["centre"])
    page.wait_for_timeout(150)
    tips = page.evaluate(OPEN_TIP_TEXT)
    assert len(tips) == 1 and "undersea cable landing at Funafuti" in tips[0], tips
    assert page.locator("path.c5-tiny").count() == 6  # the view shown only: one symbol per member
    page.close()


# Screen distance between Tonga's symbol and the summit's marker in Nuku'alofa, at the zoom given.
APART = """(zoom) => { const map = MAP;
    let event = null;
    map.eachLayer(l => {
        if (l instanceof L.CircleMarker && !l.options.className && /Nuku/.test(l.getTooltip()?.getContent()))
            event = l.getLatLng(); });
    map.setView(event, zoom, {animate: false});
    const r = document.querySelector('path.c5-tiny-TON').getBoundingClientRect();
    const origin = map.getContainer().getBoundingClientRect(), at = map.latLngToContainerPoint(event);
    return Math.hypot((r.left + r.right) / 2 - origin.left - at.x, (r.top + r.bottom) / 2 - origin.top - at.y); }"""
APART = APART.replace("MAP", FIND_MAP)


def test_a_symbol_set_beside_an_event_stays_beside_it_at_every_zoom(chromium, built):
    visit = chromium.open(built / "influence.html", width=1400, height=900)
    for zoom in (4, 6, 8):
        apart = visit.page.evaluate(APART, zoom)
        assert CLEAR_PX - 1 <= apart < 3 * CLEAR_PX, (zoom, apart)  # not on the marker, not adrift at sea
    visit.page.close()


def test_the_print_draws_each_tiny_member_as_a_point_filled_as_its_country(pacific):
    """Print as on the web: in every panel, a point on each tiny member, its class colour, dashes or hatching."""
    import matplotlib.colors
    import matplotlib.pyplot as plt
    from matplotlib.collections import PathCollection

    from c5map import images

    tables, story, scene = pacific
    with plt.rc_context(images.STYLE):
        image = images.influence_image(tables, story)
    panels = [ax for ax in image.maps if ax.get_title()]
    assert len(panels) == len(scene.views[: len(panels)]) and panels
    for ax, view in zip(panels, scene.views, strict=False):
        shades = view.shades(scene.breaks)
        figures = view.figures.set_index("iso3")
        points = {}
        for collection in ax.collections:
            if isinstance(collection, PathCollection) and len(collection.get_offsets()) == 1:
                x, y = collection.get_offsets()[0]
                points[(round(float(x) % 360, 3), round(float(y), 3))] = collection
        for tiny in scene.tiny:
            collection = points.get((round(tiny.lon % 360, 3), round(tiny.lat, 3)))
            assert collection is not None, (view.name, tiny.iso3)
            row = figures.loc[tiny.iso3]
            face = matplotlib.colors.to_hex(collection.get_facecolor()[0])
            if row["has_figure"]:
                assert face == matplotlib.colors.to_hex(shades[int(row["value_class"])]), (view.name, tiny.iso3)
            elif row["has_deal"]:
                assert collection.get_linestyle()[0][1] is not None, (view.name, tiny.iso3)  # dashed
            else:
                assert collection.get_hatch(), (view.name, tiny.iso3)
    plt.close(image.figure)
