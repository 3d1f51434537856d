"""Maps a reader understands: labels that never collide, legends of what is drawn, one partner at a time, zoom.

In headless Chromium at 1400x900, for the bundled data and the two synthetic regions, at several zooms.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builds import shared_build

from c5map.build import build
from c5map.maps import MAPS
from c5map.maps.common import display_names
from c5map.story import story_for
from c5map.tables import load_tables

REPO = Path(__file__).resolve().parents[1]
DATASETS = {
    "bundled": None,
    "gulf-east-africa": REPO / "examples" / "gulf-east-africa",
    "south-caucasus": REPO / "tests" / "data" / "south-caucasus",
}
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"
BOXES = """(() => {
    const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    return {
        labels: [...document.querySelectorAll('.c5-label')].map(e => [e.querySelector('.c5-label-name').textContent,
                                                                     ...box(e)]),
        figures: Object.fromEntries([...document.querySelectorAll(
            '.c5-label:not(.region):not(.capital):not(.place)')].map(e => [  // a capital may share its name
            e.querySelector('.c5-label-name').textContent,
            [...e.querySelectorAll('.c5-label-figure')].map(f => f.textContent).join(' ')])),
        furniture: [...document.querySelectorAll('.leaflet-control')].filter(e => e.offsetParent).map(box),
        map: box(document.querySelector('.leaflet-container')),
    };
})()"""


@pytest.fixture(scope="module", params=list(DATASETS))
def pages(request, tmp_path_factory):
    return shared_build(tmp_path_factory, DATASETS[request.param], tiles="none", images=False) / "maps"


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("page", list(MAPS))
def test_labels_never_collide_with_each_other_or_the_furniture(chromium, pages, page):
    visit = chromium.open(pages / page, width=1400, height=900)
    opening = visit.page.evaluate(f"{FIND_MAP}.getZoom()")
    seen = 0
    for step in (0, 1, 3):
        visit.page.evaluate(f"void {FIND_MAP}.setZoom({opening + step}, {{animate: false}})")  # void: not the map back
        visit.page.wait_for_timeout(250)
        found = visit.page.evaluate(BOXES)
        labels = found["labels"]
        seen += len(labels)
        for i, (text, *box) in enumerate(labels):
            assert box[0] >= found["map"][0] - 0.5 and box[2] <= found["map"][2] + 0.5, (text, box)
            for other, *other_box in labels[i + 1 :]:
                assert not _overlap(box, other_box), (step, text, other)
            for furniture in found["furniture"]:
                assert not _overlap(box, furniture), (step, text, furniture)
    assert seen > 0  # the page labels something at some zoom
    assert visit.page_errors == []
    visit.page.close()


def test_the_region_and_its_capitals_are_labelled_at_the_opening_view(chromium, fresh_build):
    visit = chromium.open(fresh_build / "maps" / "influence.html", width=1400, height=900)
    visit.page.wait_for_timeout(250)
    texts = {text for text, *_ in visit.page.evaluate(BOXES)["labels"]}
    assert {"Kazakhstan", "Uzbekistan", "Turkmenistan", "Kyrgyzstan", "Tajikistan"} <= texts
    assert {"Ashgabat", "Bishkek"} <= texts
    visit.page.close()


# resources.html opens at zoom 2 on a phone (its view takes in China's reserves): there, Kyrgyzstan's name finds no
# spot free of the deposit's circle and its neighbours' names, and is left out until the reader zooms in
@pytest.mark.parametrize("page", ["influence.html", "trade.html"])
def test_on_a_phone_every_member_is_named_at_the_opening_view(chromium, fresh_build, page):
    # small countries side by side: a name pushed aside must not take its neighbour's spot (two-pass placement)
    visit = chromium.open(fresh_build / "maps" / page, width=390, height=844)
    visit.page.wait_for_timeout(250)
    texts = {text for text, *_ in visit.page.evaluate(BOXES)["labels"]}
    assert {"Kazakhstan", "Uzbekistan", "Turkmenistan", "Kyrgyzstan", "Tajikistan"} <= texts, texts
    visit.page.close()


@pytest.mark.parametrize("page", list(MAPS))
def test_zoom_goes_to_8_and_deeper_than_the_opening_view(chromium, pages, page):
    visit = chromium.open(pages / page, width=1400, height=900)
    opening, deepest = visit.page.evaluate(f"[{FIND_MAP}.getZoom(), {FIND_MAP}.getMaxZoom()]")
    assert deepest >= 8 and deepest > opening
    assert not visit.page.locator(".leaflet-control-zoom-in.leaflet-disabled").count()
    visit.page.close()


SWATCHES = """(() => {
    const shown = [...document.querySelectorAll('.c5-legend-section')].filter(s => s.offsetParent);
    // rows of the present classes (an absent one, faint and marked "(none)", is the scale's, not the map's)
    const rows = shown.flatMap(s => [...s.querySelectorAll('.c5-legend-row:not(.c5-legend-absent)')]);
    const fills = rows.flatMap(s => [...s.querySelectorAll('rect')].map(r => r.getAttribute('fill')));
    const strokes = rows.flatMap(s => [...s.querySelectorAll('line')].map(r => r.getAttribute('stroke')));
    const drawn = [...document.querySelectorAll('.leaflet-pane path')];
    return {fills, strokes, drawnFills: drawn.map(p => p.getAttribute('fill')),
            drawnStrokes: drawn.map(p => p.getAttribute('stroke'))};
})()"""


@pytest.mark.parametrize("page", ["influence.html", "trade.html"])
def test_every_legend_shows_the_whole_class_scale_with_the_drawn_classes_marked(chromium, pages, page):
    """Issue 23: a reader sees where a colour sits on the whole scale; the classes not drawn are said to be absent."""
    visit = chromium.open(pages / page, width=1400, height=900)
    radios = visit.page.locator(".leaflet-control-layers-base label")
    for k in range(radios.count()):
        radios.nth(k).locator("input").click()
        visit.page.wait_for_timeout(100)
        rows = visit.page.evaluate(
            """[...document.querySelectorAll('.c5-legend-section')].filter(s => s.offsetParent).map(s =>
                [...s.querySelectorAll('.c5-legend-row')].filter(r => r.querySelector('rect')).map(r =>
                    [r.textContent, r.classList.contains('c5-legend-absent'),
                     r.querySelector('rect').getAttribute('fill')]))"""
        )
        classes = [
            r for section in rows for r in section if "no reported figure" not in r[0] and "undisclosed" not in r[0]
        ]
        if not classes:  # a view with no figure: no scale
            continue
        drawn = [r for r in classes if not r[1]]
        assert drawn, (page, k, classes)
        assert all(r[0].endswith("(none)") for r in classes if r[1]), (page, k, classes)
        assert len({r[2] for r in classes}) == len(classes)  # one colour a class, the absent ones too
        fills = visit.page.evaluate(
            "[...document.querySelectorAll('.leaflet-pane path')].map(p => p.getAttribute('fill'))"
        )
        assert not [r for r in classes if r[1] and r[2] in fills], (page, k)  # an absent class is not drawn
    visit.page.close()


@pytest.mark.parametrize("page", ["influence.html", "trade.html", "resources.html"])
def test_every_legend_swatch_is_drawn_on_the_map(chromium, pages, page):
    visit = chromium.open(pages / page, width=1400, height=900)
    radios = visit.page.locator(".leaflet-control-layers-base label")
    for k in range(max(radios.count(), 1)):
        if radios.count():
            radios.nth(k).locator("input").click()
            visit.page.wait_for_timeout(100)
        found = visit.page.evaluate(SWATCHES)
        for fill in found["fills"]:
            if fill not in ("#ffffff", "none"):
                assert fill in found["drawnFills"], (k, fill)
        for stroke in found["strokes"]:
            assert stroke in found["drawnStrokes"], (k, stroke)
    assert visit.page_errors == []
    visit.page.close()


def test_every_member_is_drawn_on_every_trade_layer(chromium, pages, request):
    # blank land would read as "no trade" and could not be told from the context countries: a member with no
    # figure from the chosen exporter is hatched, and the legend says what the hatch means
    data = DATASETS[request.node.callspec.params["pages"]]
    tables = load_tables(data) if data else load_tables()
    story = story_for(tables)
    names = display_names(tables)
    visit = chromium.open(pages / "trade.html", width=1400, height=900)
    radios = visit.page.locator(".leaflet-control-layers-base label")
    for k in range(max(radios.count(), 1)):
        if radios.count():
            radios.nth(k).locator("input").click()
            visit.page.wait_for_timeout(100)
        layer = radios.nth(k).inner_text().strip() if radios.count() else ""
        drawn = visit.page.evaluate(
            "[...document.querySelectorAll('path[aria-label]')].map(p => [p.getAttribute('aria-label'),"
            " p.getAttribute('fill')])"
        )
        exporter = layer.removeprefix("Exports from ").rsplit(",", 1)[0]
        for member in story.members:
            name = names.get(member, member)
            if name == exporter:
                continue
            fills = [fill for label, fill in drawn if label.startswith(name + ".")]
            assert fills, (layer, name)  # drawn, never blank land
        hatched = any(fill == "url(#c5-hatch)" for _, fill in drawn)
        legend = visit.page.locator(".c5-legend-section:visible").all_inner_texts()
        assert hatched == any("no reported figure" in text for text in legend), layer
    assert visit.page_errors == []
    visit.page.close()


def _written_figures(dataset: str) -> tuple[int, list[dict[str, str]]]:
    """(the opening view, each view's figures by member name) of a dataset's influence scene."""
    from c5map.boundaries import web_countries
    from c5map.scenes.influence import influence_scene

    tables = load_tables(DATASETS[dataset]) if DATASETS[dataset] else load_tables()
    story, names = story_for(tables), display_names(tables)
    scene = influence_scene(tables, story, web_countries(list(story.members)))
    return scene.opening, [{names.get(k, k): v for k, v in one.map_figures().items()} for one in scene.views]


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)])
def test_each_members_figure_is_written_on_the_map_for_the_chosen_partner(chromium, pages, request, size):
    """Issue 23: a reader gets the figures from the map itself, at the opening view and after every switch."""
    opening, written = _written_figures(request.node.callspec.params["pages"])
    visit = chromium.open(pages / "influence.html", width=size[0], height=size[1])
    visit.page.wait_for_timeout(250)
    assert (
        visit.page.locator(".leaflet-control-layers-base input:checked").evaluate(
            "(input, radios) => [...document.querySelectorAll(radios)].indexOf(input)",
            ".leaflet-control-layers-base input[type=radio]",
        )
        == opening
    )
    order = [opening] + [k for k in range(len(written)) if k != opening]
    for k in order:
        if k != opening:
            visit.page.evaluate("(k) => document.querySelectorAll('.leaflet-control-layers-base input')[k].click()", k)
            visit.page.wait_for_timeout(150)
        shown = visit.page.evaluate(BOXES)["figures"]
        for name, figure in written[k].items():
            # named with its figure, never apart; where room is short (a phone) the kind may give way, never the
            # figure or its qualifier: "about $3.2bn" of "about $3.2bn (financing announced)"
            assert shown.get(name) in (figure, figure.split(" (")[0]), (k, name, figure, shown.get(name))
        assert not {n: f for n, f in shown.items() if f and n not in written[k]}, k  # no figure of another view
    assert visit.page_errors == []
    visit.page.close()


@pytest.mark.parametrize("page", ["influence.html", "trade.html"])
def test_the_regions_own_figures_are_written_beside_it_never_on_a_member(chromium, pages, request, page):
    """Issue 23 item 1: region-level figures are on the map at the opening, in the key's words, under the region."""
    from c5map.boundaries import web_countries
    from c5map.scenes import region_figure_lines
    from c5map.scenes.influence import influence_scene
    from c5map.scenes.trade import trade_scene

    dataset = request.node.callspec.params["pages"]
    tables = load_tables(DATASETS[dataset]) if DATASETS[dataset] else load_tables()
    story = story_for(tables)
    shapes = web_countries(list(story.members))
    if page == "influence.html":
        sections = influence_scene(tables, story, shapes).sections
    else:
        sections = trade_scene(tables, story, set(shapes["iso3"])).sections
    region = [s for s in sections if s.title.startswith(story.region_heading) or s.title.startswith("Trade with ")
              and s.title.endswith("one scale)")]  # fmt: skip
    visit = chromium.open(pages / page, width=1400, height=900)
    label = visit.page.locator(".c5-label.region")
    if not region:
        assert label.count() == 0
    else:
        assert label.count() == 1, dataset
        lines = label.locator(".c5-label-figure").all_inner_texts()
        assert lines == region_figure_lines(region[0]), (dataset, lines)  # placed like any label: no overlap
    assert visit.page_errors == []
    visit.page.close()


def test_the_page_opens_on_the_partner_its_headline_names(fresh_build):
    opening, written = _written_figures("bundled")
    assert "nearly $15bn" in written[opening].values()  # the title: nearly $15bn between China and Kazakhstan
    page = (fresh_build / "maps" / "influence.html").read_text(encoding="utf-8")
    assert "Nearly &#36;15bn of agreements signed between China and Kazakhstan" in page


def test_partners_are_one_at_a_time(chromium, pages):
    visit = chromium.open(pages / "influence.html", width=1400, height=900)
    radios = visit.page.locator(".leaflet-control-layers-base input[type=radio]")
    views = [t.strip() for t in visit.page.locator(".leaflet-control-layers-base label").all_inner_texts()]
    assert len(views) == radios.count() > 0
    for k in range(radios.count()):
        radios.nth(k).click()
        visit.page.wait_for_timeout(100)
        assert visit.page.locator(".leaflet-control-layers-base input:checked").count() == 1
        shown = visit.page.locator(".c5-legend-section[data-layer]").evaluate_all(
            "(sections, views) => sections.filter(s => s.offsetParent && views.includes(s.getAttribute('data-layer')))"
            ".map(s => s.getAttribute('data-layer'))",
            views,
        )
        assert shown == [views[k]]  # the legend of the chosen view, and no other view's
    visit.page.close()


@pytest.mark.parametrize("page", ["influence.html", "trade.html", "resources.html"])
def test_on_a_phone_the_legend_and_layers_fold_away(chromium, pages, page):
    visit = chromium.open(pages / page, width=390, height=844)
    visit.page.wait_for_timeout(100)
    body = visit.page.locator(".c5-legend-body")
    assert not body.is_visible()
    visit.page.locator(".c5-legend-toggle").click()
    assert body.is_visible()
    assert visit.page.locator(".c5-legend-toggle").get_attribute("aria-expanded") == "true"
    layers = visit.page.locator(".leaflet-control-layers")
    assert not visit.page.locator(".leaflet-control-layers-list").is_visible()
    title = visit.page.locator(".c5-title").bounding_box()
    zoom = visit.page.locator(".leaflet-control-zoom").bounding_box()
    folded = layers.bounding_box()
    for a, b in ((title, folded), (zoom, folded)):
        assert not _overlap(
            [a["x"], a["y"], a["x"] + a["width"], a["y"] + a["height"]],
            [b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"]],
        )
    visit.page.locator(".leaflet-control-layers-toggle").click()
    assert visit.page.locator(".leaflet-control-layers-list").is_visible()
    assert visit.page_errors == []
    visit.page.close()


@pytest.mark.parametrize(
    ("start", "end", "seam"),
    [
        ((149.13, -35.28), (-77.04, 38.9), -168.5),  # Canberra -> Washington across the Bering seam
        ((-77.04, 38.9), (149.13, -35.28), -168.5),
        ((37.6, 55.75), (178.4, -18.1), -180.0),  # Moscow -> Suva, no seam crossed
        ((30.5, 50.45), (-77.04, 38.9), 20.0),  # a seam just west of the start
    ],
)
def test_a_line_cut_at_the_seam_keeps_every_point_where_it_belongs(start, end, seam):
    """Each stretch stays inside the page's world copy, runs without a jump, and ends at its two capitals."""
    from c5map.layers import great_circle
    from c5map.maps.shapes import latlon_parts, wrap_lon

    parts = latlon_parts(great_circle(*start, *end), seam)
    for part in parts:
        assert all(seam - 1e-6 <= lon <= seam + 360 + 1e-6 for _, lon in part)
        assert max(abs(a[1] - b[1]) + abs(a[0] - b[0]) for a, b in zip(part, part[1:], strict=False)) < 5
    assert parts[0][0] == (round(start[1], 3), round(wrap_lon(start[0], seam), 3))
    assert parts[-1][-1] == (round(end[1], 3), round(wrap_lon(end[0], seam), 3))


def test_the_attribution_credits_leaflet_without_decoration(chromium, pages):
    """Issue 23 item 11: the credit is words and a link, no flag or emblem beside the source line."""
    visit = chromium.open(pages / "influence.html", width=1400, height=900)
    attribution = visit.page.locator(".leaflet-control-attribution")
    assert "Leaflet" in attribution.inner_text()
    assert attribution.locator("svg, img").count() == 0
    visit.page.close()


SCHEME_BUILDS = {  # (dataset, options of Classes.of): each computed scheme and the user's breaks, on two datasets
    "sahel-natural_breaks": ("sahel-synthetic", {"scheme": "natural_breaks", "k": 5}),
    "sahel-user": ("sahel-synthetic", {"scheme": "user", "breaks": "2e8,1e9,5e9"}),
    "bundled-quantiles": ("bundled", {"scheme": "quantiles"}),
    "bundled-equal_interval": ("bundled", {"scheme": "equal_interval", "k": 3}),
}
CLASS_ROWS = """[...document.querySelectorAll('.c5-legend-section')].filter(s => s.offsetParent).flatMap(s =>
    [...s.querySelectorAll('.c5-legend-row')].filter(r => r.querySelector('rect')).map(r => r.textContent.trim()))"""


@pytest.mark.parametrize("build_name", list(SCHEME_BUILDS))
def test_the_legend_a_reader_sees_is_the_schemes_classes(chromium, tmp_path, build_name):
    """Issue 25 item 2: whatever the scheme, every view's legend lists its classes, in readable money."""
    from c5map.boundaries import web_countries
    from c5map.classify import Classes, using
    from c5map.format import format_usd
    from c5map.maps.style import class_labels
    from c5map.scenes.influence import influence_scene

    dataset, options = SCHEME_BUILDS[build_name]
    data = REPO / "tests" / "data" / dataset if dataset != "bundled" else None
    classes = Classes.of(**options)
    build(data, tmp_path, tiles="none", images=False, classes=classes, progress=lambda line: None)
    tables = load_tables(data) if data else load_tables()
    story = story_for(tables)
    with using(classes):
        scene = influence_scene(tables, story, web_countries(list(story.members)))
    labels = class_labels(scene.breaks, format_usd)
    assert len(labels) > 2 and all(label.count("$") <= 2 for label in labels)
    visit = chromium.open(tmp_path / "maps" / "influence.html", width=1400, height=900)
    radios = visit.page.locator(".leaflet-control-layers-base label")
    for k in range(radios.count()):
        radios.nth(k).locator("input").click()
        visit.page.wait_for_timeout(100)
        rows = [r.removesuffix("(none)").strip() for r in visit.page.evaluate(CLASS_ROWS)]
        classes_shown = [r for r in rows if r.startswith(("less than $", "$"))]  # not the hatch, nor the outline
        assert classes_shown in ([], labels), (k, classes_shown)  # a view with no figure has no scale
    assert visit.page_errors == []
    visit.page.close()
