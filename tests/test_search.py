"""The search box finds a country, a partner, a deal or a site and flies to it, by keyboard alone (#25 item 3).

In headless Chromium at 1400x900 and 390x844 on the Pacific islands (members across ±180°, a deal in a view not
shown at the opening), built self-contained: the search needs nothing from the network.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from c5map.build import build

REPO = Path(__file__).resolve().parents[1]
PACIFIC = REPO / "tests" / "data" / "pacific-synthetic"
SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
FIND_MAP = "Object.values(window).find(v => v instanceof L.Map)"
OPEN_TIPS = """() => [...document.querySelectorAll('.leaflet-tooltip-pane .leaflet-tooltip')]
    .filter(t => t.offsetParent !== null).map(t => {
        const r = t.getBoundingClientRect();
        return {text: t.textContent.replace(/\\s+/g, ' '), box: [r.left, r.top, r.right, r.bottom]}; })"""
VIEW = f"() => {{ const m = {FIND_MAP}; const c = m.getCenter(); return [c.lat, c.lng, m.getZoom()]; }}"
CHECKED = "() => document.querySelector('.leaflet-control-layers-base input:checked').parentNode.textContent.trim()"
BOX = "(s) => { const r = document.querySelector(s).getBoundingClientRect(); return [r.x, r.y, r.right, r.bottom]; }"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The Pacific pages, self-contained and without tiles."""
    out = tmp_path_factory.mktemp("search-pacific")
    build(PACIFIC, out, tiles="none", self_contained=True, images=False, progress=lambda line: None)
    return out / "maps"


def _search_by_keyboard(page, query: str) -> None:
    """Tab to the search button, open it with Enter, type, Enter: no pointer at all."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.c5-find .c5-tool:not(.c5-fullscreen)')"):
            break
    else:
        raise AssertionError("the search button is not in the tab order")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.type") == "search"
    page.keyboard.type(query)
    page.wait_for_timeout(100)
    page.keyboard.press("Enter")
    # the flight (0.6 s), then the tooltip: opened when the map stands still (find.js), at most 1.5 s after Enter
    page.wait_for_function(f"({OPEN_TIPS})().length > 0", timeout=5_000)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize(
    ("page_name", "query", "expect", "view"),
    [
        ("influence.html", "Tuvalu", "Tuvalu", "China: deals"),  # a country, in the view shown
        ("influence.html", "undersea cable", "undersea cable landing at Funafuti", "Australia: deals"),  # a deal
        ("influence.html", "new zealand", "New Zealand → Samoa", "New Zealand: deals"),  # a partner
        ("resources.html", "cicia", "Cicia manganese prospect", None),  # a site
    ],
)
def test_typing_a_name_and_enter_flies_there_and_opens_its_tooltip(
    chromium, built, size, page_name, query, expect, view
):
    width, height = SIZES[size]
    visit = chromium.open(built / page_name, width=width, height=height)
    page = visit.page
    page.wait_for_timeout(300)
    before = page.evaluate(VIEW)
    _search_by_keyboard(page, query)
    assert page.evaluate(VIEW) != before  # the map flew
    tips = page.evaluate(OPEN_TIPS)
    assert len(tips) == 1 and expect in tips[0]["text"], tips
    left, top, right, bottom = tips[0]["box"]
    assert left >= -0.5 and top >= -0.5 and right <= width + 0.5 and bottom <= height + 0.5, tips
    if view:
        assert page.evaluate(CHECKED) == view
    assert visit.page_errors == [] and visit.aborted == []
    page.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_search_with_its_results_open_passes_axe_and_clears_the_story(chromium, built, size):
    width, height = SIZES[size]
    visit = chromium.open(built / "influence.html", width=width, height=height)
    page = visit.page
    page.wait_for_timeout(300)
    tools = page.evaluate(BOX, ".c5-find")
    shapes = page.evaluate(
        """() => { const out = []; OBJECT.eachLayer(l => {
            if (l.feature && l._path && l.getTooltip && l.getTooltip()) {
                const r = l._path.getBoundingClientRect(); out.push([r.left, r.top, r.right, r.bottom]); } });
            return out; }""".replace("OBJECT", FIND_MAP)
    )
    assert shapes
    for shape in shapes:  # at the opening the tools cover no member
        assert not (shape[0] < tools[2] and tools[0] < shape[2] and shape[1] < tools[3] and tools[1] < shape[3])
    page.click(".c5-find .c5-tool")
    page.keyboard.type("fi")
    page.wait_for_timeout(100)
    assert page.locator(".c5-find-list li").count() >= 1
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id))"""
    )
    assert violations == []
    assert page.locator(".c5-find [role=status]").text_content() == f"{page.locator('.c5-find-list li').count()} found"
    page.keyboard.type("zzqx")  # nothing: said, and shown
    page.wait_for_timeout(100)
    assert page.locator(".c5-find-list li").count() == 0
    assert page.locator(".c5-find [role=status]").is_visible()
    assert page.locator(".c5-find [role=status]").text_content() == "Nothing on this map matches"
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.matches('.c5-find .c5-tool')")
    assert not page.locator(".c5-find-list li").count()
    page.close()
