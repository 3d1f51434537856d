"""Thumbnails drawn for their size (issue 23, item 9): the atlas's previews are readable, not shrunk prints."""

from __future__ import annotations

import io

import PIL.Image
import pytest
import truth

from tests.test_print_fill import MOST_EMPTY, empty_share

DATASETS = truth.DATASETS  # the bundled data and every synthetic region of the repository


@pytest.fixture(scope="module", params=list(DATASETS))
def thumbnails(request):
    """Each image of one dataset drawn full size and as its thumbnail: name -> (thumbnail figure, print figure)."""
    import matplotlib

    from c5map.images import IMAGES, STYLE
    from c5map.images.thumbnail import as_thumbnail, thumbnail_dpi
    from c5map.images.timeline import timeline_thumbnail
    from c5map.story import story_for
    from c5map.tables import load_tables

    folder = DATASETS[request.param]
    tables = load_tables(folder) if folder else load_tables()
    story = story_for(tables)
    drawn = {}
    with matplotlib.rc_context(STYLE):
        for name, draw in IMAGES.items():
            printed = draw(tables, story).figure
            shrunk_dpi = 600 / printed.get_figwidth()  # the print, shrunk to a thumbnail's width
            small = timeline_thumbnail(tables, story) if name == "timeline" else as_thumbnail(draw(tables, story))
            small.set_dpi(thumbnail_dpi(small))
            drawn[name] = small, printed, shrunk_dpi
    return request.param, drawn


def test_no_thumbnail_text_is_under_ten_pixels(thumbnails):
    """Font size in pixels at the thumbnail's own resolution (600 px wide), read from every text artist."""
    from c5map.images.thumbnail import SMALLEST_TEXT_PX, THUMBNAIL_WIDTH, smallest_text_px

    dataset, drawn = thumbnails
    for name, (small, printed, shrunk_dpi) in drawn.items():
        assert round(small.get_figwidth() * small.dpi) == THUMBNAIL_WIDTH, (dataset, name)
        assert smallest_text_px(small) >= SMALLEST_TEXT_PX, (dataset, name, smallest_text_px(small))
        title = small.frame_texts[0]
        assert title.get_text() and title.get_visible(), (dataset, name)  # the headline is kept, readable
        printed.set_dpi(shrunk_dpi)  # the old thumbnail: the print shrunk, its labels a few pixels high
        assert smallest_text_px(printed) < SMALLEST_TEXT_PX


def test_thumbnails_are_written_small_and_fill_their_canvas(thumbnails):
    from c5map.images import render_images
    from c5map.story import story_for
    from c5map.tables import load_tables

    dataset, _ = thumbnails
    folder = DATASETS[dataset]
    tables = load_tables(folder) if folder else load_tables()
    files = render_images(tables, story=story_for(tables), thumbnails=True)
    for name in ("influence", "trade", "resources", "timeline"):
        data = files[f"png/{name}-small.png"]
        with PIL.Image.open(io.BytesIO(data)) as image:
            assert 300 <= image.width <= 600, (dataset, name, image.size)
        share = empty_share(data)
        assert share <= MOST_EMPTY, (dataset, name, share)


def test_thumbnails_are_byte_identical_twice():
    from c5map.images import render_images
    from c5map.tables import load_tables

    tables = load_tables(DATASETS["sahel-synthetic"])
    first = render_images(tables, names=["influence", "timeline"], thumbnails=True)
    assert first == render_images(tables, names=["influence", "timeline"], thumbnails=True)
    assert {"png/influence-small.png", "png/timeline-small.png"} <= set(first)
