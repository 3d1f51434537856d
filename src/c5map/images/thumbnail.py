"""Thumbnails drawn for their size: the atlas's preview of each image, not a shrunk copy of the print.

A print image shrunk to 600 px wide has 4 px text. A thumbnail keeps what reads at that size: the headline
and the map (fills, symbols, flows), on a page as wide as the map, drawn at the resolution that makes it
:data:`THUMBNAIL_WIDTH` pixels wide. Text that would be smaller than :data:`SMALLEST_TEXT_PX` there (labels,
legends, notes, the source line) is left to the full image the thumbnail links to; the headline is set at a
size that reads. The timeline's thumbnail (:func:`c5map.images.timeline.timeline_thumbnail`) is its latest
items in type that reads.
"""

from __future__ import annotations

from matplotlib.text import Text

from c5map.images.frame import LEADER, MARGIN, Image, MapAxes, PrintFigure

THUMBNAIL_WIDTH = 600  # pixels: the atlas's card
SMALLEST_TEXT_PX = 10.0  # no text in a thumbnail is set smaller than this (font size in pixels)
HEADLINE_PX = 15.0  # the headline's font size in a thumbnail, in pixels


def thumbnail_dpi(fig: PrintFigure) -> float:
    """Resolution at which ``fig`` is :data:`THUMBNAIL_WIDTH` pixels wide."""
    return THUMBNAIL_WIDTH / fig.get_figwidth()


def as_thumbnail(image: Image) -> PrintFigure:
    """Turn a drawn image's figure into its thumbnail, in place, and return it (draw the full image first).

    Maps keep their fills, symbols and flows and lose their labels, keys and notes; the page becomes the
    headline over the maps; the headline is set at :data:`HEADLINE_PX` at the thumbnail's resolution.
    """
    fig = image.figure
    labels = {id(m.artist) for m in image.marks if m.kind == "label"}
    for ax in image.maps:
        for text in [t for t in ax.texts if id(t) in labels or t is ax.note]:
            text.remove()
        for line in [ln for ln in ax.lines if ln.get_zorder() == LEADER["zorder"]]:  # leaders and their dots
            line.remove()
        ax.set_title("")
    for artist in [*fig.legends, *fig.artists, *(t for t in fig.texts if t not in fig.frame_texts)]:
        artist.remove()
    image.figure.marks[:] = [m for m in fig.marks if m.kind not in ("label", "size-key")]
    return _headline_over_maps(fig, image.maps)


def _headline_over_maps(fig: PrintFigure, maps: list[MapAxes]) -> PrintFigure:
    """Make the page the headline over the maps, as they are placed, and nothing else."""
    width, height = fig.get_figwidth(), fig.get_figheight()
    boxes = [ax.get_position(original=True) for ax in maps]
    left = min(b.x0 for b in boxes) * width
    right = max(b.x1 for b in boxes) * width
    top = max(b.y1 for b in boxes) * height
    bottom = min(b.y0 for b in boxes) * height
    new_w = right - left + 2 * MARGIN
    title = fig.frame_texts[0]
    fig._frame_words = (fig._frame_words[0], "", "")  # the headline only: subtitle and source are the image's
    size = HEADLINE_PX * 72 / (THUMBNAIL_WIDTH / new_w)  # points that are HEADLINE_PX at the thumbnail's dpi
    title.set_fontsize(size)
    fig.resize(new_w, fig.get_figheight())
    new_h = fig.header_in + (top - bottom) + MARGIN
    fig.resize(new_w, new_h)
    for ax, box in zip(maps, boxes, strict=True):
        x = (box.x0 * width - left + MARGIN) / new_w
        y = (box.y0 * height - bottom + MARGIN) / new_h
        ax.set_position([x, y, box.width * width / new_w, box.height * height / new_h])
    if all(ax.cell is not None for ax in maps):  # small multiples: their titles and notes gone, the gutters close
        _pack(fig, maps, boxes[0].width * width, boxes[0].height * height)
    fig.set_dpi(thumbnail_dpi(fig))
    return fig


def _pack(fig: PrintFigure, maps: list[MapAxes], panel_w: float, panel_h: float, gap: float = 0.12) -> None:
    """Close the grid of small multiples up to ``gap`` inches, under the headline, and size the page to it."""
    rows = max(ax.cell[0] for ax in maps) + 1
    columns = max(ax.cell[1] for ax in maps) + 1
    width = 2 * MARGIN + columns * panel_w + (columns - 1) * gap
    fig.resize(width, fig.get_figheight())
    height = fig.header_in + rows * panel_h + (rows - 1) * gap + MARGIN
    fig.resize(width, height)
    for ax in maps:
        r, c = ax.cell
        x = MARGIN + c * (panel_w + gap)
        y = height - fig.header_in - (r + 1) * panel_h - r * gap
        ax.set_position([x / width, y / height, panel_w / width, panel_h / height])


def smallest_text_px(fig: PrintFigure) -> float:
    """Font size in pixels, at the figure's resolution, of its smallest visible non-empty text."""
    sizes = [t.get_fontsize() * fig.dpi / 72 for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes, default=float("inf"))
