"""Region-level figures in print stand off other countries' land (issue 23, item 9).

A circle of the region's trade drawn over Russia or DR Congo reads as a figure located there. Each
region-figure mark of every image is checked against every country that is not a member, as the image draws
them: Natural Earth 1:110m land under the map and the finer shapes of the countries it fills.
"""

from __future__ import annotations

import pytest
import shapely
import truth

DATASETS = truth.DATASETS  # the bundled data and every synthetic region of the repository


def _display_polygon(patch):
    return shapely.Polygon(patch.get_path().transformed(patch.get_transform()).to_polygons()[0])


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_no_region_figure_stands_on_a_non_members_land(dataset):
    import matplotlib

    from c5map.boundaries import load_countries, web_countries
    from c5map.images import IMAGES, STYLE
    from c5map.images.frame import _wrapped
    from c5map.story import story_for
    from c5map.tables import load_tables

    folder = DATASETS[dataset]
    tables = load_tables(folder) if folder else load_tables()
    story = story_for(tables)
    members = set(story.members)
    land = load_countries("110m")
    codes = sorted(set(tables.trade["origin"]) | set(tables.trade["destination"]) | members)
    finer = web_countries([c for c in codes if len(c) == 3], max_zoom=4)
    others = [(iso3, g) for frame in (land, finer) for iso3, g in zip(frame["iso3"], frame.geometry, strict=True)
              if iso3 not in members]  # fmt: skip
    with matplotlib.rc_context(STYLE):
        for name, draw in IMAGES.items():
            image = draw(tables, story)
            fig = image.figure
            fig.canvas.draw()
            marks = image.marks_of("region-figure")
            for ax in image.maps:
                panel = shapely.box(*ax.get_window_extent(fig.canvas.get_renderer()).extents)
                on_map = [
                    shapely.clip_by_rect(
                        shapely.make_valid(shapely.transform(_wrapped(ax, g), ax.transData.transform)), *panel.bounds
                    )
                    for _, g in others
                ]
                for mark in marks:
                    circle = _display_polygon(mark.artist)
                    hit = [iso3 for (iso3, _), shape in zip(others, on_map, strict=True) if circle.intersects(shape)]
                    assert not hit, (dataset, name, mark.ident, hit)
