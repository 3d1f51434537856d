"""Every country label in print sits inside its own country or is led to it (issue 23, item 9).

"Uzbekistan $8bn" once sat inside Turkmenistan. A label naming a country (its first line is the country's
name) must lie at least 85% inside that country as drawn, or have a leader line from its box into it.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import truth

DATASETS = truth.DATASETS  # the bundled data and every synthetic region of the repository
INSIDE = 0.85  # share of a label's box inside its country, when it has no leader


def _led_to(ax, box, country) -> bool:
    """Whether a leader line of ``ax`` runs from the label's ``box`` (display) into ``country`` (display)."""
    near = box.buffer(3)
    for line in ax.lines:
        xy = ax.transData.transform(np.column_stack(line.get_data()))
        if len(xy) != 2:
            continue
        ends = [shapely.Point(p) for p in xy]
        for a, b in (ends, ends[::-1]):
            if near.intersects(a) and country.buffer(2).intersects(b):
                return True
    return False


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_country_label_is_inside_its_country_or_led_to_it(dataset):
    import matplotlib

    from c5map.boundaries import web_countries
    from c5map.images import IMAGES, STYLE
    from c5map.images.frame import _wrapped
    from c5map.maps.common import display_names
    from c5map.story import story_for
    from c5map.tables import load_tables

    folder = DATASETS[dataset]
    tables = load_tables(folder) if folder else load_tables()
    story = story_for(tables)
    iso3_of = {name: code for code, name in display_names(tables).items() if len(code) == 3}
    checked = 0
    with matplotlib.rc_context(STYLE):
        for name in ("influence", "trade", "resources"):
            image = IMAGES[name](tables, story)
            fig = image.figure
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            circles = [
                shapely.Polygon(m.artist.get_path().transformed(m.artist.get_transform()).to_polygons()[0])
                for m in image.marks_of("region-figure")
            ]
            for label in image.labels:
                ax = label.axes
                code = iso3_of.get(label.get_text().split("\n")[0])
                if ax is None or code is None:
                    continue
                extent = label.get_window_extent(renderer)
                box = shapely.box(*extent.extents)
                if any(box.distance(c) <= 12 or _led_to(ax, box, c) for c in circles):
                    continue  # a region circle's label: about the region, beside its circle
                shape = web_countries([code], max_zoom=4).geometry.iloc[0]
                country = shapely.make_valid(shapely.transform(_wrapped(ax, shape), ax.transData.transform))
                inside = shapely.area(shapely.intersection(box, country)) / shapely.area(box)
                assert inside >= INSIDE or _led_to(ax, box, country), (dataset, name, label.get_text(), inside)
                checked += 1
    assert checked >= 6, dataset
