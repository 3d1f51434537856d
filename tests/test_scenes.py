"""One scene, two renderers: the web page and the print image draw the same legend, classes and notes.

For every dataset, each page's scene (``c5map.scenes``) is built once; the Leaflet page must show every
entry of every legend section, and the print image every entry of the sections it draws (swatches in its
legend, words under its panels or in its notes), or count what it leaves out.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from c5map import static
from c5map.boundaries import web_countries
from c5map.maps import influence_map
from c5map.maps.safety import escape_text
from c5map.scenes import SHAPES, LegendEntry
from c5map.scenes.influence import influence_scene
from c5map.story import screen_words, story_for
from c5map.validate import load_valid_tables

REPO = Path(__file__).resolve().parents[1]
DATASETS = {
    "bundled": None,
    "sahel-synthetic": REPO / "tests" / "data" / "sahel-synthetic",
    "pacific-synthetic": REPO / "tests" / "data" / "pacific-synthetic",
    "south-caucasus": REPO / "tests" / "data" / "south-caucasus",
    "gulf-east-africa": REPO / "examples" / "gulf-east-africa",
}


@pytest.fixture(scope="module", params=list(DATASETS))
def influence(request):
    """(scene, web page HTML as a reader's text, print figure) of each dataset's influence page."""
    tables = load_valid_tables(DATASETS[request.param])
    story = story_for(tables)
    scene = influence_scene(tables, story, web_countries(list(story.members)))
    html = influence_map(tables, tiles="none", story=story).get_root().render()
    fig = static.influence_figure(tables, story)
    yield scene, json.loads(json.dumps(html).replace("\\\\u", "\\u")), fig
    plt.close(fig)


def _print_words(fig) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(plt.Text)).replace("\n", " ")


def test_the_web_page_shows_every_entry_of_the_scene(influence):
    scene, page, _ = influence
    for section in scene.sections:
        assert escape_text(section.title) in page, section.title
        for entry in section.entries:
            shown = f"{entry.label} ({entry.hint})" if entry.hint else entry.label
            assert escape_text(shown) in page, shown


def test_the_image_draws_every_entry_of_the_views_it_shows(influence):
    scene, _, fig = influence
    panels = [ax for ax in fig.axes if hasattr(ax, "c5_panel")]
    assert len(panels) == min(len(scene.views), static.MAX_PANELS)
    words = _print_words(fig)
    legend = fig.legends[0] if fig.legends else None
    legend_labels = {t.get_text() for t in legend.get_texts()} if legend else set()
    for ax, section in zip(panels, scene.view_sections, strict=False):
        assert ax.get_title().replace("\n", " ") == section.title.replace("\n", " ")
        for entry in section.swatches:
            assert entry.label in legend_labels, entry.label  # the same words, from the same scene
        for entry in section.lines[: static.MAX_LISTED - 1]:
            assert " ".join(entry.label.split()) in " ".join(words.split()), entry.label
    for one in scene.views[static.MAX_PANELS :]:
        assert one.name in words  # a view with no panel is named


def test_no_screen_words_reach_the_image(influence):
    _, _, fig = influence
    assert not screen_words(_print_words(fig)), screen_words(_print_words(fig))


def test_every_shape_has_a_web_and_a_print_swatch():
    from c5map.maps.legend import _swatch

    for shape in SHAPES:
        entry = LegendEntry(f"a {shape}", fill="#123456", edge="#654321", shape=shape)
        assert _swatch(entry)
        assert (static._handle(entry) is None) == (shape == "none")
    with pytest.raises(ValueError, match="unknown legend shape"):
        LegendEntry("x", shape="star")


@pytest.fixture(scope="module", params=list(DATASETS))
def trade(request):
    """(scene, web page text, print figure) of each dataset's trade page."""
    from c5map.maps import trade_map
    from c5map.scenes.trade import trade_scene, trade_selection

    tables = load_valid_tables(DATASETS[request.param])
    story = story_for(tables)
    html = trade_map(tables, tiles="none", story=story).get_root().render()
    fig = static.trade_figure(tables, story)
    exports = trade_selection(tables, story.region).exports
    codes = set(web_countries(sorted(set(exports["destination"]) | set(story.members)))["iso3"])
    yield trade_scene(tables, story, codes), json.loads(json.dumps(html).replace("\\\\u", "\\u")), fig
    plt.close(fig)


def test_the_trade_page_shows_every_entry_of_the_scene(trade):
    scene, page, _ = trade
    for section in scene.sections:
        assert escape_text(section.title) in page, section.title
        for entry in section.entries:
            shown = f"{entry.label} ({entry.hint})" if entry.hint else entry.label
            assert escape_text(shown) in page, shown


def test_the_trade_image_draws_the_scenes_legend_key_and_notes(trade):
    scene, _, fig = trade
    labels = {t.get_text().replace("\n", " ") for legend in fig.legends for t in legend.get_texts()}
    words = " ".join(_print_words(fig).split())
    for section in scene.combined:
        for entry in section.swatches:
            assert entry.label in labels, entry.label
    for section in scene.sections:
        if section.layer and section.layer.startswith("Trade with "):
            for entry in section.swatches:
                if entry.label.startswith("size key: "):
                    continue
                assert entry.label in labels, entry.label
        for entry in section.lines:
            assert " ".join(entry.label.split()) in words, entry.label
    keys = sorted(a.c5_key_value for a in fig.findobj(lambda a: hasattr(a, "c5_key_value")))
    assert keys == sorted(scene.size_key)  # the page's key, drawn at the image's scale
    web_keys = [e.label for s in scene.sections for e in s.entries if e.label.startswith("size key: ")]
    assert len(web_keys) == len(scene.size_key)
