"""The timeline page: every dated item in a list beside the map, stepped through, played, chosen by click or key.

Built from the bundled data and the two synthetic datasets, opened in the offline Chromium of
``tests/browser.py`` at a desktop (1400×900) and a phone (390×844) size.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builds import shared_build

from c5map.boundaries import web_countries
from c5map.maps.common import date_words
from c5map.maps.resources import RESOURCE_COLOUR
from c5map.maps.timeline import timeline_items, timeline_map, year_groups
from c5map.tables import load_tables, parse_partial_date

REPO = Path(__file__).resolve().parents[1]
DATASETS = {
    "bundled": None,
    "gulf-east-africa": REPO / "examples" / "gulf-east-africa",
    "south-caucasus": REPO / "tests" / "data" / "south-caucasus",
}
DESKTOP, PHONE = (1400, 900), (390, 844)
SMALL_DESKTOP = (860, 700)  # the narrowest map that gets the panel beside it: the bottom corners are stacked
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"
CURRENT = "(() => { const e = document.querySelector('.c5-tl-entry[aria-current=true]'); return e && e.dataset.id; })()"
#: The map's own boxes, which the timeline must never cover.
FURNITURE = {
    "title": ".c5-title",
    "source line": ".c5-source",
    "zoom control": ".leaflet-control-zoom",
    "legend": ".c5-legend",
}
BOXES = """(selector) => Array.from(document.querySelectorAll(selector)).map(e => e.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0)
    .map(r => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom}))"""


@pytest.fixture(scope="module", params=list(DATASETS))
def site(request, tmp_path_factory):
    """(dataset name, tables, the built timeline.html) for each dataset, drawn without tiles."""
    data = DATASETS[request.param]
    out = shared_build(tmp_path_factory, data, tiles="none", images=False)
    return request.param, load_tables(data), out / "maps" / "timeline.html"


def expected_ids(tables) -> list[str]:
    """Every event, deal and dated resource of the tables, in date order (ties by id): straight from the CSVs."""
    rows = [(str(d), str(i)) for d, i in zip(tables.events["date"], tables.events["event_id"], strict=True)]
    rows += [(str(d), str(i)) for d, i in zip(tables.deals["date"], tables.deals["deal_id"], strict=True)]
    rows += [
        (str(d), str(i))
        for d, i in zip(tables.resources["date"], tables.resources["resource_id"], strict=True)
        if isinstance(d, str) and parse_partial_date(d)
    ]
    return [i for _, i in sorted(rows)]


def items_of(tables) -> list[dict]:
    return timeline_items(tables, web_countries(None, max_zoom=2, scale="110m"))


def open_timeline(chromium, path: Path, size=DESKTOP):
    visit = chromium.open(path, width=size[0], height=size[1])
    visit.page.wait_for_selector(".c5-timeline.c5-tl-ready", timeout=5000)
    return visit


def finish(visit) -> None:
    assert visit.page_errors == []
    assert visit.dialogs == []
    visit.page.close()


def current(page) -> str | None:
    return page.evaluate(CURRENT)


def boxes(page, selector: str) -> list[dict]:
    return page.evaluate(BOXES, selector)


def overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def assert_clear(page, size, legend: bool = True) -> None:
    """The panel and each of its controls stay clear of the title, source line, zoom control and legend.

    ``legend``: whether the legend must be shown (on a phone it waits for "Key").
    """
    ours = [*boxes(page, ".c5-timeline"), *boxes(page, ".c5-tl-controls button, .c5-tl-toggle, .c5-tl-now")]
    ours += boxes(page, ".c5-tl-list")  # its entries scroll inside it, clipped to it
    assert ours
    for name, selector in FURNITURE.items():
        theirs = boxes(page, selector)
        assert theirs or (name == "legend" and not legend), f"no {name} on the page"
        for box in theirs:
            assert box["top"] >= 0 and box["bottom"] <= size[1] + 0.5, f"{name} is pushed off the page: {box}"
            for mine in ours:
                assert not overlap(mine, box), f"the timeline {mine} covers the {name} {box} at {size}"


# --- the items -------------------------------------------------------------------------------------------


def test_dates_as_people_write_them():
    assert [date_words(d) for d in ("2015", "2025-09", "2025-11-06", "2024-02-01")] == [
        "2015",
        "September 2025",
        "6 November 2025",
        "1 February 2024",
    ]


def test_empty_years_are_one_line():
    groups = year_groups([{"year": y} for y in (2015, 2021, 2022, 2023, 2025, 2025)])
    assert [g["label"] for g in groups] == [
        "2015",
        "2016–2020: nothing reported",
        "2021",
        "2022",
        "2023",
        "2024: nothing reported",
        "2025",
    ]
    assert groups[-1]["items"] == [4, 5]


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_event_deal_and_dated_resource_is_an_item(name):
    tables = load_tables(DATASETS[name])
    items = items_of(tables)
    assert [i["id"] for i in items] == expected_ids(tables)
    assert all(i["when"] == date_words(i["date"]) and i["label"] == f"{i['when']}: {i['text']}" for i in items)


def test_located_discoveries_are_items():
    items = {i["id"]: i for i in items_of(load_tables())}
    karagandy = items["kaz-karagandy-rare-earths"]
    assert karagandy["kind"] == "resource" and karagandy["colour"] == RESOURCE_COLOUR
    assert karagandy["when"] == "April 2025"
    assert karagandy["text"] == "Karagandy rare-earth deposits reported: more than 20 million tonnes"
    assert (karagandy["lat"], karagandy["lon"]) == (49.8, 73.1) and karagandy["approximate"]
    assert "chn-rare-earth-reserves" not in items  # no date: not an event in time
    gulf = {i["id"]: i for i in items_of(load_tables(DATASETS["gulf-east-africa"]))}
    rwanda = gulf["rwa-lithium"]  # known to the country only: placed on it
    assert rwanda["lat"] is not None and rwanda["approximate"]
    assert rwanda["text"].endswith("reported: undisclosed quantity")
    assert "eth-benishangul-gold" not in gulf


def test_page_is_deterministic():
    tables = load_tables()
    first = timeline_map(tables, tiles=None).get_root().render()
    second = timeline_map(tables, tiles=None).get_root().render()
    assert first == second


# --- the page --------------------------------------------------------------------------------------------


def test_every_item_is_listed_in_date_order(chromium, site):
    name, tables, path = site
    visit = open_timeline(chromium, path)
    page = visit.page
    shown = page.evaluate(
        """Array.from(document.querySelectorAll('.c5-tl-entry')).map(e => [e.dataset.id,
            e.querySelector('.c5-tl-date').textContent, e.querySelector('.c5-tl-text').textContent])"""
    )
    items = items_of(tables)
    assert [s[0] for s in shown] == expected_ids(tables)
    assert [(s[1], s[2]) for s in shown] == [(i["when"], i["text"]) for i in items]
    # every item with a place is a marker on the map
    assert page.locator("path.c5-timeline-item").count() == sum(i["lat"] is not None for i in items)
    # years in order, each at most once, and every year between the first and last accounted for
    labels = page.evaluate(
        """Array.from(document.querySelectorAll('.c5-tl-year-label, .c5-tl-gap'))
            .map(e => e.classList.contains('c5-tl-gap') ? e.textContent : e.firstChild.textContent)"""
    )
    years = sorted({i["year"] for i in items})
    assert [label for label in labels if "nothing" not in label] == [str(y) for y in years]
    covered = set(years)
    for label in labels:
        if "nothing reported" in label:
            span = label.split(":")[0].split("–")
            covered |= set(range(int(span[0]), int(span[-1]) + 1))
    assert covered == set(range(years[0], years[-1] + 1))
    if name == "bundled":
        assert "2016–2020: nothing reported" in labels and "2024: nothing reported" in labels
        text = page.locator(".c5-tl-list").inner_text()
        assert "Karagandy rare-earth deposits reported: more than 20 million tonnes" in text
        assert "6 November 2025" in text and "September 2025" in text
        assert "resource find or announcement" in page.locator(".c5-legend").inner_text()
    finish(visit)


def test_next_previous_and_play_change_the_current_item(chromium, site):
    _, tables, path = site
    ids = expected_ids(tables)
    items = items_of(tables)
    visit = open_timeline(chromium, path)
    page = visit.page
    status = page.locator(".c5-tl-now[role=status][aria-live=polite]")
    assert "All items" in status.inner_text() and current(page) is None
    page.get_by_role("button", name="Next").click()
    assert current(page) == ids[0] and items[0]["text"] in status.inner_text()
    page.get_by_role("button", name="Next").click()
    assert current(page) == ids[1] and items[1]["when"] in status.inner_text()
    page.get_by_role("button", name="Previous").click()
    assert current(page) == ids[0]
    previous = page.get_by_role("button", name="Previous")
    assert previous.get_attribute("aria-disabled") == "true"  # nothing before the first ...
    previous.click(force=True)
    assert current(page) == ids[0]  # ... and a click on it changes nothing
    page.get_by_role("button", name="Play").click()  # steps on at once, then every 1.5 s
    assert current(page) == ids[1]
    assert page.locator(".c5-tl-play").inner_text() == "Pause"
    page.wait_for_function(f"{CURRENT} === {ids[2]!r}", timeout=3000)
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(1800)
    assert current(page) == ids[2] and page.locator(".c5-tl-play").inner_text() == "Play"
    # played from the last but one, it reaches the end and stops there
    page.locator(f".c5-tl-entry[data-id='{ids[-2]}']").click()
    page.get_by_role("button", name="Play").click()
    assert current(page) == ids[-1]
    page.wait_for_timeout(1800)
    assert current(page) == ids[-1] and page.locator(".c5-tl-play").inner_text() == "Play"
    assert page.locator(".c5-tl-next").get_attribute("aria-disabled") == "true"
    finish(visit)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_clicking_an_item_selects_it_and_shows_it_on_the_map(chromium, site, size):
    _, tables, path = site
    items = items_of(tables)
    visit = open_timeline(chromium, path, size)
    page = visit.page
    if size == PHONE:
        page.locator(".c5-tl-toggle").click()
    placed = [i for i in items if i["lat"] is not None]
    # the item farthest from where the map opens, so the map has to move
    centre = page.evaluate(f"{FIND_MAP}.getCenter()")
    far = max(placed, key=lambda i: abs(i["lat"] - centre["lat"]) + abs(i["lon"] - centre["lng"]))
    page.locator(f".c5-tl-entry[data-id='{far['id']}']").click()
    assert current(page) == far["id"]
    assert far["text"] in page.locator(".c5-tl-now").inner_text()
    assert page.locator("path.c5-timeline-item.c5-tl-chosen").count() == 1
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.first.wait_for(state="visible", timeout=2000)
    assert tooltip.count() == 1 and far["when"] in tooltip.inner_text()  # its tooltip, open, and no other
    # the map moves until the marker is in sight: on the map, not under the panel or the boxes around it
    page.wait_for_function(
        """(() => {
            const m = document.querySelector('path.c5-tl-chosen').getBoundingClientRect();
            const x = (m.left + m.right) / 2, y = (m.top + m.bottom) / 2;
            const under = Array.from(document.querySelectorAll('.c5-timeline, .c5-title, .c5-legend, .c5-source'))
                .some(e => { const r = e.getBoundingClientRect();
                             return x >= r.left && x <= r.right && y >= r.top && y <= r.bottom; });
            return x > 0 && y > 0 && x < innerWidth && y < innerHeight && !under;
        })()""",
        timeout=4000,
    )
    if size == PHONE:  # choosing from the open list closes it, so the map shows the choice
        assert page.locator(".c5-tl-list").is_hidden()
    unplaced = [i for i in items if i["lat"] is None]
    if unplaced:
        if size == PHONE:
            page.locator(".c5-tl-toggle").click()
        page.locator(f".c5-tl-entry[data-id='{unplaced[0]['id']}']").click()
        assert "Not on the map" in page.locator(".c5-tl-now").inner_text()
        assert page.locator("path.c5-timeline-item.c5-tl-chosen").count() == 0
    finish(visit)


def test_keyboard_reaches_and_chooses_items(chromium, site):
    _, tables, path = site
    ids = expected_ids(tables)
    visit = open_timeline(chromium, path)
    page = visit.page
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.c5-tl-entry')"):
            break
    else:
        pytest.fail("Tab never reaches an item of the list")
    assert page.evaluate("document.activeElement.dataset.id") == ids[0]
    page.keyboard.press("Enter")
    assert current(page) == ids[0]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert current(page) == ids[2]
    page.keyboard.press("End")
    page.keyboard.press(" ")
    assert current(page) == ids[-1]
    finish(visit)


@pytest.mark.parametrize("size", [DESKTOP, PHONE, SMALL_DESKTOP], ids=["desktop", "phone", "small-desktop"])
def test_timeline_covers_none_of_the_map_furniture(chromium, site, size):
    _, tables, path = site
    visit = open_timeline(chromium, path, size)
    page = visit.page
    assert_clear(page, size, legend=size != PHONE)
    panel = boxes(page, ".c5-timeline")[0]
    if size != PHONE:  # beside the map: a tall column on the right, its list scrolling
        assert panel["right"] > size[0] - 20 and panel["right"] - panel["left"] <= 340
        assert panel["bottom"] - panel["top"] > size[1] * 0.45
        assert page.locator(".c5-tl-list").is_visible()
        assert page.evaluate("getComputedStyle(document.querySelector('.c5-tl-list')).overflowY") == "auto"
        assert page.locator(".c5-tl-toggle").is_hidden()
    else:  # a bottom sheet: the current item and the controls; the list and the legend open on demand
        assert panel["bottom"] >= size[1] - 1 and panel["bottom"] - panel["top"] < size[1] * 0.25
        assert page.locator(".c5-tl-list").is_hidden()
        for name in ("Previous", "Play", "Next", "Key"):
            assert page.get_by_role("button", name=name).is_visible()
        assert page.locator(".c5-legend").is_hidden()
        key = page.get_by_role("button", name="Key")
        assert key.get_attribute("aria-expanded") == "false"
        key.click()
        assert key.get_attribute("aria-expanded") == "true" and page.locator(".c5-legend").is_visible()
        assert_clear(page, size)
        # the legend and the source line, stacked above the sheet, do not cover each other either
        for legend in boxes(page, ".c5-legend"):
            for source in boxes(page, ".c5-source"):
                assert not overlap(legend, source)
        toggle = page.locator(".c5-tl-toggle")
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator(".c5-tl-list").is_visible()
        assert page.locator(".c5-tl-entry").last.is_visible() or page.evaluate(
            "(() => { const l = document.querySelector('.c5-tl-list'); return l.scrollHeight > l.clientHeight; })()"
        )
        assert_clear(page, size)
        toggle.click()
        assert page.locator(".c5-tl-list").is_hidden()
        assert_clear(page, size)
        key.click()
        assert page.locator(".c5-legend").is_hidden()
        assert_clear(page, size, legend=False)
    # while it plays the boxes stay where they are
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(1700)
    assert_clear(page, size, legend=size != PHONE)
    page.get_by_role("button", name="Pause").click()
    finish(visit)
