"""What a reader meets when they touch the map (#23 items 3-5): readable tooltips on top of everything, a layer
order that survives every switch, and a zoom that stays where the map means something.

In headless Chromium at 1400x900 and 390x844, for the bundled data and two synthetic regions, built once per
dataset with ``--tiles none``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builds import shared_build

from c5map.boundaries import load_countries
from c5map.maps.common import region_view
from c5map.story import story_for
from c5map.tables import load_tables

REPO = Path(__file__).resolve().parents[1]
DATASETS = {
    "bundled": None,
    "sahel-synthetic": REPO / "tests" / "data" / "sahel-synthetic",
    "pacific-synthetic": REPO / "tests" / "data" / "pacific-synthetic",
}
SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
PHONE_CARD_PX = 240
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"

# Points where each member's fill is what the reader touches (nothing over it), in page pixels: its own shape, not
# a panel, a label or another layer.
MEMBER_POINTS = """(members) => {
    const map = MAP, points = [];
    map.eachLayer(l => {
        if (!l.feature || !members.includes(l.feature.id) || !l._path || !l.getTooltip || !l.getTooltip()) return;
        const r = l._path.getBoundingClientRect();
        const left = Math.max(r.left, 0), right = Math.min(r.right, innerWidth);
        const top = Math.max(r.top, 0), bottom = Math.min(r.bottom, innerHeight);
        for (let i = 0; i < 14; i++) for (let j = 0; j < 14; j++) {
            const x = left + (i + 0.5) * (right - left) / 14, y = top + (j + 0.5) * (bottom - top) / 14;
            if (document.elementFromPoint(x, y) === l._path) points.push([l.feature.id, r.width * r.height, x, y]);
        }
    });
    return points;
}""".replace("MAP", FIND_MAP)
# The centres of the point symbols with a tooltip (events, deposits), in page pixels.
SYMBOLS = """() => {
    const map = MAP, found = [];
    map.eachLayer(l => {
        if (l instanceof L.CircleMarker && !(l instanceof L.Circle) && l._path && l.getTooltip()) {
            const p = map.latLngToContainerPoint(l.getLatLng()), r = map.getContainer().getBoundingClientRect();
            found.push([l.getLatLng().lat, l.getLatLng().lng, r.left + p.x, r.top + p.y, l.getRadius()]);
        }
    });
    return found;
}""".replace("MAP", FIND_MAP)
# The open hover tooltip: its box, and what is drawn on top of it at its centre and near its corners (labels and
# tooltips made hit-testable for the probe: they ignore the pointer).
OPEN_TIP = """() => {
    const tips = [...document.querySelectorAll('.leaflet-tooltip')]
        .filter(t => !t.classList.contains('c5-figure-label') && t.offsetParent !== null
                && getComputedStyle(t).opacity !== '0');  // a closing tooltip fades out before it is removed
    if (tips.length !== 1) return {count: tips.length};
    const tip = tips[0], r = tip.getBoundingClientRect();
    const probe = document.createElement('style');
    probe.textContent = '.c5-label, .c5-label-dot, .leaflet-tooltip, .leaflet-tooltip * '
        + '{ pointer-events: auto !important; }';
    document.head.appendChild(probe);
    const blockers = [[0.5, 0.5], [0.12, 0.12], [0.88, 0.12], [0.12, 0.88], [0.88, 0.88]].map(([fx, fy]) => {
        const e = document.elementFromPoint(r.left + fx * r.width, r.top + fy * r.height);
        if (e && tip.contains(e)) return null;
        if (!e) return 'nothing';
        const owner = e.closest('.c5-label, .leaflet-control, .c5-timeline, .leaflet-marker-icon');
        return (owner || e).className.baseVal ?? (owner || e).className;
    }).filter(b => b !== null);
    probe.remove();
    return {count: 1, box: [r.left, r.top, r.right, r.bottom], blockers: blockers,
            text: tip.textContent.slice(0, 40)};
}"""


@pytest.fixture(scope="module", params=list(DATASETS))
def built(request, tmp_path_factory):
    """(members, region, region's frame, the maps folder) of one dataset, built once for this module."""
    data = DATASETS[request.param]
    out = shared_build(tmp_path_factory, data, tiles="none", images=False)
    story = story_for(load_tables(data) if data else load_tables())
    frame = region_view(load_countries("10m"), story.members, pad=0)
    return list(story.members), story.region, frame, out / "maps"


def _open(chromium, maps: Path, page: str, size: str):
    width, height = SIZES[size]
    visit = chromium.open(maps / page, width=width, height=height)
    visit.page.wait_for_timeout(300)  # the opening fits (panel.js, timeline.js) run on the next frames
    return visit


def _touch(page, size: str, x: float, y: float) -> None:
    """Hover on a desktop, tap on a phone (the last tooltip closed first: a pointer jumps, a reader's moves)."""
    page.evaluate(f"void {FIND_MAP}.eachLayer(l => l.closeTooltip && l.closeTooltip())")  # void: not the map back
    page.mouse.move(1, 1)  # off the shapes: the next one is entered afresh
    if size == "phone":
        page.mouse.click(x, y)
    else:
        page.mouse.move(x, y)
    page.wait_for_timeout(120)


def _check_tip(page, size: str, where: str) -> None:
    found = page.evaluate(OPEN_TIP)
    assert found["count"] == 1, (where, found)
    left, top, right, bottom = found["box"]
    width, height = SIZES[size]
    assert left >= -0.5 and top >= -0.5 and right <= width + 0.5 and bottom <= height + 0.5, (where, found)
    if size == "phone":
        assert right - left >= PHONE_CARD_PX, (where, found)
    assert found["blockers"] == [], (where, found)  # nothing, not a label, a panel or a symbol, is drawn over it


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("page", ["influence.html", "trade.html"])
def test_a_members_tooltip_is_a_readable_card_on_top_and_inside_the_screen(chromium, built, page, size):
    members, _, _, maps = built
    visit = _open(chromium, maps, page, size)
    points = visit.page.evaluate(MEMBER_POINTS, members)
    assert points, "no member can be touched at the opening view"
    # the largest member near its middle, and the members' points nearest each edge of the screen
    largest = max(area for _, area, _, _ in points)
    own = [p for p in points if p[1] == largest]
    cx, cy = sum(p[2] for p in own) / len(own), sum(p[3] for p in own) / len(own)
    middle = min(own, key=lambda p: abs(p[2] - cx) + abs(p[3] - cy))
    chosen = {"middle": middle, "leftmost": min(points, key=lambda p: p[2]),
              "rightmost": max(points, key=lambda p: p[2]), "lowest": max(points, key=lambda p: p[3])}  # fmt: skip
    for where, (iso3, _, x, y) in chosen.items():
        _touch(visit.page, size, x, y)
        _check_tip(visit.page, size, f"{where} {iso3} at {x:.0f},{y:.0f}")
    assert visit.page_errors == []
    visit.page.close()


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
def test_a_symbols_tooltip_is_a_readable_card_on_top_and_inside_the_screen(chromium, built, size):
    _, _, _, maps = built
    visit = _open(chromium, maps, "resources.html", size)
    width, height = SIZES[size]
    symbols = [s for s in visit.page.evaluate(SYMBOLS) if 0 < s[2] < width and 0 < s[3] < height]
    touched = 0
    for lat, lon, x, y, _ in sorted(symbols, key=lambda s: s[2])[:4]:
        hit = visit.page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.tagName", [x, y])
        if hit != "path":  # under a panel at the opening view
            continue
        _touch(visit.page, size, x, y)
        _check_tip(visit.page, size, f"symbol at {lat},{lon}")
        touched += 1
    assert touched or not symbols
    assert visit.page_errors == []
    visit.page.close()


# Resolves once the map stands still (a flight to a chosen item ended), at most after 3 s.
SETTLED = """() => new Promise(done => {
    const map = MAP, later = () => setTimeout(done, 60);
    setTimeout(done, 3000);
    if (map._flyToFrame || map._animatingZoom || (map._panAnim && map._panAnim._inProgress)) map.once('moveend', later);
    else later();
})""".replace("MAP", FIND_MAP)


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
def test_the_timelines_tooltip_is_a_readable_card_on_top_and_inside_the_screen(chromium, built, size):
    _, _, _, maps = built
    visit = _open(chromium, maps, "timeline.html", size)
    checked = 0
    for step in range(2):
        visit.page.locator(".c5-tl-next").click()
        visit.page.evaluate(SETTLED)  # the map flies to the item
        if visit.page.evaluate(OPEN_TIP)["count"]:  # an item with a place: its tooltip is open
            _check_tip(visit.page, size, f"item {step + 1}")
            checked += 1
    assert checked
    assert visit.page_errors == []
    visit.page.close()


# Which of two elements is drawn on top: the higher pane, or in one pane the later.
ABOVE = """function above(a, b) {
    const pane = e => e.closest('.leaflet-pane:not(.leaflet-map-pane)');
    const za = +getComputedStyle(pane(a)).zIndex, zb = +getComputedStyle(pane(b)).zIndex;
    if (za !== zb) return za > zb;
    return Boolean(b.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
}"""
# Click every partner (radio) in turn, turn every overlay off, go back through the partners to the first, and turn
# the overlays on again, the lowest last.
SWITCH_EVERYTHING = """() => {
    const radios = [...document.querySelectorAll('.leaflet-control-layers-base input[type=radio]')];
    const boxes = [...document.querySelectorAll('.leaflet-control-layers-overlays input[type=checkbox]')];
    radios.forEach(r => r.click());
    boxes.forEach(b => b.click());
    radios.slice().reverse().forEach(r => r.click());
    boxes.slice().reverse().forEach(b => b.click());
    return [radios.length, boxes.length, boxes.every(b => b.checked)];
}"""
# The region's dashed outline and the members' fills now drawn: is the outline in a pane above every fill?
OUTLINE_ORDER = """([members, region]) => {
    ABOVE
    const map = MAP, fills = [];
    let outline = null;
    map.eachLayer(l => {
        if (!l.feature || !l._path || !l._path.isConnected) return;
        if (l.feature.id === region && l.options.dashArray) outline = l._path;
        else if (members.includes(l.feature.id) && l.options.fill !== false) fills.push(l._path);
    });
    if (!outline) return {outline: false};
    const z = e => +getComputedStyle(e.closest('.leaflet-pane:not(.leaflet-map-pane)')).zIndex;
    const under = fills.filter(f => !(above(outline, f) && z(outline) > z(f)));
    return {outline: true, fills: fills.length, under: under.length};
}""".replace("ABOVE", ABOVE).replace("MAP", FIND_MAP)

# Bring a point to the middle of the map; return where it is on the page.
CENTRE_ON = """([lat, lon]) => { const map = MAP; map.setView([lat, lon], map.getZoom(), {animate: false});
    const r = map.getContainer().getBoundingClientRect(), p = map.latLngToContainerPoint([lat, lon]);
    return [r.left + p.x, r.top + p.y]; }""".replace("MAP", FIND_MAP)
# Whether what is on top at a point is a point symbol (an event or a deposit), and what it is.
SYMBOL_AT = """([x, y]) => { const map = MAP, e = document.elementFromPoint(x, y); let symbol = false;
    map.eachLayer(l => { if (l instanceof L.CircleMarker && l._path === e) symbol = true; });
    return [symbol, e ? e.tagName + ' ' + (e.className.baseVal ?? e.className) : 'nothing']; }""".replace(
    "MAP", FIND_MAP
)


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("page", ["influence.html", "trade.html", "resources.html"])
def test_the_layer_order_survives_every_switch(chromium, built, page, size):
    members, region, _, maps = built
    visit = _open(chromium, maps, page, size)
    radios, boxes, all_on = visit.page.evaluate(SWITCH_EVERYTHING)
    assert all_on and radios + boxes > 0
    visit.page.wait_for_timeout(150)
    order = visit.page.evaluate(OUTLINE_ORDER, [members, region])
    if page != "resources.html":  # the resources page draws no region outline
        assert order["outline"] and order["fills"] > 0, order  # the outline is still drawn, and some fills
        assert order["under"] == 0, order  # in a pane above every fill
    # every event and deposit symbol, brought to the middle of the map, is what is on top there
    for lat, lon, *_ in visit.page.evaluate(SYMBOLS):
        centre = visit.page.evaluate(CENTRE_ON, [lat, lon])
        on_top = visit.page.evaluate(SYMBOL_AT, centre)
        assert on_top[0], (page, lat, lon, on_top[1])
    assert visit.page_errors == []
    visit.page.close()


@pytest.mark.browser
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("page", ["influence.html", "trade.html", "resources.html", "timeline.html"])
def test_the_zoom_is_bounded_whatever_the_tiles(chromium, built, page, size):
    _, _, (west, south, east, north), maps = built
    visit = _open(chromium, maps, page, size)
    lowest, deepest, opening = visit.page.evaluate(
        f"[{FIND_MAP}.getMinZoom(), {FIND_MAP}.getMaxZoom(), {FIND_MAP}.getZoom()]"
    )
    assert 8 <= deepest <= 10
    assert max(2, opening - 2) <= lowest <= opening < deepest  # out by two zooms at most, never below 2
    # past the bounds the map stays at them; the buttons say so
    past = visit.page.evaluate(
        f"""([low, high]) => {{ const map = {FIND_MAP}, seen = [];
            map.setZoom(low - 2, {{animate: false}}); seen.push(map.getZoom());
            map.zoomOut(1, {{animate: false}}); seen.push(map.getZoom());
            map.setZoom(high + 3, {{animate: false}}); seen.push(map.getZoom());
            map.zoomIn(1, {{animate: false}}); seen.push(map.getZoom());
            return seen; }}""",
        [lowest, deepest],
    )
    assert past == [lowest, lowest, deepest, deepest]
    assert visit.page.locator(".leaflet-control-zoom-in.leaflet-disabled").count() == 1
    # out as far as allowed, the region still spans a good part of the map (at zoom 0 it was a speck)
    span = visit.page.evaluate(
        f"""([low, s, w, n, e]) => {{ const map = {FIND_MAP};
            map.setZoom(low, {{animate: false}});
            const a = map.latLngToContainerPoint([s, w]), b = map.latLngToContainerPoint([n, e]), size = map.getSize();
            return Math.max(Math.abs(b.x - a.x) / size.x, Math.abs(b.y - a.y) / size.y); }}""",
        [lowest, south, west, north, east],
    )
    assert span >= 0.08, span
    assert visit.page.locator(".leaflet-control-zoom-out.leaflet-disabled").count() == 1
    # deeper than the land drawn without tiles is true to, its borders give way to the page's own: no slivers
    visit.page.evaluate(f"void {FIND_MAP}.setZoom({deepest}, {{animate: false}})")
    visit.page.wait_for_timeout(50)
    coarse = visit.page.evaluate(
        "[...document.querySelectorAll('.leaflet-overlay-pane path')]"
        ".filter(p => getComputedStyle(p).strokeOpacity !== '0' && p.getAttribute('stroke') !== 'none').length"
    )
    assert coarse == 0
    assert visit.page_errors == []
    visit.page.close()
