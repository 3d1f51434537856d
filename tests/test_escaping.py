"""Every string from data reaches the page as text, never as markup or script (checked in Chromium)."""

from __future__ import annotations

import csv
import shutil

import pytest

from c5map._paths import bundled_data_dir
from c5map.build import build
from c5map.maps import MAPS

# Each payload, if it ran, would set window.__xss or add an element; shown as text it does neither.
PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=2</script>",
    "</script><script>window.__xss=3</script>",
    "${window.__xss=4}",
    "`+(window.__xss=5)+`",
    "\\'); window.__xss=6; //",
    '" onmouseover="window.__xss=7" x="',
    "' onmouseover='window.__xss=8' x='",
    '<svg onload="window.__xss=9"></svg>',
    "{{ 7*7 }} {% if 1 %}jinja{% endif %}",
    "C:\\new\\table \\u003c/b\\u003e",
    "Ünïcödé — Қазақстан 中国 🚀 \u2028line\u2029sep",
    "<!-- <b>bold</b> &amp; &lt;",
    # spreadsheet formulas: inert on the page, and marked as text in "Get the data"
    '=HYPERLINK("https://example.invalid/?leak","Source")',
    "+SUM(1,1)",
    "-2+3",
    "@SUM(1)",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Free-text columns that reach the pages (tooltips, popups, legends, titles, layer names, source line).
TEXT_COLUMNS = {
    "deals.csv": ["parties", "description", "attributed_to"],
    "trade.csv": ["attributed_to"],
    "resources.csv": ["name", "elements", "status", "attributed_to", "note"],
    "events.csv": ["name", "place", "participants"],
    "places.csv": ["name"],
    "regions.csv": ["region_name"],
    "sources.csv": ["publisher", "title", "note"],
}


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    data.mkdir()
    n = 0
    for csv_path in bundled_data_dir().glob("*.csv"):
        shutil.copy(csv_path, data / csv_path.name)
    for name, columns in TEXT_COLUMNS.items():
        with (data / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            for column in columns:
                row[column] = f"{PAYLOADS[n % len(PAYLOADS)]} #{n}"
                n += 1
        if name == "deals.csv":  # template injection that would run Python at build time
            rows[0]["description"] = "{{ cycler.__init__.__globals__.os.system('touch %s') }}" % (root / "PWNED")
        if name == "regions.csv":  # one region: every membership row must carry the same name
            for row in rows:
                row["region_name"] = PAYLOADS[0] + " " + PAYLOADS[3] + " region"
        with (data / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    build(data, root, tiles="none", images=False, progress=lambda line: None)
    assert not (root / "PWNED").exists(), "a CSV cell ran as template code during the build"
    return root / "maps"


OPEN_EVERY_TOOLTIP = """(() => {
    const map = Object.values(window).find(v => v instanceof L.Map);
    const texts = [];
    map.eachLayer(layer => {
        if (layer.getTooltip && layer.getTooltip()) {
            layer.openTooltip(layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter());
            texts.push(layer.getTooltip().getElement().innerText);
        }
    });
    return texts;
})()"""
INJECTED = "img[src='x'], svg[onload], [onerror], [onload], [onmouseover]"


@pytest.mark.parametrize("name", [*MAPS, "index.html"])
def test_payloads_are_inert_and_shown_literally(chromium, hostile_build, name):
    visit = chromium.open(hostile_build / name)
    page = visit.page
    assert visit.page_errors == []
    texts = page.evaluate(OPEN_EVERY_TOOLTIP) if name != "index.html" else []
    # show every hidden layer too, so their tooltips and legend rows are exercised
    unchecked = page.locator(".leaflet-control-layers-overlays input:not(:checked)")
    while unchecked.count():
        unchecked.first.click()
    if name != "index.html":
        texts += page.evaluate(OPEN_EVERY_TOOLTIP)
    for handle in page.locator("input.c5-range").all():
        for year in ("2015", "2023", "2025"):
            handle.fill(year)
    page.mouse.move(400, 400)
    page.wait_for_timeout(100)
    assert visit.dialogs == []
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator(INJECTED).count() == 0
    body = page.locator("body").inner_text() + "\n".join(texts)
    if name != "index.html":
        title = page.locator(".c5-title h1").inner_text()
        assert PAYLOADS[0] in title and PAYLOADS[3] in title  # shown as text, literally
    shown = [p for p in PAYLOADS if p.split(" ")[0] in body]
    assert shown, "no payload text is visible at all"
    assert "49" not in body.replace("2049", "")  # {{ 7*7 }} was not evaluated by a template engine
    page.close()


def test_get_the_data_marks_formulas_as_text(hostile_build):
    seen = 0
    for path in sorted((hostile_build / "data").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column, cell in row.items():
                    if column == "value":
                        assert cell == "" or float(cell) == float(cell), path.name  # a number, left as one
                        continue
                    assert not cell.startswith(FORMULA_STARTS), (path.name, column, cell)
                    seen += cell.startswith("'=HYPERLINK(")
    assert seen, "no formula payload reached any page's CSV: the check above checked nothing"
