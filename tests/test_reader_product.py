"""Pages people can use on a phone, share, cite and take apart (#15), tried in headless Chromium.

At 390x844 and 1400x900, for the bundled data and the two synthetic regions:
nothing on the page's furniture overlaps; axe-core finds no serious or critical
violation; the URL hash restores the layer and the view; the page's data table,
CSV and images are there and parse; the keyboard reaches every control before
the map's shapes and every shape with a tooltip, with a visible focus.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import PIL.Image
import pytest
from builds import shared_build
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from c5map.build import build
from c5map.maps import MAPS
from c5map.maps.figures import FIGURE_COLUMNS
from c5map.validate import load_valid_tables

REPO = Path(__file__).resolve().parents[1]
DATASETS = {
    "bundled": None,
    "gulf-east-africa": REPO / "examples" / "gulf-east-africa",
    "south-caucasus": REPO / "tests" / "data" / "south-caucasus",
}
SIZES = {"phone": (390, 844), "desktop": (1400, 900)}
AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"
PAGES = [*MAPS, "index.html"]
ISO_MONTH = re.compile(r"\b\d{4}-\d{2}\b")


@pytest.fixture(scope="module", params=list(DATASETS))
def dataset(request, tmp_path_factory):
    """A build of each dataset, with the default tiles (aborted by the test browser) and no images, and its name."""
    out = tmp_path_factory.mktemp(f"reader-{request.param}")
    build(DATASETS[request.param], out, images=False, progress=lambda line: None)  # with tiles: their attribution
    return request.param, out / "maps"


def _overlap(a, b) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


FURNITURE = """(() => [...document.querySelectorAll('.leaflet-control')]
    .filter(e => e.offsetParent && e.getBoundingClientRect().width > 0)
    .map(e => { const r = e.getBoundingClientRect();
                return [e.className.split(' ').filter(c => c !== 'leaflet-control').join('.'),
                        r.left, r.top, r.right, r.bottom]; }))()"""


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("page", list(MAPS))
def test_the_page_furniture_never_overlaps_and_stays_on_screen(chromium, dataset, page, size):
    """Title, zoom, layer control, legend, source line, attribution, timeline panel: no two boxes overlap."""
    _, maps = dataset
    width, height = SIZES[size]
    visit = chromium.open(maps / page, width=width, height=height)
    visit.page.wait_for_timeout(150)
    boxes = visit.page.evaluate(FURNITURE)
    assert len(boxes) >= 4, boxes  # title, zoom, source, attribution at least
    for i, (name, *box) in enumerate(boxes):
        assert box[0] >= -0.5 and box[1] >= -0.5 and box[2] <= width + 0.5 and box[3] <= height + 0.5, (name, box)
        for other, *other_box in boxes[i + 1 :]:
            assert not _overlap(box, other_box), (size, name, other, box, other_box)
    assert visit.page_errors == []
    visit.page.close()


def _axe(visit) -> list[dict]:
    visit.page.add_script_tag(path=str(AXE))
    return visit.page.evaluate(
        """axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"""
    )


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("page", PAGES)
def test_axe_core_finds_no_serious_or_critical_violation(chromium, dataset, page, size):
    _, maps = dataset
    visit = chromium.open(maps / page, width=SIZES[size][0], height=SIZES[size][1])
    visit.page.wait_for_timeout(150)
    assert _axe(visit) == []
    if page != "index.html":  # and with the data table open, and the legend unfolded on a phone
        visit.page.locator("[data-c5-dialog=c5-data]").click()
        assert visit.page.locator("#c5-data").is_visible()
        assert _axe(visit) == []
        visit.page.keyboard.press("Escape")
        toggle = visit.page.locator(".c5-legend-toggle")
        if toggle.count() and toggle.is_visible():
            toggle.click()
            assert _axe(visit) == []
    visit.page.close()


@pytest.mark.parametrize("page", list(MAPS))
def test_every_page_has_a_title_a_language_and_allows_pinch_zoom(dataset, page):
    _, maps = dataset
    html = (maps / page).read_text(encoding="utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert re.search(r"<title>[^<]+</title>", html)
    viewports = re.findall(r'<meta name="viewport"[^>]*>', html)
    assert viewports == ['<meta name="viewport" content="width=device-width, initial-scale=1">']


def _layer_names(visit) -> list[str]:
    return visit.page.locator(".leaflet-control-layers-base label").all_inner_texts()


def test_the_url_hash_keeps_the_layer_the_centre_and_the_zoom(chromium, dataset):
    name, maps = dataset
    visit = chromium.open(maps / "influence.html", width=1400, height=900)
    visit.page.wait_for_timeout(150)
    assert visit.page.evaluate("window.location.hash") == ""  # a page opened plainly keeps its plain address
    bases = _layer_names(visit)
    assert len(bases) >= 2, name  # every dataset here has several partners to choose from
    visit.page.locator(".leaflet-control-layers-base label").nth(1).click()
    # one zoom in, on a point a little off the opening centre (inside the map's bounds)
    target = visit.page.evaluate(
        f"(() => {{ const m = {FIND_MAP}; const c = m.getCenter(); "
        "m.setView([c.lat + 0.5, c.lng + 0.25], m.getZoom() + 1, {animate: false}); "
        "const d = m.getCenter(); return [d.lat, d.lng, m.getZoom()]; })()"
    )
    visit.page.wait_for_timeout(100)
    shared = visit.page.evaluate("window.location.href")
    assert "#layer=" in shared and f"at={target[0]:.3f},{target[1]:.3f},{target[2]}" in shared
    chosen = bases[1].strip()
    visit.page.close()

    opened = chromium.open(maps / "influence.html", width=1400, height=900)
    opened.page.goto("about:blank")
    opened.page.goto(shared, wait_until="load")  # a reader opening the shared link
    view_js = f"(() => {{ const m = {FIND_MAP}; const c = m.getCenter(); return [c.lat, c.lng, m.getZoom()]; }})()"
    restored = (
        f"(() => {{ const v = {view_js}; return v[2] === {target[2]} && Math.abs(v[0] - {target[0]}) < 1e-3"
        f" && Math.abs(v[1] - {target[1]}) < 1e-3; }})()"
    )
    # restoring waits for the page to settle, which on a loaded machine can take longer than any fixed pause:
    # wait for the view itself (bounded), then check that nothing later in the page undoes it
    try:
        opened.page.wait_for_function(restored, timeout=10_000)
    except PlaywrightTimeout:
        pytest.fail(f"the shared view {target} was not restored; the page shows {opened.page.evaluate(view_js)}")
    opened.page.wait_for_timeout(500)
    state = opened.page.evaluate(view_js)
    assert state[2] == target[2] and abs(state[0] - target[0]) < 1e-3 and abs(state[1] - target[1]) < 1e-3
    checked = opened.page.locator(".leaflet-control-layers-base input:checked").locator("xpath=..")
    assert checked.inner_text().strip() == chosen
    # the legend follows the restored layer: exactly one partner's section shows
    shown = opened.page.locator(".c5-legend-section[data-layer]:visible").all_inner_texts()
    assert any(chosen.split(":")[0] in text for text in shown)
    assert opened.page_errors == []
    opened.page.close()


def test_an_overlay_turned_off_stays_off_in_the_shared_link(chromium, dataset):
    _, maps = dataset
    visit = chromium.open(maps / "influence.html", width=1400, height=900)
    overlays = visit.page.locator(".leaflet-control-layers-overlays input:checked")
    assert overlays.count() > 0  # the region's outline, events
    label = overlays.first.locator("xpath=..").inner_text().strip()
    overlays.first.click()
    shared = visit.page.evaluate("window.location.href")
    visit.page.close()
    opened = chromium.open(maps / "influence.html", width=1400, height=900)
    opened.page.goto(shared)  # the same page, its hash changed: restored too
    opened.page.wait_for_timeout(150)
    unchecked = opened.page.locator(".leaflet-control-layers-overlays label", has_text=label).locator("input")
    assert not unchecked.is_checked()
    opened.page.close()


@pytest.mark.parametrize("page", list(MAPS))
def test_the_data_table_and_the_csv_hold_the_same_figures_with_sources(chromium, dataset, page):
    name, maps = dataset
    stem = page.removesuffix(".html")
    visit = chromium.open(maps / page, width=1400, height=900)
    link = visit.page.locator(".c5-tools a", has_text="Get the data")
    assert link.get_attribute("href") == f"data/{stem}.csv"
    figures = pd.read_csv(maps / "data" / f"{stem}.csv", dtype=str, keep_default_na=False)
    assert list(figures.columns) == FIGURE_COLUMNS
    tables = load_valid_tables(DATASETS[name])
    for table, id_column in (("deals", "deal_id"), ("trade", "flow_id"), ("resources", "resource_id"),
                             ("events", "event_id")):  # fmt: skip
        ids = set(figures.loc[figures["table"] == table, "id"])
        assert ids <= set(tables[table][id_column]), table  # every row is a row of the data
    assert (figures["source"] != "").all() and (figures["source_passage"] != "").all()
    visit.page.locator("[data-c5-dialog=c5-data]").click()
    rows = visit.page.locator("#c5-data tbody tr")
    listed = rows.count() if len(figures) else 0
    assert listed == min(len(figures), 300)
    text = visit.page.locator("#c5-data").inner_text()
    assert not ISO_MONTH.search(text), "dates are written for people"  # "September 2025", never "2025-09"
    visit.page.keyboard.press("Escape")
    assert not visit.page.locator("#c5-data").is_visible()
    assert visit.page_errors == []
    visit.page.close()


@pytest.fixture(scope="module")
def bundled_maps(tmp_path_factory):
    """The bundled data built with its images and Esri tiles, as README command 1 builds it."""
    return shared_build(tmp_path_factory, None) / "maps"


def test_the_images_to_download_are_there_and_parse(chromium, bundled_maps):
    maps = bundled_maps
    for page in MAPS:
        stem = page.removesuffix(".html")
        visit = chromium.open(maps / page, width=1400, height=900)
        png = visit.page.locator(".c5-tools a", has_text="PNG").get_attribute("href")
        svg = visit.page.locator(".c5-tools a", has_text="SVG").get_attribute("href")
        assert (png, svg) == (f"png/{stem}.png", f"svg/{stem}.svg")
        with PIL.Image.open(io.BytesIO((maps / png).read_bytes())) as image:
            assert image.width >= 2000
        root = ET.fromstring((maps / svg).read_bytes())
        assert root.find("{http://www.w3.org/2000/svg}title") is not None
        assert visit.page.locator(".c5-tools a", has_text="All maps").get_attribute("href") == "index.html"
        visit.page.close()


@pytest.mark.parametrize("with_images", [False, True], ids=["no-images", "images"])
def test_the_atlas_shows_a_thumbnail_a_finding_and_the_downloads_of_every_map(
    chromium, dataset, bundled_maps, with_images
):
    name, maps = ("bundled", bundled_maps) if with_images else dataset
    visit = chromium.open(maps / "index.html", width=1400, height=900)
    cards = visit.page.locator(".card")
    assert cards.count() == len(MAPS)
    for i, page in enumerate(MAPS):
        card = cards.nth(i)
        stem = page.removesuffix(".html")
        assert card.locator("a.map-link").get_attribute("href") == page
        assert card.locator(".finding").inner_text().strip()  # one line from the data
        assert card.locator("a", has_text="Data (CSV)").get_attribute("href") == f"data/{stem}.csv"
        if with_images:
            image = card.locator("img")
            assert image.get_attribute("src") == f"png/{stem}-small.png"
            # it loaded: drawn 600 px wide and cropped to what it draws (not a shrunk print of another width)
            assert 540 <= visit.page.evaluate("i => i.naturalWidth", image.element_handle()) <= 600
    assert visit.page_errors == []
    visit.page.close()


def test_the_largest_figure_of_the_atlas_is_the_largest_in_the_data(dataset):
    """The influence finding names the largest announced deal of the page's CSV."""
    _, maps = dataset
    figures = pd.read_csv(maps / "data" / "influence.csv", dtype=str, keep_default_na=False)
    deals = figures[(figures["table"] == "deals") & (figures["value"] != "")]
    atlas = (maps / "index.html").read_text(encoding="utf-8")
    if deals.empty:
        return
    top = deals.loc[deals["value"].astype(float).idxmax()]
    finding = re.search(r'href="influence.html".*?<p class="finding">([^<]*)</p>', atlas, re.S).group(1)
    assert finding.startswith("Largest figure: ")
    assert top["partner"].replace("&", "&amp;") in finding


@pytest.mark.parametrize("size", list(SIZES))
def test_the_keyboard_reaches_the_controls_first_then_every_figure(chromium, dataset, size):
    _, maps = dataset
    visit = chromium.open(maps / "influence.html", width=SIZES[size][0], height=SIZES[size][1])
    visit.page.wait_for_timeout(150)
    named = visit.page.locator("path[aria-label]").count()
    walk = []
    for _ in range(80):
        visit.page.keyboard.press("Tab")
        walk.append(
            visit.page.evaluate(
                """(() => { const e = document.activeElement;
                    const style = getComputedStyle(e);
                    return {tag: e.tagName.toLowerCase(), label: e.getAttribute('aria-label') || e.textContent.trim(),
                            control: !!e.closest('.leaflet-control, dialog'),
                            outline: style.outlineStyle !== 'none' || style.strokeWidth === '4px',
                            tip: !!document.querySelector('.leaflet-tooltip')}; })()"""
            )
        )
    walk = walk[: next((i for i, step in enumerate(walk) if step["tag"] == "body"), len(walk))]  # one lap
    shapes = [step for step in walk if step["tag"] == "path"]
    first_shape = next((i for i, step in enumerate(walk) if step["tag"] == "path"), len(walk))
    controls = [step for step in walk[:first_shape] if step["control"]]
    assert any(step["label"] == "Data table" for step in controls)
    assert any(step["label"] == "Get the data" for step in controls)
    assert not any(step["control"] for step in walk[first_shape:] if step["tag"] in ("button", "input"))
    assert named > 0 and len({s["label"] for s in shapes}) == named  # every named shape is a tab stop
    for step in shapes:
        assert step["outline"] and step["tip"], step  # visible focus, and its tooltip opens
        assert not ISO_MONTH.search(step["label"]), step["label"]
    assert all(step["outline"] for step in controls if step["tag"] in ("a", "button", "input")), controls
    visit.page.close()


def test_a_shape_is_named_with_its_figures(chromium, bundled_maps):
    """The accessible name of Uzbekistan on the United States layer says what its tooltip says."""
    visit = chromium.open(bundled_maps / "influence.html", width=1400, height=900)
    visit.page.locator(".leaflet-control-layers-list label", has_text="United States: deals").locator("input").click()
    visit.page.wait_for_timeout(150)
    labels = visit.page.locator("path[aria-label]").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    uzbekistan = [label for label in labels if label.startswith("Uzbekistan")]
    assert uzbekistan and "$8bn" in uzbekistan[0] and "September 2025" in uzbekistan[0]
    visit.page.close()


def test_the_embed_code_is_an_iframe_of_the_page_at_its_published_address(chromium, tmp_path):
    build(None, tmp_path, tiles="none", images=False, base_url="https://news.example.org/c5",
          progress=lambda line: None)  # fmt: skip
    page = tmp_path / "maps" / "trade.html"
    published = "https://news.example.org/c5/trade.html"
    assert f'<link rel="canonical" href="{published}">' in page.read_text(encoding="utf-8")
    visit = chromium.open(page, width=1400, height=900)

    def embed_code() -> tuple[str, str, str]:
        """The src, title and style of the embed code the dialog shows now."""
        code = visit.page.locator("#c5-embed-code").input_value()
        iframe = re.fullmatch(r'<iframe src="([^"]+)" title="([^"]+)" style="([^"]+)" loading="lazy" allowfullscreen>'
                              r"</iframe>", code)  # fmt: skip
        assert iframe, code
        return iframe.groups()

    visit.page.locator("[data-c5-dialog=c5-embed]").click()
    # The page's opening fit may end after the reader has opened the dialog (under load it did): opening "Embed"
    # is no move of the reader's, so that fit's end writes no view into the address or the embed code.
    visit.page.evaluate(f"void {FIND_MAP}.setView([40, 60], 5, {{animate: false}})")
    src, _, style = embed_code()
    assert src == published and visit.page.evaluate("window.location.hash") == ""
    assert "width:100%" in style and "vh" in style  # takes the page's width, a screen's height
    visit.page.keyboard.press("Escape")
    visit.page.locator(".leaflet-control-zoom-in").click()  # a move of the reader's is written into the address
    visit.page.wait_for_function("/(^#|&)at=/.test(window.location.hash)")
    shown = visit.page.evaluate("window.location.hash")
    visit.page.locator("[data-c5-dialog=c5-embed]").click()
    assert embed_code()[0] == published + shown  # the embed opens on the view the reader sees
    assert visit.page_errors == []
    visit.page.close()


def test_a_base_url_that_is_not_an_address_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not an http"):
        build(None, tmp_path, images=False, base_url="example.org/maps", progress=lambda line: None)
    assert not (tmp_path / "maps").exists()
