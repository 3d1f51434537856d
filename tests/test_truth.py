"""Every figure visible and true, on anyone's data (issue 21).

Each rule is asserted on what the page and the image are drawn from (the shared decisions of
``maps/influence.py`` and ``maps/trade.py``), on the built pages' own data, and on the images' text and
artists, for the bundled data and every synthetic dataset: ``tests/data/sahel-synthetic`` (every basis and
qualifier, a member as partner, a domestic programme, ten exporters, screen words in its story) and
``tests/data/pacific-synthetic`` (a region across ±180°). ``test_truth_properties.py`` asserts the same
rules on generated datasets.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import truth
from builds import shared_build

from c5map import images, layers
from c5map.boundaries import web_countries
from c5map.maps.common import display_names
from c5map.maps.influence import influence_views, view_layer_name
from c5map.maps.style import class_labels, class_of
from c5map.maps.timeline import timeline_items
from c5map.maps.trade import trade_selection
from c5map.story import screen_words, story_for
from c5map.validate import load_valid_tables

DATASETS = truth.DATASETS


@pytest.fixture(scope="module", params=list(DATASETS))
def data(request):
    """(name, tables, story, member shapes) of each dataset."""
    tables = load_valid_tables(DATASETS[request.param])
    story = story_for(tables)
    return request.param, tables, story, web_countries(list(story.members))


@pytest.mark.parametrize("qualifier", ["exact", "about", "nearly", "over", "under"])
@pytest.mark.parametrize("value", [5e8, 1e9, 1.5e9, 5e9, 2e10])
def test_a_bound_is_classed_on_its_side(value, qualifier):
    breaks = [1e9, 5e9]
    truth.check_class(value, qualifier, class_of(value, breaks, qualifier), breaks)


def test_less_than_a_break_is_below_it_on_the_sahel_influence_data():
    tables = load_valid_tables(DATASETS["sahel-synthetic"])
    story = story_for(tables)
    views, _, breaks = influence_views(tables, story, web_countries(list(story.members)))
    china = next(v for v in views if v.code == "CHN").figures.set_index("iso3")
    assert china.loc["TCD", "value_qualifier"] == "under" and china.loc["TCD", "value_usd"] == 1e9
    assert 1e9 in breaks
    label = class_labels(breaks, str)[int(china.loc["TCD", "value_class"])]
    assert not label.endswith("or more") and not label.startswith("1000000000.0 to"), label


def test_the_uae_figures_on_other_bases_are_coloured():
    tables = load_valid_tables(DATASETS["sahel-synthetic"])
    story = story_for(tables)
    figures = layers.partner_country_figures(tables, web_countries(list(story.members)), "ARE").set_index("iso3")
    assert figures.loc["MRT", "has_figure"] and figures.loc["MRT", "value_text"] == "more than $2bn"
    assert figures.loc["TCD", "has_figure"] and figures.loc["TCD", "value_basis"] == "financing"
    assert not figures.loc["SEN", "has_figure"] and figures.loc["SEN", "has_deal"]  # undisclosed: outlined


@pytest.mark.parametrize("check", truth.CHECKS, ids=lambda c: c.__name__)
def test_rule(data, check):
    _, tables, story, shapes = data
    check(tables, story, shapes)


def test_trade_rows_are_drawn_or_named(data):
    _, tables, story, _ = data
    truth.check_trade_rows_drawn_or_named(tables, story)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Full builds with images of the two synthetic datasets: {name: (tables, OUT)}."""
    out = {}
    for name in ("sahel-synthetic", "pacific-synthetic", "bundled"):
        out[name] = (load_valid_tables(DATASETS[name]), shared_build(tmp_path_factory, DATASETS[name], tiles="none"))
    return out


def _page_text(html: str) -> str:
    return truth.page_text(html)


@pytest.mark.parametrize("name", ["sahel-synthetic", "pacific-synthetic", "bundled"])
def test_every_row_is_in_a_pages_data(built, name):
    tables, out = built[name]
    figures = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in (out / "maps" / "data").glob(
        "*.csv")])  # fmt: skip
    listed = set(zip(figures["table"], figures["id"], strict=True))
    story = story_for(tables)
    inside = [*story.members, story.region]
    for table, key in (("trade", "flow_id"), ("resources", "resource_id"), ("events", "event_id")):
        missing = {i for i in tables[table][key] if (table, i) not in listed}
        assert not missing, (table, missing)
    deals = tables.deals[tables.deals["country"].isin(inside)]
    assert not {i for i in deals["deal_id"] if ("deals", i) not in listed}


def test_the_ninth_exporter_is_named_on_the_sahel_trade_page(built):
    tables, out = built["sahel-synthetic"]
    page = _page_text((out / "maps" / "trade.html").read_text(encoding="utf-8"))
    selection = trade_selection(tables, "SAHEL")
    names = display_names(tables)
    assert len(set(selection.undrawn_exports["origin"]) - {o for o, _ in selection.exporters}) >= 1
    for origin in selection.undrawn_exporters():
        assert names[origin] in page.split("Not drawn", 1)[1], origin


def test_the_bundled_story_names_no_member_as_partner_and_russia_has_a_view(built):
    tables, out = built["bundled"]
    page = _page_text((out / "maps" / "influence.html").read_text(encoding="utf-8"))
    subtitle = re.search(r"Announced deals with ([^.]*)\.", page).group(1)
    assert "Kazakhstan" not in subtitle
    assert "Russia: trade (no deal)" in page and "Trade, not a deal: Total trade of Russia" in page
    story = story_for(tables)
    views, _, _ = influence_views(tables, story, web_countries(list(story.members)))
    assert [view_layer_name(v) for v in views] == [
        "United States: deals",
        "China: deals",
        "Russia: trade (no deal)",
        "Within Central Asia (C5)",
    ]


def _image(name: str, dataset: str) -> images.Image:
    tables = load_valid_tables(DATASETS[dataset])
    return images.IMAGES[name](tables, story_for(tables))


def _words(fig) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(plt.Text))


def test_screen_words_never_reach_an_image():
    tables = load_valid_tables(DATASETS["sahel-synthetic"])
    assert screen_words(story_for(tables).maps["influence"]["subtitle"])  # the story speaks to a screen
    for name in images.IMAGES:
        fig = _image(name, "sahel-synthetic").figure
        assert not screen_words(fig.frame_texts[1].get_text()), name
        assert "Switch partners" not in _words(fig)


def test_the_print_timeline_lists_every_item_or_counts_it():
    tables = load_valid_tables(DATASETS["sahel-synthetic"])
    story = story_for(tables)
    items = timeline_items(tables, web_countries(list(story.members)))
    image = images.timeline_image(tables, story)
    listed = image.labels
    words = _words(image.figure)
    counted = sum(int(n.replace(",", "")) for n in re.findall(r"([\d,]+) (?:events|smaller deals|resource finds)",
                                                              words))  # fmt: skip
    assert len(listed) + counted == len(items)
    assert any("reported:" in t.get_text() for t in listed)  # resource finds are listed too


def test_a_country_placed_event_names_its_country():
    tables = load_valid_tables(DATASETS["sahel-synthetic"])
    story = story_for(tables)
    names = display_names(tables)
    items = {i["id"]: i for i in timeline_items(tables, web_countries(list(story.members)))}
    events = tables.events[tables.events["location_precision"] == "country"]
    assert len(events)
    for _, event in events.iterrows():
        assert f"{names[event['country']]}, no city given" in items[event["event_id"]]["text"]


def _longest_step(xy) -> float:
    """The longest east-west step between consecutive vertices, away from the poles (Antarctica's edge)."""
    import numpy as np

    xy = np.asarray(xy, dtype=float)
    if len(xy) < 2:
        return 0.0
    polar = (np.abs(xy[:-1, 1]) > 85) & (np.abs(xy[1:, 1]) > 85)
    steps = np.abs(np.diff(xy[:, 0]))[~polar]
    return float(steps.max()) if len(steps) else 0.0


@pytest.mark.parametrize("name", ["influence", "trade", "resources"])
def test_print_is_continuous_across_the_antimeridian(name):
    """No edge of a Pacific image's shapes or lines jumps across the panel: whole parts move across ±180°."""
    maps = _image(name, "pacific-synthetic").maps
    assert maps
    for ax in maps:
        for collection in ax.collections:
            for path in collection.get_paths():
                for ring in path.to_polygons(closed_only=False):
                    assert _longest_step(ring) < 90, (name, _longest_step(ring))
        for line in ax.lines:
            assert _longest_step(line.get_xydata()) < 90, name


def test_validate_warns_where_a_story_subtitle_speaks_of_a_screen(capsys):
    from c5map.cli import main

    assert main(["validate", "--data", str(DATASETS["sahel-synthetic"])]) == 0
    err = capsys.readouterr().err
    assert re.search(r"story\.toml:\d+: maps\.influence\.subtitle: speaks of a screen \('Switch', 'click'\)", err), err


def test_the_api_keeps_every_member_whatever_the_boundaries():
    """Kiribati and Tonga are not in Natural Earth 1:110m: their figures are rows all the same."""
    from c5map.boundaries import load_countries

    tables = load_valid_tables(DATASETS["pacific-synthetic"])
    figures = layers.partner_country_figures(tables, load_countries("110m"), "CHN").set_index("iso3")
    assert sorted(figures.index) == sorted(story_for(tables).members)
    assert figures.loc["KIR", "value_text"] == "about $120m" and figures.loc["KIR", "has_figure"]


def test_the_palette_gives_every_partner_of_the_sahel_its_own_colour():
    from c5map.maps.common import partner_palette_of

    tables = load_valid_tables(DATASETS["sahel-synthetic"])
    palette = partner_palette_of(tables)
    assert len(set(palette.values())) == len(palette) >= 10  # France and Turkey no longer share one
    assert not set(palette) & set(story_for(tables).members)


def test_the_largest_trade_figure_says_what_it_measures(built):
    _, out = built["bundled"]
    atlas = _page_text((out / "maps" / "index.html").read_text(encoding="utf-8"))
    assert "Russia → China, &#36;129bn (exports)" in atlas, re.findall(r"Largest figure[^<]*", atlas)


def test_the_resources_image_says_domestic_programme():
    words = _words(_image("resources", "bundled").figure)
    assert "Kazakhstan: domestic programme: $1bn" in words and "Kazakhstan → Kazakhstan" not in words


def test_a_region_that_takes_the_is_named_with_it_in_every_sentence():
    """Issue 23: "courting the South Caucasus", never "courting South Caucasus" (story.toml: region_in_text)."""
    from c5map.scenes.influence import influence_scene
    from c5map.scenes.trade import trade_scene

    tables = load_valid_tables(DATASETS["south-caucasus"])
    story = story_for(tables)
    assert (story.region_words, story.region_heading) == ("the South Caucasus", "The South Caucasus")
    scene = influence_scene(tables, story, web_countries(list(story.members)))
    words = [scene.text.title, scene.text.subtitle, *(s.title for s in scene.sections)]
    trade = trade_scene(tables, story, set(web_countries(list(story.members))["iso3"]))
    words += [trade.text.title, trade.text.subtitle, *(s.title for s in trade.sections)]
    text = " | ".join(words)
    assert "the South Caucasus" in text and "The South Caucasus as a whole" in text, text
    assert not re.search(r"(?<![Tt]he )South Caucasus", text), text  # no bare name mid-sentence


def test_a_regions_own_name_is_used_as_given_in_headings():
    """Hypothesis found 'c: a timeline' written 'C: a timeline': only the story file's article takes a capital."""
    from c5map.story import Story

    assert Story("R", "c", (), ()).region_heading == "c"
    assert Story("R", "iWest", (), ()).region_words == "iWest"
    assert Story("R", "South Caucasus", (), (), region_in_text="the South Caucasus").region_heading == (
        "The South Caucasus"
    )
