"""c5map.explore on plain geopandas inputs, and Tables built from DataFrames in memory (issue 25 item 5)."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import c5map
from c5map.assets import inline_assets, leaflet_only
from c5map.boundaries import bundled_path
from c5map.errors import DataError, UsageError
from c5map.maps.labels import Labels
from c5map.maps.legend import LegendFollowsLayers
from c5map.maps.page import NO_FIGURE_STYLE, Panel
from c5map.maps.safety import escape_text
from c5map.maps.shapes import ShapeLayer, SharedShapes
from c5map.maps.style import BOUND_RULE, FILL_OPACITY, PALETTE, class_colours, class_of, nice_breaks
from c5map.tables import RowProblem, Tables, load_tables


@pytest.fixture(scope="module")
def naturalearth() -> gpd.GeoDataFrame:
    """Natural Earth 1:110m countries as a geopandas user reads them: raw columns (NAME, POP_EST, ADM0_A3)."""
    return gpd.read_file(bundled_path("110m"))


def elements(m: folium.Map, kind: type) -> list:
    """Every element of ``kind`` anywhere in the map's tree."""
    found, stack = [], [m]
    while stack:
        element = stack.pop()
        if isinstance(element, kind):
            found.append(element)
        stack.extend(element._children.values())
    return found


def fills(m: folium.Map) -> dict[str, dict]:
    """Shape id -> Leaflet style of every ShapeLayer of fills on the map (not the land drawn without tiles)."""
    styles: dict[str, dict] = {}
    for layer in elements(m, ShapeLayer):
        if layer.pane == "c5-fills":
            styles.update(json.loads(layer.styles_js))
    return styles


def row_id(frame: gpd.GeoDataFrame, column: str, value: str) -> str:
    """The shape id explore gives the row where ``column == value``: its position."""
    return f"r{int(np.flatnonzero(frame[column].to_numpy() == value)[0])}"


def packed_labels(m: folium.Map) -> dict[str, list]:
    """Label text -> [kind, text, lon, lat, minZoom, ...] of the map's Labels."""
    (labels,) = elements(m, Labels)
    return {row[1]: row for row in json.loads(labels.labels_js)["labels"]}


def legend_text(m: folium.Map) -> str:
    """The legend panel's HTML."""
    return " ".join(p.safe_html for p in elements(m, Panel) if "c5-legend" in p.css_class_js)


def test_each_country_takes_its_class_on_the_ladder_in_c5maps_colours(naturalearth):
    m = c5map.explore(naturalearth, "POP_EST", label="NAME", tiles="none")
    breaks = nice_breaks(naturalearth["POP_EST"].tolist())
    shades = class_colours(PALETTE[0], len(breaks) + 1)
    styles = fills(m)
    assert len(styles) == len(naturalearth) == 177
    for name in ("China", "Kazakhstan", "Iceland", "Fiji"):
        value = float(naturalearth.loc[naturalearth["NAME"] == name, "POP_EST"].item())
        style = styles[row_id(naturalearth, "NAME", name)]
        assert style["fillColor"] == shades[class_of(value, breaks)] and style["fillOpacity"] == FILL_OPACITY
    labels = packed_labels(m)
    assert {"China", "Kazakhstan", "Fiji"} <= set(labels)
    # the figure written under the name, largest first
    figures = json.loads(elements(m, Labels)[0].labels_js)["figures"]["*"]
    assert figures[0] == [row_id(naturalearth, "NAME", "China"), "1.4 billion"]


def test_missing_values_are_hatched_no_reported_figure_never_a_class(naturalearth):
    frame = naturalearth.copy()
    frame.loc[frame["ADM0_A3"].isin(["FRA", "NOR"]), "POP_EST"] = np.nan  # Natural Earth's ISO_A3 is -99 for both
    m = c5map.explore(frame, "POP_EST", label="NAME", title="Population", tiles="none")
    styles = fills(m)
    for code in ("FRA", "NOR"):
        assert styles[row_id(frame, "ADM0_A3", code)] == NO_FIGURE_STYLE
    assert styles[row_id(frame, "ADM0_A3", "DEU")]["fillColor"].startswith("#")
    assert "no reported figure (not zero)" in legend_text(m)
    html = m.get_root().render()
    assert '<pattern id="c5-hatch"' in html  # the pattern NO_FIGURE_STYLE fills with
    figures = dict(json.loads(elements(m, Labels)[0].labels_js)["figures"]["*"])
    assert row_id(frame, "ADM0_A3", "FRA") not in figures  # no figure written for it: the hatch says it


def test_qualifiers_class_a_bound_on_its_side_and_the_legend_says_so(naturalearth):
    frame = naturalearth[naturalearth["ADM0_A3"].isin(["KAZ", "UZB", "KGZ", "TJK", "TKM"])].copy()
    figures = {"KAZ": (100.0, "exact"), "UZB": (100.0, "under"), "KGZ": (100.0, "over"), "TJK": (50.0, None),
               "TKM": (np.nan, None)}  # fmt: skip
    frame["value"] = [figures[code][0] for code in frame["ADM0_A3"]]
    frame["qualifier"] = [figures[code][1] for code in frame["ADM0_A3"]]  # empty: exact
    m = c5map.explore(frame, "value", qualifier="qualifier", label="NAME", breaks=[10, 100], tiles="none")
    styles = fills(m)
    shades = class_colours(PALETTE[0], 3)
    order = list(frame["ADM0_A3"])  # a shape's id is its row's position
    colour = {code: styles[f"r{order.index(code)}"].get("fillColor") for code in figures}
    assert colour["KAZ"] == shades[2]  # exactly 100: the class that starts at 100
    assert colour["KGZ"] == shades[2]  # more than 100
    assert colour["UZB"] == shades[1]  # less than 100: never in the class that starts at 100
    assert colour["TJK"] == shades[1]
    legend = legend_text(m)
    assert escape_text(BOUND_RULE[1:]) in legend and "less than 10" in legend and "100 or more" in legend
    # every class of the scale is in the legend, the one drawn by nobody marked absent
    assert legend.count("c5-legend-absent") == 1
    tips = {}
    for layer in elements(m, ShapeLayer):
        tips.update(json.loads(layer.tips_js))
    assert "less than 100" in tips[f"r{order.index('UZB')}"] and "more than 100" in tips[f"r{order.index('KGZ')}"]


def test_an_unknown_qualifier_is_refused_naming_the_row_and_the_allowed_ones(naturalearth):
    frame = naturalearth.head(3).assign(q=["exact", "roughly", None])
    with pytest.raises(UsageError, match=r"row 1 has 'roughly'; a qualifier is one of exact, about, nearly"):
        c5map.explore(frame, "POP_EST", qualifier="q")


def test_nullable_columns_and_empty_names_as_pandas_holds_them(naturalearth):
    frame = naturalearth.head(3).copy()
    frame["count"] = pd.array([5, None, 50], dtype="Int64")
    frame["title"] = pd.array(["A", None, "C"], dtype="string")
    m = c5map.explore(frame, "count", label="title", tiles="none")
    assert fills(m)["r1"] == NO_FIGURE_STYLE  # <NA>: no reported figure
    assert set(packed_labels(m)) == {"A", "C"}  # an empty name is not written as "<NA>" or "nan"


def test_an_invalid_polygon_is_repaired_and_a_row_without_one_left_out():
    bow_tie = shapely.Polygon([(60, 40), (70, 50), (70, 40), (60, 50)])  # crosses itself: invalid
    frame = gpd.GeoDataFrame(
        {"v": [1.0, 2.0, 3.0]}, geometry=[bow_tie, shapely.Point(65, 45), shapely.box(71, 40, 75, 45)], crs=4326
    )
    styles = fills(c5map.explore(frame, "v", tiles="none"))
    assert set(styles) == {"r0", "r2"}  # the point has no area to colour


def test_undisclosed_is_outlined_not_hatched(naturalearth):
    frame = naturalearth.head(4).assign(q=["exact", "undisclosed", None, None])
    m = c5map.explore(frame, "POP_EST", qualifier="q", tiles="none")
    style = fills(m)["r1"]
    assert style["dashArray"] == "6 3" and style["fillColor"] != NO_FIGURE_STYLE["fillColor"]
    assert "value undisclosed" in legend_text(m)


def test_added_onto_an_existing_folium_map_its_layers_survive(naturalearth):
    m = folium.Map(location=[45, 60], zoom_start=3, tiles=None)
    marker = folium.Marker([43.24, 76.89], tooltip="Almaty").add_to(m)
    circle = folium.CircleMarker([41.3, 69.24], radius=5, tooltip="Tashkent").add_to(m)
    asia = naturalearth[naturalearth["CONTINENT"] == "Asia"]
    out = c5map.explore(asia, "POP_EST", label="NAME", m=m, title="Population")
    assert out is m
    assert m._children[marker.get_name()] is marker and m._children[circle.get_name()] is circle
    assert m.location == [45, 60]  # its view is the user's
    groups = [g for g in elements(m, folium.FeatureGroup) if g.layer_name == "Population"]
    assert len(groups) == 1 and elements(groups[0], ShapeLayer)
    assert elements(m, LegendFollowsLayers)  # the legend section follows the layer when a control turns it off
    html = m.get_root().render()
    assert "Almaty" in html and "Tashkent" in html and '<pattern id="c5-hatch"' in html
    shapes = elements(m, SharedShapes)
    assert len(shapes) == 1 and json.loads(shapes[0].data_js)["s"] >= 1
    # a second layer on the same map: both kept, ids distinct
    c5map.explore(asia, "GDP_MD", m=m, title="GDP", colour=PALETTE[1])
    assert {g.layer_name for g in elements(m, folium.FeatureGroup)} >= {"Population", "GDP"}
    assert len({s.get_name() for s in elements(m, SharedShapes)}) == 2


def test_a_projected_frame_is_reprojected_not_drawn_in_metres(naturalearth):
    plain = c5map.explore(naturalearth, "POP_EST", label="NAME", tiles="none")
    equal_earth = naturalearth[naturalearth["NAME"] != "Antarctica"].to_crs("EPSG:8857")
    assert abs(equal_earth.total_bounds).max() > 1e6  # metres
    projected = c5map.explore(equal_earth, "POP_EST", label="NAME", tiles="none")
    a, b = packed_labels(plain), packed_labels(projected)
    for name in ("Kazakhstan", "Brazil", "Australia", "Canada"):
        assert abs(a[name][2] - b[name][2]) < 0.5 and abs(a[name][3] - b[name][3]) < 0.5, name
    for row in b.values():
        assert -180 <= row[2] <= 180 and -90 <= row[3] <= 90


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"column": "POP_ESTIMATE"}, r"column='POP_ESTIMATE': no such column; did you mean 'POP_EST'\? .*NAME"),
        ({"column": "POP_EST", "label": "nom"}, r"label='nom': no such column; .*columns are featurecla, "),
        ({"column": "POP_EST", "qualifier": "how"}, r"qualifier='how': no such column"),
        ({"column": "POP_EST", "tooltip": ["NAME", "pib"]}, r"tooltip='pib': no such column"),
        ({"column": "NAME"}, r"column='NAME' holds .* values; explore classes numbers"),
        ({"column": "POP_EST", "breaks": [100, 10]}, r"breaks=\[100, 10\]: give finite numbers, each larger"),
        ({"column": "POP_EST", "m": "map"}, r"m= takes a folium.Map, not a str"),
    ],
)
def test_bad_arguments_are_refused_with_what_to_do(naturalearth, arguments, expected):
    with pytest.raises(UsageError, match=expected):
        c5map.explore(naturalearth, **arguments)


def test_a_frame_without_crs_or_polygons_is_refused(naturalearth):
    with pytest.raises(UsageError, match=r"no CRS.*set_crs\(4326\)"):
        c5map.explore(naturalearth.set_crs(None, allow_override=True), "POP_EST")
    points = naturalearth.set_geometry(naturalearth.geometry.representative_point())
    with pytest.raises(UsageError, match="explore colours polygons; the GeoDataFrame has Point"):
        c5map.explore(points, "POP_EST")
    with pytest.raises(UsageError, match="not a DataFrame"):
        c5map.explore(naturalearth.drop(columns="geometry"), "POP_EST")


def test_the_map_renders_with_its_legend_labels_and_hatching_offline(chromium, naturalearth, tmp_path):
    frame = naturalearth.copy()
    frame.loc[frame["ADM0_A3"] == "KAZ", "POP_EST"] = np.nan
    m = c5map.explore(frame, "POP_EST", label="NAME", title="Population", tiles="none")
    leaflet_only(m)  # Leaflet alone, then inlined: the page needs no network
    page = tmp_path / "explore.html"
    page.write_text(inline_assets(m.get_root().render()), encoding="utf-8")
    visit = chromium.open(page, offline=True)
    assert visit.page_errors == [] and visit.aborted == []
    legend = visit.page.locator(".c5-legend")
    assert legend.is_visible()
    assert "no reported figure (not zero)" in legend.inner_text() and "1 billion or more" in legend.inner_text()
    labels = visit.page.locator(".c5-labels").inner_text()
    assert "China" in labels and "Kazakhstan" in labels and "1.4 billion" in labels
    hatched = visit.page.locator("path[fill='url(#c5-hatch)']")
    assert hatched.count() == 1
    assert visit.page.locator("#c5-hatch").count() == 1
    assert visit.page.locator(".c5-title h1").inner_text() == "Population"


def test_added_onto_a_folium_map_it_renders_beside_the_users_marker(chromium, naturalearth, tmp_path):
    m = folium.Map(location=[45, 60], zoom_start=3, tiles=None)
    c5map.explore(naturalearth[naturalearth["CONTINENT"] == "Asia"], "POP_EST", label="NAME", m=m, title="People")
    # added after, as a folium user adds a marker onto a layer: drawn over the fills, not under them
    folium.CircleMarker([43.24, 76.89], radius=6, color="#ff0000", fill=True, tooltip="Almaty").add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    leaflet_only(m)
    page = tmp_path / "onto.html"
    page.write_text(inline_assets(m.get_root().render()), encoding="utf-8")
    visit = chromium.open(page, offline=True)
    assert visit.page_errors == []
    marker = visit.page.locator("path[stroke='#ff0000']")  # the user's marker
    box = marker.bounding_box()
    on_top = visit.page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).getAttribute('stroke')",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == "#ff0000"
    assert visit.page.locator(".c5-legend").is_visible()
    assert "Kazakhstan" in visit.page.locator(".c5-labels").inner_text()
    # the layer control turns c5map's layer off, and its legend section with it
    section = visit.page.locator(".c5-legend-section[data-layer='People']")
    assert section.is_visible()
    visit.page.get_by_label("People").uncheck()
    assert not section.is_visible()
    visit.page.screenshot(path=tmp_path / "onto.png")


# Tables from DataFrames


def test_tables_from_dataframes_equal_the_tables_read_from_files():
    files = load_tables()
    frames = Tables.from_frames(
        files.deals, files.regions, trade=files.trade, resources=files.resources, events=files.events,
        places=files.places, sources=files.sources,
    )  # fmt: skip
    for name in ("deals", "trade", "resources", "events", "places", "regions", "sources"):
        mine, theirs = frames[name].reset_index(drop=True), files[name].reset_index(drop=True)
        assert mine.equals(theirs), name
    assert list(frames.deals.index[:3]) == [1, 2, 3]  # row positions counting from 1
    assert frames.paths["deals"] is None


def test_a_bad_cell_is_located_by_table_and_row_not_file_and_line():
    files = load_tables()
    deals = files.deals.reset_index(drop=True).astype(object)
    deals.loc[2, "value_usd"] = "lots"
    deals.loc[4, "date"] = "2025-13"
    with pytest.raises(DataError) as raised:
        Tables.from_frames(deals, files.regions)
    lines = str(raised.value).splitlines()
    assert any(re.fullmatch(r"deals\.iloc\[2\]: value_usd: .*", line) for line in lines), lines
    assert any(re.fullmatch(r"deals\.iloc\[4\]: date: .*", line) for line in lines), lines
    assert all(isinstance(p, RowProblem) for p in raised.value.problems)


def test_a_missing_column_and_a_broken_reference_are_found_as_in_files():
    files = load_tables()
    with pytest.raises(DataError, match=r"regions \(DataFrame\): member: required column is missing"):
        Tables.from_frames(files.deals, files.regions.drop(columns="member"))
    deals = files.deals.copy()
    deals.iloc[0, deals.columns.get_loc("source_id")] = "no-such-source"
    with pytest.raises(DataError, match=r"deals\.iloc\[0\]: source_id: 'no-such-source' is not listed in sources"):
        Tables.from_frames(deals, files.regions)


def test_numbers_and_dates_as_pandas_holds_them_are_read_as_their_csv_text():
    files = load_tables()
    deals = files.deals.copy()
    deals["value_usd"] = deals["value_usd"].astype("float64")  # 4.2e9, not "4200000000.0" refused
    regions = files.regions.copy()
    tables = Tables.from_frames(deals, regions)
    assert tables.deals["value_usd"].sum() == files.deals["value_usd"].sum()


def test_tables_from_dataframes_draw_the_same_page_as_the_files():
    from c5map.maps import influence_map

    files = load_tables()
    frames = Tables.from_frames(
        files.deals, files.regions, trade=files.trade, resources=files.resources, events=files.events,
        places=files.places,
    )  # fmt: skip
    page = influence_map(frames, tiles="none").get_root().render()
    assert page == influence_map(files, tiles="none").get_root().render()
