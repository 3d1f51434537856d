"""Static images of every map for reports, print and slides: PNG at 300 dpi, and SVG.

Drawn with matplotlib from the same layers as the web pages, with a title,
legends that show only what is drawn, size keys for proportional circles and
a source line. Output is deterministic: no software or date stamps, fixed SVG
ids, and labels placed by a fixed rule.

Labels follow the web's rules. Every country name (with its figure, where the
image shows one) has a white halo and is placed by :class:`_Placer`: labels
are taken in priority order (largest figure, then largest area, first); each
tries positions inside its country around the country's pole of
inaccessibility, then spots around it joined by a leader line (small
countries), using the rendered text extents. A position is only taken if it
overlaps no other label, leader line, legend, title, subtitle or source text
and lies inside the panel; a label with no such position is not drawn and is
listed beside the map instead. Region-level figures are never drawn on a
member country: the trade image puts its circles in a row beside the region's
outline, with a leader line to it.

The package: ``frame`` (page, axes, shapes), ``legend`` (swatches, size keys), ``labels`` (placement),
and one module per image; :func:`render_images` draws them to PNG and SVG bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import geopandas as gpd
import matplotlib
import numpy as np
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from c5map.i18n import direction
from c5map.images.frame import DPI, MARGIN, STYLE, Image, MapAxes, Mark, PrintFigure
from c5map.images.influence import influence_image
from c5map.images.labels import MAX_LISTED, MAX_PANELS, MAX_SYMBOLS, MAX_TIMELINE_ITEMS
from c5map.images.resources import resources_image
from c5map.images.thumbnail import as_thumbnail, thumbnail_dpi
from c5map.images.timeline import timeline_image, timeline_items_to_list, timeline_thumbnail
from c5map.images.trade import trade_image
from c5map.maps.safety import isolate_bidi
from c5map.story import Story, story_for
from c5map.tables import Tables

__all__ = [
    "DPI", "IMAGES", "MAX_LISTED", "MAX_PANELS", "MAX_SYMBOLS", "MAX_TIMELINE_ITEMS", "STYLE", "Image", "MapAxes",
    "Mark", "PrintFigure", "influence_image", "render_images", "resources_image", "timeline_image",
    "timeline_items_to_list", "trade_image",
]  # fmt: skip

#: Each image by name: ``IMAGES[name](tables, story, countries=None)`` returns an :class:`Image`.
IMAGES: dict[str, Callable[..., Image]] = {
    "influence": influence_image,
    "trade": trade_image,
    "resources": resources_image,
    "timeline": timeline_image,
}


#: Inches of white kept around what an image draws when it is cropped to it.
CROP_PAD = 0.1


def _content_box(fig, dpi: float = DPI) -> tuple[int, int, int, int]:
    """Draw the figure and return the pixel box (left, top, right, bottom) of what it draws, padded by CROP_PAD.

    Found in the drawn pixels, not from artists' extents: what is cropped is exactly what is blank.
    """
    fig.set_dpi(dpi)
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    # the darkest of red, green and blue, channel against channel: numpy's min over a 4-wide last axis of a
    # 300 dpi page took 0.05-0.1 s an image
    inked = np.minimum(np.minimum(rgba[..., 0], rgba[..., 1]), rgba[..., 2]) < 250
    rows, cols = np.flatnonzero(inked.any(axis=1)), np.flatnonzero(inked.any(axis=0))
    height, width = inked.shape
    if not len(rows):
        return 0, 0, width, height
    pad = round(CROP_PAD * dpi)
    return (max(cols[0] - pad, 0), max(rows[0] - pad, 0), min(cols[-1] + 1 + pad, width),
            min(rows[-1] + 1 + pad, height))  # fmt: skip


def _png(fig, box: tuple[int, int, int, int]) -> bytes:
    """Encode the figure, cropped to ``box`` (pixels), as a 256-colour PNG.

    Flat map colours and anti-aliased edges fit in a palette with no visible
    change; the file is about a quarter of full RGBA and quicker to encode.
    FASTOCTREE is deterministic, so rebuilds stay byte-identical.
    """
    from PIL import Image  # matplotlib's own dependency

    rgb = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).convert("RGB").crop(box)
    buffer = io.BytesIO()
    dpi = round(fig.dpi)
    rgb.quantize(256, method=Image.Quantize.FASTOCTREE).save(buffer, format="png", dpi=(dpi, dpi))
    return buffer.getvalue()


def _svg_words(fig: PrintFigure) -> tuple[str, str]:
    """Return the page's title and a description (subtitle and source) as one-line strings for the SVG."""
    title, subtitle, source = (" ".join(part.get_text().split()) for part in fig.frame_texts)
    return title, f"{subtitle} {source}".strip()


def _with_desc(svg: bytes, description: str) -> bytes:
    """Put a ``<desc>`` after matplotlib's ``<title>``: the text screen readers and editors show for the image."""
    from xml.sax.saxutils import escape

    desc = f" <desc>{escape(description)}</desc>\n".encode()
    head, sep, rest = svg.partition(b"</title>\n")
    return head + sep + desc + rest if sep else svg


def render_images(
    tables: Tables,
    countries: gpd.GeoDataFrame | None = None,
    names: list[str] | None = None,
    *,
    story: Story | None = None,
    thumbnails: bool = False,
) -> dict[str, bytes]:
    """Render figures as ``png/<map>.png`` (300 dpi) and ``svg/<map>.svg``; byte-identical reruns.

    With ``thumbnails``, also ``png/<map>-small.png``: the atlas's preview, drawn for its size
    (:mod:`c5map.images.thumbnail`), not shrunk from the print.

    Parameters
    ----------
    tables : c5map.tables.Tables
    countries : geopandas.GeoDataFrame, optional
        Boundaries to draw instead of Natural Earth 1:10m.
    names : list of str, optional
        Which of :data:`IMAGES` to draw; default all.
    story : c5map.story.Story, optional
        The region and words (default :func:`c5map.story.story_for`).
    thumbnails : bool, default False
        Draw each image's thumbnail too.

    Returns
    -------
    dict
        Relative path -> file bytes.
    """
    out: dict[str, bytes] = {}
    story = story or story_for(tables)
    with matplotlib.rc_context(STYLE):
        for name in names or list(IMAGES):
            image = IMAGES[name](tables, story, countries=countries)
            fig = image.figure
            _isolate_bidi(fig)
            _text_from_the_right(fig)
            box = _content_box(fig)  # every image cropped to what it draws: no blank band at any edge
            out[f"png/{name}.png"] = _png(fig, box)
            buffer = io.BytesIO()
            title, description = _svg_words(fig)
            metadata = {"Title": title, "Date": None, "Creator": None}
            height = fig.get_figheight()
            crop = Bbox.from_extents(box[0] / DPI, height - box[3] / DPI, box[2] / DPI, height - box[1] / DPI)
            fig.savefig(buffer, format="svg", dpi=DPI, metadata=metadata, facecolor="white", bbox_inches=crop)
            out[f"svg/{name}.svg"] = _with_desc(buffer.getvalue(), description)
            if thumbnails:
                small = timeline_thumbnail(tables, story, countries) if name == "timeline" else as_thumbnail(image)
                _isolate_bidi(small)
                _text_from_the_right(small)
                out[f"png/{name}-small.png"] = _png(small, _content_box(small, thumbnail_dpi(small)))
    return out


def _text_from_the_right(fig) -> None:
    """In a right-to-left locale, set the page's running text (title, subtitle, notes, source) from the right margin.

    Only text that starts at the left margin and runs across the page is moved: to the right margin, aligned
    right, so a line starts where an Arabic reader's eye does. The map is geography and is never mirrored, and
    its keys keep the corner the layout chose, clear of what the map is about.
    """
    if direction() != "rtl":
        return
    margin = MARGIN / fig.get_figwidth()
    for text in fig.texts:
        x, y = text.get_position()
        if text.get_ha() == "left" and abs(x - margin) < 1e-6 and text.get_transform() == fig.transFigure:
            text.set_position((1 - x, y))
            text.set_ha("right")
            text.set_multialignment("right")


def _isolate_bidi(fig) -> None:
    """Isolate right-to-left names, so that the text around them keeps its place."""
    for text in fig.findobj(Text):
        text.set_text(isolate_bidi(text.get_text()))
