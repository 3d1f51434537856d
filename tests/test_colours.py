"""Map colours, checked by computation rather than by eye (CIEDE2000 with ColorAide).

The bars are the issue's: every class colour >= 10 from land and from sea, neighbouring classes >= 8.
A class colour is compared as the web page shows it, its fill composited at ``FILL_OPACITY`` over
``LAND_COLOUR`` in gamma-encoded sRGB (what browsers do), and as the static images draw it (opaque).
Assertion messages carry the worst figures, so a failure says by how much.
"""

from __future__ import annotations

import itertools

import pytest
from coloraide import Color

from c5map.maps.style import (
    FILL_OPACITY,
    HATCH_COLOUR,
    INK,
    LAND_COLOUR,
    NO_FIGURE_EDGE,
    NO_FIGURE_FILL,
    PALETTE,
    SEA_COLOUR,
    class_colours,
)

GROUND_BAR = 10.0  # class colour vs land and vs sea
NEIGHBOUR_BAR = 8.0  # class colour vs the next class
#: Under simulated dichromacy (Brettel 1997, full severity) neighbouring classes keep most of their
#: difference, since the ramps step in lightness, which dichromats see too. Measured minima (ColorAide
#: 8.13.1, composited as on the page): deutan 8.42, protan 8.37, tritan 8.61. The bar is 7: still a plain
#: difference between patches side by side (a just-noticeable one is ~1-2), with room for hex rounding
#: and library drift; a ramp that loses its lightness steps falls far below it.
CVD_NEIGHBOUR_BAR = 7.0
#: Light neutral greys standing in for the land of light grey tiles (Esri.WorldGrayCanvas, the default,
#: and similar): not measured from the tiles, a band around where such canvases sit.
TILE_GREYS = ("#d6d6d6", "#e0e0e0", "#e8e8e8", "#f0f0f0")
#: The "no reported figure" wash as influence.py draws it under the hatch (fillOpacity 0.55 over land).
NO_FIGURE_OPACITY = 0.55
#: Palette pairs under 10 apart, kept on purpose: the palette is Okabe & Ito's (chosen for colour-vision
#: deficiency) then Tol's muted scheme; these two only meet in datasets with 11 or more partners, and the
#: legend and labels name every partner. The figure is the one measured (9.64), rounded down.
#: Not asserted, for the record: under simulated deuteranopia #CC79A7/#44AA99 are 3.5 apart and
#: #D55E00/#999933 4.8; under protanopia #D55E00/#117733 5.9 (only Tol's colours, past the sixth partner).
CLOSE_PALETTE_PAIRS = {("#009E73", "#44AA99"): 9.6}

NS = range(1, 6)
EXTRA = ("#777777", INK)  # the static legend's grey ramp, and the fallback colour of an unknown partner


def de(a, b) -> float:
    return Color(a).delta_e(b, method="2000")


def composite(fill: str, under: str = LAND_COLOUR, opacity: float = FILL_OPACITY) -> Color:
    return Color.layer([Color(fill).set("alpha", opacity), under], space="srgb")


def simulate(colour, deficiency: str) -> Color:
    return Color(colour).filter(deficiency, method="brettel", out_space="srgb").fit(method="clip")


def ramp_cases(colours):
    return [pytest.param(c, n, id=f"{c}-{n}") for c in colours for n in NS]


def worst(pairs, what: str) -> tuple[float, str]:
    figure, label = min(pairs)
    return figure, f"{what}: worst {figure:.2f} ({label})"


@pytest.mark.parametrize(("colour", "n"), ramp_cases(PALETTE + EXTRA))
def test_ramp_is_n_shades_light_to_dark_in_the_partner_hue(colour, n):
    shades = class_colours(colour, n)
    assert len(shades) == n and all(len(s) == 7 and s.startswith("#") for s in shades)
    oklch = [Color(s).convert("oklch") for s in shades]
    lightness = [c["lightness"] for c in oklch]
    assert lightness == sorted(lightness, reverse=True) and len(set(lightness)) == n, lightness
    partner = Color(colour).convert("oklch")
    if partner["chroma"] > 0.03:
        for shade, c in zip(shades, oklch, strict=True):
            if c["chroma"] > 0.03:  # the hue of a near-grey is noise
                turn = abs((c["hue"] - partner["hue"] + 180) % 360 - 180)
                assert turn < 6, f"{shade} is {turn:.1f} degrees off {colour}'s hue"


@pytest.mark.parametrize(("colour", "n"), ramp_cases(PALETTE + EXTRA))
@pytest.mark.parametrize("drawn", ["web", "static"])
def test_classes_stand_off_land_and_sea(colour, n, drawn):
    shades = class_colours(colour, n)
    shown = {s: composite(s) if drawn == "web" else Color(s) for s in shades}
    for ground, name in ((LAND_COLOUR, "land"), (SEA_COLOUR, "sea")):
        figure, message = worst(((de(c, ground), s) for s, c in shown.items()), f"{drawn} {colour} n={n} vs {name}")
        assert figure >= GROUND_BAR, message


@pytest.mark.parametrize(("colour", "n"), ramp_cases(PALETTE + EXTRA))
@pytest.mark.parametrize("drawn", ["web", "static"])
def test_neighbouring_classes_differ(colour, n, drawn):
    shades = class_colours(colour, n)
    if n == 1:
        return
    shown = [composite(s) if drawn == "web" else Color(s) for s in shades]
    steps = [(de(a, b), f"{x}/{y}") for (a, x), (b, y) in itertools.pairwise(zip(shown, shades, strict=True))]
    figure, message = worst(steps, f"{drawn} {colour} n={n} neighbours")
    assert figure >= NEIGHBOUR_BAR, message


@pytest.mark.parametrize(("colour", "n"), ramp_cases(PALETTE))
def test_classes_stand_off_light_grey_tiles(colour, n):
    pairs = [(de(composite(s, under=g), g), f"{s} over {g}") for s in class_colours(colour, n) for g in TILE_GREYS]
    figure, message = worst(pairs, f"{colour} n={n} on tiles")
    assert figure >= GROUND_BAR, message


@pytest.mark.parametrize("deficiency", ["deutan", "protan", "tritan"])
@pytest.mark.parametrize("colour", PALETTE)
def test_neighbouring_classes_differ_under_colour_vision_deficiency(colour, deficiency):
    steps = []
    for n in range(2, 6):
        shades = class_colours(colour, n)
        seen = [simulate(composite(s), deficiency) for s in shades]
        steps += [(de(a, b), f"n={n} {x}/{y}") for (a, x), (b, y) in itertools.pairwise(zip(seen, shades, strict=True))]
    figure, message = worst(steps, f"{deficiency} {colour} neighbours")
    assert figure >= CVD_NEIGHBOUR_BAR, message


def test_no_figure_hatch_stands_off_land_sea_and_its_wash():
    wash = composite(NO_FIGURE_FILL, opacity=NO_FIGURE_OPACITY)
    grounds = {"land": LAND_COLOUR, "sea": SEA_COLOUR, "wash": wash}
    for name, colour in (("hatch", HATCH_COLOUR), ("edge", NO_FIGURE_EDGE)):
        figures = {g: de(colour, c) for g, c in grounds.items()}
        assert min(figures.values()) >= GROUND_BAR, f"{name} {colour}: {figures}"
    # the wash alone is land-like: the reason for the hatch (documented at NO_FIGURE_FILL)
    assert de(wash, LAND_COLOUR) < GROUND_BAR


def test_palette_colours_apart_except_the_documented_pairs():
    figures = {(a, b): de(a, b) for a, b in itertools.combinations(PALETTE, 2)}
    close = {pair: round(f, 2) for pair, f in figures.items() if f < GROUND_BAR}
    assert close.keys() == CLOSE_PALETTE_PAIRS.keys(), f"pairs under {GROUND_BAR}: {close}"
    for pair, floor in CLOSE_PALETTE_PAIRS.items():
        assert figures[pair] >= floor, f"{pair}: {figures[pair]:.2f}, documented {floor}"


def test_ramps_are_fresh_lists():
    first = class_colours(PALETTE[0], 3)
    first.append("#000000")
    assert len(class_colours(PALETTE[0], 3)) == 3
    assert class_colours(PALETTE[0], 0) == class_colours(PALETTE[0], 1)
