"""The maps as web pages, in a real headless Chromium with local assets and no network."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from builds import shared_build

from c5map import layers
from c5map.boundaries import web_countries
from c5map.build import MANIFEST, build
from c5map.maps import MAPS
from c5map.tables import load_tables

REPO = Path(__file__).resolve().parents[1]
TABLES = load_tables()
C5 = TABLES.region_members()["C5"]
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"


@pytest.fixture(scope="module")
def built(fresh_build) -> Path:
    return fresh_build / "maps"


@pytest.fixture(scope="module")
def built_without_tiles(tmp_path_factory) -> Path:
    return shared_build(tmp_path_factory, None, tiles="none", images=False) / "maps"


def interactive_paths(page) -> int:
    """Shapes, outlines, flow lines and markers, each in its pane of the map (``assets/order.js``)."""
    return page.locator(".leaflet-map-pane path.leaflet-interactive").count()


def hover(page, lat: float, lon: float) -> str:
    """Move the mouse over (lat, lon) and return the tooltip's text."""
    page.mouse.move(0, 0)
    page.wait_for_timeout(50)
    point = page.evaluate(
        f"(() => {{ const p = {FIND_MAP}.latLngToContainerPoint([{lat}, {lon}]); "
        "const r = document.querySelector('.leaflet-container').getBoundingClientRect(); "
        "return [p.x + r.left, p.y + r.top]; })()"
    )
    page.mouse.move(point[0], point[1])
    tooltip = page.locator(".leaflet-tooltip").last
    tooltip.wait_for(state="visible", timeout=2000)
    return tooltip.inner_text()


def toggle(page, layer_name: str) -> None:
    """Click a layer's checkbox, or its radio button (partners and exporters are shown one at a time)."""
    page.locator(".leaflet-control-layers-list label", has_text=layer_name).locator("input").click()
    page.wait_for_timeout(50)


@pytest.mark.parametrize("name", [*MAPS, "index.html"])
def test_every_page_loads_without_errors(chromium, built, name):
    visit = chromium.open(built / name)
    assert visit.page_errors == []
    assert visit.missing == []
    if name != "index.html":
        assert visit.page.evaluate("typeof L") == "object"
        assert visit.page.locator(".c5-title h1").inner_text()
        assert "Made with Natural Earth" in visit.page.locator(".c5-source").inner_text()
        assert all(not u.startswith("https://cdn") for u in visit.aborted)  # only tiles are cut off
    visit.page.close()


def test_atlas_links_every_map_and_layer(chromium, built):
    visit = chromium.open(built / "index.html")
    hrefs = visit.page.eval_on_selector_all("a", "links => links.map(a => a.getAttribute('href'))")
    maps = [h for h in hrefs if not h.startswith(("../geo/", "png/", "svg/", "data/"))]
    assert sorted(maps) == sorted(MAPS)
    data = sorted(h for h in hrefs if h.startswith("data/"))
    assert data == sorted(f"data/{name.removesuffix('.html')}.csv" for name in MAPS)
    assert all((built / href).is_file() for href in data)
    stills = sorted(h for h in hrefs if h.startswith(("png/", "svg/")))
    images = [*built.glob("png/*.png"), *built.glob("svg/*.svg")]
    assert stills == sorted(str(p.relative_to(built)) for p in images if not p.name.endswith("-small.png"))
    thumbnails = visit.page.eval_on_selector_all("img", "images => images.map(i => i.getAttribute('src'))")
    assert sorted(thumbnails) == sorted(str(p.relative_to(built)) for p in built.glob("png/*-small.png"))
    geo = sorted(h.removeprefix("../geo/") for h in hrefs if h.startswith("../geo/"))
    # every link resolves, none missing (the manifest is c5map's record, not a layer)
    assert geo == sorted(p.name for p in (built.parent / "geo").iterdir() if p.name != MANIFEST)
    visit.page.close()


def test_influence_counts_hover_and_toggle(chromium, built):
    visit = chromium.open(built / "influence.html")
    page = visit.page
    us = layers.partner_country_figures(TABLES, web_countries(C5), "USA")
    located_events = len(layers.event_points(TABLES))
    arcs = int(us["has_deal"].sum())
    chn_arcs = int(layers.partner_country_figures(TABLES, web_countries(C5), "CHN")["has_deal"].sum())
    # China's layer on at start (the headline's partner): 5 countries, its arcs, the C5 outline, the events
    assert interactive_paths(page) == len(C5) + chn_arcs + 1 + located_events
    toggle(page, "United States: deals")
    assert interactive_paths(page) == len(C5) + arcs + 1 + located_events
    # hovering each Central Asian country shows its figure with its qualifier
    expected = {
        "KAZ": "$4.2bn",
        "UZB": "$8bn",
        "KGZ": "no reported figure",
        "TJK": "no reported figure",
        "TKM": "no reported figure",
    }
    shapes = web_countries(C5).set_index("iso3")
    for iso3, figure in expected.items():
        # a point inside the country away from arcs and markers
        point = shapes.loc[iso3].geometry.representative_point()
        text = hover(page, point.y, point.x)
        assert f"Deals with United States: {figure}" in text, (iso3, text)
    # China's layer: Kazakhstan's figure keeps its "nearly"
    toggle(page, "China: deals")
    assert page.locator(".c5-legend-section", has_text="Deals with China").is_visible()
    assert not page.locator(".c5-legend-section", has_text="Deals with United States").is_visible()
    kaz = shapes.loc["KAZ"].geometry.representative_point()
    assert "Deals with China: nearly $15bn" in hover(page, kaz.y, kaz.x)
    assert interactive_paths(page) == len(C5) + chn_arcs + 1 + located_events
    # events layer off: its markers go
    toggle(page, "Events")
    assert interactive_paths(page) == len(C5) + chn_arcs + 1
    assert visit.page_errors == []
    page.close()


def test_influence_region_level_figure_is_on_the_outline(chromium, built):
    visit = chromium.open(built / "influence.html")
    page = visit.page
    # one view at a time: the United States, China, Russia (trade only), and Kazakhstan's own programme
    assert page.locator(".leaflet-control-layers-base input[type=radio]").count() == 4
    toggle(page, "Events")
    toggle(page, "Central Asia (C5) as a whole")
    without = interactive_paths(page)
    toggle(page, "Central Asia (C5) as a whole")
    assert interactive_paths(page) == without + 1  # the dashed C5 outline
    text = page.evaluate(
        "(() => { const map = "
        + FIND_MAP
        + """; let found = '';
        map.eachLayer(l => { if (l.getTooltip && l.getTooltip() && l.feature && l.feature.id === 'C5')
            found = l.getTooltip().getContent(); });
        const div = document.createElement('div'); div.innerHTML = found; return div.innerText; })()"""
    )
    assert "United States, agreements signed (2025): $12.4bn" in text
    assert "Russia, total trade (2024): more than $45bn" in text
    assert "never split between the countries" in text
    page.close()


def test_trade_counts_and_tooltips(chromium, built):
    visit = chromium.open(built / "trade.html")
    page = visit.page
    exports = TABLES.trade[TABLES.trade.measure == "exports"]
    totals = TABLES.trade[TABLES.trade.measure == "total_trade"]
    # destinations coloured + one flow each + the C5 outline + the members Russia reports no exports to, hatched;
    # the region's totals are in the legend, off the map
    members = set(TABLES.region_members()["C5"])
    silent = members - set(exports["destination"]) - set(exports["origin"])
    assert silent == {"UZB", "TKM", "KGZ", "TJK"}  # in the bundled data only Kazakhstan has a figure from Russia
    assert interactive_paths(page) == 2 * len(exports) + 1 + len(silent)
    # Uzbekistan, wherever no flow line crosses it at the opening zoom: its tooltip says "no reported figure"
    import shapely

    mainland = max(shapely.get_parts(web_countries(["UZB"]).geometry.iloc[0]), key=lambda part: part.area)
    ring = mainland.buffer(-0.5).exterior
    points = [mainland.representative_point(), *(ring.interpolate(k / 12, normalized=True) for k in range(12))]
    tips = [hover(page, p.y, p.x) for p in points]
    assert any("Uzbekistan" in t and "Exports from Russia, 2023: no reported figure" in t for t in tips), tips
    legend = page.locator(".c5-legend").inner_text()
    assert "China, total trade, 2024: $66.2bn" in legend and "Russia, total trade, 2024: more than $45bn" in legend
    caps = layers.capitals(TABLES)
    lon, lat = caps["IND"]
    assert "Exports from Russia, 2023: $66.1bn" in hover(page, lat + 2, lon)
    toggle(page, "Trade with Central Asia (C5) as a whole")
    assert interactive_paths(page) == 2 * len(exports) + len(silent)
    assert len(totals) == 2
    assert visit.page_errors == []
    page.close()


def test_resources_counts(chromium, built):
    visit = chromium.open(built / "resources.html")
    page = visit.page
    located = TABLES.resources[TABLES.resources.lon.notna()]
    text = page.locator(".c5-legend").inner_text()
    # a size key at the map's scale, not one legend circle per deposit
    assert "40 million tonnes" in text and "10 million tonnes" in text
    key = page.locator(".c5-legend svg circle").last.get_attribute("r")
    assert float(key) == pytest.approx(30 * (40 / 44) ** 0.5, abs=0.1)  # the map's radius for 40 Mt
    china = web_countries(["CHN"]).geometry.iloc[0].representative_point()
    assert "China's rare-earth reserves: 44 million tonnes" in hover(page, china.y, china.x)
    deposit = located.iloc[0]
    tip = hover(page, deposit["lat"] - 1.5, deposit["lon"])  # inside the uncertainty area, clear of the title panel
    assert "known to the region only" in tip and "cerium; lanthanum; neodymium; yttrium" in tip
    toggle(page, "Deals and programmes")
    toggle(page, "Deposits and reserves")
    assert interactive_paths(page) == 0
    page.close()


def test_timeline_slider(chromium, built):
    """The timeline (a dated list beside the map, no longer a slider): every item listed, the map follows the list."""
    visit = chromium.open(built / "timeline.html", width=1400, height=900)
    page = visit.page
    page.wait_for_selector(".c5-timeline.c5-tl-ready")
    items = page.locator("path.c5-timeline-item")
    placed_events = TABLES.events["location_precision"].isin(["city", "country"]).sum()
    dated_resources = TABLES.resources["date"].notna().sum()  # Karagandy, April 2025, has a point
    # a region-level deal (the US's $12.4bn with Central Asia) is listed but not placed: on the map it would sit
    # on one member and read as that member's own
    country_deals = (~TABLES.deals["country"].isin(TABLES.region_members())).sum()
    assert items.count() == placed_events + country_deals + dated_resources
    entries = page.locator(".c5-tl-entry")
    assert entries.count() == len(TABLES.events) + len(TABLES.deals) + dated_resources
    listed = page.locator(".c5-tl-list").inner_text()
    assert "2016–2020: nothing reported" in listed
    assert "Karagandy rare-earth deposits reported: more than 20 million tonnes" in listed
    entries.filter(has_text="C5+1 forum established").click()
    assert "C5+1 forum established" in page.locator(".c5-tl-now").inner_text()
    assert page.locator("path.c5-tl-chosen").count() == 1
    entries.filter(has_text="First Russia-Central Asia summit").click()
    now = page.locator(".c5-tl-now").inner_text()
    assert "First Russia-Central Asia summit" in now and "Not on the map" in now
    assert page.locator("path.c5-tl-chosen").count() == 0  # 2022 has no place: nothing emphasised
    page.get_by_role("button", name="Next").click()
    assert "2023" in page.locator(".c5-tl-now").inner_text()
    assert visit.page_errors == []
    page.close()


def test_without_tiles_land_is_drawn_from_natural_earth(chromium, built_without_tiles):
    visit = chromium.open(built_without_tiles / "influence.html")
    page = visit.page
    assert visit.aborted == []  # no tile request at all
    land = page.locator(".leaflet-overlay-pane path:not(.leaflet-interactive)").count()
    assert land >= 170
    sea = page.evaluate("getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor")
    assert sea == "rgb(221, 232, 239)"
    page.close()


def test_tiles_have_attribution(chromium, built):
    visit = chromium.open(built / "influence.html")
    assert "Esri" in visit.page.locator(".leaflet-control-attribution").inner_text()
    assert any("arcgisonline" in url for url in visit.aborted)
    visit.page.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def second_build(tmp_path_factory) -> Path:
    """Another default build of the bundled data, made apart from `fresh_build`, for both folders to compare."""
    out = tmp_path_factory.mktemp("second-build")
    build(None, out, progress=lambda line: None)
    return out


@pytest.mark.parametrize("folder", ["maps", "geo"])
def test_two_builds_are_byte_identical(fresh_build, second_build, folder):
    first, second = _files(fresh_build / folder), _files(second_build / folder)
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], name


@pytest.mark.parametrize("folder", ["maps", "geo"])
def test_committed_outputs_are_a_fresh_build(fresh_build, folder):
    committed, fresh = _files(REPO / folder), _files(fresh_build / folder)
    assert sorted(committed) == sorted(fresh)
    for name in fresh:
        assert committed[name] == fresh[name], f"{folder}/{name} is stale: run `c5map build` and commit {folder}/"


def test_no_random_ids_left():
    for name in MAPS:
        html = (REPO / "maps" / name).read_text()
        assert not re.search(r"_[0-9a-f]{32}\b", html), name  # folium's urandom ids are 32 hex digits


@pytest.fixture(scope="module")
def built_self_contained(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build-offline")
    build(None, out, tiles="none", self_contained=True, images=False, progress=lambda line: None)
    return out / "maps"


@pytest.mark.parametrize("name", list(MAPS))
def test_self_contained_page_works_with_the_network_cut(chromium, built_self_contained, name):
    visit = chromium.open(built_self_contained / name, offline=True)  # every http(s) request is aborted
    page = visit.page
    assert visit.aborted == []  # and none was even made
    assert visit.page_errors == []
    assert page.evaluate("typeof L") == "object"
    assert page.locator(".leaflet-overlay-pane path").count() > 100  # land and the story's shapes are drawn
    assert page.evaluate("getComputedStyle(document.querySelector('.leaflet-control-zoom')).display") != "none"
    if name == "influence.html":
        shapes = web_countries(C5).set_index("iso3")
        point = shapes.loc["UZB"].geometry.representative_point()
        toggle(page, "United States: deals")
        assert "Deals with United States: $8bn" in hover(page, point.y, point.x)
    page.close()


def test_self_contained_pages_link_nothing(built_self_contained):
    for name in MAPS:
        html = (built_self_contained / name).read_text()
        assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html), name


def test_pages_load_leaflet_and_nothing_else(built):
    for name in MAPS:
        html = (built / name).read_text()
        links = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"(https?://[^\"]+)\"", html)
        assert links == [
            "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
            "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
        ], (name, links)
