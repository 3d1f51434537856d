"""Colours and scales of the pages and images: partner palette, class breaks and shades, symbol sizes.

One palette per dataset: :func:`partner_palette` gives every partner of the
tables one colour, and every page and image of a build uses it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence

SEA_COLOUR = "#dde8ef"
LAND_COLOUR = "#f5f3ee"
LAND_EDGE = "#c9c4b8"
NO_FIGURE_FILL = "#ffffff"
NO_FIGURE_EDGE = "#8c8c8c"
INK = "#222222"

#: Okabe & Ito (2008), distinguishable with the common colour-vision deficiencies, then Tol's muted scheme
#: for datasets with more partners. Black is the ink of events and yellow is too light for lines: not used.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#CC79A7", "#009E73", "#56B4E9", "#E69F00",
    "#882255", "#117733", "#332288", "#999933", "#44AA99", "#AA4499",
)  # fmt: skip
#: Familiar partners keep a familiar colour when they appear (a convention of news graphics, not a requirement).
PREFERRED_COLOURS: dict[str, str] = {"USA": "#0072B2", "CHN": "#D55E00", "RUS": "#CC79A7"}


def partner_palette(partners: Iterable[str]) -> dict[str, str]:
    """Give every partner one colour: preferred ones first, the rest in code order from :data:`PALETTE`.

    Past the palette's length colours repeat; the legend and labels still name each partner.

    Examples
    --------
    >>> partner_palette(["IND", "USA", "ARE"])
    {'ARE': '#D55E00', 'IND': '#CC79A7', 'USA': '#0072B2'}
    >>> partner_palette(["CHN", "IND"])["IND"]
    '#0072B2'
    """
    codes = sorted(set(partners))
    palette = {code: PREFERRED_COLOURS[code] for code in codes if code in PREFERRED_COLOURS}
    free = [c for c in PALETTE if c not in palette.values()]
    others = [code for code in codes if code not in palette]
    for index, code in enumerate(others):
        palette[code] = free[index % len(free)] if free else PALETTE[index % len(PALETTE)]
    return dict(sorted(palette.items()))


def nice_breaks(values: Sequence[float], classes: int = 4) -> list[float]:
    """Class breaks on the 1-2-5 ladder between the smallest and largest value.

    Examples
    --------
    >>> nice_breaks([4.2e9, 8e9, 15e9])
    [5000000000.0, 10000000000.0]
    >>> nice_breaks([])
    []
    """
    positive = sorted(v for v in values if v and v > 0 and math.isfinite(v))
    if len(positive) < 2:
        return []
    low, high = positive[0], positive[-1]
    ladder = [
        m * 10.0**e for e in range(int(math.floor(math.log10(low))) - 1, int(math.log10(high)) + 2) for m in (1, 2, 5)
    ]
    inside = [b for b in ladder if low < b <= high]
    if len(inside) <= classes - 1:
        return inside
    step = (len(inside) - 1) / (classes - 2) if classes > 2 else 1
    return sorted({inside[round(i * step)] for i in range(classes - 1)})


def tint(colour: str, share: float) -> str:
    """Mix ``colour`` with white: share 1 is the colour, 0 is white.

    Examples
    --------
    >>> tint("#0072B2", 0.5)
    '#80b8d8'
    """
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * share) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def class_colours(colour: str, n: int) -> list[str]:
    """``n`` steps from a light tint of ``colour`` through it to a darker shade, for classed values.

    Examples
    --------
    >>> class_colours("#0072B2", 3)
    ['#bfdcec', '#338ec1', '#004a74']
    """
    if n <= 1:
        return [colour]
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    out = []
    for i in range(n):
        step = 0.25 + 1.1 * i / (n - 1)  # 0.25: mostly white; 1: the colour; 1.35: a third darker
        if step <= 1:
            out.append(tint(colour, step))
        else:
            dark = 1 - (step - 1)
            out.append("#" + "".join(f"{round(c * dark):02x}" for c in (r, g, b)))
    return out


def class_of(value: float, breaks: Sequence[float]) -> int:
    """Index of the class ``value`` falls in (breaks are lower bounds of classes 1..n)."""
    return sum(value >= b for b in breaks)


def class_labels(breaks: Sequence[float], fmt) -> list[str]:
    """Legend labels for classes split at ``breaks``, using ``fmt`` for numbers."""
    if not breaks:
        return ["reported figure"]
    labels = [f"less than {fmt(breaks[0])}"]
    labels += [f"{fmt(a)} to {fmt(b)}" for a, b in itertools.pairwise(breaks)]
    labels.append(f"{fmt(breaks[-1])} or more")
    return labels


def line_weight(value: float, largest: float, thinnest: float = 2.0, thickest: float = 12.0) -> float:
    """Stroke width for a flow: its area-like sqrt share of the largest on the page."""
    if not largest or not math.isfinite(value) or value <= 0:
        return thinnest
    return round(thinnest + (thickest - thinnest) * math.sqrt(value / largest), 2)


def symbol_radius(value: float, largest: float, biggest_px: float = 40.0) -> float:
    """Radius in pixels of a proportional circle: area proportional to value, one scale per page."""
    if not largest or value <= 0:
        return 0.0
    return round(biggest_px * math.sqrt(value / largest), 2)
