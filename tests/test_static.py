"""Static images for reports: produced for every map, not blank, print resolution, reproducible."""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import numpy as np
import PIL.Image
import pytest

from c5map.images import DPI, IMAGES

NAMES = list(IMAGES)


@pytest.fixture(scope="module")
def maps(fresh_build) -> Path:
    return fresh_build / "maps"


@pytest.mark.parametrize("name", NAMES)
def test_png_is_print_resolution_and_not_blank(maps, name):
    data = (maps / "png" / f"{name}.png").read_bytes()
    pixels = matplotlib.image.imread(io.BytesIO(data))
    height, width = pixels.shape[:2]
    assert width >= 1500 and height >= 600  # cropped to what it draws, at least 5 in by 2 in at 300 dpi
    rgb = pixels[..., :3]
    inked = (rgb.min(axis=2) < 0.9).mean()  # share of pixels that are not (near) white
    assert inked > 0.015, f"{name}.png is nearly blank ({inked:.1%} inked)"  # a title alone inks ~0.5%
    colours = len(np.unique((rgb * 255).astype(np.uint8).reshape(-1, 3), axis=0))
    assert colours > 20  # a map or chart (anti-aliased text and symbols), not a flat fill of a few colours
    assert b"Software" not in data[:4096]  # no tool stamp: rebuilds are byte-identical
    with PIL.Image.open(io.BytesIO(data)) as image:
        assert [round(d) for d in image.info["dpi"]] == [DPI, DPI]  # prints at its size, not at 72 dpi


SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("name", NAMES)
def test_svg_keeps_text_as_text_with_title_and_desc(maps, name):
    """A graphics desk edits the SVG: titles, labels and the source are <text>, and it says what it shows."""
    root = ET.fromstring((maps / "svg" / f"{name}.svg").read_bytes())
    assert root.tag == f"{SVG}svg"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and "Source" in desc.text
    texts = [" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}text")]
    words = " ".join(texts)
    assert title.text.split()[0] in words  # the page's own title is drawn as text
    assert "Made with Natural Earth" in words
    shapes = len(root.findall(f".//{SVG}path"))
    assert shapes > (5 if name == "timeline" else 50)  # the map (or chart) itself is still vector shapes
    assert DPI == 300


# --- labels, region figures, legends and size keys, on the bundled data and two synthetic regions -----------------

REPO = Path(__file__).resolve().parents[1]
DATASETS = {
    "bundled": None,
    "gulf-east-africa": REPO / "examples" / "gulf-east-africa",
    "south-caucasus": REPO / "tests" / "data" / "south-caucasus",
}
MAPS = ["influence", "trade", "resources"]


@pytest.fixture(scope="module", params=list(DATASETS))
def figures(request):
    """Every image of one dataset, drawn as render_images draws it."""
    import matplotlib.pyplot as plt

    from c5map import images
    from c5map.story import story_for
    from c5map.tables import load_tables

    folder = DATASETS[request.param]
    tables = load_tables(folder) if folder else load_tables()
    story = story_for(tables)
    drawn = {}
    with plt.rc_context(images.STYLE):
        for name, function in IMAGES.items():
            image = function(tables, story)
            image.figure.canvas.draw()  # extents as drawn
            drawn[name] = image
    return request.param, tables, story, drawn


def _box(artist, renderer, grow: float = 0.0):
    box = artist.get_window_extent(renderer)
    return box.x0 - grow, box.y0 - grow, box.x1 + grow, box.y1 + grow


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _frame_texts(image):
    """Everything labels must keep off: page texts (title, subtitle, source, lists, keys), legends, panel texts."""
    fig, labels = image.figure, {id(t) for t in image.labels}
    found = [t for t in fig.texts if t.get_text() and id(t) not in labels] + list(fig.legends)
    for ax in fig.axes:
        found += [ax.title] if ax.title.get_text() else []
        found += [t for t in ax.texts if t.get_text() and id(t) not in labels]
    return found


@pytest.mark.parametrize("name", NAMES)
def test_labels_have_halos_and_never_overlap(figures, name):
    from matplotlib import patheffects

    from c5map.images.frame import HALO_PT

    dataset, _, _, drawn = figures
    fig = drawn[name].figure
    renderer = fig.canvas.get_renderer()
    labels = drawn[name].labels
    if name in MAPS:
        assert len(labels) >= 3, f"{dataset} {name}: country names are labelled"
        for label in labels:
            assert any(isinstance(e, patheffects.withStroke) for e in label.get_path_effects()), label.get_text()
    halo = HALO_PT / 2 * fig.dpi / 72  # the halos may touch, never the texts' halos overlap
    boxes = [_box(t, renderer, halo) for t in labels]
    for i, a in enumerate(boxes):
        for j in range(i):
            assert not _overlap(a, boxes[j]), (dataset, name, labels[i].get_text(), labels[j].get_text())
    for other in _frame_texts(drawn[name]):
        b = _box(other, renderer)
        for label, a in zip(labels, boxes, strict=True):
            assert not _overlap(a, b), (dataset, name, label.get_text(), getattr(other, "get_text", str)())
    for label in labels:
        panel = (label.axes or fig).get_window_extent(renderer)  # its map, or the page (the timeline's list)
        x0, y0, x1, y1 = _box(label, renderer)
        assert panel.x0 <= x0 and x1 <= panel.x1 and panel.y0 <= y0 and y1 <= panel.y1, (dataset, label.get_text())


def _display_polygon(patch):
    import shapely

    return shapely.Polygon(patch.get_path().transformed(patch.get_transform()).to_polygons()[0])


def test_region_figures_sit_beside_the_region_never_on_a_member(figures):
    import shapely

    from c5map.boundaries import web_countries
    from c5map.images.frame import _wrapped

    dataset, tables, story, drawn = figures
    fig = drawn["trade"].figure
    (ax,) = drawn["trade"].maps
    circles = [m.artist for m in drawn["trade"].marks_of("region-figure")]
    totals = tables.trade[(tables.trade["origin"] == story.region) | (tables.trade["destination"] == story.region)]
    assert len(circles) == len(totals) > 0
    members = web_countries(list(story.members), max_zoom=4)
    for iso3, geometry in zip(members["iso3"], members.geometry, strict=True):
        on_screen = shapely.transform(_wrapped(ax, geometry), ax.transData.transform)
        for circle in circles:
            assert not _display_polygon(circle).intersects(on_screen), (dataset, iso3, circle.get_label())
    panel = shapely.box(*ax.get_window_extent(fig.canvas.get_renderer()).extents)
    for circle in circles:  # on the map, or beside it (other countries' land all round): never cut by its edge
        shape = _display_polygon(circle)
        assert panel.contains(shape) or not panel.intersects(shape), (dataset, circle)


def _is_dashed(artist) -> bool:
    from matplotlib.collections import Collection

    if isinstance(artist, Collection):
        return any(dashes is not None for _, dashes in artist.get_linestyle())
    return artist.get_linestyle() not in ("-", "solid")


def _same_colour(a, b) -> bool:
    return np.allclose(np.asarray(a, float).reshape(-1, 4), np.asarray(b, float).reshape(-1, 4), atol=0.01)


def _rgba(colour, alpha=None):
    import matplotlib.colors as mcolors

    return np.asarray(mcolors.to_rgba(colour, alpha))


def _drawn_like(swatch, axes) -> bool:
    """Whether a legend swatch is drawn on one of the maps in the same style (face, edge, hatch, dash)."""
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Ellipse

    for ax in axes:
        if isinstance(swatch, Circle) and ax is axes[0]:  # a symbol drawn beside the map, on the page
            for patch in ax.figure.artists:
                if (
                    isinstance(patch, Circle)
                    and _same_colour(patch.get_facecolor(), swatch.get_facecolor())
                    and _same_colour(patch.get_edgecolor(), swatch.get_edgecolor())
                ):
                    return True
        if isinstance(swatch, Line2D):
            colour = _rgba(swatch.get_color(), swatch.get_alpha())
            for line in ax.lines:
                if _same_colour(_rgba(line.get_color(), line.get_alpha()), colour) and \
                        _is_dashed(line) == _is_dashed(swatch):  # fmt: skip
                    return True
            for collection in ax.collections:  # a dashed outline
                edges = collection.get_edgecolors()
                if _is_dashed(swatch) and _is_dashed(collection) and any(_same_colour(e, colour) for e in edges):
                    return True
        elif isinstance(swatch, Circle):
            for patch in ax.patches:
                if (
                    isinstance(patch, Ellipse)
                    and _same_colour(patch.get_facecolor(), swatch.get_facecolor())
                    and _same_colour(patch.get_edgecolor(), swatch.get_edgecolor())
                    and _is_dashed(patch) == _is_dashed(swatch)
                ):
                    return True
        else:
            for collection in ax.collections:
                if not isinstance(collection, PathCollection):
                    continue
                if (
                    (collection.get_hatch() or "") == (swatch.get_hatch() or "")
                    and any(_same_colour(f, swatch.get_facecolor()) for f in collection.get_facecolors())
                    and any(_same_colour(e, swatch.get_edgecolor()) for e in collection.get_edgecolors())
                    and _is_dashed(collection) == _is_dashed(swatch)
                ):
                    return True
    return False


def _swatches(legend):
    """The swatches a legend draws (its frame left out)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return [
        a for a in legend.findobj(lambda a: isinstance(a, Patch | Line2D))
        if a is not legend.legendPatch and a.get_visible() and a is not legend
    ]  # fmt: skip


@pytest.mark.parametrize("name", MAPS)
def test_every_legend_swatch_is_drawn_on_the_map_in_the_same_style(figures, name):
    dataset, _, _, drawn = figures
    fig = drawn[name].figure
    maps = drawn[name].maps
    from c5map.images.legend import ABSENT_ALPHA

    # a class of the scale that no panel draws is faint by design (the whole scale is shown): not looked for
    swatches = [s for legend in fig.legends for s in _swatches(legend) if s.get_alpha() != ABSENT_ALPHA]
    assert swatches, f"{dataset} {name} has a legend"
    for swatch in swatches:
        assert _drawn_like(swatch, maps), (dataset, name, swatch, swatch.get_label())


def _is_round(value: float, ladder: tuple[int, ...] = (1, 2, 5)) -> bool:
    exponent = math.floor(math.log10(value))
    return any(math.isclose(value, m * 10.0**exponent) for m in ladder)


@pytest.mark.parametrize("name", ["trade", "resources"])
def test_size_key_shows_round_values_on_the_map_scale(figures, name):
    dataset, _, _, drawn = figures
    image = drawn[name]
    renderer = image.figure.canvas.get_renderer()
    keys = image.marks_of("size-key")
    assert 2 <= len(keys) <= 3, dataset
    ladder = (1, 2, 4, 5) if name == "resources" else (1, 2, 5)  # resources: the web's key (style.size_key_values)
    assert all(_is_round(k.value, ladder) for k in keys)
    circles = [m for m in image.marks if m.kind in ("resource", "region-figure") and m.value > 0]
    assert circles
    biggest = max(circles, key=lambda c: c.value)

    def radius(mark) -> float:  # display pixels
        return mark.artist.get_window_extent(renderer).height / 2

    scale = radius(biggest) / math.sqrt(biggest.value)  # area by value: radius by its square root
    for key in keys:
        assert radius(key) / math.sqrt(key.value) == pytest.approx(scale, rel=0.02), (dataset, key.value)
    for circle in circles:
        assert radius(circle) / math.sqrt(circle.value) == pytest.approx(scale, rel=0.02), (dataset, circle.value)


def test_images_of_another_region_are_byte_identical_twice():
    from c5map.images import render_images
    from c5map.tables import load_tables

    tables = load_tables(DATASETS["gulf-east-africa"])
    assert render_images(tables, names=["trade"]) == render_images(tables, names=["trade"])


def test_importing_c5map_leaves_the_users_matplotlib_as_it_was():
    """No backend switch, no pyplot, no warnings filter and no branca id patch on import (issue 22)."""
    import subprocess
    import sys

    code = (
        "import matplotlib, sys, warnings, branca.element as be; matplotlib.use('pdf'); "
        "import folium, requests, geopandas, pyogrio, duckdb; "  # their own filters (urllib3's) are theirs
        "before = (list(warnings.filters), be.Element.__dict__['_generate_id']); "
        "import c5map, c5map.static, c5map.build, c5map.maps; "
        "assert (list(warnings.filters), be.Element.__dict__['_generate_id']) == before; "
        "assert matplotlib.get_backend() == 'pdf', matplotlib.get_backend(); "
        "assert 'matplotlib.pyplot' not in sys.modules; "
        "from c5map.tables import load_tables; from c5map.story import story_for; t = load_tables(); "
        "c5map.static.render_images(t, names=['timeline'], story=story_for(t)); "
        "assert matplotlib.get_backend() == 'pdf' and 'matplotlib.pyplot' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_images_return_what_they_drew_and_bolt_nothing_onto_matplotlib(figures):
    """Issue 22: results are an :class:`~c5map.images.Image`, not attributes added to matplotlib's objects."""
    from matplotlib.artist import Artist

    dataset, _, _, drawn = figures
    for name, image in drawn.items():
        fig = image.figure
        artists = [fig, *fig.findobj(Artist)]
        for artist in artists:
            added = [k for k in vars(artist) if k.startswith("c5")]
            assert not added, (dataset, name, type(artist).__name__, added)
        assert all(m.artist in artists for m in image.marks), (dataset, name)  # every mark is drawn
        assert {m.kind for m in image.marks} <= {"label", "resource", "region-figure", "size-key"}
