"""Resources at their precision, whatever the unit; sizes compare one commodity in one unit (issue 21, items 5, 8).

On the web page (the page's own script) and in the print image (the matplotlib figure's artists and text):

* every resource with lon/lat is drawn at its point, whatever its unit (tonnes, barrels, tonnes of ore,
  undisclosed);
* circle areas compare one (commodity, unit) pair, the same on both, with the same key values; every other
  site gets one uniform symbol and a label of its figure;
* a deposit known only by its region is a dashed area with its figure on it, never a symbol at its centre;
* the atlas's "largest quantity" compares one commodity in one unit and says which.

The tables are SYNTHETIC (written by :func:`_write_resources`): invented figures at real places, inside the
bundled Central Asia members, so the bundled deals, regions and gazetteer still apply.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from c5map import images
from c5map.format import format_quantity
from c5map.images.frame import _x
from c5map.maps.figures import largest_figure, page_figures
from c5map.maps.resources import (
    LARGEST_SYMBOL_PX,
    OFF_SCALE_PX,
    UNCERTAINTY_KM,
    UNIFORM_WORDS,
    resource_deals,
    resources_map,
)
from c5map.maps.style import size_key_values, symbol_radius
from c5map.resource_scale import ResourceScale, choose_pair, figure_label, resource_scale
from c5map.scenes.resources import site_words
from c5map.story import story_for
from c5map.tables import load_tables

REPO = Path(__file__).resolve().parents[1]
SOURCE = "synthetic-resources-truth"
COLUMNS = ["resource_id", "name", "country", "commodity", "elements", "lon", "lat", "location_precision",
           "quantity", "unit", "value_qualifier", "status", "date", "attributed_to", "note", "source_id",
           "source_passage"]  # fmt: skip
#: (id, country, commodity, lon, lat, precision, quantity, unit, qualifier). Gold has the largest total in
#: tonnes, rare-earth metals the most rows: the scale is rare-earth metals in tonnes, never gold.
ROWS = [
    ("kaz-ree-site", "KAZ", "rare_earth_metals", 68.0, 48.0, "exact", 5e6, "tonnes", "about"),
    ("kaz-ree-near", "KAZ", "rare_earth_metals", 75.0, 50.5, "approximate", 2e6, "tonnes", "exact"),
    ("kaz-ree-region", "KAZ", "rare_earth_metals", 73.1, 49.8, "region", 2e7, "tonnes", "over"),
    ("uzb-gold", "UZB", "gold", 64.5, 41.5, "exact", 9e9, "tonnes", "exact"),
    ("kgz-oil", "KGZ", "oil", 74.5, 41.5, "exact", 8e8, "barrels", "under"),
    ("tjk-silver", "TJK", "silver", 69.0, 38.8, "exact", None, "tonnes", "undisclosed"),
    ("tkm-iron", "TKM", "iron_ore", 58.5, 39.0, "approximate", 3e8, "tonnes_of_ore", "nearly"),
    ("chn-ree", "CHN", "rare_earth_metals", None, None, "country", 4.4e7, "tonnes", "exact"),
    ("chn-gold", "CHN", "gold", None, None, "country", 9e7, "tonnes", "exact"),
]


def _write_resources(folder: Path, rows=ROWS) -> None:
    """Replace ``resources.csv`` in a copy of the bundled data with SYNTHETIC rows, and add their source."""
    with (folder / "resources.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        for rid, country, commodity, lon, lat, precision, quantity, unit, qualifier in rows:
            writer.writerow({
                "resource_id": rid, "name": f"{rid} (synthetic)", "country": country, "commodity": commodity,
                "lon": "" if lon is None else lon, "lat": "" if lat is None else lat,
                "location_precision": precision, "quantity": "" if quantity is None else f"{quantity:.0f}",
                "unit": unit, "value_qualifier": qualifier, "status": "estimate", "date": "2024",
                "source_id": SOURCE, "source_passage": "SYNTHETIC: invented for testing",
            })  # fmt: skip
    with (folder / "sources.csv").open("a", encoding="utf-8") as out:
        out.write(f'{SOURCE},c5map tests,"SYNTHETIC resources, invented for testing",2025,,\n')


@pytest.fixture
def synthetic(data_copy):
    _write_resources(data_copy)
    return load_tables(data_copy)


def _datasets():
    sahel = REPO / "tests" / "data" / "sahel-synthetic"
    return [
        pytest.param(REPO / "examples" / "gulf-east-africa", id="gulf-east-africa"),
        pytest.param(None, id="bundled"),
        pytest.param(sahel, id="sahel", marks=pytest.mark.skipif(not sahel.is_dir(), reason="no sahel folder")),
    ]


# --- the page's own drawing, read from its script -------------------------------------------------------------

_SHAPE = re.compile(r"L\.(circleMarker|circle)\(\s*\[([-\d.e]+),\s*([-\d.e]+)\],\s*(\{.*?\})\s*\)", re.S)
_LABEL = re.compile(r"L\.tooltip\((\{.*?\})\)\.setLatLng\((\[.*?\])\)\.setContent\((\".*?\")\)", re.S)


def _page(tables) -> tuple[str, object]:
    m = resources_map(tables, tiles=None)
    return m.get_root().render(), m


def _shapes(html: str) -> list[dict]:
    """Every circle the page draws: kind (circleMarker, circle), lat, lon and its Leaflet options."""
    return [{"kind": k, "lat": float(a), "lon": float(b), **json.loads(o)} for k, a, b, o in _SHAPE.findall(html)]


def _labels(html: str) -> list[dict]:
    """The page's permanent figure labels: text (as shown), lat, lon, options."""
    out = []
    for options, where, words in _LABEL.findall(html):
        lat, lon = json.loads(where)
        out.append({"text": json.loads(words).replace("&#x27;", "'"), "lat": lat, "lon": lon, **json.loads(options)})
    return out


def _at(items: list[dict], lat: float, lon: float) -> list[dict]:
    return [i for i in items if math.isclose(i["lat"], lat, abs_tol=1e-6) and math.isclose(i["lon"], lon, abs_tol=1e-6)]


def _legend(html: str) -> str:
    panel = re.search(r'c5mapPanel\([^,]+, "bottomright", "c5-legend", (".*?")\);', html, re.S).group(1)
    return json.loads(panel)


# --- the print image ------------------------------------------------------------------------------------------


def _image(tables) -> images.Image:
    with plt.rc_context(images.STYLE):
        image = images.resources_image(tables, story_for(tables))
        image.figure.canvas.draw()
    return image


def _marks_at(image: images.Image, lon: float, lat: float) -> list:
    """Every patch drawn at (lon, lat), as the image's mark of it (None for a patch that is no mark)."""
    (ax,) = image.maps
    mark_of = {id(m.artist): m for m in image.marks}
    return [mark_of.get(id(p)) for p in _patches_at(ax, lon, lat)]


def _words(fig) -> str:
    texts = [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts]
    for legend in fig.legends:
        texts += [legend.get_title().get_text(), *(t.get_text() for t in legend.get_texts())]
    return " ".join(" ".join(texts).split())


def _patches_at(ax, lon: float, lat: float):
    from matplotlib.patches import Ellipse

    x = _x(ax, lon)
    return [p for p in ax.patches if isinstance(p, Ellipse) and math.isclose(p.center[0], x, abs_tol=1e-6)
            and math.isclose(p.center[1], lat, abs_tol=1e-6)]  # fmt: skip


# --- the scale ------------------------------------------------------------------------------------------------


def test_the_scale_is_the_pair_with_most_figures_not_the_largest_total(synthetic):
    scale = resource_scale(synthetic.resources)
    assert (scale.commodity, scale.unit) == ("rare_earth_metals", "tonnes")  # 4 rows; gold's 9bn t is another pair
    assert scale.largest == 4.4e7  # China's country total: sites and country totals share the scale
    assert scale.key_values == tuple(size_key_values(4.4e7))
    assert scale.title == "circle area = tonnes of rare-earth metals"
    on = set(synthetic.resources.loc[scale.on_scale(synthetic.resources), "resource_id"])
    assert on == {"kaz-ree-site", "kaz-ree-near", "chn-ree"}  # the region-level estimate is an area, not a circle


def test_ties_go_to_the_largest_total_then_the_name():
    commodities = pd.Series(["gold", "uranium", "iron_ore", "zinc"])
    units = pd.Series(["tonnes", "tonnes", "tonnes", "tonnes"])
    assert choose_pair(commodities, units, pd.Series([150.0, 5e4, 1.5e9, None])) == ("iron_ore", "tonnes")
    assert choose_pair(commodities, units, pd.Series([7.0, 7.0, None, 0.0])) == ("gold", "tonnes")
    assert choose_pair(commodities, units, pd.Series([None, None, None, 0.0])) is None
    assert resource_scale(pd.DataFrame(columns=["commodity", "unit", "quantity", "value_qualifier"])) == ResourceScale()


# --- web page -------------------------------------------------------------------------------------------------


def test_every_located_resource_is_drawn_at_its_site_on_the_web_whatever_its_unit(synthetic):
    html, _ = _page(synthetic)
    shapes, labels = _shapes(html), _labels(html)
    scale = resource_scale(synthetic.resources)
    located = synthetic.resources[synthetic.resources["lon"].notna()]
    for _, row in located.iterrows():
        here = _at(shapes, row["lat"], row["lon"])
        assert here, row["resource_id"]
        markers = [s for s in here if s["kind"] == "circleMarker"]
        if row["location_precision"] == "region":
            continue  # test_a_region_known_estimate_never_looks_like_a_site
        (marker,) = markers
        if bool(scale.on_scale(row.to_frame().T)[0]):
            assert marker["radius"] == symbol_radius(row["quantity"], scale.largest, LARGEST_SYMBOL_PX)
            (label,) = _at(labels, row["lat"], row["lon"])  # its name and figure beside it (issue 23)
            assert label["text"] == site_words(row, True) and label["permanent"], row["resource_id"]
        else:  # another commodity or unit, or undisclosed: one size, and its figure written beside it
            assert marker["radius"] == OFF_SCALE_PX, row["resource_id"]
            (label,) = _at(labels, row["lat"], row["lon"])
            assert label["text"] == figure_label(row) and label["permanent"] and label["direction"] == "right"
    texts = {label["text"] for label in labels}
    assert {"Gold: 9 billion tonnes", "Oil: less than 800 million barrels", "Silver: undisclosed quantity",
            "Iron ore: nearly 300 million tonnes of ore"} <= texts  # fmt: skip


def test_a_region_known_estimate_never_looks_like_a_site(synthetic):
    html, _ = _page(synthetic)
    row = synthetic.resources.set_index("resource_id").loc["kaz-ree-region"]
    here = _at(_shapes(html), row["lat"], row["lon"])
    assert [s["kind"] for s in here] == ["circle"]  # the area only: no ring or dot at the regional centre
    (area,) = here
    assert area["radius"] == UNCERTAINTY_KM["region"] * 1000 and area["dashArray"]
    (label,) = _at(_labels(html), row["lat"], row["lon"])
    # named on its area (its name says what it is), then its figure
    assert label["text"] == f"{row['name']}<br>Rare-earth metals: more than 20 million tonnes"
    assert label["direction"] == "center"
    # an approximate site keeps its symbol and gets a ring of its uncertainty
    near = synthetic.resources.set_index("resource_id").loc["kaz-ree-near"]
    kinds = sorted(s["kind"] for s in _at(_shapes(html), near["lat"], near["lon"]))
    assert kinds == ["circle", "circleMarker"]


def test_country_totals_are_sized_only_by_the_scales_pair(synthetic):
    html, _ = _page(synthetic)
    (circle,) = [s for s in _shapes(html) if s["kind"] == "circleMarker" and s["dashArray"] == "3 3"]  # China
    # China's 90 million tonnes of gold would be the largest tonnage: the circle is its 44 Mt of rare-earth metals
    assert circle["radius"] == symbol_radius(4.4e7, 4.4e7, LARGEST_SYMBOL_PX) == LARGEST_SYMBOL_PX


def test_the_web_legend_says_what_the_circles_compare_and_what_the_uniform_symbol_means(synthetic):
    html, _ = _page(synthetic)
    legend = _legend(html)
    assert "Deposits and reserves (circle area = tonnes of rare-earth metals)" in legend
    assert UNIFORM_WORDS in legend
    assert "known only by its region may lie (not a site)" in legend
    for value in size_key_values(4.4e7):
        assert f"<span>{format_quantity(value, 'tonnes')}</span>" in legend
    title = re.search(r'c5mapPanel\([^,]+, "topleft", "c5-title", (".*?")\);', html, re.S).group(1)
    assert "deposits and reserves; circle area = tonnes of rare-earth metals." in json.loads(title)


# --- print image ----------------------------------------------------------------------------------------------


def test_every_located_resource_is_drawn_at_its_site_in_print_whatever_its_unit(synthetic):
    image = _image(synthetic)
    fig = image.figure
    scale = resource_scale(synthetic.resources)
    words = _words(fig)
    located = synthetic.resources[synthetic.resources["lon"].notna()]
    missing = [row["resource_id"] for _, row in located.iterrows() if not _marks_at(image, row["lon"], row["lat"])]
    assert missing == []  # barrels, tonnes of ore and undisclosed figures too
    uniform = set()
    for _, row in located.iterrows():
        here = _marks_at(image, row["lon"], row["lat"])
        assert here and None not in here, row["resource_id"]  # every patch there is a resource's mark
        marks = {m.style for m in here}
        assert {m.ident for m in here} == {row["resource_id"]}, row["resource_id"]
        if row["location_precision"] == "region":
            assert marks == {"region"}  # the dashed area only
            (area,) = (m.artist for m in here)
            assert area.get_linestyle() == "--"
            assert area.get_height() == pytest.approx(2 * UNCERTAINTY_KM["region"] / 111.32)
        elif bool(scale.on_scale(row.to_frame().T)[0]):
            assert "sized" in marks
        else:
            assert "uniform" in marks
            uniform |= {m.artist.get_height() for m in here if m.style == "uniform"}
        if row["location_precision"] == "approximate":
            assert "approximate" in marks
        if not bool(scale.on_scale(row.to_frame().T)[0]):
            assert figure_label(row) in words, row["resource_id"]  # on the map, or listed beside it
    assert len(uniform) == 1  # one size for every site off the scale
    sized = [m for m in image.marks_of("resource") if m.value > 0]
    assert {m.ident for m in sized} == {"kaz-ree-site", "kaz-ree-near", "chn-ree"}


def test_print_and_web_draw_the_same_scale_and_key(synthetic):
    image = _image(synthetic)
    fig = image.figure
    html, _ = _page(synthetic)
    scale = resource_scale(synthetic.resources)
    assert image.scale == scale
    keys = sorted(m.value for m in image.marks_of("size-key"))
    assert keys == list(scale.key_values) == size_key_values(4.4e7)
    words = _words(fig)
    assert "Circle area = tonnes of rare-earth metals" in words
    assert UNIFORM_WORDS in words
    for value in keys:  # the same values, in the same words, in the web's key
        assert f"<span>{scale.key_label(value)}</span>" in _legend(html)
    assert "China, gold: 90 million tonnes" in words  # a country figure off the scale is listed, not sized


@pytest.mark.parametrize("folder", _datasets())
def test_any_dataset_draws_every_located_resource_on_both_and_one_scale(folder):
    tables = load_tables(folder) if folder else load_tables()
    resources = tables.resources
    scale = resource_scale(resources)
    html, _ = _page(tables)
    image = _image(tables)
    shapes = _shapes(html)
    for _, row in resources[resources["lon"].notna()].iterrows():
        assert _at(shapes, row["lat"], row["lon"]), row["resource_id"]
        assert _marks_at(image, row["lon"], row["lat"]), row["resource_id"]
        if row["location_precision"] == "region":  # never a site symbol, on either
            assert not [s for s in _at(shapes, row["lat"], row["lon"]) if s["kind"] == "circleMarker"]
            assert {m.style for m in _marks_at(image, row["lon"], row["lat"])} == {"region"}
    sized = [m.ident for m in image.marks_of("resource") if m.value == m.value]  # sized by a figure (not NaN)
    sized = resources.set_index("resource_id").loc[sized]
    assert set(zip(sized["commodity"], sized["unit"], strict=True)) <= {(scale.commodity, scale.unit)}
    assert image.scale == scale


# --- the atlas's line -----------------------------------------------------------------------------------------


def test_the_largest_quantity_compares_one_commodity_in_one_unit_and_names_it(synthetic):
    figures = page_figures(synthetic, deals=resource_deals(synthetic), resources=synthetic.resources)
    finding = largest_figure(figures, ("resources", "deals"))
    # not gold's 9 billion tonnes: rare-earth metals in tonnes, the pair most figures are in
    assert finding == "Largest quantity of rare-earth metals: chn-ree (synthetic), 44 million tonnes, 2024."
    from c5map.maps.resources import resources_page

    assert resources_page(synthetic, tiles=None).finding == finding  # the atlas's line on the resources page


def test_uranium_is_never_compared_with_ore():
    rows = pd.DataFrame([
        {"table": "resources", "id": i, "date": "", "partner": "", "country": "Niger", "what": f"{i} ({c})",
         "value": v, "unit": "tonnes", "value_qualifier": "exact", "value_basis": ""}
        for i, c, v in [("a", "uranium", "50000"), ("b", "uranium", "20000"), ("c", "iron ore", "1500000000")]
    ])  # fmt: skip
    assert largest_figure(rows, ("resources",)) == "Largest quantity of uranium: a, 50,000 tonnes."
    one = rows[rows["id"] != "c"]
    assert largest_figure(one, ("resources",)) == "Largest quantity: a (uranium), 50,000 tonnes."
