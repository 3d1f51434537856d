"""Big tables stay usable: pages and images are bounded and say what they leave out; valid zeros build.

The big folder is SYNTHETIC, made by ``benchmarks/load_bench.py``'s generator (the benchmark's own data, at a
size a test can build): bilateral exports every year, 100 partners' total trade with the region over 6 years,
300 deals of 200 partners and 1,000 deposits drawn inside the members.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pyogrio
import pytest

from c5map import images
from c5map.build import build
from c5map.format import format_quantity, format_usd
from c5map.maps.resources import MAX_POINTS
from c5map.maps.trade import MAX_DESTINATIONS, MAX_EXPORTERS, MAX_REGION_FIGURES
from c5map.story import story_for
from c5map.validate import load_valid_tables

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from load_bench import write_synthetic  # noqa: E402

#: Bounds every output keeps whatever the row count (the bundled pages are 65-146 KB, images under 1 MB).
PAGE_BYTES = 1_500_000
PNG_BYTES = 1_000_000
SVG_BYTES = 4_000_000


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big") / "data"
    info = write_synthetic(folder, trade_rows=3000, resources=1000, deals=300)
    out = folder.parent / "out"
    build(folder, out, progress=lambda line: None)
    return folder, load_valid_tables(folder), out, info


def _image(name: str, tables) -> images.Image:
    with plt.rc_context(images.STYLE):
        return images.IMAGES[name](tables, story_for(tables))


def _words(fig) -> str:
    texts = [t.get_text() for t in fig.texts]
    for legend in fig.legends:
        texts += [legend.get_title().get_text(), *(t.get_text() for t in legend.get_texts())]
    return " ".join(" ".join(texts).split())  # as a reader reads it, wrapped lines joined


@pytest.mark.parametrize("page", ["index.html", "influence.html", "trade.html", "resources.html", "timeline.html"])
def test_every_page_is_bounded(big, page):
    _, _, out, info = big
    assert info["trade_rows"] > 3000 and info["resources"] == 1000
    assert (out / "maps" / page).stat().st_size < PAGE_BYTES


def test_every_image_is_bounded(big):
    _, _, out, _ = big
    assert len(list((out / "maps" / "png").glob("*.png"))) >= 4
    for image in (out / "maps" / "png").glob("*.png"):
        assert image.stat().st_size < PNG_BYTES, image.name
    for image in (out / "maps" / "svg").glob("*.svg"):
        assert image.stat().st_size < SVG_BYTES, image.name


def test_trade_image_draws_the_pages_bounded_subset_and_says_what_it_leaves_out(big):
    _, tables, out, _ = big
    image = _image("trade", tables)
    fig = image.figure
    circles = image.marks_of("region-figure")
    assert len(circles) == MAX_REGION_FIGURES  # 600 figures of trade with the region: the largest, latest
    words = _words(fig)
    assert re.search(r"Not drawn: [\d,]+ figures of earlier years of ", words), words  # the layers' own notes
    assert re.search(r"Exports from .* not drawn \([\d,]+ figures", words), words  # exporters past the bound
    assert re.search(r"[\d,]+ older or smaller figures not drawn; in the data table", words), words
    page = (out / "maps" / "trade.html").read_text(encoding="utf-8")
    assert page.count("c5mapArc(") <= MAX_EXPORTERS * MAX_DESTINATIONS
    assert re.search(r"[\d,]+ older or smaller figures not drawn; in the data table", page)
    # the same figures: each circle's value is one of the page's region figures
    for circle in circles:
        assert format_usd(circle.value).replace("$", "#36;") in page  # escaped: &#36; (in JSON \u0026#36;)


def test_resources_page_and_image_draw_a_bounded_number_of_points_and_count_the_rest(big):
    _, tables, out, _ = big
    page = (out / "maps" / "resources.html").read_text(encoding="utf-8")
    assert page.count("L.circleMarker(") <= MAX_POINTS + len(tables.resources[tables.resources["lon"].isna()]) + 5
    left = len(tables.resources) - MAX_POINTS
    assert f"{left:,} smaller deposits not drawn one by one" in page
    image = _image("resources", tables)
    fig = image.figure
    rings = [m for m in image.marks_of("resource") if m.value == m.value]  # sized by a figure (not NaN)
    assert len(rings) == images.MAX_SYMBOLS
    assert f"{1000 - images.MAX_SYMBOLS:,} smaller tonnages not drawn" in _words(fig)


def test_influence_and_timeline_images_are_bounded(big):
    _, tables, _, _ = big
    fig = _image("influence", tables).figure
    panels = fig.map_axes()
    assert len(panels) == images.MAX_PANELS  # 200 partners with deals: the 6 with the most
    assert fig.get_figheight() < 12  # two rows of panels, not 67
    assert re.search(r"[\d,]+ more views \(", _words(fig))
    image = _image("timeline", tables)
    fig = image.figure
    entries = image.labels
    assert len(entries) == images.MAX_TIMELINE_ITEMS
    from c5map.boundaries import load_countries
    from c5map.scenes.timeline import timeline_items

    left = len(timeline_items(tables, load_countries("10m"))) - images.MAX_TIMELINE_ITEMS  # events, deals, finds
    counted = re.search(r"not listed: (.*?) \(all are in geo/\)", _words(fig).replace("\n", " ")).group(1)
    assert sum(int(n.replace(",", "")) for n in re.findall(r"([\d,]+) (?:smaller deals|events|resource finds|earlier "
                                                             r"items)", counted)) == left, counted  # fmt: skip


def test_big_tables_keep_every_figure_in_geo(big):
    _, tables, out, _ = big
    figures = pyogrio.read_dataframe(out / "geo" / "c5map.gpkg", layer="flow_figures")
    flows = pyogrio.read_dataframe(out / "geo" / "flows.geojson")
    between = tables.trade[~tables.trade["destination"].isin(["C5"])]
    assert (figures["kind"] == "trade").sum() == len(between)  # every capital is known: every row is a figure
    assert len(flows) == figures["pair_id"].nunique()
    trade = figures[figures["kind"] == "trade"]
    assert trade["pair_id"].nunique() * 20 < len(trade)  # each line once, not once a year (27 years)
    resources = pyogrio.read_dataframe(out / "geo" / "resources.geojson")
    assert len(resources) == len(tables.resources)


def _set(path: Path, column: str, value: str, where=lambda row: True, qualifier: str | None = None) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for row in rows:
        if where(row) and row[column] != "":
            row[column] = value
            if qualifier and row.get("value_qualifier") not in ("undisclosed", None):
                row["value_qualifier"] = qualifier
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(
    ("table", "column", "where"),
    [
        ("trade.csv", "value_usd", lambda row: row["measure"] == "total_trade"),  # maps/trade.py:181
        ("trade.csv", "value_usd", lambda row: True),
        ("deals.csv", "value_usd", lambda row: True),  # images/influence.py
        ("resources.csv", "quantity", lambda row: True),  # images/resources.py
    ],
)
def test_a_zero_value_validates_and_builds_every_page_and_image(data_copy, tmp_path, table, column, where):
    """A figure of 0 is valid: it passed validate and then raised ZeroDivisionError in the build."""
    _set(data_copy / table, column, "0", where, qualifier="exact")
    tables = load_valid_tables(data_copy)
    assert (
        (tables.trade if table == "trade.csv" else tables.deals if table == "deals.csv" else tables.resources)[column]
        .eq(0)
        .any()
    )
    report = build(data_copy, tmp_path / "out", progress=lambda line: None)
    for name in ("png/trade.png", "png/influence.png", "png/resources.png", "svg/trade.svg"):
        assert f"maps/{name}" in report.files and report.files[f"maps/{name}"] > 10_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (format_usd(-0.0), "$0"),
        (format_usd(-0.0, "about"), "about $0"),
        (format_quantity(-0.0, "tonnes"), "0 tonnes"),
        (format_quantity(1.7e308, "tonnes"), "1.7 × 10³⁰⁸ tonnes"),
        (format_usd(1.7e308), "$1.7 × 10³⁰⁸"),
        (format_usd(9.99e14), "$999tn"),
        (format_usd(1e15, "over"), "more than $1 × 10¹⁵"),
        (format_quantity(2.5e12, "tonnes"), "2.5 trillion tonnes"),
    ],
)
def test_figures_are_written_as_readers_write_them(text, expected):
    """-0 read "$-0"; 1.7e308 tonnes was a 300-digit number."""
    assert text == expected
    assert len(text) < 40


def test_the_influence_page_draws_the_partners_with_most_deals_and_counts_the_rest(big):
    """200 partners: 12 layers (most deals first), the others named as not drawn; every deal in the CSV."""
    from c5map.maps.influence import MAX_PARTNER_LAYERS, influence_partners

    _, tables, out, _ = big
    html = (out / "maps" / "influence.html").read_text(encoding="utf-8")
    partners = influence_partners(tables, story_for(tables))
    assert len(partners) > MAX_PARTNER_LAYERS
    layers = re.findall(r'"([^"]*): deals" : feature_group_', html)
    assert len(layers) == MAX_PARTNER_LAYERS
    assert f"{len(partners) - MAX_PARTNER_LAYERS} more partners" in html
    csv = pd.read_csv(out / "maps" / "data" / "influence.csv", dtype=str, keep_default_na=False)
    members = set(story_for(tables).members) | {story_for(tables).region}
    shown = tables.deals.loc[tables.deals["country"].isin(members), "deal_id"]
    assert set(csv.loc[csv["table"] == "deals", "id"]) == set(shown)


def test_the_timeline_lists_the_most_recent_items_and_says_how_many_are_left(big):
    from c5map.maps.timeline import MAX_ITEMS

    _, tables, out, _ = big
    html = (out / "maps" / "timeline.html").read_text(encoding="utf-8")
    assert re.search(rf"The {MAX_ITEMS} most recent items are listed; [\d,]+ earlier ones are in the data", html)
    csv = pd.read_csv(out / "maps" / "data" / "timeline.csv", dtype=str, keep_default_na=False)
    assert len(csv) == MAX_ITEMS


def test_flow_lines_across_the_antimeridian_are_great_circle_to_the_bit():
    """great_circles cuts the arcs that cross ±180° with numpy: the same lines as geodesic.great_circle's loop."""
    import numpy as np

    from c5map.geodesic import great_circle
    from c5map.layers.flow_lines import _split_great_circle, great_circles

    rng = np.random.default_rng(26)
    pacific = np.column_stack([rng.uniform(100, 180, 300), rng.uniform(-80, 80, 300),
                               rng.uniform(-180, -60, 300), rng.uniform(-80, 80, 300)])  # fmt: skip
    named = [(149.13, -35.28, -77.04, 38.90), (180.0, -18.1, 174.78, -41.29), (-179.9, 65.0, 179.9, 64.0)]
    ends = np.vstack([pacific, named])
    for spacing in (50.0, 150.0):
        lines = great_circles(ends, spacing)
        expected = [great_circle(*row, spacing_km=spacing) for row in ends]
        crossing = [i for i, line in enumerate(expected) if line.geom_type == "MultiLineString"]
        assert len(crossing) > 100
        assert [lines[i].wkb for i in crossing] == [expected[i].wkb for i in crossing]
        assert [_split_great_circle(*ends[i], spacing).wkb for i in crossing] == [expected[i].wkb for i in crossing]
