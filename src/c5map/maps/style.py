"""Colours and scales of the pages and images: partner palette, class breaks and shades, symbol sizes.

One palette per dataset: :func:`partner_palette` gives every partner of the
tables one colour, and every page and image of a build uses it.

Colours are checked, not eyeballed: ``tests/test_colours.py`` computes CIEDE2000
differences (with ColorAide) between every class shade of every palette colour
and the land, the sea and the neighbouring shade.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Iterable, Sequence

from c5map.i18n import N_, gettext

SEA_COLOUR = "#dde8ef"
LAND_COLOUR = "#f5f3ee"
LAND_EDGE = "#c9c4b8"
#: "No reported figure": a white wash with a dashed grey edge. The fill alone is NOT told apart from land
#: (white at 0.55 over land is CIEDE2000 1.9 from it): the pages draw it hatched with :data:`HATCH_COLOUR`.
NO_FIGURE_FILL = "#ffffff"
NO_FIGURE_EDGE = "#8c8c8c"
#: Stroke colour of the hatch lines of "no reported figure" areas (drawn opaque): a neutral grey, so it
#: reads as "no data" rather than as a class of any partner's hue. CIEDE2000 22.8 from land, 20.7 from sea
#: and 24.0 from the white-washed fill between the lines; tests/test_colours.py asserts >= 10 from each.
HATCH_COLOUR = "#999999"
INK = "#222222"
#: ``fillOpacity`` of class fills on the web pages (influence and trade maps). :func:`class_colours` is
#: checked as the page shows it: each fill composited at this opacity over :data:`LAND_COLOUR` in
#: gamma-encoded sRGB (as browsers blend), then compared with land and sea. The static images draw
#: the same fills opaque; tests/test_colours.py checks those too.
FILL_OPACITY = 0.85

#: Okabe & Ito (2008), distinguishable with the common colour-vision deficiencies, then Tol's muted scheme
#: for datasets with more partners. Black is the ink of events and yellow is too light for lines: not used.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#CC79A7", "#009E73", "#56B4E9",
    "#882255", "#117733", "#332288", "#999933", "#44AA99", "#AA4499",
)  # fmt: skip
#: Resources (deposits, reserves) are Okabe-Ito's orange on every page: no partner takes it, so a partner's
#: fill never swamps a deposit drawn on it.
RESOURCE_COLOUR = "#E69F00"
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


#: What :func:`class_colours` aims for, in CIEDE2000, with a margin over the bars tests/test_colours.py
#: asserts (10 from land and sea, 8 between neighbouring classes): light-grey tiles under the fills
#: (Esri.WorldGrayCanvas is the default) and colour-vision deficiency take a little off.
GROUND_DELTA_E = 11.0
STEP_DELTA_E = 9.5
#: OKLab lightness of the lightest class at most (a pastel, never paler than this) and of the darkest
#: class at least, unless five classes need more room below to keep :data:`STEP_DELTA_E` apart.
LIGHTEST = 0.85
DARKEST = 0.40
#: Share of the partner's chroma in the lightest class, rising to all of it (gamut allowing) mid-ramp.
LIGHT_CHROMA = 0.6


def class_colours(colour: str, n: int) -> list[str]:
    """``n`` shades of ``colour``'s hue from light to dark, for classed values on land and sea.

    The shades are steps down in OKLab lightness at the partner's OKLCh hue, with the partner's
    chroma (a little less in the lightest) reduced to the sRGB gamut where needed, keeping
    lightness and hue (ColorAide's ray-trace gamut mapping in OKLCh). The lightest is the palest
    shade, at most :data:`LIGHTEST`, whose fill at :data:`FILL_OPACITY` over land is
    at least :data:`GROUND_DELTA_E` (CIEDE2000) from both :data:`LAND_COLOUR` and :data:`SEA_COLOUR`; the rest are
    spaced evenly in lightness down to :data:`DARKEST`, lower if neighbours would be less than
    :data:`STEP_DELTA_E` apart as composited. One class keeps the partner's own colour unless it is
    too light to stand off the ground (or near-black).

    Examples
    --------
    >>> class_colours("#0072B2", 3)
    ['#a2d4fe', '#328fd1', '#004c79']
    >>> class_colours("#D55E00", 1)
    ['#d55e00']
    >>> class_colours("#0072B2", 5)
    ['#a2d4fe', '#67abe1', '#2182c3', '#005b8f', '#003658']
    """
    return list(_class_colours(colour, max(int(n), 1)))


@functools.lru_cache(maxsize=512)
def _class_colours(colour: str, n: int) -> tuple[str, ...]:
    # ColorAide (pure Python, ~50-80 ms to import) is loaded on the first ramp, not with this module.
    from coloraide import Color

    lightness, chroma, hue = Color(colour).convert("oklch").coords(nans=False)

    def shade(light: float, share: float) -> Color:
        oklch = Color("oklch", [light, chroma * share, hue]).fit("srgb", method="raytrace", pspace="oklch")
        return Color(oklch.convert("srgb").to_string(hex=True))  # the 8-bit colour the page gets

    def on_land(fill: Color) -> Color:
        return Color.layer([fill.clone().set("alpha", FILL_OPACITY), LAND_COLOUR], space="srgb")

    def off_ground(light: float, share: float) -> bool:
        shown = on_land(shade(light, share))
        return min(shown.delta_e(LAND_COLOUR, method="2000"), shown.delta_e(SEA_COLOUR, method="2000")) >= (
            GROUND_DELTA_E
        )

    def share(i: int) -> float:
        return LIGHT_CHROMA + (1 - LIGHT_CHROMA) * min(2 * i / (n - 1), 1.0)

    first = 1.0 if n == 1 else LIGHT_CHROMA
    low, high = 0.2, LIGHTEST
    if off_ground(high, first):
        low = high
    for _ in range(24):  # bisection: the lightest lightness still GROUND_DELTA_E off land and sea
        if high - low < 1e-4:
            break
        middle = (low + high) / 2
        low, high = (middle, high) if off_ground(middle, first) else (low, middle)
    top = low
    if n == 1:
        return (shade(min(max(lightness, 0.3), top), 1.0).to_string(hex=True),)
    bottom = min(DARKEST, top - 0.05 * (n - 1))
    while True:
        shades = [shade(top - (top - bottom) * i / (n - 1), share(i)) for i in range(n)]
        shown = [on_land(s) for s in shades]
        if bottom <= 0.15 or all(a.delta_e(b, method="2000") >= STEP_DELTA_E for a, b in itertools.pairwise(shown)):
            return tuple(s.to_string(hex=True) for s in shades)
        bottom -= 0.01


#: Qualifiers that make a figure an upper bound: the true value lies below it ("less than $1bn", "nearly $15bn").
BELOW_QUALIFIERS = frozenset({"under", "nearly"})
#: Qualifiers that make a figure a lower bound: the true value lies above it ("more than $45bn").
ABOVE_QUALIFIERS = frozenset({"over"})
#: What the legend and README say of bounds, in one sentence (the rule of :func:`class_of`).
BOUND_RULE = N_(
    "'less than X' and 'nearly X' take the class of values just under X; 'more than X' of values just over X"
)


def class_of(value: float, breaks: Sequence[float], qualifier: str | None = "exact") -> int:
    """Index of the class a figure falls in (breaks are lower bounds of classes 1..n), true to its qualifier.

    A bound is classed by the side of it the true value lies on: "less than
    X" (and "nearly X") lies below X, so it is never in a class whose lower
    bound is X or more; "more than X" lies above X, so never in a class whose
    upper bound is X or less. Exact, "about" and undisclosed-free figures are
    classed by their value.

    Examples
    --------
    >>> class_of(1e9, [1e9, 5e9]), class_of(1e9, [1e9, 5e9], "under"), class_of(1e9, [1e9, 5e9], "nearly")
    (1, 0, 0)
    >>> class_of(5e9, [1e9, 5e9], "over"), class_of(4e9, [1e9, 5e9], "over")
    (2, 1)
    """
    if qualifier in BELOW_QUALIFIERS:
        return sum(value > b for b in breaks)
    return sum(value >= b for b in breaks)


def class_labels(breaks: Sequence[float], fmt) -> list[str]:
    """Legend labels for classes split at ``breaks``, using ``fmt`` for numbers."""
    if not breaks:
        return [gettext("reported figure")]
    labels = [gettext("less than {figure}").format(figure=fmt(breaks[0]))]
    labels += [gettext("{low} to {high}").format(low=fmt(a), high=fmt(b)) for a, b in itertools.pairwise(breaks)]
    labels.append(gettext("{figure} or more").format(figure=fmt(breaks[-1])))
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


def size_key_values(largest: float, count: int = 3) -> list[float]:
    """Round reference values for a size key: the largest 1-2-5 number not above ``largest``, and smaller ones.

    Each is about a quarter of the next (half the radius), so the key's circles read apart.

    Examples
    --------
    >>> size_key_values(44e6)
    [2000000.0, 10000000.0, 40000000.0]
    >>> size_key_values(0)
    []
    """
    if not largest or not math.isfinite(largest) or largest <= 0:
        return []
    ladder = [m * 10.0**e for e in range(int(math.floor(math.log10(largest))) - 4, int(math.log10(largest)) + 1)
              for m in (1, 2, 4, 5)]  # fmt: skip
    values: list[float] = []
    target = largest
    for _ in range(count):
        below = [v for v in ladder if v <= target and (not values or v < values[-1])]
        if not below:
            break
        values.append(max(below))
        target = values[-1] / 4
    return sorted(values)
