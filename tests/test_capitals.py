"""Capitals where a page's lines end are named at its opening view (issue 23 item 11).

An arc from a partner ends at a member's capital, often under an event marker or an arrowhead; the name goes
beside them, never under them. In headless Chromium at 1400x900, on the bundled data and the synthetic Sahel
(six member capitals, arcs of up to ten partners).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builds import shared_build

from c5map import layers
from c5map.story import story_for
from c5map.validate import load_valid_tables

REPO = Path(__file__).resolve().parents[1]
DATASETS = {"bundled": REPO / "data", "sahel-synthetic": REPO / "tests" / "data" / "sahel-synthetic"}
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"


@pytest.fixture(scope="module", params=sorted(DATASETS))
def site(request, tmp_path_factory):
    out = shared_build(tmp_path_factory, DATASETS[request.param], tiles="none", images=False)
    return DATASETS[request.param], out / "maps"


def test_every_member_capital_in_view_is_named_at_the_opening(chromium, site):
    folder, maps = site
    tables = load_valid_tables(folder)
    story = story_for(tables)
    names, places = layers.capital_names(tables), layers.capitals(tables)
    visit = chromium.open(maps / "influence.html", width=1400, height=900)
    in_view = visit.page.evaluate(
        f"""(points) => {{ const m = {FIND_MAP}, b = m.getBounds(), size = m.getSize();
            return points.filter(p => {{ const c = m.latLngToContainerPoint([p[1], p[0]]);
                return b.contains([p[1], p[0]]) && c.x > 40 && c.x < size.x - 40; }}).map(p => p[2]); }}""",
        [[*places[iso3], iso3] for iso3 in story.members if iso3 in places],
    )
    named = set(visit.page.evaluate("[...document.querySelectorAll('.c5-label-name')].map(e => e.textContent)"))
    assert len(in_view) >= 5  # the test sees the capitals it is about
    assert {names[iso3] for iso3 in in_view} <= named
    assert visit.page_errors == []
    visit.page.close()


BOXES = """() => [...document.querySelectorAll('.c5-label-dot, .c5-label')].map(e => {
    const r = e.getBoundingClientRect();
    return [e.classList.contains('c5-label-dot'), e.textContent, r.left, r.top, r.right, r.bottom]; })"""


@pytest.mark.parametrize("page", ["influence.html", "trade.html"])
@pytest.mark.parametrize("size", [(1400, 900), (390, 844)])
def test_no_name_runs_under_a_capitals_dot(chromium, site, page, size):
    _, maps = site
    visit = chromium.open(maps / page, width=size[0], height=size[1])
    opening = visit.page.evaluate(f"{FIND_MAP}.getZoom()")
    dots_seen = 0
    for step in (0, 1):
        visit.page.evaluate(f"void {FIND_MAP}.setZoom({opening + step}, {{animate: false}})")  # void: not the map back
        visit.page.wait_for_timeout(250)
        boxes = visit.page.evaluate(BOXES)
        dots = [box[2:] for box in boxes if box[0]]
        names = [(box[1], box[2:]) for box in boxes if not box[0]]
        dots_seen += len(dots)
        for left, top, right, bottom in dots:
            for text, (l2, t2, r2, b2) in names:
                assert not (left < r2 and l2 < right and top < b2 and t2 < bottom), (step, text)
    assert dots_seen
    visit.page.close()


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)])
def test_figures_on_the_resources_map_are_inside_it_named_and_never_under_a_dot(chromium, site, size):
    folder, maps = site
    resources = load_valid_tables(folder).resources
    areas = resources[resources["location_precision"] == "region"]
    visit = chromium.open(maps / "resources.html", width=size[0], height=size[1])
    found = visit.page.evaluate("""() => {
        const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
        return {map: box(document.querySelector('.leaflet-container')),
                figures: [...document.querySelectorAll('.c5-figure-label')]
                    .filter(e => getComputedStyle(e).visibility !== 'hidden').map(e => [e.innerText, ...box(e)]),
                dots: [...document.querySelectorAll('.c5-label-dot')].map(box)}; }""")
    west, north, east, south = found["map"]
    texts = [text for text, *_ in found["figures"]]
    for name in areas["name"]:  # a deposit known only by its region is named on its area
        assert any(text.startswith(f"{name}\n") for text in texts), (name, texts)
    for k, (text, left, top, right, bottom) in enumerate(found["figures"]):
        if right > west and left < east and bottom > north and top < south:  # in view: wholly inside the map
            assert left >= west and right <= east, text
            for dl, dt, dr, db in found["dots"]:
                assert not (dl < right and left < dr and dt < bottom and top < db), text
            for other, ol, ot, orr, ob in found["figures"][k + 1 :]:  # two figures never cover each other
                assert not (ol < right and left < orr and ot < bottom and top < ob), (text, other)
    visit.page.close()
