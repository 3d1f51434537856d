"""Print that fills its page (issue 23, item 9): no print image leaves more than a fifth of its canvas empty."""

from __future__ import annotations

import io

import numpy as np
import PIL.Image
import pytest
import truth

DATASETS = truth.DATASETS  # the bundled data and every synthetic region of the repository
#: Most of a canvas that may be empty.
MOST_EMPTY = 0.2
#: Side of the square blocks the canvas is measured in, as a share of its width.
BLOCK = 0.015


def empty_share(png: bytes) -> float:
    """Share of a PNG's canvas that is empty.

    The canvas is cut into square blocks 1.5% of its width on a side (45 px on a 10 in page at 300 dpi, 9 px
    on a 600 px thumbnail; the last part-block of each row and column is left out). A block is empty when every
    pixel in it is the page's white (every channel within 8 of 255): the margins, the
    gutters between panels, a column with nothing under its legend, the band under a short list and the
    right of a short line all count, and so do the nearly white panels keys sit on over a map and the inside of
    a size key's rings. A map's sea, land and graticule are drawn, so they are content, and so are the
    timeline's year bands; the spaces between words and lines of text are narrower than a block and do not
    count.
    """
    with PIL.Image.open(io.BytesIO(png)) as image:
        pixels = np.asarray(image.convert("RGB")).astype(int)
    height, width = pixels.shape[:2]
    side = max(4, round(width * BLOCK))
    background = pixels.min(axis=2) >= 247  # the page's white
    rows, cols = height // side, width // side
    blocks = background[: rows * side, : cols * side].reshape(rows, side, cols, side).all(axis=(1, 3))
    return float(blocks.mean())


def test_the_measure_counts_margins_and_gutters_not_the_map():
    """A page half white beside a filled map measures half empty; a filled page, none."""
    pixels = np.full((400, 600, 3), 255, np.uint8)
    pixels[:, :300] = (220, 230, 240)  # a map's sea
    for filled, expected in ((pixels, 0.5), (np.full_like(pixels, 200), 0.0)):
        buffer = io.BytesIO()
        PIL.Image.fromarray(filled).save(buffer, format="png")
        assert empty_share(buffer.getvalue()) == pytest.approx(expected, abs=0.03)


@pytest.fixture(scope="module", params=list(DATASETS))
def written(request):
    """Every PNG ``c5map build`` writes for one dataset (the images and their thumbnails), path -> bytes."""
    from c5map.build import draw_images
    from c5map.images import IMAGES
    from c5map.story import story_for
    from c5map.tables import load_tables

    folder = DATASETS[request.param]
    tables = load_tables(folder) if folder else load_tables()
    drawn = draw_images(tables, None, list(IMAGES), story_for(tables))
    return request.param, {path: data for path, data in drawn.items() if path.endswith(".png")}


def test_no_print_image_leaves_more_than_a_fifth_of_its_canvas_empty(written):
    dataset, pngs = written
    assert len(pngs) >= 8  # four images and a thumbnail of each
    over = {}
    for path, data in sorted(pngs.items()):
        share = empty_share(data)
        if share > MOST_EMPTY:
            over[path] = round(share, 3)
    assert not over, f"{dataset}: more than {MOST_EMPTY:.0%} empty: {over}"
