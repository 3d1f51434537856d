"""Legends and size keys of the print images: scene entries drawn as matplotlib swatches."""

from __future__ import annotations

import math

from matplotlib.legend_handler import HandlerPatch, HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch

from c5map.images.frame import MARGIN, NO_FIGURE_HATCH, REGION_CIRCLE, _fit, _fitted, _height_in
from c5map.scenes import LegendEntry

# --- legends and size keys --------------------------------------------------------------------------------------


def _circle_swatch(legend, orig_handle, xdescent, ydescent, width, height, fontsize):
    """Return a circle for a legend swatch (:class:`_PatchHandler` gives it the handle's style)."""
    radius = min(width, height) / 2 + 1.5
    return Circle((width / 2 - xdescent, height / 2 - ydescent), radius)


class _PatchHandler(HandlerPatch):
    """Legend swatches of patches that keep the handle's line style by name too (matplotlib copies the dashes only).

    With ``circle=True`` the swatch is a circle, for symbols drawn as circles.
    """

    def __init__(self, circle: bool = False):
        super().__init__(patch_func=_circle_swatch if circle else None)

    def update_prop(self, legend_handle, orig_handle, legend):
        super().update_prop(legend_handle, orig_handle, legend)
        legend_handle.set_linestyle(orig_handle.get_linestyle())


class CircleSwatch(Patch):
    """A legend handle of a symbol drawn as a circle: its swatch is a circle (:data:`PATCH_HANDLERS`)."""


#: Opacity of the swatch of a class the layer does not draw (``LegendEntry.present`` False).
ABSENT_ALPHA = 0.3

PATCH_HANDLERS = {Patch: _PatchHandler(), CircleSwatch: _PatchHandler(circle=True)}


def _legend(fig, handles, x_in: float, top_in: float, width_in: float, title: str = "", **style):
    """Draw a legend whose top left corner is at (``x_in``, ``top_in``) inches; labels wrapped to ``width_in``."""
    fontsize = style.pop("fontsize", 6.5)
    label_width = width_in - 0.45  # the swatch and its gap
    # the handles keep their own words: a legend may be drawn again at another width (measured, then placed)
    labels = [_fitted(fig, handle.get_label(), label_width, fontsize=fontsize) for handle in handles]
    legend = fig.legend(
        handles=handles,
        labels=labels,
        loc="upper left",
        bbox_to_anchor=(x_in / fig.get_figwidth(), top_in / fig.get_figheight()),
        borderaxespad=0,
        borderpad=0,
        fontsize=fontsize,
        frameon=False,
        title=_fitted(fig, title, width_in, fontsize=7, fontweight="bold") if title else None,
        title_fontproperties={"size": 7, "weight": "bold"},
        alignment="left",
        handler_map=PATCH_HANDLERS,
        **style,
    )
    return legend


def _circle_handle(label: str, **style) -> CircleSwatch:
    return CircleSwatch(label=label, **style)


def _key_values(largest: float) -> list[float]:
    """Two or three round values (1-2-5 ladder) for a size key of circles up to ``largest``.

    Examples
    --------
    >>> _key_values(66.2e9)
    [50000000000.0, 10000000000.0, 2000000000.0]
    >>> _key_values(44e6)
    [20000000.0, 5000000.0, 1000000.0]
    """
    if not largest > 0:
        return []
    ladder = [m * 10.0**e for e in range(int(math.floor(math.log10(largest))) - 4, int(math.log10(largest)) + 1)
              for m in (1, 2, 5)]  # fmt: skip
    values = [max(v for v in ladder if v <= largest * (1 + 1e-9))]
    while len(values) < 3:
        below = [v for v in ladder if v <= values[-1] / 4 * (1 + 1e-9)]
        if not below or math.sqrt(below[-1] / largest) < 0.12:  # a circle too small to read
            break
        values.append(max(below))
    return values


def _size_key(fig, x_in: float, top_in: float, title: str, values, radius_in, label, width_in=None, **style) -> float:
    """Draw nested reference circles (bottoms aligned) of ``radius_in(value)`` inches; return the key's bottom.

    The circles use the map's own scale (``radius_in`` converts a value to inches
    as the map draws it), so a reader can compare any circle with the key. Its heading is wrapped to
    ``width_in`` inches (default: to the page's right margin).
    """
    width, height = fig.get_figwidth(), fig.get_figheight()
    if not values:  # no figure to scale: no key
        return top_in
    heading = fig.text(x_in / width, top_in / height, title, fontsize=7, fontweight="bold", va="top")
    _fit(heading, width - MARGIN - x_in if width_in is None else width_in)
    radii = [radius_in(v) for v in values]
    biggest = max(radii)
    base = top_in - _height_in(heading) - 0.1 - 2 * biggest
    centre = x_in + biggest + 0.02
    label_x = centre + biggest + 0.12
    label_y = math.inf
    for value, radius in zip(values, radii, strict=True):
        key = fig.add_artist(Circle((centre, base + radius), radius, transform=fig.dpi_scale_trans, **style))
        fig.mark(key, "size-key", value)
        top = base + 2 * radius
        label_y = min(top, label_y - 0.11)  # keep the values' lines apart when circles are close in size
        fig.add_artist(
            Line2D(
                [centre, label_x - 0.04], [top, label_y], transform=fig.dpi_scale_trans, color="#555", linewidth=0.4
            )  # fmt: skip
        )
        fig.text(label_x / width, label_y / height, label(value), fontsize=6, va="center")
    return min(base, label_y - 0.06)


def _handle(entry: LegendEntry):
    """Return the print swatch of a scene's legend entry (:data:`c5map.scenes.SHAPES`); None for words only."""
    if entry.shape == "none":
        return None
    if entry.shape == "hatched-box":
        return Patch(**NO_FIGURE_HATCH)
    if entry.shape in ("line", "dashed-line"):
        return Line2D([], [], color=entry.edge, linewidth=1.5, alpha=0.8, solid_capstyle="round",
                      linestyle=(0, (1, 3)) if entry.shape == "dashed-line" else "-")  # fmt: skip
    style = {"facecolor": entry.fill, "edgecolor": entry.edge, "linewidth": 0.5}
    if not entry.present:  # a class of the scale this panel does not draw: faint, as on the web
        return Patch(**style, alpha=ABSENT_ALPHA)
    if entry.shape in ("circle", "dashed-circle"):  # symbols are drawn translucent on the map, so is their swatch
        style |= {"alpha": REGION_CIRCLE["alpha"], "linewidth": REGION_CIRCLE["linewidth"]}
        return _circle_handle(entry.label, linestyle="--" if entry.shape == "dashed-circle" else "-", **style)
    if entry.shape == "dashed-box" and entry.fill == "none":  # an outline, drawn as a dashed line on the map
        return Line2D([], [], color=entry.edge, linestyle="--", linewidth=1)
    if entry.shape == "dashed-box":
        return Patch(linestyle="--", **style | {"linewidth": 1.0})
    return Patch(**style)


def _tuple_handlers(entries) -> dict:
    """Legend handlers of rows of swatches: one per view, circles drawn round (symbols), patches with their dashes."""
    return PATCH_HANDLERS | {tuple: HandlerTuple(ndivide=None, pad=0)}


def merged_legend(sections, first: list[str] | tuple[str, ...] = ()) -> list[tuple[tuple, str]]:
    """(swatches, label) of every swatch entry of ``sections``, one row per label.

    Entries of several views with one label (a class, "no reported figure") share a row: one swatch per view.
    Rows whose label is in ``first`` (the class labels, in class order) come first, the rest as first seen.
    """
    rows: dict[str, dict[LegendEntry, object]] = {label: {} for label in first}
    for section in sections:
        for entry in section.swatches:
            drawn = rows.setdefault(entry.label, {})
            if entry not in drawn:  # one swatch per distinct entry: two views with the same style share it
                drawn[entry] = _handle(entry)
    return [(tuple(drawn.values()), label) for label, drawn in rows.items() if drawn]


def _merged_legend_at(fig, entries, title: str, x_in: float, y: float, column: float) -> float:
    """Draw a legend of (swatches, label) rows at (x, y) inches; return its bottom."""
    most = max(len(h) for h, _ in entries)
    words = [_fitted(fig, label, column - 0.25 - 0.1 * most, fontsize=6.5) for _, label in entries]
    legend = fig.legend(
        handles=[h for h, _ in entries], labels=words, loc="upper left", borderaxespad=0, borderpad=0,
        fontsize=6.5, frameon=False, bbox_to_anchor=(x_in / fig.get_figwidth(), y / fig.get_figheight()),
        alignment="left", title=_fitted(fig, title, column, fontsize=7, fontweight="bold"),
        title_fontproperties={"size": 7, "weight": "bold"},
        handler_map=_tuple_handlers(entries), handlelength=max(2.0, 0.9 * most),
    )  # fmt: skip
    return y - _height_in(legend) - 0.15
