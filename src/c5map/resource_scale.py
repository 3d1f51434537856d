"""One size scale for the resources page and its print image: one commodity in one unit, chosen once.

Circle areas may only compare like with like: tonnes of rare-earth metals with tonnes of rare-earth
metals, never with barrels of oil or tonnes of gold. :func:`resource_scale` chooses the (commodity,
unit) pair that most resources have a figure in, and the values of its size key; the web page
(:mod:`c5map.maps.resources`) and the print image (:func:`c5map.images.resources.resources_image`) both draw
from it, so they cannot disagree. Every other figure is drawn with a uniform symbol and labelled
(:func:`figure_label`). :func:`choose_pair` is the rule itself, also used for the atlas's "largest
quantity" line (:func:`c5map.maps.figures.largest_figure`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from c5map.format import _UNIT_WORDS, format_quantity
from c5map.i18n import N_, gettext, locale_in_use
from c5map.story import humanise

#: Commodities c5map can name in every locale. A commodity is the data's own word: one not listed here is shown
#: as written (``iron_ore`` as "iron ore"), in every locale.
COMMODITY_WORDS: dict[str, str] = {
    "rare_earth_metals": N_("rare-earth metals"),
    "rare_earth_elements": N_("rare-earth elements"),
    "critical_minerals": N_("critical minerals"),
    "antimony": N_("antimony"),
    "bauxite": N_("bauxite"),
    "coal": N_("coal"),
    "cobalt": N_("cobalt"),
    "copper": N_("copper"),
    "gas": N_("natural gas"),
    "natural_gas": N_("natural gas"),
    "gold": N_("gold"),
    "graphite": N_("graphite"),
    "iron_ore": N_("iron ore"),
    "lithium": N_("lithium"),
    "manganese": N_("manganese"),
    "nickel": N_("nickel"),
    "oil": N_("oil"),
    "phosphate": N_("phosphate"),
    "potash": N_("potash"),
    "silver": N_("silver"),
    "tungsten": N_("tungsten"),
    "uranium": N_("uranium"),
    "zinc": N_("zinc"),
    "fisheries": N_("fisheries"),
}


def _number(value: object) -> float:
    """``value`` as a float; NaN when it is no number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def positive_figures(quantities: pd.Series, qualifiers: pd.Series) -> np.ndarray:
    """Which rows have a figure to compare: a finite quantity above zero that the source disclosed."""
    numbers = np.array([_number(q) for q in quantities], dtype=float)
    disclosed = (qualifiers.astype(str) != "undisclosed").to_numpy(bool)
    return np.isfinite(numbers) & (numbers > 0) & disclosed


def sizable(resources: pd.DataFrame) -> np.ndarray:
    """Which resources can be drawn as a sized circle: a positive figure, and a site or a country total.

    A deposit known only by its admin region is drawn as an area around the regional centre, never as a
    circle that would read as a site: it is never sized (its label gives its figure), though it counts
    towards the choice of the pair.
    """
    not_region = (resources["location_precision"].astype(str) != "region").to_numpy(bool)
    return positive_figures(resources["quantity"], resources["value_qualifier"]) & not_region


def choose_pair(
    commodities: pd.Series, units: pd.Series, quantities: pd.Series, drawable: np.ndarray | None = None
) -> tuple[str, str] | None:
    """Return the (commodity, unit) pair with the most positive quantities; ties: largest total, then name.

    Parameters
    ----------
    commodities, units : pandas.Series
        Each row's commodity (any text that names it) and unit.
    quantities : pandas.Series
        Each row's quantity; NaN (or not above zero) where the row has no figure to compare.
    drawable : numpy.ndarray of bool, optional
        Rows that can be drawn by size; a pair with none of them comes after every pair with one (a
        scale that sizes nothing helps no reader). By default, every row.

    Returns
    -------
    tuple of str, or None
        The pair, or None when no row has a positive quantity.

    Examples
    --------
    >>> choose_pair(pd.Series(["gold", "gold", "oil"]), pd.Series(["tonnes", "tonnes", "barrels"]),
    ...             pd.Series([1.0, 2.0, 9e9]))
    ('gold', 'tonnes')
    """
    numbers = pd.Series([_number(q) for q in quantities], index=quantities.index, dtype=float)
    rows = pd.DataFrame({"commodity": commodities.astype(str), "unit": units.astype(str), "quantity": numbers})
    rows["drawable"] = np.ones(len(rows), dtype=bool) if drawable is None else np.asarray(drawable, dtype=bool)
    rows = rows[np.isfinite(rows["quantity"]) & (rows["quantity"] > 0)]
    if rows.empty:
        return None
    grouped = rows.groupby(["commodity", "unit"], sort=True)
    pairs = grouped["quantity"].agg(["size", "sum"]).join(grouped["drawable"].any()).reset_index()
    order = ["drawable", "size", "sum", "commodity", "unit"]
    best = pairs.sort_values(order, ascending=[False, False, False, True, True]).iloc[0]
    return str(best["commodity"]), str(best["unit"])


def commodity_words(commodity: str) -> str:
    """Name a commodity in the locale in use: ``rare-earth metals``, ``редкоземельные металлы``.

    Examples
    --------
    >>> from c5map.i18n import using
    >>> commodity_words("rare_earth_metals"), commodity_words("iron_ore"), commodity_words("kaolin_clay")
    ('rare-earth metals', 'iron ore', 'kaolin clay')
    >>> with using("fr"):
    ...     commodity_words("iron_ore"), commodity_words("kaolin_clay")
    ('minerai de fer', 'kaolin clay')
    """
    code = str(commodity)
    if code in COMMODITY_WORDS and locale_in_use() != "en":
        return gettext(COMMODITY_WORDS[code])
    return humanise(code)


def unit_words(unit: str) -> str:
    """Write a unit as the page writes it: ``tonnes``, ``barrels``, ``% of world processing``."""
    if locale_in_use() != "en" and unit in _UNIT_WORDS:
        return gettext(_UNIT_WORDS[unit])
    return _UNIT_WORDS.get(unit, str(unit).replace("_", " "))


def measure_words(commodity: str, unit: str) -> str:
    """Say what a scale compares: ``tonnes of rare-earth metals``; ``tonnes of ore (gold)`` for a unit with "of".

    Other locales write the commodity, then its unit in brackets ("редкоземельные металлы (тонны)"): the
    commodity may be the data's own word, which a translation could not inflect.
    """
    words, what = unit_words(unit), commodity_words(commodity)
    if locale_in_use() != "en":
        return gettext("{commodity} ({unit})").format(commodity=what, unit=words)
    return f"{words} ({what})" if " of " in f" {words} " else f"{words} of {what}"


def figure_label(row: pd.Series) -> str:
    """Write the short label of a figure off the scale: ``Gold: about 150 tonnes``, ``Oil: undisclosed quantity``."""
    commodity = commodity_words(str(row["commodity"]))
    quantity = _number(row["quantity"])
    figure = format_quantity(None if math.isnan(quantity) else quantity, str(row["unit"]), str(row["value_qualifier"]))
    return f"{commodity[:1].upper()}{commodity[1:]}: {figure}"


@dataclass(frozen=True)
class ResourceScale:
    """The one proportional-circle scale of a resources map.

    Attributes
    ----------
    commodity, unit : str
        The pair the circles compare ("" for both when no resource has a positive quantity).
    largest : float
        The largest quantity of that pair: it gets the largest circle (0 with no pair).
    key_values : tuple of float
        The size key's values (:func:`c5map.maps.style.size_key_values` of ``largest``).
    """

    commodity: str = ""
    unit: str = ""
    largest: float = 0.0
    key_values: tuple[float, ...] = ()

    @property
    def words(self) -> str:
        """What the circles compare, e.g. ``tonnes of rare-earth metals`` ("" with no scale)."""
        return measure_words(self.commodity, self.unit) if self.unit else ""

    @property
    def title(self) -> str:
        """The key's title: ``circle area = tonnes of rare-earth metals``."""
        return gettext("circle area = {measure}").format(measure=self.words) if self.unit else ""

    def key_label(self, value: float) -> str:
        """Write a size key value in words: ``40 million tonnes``."""
        return format_quantity(value, self.unit)

    def on_scale(self, resources: pd.DataFrame) -> np.ndarray:
        """Which rows of ``resources`` are drawn as circles of this scale: its commodity and unit, :func:`sizable`."""
        if not self.unit or resources.empty:
            return np.zeros(len(resources), dtype=bool)
        same = (resources["commodity"].astype(str) == self.commodity) & (resources["unit"].astype(str) == self.unit)
        return same.to_numpy(bool) & sizable(resources)


def resource_scale(resources: pd.DataFrame) -> ResourceScale:
    """Choose the scale of a resources map: the pair of :func:`choose_pair` among its positive figures.

    The largest circle is the largest :func:`sizable` figure of that pair (a region-level estimate is an
    area, never a circle).

    Parameters
    ----------
    resources : pandas.DataFrame
        Rows of ``resources.csv`` (sites and country totals share the scale; region-level estimates are areas).

    Returns
    -------
    ResourceScale
        The pair, its largest quantity and the size key's values; empty when nothing can be sized.
    """
    if resources.empty:
        return ResourceScale()
    positive = positive_figures(resources["quantity"], resources["value_qualifier"])
    quantities = resources["quantity"].where(positive)
    pair = choose_pair(resources["commodity"], resources["unit"], quantities, sizable(resources))
    sized = ResourceScale(*pair).on_scale(resources) if pair else np.zeros(len(resources), dtype=bool)
    if not sized.any():  # only region-level estimates have figures: nothing is drawn by size
        return ResourceScale()
    # imported here: c5map.maps imports this module, and this one must load on its own too
    from c5map.maps.style import size_key_values

    largest = float(pd.to_numeric(resources.loc[sized, "quantity"]).max())
    return ResourceScale(pair[0], pair[1], largest, tuple(size_key_values(largest)))
