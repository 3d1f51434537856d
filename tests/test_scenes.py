"""One scene, two renderers: the web page and the print image draw the same legend, classes and notes.

For every dataset, each page's scene (``c5map.scenes``) is built once; the Leaflet page must show every
entry of every legend section, and the print image every entry of the sections it draws (swatches in its
legend, words under its panels or in its notes), or count what it leaves out.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import truth

from c5map import images
from c5map.boundaries import web_countries
from c5map.maps import influence_map
from c5map.maps.safety import escape_text
from c5map.scenes import SHAPES, LegendEntry
from c5map.scenes.influence import influence_scene
from c5map.story import screen_words, story_for
from c5map.validate import load_valid_tables

DATASETS = truth.DATASETS


@pytest.fixture(scope="module", params=list(DATASETS))
def influence(request):
    """(scene, web page HTML as a reader's text, print figure) of each dataset's influence page."""
    tables = load_valid_tables(DATASETS[request.param])
    story = story_for(tables)
    scene = influence_scene(tables, story, web_countries(list(story.members)))
    html = influence_map(tables, tiles="none", story=story).get_root().render()
    image = images.influence_image(tables, story)
    return scene, truth.page_text(html), image


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
    scene, _, image = influence
    fig = image.figure
    panels = image.maps
    assert len(panels) == min(len(scene.views), images.MAX_PANELS)
    words = _print_words(fig)
    legend = fig.legends[0] if fig.legends else None
    legend_labels = {t.get_text() for t in legend.get_texts()} if legend else set()
    for ax, section in zip(panels, scene.view_sections, strict=False):
        assert ax.get_title().replace("\n", " ") == section.title.replace("\n", " ")
        for entry in section.swatches:
            assert entry.label in legend_labels, entry.label  # the same words, from the same scene
        for entry in section.lines[: images.MAX_LISTED - 1]:
            assert " ".join(entry.label.split()) in " ".join(words.split()), entry.label
    for one in scene.views[images.MAX_PANELS :]:
        assert one.name in words  # a view with no panel is named


def test_no_screen_words_reach_the_image(influence):
    words = _print_words(influence[2].figure)
    assert not screen_words(words), screen_words(words)


def test_every_shape_has_a_web_and_a_print_swatch():
    from c5map.images.legend import _handle
    from c5map.maps.legend import _swatch

    for shape in SHAPES:
        entry = LegendEntry(f"a {shape}", fill="#123456", edge="#654321", shape=shape)
        assert _swatch(entry)
        assert (_handle(entry) is None) == (shape == "none")
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
    image = images.trade_image(tables, story)
    exports = trade_selection(tables, story.region).exports
    codes = set(web_countries(sorted(set(exports["destination"]) | set(story.members)))["iso3"])
    return trade_scene(tables, story, codes), truth.page_text(html), image


def test_the_trade_page_shows_every_entry_of_the_scene(trade):
    scene, page, _ = trade
    for section in scene.sections:
        assert escape_text(section.title) in page, section.title
        for entry in section.entries:
            shown = f"{entry.label} ({entry.hint})" if entry.hint else entry.label
            assert escape_text(shown) in page, shown


def test_the_trade_image_draws_the_scenes_legend_key_and_notes(trade):
    scene, _, image = trade
    fig = image.figure
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
    keys = sorted(m.value for m in image.marks_of("size-key"))
    assert keys == sorted(scene.size_key)  # the page's key, drawn at the image's scale
    web_keys = [e.label for s in scene.sections for e in s.entries if e.label.startswith("size key: ")]
    assert len(web_keys) == len(scene.size_key)


@pytest.fixture(scope="module", params=list(DATASETS))
def resources(request):
    """(scene, web page text, print figure) of each dataset's resources page."""
    from c5map import layers
    from c5map.boundaries import web_countries as shapes_of
    from c5map.maps import resources_map
    from c5map.scenes.resources import resources_scene

    tables = load_valid_tables(DATASETS[request.param])
    story = story_for(tables)
    html = resources_map(tables, tiles="none", story=story).get_root().render()
    image = images.resources_image(tables, story)
    codes = set(shapes_of(sorted(set(story.members) | set(tables.resources["country"])))["iso3"])
    scene = resources_scene(tables, story, codes, layers.capitals(tables))
    return scene, truth.page_text(html), image


def test_the_resources_page_shows_every_entry_of_the_scene(resources):
    scene, page, _ = resources
    for section in scene.sections:
        for entry in section.entries:
            shown = f"{entry.label} ({entry.hint})" if entry.hint else entry.label
            assert escape_text(shown) in page, shown


def test_the_resources_image_uses_the_scenes_words_and_key(resources):
    from c5map.scenes.resources import DEALS_LAYER, kind_entries

    scene, _, image = resources
    fig = image.figure
    labels = {t.get_text().replace("\n", " ") for legend in fig.legends for t in legend.get_texts()}
    words = {e.label for e in kind_entries(scene.scale).values()}
    assert labels <= {" ".join(w.split()) for w in words} | {""} or all(
        any(" ".join(label.split()) in " ".join(w.split()) for w in words) for label in labels
    ), labels - words  # every swatch of the image is one of the scene's kinds, in its words
    text = " ".join(_print_words(fig).split())
    deals = [e.label for s in scene.sections if s.layer == DEALS_LAYER for e in s.entries]
    for label in deals[: images.MAX_LISTED - 1]:
        assert " ".join(label.split()) in text, label
    assert image.scale == scene.scale  # one scale: the same pair and key values


@pytest.fixture(scope="module", params=list(DATASETS))
def timeline(request):
    """(scene, web page text, print figure) of each dataset's timeline page."""
    from c5map.boundaries import load_countries
    from c5map.maps import timeline_map
    from c5map.scenes.timeline import timeline_scene

    tables = load_valid_tables(DATASETS[request.param])
    story = story_for(tables)
    html = timeline_map(tables, tiles="none", story=story).get_root().render()
    image = images.timeline_image(tables, story)
    return (
        timeline_scene(tables, story, load_countries("10m")),
        truth.page_text(html),
        image,
    )


def test_the_timeline_page_and_image_list_the_scenes_items(timeline):
    scene, page, image = timeline
    if scene.section is not None:
        for entry in scene.section.entries:
            assert escape_text(entry.label) in page, entry.label
    listed = [" ".join(t.get_text().split()) for t in image.labels]  # as a reader reads it, wrapped lines joined
    assert len(listed) == min(len(scene.items), images.MAX_TIMELINE_ITEMS)
    texts = {" ".join(i["text"].split()) for i in scene.items}
    for line in listed:
        assert line in texts, line  # the web's words for the item (its date beside it)
    assert image.figure.frame_texts[0].get_text() == scene.text.title
